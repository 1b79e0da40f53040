"""Activation memory: each layer's feature maps and the peak working set of a whole network.

Weights are stored once; activations are what a network needs *while it runs*. Two counts, both at
batch 1, from the cost rows of :mod:`mnetcalc.core.network` (the shapes) and the spec they came
from (only to know which earlier tensors a row reads):

* a row's **activation bytes** (:attr:`LayerMemory.activation_bytes`): the feature maps it reads
  plus the one it writes. A convolution or pool reads its input and writes its output; a fully
  connected layer reads the flattened map; ``add`` reads the block's input and its last part's
  output (two maps) and writes their sum; ``concat`` reads its branches' outputs and writes one
  map as large as all of them; ``scale`` (squeeze-and-excite) reads the map and the gate's one
  number per channel; a ``tap`` moves nothing (its branches are rows of their own). MobileNetV4's
  rows: a lone ``batchnorm`` (Mobile MQA's pre-norm, after no convolution to fold it into) and
  ``layer_scale`` read the map and write a new one (the PyTorch model computes ``x * gamma`` out of
  place; its factors are weights); ``softmax`` reads the scores and writes as many; a ``matmul``
  reads both its operands: ``qk`` the queries and the keys, ``av`` the softmax's output and the
  values (the keys and values are shared by the heads, so read once), and writes the scores
  (heads x N x M, N the map's pixels, M the keys') or the heads' outputs.
* the network's **peak working set** (:attr:`NetworkMemory.peak_bytes`) when it runs one
  operation at a time, in the order of the rows (the order of the PyTorch model's forward pass):
  each operation writes a new tensor, and a tensor stays in memory from the operation that writes
  it until the last one that reads it. So at any operation the live tensors are its inputs, its
  output, and every tensor written earlier and read later: the input of a residual block until
  its ``add``, the outputs of a concatenation's earlier branches until the ``concat``, the map a
  squeeze-and-excite gate will scale, the map a detector's tap branches read; in multi-query
  attention, its input until the values' down-sampling (or projection) has read it, the queries,
  keys and values until the products read them, and the scores (the attention matrix, heads x N
  x M) from ``qk`` to ``softmax``, whose output lives until ``av``. The network's outputs (the
  last row's, or for a network with taps the taps' branch outputs, which it returns) stay until
  the end; the image is live until its last reader. BatchNorm is folded and every activation
  (ReLU, ReLU6, hard-swish; GELU too, which the eager PyTorch model runs out of place) is computed
  in place, as at inference (:func:`mnetcalc.runtime.model.fold_batchnorm`); the attention's
  scaling of the scores by 1/sqrt(key_dim) is part of ``qk`` (in place on the scores); no
  operation writes into one of its inputs, and an allocator's overheads and a kernel's scratch
  space (im2col) are not counted. This is what a plain runtime that frees each tensor after its
  last use needs (eq. 2 of Sandler et al. 2018 with an operation's internal storage left out).

MobileNetV2's memory-efficient order (Sandler et al. 2018, section 5.1), :func:`network_memory`'s
``split_channels=k``: every inverted residual block is one operation that never materialises its
expanded tensor whole. Its inner channels (the expansion's output; for a block without an
expansion layer, the input's channels) are processed in slices of at most ``k`` channels (the
paper's ``t`` splits are ``ceil(inner / k)``): for each slice, the expansion's slice (``k``
channels at the input's side), the depthwise convolution's slice (``k`` channels at the output's
side), then the projection of that slice added into the output. Live during the block: its input
``x`` (read by every slice's expansion), the output ``y`` (made before the first slice: the
projection's bias, plus ``x`` for a residual block, so that the sum is folded in), and one slice of
each inner tensor: ``|x| + |y| + k * (side_in^2 + side_out^2)`` elements, the paper's ``|x| + |y| +
O(max(s^2, s'^2))`` with ``k = 1``. (Two exact cases: a block without an expansion slices ``x``
itself, so only the depthwise slice is added; a block done in one slice no longer needs ``x`` once
expanded, so it holds ``|y|`` + the expanded tensor + the larger of ``x`` and the depthwise
output.) A block without an expansion layer or shortcut whose input a standard convolution has
just written (V2's stem before block 1) takes that convolution in as its first stage, as the
paper's Table 3 does for "the first layer": the stem's output is then computed one slice at a
time too. Every other layer runs as before.

Bytes per number: 4 for float32 (:data:`FLOAT32_BYTES`), 1 for int8 (:data:`INT8_BYTES`); every
tensor is counted at the same width, so the int8 counts are the float32 ones divided by 4.

Pure Python, no torch, like the rest of the calculator. tests/test_memory_torch.py checks the
counts against forward hooks and a liveness simulation on the PyTorch model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .core.layers import (
    ADD,
    CONV,
    CONV_PW,
    FC,
    MATMUL,
    SCALE,
    TAP,
    Branches,
    Chain,
    Fire,
    Inception,
    InvertedResidual,
    LayerCost,
    Residual,
    Tap,
)
from .core.record import Record
from .validation import InvalidArgument, positive_int

#: float32: the PyTorch model's type.
FLOAT32_BYTES = 4
#: int8: a quantized checkpoint's activations.
INT8_BYTES = 1

#: Row fields written by :meth:`LayerMemory.to_dict`, in order.
MEMORY_KEYS = ("name", "type", "input_bytes", "output_bytes", "activation_bytes")


def _map(channels: int, side: int) -> int:
    return channels * side * side


def row_elements(row: LayerCost) -> tuple[int, int]:
    """Numbers a row reads and writes (see the module's docstring): ``(inputs, outputs)``."""
    if row.type == TAP:
        return 0, 0
    if row.type == FC:  # the row holds the flattened input's size in ``in_channels``
        return row.in_channels, row.out_channels
    inputs = _map(row.in_channels, row.input_size)
    if row.type == ADD:
        inputs *= 2
    elif row.type == SCALE:
        inputs += row.in_channels
    return inputs, _map(row.out_channels, row.output_size)


class LayerMemory(Record):
    """One row's feature maps: bytes read (``input_bytes``) and written (``output_bytes``)."""

    __slots__ = ("name", "type", "input_bytes", "output_bytes")

    def __init__(self, name: str, type: str, input_bytes: int, output_bytes: int):  # noqa: A002
        self._set(name=name, type=type, input_bytes=input_bytes, output_bytes=output_bytes)

    @property
    def activation_bytes(self) -> int:
        """Input plus output bytes."""
        return self.input_bytes + self.output_bytes

    def to_dict(self) -> dict:
        """This layer's fields as a plain dict (the JSON's)."""
        return {key: getattr(self, key) for key in MEMORY_KEYS}


class Step(Record):
    """One operation of the schedule: its ``name`` (a row's, or a whole block's when it runs as one
    operation) and the bytes live while it runs (``live_bytes``)."""

    __slots__ = ("name", "live_bytes")

    def __init__(self, name: str, live_bytes: int):
        self._set(name=name, live_bytes=live_bytes)


class NetworkMemory(Record):
    """Activation memory of one network: per row (``layers``, :class:`LayerMemory`), the schedule's
    operations with their live bytes (``steps``, :class:`Step`), the ``bytes_per_element`` and the
    ``split_channels`` of V2's memory-efficient order (None: layer by layer)."""

    __slots__ = ("layers", "steps", "bytes_per_element", "split_channels")

    def __init__(self, layers, steps, bytes_per_element: int, split_channels: int | None = None):
        self._set(
            layers=tuple(layers),
            steps=tuple(steps),
            bytes_per_element=bytes_per_element,
            split_channels=split_channels,
        )

    def __iter__(self) -> Iterator[LayerMemory]:
        return iter(self.layers)

    def layer(self, name: str) -> LayerMemory:
        """The layer called ``name`` (an unknown name raises ``InvalidArgument``)."""
        for row in self.layers:
            if row.name == name:
                return row
        raise InvalidArgument(f"no layer named {name!r} in this report", "name")

    @property
    def peak_step(self) -> Step:
        """The first operation at which the live bytes are largest."""
        return max(self.steps, key=lambda step: step.live_bytes)

    @property
    def peak_bytes(self) -> int:
        """The peak working set: the most bytes live at once."""
        return self.peak_step.live_bytes

    @property
    def peak_layer(self) -> str:
        """The name of the operation where the peak is reached (first one if several tie)."""
        return self.peak_step.name

    @property
    def largest_layer(self) -> LayerMemory:
        """The row with the most activation bytes (input plus output)."""
        return max(self.layers, key=lambda row: row.activation_bytes)

    def to_dict(self) -> dict:
        """The network's memory as a plain dict: bytes per number, the peak and every layer."""
        return {
            "bytes_per_element": self.bytes_per_element,
            "split_channels": self.split_channels,
            "peak_bytes": self.peak_bytes,
            "peak_layer": self.peak_layer,
            "layers": [row.to_dict() for row in self.layers],
        }


# -- the dataflow: which tensors each operation reads and writes ----------------------------------


class _Op:
    """One operation: ``name``, the tensors it reads (``inputs``, ids) and writes (``output``, an
    id or None), and the elements it holds besides them (``scratch``: a split block's slices)."""

    __slots__ = ("name", "inputs", "output", "scratch", "kind")

    def __init__(self, name, inputs, output, scratch=0, kind=""):
        self.name, self.inputs, self.output, self.scratch = name, tuple(inputs), output, scratch
        self.kind = kind  # the row's type


class _Flow:
    """Walks a spec beside its cost rows, giving every row's operation the tensors it reads. The
    rows say every size; the spec says only which earlier tensor a part starts from."""

    def __init__(self, rows: Sequence[LayerCost], split_channels: int | None):
        self.rows = rows
        self.next_row = 0
        self.split = split_channels
        self.sizes: list[int] = []  # tensor id -> elements
        self.channels: list[int] = []  # tensor id -> channels (for a composite's block())
        self.ops: list[_Op] = []
        self.outputs: list[int] = []  # tensors the network returns (taps' branches)
        self.reads: dict[str, int] = {}  # a matrix product's name -> elements of both operands

    def tensor(self, elements: int, channels: int) -> int:
        self.sizes.append(elements)
        self.channels.append(channels)
        return len(self.sizes) - 1

    def take(self, name: str) -> LayerCost:
        if self.next_row >= len(self.rows) or self.rows[self.next_row].name != name:
            found = self.rows[self.next_row].name if self.next_row < len(self.rows) else "none"
            raise InvalidArgument(
                f"memory: expected the row {name!r} next, found {found!r} (a layer type whose "
                "dataflow this module does not know?)",
                "spec",
            )
        self.next_row += 1
        return self.rows[self.next_row - 1]

    def op(self, name: str, inputs: Sequence[int]) -> int:
        row = self.take(name)
        _, outputs = row_elements(row)
        output = self.tensor(outputs, row.out_channels)
        self.ops.append(_Op(name, inputs, output, kind=row.type))
        if row.type == MATMUL:
            self.reads[name] = sum(self.sizes[tensor] for tensor in inputs)
        return output

    def chain(self, name: str, parts, source: int) -> int:
        for part, layer in parts:
            source = self.walk(f"{name}/{part}", layer, source)
        return source

    def walk(self, name: str, layer, source: int) -> int:
        """The tensor that ``layer`` (named ``name``) writes from the tensor ``source``."""
        if isinstance(layer, Inception):
            layer = layer.branches()
        if isinstance(layer, InvertedResidual) and self.split is not None:
            return self.split_block(name, layer, source)
        if isinstance(layer, Branches):  # branches from one input, then ``concat``
            ends = [self.chain(name, branch, source) for branch in layer.branches]
            return self.op(name, ends)
        if isinstance(layer, Fire):
            squeezed = self.walk(f"{name}/squeeze1x1", layer.squeeze_conv(), source)
            return self.walk(name, layer.expand(), squeezed)
        if isinstance(layer, Residual):  # the parts, then ``add`` of their end and the input
            return self.op(name, [source, self.chain(name, layer.parts, source)])
        if isinstance(layer, Chain):
            return self.chain(name, layer.parts, source)
        if isinstance(layer, Tap):  # branches that leave the network; the map goes on
            for branch in layer.branches:
                self.outputs.append(self.chain(name, branch, source))
            self.take(name)
            self.ops.append(_Op(name, (), None))
            return source
        if hasattr(layer, "projections"):  # attention: its projections and products
            return self.attention(name, layer, source)
        if hasattr(layer, "gate"):  # squeeze-and-excite: the gate's rows, then ``scale``
            gate = self.walk(name, layer.gate(self.channels[source]), source)
            return self.op(name, [source, gate])
        if hasattr(layer, "block"):  # a composite type made of the generic ones
            return self.walk(name, layer.block(self.channels[source]), source)
        return self.op(name, [source])

    def attention(self, name: str, layer, source: int) -> int:
        """Multi-query attention (:class:`~mnetcalc.networks.mobilenet_v4.MultiQueryAttention`):
        the queries, keys and values from ``source`` (the keys and values from its own
        down-sampled map when it has one), the scores from the queries and keys, their softmax,
        its product with the values, and the output projection of that."""
        side = self.rows[self.next_row].input_size
        made: dict[str, int] = {}
        for part, projection, _, _ in layer.projections(self.channels[source], side, name):
            if part == "output":
                scores = self.op(f"{name}/qk", [made["query"], made["key"]])
                weights = self.op(f"{name}/softmax", [scores])
                heads = self.op(f"{name}/av", [weights, made["value"]])
                return self.walk(f"{name}/{part}", projection, heads)
            made[part] = self.walk(f"{name}/{part}", projection, made.get(f"{part}_down", source))
        raise InvalidArgument(f"memory: attention {name!r} has no output projection", "spec")

    def split_block(self, name: str, layer: InvertedResidual, source: int) -> int:
        """An inverted residual block as one operation, its inner tensors in slices (the module's
        docstring)."""
        channels = self.channels[source]
        rows = [self.take(f"{name}/{part}") for part, _ in layer.parts(channels)]
        residual = layer.residual(channels)
        if residual:
            self.take(name)
        dw, project = rows[-2], rows[-1]
        width = min(self.split, dw.in_channels)
        first = self.ops[-1] if self.ops else None
        staged = len(rows) == 3  # the expansion's slice is computed, not read whole
        if (
            not staged
            and not residual
            and first is not None
            and first.output == source
            and first.kind in (CONV, CONV_PW)
        ):  # the convolution that writes the block's input becomes its first stage
            self.ops.pop()
            self.sizes[source] = 0  # never materialised
            name, source, staged = f"{first.name}+{name}", first.inputs[0], True
        inner_out = width * dw.output_size**2  # the depthwise convolution's slice
        inner_in = width * dw.input_size**2 if staged else 0  # the expansion's (stem's) slice
        if staged and width == dw.in_channels:  # one slice: x is last read before it exists
            scratch = inner_in + max(0, inner_out - self.sizes[source])
        else:
            scratch = inner_in + inner_out
        output = self.tensor(_map(project.out_channels, project.output_size), project.out_channels)
        self.ops.append(_Op(name, [source], output, scratch))
        return output


def _steps(flow: _Flow, width: int) -> list[Step]:
    """Live bytes at each operation: a tensor lives from the operation that writes it (the image:
    from the start) to the last one that reads it (the network's outputs: to the end)."""
    count = len(flow.ops)
    born = [0] * len(flow.sizes)  # the image: from the start
    dies = [0] * len(flow.sizes)
    for index, op in enumerate(flow.ops):
        if op.output is not None:  # never read: freed after the step that writes it
            born[op.output] = dies[op.output] = index
    for index, op in enumerate(flow.ops):
        for tensor in op.inputs:
            dies[tensor] = max(dies[tensor], index)
    for tensor in flow.outputs or [flow.ops[-1].output]:
        dies[tensor] = count - 1
    live = [0] * count
    for tensor, size in enumerate(flow.sizes):
        for index in range(born[tensor], dies[tensor] + 1):
            live[index] += size
    return [Step(op.name, width * (live[index] + op.scratch)) for index, op in enumerate(flow.ops)]


def network_memory(
    report,
    bytes_per_element: int = FLOAT32_BYTES,
    *,
    split_channels: int | None = None,
) -> NetworkMemory:
    """Per-layer activation bytes and the peak working set of ``report``'s network at batch 1
    (``report``: a ``mnetcalc.core.network.NetworkCost``, not imported here, since that module
    imports the tables, which import this one)
    (``network_memory(mobilenet_v1_cost(0.25, resolution=128)).peak_bytes``), each number
    ``bytes_per_element`` bytes wide. ``split_channels``: run every MobileNetV2 inverted residual
    block in slices of at most that many inner channels (1: the paper's bound); None: layer by
    layer. Rows the spec does not run (GoogLeNet's training-only auxiliary classifiers) have
    their activation bytes but take no part in the peak."""
    width = positive_int("bytes_per_element", bytes_per_element)
    if split_channels is not None:
        split_channels = positive_int("split_channels", split_channels)
    config = report.config
    flow = _Flow(report.layers, split_channels)
    image = flow.tensor(_map(config.in_channels, config.resolution), config.in_channels)
    source = image
    for name, layer in config.spec():
        source = flow.walk(name, layer, source)
    layers = []
    for row in report.layers:
        inputs, outputs = row_elements(row)
        inputs = flow.reads.get(row.name, inputs)  # a matrix product's second operand too
        layers.append(LayerMemory(row.name, row.type, width * inputs, width * outputs))
    return NetworkMemory(layers, _steps(flow, width), width, split_channels)


__all__ = [
    "FLOAT32_BYTES",
    "INT8_BYTES",
    "MEMORY_KEYS",
    "LayerMemory",
    "NetworkMemory",
    "Step",
    "network_memory",
    "row_elements",
]
