"""Oversized and decompression-bomb data files: refused with one clear line, never read whole.

An IDX header says how many bytes of data follow; only that many are read (plus one byte to find
trailing data), in pieces, and a header declaring more than ``data.MAX_DATA_BYTES`` is refused
before anything that size is read or allocated. Every file here is built by the test itself.
"""

import gzip
import io
import os
import struct
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")  # mnetcalc.runtime.data needs it

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mnetcalc.runtime import data  # noqa: E402
from mnetcalc.runtime.data import FILES, DataError, idx_bytes, read_idx  # noqa: E402

#: Fashion-MNIST's training images: 60,000 images of 28 x 28 bytes (the dataset's README).
TRAIN_SHAPE = (60_000, 28, 28)
TRAIN_BYTES = 60_000 * 28 * 28


def header(*shape: int) -> bytes:
    """An unsigned-byte IDX header declaring ``shape``, written out by hand."""
    return bytes([0, 0, 8, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def declared(shape: tuple[int, ...]) -> str:
    """How a message states what ``shape``'s header declares."""
    size, head = int(np.prod(shape, dtype=object)), 4 + 4 * len(shape)
    return (
        f"header says {'x'.join(map(str, shape))} = {size} bytes of data "
        f"({head + size} bytes with the {head}-byte header)"
    )


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """Fashion-MNIST's training images (all zero), then 1 GiB more zeros: about 1 MB on disk.

    gzip members are read one after another as one stream, so one 64 MiB member of zeros (about
    64 KB compressed) is repeated."""
    path = tmp_path_factory.mktemp("bomb") / FILES["train_images"]
    zeros = gzip.compress(bytes(2**26), mtime=0)
    with open(path, "wb") as out:
        out.write(gzip.compress(header(*TRAIN_SHAPE) + bytes(TRAIN_BYTES), mtime=0))
        for _ in range(16):
            out.write(zeros)
    return path


def test_the_limit_is_a_generous_multiple_of_the_largest_file(tmp_path):
    assert data.LARGEST_FILE_BYTES == TRAIN_BYTES == 47_040_000
    assert data.MAX_DATA_BYTES >= 5 * TRAIN_BYTES
    # a training-images file of the real size loads (the bomb below without its extra gigabyte)
    path = tmp_path / "train.gz"
    path.write_bytes(gzip.compress(header(*TRAIN_SHAPE) + bytes(TRAIN_BYTES), mtime=0))
    images = read_idx(path)
    assert images.shape == TRAIN_SHAPE and not images.any()


def test_a_gzip_bomb_is_refused_after_reading_only_the_declared_data(bomb):
    assert bomb.stat().st_size < 2**21  # under 2 MB on disk, over 1 GiB inflated
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as error:
            read_idx(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value) == (
        f"{bomb}: has trailing bytes: {declared(TRAIN_SHAPE)}, file has more (reading stopped)"
    )
    # the declared data is allocated once; the gigabyte behind it is never held in memory
    assert peak < TRAIN_BYTES + 2**23


def test_the_command_line_refuses_a_bomb_in_one_line_with_status_2(tmp_path, bomb):
    folder = tmp_path / "fm"
    folder.mkdir()
    (folder / FILES["train_images"]).symlink_to(bomb)
    data.write_idx(folder / FILES["train_labels"], np.zeros(3, np.uint8))
    data.write_idx(folder / FILES["test_images"], np.zeros((3, 28, 28), np.uint8))
    data.write_idx(folder / FILES["test_labels"], np.zeros(3, np.uint8))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "mnetcalc", "train", "--data", str(folder), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == (
        f"mnetcalc: error: {folder / FILES['train_images']}: has trailing bytes: "
        f"{declared(TRAIN_SHAPE)}, file has more (reading stopped)\n"
    )


# -- a header declaring more than the limit ----------------------------------------------------


def too_large(shape: tuple[int, ...], limit: int) -> str:
    return (
        f"too large: {declared(shape)}, over the limit of {limit} bytes of data per file "
        f"(Fashion-MNIST's largest holds 47040000)"
    )


@pytest.mark.parametrize(
    "shape",
    [
        (1000, 1000, 1000),  # 10**9 bytes: a gigabyte
        (65536, 65536, 65536, 65536),  # 2**64 bytes: 0 in 64-bit arithmetic
        (2**32 - 1,) * 3,
    ],
)
def test_a_header_declaring_more_than_the_limit_is_refused_before_reading(tmp_path, shape):
    path = tmp_path / "big.gz"
    path.write_bytes(gzip.compress(header(*shape) + bytes(1000)))
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(error.value).startswith(f"{path}: too large: {declared(shape)}, over the limit")
    assert str(error.value) == f"{path}: {too_large(shape, data.MAX_DATA_BYTES)}"


@pytest.mark.parametrize("name", ["a.gz", "a.idx"])
def test_the_limit_is_on_the_declared_data(tmp_path, monkeypatch, name):
    array = np.arange(5 * 28 * 28, dtype=np.uint8).reshape(5, 28, 28)
    path = data.write_idx(tmp_path / name, array)
    # raising=False: against a data.py without a limit the test fails on what it reads, not here
    monkeypatch.setattr(data, "MAX_DATA_BYTES", 5 * 28 * 28, raising=False)  # exactly at it: read
    assert np.array_equal(read_idx(path), array)
    monkeypatch.setattr(data, "MAX_DATA_BYTES", 5 * 28 * 28 - 1, raising=False)
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(error.value) == f"{path}: {too_large((5, 28, 28), 5 * 28 * 28 - 1)}"


# -- plain files: their size is checked against the header before the data is read -------------


class CountingReader(io.BufferedReader):
    """A file opened for reading that counts the bytes it hands out."""

    handed_out = 0

    def read(self, size=-1):
        got = super().read(size)
        self.handed_out += len(got)
        return got

    def readinto(self, buffer):
        got = super().readinto(buffer)
        self.handed_out += got
        return got


@pytest.fixture
def counting_open(monkeypatch):
    """Make mnetcalc.runtime.data open files as :class:`CountingReader`; returns those opened."""
    opened = []

    def counting(path, mode="r"):
        assert mode == "rb"
        opened.append(CountingReader(io.FileIO(path)))
        return opened[-1]

    monkeypatch.setattr(data, "open", counting, raising=False)
    return opened


def test_a_truncated_plain_file_is_refused_from_its_size(tmp_path, counting_open):
    path = tmp_path / "a.idx"
    path.write_bytes(header(*TRAIN_SHAPE) + bytes(100))
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(error.value) == f"{path}: truncated: {declared(TRAIN_SHAPE)}, file has 116"
    assert [reader.handed_out for reader in counting_open] == [16]  # the header only


def test_an_oversized_plain_file_is_refused_from_its_size(tmp_path, counting_open):
    path = tmp_path / "a.idx"
    with open(path, "wb") as out:
        out.write(header(3) + b"\x01\x02\x03")
        out.truncate(2**30)  # a sparse gigabyte of zeros after the declared data
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(error.value) == f"{path}: has trailing bytes: {declared((3,))}, file has {2**30}"
    assert [reader.handed_out for reader in counting_open] == [8]  # the header only


# -- any array round-trips; any byte more or less is refused ------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(0, 7), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
    chunk=st.integers(1, 64),
    suffix=st.sampled_from([".gz", ".idx"]),
    extra=st.binary(min_size=1, max_size=16),
    cut=st.integers(1, 16),
)
def test_exactly_the_declared_data_is_read(
    tmp_path_factory, shape, seed, chunk, suffix, extra, cut
):
    array = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    folder = tmp_path_factory.mktemp("idx")
    content = idx_bytes(array)
    head = 4 + 4 * len(shape)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "READ_CHUNK", chunk, raising=False)  # pieces of 1 to 64 bytes
        path = data.write_idx(folder / f"exact{suffix}", array)
        assert np.array_equal(read_idx(path), array)

        def write(name: str, raw: bytes) -> Path:
            path = folder / f"{name}{suffix}"
            path.write_bytes(gzip.compress(raw) if suffix == ".gz" else raw)
            return path

        path = write("longer", content + extra)
        found = "more (reading stopped)" if suffix == ".gz" else str(len(content + extra))
        with pytest.raises(DataError) as error:
            read_idx(path)
        assert str(error.value) == (
            f"{path}: has trailing bytes: {declared(array.shape)}, file has {found}"
        )

        if array.size:
            short = content[: max(head, len(content) - cut)]
            path = write("shorter", short)
            with pytest.raises(DataError) as error:
                read_idx(path)
            assert str(error.value) == (
                f"{path}: truncated: {declared(array.shape)}, file has {len(short)}"
            )
