"""Calibrate the latency model of :mod:`mnetcalc.latency_model` on this machine, and validate it on
held-out networks (needs torch and numpy).

:func:`calibrate` times a designed set of *samples*, small networks of one to a few layers (a grid
over kinds, channels, map sizes, kernels and strides) plus a few whole small MobileNets, each built
from a spec by :func:`mnetcalc.runtime.model.build` and prepared by
:func:`mnetcalc.runtime.model.optimize`, the
project's inference path (BatchNorm folded, channels-last, frozen TorchScript, oneDNN Graph
fusion), batch 1, float32, at the given thread count, exactly as ``mnetcalc bench --optimize``
prepares a network. Samples are timed call by call in interleaved rounds (:func:`timed_calls`), so
that a change of load on a shared machine hits them all alike; a sample's time is its fastest call
(:func:`seconds`), measured at one thread as the CPU time of the thread that ran it.

Every sample, like every network, is a sum: ``time = fixed + sum over its rows of
time(row)``, with ``time(row)`` linear in the row's features (:mod:`mnetcalc.latency_model`). So a
one-layer sample pays the fixed cost of a call once, and a whole network pays it once for dozens of
layers, which is what separates the two. The coefficients are fitted by least squares on the
*relative* error (each equation divided by its measured time; ``numpy.linalg.lstsq``); a
coefficient that comes out negative is fixed at zero and the rest fitted again, until none is (a
time cannot shrink with more work).

Two baselines are fitted on the same timings, for comparison: time proportional to mult-adds, and
the roofline bound (each row's ``max(2 x mult-adds / peak, bytes / bandwidth)`` with the measured
matmul peak and copy bandwidth of :mod:`mnetcalc.runtime.roofline`, summed and scaled by one fitted
factor).

:func:`validate` times held-out networks (:data:`HELD_OUT`: widths and resolutions of MobileNet
v1, V2 and V3 that no calibration sample uses, SSD, and the classic networks) through the very
path of ``mnetcalc bench --optimize`` (:func:`mnetcalc.runtime.latency.prepared_model`), in the
same interleaved run, and compares them with the model's and the baselines' predictions:
:class:`Validation` (``rows``, ``summary()``: share within 5 % and 10 %, RMSPE).
:func:`calibrate_and_validate` does both from one interleaved run (the benchmark
``benchmarks/latency_model.py`` uses it).

API for the book and ``mnetcalc choose``::

    calibration = calibrate(threads=1, quick=True)      # a latency_model.Calibration
    calibration.save("calibration.json")
    result = validate(calibration)                     # or calibrate_and_validate(1)
    result.rows, result.summary()["predicted"]["within_10"]
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import torch

from .. import __version__
from ..core.layers import (
    AVGPOOL,
    MAXPOOL,
    Conv,
    DepthwiseConv,
    Fire,
    FullyConnected,
    InvertedResidual,
    LocalResponseNorm,
    Pool,
)
from ..core.network import NetworkConfig, spec_costs
from ..latency_model import DEFAULT_CACHE_BYTES, KINDS, Calibration, row_features, vector_lanes
from ..machine import MachineInfo, package_version
from ..networks.registry import NETWORKS, config_class
from ..traffic import layer_traffic
from ..validation import InvalidArgument, positive_int
from .latency import BenchConfig, Latency, prepared_model
from .model import build, optimize, torch_threads

# -- the samples
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A small network to time: a spec on an ``in_channels`` x ``resolution`` x ``resolution``
    input."""

    name: str
    spec: tuple
    in_channels: int
    resolution: int

    def rows(self):
        return spec_costs(self.spec, resolution=self.resolution, in_channels=self.in_channels)

    @classmethod
    def of(cls, config: NetworkConfig, name: str | None = None) -> Sample:
        """A whole network configuration as a sample."""
        label = name or "{network} {alpha:g}/{resolution}".format(**config.to_dict())
        return cls(label, tuple(config.spec()), config.in_channels, config.resolution)


def _conv(m, n, k, s, side) -> Sample:
    return Sample(f"conv {k}x{k}/{s} {m}->{n} @{side}", (("conv", Conv(n, k, s)),), m, side)


def _dw(c, s, side) -> Sample:
    return Sample(f"dw 3x3/{s} {c} @{side}", (("dw", DepthwiseConv(3, s)),), c, side)


def _pw(m, n, side) -> Sample:
    return Sample(f"pw {m}->{n} @{side}", (("pw", Conv(n, 1)),), m, side)


#: Whole networks among the calibration samples (the validation holds out every other
#: configuration).
CALIBRATION_NETWORKS = tuple(
    config_class(name)(alpha, resolution=resolution)
    for name, settings in (
        ("mobilenet_v1", ((0.25, 128), (0.25, 224), (0.5, 128), (0.5, 208))),
        ("mobilenet_v2", ((0.35, 96), (0.35, 176), (0.5, 128), (0.5, 192))),
    )
    for alpha, resolution in settings
) + tuple(
    # MobileNetV3's hard-swish and squeeze-and-excite gates have no one-layer sample; without
    # whole V3 networks in the fit, V3 1.0/224 and 0.5/224 (held out) came out 11 % too fast
    # (2026-12-04, benchmarks/README.md). Its held-out widths and resolutions stay unseen.
    config_class("mobilenet_v3")(alpha, resolution=resolution, variant=variant)
    for alpha, resolution, variant in (
        (0.75, 160, "large"),
        (0.35, 192, "large"),
        (0.75, 192, "small"),
        (1.0, 128, "small"),
    )
)


def calibration_samples(quick: bool = False) -> list[Sample]:
    """The designed set: each kind over a grid of channels, map sides and strides (a seeded random
    subset of the grid, so that the channels and sides are not tied to each other), plus
    :data:`CALIBRATION_NETWORKS`. ``quick``: about half as many."""
    rng = np.random.default_rng(2026)
    count = (lambda n: max(3, n // 2)) if quick else (lambda n: n)
    sides = (7, 14, 28, 56, 112)
    # multiples of 16 and others (a kernel fills whole vector registers: 11 channels cost as 16)
    widths = (8, 11, 16, 24, 27, 32, 45, 48, 64, 88, 96, 128, 176, 192, 256, 360, 384, 512, 720)
    widths += (768, 1024)

    def pick(values, n):
        return [values[i] for i in rng.integers(0, len(values), n)]

    samples: list[Sample] = []
    # depthwise 3x3: channels x side x stride, bounded so that one call stays short
    for c, side, s in zip(
        pick(widths, count(34)), pick(sides, count(34)), pick((1, 1, 2), count(34)), strict=True
    ):
        while c * side * side > 1_600_000:
            side //= 2
        samples.append(_dw(c, s, side))
    # pointwise: in x out x side
    for m, n, side in zip(
        pick(widths, count(40)), pick(widths, count(40)), pick(sides, count(40)), strict=True
    ):
        while m * n * side * side > 120_000_000:
            side //= 2
        samples.append(_pw(m, n, max(side, 7)))
    # a depthwise layer and the 1x1 after it, which optimize() runs as one oneDNN partition
    pairs = ((16, 32, 1, 56), (32, 64, 2, 56), (64, 128, 1, 28), (128, 128, 2, 28))
    pairs += ((256, 512, 1, 14), (512, 512, 1, 7), (48, 24, 1, 28), (192, 64, 2, 14))
    for c, n, s, side in pairs[: count(len(pairs))]:
        spec = (("dw", DepthwiseConv(3, s)), ("pw", Conv(n, 1)))
        samples.append(Sample(f"dw+pw 3x3/{s} {c}->{n} @{side}", spec, c, side))
    # standard convolutions: stems (3 channels in), 3x3 and larger kernels inside a network
    stems = [(3, n, 3, 2, side) for n, side in ((8, 224), (16, 160), (32, 128), (64, 224))]
    inner = [
        (16, 32, 3, 1, 56),
        (32, 64, 3, 1, 28),
        (64, 64, 3, 1, 56),
        (128, 128, 3, 1, 28),
        (256, 256, 3, 1, 14),
        (512, 512, 3, 1, 14),
        (64, 128, 3, 2, 56),
        (24, 48, 5, 1, 28),
        (96, 192, 5, 1, 14),
        (3, 64, 7, 2, 224),
        (3, 48, 11, 4, 227),
        (64, 128, 5, 1, 14),
    ]
    convs = stems + inner
    for m, n, k, s, side in convs if not quick else convs[::2]:
        samples.append(_conv(m, n, k, s, side))
    # fully connected: after a global pool (MobileNets), or on a flattened map (VGG, AlexNet)
    for c, n in ((256, 100), (512, 1000), (1024, 1000), (1280, 1000), (2048, 500))[: count(5)]:
        spec = (("pool", Pool(AVGPOOL)), ("fc", FullyConnected(n)))
        samples.append(Sample(f"pool+fc {c}->{n} @7", spec, c, 7))
    fc_shapes = ((64, 4, 1024), (128, 6, 2048), (256, 6, 4096), (512, 3, 4096), (1024, 2, 1024))
    for c, side, n in fc_shapes[: count(5)]:
        samples.append(Sample(f"fc {c}x{side}x{side}->{n}", (("fc", FullyConnected(n)),), c, side))
    # pooling and local response normalisation
    for c, side in ((32, 112), (64, 56), (192, 28), (480, 14))[: count(4)]:
        samples.append(
            Sample(f"maxpool 3/2 {c} @{side}", (("pool", Pool(MAXPOOL, 3, 2)),), c, side)
        )
    for c, side in ((64, 56), (192, 28))[: count(2)]:
        samples.append(Sample(f"lrn {c} @{side}", (("lrn", LocalResponseNorm()),), c, side))
    # composite blocks: concatenation (fire modules) and residual sums (inverted residuals)
    for m, sq, ex, side in ((64, 16, 64, 56), (128, 32, 128, 28), (256, 48, 192, 14))[: count(3)]:
        samples.append(
            Sample(f"fire {m}:{sq}:{ex} @{side}", (("fire", Fire(sq, ex, ex)),), m, side)
        )
    for c, side in ((16, 56), (32, 28), (64, 14), (96, 14))[: count(4)]:
        spec = (("block", InvertedResidual(c, 1)),)
        samples.append(Sample(f"inverted residual {c} @{side}", spec, c, side))
    samples.extend(Sample.of(config) for config in CALIBRATION_NETWORKS)
    return list({sample.name: sample for sample in samples}.values())  # each shape once


# -- timing
# -------------------------------------------------------------------------------------------

#: How much more a whole network counts in the fit than a one-layer sample: whole networks are
#: what the model predicts.
NETWORK_WEIGHT = 4.0


def seconds(latency: Latency) -> float:
    """The time a sample or network is taken to have: its fastest call (:func:`timed_calls`). On
    a shared machine the fastest call is the one least slowed by other processes; on a quiet one
    it is what ``mnetcalc bench`` prints as ``min``."""
    return latency.min


def timed_calls(
    runners: dict,
    *,
    threads: int,
    rounds: int,
    round_time: float,
    progress: bool = True,
    description: str = "timing",
) -> dict[str, Latency]:
    """Every call of each runner timed on its own, in interleaved rounds (A B C A B C ..., each
    for at least ``round_time`` seconds), after two warm-up calls each.

    With one thread, a call's time is the CPU time of the thread that runs it
    (``time.thread_time``: with ``torch.set_num_threads(1)`` the kernels run in the calling
    thread), which leaves out the time the operating system gives the CPU to other processes: on
    a quiet machine it equals the wall time, on a shared one it is the wall time the call would
    have taken alone. With more threads the work is spread over threads that one clock cannot see,
    so it is the wall time (``time.perf_counter``). ``cpu_per_wall`` is the process's CPU time
    over wall time, as in :func:`mnetcalc.runtime.latency.interleaved`."""
    import time

    from tqdm.auto import tqdm

    clock = time.thread_time if threads == 1 else time.perf_counter
    times: dict[str, list[float]] = {name: [] for name in runners}
    busy = dict.fromkeys(runners, 0.0)
    wall = dict.fromkeys(runners, 0.0)
    with torch_threads(threads), torch.no_grad():
        for fn in runners.values():
            fn()
            fn()
        with tqdm(
            total=rounds * len(runners), desc=description, disable=not progress, leave=False
        ) as steps:
            for _ in range(rounds):
                for name, fn in runners.items():
                    cpu_start, start = time.process_time(), time.perf_counter()
                    while True:
                        begin = clock()
                        fn()
                        times[name].append(clock() - begin)
                        if time.perf_counter() - start >= round_time:
                            break
                    busy[name] += time.process_time() - cpu_start
                    wall[name] += time.perf_counter() - start
                    steps.update()
    return {name: Latency(tuple(values), busy[name] / wall[name]) for name, values in times.items()}


def sample_runner(sample: Sample, threads: int):
    """The sample prepared as ``mnetcalc bench --optimize`` prepares a network (seeded weights,
    :func:`~mnetcalc.runtime.model.optimize` at ``threads``), and a call of it on a seeded input."""
    torch.manual_seed(0)
    model = build(sample.spec, in_channels=sample.in_channels, resolution=sample.resolution).eval()
    fast = optimize(model, sample.resolution, in_channels=sample.in_channels, threads=threads)
    generator = torch.Generator().manual_seed(0)
    side = sample.resolution
    inputs = torch.randn(1, sample.in_channels, side, side, generator=generator)
    return partial(fast, inputs)


def time_samples(
    samples: Sequence[Sample],
    threads: int,
    *,
    rounds: int = 3,
    round_time: float = 0.03,
    progress: bool = True,
) -> dict[str, Latency]:
    """Each sample's timing (interleaved rounds), by name."""
    from tqdm.auto import tqdm

    runners = {}
    with torch_threads(threads):
        for sample in tqdm(samples, desc="building", disable=not progress, leave=False):
            runners[sample.name] = sample_runner(sample, threads)
    return timed_calls(
        runners,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description="timing",
    )


# -- fitting
# ------------------------------------------------------------------------------------------


#: The columns of the design matrix: the fixed cost, then each kind's features.
def columns() -> list[tuple[str, str]]:
    return [("fixed", "calls")] + [(kind, f) for kind, features in KINDS.items() for f in features]


def design_row(
    rows, index: dict[tuple[str, str], int], cache_bytes: int, lanes: int = 16
) -> np.ndarray:
    """One equation: the fixed cost once, plus every row's features in its kind's columns."""
    x = np.zeros(len(index))
    x[index[("fixed", "calls")]] = 1.0
    rows = tuple(rows)
    for previous, row in zip((None, *rows[:-1]), rows, strict=True):
        kind, values = row_features(row, cache_bytes, lanes, previous)
        for feature, value in values.items():
            x[index[(kind, feature)]] += value
    return x


def nonnegative_lstsq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares with every coefficient >= 0 (``scipy.optimize.nnls``, Lawson and Hanson's
    active-set method). Columns that are all zero (a kind no sample has) stay zero."""
    from scipy.optimize import nnls

    return nnls(a, b)[0]


@dataclass(frozen=True)
class Fit:
    coefficients: dict  # kind -> feature -> us per unit
    fixed_us: float
    residuals: list  # per sample: name, measured_us, fitted_us

    @property
    def rmspe(self) -> float:
        return rmspe([(r["fitted_us"], r["measured_us"]) for r in self.residuals])


def fit(
    observations: Iterable[tuple[str, Sequence, float]],
    weights=None,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    lanes: int = 16,
) -> Fit:
    """Fit the model to ``(name, cost rows, measured microseconds)`` observations, minimising the
    relative error (each observation's times its weight, default 1)."""
    observations = list(observations)
    weights = np.ones(len(observations)) if weights is None else np.asarray(weights, dtype=float)
    if not observations:
        raise InvalidArgument("fit needs at least one observation", "observations")
    names = columns()
    index = {name: i for i, name in enumerate(names)}
    a = np.array([design_row(rows, index, cache_bytes, lanes) for _, rows, _ in observations])
    measured = np.array([us for _, _, us in observations], dtype=float)
    bad = [name for (name, _, us) in observations if not (math.isfinite(us) and us > 0)]
    if bad:
        raise InvalidArgument(
            f"measured times must be positive and finite; not those of {', '.join(bad[:5])}",
            "observations",
        )
    scale = weights / measured
    solution = nonnegative_lstsq(a * scale[:, None], weights)
    fitted = a @ solution
    coefficients: dict[str, dict[str, float]] = {}
    for (kind, feature), value in zip(names[1:], solution[1:], strict=True):
        coefficients.setdefault(kind, {})[feature] = float(value)
    residuals = [
        {"name": name, "measured_us": float(us), "fitted_us": float(f)}
        for (name, _, us), f in zip(observations, fitted, strict=True)
    ]
    return Fit(coefficients, float(solution[0]), residuals)


def rmspe(pairs: Iterable[tuple[float, float]]) -> float:
    """Root mean square percentage error (as a fraction) of ``(predicted, measured)`` pairs."""
    errors = [(p - m) / m for p, m in pairs]
    return math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else float("nan")


# -- baselines
# ----------------------------------------------------------------------------------------


def mult_adds_of(rows) -> float:
    return sum(row.mult_adds for row in rows) / 1e6


def roofline_us(rows, peak_gflops: float, bandwidth_gbs: float) -> float:
    """Sum over rows of the roofline bound: ``max(compute time, memory time)``, microseconds."""
    total = 0.0
    for row in rows:
        compute = 2 * row.mult_adds / (peak_gflops * 1e3)
        memory = layer_traffic(row).bytes / (bandwidth_gbs * 1e3)
        total += max(compute, memory)
    return total


def _scale(predicted: np.ndarray, measured: np.ndarray) -> float:
    """The factor ``s`` minimising the relative error of ``s * predicted``."""
    ratio = predicted / measured
    return float(np.sum(ratio) / np.sum(ratio * ratio))


def fit_baselines(observations, peak_gflops: float, bandwidth_gbs: float) -> dict:
    measured = np.array([us for _, _, us in observations])
    mult_adds = np.array([mult_adds_of(rows) for _, rows, _ in observations])
    roof = np.array([roofline_us(rows, peak_gflops, bandwidth_gbs) for _, rows, _ in observations])
    return {
        "mult_adds_us_per_million": _scale(mult_adds, measured),
        "roofline": {
            "peak_gflops": peak_gflops,
            "bandwidth_gbs": bandwidth_gbs,
            "scale": _scale(roof, measured),
        },
    }


def baseline_us(calibration: Calibration, rows) -> dict[str, float]:
    """The two baselines' predictions (microseconds) for a network's rows."""
    base = calibration.baselines
    roof = base["roofline"]
    return {
        "mult_adds": base["mult_adds_us_per_million"] * mult_adds_of(rows),
        "roofline": roof["scale"] * roofline_us(rows, roof["peak_gflops"], roof["bandwidth_gbs"]),
    }


# -- calibrate
# ----------------------------------------------------------------------------------------


def last_level_cache() -> int:
    """This CPU's largest cache in bytes (Linux sysfs), or the model's default where unknown."""
    import glob

    sizes = []
    for path in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        try:
            with open(path, encoding="ascii") as source:
                text = source.read().strip()
        except OSError:
            continue
        factor = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        digits = text.rstrip("KMG")
        if digits.isdigit():
            sizes.append(int(digits) * factor)
    return max(sizes, default=DEFAULT_CACHE_BYTES)


def measure_roofs(threads: int) -> tuple[float, float]:
    """This machine's matmul peak (GFLOP/s) and copy bandwidth (GB/s), for the roofline
    baseline."""
    from .roofline import matmul_peak, memory_bandwidth

    peak = matmul_peak(threads, size=512, rounds=2, round_time=0.1)
    bandwidth = memory_bandwidth(threads, megabytes=64, rounds=2, round_time=0.1)
    return peak, bandwidth


def calibrate(
    threads: int = 1,
    *,
    quick: bool = False,
    rounds: int | None = None,
    round_time: float = 0.03,
    progress: bool = True,
) -> Calibration:
    """Time :func:`calibration_samples` at ``threads`` and fit the model (and the baselines)."""
    threads = positive_int("threads", threads)
    rounds = positive_int("rounds", rounds if rounds is not None else (3 if quick else 5))
    samples = calibration_samples(quick)
    times = time_samples(samples, threads, rounds=rounds, round_time=round_time, progress=progress)
    return fitted_calibration(samples, times, threads, rounds, round_time)


def fitted_calibration(
    samples: Sequence[Sample], times: dict[str, Latency], threads: int, rounds: int, round_time
) -> Calibration:
    """The calibration fitted to the samples' timings (and this machine's roofs, measured now)."""
    observations = [(s.name, s.rows(), seconds(times[s.name]) * 1e6) for s in samples]
    weights = [NETWORK_WEIGHT if len(s.spec) > 3 else 1.0 for s in samples]
    cache, machine = last_level_cache(), MachineInfo.current(threads)
    result = fit(observations, weights, cache, vector_lanes(machine.isa))
    peak, bandwidth = measure_roofs(threads)
    return Calibration(
        coefficients=result.coefficients,
        fixed_us=result.fixed_us,
        threads=threads,
        machine={
            "cpu": machine.cpu,
            "isa": list(machine.isa),
            "logical_cpus": machine.logical_cpus,
            "cache_bytes": cache,
            "load_average": machine.load_average,
        },
        versions={
            "torch": package_version("torch"),
            "numpy": np.__version__,
            "mnetcalc": __version__,
            "python": machine.python_version,
        },
        fit={
            "samples": len(observations),
            "rounds": rounds,
            "round_time_s": round_time,
            "rmspe": result.rmspe,
            "residuals": result.residuals,
        },
        baselines=fit_baselines(observations, peak, bandwidth),
        created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


# -- validate
# -----------------------------------------------------------------------------------------

#: Held-out configurations: no calibration sample is any of these networks.
#: The most mult-adds a held-out network of another family is timed at: larger defaults (VGG16's
#: 15 G) are timed at half the resolution, again until they fit, to keep the validation short.
HELD_OUT_MAX_MULT_ADDS = 2e9


def _other_families() -> list[NetworkConfig]:
    """Every registered network that is not among the calibration families, at its default
    configuration (and at half width where it takes one), at a resolution small enough for
    :data:`HELD_OUT_MAX_MULT_ADDS`: a network added to the registry is validated without an edit
    here."""
    calibrated = {config.network for config in CALIBRATION_NETWORKS}
    configs = []
    for entry in NETWORKS.values():
        if entry.name in calibrated:
            continue
        cls = entry.config_class()
        for options in ({}, {"alpha": 0.5}) if entry.alpha else ({},):
            resolution = entry.resolution
            while cls(resolution=resolution, **options).cost().mult_adds > HELD_OUT_MAX_MULT_ADDS:
                resolution //= 2
            configs.append(cls(resolution=resolution, **options))
    return configs


HELD_OUT: tuple[NetworkConfig, ...] = (
    *(
        config_class("mobilenet_v1")(a, resolution=r)
        for a, r in [(a, r) for a in (0.35, 0.75, 1.0) for r in (160, 192, 224)] + [(0.6, 144)]
    ),
    *(
        config_class("mobilenet_v2")(a, resolution=r)
        for a, r in [(a, r) for a in (0.75, 1.0, 1.4) for r in (160, 224)] + [(0.6, 112)]
    ),
    *(config_class("mobilenet_v3")(a, resolution=224) for a in (1.0, 0.5)),
    *_other_families(),
)


def label(config: NetworkConfig) -> str:
    """A network's name in timings and tables: ``mobilenet_v3 0.75/224``, followed by each other
    setting that is not the default (``mobilenet_v3 1/224 small``, ``... tf-slim``), so that no
    two networks share one."""
    data = config.to_dict()
    alpha = f" {data['alpha']:g}" if "alpha" in data else ""
    default = type(config)().to_dict()
    other = "".join(
        f" {value}"
        for key, value in data.items()
        if key not in ("network", "alpha", "resolution") and default.get(key) != value
    )
    return f"{data['network']}{alpha}/{data['resolution']}{other}"


@dataclass(frozen=True)
class Validation:
    """Measured against predicted on held-out networks: ``rows`` (per network: ``network``,
    ``mult_adds``, ``measured_ms``, ``predicted_ms``, ``mult_adds_ms``, ``roofline_ms``)."""

    rows: tuple[dict, ...]
    machine: dict
    threads: int
    rounds: int
    predictors: tuple[str, ...] = ("predicted", "mult_adds", "roofline")
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Per predictor: share of networks within 5 % and 10 % of the measured time, and the
        RMSPE (fractions)."""
        out = {}
        for name in self.predictors:
            errors = [r[f"{name}_ms"] / r["measured_ms"] - 1 for r in self.rows]
            out[name] = {
                "within_5": sum(abs(e) <= 0.05 for e in errors) / len(errors),
                "within_10": sum(abs(e) <= 0.10 for e in errors) / len(errors),
                "rmspe": math.sqrt(sum(e * e for e in errors) / len(errors)),
            }
        return out

    def to_dict(self) -> dict:
        return {
            "threads": self.threads,
            "rounds": self.rounds,
            "machine": self.machine,
            "rows": list(self.rows),
            "summary": self.summary(),
            **self.extra,
        }


def held_out_runners(configs: Sequence[NetworkConfig], threads: int, progress: bool = True):
    """Each configuration prepared as ``mnetcalc bench --optimize --threads T --batch 1`` prepares
    it (:func:`mnetcalc.runtime.latency.prepared_model`), and a call of it on bench's input, by
    :func:`label`."""
    from tqdm.auto import tqdm

    runners = {}
    for config in tqdm(configs, desc="building", disable=not progress, leave=False):
        bench = BenchConfig(config, threads=threads, batch=1, level="optimized")
        runners[label(config)] = partial(prepared_model(bench), bench.inputs())
    return runners


def compare(
    calibration: Calibration,
    configs: Sequence[NetworkConfig],
    times: dict[str, Latency],
    rounds: int,
    extra: dict | None = None,
) -> Validation:
    """Measured (``times``, by :func:`label`) against the model's and the baselines'
    predictions."""
    rows = []
    for config in configs:
        cost, measured = config.cost(), times[label(config)]
        base = baseline_us(calibration, cost.layers)
        rows.append(
            {
                "network": label(config),
                "mult_adds": cost.mult_adds,
                "measured_ms": seconds(measured) * 1e3,
                "measured_median_ms": measured.median * 1e3,
                "cpu_per_wall": measured.cpu_per_wall,
                "predicted_ms": calibration.predict(cost).total_ms,
                "mult_adds_ms": base["mult_adds"] / 1e3,
                "roofline_ms": base["roofline"] / 1e3,
            }
        )
    machine = MachineInfo.current(calibration.threads).to_dict()
    return Validation(tuple(rows), machine, calibration.threads, rounds, extra=extra or {})


def validate(
    calibration: Calibration,
    configs: Sequence[NetworkConfig] = HELD_OUT,
    *,
    rounds: int = 10,
    round_time: float = 0.1,
    progress: bool = True,
) -> Validation:
    """Time ``configs`` as ``mnetcalc bench --optimize --threads T`` does (``T``: the
    calibration's threads), interleaved, and set the model's and the baselines' predictions
    beside."""
    runners = held_out_runners(configs, calibration.threads, progress)
    times = timed_calls(
        runners,
        threads=calibration.threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description="held-out",
    )
    return compare(calibration, configs, times, rounds)


def calibrate_and_validate(
    threads: int = 1,
    configs: Sequence[NetworkConfig] = HELD_OUT,
    *,
    quick: bool = False,
    rounds: int = 6,
    round_time: float = 0.04,
    progress: bool = True,
) -> tuple[Calibration, Validation]:
    """:func:`calibrate` and :func:`validate` from *one* interleaved run over the calibration
    samples and the held-out networks together, so that a machine whose load changes (a shared
    one) slows both alike; the fit sees the samples' timings only."""
    threads = positive_int("threads", threads)
    rounds = positive_int("rounds", rounds)
    samples = calibration_samples(quick)
    from tqdm.auto import tqdm

    runners = {}
    with torch_threads(threads):
        for sample in tqdm(samples, desc="building", disable=not progress, leave=False):
            runners[sample.name] = sample_runner(sample, threads)
    runners.update(held_out_runners(configs, threads, progress))
    times = timed_calls(
        runners,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description="timing",
    )
    calibration = fitted_calibration(samples, times, threads, rounds, round_time)
    return calibration, compare(calibration, configs, times, rounds, {"same_run": True})


__all__ = [
    "CALIBRATION_NETWORKS",
    "HELD_OUT",
    "Fit",
    "Sample",
    "Validation",
    "baseline_us",
    "calibrate",
    "calibrate_and_validate",
    "calibration_samples",
    "fit",
    "nonnegative_lstsq",
    "rmspe",
    "time_samples",
    "validate",
]
