"""Activation memory (mnetcalc.memory), torch-free: hand counts, the laws it must obey for every
configuration (hypothesis), and the command line. tests/test_memory_torch.py checks the same counts
against the PyTorch model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mnetcalc
from mnetcalc.cli import main
from mnetcalc.latency_model.choose import Budget, choose
from mnetcalc.memory import INT8_BYTES, network_memory
from mnetcalc.networks.registry import NETWORKS, network_cost
from mnetcalc.validation import InvalidArgument


def steps(memory) -> dict[str, int]:
    return {step.name: step.live_bytes for step in memory.steps}


def test_v1_peaks_at_its_first_pointwise_layer():
    # conv1_pw reads 32 and writes 64 channels of 112 x 112, 4 bytes each; nothing else is live
    memory = mnetcalc.network_memory(mnetcalc.mobilenet_v1_cost())
    assert (memory.peak_layer, memory.peak_bytes) == ("conv1_pw", (32 + 64) * 112**2 * 4)
    assert memory.layer("conv1_pw").activation_bytes == memory.peak_bytes
    # 0.25 MobileNet-128: 8 and 16 channels of 64 x 64, in int8
    narrow = network_memory(mnetcalc.mobilenet_v1_cost(0.25, resolution=128), INT8_BYTES)
    assert (narrow.peak_layer, narrow.peak_bytes) == ("conv1_pw", (8 + 16) * 64**2)


def test_a_residual_block_holds_its_input_until_the_sum():
    # V2 block 3 (24 -> 144 -> 144 -> 24 channels at 56 x 56, with a shortcut): while the
    # depthwise layer runs, the block's input waits for the add
    live = steps(network_memory(mnetcalc.mobilenet_v2_cost()))
    assert live["block3/dw"] == (24 + 144 + 144) * 56**2 * 4
    assert live["block3"] == 3 * 24 * 56**2 * 4  # add: input, last part's output, sum
    # block 2 has no shortcut: its input is freed after its expansion
    assert live["block2/dw"] == (96 * 112**2 + 96 * 56**2) * 4


def test_a_concatenation_holds_its_earlier_branches():
    # SqueezeNet's fire4 at 227: squeeze to 32, expands of 128 + 128 channels at 55 x 55
    live = steps(network_memory(network_cost("squeezenet")))
    assert live["fire4/expand3x3"] == (32 + 128 + 128) * 55**2 * 4
    assert live["fire4"] == 2 * 256 * 55**2 * 4


def test_a_detectors_tap_outputs_stay_until_the_end():
    # SSD head0 on conv11's 19 x 19 x 512 map: 3 anchors, 12 box and 273 class channels
    memory = network_memory(network_cost("ssd_mobilenet_v1"))
    live = steps(memory)
    assert live["head0/class"] == (512 + 12 + 273) * 19**2 * 4
    outputs = sum(
        row.output_bytes for row in memory.layers if row.name.startswith("head") and "/" in row.name
    )
    assert live["head5/class"] == outputs + 128 * 1 * 4  # all heads' outputs and extra5's map


def test_v2_memory_efficient_order_is_bounded_by_the_bottlenecks():
    # one channel at a time: the stem folds into block 1, whose live set is the image, block 1's
    # output (16 x 112 x 112) and one channel of the stem's and of the depthwise output
    report = mnetcalc.mobilenet_v2_cost()
    split = network_memory(report, split_channels=1)
    assert split.peak_layer == "conv0+block1"
    assert split.peak_bytes == (3 * 224**2 + 16 * 112**2 + 112**2 + 112**2) * 4
    assert steps(split)["block3"] == (24 * 56**2 + 24 * 56**2 + 56**2 + 56**2) * 4
    layer_by_layer = network_memory(report)
    assert split.peak_bytes < layer_by_layer.peak_bytes / 3
    assert split.layers == layer_by_layer.layers  # per-layer counts do not depend on the order


def test_int8_counts_are_a_quarter_of_float32():
    report = network_cost("mobilenet_v3")
    assert network_memory(report).peak_bytes == 4 * network_memory(report, 1).peak_bytes


def test_bad_arguments_are_refused():
    report = mnetcalc.mobilenet_v1_cost()
    for call in (
        lambda: network_memory(report, 0),
        lambda: network_memory(report, split_channels=0),
        lambda: network_memory(report).layer("conv99"),
    ):
        with pytest.raises(InvalidArgument):
            call()


NETWORK_NAMES = list(NETWORKS)


def test_mobile_mqa_holds_the_attention_matrix_until_its_softmax_is_done():
    # Hybrid-M at 128, block8: 160 channels at 8 x 8 (N = 64 pixels); 4 heads of 64 queries
    # (256 channels); one key and one value of 64 on the 4 x 4 down-sampled map (M = 16)
    memory = network_memory(network_cost("mobilenet_v4", variant="hybrid_medium", resolution=128))
    live, x, q, kv, scores = steps(memory), 160 * 64, 256 * 64, 64 * 16, 4 * 64 * 16
    # qk reads the queries and the key, writes the scores; the input waits for the add
    assert memory.layer("block8/attn/qk").activation_bytes == (q + kv + scores) * 4
    assert live["block8/attn/qk"] == (x + q + 2 * kv + scores) * 4
    # softmax: the scores and their softmax, the value for av, the block's input
    assert live["block8/attn/softmax"] == (x + kv + 2 * scores) * 4
    assert memory.layer("block8/attn/av").activation_bytes == (scores + kv + q) * 4
    assert live["block8/layer_scale"] == 3 * x * 4  # layer scale writes a new map


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(NETWORK_NAMES),
    resolution=st.integers(min_value=64, max_value=320),
    alpha=st.sampled_from([0.25, 0.35, 0.5, 0.75, 1.0, 1.4]),
)
def test_the_peak_holds_every_layers_input_and_output(name, resolution, alpha):
    options = {"resolution": resolution}
    if NETWORKS[name].alpha:
        options["alpha"] = alpha
    try:
        report = network_cost(name, **options)
    except InvalidArgument:  # too small for this network (AlexNet, VGG at 64)
        return
    memory = network_memory(report)
    assert memory.peak_bytes >= max(row.activation_bytes for row in memory.layers)
    assert all(step.live_bytes >= 0 for step in memory.steps)


@settings(max_examples=30, deadline=None)
@given(
    variant=st.sampled_from(NETWORKS["mobilenet_v4"].variants),
    resolution=st.integers(min_value=32, max_value=384),
    alpha=st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.5]),
)
def test_every_mobilenet_v4_row_is_one_step_and_within_the_peak(variant, resolution, alpha):
    try:
        report = network_cost("mobilenet_v4", variant=variant, resolution=resolution, alpha=alpha)
    except InvalidArgument:  # too small for the anti-aliased variants' 2 x 2 pools
        return
    memory = network_memory(report)
    assert [step.name for step in memory.steps] == [row.name for row in report.layers]
    assert memory.peak_bytes >= max(row.activation_bytes for row in memory.layers)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["mobilenet_v1", "mobilenet_v2", "mobilenet_v3"]),
    resolution=st.integers(min_value=32, max_value=320),
    step=st.integers(min_value=1, max_value=64),
    alpha=st.floats(min_value=0.1, max_value=1.5),
    wider=st.floats(min_value=0.0, max_value=0.5),
    split=st.sampled_from([None, 1, 4]),
)
def test_the_peak_grows_with_resolution_and_width(name, resolution, step, alpha, wider, split):
    def peak(a, r):
        return network_memory(network_cost(name, alpha=a, resolution=r), split_channels=split)

    base = peak(alpha, resolution).peak_bytes
    assert peak(alpha, resolution + step).peak_bytes >= base
    assert peak(alpha + wider, resolution).peak_bytes >= base


def test_table_json_csv_and_text_carry_the_counts(capsys):
    report = mnetcalc.mobilenet_v1_cost(0.5, resolution=160)
    memory = network_memory(report)
    assert main(["table", "--alpha", "0.5", "--res", "160", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["peak_bytes"], data["peak_layer"]) == (memory.peak_bytes, memory.peak_layer)
    assert [layer["activation_bytes"] for layer in data["layers"]] == [
        row.activation_bytes for row in memory.layers
    ]
    assert main(["table", "--alpha", "0.5", "--res", "160", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(",activation_bytes")
    assert lines[1].endswith(f",{memory.layers[0].activation_bytes}")
    assert main(["table", "--alpha", "0.5", "--res", "160", "--memory"]) == 0
    text = capsys.readouterr().out
    assert "act. (kB)" in text and f"{memory.peak_bytes / 1e3:,.1f} kB float32" in text
    assert main(["table", "--memory", "--latency", "shipped"]) == 2


def test_choose_keeps_the_checkpoints_within_a_memory_budget():
    budget = Budget(memory_mb=0.262144)  # 256 KiB of SRAM

    def latency(report):
        return 1.0

    fits = choose(budget, latency, quantized=True)
    assert fits and all(c.memory_mb <= 0.262144 for c in fits)
    for c in fits:
        peak = network_memory(c.checkpoint.config().cost(), 1 if c.checkpoint.quantized else 4)
        assert c.memory_mb == peak.peak_bytes / 1e6
    assert all(c.checkpoint.quantized for c in fits)  # no float checkpoint is that small
    assert budget.describe() == "--memory-mb 0.262144"
