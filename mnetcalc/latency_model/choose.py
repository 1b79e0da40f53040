"""Which published MobileNet fits a budget: the logic of ``mnetcalc choose``, torch-free.

Each published checkpoint (:mod:`~mnetcalc.latency_model.checkpoints`) becomes a :class:`Choice`:
its exact mult-adds from the calculator, its size on disk, and its latency on this machine as a
calibration predicts it (:mod:`mnetcalc.latency_model`): the median and the p10-p90 interval
around it, at a thread count. A choice fits a latency budget only if the upper end of its interval
does (with a ``margin`` given: ``median * (1 + margin)``; 0: the median alone). The choices that
fit every budget given are ranked by published top-1 (then by predicted median, then by name), and
each is marked when it lies on the accuracy-against-latency Pareto front of the choices that fit:
no other choice that fits is both at least as accurate and at least as fast (median), and better in
one of the two. Each choice names the command that times it: :func:`bench_command`.

Size: the parameters a deployed network stores once BatchNorm is folded into the convolutions
(the weights, the biases, and one bias per BatchNorm channel), at 4 bytes each in float32; in int8
the weights take 1 byte and the biases stay 32-bit integers (4 bytes), as in Jacob et al. (2018).
MB are 10^6 bytes.

Memory: the peak working set of the activations at batch 1 when the network runs layer by layer
(``mnetcalc.memory``), 4 bytes a number in float32, 1 in int8.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from ..core.record import Record
from ..memory import network_memory
from ..validation import InvalidArgument, choice, positive_number
from .calibration import Calibration
from .checkpoints import Checkpoint, published_checkpoints
from .lookup import default_calibration
from .model import Estimate

MB = 1_000_000

#: The largest ``margin`` accepted (10: the budget must hold eleven times the median).
MAX_MARGIN = 10.0

#: Who trained a checkpoint when its record does not say.
DEFAULT_TRAINER = "TF-slim"


class Choice(Record):
    """One checkpoint as a candidate: the ``checkpoint``, the calculator's exact ``mult_adds``,
    the deployed ``weights`` and ``biases`` (BatchNorm folded), the predicted ``latency`` (an
    :class:`~mnetcalc.latency_model.Estimate`: median and interval), the ``margin`` asked for
    (None: the interval's own), ``peak_elements`` (the numbers live at once at the activations'
    peak, ``mnetcalc.memory``; None until counted) and, once ranked, whether it is on the Pareto
    front (``pareto``)."""

    __slots__ = (
        "checkpoint", "mult_adds", "weights", "biases", "latency", "margin", "pareto",
        "peak_elements",
    )  # fmt: skip

    def __init__(
        self,
        checkpoint,
        mult_adds,
        weights,
        biases,
        latency,
        margin=None,
        pareto=False,
        peak_elements=None,
    ):
        self._set(
            checkpoint=checkpoint,
            mult_adds=mult_adds,
            weights=weights,
            biases=biases,
            latency=latency,
            margin=margin,
            pareto=pareto,
            peak_elements=peak_elements,
        )

    @property
    def memory_mb(self) -> float:
        """The activations' peak working set: int8 for a quantized checkpoint, float32 otherwise."""
        if self.peak_elements is None:
            raise ValueError(
                f"{self.checkpoint.name}: the activations' peak was not counted (candidate() and "
                "choose() count it)"
            )
        return (1 if self.checkpoint.quantized else 4) * self.peak_elements / MB

    @property
    def latency_ms(self) -> float:
        """The predicted median."""
        return self.latency.median_ms

    @property
    def upper_ms(self) -> float:
        """What must fit the latency budget: the interval's upper end, or ``median * (1 +
        margin)`` with a margin given."""
        return self.latency.upper(self.margin)

    @property
    def margin_used(self) -> float:
        """The margin over the median that the budget was held to."""
        return self.latency.margin if self.margin is None else self.margin

    @property
    def trainer(self) -> str:
        """Who trained the checkpoint: ``TF-slim`` (v1 to V3) or ``timm`` (V4)."""
        return getattr(self.checkpoint, "trainer", DEFAULT_TRAINER)

    @property
    def command(self) -> str:
        """The command line that times this choice: ``bench_command()``."""
        return bench_command(self.checkpoint, self.latency.threads)

    @property
    def size_mb_float32(self) -> float:
        """Megabytes (10^6 bytes) in float32, BatchNorm folded."""
        return 4 * (self.weights + self.biases) / MB

    @property
    def size_mb_int8(self) -> float:
        """Megabytes with 8-bit weights and 32-bit biases."""
        return (self.weights + 4 * self.biases) / MB

    @property
    def size_mb(self) -> float:
        """The size of this checkpoint as released: int8 for a quantized one, float32 otherwise."""
        return self.size_mb_int8 if self.checkpoint.quantized else self.size_mb_float32


def option_words(checkpoint: Checkpoint) -> list[str]:
    """The command-line options that build ``checkpoint``'s architecture: ``--network`` and each
    of its options (``["--network", "mobilenet_v3", "--alpha", "0.75", "--variant", "large",
    "--channels", "tf-slim"]``)."""
    from ..cli.options import option_name  # the command line's names of the library's parameters

    words = ["--network", checkpoint.network]
    for name, value in checkpoint.options:
        words += [option_name(name), f"{value:g}" if isinstance(value, float) else str(value)]
    return words


def bench_command(checkpoint: Checkpoint, threads: int | None = None) -> str:
    """``mnetcalc bench ... --optimize --threads T``: the command that times ``checkpoint``'s
    architecture as the calibration predicts it (``optimize()``, batch 1, ``threads``)."""
    threads_words = [] if threads is None else ["--threads", str(threads)]
    return " ".join(["mnetcalc", "bench", *option_words(checkpoint), "--optimize", *threads_words])


class Budget(Record):
    """The limits a choice must meet; None: no limit. ``latency_ms`` (the upper end of the interval
    predicted on this machine, or the median times ``1 + margin``),
    ``size_mb`` (as released: int8 size for 8-bit checkpoints), ``mult_adds_m`` (millions),
    ``memory_mb`` (the activations' peak working set, as released)."""

    __slots__ = ("latency_ms", "size_mb", "mult_adds_m", "memory_mb")

    def __init__(self, latency_ms=None, size_mb=None, mult_adds_m=None, memory_mb=None):
        self._set(
            latency_ms=_limit("latency_ms", latency_ms),
            size_mb=_limit("size_mb", size_mb),
            mult_adds_m=_limit("mult_adds_m", mult_adds_m),
            memory_mb=_limit("memory_mb", memory_mb),
        )

    def _overs(self, candidate: Choice) -> list[tuple[float, str]]:
        """For each limit given: how far ``candidate`` lies over it, as a fraction of the limit
        (negative: under it), and the limit's option (``--size-mb``)."""
        value = {  # read only for the limits given (memory is counted only under its budget)
            "latency_ms": lambda: candidate.upper_ms,
            "size_mb": lambda: candidate.size_mb,
            "mult_adds_m": lambda: candidate.mult_adds / 1e6,
            "memory_mb": lambda: candidate.memory_mb,
        }
        return [
            (value[name]() / limit - 1, f"--{name.replace('_', '-')}")
            for name, limit in self.fields().items()
            if limit is not None
        ]

    def excess(self, candidate: Choice) -> float:
        """How far ``candidate`` lies over the tightest of the limits, as a fraction of that limit
        (0.0: it fits every limit)."""
        return max([0.0, *(over for over, _ in self._overs(candidate))])

    def tightest(self, candidate: Choice) -> str | None:
        """The option of the limit ``candidate`` misses by the most (``--size-mb``), or None when
        it fits every limit."""
        over, option = max(self._overs(candidate), default=(0.0, None))
        return option if over > 0 else None

    def describe(self) -> str:
        """The limits in the command line's words: ``--latency-ms 5 --size-mb 4``."""
        parts = [
            f"--{name.replace('_', '-')} {value:g}"
            for name, value in self.fields().items()
            if value is not None
        ]
        return " ".join(parts) or "no budget"


def _limit(name: str, value) -> float | None:
    return None if value is None else positive_number(name, value)


class NothingFits(InvalidArgument):
    """No checkpoint meets the budget; ``nearest`` is the one that misses it by the least."""

    def __init__(self, budget: Budget, nearest: Choice, hint: str = ""):
        over = budget.excess(nearest)
        super().__init__(
            f"no published checkpoint fits {budget.describe()}; the nearest miss is "
            f"{nearest.checkpoint.name} ({_interval(nearest)}, "
            f"{nearest.size_mb:.2f} MB, {nearest.mult_adds / 1e6:.1f} M mult-adds, "
            f"{nearest.memory_mb:.2f} MB peak activations: "
            f"{100 * over:.0f} % over {budget.tightest(nearest)}){hint}"
        )
        self.nearest = nearest


def _interval(c: Choice) -> str:
    e = c.latency
    return (
        f"median {e.median_ms:.3g} ms, interval {e.low_ms:.3g}-{e.high_ms:.3g} ms, margin "
        f"{100 * c.margin_used:.0f} %"
    )


def _estimator(calibration, threads):
    """``report -> Estimate`` from a calibration, or from a made-up latency (a callable from cost
    report to milliseconds or to an :class:`~mnetcalc.latency_model.Estimate`: no interval)."""
    if isinstance(calibration, Calibration):
        threads = calibration.model(threads).threads  # a count the file lacks: refused here

        def estimate(report, name):
            return calibration.estimate(report, threads, what=name)

        return estimate
    if not callable(calibration):
        raise InvalidArgument(
            f"calibration must be a Calibration (or a function from cost report to ms), got "
            f"{type(calibration).__name__}",
            "calibration",
        )

    def made_up(report, name):
        value = calibration(report)
        if isinstance(value, Estimate):
            return value
        ms = float(value)
        return Estimate(ms, ms, ms, threads)

    return made_up


class _Costs:
    """Each architecture costed once: an 8-bit checkpoint has the network and options of its float
    one, hence its mult-adds, parameters, latency and activations' peak. ``costs(checkpoint)`` is
    its :class:`Choice`; the activations' peak (the slowest part of costing) is counted only with
    ``memory=True``, and then once per architecture."""

    def __init__(self, latency: Callable, margin: float | None = None):
        self.latency, self.margin = latency, margin
        self.reports: dict = {}  # (network, options) -> cost report
        self.choices: dict = {}  # (network, options) -> Choice

    def __call__(self, checkpoint: Checkpoint, memory: bool = False) -> Choice:
        key = (checkpoint.network, checkpoint.options)
        if key not in self.choices:
            report = self.reports[key] = checkpoint.config().cost()
            biases = report.bias_params + report.bn_params // 2
            estimate = self.latency(report, checkpoint.name)
            self.choices[key] = Choice(
                checkpoint, report.mult_adds, report.params, biases, estimate, self.margin
            )
        costed = self.choices[key]
        if memory and costed.peak_elements is None:
            peak = network_memory(self.reports[key], 1).peak_bytes
            costed = self.choices[key] = costed.replace(peak_elements=peak)
        return costed.replace(checkpoint=checkpoint)


def candidate(checkpoint: Checkpoint, latency: Callable, margin: float | None = None) -> Choice:
    """``checkpoint`` costed: its configuration's exact mult-adds and deployed parameter counts, and
    ``latency(report, name)`` (an :class:`~mnetcalc.latency_model.Estimate`; ``report``: the
    configuration's cost report), and the numbers live at its activations' peak."""
    return _Costs(latency, margin)(checkpoint, memory=True)


def _quantized_would_fit(budget: Budget, pool, costs: _Costs) -> bool:
    """Whether an 8-bit checkpoint of the families in ``pool`` fits ``budget``, held to the same
    rule as the float ones (``costs``: their costs, which the 8-bit ones share)."""
    wanted = {c.family for c in pool}
    memory = budget.memory_mb is not None
    return any(
        budget.excess(costs(c, memory)) == 0.0
        for c in published_checkpoints()
        if c.quantized and c.family in wanted
    )


def pareto_front(choices: Sequence[Choice]) -> set[str]:
    """The names of the choices that no other one dominates in (top-1 up, median latency down)."""
    front = set()
    for c in choices:
        a, t = c.checkpoint.top1, c.latency_ms
        dominated = any(
            o.checkpoint.top1 >= a
            and o.latency_ms <= t
            and (o.checkpoint.top1 > a or o.latency_ms < t)
            for o in choices
        )
        if not dominated:
            front.add(c.checkpoint.name)
    return front


def checked_margin(margin) -> float | None:
    """``margin``: None (the interval's own), or a number from 0 to :data:`MAX_MARGIN`."""
    if margin is None:
        return None
    try:
        value = float(margin)
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    if isinstance(margin, bool) or not 0 <= value <= MAX_MARGIN:
        raise InvalidArgument(
            f"margin must be a number from 0 (the median alone) to {MAX_MARGIN:g}, got "
            f"{str(margin)[:30]}",
            "margin",
        )
    return value


def choose(
    budget: Budget,
    calibration: Calibration | Callable | None = None,
    *,
    threads: int | None = None,
    margin: float | None = None,
    families: str | Iterable[str] | None = None,
    quantized: bool = False,
    extra_data: bool = True,
    checkpoints: Sequence[Checkpoint] | None = None,
) -> list[Choice]:
    """The checkpoints that fit ``budget``, ranked best first (published top-1 down, then predicted
    median, then name), each marked ``pareto`` when on the accuracy-latency front of those that
    fit.

    ``calibration``: a :class:`~mnetcalc.latency_model.Calibration` (default:
    :func:`~mnetcalc.latency_model.default_calibration`), or a function from cost report to
    milliseconds (a made-up latency, without an interval); ``threads``: its model (default: 1 if
    it has it, else its smallest); ``margin``: hold the median times ``1 + margin`` to the latency
    budget instead of the interval's upper end (0: the median alone); ``families`` limits the
    families ("v1", "v2", ..., or one string; default: all); ``quantized`` includes the 8-bit
    checkpoints (default: float only); ``extra_data=False`` leaves out checkpoints trained on more
    than ImageNet-1k. Raises :class:`NothingFits` naming the nearest miss when none fits."""
    margin = checked_margin(margin)
    latency = _estimator(default_calibration() if calibration is None else calibration, threads)
    pool = list(published_checkpoints() if checkpoints is None else checkpoints)
    known = tuple(dict.fromkeys(c.family for c in pool))
    if isinstance(families, str):
        families = [families]
    wanted = set(known) if families is None else {choice("family", f, known) for f in families}
    pool = [
        c
        for c in pool
        if c.family in wanted
        and (quantized or not c.quantized)
        and (extra_data or not getattr(c, "extra_data", False))
    ]
    if not pool:
        raise InvalidArgument("no published checkpoint matches the families asked for", "family")
    # Each architecture is costed once; its activations' peak is counted for every candidate only
    # under a memory budget, else for the choices returned (and a nearest miss) alone.
    costs = _Costs(latency, margin)
    candidates = [costs(c, memory=budget.memory_mb is not None) for c in pool]
    fits = [c for c in candidates if budget.excess(c) == 0.0]
    if not fits:
        nearest = min(candidates, key=lambda c: (budget.excess(c), c.latency_ms))
        hint = ""
        if not quantized and checkpoints is None and _quantized_would_fit(budget, pool, costs):
            hint = "; an 8-bit checkpoint fits it: add --quantized"
        raise NothingFits(budget, costs(nearest.checkpoint, memory=True), hint)
    front = pareto_front(fits)
    ranked = sorted(fits, key=lambda c: (-c.checkpoint.top1, c.latency_ms, c.checkpoint.name))
    return [
        costs(c.checkpoint, memory=True).replace(pareto=c.checkpoint.name in front) for c in ranked
    ]


__all__ = [
    "Budget",
    "Choice",
    "NothingFits",
    "bench_command",
    "candidate",
    "checked_margin",
    "choose",
    "option_words",
    "pareto_front",
]
