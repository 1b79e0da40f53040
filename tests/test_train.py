"""The training loop: the calculator costs the trained network exactly, the augmentation does what
it says, runs are reproducible, the network learns, weights save and load. Tiny synthetic data
only."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mnetcalc.runtime.counting import check_counts  # noqa: E402
from mnetcalc.runtime.data import FashionMNIST, Split  # noqa: E402
from mnetcalc.runtime.train import (  # noqa: E402
    END_DIVISOR,
    MOMENTUM_RANGE,
    START_DIVISOR,
    Normalisation,
    augment,
    build_model,
    load,
    make_optimizer,
    make_schedule,
    predict,
    save,
    to_tensor,
    train,
)
from mnetcalc.train_config import TrainConfig  # noqa: E402


def bars_dataset(n_train: int, n_test: int, seed: int = 0) -> FashionMNIST:
    """A learnable stand-in for Fashion-MNIST: class k is a bright horizontal bar at a height that
    depends on k, on dim noise. Independent of left-right flips."""
    rng = np.random.default_rng(seed)

    def split(n):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            top = (
                1 + 2 * int(label) + int(label) // 2
            )  # rows 1..24, bars 2 rows high and >= 2 apart
            image[top : top + 2, 4:24] = 255
        return Split(images, labels)

    return FashionMNIST(train=split(n_train), test=split(n_test), folder=None)


TINY = dict(alpha=0.25, epochs=2, batch_size=16, threads=1, shift=2, flip=True)  # augmentation on


# -- the configuration (its checks, which need no torch, are in test_train_config.py) --------------


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(),
        TrainConfig.of(alpha=0.25, resolution=20),
        TrainConfig.of(alpha=0.75, resolution=32, variant="standard"),
        TrainConfig.of(alpha=1.0, resolution=16, variant="shallow"),
        TrainConfig.of(alpha=0.5, stem_stride=2),
    ],
    ids=lambda c: (
        f"{c.network.variant}-{c.network.alpha}-{c.network.resolution}-s{c.network.stem_stride}"
    ),
)
def test_calculator_costs_exactly_the_trained_network(config):
    # fvcore traces the very model train() builds, on a one-channel input of the configured
    # resolution.
    model = build_model(config)
    check = check_counts(config.cost(), model)
    assert check.agrees, check.disagreements()
    assert config.cost().total_params == sum(p.numel() for p in model.parameters())
    first = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    network = config.network
    assert (first.in_channels, first.stride) == (1, (network.stem_stride, network.stem_stride))
    assert model(torch.zeros(2, 1, network.resolution, network.resolution)).shape == (2, 10)


def test_default_network_keeps_2x2_maps_at_the_end():
    # Stem stride 1 on 28x28: the four stride-2 blocks take 28 -> 14 -> 7 -> 4 -> 2.
    rows = {row.name: row for row in TrainConfig().cost().layers}
    assert rows["conv0"].output_size == 28
    assert rows["conv13_pw"].output_size == 2


# -- data as tensors, augmentation -----------------------------------------------------------------


def test_to_tensor_standardises_and_resizes():
    images = np.random.default_rng(0).integers(0, 256, (20, 28, 28)).astype(np.uint8)
    norm = Normalisation.of(images)
    assert norm.mean == pytest.approx(images.mean() / 255)
    x = to_tensor(images, 28, norm)
    assert x.shape == (20, 1, 28, 28)
    assert x.mean().item() == pytest.approx(0, abs=1e-5) and x.std(
        unbiased=False
    ).item() == pytest.approx(1, abs=1e-4)
    assert to_tensor(images, 16, norm).shape == (20, 1, 16, 16)
    # a constant image stays constant when resized
    flat = np.full((1, 28, 28), 100, np.uint8)
    assert torch.allclose(
        to_tensor(flat, 20, norm), torch.full((1, 1, 20, 20), (100 / 255 - norm.mean) / norm.std)
    )


def test_augment_without_shift_or_flip_is_the_identity():
    x = torch.randn(5, 1, 28, 28)
    assert torch.equal(augment(x, 0, False, -1.0, torch.Generator().manual_seed(0)), x)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 3), st.booleans(), st.integers(0, 2**31))
def test_augment_gives_shifted_and_mirrored_copies(shift, flip, seed):
    x = torch.randn(6, 1, 12, 12)
    out = augment(x, shift, flip, -7.0, torch.Generator().manual_seed(seed))
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(x, (shift,) * 4, value=-7.0)
    for i in range(len(x)):
        # every output image is one of the allowed crops of the padded input, possibly mirrored
        crops = [
            padded[i, :, dy : dy + 12, dx : dx + 12]
            for dy in range(2 * shift + 1)
            for dx in range(2 * shift + 1)
        ]
        candidates = crops + ([c.flip(-1) for c in crops] if flip else [])
        assert any(torch.equal(out[i], c) for c in candidates)


def test_augment_varies_across_the_batch():
    x = torch.arange(28.0).repeat(64, 1, 28, 1)  # every row 0..27: a shift or a flip is visible
    out = augment(x, 2, True, 0.0, torch.Generator().manual_seed(1))
    assert len({tuple(img[0, 14].tolist()) for img in out}) > 5


# -- the loop --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run():
    ds = bars_dataset(96, 40)
    return ds, train(TrainConfig.of(**TINY), ds, progress=False)


def test_history_has_one_entry_per_epoch(tiny_run):
    ds, result = tiny_run
    assert [h.epoch for h in result.history] == [1, 2]
    for h in result.history:
        assert h.loss > 0 and h.seconds > 0
        assert 0 <= h.train_accuracy <= 1 and 0 <= h.test_accuracy <= 1
    assert result.test_accuracy == result.history[-1].test_accuracy
    assert result.test_accuracy == pytest.approx(np.mean(result.test_predictions == ds.test.labels))
    assert result.threads == 1 and result.wall_time > 0 and result.cpu_time > 0


def test_to_dict_is_json_with_the_documented_keys(tiny_run):
    _, result = tiny_run
    summary = json.loads(json.dumps(result.to_dict()))
    assert {
        "test_accuracy",
        "mult_adds",
        "params",
        "wall_time",
        "cpu_time",
        "history",
        "config",
    } <= set(summary)
    assert summary["mult_adds"] == TrainConfig.of(**TINY).cost().mult_adds
    assert summary["config"]["alpha"] == 0.25


def test_same_seed_same_run_other_seed_other_run(tiny_run):
    ds, first = tiny_run
    again = train(TrainConfig.of(**TINY), ds, progress=False)

    def numbers(result):
        return [(h.loss, h.train_accuracy, h.test_accuracy) for h in result.history]

    assert numbers(again) == numbers(first)
    assert np.array_equal(again.test_predictions, first.test_predictions)
    for (name, a), b in zip(first.model.state_dict().items(), again.model.state_dict().values()):
        assert torch.equal(a, b), name
    other = train(TrainConfig.of(**TINY, seed=1), ds, progress=False)
    assert numbers(other) != numbers(first)


def test_optimizers_are_built_as_documented():
    model = build_model(TrainConfig.of(**TINY))
    sgd = make_optimizer(model, TrainConfig.of(**TINY, optimizer="sgd", lr=0.1, weight_decay=5e-4))
    adamw_config = TrainConfig.of(**TINY, optimizer="adamw", lr=0.01, weight_decay=0.05)
    adamw = make_optimizer(model, adamw_config)
    assert type(sgd) is torch.optim.SGD and type(adamw) is torch.optim.AdamW
    (sgd_group,), (adamw_group,) = sgd.param_groups, adamw.param_groups
    assert (sgd_group["lr"], sgd_group["weight_decay"]) == (0.1, 5e-4)
    assert sgd_group["nesterov"] is True
    assert (adamw_group["lr"], adamw_group["weight_decay"]) == (0.01, 0.05)
    assert len(sgd_group["params"]) == len(list(model.parameters()))


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_one_cycle_schedule_moves_rate_and_momentum_as_documented(optimizer):
    # OneCycleLR's documented shape: lr from peak/25 up to the peak after `warmup` of the steps,
    # then down to peak/25/1e4; momentum (SGD) or beta1 (AdamW) from 0.95 down to 0.85 and back.
    config = TrainConfig.of(**TINY, optimizer=optimizer, lr=0.1, warmup=0.25)  # 2 epochs
    optimizer_ = make_optimizer(build_model(config), config)
    schedule = make_schedule(optimizer_, config, steps_per_epoch=10)
    group = optimizer_.param_groups[0]

    def momentum():
        return group["momentum"] if optimizer == "sgd" else group["betas"][0]

    lrs, momenta = [group["lr"]], [momentum()]
    for _ in range(20):
        optimizer_.step()
        schedule.step()
        lrs.append(group["lr"])
        momenta.append(momentum())
    peak = round(0.25 * 20) - 1  # OneCycleLR's last warm-up step (0-based)
    assert lrs[0] == pytest.approx(0.1 / 25)
    assert lrs[peak] == pytest.approx(0.1)
    assert lrs[19] == pytest.approx(0.1 / 25 / 1e4)
    assert (momenta[0], momenta[peak], momenta[19]) == pytest.approx((0.95, 0.85, 0.95))
    assert (MOMENTUM_RANGE, START_DIVISOR, END_DIVISOR) == ((0.85, 0.95), 25.0, 1e4)


def test_step_losses_are_recorded(tiny_run):
    ds, result = tiny_run
    steps = -(-len(ds.train.labels) // TINY["batch_size"])
    assert len(result.step_losses) == TINY["epochs"] * steps
    # equal batches: an epoch's mean loss is the mean of its steps' losses
    for h in result.history:
        epoch = result.step_losses[(h.epoch - 1) * steps : h.epoch * steps]
        assert h.loss == pytest.approx(np.mean(epoch))


@pytest.mark.parametrize(
    "change",
    [{"optimizer": "adamw"}, {"lr": 0.05}, {"weight_decay": 0.05}],
    ids=lambda change: next(iter(change)),
)
def test_each_optimizer_setting_changes_the_run_on_its_own(change):
    # One setting changed at a time from the same start: each must reach the training steps.
    ds = bars_dataset(48, 8)
    base = {**TINY, "epochs": 1, "optimizer": "sgd", "lr": 0.01, "weight_decay": 5e-4}
    runs = [
        train(TrainConfig.of(**{**base, **extra}), ds, progress=False) for extra in ({}, change)
    ]
    before, after = ([h.loss for h in run.history] for run in runs)
    assert before != after
    assert runs[1].to_dict()["config"][next(iter(change))] == next(iter(change.values()))


def test_thread_setting_is_restored(tiny_run):
    ds, _ = tiny_run
    before = torch.get_num_threads()
    train(TrainConfig.of(**{**TINY, "epochs": 1, "threads": 1}), ds, progress=False)
    assert torch.get_num_threads() == before


def test_train_size_takes_a_subset():
    # Training on train_size=32 of 80 images is training on that subset (Split.subset, same seed)
    # given as the whole training set; ignoring train_size would train on all 80.
    ds = bars_dataset(80, 10)
    config = TrainConfig.of(**{**TINY, "epochs": 1, "train_size": 32})
    subset = FashionMNIST(train=ds.train.subset(32, seed=config.seed), test=ds.test, folder=None)
    runs = [
        train(config, ds, progress=False),
        train(TrainConfig.of(**{**TINY, "epochs": 1}), subset, progress=False),
        train(TrainConfig.of(**{**TINY, "epochs": 1}), ds, progress=False),
    ]
    of_32, on_subset, of_80 = ([(h.loss, h.train_accuracy) for h in run.history] for run in runs)
    assert of_32 == on_subset != of_80
    assert (of_32[0][1] * 32).is_integer()  # a fraction of 32 images
    assert runs[0].config.train_size == 32


def test_the_network_learns_a_learnable_task():
    ds = bars_dataset(400, 200, seed=3)
    config = TrainConfig.of(
        alpha=0.25,
        epochs=6,
        batch_size=32,
        optimizer="adamw",
        lr=0.01,
        weight_decay=0.05,
        shift=0,
        flip=False,
        threads=1,
    )
    result = train(config, ds, progress=False)
    losses = [h.loss for h in result.history]
    assert losses[-1] < 0.5 * losses[0]
    assert result.test_accuracy > 0.8  # chance is 0.1


def test_saved_weights_load_with_weights_only(tiny_run, tmp_path):
    ds, result = tiny_run
    path = save(result, tmp_path / "model.pt")
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["config"] == result.to_dict()["config"]
    assert checkpoint["mult_adds"] == result.cost.mult_adds
    assert checkpoint["test_accuracy"] == result.test_accuracy
    model, config = load(path)
    assert config == result.config
    norm = Normalisation.of(ds.train.images)
    x = to_tensor(ds.test.images, config.network.resolution, norm)
    assert torch.equal(predict(model, x), predict(result.model, x))


def test_evaluating_only_at_the_end_changes_nothing_but_the_history(tiny_run):
    ds, first = tiny_run
    quick = train(TrainConfig.of(**TINY), ds, progress=False, test_every_epoch=False)
    assert [h.test_accuracy for h in quick.history][:-1] == [None]
    assert quick.test_accuracy == first.test_accuracy
    assert [h.loss for h in quick.history] == [h.loss for h in first.history]
