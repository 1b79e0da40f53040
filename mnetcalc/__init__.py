"""mnetcalc: MobileNets, by the numbers.

An exact, per-layer cost calculator for MobileNet v1 (Howard et al. 2017, arXiv:1704.04861).
This package's top level imports the standard library only; ``mnetcalc.model`` and the other
torch-based modules are imported on demand.

Submodules that need torch (import them explicitly):

* ``mnetcalc.model``: ``mobilenet_v1(alpha, num_classes, variant, in_channels, dropout, stem_stride)``
  builds the PyTorch network from the same spec (``build(spec)`` for any spec); ``optimize(model,
  resolution)`` returns its inference version (BatchNorm folded, channels-last, frozen TorchScript).
* ``mnetcalc.counting``: ``check_counts(report)`` compares the calculator with fvcore, layer by layer.
* ``mnetcalc.latency``: ``measure_latency`` / ``measure_layers`` / ``interleaved`` / ``matmul_peak``,
  CPU timings that carry a ``mnetcalc.machine.MachineInfo`` (that module is torch-free).
* ``mnetcalc.data`` (numpy): ``load_fashion_mnist(folder)`` reads Fashion-MNIST's IDX files, checked;
  ``download()`` fetches them (opt-in).
* ``mnetcalc.train``: ``train(TrainConfig(...))`` trains a MobileNet on Fashion-MNIST and returns its
  history; ``save`` / ``load`` its weights. ``TrainConfig`` itself is torch-free and exported here.
"""

from .architecture import BLOCKS, MIN_CHANNELS, STEM, VARIANTS, mobilenet_v1_spec, scale_channels
from .calculator import (
    LayerComparison,
    layer_costs,
    mobilenet_v1,
    reduction_ratio,
    separable_conv_cost,
    standard_conv_cost,
    table3,
)
from .layers import LayerCost
from .network import NetworkCost, cost_layers
from .traffic import LayerTraffic, NetworkTraffic, layer_traffic, network_traffic
from .train_config import TrainConfig
from .validation import InvalidArgument
from .zoo import alexnet, googlenet, squeezenet, vgg16

__version__ = "0.1.0"

__all__ = [
    "BLOCKS",
    "MIN_CHANNELS",
    "STEM",
    "VARIANTS",
    "InvalidArgument",
    "alexnet",
    "googlenet",
    "squeezenet",
    "vgg16",
    "LayerComparison",
    "LayerCost",
    "LayerTraffic",
    "NetworkCost",
    "TrainConfig",
    "NetworkTraffic",
    "cost_layers",
    "layer_costs",
    "layer_traffic",
    "mobilenet_v1",
    "mobilenet_v1_spec",
    "network_traffic",
    "reduction_ratio",
    "scale_channels",
    "separable_conv_cost",
    "standard_conv_cost",
    "table3",
]
