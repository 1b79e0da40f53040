"""The roofline helpers: the model's arithmetic, and that the bandwidth measurement runs and counts
its bytes. No timing is asserted: a rate only has to be positive and finite."""

import math

import pytest

pytest.importorskip("torch")

from mnetcalc import InvalidArgument  # noqa: E402
from mnetcalc import latency, roofline  # noqa: E402


def test_roofline_arithmetic():
    # peak 300 GFLOP/s, 20 GB/s: the ridge is at 15 FLOPs/byte.
    assert roofline.ridge_point(300.0, 20.0) == 15.0
    assert roofline.attainable(1.0, 300.0, 20.0) == 20.0
    assert roofline.attainable(15.0, 300.0, 20.0) == 300.0
    assert roofline.attainable(100.0, 300.0, 20.0) == 300.0


def test_one_matmul_peak_measurement():
    assert roofline.matmul_peak is latency.matmul_peak


@pytest.mark.parametrize("kind, factor", [("copy", 2), ("sum", 1)])
def test_memory_bandwidth_counts_bytes(monkeypatch, kind, factor):
    # With the timer replaced by one that says "one second per call", the rate is the bytes moved.
    def one_second(candidates, **kwargs):
        for call in candidates.values():
            call()
        return {name: latency.Latency((1.0, 2.0)) for name in candidates}

    monkeypatch.setattr(roofline, "interleaved", one_second)
    assert roofline.memory_bandwidth(1, megabytes=1, kind=kind) == factor * 2**20 / 1e9


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
