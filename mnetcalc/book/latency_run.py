"""The timing run the book's Part III pages share (``latency_model``, ``latency_validation`` and
``choosing``), and the measurement of a few networks as ``mnetcalc bench --optimize`` measures
them. Needs torch.

:func:`book_run` calibrates the latency model on this machine at one thread count (quick
settings) and times held-out networks in the same run
(:func:`mnetcalc.runtime.calibrate.calibrate_and_validate`). The pages show the same run:
the first page executed stores it as JSON under ``_build/.mnetcalc-book/`` (or
``$MNETCALC_BOOK_CACHE``; :func:`cache_dir`), keyed by the CPU, the thread count, the networks and
the source of the code that times and fits them, and the other pages read it back, so that a
build pays for one calibration, not three. Deleting the folder (``make clean`` deletes
``_build``) times anew.

:func:`measure` times networks against the reference network in the same rounds, as ``bench
--optimize`` does: each one's median wall time per call, in ms.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..latency_model import Calibration

#: Where the shared run is kept, unless ``$MNETCALC_BOOK_CACHE`` says.
CACHE_VARIABLE = "MNETCALC_BOOK_CACHE"

#: Held-out networks larger than this many mult-adds are left out of the book's run (time).
BOOK_MAX_MULT_ADDS = 900e6

#: Families left out of the book's run: GoogLeNet's inception modules take long to prepare.
BOOK_SKIPPED = ("googlenet",)

_PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BookRun:
    """One calibration and its held-out networks, timed in one run: the ``calibration``
    (torch-free, schema 2), the file's dict (``file``), the validation ``rows`` and ``summary``
    (:class:`mnetcalc.runtime.heldout.Validation`), the ``seconds`` the run took, the
    ``threads`` and the ``machine`` it ran on."""

    calibration: Calibration
    file: dict
    rows: tuple[dict, ...]
    summary: dict
    seconds: float
    threads: int
    machine: dict

    @property
    def model(self):
        """The calibration's model of :attr:`threads` (a ``ThreadModel``)."""
        return self.calibration.model(self.threads)


def book_held_out() -> list:
    """The held-out configurations the book times: those of
    :data:`mnetcalc.runtime.heldout.HELD_OUT` with at most :data:`BOOK_MAX_MULT_ADDS` mult-adds,
    outside :data:`BOOK_SKIPPED`."""
    from ..runtime.heldout import HELD_OUT, family

    return [
        c
        for c in HELD_OUT
        if c.cost().mult_adds <= BOOK_MAX_MULT_ADDS and family(c) not in BOOK_SKIPPED
    ]


def cache_dir() -> Path:
    """``$MNETCALC_BOOK_CACHE``, else ``_build/.mnetcalc-book`` in the book's checkout (where the
    package sits beside ``_toc.yml``), else ``mnetcalc-book`` in the temporary directory (a
    downloaded notebook with an installed mnetcalc)."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen:
        return Path(chosen)
    checkout = _PACKAGE.parent
    if (checkout / "_toc.yml").exists():
        return checkout / "_build" / ".mnetcalc-book"
    return Path(tempfile.gettempdir()) / "mnetcalc-book"


#: The code whose change times anew: what times, fits and predicts, what builds the networks
#: timed, and what counts their rows' features (folders, and single modules of the package).
_DIGESTED = ("runtime", "latency_model", "core", "networks", "traffic.py")


def _source_digest() -> str:
    """A digest of the code that times, fits and predicts, builds the networks and counts their
    features (:data:`_DIGESTED`): a change of it times anew."""
    digest = hashlib.sha256()
    for name in _DIGESTED:
        source = _PACKAGE / name
        paths = [source] if source.suffix == ".py" else sorted(source.glob("*.py"))
        for path in paths:
            digest.update(str(path.relative_to(_PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(threads: int, labels: list[str]) -> str:
    from ..latency_model.machine import cpu_model

    text = json.dumps([cpu_model(), threads, labels, _source_digest()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _from_json(data: dict) -> BookRun:
    return BookRun(
        Calibration.from_dict(data["file"]),
        data["file"],
        tuple(data["rows"]),
        data["summary"],
        data["seconds"],
        data["threads"],
        data["machine"],
    )


def book_run(threads: int = 1, configs=None) -> BookRun:
    """The shared run at ``threads`` over ``configs`` (default :func:`book_held_out`): read
    back if this build has made it, else timed now (quick calibration) and kept."""
    from ..runtime.samples import label

    configs = book_held_out() if configs is None else list(configs)
    path = cache_dir() / f"latency-run-{_key(threads, [label(c) for c in configs])}.json"
    if path.exists():
        return _from_json(json.loads(path.read_text(encoding="utf-8")))
    from ..runtime.calibrate import calibrate_and_validate

    start, cpu_start = time.perf_counter(), time.process_time()
    _, validation = calibrate_and_validate(threads, configs, quick=True, progress=False)
    data = validation.to_dict()
    data = {
        "file": data["file"],
        "rows": data["rows"],
        "summary": data["summary"],
        "seconds": time.perf_counter() - start,
        "process_seconds": time.process_time() - cpu_start,  # this process's CPU time
        "threads": threads,
        "machine": data["machine"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data, allow_nan=False), encoding="utf-8")
    os.replace(partial, path)
    return _from_json(data)


def measure(configs, threads: int, rounds: int = 5, round_time: float = 0.1) -> dict:
    """Time ``configs`` as ``mnetcalc bench --optimize --threads T`` builds them, against the
    reference network in the same rounds: ``{"networks": {label: {"median_ms", "relative"}},
    "reference_ms": {...}, "drift": ...}`` (``median_ms``: median wall time per call;
    ``relative``: in reference units, drift-free)."""
    from ..runtime.latency import BenchConfig
    from ..runtime.reference import bench_runner, reference_runner, time_against_reference
    from ..runtime.samples import label

    runners = {
        label(c): bench_runner(BenchConfig(c, threads=threads, batch=1, level="optimized"))
        for c in configs
    }
    times = time_against_reference(
        runners,
        reference_runner(threads),
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=False,
    )
    return {
        "networks": {
            name: {"median_ms": 1e3 * times.median_s(name), "relative": times.relative(name)}
            for name in runners
        },
        "reference_ms": times.reference_ms(),
        "drift": times.drift(),
    }


__all__ = [
    "BOOK_MAX_MULT_ADDS",
    "BOOK_SKIPPED",
    "CACHE_VARIABLE",
    "BookRun",
    "book_held_out",
    "book_run",
    "cache_dir",
    "measure",
]
