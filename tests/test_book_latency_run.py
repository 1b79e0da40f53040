"""The book's shared timing run (mnetcalc.book.latency_run): kept once, read back unchanged, and
keyed so that other networks or another thread count time anew. No timing here: the stored run
is made by hand from the shipped calibration."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from mnetcalc.book import latency_run  # noqa: E402
from mnetcalc.latency_model import shipped_path  # noqa: E402
from mnetcalc.runtime.samples import label  # noqa: E402


def stored(tmp_path, monkeypatch, threads, configs):
    """Store a made-up run where book_run looks for it; return what was stored."""
    monkeypatch.setenv(latency_run.CACHE_VARIABLE, str(tmp_path))
    with open(shipped_path(), encoding="utf-8") as source:
        file = json.load(source)
    data = {
        "file": file,
        "rows": [{"network": label(configs[0]), "measured_ms": 1.0}],
        "summary": {"predicted": {"within_10": 1.0}},
        "seconds": 12.5,
        "threads": threads,
        "machine": {"cpu": "made up"},
    }
    key = latency_run._key(threads, [label(c) for c in configs])
    (tmp_path / f"latency-run-{key}.json").write_text(json.dumps(data), encoding="utf-8")
    return data


def test_a_stored_run_is_read_back_without_timing(tmp_path, monkeypatch):
    configs = latency_run.book_held_out()[:2]
    data = stored(tmp_path, monkeypatch, 1, configs)
    monkeypatch.setattr(
        "mnetcalc.runtime.calibrate.calibrate_and_validate",
        lambda *a, **k: pytest.fail("timed although a run was stored"),
    )
    run = latency_run.book_run(1, configs)
    assert run.seconds == 12.5 and run.rows == tuple(data["rows"])
    assert run.model.threads == 1 and run.calibration.cpu == data["file"]["machine"]["cpu"]


def test_the_key_depends_on_threads_and_networks():
    configs = latency_run.book_held_out()
    labels = [label(c) for c in configs]
    keys = {
        latency_run._key(1, labels),
        latency_run._key(2, labels),
        latency_run._key(1, labels[:-1]),
    }
    assert len(keys) == 3


def test_the_book_holds_out_no_calibration_network_and_no_large_one():
    from mnetcalc.runtime.samples import CALIBRATION_NETWORKS

    configs = latency_run.book_held_out()
    assert not set(configs) & set(CALIBRATION_NETWORKS)
    assert all(c.cost().mult_adds <= latency_run.BOOK_MAX_MULT_ADDS for c in configs)
    assert configs, "the book times no held-out network"


@pytest.mark.parametrize("changed", ["networks/mobilenet_v2.py", "core/layers.py", "traffic.py"])
def test_a_change_of_the_networks_or_their_features_times_anew(tmp_path, monkeypatch, changed):
    # a stored run fitted on other network definitions or other feature counts is stale
    for name in latency_run._DIGESTED:
        source = tmp_path / name
        if name.endswith(".py"):
            source.write_text("x = 1\n")
        else:
            source.mkdir()
            (source / "a.py").write_text("x = 1\n")
    (tmp_path / changed).write_text("x = 1\n")
    monkeypatch.setattr(latency_run, "_PACKAGE", tmp_path)
    before = latency_run._source_digest()
    (tmp_path / changed).write_text("x = 2\n")
    assert latency_run._source_digest() != before
