"""The roofline helpers: the model's arithmetic, and that the bandwidth measurement runs and counts
its bytes. No timing is asserted: a rate only has to be positive and finite."""

import math

import pytest

pytest.importorskip("torch")

from mnetcalc import InvalidArgument  # noqa: E402
from mnetcalc.runtime import latency, roofline  # noqa: E402


def test_roofline_arithmetic():
    # peak 300 GFLOP/s, 20 GB/s: the ridge is at 300 / 20 = 15 FLOPs/byte.
    assert roofline.ridge_point(300.0, 20.0) == 15.0
    assert roofline.attainable(1.0, 300.0, 20.0) == 20.0
    assert roofline.attainable(15.0, 300.0, 20.0) == 300.0
    assert roofline.attainable(100.0, 300.0, 20.0) == 300.0
    # peak 150, 40 GB/s: ridge 3.75; at 2.5 FLOPs/byte memory-bound at 2.5 * 40 = 100 GFLOP/s
    assert roofline.ridge_point(150.0, 40.0) == 3.75
    assert roofline.attainable(2.5, 150.0, 40.0) == 100.0
    assert roofline.attainable(3.75, 150.0, 40.0) == 150.0
    assert roofline.attainable(0.0, 150.0, 40.0) == 0.0


def fake_timer(times):
    """A stand-in for latency.interleaved: runs each candidate once, says it took ``times`` seconds
    (one per block), and records what the calls returned."""
    returned = {}

    def interleaved(candidates, **kwargs):
        for name, call in candidates.items():
            returned[name] = call()
        return {name: latency.Latency(times) for name in candidates}

    return interleaved, returned


def test_matmul_peak_is_2n_cubed_flops_over_the_best_block(monkeypatch):
    # 64 x 64 matrices: 2 * 64**3 = 524288 FLOPs per product; best block 0.5 s (not the 2 s or the
    # median): 1048576 FLOP/s = 0.001048576 GFLOP/s.
    timer, returned = fake_timer((2.0, 0.5, 2.0))
    monkeypatch.setattr(latency, "interleaved", timer)
    assert roofline.matmul_peak(1, size=64) == 0.001048576
    (product,) = returned.values()
    assert tuple(product.shape) == (64, 64)


@pytest.mark.parametrize("kind, factor", [("copy", 2), ("sum", 1)])
def test_memory_bandwidth_counts_bytes(monkeypatch, kind, factor):
    # 1 MiB of float32 = 2**20 bytes, copied (read + write: 2 * 2**20) or summed (read: 2**20), in a
    # best block of 0.25 s: 4 * factor * 2**20 bytes per second.
    timer, _ = fake_timer((1.0, 0.25))
    monkeypatch.setattr(roofline, "interleaved", timer)
    assert roofline.memory_bandwidth(1, megabytes=1, kind=kind) == 4 * factor * 2**20 / 1e9


def test_memory_bandwidth_runs():
    rate = roofline.memory_bandwidth(1, megabytes=1, rounds=1, round_time=0.01)
    assert rate > 0 and math.isfinite(rate)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"threads": 0}, "threads"), ({"megabytes": -1}, "megabytes"), ({"kind": "scan"}, "kind")],
)
def test_bad_arguments_name_the_value(kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        roofline.memory_bandwidth(**{"threads": 1, **kwargs})
