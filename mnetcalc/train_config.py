"""What defines a training run (:class:`TrainConfig`), checked on creation. Standard library only,
so that the command line can show the defaults and reject bad values without importing torch."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .core.network import NetworkCost
from .networks.mobilenet_v1 import MobileNetConfig
from .validation import InvalidArgument, choice, flag, positive_int, positive_number, shown

#: Fashion-MNIST: grey images (one input channel), ten classes.
IN_CHANNELS = 1
NUM_CLASSES = 10

#: Optimizers :func:`mnetcalc.runtime.train.train` knows.
OPTIMIZERS = ("sgd", "adamw")

#:  How each variant is named in labels (paper Tables 4 and 5: "Conv MobileNet", "Shallow
#: MobileNet").
VARIANT_PREFIX = {"separable": "", "standard": "Conv ", "shallow": "Shallow "}


def _is_zero(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return float(value) == 0
    except (TypeError, ValueError):
        return False


def non_negative(check, name: str, value, what: str):
    """``0`` (as an int), or a value that ``check`` (``positive_int`` or ``positive_number``)
    accepts."""
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


def fashion_mnist_mobilenet(
    alpha: float = 0.25, *, resolution: int = 28, variant: str = "separable", stem_stride: int = 1
) -> MobileNetConfig:
    """A MobileNet for Fashion-MNIST (one input channel, ten classes). The defaults are the network
    ``mnetcalc train`` trains: 0.25 MobileNet-28 with a stride-1 stem, so that its last feature maps
    are 2x2 rather than 1x1."""
    return MobileNetConfig(
        alpha,
        resolution=resolution,
        num_classes=NUM_CLASSES,
        variant=variant,
        stem_stride=stem_stride,
        in_channels=IN_CHANNELS,
    )


#: The options of :func:`fashion_mnist_mobilenet`, which :meth:`TrainConfig.of` accepts beside the
#: training options (the command line's flat list).
NETWORK_OPTIONS = ("alpha", "resolution", "variant", "stem_stride")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run: the network (a Fashion-MNIST MobileNet, see
    :func:`fashion_mnist_mobilenet`) and how it is trained.

    The defaults are the configuration that ``mnetcalc train`` trains without options: 0.25
    MobileNet-28 (stem stride 1), SGD with Nesterov momentum and a one-cycle schedule of learning
    rate (peaking at 0.2) and momentum (0.95 to 0.85 and back, see
    :func:`mnetcalc.runtime.train.make_schedule`), 5 epochs of batches of 128, no augmentation
    (the tuning that chose them, and their measured accuracy and time, are in
    ``benchmarks/README.md``).
    """

    network: MobileNetConfig = fashion_mnist_mobilenet()
    epochs: int = 5
    batch_size: int = 128
    optimizer: str = "sgd"  #: "sgd" (Nesterov momentum, cycled) or "adamw"
    lr: float = 0.2  #: peak learning rate of the one-cycle schedule
    warmup: float = 0.3  #: fraction of the steps spent raising the learning rate to its peak
    weight_decay: float = 5e-4  #: SGD: L2 penalty; AdamW: decoupled decay (try 0.05)
    shift: int = 0  #: augmentation: random shift of up to this many pixels (0: none)
    flip: bool = False  #: augmentation: random horizontal flip
    train_size: int | None = (
        None  #: train on a random subset of this many images (None: all 60,000)
    )
    seed: int = 0
    threads: int | None = None  #: torch intra-op threads (None: leave torch's setting alone)

    def __post_init__(self):
        # Checked (and normalised: "0.5" -> 0.5) here, so that a bad value fails before any data is
        # read.
        network = self.network
        if not isinstance(network, MobileNetConfig) or (
            network.in_channels,
            network.num_classes,
        ) != (
            IN_CHANNELS,
            NUM_CLASSES,
        ):
            raise InvalidArgument(
                f"network must be a MobileNetConfig with {IN_CHANNELS} input channel and "
                f"{NUM_CLASSES} "
                f"classes (fashion_mnist_mobilenet()), got {network!r}",
                "network",
            )
        checked = {
            "epochs": positive_int("epochs", self.epochs),
            "batch_size": positive_int("batch_size", self.batch_size),
            "optimizer": choice("optimizer", self.optimizer, OPTIMIZERS),
            "lr": positive_number("lr", self.lr),
            "warmup": fraction("warmup", self.warmup),
            "weight_decay": float(
                non_negative(positive_number, "weight_decay", self.weight_decay, "a finite number")
            ),
            "shift": non_negative(positive_int, "shift", self.shift, "a whole number"),
            "flip": flag("flip", self.flip),
            "train_size": None
            if self.train_size is None
            else positive_int("train_size", self.train_size),
            "seed": non_negative(positive_int, "seed", self.seed, "a whole number"),
            "threads": None if self.threads is None else positive_int("threads", self.threads),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, **options) -> TrainConfig:
        """A configuration from flat options, as the command line gives them:
        :data:`NETWORK_OPTIONS` make the network, the others are training options
        (``TrainConfig.of(alpha=0.5, epochs=3)``)."""
        known = {*NETWORK_OPTIONS, *(f.name for f in fields(cls) if f.name != "network")}
        unknown = [name for name in options if name not in known]
        if unknown:
            raise InvalidArgument(
                f"{unknown[0]} is no option of a training run (options: {', '.join(known)})",
                unknown[0],
            )
        network = {name: options.pop(name) for name in NETWORK_OPTIONS if name in options}
        return cls(network=fashion_mnist_mobilenet(**network), **options)

    def replace(self, **changes) -> TrainConfig:
        """A copy with some flat options changed (``config.replace(alpha=0.5, epochs=1)``), or with
        another ``network`` (``config.replace(network=fashion_mnist_mobilenet(0.5))``), not both."""
        if "network" not in changes:
            return self.of(**{**self.to_dict(), **changes})
        network = changes.pop("network")
        both = [name for name in NETWORK_OPTIONS if name in changes]
        if both:
            raise InvalidArgument(
                f"{both[0]} {shown(changes[both[0]])} and network {network!r} both given; "
                "give the network or its options, not both",
                both[0],
            )
        self.of(**changes)  # checks the names of the options changed
        return TrainConfig(network=network, **{**self._training(), **changes})

    def _training(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "network"}

    def to_dict(self) -> dict:
        """The flat options (:meth:`of` reads them back): the network's, then the training ones."""
        network = self.network.fields()
        return {**{name: network[name] for name in NETWORK_OPTIONS}, **self._training()}

    def cost(self) -> NetworkCost:
        """The calculator's exact per-layer costs of the network this configuration trains."""
        return self.network.cost()

    def label(self) -> str:
        """A short name in the paper's style, such as ``0.5 MobileNet-28`` or ``1.0 MobileNet-28``
        (``Conv``/``Shallow`` in front for the variants)."""
        network = self.network
        alpha = f"{network.alpha:g}"
        if "." not in alpha and "e" not in alpha:
            alpha += ".0"
        return f"{VARIANT_PREFIX[network.variant]}{alpha} MobileNet-{network.resolution}"
