"""Train a small MobileNet on Fashion-MNIST: a plain, seeded training loop.

The recipe, all of it in :func:`train`:

* the images are scaled to ``[0, 1]`` and standardised with the training set's mean and standard
  deviation; they stay 28x28 in memory, and each batch is resized to the input ``resolution``
  (bilinear, antialiased) when it is used, if that is not 28;
* the network is the configuration's MobileNet (``config.network``, one input channel and ten
  classes); for 28x28 images its stem convolution has stride 1 (``stem_stride``) instead of
  ImageNet's 2, so that the last feature maps are 2x2 rather than 1x1. The calculator costs exactly
  this network (:meth:`TrainConfig.cost`);
* SGD with Nesterov momentum (or AdamW) and a one-cycle schedule (:func:`make_schedule`): the
  learning rate warms up, then decays along a cosine to almost zero, while the momentum (Adam's
  beta1) moves the other way between the bounds of :data:`MOMENTUM_RANGE`; batches of
  ``batch_size`` in a freshly shuffled order every epoch, cross-entropy loss;
* optional light augmentation (off by default): a random shift of up to ``shift`` pixels (pad,
  random crop) and a random horizontal flip. Fashion-MNIST's clothes are centred and mostly
  left-right symmetric, so both are label-preserving;
* after every epoch, the accuracy on the whole test set.

The run is reproducible: one seed fixes the initial weights, the training subset, the batch order
and the augmentation (on the same machine and number of threads; a different thread count may change
the order of floating-point sums and so the last digits).

Training uses the channels-last memory layout, which makes the convolutions of this network faster
on a CPU than the default layout (``benchmarks/README.md``); it changes nothing else.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..core.network import NetworkCost
from ..train_config import TrainConfig
from .data import FashionMNIST, Split, check_training_memory, load_fashion_mnist
from .model import torch_threads


def build_model(config: TrainConfig) -> nn.Module:
    """The untrained network of ``config`` (initial weights drawn from torch's current random
    state)."""
    return config.network.model()


#: The one-cycle schedule's shape (torch's ``OneCycleLR`` defaults, stated here so that the book
#: quotes what runs): the learning rate starts at ``lr / START_DIVISOR``, rises for the first
#: ``warmup`` of the steps to ``lr``, then falls along a cosine to
#: ``lr / (START_DIVISOR * END_DIVISOR)``. The momentum (SGD) or beta1 (AdamW) moves the other way:
#: from the upper bound of ``MOMENTUM_RANGE`` down to the lower one while the rate rises, back up
#: while it falls.
START_DIVISOR = 25.0
END_DIVISOR = 1e4
MOMENTUM_RANGE = (0.85, 0.95)


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD with Nesterov momentum, or AdamW; ``weight_decay`` as each of them defines it (AdamW:
    decoupled, multiplied by the learning rate; SGD: an L2 term in the gradient). The momentum
    given here is the schedule's starting value: :func:`make_schedule` sets it at every step."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=config.lr,
            momentum=MOMENTUM_RANGE[1],
            nesterov=True,
            weight_decay=config.weight_decay,
        )
    return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


def make_schedule(
    optimizer: torch.optim.Optimizer, config: TrainConfig, steps_per_epoch: int
) -> torch.optim.lr_scheduler.OneCycleLR:
    """The one-cycle schedule of learning rate and momentum (see :data:`MOMENTUM_RANGE`), stepped
    once per batch."""
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=config.lr,
        epochs=config.epochs,
        steps_per_epoch=steps_per_epoch,
        pct_start=config.warmup,
        base_momentum=MOMENTUM_RANGE[0],
        max_momentum=MOMENTUM_RANGE[1],
        div_factor=START_DIVISOR,
        final_div_factor=END_DIVISOR,
    )


@dataclass(frozen=True)
class EpochStats:
    """One epoch: mean training loss, accuracy on the training batches as they were seen (augmented,
    while the weights changed), accuracy on the test set after the epoch (None if not evaluated),
    and the epoch's seconds (evaluation included)."""

    epoch: int
    loss: float
    train_accuracy: float
    test_accuracy: float | None
    seconds: float


@dataclass
class TrainResult:
    """What a run produced: the trained model, its history, its cost and the time it took.

    ``wall_time`` and ``cpu_time`` cover the training loop including the per-epoch test evaluations
    (not reading the files). ``cpu_time`` is the process's CPU seconds over the same span: with
    ``threads`` threads on an otherwise idle machine it is close to ``threads * wall_time``; when
    other work competes for the cores, ``wall_time`` grows and ``cpu_time`` much less.
    """

    config: TrainConfig
    model: nn.Module
    history: list[EpochStats]
    cost: NetworkCost
    wall_time: float
    cpu_time: float
    threads: int
    test_predictions: np.ndarray = field(repr=False)
    #: the training loss of every batch, in order (how a run that diverged can be told apart)
    step_losses: list[float] = field(default_factory=list, repr=False)

    @property
    def test_accuracy(self) -> float:
        return self.history[-1].test_accuracy

    def to_dict(self) -> dict:
        """Plain numbers for JSON: configuration, final accuracy, mult-adds, parameters, times,
        history."""
        return {
            "config": self.config.to_dict(),
            "test_accuracy": self.test_accuracy,
            "mult_adds": self.cost.mult_adds,
            "params": self.cost.params,
            "total_params": self.cost.total_params,
            "wall_time": self.wall_time,
            "cpu_time": self.cpu_time,
            "threads": self.threads,
            "history": [asdict(h) for h in self.history],
        }


# -- data as tensors
# ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalisation:
    """Pixel standardisation ``(x / 255 - mean) / std``, with the training set's statistics."""

    mean: float
    std: float

    @classmethod
    def of(cls, images: np.ndarray) -> Normalisation:
        pixels = images.astype(np.float64) / 255.0
        return cls(float(pixels.mean()), float(pixels.std()))


def resized(x: torch.Tensor, resolution: int) -> torch.Tensor:
    """Images (N, C, H, W) resized to ``resolution`` x ``resolution`` (bilinear, antialiased); the
    same tensor if they have that size already. Resizing then standardising is standardising then
    resizing (both are linear, and the interpolation weights sum to 1)."""
    if resolution == x.shape[-1] == x.shape[-2]:
        return x
    return F.interpolate(
        x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True
    )


def to_tensor(images: np.ndarray, resolution: int, norm: Normalisation) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> standardised float tensor (N, 1, resolution, resolution).
    Training keeps the set at 28 x 28 and resizes each batch (:func:`resized`)."""
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return resized((x - norm.mean) / norm.std, resolution)


def augment(
    x: torch.Tensor, shift: int, flip: bool, background: float, generator: torch.Generator
) -> torch.Tensor:
    """Random shift (pad by ``shift`` with the background value, crop back at a random offset) and
    random horizontal flip, independently for every image of the batch."""
    n, _, h, w = x.shape
    if shift:
        padded = F.pad(x, (shift, shift, shift, shift), value=background)
        dy = torch.randint(0, 2 * shift + 1, (n, 1, 1), generator=generator)
        dx = torch.randint(0, 2 * shift + 1, (n, 1, 1), generator=generator)
        rows = (dy + torch.arange(h).view(1, h, 1)).expand(n, h, w)
        cols = (dx + torch.arange(w).view(1, 1, w)).expand(n, h, w)
        x = padded[torch.arange(n).view(n, 1, 1), 0, rows, cols].unsqueeze(1)
    if flip:
        mirrored = torch.rand(n, generator=generator) < 0.5
        x = torch.where(mirrored.view(n, 1, 1, 1), x.flip(-1), x)
    return x


def describe_epoch(stats: EpochStats, epochs: int) -> str:
    test = "" if stats.test_accuracy is None else f", test {100 * stats.test_accuracy:.2f}%"
    return (
        f"epoch {stats.epoch}/{epochs}: loss {stats.loss:.4f}, "
        f"train {100 * stats.train_accuracy:.2f}%"
        f"{test}, {stats.seconds:.1f} s"
    )


# -- the loop
# -------------------------------------------------------------------------------------------


@torch.no_grad()
def predict(
    model: nn.Module, images: torch.Tensor, batch_size: int = 1000, resolution: int | None = None
) -> torch.Tensor:
    """Predicted class of every image (eval mode: BatchNorm uses its running statistics), batch by
    batch, each resized to ``resolution`` first (None: as they are)."""
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        x = images[i : i + batch_size]
        x = x if resolution is None else resized(x, resolution)
        out.append(model(x.contiguous(memory_format=torch.channels_last)).argmax(1))
    return torch.cat(out)


def train(
    config: TrainConfig | None = None,
    data: FashionMNIST | None = None,
    *,
    data_dir=None,
    progress: bool = True,
    test_every_epoch: bool = True,
) -> TrainResult:
    """Train one network as ``config`` says, on ``data`` (default: Fashion-MNIST found by
    :func:`mnetcalc.runtime.data.load_fashion_mnist` in ``data_dir``). ``progress`` shows a tqdm
    bar per
    epoch. ``test_every_epoch=False`` evaluates on the test set after the last epoch only (saves
    time when only the final accuracy matters)."""
    if config is None:
        config = TrainConfig()
    if data is None:
        data = load_fashion_mnist(data_dir)
    check_training_memory(config.network.cost(), config.batch_size)
    train_split: Split = data.train.subset(config.train_size, seed=config.seed)
    norm = Normalisation.of(train_split.images)
    resolution = config.network.resolution
    # The images stay 28x28 in memory; each batch is resized to the resolution when it is used.
    x_train = to_tensor(train_split.images, 28, norm)
    y_train = torch.from_numpy(train_split.labels.astype(np.int64))
    x_test = to_tensor(data.test.images, 28, norm)
    y_test = torch.from_numpy(data.test.labels.astype(np.int64))
    background = (0.0 - norm.mean) / norm.std  # the value of a black pixel after standardisation

    with torch_threads(config.threads):  # None: as many as torch uses now
        torch.manual_seed(config.seed)  # initial weights
        generator = torch.Generator().manual_seed(config.seed)  # batch order and augmentation
        model = build_model(config).to(memory_format=torch.channels_last)
        steps_per_epoch = -(-len(x_train) // config.batch_size)
        optimizer = make_optimizer(model, config)
        schedule = make_schedule(optimizer, config, steps_per_epoch)
        step_losses: list[float] = []
        history: list[EpochStats] = []
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for epoch in range(1, config.epochs + 1):
            epoch_start = time.perf_counter()
            model.train()
            order = torch.randperm(len(x_train), generator=generator)
            loss_sum, correct = 0.0, 0
            bar = tqdm(
                range(steps_per_epoch),
                desc=f"epoch {epoch}/{config.epochs}",
                disable=not progress,
                leave=False,
                unit="batch",
            )
            for step in bar:
                index = order[step * config.batch_size : (step + 1) * config.batch_size]
                x = resized(x_train[index], resolution)
                x = augment(x, config.shift, config.flip, background, generator)
                y = y_train[index]
                logits = model(x.contiguous(memory_format=torch.channels_last))
                loss = F.cross_entropy(logits, y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                step_losses.append(loss.item())
                loss_sum += step_losses[-1] * len(y)
                correct += (logits.argmax(1) == y).sum().item()
                if step % 20 == 0:
                    bar.set_postfix(loss=f"{loss.item():.3f}")
            test_accuracy = None
            if test_every_epoch or epoch == config.epochs:
                predictions = predict(model, x_test, config.batch_size, resolution)
                test_accuracy = (predictions == y_test).float().mean().item()
            history.append(
                EpochStats(
                    epoch=epoch,
                    loss=loss_sum / len(x_train),
                    train_accuracy=correct / len(x_train),
                    test_accuracy=test_accuracy,
                    seconds=time.perf_counter() - epoch_start,
                )
            )
            if progress:
                tqdm.write(
                    describe_epoch(history[-1], config.epochs), file=sys.stderr
                )  # beside the bar
        wall_time, cpu_time = time.perf_counter() - wall_start, time.process_time() - cpu_start
        threads = torch.get_num_threads()
    model.eval()
    return TrainResult(
        config=config,
        model=model,
        history=history,
        cost=config.cost(),
        wall_time=wall_time,
        cpu_time=cpu_time,
        threads=threads,
        test_predictions=predictions.numpy(),
        step_losses=step_losses,
    )


# -- saving and loading
# ---------------------------------------------------------------------------------


def save(result: TrainResult, path) -> Path:
    """Save the trained weights with the configuration and the summary figures.

    The file holds only plain Python values and tensors, so ``torch.load(path, weights_only=True)``
    reads it: ``{"config": {...}, "state_dict": {...}, "test_accuracy": ..., "mult_adds": ...,
    "params": ...}``."""
    path = Path(path)
    state = {name: tensor.contiguous() for name, tensor in result.model.state_dict().items()}
    torch.save(
        {
            "config": result.config.to_dict(),
            "state_dict": state,
            "test_accuracy": result.test_accuracy,
            "mult_adds": result.cost.mult_adds,
            "params": result.cost.params,
        },
        path,
    )
    return path


def load(path) -> tuple[nn.Module, TrainConfig]:
    """The model saved by :func:`save` (in eval mode) and its configuration."""
    checkpoint = torch.load(path, weights_only=True)
    config = TrainConfig.of(**checkpoint["config"])
    model = build_model(config)
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval(), config
