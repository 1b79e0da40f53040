"""``mnetcalc layer``: one layer as a standard and as a depthwise separable convolution, then the
width and resolution multipliers (paper Table 3)."""

from __future__ import annotations

from ..calculator import layer_comparison, table3
from ..report.layer_comparison import render_layer
from ..validation import allowed_range
from .options import add_alpha, add_format

SHAPE_OPTIONS = (
    ("dk", "3", "kernel side"),
    ("m", "512", "input channels"),
    ("n", "512", "output channels"),
    ("df", "14", "output feature-map side"),
)


def add_arguments(parser) -> None:
    for name, default, what in SHAPE_OPTIONS:
        text = f"{what}, {allowed_range(name, integer=True)} (default: {default})"
        parser.add_argument(f"--{name}", default=default, help=text)
    add_alpha(parser)
    text = f"resolution multiplier, a number in {allowed_range('rho', integer=False)}"
    parser.add_argument("--rho", default="1.0", help=f"{text} (default: 1.0)")
    add_format(parser)


def run(args) -> int:
    shape = (args.dk, args.m, args.n, args.df)
    final = layer_comparison(*shape, alpha=args.alpha, rho=args.rho)
    layer = layer_comparison(*shape)
    alpha, rho = float(args.alpha), float(args.rho)
    steps = table3(*shape, alpha=alpha, rho=rho)
    # Table 3's rows for the modifications actually asked for (alpha or rho of 1 changes nothing).
    keep = [True, True, alpha != 1.0, rho != 1.0]
    multipliers = {"alpha": alpha, "rho": rho}
    print(
        render_layer(
            [step for step, wanted in zip(steps, keep, strict=True) if wanted],
            final,
            args.format,
            layer=layer,
            multipliers=multipliers,
        )
    )
    return 0
