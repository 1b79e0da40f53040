"""A real PyTorch network built from the calculator's architecture data.

:func:`build` turns any network spec (``(name, layer_spec)`` pairs, see :mod:`mnetcalc.core.layers`)
into a ``torch.nn.Sequential`` whose child modules carry the spec's names, so that a per-layer
comparison with the calculator (:mod:`mnetcalc.runtime.counting`) or a per-layer timing
(:mod:`mnetcalc.runtime.latency`) needs no guessing. A configuration's ``model()``
(:class:`mnetcalc.networks.mobilenet_v1.MobileNetConfig` and every other network's) calls
:func:`build` on its spec, the same data the calculator costs.

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

Only the spec is built: where a classic network has something the spec does not describe (the ReLU
and dropout between VGG's or AlexNet's fully connected layers), the module does not have it either.

Unlike the calculator, this module imports torch at import time (``import mnetcalc`` never does).
"""

from __future__ import annotations

import copy
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import contextmanager

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
from ..validation import InvalidArgument, positive_int

__all__ = [
    "ACTIVATION_MODULES",
    "activation_module",
    "activation_name",
    "layer_module",
    "Block",
    "MultiOutput",
    "ResidualBlock",
    "TapBlock",
    "ChannelsLast",
    "Classifier",
    "Conv2d",
    "ConvBNReLU",
    "MODULE_BUILDERS",
    "build",
    "fold_batchnorm",
    "frozen",
    "init_weights",
    "optimize",
    "torch_threads",
]


class Conv2d(nn.Conv2d):
    """``nn.Conv2d`` that zero-pads the input itself when the feature map is smaller than the
    kernel. :func:`build` uses it only for such layers (``ConvBNReLU(..., side=...)``); every other
    convolution is a plain ``nn.Conv2d``, which counters that match modules by their exact type
    (ptflops' default backend, thop) count.

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
#: needs no entry here: :func:`build` calls its own ``torch_module(in_channels, side, dropout)``
#: (which imports torch inside it), or, for a composite type, builds what its
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


def init_weights(model: nn.Module) -> nn.Module:
    """He initialisation (fan-in) for convolutions, unit BatchNorm, small normal for linear layers.

    Fan-in keeps the activations' scale from layer to layer even before training (BatchNorm is the
    identity until it has seen data): a depthwise filter has fan-in ``k * k``, whereas its fan-out
    as torch computes it (``channels * k * k``, ignoring groups) would shrink the activations by
    about ``sqrt(channels)`` per block, down to denormal floats that make a CPU many times slower.
    """
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0.0, 0.01)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model


def build(
    spec: Sequence[tuple[str, object]],
    *,
    in_channels: int = 3,
    resolution: int = 224,
    dropout: float = 0.0,
    channels_last: bool = True,
) -> nn.Sequential:
    """A ``nn.Sequential`` with one child per spec entry, named as in the spec (a
    :class:`MultiOutput` if the spec has a :class:`~mnetcalc.core.layers.Tap`).

    Shapes are followed with the specs' own ``costs`` (the calculator's walk), from an
    ``in_channels`` x ``resolution`` x ``resolution`` input. ``resolution`` matters only where a
    layer's size depends on it (a fully connected layer without global pooling before it, as in VGG
    or AlexNet); MobileNet works at any resolution.

    ``channels_last``: the convolution weights are stored NHWC, so the convolutions compute and
    return channels-last feature maps whatever the input's layout (oneDNN's CPU kernels prefer it;
    ``benchmarks/README.md`` has the measurements)."""
    in_channels = positive_int("in_channels", in_channels)
    side = positive_int("resolution", resolution)
    dropout = float(dropout)
    if not 0.0 <= dropout < 1.0:
        raise InvalidArgument(f"dropout must be in [0, 1), got {dropout!r}", "dropout")
    modules, _, _ = _build_sequence(spec, in_channels, side, dropout)
    taps = any(isinstance(module, TapBlock) for module in modules.values())
    model = init_weights((MultiOutput if taps else nn.Sequential)(modules))
    return model.to(memory_format=torch.channels_last) if channels_last else model


def _is_conv_bn(module: nn.Module) -> bool:
    return isinstance(module, ConvBNReLU) and isinstance(module._modules.get("bn"), nn.BatchNorm2d)


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` with every ``ConvBNReLU``'s BatchNorm folded into its
    convolution.

    Uses torch's own folding (``torch.nn.utils.fusion.fuse_conv_bn_eval``); the folded convolution
    keeps its name, and the layer's ``bn`` becomes an ``nn.Identity``.
    """
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    folded = copy.deepcopy(model).eval()
    for layer in folded.modules():
        if _is_conv_bn(layer):
            layer.conv = fuse_conv_bn_eval(layer.conv, layer.bn)
            layer.bn = nn.Identity()
    return folded


def optimize(
    model: nn.Module,
    resolution: int = 224,
    *,
    in_channels: int | None = None,
    threads: int | None = None,
    channels_last: bool = True,
    freeze: bool = True,
    onednn_fusion: bool = True,
    optimize_for_inference: bool = False,
) -> nn.Module:
    """An inference-only version of ``model``, as fast as this project found a CPU can run it.

    Steps (each one measured to help, ``benchmarks/README.md``):

    1. BatchNorm folded into the convolutions (:func:`fold_batchnorm`);
    2. ``channels_last``: NHWC memory format, which oneDNN's depthwise and 1x1 kernels prefer;
    3. ``freeze``: a TorchScript graph traced on a 1 x ``in_channels`` x ``resolution`` x
       ``resolution`` input and frozen (weights become constants; no Python in the forward pass);
    4. ``onednn_fusion`` (with 2 and 3): the frozen graph is specialised with oneDNN Graph fusion
       switched on (``torch.jit.enable_onednn_fusion``), which runs each conv + bias + ReLU fused,
       and each pointwise conv together with the depthwise conv after it, as one oneDNN Graph
       partition (16 for MobileNet v1's 28 layers with weights;
       :func:`mnetcalc.engines.onednn_partitions` counts them). The switch is process-wide, so it
       is on only while the graph is warmed up on the example input and restored afterwards; the
       fused plan stays with the graph.

    ``optimize_for_inference`` applies torch's MKL-DNN rewrite to the frozen graph instead of step
    4. oneDNN Graph fusion is used with channels-last only (on NCHW tensors it makes the frozen
       graph many times slower), and skipped where it fails on the traced shape (1x1 feature maps,
       i.e. inputs of 32 pixels or less).

    The result takes ordinary tensors of shape ``(batch, in_channels, H, W)`` and returns the eager
    model's output within float rounding; other shapes than the traced one work (MobileNet pools
    globally) but run the graph's unfused fallback.

    ``threads``: the fused oneDNN kernels keep the torch thread count in effect while they are built
    (a later ``torch.set_num_threads`` does not change them), so build with the count you will run
    with; default: the current ``torch.get_num_threads()``."""
    resolution = positive_int("resolution", resolution)
    if threads is not None:
        with torch_threads(positive_int("threads", threads)):
            return optimize(
                model,
                resolution,
                in_channels=in_channels,
                channels_last=channels_last,
                freeze=freeze,
                onednn_fusion=onednn_fusion,
                optimize_for_inference=optimize_for_inference,
            )
    fast = fold_batchnorm(model)
    if channels_last:
        fast = ChannelsLast(fast.to(memory_format=torch.channels_last)).eval()
    if not (freeze or optimize_for_inference):
        return fast
    if in_channels is None:
        in_channels = next(m for m in fast.modules() if isinstance(m, nn.Conv2d)).in_channels
    example = torch.zeros(1, in_channels, resolution, resolution)
    # oneDNN Graph fusion: much slower on NCHW tensors, and it crashes on an MKL-DNN-rewritten graph
    fuse = onednn_fusion and channels_last and not optimize_for_inference
    return frozen(fast, example, optimize_for_inference, onednn_fusion=fuse)


def frozen(
    module: nn.Module,
    example: torch.Tensor,
    optimize_for_inference: bool = False,
    onednn_fusion: bool = False,
    warm_up: bool = False,
) -> torch.jit.ScriptModule:
    """``module`` (in eval mode) traced on ``example`` and frozen: weights become constants, so the
    JIT can fold and fuse around them. ``optimize_for_inference`` adds torch's MKL-DNN rewrite;
    ``onednn_fusion`` warms the graph up on ``example`` with oneDNN Graph fusion on, so that its
    optimised plan uses it; ``warm_up`` warms it up without (the profiling runs happen here, not
    in the first timed call)."""
    with torch.no_grad(), warnings.catch_warnings():
        # torch 2.13 deprecates TorchScript (it still works); tracing a quantized graph warns too
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        graph = torch.jit.freeze(torch.jit.trace(module.eval(), example))
        if optimize_for_inference:
            graph = torch.jit.optimize_for_inference(graph)
        if onednn_fusion:
            try:
                _warm_up(graph, example, fusion=True)
            except RuntimeError:
                # oneDNN Graph cannot reorder some shapes (seen: feature maps of 1x1, i.e. inputs of
                # 32 pixels or less); fall back to a fresh frozen graph without fusion.
                return frozen(module, example, optimize_for_inference, warm_up=warm_up)
        elif warm_up:
            _warm_up(graph, example, fusion=False)
        return graph


def _warm_up(graph: torch.jit.ScriptModule, example: torch.Tensor, *, fusion: bool) -> None:
    """Three runs (profiling, then the optimised plan) with oneDNN Graph fusion on or off."""
    previous = torch.jit.onednn_fusion_enabled()
    torch.jit.enable_onednn_fusion(fusion)
    try:
        for _ in range(3):
            graph(example)
    finally:
        torch.jit.enable_onednn_fusion(previous)


@contextmanager
def torch_threads(threads: int | None):
    """Run a block with ``torch.set_num_threads(threads)`` (None: leave the count as it is), then
    restore the previous count."""
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class ChannelsLast(nn.Module):
    """Runs ``body`` on a channels-last copy of the input, so callers can pass ordinary tensors;
    with a ``dtype`` (``torch.bfloat16``), the input is cast to it and the output back to float32,
    so that a reduced-precision body takes and returns float32 tensors like the others."""

    def __init__(self, body: nn.Module, dtype: torch.dtype | None = None):
        super().__init__()
        self.body = body
        self.dtype = dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous(memory_format=torch.channels_last)
        if self.dtype is None:
            return self.body(x)
        return self.body(x.to(self.dtype)).float()
