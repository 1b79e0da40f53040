"""Memory traffic and arithmetic intensity of each layer: how many bytes a layer moves per mult-add.

A layer's speed on a CPU depends on more than its mult-adds: every mult-add needs operands, and if
they must come from memory faster than memory can deliver them, the arithmetic units wait. The
*arithmetic intensity* of a layer, mult-adds per byte moved, says which of the two limits it meets
first (the roofline model, Williams, Waterman & Patterson 2009).

The traffic model here is deliberately simple, a lower bound that a real kernel only approaches:

* each layer reads its input feature map once, reads its weights once and writes its output feature
  map once, and nothing is reused across layers (no fusion, no caching of one layer's output for the
  next layer's input);
* BatchNorm is folded into the convolution before inference, so it costs no traffic of its own; the
  folded BatchNorm leaves a bias of one number per output channel, counted with the weights
  (``bias=False`` leaves biases out; a conv with neither BatchNorm nor bias has none);
* ReLU is applied in place as the output is written, so it costs nothing either;
* every number is ``bytes_per_element`` bytes wide (float32: 4), activations and weights alike;
* batch size 1: weights are read once per image (a larger batch would share them);
* rows without mult-adds move bytes too: a pooling layer reads its input and writes its output, and
  the ``concat`` row that closes a composite block (:mod:`mnetcalc.networks`) copies its branches'
  outputs into one map, as ``torch.cat`` does.

For a convolution from ``M`` to ``N`` channels with kernel ``Dk`` on an input of side ``Di`` and an
output of side ``Df``, with ``b`` bytes per number::

    input bytes  = b * M * Di * Di
    weight bytes = b * (weights + biases)        # weights: Dk*Dk*M*N, or Dk*Dk*M for a depthwise
    conv output bytes = b * N * Df * Df intensity    = mult-adds / (input + weight + output bytes)

so a stride-1 pointwise layer (``Di = Df``, no bias) has intensity
``M*N*Df^2 / (b * (M*Df^2 + N*Df^2 + M*N))``: it grows with the channel counts. A depthwise layer
has ``Dk^2*M*Df^2 / (b * (M*Di^2 + Dk^2*M + M*Df^2))``, at most ``Dk^2 / (2b)``, whatever its width.

This module is pure Python (no torch, no numpy), like the rest of the calculator.
"""

from __future__ import annotations

from .core.layers import FC, LayerCost
from .core.network import LayerTable, NetworkCost
from .core.record import Record
from .validation import positive_int

#: float32, the type a PyTorch model computes in by default.
FLOAT32_BYTES = 4

#: Row fields written by :meth:`LayerTraffic.to_dict`, in order.
TRAFFIC_KEYS = (
    "name",
    "type",
    "mult_adds",
    "input_bytes",
    "weight_bytes",
    "output_bytes",
    "bytes",
    "intensity",
)


class LayerTraffic(Record):
    """Bytes one layer moves (inputs read, weights read, outputs written) beside its mult-adds."""

    __slots__ = ("name", "type", "mult_adds", "input_bytes", "weight_bytes", "output_bytes")

    def __init__(
        self,
        name: str,
        type: str,  # noqa: A002 -- the field's name, as in LayerCost
        mult_adds: int,
        input_bytes: int,
        weight_bytes: int,
        output_bytes: int,
    ):
        self._set(
            name=name,
            type=type,
            mult_adds=mult_adds,
            input_bytes=input_bytes,
            weight_bytes=weight_bytes,
            output_bytes=output_bytes,
        )

    @property
    def bytes(self) -> int:
        """All bytes moved: input and weights read, output written."""
        return self.input_bytes + self.weight_bytes + self.output_bytes

    @property
    def intensity(self) -> float:
        """Arithmetic intensity in mult-adds per byte (0 for a layer that moves nothing)."""
        return self.mult_adds / self.bytes if self.bytes else 0.0

    @property
    def flop_intensity(self) -> float:
        """Arithmetic intensity in floating-point operations per byte (one mult-add = 2 FLOPs), the
        unit of a roofline plot."""
        return 2 * self.intensity

    def to_dict(self) -> dict:
        """The row as a JSON object."""
        return {key: getattr(self, key) for key in TRAFFIC_KEYS}


def _feature_map(channels: int, side: int) -> int:
    return channels * side * side


def _elements(row: LayerCost, bias: bool) -> tuple[int, int, int]:
    """Numbers one row reads as input, reads as weights (and biases) and writes as output."""
    if row.type == FC:
        # A fully connected row holds the flattened input size in ``in_channels``.
        inputs, outputs = row.in_channels, row.out_channels
    else:
        inputs = _feature_map(row.in_channels, row.input_size)
        outputs = _feature_map(row.out_channels, row.output_size)
    # A folded BatchNorm (or a conv's own bias) leaves one bias per output channel.
    biases = row.out_channels if bias and (row.bias_params or row.bn_params) else 0
    return inputs, row.params + biases, outputs


def layer_traffic(
    row: LayerCost, bytes_per_element: int = FLOAT32_BYTES, bias: bool = True
) -> LayerTraffic:
    """The traffic of one cost-table row under the assumptions of this module's docstring."""
    width = positive_int("bytes_per_element", bytes_per_element)
    inputs, weights, outputs = _elements(row, bias)
    return LayerTraffic(
        name=row.name,
        type=row.type,
        mult_adds=row.mult_adds,
        input_bytes=width * inputs,
        weight_bytes=width * weights,
        output_bytes=width * outputs,
    )


def layer_bytes(row: LayerCost, bytes_per_element: int = FLOAT32_BYTES, bias: bool = True) -> int:
    """``layer_traffic(row, bytes_per_element, bias).bytes`` without building the record (the
    latency model asks it of every row of every network; ``bytes_per_element`` is not checked)."""
    return bytes_per_element * sum(_elements(row, bias))


class NetworkTraffic(LayerTable, Record):
    """Per-layer traffic of a whole network, with totals and per-type summaries."""

    __slots__ = ("layers", "bytes_per_element")

    def __init__(self, layers: tuple[LayerTraffic, ...], bytes_per_element: int = FLOAT32_BYTES):
        self._set(layers=layers, bytes_per_element=bytes_per_element)

    @property
    def bytes(self) -> int:
        """All bytes moved by the network's layers."""
        return sum(row.bytes for row in self.layers)

    @property
    def intensity(self) -> float:
        """The whole network's mult-adds per byte."""
        return self.mult_adds / self.bytes if self.bytes else 0.0

    def by_type(self) -> dict[str, dict]:
        """Mult-adds, bytes and intensity summed per layer type (pooling included), in order of
        appearance."""
        summary = self.summary(lambda row: row.type, ("mult_adds", "bytes"))
        return {
            kind: {
                "layers": entry["layers"],
                "mult_adds": entry["mult_adds"],
                "bytes": entry["bytes"],
                "intensity": entry["mult_adds"] / entry["bytes"] if entry["bytes"] else 0.0,
                "bytes_share": entry["bytes_share"],
            }
            for kind, entry in summary.items()
        }

    def to_dict(self) -> dict:
        """The report as a JSON object."""
        return {
            "bytes_per_element": self.bytes_per_element,
            "layers": [row.to_dict() for row in self.layers],
            "total": {
                "mult_adds": self.mult_adds,
                "bytes": self.bytes,
                "intensity": self.intensity,
            },
        }


def network_traffic(
    cost: NetworkCost, bytes_per_element: int = FLOAT32_BYTES, bias: bool = True
) -> NetworkTraffic:
    """Traffic of every row of ``cost`` (e.g. ``network_traffic(mobilenet_v1_cost(0.5,
    resolution=160))``)."""
    width = positive_int("bytes_per_element", bytes_per_element)
    return NetworkTraffic(tuple(layer_traffic(row, width, bias) for row in cost.layers), width)
