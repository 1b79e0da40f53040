"""The options several commands share, each defined once, and the errors' wording.

Option values stay strings here; the library's constructors check and convert them, and a bad one
raises :class:`~mnetcalc.validation.InvalidArgument` naming the parameter, which :func:`cli_message`
turns back into the option the user typed."""

from __future__ import annotations

from ..architecture import VARIANTS
from ..formatting import FORMATS
from ..validation import InvalidArgument

#: Library parameter names that the command line spells differently (others: ``--`` + the name,
#: dashes for underscores).
OPTION_NAMES = {"num_classes": "--classes", "resolution": "--res"}


class UsageError(Exception):
    """Raised instead of argparse's exit, so that every bad input ends in one line and status 2."""


def option_name(parameter: str) -> str:
    """The option that sets a library parameter: ``num_classes`` -> ``--classes``, ``stem_stride``
    -> ``--stem-stride``."""
    return OPTION_NAMES.get(parameter, "--" + parameter.replace("_", "-"))


def cli_message(error: InvalidArgument) -> str:
    """The library's message, with the parameter named as the user typed it (``--classes``, not
    ``num_classes``)."""
    message = str(error)
    if error.name and message.startswith(error.name):
        message = option_name(error.name) + message[len(error.name) :]
    return message


def comma_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InvalidArgument(f"expected a comma-separated list of values, got {text!r}")
    return items


def _help(text: str, shown) -> str:
    return text if shown is None else f"{text} (default: {shown})"


def add_alpha(parser, default="1.0", *, text="width multiplier, a number > 0", shown=None) -> None:
    parser.add_argument(
        "--alpha", default=default, help=_help(text, default if shown is None else shown)
    )


def add_resolution(
    parser, default="224", *, text="input resolution in pixels", metavar="R", shown=None
):
    parser.add_argument(
        "--res",
        dest="resolution",
        default=default,
        metavar=metavar,
        help=_help(text, default if shown is None else shown),
    )


def add_classes(parser, default="1000", *, shown=None) -> None:
    parser.add_argument(
        "--classes",
        dest="num_classes",
        default=default,
        metavar="K",
        help=_help("number of classes", default if shown is None else shown),
    )


def add_variant(parser, default="separable", *, shown=None) -> None:
    parser.add_argument(
        "--variant",
        default=default,
        choices=VARIANTS,
        help=_help("network variant", default if shown is None else shown),
    )


def add_stem_stride(parser, default="2", *, shown=None) -> None:
    parser.add_argument(
        "--stem-stride",
        dest="stem_stride",
        default=default,
        metavar="S",
        help=_help(
            "stride of the first convolution (ImageNet MobileNet: 2)",
            default if shown is None else shown,
        ),
    )


def add_format(parser, formats=FORMATS) -> None:
    parser.add_argument(
        "--format", default="text", choices=formats, help="output format (default: text)"
    )


def network_options(args) -> dict:
    """The MobileNet options given on the command line, as keyword arguments of
    :class:`~mnetcalc.architecture.MobileNetConfig` (those left unset are not included)."""
    names = ("resolution", "num_classes", "variant", "stem_stride", "in_channels")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
