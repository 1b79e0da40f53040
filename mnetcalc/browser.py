"""The command line as the book's live calculator page runs it, in Pyodide in the reader's browser.

The page (book/calculator.md, static/calculator.js) passes the text a reader typed after
``mnetcalc``; :func:`run` splits it like a POSIX shell and runs the real command line,
:func:`mnetcalc.cli.main`, capturing what a terminal of 80 columns would show. Standard library
only, like the command line itself; it runs the same under CPython, where the tests check it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import traceback
from typing import NamedTuple

from .latency_model import MAX_FILE_BYTES

#: The terminal width the page imitates (argparse wraps ``--help`` to it).
COLUMNS = "80"


class Output(NamedTuple):
    """What the command printed, and the exit status a shell would report."""

    status: int
    stdout: str
    stderr: str


def split(line: str) -> list[str]:
    """The words of ``line`` as a POSIX shell passes them, without a leading ``mnetcalc``."""
    words = shlex.split(line)
    return words[1:] if words[:1] == ["mnetcalc"] else words


def _exit_status(code) -> int:
    """The shell's status for ``sys.exit(code)``."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def run(line: str) -> Output:
    """Run ``mnetcalc LINE`` and return its status, stdout and stderr, as under ``COLUMNS=80``.

    A line the shell could not split (an unclosed quote) gets the CLI's kind of one-line error; a
    command that needs torch (``bench``, ``train``, ``table --check``), which Pyodide lacks, gets
    one line saying so instead of a traceback.
    """
    try:
        argv = split(line)
    except ValueError as error:  # shlex: "No closing quotation", "No escaped character"
        return Output(2, "", f"mnetcalc: error: {error}\n")
    from .cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = main(argv)
            except SystemExit as exit_:  # --help, or argparse's own exit
                status = _exit_status(exit_.code)
            except ModuleNotFoundError as error:
                print(
                    f"mnetcalc: error: this command needs {error.name}, which the browser "
                    "does not have; run it in a terminal",
                    file=stderr,
                )
                status = 2
            except Exception:  # noqa: BLE001 - a bug: traceback and status 1, as in a terminal
                traceback.print_exc()
                status = 1
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return Output(status, stdout.getvalue(), stderr.getvalue())


def table_choices() -> dict:
    """What the calculator page's network form must know of the ``table`` command: the values it
    accepts for each option with a fixed set of choices (``network``, ``variant``, ``format``),
    read from the command line's own parser, and from the registry of networks which of them take
    ``--alpha`` (``alpha_networks``) and ``--variant`` (``variant_networks``), each network's
    variants, its default first (``variants``), the network costed
    when none is named (``default_network``), the variant when none is named (``default_variant``)
    and each network's number of classes when none is given (``default_classes``)."""
    from .cli import build_parser
    from .networks.registry import NETWORKS, networks_with

    table = next(
        action.choices["table"]
        for action in build_parser("table")._actions
        if action.choices and "table" in action.choices
    )
    choices: dict = {
        action.dest: list(action.choices)
        for action in table._actions
        if action.choices and action.option_strings
    }
    # Not an option's choices: which networks take --alpha and --variant (the form disables them for
    # the rest), and the defaults that the form's command leaves out.
    choices["alpha_networks"] = networks_with("alpha")
    choices["variant_networks"] = networks_with("variants")
    choices["variants"] = {name: list(entry.variants) for name, entry in NETWORKS.items()}
    choices["default_network"] = table.get_default("network")
    choices["default_variant"] = NETWORKS[choices["default_network"]].variants[0]
    choices["default_classes"] = {name: entry.classes for name, entry in NETWORKS.items()}
    return choices


#: Where the page writes a reader's own calibration file (Pyodide's in-memory file system).
CALIBRATION_FILE = "/home/pyodide/my-calibration.json"

#: No calibration file is larger (the page reads an upload up to one byte more, to say so).
MAX_CALIBRATION_BYTES = MAX_FILE_BYTES


def use_calibration(text: str, path: str = CALIBRATION_FILE) -> Output:
    """Check a calibration file's text (pasted or uploaded on the page) as ``--calibration``
    would, and if it is good write it to ``path`` for ``choose --calibration`` and ``table
    --latency``. Status 0 with one line saying where and how it was made, or 2 with the command
    line's one-line error (nothing written)."""
    from .latency_model import Calibration
    from .validation import InvalidArgument

    try:
        calibration = Calibration.from_json(text)
    except InvalidArgument as error:
        return Output(2, "", f"mnetcalc: error: {error}\n")
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return Output(0, f"{path}: {calibration.describe()}\n", "")


def choose_families() -> list[str]:
    """The families of the published checkpoints, for the page's choose form."""
    from .latency_model.checkpoints import families

    return list(families())
