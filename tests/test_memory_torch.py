"""The calculator's activation memory (mnetcalc.memory) against the PyTorch model of the same spec.

Two independent counts on the eager model, BatchNorm folded (as the calculator assumes):

* per layer: forward hooks on the module of each convolution, pooling, LRN, classifier, lone
  BatchNorm, layer scale and softmax row sum the sizes of the tensors it takes and returns (an
  attention product's: the storages behind its operands, views of the queries, keys, values and
  scores); the rows that close a composite block (``add``, ``concat``, ``scale``) are the ``+``,
  ``torch.cat`` and ``*`` calls of two maps or more seen by a ``TorchFunctionMode``, with the
  sizes of what they read and write;
* the peak: the same mode records every call's input and output tensors; a tensor (a storage, so
  that in-place activations and views are the tensor they came from) lives from the call that
  first writes it (the image: from the start) to the last call that touches it (the model's
  outputs: to the end); the most bytes live at one call is the peak. Which tensor a call reads is
  what the model's forward pass does, not the calculator's reading of the spec.

MobileNetV2's memory-efficient order is run for real: each inverted residual block computed one
slice of ``k`` inner channels at a time (expansion slice, depthwise slice, its projection added
into the output with an in-place ``addmm_``), the stem folded into block 1; the output equals the
eager model's, and the same liveness count gives the calculator's ``split_channels=k`` peak.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

from mnetcalc.core.layers import (  # noqa: E402
    ADD,
    AVGPOOL,
    BATCHNORM,
    CONCAT,
    CONV,
    CONV_DW,
    CONV_PW,
    FC,
    LAYER_SCALE,
    LRN,
    MATMUL,
    MAXPOOL,
    SCALE,
    SOFTMAX,
)
from mnetcalc.memory import FLOAT32_BYTES, network_memory  # noqa: E402
from mnetcalc.networks.registry import network_cost  # noqa: E402
from mnetcalc.runtime.model import fold_batchnorm  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: Networks and settings checked: v1 wide and narrow, V2, V3 Large and Small, SqueezeNet's fire
#: concatenations, GoogLeNet's inception branches, SSD's taps, MobileNetV4's UIB and FusedIB blocks,
#: Mobile MQA (with and without the keys' down-sampling), layer scale, both anti-aliased forms.
#: Not Hybrid-L: its GELU runs out of place in the eager model, the calculator counts it in place.
SETTINGS = [
    ("mobilenet_v1", {}),
    ("mobilenet_v1", {"alpha": 0.25, "resolution": 128}),
    ("mobilenet_v1", {"alpha": 0.5, "resolution": 160, "variant": "shallow"}),
    ("mobilenet_v2", {}),
    ("mobilenet_v2", {"alpha": 0.35, "resolution": 96}),
    ("mobilenet_v3", {}),
    ("mobilenet_v3", {"alpha": 0.75, "resolution": 160, "variant": "small"}),
    ("squeezenet", {}),
    ("googlenet", {}),
    ("ssd_mobilenet_v1", {"alpha": 0.75}),
    ("mobilenet_v4", {"resolution": 96}),
    ("mobilenet_v4", {"variant": "hybrid_medium", "resolution": 128}),
    ("mobilenet_v4", {"variant": "hybrid_medium", "alpha": 0.5, "resolution": 64}),
    ("mobilenet_v4", {"variant": "conv_blur_medium", "alpha": 0.75, "resolution": 96}),
    ("mobilenet_v4", {"variant": "conv_aa_medium", "resolution": 64}),
]

#: Rows whose module's own input and output are what the row reads and writes.
MODULE_ROWS = (CONV, CONV_DW, CONV_PW, AVGPOOL, MAXPOOL, LRN, FC, BATCHNORM, LAYER_SCALE, SOFTMAX)
#: The calls that close a composite block, by the row type they implement.
CLOSING_CALLS = {ADD: "add", CONCAT: "cat", SCALE: "mul"}


def tensors(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensors(item)


def storage(tensor) -> int:
    return tensor.untyped_storage().data_ptr()


class Calls(TorchFunctionMode):
    """Every torch call that returns tensors: its name, the storages it reads and writes (weights
    left out) and the sizes of its tensor arguments and results. Results are kept alive, so that
    no storage address is reused while recording."""

    def __init__(self, weights: set[int]):
        super().__init__()
        self.weights = weights
        self.calls: list[tuple[str, list[int], list[int], int, int]] = []
        self.nbytes: dict[int, int] = {}
        self.kept: list = []

    def note(self, tensor) -> int | None:
        key = storage(tensor)
        if key in self.weights:
            return None
        self.nbytes.setdefault(key, tensor.untyped_storage().nbytes())
        return key

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        outputs = list(tensors(result))
        if outputs:
            inputs = [t for t in tensors((args, kwargs)) if storage(t) not in self.weights]
            self.kept += outputs
            self.calls.append(
                (
                    getattr(func, "__name__", str(func)),
                    [self.note(t) for t in inputs],
                    [k for k in (self.note(t) for t in outputs) if k is not None],
                    sum(t.numel() for t in inputs),
                    sum(t.numel() for t in outputs),
                )
            )
        return result


def peak_bytes(calls: Calls, image, outputs) -> int:
    """The most bytes live at one call: a storage lives from the first call that touches it
    (the image: from the first call) to the last one (the outputs: to the end)."""
    first, last = {storage(image): 0}, {}
    for index, (_, reads, writes, _, _) in enumerate(calls.calls):
        for key in [*reads, *writes]:
            first.setdefault(key, index)
            last[key] = index
    end = len(calls.calls) - 1
    for tensor in tensors(outputs):
        last[storage(tensor)] = end
    live = [0] * len(calls.calls)
    for key, start in first.items():
        for index in range(start, last[key] + 1):
            live[index] += calls.nbytes[key]
    return max(live)


def weight_storages(model) -> set[int]:
    return {storage(t) for t in [*model.parameters(), *model.buffers()]}


def distinct(values) -> int:
    """Elements of the storages behind ``values``' tensors, each storage once."""
    held = {storage(t): t.untyped_storage().nbytes() // t.element_size() for t in tensors(values)}
    return sum(held.values())


def traced(model, image, run=None):
    """``model(image)`` (or ``run(image)``) under :class:`Calls` and hooks on every module: the
    calls, the model's output, and the tensor sizes each named module took and returned (and, under
    the name + ``"#storages"``, the elements of the storages behind them: an attention product's
    operands are views, the keys and values shared by the heads expanded over them)."""
    sizes: dict[str, int] = {}

    def hook(module, args, out, name):
        sizes[name] = sum(t.numel() for t in tensors(args)) + sum(t.numel() for t in tensors(out))
        sizes[name + "#storages"] = distinct(args) + distinct(out)

    handles = [
        module.register_forward_hook(lambda m, args, out, name=name: hook(m, args, out, name))
        for name, module in model.named_modules()
        if name
    ]
    calls = Calls(weight_storages(model))
    try:
        with torch.no_grad(), calls:
            output = (run or model)(image)
    finally:
        for handle in handles:
            handle.remove()
    return calls, output, sizes


def eager(network: str, options: dict):
    report = network_cost(network, **options)
    model = fold_batchnorm(report.config.model(channels_last=False)).eval()
    torch.manual_seed(0)
    side = report.config.resolution
    return report, model, torch.rand(1, report.config.in_channels, side, side)


@pytest.mark.parametrize(("network", "options"), SETTINGS, ids=[f"{n}-{o}" for n, o in SETTINGS])
def test_each_layer_reads_and_writes_what_the_model_does(network, options):
    report, model, image = eager(network, options)
    memory = network_memory(report)
    calls, _, sizes = traced(model, image)
    closing = {  # a call of two maps or more (layer scale's ``*`` reads one map and a weight)
        kind: [c for c in calls.calls if c[0] == call and len(c[1]) >= 2]
        for kind, call in CLOSING_CALLS.items()
    }
    seen = {kind: 0 for kind in CLOSING_CALLS}
    checked = 0
    for row, held in zip(report.layers, memory.layers, strict=True):
        if row.type in MODULE_ROWS:
            measured = sizes[row.name.replace("/", ".")]
        elif row.type == MATMUL:  # reads both operands whole, once each
            measured = sizes[row.name.replace("/", ".") + "#storages"]
        elif row.type in CLOSING_CALLS:
            _, _, _, reads, writes = closing[row.type][seen[row.type]]
            seen[row.type] += 1
            measured = reads + writes
        else:  # a tap: reads and writes nothing of its own
            assert held.activation_bytes == 0, row.name
            continue
        assert held.activation_bytes == FLOAT32_BYTES * measured, row.name
        checked += 1
    assert seen == {kind: len(found) for kind, found in closing.items()}
    assert checked > 10


@pytest.mark.parametrize(("network", "options"), SETTINGS, ids=[f"{n}-{o}" for n, o in SETTINGS])
def test_the_peak_is_what_the_eager_model_holds_at_once(network, options):
    report, model, image = eager(network, options)
    calls, output, _ = traced(model, image)
    assert network_memory(report).peak_bytes == peak_bytes(calls, image, output)


# -- MobileNetV2 in the memory-efficient order --------------------------------------------------


def _matrices(block, names):
    """Each named part's folded weight as a contiguous matrix (out x in, or the depthwise filters)
    and its bias, made before the recording starts."""
    parts = {}
    for name in names:
        conv = block._modules[name].conv
        weight = conv.weight.detach().contiguous()
        if conv.groups == 1 and conv.kernel_size == (1, 1):
            weight = weight.reshape(weight.shape[0], -1).contiguous()
        parts[name] = (weight, conv.bias.detach().contiguous(), conv.stride, conv.padding)
    return parts


def sliced_v2(model, width: int):
    """A function running ``model`` (MobileNetV2, folded, NCHW) with every inverted residual block
    computed ``width`` inner channels at a time, and the storages of the weights it prepared."""
    plan = []
    children = list(model.named_children())
    prepared = []
    for index, (name, module) in enumerate(children):
        if not name.startswith("block"):
            plan.append(("module", module))
            continue
        parts = [p for p in ("expand", "dw", "project") if p in module._modules]
        mats = _matrices(module, parts)
        residual = type(module).__name__ == "ResidualBlock"
        stem = None
        if "expand" not in parts and children[index - 1][0] == "conv0" and not residual:
            plan.pop()  # the stem becomes the block's first stage
            stem = _matrices(model, ["conv0"])["conv0"]
            prepared.append(stem)
        plan.append(("block", (mats, residual, stem)))
        prepared.append(mats)

    def block(x, mats, residual, stem):
        dw_weight, dw_bias, stride, padding = mats["dw"]
        project, project_bias, _, _ = mats["project"]
        inner, side = dw_weight.shape[0], x.shape[-1]
        inner_side = side if stem is None else (side + 2 * stem[3][0] - 3) // stem[2][0] + 1
        out_side = (inner_side + 2 * padding[0] - 3) // stride[0] + 1
        # the output first: the projection's bias, plus the shortcut for a residual block
        if residual:
            y = x.view(x.shape[1], -1).clone().add_(project_bias[:, None])
        else:
            y = project_bias[:, None].repeat(1, out_side**2)
        for start in range(0, inner, width):
            stop = min(start + width, inner)
            if stem is not None:
                weight, bias, s, p = stem
                e = F.conv2d(x, weight[start:stop], bias[start:stop], s, p).clamp_(0, 6)
            elif "expand" in mats:
                weight, bias, _, _ = mats["expand"]
                flat = torch.addmm(bias[start:stop, None], weight[start:stop], x.view(-1, side**2))
                e = flat.clamp_(0, 6).view(1, stop - start, side, side)
            else:
                e = x[:, start:stop]
            d = F.conv2d(
                e, dw_weight[start:stop], dw_bias[start:stop], stride, padding, 1, stop - start
            )
            y.addmm_(project[:, start:stop], d.clamp_(0, 6).view(stop - start, -1))
        return y.view(1, -1, out_side, out_side)

    def run(x):
        for kind, item in plan:
            x = item(x) if kind == "module" else block(x, *item)
        return x

    weights = set()
    for mats in prepared:
        for entry in mats.values() if isinstance(mats, dict) else [mats]:
            weights |= {storage(entry[0]), storage(entry[1])}
    return run, weights


@pytest.mark.parametrize(
    ("alpha", "resolution", "width"),
    [(1.0, 224, 1), (1.0, 224, 16), (0.35, 96, 4), (0.5, 128, 1000)],  # 1000: one slice a block
)
def test_v2_in_slices_computes_the_same_and_holds_the_calculators_peak(alpha, resolution, width):
    report, model, image = eager("mobilenet_v2", {"alpha": alpha, "resolution": resolution})
    run, prepared = sliced_v2(model, width)
    with torch.no_grad():
        expected = model(image)
    calls = Calls(weight_storages(model) | prepared)
    with torch.no_grad(), calls:
        output = run(image)
    torch.testing.assert_close(output, expected, rtol=1e-4, atol=1e-4)
    split = network_memory(report, split_channels=width)
    assert split.peak_bytes == peak_bytes(calls, image, output)
    if width < 32:  # narrow slices beat layer by layer; whole blocks at once need not
        assert split.peak_bytes < network_memory(report).peak_bytes


def test_the_attention_matrix_can_be_the_peak():
    """Narrow Hybrid-M at a large input: the heads are never narrowed and the scores grow with the
    square of the pixels, so the peak is where the scores and their softmax are both live."""
    report, model, image = eager(
        "mobilenet_v4", {"variant": "hybrid_medium", "alpha": 0.25, "resolution": 768}
    )
    calls, output, _ = traced(model, image)
    memory = network_memory(report)
    assert memory.peak_layer.endswith("attn/softmax")
    assert memory.peak_bytes == peak_bytes(calls, image, output)
