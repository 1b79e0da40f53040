"""The training cache: a stored run comes back as the run itself, any change of what decides a run
misses the cache, a damaged file is replaced, and outside a checkout of the book nothing is
stored."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mnetcalc.runtime import train_cache  # noqa: E402
from mnetcalc.runtime.data import FashionMNIST, Split  # noqa: E402
from mnetcalc.train_config import TrainConfig  # noqa: E402


def bars_dataset(n_train: int, n_test: int) -> FashionMNIST:
    """Class k: a bright bar at row 2k on dim noise (learnable in a few steps)."""
    rng = np.random.default_rng(0)

    def split(n):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[2 * label : 2 * label + 2, 4:24] = 255
        return Split(images, labels)

    return FashionMNIST(train=split(n_train), test=split(n_test), folder=None)


TINY = TrainConfig.of(alpha=0.25, epochs=2, batch_size=16, threads=1)


@pytest.fixture(scope="module")
def data():
    return bars_dataset(64, 32)


def test_a_stored_run_comes_back_unchanged(data, tmp_path, monkeypatch):
    first = train_cache.cached_train(TINY, data, folder=tmp_path)
    assert len(list(tmp_path.glob("*.pt"))) == 1

    def no_training(*args, **kwargs):
        raise AssertionError("trained although the run was stored")

    monkeypatch.setattr(train_cache, "train", no_training)
    again = train_cache.cached_train(TINY, data, folder=tmp_path)
    assert again.history == first.history
    assert again.step_losses == first.step_losses
    assert (again.test_predictions == first.test_predictions).all()
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(again.model(x), first.model.eval()(x))


@pytest.mark.parametrize(
    "change",
    [
        dict(config=TINY.replace(seed=1)),
        dict(config=TINY.replace(threads=2)),
        dict(test_every_epoch=False),
        dict(data=True),
    ],
    ids=["seed", "threads", "test_every_epoch", "data"],
)
def test_whatever_decides_the_run_changes_the_key(data, change):
    other = data
    if change.get("data"):
        images = data.test.images.copy()
        images[0, 0, 0] ^= 1
        other = FashionMNIST(data.train, Split(images, data.test.labels), folder=None)
    key = train_cache.run_key(TINY, data, True)
    assert key != train_cache.run_key(
        change.get("config", TINY), other, change.get("test_every_epoch", True)
    )


def test_a_damaged_file_is_replaced(data, tmp_path):
    path = tmp_path / f"{train_cache.run_key(TINY, data, True)}.pt"
    path.write_bytes(b"not a torch file")
    result = train_cache.cached_train(TINY, data, folder=tmp_path)
    assert len(result.history) == TINY.epochs
    assert train_cache.cached_train(TINY, data, folder=tmp_path).history == result.history


def test_the_cache_lives_in_the_book_checkout_only(tmp_path):
    (tmp_path / "_toc.yml").write_text("format: jb-book\n")
    (tmp_path / "book").mkdir()
    found = train_cache.book_cache_dir(tmp_path / "book")
    assert found == tmp_path / "_build" / "train-cache"
    assert train_cache.book_cache_dir(tmp_path / "book" / "..") == found


def test_outside_a_book_nothing_is_stored(data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert train_cache.book_cache_dir() is None  # no _toc.yml above a temporary folder
    train_cache.cached_train(TINY, data)
    assert not list(tmp_path.rglob("*.pt"))


def test_history_values_survive_with_a_missing_test_accuracy(data, tmp_path):
    result = train_cache.cached_train(TINY, data, test_every_epoch=False, folder=tmp_path)
    again = train_cache.cached_train(TINY, data, test_every_epoch=False, folder=tmp_path)
    assert again.history[0].test_accuracy is None
    assert np.isclose(again.test_accuracy, result.test_accuracy)


def test_the_book_run_is_the_default_recipe_shortened():
    """The chapters' shared run differs from `mnetcalc train`'s default only in its length and its
    thread count (the training chapter says so)."""
    run = train_cache.book_run(2)
    default = TrainConfig().to_dict()
    changed = {k for k, v in run.to_dict().items() if default.get(k) != v}
    assert changed <= {"epochs", "train_size", "threads"}
    assert (run.epochs, run.train_size, run.threads) == (4, 20_000, 2)
