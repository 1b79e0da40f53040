"""mnetcalc: MobileNets, by the numbers.

An exact, per-layer cost calculator (mult-adds and parameters) for MobileNet v1, V2, V3 and V4,
SSD 300 with a MobileNet v1 backbone, and the networks MobileNet v1 was compared with (VGG-16,
GoogLeNet, AlexNet, SqueezeNet); the PyTorch models of the same specs (with torch); a CPU latency
model calibrated on the reader's machine; and a chooser among the published checkpoints.

One API for every network::

    import mnetcalc
    mnetcalc.list_networks()                  # ['mobilenet_v1', 'vgg16', ..., 'mobilenet_v3', ...]
    config = mnetcalc.config("mobilenet_v3", alpha=0.75, variant="small", resolution=160)
    report = config.cost()                    # NetworkCost: str(report) is the CLI's table
    report.mult_adds, report.params           # exact; params are weights only (the paper's)
    report.total_params                       # weights + biases + BatchNorm: sum of numel
    model = config.model()                    # torch.nn.Sequential (pip install 'mnetcalc[torch]')

Each network also has its configuration class and functions (``MobileNetConfig`` /
``MobileNetV1Config``, ``mobilenet_v1_cost``, ``mobilenet_v1_model``, ``mobilenet_v1_spec``, and
the same for ``mobilenet_v2``, ``mobilenet_v3`` and ``mobilenet_v4``; ``VGG16Config``,
``vgg16_cost``, ...).
:func:`~mnetcalc.networks.registry.network_cost` is ``config(name, **options).cost()``.

Counting the built model with fvcore gives the same mult-adds when conv and linear are summed::

    from fvcore.nn import FlopCountAnalysis
    ops = FlopCountAnalysis(model.eval(), torch.randn(1, 3, 160, 160)).by_operator()
    ops["conv"] + ops["linear"] == report.mult_adds      # .total() adds BatchNorm and pooling

Choosing a published checkpoint for a budget (torch-free)::

    mnetcalc.choose(mnetcalc.Budget(latency_ms=3), threads=1)   # the default calibration
    mnetcalc.choose(mnetcalc.Budget(latency_ms=3), mnetcalc.load_calibration("my-cpu.json"))

``published_checkpoints()`` lists the checkpoints; ``TrainConfig`` describes a training run. The
latency model, its calibration file, the checkpoints, ``choose`` and the machine record live in
``mnetcalc.latency_model``; the timing that calibrates it (torch) in ``mnetcalc.runtime``.

This package's top level imports the standard library only, and each public name's submodule only
when that name is first used. The modules that need torch are in ``mnetcalc.runtime`` (import
them explicitly): ``model`` (``build``, ``optimize``), ``counting`` (``check_counts``, the
calculator against fvcore, layer by layer), ``latency`` (``measure_latency``, ...),
``engines``, ``precision``, ``calibrate``, ``data`` (Fashion-MNIST) and ``train`` (``train``,
``save``, ``load``), ``train_cache`` (``cached_train``: a training run kept on disk under the
book's ``_build``), and :mod:`mnetcalc.interop` maps torchvision's and timm's weights onto our
models.
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
    "networks.mobilenet_v2": (
        "MobileNetV2Config",
        "mobilenet_v2_cost",
        "mobilenet_v2_model",
        "mobilenet_v2_spec",
    ),
    "networks.mobilenet_v3": (
        "MobileNetV3Config",
        "mobilenet_v3_cost",
        "mobilenet_v3_model",
        "mobilenet_v3_spec",
    ),
    "networks.mobilenet_v4": (
        "MobileNetV4Config",
        "mobilenet_v4_cost",
        "mobilenet_v4_model",
        "mobilenet_v4_spec",
    ),
    "latency_model.choose": ("Budget", "Choice", "NothingFits", "choose"),
    "latency_model.checkpoints": ("Checkpoint", "published_checkpoints"),
    "latency_model": ("Calibration", "load_calibration", "shipped_calibration"),
    "core.network": ("NetworkConfig", "NetworkCost", "spec_costs"),
    "stats": ("Interval", "decide", "mean_interval"),
    "traffic": ("LayerTraffic", "NetworkTraffic", "layer_traffic", "network_traffic"),
    "memory": ("LayerMemory", "NetworkMemory", "network_memory"),
    "train_config": ("TrainConfig",),
    "validation": ("InputTooSmall", "InvalidArgument"),
    "networks.alexnet": ("AlexNetConfig", "alexnet_cost"),
    "networks.googlenet": ("GoogLeNetConfig", "googlenet_cost"),
    "networks.registry": ("config", "list_networks", "network_cost"),
    "networks.squeezenet": ("SqueezeNetConfig", "squeezenet_cost"),
    "networks.vgg16": ("VGG16Config", "vgg16_cost"),
}
_SOURCE = {name: module for module, names in _EXPORTS.items() for name in names}

#: Other names of exported objects: v1's configuration under the pattern of V2's and V3's.
_ALIASES = {"MobileNetV1Config": "MobileNetConfig"}

__version__ = "0.2.0.dev0"

__all__ = sorted([*_SOURCE, *_ALIASES])


def __getattr__(name: str):
    """Import a public name's submodule on first use (``mnetcalc.mobilenet_v1``, ...)."""
    if name in _ALIASES:
        value = globals()[name] = __getattr__(_ALIASES[name])
        return value
    module = _SOURCE.get(name)
    if module is None:
        raise AttributeError(f"module 'mnetcalc' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    """The public names (:data:`__all__`) and those already imported."""
    return sorted(set(globals()) | set(__all__))
