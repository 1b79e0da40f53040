"""Rendering cost reports as text, Markdown, HTML, CSV and JSON. No computation happens here.

Here: what every report shares, i.e. the number formats (:func:`millions`, :func:`thousands`,
:func:`percent`), the table layouts (:func:`aligned`, :func:`markdown_table`, :func:`html_table`,
:func:`csv_text`, :func:`json_text`) and the names of rows, layer types and configurations
(:func:`type_stride`, :func:`filter_shape`, :func:`kind_name`, :func:`describe`,
:func:`model_label`); and the per-layer table of ``mnetcalc table`` and of a notebook's display
(:func:`render_table`). The other commands' reports build on these (:mod:`mnetcalc.report.sweep`,
:mod:`mnetcalc.report.layer_comparison`, :mod:`mnetcalc.report.latency`,
:mod:`mnetcalc.report.check`, :mod:`mnetcalc.report.choices`).

A ``report`` below is a :class:`mnetcalc.core.network.NetworkCost`; this module does not import
that class (whose notebook display, ``_repr_markdown_`` and ``_repr_html_``, imports this one)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.layers import (
    ADD,
    AVGPOOL,
    CONCAT,
    CONV,
    CONV_DW,
    CONV_PW,
    FC,
    LAYER_SCALE,
    LRN,
    MATMUL,
    MAXPOOL,
    ROW_KEYS,
    TAP,
    LayerCost,
)

if TYPE_CHECKING:
    from ..memory import NetworkMemory

FORMATS = ("text", "markdown", "csv", "json")

#: How the paper names each layer type (Table 1's "Type" column and Table 2's rows).
TYPE_NAMES = {
    CONV: "Conv",
    CONV_DW: "Conv dw",
    CONV_PW: "Conv",
    AVGPOOL: "Avg Pool",
    MAXPOOL: "Max Pool",
    FC: "FC",
    CONCAT: "Concat",
    LRN: "LRN",
    ADD: "Add",
    TAP: "Tap",
}
#: Paper Table 2's row names for MobileNet's layer types (its convolutions are all 3x3 or 1x1).
TYPE_SUMMARY_NAMES = {
    CONV: "Conv 3×3",
    CONV_DW: "Conv DW 3×3",
    CONV_PW: "Conv 1×1",
    FC: "Fully Connected",
}


# -- small number formats, used consistently: mult-adds in millions, parameters with separators
# ------


def millions(count: int, digits: int = 3) -> str:
    return f"{count / 1e6:,.{digits}f}"


def thousands(count: int) -> str:
    return f"{count:,}"


def percent(share: float) -> str:
    return f"{100 * share:.2f}"


# -- what a row looks like in the paper's Table 1
# -------------------------------------------------------


def type_stride(row: LayerCost) -> str:
    return f"{TYPE_NAMES.get(row.type, row.type)} / s{row.stride}"


def filter_shape(row: LayerCost) -> str:
    k = row.kernel
    if row.type == CONV_DW:
        return f"{k}×{k}×{row.in_channels} dw"
    if row.type in (AVGPOOL, MAXPOOL):
        return f"Pool {k}×{k}"
    if row.type == FC:
        return f"{row.in_channels}×{row.out_channels}"
    if row.type in (CONCAT, TAP) or (
        row.type not in TYPE_NAMES and not (row.mult_adds or row.params)
    ):  # a cost-free row of a type not listed here (a network module's own) shows its channels
        return f"{row.out_channels} channels"
    if row.type == ADD:
        return "+ block input"
    if row.type == MATMUL:  # attention's products: per pixel, from in to out channels
        return f"{row.in_channels}→{row.out_channels} per pixel"
    if row.type == LAYER_SCALE:
        return f"{row.out_channels} factors"
    if row.type == LRN:
        return f"across {k} channels"
    if (
        row.groups > 1
    ):  # a grouped convolution (AlexNet): each filter sees in_channels / groups inputs
        return f"{k}×{k}×{row.in_channels // row.groups}×{row.out_channels}, {row.groups} groups"
    return f"{k}×{k}×{row.in_channels}×{row.out_channels}"


def input_shape(row: LayerCost) -> str:
    if row.type == FC:
        channels = row.in_channels // (row.input_size * row.input_size)
        return f"{row.input_size}×{row.input_size}×{channels}"
    return f"{row.input_size}×{row.input_size}×{row.in_channels}"


def type_summary_name(kind: str) -> str:
    """Paper Table 2's name of a MobileNet layer type (``"conv_pw"`` -> ``"Conv 1×1"``)."""
    return TYPE_SUMMARY_NAMES.get(kind, kind)


def kind_name(kind: tuple[str, int | None]) -> str:
    """The name of a ``(type, kernel)`` group of :meth:`NetworkCost.by_kind`, with the real kernel
    side of a convolution (``("conv", 11)`` -> ``"Conv 11×11"``)."""
    layer_type, kernel = kind
    if layer_type == CONV:
        return f"Conv {kernel}×{kernel}"
    if layer_type == CONV_DW:
        return f"Conv DW {kernel}×{kernel}"
    return type_summary_name(layer_type)


# -- generic table layout
# ----------------------------------------------------------------------------


def aligned(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    total: Sequence[str] | None = None,
    gap: str = "  ",
) -> str:
    """A plain-text table: columns as wide as their widest cell, numbers right-aligned; a ``total``
    row comes last, after a second rule line."""
    every = [*rows, total] if total is not None else list(rows)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *every, strict=True)]

    def line(cells):
        parts = [
            str(c).rjust(w) if r else str(c).ljust(w)
            for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return gap.join(parts).rstrip()

    rule = gap.join("-" * w for w in widths)
    closing = [rule, line(total)] if total is not None else []
    return "\n".join([line(header), rule, *(line(r) for r in rows), *closing])


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> str:
    align = ["---:" if r else ":---" for r in right]
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(str(c) for c in line) + " |" for line in lines)


# csv, io and json are imported where they are used: the default text output needs none of them, and
# the command line's start-up should not pay for them.


def csv_text(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """CSV with a header line; a boolean is written 1 or 0, so that every column but the names
    reads as a number (``int(row["pareto"])``, no ``"False"`` that ``bool()`` takes as true)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[int(v) if isinstance(v, bool) else v for v in row] for row in rows])
    return buffer.getvalue().rstrip("\n")


def json_text(data) -> str:
    import json

    return json.dumps(data, indent=2)


# -- the per-layer table (`mnetcalc table`)
# --------------------------------------------------------------

LAYER_HEADER = (
    "layer",
    "type / stride",
    "filter shape",
    "input size",
    "MAdds (M)",
    "params",
    "% MAdds",
)
LAYER_RIGHT = (False, False, False, False, True, True, True)
#: The column ``--memory`` adds: each layer's activations read and written.
MEMORY_HEADER = "act. (kB)"
TYPE_HEADER = ("layer type", "layers", "MAdds (M)", "% MAdds", "params", "% params")
TYPE_RIGHT = (False, True, True, True, True, True)


#: How titles name each network (a network not listed here goes by its registry name).
NETWORK_NAMES = {
    "mobilenet_v1": "MobileNet v1",
    "mobilenet_v2": "MobileNetV2",
    "mobilenet_v3": "MobileNetV3",
    "vgg16": "VGG-16",
    "googlenet": "GoogLeNet",
    "alexnet": "AlexNet",
    "squeezenet": "SqueezeNet",
    "ssd_mobilenet_v1": "SSD MobileNet v1",
    "mobilenet_v4": "MobileNetV4",
}


def describe(report) -> str:
    """A one-line title for a report, from its configuration, in one pattern for every network:
    ``"MobileNetV3 (small), alpha 0.75, resolution 160, 1000 classes"``, then the options that are
    not at their defaults (``"..., channels tf-slim"``)."""
    meta = report.meta
    fields = report.config.report_fields()
    name = NETWORK_NAMES.get(fields["network"], fields["network"])
    variant = f" ({fields['variant']})" if fields["variant"] is not None else ""
    alpha = f", alpha {fields['alpha']:g}" if fields["alpha"] is not None else ""
    classes = fields["num_classes"]
    head = "body only (no pool, no classifier)" if classes == 0 else f"{classes} classes"
    extras = "".join(
        f", {key.replace('_', ' ')} {value}"
        for key, value in meta.items()
        if key not in fields or key == "in_channels"
    )
    return f"{name}{variant}{alpha}, resolution {fields['resolution']}, {head}{extras}"


#: The paper's names of MobileNet v1's variants in a model label.
V1_LABELS = {"separable": "MobileNet", "standard": "Conv MobileNet", "shallow": "Shallow MobileNet"}


def model_label(
    alpha: float | None,
    resolution: int,
    variant: str | None = "separable",
    network: str = "mobilenet_v1",
) -> str:
    """The paper's way of naming a configuration, e.g. ``0.75 MobileNet-224``; other networks
    alike (``0.5 MobileNetV3 small-160``, ``VGG-16-224``)."""
    if network == "mobilenet_v1":
        name = V1_LABELS[variant]
    else:
        name = NETWORK_NAMES.get(network, network) + (f" {variant}" if variant else "")
    if alpha is None:
        return f"{name}-{resolution}"
    width = f"{alpha:.1f}" if float(alpha).is_integer() else f"{alpha:g}"
    return f"{width} {name}-{resolution}"


def _memory(report):
    """The report's activation memory (:func:`mnetcalc.memory.network_memory`; imported here, as
    the cost report imports this module)."""
    from ..memory import network_memory

    return network_memory(report)


def kilobytes(count: int) -> str:
    return f"{count / 1e3:,.1f}"


def _layer_cells(report, memory: NetworkMemory | None = None) -> list[list[str]]:
    """The layer table's cells; with ``memory``, each row's activation kB in a last column."""
    total = report.mult_adds
    held = memory.layers if memory is not None else [None] * len(report.layers)
    return [
        [
            row.name,
            type_stride(row),
            filter_shape(row),
            input_shape(row),
            millions(row.mult_adds),
            thousands(row.params),
            percent(row.mult_adds / total if total else 0.0),
            *([] if acts is None else [kilobytes(acts.activation_bytes)]),
        ]
        for row, acts in zip(report.layers, held, strict=True)
    ]


def _total_cells(report, memory: bool = False) -> list[str]:
    cells = ["total", "", "", "", millions(report.mult_adds), thousands(report.params)]
    return [*cells, percent(1.0), *([""] if memory else [])]


def _layer_columns(memory: bool) -> tuple[tuple, tuple]:
    if not memory:
        return LAYER_HEADER, LAYER_RIGHT
    return (*LAYER_HEADER, MEMORY_HEADER), (*LAYER_RIGHT, True)


def _type_cells(report) -> list[list[str]]:
    return [
        [
            kind_name(kind),
            str(s["layers"]),
            millions(s["mult_adds"]),
            percent(s["mult_adds_share"]),
            thousands(s["params"]),
            percent(s["params_share"]),
        ]
        for kind, s in report.by_kind().items()
    ]


def _extra_params_line(report) -> str:
    return textwrap.fill(
        f"Weights {thousands(report.params)}; biases {thousands(report.bias_params)} and BatchNorm "
        f"scale/shift {thousands(report.bn_params)} are not counted (paper convention); "
        "all together "
        f"{thousands(report.total_params)}.",
        width=80,
    )


def _memory_line(memory: NetworkMemory, column: bool) -> str:
    peak = memory.peak_bytes
    what = (
        f"{MEMORY_HEADER}: activations each layer reads and writes, float32, batch 1. "
        if column
        else ""
    )
    return textwrap.fill(
        f"{what}Peak working set of the activations, layer by layer at batch 1: "
        f"{kilobytes(peak)} kB float32, {kilobytes(peak // 4)} kB int8 (kB = 1000 bytes), at "
        f"{memory.peak_layer}.",
        width=80,
    )


def table_text(report, memory: bool = False) -> str:
    held = _memory(report)
    header, right = _layer_columns(memory)
    cells = _layer_cells(report, held if memory else None)
    layers = aligned(header, cells, right, _total_cells(report, memory))
    types = aligned(TYPE_HEADER, _type_cells(report), TYPE_RIGHT)
    return "\n".join(
        [describe(report), "", layers, "", types, "", _extra_params_line(report)]
        + ["", _memory_line(held, memory)]
    )


def table_markdown(report, memory: bool = False) -> str:
    held = _memory(report)
    header, right = _layer_columns(memory)
    total = [f"**{c}**" if c else "" for c in _total_cells(report, memory)]
    cells = _layer_cells(report, held if memory else None)
    return "\n".join(
        [
            f"**{describe(report)}**",
            "",
            markdown_table(header, cells + [total], right),
            "",
            markdown_table(TYPE_HEADER, _type_cells(report), TYPE_RIGHT),
            "",
            _extra_params_line(report),
            "",
            _memory_line(held, memory),
        ]
    )


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """An HTML table, numbers right-aligned."""
    from html import escape

    def cells(tag: str, line) -> str:
        return "".join(
            f'<{tag} style="text-align:{"right" if r else "left"}">{escape(str(c))}</{tag}>'
            for c, r in zip(line, right, strict=True)
        )

    body = "".join(f"<tr>{cells('td', line)}</tr>" for line in rows)
    return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"


def table_html(report) -> str:
    """The Markdown table's content as HTML (a notebook's ``_repr_html_``)."""
    from html import escape

    return "\n".join(
        [
            f"<p><strong>{escape(describe(report))}</strong></p>",
            html_table(LAYER_HEADER, _layer_cells(report) + [_total_cells(report)], LAYER_RIGHT),
            html_table(TYPE_HEADER, _type_cells(report), TYPE_RIGHT),
            f"<p>{escape(_extra_params_line(report))}</p>",
        ]
    )


#: The columns of ``table --format csv``: one row per layer, every cell a number but ``name`` and
#: ``type``, so that ``csv.DictReader`` reads it without special cases (the sums of ``mult_adds``,
#: ``params``, ``bias_params`` and ``bn_params`` are the JSON's totals; ``activation_bytes``: what
#: the layer reads and writes, float32, :mod:`mnetcalc.memory`).
TABLE_CSV_KEYS = (*ROW_KEYS, "bias_params", "bn_params", "groups")


def table_csv(report) -> str:
    memory = _memory(report)
    rows = [
        [*(getattr(row, key) for key in TABLE_CSV_KEYS), held.activation_bytes]
        for row, held in zip(report.layers, memory.layers, strict=True)
    ]
    return csv_text((*TABLE_CSV_KEYS, "activation_bytes"), rows)


def table_dict(report) -> dict:
    """The JSON of ``mnetcalc table``: the report's own, with each layer's ``activation_bytes``
    and, before the layers, the float32 ``peak_bytes`` and its ``peak_layer``."""
    memory = _memory(report)
    data = report.to_dict()
    for layer, held in zip(data["layers"], memory.layers, strict=True):
        layer["activation_bytes"] = held.activation_bytes
    layers, total = data.pop("layers"), data.pop("total")
    peak = {"peak_bytes": memory.peak_bytes, "peak_layer": memory.peak_layer}
    return {**data, **peak, "layers": layers, "total": total}


def render_table(report, fmt: str, memory: bool = False) -> str:
    """``report`` as ``fmt``; ``memory``: the text and Markdown tables get each layer's activation
    kB (CSV and JSON always have ``activation_bytes``; every format has the peak)."""
    if fmt == "text":
        return table_text(report, memory)
    if fmt == "markdown":
        return table_markdown(report, memory)
    return {"csv": table_csv, "json": lambda r: json_text(table_dict(r))}[fmt](report)
