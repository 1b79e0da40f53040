"""The extension point a new network module uses: a layer type defined outside
mnetcalc.core.layers (here, in this file) is costed, built into PyTorch and counted by fvcore with
no change to mnetcalc.runtime.layer_modules or mnetcalc.runtime.counting, and an activation is a
name.

The toy layer is a "gate": the input times hard-sigmoid of a 1x1 convolution of it (the shape of a
squeeze-and-excite gate without the pooling). Its mult-adds and parameters are those of its
convolution, counted here by hand; its element-wise product is free in the paper's convention,
which it tells fvcore with ``uncounted_ops``.
"""

from __future__ import annotations

from collections import namedtuple

import pytest

from mnetcalc.core.layers import (
    HARDSIGMOID,
    HARDSWISH,
    Chain,
    Conv,
    DepthwiseConv,
    LayerCost,
    Pool,
    Residual,
    layer_row,
)
from mnetcalc.core.network import NetworkConfig
from mnetcalc.validation import positive_int

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")


class Gate(namedtuple("Gate", ())):
    """x * hardsigmoid(conv1x1(x)), same channels: one cost row."""

    __slots__ = ()
    uncounted_ops = ("aten::mul",)

    def costs(self, name, in_channels, side):
        c = in_channels
        yield layer_row(
            name, "gate", 1, 1, (c, c), (side, side), (c * c * side * side, c * c), bias_params=c
        )

    def torch_module(self, in_channels, side, dropout):
        from torch import nn

        class GateModule(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(in_channels, in_channels, 1)
                self.gate = nn.Hardsigmoid()

            def forward(self, x):
                return x * self.gate(self.conv(x))

        return GateModule()


class GatedBlock(namedtuple("GatedBlock", ("kernel",))):
    """A composite type: its block() is generic layers plus the gate, with a shortcut."""

    __slots__ = ()

    def block(self, in_channels):
        return Residual(
            (
                ("dw", DepthwiseConv(self.kernel, 1, activation=HARDSWISH)),
                ("gate", Gate()),
                ("project", Conv(in_channels, 1, activation=None)),
            )
        )

    def costs(self, name, in_channels, side):
        return self.block(in_channels).costs(name, in_channels, side)


class ToyConfig(NetworkConfig):
    field_checks = {
        "resolution": positive_int,
        "num_classes": positive_int,
        "in_channels": positive_int,
    }
    __slots__ = tuple(field_checks)
    network = "toy"

    def __init__(self, resolution=32, *, num_classes=10, in_channels=3):
        self._set_checked(locals())

    def spec(self):
        return (
            ("conv0", Conv(16, 3, 2, activation=HARDSWISH)),
            ("block1", GatedBlock(5)),
            ("block2", Chain((("dw", DepthwiseConv(3, 2)), ("gate", Gate())))),
            ("head", Conv(self.num_classes, 1, activation=HARDSIGMOID)),
            ("avgpool", Pool()),
        )


def test_a_layer_type_of_its_own_is_costed_built_and_counted():
    from mnetcalc.runtime.counting import check_counts

    report = ToyConfig().cost()
    names = [row.name for row in report.layers]
    assert names == [
        "conv0",
        "block1/dw",
        "block1/gate",
        "block1/project",
        "block1",
        "block2/dw",
        "block2/gate",
        "head",
        "avgpool",
    ]
    gate = report.layers[names.index("block1/gate")]
    assert isinstance(gate, LayerCost)
    assert (gate.mult_adds, gate.params) == (16 * 16 * 16 * 16, 16 * 16)
    model = ToyConfig().model()
    assert isinstance(model.conv0.act, torch.nn.Hardswish)
    assert isinstance(model.head.act, torch.nn.Hardsigmoid)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10, 1, 1)
    check = check_counts(report)
    assert check.agrees, (check.disagreements(), check.unsupported_ops)


def test_a_table_shows_a_cost_free_row_of_its_own_type_by_its_channels():
    from mnetcalc.report.tables import filter_shape, type_stride

    free = LayerCost("block/scale", "scale", 1, 1, 72, 72, 28, 28, 0, 0)
    assert (type_stride(free), filter_shape(free)) == ("scale / s1", "72 channels")
    costly = free._replace(type="gate", mult_adds=10, params=10)
    assert filter_shape(costly) == "1×1×72×72"
