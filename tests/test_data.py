"""Reading Fashion-MNIST's IDX files: the format, the search order, and clear errors for bad files.

Every file here is written by the test itself (tiny, a few images); nothing is downloaded.
"""

import gzip
import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")  # mnetcalc.runtime.data needs it

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mnetcalc.runtime import data  # noqa: E402
from mnetcalc.runtime.data import (  # noqa: E402
    FILES,
    DataError,
    idx_bytes,
    load_fashion_mnist,
    parse_idx,
    read_idx,
    write_idx,
)
from mnetcalc.validation import InvalidArgument  # noqa: E402


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


# -- the format ------------------------------------------------------------------------------------


def test_header_is_the_published_idx_layout():
    # MNIST's page: magic 0x00000803 for 3-D unsigned-byte images, then the sizes as big-endian
    # int32.
    content = idx_bytes(np.zeros((2, 28, 28), dtype=np.uint8))
    assert content[:16] == bytes.fromhex("00000803000000020000001c0000001c")
    assert len(content) == 16 + 2 * 28 * 28
    labels = idx_bytes(np.array([3, 1], dtype=np.uint8))
    assert labels == bytes.fromhex("00000801000000020301")


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


# -- corrupt and mismatched files: DataError naming the file ---------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x00", "not an IDX file"),
        (b"\x1f\x8b\x08\x00", "not an IDX file (magic number 1f8b0800"),
        (
            bytes.fromhex("00000d01") + struct.pack(">I", 2) + b"\x00" * 8,
            "type code 0x0d is not supported",
        ),
        (bytes.fromhex("00000803") + struct.pack(">I", 2), "truncated IDX header"),
        (idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-1], "truncated: header says 3x28x28"),
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


@pytest.mark.parametrize("role", ["train", "test"])
def test_a_split_with_no_examples_is_refused(tmp_path, role):
    make_dataset(tmp_path)
    write_idx(tmp_path / FILES[f"{role}_images"], np.zeros((0, 28, 28), np.uint8))
    write_idx(tmp_path / FILES[f"{role}_labels"], np.zeros(0, np.uint8))
    with pytest.raises(DataError) as error:
        load_fashion_mnist(tmp_path)
    images, labels = tmp_path / FILES[f"{role}_images"], tmp_path / FILES[f"{role}_labels"]
    assert str(error.value) == f"{images} and {labels} hold no examples (0 images, 0 labels)"


def header(*shape: int) -> bytes:
    return bytes([0, 0, 8, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


@pytest.mark.parametrize(
    "content, message",
    [
        # 3 x 28 x 28 = 2352 data bytes after a 4 + 3*4 = 16-byte header: 2368 in all; 1 byte short
        (idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-1],
         "truncated: header says 3x28x28 = 2352 bytes of data (2368 bytes with the 16-byte "
         "header), file has 2367"),
        # 65536**4 = 2**64 bytes: 0 in 64-bit arithmetic, which would match the 20-byte file
        (header(65536, 65536, 65536, 65536),
         "truncated: header says 65536x65536x65536x65536 = 18446744073709551616 bytes of data "
         "(18446744073709551636 bytes with the 20-byte header), file has 20"),
        # (2**32 - 1)**3 = 2**96 - 3 * 2**64 + 3 * 2**32 - 1 = 79228162514264337593543950336
        # - 55340232221128654848 + 12884901888 - 1; as an int64 it wraps around
        (header(2**32 - 1, 2**32 - 1, 2**32 - 1) + b"\x00" * 8,
         "truncated: header says 4294967295x4294967295x4294967295 = "
         "79228162458924105385300197375 bytes of data (79228162458924105385300197391 bytes "
         "with the 16-byte header), file has 24"),
        (header(0, 28, 28) + b"\x00",
         "has trailing bytes: header says 0x28x28 = 0 bytes of data (16 bytes with the 16-byte "
         "header), file has 17"),
    ],
)  # fmt: skip
def test_byte_counts_are_exact(content, message):
    with pytest.raises(DataError) as error:
        parse_idx(content, "f")
    assert str(error.value) == "f: " + message


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([0, 1, 2, 3, 28, 255, 65536, 2**31, 2**32 - 1]), min_size=1, max_size=40
    ),
    st.binary(max_size=64),
)
def test_any_header_gives_an_array_or_a_one_line_data_error(shape, payload):
    content = header(*shape) + payload
    try:
        array = parse_idx(content, "f")
    except DataError as error:
        assert "\n" not in str(error) and str(error).startswith("f: ")
    else:
        assert array.shape == tuple(shape) and array.tobytes() == payload


def test_data_error_is_reported_like_a_bad_argument():
    assert issubclass(DataError, InvalidArgument)


# -- where the files are looked for ----------------------------------------------------------------


def test_explicit_folder_is_the_only_place_looked(no_default_dirs):
    make_dataset(
        no_default_dirs / "cache" / "mnetcalc" / "fashion-mnist"
    )  # would be found otherwise
    with pytest.raises(DataError) as error:
        load_fashion_mnist(no_default_dirs / "nowhere")
    message = str(error.value)
    assert f"{no_default_dirs / 'nowhere'} cannot be used: no such folder." in message
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


def test_nothing_found_lists_every_place_and_what_is_missing(no_default_dirs):
    tmp = no_default_dirs
    (tmp / "system").mkdir()  # exists, holds none of the files: passed over
    with pytest.raises(DataError) as error:
        data.find_data_dir()
    message = str(error.value)
    assert f"{tmp / 'cache' / 'mnetcalc' / 'fashion-mnist'} (no such folder)" in message
    assert f"{tmp / 'system'} (missing: {', '.join(FILES.values())})" in message
    assert "\n" not in message


def test_an_empty_folder_on_the_search_path_is_passed_over(no_default_dirs):
    tmp = no_default_dirs
    (tmp / "cache" / "mnetcalc" / "fashion-mnist").mkdir(parents=True)
    make_dataset(tmp / "system")
    assert data.find_data_dir() == tmp / "system"


# -- a folder the user names, or one that holds some of the files, is used or refused --------------


def test_environment_folder_that_does_not_exist_is_not_replaced(no_default_dirs, monkeypatch):
    tmp = no_default_dirs
    make_dataset(tmp / "cache" / "mnetcalc" / "fashion-mnist")  # would be found otherwise
    monkeypatch.setenv(data.ENV_VAR, str(tmp / "env"))
    with pytest.raises(DataError) as error:
        load_fashion_mnist()
    message = str(error.value)
    assert f"{tmp / 'env'} (from $MNETCALC_DATA) cannot be used: no such folder." in message
    assert "cache" not in message and "\n" not in message


def test_environment_folder_missing_a_file_is_refused(no_default_dirs, monkeypatch):
    tmp = no_default_dirs
    make_dataset(tmp / "system")
    make_dataset(tmp / "env")
    (tmp / "env" / FILES["test_labels"]).unlink()
    monkeypatch.setenv(data.ENV_VAR, str(tmp / "env"))
    with pytest.raises(DataError) as error:
        load_fashion_mnist()
    message = str(error.value)
    expected = "(from $MNETCALC_DATA) cannot be used: missing: t10k-labels-idx1-ubyte.gz."
    assert f"{tmp / 'env'} {expected}" in message
    assert str(tmp / "system") not in message


def test_environment_folder_with_a_damaged_file_is_refused(no_default_dirs, monkeypatch):
    tmp = no_default_dirs
    make_dataset(tmp / "cache" / "mnetcalc" / "fashion-mnist")
    make_dataset(tmp / "env")
    (tmp / "env" / FILES["train_images"]).write_bytes(b"not gzip")
    monkeypatch.setenv(data.ENV_VAR, str(tmp / "env"))
    with pytest.raises(DataError, match="damaged gzip file") as error:
        load_fashion_mnist()
    assert str(tmp / "env" / FILES["train_images"]) in str(error.value)


def test_explicit_folder_with_empty_files_folder_is_refused(tmp_path):
    make_dataset(tmp_path / "fm")
    (tmp_path / "fm" / FILES["train_labels"]).unlink()
    (tmp_path / "fm" / FILES["train_labels"]).mkdir()
    with pytest.raises(DataError) as error:
        load_fashion_mnist(tmp_path / "fm")
    message = str(error.value)
    assert "cannot be used: a folder, not a file: train-labels-idx1-ubyte.gz" in message
    assert "$MNETCALC_DATA" not in message


def test_partial_cache_is_refused_not_replaced_by_the_system_folder(no_default_dirs):
    tmp = no_default_dirs
    cache = tmp / "cache" / "mnetcalc" / "fashion-mnist"
    make_dataset(cache)
    (cache / FILES["test_images"]).unlink()
    make_dataset(tmp / "system")
    with pytest.raises(DataError) as error:
        data.find_data_dir()
    message = str(error.value)
    assert f"{cache} cannot be used: missing: t10k-images-idx3-ubyte.gz" in message
    assert str(tmp / "system") not in message


def test_damaged_file_in_the_cache_is_refused_not_replaced(no_default_dirs):
    tmp = no_default_dirs
    cache = tmp / "cache" / "mnetcalc" / "fashion-mnist"
    make_dataset(cache)
    make_dataset(tmp / "system")
    write_idx(cache / FILES["test_images"], np.zeros((4, 27, 28), np.uint8))
    with pytest.raises(DataError) as error:
        load_fashion_mnist()
    assert str(error.value).startswith(str(cache / FILES["test_images"]))


def test_a_folder_in_place_of_a_file_on_the_search_path_is_refused(no_default_dirs):
    tmp = no_default_dirs
    cache = tmp / "cache" / "mnetcalc" / "fashion-mnist"
    cache.mkdir(parents=True)
    for name in FILES.values():
        (cache / name).mkdir()
    make_dataset(tmp / "system")
    with pytest.raises(
        DataError, match=f"{cache} cannot be used: a folder, not a file: train-images"
    ):
        data.find_data_dir()


def test_unreadable_file_is_reported_as_such(tmp_path, monkeypatch):
    # The tests may run as root, for whom chmod does not take read permission away: the operating
    # system's answers are simulated.
    make_dataset(tmp_path)
    unreadable = tmp_path / FILES["train_labels"]
    real_access = data.os.access
    monkeypatch.setattr(
        data.os, "access", lambda path, mode: Path(path) != unreadable and real_access(path, mode)
    )
    with pytest.raises(DataError) as error:
        data.find_data_dir(tmp_path)
    assert "cannot be used: not readable (permission denied): train-labels-idx1-ubyte.gz" in str(
        error.value
    )


def test_permission_error_on_open_is_not_a_damaged_gzip_file(tmp_path, monkeypatch):
    path = write_idx(tmp_path / "a.gz", np.zeros(3, np.uint8))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data, "open", refuse, raising=False)
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(error.value) == f"{path}: permission denied (the file cannot be read)"


@pytest.mark.parametrize("name", ["a.gz", "a.idx"])
def test_a_read_error_is_not_a_damaged_gzip_file(tmp_path, monkeypatch, name):
    path = write_idx(tmp_path / name, np.zeros(3, np.uint8))

    class FailingDisk(io.BytesIO):
        def read(self, *args):
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(data, "open", lambda *args: FailingDisk(), raising=False)
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(error.value) == f"{path}: cannot be read (Input/output error)"


def test_a_folder_is_not_a_damaged_gzip_file(tmp_path):
    (tmp_path / "a.gz").mkdir()
    with pytest.raises(DataError) as error:
        read_idx(tmp_path / "a.gz")
    assert str(error.value) == f"{tmp_path / 'a.gz'}: is a folder, not a file"


def test_a_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_idx(tmp_path / "a.gz")


# -- the opt-in download, exercised against a local file:// "server" -------------------------------


def test_download_fetches_checks_and_skips_good_files(tmp_path):
    source = tmp_path / "server"
    make_dataset(source)
    sums = {name: data.md5sum(source / name) for name in FILES.values()}
    target = data.download(tmp_path / "dest", base_url=source.as_uri() + "/", checksums=sums)
    assert target == tmp_path / "dest"
    assert all(
        (target / name).read_bytes() == (source / name).read_bytes() for name in FILES.values()
    )
    # a second call finds good files and fetches nothing (the source is gone)
    for name in FILES.values():
        (source / name).unlink()
    assert data.download(target, base_url=source.as_uri() + "/", checksums=sums) == target


def test_download_goes_to_the_environment_folder_when_one_is_named(no_default_dirs, monkeypatch):
    # `mnetcalc train --download` with $MNETCALC_DATA set: the data must land where it is then read
    source = no_default_dirs / "server"
    make_dataset(source)
    monkeypatch.setenv(data.ENV_VAR, str(no_default_dirs / "env"))
    assert data.download(base_url=source.as_uri() + "/", checksums=None) == no_default_dirs / "env"
    assert load_fashion_mnist().folder == no_default_dirs / "env"


def test_the_command_line_reports_bad_data_in_one_line_with_status_2(tmp_path):
    pytest.importorskip("torch")  # `mnetcalc train` needs it before it reads the data
    make_dataset(tmp_path / "fm", n_train=0)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "mnetcalc", "train", "--data", str(tmp_path / "fm"), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1 and "hold no examples" in done.stderr, done.stderr


def test_download_rejects_a_wrong_checksum(tmp_path):
    source = tmp_path / "server"
    make_dataset(source)
    sums = {name: "0" * 32 for name in FILES.values()}
    with pytest.raises(DataError, match="MD5 checksum mismatch"):
        data.download(tmp_path / "dest", base_url=source.as_uri() + "/", checksums=sums)
    assert not any((tmp_path / "dest").iterdir())  # no partial file left behind


def test_download_reports_an_unreachable_source(tmp_path):
    with pytest.raises(DataError, match="download of .* failed"):
        data.download(
            tmp_path / "dest", base_url=(tmp_path / "nothing").as_uri() + "/", checksums=None
        )
