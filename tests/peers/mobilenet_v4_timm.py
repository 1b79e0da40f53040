"""timm's MobileNetV4 counted by fvcore: the numbers tests/networks/test_mobilenet_v4.py holds.

Not a test of the project's suite: it needs timm (and torch 2.14) in the peers' virtual environment,
which the project's pin (torch 2.13) cannot share. Run it there, with timm's fused attention off so
that fvcore sees the two attention matrix products as ``aten::matmul``::

    TIMM_FUSED_ATTN=0 /work/peers/.venv/bin/python tests/peers/mobilenet_v4_timm.py > counts.json

(Name architectures as arguments to count those only.) For each architecture, width multiplier and
resolution it prints (JSON) fvcore 0.1.5's count of the ``conv`` + ``linear`` + ``matmul`` mult-adds
(every other operator left out), fvcore's default count (BatchNorm included: timm's published GMACs)
and timm's ``sum(p.numel())`` of the parameters.
timm's ``_gen_mobilenet_v4(name, channel_multiplier)`` builds a width timm registers no name for.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

import torch

assert os.environ.get("TIMM_FUSED_ATTN") == "0", "run with TIMM_FUSED_ATTN=0"

import timm  # noqa: E402
from fvcore.nn import FlopCountAnalysis  # noqa: E402
from fvcore.nn.jit_handles import (  # noqa: E402
    addmm_flop_jit,
    bmm_flop_jit,
    conv_flop_jit,
    linear_flop_jit,
    matmul_flop_jit,
)
from timm.models.mobilenetv3 import _gen_mobilenet_v4  # noqa: E402

VARIANTS = ("conv_small", "conv_medium", "conv_large", "hybrid_medium", "hybrid_large")
#: the anti-aliased architectures: timm's ``aa_layer`` for each
ANTI_ALIASED = {"conv_aa_medium": "avg", "conv_blur_medium": "blurpc", "conv_aa_large": "avg"}
WIDTHS = (0.5, 0.75, 1.0, 1.25)
RESOLUTIONS = (97, 128, 224, 256)
#: the resolutions of timm's benchmark rows (published GMACs), at width 1.0
PUBLISHED = {
    "conv_small": (224, 256, 320),
    "conv_medium": (224, 256, 320, 384),
    "conv_large": (256, 320, 384, 448),
    "hybrid_medium": (224, 256, 320, 384, 448),
    "hybrid_large": (384, 448),
    "conv_aa_medium": (256,),
    "conv_blur_medium": (224, 256),
    "conv_aa_large": (384, 448, 480, 544),
}

COUNTED = {
    "aten::_convolution": conv_flop_jit,
    "aten::linear": linear_flop_jit,
    "aten::addmm": addmm_flop_jit,
    "aten::matmul": matmul_flop_jit,
    "aten::mm": matmul_flop_jit,
    "aten::bmm": bmm_flop_jit,
}


def count(variant: str, width: float, resolution: int) -> dict:
    aa = {"aa_layer": ANTI_ALIASED[variant]} if variant in ANTI_ALIASED else {}
    model = _gen_mobilenet_v4(f"mobilenetv4_{variant}", channel_multiplier=width, **aa).eval()
    x = torch.zeros(1, 3, resolution, resolution)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = FlopCountAnalysis(model, x)
        ours.clear_op_handles()
        ours.set_op_handle(**COUNTED)
        ours.unsupported_ops_warnings(False)
        ours.uncalled_modules_warnings(False)
        default = FlopCountAnalysis(model, x)
        default.unsupported_ops_warnings(False)
        default.uncalled_modules_warnings(False)
        matmul = ours.by_operator().get("matmul", 0)
        return {
            "variant": variant,
            "width": width,
            "resolution": resolution,
            "conv_linear_matmul": int(ours.total()),
            "matmul": int(matmul),
            "fvcore_default": int(default.total()),
            "params": sum(p.numel() for p in model.parameters()),
        }


def main() -> None:
    """All architectures, or those named on the command line."""
    torch.set_num_threads(1)
    variants = sys.argv[1:] or (*VARIANTS, *ANTI_ALIASED)
    jobs = [(v, w, r) for v in variants for w in WIDTHS for r in RESOLUTIONS]
    jobs += [(v, 1.0, r) for v in variants for r in PUBLISHED[v] if (v, 1.0, r) not in jobs]
    results = []
    for job in jobs:
        results.append(count(*job))
        print(json.dumps(results[-1]), file=sys.stderr)
    print(json.dumps({"timm": timm.__version__, "torch": torch.__version__, "counts": results}))


if __name__ == "__main__":
    main()
