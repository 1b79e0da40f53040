"""Reading Fashion-MNIST's IDX files: the format, the search order, and clear errors for bad files.

Every file here is written by the test itself (tiny, a few images); nothing is downloaded.
"""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnetcalc import data
from mnetcalc.data import FILES, DataError, idx_bytes, load_fashion_mnist, parse_idx, read_idx, write_idx
from mnetcalc.validation import InvalidArgument


def make_dataset(folder: Path, n_train: int = 6, n_test: int = 4, seed: int = 0) -> dict:
    """Write a tiny, valid Fashion-MNIST look-alike into ``folder``; return the arrays written."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for role, array in arrays.items():
        write_idx(folder / FILES[role], array)
    return arrays


@pytest.fixture
def no_default_dirs(monkeypatch, tmp_path):
    """Point the environment variable, the cache and the system folder at empty places."""
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "system")
    return tmp_path


# -- the format ---------------------------------------------------------------------------------------


def test_header_is_the_published_idx_layout():
    # MNIST's page: magic 0x00000803 for 3-D unsigned-byte images, then the sizes as big-endian int32.
    content = idx_bytes(np.zeros((2, 28, 28), dtype=np.uint8))
    assert content[:16] == bytes.fromhex("00000803" "00000002" "0000001c" "0000001c")
    assert len(content) == 16 + 2 * 28 * 28
    labels = idx_bytes(np.array([3, 1], dtype=np.uint8))
    assert labels == bytes.fromhex("00000801" "00000002" "0301")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.integers(0, 2**32 - 1))
def test_write_then_read_gives_back_the_array(shape, seed):
    array = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    assert np.array_equal(parse_idx(idx_bytes(array)), array)


def test_read_gzipped_and_plain_files(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(read_idx(write_idx(tmp_path / "a.gz", array)), array)
    assert np.array_equal(read_idx(write_idx(tmp_path / "a.idx", array)), array)


def test_load_reads_what_was_written(tmp_path):
    arrays = make_dataset(tmp_path / "fm")
    ds = load_fashion_mnist(tmp_path / "fm")
    assert ds.folder == tmp_path / "fm"
    assert np.array_equal(ds.train.images, arrays["train_images"])
    assert np.array_equal(ds.train.labels, arrays["train_labels"])
    assert np.array_equal(ds.test.images, arrays["test_images"])
    assert np.array_equal(ds.test.labels, arrays["test_labels"])
    assert len(ds.train) == 6 and len(ds.test) == 4
    assert len(ds.classes) == 10


def test_subset_is_a_seeded_sample_without_replacement(tmp_path):
    make_dataset(tmp_path, n_train=50)
    train = load_fashion_mnist(tmp_path).train
    part = train.subset(20, seed=3)
    assert len(part) == 20
    assert np.array_equal(part.labels, train.subset(20, seed=3).labels)
    # every chosen image is one of the originals, none twice
    rows = {img.tobytes() for img in part.images}
    assert len(rows) == 20 and rows <= {img.tobytes() for img in train.images}
    assert train.subset(None) is train and train.subset(1000) is train


# -- corrupt and mismatched files: DataError naming the file ---------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x00", "not an IDX file"),
        (b"\x1f\x8b\x08\x00", "not an IDX file (magic number 1f8b0800"),
        (bytes.fromhex("00000d01") + struct.pack(">I", 2) + b"\x00" * 8, "type code 0x0d is not supported"),
        (bytes.fromhex("00000803") + struct.pack(">I", 2), "truncated IDX header"),
        (idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-1], "truncated"),
        (idx_bytes(np.zeros(3, np.uint8)) + b"\x00", "has trailing bytes"),
    ],
)
def test_bad_content_is_reported_with_the_file_name(tmp_path, content, message):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(content)
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_truncated_gzip_stream(tmp_path):
    make_dataset(tmp_path)
    path = tmp_path / FILES["train_images"]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match="damaged gzip file") as error:
        load_fashion_mnist(tmp_path)
    assert str(path) in str(error.value)


def test_garbage_that_is_not_gzip(tmp_path):
    make_dataset(tmp_path)
    path = tmp_path / FILES["test_labels"]
    path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(DataError, match="damaged gzip file") as error:
        load_fashion_mnist(tmp_path)
    assert str(path) in str(error.value)


def test_corrupted_gzip_payload_fails_its_checksum(tmp_path):
    make_dataset(tmp_path)
    path = tmp_path / FILES["train_labels"]
    raw = bytearray(path.read_bytes())
    raw[-6] ^= 0xFF  # inside the CRC32 trailer
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="damaged gzip file"):
        load_fashion_mnist(tmp_path)


def test_images_of_the_wrong_size(tmp_path):
    make_dataset(tmp_path)
    write_idx(tmp_path / FILES["test_images"], np.zeros((4, 32, 32), np.uint8))
    with pytest.raises(DataError, match=r"N x 28 x 28, got 4x32x32"):
        load_fashion_mnist(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    make_dataset(tmp_path)
    write_idx(tmp_path / FILES["train_labels"], np.zeros(5, np.uint8))
    with pytest.raises(DataError, match="holds 6 images but .* holds 5 labels"):
        load_fashion_mnist(tmp_path)


def test_labels_out_of_range(tmp_path):
    make_dataset(tmp_path)
    write_idx(tmp_path / FILES["test_labels"], np.array([0, 1, 10, 2], np.uint8))
    with pytest.raises(DataError, match="label 10 out of range"):
        load_fashion_mnist(tmp_path)


def test_data_error_is_reported_like_a_bad_argument():
    assert issubclass(DataError, InvalidArgument)


# -- where the files are looked for -------------------------------------------------------------------


def test_explicit_folder_is_the_only_place_looked(no_default_dirs):
    make_dataset(no_default_dirs / "cache" / "mnetcalc" / "fashion-mnist")  # would be found otherwise
    with pytest.raises(DataError) as error:
        load_fashion_mnist(no_default_dirs / "nowhere")
    message = str(error.value)
    assert f"{no_default_dirs / 'nowhere'} (no such folder)" in message
    assert "cache" not in message
    assert "dataset-fashion-mnist" in message  # says how to get the data


def test_search_order_env_then_cache_then_system(no_default_dirs, monkeypatch):
    tmp = no_default_dirs
    make_dataset(tmp / "system")
    assert data.find_data_dir() == tmp / "system"
    make_dataset(tmp / "cache" / "mnetcalc" / "fashion-mnist")
    assert data.find_data_dir() == tmp / "cache" / "mnetcalc" / "fashion-mnist"
    make_dataset(tmp / "env")
    monkeypatch.setenv(data.ENV_VAR, str(tmp / "env"))
    assert data.find_data_dir() == tmp / "env"


def test_cache_defaults_to_home_dot_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / ".cache" / "mnetcalc" / "fashion-mnist"


def test_nothing_found_lists_every_place_and_what_is_missing(no_default_dirs, monkeypatch):
    tmp = no_default_dirs
    monkeypatch.setenv(data.ENV_VAR, str(tmp / "env"))
    (tmp / "system").mkdir()
    write_idx(tmp / "system" / FILES["train_images"], np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(DataError) as error:
        data.find_data_dir()
    message = str(error.value)
    assert f"{tmp / 'env'} (no such folder)" in message
    assert f"{tmp / 'cache' / 'mnetcalc' / 'fashion-mnist'} (no such folder)" in message
    assert f"{tmp / 'system'} (missing train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz" in message
    assert "\n" not in message


# -- the opt-in download, exercised against a local file:// "server" ----------------------------------


def test_download_fetches_checks_and_skips_good_files(tmp_path):
    source = tmp_path / "server"
    make_dataset(source)
    sums = {name: data.md5sum(source / name) for name in FILES.values()}
    target = data.download(tmp_path / "dest", base_url=source.as_uri() + "/", checksums=sums)
    assert target == tmp_path / "dest"
    assert all((target / name).read_bytes() == (source / name).read_bytes() for name in FILES.values())
    # a second call finds good files and fetches nothing (the source is gone)
    for name in FILES.values():
        (source / name).unlink()
    assert data.download(target, base_url=source.as_uri() + "/", checksums=sums) == target


def test_download_rejects_a_wrong_checksum(tmp_path):
    source = tmp_path / "server"
    make_dataset(source)
    sums = {name: "0" * 32 for name in FILES.values()}
    with pytest.raises(DataError, match="MD5 checksum mismatch"):
        data.download(tmp_path / "dest", base_url=source.as_uri() + "/", checksums=sums)
    assert not any((tmp_path / "dest").iterdir())  # no partial file left behind


def test_download_reports_an_unreachable_source(tmp_path):
    with pytest.raises(DataError, match="download of .* failed"):
        data.download(tmp_path / "dest", base_url=(tmp_path / "nothing").as_uri() + "/", checksums=None)
