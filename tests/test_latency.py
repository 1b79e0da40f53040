"""The latency tools: statistics, machine info, layer alignment, bench CLI (no timing asserted)."""

import json
import statistics

import pytest

import mnetcalc
from mnetcalc.cli import main
from mnetcalc.latency_model.machine import MachineInfo, cpu_model

torch = pytest.importorskip("torch")

from mnetcalc import MobileNetConfig  # noqa: E402
from mnetcalc.runtime.latency import (  # noqa: E402
    BenchConfig,
    Latency,
    interleaved,
    measure_latency,
    measure_layers,
)
from mnetcalc.validation import InvalidArgument  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

QUICK = dict(rounds=1, round_time=0.01, progress=False)


def test_latency_summaries():
    lat = Latency((0.004, 0.001, 0.003, 0.002, 0.010))
    assert lat.median == 0.003 and lat.min == 0.001
    # inclusive quartiles of 1, 2, 3, 4, 10 (ms): Q1 = 2, Q3 = 4
    assert lat.iqr == pytest.approx(0.002)
    # 2 x mult-adds per second: 1.5 M mult-adds in 3 ms = 1 GFLOP/s
    assert lat.gflops(1_500_000) == pytest.approx(1.0)


def test_machine_info_names_the_cpu_and_torch():
    info = MachineInfo.current(threads=1)
    assert info.cpu == cpu_model() and info.cpu
    assert info.torch_version == torch.__version__
    assert info.threads == 1 and info.logical_cpus >= 1
    assert info.cpu in info.describe() and torch.__version__ in info.describe()


def test_interleaved_times_every_candidate_and_restores_threads():
    before = torch.get_num_threads()
    calls = []
    result = interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        threads=1,
        rounds=2,
        round_time=0.001,
        warmup=1,
        progress=False,
    )
    assert set(result) == {"a", "b"}
    assert all(lat.min > 0 and len(lat.times) >= 2 for lat in result.values())
    assert calls[:2] == ["a", "b"]  # warm-up, then alternating rounds
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("level", ["eager", "optimized"])
def test_whole_model_result_carries_config_work_and_machine(level):
    config = BenchConfig(MobileNetConfig(0.25, resolution=64), threads=1, level=level)
    result = measure_latency(config, **QUICK)
    assert result.mult_adds == mnetcalc.mobilenet_v1_cost(0.25, resolution=64).mult_adds
    assert result.gflops == pytest.approx(2 * result.mult_adds / result.latency.median / 1e9)
    data = result.to_dict()
    assert data["machine"]["cpu"] == cpu_model() and data["level"] == level
    assert data["latency"]["min_s"] <= data["latency"]["median_s"]


@pytest.mark.parametrize("level", ["eager", "optimized"])
@pytest.mark.parametrize("variant", ["separable", "standard"])
def test_per_layer_rows_align_with_the_calculator(level, variant):
    config = BenchConfig(
        MobileNetConfig(0.25, resolution=32, variant=variant), threads=1, level=level
    )
    times = measure_layers(config, whole_model=False, **QUICK)
    report = config.report()
    assert [t.name for t in times.layers] == [r.name for r in report.layers]
    assert sum(t.time_share for t in times.layers) == pytest.approx(1.0)
    assert sum(t.mult_adds_share for t in times.layers) == pytest.approx(1.0)
    assert [t.mult_adds for t in times.layers] == [r.mult_adds for r in report.layers]
    assert times.layers_total == pytest.approx(
        sum(statistics.median(t.latency.times) for t in times.layers)
    )


@pytest.mark.parametrize("name", ["mobilenet_v2", "mobilenet_v3"])
def test_per_layer_rows_of_a_network_of_blocks(name):
    # V2's and V3's blocks are one child of the model each, several rows of the report
    # ("block1/dw", ...): each is timed as one and costed as the sum of its rows (this raised
    # KeyError: 'block1/dw' before).
    network = mnetcalc.network_cost(name, alpha=0.35, resolution=32).config
    times = measure_layers(BenchConfig(network, threads=1), whole_model=False, **QUICK)
    report = network.cost()
    children = list(dict.fromkeys(row.name.split("/")[0] for row in report.layers))
    assert [t.name for t in times.layers] == children
    assert sum(t.mult_adds for t in times.layers) == report.mult_adds
    assert sum(t.time_share for t in times.layers) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(alpha=-1),
        dict(resolution=0),
        dict(threads=0),
        dict(level="fast"),
        dict(variant="deep"),
        dict(batch=0),
    ],
)
def test_bad_config_raises_invalid_argument(kwargs):
    network = {k: v for k, v in kwargs.items() if k in ("alpha", "resolution", "variant")}
    with pytest.raises(InvalidArgument):
        BenchConfig(
            MobileNetConfig(**network), **{k: v for k, v in kwargs.items() if k not in network}
        )


#: A quick bench run: a tiny network, one short round.
QUICK_BENCH = (
    "bench --alpha 0.25 --res 32 --threads 1 --rounds 1 --seconds 0.01 --per-layer".split()
)


def test_bench_cli_json(capsys):
    args = [*QUICK_BENCH, "--optimize", "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    report = mnetcalc.mobilenet_v1_cost(0.25, resolution=32)
    assert data["mult_adds"] == report.mult_adds and data["level"] == "optimized"
    assert [row["name"] for row in data["per_layer"]] == [row.name for row in report.layers]
    assert set(data["latency"]) == {"median_s", "iqr_s", "min_s", "blocks", "cpu_per_wall"}
    assert data["machine"]["threads"] == 1


def test_the_network_the_training_chapter_trains_can_be_benchmarked(capsys):
    network = MobileNetConfig(0.25, resolution=28, num_classes=10, stem_stride=1, in_channels=1)
    config = BenchConfig(network, threads=1)
    assert config.inputs().shape == (1, 1, 28, 28)
    assert config.report() == network.cost()
    args = [*QUICK_BENCH, "--res", "28", "--classes", "10", "--stem-stride", "1", "--in-channels"]
    assert main([*args, "1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mult_adds"] == network.cost().mult_adds
    assert (data["stem_stride"], data["in_channels"]) == (1, 1)


@pytest.mark.parametrize("name", ["mobilenet_v2", "mobilenet_v3", "squeezenet"])
def test_bench_times_every_network(capsys, name):
    # bench took MobileNet v1 only; --network names any network of the registry.
    alpha = ["--alpha", "0.35"] if name.startswith("mobilenet") else []
    args = ["bench", "--network", name, *alpha, "--res", "48", "--threads", "1"]
    assert main([*args, "--rounds", "1", "--seconds", "0.01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    options = dict(alpha=0.35) if alpha else {}
    assert data["mult_adds"] == mnetcalc.network_cost(name, resolution=48, **options).mult_adds


def test_bench_refuses_an_option_the_network_lacks(capsys):
    assert main(["bench", "--network", "mobilenet_v2", "--stem-stride", "1"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == "mnetcalc: error: --stem-stride does not apply to --network mobilenet_v2"


def test_bench_cli_text(capsys):
    assert main(QUICK_BENCH) == 0
    out = capsys.readouterr().out
    assert "median" in out and "IQR" in out and "GFLOP/s" in out and cpu_model() in out
    assert "conv13_pw" in out and "% MAdds" in out


def test_bench_optimize_times_the_reference_in_the_same_rounds(capsys):
    """``bench --optimize`` reports the reference's spread, the drift and the network's ratio to
    the reference (structure only: no timing is asserted)."""
    args = "bench --alpha 0.25 --res 32 --threads 1 --rounds 2 --seconds 0.01 --optimize".split()
    assert main([*args, "--format", "json"]) == 0
    reference = json.loads(capsys.readouterr().out)["reference"]
    assert reference["label"] == "mobilenet_v1 0.5/160"
    ref = reference["reference_ms"]
    assert 0 < ref["p10"] <= ref["median"] <= ref["p90"] and ref["rounds"] == 2 * 2
    assert reference["drift"] == pytest.approx((ref["p90"] - ref["p10"]) / ref["median"])
    assert reference["ratio"] > 0
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "reference: mobilenet_v1 0.5/160, timed in the same rounds" in out and "drift" in out


def test_bench_latency_prints_the_prediction_and_its_interval_at_threads(capsys):
    from mnetcalc.latency_model import shipped_calibration

    args = "bench --alpha 0.25 --res 32 --rounds 1 --seconds 0.01 --optimize".split()
    for threads in shipped_calibration().thread_counts:
        assert main([*args, "--threads", str(threads), "--latency", "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        predicted = data["predicted"]
        estimate = shipped_calibration().estimate(
            mnetcalc.mobilenet_v1_cost(0.25, resolution=32), threads
        )
        assert predicted["threads"] == threads
        assert predicted["median_ms"] == pytest.approx(estimate.median_ms)
        assert (predicted["low_ms"], predicted["high_ms"]) == pytest.approx(
            (estimate.low_ms, estimate.high_ms)
        )
    assert main([*args, "--threads", "1", "--latency"]) == 0
    out = capsys.readouterr().out
    assert "predicted: median" in out and "interval" in out and "measured median" in out


def test_bench_latency_refuses_a_thread_count_the_file_lacks_before_timing(capsys):
    args = "bench --alpha 0.25 --res 32 --optimize --latency --threads 7".split()
    assert main(args) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "no model of 7 thread(s)" in line
