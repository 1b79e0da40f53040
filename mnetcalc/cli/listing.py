"""``mnetcalc list``: the networks (with their variants, options and defaults) and the published
checkpoints (with the network and options that build each), as text, Markdown, CSV or JSON.
Torch-free; the checkpoints come from
:func:`mnetcalc.latency_model.checkpoints.published_checkpoints`."""

from __future__ import annotations

from ..networks.registry import NETWORKS
from ..report.tables import aligned, csv_text, json_text, markdown_table
from .options import add_format

WHAT = ("all", "networks", "checkpoints")


def add_arguments(parser) -> None:
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=WHAT,
        help="what to list (default: all, the networks then the checkpoints)",
    )
    add_format(parser)


def network_records() -> list[dict]:
    """One record per network of the registry: its name, whether it takes ``--alpha``, its
    variants (the first is the default), default resolution and classes, whether ``--classes 0``
    applies, and whether it has published checkpoints."""
    return [
        {
            "network": entry.name,
            "alpha": entry.alpha,
            "variants": list(entry.variants),
            "resolution": entry.resolution,
            "num_classes": entry.classes,
            "body_only": entry.body_only,
            "checkpoints": entry.checkpoints,
        }
        for entry in NETWORKS.values()
    ]


def checkpoint_records() -> list[dict]:
    """One record per published checkpoint: its name, family, network and options (the
    keyword arguments of :func:`mnetcalc.config`), whether it is 8-bit, and what its release
    prints (top-1, top-5, mult-adds and parameters in millions, Pixel 1 latency in ms)."""
    from ..latency_model.checkpoints import published_checkpoints

    return [
        {
            "checkpoint": c.name,
            "family": c.family,
            "network": c.network,
            "options": dict(c.options),
            "quantized": c.quantized,
            "top1": c.top1,
            "top5": c.top5,
            "mult_adds_m": c.mult_adds_m,
            "params_m": c.params_m,
            "pixel1_ms": c.pixel1_ms,
        }
        for c in published_checkpoints()
    ]


def _options(options: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in options.items())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) or "-"
    if isinstance(value, dict):
        return _options(value)
    return str(value)


def _csv_cell(value):
    """CSV cells that ``csv.DictReader`` users parse without special cases: booleans as 1/0,
    lists joined by spaces, options as ``key=value`` words."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, dict):
        return _options(value)
    return "" if value is None else value


def render(records: list[dict], fmt: str) -> str:
    keys = list(records[0])
    if fmt == "csv":
        return csv_text(keys, [[_csv_cell(r[k]) for k in keys] for r in records])
    right = [
        isinstance(records[0][k], (int, float)) and not isinstance(records[0][k], bool)
        for k in keys
    ]
    rows = [[_cell(r[k]) for k in keys] for r in records]
    return (markdown_table if fmt == "markdown" else aligned)(keys, rows, right)


def run(args) -> int:
    tables = {
        "networks": network_records if args.what in ("all", "networks") else None,
        "checkpoints": checkpoint_records if args.what in ("all", "checkpoints") else None,
    }
    records = {name: make() for name, make in tables.items() if make is not None}
    if args.format == "json":
        print(json_text(records if args.what == "all" else records[args.what]))
        return 0
    if args.format == "csv" and args.what == "all":
        parts = [render(records["networks"], "csv"), "", render(records["checkpoints"], "csv")]
        print("\n".join(parts))  # two CSV tables: `list networks` or `list checkpoints` gives one
        return 0
    parts = []
    for name, table in records.items():
        if args.what == "all":
            parts += [f"{len(table)} {name}:" if args.format == "text" else f"**{name}**", ""]
        parts += [render(table, args.format), ""]
    print("\n".join(parts).rstrip())
    return 0
