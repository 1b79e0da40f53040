"""Training runs kept on disk, so that chapters which need the same run share one.

:func:`cached_train` returns what :func:`mnetcalc.runtime.train.train` would, from a file if the
same run was made before. A run is identified by everything that decides its outcome: the
configuration (threads included: another thread count may change the last digits), the data's
bytes, the torch version and the source of the training loop itself, so that a changed loop never
reads an old result. The files live in the book's build folder (``_build/train-cache`` of the
repository holding the chapter), which ``make clean`` removes; outside a checkout of the book (a
downloaded notebook) nothing is stored and every call trains.

Files are written to a temporary name and renamed, so an interrupted build never leaves half a
result; a file that cannot be read is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from pathlib import Path

import numpy as np
import torch

from ..train_config import TrainConfig
from . import train as train_module
from .data import FashionMNIST
from .train import EpochStats, TrainResult, build_model, train

#: The book's shared training run: the default recipe, shortened so that the build stays short
#: (:func:`book_run`). The training, evaluation and quantization chapters all ask for this one run,
#: so the cache holds it once.
BOOK_RUN = {"epochs": 4, "train_size": 20_000}


def book_run(threads: int) -> TrainConfig:
    """The configuration of the book's shared training run at ``threads``."""
    return TrainConfig().replace(threads=threads, **BOOK_RUN)


#: The file that marks the root of the book's repository, and the cache folder under it.
BOOK_MARKER = "_toc.yml"
CACHE_FOLDER = Path("_build") / "train-cache"


def book_cache_dir(start: str | os.PathLike | None = None) -> Path | None:
    """``_build/train-cache`` of the nearest folder at or above ``start`` (default: the working
    folder) that holds ``_toc.yml``; None outside a checkout of the book."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / BOOK_MARKER).is_file():
            return folder / CACHE_FOLDER
    return None


def run_key(config: TrainConfig, data: FashionMNIST, test_every_epoch: bool) -> str:
    """A hex digest of everything that decides the run's outcome."""
    digest = hashlib.sha256()
    setup = {
        "config": config.to_dict(),
        "test_every_epoch": test_every_epoch,
        "torch": torch.__version__,
    }
    digest.update(json.dumps(setup, sort_keys=True).encode())
    digest.update(inspect.getsource(train_module).encode())
    for split in (data.train, data.test):
        for array in (split.images, split.labels):
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:32]


def _to_file(result: TrainResult, path: Path) -> None:
    state = {
        "state_dict": {k: v.contiguous() for k, v in result.model.state_dict().items()},
        "history": [list(vars(h).values()) for h in result.history],
        "wall_time": result.wall_time,
        "cpu_time": result.cpu_time,
        "threads": result.threads,
        "test_predictions": torch.from_numpy(np.asarray(result.test_predictions)),
        "step_losses": torch.tensor(result.step_losses, dtype=torch.float64),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save(state, partial)
    partial.replace(path)


def _from_file(path: Path, config: TrainConfig) -> TrainResult:
    state = torch.load(path, weights_only=True)
    model = build_model(config).to(memory_format=torch.channels_last)
    model.load_state_dict(state["state_dict"])
    return TrainResult(
        config=config,
        model=model.eval(),
        history=[EpochStats(*values) for values in state["history"]],
        cost=config.cost(),
        wall_time=state["wall_time"],
        cpu_time=state["cpu_time"],
        threads=state["threads"],
        test_predictions=state["test_predictions"].numpy(),
        step_losses=state["step_losses"].tolist(),
    )


def cached_train(
    config: TrainConfig,
    data: FashionMNIST,
    *,
    test_every_epoch: bool = True,
    folder: str | os.PathLike | None = None,
) -> TrainResult:
    """:func:`~mnetcalc.runtime.train.train` (without progress bars), or its stored result if the
    same run was made before. ``folder``: where results are kept (default
    :func:`book_cache_dir`; no folder there: nothing is stored). ``wall_time`` and ``cpu_time`` are
    those of the run that trained."""
    where = Path(folder) if folder is not None else book_cache_dir()
    path = None if where is None else where / f"{run_key(config, data, test_every_epoch)}.pt"
    if path is not None and path.is_file():
        try:
            return _from_file(path, config)
        except Exception:  # a damaged or foreign file: train again and replace it
            pass
    result = train(config, data, progress=False, test_every_epoch=test_every_epoch)
    if path is not None:
        _to_file(result, path)
    return result
