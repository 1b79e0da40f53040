"""train a small MobileNet on Fashion-MNIST (needs torch)

``mnetcalc train`` with no options trains the default configuration of
:class:`mnetcalc.train_config.TrainConfig`. This module is imported when the CLI starts, so it imports
only the standard library at the top; torch comes in with :mod:`mnetcalc.train`, inside :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

from .architecture import VARIANTS
from .train_config import OPTIMIZERS, TrainConfig
from .validation import InvalidArgument

#: Options that set one TrainConfig field each: (option, field, metavar, help).
CONFIG_OPTIONS = (
    ("--alpha", "alpha", "A", "width multiplier, a number > 0"),
    ("--res", "resolution", "R", "input resolution in pixels (the 28x28 images are resized to R x R)"),
    ("--stem-stride", "stem_stride", "S", "stride of the first convolution (ImageNet MobileNet: 2)"),
    ("--epochs", "epochs", "E", "passes over the training set"),
    ("--batch-size", "batch_size", "B", "images per training step"),
    ("--lr", "lr", "LR", "peak learning rate of the one-cycle schedule"),
    ("--warmup", "warmup", "F", "fraction of the steps spent raising the learning rate to its peak"),
    ("--weight-decay", "weight_decay", "WD", "AdamW weight decay"),
    ("--shift", "shift", "P", "augmentation: random shift of up to P pixels (0: none)"),
    ("--train-size", "train_size", "N", "train on a random subset of N images (default: all 60,000)"),
    ("--seed", "seed", "SEED", "random seed (initial weights, subset, batch order, augmentation)"),
    ("--threads", "threads", "T", "torch threads (default: torch's choice)"),
)

FORMATS = ("text", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    for option, name, metavar, text in CONFIG_OPTIONS:
        default = defaults[name]
        shown = "" if default is None or "default:" in text else f" (default: {default})"
        parser.add_argument(option, dest=name, metavar=metavar, help=text + shown)
    parser.add_argument("--variant", default="separable", choices=VARIANTS, help="network variant (default: separable)")
    parser.add_argument(
        "--optimizer", default=defaults["optimizer"], choices=OPTIMIZERS, help=f"optimizer (default: {defaults['optimizer']})"
    )
    parser.add_argument(
        "--flip",
        action=argparse.BooleanOptionalAction,
        default=defaults["flip"],
        help="augmentation: random horizontal flips (default: %(default)s)",
    )
    parser.add_argument(
        "--data",
        metavar="FOLDER",
        help="folder with the four Fashion-MNIST .gz files (default: the first of $MNETCALC_DATA, "
        "~/.cache/mnetcalc/fashion-mnist, /usr/share/datasets/fashion-mnist that has them)",
    )
    parser.add_argument(
        "--download", action="store_true", help="if Fashion-MNIST is not found, download it into the cache (needs internet)"
    )
    parser.add_argument("--out", metavar="FILE", help="save the trained weights (torch.load(FILE, weights_only=True) reads them)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default: text)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def config_from_args(args) -> TrainConfig:
    """The configuration asked for; a bad value raises InvalidArgument naming the option as typed."""
    values = {name: getattr(args, name) for _, name, _, _ in CONFIG_OPTIONS if getattr(args, name) is not None}
    try:
        return TrainConfig(**values, variant=args.variant, optimizer=args.optimizer, flip=args.flip)
    except InvalidArgument as error:
        option = {name: option for option, name, _, _ in CONFIG_OPTIONS}.get(error.name)
        message = str(error)
        if option and message.startswith(error.name):
            message = option + message[len(error.name):]
        raise InvalidArgument(message) from None


def render_text(result) -> str:
    config = result.config
    lines = [
        f"{config.label()} ({config.variant}, stem stride {config.stem_stride}): "
        f"{result.cost.mult_adds / 1e6:.3f} M mult-adds, {result.cost.params:,} weights "
        f"({result.cost.total_params:,} parameters in all)",
        "",
        "epoch    loss  train acc  test acc  seconds",
    ]
    for h in result.history:
        lines.append(f"{h.epoch:5d}  {h.loss:6.4f}  {100 * h.train_accuracy:8.2f}%  {100 * h.test_accuracy:7.2f}%  {h.seconds:7.1f}")
    lines += [
        "",
        f"test accuracy {100 * result.test_accuracy:.2f}% after {config.epochs} epochs; "
        f"training took {result.wall_time:.1f} s wall time, {result.cpu_time:.1f} s CPU time on {result.threads} thread(s)",
    ]
    return "\n".join(lines)


def run(args) -> int:
    config = config_from_args(args)  # before anything slow: bad options fail at once
    if args.out and not Path(args.out).expanduser().parent.is_dir():
        raise InvalidArgument(f"--out {args.out}: folder {Path(args.out).expanduser().parent} does not exist")

    from . import data as data_module
    from .train import save, train

    if args.download:
        try:
            data_module.find_data_dir(args.data)
        except data_module.DataError:
            print("downloading Fashion-MNIST ...", file=sys.stderr)
            data_module.download(args.data)
    dataset = data_module.load_fashion_mnist(args.data)
    result = train(config, dataset, progress=not args.quiet)
    summary = result.to_dict()
    if args.out:
        summary["saved_to"] = str(save(result, args.out))
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    else:
        print(render_text(result))
        if args.out:
            print(f"weights saved to {args.out}")
    return 0
