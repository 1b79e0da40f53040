"""SqueezeNet v1.0 (mnetcalc.networks.squeezenet) against its Table 1 and a hand count."""

import mnetcalc
from mnetcalc.core.layers import (
    Fire,
)
from mnetcalc.core.network import spec_costs

# Iandola et al. 2016, Table 1: parameters (weights and biases) before pruning, and output sides.
SQUEEZENET_TABLE_1 = {
    "conv1": (14_208, 111), "fire2": (11_920, 55), "fire3": (12_432, 55), "fire4": (45_344, 55),
    "fire5": (49_440, 27), "fire6": (104_880, 27), "fire7": (111_024, 27), "fire8": (188_992, 27),
    "fire9": (197_184, 13), "conv10": (513_000, 13),
}  # fmt: skip


def test_squeezenet_matches_its_table_1():
    net = mnetcalc.squeezenet_cost()
    for name, (params, side) in SQUEEZENET_TABLE_1.items():
        rows = [r for r in net.layers if r.name == name or r.name.startswith(name + "/")]
        assert sum(r.params + r.bias_params for r in rows) == params, name
        assert net.layer(name).output_size == side, name
    assert net.total_params == 1_248_424


def test_squeezenet_fire_module_hand_count():
    (squeeze, e1, e3, concat) = spec_costs(
        (("fire", Fire(16, 64, 64)),), resolution=55, in_channels=96
    )
    assert [r.name for r in (squeeze, e1, e3, concat)] == [
        "fire/squeeze1x1",
        "fire/expand1x1",
        "fire/expand3x3",
        "fire",
    ]
    assert squeeze.mult_adds == 96 * 16 * 55 * 55
    assert e1.mult_adds == 16 * 64 * 55 * 55 and e3.mult_adds == 9 * 16 * 64 * 55 * 55
    assert (concat.out_channels, concat.output_size, concat.mult_adds) == (128, 55, 0)
