"""The ``mnetcalc`` command line: one module per command, the shared options in :mod:`.options`.

``main(argv)`` parses, runs the command and returns the exit status; it prints to ``sys.stdout`` and
``sys.stderr`` only (it also runs inside Pyodide in the browser). Start-up matters: the command line
should start about as fast as the interpreter, so only the parser of the command asked for is built,
and only its module imported. ``table``, ``layer`` and ``sweep`` import the standard library only;
``bench`` and ``train`` (and ``table --check``) import torch inside their ``run``, after their
arguments are checked."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .. import __version__
from ..validation import InvalidArgument
from .options import UsageError, cli_message

#: Modules only the torch commands need (``pip install "mnetcalc[torch]"`` or requirements.txt).
TORCH_EXTRAS = ("torch", "fvcore", "numpy", "tqdm", "matplotlib")

#: The commands: name -> (one-line help, module with ``add_arguments(parser)`` and ``run(args)``).
COMMANDS = {
    "table": ("per-layer mult-adds and parameters of one network", "table"),
    "layer": ("one layer as standard vs depthwise separable (paper Table 3)", "layer"),
    "sweep": ("totals over a grid of width multipliers and resolutions", "sweep"),
    "bench": (
        "CPU latency of a real PyTorch network, whole and (--per-layer) layer by layer",
        "bench",
    ),
    "train": ("train a small MobileNet on Fashion-MNIST (needs torch)", "train"),
    "calibrate": (
        "time layers of the inference path on this CPU and fit the latency model (needs torch)",
        "calibrate",
    ),
    "choose": (
        "the published MobileNets that fit a latency, size and mult-adds budget on this CPU",
        "choose",
    ),
}


def terminal_width() -> int:
    """Columns of the terminal (``$COLUMNS`` first, 80 if there is none), as
    ``shutil.get_terminal_size`` finds them."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal width up front. Left to itself, argparse imports
    ``shutil`` (and with it ``bz2``, ``lzma``, ...) to ask, on every ``add_argument``, which would
    be a good part of this command line's start-up time."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        width = terminal_width() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)


class Exit(Exception):
    """argparse's exit (after ``--help`` or ``--version``), as an exception main returns."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("allow_abbrev", False)  # --cal is no --calibration: say so
        super().__init__(*args, **kwargs)

    def _parse_optional(self, arg_string):
        # A word that starts with "-" but is no option of this parser (-1e3, -inf, -0.5,2) is a
        # value, to be checked and refused with its name, not "expected one argument".
        parsed = super()._parse_optional(arg_string)
        options = parsed if isinstance(parsed, list) else [parsed] if parsed else []
        if options and all(option[0] is None for option in options):
            return None
        return parsed

    def error(self, message):  # one line (even if a stray word holds a line break), no usage dump
        raise UsageError(" ".join(message.splitlines()))

    def exit(self, status=0, message=None):
        if message:
            print(message, end="", file=sys.stderr)
        raise Exit(status)


def build_parser(command: str | None = None) -> Parser:
    """The parser of every command or, if ``command`` names one, of that one only (argparse takes
    milliseconds to set up each sub-parser)."""
    parser = Parser(
        prog="mnetcalc",
        description="MobileNets and the networks they were compared with: mult-adds and "
        "parameters, layer by layer (Howard et al. 2017).",
    )
    parser.add_argument("--version", action="version", version=f"mnetcalc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for name, (text, module_name) in COMMANDS.items():
        if command in COMMANDS and name != command:
            continue
        module = importlib.import_module(f".{module_name}", __name__)
        sub = commands.add_parser(name, help=text, description=text)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def command_named(argv: list[str]) -> str | None:
    """The command that ``argv`` asks for: its first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), None)


def check_top_level(argv: list[str]) -> None:
    """Before a command only ``-h``, ``--help`` and ``--version`` may come."""
    for word in argv:
        if not word.startswith("-"):
            return
        if word not in ("-h", "--help", "--version"):
            commands = ", ".join(COMMANDS)
            raise UsageError(f"unrecognized option {word!r} before the command ({commands})")


def main(argv=None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        check_top_level(argv)
        args = build_parser(command_named(argv)).parse_args(argv)
        return args.run(args)
    except Exit as done:
        return done.status
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in TORCH_EXTRAS:
            raise
        print(
            f"mnetcalc: error: this command needs {error.name}, which is not installed "
            '(pip install "mnetcalc[torch]", or pip install -r requirements.txt)',
            file=sys.stderr,
        )
        return 2
    except InvalidArgument as error:
        print(f"mnetcalc: error: {cli_message(error)}", file=sys.stderr)
        return 2
    except UsageError as error:
        print(f"mnetcalc: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `mnetcalc table | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
