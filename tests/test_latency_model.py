"""The latency model's prediction and calibration files (torch-free): a prediction is the sum of
its layers and the fixed cost, each layer the dot product of its kind's coefficients with features
computed here independently; files round-trip; every bad file is refused in one line, exit 2; a
file from another CPU loads with a note; ``table --latency`` works for every network without
importing torch."""

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnetcalc import InvalidArgument, MobileNetConfig
from mnetcalc.core.layers import LayerCost
from mnetcalc.latency_model import (
    FUSED_DEPTHWISE,
    MAX_FILE_BYTES,
    SCHEMA_VERSION,
    Calibration,
    ThreadModel,
    UnfusedRows,
    feeds_a_sum,
    fusion,
    load_calibration,
    network_features,
    predict,
    row_features,
    runs_unfused,
    shipped_calibration,
)
from mnetcalc.networks.registry import NETWORKS, network_cost

COEFFICIENTS = {
    "conv": {"calls": 5.0, "mult_adds": 20.0, "bytes": 10.0, "dram_bytes": 30.0},
    "conv_dw": {"calls": 3.0, "mult_adds": 1.0, "lane_mult_adds": 4.0, "bytes": 90.0},
    "conv_pw": {"calls": 2.0, "mult_adds": 0.5, "lane_mult_adds": 18.0, "bytes": 7.0},
    "conv_dw_fused": {"mult_adds": 1.5, "lane_mult_adds": 3.0, "bytes": 40.0},
    "conv_unfused": {"calls": 6.0, "mult_adds": 25.0, "bytes": 12.0, "dram_bytes": 30.0},
    "conv_dw_unfused": {"calls": 4.0, "mult_adds": 2.0, "lane_mult_adds": 4.0, "bytes": 95.0},
    "conv_pw_unfused": {
        "calls": 3.0,
        "mult_adds": 0.7,
        "lane_mult_adds": 20.0,
        "bytes": 9.0,
        "dram_bytes": 40.0,
    },
    "fc": {"calls": 1.0, "mult_adds": 80.0, "bytes": 0.0, "dram_bytes": 35.0},
    "pool": {"calls": 7.0, "bytes": 130.0},
    "lrn": {"calls": 2000.0, "bytes": 3000.0},
    "concat": {"calls": 1.0, "bytes": 60.0},
    "add": {"calls": 1.5, "bytes": 2.0},
}
MACHINE = {"cpu": "Test CPU", "isa": ["avx2", "avx512f"], "cache_bytes": 2**20}
REFERENCE = {
    "label": "mobilenet_v1 0.5/160",
    "network": "mobilenet_v1",
    "options": {"alpha": 0.5, "resolution": 160},
}
#: The reference's per-round medians: p10 1.8, median 2.0, p90 2.3 ms (the model predicts the
#: reference within 10x of 2.0 ms: checked below).
REFERENCE_MS = {"p10": 1.8, "median": 2.0, "p90": 2.3, "rounds": 40}
MODEL_ERROR = {"p10": -0.06, "p90": 0.05, "rmspe": 0.04, "loo": []}


def model(threads=1, **changes) -> ThreadModel:
    fields = {
        "threads": threads,
        "fixed_us": 12.0,
        "coefficients": COEFFICIENTS,
        "reference_ms": REFERENCE_MS,
        "drift": 0.25,
        "model_error": MODEL_ERROR,
        "fit": {"samples": 3, "rmspe": 0.1, "residuals": []},
        "baselines": {"mult_adds_us_per_million": 25.0},
    }
    return ThreadModel(**{**fields, **changes})


def calibration(threads=(1,), **changes) -> Calibration:
    fields = {
        "models": {t: model(t) for t in threads},
        "machine": MACHINE,
        "reference": REFERENCE,
        "versions": {"torch": "2.13.0", "mnetcalc": "0.1.0"},
        "created": "2026-12-04T00:00:00+00:00",
    }
    return Calibration(**{**fields, **changes})


def test_the_made_up_model_predicts_its_reference_within_10x():
    us = calibration().predict(network_cost("mobilenet_v1", alpha=0.5, resolution=160)).total_us
    assert 0.1 < us / 2000 < 10


def test_a_pointwise_row_by_hand():
    # 1x1 from 11 to 22 channels on 10x10, stride 1, BatchNorm (one bias per output channel):
    # mult-adds 11*22*100; with 16 lanes as if 16 -> 32; bytes 4 * (11*100 + 11*22 + 22 + 22*100).
    row = LayerCost("pw", "conv_pw", 1, 1, 11, 22, 10, 10, 11 * 22 * 100, 11 * 22, bn_params=44)
    mult_adds, lanes = 11 * 22 * 100 / 1e6, 16 * 32 * 100 / 1e6
    moved = 4 * (11 * 100 + 11 * 22 + 22 + 22 * 100) / 1e6
    c = COEFFICIENTS["conv_pw"]
    expected = c["calls"] + c["mult_adds"] * mult_adds + c["lane_mult_adds"] * lanes
    expected += c["bytes"] * moved  # far below the 1 MiB cache: no dram_bytes
    assert calibration().layer_us(row) == pytest.approx(expected, rel=1e-12)


def test_bytes_beyond_the_cache_cost_extra():
    # an fc layer with 4 MB of weights, 1 MiB cache: the bytes beyond it are dram_bytes
    row = LayerCost("fc", "fc", 1, 1, 1000, 1000, 1, 1, 10**6, 10**6, bias_params=1000)
    moved = 4 * (1000 + 10**6 + 1000 + 1000)
    c = COEFFICIENTS["fc"]
    expected = c["calls"] + c["mult_adds"] + c["dram_bytes"] * (moved - 2**20) / 1e6
    assert calibration().layer_us(row) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_prediction_is_the_sum_of_its_layers_and_the_fixed_cost(name):
    report = NETWORKS[name].config_class()().cost()
    prediction = calibration().predict(report)
    assert len(prediction.layers) == len(report.layers)
    assert prediction.total_us == pytest.approx(12.0 + sum(p.us for p in prediction))
    assert all(p.us > 0 for p in prediction if p.type != "tap")
    assert all(p.us == 0 for p in prediction if p.type == "tap")
    assert prediction.total_ms == pytest.approx(prediction.total_us / 1e3)
    # the shortcut choose takes, and the per-row entry point, are the same sums exactly
    assert calibration().total_ms(report) == prediction.total_ms
    rows = report.layers
    flags = fusion(rows)
    alone = [
        calibration().layer_us(row, before, fused=flag)
        for before, row, flag in zip((None, *rows), rows, flags)
    ]
    assert alone == [p.us for p in prediction]


def test_unknown_layer_type_and_missing_kind_are_refused():
    row = LayerCost("se", "squeeze_excite", 1, 1, 8, 8, 7, 7, 100, 100)
    with pytest.raises(InvalidArgument, match="squeeze_excite"):
        calibration().layer_us(row)
    without_lrn = {k: v for k, v in COEFFICIENTS.items() if k != "lrn"}
    with pytest.raises(InvalidArgument, match="lrn"):
        calibration(models={1: model(coefficients=without_lrn)}).predict(
            NETWORKS["alexnet"].config_class()().cost()
        )


def test_a_calibration_is_an_immutable_record():
    original = calibration()
    with pytest.raises(AttributeError):
        original.created = ""
    changed = original.replace(created="yesterday")
    assert changed.created == "yesterday" and original.created != "yesterday"
    assert changed.replace(created=original.created) == original != changed
    assert (original.engine, original.precision, original.batch) == ("optimize", "float32", 1)
    with pytest.raises(InvalidArgument, match="fixed_ms"):
        original.replace(fixed_ms=1.0)


def test_the_interval_by_hand():
    # high = median * (p90 / median_ref) / (1 + min(0, p10 error)); low likewise with p10, p90
    report = MobileNetConfig(0.5, resolution=160).cost()
    prediction = calibration().predict(report)
    median = prediction.median_ms
    assert median == prediction.total_ms == (12.0 + sum(p.us for p in prediction)) / 1e3
    assert prediction.high_ms == pytest.approx(median * (2.3 / 2.0) / (1 - 0.06), rel=1e-12)
    assert prediction.low_ms == pytest.approx(median * (1.8 / 2.0) / (1 + 0.05), rel=1e-12)
    assert prediction.margin == pytest.approx(prediction.high_ms / median - 1, rel=1e-12)
    # an over-predicting model (p10 > 0) does not narrow the top, an under-predicting one (p90 <
    # 0) not the bottom
    over = calibration(models={1: model(model_error={"p10": 0.02, "p90": 0.03})})
    assert over.predict(report).high_ms == pytest.approx(median * 2.3 / 2.0, rel=1e-12)
    under = calibration(models={1: model(model_error={"p10": -0.03, "p90": -0.01})})
    assert under.predict(report).low_ms == pytest.approx(median * 1.8 / 2.0, rel=1e-12)
    # the shortcut choose takes gives the same numbers
    estimate = calibration().estimate(report)
    assert (estimate.median_ms, estimate.low_ms, estimate.high_ms) == pytest.approx(
        (median, prediction.low_ms, prediction.high_ms), rel=1e-12
    )
    assert estimate.upper() == estimate.high_ms and estimate.upper(0) == estimate.median_ms
    assert estimate.upper(0.5) == pytest.approx(1.5 * median)


def test_one_model_per_thread_count_and_the_default():
    two = calibration(threads=(1, 2)).replace(
        models={1: model(1), 2: model(2, coefficients={**COEFFICIENTS, "conv": {"calls": 1.0}})}
    )
    report = MobileNetConfig(0.5, resolution=160).cost()
    assert two.thread_counts == (1, 2) and two.default_threads == 1
    assert two.predict(report).threads == 1
    assert two.predict(report, 2).total_us < two.predict(report, 1).total_us
    # no model of 1 thread: the smallest count is the default
    assert calibration(threads=(4, 2)).default_threads == 2
    assert calibration(threads=(4, 2)).thread_counts == (2, 4)


@pytest.mark.parametrize("threads", [3, 0, "2"])
def test_a_thread_count_the_file_lacks_is_refused_naming_those_it_has(threads):
    with pytest.raises(InvalidArgument) as error:
        calibration(threads=(2, 4)).predict(MobileNetConfig().cost(), threads)
    message = str(error.value)
    assert "only of 2, 4" in message and "\n" not in message and error.value.name == "threads"


def test_round_trip(tmp_path):
    path = tmp_path / "cal.json"
    for original in (calibration(), calibration(threads=(1, 2)).replace(provisional=True)):
        original.save(path)
        assert load_calibration(path) == original
        data = json.loads(path.read_text())
        assert data["schema"] == SCHEMA_VERSION == 2
        assert list(data["models"]) == [str(t) for t in original.thread_counts]
        assert data.get("provisional", False) == original.provisional


def test_shipped_calibration_predicts_every_network():
    shipped = shipped_calibration()
    assert {1, 2} <= set(shipped.thread_counts) and shipped.cpu
    assert all(model.fit["samples"] > 0 for model in shipped.models.values())
    report = MobileNetConfig(0.5, resolution=160).cost()
    assert predict(report).total_ms == shipped.predict(report).total_ms > 0


def _text(**changes) -> str:
    data = calibration().to_dict()
    data.update(changes)
    return json.dumps(data)


BAD_FILES = {
    "corrupt": ("{", "not valid JSON"),
    "not an object": ("[1, 2]", "JSON object"),
    "version 1": (_text(schema=1), "older mnetcalc (schema 1, fastest call at one thread)"),
    "other schema": (_text(schema=SCHEMA_VERSION + 1), "schema version"),
    "no schema": (json.dumps({"coefficients": {}}), "schema version"),
    "NaN": (_text().replace('"fixed_us": 12.0', '"fixed_us": NaN'), "non-finite"),
    "Infinity": (_text().replace('"fixed_us": 12.0', '"fixed_us": Infinity'), "non-finite"),
    "huge exponent": (_text().replace('"fixed_us": 12.0', '"fixed_us": 1e999'), "finite"),
    "no models": (_text(models={}), "empty"),
    "unknown feature": (
        _text().replace('"calls": 5.0', '"colour": 5.0'),
        "unknown feature 'colour'",
    ),
    "string coefficient": (_text().replace('"calls": 5.0', '"calls": "5"'), "must be a number"),
    "zero threads": (_text().replace('"threads": 1', '"threads": 0'), "threads"),
    "other engine": (_text(engine="onnxruntime"), "engine"),
    "no cpu": (_text(machine={}), "missing field machine.'cpu'"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_in_one_line(tmp_path, case):
    text, words = BAD_FILES[case]
    path = tmp_path / "cal.json"
    path.write_text(text)
    with pytest.raises(InvalidArgument) as error:
        load_calibration(path)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_a_file_larger_than_any_calibration_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    monkeypatch.setattr("builtins.open", None)  # it must not even be opened
    with pytest.raises(InvalidArgument, match="more than any calibration file"):
        load_calibration(path)


def run_cli(*args):
    probe = (
        "import sys; from mnetcalc.cli import main; code = main(sys.argv[1:]); "
        "sys.stderr.write('torch imported' if 'torch' in sys.modules else ''); sys.exit(code)"
    )
    return subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True)


@pytest.mark.parametrize("case", ["corrupt", "other schema", "NaN", "version 1"])
def test_cli_refuses_bad_files_with_exit_2(tmp_path, case):
    path = tmp_path / "cal.json"
    path.write_text(BAD_FILES[case][0])
    done = run_cli("table", "--latency", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_cli_refuses_an_oversized_and_a_missing_file(tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    for path in (big, tmp_path / "absent.json"):
        done = run_cli("table", "--latency", str(path))
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_cli_says_on_stdout_that_a_file_comes_from_another_cpu(tmp_path):
    path = tmp_path / "cal.json"
    calibration(machine={"cpu": "Some Other CPU 9000", "isa": []}).save(path)
    done = run_cli("table", "--latency", str(path))
    assert done.returncode == 0 and done.stderr == ""
    assert "made on Some Other CPU 9000, not on this machine's" in " ".join(done.stdout.split())
    csv = run_cli("table", "--latency", str(path), "--format", "csv")
    assert csv.returncode == 0 and csv.stderr == ""
    assert csv.stdout.splitlines()[0].endswith(",predicted_ms,low_ms,high_ms")


@pytest.mark.parametrize("name", list(NETWORKS))
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_table_latency_for_every_network_without_torch(tmp_path, name, fmt):
    path = tmp_path / "cal.json"
    here = calibration(
        machine={**calibration().machine, "cpu": shipped_calibration().machine["cpu"]}
    )
    here.save(path)
    done = run_cli("table", "--network", name, "--latency", str(path), "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert "torch imported" not in done.stderr
    if fmt == "json":
        data = json.loads(done.stdout)
        expected = here.predict(NETWORKS[name].config_class()().cost()).total_ms
        assert data["total"]["predicted_ms"] == pytest.approx(expected)
        layers = sum(layer["predicted_ms"] for layer in data["layers"])
        assert data["total"]["predicted_ms"] == pytest.approx(layers + data["total"]["fixed_ms"])
    else:
        assert "predicted ms" in done.stdout


def test_markdown_has_the_total_row():
    done = run_cli("table", "--latency", "shipped", "--format", "markdown")
    assert done.returncode == 0 and "**total**" in done.stdout


def test_the_shipped_calibration_reaches_the_browser_zip(tmp_path):
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("pack", root / "scripts" / "pack_sources.py")
    pack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pack)
    names = pack.pack(tmp_path / "m.zip", root / "mnetcalc")
    assert "mnetcalc/calibration_default.json" in names


@pytest.mark.parametrize(
    "args", [["--alpha", "0.5"], ["--optimize", "--threads", "1", "--batch", "2"]]
)
def test_bench_latency_needs_the_calibrated_path_and_refuses_before_torch(args):
    # the shipped calibration is of 1 thread, optimize(), batch 1
    done = run_cli("bench", "--latency", "shipped", *args)
    assert done.returncode == 2 and "torch imported" not in done.stderr
    assert "--latency predicts --optimize" in done.stderr


@settings(max_examples=40, deadline=None)
@given(
    alpha=st.sampled_from([0.25, 0.35, 0.5, 0.75, 1.0, 1.4]),
    resolution=st.integers(32, 400),
    step=st.integers(1, 64),
)
def test_a_larger_input_is_never_predicted_faster(alpha, resolution, step):
    # every feature grows with the input side and no coefficient is negative
    shipped = shipped_calibration()
    small = shipped.predict(MobileNetConfig(alpha, resolution=resolution).cost()).total_us
    large = shipped.predict(MobileNetConfig(alpha, resolution=resolution + step).cost()).total_us
    assert large >= small


def test_a_new_layer_type_can_be_given_a_kind(monkeypatch):
    from mnetcalc import latency_model
    from mnetcalc.latency_model import features

    monkeypatch.setattr(features, "KINDS", dict(features.KINDS))
    monkeypatch.setattr(features, "ROW_KINDS", dict(features.ROW_KINDS))
    latency_model.register_kind("hswish", "activation", ("calls", "bytes"))
    row = LayerCost("act", "hswish", 1, 1, 16, 16, 10, 10, 0, 0)
    coefficients = {**COEFFICIENTS, "activation": {"calls": 2.0, "bytes": 10.0}}
    moved = 4 * (1600 + 1600) / 1e6
    fitted = calibration(models={1: model(coefficients=coefficients)})
    assert fitted.layer_us(row) == pytest.approx(2 + 10 * moved)
    with pytest.raises(InvalidArgument, match="needs features"):
        latency_model.register_kind("x", "other", ("colour",))


def test_the_browser_entry_point_runs_table_latency_with_the_shipped_calibration():
    from mnetcalc.browser import run

    out = run("table --network mobilenet_v2 --latency shipped --format json")
    assert out.status == 0, out.stderr
    assert json.loads(out.stdout)["total"]["predicted_ms"] > 0


@pytest.mark.parametrize(
    "network,options,partitions",
    # oneDNN Graph partitions of optimize()'s graph at one thread, counted with torch's profiler
    # (LlgaPartition_ events, as benchmarks/engine_overhead.py counts them) on 2026-12-08; the
    # global average pool runs outside oneDNN Graph (aten::adaptive_avg_pool2d), one call more
    [
        ("mobilenet_v1", {"alpha": 0.5, "resolution": 160}, 16),
        ("mobilenet_v1", {"alpha": 1.0, "resolution": 224}, 16),
        ("mobilenet_v2", {"resolution": 160}, 37),
        ("mobilenet_v4", {"resolution": 224, "variant": "conv_small"}, 38),
        ("mobilenet_v4", {"resolution": 256, "variant": "conv_medium"}, 72),
        ("mobilenet_v4", {"resolution": 384, "variant": "conv_large"}, 90),
        ("mobilenet_v4", {"resolution": 256, "variant": "conv_aa_medium"}, 76),
    ],
)
def test_rows_that_run_fused_are_not_charged_a_call(network, options, partitions):
    rows = NETWORKS[network].config_class()(**options).cost().layers
    calls = sum(
        row_features(row, fused=fused)[1].get("calls", 0)
        for row, fused in zip(rows, fusion(rows), strict=True)
        if row.type != "tap"
    )
    assert calls == partitions + 1


def test_a_depthwise_layer_fuses_after_a_1x1_unless_the_1x1_output_feeds_a_sum():
    # MobileNetV4 Conv-M at 256: block2's 1x1 output feeds block3's sum, so block3's first
    # depthwise layer runs alone; block1's output feeds no sum (block2 changes the channels), so
    # block2's first depthwise layer runs in block1's partition (profiler, 2026-12-08)
    rows = NETWORKS["mobilenet_v4"].config_class()(resolution=256, variant="conv_medium")
    rows = rows.cost().layers
    fused = dict(zip((row.name for row in rows), fusion(rows), strict=True))
    shared = dict(zip((row.name for row in rows), feeds_a_sum(rows), strict=True))
    assert fused["block2/dw_start"] and not shared["block1/project"]
    assert not fused["block3/dw_start"] and shared["block2/project"]
    assert not fused["block2/dw_mid"]  # 5x5: never fused
    assert fused["block3/dw_mid"]  # 3x3 after the block's own 1x1
    assert fused["block3"]  # the sum, after the 1x1 that it adds
    assert row_features(rows[3], fused=True)[0] == FUSED_DEPTHWISE


def test_predict_takes_a_report_a_configuration_or_a_name():
    shipped = shipped_calibration()
    config = MobileNetConfig(0.5, resolution=160)
    by_report = shipped.predict(config.cost())
    assert shipped.predict(config) == by_report
    assert shipped.estimate(config) == by_report.estimate
    assert shipped.predict("mobilenet_v1") == shipped.predict(MobileNetConfig().cost())
    with pytest.raises(InvalidArgument, match="network"):
        shipped.predict("nosuch")


def test_a_network_with_attention_runs_unfused_with_kinds_of_its_own():
    # optimize() falls back to the unfused graph for MobileNetV4's hybrids (no oneDNN Graph
    # partition: tests/test_engines.py), so no row shares a call and every convolution is costed
    # as an unfused kind
    rows = NETWORKS["mobilenet_v4"].config_class()(variant="hybrid_medium").cost().layers
    assert runs_unfused(rows) and not any(fusion(rows))
    kinds = {row.type: kind for row, kind, _ in network_features(rows) if kind}
    assert kinds["conv"] == "conv_unfused" and kinds["conv_dw"] == "conv_dw_unfused"
    assert kinds["conv_pw"] == "conv_pw_unfused" and kinds["fc"] == "fc"
    conv_small = NETWORKS["mobilenet_v4"].config_class()(variant="conv_small").cost().layers
    assert not runs_unfused(conv_small)
    assert not any(kind.endswith("_unfused") for _, kind, _ in network_features(conv_small) if kind)


def test_rows_marked_unfused_are_costed_as_timed_without_fusion():
    rows = NETWORKS["mobilenet_v2"].config_class()(resolution=96).cost().layers
    plain, marked = network_features(rows), network_features(UnfusedRows(rows))
    assert any(kind == FUSED_DEPTHWISE for _, kind, _ in plain)
    assert all(
        not kind or kind in ("add", "fc", "pool") or kind.endswith("_unfused")
        for _, kind, _ in marked
    )
    assert all(values.get("calls", 1) == 1 for _, kind, values in marked if kind)
    prediction = calibration().predict(UnfusedRows(rows))
    assert prediction.total_us > calibration().predict(rows).total_us  # costlier made-up kinds


def test_network_features_takes_any_iterable_of_rows():
    # rows are read once: an iterator gives what a tuple gives, fused and unfused networks alike
    for variant in ("conv_small", "hybrid_medium"):
        rows = NETWORKS["mobilenet_v4"].config_class()(variant=variant).cost().layers
        assert network_features(iter(rows)) == network_features(tuple(rows))
        assert len(network_features(iter(rows))) == len(rows)


def test_a_row_of_a_network_run_unfused_pays_its_call_whatever_fused_says():
    # row_features forces fused=False when unfused; layer_us and row_us must cost it the same
    rows = NETWORKS["mobilenet_v2"].config_class()(resolution=96).cost().layers
    cal = calibration()
    pw = next(
        i for i, r in enumerate(rows) if r.type == "conv_pw" and rows[i + 1].type == "conv_dw"
    )
    row, previous = rows[pw + 1], rows[pw]
    plain = cal.layer_us(row, previous, unfused=True)
    assert cal.layer_us(row, previous, fused=True, unfused=True) == plain
    kind, values = row_features(row, cal.cache_bytes, cal.lanes, previous, fused=True, unfused=True)
    model = cal.model(1)
    assert kind == "conv_dw_unfused" and values["calls"] == 1
    assert math.isclose(plain, sum(model.coefficients[kind][f] * v for f, v in values.items()))
