"""Which calibration a command uses: the one named, else ``$MNETCALC_CALIBRATION``, else
``./mnetcalc-calibration.json`` (where ``mnetcalc calibrate`` writes by default) when present, else
the one shipped with the package; and the one line that says which, on which CPU and at how many
threads (``choose``, ``table --latency`` and ``bench --latency`` print it on stdout). Standard
library only."""

from __future__ import annotations

import os

from ..core.record import Record
from .calibration import Calibration, load_calibration, shipped_calibration, shipped_path

#: The environment variable that names the calibration to use when a command names none.
ENV_VARIABLE = "MNETCALC_CALIBRATION"

#: The file ``mnetcalc calibrate`` writes by default, used when present in the current folder.
LOCAL_FILE = "mnetcalc-calibration.json"

#: ``--calibration shipped``: the calibration shipped with the package.
SHIPPED_NAME = "shipped"


class CalibrationSource(Record):
    """Where a calibration comes from: ``path`` (None: the shipped one) and ``how`` it was found
    ("named", "environment", "current folder", "shipped")."""

    __slots__ = ("path", "how")

    def __init__(self, path: str | None, how: str):
        self._set(path=path, how=how)

    def describe(self) -> str:
        """``shipped calibration (made by mnetcalc's authors)``, ``calibration FILE``,
        ``calibration FILE (from $MNETCALC_CALIBRATION)``, ``calibration FILE (found in the
        current folder)``."""
        if self.path is None:
            return "shipped calibration (made by mnetcalc's authors)"
        found = {"environment": f" (from ${ENV_VARIABLE})", "current folder": " (found here)"}
        return f"calibration {self.path}{found.get(self.how, '')}"

    def load(self) -> Calibration:
        return shipped_calibration() if self.path is None else load_calibration(self.path)


def calibration_source(path: str | None = None) -> CalibrationSource:
    """Where the calibration comes from: ``path`` if given (``"shipped"``: the package's), else
    ``$MNETCALC_CALIBRATION`` if set (to a file or ``shipped``), else
    ``./mnetcalc-calibration.json`` if it exists, else the shipped one."""
    if path is not None:
        return CalibrationSource(None if path == SHIPPED_NAME else str(path), "named")
    named = os.environ.get(ENV_VARIABLE, "")
    if named:
        return CalibrationSource(None if named == SHIPPED_NAME else named, "environment")
    if os.path.isfile(LOCAL_FILE):
        return CalibrationSource(LOCAL_FILE, "current folder")
    return CalibrationSource(None, "shipped")


def open_calibration(path: str | None = None) -> tuple[Calibration, CalibrationSource]:
    """The calibration :func:`calibration_source` finds, loaded and checked, and its source."""
    source = calibration_source(path)
    return source.load(), source


def default_calibration() -> Calibration:
    """The calibration a command uses when none is named (:func:`calibration_source`)."""
    return calibration_source().load()


def header(calibration: Calibration, source: CalibrationSource, threads: int | None) -> str:
    """One line: which calibration, made on which CPU, with which thread counts, predicting for
    how many threads; and, when made on another CPU than this one, that the predictions are that
    CPU's."""
    threads = calibration.default_threads if threads is None else threads
    counts = " and ".join(str(t) for t in calibration.thread_counts)
    provisional = ", provisional" if calibration.provisional else ""
    line = (
        f"latency: {source.describe()}{provisional}, made on {calibration.cpu} with models of "
        f"{counts} thread(s); predicted for {threads} thread(s), {calibration.engine}() "
        f"{calibration.precision} batch {calibration.batch}, median and p10-p90 interval"
    )
    other = calibration.other_cpu()
    if other:
        line += f"; {other}: the predictions are that CPU's"
    return line


__all__ = [
    "ENV_VARIABLE",
    "LOCAL_FILE",
    "SHIPPED_NAME",
    "CalibrationSource",
    "calibration_source",
    "default_calibration",
    "header",
    "open_calibration",
    "shipped_path",
]
