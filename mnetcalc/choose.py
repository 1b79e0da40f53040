"""Which published MobileNet fits a budget: the logic of ``mnetcalc choose``, torch-free.

Each published checkpoint (:mod:`mnetcalc.checkpoints`) becomes a :class:`Choice`: its exact
mult-adds from the calculator, its size on disk, and its latency on this machine as predicted by a
latency model (a callable from cost report to milliseconds, :func:`choose`'s ``latency``). The
choices that fit every budget given are ranked by published top-1 (then by predicted latency, then
by name), and each is marked when it lies on the accuracy-against-latency Pareto front of the
choices that fit: no other choice that fits is both at least as accurate and at least as fast, and
better in one of the two.

Size: the parameters a deployed network stores once BatchNorm is folded into the convolutions
(the weights, the biases, and one bias per BatchNorm channel), at 4 bytes each in float32; in int8
the weights take 1 byte and the biases stay 32-bit integers (4 bytes), as in Jacob et al. (2018).
MB are 10^6 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .checkpoints import Checkpoint, published_checkpoints
from .core.record import Record
from .validation import InvalidArgument, choice, positive_number

MB = 1_000_000


class Choice(Record):
    """One checkpoint as a candidate: the ``checkpoint``, the calculator's exact ``mult_adds``,
    the deployed ``weights`` and ``biases`` (BatchNorm folded), the predicted ``latency_ms`` and,
    once ranked, whether it is on the Pareto front (``pareto``)."""

    __slots__ = ("checkpoint", "mult_adds", "weights", "biases", "latency_ms", "pareto")

    def __init__(self, checkpoint, mult_adds, weights, biases, latency_ms, pareto=False):
        self._set(
            checkpoint=checkpoint,
            mult_adds=mult_adds,
            weights=weights,
            biases=biases,
            latency_ms=latency_ms,
            pareto=pareto,
        )

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


class Budget(Record):
    """The limits a choice must meet; None: no limit. ``latency_ms`` (predicted on this machine),
    ``size_mb`` (as released: int8 size for 8-bit checkpoints), ``mult_adds_m`` (millions)."""

    __slots__ = ("latency_ms", "size_mb", "mult_adds_m")

    def __init__(self, latency_ms=None, size_mb=None, mult_adds_m=None):
        self._set(
            latency_ms=_limit("latency_ms", latency_ms),
            size_mb=_limit("size_mb", size_mb),
            mult_adds_m=_limit("mult_adds_m", mult_adds_m),
        )

    def excess(self, candidate: Choice) -> float:
        """How far ``candidate`` lies over the tightest of the limits, as a fraction of that limit
        (0.0: it fits every limit)."""
        over = [
            value / limit - 1
            for value, limit in (
                (candidate.latency_ms, self.latency_ms),
                (candidate.size_mb, self.size_mb),
                (candidate.mult_adds / 1e6, self.mult_adds_m),
            )
            if limit is not None
        ]
        return max([0.0, *over])

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

    def __init__(self, budget: Budget, nearest: Choice):
        over = budget.excess(nearest)
        super().__init__(
            f"no published checkpoint fits {budget.describe()}; the nearest miss is "
            f"{nearest.checkpoint.name} ({nearest.latency_ms:.2f} ms, "
            f"{nearest.size_mb:.2f} MB, {nearest.mult_adds / 1e6:.1f} M mult-adds: "
            f"{100 * over:.0f} % over)"
        )
        self.nearest = nearest


def candidate(checkpoint: Checkpoint, latency: Callable) -> Choice:
    """``checkpoint`` costed: its configuration's exact mult-adds and deployed parameter counts, and
    ``latency(report)`` in milliseconds (``report``: the configuration's cost report)."""
    report = checkpoint.config().cost()
    biases = report.bias_params + report.bn_params // 2
    return Choice(checkpoint, report.mult_adds, report.params, biases, float(latency(report)))


def pareto_front(choices: Sequence[Choice]) -> set[str]:
    """The names of the choices that no other one dominates in (top-1 up, latency down)."""
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


def choose(
    budget: Budget,
    latency: Callable,
    *,
    families: Iterable[str] | None = None,
    quantized: bool = False,
    checkpoints: Sequence[Checkpoint] | None = None,
) -> list[Choice]:
    """The checkpoints that fit ``budget``, ranked best first (published top-1 down, then predicted
    latency, then name), each marked ``pareto`` when on the accuracy-latency front of those that
    fit. ``families`` limits the families ("v1", "v2", ...; default: all); ``quantized`` includes
    the 8-bit checkpoints (default: float only). Raises :class:`NothingFits` naming the nearest
    miss when none fits."""
    pool = list(published_checkpoints() if checkpoints is None else checkpoints)
    known = tuple(dict.fromkeys(c.family for c in pool))
    wanted = set(known) if families is None else {choice("family", f, known) for f in families}
    pool = [c for c in pool if c.family in wanted and (quantized or not c.quantized)]
    if not pool:
        raise InvalidArgument("no published checkpoint matches the families asked for", "family")
    # An 8-bit checkpoint has the architecture of its float one (the same network and options):
    # cost each architecture once, and build its configuration only there (in ``candidate``).
    costed: dict = {}
    candidates = []
    for c in pool:
        key = (c.network, c.options)
        if key not in costed:
            costed[key] = candidate(c, latency)
        candidates.append(costed[key].replace(checkpoint=c))
    fits = [c for c in candidates if budget.excess(c) == 0.0]
    if not fits:
        raise NothingFits(budget, min(candidates, key=lambda c: (budget.excess(c), c.latency_ms)))
    front = pareto_front(fits)
    ranked = sorted(fits, key=lambda c: (-c.checkpoint.top1, c.latency_ms, c.checkpoint.name))
    return [c.replace(pareto=c.checkpoint.name in front) for c in ranked]


__all__ = ["Budget", "Choice", "NothingFits", "candidate", "choose", "pareto_front"]
