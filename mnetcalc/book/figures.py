"""The paper's explanatory figures, drawn from the architecture data rather than by hand.

* :func:`draw_filter_shapes`: the paper's Figure 2, the filters of a standard, a depthwise and a
  pointwise convolution as boxes, labelled with the shapes of one MobileNet block.
* :func:`draw_blocks`: the paper's Figure 3, a standard convolution layer against a depthwise
  separable one, each as the sequence of operations the PyTorch model builds from the spec.
* :func:`draw_accuracy_vs_cost`: the twin of the paper's Figures 4 and 5, printed ImageNet accuracy
  of the models of the width x resolution grid against mult-adds and parameters (log scale).
* :func:`draw_network_shape`: the shape of a MobileNet v1, the side and channels of each layer's
  output map, from its spec (:func:`network_shape`).
* :func:`draw_separable_example`: a depthwise separable convolution run on a small image, its
  input channels, depthwise kernels and maps, and pointwise outputs with the weights as arrows.

The shapes and operations come from :mod:`mnetcalc.networks.mobilenet_v1` and the cost calculator,
the accuracies from :mod:`mnetcalc.paper`. The module imports no torch; matplotlib is imported by
the drawing functions only, so that the data helpers work without it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from ..core.layers import Conv, DepthwiseConv, LayerCost
from ..report.tables import model_label
from ..networks.mobilenet_v1 import mobilenet_v1_cost, mobilenet_v1_spec
from ..paper import ROWS
from ..validation import InvalidArgument

#: The paper's width x resolution grid (Figures 4 and 5).
GRID_ALPHAS = (1.0, 0.75, 0.5, 0.25)
GRID_RESOLUTIONS = (224, 192, 160, 128)

#: The block shown in Figures 2 and 3 by default: block 7, 14x14x512 -> 512, the paper's Table 3.
DEFAULT_BLOCK = 7


def layer_stages(layer: Conv | DepthwiseConv) -> list[str]:
    """The operations one convolution of the spec becomes in the model: the convolution, then
    BatchNorm if the spec asks for it, then a ReLU
    (``mnetcalc.runtime.layer_modules.ConvBNReLU``)."""
    if isinstance(layer, DepthwiseConv):
        conv = f"{layer.kernel}×{layer.kernel} Depthwise Conv"
    elif isinstance(layer, Conv):
        conv = f"{layer.kernel}×{layer.kernel} Conv"
    else:
        raise InvalidArgument(f"not a convolution: {layer!r}")
    return [conv, *(["BN"] if layer.batchnorm else []), "ReLU"]


def block_stages(block: int = DEFAULT_BLOCK) -> tuple[list[str], list[str]]:
    """The operations of separable block ``block`` (1-13) built as one standard convolution (the
    "standard" variant) and as a depthwise separable pair: the two columns of the paper's
    Figure 3."""
    standard = dict(mobilenet_v1_spec(variant="standard"))[f"conv{block}"]
    separable = dict(mobilenet_v1_spec())
    pair = separable[f"conv{block}_dw"], separable[f"conv{block}_pw"]
    return layer_stages(standard), layer_stages(pair[0]) + layer_stages(pair[1])


def block_rows(block: int = DEFAULT_BLOCK) -> tuple[LayerCost, LayerCost]:
    """The cost rows (shapes) of block ``block``'s depthwise and pointwise layers in
    1.0 MobileNet-224."""
    net = mobilenet_v1_cost()
    return net.layer(f"conv{block}_dw"), net.layer(f"conv{block}_pw")


class PrintedModel(NamedTuple):
    """A model of the paper's grid with a printed ImageNet accuracy, and its exact cost."""

    label: str
    alpha: float
    resolution: int
    accuracy: float  # percent, as printed
    mult_adds: int  # exact count
    params: int  # exact count (weights)


def printed_grid_models() -> list[PrintedModel]:
    """The models of the width x resolution grid whose accuracy the paper prints (Tables 5-9; a
    model printed in several tables once), cheapest last."""
    found: dict[tuple[float, int], PrintedModel] = {}
    for row in ROWS:
        config = row.config
        if row.network != "mobilenet_v1" or config.get("variant", "separable") != "separable":
            continue
        key = (config["alpha"], config["resolution"])
        if key[0] not in GRID_ALPHAS or key[1] not in GRID_RESOLUTIONS or key in found:
            continue
        cost = row.cost()
        found[key] = PrintedModel(
            model_label(*key), *key, float(row.accuracy), cost.mult_adds, cost.params
        )
    return sorted(found.values(), key=lambda m: -m.mult_adds)


def log_linear_fit(xs, ys) -> tuple[float, float]:
    """Least-squares line ``y = slope * log10(x) + intercept``: (slope, intercept)."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise InvalidArgument(f"need two or more (x, y) pairs, got {len(xs)} x and {len(ys)} y")
    lx = [math.log10(x) for x in xs]
    mean_x, mean_y = sum(lx) / len(lx), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in lx)
    if sxx == 0:
        raise InvalidArgument("all x are equal: no line fits")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(lx, ys, strict=False)) / sxx
    return slope, mean_y - slope * mean_x


# -- drawing --------------------------------------------------------------------------------

_DEPTH = (0.55, 0.38)  # the oblique projection of one unit of depth (x, y)


def _box(ax, x, y, width, height, depth, color, label=None):
    """A box seen obliquely: front face width x height at (x, y), receding by ``depth``."""
    from matplotlib.patches import Polygon

    dx, dy = _DEPTH[0] * depth, _DEPTH[1] * depth
    faces = [
        [(x, y), (x + width, y), (x + width, y + height), (x, y + height)],
        [
            (x, y + height),
            (x + width, y + height),
            (x + width + dx, y + height + dy),
            (x + dx, y + height + dy),
        ],
        [
            (x + width, y),
            (x + width + dx, y + dy),
            (x + width + dx, y + height + dy),
            (x + width, y + height),
        ],
    ]
    for face, shade in zip(faces, (1.0, 0.8, 0.65), strict=False):
        rgb = tuple(c * shade for c in color)
        ax.add_patch(Polygon(face, closed=True, facecolor=rgb, edgecolor="black", lw=0.7))
    if label:
        ax.text(x + width / 2, y - 0.25, label, ha="center", va="top", fontsize=8)


def draw_filter_shapes(block: int = DEFAULT_BLOCK):
    """The paper's Figure 2 for block ``block``: (a) the N filters of a standard convolution,
    Dk x Dk x M each; (b) the M depthwise filters, Dk x Dk x 1; (c) the N pointwise filters,
    1 x 1 x M. The boxes are schematic (a few filters drawn, depth not to scale); the labels give
    the block's shapes from the architecture data."""
    import matplotlib.pyplot as plt

    dw, pw = block_rows(block)
    dk, m, n = dw.kernel, dw.in_channels, pw.out_channels
    panels = [
        (
            "(a) standard convolution",
            f"{n} filters of {dk}×{dk}×{m}",
            "$N$ filters, each $D_K \\times D_K \\times M$",
            dk,
            1.5,
            (0.55, 0.7, 0.9),
        ),
        (
            "(b) depthwise convolution",
            f"{m} filters of {dk}×{dk}×1",
            "$M$ filters, each $D_K \\times D_K \\times 1$",
            dk,
            0.2,
            (0.98, 0.7, 0.4),
        ),
        (
            "(c) pointwise convolution",
            f"{n} filters of 1×1×{m}",
            "$N$ filters, each $1 \\times 1 \\times M$",
            1,
            1.5,
            (0.55, 0.8, 0.55),
        ),
    ]
    unit = 0.3  # drawing units per pixel of kernel side
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.0))
    for ax, (title, shapes, symbols, side, depth, color) in zip(axes, panels, strict=False):
        w = h = side * unit
        step = w + _DEPTH[0] * depth + 0.35
        for i in range(3):  # three filters stand for all of them
            _box(ax, 0.3 + i * step, 0.3, w, h, depth, color)
        ax.text(0.3 + 3 * step, 0.3 + h / 2, "…", fontsize=14, va="center")
        ax.text(3.3, -0.15, symbols, ha="center", va="top", fontsize=9)
        ax.text(3.3, -0.75, shapes, ha="center", va="top", fontsize=8, color="0.3")
        ax.set_title(title, fontsize=10)
        ax.set_xlim(0, 6.6)
        ax.set_ylim(-1.4, 2.2)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.suptitle(
        f"Filters of block {block} of MobileNet ($D_K$ = {dk}, $M$ = {m}, $N$ = {n})", fontsize=10
    )
    fig.tight_layout()
    return fig


def draw_blocks(block: int = DEFAULT_BLOCK):
    """The paper's Figure 3 for block ``block``: left, the layer as one standard convolution with
    BatchNorm and ReLU; right, as a depthwise convolution and a pointwise convolution, each with
    BatchNorm and ReLU. The stages are read from the spec (:func:`block_stages`)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    standard, separable = block_stages(block)
    colors = {
        "Depthwise": (0.98, 0.8, 0.6),
        "Conv": (0.75, 0.85, 0.97),
        "BN": (0.9, 0.9, 0.9),
        "ReLU": (0.85, 0.95, 0.8),
    }
    rows = len(separable)
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 0.62 * rows + 1.3))
    for ax, stages, title in zip(
        axes,
        (standard, separable),
        ("standard convolution", "depthwise separable convolution"),
        strict=False,
    ):
        top = rows - 0.5
        for i, stage in enumerate(stages):
            y = top - i
            kind = next(k for k in colors if k in stage)
            ax.add_patch(
                FancyBboxPatch(
                    (0.1, y - 0.3),
                    0.8,
                    0.6,
                    boxstyle="round,pad=0.02",
                    facecolor=colors[kind],
                    edgecolor="black",
                    lw=0.8,
                )
            )
            ax.text(0.5, y, stage, ha="center", va="center", fontsize=9)
            if i:
                ax.annotate(
                    "",
                    xy=(0.5, y + 0.31),
                    xytext=(0.5, y + 0.69),
                    arrowprops={"arrowstyle": "->", "lw": 0.9},
                )
        ax.set_title(title, fontsize=10)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.1, rows + 0.1)
        ax.axis("off")
    fig.tight_layout()
    return fig


def nice_log_ticks(low: float, high: float) -> list[float]:
    """The numbers 1, 2 and 5 times a power of ten between ``low`` and ``high``: ticks for a log
    axis that read as plain numbers."""
    ticks = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        ticks += [m * 10.0**exponent for m in (1, 2, 5) if low <= m * 10.0**exponent <= high]
    return ticks


def draw_accuracy_vs_cost(models: list[PrintedModel] | None = None):
    """The twin of the paper's Figures 4 and 5: printed ImageNet top-1 accuracy against exact
    mult-adds (left) and exact parameters (right), log x axes, with the least-squares line in
    log10(mult-adds) on the left. ``models``: default :func:`printed_grid_models`."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    models = printed_grid_models() if models is None else models
    markers = {a: mk for a, mk in zip(GRID_ALPHAS, "osD^", strict=False)}
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), sharey=True)
    for ax, what, unit in (
        (axes[0], "mult_adds", "million mult-adds"),
        (axes[1], "params", "million parameters"),
    ):
        for alpha in GRID_ALPHAS:
            chosen = [m for m in models if m.alpha == alpha]
            if not chosen:
                continue
            ax.plot(
                [getattr(m, what) / 1e6 for m in chosen],
                [m.accuracy for m in chosen],
                markers[alpha],
                ms=7,
                label=f"α = {alpha:g}",
            )
        for m in models:
            ax.annotate(
                str(m.resolution),
                (getattr(m, what) / 1e6, m.accuracy),
                textcoords="offset points",
                xytext=(5, -10),
                fontsize=7,
            )
        values = [getattr(m, what) / 1e6 for m in models]
        ax.set_xscale("log")
        ax.set_xticks(nice_log_ticks(min(values) * 0.8, max(values) * 1.25))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(unit + " (log scale)")
        ax.grid(True, which="both", alpha=0.3)
    slope, intercept = log_linear_fit(
        [m.mult_adds / 1e6 for m in models], [m.accuracy for m in models]
    )
    xs = [min(m.mult_adds for m in models) / 1e6, max(m.mult_adds for m in models) / 1e6]
    axes[0].plot(
        xs,
        [slope * math.log10(x) + intercept for x in xs],
        "k--",
        lw=1,
        label="least squares in log(mult-adds)",
    )
    axes[0].set_ylabel("ImageNet top-1 accuracy (%), as printed")
    axes[0].legend(fontsize=8, loc="lower right")
    axes[0].set_title("accuracy against mult-adds (Figure 4)", fontsize=10)
    axes[1].set_title("accuracy against parameters (Figure 5)", fontsize=10)
    fig.tight_layout()
    return fig


#: The roles of a MobileNet v1 layer with weights (a cost row's type), as the figures label them.
LAYER_ROLES = {
    "conv": "stem (3×3 conv)",
    "conv_dw": "depthwise 3×3",
    "conv_pw": "pointwise 1×1",
    "fc": "classifier (FC)",
}
#: ... and colour them.
LAYER_COLORS = {
    "conv": "tab:purple",
    "conv_dw": "tab:orange",
    "conv_pw": "tab:blue",
    "fc": "tab:green",
}


def role_legend(fig, **options):
    """A legend of :data:`LAYER_ROLES` in :data:`LAYER_COLORS` (by default across the top of
    ``fig``; ``options`` go to ``fig.legend``)."""
    from matplotlib.patches import Patch

    handles = [Patch(color=LAYER_COLORS[k], label=label) for k, label in LAYER_ROLES.items()]
    return fig.legend(
        handles=handles, **{"fontsize": 8, "ncols": 4, "loc": "upper center", **options}
    )


def network_shape(config=None) -> list[LayerCost]:
    """The layers with weights of a MobileNet v1 configuration (default: 1.0 MobileNet-224), in
    order, as the calculator walks its spec from the input: the stem, the 13 depthwise and 13
    pointwise layers and the classifier (the pool, which has no weights, left out)."""
    from mnetcalc import MobileNetConfig, spec_costs  # the public names, wherever they live

    config = MobileNetConfig() if config is None else config
    rows = spec_costs(config.spec(), resolution=config.resolution, in_channels=config.in_channels)
    return [row for row in rows if row.type in LAYER_ROLES]


def draw_network_shape(config=None):
    """The shape of a MobileNet v1 (:func:`network_shape`): the side of each layer's output map
    (top) and its channels (bottom), log-2 scales, each new value labelled once, the stride-2
    layers marked "s2"."""
    import matplotlib.pyplot as plt

    layers = network_shape(config)
    x = range(len(layers))
    fig, (ax_side, ax_channels) = plt.subplots(2, 1, figsize=(9, 5.6), sharex=True)
    for ax, values, label in (
        (ax_side, [row.output_size for row in layers], "map side $D_F$ (output)"),
        (ax_channels, [row.out_channels for row in layers], "output channels"),
    ):
        ax.bar(x, values, color=[LAYER_COLORS[row.type] for row in layers])
        ax.set_yscale("log", base=2)
        # the classifier's 1000 outputs are labelled on its bar, not as a tick beside 1024
        ticks = sorted(
            {row_value for row_value, row in zip(values, layers, strict=True) if row.type != "fc"}
        )
        ax.set_yticks(ticks, [str(t) for t in ticks], fontsize=8)
        ax.minorticks_off()
        ax.set_ylim(min(values) / 2, 3 * max(values))
        ax.set_ylabel(label)
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        for i, value in enumerate(values):  # each new value, once
            if i == 0 or value != values[i - 1]:
                ax.text(i, value * 1.15, str(value), ha="center", fontsize=8)
    for i, row in enumerate(layers):
        if row.stride == 2:  # x in data, y in axes coordinates
            ax_side.text(
                i, 0.97, "s2", transform=ax_side.get_xaxis_transform(), ha="center", va="top",
                color="tab:red", fontsize=8,
            )  # fmt: skip
    ax_channels.set_xticks(list(x), [row.name for row in layers], rotation=90, fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    role_legend(fig)
    return fig


def draw_separable_example(image, kernels, depthwise, weights, pointwise, names, kernel_names):
    """A depthwise separable convolution on a small image, as computed by the caller (arrays of
    shape M x H x W, M x k x k, M x H x W, N x M and N x H x W): one row per input channel (the
    channel, ``names[m]``; its depthwise kernel with its values, ``kernel_names[m]``; the filtered
    map), then the N pointwise outputs, each joined to the depthwise maps by arrows labelled with
    their weights (green positive, red negative, none for a zero weight)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import ConnectionPatch

    m_channels, n_outputs = len(image), len(pointwise)
    fig = plt.figure(figsize=(10, 2.07 * m_channels))
    grid = fig.add_gridspec(
        2 * m_channels, 4, width_ratios=[1, 0.55, 1, 1.25], wspace=0.35, hspace=0.6
    )
    maps = {"cmap": "coolwarm", "vmin": -4, "vmax": 4}
    dw_axes = []
    for m in range(m_channels):
        rows = slice(2 * m, 2 * m + 2)
        ax, ax_k, ax_d = (fig.add_subplot(grid[rows, column]) for column in range(3))
        ax.imshow(image[m], cmap="gray")
        ax.set_ylabel(f"channel {m + 1}\n({names[m]})")
        ax_k.imshow(kernels[m], cmap="coolwarm", vmin=-2, vmax=2)
        for (i, j), v in _ndenumerate(kernels[m]):
            ax_k.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=7)
        ax_k.set_xlabel(kernel_names[m], fontsize=8)
        ax_d.imshow(depthwise[m], **maps)
        dw_axes.append(ax_d)
        if m == 0:
            ax.set_title(f"input, M = {m_channels} channels", fontsize=10)
            ax_k.set_title(f"depthwise\n{len(kernels[m])}×{len(kernels[m])} kernels", fontsize=10)
            ax_d.set_title(f"after depthwise:\nstill M = {m_channels} channels", fontsize=10)
    rows_per_output = 2 * m_channels // n_outputs
    out_axes = []
    for n in range(n_outputs):
        ax_o = fig.add_subplot(grid[n * rows_per_output : (n + 1) * rows_per_output, 3])
        ax_o.imshow(pointwise[n], **maps)
        ax_o.set_title(
            f"pointwise output {n + 1}" + (f" (N = {n_outputs})" if n == 0 else ""), fontsize=10
        )
        out_axes.append(ax_o)
    for ax in fig.axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for n, ax_o in enumerate(out_axes):  # arrows from each depthwise map, labelled with the weight
        for m, ax_d in enumerate(dw_axes):
            w = float(weights[n][m])
            if w == 0:
                continue
            end = (0.0, 0.5 + 0.25 * (m - (m_channels - 1) / 2))
            arrow = ConnectionPatch(
                xyA=(1.0, 0.5), coordsA=ax_d.transAxes, xyB=end, coordsB=ax_o.transAxes,
                arrowstyle="->", color="tab:red" if w < 0 else "tab:green", lw=1 + 1.5 * abs(w),
            )  # fmt: skip
            fig.add_artist(arrow)
            xa, ya = ax_d.transAxes.transform((1.0, 0.5))
            xb, yb = ax_o.transAxes.transform(end)
            xm, ym = fig.transFigure.inverted().transform(
                (0.7 * xa + 0.3 * xb, 0.7 * ya + 0.3 * yb)
            )
            fig.text(
                xm, ym, f"{w:+g}", fontsize=8, ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
            )  # fmt: skip
    return fig


def _ndenumerate(matrix):
    """``((i, j), value)`` for every entry of a nested sequence or 2-d array (numpy-free)."""
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            yield (i, j), float(value)
