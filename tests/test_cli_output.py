"""Consistent output across networks and commands (issue 27, newcomer review findings 8, 14, 15,
16): ``table`` JSON with the same top-level keys for every network and the total parameter count
beside the paper's weights, CSV that ``csv.DictReader`` parses without special cases, one title
pattern, ``list`` and ``sweep --network``."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mnetcalc.cli import main
from mnetcalc.core.network import REPORT_KEYS
from mnetcalc.latency_model.checkpoints import published_checkpoints
from mnetcalc.networks.registry import NETWORKS


def run(capsys, *args) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("network", list(NETWORKS))
def test_table_json_has_the_same_keys_for_every_network(network, capsys):
    data = json.loads(run(capsys, "table", "--network", network, "--format", "json"))
    assert list(data) == [*REPORT_KEYS, "options", "peak_bytes", "peak_layer", "layers", "total"]
    assert data["network"] == network
    assert (data["alpha"] is None) == (not NETWORKS[network].alpha)
    assert (data["variant"] is None) == (not NETWORKS[network].variants)
    total = data["total"]
    assert total["total_params"] == total["params"] + total["bias_params"] + total["bn_params"]


def test_total_params_is_what_torch_counts(capsys):
    pytest.importorskip("torch")
    import mnetcalc

    for network, options in (
        ("mobilenet_v3", {"variant": "small"}),
        ("vgg16", {}),
        ("alexnet", {}),
    ):
        data = json.loads(
            run(
                capsys,
                "table",
                "--network",
                network,
                "--format",
                "json",
                *(f"--{k}={v}" for k, v in options.items()),
            )
        )
        model = mnetcalc.config(network, **options).model()
        assert data["total"]["total_params"] == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("network", list(NETWORKS))
def test_table_csv_numbers_parse_without_special_cases(network, capsys):
    rows = list(
        csv.DictReader(io.StringIO(run(capsys, "table", "--network", network, "--format", "csv")))
    )
    data = json.loads(run(capsys, "table", "--network", network, "--format", "json"))
    for key in ("mult_adds", "params", "bias_params", "bn_params"):
        assert sum(int(row[key]) for row in rows) == data["total"][key]
    assert all(int(row["stride"]) >= 1 and int(row["groups"]) >= 1 for row in rows)


@pytest.mark.parametrize("network", list(NETWORKS))
def test_every_title_follows_one_pattern(network, capsys):
    title = run(capsys, "table", "--network", network).splitlines()[0]
    assert (
        f"resolution {NETWORKS[network].resolution}, {NETWORKS[network].classes} classes" in title
    )
    assert "num_classes" not in title and "network " not in title


def test_list_prints_every_network_and_checkpoint(capsys):
    text = run(capsys, "list")
    assert f"{len(NETWORKS)} networks:" in text
    assert f"{len(published_checkpoints())} checkpoints:" in text
    data = json.loads(run(capsys, "list", "--format", "json"))
    assert [n["network"] for n in data["networks"]] == list(NETWORKS)
    assert [c["checkpoint"] for c in data["checkpoints"]] == [
        c.name for c in published_checkpoints()
    ]
    v3 = next(c for c in data["checkpoints"] if c["checkpoint"] == "v3-large_224_0.75_float")
    assert v3["options"]["channels"] == "tf-slim" and v3["network"] == "mobilenet_v3"
    rows = list(csv.DictReader(io.StringIO(run(capsys, "list", "checkpoints", "--format", "csv"))))
    assert len(rows) == len(published_checkpoints())
    assert {int(row["quantized"]) for row in rows} == {0, 1}
    assert all(float(row["top1"]) > 0 for row in rows)


def test_sweep_takes_any_network(capsys):
    data = json.loads(
        run(
            capsys,
            "sweep",
            "--network",
            "mobilenet_v3",
            "--variant",
            "small",
            "--alpha",
            "1,0.75",
            "--res",
            "224",
            "--format",
            "json",
        )
    )
    # torchvision's mobilenet_v3_small at 224: 56.5 M mult-adds (tests/networks/test_mobilenet_v3)
    assert [(r["model"], r["network"], r["alpha"]) for r in data] == [
        ("1.0 MobileNetV3 small-224", "mobilenet_v3", 1.0),
        ("0.75 MobileNetV3 small-224", "mobilenet_v3", 0.75),
    ]
    assert (
        data[0]["mult_adds"]
        == json.loads(
            run(
                capsys,
                "table",
                "--network",
                "mobilenet_v3",
                "--variant",
                "small",
                "--format",
                "json",
            )
        )["total"]["mult_adds"]
    )
    vgg = json.loads(run(capsys, "sweep", "--network", "vgg16", "--format", "json"))
    assert [(r["model"], r["alpha"]) for r in vgg] == [("VGG-16-224", None)]
    assert main(["sweep", "--network", "vgg16", "--alpha", "1"]) == 2
