"""A real PyTorch network built from the calculator's architecture data, and its preparation for
inference.

:func:`build` turns any network spec (``(name, layer_spec)`` pairs, see :mod:`mnetcalc.core.layers`)
into a ``torch.nn.Sequential`` whose child modules carry the spec's names, so that a per-layer
comparison with the calculator (:mod:`mnetcalc.runtime.counting`) or a per-layer timing
(:mod:`mnetcalc.runtime.latency`) needs no guessing. A configuration's ``model()``
(:class:`mnetcalc.networks.mobilenet_v1.MobileNetConfig` and every other network's) calls
:func:`build` on its spec, the same data the calculator costs. Each layer's module comes from
:mod:`mnetcalc.runtime.layer_modules` (which says how each spec becomes modules); :func:`build`
initialises them with :func:`init_weights`.

Only the spec is built: where a classic network has something the spec does not describe (the ReLU
and dropout between VGG's or AlexNet's fully connected layers), the module does not have it either.

For inference: :func:`fold_batchnorm` folds BatchNorm into the convolutions, :func:`optimize` makes
the fastest version this project found (folded, channels-last, traced and frozen with
:func:`frozen`, oneDNN Graph fusion), :class:`ChannelsLast` lets such a model take ordinary
tensors, and :func:`torch_threads` runs a block at a given torch thread count.

Unlike the calculator, this module imports torch at import time (``import mnetcalc`` never does).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import torch
from torch import nn

from ..validation import InvalidArgument, positive_int
from .layer_modules import ConvBNReLU, MultiOutput, TapBlock, _build_sequence

__all__ = [
    "ChannelsLast",
    "build",
    "fold_batchnorm",
    "frozen",
    "init_weights",
    "optimize",
    "torch_threads",
]


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
    :class:`~mnetcalc.runtime.layer_modules.MultiOutput` if the spec has a
    :class:`~mnetcalc.core.layers.Tap`).

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
       :func:`mnetcalc.runtime.engines.onednn_partitions` counts them). The switch is
       process-wide, so it is on only while the graph is warmed up on the example input and
       restored afterwards; the fused plan stays with the graph.

    ``optimize_for_inference`` applies torch's MKL-DNN rewrite to the frozen graph instead of
    step 4. oneDNN Graph fusion is used with channels-last only (on NCHW tensors it makes the
    frozen graph many times slower), and skipped, the frozen graph kept unfused, where it fails on
    the traced shape (1x1 feature maps, i.e. inputs of 32 pixels or less) or on the graph
    (MobileNetV4's hybrids, on their attention, torch 2.13; made to compile, they ran 1.4x to 12x
    slower fused at one thread on the book's CPU, benchmarks/README.md; the latency model costs
    them as run unfused, :func:`mnetcalc.latency_model.runs_unfused`).

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
