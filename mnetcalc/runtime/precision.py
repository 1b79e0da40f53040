"""The precision ladder beside :func:`~mnetcalc.runtime.model.optimize`: the same network in
bfloat16 and in
int8, with PyTorch's own machinery.

- :func:`bfloat16`: BatchNorm folded, channels-last, weights and activations in bfloat16 (oneDNN's
  bf16 kernels; fast only where the CPU has bf16 instructions: AVX-512 bf16 or AMX), traced and
  frozen with oneDNN Graph fusion like ``optimize()``; takes and returns float32 tensors.
- :func:`int8`: post-training static quantization with the FX graph-mode flow of
  ``torch.ao.quantization`` for the x86 backend: BatchNorm folded, conv + ReLU fused, activations
  quantized per tensor (histogram observer), weights per output channel, calibrated on sample
  inputs (training images), then traced and frozen. ``depthwise_per_channel=False`` quantizes the
  depthwise filters per tensor instead (one scale for all channels of a layer), the setting that
  MobileNet v1 is known to lose accuracy under.

Imports torch at import time.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import torch
from torch import nn

from ..validation import positive_int
from .model import ChannelsLast, fold_batchnorm, frozen, torch_threads

#: The ladder's rungs, from the widest format to the narrowest.
PRECISIONS = ("float32", "bfloat16", "int8", "int8_per_tensor_dw")


def bfloat16_supported() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (oneDNN's ISA check: AVX-512 bf16 or AMX)."""
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def bfloat16(
    model: nn.Module, resolution: int, *, threads: int, in_channels: int | None = None
) -> nn.Module:
    """``model`` (BatchNorm folded, channels-last) computing in bfloat16, traced and frozen on a
    1 x ``in_channels`` x ``resolution`` x ``resolution`` input with oneDNN Graph fusion (conv +
    ReLU fused in bf16), built at ``threads`` threads. Eager bf16 and a frozen graph without the
    fusion were both many times slower than float32 (``benchmarks/README.md``)."""
    resolution, threads = positive_int("resolution", resolution), positive_int("threads", threads)
    body = fold_batchnorm(model).to(memory_format=torch.channels_last).to(torch.bfloat16)
    if in_channels is None:
        in_channels = next(m for m in body.modules() if isinstance(m, nn.Conv2d)).in_channels
    example = torch.zeros(1, in_channels, resolution, resolution)
    with torch_threads(threads):
        return frozen(ChannelsLast(body, torch.bfloat16).eval(), example, onednn_fusion=True)


def _is_depthwise(module: nn.Module) -> bool:
    return isinstance(module, nn.Conv2d) and 1 < module.groups == module.in_channels


def plain_convolutions(model: nn.Module) -> nn.Module:
    """A copy of ``model`` whose convolutions are plain ``nn.Conv2d`` (mnetcalc's own subclass pads
    tiny inputs itself, which FX cannot trace), with the same weights, and without the
    ``nn.Identity`` that :func:`~mnetcalc.runtime.model.fold_batchnorm` leaves between a
    convolution and
    its ReLU (so that FX fuses the pair into one quantized conv + ReLU)."""
    model = copy.deepcopy(model)
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Identity) and isinstance(parent, nn.Sequential):
                del parent._modules[name]
                continue
            if isinstance(child, nn.Conv2d) and type(child) is not nn.Conv2d:
                plain = nn.Conv2d(
                    child.in_channels,
                    child.out_channels,
                    child.kernel_size,
                    child.stride,
                    child.padding,
                    child.dilation,
                    child.groups,
                    child.bias is not None,
                    child.padding_mode,
                )
                plain.load_state_dict(child.state_dict())
                setattr(parent, name, plain)
    return model


#: The largest magnitude of a symmetric int8 weight: a weight is scale x one of -127..127.
INT8_LEVELS = 127


@dataclass(frozen=True)
class DepthwiseRange:
    """One depthwise layer's weights as int8 quantization sees them (after BatchNorm folding):
    ``ranges`` holds each channel's largest |weight|."""

    layer: str
    ranges: tuple[float, ...]

    @property
    def spread(self) -> float:
        """Largest channel range over the smallest (inf if a channel is all zeros)."""
        smallest = min(self.ranges)
        return max(self.ranges) / smallest if smallest > 0 else float("inf")

    def levels(self) -> tuple[float, ...]:
        """Each channel's largest |weight| in steps of one per-tensor scale, the scale that maps
        the layer's largest |weight| to :data:`INT8_LEVELS`: how many of the 127 positive levels
        the channel's weights can use. Per-channel scales give every channel all 127."""
        top = max(self.ranges)
        return tuple(INT8_LEVELS * r / top if top > 0 else 0.0 for r in self.ranges)


def depthwise_ranges(model: nn.Module) -> list[DepthwiseRange]:
    """Every depthwise convolution of ``model`` with BatchNorm folded in (as :func:`int8`
    quantizes it), in order, with its channels' weight ranges."""
    rows = []
    for name, module in fold_batchnorm(model).named_modules():
        if _is_depthwise(module):
            ranges = module.weight.detach().abs().flatten(1).amax(dim=1)
            rows.append(DepthwiseRange(name, tuple(float(r) for r in ranges)))
    return rows


def int8_module(
    model: nn.Module,
    calibration: torch.Tensor,
    *,
    depthwise_per_channel: bool = True,
    batch_size: int = 500,
) -> nn.Module:
    """``model`` quantized to int8 (x86 backend, FX graph mode, static), calibrated on the float32
    inputs ``calibration`` (N x C x H x W, in batches of ``batch_size``): the converted FX module,
    whose quantized layers show their weights' scales. Takes and returns float32 tensors."""
    from torch.ao.quantization import QConfig, get_default_qconfig_mapping
    from torch.ao.quantization.observer import default_weight_observer
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    torch.backends.quantized.engine = "x86"
    float_model = plain_convolutions(fold_batchnorm(model)).eval()
    mapping = get_default_qconfig_mapping("x86")  # per-channel weights, histogram activations
    if not depthwise_per_channel:
        default = mapping.global_qconfig
        per_tensor = QConfig(activation=default.activation, weight=default_weight_observer)
        for name, module in float_model.named_modules():
            if _is_depthwise(module):
                mapping.set_module_name(name, per_tensor)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in torch 2.13
        prepared = prepare_fx(float_model, mapping, example_inputs=(calibration[:1].contiguous(),))
        for start in range(0, len(calibration), batch_size):
            prepared(calibration[start : start + batch_size].contiguous())
        return convert_fx(prepared)


def int8(
    model: nn.Module,
    calibration: torch.Tensor,
    *,
    threads: int,
    depthwise_per_channel: bool = True,
) -> nn.Module:
    """:func:`int8_module`, traced and frozen on one calibration input at ``threads`` threads."""
    threads = positive_int("threads", threads)
    quantized = int8_module(model, calibration, depthwise_per_channel=depthwise_per_channel)
    with torch_threads(threads):
        return frozen(quantized, calibration[:1].contiguous(), warm_up=True)


def precision_models(
    model: nn.Module, resolution: int, calibration: torch.Tensor, *, threads: int
) -> dict[str, nn.Module]:
    """Every rung of :data:`PRECISIONS` built from ``model``; "float32" is
    :func:`~mnetcalc.runtime.model.optimize`."""
    from .model import optimize

    return {
        "float32": optimize(model, resolution, threads=threads),
        "bfloat16": bfloat16(model, resolution, threads=threads),
        "int8": int8(model, calibration, threads=threads),
        "int8_per_tensor_dw": int8(
            model, calibration, threads=threads, depthwise_per_channel=False
        ),
    }


def fashion_mnist_tensors(config, data=None, calibration: int = 1000):
    """The inputs a Fashion-MNIST model trained with ``config`` (a
    :class:`~mnetcalc.train_config.TrainConfig`) sees: ``calibration`` training images (from its
    training subset, first ones), the 10,000 test images, and the test labels; standardised with the
    training subset's statistics, as :func:`mnetcalc.runtime.train.train` does."""
    import numpy as np

    from .data import load_fashion_mnist
    from .train import Normalisation, to_tensor

    data = data if data is not None else load_fashion_mnist()
    train_split = data.train.subset(config.train_size, seed=config.seed)
    norm = Normalisation.of(train_split.images)
    resolution = config.network.resolution
    x_calibration = to_tensor(train_split.images[:calibration], resolution, norm)
    x_test = to_tensor(data.test.images, resolution, norm)
    y_test = torch.from_numpy(data.test.labels.astype(np.int64))
    return x_calibration, x_test, y_test


def accuracy(model, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500) -> float:
    """Fraction of ``images`` that ``model`` (a module, or any callable returning logits as a tensor
    or numpy array) classifies as ``labels``."""
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            logits = torch.as_tensor(model(images[start : start + batch_size].contiguous()))
            correct += int((logits.argmax(1) == labels[start : start + batch_size]).sum())
    return correct / len(images)
