"""What defines a training run (:class:`TrainConfig`), checked on creation. Standard library only, so
that the command line can show the defaults and reject bad values without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

from .architecture import VARIANTS
from .calculator import mobilenet_v1
from .network import NetworkCost
from .validation import InvalidArgument, choice, positive_int, positive_number

#: Fashion-MNIST: grey images (one input channel), ten classes.
IN_CHANNELS = 1
NUM_CLASSES = 10

#: Optimizers :func:`mnetcalc.train.train` knows.
OPTIMIZERS = ("sgd", "adamw")

#: How each variant is named in labels (paper Tables 4 and 5: "Conv MobileNet", "Shallow MobileNet").
VARIANT_PREFIX = {"separable": "", "standard": "Conv ", "shallow": "Shallow "}


def _is_zero(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return float(value) == 0
    except (TypeError, ValueError):
        return False


def non_negative(check, name: str, value, what: str):
    """``0`` (as an int), or a value that ``check`` (``positive_int`` or ``positive_number``) accepts."""
    if _is_zero(value):
        return 0
    try:
        return check(name, value)
    except InvalidArgument:
        raise InvalidArgument(f"{name} must be {what} >= 0, got {value!r}", name) from None


def fraction(name: str, value) -> float:
    """A number strictly between 0 and 1."""
    number = positive_number(name, value)
    if number >= 1:
        raise InvalidArgument(f"{name} must be a number between 0 and 1, got {value!r}", name)
    return number


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run.

    The defaults are the configuration that ``mnetcalc train`` trains without options: 0.25
    MobileNet-28 (stem stride 1), SGD with Nesterov momentum and a one-cycle schedule peaking at 0.2,
    5 epochs of batches of 128, no augmentation. When this module was written it reached 91.8%
    Fashion-MNIST test accuracy (seeds 0 and 1) on a 2-core AVX-512 Xeon, and 91.77% (seed 0) in
    263 to 295 s on two threads of a 2-core AMD EPYC (AVX2; four runs, the two slowest inside a book
    build; epochs of 49 to 60 s, test evaluations included). The book's training chapter measures it again on every build. (Tuning
    runs: AdamW and augmentation both learned more slowly in so few epochs; a peak learning rate of
    0.1 gave 90.5%, 0.4 and 0.8 did better in very short runs but worse in this one. Four epochs,
    which would save a fifth of the time, were not reliably above 91%: peak 0.3 gave 91.80%,
    90.79% and 91.40% for seeds 0, 1, 2, peak 0.2 gave 91.40%, peak 0.4 91.08% for seed 0.)
    """

    alpha: float = 0.25
    resolution: int = 28
    variant: str = "separable"
    stem_stride: int = 1
    epochs: int = 5
    batch_size: int = 128
    optimizer: str = "sgd"  #: "sgd" (with Nesterov momentum 0.9) or "adamw"
    lr: float = 0.2  #: peak learning rate of the one-cycle schedule
    warmup: float = 0.3  #: fraction of the steps spent raising the learning rate to its peak
    weight_decay: float = 5e-4  #: SGD: L2 penalty; AdamW: decoupled decay (try 0.05)
    shift: int = 0  #: augmentation: random shift of up to this many pixels (0: none)
    flip: bool = False  #: augmentation: random horizontal flip
    train_size: int | None = None  #: train on a random subset of this many images (None: all 60,000)
    seed: int = 0
    threads: int | None = None  #: torch intra-op threads (None: leave torch's setting alone)

    def __post_init__(self):
        # Checked (and normalised: "0.5" -> 0.5) here, so that a bad value fails before any data is read.
        checked = {
            "alpha": positive_number("alpha", self.alpha),
            "resolution": positive_int("resolution", self.resolution),
            "variant": choice("variant", self.variant, VARIANTS),
            "stem_stride": positive_int("stem_stride", self.stem_stride),
            "epochs": positive_int("epochs", self.epochs),
            "batch_size": positive_int("batch_size", self.batch_size),
            "optimizer": choice("optimizer", self.optimizer, OPTIMIZERS),
            "lr": positive_number("lr", self.lr),
            "warmup": fraction("warmup", self.warmup),
            "weight_decay": float(non_negative(positive_number, "weight_decay", self.weight_decay, "a finite number")),
            "shift": non_negative(positive_int, "shift", self.shift, "a whole number"),
            "flip": bool(self.flip),
            "train_size": None if self.train_size is None else positive_int("train_size", self.train_size),
            "seed": non_negative(positive_int, "seed", self.seed, "a whole number"),
            "threads": None if self.threads is None else positive_int("threads", self.threads),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def cost(self) -> NetworkCost:
        """The calculator's exact per-layer costs of the network this configuration trains."""
        return mobilenet_v1(self.alpha, self.resolution, NUM_CLASSES, self.variant, self.stem_stride, IN_CHANNELS)

    def label(self) -> str:
        """A short name in the paper's style, such as ``0.5 MobileNet-28`` or ``1.0 MobileNet-28``
        (``Conv``/``Shallow`` in front for the variants)."""
        alpha = f"{self.alpha:g}"
        if "." not in alpha and "e" not in alpha:
            alpha += ".0"
        return f"{VARIANT_PREFIX[self.variant]}{alpha} MobileNet-{self.resolution}"
