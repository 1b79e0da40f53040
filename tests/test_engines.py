"""The engines side by side: a small MobileNet exported to ONNX and run by ONNX Runtime and
OpenVINO gives the plain model's output (float32 to FLOAT32_TOLERANCE; OpenVINO's default precision,
bf16 on some CPUs, to bf16's rounding). No timing here (benchmarks/engines.py)."""

import numpy as np
import pytest

import mnetcalc

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("openvino")

from mnetcalc.latency_model.machine import ISA_FLAGS, MachineInfo, isa_flags  # noqa: E402
from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model  # noqa: E402
from mnetcalc.runtime.engines import PRICED_ENGINES, layer_chain, layer_price  # noqa: E402
from mnetcalc.runtime.runners import (  # noqa: E402
    ENGINES,
    FLOAT32_ENGINES,
    FLOAT32_TOLERANCE,
    agreement,
    engine_runners,
    openvino_precision,
)
from mnetcalc.validation import InvalidArgument  # noqa: E402

#: bfloat16 keeps 8 significant bits: relative rounding 2**-8 per operation, over ~30 layers.
BF16_TOLERANCE = 5e-2


@pytest.fixture(scope="module")
def small():
    torch.manual_seed(0)
    model = mobilenet_v1_model(0.25, num_classes=10).eval()
    return model, engine_runners(model, 32, threads=1)


def test_every_engine_is_built(small):
    _, runners = small
    assert tuple(runners) == ENGINES


def test_float32_engines_agree_with_the_plain_model(small):
    model, runners = small
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))  # batch 2: dynamic
    with torch.no_grad():
        expected = model(x).numpy()
    assert expected.shape == (2, 10)
    result = agreement({name: runners[name] for name in FLOAT32_ENGINES}, x)
    for name in FLOAT32_ENGINES:
        assert result[name].ok, result[name]
        assert runners[name](x).shape == (2, 10)


def test_openvino_default_precision_is_f32_or_bf16_and_agrees(small):
    _, runners = small
    precision = openvino_precision(runners["openvino"])
    assert openvino_precision(runners["openvino_f32"]) == "f32"
    assert precision in ("f32", "bf16")
    x = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    result = agreement(runners, x, tolerances={"openvino": BF16_TOLERANCE})
    assert result["openvino"].ok, result["openvino"]
    if precision == "f32":
        assert result["openvino"].error <= FLOAT32_TOLERANCE


def test_agreement_notices_a_wrong_engine(small):
    _, runners = small
    wrong = {"plain": runners["plain"], "wrong": lambda x: runners["plain"](x) + 0.01}
    result = agreement(wrong, torch.zeros(1, 3, 32, 32))
    assert not result["wrong"].ok
    assert result["wrong"].error == pytest.approx(0.01, rel=1e-3)  # outputs of |y| < 1 here


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="'tensorrt'"):
        engine_runners(mobilenet_v1_model(0.25), 32, threads=1, engines=["tensorrt"])


def test_isa_flags_come_from_proc_cpuinfo():
    flags = isa_flags()
    assert set(flags) <= set(ISA_FLAGS)
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            words = set(info.read().split())
    except OSError:
        pytest.skip("no /proc/cpuinfo")
    assert set(flags) == {flag for flag in ISA_FLAGS if flag in words}
    machine = MachineInfo.current(1)
    assert all(flag in machine.describe() for flag in flags)
    assert machine.to_dict()["isa"] == list(flags)


def test_ort_and_openvino_outputs_are_numpy(small):
    _, runners = small
    x = np.zeros((1, 3, 32, 32), dtype=np.float32)
    for name in ("onnxruntime", "openvino_f32"):
        assert isinstance(runners[name](x), np.ndarray)


def test_bench_cli_runs_an_engine(capsys):
    import json

    from mnetcalc.cli import main

    args = "bench --alpha 0.25 --res 32 --threads 1 --rounds 1 --seconds 0.01".split()
    assert main([*args, "--engine", "onnxruntime", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["engine"] == "onnxruntime" and data["machine"]["threads"] == 1
    assert data["latency"]["median_s"] > 0


#: ``mnetcalc bench --engine all`` on a tiny network, one short round (no timing asserted).
QUICK_ALL = "bench --alpha 0.25 --res 32 --threads 1 --rounds 1 --seconds 0.01 --engine all".split()


def test_bench_cli_all_engines_json(capsys):
    import json

    from mnetcalc.cli import main

    assert main([*QUICK_ALL, "--batch", "2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {row["engine"]: row for row in data["engines"]}
    assert tuple(rows) == (*ENGINES, "bfloat16", "int8")
    assert data["batch"] == 2 and data["machine"]["threads"] == 1
    assert data["mult_adds"] == mnetcalc.mobilenet_v1_cost(0.25, resolution=32).mult_adds
    assert data["openvino_default_precision"] in ("f32", "bf16")
    assert rows["openvino"]["precision"] == data["openvino_default_precision"]
    fastest = min(FLOAT32_ENGINES, key=lambda name: rows[name]["median_s"])
    assert data["fastest_float32"] == fastest and rows[fastest]["ratio"] == 1.0
    for row in rows.values():
        assert row["ratio"] == pytest.approx(row["median_s"] / rows[fastest]["median_s"])
        assert row["agrees"] and row["error"] <= row["tolerance"]
    assert rows["plain"]["error"] == 0
    assert all(rows[name]["error"] <= FLOAT32_TOLERANCE for name in FLOAT32_ENGINES)


def test_bench_cli_all_engines_text(capsys):
    from mnetcalc.cli import main

    assert main(QUICK_ALL) == 0
    out = capsys.readouterr().out
    table = out.split("\n\n")[1].splitlines()
    assert table[0].split()[:2] == ["engine", "computes"] and "max error" in table[0]
    assert [line.split()[0] for line in table[2:]] == [*ENGINES, "bfloat16", "int8"]
    assert "OpenVINO's default precision" in out and "calibrated on 16 random" in out
    flat, machine = " ".join(out.split()), MachineInfo.current(1)  # the machine line wraps
    assert machine.cpu in flat and "1 thread(s) used" in flat and machine.torch_version in flat
    assert all(flag in flat for flag in machine.isa)


def test_bench_cli_all_engines_reports_an_engine_that_disagrees(capsys, monkeypatch):
    import mnetcalc.runtime.engines
    from mnetcalc.cli import main
    from mnetcalc.runtime.engines import EngineComparison, EngineRow
    from mnetcalc.runtime.latency import Latency

    rows = (
        EngineRow("plain", Latency((2e-3,)), 2.0, 0.0),
        EngineRow("onnxruntime", Latency((1e-3,)), 1.0, 3e-2),  # float32 off by 3e-2
    )
    fake = EngineComparison(rows, "f32", 16)
    monkeypatch.setattr(mnetcalc.runtime.engines, "compare_config", lambda config, **options: fake)
    assert main(QUICK_ALL) == 1
    captured = capsys.readouterr()
    assert "3.0e-02 > 0.0001" in captured.out
    assert captured.err.strip().splitlines() == [
        "mnetcalc: error: onnxruntime's output differs from the plain model's by 3.0e-02 "
        "(tolerance 0.0001)"
    ]


@pytest.mark.parametrize(
    "extra, bad",
    [
        (["--engine", "tensorrt"], "'tensorrt'"),
        (["--engine", "openvino", "--optimize"], "--optimize"),
        (["--engine", "all", "--optimize"], "--optimize"),
        (["--engine", "all", "--per-layer"], "--per-layer"),
    ],
)
def test_bench_cli_refuses_a_bad_engine_request(capsys, extra, bad):
    from mnetcalc.cli import main

    assert main(["bench", "--res", "32", *extra]) == 2
    err = capsys.readouterr().err
    assert bad in err and len(err.strip().splitlines()) == 1


def test_a_layer_chain_runs_the_same_under_every_priced_engine():
    chain = layer_chain(3)
    assert len(chain) == 6 and chain[0].kernel_size == (1, 1)
    runners = engine_runners(chain, 4, threads=1, engines=PRICED_ENGINES, in_channels=16)
    x = torch.randn(1, 16, 4, 4, generator=torch.Generator().manual_seed(2))
    result = agreement(runners, x)
    assert all(result[name].ok for name in PRICED_ENGINES), result


@pytest.mark.parametrize("short, long", [(8, 8), (32, 8), (0, 8)])
def test_layer_price_needs_a_longer_chain(short, long):
    with pytest.raises(ValueError, match=f"short={short}, long={long}"):
        layer_price(threads=1, short=short, long=long)


def test_a_chain_of_no_layers_is_refused():
    with pytest.raises(InvalidArgument, match="layers"):
        layer_chain(0)


def test_optimize_runs_one_partition_per_fused_group():
    """Hand count of optimize()'s oneDNN Graph partitions for MobileNet v1: the stem (conv0), the
    first depthwise layer, then each pointwise layer fused with the depthwise layer after it (12
    pairs), the last pointwise layer and the classifier: 1 + 1 + 12 + 1 + 1 = 16."""
    from mnetcalc.runtime.engines import onednn_partitions
    from mnetcalc.runtime.model import optimize

    torch.manual_seed(0)
    graph = optimize(mobilenet_v1_model(0.25).eval(), 128, threads=1)
    assert onednn_partitions(graph, torch.randn(1, 3, 128, 128)) == 1 + 1 + 12 + 1 + 1


def test_the_latency_models_fusion_counts_match_optimize_on_v4():
    """The latency model's rule (mnetcalc.latency_model.fusion) against optimize()'s own graph:
    one call per row that starts a partition, plus the global pool, which runs outside oneDNN
    Graph; and a hybrid (attention) runs without any partition, as runs_unfused says."""
    from mnetcalc.latency_model import fusion, row_kind, runs_unfused
    from mnetcalc.networks.mobilenet_v4 import MobileNetV4Config
    from mnetcalc.runtime.engines import onednn_partitions
    from mnetcalc.runtime.model import optimize

    x = torch.randn(1, 3, 96, 96)
    for variant, alpha in (("conv_small", 0.5), ("hybrid_medium", 0.5)):
        config = MobileNetV4Config(alpha, resolution=96, variant=variant)
        torch.manual_seed(0)
        graph = optimize(config.model().eval(), 96, threads=1)
        rows = config.cost().layers
        starts = sum(1 for r, f in zip(rows, fusion(rows), strict=True) if row_kind(r) and not f)
        partitions = onednn_partitions(graph, x)
        if runs_unfused(rows):
            assert partitions == 0
        else:
            assert partitions == starts - 1  # the global average pool
