"""``mnetcalc train``: train a small MobileNet on Fashion-MNIST (needs torch).

With no options it trains the default configuration of :class:`mnetcalc.train_config.TrainConfig`.
Imported when the command line starts, so only the standard library at the top; torch comes in with
:mod:`mnetcalc.runtime.train`, inside :func:`run`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..report.tables import json_text
from ..train_config import OPTIMIZERS, TrainConfig
from ..validation import InvalidArgument
from . import show_progress
from .options import (
    add_alpha,
    add_format,
    add_resolution,
    add_stem_stride,
    add_variant,
    option_name,
)

#: Training options that set one TrainConfig field each: (field, metavar, help).
TRAINING_OPTIONS = (
    ("epochs", "E", "passes over the training set, 1 to 10000"),
    ("batch_size", "B", "images per training step, 1 to 100000"),
    ("lr", "LR", "peak learning rate of the one-cycle schedule, in (0, 100]"),
    ("warmup", "F", "fraction of the steps spent raising the learning rate to its peak, in (0, 1)"),
    ("weight_decay", "WD", "AdamW weight decay, a finite number >= 0"),
    ("shift", "P", "augmentation: random shift of up to P pixels, 0 (none) to 1000"),
    ("train_size", "N", "train on a random subset of N images, 1 to 10^9 (default: all 60,000)"),
    ("seed", "SEED", "random seed (initial weights, subset, batch order, augmentation), >= 0"),
    ("threads", "T", "torch threads, 1 to 1024 (default: torch's choice)"),
)

#: The options given to :meth:`TrainConfig.of` (unset ones take the configuration's defaults).
CONFIG_NAMES = (
    "alpha",
    "resolution",
    "variant",
    "stem_stride",
    *(name for name, _, _ in TRAINING_OPTIONS),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig().to_dict()
    add_alpha(parser, None, shown=defaults["alpha"])
    add_resolution(
        parser,
        None,
        text="input resolution in pixels, 1 to 10000 (the 28x28 images are resized to R x R "
        "batch by batch); a resolution whose training step would need more memory than is "
        "available (about 12 bytes per feature-map element of a batch) is refused before "
        "training",
        shown=defaults["resolution"],
    )
    add_stem_stride(parser, None, shown=defaults["stem_stride"])
    for name, metavar, text in TRAINING_OPTIONS:
        default = defaults[name]
        shown = "" if default is None or "default:" in text else f" (default: {default})"
        parser.add_argument(option_name(name), dest=name, metavar=metavar, help=text + shown)
    add_variant(parser, None, shown=defaults["variant"])
    parser.add_argument(
        "--optimizer",
        default=defaults["optimizer"],
        choices=OPTIMIZERS,
        help=f"optimizer (default: {defaults['optimizer']})",
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
        help="folder with the four Fashion-MNIST .gz files; if given (or $MNETCALC_DATA is set) "
        "only that folder is used (default: ~/.cache/mnetcalc/fashion-mnist, or if it holds none "
        "of them /usr/share/datasets/fashion-mnist)",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="if Fashion-MNIST is not found, download it into the cache (needs internet)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="save the trained weights (torch.load(FILE, weights_only=True) reads them); "
        "an existing FILE is refused unless --force is given",
    )
    parser.add_argument("--force", action="store_true", help="let --out overwrite an existing file")
    add_format(parser, ("text", "json"))
    parser.add_argument(
        "--quiet",
        "--no-progress",
        action="store_true",
        help="no progress bars (also MNETCALC_PROGRESS=0; bars are shown on a terminal only)",
    )


def config_from_args(args) -> TrainConfig:
    """The configuration asked for; a bad value raises InvalidArgument naming the parameter."""
    values = {name: getattr(args, name) for name in CONFIG_NAMES if getattr(args, name) is not None}
    return TrainConfig.of(**values, optimizer=args.optimizer, flip=args.flip)


def render_text(result) -> str:
    """A :class:`~mnetcalc.runtime.train.TrainResult` as text."""
    config = result.config
    network = config.network
    lines = [
        f"{config.label()} ({network.variant}, stem stride {network.stem_stride}): "
        f"{result.cost.mult_adds / 1e6:.3f} M mult-adds, {result.cost.params:,} weights "
        f"({result.cost.total_params:,} parameters in all)",
        "",
        "epoch    loss  train acc  test acc  seconds",
    ]
    for h in result.history:
        lines.append(
            f"{h.epoch:5d}  {h.loss:6.4f}  {100 * h.train_accuracy:8.2f}%  "
            f"{100 * h.test_accuracy:7.2f}%  {h.seconds:7.1f}"
        )
    lines += [
        "",
        f"test accuracy {100 * result.test_accuracy:.2f}% after {config.epochs} epochs; "
        f"training took {result.wall_time:.1f} s wall time, {result.cpu_time:.1f} s CPU time "
        f"on {result.threads} thread(s)",
    ]
    return "\n".join(lines)


def check_out(out: str, force: bool) -> None:
    """``--out`` must name a file in an existing folder, new unless ``force``: checked before
    training, so that nothing is lost at the end of it."""
    path = Path(out).expanduser()
    if path.is_dir():
        raise InvalidArgument(f"--out {out}: is a folder; name the file to write")
    if not path.parent.is_dir():
        raise InvalidArgument(f"--out {out}: folder {path.parent} does not exist")
    if path.exists() and not force:
        raise InvalidArgument(f"--out {out}: exists; add --force to overwrite it")


def run(args) -> int:
    config = config_from_args(args)  # before anything slow: bad options fail at once
    if args.out:
        check_out(args.out, args.force)

    from ..runtime import data as data_module

    # a resolution whose training step cannot fit is refused before the data is read
    data_module.check_training_memory(config.network.cost(), config.batch_size)

    if args.download:
        try:
            data_module.find_data_dir(args.data)
        except data_module.DataError:
            print("downloading Fashion-MNIST ...", file=sys.stderr)
            data_module.download(args.data)
    # The data is read before torch is imported: a bad folder is reported at once.
    dataset = data_module.load_fashion_mnist(args.data)
    from ..runtime.train import save, train

    result = train(config, dataset, progress=show_progress(args.quiet))
    summary = result.to_dict()
    if args.out:
        summary["saved_to"] = str(save(result, args.out))
    if args.format == "json":
        print(json_text(summary))
    else:
        print(render_text(result))
        if args.out:
            print(f"weights saved to {args.out}")
    return 0
