"""The calibration's timing against a reference, fit, leave-one-network-out error, file and
validation summary, on synthetic timings (no timing is asserted): a fake machine whose speed drifts
from round to round runs the real timing loop, and the fit recovers the known coefficients at 1
and 2 threads; ``mnetcalc calibrate`` refuses bad input in one line before importing torch."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("torch")

from mnetcalc.runtime.calibrate import (  # noqa: E402
    CALIBRATION_NETWORKS,
    Validation,
    calibration_file,
    calibration_samples,
    columns,
    design_row,
    fit_baselines,
    fit_model,
    leave_one_out,
    mult_adds_of,
    nonnegative_lstsq,
)
from mnetcalc.runtime.fitting import error_summary, fit_affine  # noqa: E402
from mnetcalc.runtime.heldout import interval  # noqa: E402
from mnetcalc.runtime.reference import (  # noqa: E402
    ReferenceTimes,
    percentiles,
    time_against_reference,
)

CACHE, LANES = 2**20, 16
INDEX = {name: i for i, name in enumerate(columns())}


def known_coefficients(seed=1):
    rng = np.random.default_rng(seed)
    return {name: float(rng.uniform(0.5, 50.0)) for name in columns()}


def true_us(sample, truth) -> float:
    vector = np.array([truth[name] for name in columns()])
    return float(design_row(sample.rows(), INDEX, CACHE, LANES) @ vector)


class DriftingMachine:
    """A fake clock and fake runners: every call advances the clock by its true time times the
    machine's slowness, which changes from round to round (counted by the reference's calls:
    a slot is exactly ``MIN_CALLS`` calls, since the round time asked for is tiny)."""

    MIN_CALLS = 3

    def __init__(self, slowness, groups: int, reference_us: float):
        self.now, self.slowness, self.reference_calls = 0.0, slowness, 0
        self.per_round = self.MIN_CALLS * (groups + 1)
        self.reference_us = reference_us

    def clock(self) -> float:
        return self.now

    def factor(self) -> float:
        done = max(0, self.reference_calls - 2 - 1)  # two warm-up calls
        return self.slowness[min(done // self.per_round, len(self.slowness) - 1)]

    def runner(self, us: float):
        def call():
            self.now += us * 1e-6 * self.factor()

        return call

    def reference(self):
        self.reference_calls += 1
        self.now += self.reference_us * 1e-6 * self.factor()


# median 1.0 over the rounds: the reference's median is its true time, so the fit is in true us
SLOWNESS = (0.8, 1.5, 1.0, 1.3, 1.0)


def synthetic_times(samples, truth, threads: int, every: int = 8):
    groups = -(-len(samples) // every)
    machine = DriftingMachine(SLOWNESS, groups, reference_us=1830.0)
    runners = {s.name: machine.runner(true_us(s, truth)) for s in samples}
    return time_against_reference(
        runners,
        machine.reference,
        threads=threads,
        rounds=len(SLOWNESS),
        round_time=1e-12,
        min_calls=DriftingMachine.MIN_CALLS,
        every=every,
        progress=False,
        clock=machine.clock,
    )


def synthetic_model(samples, times):
    options = dict(cache_bytes=CACHE, lanes=LANES, roofs=(100.0, 20.0), rounds=5)
    return fit_model(samples, times, round_time=1e-12, **options)


@pytest.mark.parametrize("threads,seed", [(1, 1), (2, 7)])
def test_fit_recovers_known_coefficients_from_drifting_synthetic_timings(threads, seed):
    truth = known_coefficients(seed)
    # the full set: in the quick one, three unfused standard convolutions of similar shape leave
    # conv_unfused's per-call cost ill-conditioned (recovered to 10 %, not 1e-6)
    samples = calibration_samples()
    times = synthetic_times(samples, truth, threads)
    # the reference's spread is the machine's: p10..p90 of the rounds' slowness
    assert times.reference_ms()["median"] == pytest.approx(1.83)
    slots = np.repeat(SLOWNESS, len(times.reference) // len(SLOWNESS))
    assert times.drift() == pytest.approx(np.subtract(*np.percentile(slots, [90, 10])))
    for sample in samples[:5]:  # drift cancels in the ratio of each round
        assert times.relative(sample.name) == pytest.approx(true_us(sample, truth) / 1830.0)
    model = synthetic_model(samples, times)
    assert model.threads == threads
    assert model.fit.fixed_us == pytest.approx(truth[("fixed", "calls")], rel=1e-6)
    design = np.array([design_row(s.rows(), INDEX, CACHE, LANES) for s in samples])
    for (kind, feature), value in truth.items():
        if kind == "fixed":
            continue
        if design[:, INDEX[(kind, feature)]].any():
            assert model.fit.coefficients[kind][feature] == pytest.approx(value, rel=1e-6)
        else:  # no sample has it (a residual sum always runs fused): left at zero
            assert model.fit.coefficients[kind][feature] == 0
    assert model.fit.rmspe == pytest.approx(0.0, abs=1e-9)
    # exact timings: every whole network left out is still predicted exactly (the two hybrids to
    # the conditioning of their unfused kinds' columns: 2e-4 measured)
    assert len(model.loo) == sum(s.whole for s in samples)
    assert all(abs(e["error"]) < 1e-3 for e in model.loo)
    assert sum(abs(e["error"]) < 1e-6 for e in model.loo) >= len(model.loo) - 2


def test_leave_one_out_of_a_slow_network_is_its_own_excess():
    """Timings exact but one whole network's 25 % slower: the fit without it is the truth, so its
    leave-one-out error is 1 / 1.25 - 1."""
    truth = known_coefficients()
    samples = calibration_samples(True)
    slow = next(i for i, s in enumerate(samples) if s.whole)
    observations = [
        (s.name, s.rows(), true_us(s, truth) * (1.25 if i == slow else 1.0))
        for i, s in enumerate(samples)
    ]
    weights = [4.0 if s.whole else 1.0 for s in samples]
    errors = leave_one_out(observations, weights, [slow], CACHE, LANES)
    assert errors == [{"network": samples[slow].name, "error": pytest.approx(1 / 1.25 - 1)}]


def test_error_summary_by_hand():
    few = [0.02, -0.05, 0.1, 0.0]
    summary = error_summary(few)
    assert (summary["p10"], summary["p90"]) == (-0.05, 0.1)  # few: min and max
    assert summary["rmspe"] == pytest.approx(np.sqrt((0.02**2 + 0.05**2 + 0.01) / 4))
    many = [i / 100 for i in range(-10, 11)]  # 21 errors, -0.10 .. 0.10
    assert error_summary(many)["p10"] == pytest.approx(-0.08)
    assert error_summary(many)["p90"] == pytest.approx(0.08)


def test_percentiles_by_hand():
    assert percentiles([3.0]) == (3.0, 3.0, 3.0)
    assert percentiles(range(11)) == pytest.approx((1.0, 5.0, 9.0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.2, 5.0), min_size=1, max_size=40))
def test_a_measurements_bootstrap_interval_holds_its_median_and_is_exact_when_rounds_agree(ratios):
    """The bootstrap interval of the median of the per-round ratios lies between the smallest
    and the largest round (every resample's median does), and collapses to a point when every
    round agrees."""
    times = ReferenceTimes({"n": ((1.0,),) * len(ratios)}, {"n": tuple(ratios)}, (1.0,), 1)
    low, high = times.relative_bounds("n")
    assert min(ratios) <= low <= high <= max(ratios)
    same = ReferenceTimes({"n": ((1.0,),) * 7}, {"n": (ratios[0],) * 7}, (1.0,), 1)
    assert same.relative_bounds("n") == (ratios[0], ratios[0])


def test_interval_follows_the_file_contract():
    reference = {"median": 2.0, "p10": 1.8, "p90": 2.6}
    low, high = interval(10.0, reference, {"p10": -0.2, "p90": 0.1})
    assert high == pytest.approx(10.0 * 1.3 / 0.8)
    assert low == pytest.approx(10.0 * 0.9 / 1.1)
    # errors of one sign widen one side only
    low, high = interval(10.0, reference, {"p10": 0.05, "p90": 0.1})
    assert high == pytest.approx(13.0) and low == pytest.approx(9.0 / 1.1)


def test_nonnegative_lstsq_never_returns_a_negative_coefficient():
    # b = 2*x0 - 1*x1 exactly: the unconstrained solution has a negative coefficient
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, (20, 2))
    b = 2 * a[:, 0] - a[:, 1]
    unconstrained = np.linalg.lstsq(a, b, rcond=None)[0]
    assert unconstrained[1] < 0
    solution = nonnegative_lstsq(a, b)
    assert solution[1] == 0 and solution[0] > 0
    # with x1 at zero, x0 is the one-column least-squares fit
    assert solution[0] == pytest.approx(float(a[:, 0] @ b / (a[:, 0] @ a[:, 0])))


def test_baselines_are_exact_on_affine_timings_of_whole_networks():
    samples = [s for s in calibration_samples(True) if s.whole]
    observations = [(s.name, s.rows(), 300.0 + 25.0 * mult_adds_of(s.rows())) for s in samples]
    baselines = fit_baselines(observations, peak_gflops=100.0, bandwidth_gbs=20.0)
    assert baselines["affine"]["a_us"] == pytest.approx(300.0, rel=1e-6)
    assert baselines["affine"]["b_us_per_million"] == pytest.approx(25.0, rel=1e-6)
    # no intercept: the proportional line's slope is steeper than 25 us per million
    assert baselines["mult_adds_us_per_million"] > 25.0
    assert fit_affine([1.0, 2.0], [3.0, 5.0]) == pytest.approx(
        {"a_us": 1.0, "b_us_per_million": 2.0}
    )


def test_validation_summary_by_hand():
    rows = [
        {
            "measured_ms": 11.0,
            "measured_rel_ms": 10.0,
            "predicted_ms": p,
            "mult_adds_ms": m,
            "roofline_ms": 10.0,
            "low_ms": 9.0,
            "high_ms": high,
        }
        for p, m, high in (
            (10.4, 12.0, 12.0),
            (10.8, 10.0, 12.0),
            (8.0, 5.0, 10.0),
            (10.0, 10.0, 12.0),
        )
    ]
    summary = Validation(tuple(rows), {}, 1, 1).summary()
    # errors against the drift-free measured time: 4 %, 8 %, -20 %, 0 %
    assert summary["predicted"]["within_5"] == 0.5
    assert summary["predicted"]["within_10"] == 0.75
    expected = np.sqrt((0.04**2 + 0.08**2 + 0.2**2 + 0) / 4)
    assert summary["predicted"]["rmspe"] == pytest.approx(expected)
    assert summary["mult_adds"]["within_10"] == 0.5 and summary["roofline"]["rmspe"] == 0
    assert summary["absolute"]["inside"] == 0.75  # 11 ms is above the third's 10 ms
    assert "affine" not in summary  # no row has it


def synthetic_file(threads=(1, 2)):
    samples = calibration_samples(True)
    models = []
    for t in threads:
        times = synthetic_times(samples, known_coefficients(t), t)
        models.append(synthetic_model(samples, times))
    machine = {
        "cpu": "x",
        "isa": ["avx512f"],
        "logical_cpus": 2,
        "cache_bytes": CACHE,
        "load_average": 0.5,
    }
    return calibration_file(models, machine)


def test_the_file_follows_schema_2():
    data = json.loads(json.dumps(synthetic_file(), allow_nan=False))
    assert data["schema"] == 2 and data["statistic"] == "median wall time per call"
    assert (data["engine"], data["precision"], data["batch"]) == ("optimize", "float32", 1)
    assert data["reference"] == {
        "label": "mobilenet_v1 0.5/160",
        "network": "mobilenet_v1",
        "options": {"alpha": 0.5, "resolution": 160},
    }
    assert set(data["models"]) == {"1", "2"}
    for key, model in data["models"].items():
        assert model["threads"] == int(key)
        ref = model["reference_ms"]
        assert 0 < ref["p10"] <= ref["median"] <= ref["p90"] and ref["rounds"] > 0
        assert model["drift"] == pytest.approx((ref["p90"] - ref["p10"]) / ref["median"])
        error = model["model_error"]
        assert error["p10"] <= error["p90"] and len(error["loo"]) == len(CALIBRATION_NETWORKS)
        coefficients = [v for kind in model["coefficients"].values() for v in kind.values()]
        assert all(v >= 0 for v in coefficients) and sum(coefficients) > 0
        assert set(model["baselines"]) >= {"affine", "mult_adds_us_per_million", "roofline"}
        assert model["fit"]["samples"] == len(model["fit"]["residuals"])
    # and the torch-free loader reads it back, checks and all (its prediction of the reference
    # included), with the same numbers
    from mnetcalc.latency_model import Calibration
    from mnetcalc.networks.registry import network_cost

    calibration = Calibration.from_json(json.dumps(data))
    assert calibration.thread_counts == (1, 2) and calibration.default_threads == 1
    reference = network_cost("mobilenet_v1", alpha=0.5, resolution=160)
    for threads in (1, 2):
        model = data["models"][str(threads)]
        assert calibration.model(threads).model_error["p90"] == model["model_error"]["p90"]
        estimate = calibration.estimate(reference, threads)
        assert estimate.high_ms >= estimate.median_ms >= estimate.low_ms > 0
    # and predicts the synthetic times back, at each thread count
    for sample in calibration_samples(True)[::7]:
        for threads in (1, 2):
            us = true_us(sample, known_coefficients(threads))
            assert calibration.predict(sample.rows(), threads).total_us == pytest.approx(us)


@pytest.mark.parametrize(
    "args,named",
    [
        (["--threads", "0"], "--threads"),
        (["--threads", "x"], "--threads"),
        (["--threads", "1,1"], "--threads"),
        (["--threads", "1,"], "--threads"),
        (["--format", "csv"], "--format"),
    ],
)
def test_calibrate_cli_bad_input_is_one_line_exit_2_without_torch(args, named, tmp_path):
    probe = (
        "import sys; from mnetcalc.cli import main; code = main(['calibrate', *sys.argv[1:]]); "
        "sys.stderr.write('torch imported' if 'torch' in sys.modules else ''); sys.exit(code)"
    )
    out = ["--out", str(tmp_path / "c.json")]
    done = subprocess.run(
        [sys.executable, "-c", probe, *out, *args], capture_output=True, text=True
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "torch imported" not in done.stderr


def test_calibrate_cli_refuses_an_unwritable_file_before_timing():
    probe = (
        "import sys; from mnetcalc.cli import main; "
        "code = main(['calibrate', '--out', '/nonexistent/dir/c.json']); "
        "sys.stderr.write('torch imported' if 'torch' in sys.modules else ''); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 2 and "torch imported" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_every_timed_network_has_a_label_of_its_own():
    """The book and the benchmark key timings by label: a V3-Small and a V3-Large of one width
    and resolution once shared one, so that one network's time stood in for the other's."""
    from mnetcalc.latency_model.checkpoints import published_checkpoints
    from mnetcalc.runtime.calibrate import CALIBRATION_NETWORKS, HELD_OUT, label

    configs = {*CALIBRATION_NETWORKS, *HELD_OUT, *(c.config() for c in published_checkpoints())}
    labels = [label(config) for config in configs]
    assert len(set(labels)) == len(configs)
    # (V3's Small is not its default variant; V4's conv_small is, and its label leaves it out)
    small = [c.config() for c in published_checkpoints() if "small" in c.name and c.family == "v3"]
    assert small and all(" small" in label(config) for config in small)


def test_held_out_networks_are_never_calibrated_on_and_cover_every_family():
    from mnetcalc.networks.registry import NETWORKS
    from mnetcalc.runtime.calibrate import CALIBRATION_NETWORKS, HELD_OUT
    from mnetcalc.runtime.reference import reference_config

    assert not set(CALIBRATION_NETWORKS) & set(HELD_OUT)
    assert reference_config(1).network not in HELD_OUT
    assert len(HELD_OUT) >= 40
    assert {c.to_dict()["network"] for c in HELD_OUT} == set(NETWORKS)


def test_calibration_samples_mark_their_whole_networks():
    from mnetcalc.runtime.calibrate import CALIBRATION_NETWORKS, label

    samples = calibration_samples(False)
    whole = [s for s in samples if s.whole]
    assert [s.name for s in whole] == [label(c) for c in CALIBRATION_NETWORKS]
    assert all(len(s.spec) <= 3 for s in samples if not s.whole)
    # each shape once
    assert len({s.name for s in samples}) == len(samples)
    assert all(s.family for s in whole)


def test_held_out_comparison_on_exact_synthetic_timings():
    """Held-out networks timed in the same (synthetic, drifting) run: on exact timings the model,
    its leave-one-family-out refit (v1 and V2 layers all have one-layer samples) and the drift-free
    measured time agree, and the measured median lies inside the interval."""
    from mnetcalc.runtime.calibrate import HELD_OUT, Sample, label
    from mnetcalc.runtime.heldout import compare

    truth = known_coefficients(3)
    samples = calibration_samples(True)
    held = [c for c in HELD_OUT if c.to_dict()["network"] in ("mobilenet_v1", "mobilenet_v2")][::6]
    timed = samples + [Sample.of(c) for c in held]
    times = synthetic_times(timed, truth, 1)
    model = synthetic_model(samples, times)
    validation = compare(model, held, times, rounds=5)
    assert [r["network"] for r in validation.rows] == [label(c) for c in held]
    for row, config in zip(validation.rows, held, strict=True):
        assert row["measured_rel_ms"] == pytest.approx(true_us(Sample.of(config), truth) / 1e3)
        for name in ("predicted", "lofo"):
            assert row[f"{name}_ms"] == pytest.approx(row["measured_rel_ms"], rel=1e-6)
        assert row["low_ms"] <= row["measured_ms"] <= row["high_ms"]
        assert row["measured_rel_low_ms"] <= row["measured_rel_ms"] <= row["measured_rel_high_ms"]
    summary = validation.summary()
    assert summary["predicted"]["within_5"] == summary["lofo"]["within_5"] == 1.0
    assert summary["absolute"]["inside"] == 1.0


def test_thread_counts_of_the_library_call():
    from mnetcalc.runtime.calibrate import thread_counts
    from mnetcalc.validation import InvalidArgument

    assert thread_counts(2) == (2,) and thread_counts((1, 2)) == (1, 2)
    for bad in ((1, 1), (), (0,), ("x",)):
        with pytest.raises(InvalidArgument):
            thread_counts(bad)


def test_calibrate_says_in_one_line_when_the_loader_would_refuse_its_file(capsys):
    """On a machine so loaded that calls mostly wait, the fit can come out absurd against the
    reference's own timing: the file is written, and calibrate says so (exit status 1)."""
    from mnetcalc.cli.calibrate import loadable

    data = synthetic_file((1,))
    assert loadable(data, "c.json") == 0 and capsys.readouterr().err == ""
    for kind in data["models"]["1"]["coefficients"].values():
        kind.update({feature: 100 * value for feature, value in kind.items()})
    data["models"]["1"]["fixed_us"] *= 100
    assert loadable(data, "c.json") == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "c.json was written, but mnetcalc will refuse it" in line and "10x" in line


def test_calibrate_prints_the_drift_and_says_when_the_machine_is_too_noisy():
    from mnetcalc.cli.calibrate import summary

    data = synthetic_file()
    data["models"]["1"]["drift"], data["models"]["2"]["drift"] = 0.08, 0.31
    text = summary(data, 100.0, "c.json")
    assert max(len(line) for line in text.splitlines()) <= 80
    words = " ".join(text.split())
    assert "drift 8.0%" in words and "drift 31.0%" in words
    assert words.count("too noisy for a useful calibration") == 1
    assert "drifted 31%" in words[words.index("too noisy") :]
