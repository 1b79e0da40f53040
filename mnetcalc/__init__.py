"""mnetcalc: MobileNets, by the numbers.

An exact, per-layer cost calculator for MobileNet v1 (Howard et al. 2017, arXiv:1704.04861).

A network configuration (``MobileNetConfig(0.5, resolution=160)``, ``VGG16Config()``, ...) gives its
cost report (``.cost()``, also ``mobilenet_v1_cost(0.5, resolution=160)``), its spec (``.spec()``)
and, with torch, its PyTorch model (``.model()``); ``latency.BenchConfig(config)`` and
``TrainConfig(network=...)`` benchmark and train the same network. Beyond v1, the same engine
costs MobileNetV2 (``MobileNetV2Config``, :mod:`mnetcalc.networks.mobilenet_v2`) and SSD 300 with a
MobileNet v1 backbone (``SSDMobileNetV1Config``, :mod:`mnetcalc.networks.ssd_mobilenet_v1`).

This package's top level imports the standard library only, and each public name's
submodule only when that name is first used; ``mnetcalc.runtime.model`` and the other
torch-based modules are imported on demand.

Submodules that need torch (import them explicitly):

* ``mnetcalc.runtime.model``: ``build(spec)`` builds the PyTorch network of any spec (a
configuration's
  ``model()`` calls it, e.g. ``MobileNetConfig(0.5).model()``); ``optimize(model, resolution)``
  returns its inference version (BatchNorm folded, channels-last, frozen TorchScript).
* ``mnetcalc.runtime.counting``: ``check_counts(report)`` compares the calculator with fvcore,
layer by
  layer.
* ``mnetcalc.runtime.latency``: ``measure_latency`` / ``measure_layers`` / ``interleaved`` /
  ``matmul_peak``, CPU timings that carry a ``mnetcalc.machine.MachineInfo`` (that module is
  torch-free).
* ``mnetcalc.runtime.engines``: ``engine_runners(model, resolution, threads=T)`` runs the same
weights
  under the plain model, ``optimize()``, ONNX Runtime and OpenVINO (float32 and its default
  precision), ``agreement`` checks them, ``compare_config`` (any ``BenchConfig`` network) and
  ``compare_engines`` (MobileNet v1 by alpha and resolution) time them side by side with the
  reduced precisions, and ``layer_price`` measures what each charges per layer.
* ``mnetcalc.runtime.precision``: ``bfloat16(model)``, ``int8(model, calibration, threads=T)`` (x86
FX
  quantization), ``precision_ladder`` (accuracy and latency of a trained model down the ladder),
  ``depthwise_ranges`` (the depthwise channels' weight ranges that per-tensor int8 must share),
  ``matmul_peaks``.
* ``mnetcalc.runtime.data`` (numpy): ``load_fashion_mnist(folder)`` reads Fashion-MNIST's IDX files,
  checked; ``download()`` fetches them (opt-in).
* ``mnetcalc.runtime.train``: ``train(TrainConfig(...))`` trains a MobileNet on Fashion-MNIST and
returns
  its history; ``save`` / ``load`` its weights. ``TrainConfig`` itself is torch-free and exported
  here.
* ``mnetcalc.runtime.train_cache``: ``cached_train(config, data)`` returns a stored run if the same
  run (configuration, data, torch, training loop) was made before in this checkout of the book.
"""

from importlib import import_module

# The public names and the submodule each comes from. They are imported on first use (PEP 562), so
# that ``import mnetcalc.cli`` loads only what the command line needs: the CLI must start about as
# fast as the interpreter itself.
_EXPORTS = {
    "networks.mobilenet_v1": (
        "BLOCKS",
        "BODY_ONLY",
        "MIN_CHANNELS",
        "STEM",
        "VARIANTS",
        "MobileNetConfig",
        "mobilenet_v1_cost",
        "mobilenet_v1_model",
        "mobilenet_v1_spec",
        "scale_channels",
    ),
    "calculator": (
        "LayerComparison",
        "layer_comparison",
        "reduction_ratio",
        "table3",
    ),
    "networks.ssd_mobilenet_v1": ("SSDMobileNetV1Config", "ssd_mobilenet_v1_cost"),
    "core.formulas": (
        "depthwise_conv_cost",
        "fully_connected_cost",
        "pointwise_conv_cost",
        "separable_conv_cost",
        "standard_conv_cost",
    ),
    "core.layers": ("LayerCost",),
    "networks.mobilenet_v2": ("MobileNetV2Config", "mobilenet_v2_cost"),
    "core.network": ("NetworkConfig", "NetworkCost", "spec_costs"),
    "stats": ("Interval", "decide", "mean_interval"),
    "traffic": ("LayerTraffic", "NetworkTraffic", "layer_traffic", "network_traffic"),
    "train_config": ("TrainConfig",),
    "validation": ("InputTooSmall", "InvalidArgument"),
    "networks.alexnet": ("AlexNetConfig", "alexnet_cost"),
    "networks.googlenet": ("GoogLeNetConfig", "googlenet_cost"),
    "networks.registry": ("network_cost",),
    "networks.squeezenet": ("SqueezeNetConfig", "squeezenet_cost"),
    "networks.vgg16": ("VGG16Config", "vgg16_cost"),
}
_SOURCE = {name: module for module, names in _EXPORTS.items() for name in names}

__version__ = "0.1.0"

__all__ = sorted(_SOURCE)


def __getattr__(name: str):
    """Import a public name's submodule on first use (``mnetcalc.mobilenet_v1``, ...)."""
    module = _SOURCE.get(name)
    if module is None:
        raise AttributeError(f"module 'mnetcalc' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
