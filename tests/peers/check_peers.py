"""Run in the peers' venv (torch, torchvision, timm, fvcore, ptflops, thop):

    PYTHONPATH=. /work/peers/.venv/bin/python tests/peers/check_peers.py [--write]

1. Counts: our models counted by fvcore (conv + linear), ptflops (default pytorch backend) and
   thop, printed beside our calculator's mult-adds (the constants in tests/test_interop.py).
2. Weights: every peer model of mnetcalc.interop.PEER_MODELS, randomly initialised (BatchNorm
   statistics randomised too), loaded into our model through the key map; both in eval mode on
   the same input give the same output.
3. ``--write`` stores each peer's state_dict key names and shapes in
   tests/peers/state_dict_keys.json, which tests/test_interop.py maps without the peers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import timm
import torch
import torchvision
from fvcore.nn import FlopCountAnalysis
from ptflops import get_model_complexity_info
from thop import profile

import mnetcalc
from mnetcalc.interop import PEER_MODELS, RELU6_PEERS, load_peer_weights, shapes

KEYS = Path(__file__).with_name("state_dict_keys.json")

#: Our configurations counted by every counter: (network, options, resolution).
COUNTED = [
    ("mobilenet_v1", {"alpha": 0.5}, 160),
    ("mobilenet_v2", {"alpha": 0.75}, 160),
    ("mobilenet_v3", {"variant": "large"}, 224),
    ("mobilenet_v3", {"variant": "small", "alpha": 0.75}, 160),
]


def zero(module, inputs, output):
    """thop's counter for a module whose operations the paper's convention does not count."""
    module.total_ops += torch.zeros(1, dtype=torch.float64)


#: What the paper's convention leaves uncounted (BatchNorm, activations, pooling).
UNCOUNTED = (
    torch.nn.BatchNorm2d,
    torch.nn.ReLU,
    torch.nn.ReLU6,
    torch.nn.Hardswish,
    torch.nn.Hardsigmoid,
    torch.nn.AdaptiveAvgPool2d,
    torch.nn.Dropout,
    torch.nn.Flatten,
)


def counts() -> None:
    for network, options, resolution in COUNTED:
        config = mnetcalc.config(network, resolution=resolution, **options)
        model = config.model(channels_last=False).eval()
        x = torch.randn(1, 3, resolution, resolution)
        ops = FlopCountAnalysis(model, x)
        ops.unsupported_ops_warnings(False)
        ops.uncalled_modules_warnings(False)
        by_op = ops.by_operator()
        shape = (3, resolution, resolution)
        ptflops = [
            int(
                get_model_complexity_info(
                    model,
                    shape,
                    as_strings=False,
                    print_per_layer_stat=False,
                    verbose=False,
                    **extra,
                )[0]
            )
            for extra in (
                {},
                {
                    "ignore_modules": list(UNCOUNTED),
                    "backend_specific_config": {"count_functional": False},
                },
            )
        ]
        thop = [
            int(profile(model, inputs=(x,), verbose=False, custom_ops=custom)[0])
            for custom in ({}, dict.fromkeys(UNCOUNTED, zero))
        ]
        print(
            network,
            options,
            resolution,
            "ours",
            config.cost().mult_adds,
            "fvcore conv+linear",
            by_op.get("conv", 0) + by_op.get("linear", 0),
            "fvcore total",
            ops.total(),
            "ptflops total, conv+linear",
            ptflops,
            "thop total, conv+linear",
            thop,
        )


def peer(library: str, name: str):
    if library == "torchvision":
        return getattr(torchvision.models, name)()
    return timm.create_model(name, pretrained=False)


def weights(write: bool) -> None:
    torch.manual_seed(0)
    keys = {}
    for (library, name), (network, options, eps) in PEER_MODELS.items():
        theirs = peer(library, name).eval()
        with torch.no_grad():
            for module in theirs.modules():
                if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                    module.running_mean.uniform_(-0.5, 0.5)
                    module.running_var.uniform_(0.5, 2.0)
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
        state = theirs.state_dict()
        keys[f"{library}/{name}"] = shapes(state)
        ours = mnetcalc.config(network, **options).model(channels_last=False)
        relu6 = (library, name) in RELU6_PEERS
        load_peer_weights(ours, state, batchnorm_eps=eps, relu6=relu6).eval()
        x = torch.randn(2, 3, 224, 224)
        with torch.no_grad():
            a, b = ours(x), theirs(x)
        error = (a - b).abs().max().item() / b.abs().max().item()
        print(f"{library}/{name}: {len(state)} tensors, max relative difference {error:.2e}")
        assert error < 1e-4, (library, name, error)
    if write:
        lines = []
        for peer_name, table in keys.items():
            rows = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in table.items())
            lines.append(f"  {json.dumps(peer_name)}: {{\n{rows}\n  }}")
        KEYS.write_text("{\n" + ",\n".join(lines) + "\n}\n")
        print(f"wrote {KEYS}")


if __name__ == "__main__":
    print(
        "torch", torch.__version__, "torchvision", torchvision.__version__, "timm", timm.__version__
    )
    counts()
    weights("--write" in sys.argv)
