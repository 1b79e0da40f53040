"""The roofline helpers: the model's arithmetic, and that the measurements run and report sanely.

No timing is asserted: the rates only have to be positive and consistent with their own times.
"""

import pytest

torch = pytest.importorskip("torch")

from mnetcalc import InvalidArgument  # noqa: E402
from mnetcalc.roofline import attainable, matmul_peak, memory_bandwidth, ridge_point  # noqa: E402


def test_roofline_arithmetic():
    # peak 300 GFLOP/s, 20 GB/s: ridge at 15 FLOPs/byte.
    assert ridge_point(300.0, 20.0) == 15.0
    assert attainable(1.0, 300.0, 20.0) == 20.0
    assert attainable(15.0, 300.0, 20.0) == 300.0
    assert attainable(100.0, 300.0, 20.0) == 300.0


def test_matmul_peak_reports_its_own_work():
    before = torch.get_num_threads()
    result = matmul_peak(size=64, threads=1, min_run_time=0.01)
    assert torch.get_num_threads() == before  # the thread count is restored
    assert result.threads == 1 and result.runs >= 1 and result.unit == "GFLOP/s"
    assert result.median == pytest.approx(2 * 64**3 / result.seconds / 1e9)
    assert 0 < result.low <= result.median <= result.high
    assert "sgemm 64x64" in str(result)


@pytest.mark.parametrize("kind, factor", [("copy", 2), ("sum", 1)])
def test_memory_bandwidth_counts_bytes(kind, factor):
    result = memory_bandwidth(megabytes=1, kind=kind, threads=1, min_run_time=0.01)
    assert result.unit == "GB/s"
    assert result.median == pytest.approx(factor * 2**20 / result.seconds / 1e9)
    assert result.to_dict()["what"] == f"{kind} 1 MiB"


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: matmul_peak(size=0), "size"),
        (lambda: matmul_peak(size=8, threads=0), "threads"),
        (lambda: memory_bandwidth(megabytes=-1), "megabytes"),
        (lambda: memory_bandwidth(kind="scan"), "kind"),
    ],
)
def test_bad_arguments_name_the_value(call, name):
    with pytest.raises(InvalidArgument, match=name):
        call()
