"""``mnetcalc layer``: one layer as a standard and as a depthwise separable convolution, then the
width and resolution multipliers (paper Table 3)."""

from __future__ import annotations

from ..calculator import layer_comparison, table3
from ..formatting import render_layer
from .options import add_alpha, add_format

SHAPE_OPTIONS = (
    ("--dk", "3", "kernel side"),
    ("--m", "512", "input channels"),
    ("--n", "512", "output channels"),
    ("--df", "14", "feature-map side"),
)


def add_arguments(parser) -> None:
    for name, default, what in SHAPE_OPTIONS:
        parser.add_argument(name, default=default, help=f"{what} (default: {default})")
    add_alpha(parser)
    parser.add_argument(
        "--rho", default="1.0", help="resolution multiplier, a number > 0 (default: 1.0)"
    )
    add_format(parser)


def run(args) -> int:
    shape = (args.dk, args.m, args.n, args.df)
    final = layer_comparison(*shape, alpha=args.alpha, rho=args.rho)
    alpha, rho = float(args.alpha), float(args.rho)
    steps = table3(*shape, alpha=alpha, rho=rho)
    # Table 3's rows for the modifications actually asked for (alpha or rho of 1 changes nothing).
    keep = [True, True, alpha != 1.0, rho != 1.0]
    print(
        render_layer(
            [step for step, wanted in zip(steps, keep, strict=True) if wanted], final, args.format
        )
    )
    return 0
