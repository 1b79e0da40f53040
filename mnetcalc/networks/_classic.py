"""What the classic networks of paper Tables 8 and 9 (VGG16, GoogLeNet, AlexNet, SqueezeNet) share:
a convolution with a bias and no BatchNorm, explicit padding (the output side is ``floor((side + 2p
- k) / s) + 1``; Caffe's pools round up), the configuration fields, and the width of the hidden
fully connected layers of VGG16 and AlexNet.

Local response normalisation is kept as a cost-free ``lrn`` row where the networks have it; dropout
is left out (it does nothing at inference).
"""

from __future__ import annotations

from ..core.layers import MAXPOOL, Conv, Pool
from ..core.network import NetworkConfig
from ..validation import positive_int

#: Width of VGG16's and AlexNet's two hidden fully connected layers.
HIDDEN_FC = 4096


def classic_conv(
    channels: int, kernel: int, stride: int = 1, padding: int = 0, groups: int = 1
) -> Conv:
    """A convolution of the classic networks: bias, no BatchNorm."""
    return Conv(
        channels, kernel, stride, batchnorm=False, bias=True, padding=padding, groups=groups
    )


def classic_maxpool(kernel: int, stride: int, ceil_mode: bool = False) -> Pool:
    return Pool(MAXPOOL, kernel, stride, padding=0, ceil_mode=ceil_mode)


class ClassicConfig(NetworkConfig):
    """The fields every classic network has (``resolution=None``: the network's own input side,
    ``default_resolution``); its JSON omits ``in_channels`` when it is 3."""

    field_checks = {
        "resolution": positive_int,
        "num_classes": positive_int,
        "in_channels": positive_int,
    }
    __slots__ = ()
    default_resolution = 224

    def __init__(
        self, *, resolution: int | None = None, num_classes: int = 1000, in_channels: int = 3
    ):
        self._set_checked(locals())

    def _set_checked(self, arguments) -> None:
        # resolution=None: the network's own input side
        if arguments["resolution"] is None:
            arguments = {**arguments, "resolution": self.default_resolution}
        super()._set_checked(arguments)
