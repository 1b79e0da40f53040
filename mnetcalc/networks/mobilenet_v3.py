"""MobileNetV3-Large and -Small (Howard et al. 2019, "Searching for MobileNetV3",
arXiv:1905.02244) as data, costed by the same engine: one network, ``mobilenet_v3``, with
``variant`` "large" (the paper's Table 1) or "small" (Table 2), and TF-slim's "minimalistic"
versions of both ("large_minimalistic", "small_minimalistic": the same channels without
squeeze-and-excite, hard-swish or 5x5 kernels, as TF-slim's ``V3_LARGE_MINIMALISTIC`` and
``V3_SMALL_MINIMALISTIC`` define them).

The network: a 3x3 standard convolution with 16 filters and stride 2 (hard-swish); the bottleneck
blocks of :data:`V3_LARGE` or :data:`V3_SMALL` (:class:`V3Block`: a 1x1 expansion, left out when
it would not change the channels; a ``k`` x ``k`` depthwise convolution carrying the stride; a
:class:`SqueezeExcite` on the expanded map in the blocks marked so; a linear 1x1 projection; the
input added to the output when the stride is 1 and the channels are kept), each with ReLU or
hard-swish; a 1x1 convolution to six times the last block's channels (960, Small 576) with
BatchNorm and hard-swish; global average pooling; a 1x1 convolution on the 1x1 map to 1280 (Small
1024) with a bias and hard-swish but no BatchNorm (the paper's "conv2d 1x1, NBN"); the classifier.

Squeeze-and-excite (:class:`SqueezeExcite`), as the paper, TF-slim and torchvision build it: global
average pooling of the expanded map, a 1x1 convolution with a bias down to
``make_divisible(expanded // 4)`` channels and ReLU, a 1x1 convolution with a bias back to the
expanded channels and hard-sigmoid, and the map times that gate, channel by channel.

The width multiplier ``alpha`` has two channel rules (``channels``), which agree with each other
and with the paper's tables at ``alpha`` = 1:

* "torchvision" (the default), torchvision's ``_mobilenet_v3_conf``: every block's input, expanded
  and output channels of the paper's tables, the stem's 16 and the last 1280 (1024) are
  ``make_divisible(alpha * c)`` (:func:`~mnetcalc.core.channels.make_divisible`), and the
  convolution before the pooling has six times the last block's output channels;
* "tf-slim", the released TF-slim checkpoints' (``research/slim/nets/mobilenet/mobilenet_v3.py``,
  as timm's ports of the 0.75 checkpoints have them): the expansion is a factor of the block's
  scaled input channels (``make_divisible(c_in * t)``, t = expanded / input of the paper's table),
  the convolution before the pooling is ``make_divisible(alpha * 960)`` (576), and the 1280 (1024)
  after the pooling is kept (TF-slim's ``finegrain_classification_mode``).

Either way the squeeze channels come from the expanded channels.

Counting follows the rest of the library (the v1 paper's convention): mult-adds of the
convolutions (the squeeze-and-excite's two 1x1 convolutions included) and of the classifier. The
pooling, the gate's product with the map, hard-swish, hard-sigmoid, BatchNorm and the residual sums
are free. Parameters are reported as the other networks report them: ``params`` (the weights),
``bias_params`` (the biases of the squeeze-and-excite convolutions, of the 1280/1024 layer and of
the classifier) and ``bn_params`` (BatchNorm's scale and shift, two per channel), whose sum
``total_params`` is ``sum(p.numel())`` of the PyTorch model; torchvision's ``mobilenet_v3_large``
and ``_small`` count the same, and so does fvcore on both models
(tests/networks/test_mobilenet_v3.py).

What the published totals count (tests/networks/test_mobilenet_v3.py checks each statement):

* TF-slim's release, Large: 217 M (1.0), 155 M (0.75, "tf-slim" channels) and 209 M
  (minimalistic) are this convention's conv + fully connected mult-adds rounded to millions
  (216.59, 154.56, 209.14); its parameters 5.4, 4.0 and 3.9 M are the totals (weights, biases,
  BatchNorm) 5.48, 3.99 and 3.93 M, the first cut rather than rounded.
* The paper's Table 3: Small's 56 M is 56.51 M cut to whole millions; its 5.4 M and 2.5 M are
  5.48 and 2.54 M cut to one decimal. Large's 219 M is not 216.59 M: adding one operation per
  squeeze-and-excite product and per hard-swish output (0.60 M and 1.51 M) gives 218.70 M, which
  rounds to it, but the same count gives Small 57.59 M, not 56: no single convention found gives
  both of the paper's numbers.
* TF-slim's Small: 66 M (1.0), 44 M (0.75) and 65 M (minimalistic) are no counting convention of
  these networks: conv + fc is 56.51, 43.40 and 52.29 M, and Large has more of every free operation
  (hard-swish, ReLU, BatchNorm, products, sums) than Small, so a count that added the 9 M Small's
  66 needs would add at least as much to Large, above 225 M, not 217. Its parameters 2.9 M and
  2.4 M are not 2.54 and 2.04 M either (the minimalistic's 2.0 M is).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from functools import partial

from ..core.channels import make_divisible
from ..core.layers import (
    HARDSIGMOID,
    HARDSWISH,
    RELU,
    SCALE,
    Chain,
    Conv,
    DepthwiseConv,
    FullyConnected,
    LayerCost,
    Pool,
    Residual,
)
from ..core.network import NetworkConfig, NetworkSpec
from ..validation import choice, positive_int, positive_number

#: The variants: the paper's two networks and TF-slim's minimalistic versions of them.
VARIANTS = ("large", "small", "large_minimalistic", "small_minimalistic")

#: The width multiplier's channel rules (see the module's docstring); the first is the default.
CHANNEL_RULES = ("torchvision", "tf-slim")

#: The stem: output channels and stride of the first, standard 3x3 convolution.
V3_STEM = (16, 2)

#: Paper Table 1 (MobileNetV3-Large): per bottleneck block (kernel, expanded channels, output
#: channels, squeeze-and-excite, activation, stride). The first block's input is the stem's 16.
V3_LARGE = (
    (3, 16, 16, False, RELU, 1),
    (3, 64, 24, False, RELU, 2),
    (3, 72, 24, False, RELU, 1),
    (5, 72, 40, True, RELU, 2),
    (5, 120, 40, True, RELU, 1),
    (5, 120, 40, True, RELU, 1),
    (3, 240, 80, False, HARDSWISH, 2),
    (3, 200, 80, False, HARDSWISH, 1),
    (3, 184, 80, False, HARDSWISH, 1),
    (3, 184, 80, False, HARDSWISH, 1),
    (3, 480, 112, True, HARDSWISH, 1),
    (3, 672, 112, True, HARDSWISH, 1),
    (5, 672, 160, True, HARDSWISH, 2),
    (5, 960, 160, True, HARDSWISH, 1),
    (5, 960, 160, True, HARDSWISH, 1),
)

#: Paper Table 2 (MobileNetV3-Small), as :data:`V3_LARGE`.
V3_SMALL = (
    (3, 16, 16, True, RELU, 2),
    (3, 72, 24, False, RELU, 2),
    (3, 88, 24, False, RELU, 1),
    (5, 96, 40, True, HARDSWISH, 2),
    (5, 240, 40, True, HARDSWISH, 1),
    (5, 240, 40, True, HARDSWISH, 1),
    (5, 120, 48, True, HARDSWISH, 1),
    (5, 144, 48, True, HARDSWISH, 1),
    (5, 288, 96, True, HARDSWISH, 2),
    (5, 576, 96, True, HARDSWISH, 1),
    (5, 576, 96, True, HARDSWISH, 1),
)

#: Channels of the layer after the pooling (the paper's "conv2d 1x1, NBN"), before scaling.
V3_HEAD = {"large": 1280, "small": 1024}

#: The convolution before the pooling has this many times the last block's channels (960 = 6 x
#: 160, 576 = 6 x 96).
LAST_EXPANSION = 6

#: The squeeze-and-excite's reduction: squeeze channels = make_divisible(expanded // 4).
SE_REDUCTION = 4

#: The kernel side of every depthwise convolution in the minimalistic variants.
MINIMALISTIC_KERNEL = 3


class SqueezeExcite(namedtuple("SqueezeExcite", ("squeeze_channels",))):
    """Squeeze-and-excite (Hu et al. 2018, as MobileNetV3 uses it): ``pool`` (global average),
    ``reduce`` (1x1 convolution with a bias to ``squeeze_channels``, ReLU), ``expand`` (1x1
    convolution with a bias back to the input's channels, hard-sigmoid): the gate; then the input
    times the gate, per channel.

    Rows: ``<name>/pool``, ``<name>/reduce``, ``<name>/expand`` (the gate's layers, on the 1x1 map),
    then a cost-free :data:`SCALE` row named ``<name>`` that leaves the input's shape, so that the
    walk goes on from the scaled map. The product is not a multiply-add of the convention
    (:attr:`uncounted_ops` tells fvcore so)."""

    __slots__ = ()

    #: The operator of the gate's product with the map, free in the paper's convention.
    uncounted_ops = ("aten::mul",)

    def gate(self, in_channels: int) -> Chain:
        """The gate's layers, as generic layer types."""
        conv = partial(Conv, kernel=1, batchnorm=False, bias=True)
        return Chain(
            (
                ("pool", Pool()),
                ("reduce", conv(self.squeeze_channels, activation=RELU)),
                ("expand", conv(in_channels, activation=HARDSIGMOID)),
            )
        )

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        yield from self.gate(in_channels).costs(name, in_channels, side)
        yield LayerCost(name, SCALE, 1, 1, in_channels, in_channels, side, side, 0, 0)

    def torch_module(self, in_channels: int, side: int, dropout: float):
        """The PyTorch module: the gate's layers as children ``pool``, ``reduce``, ``expand`` (the
        rows' names), and the forward pass ``x * gate(x)``."""
        from torch import nn

        from ..runtime.layer_modules import layer_module

        gate = layer_module("gate", self.gate(in_channels), in_channels, side, dropout)

        class SqueezeExciteModule(nn.Module):
            def __init__(self):
                super().__init__()
                for part, module in gate.named_children():
                    self.add_module(part, module)

            def forward(self, x):
                y = x
                for module in self.children():
                    y = module(y)
                return x * y

        return SqueezeExciteModule()


class V3Block(
    namedtuple(
        "V3Block",
        ("expanded", "out_channels", "kernel", "stride", "activation", "squeeze_channels"),
        defaults=(None,),
    )
):
    """MobileNetV3's bottleneck block: ``expand`` (1x1 to ``expanded`` channels, BatchNorm,
    ``activation``; left out when ``expanded`` equals the input's channels), ``dw`` (``kernel`` x
    ``kernel`` depthwise carrying the ``stride``, BatchNorm, ``activation``), ``se`` (a
    :class:`SqueezeExcite` to ``squeeze_channels``; none when that is None), ``project`` (1x1 to
    ``out_channels``, BatchNorm, no activation). With stride 1 and as many output as input
    channels it is a :class:`~mnetcalc.core.layers.Residual`, otherwise a
    :class:`~mnetcalc.core.layers.Chain`."""

    __slots__ = ()

    def block(self, in_channels: int) -> Residual | Chain:
        act = self.activation
        expand = (
            (("expand", Conv(self.expanded, 1, activation=act)),)
            if self.expanded != in_channels
            else ()
        )
        se = (
            (("se", SqueezeExcite(self.squeeze_channels)),)
            if self.squeeze_channels is not None
            else ()
        )
        parts = (
            *expand,
            ("dw", DepthwiseConv(self.kernel, self.stride, activation=act)),
            *se,
            ("project", Conv(self.out_channels, 1, activation=None)),
        )
        residual = self.stride == 1 and in_channels == self.out_channels
        return Residual(parts) if residual else Chain(parts)

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return self.block(in_channels).costs(name, in_channels, side)


def squeeze_channels(expanded: int) -> int:
    """The squeeze-and-excite's inner channels: ``make_divisible(expanded // 4)``."""
    return make_divisible(expanded // SE_REDUCTION)


def mobilenet_v3_spec(
    alpha: float = 1.0,
    *,
    variant: str = "large",
    num_classes: int = 1000,
    channels: str = "torchvision",
) -> NetworkSpec:
    """MobileNetV3 as ``(name, layer)`` pairs: ``conv0``, ``block1`` ... ``block15`` (Small:
    ``block11``; parts ``expand``, ``dw``, ``se``, ``project`` as each has them), ``conv16``
    (Small ``conv12``), ``avgpool``, ``head`` (the 1x1 convolution to 1280 or 1024), ``fc``;
    ``channels``: the width multiplier's rule, one of :data:`CHANNEL_RULES`."""
    alpha = positive_number("alpha", alpha)
    variant = choice("variant", variant, VARIANTS)
    num_classes = positive_int("num_classes", num_classes)
    tf_slim = choice("channels", channels, CHANNEL_RULES) == "tf-slim"
    size, _, minimalistic = variant.partition("_")

    def scaled(channels: int) -> int:
        return make_divisible(channels * alpha)

    def act(activation: str) -> str:
        return RELU if minimalistic else activation

    stem_channels, stem_stride = V3_STEM
    spec: list = [("conv0", Conv(scaled(stem_channels), 3, stem_stride, activation=act(HARDSWISH)))]
    table = V3_LARGE if size == "large" else V3_SMALL
    in_channels = stem_channels
    for kernel, expanded, out, se, activation, stride in table:
        if tf_slim:  # a factor of the scaled input
            expanded = make_divisible(scaled(in_channels) * expanded / in_channels)
        else:
            expanded = scaled(expanded)
        in_channels = out
        block = V3Block(
            expanded,
            scaled(out),
            MINIMALISTIC_KERNEL if minimalistic else kernel,
            stride,
            act(activation),
            squeeze_channels(expanded) if se and not minimalistic else None,
        )
        spec.append((f"block{len(spec)}", block))
    last_out = table[-1][2]
    if tf_slim:
        last, head_channels = scaled(LAST_EXPANSION * last_out), V3_HEAD[size]
    else:
        last, head_channels = LAST_EXPANSION * scaled(last_out), scaled(V3_HEAD[size])
    spec.append((f"conv{len(spec)}", Conv(last, 1, activation=act(HARDSWISH))))
    spec.append(("avgpool", Pool()))
    head = Conv(head_channels, 1, batchnorm=False, bias=True, activation=act(HARDSWISH))
    spec.append(("head", head))
    spec.append(("fc", FullyConnected(num_classes)))
    return tuple(spec)


class MobileNetV3Config(NetworkConfig):
    """One MobileNetV3: width multiplier ``alpha``, input ``resolution``, classes (TF-slim's
    checkpoints have 1001: ImageNet's 1000 and a background class), ``variant`` (one of
    :data:`VARIANTS`), input channels, and the width multiplier's ``channels`` rule (one of
    :data:`CHANNEL_RULES`; "tf-slim" for the released 0.75 checkpoints)."""

    field_checks = {
        "alpha": positive_number,
        "resolution": positive_int,
        "num_classes": positive_int,
        "variant": partial(choice, allowed=VARIANTS),
        "in_channels": positive_int,
        "channels": partial(choice, allowed=CHANNEL_RULES),
    }
    __slots__ = tuple(field_checks)
    network = "mobilenet_v3"
    quiet_defaults = {"in_channels": 3, "channels": CHANNEL_RULES[0]}

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        resolution: int = 224,
        num_classes: int = 1000,
        variant: str = "large",
        in_channels: int = 3,
        channels: str = "torchvision",
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return mobilenet_v3_spec(
            self.alpha, variant=self.variant, num_classes=self.num_classes, channels=self.channels
        )


def mobilenet_v3_cost(alpha: float = 1.0, **options):
    """Per-layer mult-adds and parameters of MobileNetV3: ``MobileNetV3Config(alpha,
    **options).cost()`` (options: ``resolution``, ``num_classes``, ``variant``, ``in_channels``,
    ``channels``)."""
    return MobileNetV3Config(alpha, **options).cost()


def mobilenet_v3_model(
    alpha: float = 1.0, *, dropout: float = 0.0, channels_last: bool = True, **options
):
    """MobileNetV3 as a PyTorch module (needs torch): ``MobileNetV3Config(alpha,
    **options).model(dropout=..., channels_last=...)``; children named like the cost rows."""
    return MobileNetV3Config(alpha, **options).model(dropout=dropout, channels_last=channels_last)


# -- what is printed about MobileNetV3 ------------------------------------------------------------
#
# Two sources, numbers kept as printed:
#
# * Howard et al. 2019, Table 3 (ImageNet, 224 x 224): mult-adds (M) and parameters (M).
# * TF-slim's release (tensorflow/models, research/slim/nets/mobilenet/README.md, "Mobilenet V3
#   Imagenet Checkpoints"): MACs (M), parameters (M), top-1 and TF-Lite latency on the large core
#   of Pixel 1, 2 and 3 phones (ms), all at 224 x 224 with 1001 classes.

#: The headline totals: (source, variant, alpha) -> (printed mult-adds (M), printed params (M)).
PUBLISHED_TOTALS = {
    ("paper", "large", 1.0): ("219", "5.4"),
    ("paper", "small", 1.0): ("56", "2.5"),
    ("tf-slim", "large", 1.0): ("217", "5.4"),
    ("tf-slim", "small", 1.0): ("66", "2.9"),
}

#: TF-slim's released V3 checkpoints, as plain data for the chooser (mnetcalc choose; to be wired
#: into its Checkpoint records): (name, variant, alpha, quantized, MACs M, params M, top-1,
#: Pixel 1 ms, Pixel 2 ms, Pixel 3 ms), all at resolution 224 with 1001 classes. Their
#: architecture is ``MobileNetV3Config(alpha, variant=variant, num_classes=1001,
#: channels="tf-slim")`` (the same as "torchvision" at alpha 1).
PUBLISHED_CHECKPOINTS = (
    ("v3-large_224_1.0_float", "large", 1.0, False, 217, 5.4, 75.2, 51.2, 61, 44),
    ("v3-large_224_1.0_uint8", "large", 1.0, True, 217, 5.4, 73.9, 44, 42.5, 32),
    ("v3-large_224_0.75_float", "large", 0.75, False, 155, 4.0, 73.3, 39.8, 48, 34),
    ("v3-small_224_1.0_float", "small", 1.0, False, 66, 2.9, 67.5, 15.8, 19.4, 14.4),
    ("v3-small_224_1.0_uint8", "small", 1.0, True, 66, 2.9, 64.9, 15.5, 15, 10.7),
    ("v3-small_224_0.75_float", "small", 0.75, False, 44, 2.4, 65.4, 12.8, 15.9, 11.6),
    (
        "v3-large-minimalistic_224_1.0_float",
        "large_minimalistic",
        1.0,
        False,
        209,
        3.9,
        72.3,
        44.1,
        51,
        35,
    ),
    (
        "v3-large-minimalistic_224_1.0_uint8",
        "large_minimalistic",
        1.0,
        True,
        209,
        3.9,
        71.3,
        37,
        35,
        27,
    ),
    (
        "v3-small-minimalistic_224_1.0_float",
        "small_minimalistic",
        1.0,
        False,
        65,
        2.0,
        61.9,
        12.2,
        15.1,
        11,
    ),
)


def checkpoints():
    """TF-slim's released MobileNetV3 checkpoints (:data:`PUBLISHED_CHECKPOINTS`) as
    :class:`~mnetcalc.latency_model.checkpoints.Checkpoint` records, each with the configuration
    that builds it (the "tf-slim" channel rule, which equals torchvision's at alpha 1; the
    classifier counted at the library's 1000 classes like v1's and V2's, one row less than the
    release's 1001)."""
    from ..latency_model.checkpoints import Checkpoint

    return tuple(
        Checkpoint(
            name,
            "v3",
            "mobilenet_v3",
            (("alpha", alpha), ("variant", variant), ("channels", "tf-slim")),
            quantized=quantized,
            top1=top1,
            mult_adds_m=macs,
            params_m=params,
            pixel1_ms=pixel1,
        )
        for name, variant, alpha, quantized, macs, params, top1, pixel1, _, _ in (
            PUBLISHED_CHECKPOINTS
        )
    )


__all__ = [
    "checkpoints",
    "CHANNEL_RULES",
    "LAST_EXPANSION",
    "MINIMALISTIC_KERNEL",
    "PUBLISHED_CHECKPOINTS",
    "PUBLISHED_TOTALS",
    "SCALE",
    "SE_REDUCTION",
    "V3_HEAD",
    "V3_LARGE",
    "V3_SMALL",
    "V3_STEM",
    "VARIANTS",
    "MobileNetV3Config",
    "SqueezeExcite",
    "V3Block",
    "mobilenet_v3_cost",
    "mobilenet_v3_model",
    "mobilenet_v3_spec",
    "squeeze_channels",
]
