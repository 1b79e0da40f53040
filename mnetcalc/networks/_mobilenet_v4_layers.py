"""MobileNetV4's layer types of its own (:mod:`mnetcalc.networks.mobilenet_v4` re-exports them;
they are apart only to keep that module short): layer scale, a lone BatchNorm, multi-query attention
with its two matrix products as rows of their own, and the blur pool of timm's anti-aliased
variant. Each costs itself (``costs``) and builds its PyTorch module (``torch_module``, from
:mod:`mnetcalc.runtime.blocks_v4`)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from functools import partial

from ..core.layers import (
    BATCHNORM,
    CONV_DW,
    LAYER_SCALE,
    MATMUL,
    SOFTMAX,
    Conv,
    DepthwiseConv,
    LayerCost,
    layer_row,
    output_side,
)
from ..validation import InputTooSmall

#: Layer scale's initial factor (timm's ``layer_scale_init_value`` for the hybrids).
LAYER_SCALE_INIT = 1e-5

#: The kernel of the keys' and values' down-sampling depthwise convolutions.
KV_KERNEL = 3


class LayerScale(namedtuple("LayerScale", ())):
    """Layer scale (Touvron et al. 2021): the map times one learned factor per channel. One
    :data:`~mnetcalc.core.layers.LAYER_SCALE` row, its factors counted as weights, no
    mult-adds."""

    __slots__ = ()
    uncounted_ops = ("aten::mul",)

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        c = in_channels
        yield layer_row(name, LAYER_SCALE, 1, 1, (c, c), (side, side), (0, c))

    def torch_module(self, in_channels: int, side: int, dropout: float):
        from ..runtime.blocks_v4 import LayerScale2d

        return LayerScale2d(in_channels, LAYER_SCALE_INIT)


class BatchNorm(namedtuple("BatchNorm", ())):
    """BatchNorm on its own (Mobile MQA's pre-norm): one :data:`~mnetcalc.core.layers.BATCHNORM`
    row with its scale and shift, free."""

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        c = in_channels
        yield layer_row(name, BATCHNORM, 1, 1, (c, c), (side, side), bn_params=2 * c)

    def torch_module(self, in_channels: int, side: int, dropout: float):
        from torch import nn

        return nn.BatchNorm2d(in_channels)


class MultiQueryAttention(
    namedtuple(
        "MultiQueryAttention",
        ("out_channels", "heads", "key_dim", "kv_stride", "kernel"),
        defaults=(KV_KERNEL,),
    )
):
    """Multi-query attention on a feature map, as MobileNetV4 builds it. Rows: ``query`` (1x1 to
    ``heads`` x ``key_dim``), ``key_down`` (``kernel`` x ``kernel`` depthwise, stride
    ``kv_stride``, BatchNorm; only if ``kv_stride`` > 1), ``key`` (1x1 to ``key_dim``),
    ``value_down``, ``value`` (likewise), ``qk`` and ``av`` (the two matrix products, ``heads`` x N
    x M x ``key_dim`` mult-adds each, N the map's pixels, M the keys'), ``softmax`` between them
    (free), ``output`` (1x1 to ``out_channels``). No projection has a bias or an activation.

    A map smaller than ``kv_stride`` on a side is not down-sampled by it (the output would be as
    large as the input): refused (:class:`~mnetcalc.validation.InputTooSmall`)."""

    __slots__ = ()
    uncounted_ops = ("aten::mul_", "aten::softmax")

    def projections(
        self, in_channels: int, side: int, name: str = "attention"
    ) -> Iterator[tuple[str, object, int, int]]:
        """The convolutions, in order, each as ``(part, spec, in channels, input side)``."""
        one = partial(Conv, kernel=1, batchnorm=False, activation=None)
        yield "query", one(self.heads * self.key_dim), in_channels, side
        for part in ("key", "value"):
            kv_side = side
            if self.kv_stride > 1:
                if side < self.kv_stride:
                    raise InputTooSmall(
                        f"{name}/{part}_down: a {side}x{side} map is too small for the keys' and "
                        f"values' down-sampling by {self.kv_stride}"
                    )
                down = DepthwiseConv(self.kernel, self.kv_stride, activation=None)
                yield f"{part}_down", down, in_channels, side
                kv_side = -(-side // self.kv_stride)
            yield part, one(self.key_dim), in_channels, kv_side
        yield "output", one(self.out_channels), self.heads * self.key_dim, side

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        width, kv_side = self.heads * self.key_dim, side
        for part, layer, channels, part_side in self.projections(in_channels, side, name):
            if part == "output":
                tokens, keys = side * side, kv_side * kv_side
                scores = self.heads * keys  # per query pixel
                product = (self.heads * tokens * keys * self.key_dim, 0)
                yield layer_row(f"{name}/qk", MATMUL, 1, 1, (width, scores), (side, side), product)
                yield layer_row(f"{name}/softmax", SOFTMAX, 1, 1, (scores, scores), (side, side))
                yield layer_row(f"{name}/av", MATMUL, 1, 1, (scores, width), (side, side), product)
            for row in layer.costs(f"{name}/{part}", channels, part_side):
                yield row
            if part == "key":
                kv_side = row.output_size

    def torch_module(self, in_channels: int, side: int, dropout: float):
        from ..runtime.blocks_v4 import MultiQueryAttention2d

        return MultiQueryAttention2d(self, in_channels, side, dropout)


class BlurPool(namedtuple("BlurPool", ())):
    """timm's ``BlurPool2d`` (filter 3, zero padding 1, stride 2): each channel convolved with the
    fixed binomial filter [1, 2, 1]^T [1, 2, 1] / 16. A depthwise row whose 9 mult-adds per output
    element count (fvcore counts them) and whose filter, a constant, is no parameter."""

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        c, out = in_channels, output_side(side, 3, 2, 1, name=name)
        yield layer_row(name, CONV_DW, 2, 3, (c, c), (side, out), (9 * c * out * out, 0), groups=c)

    def torch_module(self, in_channels: int, side: int, dropout: float):
        from ..runtime.blocks_v4 import BlurPool2d

        return BlurPool2d(in_channels)


__all__ = [
    "KV_KERNEL",
    "LAYER_SCALE_INIT",
    "BatchNorm",
    "BlurPool",
    "LayerScale",
    "MultiQueryAttention",
]
