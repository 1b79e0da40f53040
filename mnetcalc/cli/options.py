"""The options several commands share, each defined once, and the errors' wording.

Option values stay strings here; the library's constructors check and convert them, and a bad one
raises :class:`~mnetcalc.validation.InvalidArgument` naming the parameter, which :func:`cli_message`
turns back into the option the user typed."""

from __future__ import annotations

from ..networks.registry import DEFAULT_NETWORK, NETWORKS, defaults_shown, networks_with
from ..report.tables import FORMATS
from ..validation import InvalidArgument, allowed_range, shown

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


def comma_list(name: str, text: str) -> list[str]:
    """The values of a comma-separated option (``name`` says which, in the error)."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InvalidArgument(f"{name} must be a comma-separated list of values, got {shown(text)}")
    return items


def _add(parser, flag: str, default, text: str, shown=None, **options) -> None:
    """An option whose help ends in its default (``shown`` where that is not ``default`` itself)."""
    shown = default if shown is None else shown
    parser.add_argument(flag, default=default, help=f"{text} (default: {shown})", **options)


ALPHA_TEXT = f"width multiplier, a number in {allowed_range('alpha', integer=False)}"
RESOLUTION_TEXT = f"input resolution in pixels, {allowed_range('resolution', integer=True)}"


def networks_listed(field: str) -> str:
    """The networks that take an option (their registry entry's ``field``), for a help text or an
    error: ``"mobilenet_v1"``, ``"mobilenet_v1, mobilenet_v2"``."""
    return ", ".join(networks_with(field))


def add_alpha(parser, default="1.0", *, text=ALPHA_TEXT, shown=None) -> None:
    _add(parser, "--alpha", default, text, shown)


def add_resolution(parser, default="224", *, text=RESOLUTION_TEXT, metavar="R", shown=None) -> None:
    _add(parser, "--res", default, text, shown, dest="resolution", metavar=metavar)


def add_classes(parser, default="1000", *, shown=None) -> None:
    limit = allowed_range("num_classes", integer=True).replace("1 to", "0 to", 1)
    text = (
        f"classes of the classifier, {limit}; 0 costs the body alone, without the average pool "
        f"and the classifier ({networks_listed('body_only')} only)"
    )
    _add(parser, "--classes", default, text, shown, dest="num_classes", metavar="K")


#: MobileNet v1's variants, as the registry states them (so that a command line that costs another
#: network need not import :mod:`mnetcalc.networks.mobilenet_v1` for them).
VARIANTS = NETWORKS["mobilenet_v1"].variants


#: Every network's variants, in the registry's order, each once (``table --variant``: the network's
#: configuration class refuses a variant that is not its own).
ALL_VARIANTS = tuple(dict.fromkeys(v for entry in NETWORKS.values() for v in entry.variants))


def add_variant(parser, default="separable", *, shown=None, choices=VARIANTS) -> None:
    _add(parser, "--variant", default, "network variant", shown, choices=choices)


def add_stem_stride(parser, default="2", *, shown=None) -> None:
    text = "stride of the first convolution (ImageNet MobileNet: 2)"
    _add(parser, "--stem-stride", default, text, shown, dest="stem_stride", metavar="S")


def add_format(parser, formats=FORMATS) -> None:
    _add(parser, "--format", "text", "output format", choices=formats)


def network_options(args) -> dict:
    """The network options given on the command line, as keyword arguments of the network's
    configuration class (:class:`~mnetcalc.networks.mobilenet_v1.MobileNetConfig`, ...; those left
    unset are not included)."""
    names = (
        "alpha",
        "resolution",
        "num_classes",
        "variant",
        "stem_stride",
        "in_channels",
        "channels",
    )
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def add_network(parser, verb: str) -> None:
    """``--network`` and the options of a network (``--alpha``, ``--res``, ``--classes``,
    ``--variant``), for a command that does ``verb`` to it ("cost", "time"). They default to None,
    so that a network that lacks one can refuse it whenever it is given, and each network keeps its
    own default (:func:`network_config`)."""
    add_alpha(parser, None, shown="1.0")
    add_resolution(parser, None, shown=defaults_shown("resolution"))
    with_variants = networks_with("variants")
    takes = "takes" if len(with_variants) == 1 else "take"
    parser.add_argument(
        "--network",
        default=DEFAULT_NETWORK,
        choices=tuple(NETWORKS),
        help=f"network to {verb} (default: {DEFAULT_NETWORK}); the giants of paper Tables 8-9 take "
        f"no --alpha, and only {', '.join(with_variants)} {takes} --variant"
        + "".join(f"; {e.name} is {e.about}" for e in NETWORKS.values() if e.about),
    )
    notes = {e.name: e.classes_note for e in NETWORKS.values() if e.classes_note}
    add_classes(parser, None, shown=defaults_shown("classes", notes))
    # each network's own default variant (its first), the default network's first
    default_variants = [NETWORKS[DEFAULT_NETWORK].variants[0]] + [
        f"{name}: {NETWORKS[name].variants[0]}" for name in with_variants if name != DEFAULT_NETWORK
    ]
    add_variant(parser, None, shown="; ".join(default_variants), choices=ALL_VARIANTS)
    parser.add_argument(
        "--channels",
        metavar="RULE",
        help="mobilenet_v3's width-multiplier channel rule: torchvision (its default) or tf-slim "
        "(the released TF-slim checkpoints' rule; mnetcalc choose names it)",
    )


def network_config(args):
    """The configuration of the network that :func:`add_network`'s options ask for (checked; a bad
    value raises InvalidArgument, an option the network does not take UsageError)."""
    name = args.network
    network = NETWORKS[name]
    if args.variant is not None and not network.variants:
        only = networks_listed("variants")
        raise UsageError(f"--variant applies to {only} only, not to --network {name}")
    if args.num_classes is not None and str(args.num_classes).strip() == "0":
        if not network.body_only:
            only = networks_listed("body_only")
            raise UsageError(
                f"--classes 0 (the body alone) applies to {only} only, not to --network {name}"
            )
    if args.alpha is not None and not network.alpha:
        raise UsageError(f"--alpha applies to MobileNets only, not to --network {name}")
    config_class = network.config_class()
    given = network_options(args)
    for option in given.keys() - config_class.field_checks.keys():
        raise UsageError(f"{option_name(option)} does not apply to --network {name}")
    return config_class(**given)


#: ``--latency`` without a file: the calibration :func:`calibration_source` finds.
DEFAULT_CALIBRATION = "(default)"

CALIBRATION_TEXT = (
    "calibration file of mnetcalc calibrate ('shipped': the one shipped with mnetcalc, made on "
    "its authors' machine; default: $MNETCALC_CALIBRATION, else "
    "./mnetcalc-calibration.json if present, else the shipped one)"
)


def add_calibration(parser, *, latency: str | None = None) -> None:
    """``--calibration FILE`` and, where the command shows latency only when asked, ``--latency
    [FILE]`` (``latency``: its help; without FILE the default calibration; with FILE the same as
    ``--calibration FILE``)."""
    parser.add_argument("--calibration", metavar="FILE", help=CALIBRATION_TEXT)
    if latency is not None:
        parser.add_argument(
            "--latency",
            nargs="?",
            const=DEFAULT_CALIBRATION,
            metavar="FILE",
            help=f"{latency} (FILE: as --calibration FILE)",
        )


def add_prediction_threads(parser) -> None:
    """``--threads T``: the calibration's model of ``T`` threads."""
    parser.add_argument(
        "--threads",
        metavar="T",
        help="predict for T threads: the calibration's model of T threads (default: 1 if it has "
        "one, else its smallest thread count); a count it lacks is refused",
    )


def calibration_wanted(args) -> bool:
    """Whether ``--calibration`` or ``--latency`` was given."""
    return args.calibration is not None or getattr(args, "latency", None) is not None


def open_cli_calibration(args):
    """The calibration of ``--calibration FILE`` / ``--latency [FILE]`` (neither, or ``--latency``
    alone: the default lookup), and its source. Both with different files: refused."""
    from ..latency_model import open_calibration

    latency = getattr(args, "latency", None)
    named = None if latency in (None, DEFAULT_CALIBRATION) else latency
    if named is not None and args.calibration is not None and named != args.calibration:
        raise UsageError("--latency FILE and --calibration FILE name two files: give one")
    return open_calibration(args.calibration if args.calibration is not None else named)


def prediction_threads(args, calibration) -> int:
    """``--threads`` (checked) or the calibration's default thread count; a count the file lacks
    is refused naming the counts it has."""
    from ..validation import positive_int

    if args.threads is None:
        return calibration.default_threads
    return calibration.model(positive_int("threads", args.threads)).threads
