"""Layer specifications and their exact costs.

A network is held as *data*: a sequence of ``(name, spec)`` pairs where each spec is one of the
small immutable records below (``collections.namedtuple`` classes, which need no ``typing``
import: cheap to create, so that the command line starts fast). Each spec knows how to cost
itself given the channels and side of the feature map that enters it, like one of fvcore's
per-operator handles: it returns one :class:`LayerCost` row (or several, for composite specs)
and the shape of what leaves it.

The formulas (the paper's eqs. 2-7) live in :mod:`mnetcalc.core.formulas`; the specs here apply them
to the shapes of a walk through a network.

Feature maps use "same" padding unless a spec says otherwise: the output side is
``ceil(input side / stride)``. A spec with an explicit ``padding`` of ``p`` pixels on every side has
the output side ``floor((side + 2p - kernel) / stride) + 1`` (PyTorch's and Caffe's rule; a pool
with ``ceil_mode`` rounds up instead, and drops a last window that would start in the padding),
which is what the classic networks of :mod:`mnetcalc.networks` need (AlexNet's 11x11/4 "valid"
convolution takes 227 to 55). A grouped convolution (``groups`` > 1, AlexNet's two-GPU split)
connects each output channel to ``in_channels / groups`` input channels only.

Composite specs (:class:`Branches`, :class:`Inception`, :class:`Fire`) yield the rows of their
parts, named ``"<block>/<part>"``, then a cost-free ``concat`` row named after the block whose
``out_channels`` is the sum of the branches' channels, so that the walk of
:func:`mnetcalc.core.network.spec_costs` continues from the concatenated map. Two more close with a
cost-free row of their own: :class:`Residual` (``add``: the parts' output plus the block's input;
MobileNetV2's :class:`InvertedResidual` uses it) and :class:`Tap` (``tap``: side branches whose
outputs leave the network, such as a detector's box predictors, while the walk continues from the
tapped map unchanged).

Parameters count weights only (the paper's convention); biases and BatchNorm's learnable scale and
shift are counted separately so that the three together equal ``sum(p.numel())`` of a PyTorch model.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator

from ..validation import InputTooSmall, InvalidArgument
from .formulas import depthwise_conv_cost, fully_connected_cost, standard_conv_cost

#: Layer types, as reported in every row.
CONV = "conv"  # standard convolution with Dk > 1
CONV_DW = "conv_dw"  # depthwise convolution
CONV_PW = "conv_pw"  # 1x1 (pointwise) convolution
AVGPOOL = "avgpool"
MAXPOOL = "maxpool"
FC = "fc"
LRN = "lrn"  # local response normalisation (AlexNet, GoogLeNet): no weights, not counted
CONCAT = "concat"  # the channel concatenation that closes a composite block
ADD = "add"  # a residual connection's element-wise sum: not a multiply-add, not counted
TAP = "tap"  # the point where side branches (a detector's heads) leave the main path
SCALE = "scale"  # a feature map times a per-channel gate (squeeze-and-excite): not counted
MATMUL = "matmul"  # a product of two feature maps (attention's QK^T and AV): counted, no weights
SOFTMAX = "softmax"  # attention's normalisation of its scores: not counted
LAYER_SCALE = "layer_scale"  # a map times learned per-channel factors (layer scale): not counted
BATCHNORM = "batchnorm"  # a BatchNorm on its own, after no convolution: its 2C params, not counted

#: The activation after a convolution (and its BatchNorm): ``None`` for a linear layer.
RELU = "relu"
RELU6 = "relu6"  # min(max(x, 0), 6): TF-slim's MobileNets
HARDSWISH = "hardswish"  # x * relu6(x + 3) / 6: MobileNetV3
HARDSIGMOID = "hardsigmoid"  # relu6(x + 3) / 6: MobileNetV3's squeeze-and-excite gate
GELU = "gelu"  # x * Phi(x), the exact (erf) form: MobileNetV4-Hybrid-Large
#: An activation is data: a layer names it, and the PyTorch builder
#: (:mod:`mnetcalc.runtime.layer_modules`) makes its module from the name. None of them costs
#: anything in the paper's convention.
ACTIVATIONS = (RELU, RELU6, HARDSWISH, HARDSIGMOID, GELU, None)

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


def output_side(
    side: int,
    kernel: int,
    stride: int,
    padding: int | None = None,
    ceil_mode: bool = False,
    name: str = "layer",
) -> int:
    """Output side of a ``kernel`` x ``kernel`` window slid with ``stride`` over a map of side
    ``side``.

    ``padding=None`` is "same" padding (:func:`same_padding_side`). Otherwise ``padding`` pixels are
    added on every side and the output side is ``floor((side + 2 * padding - kernel) / stride) +
    1``, or with ``ceil_mode`` the ceiling of the quotient, less one if that last window would start
    in the right-hand padding (PyTorch's rule, which equals Caffe's for the classic networks). A map
    smaller than the padded window raises :class:`~mnetcalc.validation.InputTooSmall`.
    """
    if padding is None:
        return same_padding_side(side, stride)
    span = side + 2 * padding - kernel
    if span < 0:
        raise InputTooSmall(
            f"{name}: a {side}x{side} input is too small for a {kernel}x{kernel} window "
            f"with padding {padding}"
        )
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= side + padding:
        out -= 1
    return out


class LayerCost(
    namedtuple(
        "LayerCost",
        (*ROW_KEYS, "bias_params", "bn_params", "groups"),
        defaults=(0, 0, 1),
    )
):
    """One row of a cost table: what a layer is and what it costs."""

    __slots__ = ()

    def to_dict(self) -> dict:
        """The row as ``table --format json`` writes it (:data:`ROW_KEYS`)."""
        return {key: getattr(self, key) for key in ROW_KEYS}


def layer_row(
    name: str,
    layer_type: str,
    stride: int,
    kernel: int,
    channels: tuple[int, int],
    sides: tuple[int, int],
    cost: tuple[int, int] = (0, 0),
    *,
    bias_params: int = 0,
    bn_params: int = 0,
    groups: int = 1,
) -> LayerCost:
    """A :class:`LayerCost` from ``(in, out)`` channels, ``(input, output)`` sides and ``(mult-adds,
    weights)``, with its ``bias_params``, ``bn_params`` and ``groups``."""
    (in_channels, out_channels), (input_size, output_size), (mult_adds, params) = (
        channels,
        sides,
        cost,
    )
    return _new_row(LayerCost, (
        name, layer_type, stride, kernel, in_channels, out_channels, input_size, output_size,
        mult_adds, params, bias_params, bn_params, groups,
    ))  # fmt: skip


# every field given: the tuple is made without the namedtuple's defaults-filling constructor
_new_row = tuple.__new__


class Conv(
    namedtuple(
        "Conv",
        (
            "out_channels",
            "kernel",
            "stride",
            "batchnorm",
            "bias",
            "padding",
            "groups",
            "activation",
        ),
        defaults=(3, 1, True, False, None, 1, RELU),
    )
):
    """A standard convolution (``kernel`` = 1 makes it pointwise), followed by BatchNorm unless told
    not.

    ``padding``: pixels added on every side, ``None`` for "same" padding. ``groups``: split the
    input and output channels into that many groups, each output channel seeing ``in_channels /
    groups`` inputs. ``activation``: one of :data:`ACTIVATIONS` (no cost either way).
    """

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        out_side = output_side(side, self.kernel, self.stride, self.padding, name=name)
        g = self.groups
        if in_channels % g or self.out_channels % g:
            raise InvalidArgument(
                f"{name}: {g} groups do not divide {in_channels} input and "
                f"{self.out_channels} output channels"
            )
        m, n, dk = in_channels, self.out_channels, self.kernel
        yield layer_row(
            name,
            CONV_PW if dk == 1 else CONV,
            self.stride,
            dk,
            (m, n),
            (side, out_side),
            standard_conv_cost(dk, m, n, out_side, g),
            bias_params=n if self.bias else 0,
            bn_params=2 * n if self.batchnorm else 0,
            groups=g,
        )


class DepthwiseConv(
    namedtuple(
        "DepthwiseConv",
        ("kernel", "stride", "batchnorm", "padding", "activation"),
        defaults=(3, 1, True, None, RELU),
    )
):
    """A depthwise convolution: one ``kernel`` x ``kernel`` filter per input channel."""

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        out_side = output_side(side, self.kernel, self.stride, self.padding, name=name)
        m, dk = in_channels, self.kernel
        yield layer_row(
            name,
            CONV_DW,
            self.stride,
            dk,
            (m, m),
            (side, out_side),
            depthwise_conv_cost(dk, m, out_side),
            bn_params=2 * m if self.batchnorm else 0,
            groups=m,
        )


class Pool(
    namedtuple(
        "Pool",
        ("kind", "kernel", "stride", "padding", "ceil_mode"),
        defaults=(AVGPOOL, None, None, None, False),
    )
):
    """Average or max pooling; ``kernel=None`` pools the whole feature map (global pooling).

    Pooling has no weights and, in the paper's convention, no mult-adds. ``padding`` and
    ``ceil_mode`` as in :func:`output_side` (``padding=None``: "same").
    """

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        if self.kernel is None:  # global pooling
            kernel, stride, out_side = side, 1, 1
        else:
            kernel = self.kernel
            stride = self.stride if self.stride is not None else self.kernel
            out_side = output_side(side, kernel, stride, self.padding, self.ceil_mode, name=name)
        yield layer_row(
            name, self.kind, stride, kernel, (in_channels, in_channels), (side, out_side)
        )


class FullyConnected(namedtuple("FullyConnected", ("out_features", "bias"), defaults=(True,))):
    """A fully connected layer on the flattened input (with bias, no BatchNorm)."""

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        m = in_channels * side * side
        n = self.out_features
        yield layer_row(
            name,
            FC,
            1,
            side,
            (m, n),
            (side, 1),
            fully_connected_cost(m, n),
            bias_params=n if self.bias else 0,
        )


class LocalResponseNorm(namedtuple("LocalResponseNorm", ("size",), defaults=(5,))):
    """Local response normalisation across ``size`` neighbouring channels (AlexNet, GoogLeNet).

    It has no weights; its arithmetic (a few operations per activation) is not a multiply-add of a
    convolution or a matrix product, so the paper's convention does not count it, like pooling.
    """

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        yield LayerCost(name, LRN, 1, self.size, in_channels, in_channels, side, side, 0, 0)


#: A branch of a composite block: ``(part name, spec)`` pairs applied one after the other.
Branch = tuple[tuple[str, object], ...]


class Branches(namedtuple("Branches", ("branches",))):
    """Parallel branches on the same input, their outputs concatenated along the channels.

    Yields each branch's rows in turn (named ``"<name>/<part>"``), then one cost-free ``concat`` row
    named ``name`` with the summed channels. All branches must end at the same feature-map side.
    """

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        ends = []
        for branch in self.branches:
            channels, branch_side = in_channels, side
            for row in _chain_costs(name, branch, in_channels, side):
                yield row
                channels, branch_side = row.out_channels, row.output_size
            ends.append((channels, branch_side))
        sides = {s for _, s in ends}
        if len(sides) != 1:
            raise InvalidArgument(
                f"{name}: branches end at different sides {sorted(sides)}, cannot concatenate"
            )
        (out_side,) = sides
        total = sum(c for c, _ in ends)
        yield LayerCost(name, CONCAT, 1, 1, total, total, out_side, out_side, 0, 0)


class Inception(
    namedtuple(
        "Inception",
        (
            "n1x1",
            "n3x3_reduce",
            "n3x3",
            "n5x5_reduce",
            "n5x5",
            "pool_proj",
            "batchnorm",
            "bias",
            "large_kernel",
        ),
        defaults=(False, True, 5),
    )
):
    """GoogLeNet's Inception module (Szegedy et al. 2014, Table 1's columns), as four
    :class:`Branches`:

    ``1x1``; ``3x3_reduce`` -> ``3x3``; ``5x5_reduce`` -> ``5x5``; ``pool`` (3x3 max pool, stride 1)
    -> ``pool_proj``. Every convolution keeps the side (padding ``kernel // 2``). ``large_kernel``
    is the side of the "5x5" branch's filters: 5 in the paper, 3 in TF-slim's and torchvision's
    Inception v1.
    """

    __slots__ = ()

    def branches(self) -> Branches:
        def conv(channels: int, kernel: int) -> Conv:
            return Conv(channels, kernel, 1, self.batchnorm, self.bias, padding=kernel // 2)

        return Branches(
            (
                (("1x1", conv(self.n1x1, 1)),),
                (("3x3_reduce", conv(self.n3x3_reduce, 1)), ("3x3", conv(self.n3x3, 3))),
                (
                    ("5x5_reduce", conv(self.n5x5_reduce, 1)),
                    ("5x5", conv(self.n5x5, self.large_kernel)),
                ),
                (("pool", Pool(MAXPOOL, 3, 1, padding=1)), ("pool_proj", conv(self.pool_proj, 1))),
            )
        )

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return self.branches().costs(name, in_channels, side)


class Fire(
    namedtuple(
        "Fire", ("squeeze", "expand1x1", "expand3x3", "batchnorm", "bias"), defaults=(False, True)
    )
):
    """SqueezeNet's fire module (Iandola et al. 2016): a 1x1 ``squeeze1x1`` convolution, then
    :class:`Branches` ``expand1x1`` (1x1) and ``expand3x3`` (3x3, padding 1), concatenated."""

    __slots__ = ()

    def squeeze_conv(self) -> Conv:
        return Conv(self.squeeze, 1, 1, self.batchnorm, self.bias, padding=0)

    def expand(self) -> Branches:
        return Branches(
            (
                (("expand1x1", Conv(self.expand1x1, 1, 1, self.batchnorm, self.bias, padding=0)),),
                (("expand3x3", Conv(self.expand3x3, 3, 1, self.batchnorm, self.bias, padding=1)),),
            )
        )

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        (squeeze,) = self.squeeze_conv().costs(f"{name}/squeeze1x1", in_channels, side)
        yield squeeze
        yield from self.expand().costs(name, squeeze.out_channels, squeeze.output_size)


def _chain_costs(name: str, parts: Branch, in_channels: int, side: int) -> Iterator[LayerCost]:
    """The rows of ``parts`` applied one after the other, each named ``"<name>/<part>"``."""
    channels = in_channels
    for part, layer in parts:
        for row in layer.costs(f"{name}/{part}", channels, side):
            yield row
        channels, side = row.out_channels, row.output_size


class Residual(namedtuple("Residual", ("parts",))):
    """A chain of parts whose output is added to the block's input (He et al. 2016's shortcut).

    Yields the parts' rows (``"<name>/<part>"``), then one ``add`` row named ``name``. The sum is
    not a multiply-add of a convolution or a matrix product, so the paper's convention gives it no
    cost. The parts must keep the channels and the side."""

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        end = (in_channels, side)
        for row in _chain_costs(name, self.parts, in_channels, side):
            yield row
            end = (row.out_channels, row.output_size)
        if end != (in_channels, side):
            raise InvalidArgument(
                f"{name}: a residual block must keep its input's shape {side}x{side}x"
                f"{in_channels}; its parts end at {end[1]}x{end[1]}x{end[0]}"
            )
        yield LayerCost(name, ADD, 1, 1, in_channels, in_channels, side, side, 0, 0)


class Chain(namedtuple("Chain", ("parts",))):
    """A chain of ``(name, layer)`` parts applied in turn, as one layer of a spec: yields the parts'
    rows (``"<name>/<part>"``) and no row of its own. With :class:`Residual` (the same chain with a
    shortcut), the building block of a composite layer type's :meth:`block`."""

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return _chain_costs(name, self.parts, in_channels, side)


class InvertedResidual(
    namedtuple(
        "InvertedResidual", ("out_channels", "stride", "expansion", "kernel"), defaults=(1, 6, 3)
    )
):
    """MobileNetV2's bottleneck block (Sandler et al. 2018, Table 1): ``expand`` (1x1 to
    ``expansion`` x the input's channels, BatchNorm, ReLU6; left out when ``expansion`` is 1),
    ``dw`` (3x3 depthwise carrying the ``stride``, BatchNorm, ReLU6), ``project`` (1x1 to
    ``out_channels``, BatchNorm, *no* activation: the linear bottleneck). With stride 1 and as many
    output as input channels, it is a :class:`Residual` (rows ``<name>/...`` then ``<name>``'s
    ``add``); otherwise the three rows alone."""

    __slots__ = ()

    def parts(self, in_channels: int) -> Branch:
        expand = (
            (("expand", Conv(in_channels * self.expansion, 1, activation=RELU6)),)
            if self.expansion != 1
            else ()
        )
        return (
            *expand,
            ("dw", DepthwiseConv(self.kernel, self.stride, activation=RELU6)),
            ("project", Conv(self.out_channels, 1, activation=None)),
        )

    def residual(self, in_channels: int) -> bool:
        return self.stride == 1 and in_channels == self.out_channels

    def block(self, in_channels: int) -> Residual | Chain:
        """The block as the generic layers it is made of (what is costed and built)."""
        parts = self.parts(in_channels)
        return Residual(parts) if self.residual(in_channels) else Chain(parts)

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return self.block(in_channels).costs(name, in_channels, side)


class Tap(namedtuple("Tap", ("branches",))):
    """Side branches on the feature map at this point of a network, whose outputs are outputs of
    the network (a detector's box and class predictors), while the main path goes on from the same
    map.

    Yields each branch's rows (``"<name>/<part>"``), then one cost-free ``tap`` row named ``name``
    that leaves the map as it found it, so that the walk continues from the tapped layer's output.
    """

    __slots__ = ()

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        for branch in self.branches:
            yield from _chain_costs(name, branch, in_channels, side)
        yield LayerCost(name, TAP, 1, 1, in_channels, in_channels, side, side, 0, 0)
