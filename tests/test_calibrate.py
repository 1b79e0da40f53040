"""The calibration's fit and validation summary, on synthetic timings (no timing is asserted):
the fit recovers known coefficients, never returns a negative one, and the baselines are the
least-squares factors; ``mnetcalc calibrate`` refuses bad input before importing torch."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")

from mnetcalc.latency_model import Calibration  # noqa: E402
from mnetcalc.runtime.calibrate import (  # noqa: E402
    Validation,
    calibration_samples,
    columns,
    design_row,
    fit,
    fit_baselines,
    mult_adds_of,
    nonnegative_lstsq,
)

CACHE, LANES = 2**20, 16


def known_coefficients():
    rng = np.random.default_rng(1)
    return {name: float(rng.uniform(0.5, 50.0)) for name in columns()}


@pytest.mark.parametrize("quick", [False, True])
def test_fit_recovers_known_coefficients_from_synthetic_timings(quick):
    truth = known_coefficients()
    index = {name: i for i, name in enumerate(columns())}
    samples = calibration_samples(quick)
    vector = np.array([truth[name] for name in columns()])
    observations = [
        (s.name, s.rows(), float(design_row(s.rows(), index, CACHE, LANES) @ vector))
        for s in samples
    ]
    result = fit(observations, cache_bytes=CACHE, lanes=LANES)
    assert result.fixed_us == pytest.approx(truth[("fixed", "calls")], rel=1e-6)
    design = np.array([design_row(s.rows(), index, CACHE, LANES) for s in samples])
    for (kind, feature), value in truth.items():
        if kind == "fixed":
            continue
        if design[:, index[(kind, feature)]].any():
            assert result.coefficients[kind][feature] == pytest.approx(value, rel=1e-6)
        else:  # no sample has it (a residual sum always runs fused): left at zero
            assert result.coefficients[kind][feature] == 0
    assert result.rmspe == pytest.approx(0.0, abs=1e-9)
    # and the Calibration built from it predicts the synthetic times back
    calibration = Calibration(
        coefficients=result.coefficients,
        fixed_us=result.fixed_us,
        threads=1,
        machine={"cpu": "x", "isa": ["avx512f"], "cache_bytes": CACHE},
        versions={},
        fit={},
        baselines={},
    )
    for (_, _rows, us), sample in zip(observations, samples, strict=True):
        assert calibration.predict(sample.rows()).total_us == pytest.approx(us, rel=1e-6)


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


def test_mult_adds_baseline_is_exact_on_proportional_timings():
    samples = calibration_samples(True)
    observations = [(s.name, s.rows(), 25.0 * mult_adds_of(s.rows()) + 1e-9) for s in samples]
    observations = [o for o in observations if o[2] > 1e-6]
    baselines = fit_baselines(observations, peak_gflops=100.0, bandwidth_gbs=20.0)
    assert baselines["mult_adds_us_per_million"] == pytest.approx(25.0, rel=1e-6)


def test_validation_summary_by_hand():
    rows = [
        {"measured_ms": 10.0, "predicted_ms": p, "mult_adds_ms": m, "roofline_ms": 10.0}
        for p, m in ((10.4, 12.0), (10.8, 10.0), (8.0, 5.0), (10.0, 10.0))
    ]
    summary = Validation(tuple(rows), {}, 1, 1).summary()
    # errors 4 %, 8 %, -20 %, 0 %
    assert summary["predicted"]["within_5"] == 0.5
    assert summary["predicted"]["within_10"] == 0.75
    expected = np.sqrt((0.04**2 + 0.08**2 + 0.2**2 + 0) / 4)
    assert summary["predicted"]["rmspe"] == pytest.approx(expected)
    assert summary["mult_adds"]["within_10"] == 0.5 and summary["roofline"]["rmspe"] == 0


@pytest.mark.parametrize(
    "args,named", [(["--threads", "0"], "--threads"), (["--format", "csv"], "--format")]
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
    from mnetcalc.checkpoints import published_checkpoints
    from mnetcalc.runtime.calibrate import CALIBRATION_NETWORKS, HELD_OUT, label

    configs = {*CALIBRATION_NETWORKS, *HELD_OUT, *(c.config() for c in published_checkpoints())}
    labels = [label(config) for config in configs]
    assert len(set(labels)) == len(configs)
    # (V3's Small is not its default variant; V4's conv_small is, and its label leaves it out)
    small = [c.config() for c in published_checkpoints() if "small" in c.name and c.family == "v3"]
    assert small and all(" small" in label(config) for config in small)


def test_held_out_networks_are_never_calibrated_on():
    from mnetcalc.runtime.calibrate import CALIBRATION_NETWORKS, HELD_OUT

    assert not set(CALIBRATION_NETWORKS) & set(HELD_OUT)
    # every family the fit sees whole is also validated at other widths and resolutions
    assert {c.network for c in CALIBRATION_NETWORKS} <= {c.network for c in HELD_OUT}
