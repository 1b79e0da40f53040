"""The ``mnetcalc`` command line: ``table``, ``layer`` and ``sweep`` (plus commands that need torch).

This module and everything it imports at start-up are standard-library only: the CLI must start about
as fast as the interpreter. Commands that need torch live in their own modules (see ``COMMANDS``);
each must be importable without torch (it imports torch inside its ``run``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import formatting
from .architecture import VARIANTS
from .calculator import layer_costs, mobilenet_v1, table3
from .validation import InvalidArgument
from .zoo import DEFAULT_RESOLUTION, network_cost

#: Library parameter names that the CLI spells differently.
OPTION_NAMES = {"num_classes": "--classes", "resolution": "--res"}


def cli_message(error: InvalidArgument) -> str:
    """The library's message, with the parameter named as the user typed it (``--classes``, not ``num_classes``)."""
    message = str(error)
    if error.name and message.startswith(error.name):
        message = OPTION_NAMES.get(error.name, "--" + error.name) + message[len(error.name):]
    return message


class UsageError(Exception):
    """Raised instead of argparse's exit, so that every bad input ends in one line and status 2."""


def terminal_width() -> int:
    """Columns of the terminal (``$COLUMNS`` first, 80 if there is none), as ``shutil.get_terminal_size``
    finds them."""
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
    ``shutil`` (and with it ``bz2``, ``lzma``, ...) to ask, on every ``add_argument``: measured about
    5 ms, a fifth of what this command line added to the interpreter's start-up."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, terminal_width() - 2 if width is None else width)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line, no usage dump
        raise UsageError(message)


def comma_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InvalidArgument(f"expected a comma-separated list of values, got {text!r}")
    return items


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="text", choices=formatting.FORMATS, help="output format (default: text)")


def add_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--classes", default="1000", metavar="K", help="number of classes (default: 1000)")
    parser.add_argument("--variant", default="separable", choices=VARIANTS, help="network variant (default: separable)")


def add_table(table: argparse.ArgumentParser) -> None:
    table.add_argument("--alpha", default="1.0", help="width multiplier, a number > 0 (default: 1.0)")
    table.add_argument(
        "--res", default=None, metavar="R", help="input resolution in pixels (default: 224; alexnet, squeezenet: 227)"
    )
    table.add_argument(
        "--network",
        default="mobilenet_v1",
        choices=("mobilenet_v1", *DEFAULT_RESOLUTION),
        help="network to cost (default: mobilenet_v1); the giants of paper Tables 8-9 take no --alpha or --variant",
    )
    add_network_options(table)
    add_format(table)
    table.add_argument(
        "--check", action="store_true", help="compare with fvcore's count of a real PyTorch model (needs torch)"
    )
    table.set_defaults(run=run_table)


def add_layer(layer: argparse.ArgumentParser) -> None:
    for name, default, what in (
        ("--dk", "3", "kernel side"),
        ("--m", "512", "input channels"),
        ("--n", "512", "output channels"),
        ("--df", "14", "feature-map side"),
    ):
        layer.add_argument(name, default=default, help=f"{what} (default: {default})")
    layer.add_argument("--alpha", default="1.0", help="width multiplier (default: 1.0)")
    layer.add_argument("--rho", default="1.0", help="resolution multiplier (default: 1.0)")
    add_format(layer)
    layer.set_defaults(run=run_layer)


def add_sweep(sweep: argparse.ArgumentParser) -> None:
    sweep.add_argument("--alpha", default="1,0.75,0.5,0.25", help="comma-separated width multipliers")
    sweep.add_argument("--res", default="224,192,160,128", metavar="R,...", help="comma-separated resolutions")
    add_network_options(sweep)
    add_format(sweep)
    sweep.set_defaults(run=run_sweep)


def defined_in(module_name: str):
    """A sub-command whose ``add_arguments(parser)`` and ``run(args) -> int`` live in ``module_name``, a module
    that imports torch only inside ``run``; it is imported only when its sub-parser is built."""

    def add(parser: argparse.ArgumentParser) -> None:
        module = importlib.import_module(module_name)
        module.add_arguments(parser)
        parser.set_defaults(run=module.run)

    return add


#: The sub-commands: name -> (one-line help, function that adds its arguments and its ``run``).
COMMANDS = {
    "table": ("per-layer mult-adds and parameters of one MobileNet", add_table),
    "layer": ("one layer as standard vs depthwise separable (paper Table 3)", add_layer),
    "sweep": ("totals over a grid of width multipliers and resolutions", add_sweep),
    "bench": ("CPU latency of a real PyTorch MobileNet, whole and (--per-layer) layer by layer",
              defined_in("mnetcalc.bench_cli")),
    "train": ("train a small MobileNet on Fashion-MNIST (needs torch)", defined_in("mnetcalc.train_cli")),
}


def build_parser(command: str | None = None) -> Parser:
    """The parser of every sub-command or, if ``command`` names one, of that one only: argparse takes
    milliseconds to set up each sub-parser, and the command line should start as fast as the interpreter."""
    parser = Parser(prog="mnetcalc", description="MobileNet v1 costs, layer by layer (Howard et al. 2017).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for name, (text, add_arguments) in COMMANDS.items():
        if command in COMMANDS and name != command:
            continue
        add_arguments(commands.add_parser(name, help=text, description=text))
    return parser


def command_named(argv: list[str]) -> str | None:
    """The sub-command that ``argv`` asks for: its first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), None)


def run_table(args) -> int:
    if args.network != "mobilenet_v1":
        for option, value, default in (("--alpha", args.alpha, "1.0"), ("--variant", args.variant, "separable")):
            if value != default:
                raise UsageError(f"{option} applies to mobilenet_v1 only, not to --network {args.network}")
        if args.check:
            raise UsageError(f"--check supports mobilenet_v1 only, not --network {args.network}")
        print(formatting.render_table(network_cost(args.network, args.res, args.classes), args.format))
        return 0
    report = mobilenet_v1(args.alpha, 224 if args.res is None else args.res, args.classes, args.variant)
    if args.check:
        from .check_cli import render_check  # needs torch and fvcore

        print(render_check(report, args.format))
        return 0
    print(formatting.render_table(report, args.format))
    return 0


def run_layer(args) -> int:
    final = layer_costs(args.dk, args.m, args.n, args.df, args.alpha, args.rho)
    steps = table3(args.dk, args.m, args.n, args.df, float(args.alpha), float(args.rho))
    # Table 3 rows for the modifications actually asked for (alpha or rho of 1 changes nothing).
    keep = [True, True, float(args.alpha) != 1.0, float(args.rho) != 1.0]
    print(formatting.render_layer([s for s, k in zip(steps, keep) if k], final, args.format))
    return 0


def run_sweep(args) -> int:
    reports = [
        mobilenet_v1(alpha, res, args.classes, args.variant)
        for alpha in comma_list(args.alpha)
        for res in comma_list(args.res)
    ]
    print(formatting.render_sweep(reports, args.format))
    return 0


def main(argv=None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(command_named(argv)).parse_args(argv)
        return args.run(args)
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
