"""The paper's figures drawn from the spec (mnetcalc.book.figures): the data each figure shows,
checked against the paper, and the drawings' structure."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnetcalc.book import figures
from mnetcalc.core.layers import Conv, DepthwiseConv, FullyConnected
from mnetcalc.validation import InvalidArgument


def test_block_stages_are_the_papers_figure_3():
    # Paper Figure 3: "3x3 Conv, BN, ReLU" against
    # "3x3 Depthwise Conv, BN, ReLU, 1x1 Conv, BN, ReLU".
    standard, separable = figures.block_stages(7)
    assert standard == ["3×3 Conv", "BN", "ReLU"]
    assert separable == ["3×3 Depthwise Conv", "BN", "ReLU", "1×1 Conv", "BN", "ReLU"]
    assert figures.block_stages(1) == figures.block_stages(13)


def test_layer_stages_follow_the_spec():
    assert figures.layer_stages(Conv(64, kernel=5, batchnorm=False)) == ["5×5 Conv", "ReLU"]
    assert figures.layer_stages(DepthwiseConv(7)) == ["7×7 Depthwise Conv", "BN", "ReLU"]
    with pytest.raises(InvalidArgument, match="not a convolution"):
        figures.layer_stages(FullyConnected(10))


def test_block_rows_are_the_table_3_layer():
    # Block 7 is the 14x14x512 -> 512 layer of the paper's Table 3.
    dw, pw = figures.block_rows(7)
    assert (dw.kernel, dw.in_channels, dw.output_size) == (3, 512, 14)
    assert (pw.kernel, pw.in_channels, pw.out_channels) == (1, 512, 512)


def test_printed_grid_models_are_the_eight_with_printed_accuracy():
    models = figures.printed_grid_models()
    # Printed ImageNet accuracies of grid models: Table 6 (widths at 224), Table 7 (resolutions at
    # full width) and Table 9 (0.50 MobileNet-160); Tables 4, 5 and 8 repeat two of them.
    expected = {
        (1.0, 224): 70.6,
        (0.75, 224): 68.4,
        (0.5, 224): 63.7,
        (0.25, 224): 50.6,
        (1.0, 192): 69.1,
        (1.0, 160): 67.2,
        (1.0, 128): 64.4,
        (0.5, 160): 60.2,
    }
    assert {(m.alpha, m.resolution): m.accuracy for m in models} == expected
    assert [m.mult_adds for m in models] == sorted((m.mult_adds for m in models), reverse=True)
    full = next(m for m in models if (m.alpha, m.resolution) == (1.0, 224))
    # 1.0 MobileNet-224: the exact counts behind the printed 569 M and 4.2 M (the weights are
    # checked against PyTorch in tests/test_model.py, the mult-adds against fvcore in
    # test_counting.py).
    assert (full.label, full.mult_adds, full.params) == (
        "1.0 MobileNet-224",
        568_740_352,
        4_209_088,
    )


@given(st.floats(-50, 50), st.floats(-100, 100))
def test_log_linear_fit_recovers_an_exact_line(slope, intercept):
    xs = [1.0, 10.0, 37.0, 1000.0]
    ys = [slope * math.log10(x) + intercept for x in xs]
    fitted = figures.log_linear_fit(xs, ys)
    assert fitted == pytest.approx((slope, intercept), abs=1e-9)


def test_log_linear_fit_rejects_what_cannot_be_fitted():
    with pytest.raises(ValueError, match="two or more"):
        figures.log_linear_fit([1.0], [2.0])
    with pytest.raises(ValueError, match="all x are equal"):
        figures.log_linear_fit([5.0, 5.0], [1.0, 2.0])


def test_nice_log_ticks():
    assert figures.nice_log_ticks(30, 700) == [50, 100, 200, 500]
    assert figures.nice_log_ticks(0.4, 5) == [0.5, 1, 2, 5]


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib import pyplot

    yield pyplot
    pyplot.close("all")


def test_filter_shapes_figure_labels_the_block_shapes(plt):
    fig = figures.draw_filter_shapes(7)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert len(fig.axes) == 3
    assert "512 filters of 3×3×512" in texts  # standard: N filters of Dk x Dk x M
    assert "512 filters of 3×3×1" in texts  # depthwise: M filters of Dk x Dk x 1
    assert "512 filters of 1×1×512" in texts  # pointwise: N filters of 1 x 1 x M
    assert all(len(ax.patches) == 9 for ax in fig.axes)  # three boxes of three faces each


def test_blocks_figure_has_one_box_per_stage(plt):
    fig = figures.draw_blocks(7)
    standard, separable = figures.block_stages(7)
    assert [len(ax.patches) for ax in fig.axes] == [len(standard), len(separable)]
    assert [t.get_text() for t in fig.axes[1].texts if t.get_text()] == separable


def test_accuracy_figure_plots_every_printed_model(plt):
    fig = figures.draw_accuracy_vs_cost()
    left, right = fig.axes
    models = figures.printed_grid_models()
    plotted = [tuple(p) for line in right.lines for p in line.get_xydata()]
    assert sorted(plotted) == sorted((m.params / 1e6, m.accuracy) for m in models)
    assert left.get_xscale() == right.get_xscale() == "log"


def test_import_is_torch_and_matplotlib_free():
    code = (
        "import sys, mnetcalc.book.figures; "
        "print(sorted(m for m in ('torch', 'matplotlib', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_network_shape_is_table_1_walked_from_the_input():
    layers = figures.network_shape()
    # 28 layers with weights (paper section 3.2): stem, 13 depthwise, 13 pointwise, classifier.
    assert len(layers) == 28
    assert [row.type for row in layers].count("conv_dw") == 13
    # Table 1's input sizes, in order: every layer's output is the next one's input.
    assert all(a.output_size == b.input_size for a, b in zip(layers[:-2], layers[1:-1]))
    assert [layers[0].input_size, layers[-2].output_size, layers[-1].out_channels] == [224, 7, 1000]
    sides = sorted({row.output_size for row in layers[:-1]}, reverse=True)
    assert sides == [112, 56, 28, 14, 7]


def test_network_shape_figure_draws_one_bar_per_layer(plt):
    fig = figures.draw_network_shape()
    side, channels = fig.axes
    layers = figures.network_shape()
    assert [p.get_height() for p in side.patches] == [row.output_size for row in layers]
    assert [p.get_height() for p in channels.patches] == [row.out_channels for row in layers]
    assert [t.get_text() for t in side.texts].count("s2") == 5


def test_separable_example_draws_one_arrow_per_nonzero_weight(plt):
    image = [[[0.0, 1.0], [1.0, 0.0]]] * 3
    kernels = [[[0.0, 1.0, 0.0]] * 3] * 3
    weights = [[1.0, 0.5, 0.0], [0.0, 0.5, -1.0]]
    fig = figures.draw_separable_example(
        image, kernels, image, weights, image[:2], names="abc", kernel_names="def"
    )
    assert len(fig.axes) == 3 * 3 + 2  # input, kernel, depthwise map per channel; two outputs
    labels = sorted(t.get_text() for t in fig.texts)
    assert labels == ["+0.5", "+0.5", "+1", "-1"]  # the zero weights get no arrow
