"""Layer specifications and their exact costs.

A network is held as *data*: a sequence of ``(name, spec)`` pairs where each spec is one of the
small frozen dataclasses below. Each spec knows how to cost itself given the channels and side of
the feature map that enters it, like one of fvcore's per-operator handles: it returns one
:class:`LayerCost` row (or several, for composite specs) and the shape of what leaves it.

Formulas (the paper's eqs. 2-7, ``Df`` the side of the *output* feature map):

* standard convolution   ``Dk * Dk * M * N * Df * Df``
* depthwise convolution  ``Dk * Dk * M * Df * Df``
* pointwise convolution  ``M * N * Df * Df``  (a standard convolution with ``Dk = 1``)
* fully connected        ``M * N``

Feature maps use "same" padding: the output side is ``ceil(input side / stride)``.
Parameters count weights only (the paper's convention); biases and BatchNorm's learnable scale and
shift are counted separately so that the three together equal ``sum(p.numel())`` of a PyTorch model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterator

#: Layer types, as reported in every row.
CONV = "conv"  # standard convolution with Dk > 1
CONV_DW = "conv_dw"  # depthwise convolution
CONV_PW = "conv_pw"  # 1x1 (pointwise) convolution
AVGPOOL = "avgpool"
MAXPOOL = "maxpool"
FC = "fc"

#: Row fields written to JSON, in order (scripts rely on these keys).
ROW_KEYS = (
    "name",
    "type",
    "stride",
    "kernel",
    "in_channels",
    "out_channels",
    "input_size",
    "output_size",
    "mult_adds",
    "params",
)


def same_padding_side(side: int, stride: int) -> int:
    """Output side of a "same"-padded layer: ``ceil(side / stride)``."""
    return -(-side // stride)


@dataclass(frozen=True)
class LayerCost:
    """One row of a cost table: what a layer is and what it costs."""

    name: str
    type: str
    stride: int
    kernel: int
    in_channels: int
    out_channels: int
    input_size: int
    output_size: int
    mult_adds: int
    params: int
    bias_params: int = 0
    bn_params: int = 0

    def to_dict(self) -> dict:
        row = asdict(self)
        return {key: row[key] for key in ROW_KEYS}


@dataclass(frozen=True)
class Conv:
    """A standard convolution (``kernel`` = 1 makes it pointwise), followed by BatchNorm unless told not."""

    out_channels: int
    kernel: int = 3
    stride: int = 1
    batchnorm: bool = True
    bias: bool = False

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        out_side = same_padding_side(side, self.stride)
        m, n, dk = in_channels, self.out_channels, self.kernel
        yield LayerCost(
            name=name,
            type=CONV_PW if dk == 1 else CONV,
            stride=self.stride,
            kernel=dk,
            in_channels=m,
            out_channels=n,
            input_size=side,
            output_size=out_side,
            mult_adds=dk * dk * m * n * out_side * out_side,
            params=dk * dk * m * n,
            bias_params=n if self.bias else 0,
            bn_params=2 * n if self.batchnorm else 0,
        )


@dataclass(frozen=True)
class DepthwiseConv:
    """A depthwise convolution: one ``kernel`` x ``kernel`` filter per input channel."""

    kernel: int = 3
    stride: int = 1
    batchnorm: bool = True

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        out_side = same_padding_side(side, self.stride)
        m, dk = in_channels, self.kernel
        yield LayerCost(
            name=name,
            type=CONV_DW,
            stride=self.stride,
            kernel=dk,
            in_channels=m,
            out_channels=m,
            input_size=side,
            output_size=out_side,
            mult_adds=dk * dk * m * out_side * out_side,
            params=dk * dk * m,
            bn_params=2 * m if self.batchnorm else 0,
        )


@dataclass(frozen=True)
class Pool:
    """Average or max pooling; ``kernel=None`` pools the whole feature map (global pooling).

    Pooling has no weights and, in the paper's convention, no mult-adds.
    """

    kind: str = AVGPOOL
    kernel: int | None = None
    stride: int | None = None

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        if self.kernel is None:  # global pooling
            kernel, stride, out_side = side, 1, 1
        else:
            kernel = self.kernel
            stride = self.stride if self.stride is not None else self.kernel
            out_side = same_padding_side(side, stride)
        yield LayerCost(
            name=name,
            type=self.kind,
            stride=stride,
            kernel=kernel,
            in_channels=in_channels,
            out_channels=in_channels,
            input_size=side,
            output_size=out_side,
            mult_adds=0,
            params=0,
        )


@dataclass(frozen=True)
class FullyConnected:
    """A fully connected layer on the flattened input (with bias, no BatchNorm)."""

    out_features: int
    bias: bool = True

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        m = in_channels * side * side
        n = self.out_features
        yield LayerCost(
            name=name,
            type=FC,
            stride=1,
            kernel=side,
            in_channels=m,
            out_channels=n,
            input_size=side,
            output_size=1,
            mult_adds=m * n,
            params=m * n,
            bias_params=n if self.bias else 0,
        )
