"""The PyTorch module of each layer of a network spec: what :func:`mnetcalc.runtime.model.build`
assembles into a network, one child per spec entry.

How each spec becomes modules (:data:`MODULE_BUILDERS`):

* ``Conv``            -> ``Conv2d`` (bias, groups, padding as the spec says) -> ``BatchNorm2d`` (if
  the spec has it) -> the spec's ``activation`` by name (:data:`ACTIVATION_MODULES`: ``ReLU``,
  ``ReLU6``, ``Hardswish``, ``Hardsigmoid``, ``GELU``, or nothing)
* ``DepthwiseConv``   -> the same, with ``groups = in_channels``
* ``Pool``            -> ``AdaptiveAvgPool2d(1)`` (or max) for global pooling, else a windowed pool
* ``FullyConnected``  -> flatten -> dropout (if any) -> ``Linear``
* ``LocalResponseNorm`` -> ``nn.LocalResponseNorm``
* ``Branches``, ``Inception``, ``Fire`` -> a :class:`Block` whose parts are registered under their
  own names, so that the calculator's row ``"inception3a/3x3"`` is the module ``inception3a.3x3``.
* ``Residual`` -> a :class:`ResidualBlock` (its parts' output plus its input), ``Chain`` -> a plain
  :class:`Block`; a composite type such as ``InvertedResidual`` is built from its ``block()``
* ``Tap``             -> a :class:`TapBlock`, whose side outputs the network returns: a spec with
  taps is built as a :class:`MultiOutput` network, which returns the tuple of all side outputs
  in order (a detector's box and class maps), not its last map.
* a layer type defined outside :mod:`mnetcalc.core.layers` (a network module's own) builds itself:
  its ``torch_module(in_channels, side, dropout)`` (torch imported inside it), or, if it is a
  composite, its ``block(in_channels)`` (see :func:`layer_module`).

"Same" padding (``padding=None``) is ``kernel // 2`` on every side, which for odd kernels gives the
calculator's output side ``ceil(side / stride)`` at every input size; explicit padding and ceil-mode
pooling follow PyTorch's rule, which is the calculator's.

Unlike the calculator, this module imports torch at import time (``import mnetcalc`` never does).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..core.layers import (
    ACTIVATIONS,
    AVGPOOL,
    GELU,
    HARDSIGMOID,
    HARDSWISH,
    MAXPOOL,
    RELU,
    RELU6,
    Branches,
    Chain,
    Conv,
    DepthwiseConv,
    Fire,
    FullyConnected,
    Inception,
    LocalResponseNorm,
    Pool,
    Residual,
    Tap,
)
from ..validation import InvalidArgument

__all__ = [
    "ACTIVATION_MODULES",
    "activation_module",
    "activation_name",
    "layer_module",
    "Block",
    "MultiOutput",
    "ResidualBlock",
    "TapBlock",
    "Classifier",
    "Conv2d",
    "ConvBNReLU",
    "MODULE_BUILDERS",
]


class Conv2d(nn.Conv2d):
    """``nn.Conv2d`` that zero-pads the input itself when the feature map is smaller than the
    kernel. :func:`~mnetcalc.runtime.model.build` uses it only for such layers
    (``ConvBNReLU(..., side=...)``); every other convolution is a plain ``nn.Conv2d``, which
    counters that match modules by their exact type (ptflops' default backend, thop) count.

    The result is the same. The reason is speed: for a map smaller than the kernel (the 3x3
    depthwise layer on the 2x2 maps of a 28-pixel MobileNet with a stride-1 stem), torch's CPU
    convolution computes the weight gradient many times slower when it pads itself
    (``benchmarks/README.md``). The forward pass has no such problem, so a traced graph
    (``optimize``, fvcore's count) keeps the ordinary padded convolution: a trace would otherwise
    freeze this shape test, with a warning.
    """

    def _conv_forward(
        self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None
    ) -> torch.Tensor:
        pad_h, pad_w = self.padding
        if (
            (pad_h or pad_w)
            and self.padding_mode == "zeros"
            and not torch.jit.is_tracing()
            and (x.shape[-2] < self.kernel_size[0] or x.shape[-1] < self.kernel_size[1])
        ):
            x = F.pad(x, (pad_w, pad_w, pad_h, pad_h))
            return F.conv2d(x, weight, bias, self.stride, 0, self.dilation, self.groups)
        return super()._conv_forward(x, weight, bias)


#: The PyTorch module of each activation a layer may name
#: (:data:`mnetcalc.core.layers.ACTIVATIONS`).
ACTIVATION_MODULES = {
    RELU: nn.ReLU,
    RELU6: nn.ReLU6,
    HARDSWISH: nn.Hardswish,
    HARDSIGMOID: nn.Hardsigmoid,
    GELU: lambda inplace: nn.GELU(),  # computes out of place
}


def activation_module(activation: str) -> nn.Module:
    """The module of an activation named in a spec (``"relu6"`` -> ``nn.ReLU6(inplace=True)``)."""
    module = ACTIVATION_MODULES.get(activation)
    if module is None:
        allowed = ", ".join(map(str, ACTIVATIONS))
        raise InvalidArgument(
            f"activation must be one of {allowed}; got {activation!r}", "activation"
        )
    return module(inplace=True)


def activation_name(activation: str) -> str:
    """The child module's name of an activation: ``relu`` for ReLU and ReLU6 (the names the trained
    weights and the per-layer timings have always used), ``act`` for the others."""
    return "relu" if activation in (RELU, RELU6) else "act"


class ConvBNReLU(nn.Sequential):
    """One convolution layer of the spec: ``conv`` -> ``bn`` (optional) -> its activation
    (``relu``, or ``act`` for hard-swish and hard-sigmoid; none for a linear layer).

    ``conv`` is a plain ``nn.Conv2d``, or mnetcalc's :class:`Conv2d` where the input ``side`` (if
    given) is smaller than a padded kernel, the one case where that subclass trains faster. The
    weights' names and shapes are the same either way."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int,
        stride: int,
        *,
        groups: int = 1,
        batchnorm: bool = True,
        bias: bool = False,
        padding: int | None = None,
        activation: str | None = RELU,
        side: int | None = None,
    ):
        if padding is None:  # "same"
            if kernel % 2 == 0:
                raise InvalidArgument(
                    f"kernel must be odd for 'same' padding, got {kernel}", "kernel"
                )
            padding = kernel // 2
        tiny = side is not None and padding > 0 and side < kernel
        conv = (Conv2d if tiny else nn.Conv2d)(
            in_channels, out_channels, kernel, stride, padding=padding, groups=groups, bias=bias
        )
        layers = {"conv": conv}
        if batchnorm:
            layers["bn"] = nn.BatchNorm2d(out_channels)
        if activation is not None:
            layers[activation_name(activation)] = activation_module(activation)
        super().__init__(OrderedDict(layers))


class Classifier(nn.Sequential):
    """The fully connected layer: ``flatten`` -> ``dropout`` (if ``p`` > 0) -> ``linear``."""

    def __init__(
        self, in_features: int, out_features: int, *, bias: bool = True, dropout: float = 0.0
    ):
        layers = {"flatten": nn.Flatten(1)}
        if dropout > 0:
            layers["dropout"] = nn.Dropout(dropout)
        layers["linear"] = nn.Linear(in_features, out_features, bias=bias)
        super().__init__(OrderedDict(layers))


class Block(nn.Module):
    """A composite layer: stages run one after the other; a stage is one or more branches (chains of
    parts) on the same input, whose outputs are concatenated along the channels.

    Parts are registered flat under their spec names (unique within the block), so the calculator's
    row ``"<block>/<part>"`` is the module ``<block>.<part>``."""

    def __init__(self, stages, in_channels: int, side: int, dropout: float):
        super().__init__()
        self.stages: list[list[list[str]]] = []
        for stage in stages:
            names, ends = [], []
            for branch in stage:
                modules, channels, end_side = _build_sequence(branch, in_channels, side, dropout)
                for name, module in modules.items():
                    if isinstance(module, TapBlock):  # its side outputs would have nowhere to go
                        raise InvalidArgument(
                            f"tap {name!r} inside a block: taps belong at a spec's top level",
                            "spec",
                        )
                    if name in self._modules:
                        raise InvalidArgument(f"part name {name!r} used twice in one block", "spec")
                    self.add_module(name, module)
                names.append(list(modules))
                ends.append((channels, end_side))
            self.stages.append(names)
            in_channels, side = sum(c for c, _ in ends), ends[0][1]

    def branch_outputs(self, stage: list[list[str]], x: torch.Tensor) -> list[torch.Tensor]:
        """The output of each branch of ``stage`` on the input ``x``."""
        outputs = []
        for branch in stage:
            y = x
            for name in branch:
                y = self._modules[name](y)
            outputs.append(y)
        return outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            outputs = self.branch_outputs(stage, x)
            x = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=1)
        return x


class ResidualBlock(Block):
    """A :class:`Block` of one chain whose output is added to the block's input."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + super().forward(x)


class TapBlock(Block):
    """Side branches on the input: returns the input unchanged and the branches' outputs."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        return x, self.branch_outputs(self.stages[0], x)


class MultiOutput(nn.Sequential):
    """A network with side outputs (:class:`TapBlock` children): runs its children in turn and
    returns the tuple of the taps' outputs, in order."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        outputs: list[torch.Tensor] = []
        for module in self:
            if isinstance(module, TapBlock):
                x, side = module(x)
                outputs.extend(side)
            else:
                x = module(x)
        return tuple(outputs)


def _conv(layer: Conv, in_channels: int, side: int, dropout: float) -> nn.Module:
    return ConvBNReLU(
        in_channels,
        layer.out_channels,
        layer.kernel,
        layer.stride,
        groups=layer.groups,
        batchnorm=layer.batchnorm,
        bias=layer.bias,
        padding=layer.padding,
        activation=layer.activation,
        side=side,
    )


def _depthwise(layer: DepthwiseConv, in_channels: int, side: int, dropout: float) -> nn.Module:
    return ConvBNReLU(
        in_channels,
        in_channels,
        layer.kernel,
        layer.stride,
        groups=in_channels,
        batchnorm=layer.batchnorm,
        padding=layer.padding,
        activation=layer.activation,
        side=side,
    )


def _pool(layer: Pool, in_channels: int, side: int, dropout: float) -> nn.Module:
    if layer.kind not in (AVGPOOL, MAXPOOL):
        raise InvalidArgument(
            f"pool kind must be {AVGPOOL} or {MAXPOOL}, got {layer.kind!r}", "kind"
        )
    if layer.kernel is None:  # global pooling, at any input size
        return nn.AdaptiveAvgPool2d(1) if layer.kind == AVGPOOL else nn.AdaptiveMaxPool2d(1)
    kernel = layer.kernel
    stride = layer.stride if layer.stride is not None else kernel
    if layer.padding is not None:
        padding, ceil_mode = layer.padding, layer.ceil_mode
    elif (
        kernel == stride
    ):  # "same", non-overlapping windows: ceil_mode keeps the partial last window
        padding, ceil_mode = 0, True
    elif kernel % 2 == 1:
        padding, ceil_mode = kernel // 2, False
    else:
        raise InvalidArgument(
            f"pool kernel must be odd or equal to its stride, got {kernel}", "kernel"
        )
    if layer.kind == AVGPOOL:
        return nn.AvgPool2d(kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=False)
    return nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceil_mode)


def _fully_connected(
    layer: FullyConnected, in_channels: int, side: int, dropout: float
) -> nn.Module:
    return Classifier(
        in_channels * side * side, layer.out_features, bias=layer.bias, dropout=dropout
    )


def _lrn(layer: LocalResponseNorm, in_channels: int, side: int, dropout: float) -> nn.Module:
    return nn.LocalResponseNorm(layer.size)


def _branches(layer: Branches, in_channels: int, side: int, dropout: float) -> nn.Module:
    return Block([layer.branches], in_channels, side, dropout)


def _inception(layer: Inception, in_channels: int, side: int, dropout: float) -> nn.Module:
    return _branches(layer.branches(), in_channels, side, dropout)


def _fire(layer: Fire, in_channels: int, side: int, dropout: float) -> nn.Module:
    squeeze = ((("squeeze1x1", layer.squeeze_conv()),),)
    return Block([squeeze, layer.expand().branches], in_channels, side, dropout)


def _residual(layer: Residual, in_channels: int, side: int, dropout: float) -> nn.Module:
    return ResidualBlock([(layer.parts,)], in_channels, side, dropout)


def _tap(layer: Tap, in_channels: int, side: int, dropout: float) -> nn.Module:
    return TapBlock([layer.branches], in_channels, side, dropout)


#: Spec class -> function ``(spec, in_channels, input side, dropout) -> nn.Module``, for the layer
#: types of :mod:`mnetcalc.core.layers`. A layer type defined elsewhere (in a network's module)
#: needs no entry here: :func:`~mnetcalc.runtime.model.build` calls its own
#: ``torch_module(in_channels, side, dropout)`` (which imports torch inside it), or, for a
#: composite type, builds what its
#: ``block(in_channels)`` returns (a :class:`~mnetcalc.core.layers.Residual` or
#: :class:`~mnetcalc.core.layers.Chain` of parts).
MODULE_BUILDERS = {
    Conv: _conv,
    DepthwiseConv: _depthwise,
    Pool: _pool,
    FullyConnected: _fully_connected,
    LocalResponseNorm: _lrn,
    Branches: _branches,
    Inception: _inception,
    Fire: _fire,
    Residual: _residual,
    Chain: lambda layer, channels, side, dropout: Block([(layer.parts,)], channels, side, dropout),
    Tap: _tap,
}


def layer_module(name: str, layer, channels: int, side: int, dropout: float) -> nn.Module:
    """The PyTorch module of one layer of a spec (see :data:`MODULE_BUILDERS`)."""
    builder = MODULE_BUILDERS.get(type(layer))
    if builder is not None:
        return builder(layer, channels, side, dropout)
    if hasattr(layer, "torch_module"):
        module = layer.torch_module(channels, side, dropout)
        # what the type declares free of cost, for fvcore
        # (mnetcalc.runtime.counting.model_uncounted_ops)
        module.uncounted_ops = tuple(getattr(layer, "uncounted_ops", ()))
        return module
    if hasattr(layer, "block"):
        return layer_module(name, layer.block(channels), channels, side, dropout)
    raise InvalidArgument(
        f"no module builder for layer {name!r} of type {type(layer).__name__}", "spec"
    )


def _build_sequence(spec: Sequence[tuple[str, object]], channels: int, side: int, dropout: float):
    """Modules for ``(name, layer)`` pairs applied in turn, and the channels and side that leave
    them (followed with the specs' own ``costs``, i.e. the calculator's walk)."""
    modules: dict[str, nn.Module] = OrderedDict()
    for name, layer in spec:
        modules[name] = layer_module(name, layer, channels, side, dropout)
        *_, last = layer.costs(name, channels, side)
        channels, side = last.out_channels, last.output_size
    return modules, channels, side
