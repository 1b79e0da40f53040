"""Fashion-MNIST from its standard gzipped IDX files: where to find them, how to read them safely.

Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) has 60,000 training and 10,000 test images of clothing,
grey 28x28 pixels, in 10 classes. It is published as four IDX files::

    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz

An IDX file is a tiny header and then raw numbers: two zero bytes, a type code (``0x08``: unsigned
bytes, the only type used here), the number of dimensions, each dimension as a big-endian 32-bit
integer, then the data in row-major order. Everything read here is checked against that format, and
a file that does not fit (wrong magic number, wrong dimensions, no examples, truncated, trailing
bytes, a damaged gzip stream, a file that cannot be read) raises :class:`DataError` naming the file.
Only the data the header declares is read, and no more than :data:`MAX_DATA_BYTES` of it: a file
declaring more, or holding more than it declares (a small gzip "bomb" that inflates to gigabytes),
is refused without being read whole.

Where the files are looked for (:func:`find_data_dir`):

1. a folder the user names, passed by the caller or else in ``MNETCALC_DATA``: then only there;
2. otherwise the user cache, ``$XDG_CACHE_HOME/mnetcalc/fashion-mnist`` (``~/.cache/...`` by
   default), then the Debian package's folder ``/usr/share/datasets/fashion-mnist``
   (``apt install dataset-fashion-mnist``).

The first folder that exists and holds any of the four files is the one used: if it cannot be used
(a file missing, unreadable or damaged) that is an error, never a reason to train on other data.

Nothing here touches the network unless :func:`download` is called explicitly.

This module needs numpy (not torch).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..validation import InvalidArgument

#: The four files, by role.
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: The ten classes, in label order (from the dataset's README).
CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Image side in pixels.
SIDE = 28

#: Environment variable naming a folder with the four files.
ENV_VAR = "MNETCALC_DATA"

#: The Debian package ``dataset-fashion-mnist`` installs the files here.
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

#: Where :func:`download` fetches from, and the MD5 checksums of the files published there.
DOWNLOAD_URL = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"
)
DOWNLOAD_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}

#: IDX type code for unsigned bytes.
UBYTE = 0x08

#: Bytes of data in Fashion-MNIST's largest file, the training images (60000 x 28 x 28).
LARGEST_FILE_BYTES = 60_000 * SIDE * SIDE

#: The most bytes of data one IDX file may declare (256 MiB): over five times the largest file, so
#: that a look-alike with more examples still loads, while a header declaring more (a damaged file,
#: or a few bytes of gzip that would inflate to gigabytes) is refused before that much is read or
#: allocated.
MAX_DATA_BYTES = 2**28

#: Files are read in pieces of this many bytes.
READ_CHUNK = 2**20

HOW_TO_GET = (
    "install the Debian package dataset-fashion-mnist, or put the four IDX .gz files in a folder "
    f"and pass --data FOLDER (or set {ENV_VAR}), or download it once with "
    "`mnetcalc train --download` or mnetcalc.runtime.data.download() (needs internet)"
)


class DataError(InvalidArgument):
    """The data cannot be used: files missing, or a file that is not a valid IDX file (the message
    names it).

    A subclass of :class:`~mnetcalc.validation.InvalidArgument`, so the CLI reports it the same way:
    one line, exit status 2.
    """

    def __init__(self, message: str):
        super().__init__(message, None)


@dataclass(frozen=True)
class Split:
    """One part of the dataset: ``images`` (N, 28, 28) uint8 and ``labels`` (N,) uint8."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, count: int | None, seed: int = 0) -> Split:
        """``count`` examples drawn at random without replacement (all of them if ``count`` is
        None), the same ones for the same seed."""
        if count is None or count >= len(self):
            return self
        order = np.random.default_rng(seed).permutation(len(self))[:count]
        order.sort()
        return Split(self.images[order], self.labels[order])


@dataclass(frozen=True)
class FashionMNIST:
    """The training and test splits, and the folder they came from."""

    train: Split
    test: Split
    folder: Path
    classes: tuple[str, ...] = CLASSES


# -- where the files are ---------------------------------------------------------------------------


def cache_dir() -> Path:
    """The user cache folder for the dataset (``XDG_CACHE_HOME`` respected)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mnetcalc" / "fashion-mnist"


def named_dir(folder: str | os.PathLike | None = None) -> Path | None:
    """The folder the user named: ``folder`` if given, else ``MNETCALC_DATA`` if set, else None."""
    if folder is not None:
        return Path(folder).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return None


def candidate_dirs(folder: str | os.PathLike | None = None) -> list[Path]:
    """The folders to look in, in order: only the named folder (``folder``, else ``MNETCALC_DATA``)
    if there is one; else the user cache and the Debian package's folder."""
    named = named_dir(folder)
    return [named] if named is not None else [cache_dir(), SYSTEM_DIR]


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be one of the data files ("missing", "a folder, not a file", ...), or
    None if it can."""
    try:
        if path.is_file():
            return None if os.access(path, os.R_OK) else "not readable (permission denied)"
        if path.is_dir():
            return "a folder, not a file"
        return "not a file" if path.exists() else "missing"
    except OSError as error:  # e.g. PermissionError on a folder that cannot be searched
        return f"cannot be read ({error.strerror or type(error).__name__})"


def folder_problems(folder: Path) -> dict[str, str]:
    """File name -> problem, for each of the four files that cannot be used in ``folder``."""
    found = {name: file_problem(folder / name) for name in FILES.values()}
    return {name: problem for name, problem in found.items() if problem is not None}


def describe_problems(problems: dict[str, str]) -> str:
    by_problem: dict[str, list[str]] = {}
    for name, problem in problems.items():
        by_problem.setdefault(problem, []).append(name)
    return "; ".join(f"{problem}: {', '.join(names)}" for problem, names in by_problem.items())


def folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot be looked in ("no such folder", "not a folder", ...), or None."""
    try:
        if folder.is_dir():
            return None
        return "not a folder" if folder.exists() else "no such folder"
    except OSError as error:
        return f"cannot be read ({error.strerror or type(error).__name__})"


def find_data_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder to read the data from; :class:`DataError` if there is none, or if the folder that
    must be used (named by the user, or the first on the search path that holds any of the four
    files) does not hold all four as readable files."""
    named = named_dir(folder)
    looked = []
    for candidate in candidate_dirs(folder):
        problem, holds_some = folder_problem(candidate), False
        if problem is None:
            problems = folder_problems(candidate)
            if not problems:
                return candidate
            problem = describe_problems(problems)
            holds_some = len(problems) < len(FILES) or set(problems.values()) != {"missing"}
        if candidate == named or holds_some:  # use it or refuse it, never fall through
            origin = f" (from ${ENV_VAR})" if candidate == named and folder is None else ""
            raise DataError(
                f"Fashion-MNIST folder {candidate}{origin} cannot be used: {problem}. "
                f"To get the data: {HOW_TO_GET}"
            )
        looked.append(f"{candidate} ({problem})")
    raise DataError(
        f"Fashion-MNIST not found; looked in {'; '.join(looked)}. To get it: {HOW_TO_GET}"
    )


# -- reading IDX files -----------------------------------------------------------------------------


def regular_file_size(stream) -> int | None:
    """The size of the open file ``stream`` if it is a regular file (whose size is known before
    reading it), else None (a pipe, a device, a stream in memory)."""
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one (gzipped or plain) IDX file of unsigned bytes; :class:`DataError` saying what is
    wrong if the file cannot be opened (missing, a folder, no permission), is damaged, or is not a
    complete, valid IDX file of at most :data:`MAX_DATA_BYTES` of data.

    Only the header and the data it declares are read (plus one byte to find trailing data), never
    the whole decompressed stream: a small gzip file that inflates to gigabytes is refused after
    reading at most the declared size."""
    path = Path(path)
    try:
        stream = open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise DataError(f"{path}: permission denied (the file cannot be read)") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be opened ({error.strerror or error})") from None
    with stream:
        try:
            if path.suffix != ".gz":
                return read_idx_stream(stream, str(path), regular_file_size(stream))
            with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
                return read_idx_stream(unzipped, str(path), None)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            reason = str(error) or type(error).__name__
            raise DataError(f"{path}: damaged gzip file ({reason})") from None
        except OSError as error:  # a read error of the file itself, not of its content
            raise DataError(f"{path}: cannot be read ({error.strerror or error})") from None


def parse_idx(content: bytes, name: str = "<bytes>") -> np.ndarray:
    """An IDX file's numbers as an array of its shape (unsigned bytes only); :class:`DataError`
    naming ``name`` if the content is not a complete, valid IDX file."""
    return read_idx_stream(io.BytesIO(content), name, len(content))


def read_idx_stream(stream, name: str, total: int | None) -> np.ndarray:
    """The IDX content read from the binary ``stream`` (``total`` bytes long, if known), checked
    against its header as it is read; :class:`DataError` naming ``name`` if it does not fit.

    A known length is checked against the header before the data is read; an unknown one (a
    decompressed stream) is found by reading: at most the declared size (refused beforehand if over
    :data:`MAX_DATA_BYTES`), in pieces of :data:`READ_CHUNK` bytes, then one byte more."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise DataError(f"{name}: not an IDX file (only {len(magic)} bytes)")
    zero, dtype, ndim = struct.unpack(">HBB", magic)
    if zero != 0:
        raise DataError(f"{name}: not an IDX file (magic number {magic.hex()}, expected 0000XXYY)")
    if dtype != UBYTE:
        raise DataError(
            f"{name}: IDX type code 0x{dtype:02x} is not supported (expected 0x08, unsigned bytes)"
        )
    if ndim == 0:
        raise DataError(f"{name}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise DataError(
            f"{name}: truncated IDX header ({4 + len(dims)} bytes, "
            f"{ndim}-dimensional header needs {header})"
        )
    shape = struct.unpack(f">{ndim}I", dims)
    size = math.prod(shape)  # Python integers: exact, where int64 would wrap around
    declared = (
        f"header says {'x'.join(map(str, shape))} = {size} bytes of data "
        f"({header + size} bytes with the {header}-byte header)"
    )
    if total is not None and total != header + size:
        what = "truncated" if total < header + size else "has trailing bytes"
        raise DataError(f"{name}: {what}: {declared}, file has {total}")
    if size > MAX_DATA_BYTES:
        raise DataError(
            f"{name}: too large: {declared}, over the limit of {MAX_DATA_BYTES} bytes of data per "
            f"file (Fashion-MNIST's largest holds {LARGEST_FILE_BYTES})"
        )
    content = np.empty(size, dtype=np.uint8)
    view, done = memoryview(content), 0
    while done < size:
        got = stream.readinto(view[done : done + READ_CHUNK])
        if not got:
            raise DataError(f"{name}: truncated: {declared}, file has {header + done}")
        done += got
    if stream.read(1):
        raise DataError(f"{name}: has trailing bytes: {declared}, file has more (reading stopped)")
    try:
        return content.reshape(shape)
    except ValueError as error:  # e.g. more dimensions than numpy supports
        raise DataError(f"{name}: {ndim}-dimensional IDX data cannot be read ({error})") from None


def read_split(images_path: Path, labels_path: Path) -> Split:
    """Images and labels, checked against each other and against Fashion-MNIST's shape and
    classes."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise DataError(
            f"{images_path}: expected images of shape N x {SIDE} x {SIDE}, "
            f"got {'x'.join(map(str, images.shape))}"
        )
    if labels.ndim != 1:
        raise DataError(
            f"{labels_path}: expected a 1-dimensional list of labels, "
            f"got shape {'x'.join(map(str, labels.shape))}"
        )
    if len(images) != len(labels):
        raise DataError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels"
        )
    if len(labels) == 0:
        raise DataError(f"{images_path} and {labels_path} hold no examples (0 images, 0 labels)")
    if labels.max() >= len(CLASSES):
        raise DataError(
            f"{labels_path}: label {labels.max()} out of range (classes are 0-{len(CLASSES) - 1})"
        )
    return Split(images, labels)


def load_fashion_mnist(folder: str | os.PathLike | None = None) -> FashionMNIST:
    """Both splits of Fashion-MNIST, from the folder :func:`find_data_dir` chooses."""
    where = find_data_dir(folder)
    return FashionMNIST(
        train=read_split(where / FILES["train_images"], where / FILES["train_labels"]),
        test=read_split(where / FILES["test_images"], where / FILES["test_labels"]),
        folder=where,
    )


# -- writing IDX files (tests and small examples) --------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    """``array`` (unsigned bytes) in IDX format, uncompressed."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    return struct.pack(f">HBB{array.ndim}I", 0, UBYTE, array.ndim, *array.shape) + array.tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzipped if ``path`` ends in ``.gz``."""
    path = Path(path)
    content = idx_bytes(array)
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as stream:
            stream.write(content)
    else:
        path.write_bytes(content)
    return path


# -- opt-in download -------------------------------------------------------------------------------


def md5sum(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    folder: str | os.PathLike | None = None,
    base_url: str = DOWNLOAD_URL,
    checksums: dict[str, str] | None = DOWNLOAD_MD5,
) -> Path:
    """Fetch the four files into ``folder`` (default: the folder in ``MNETCALC_DATA`` if set, else
    the user cache) and check them; returns the folder.

    Opt-in only: nothing in mnetcalc calls this on its own. Files already present with the right
    checksum are not fetched again. ``checksums=None`` skips the MD5 check (the files are still
    parsed).
    """
    from urllib.request import urlopen

    target = named_dir(folder) or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        path = target / name
        expected = checksums.get(name) if checksums else None
        if path.is_file() and (expected is None or md5sum(path) == expected):
            continue
        partial = path.with_name(path.name + ".part")
        try:
            with urlopen(base_url + name, timeout=60) as response, open(partial, "wb") as out:
                for block in iter(lambda: response.read(1 << 20), b""):
                    out.write(block)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise DataError(f"download of {base_url + name} failed: {error}") from None
        if expected is not None and md5sum(partial) != expected:
            partial.unlink()
            raise DataError(f"{base_url + name}: MD5 checksum mismatch (expected {expected})")
        partial.replace(path)
    load_fashion_mnist(target)  # parse once: a bad file fails here, not at training time
    return target


# -- what a training step holds in memory
# ----------------------------------------------------------------

#: A training step keeps about this many float32 copies of every layer's output for the batch
#: (the convolution's output, BatchNorm's, and the gradients of the backward pass).
STEP_COPIES = 3


def training_step_bytes(cost, batch_size: int) -> int:
    """About the memory one training step needs for a network's feature maps: every row's output of
    the cost report ``cost`` (and the input) for ``batch_size`` images, :data:`STEP_COPIES` times,
    in float32. The weights and the 28x28 data set are small beside it at any resolution where
    this matters."""
    config = cost.config
    elements = config.in_channels * config.resolution**2 + sum(
        row.out_channels * row.output_size**2 for row in cost.layers
    )
    return STEP_COPIES * 4 * batch_size * elements


def available_memory_bytes() -> int | None:
    """The memory the system can give a new process now (Linux ``MemAvailable``), else the physical
    memory; None where neither is known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def check_training_memory(cost, batch_size: int, available: int | None = None) -> None:
    """Refuse (:class:`~mnetcalc.validation.InvalidArgument` naming ``resolution``) a resolution
    whose training step (:func:`training_step_bytes`) needs more memory than is ``available``
    (default: :func:`available_memory_bytes`), before any is allocated."""
    available = available_memory_bytes() if available is None else available
    need = training_step_bytes(cost, batch_size)
    if available is not None and need > available:
        resolution = cost.config.resolution
        raise InvalidArgument(
            f"resolution {resolution} with {batch_size} images per step needs about "
            f"{need / 1e9:,.1f} GB for the feature maps of one training step, more than the "
            f"{available / 1e9:,.1f} GB of memory available; lower the resolution or the batch "
            "size",
            "resolution",
        )
