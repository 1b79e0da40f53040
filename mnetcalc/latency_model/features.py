"""The latency model's features: which *kind* each cost row is, and the values of the features a
kind's time is linear in (``calls``, ``mult_adds``, ``bytes``, ``dram_bytes``, ``lane_mult_adds``).
See :mod:`mnetcalc.latency_model` for the model itself. Standard library only."""

from __future__ import annotations

from ..core.layers import (
    ADD,
    AVGPOOL,
    CONCAT,
    CONV,
    CONV_DW,
    CONV_PW,
    FC,
    LRN,
    MAXPOOL,
    SCALE,
    TAP,
    LayerCost,
)
from ..traffic import layer_bytes
from ..validation import InvalidArgument

#: The features a kind's time may depend on, and their units.
FEATURE_UNITS = {
    "calls": "1 per operation",
    "mult_adds": "millions",
    "bytes": "1e6 bytes",
    "dram_bytes": "1e6 bytes beyond the last-level cache",
    "lane_mult_adds": "millions, channels rounded up to the vector width",
}

#: The last-level cache assumed when a calibration does not say (bytes).
DEFAULT_CACHE_BYTES = 8 * 2**20

#: Layer kinds: kind -> the features its time is linear in.
KINDS: dict[str, tuple[str, ...]] = {
    "conv": ("calls", "mult_adds", "bytes", "dram_bytes"),
    "conv_dw": ("calls", "mult_adds", "lane_mult_adds", "bytes", "dram_bytes"),
    "conv_pw": ("calls", "mult_adds", "lane_mult_adds", "bytes", "dram_bytes"),
    # a depthwise layer run inside the partition of the 1x1 layer before it (no call of its own)
    "conv_dw_fused": ("mult_adds", "lane_mult_adds", "bytes"),
    # the convolutions of a network that optimize() runs without oneDNN Graph (runs_unfused)
    "conv_unfused": ("calls", "mult_adds", "bytes", "dram_bytes"),
    "conv_dw_unfused": ("calls", "mult_adds", "lane_mult_adds", "bytes"),
    "conv_pw_unfused": ("calls", "mult_adds", "lane_mult_adds", "bytes", "dram_bytes"),
    "fc": ("calls", "mult_adds", "bytes", "dram_bytes"),
    "pool": ("calls", "bytes"),
    "lrn": ("calls", "bytes"),
    "concat": ("calls", "bytes"),
    "add": ("calls", "bytes"),
}

#: Row type -> kind (None: the row runs nothing at inference and costs no time).
ROW_KINDS: dict[str, str | None] = {
    CONV: "conv",
    CONV_DW: "conv_dw",
    CONV_PW: "conv_pw",
    FC: "fc",
    AVGPOOL: "pool",
    MAXPOOL: "pool",
    LRN: "lrn",
    CONCAT: "concat",
    ADD: "add",
    SCALE: "add",  # element-wise like a residual sum: one map read, one written
    TAP: None,
}

#: What the calibrated path is (the only one so far): ``optimize()``, float32, batch 1.
ENGINE = "optimize"
PRECISION = "float32"
BATCH = 1


#: Row types on whose network oneDNN Graph fails (with torch 2.13: MobileNetV4's attention
#: products), so that ``optimize()`` runs any network with one of them without fusion
#: (:func:`runs_unfused`).
UNFUSING_TYPES: set[str] = set()

#: The kind a convolution of a network run without fusion is costed as: one call of aten's
#: convolution each, not a oneDNN Graph partition, with costs of its own. Other kinds (``fc``,
#: ``add``, ...) keep their kind and its coefficients.
UNFUSED_KINDS = {"conv": "conv_unfused", "conv_dw": "conv_dw_unfused", "conv_pw": "conv_pw_unfused"}


def register_kind(
    row_type: str, kind: str | None, features: tuple[str, ...] = (), unfuses: bool = False
) -> None:
    """Map a row type to a kind (``None``: costs nothing); a new kind needs its ``features`` (from
    :data:`FEATURE_UNITS`). ``unfuses``: oneDNN Graph fails on a network graph with the row type, so
    ``optimize()`` runs any network with it unfused (:data:`UNFUSING_TYPES`)."""
    if kind is not None and kind not in KINDS:
        unknown = [f for f in features if f not in FEATURE_UNITS]
        if not features or unknown:
            raise InvalidArgument(f"kind {kind!r} needs features from {list(FEATURE_UNITS)}")
        KINDS[kind] = tuple(features)
    ROW_KINDS[row_type] = kind
    if unfuses:
        UNFUSING_TYPES.add(row_type)


class UnfusedRows(tuple):
    """Rows marked as run without oneDNN Graph fusion although none of their row types forces it:
    a calibration sample timed with ``optimize(..., onednn_fusion=False)`` (:func:`runs_unfused`;
    a slice or a concatenation is a plain tuple again, unmarked)."""

    __slots__ = ()
    unfused = True


def as_rows(rows) -> tuple:
    """``rows`` as a tuple, read once; an :class:`UnfusedRows` (a tuple) is kept as it is, so that
    its mark survives."""
    return rows if isinstance(rows, tuple) else tuple(rows)


def runs_unfused(rows) -> bool:
    """Whether ``optimize()`` runs these rows without oneDNN Graph fusion: a row type of
    :data:`UNFUSING_TYPES` is among them (MobileNetV4's attention products: oneDNN Graph fails on
    the hybrids' graph and ``optimize()`` falls back to the unfused one), or they are
    :class:`UnfusedRows`."""
    return getattr(rows, "unfused", False) or any(row.type in UNFUSING_TYPES for row in rows)


def row_kind(row: LayerCost) -> str | None:
    """The kind of a cost row (None: runs nothing); an unknown row type raises."""
    try:
        return ROW_KINDS[row.type]
    except KeyError:
        raise InvalidArgument(
            f"no latency model for layer type {row.type!r} (layer {row.name!r}); known types: "
            f"{', '.join(sorted(ROW_KINDS))}",
            "latency",
        ) from None


def vector_lanes(isa) -> int:
    """float32 numbers per vector register of a CPU with these ISA flags: 16 with AVX-512, 8 with
    AVX2, else 4."""
    return 16 if "avx512f" in isa else 8 if "avx2" in isa else 4


def _padded(channels: int, lanes: int) -> int:
    return -(-channels // lanes) * lanes


def lane_mult_adds(row: LayerCost, lanes: int) -> int:
    """Mult-adds with the channels rounded up to a multiple of ``lanes``: what a kernel that fills
    whole vector registers computes (a 1x1 layer from 11 to 22 channels costs, with 16 lanes, as
    much as one from 16 to 32)."""
    if not row.mult_adds:
        return 0
    if row.type == CONV_DW:
        return row.mult_adds * _padded(row.in_channels, lanes) // row.in_channels
    return (
        row.mult_adds
        * _padded(row.in_channels, lanes)
        * _padded(row.out_channels, lanes)
        // (row.in_channels * row.out_channels)
    )


def fused_with(previous: LayerCost | None, row: LayerCost, shared: bool = False) -> bool:
    """Whether ``optimize()`` runs ``row`` inside the oneDNN Graph partition of the row before it:
    a 3x3 convolution (depthwise or not) right after the 1x1 convolution that feeds it (or after
    that convolution's residual sum), unless ``shared``, i.e. the 1x1's output also feeds a later
    residual sum and so must be written out; or a residual sum right after the convolution whose
    output it adds. A 5x5 depthwise layer is never fused, nor a layer after a depthwise one.
    (oneDNN Graph's partitions in torch's profiler, torch 2.13, 2026-12-08: MobileNet v1's 28
    layers with weights, the classifier among them, run as 16 partitions; V2 1.0's 53 and its 10
    sums as 37, MobileNetV4 Conv-S's as 38, Conv-M's as 72; each count is this rule's, see
    tests/test_latency_model.py. The global pool runs outside oneDNN Graph, one call more.)"""
    if previous is None:
        return False
    feeds = previous.out_channels == row.in_channels and previous.output_size == row.input_size
    if not feeds:
        return False
    if row.type in (CONV_DW, CONV) and row.kernel == 3:
        return previous.type in (CONV_PW, ADD) and not shared
    if row.type == ADD:
        return previous.type in (CONV, CONV_PW)
    return False


def feeds_a_sum(rows) -> list[bool]:
    """For each row of a network, whether its output also feeds a later residual sum besides the
    row after it: true of the row just before a residual block, whose rows are named
    ``<block>/...`` and whose sum is the ``add`` row named ``<block>``
    (``mnetcalc.core.layers.Residual``)."""
    rows = tuple(rows)
    sums = [row.name + "/" for row in rows if row.type == ADD]
    out = [False] * len(rows)
    for i in range(len(rows) - 1):
        here, after = rows[i].name, rows[i + 1].name
        out[i] = any(after.startswith(p) and not here.startswith(p) for p in sums)
    return out


def fusion(rows) -> list[bool]:
    """For each row of a network, whether ``optimize()`` runs it in the partition of the row
    before it (:func:`fused_with`, told by :func:`feeds_a_sum` whether the output of the row
    before it also feeds a later residual sum; never in a network that :func:`runs_unfused`)."""
    rows = as_rows(rows)
    if runs_unfused(rows):
        return [False] * len(rows)
    shared = feeds_a_sum(rows)
    return [
        fused_with(rows[i - 1] if i else None, row, shared[i - 1] if i else False)
        for i, row in enumerate(rows)
    ]


#: The kind of a depthwise layer that runs inside the partition of the 1x1 layer before it: its
#: input never leaves the cache, and it pays no call of its own.
FUSED_DEPTHWISE = "conv_dw_fused"


def row_features(
    row: LayerCost,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    lanes: int = 16,
    previous: LayerCost | None = None,
    fused: bool | None = None,
    unfused: bool = False,
) -> tuple[str | None, dict[str, float]]:
    """A row's kind and the values of that kind's features.

    ``fused`` says whether the row runs in the partition of the row before it; by default it is
    :func:`fused_with` of ``previous``, which cannot know whether ``previous``'s output also feeds
    a later residual sum (:func:`fusion` and :func:`network_features` can, for a whole network).
    A fused row's ``calls`` is 0, else 1; a fused depthwise row is of kind
    :data:`FUSED_DEPTHWISE`, which has no ``calls`` feature at all. ``unfused``: the row's
    network :func:`runs_unfused`, and a convolution is of its :data:`UNFUSED_KINDS` kind.
    ``dram_bytes``: the bytes beyond a last-level cache of ``cache_bytes``, which come from main
    memory at a slower rate; ``lane_mult_adds``: :func:`lane_mult_adds`."""
    kind = row_kind(row)
    if kind is None:
        return None, {}
    if unfused:
        fused = False
    elif fused is None:
        fused = fused_with(previous, row)
    kind = kind_of(kind, fused, unfused)
    features = KINDS[kind]
    values = feature_values(row, fused, cache_bytes, lanes, "lane_mult_adds" in features)
    return kind, {feature: values[FEATURE_INDEX[feature]] for feature in features}


def kind_of(kind: str, fused: bool, unfused: bool = False) -> str:
    """The kind a row of ``kind`` is costed as: in a network that runs ``unfused``, a
    convolution's :data:`UNFUSED_KINDS` entry (other kinds unchanged); :data:`FUSED_DEPTHWISE`
    for a fused depthwise row; else ``kind``."""
    if unfused:
        return UNFUSED_KINDS.get(kind, kind)
    return FUSED_DEPTHWISE if fused and kind == "conv_dw" else kind


def network_features(rows, cache_bytes: int = DEFAULT_CACHE_BYTES, lanes: int = 16):
    """``(row, kind, features)`` for each row of a whole network (kind None: runs nothing), with
    :func:`fusion` deciding which rows share a partition and :func:`runs_unfused` whether the
    network runs without fusion."""
    rows = as_rows(rows)
    unfused = runs_unfused(rows)
    return [
        (row, *row_features(row, cache_bytes, lanes, fused=fused, unfused=unfused))
        for row, fused in zip(rows, fusion(rows), strict=True)
    ]


#: Where each feature's value sits in the tuple of :func:`feature_values`.
FEATURE_INDEX = {feature: index for index, feature in enumerate(FEATURE_UNITS)}


def feature_values(row, fused: bool, cache_bytes: int, lanes: int, lane: bool) -> tuple[float, ...]:
    """The values of every feature for ``row``, in the order of :data:`FEATURE_UNITS` (``calls``
    0 if ``fused``; ``lane_mult_adds`` 0 unless ``lane``: it is computed only for the kinds that
    have it)."""
    moved = layer_bytes(row)
    return (
        0.0 if fused else 1.0,
        row.mult_adds / 1e6,
        moved / 1e6,
        max(0, moved - cache_bytes) / 1e6,
        lane_mult_adds(row, lanes) / 1e6 if lane else 0.0,
    )
