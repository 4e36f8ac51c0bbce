"""The MNIST loader: real data facts, IDX parsing, checksum errors, search order, download, caching."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from nnspec import mnist

VENDORED = Path(__file__).resolve().parents[1] / "fixtures" / "mnist"
N_TRAIN, N_TEST = 60000, 10000
TINY_TRAIN, TINY_TEST = 3, 2


def readme_label_counts(which: str) -> list[int]:
    """The label counts 0..9 stated in the vendored README ("training" or "test")."""
    text = (VENDORED / "README.md").read_text()
    match = re.search(rf"{which} label counts 0\.\.9 = ([\d ]+)", text)
    assert match, f"no '{which} label counts' line in {VENDORED / 'README.md'}"
    return [int(n) for n in match.group(1).split()]


@pytest.fixture(scope="module")
def real() -> mnist.MNIST:
    return mnist.load_mnist(VENDORED, download=False)


# ---- the real data -------------------------------------------------------------------------------------------


def test_real_shapes_and_dtypes(real: mnist.MNIST) -> None:
    assert real.X_train.shape == (784, N_TRAIN) and real.X_test.shape == (784, N_TEST)
    assert real.Y_train.shape == (10, N_TRAIN) and real.Y_test.shape == (10, N_TEST)
    assert real.y_train.shape == (N_TRAIN,) and real.y_test.shape == (N_TEST,)
    assert real.X_train.dtype == np.float32 and real.Y_train.dtype == np.float32
    assert real.y_train.dtype.kind == "i"
    assert real.X_train.flags.f_contiguous, "each sample (column) should be contiguous"


def test_real_label_counts_match_readme(real: mnist.MNIST) -> None:
    assert np.bincount(real.y_train, minlength=10).tolist() == readme_label_counts("training")
    assert np.bincount(real.y_test, minlength=10).tolist() == readme_label_counts("test")


def test_real_pixels_scaled_to_unit_interval(real: mnist.MNIST) -> None:
    for X in (real.X_train, real.X_test):
        assert X.min() == 0.0 and X.max() == 1.0
    # Every pixel is k/255 for an integer k.
    k = real.X_test * np.float32(255)
    np.testing.assert_allclose(k, np.round(k), atol=1e-4)


def test_real_one_hot_matches_labels(real: mnist.MNIST) -> None:
    for Y, y in ((real.Y_train, real.y_train), (real.Y_test, real.y_test)):
        assert np.array_equal(Y.sum(axis=0), np.ones(y.shape[0]))
        assert np.array_equal(Y.argmax(axis=0), y)


def test_real_arrays_are_read_only(real: mnist.MNIST) -> None:
    for name in ("X_train", "Y_train", "y_train", "X_test", "Y_test", "y_test"):
        array = getattr(real, name)
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0


def test_cache_returns_the_same_object(real: mnist.MNIST) -> None:
    assert mnist.load_mnist(VENDORED, download=False) is real
    assert mnist.load_mnist(str(VENDORED), dtype="float32", download=False) is real


def test_float64_on_request_shares_the_parse(real: mnist.MNIST) -> None:
    data = mnist.load_mnist(VENDORED, dtype=np.float64, download=False)
    assert data.X_train.dtype == np.float64 and data.Y_test.dtype == np.float64
    assert np.array_equal(data.X_test.astype(np.float32), real.X_test)
    assert np.array_equal(data.y_train, real.y_train) and np.array_equal(data.Y_test, real.Y_test)


def test_first_training_image_is_an_upright_five(real: mnist.MNIST) -> None:
    """The first training label is 5; its ink sits in the middle rows (rows 0 and 27 are blank)."""
    image = real.X_train[:, 0].reshape(28, 28)
    assert real.y_train[0] == 5
    assert image[0].max() == 0 and image[27].max() == 0 and image[5:23].max() > 0.9


# ---- bad arguments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int32", np.float16, "banana"])
def test_bad_dtype_is_a_clear_value_error(dtype: object) -> None:
    with pytest.raises(ValueError, match=r"dtype: received .*expected float32 or float64"):
        mnist.load_mnist(VENDORED, dtype=dtype)  # type: ignore[arg-type]


def test_missing_data_dir_is_a_clear_value_error(tmp_path: Path) -> None:
    absent = tmp_path / "nope"
    with pytest.raises(ValueError, match=r"data_dir: received .*nope.*expected an existing directory"):
        mnist.load_mnist(absent)


def test_non_path_data_dir_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"data_dir: received int 3, expected a path"):
        mnist.load_mnist(3)  # type: ignore[arg-type]


# ---- tiny IDX files ------------------------------------------------------------------------------------------


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def tiny_content(seed: int = 0) -> dict[str, bytes]:
    rng = np.random.default_rng(seed)
    images = {n: rng.integers(0, 256, (m, 28, 28), dtype=np.uint8) for n, m in
              ((mnist.TRAIN_IMAGES, TINY_TRAIN), (mnist.TEST_IMAGES, TINY_TEST))}
    images[mnist.TRAIN_IMAGES][0, 0, 0] = 255
    labels = {mnist.TRAIN_LABELS: np.array([7, 0, 9], np.uint8), mnist.TEST_LABELS: np.array([3, 3], np.uint8)}
    return {name: idx_bytes(array) for name, array in {**images, **labels}.items()}


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with four small valid IDX .gz files; the pinned checksums patched to theirs."""
    content = tiny_content()
    for name, data in content.items():
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(data))
    monkeypatch.setattr(mnist, "SHA256", {n: hashlib.sha256(d).hexdigest() for n, d in content.items()})
    return tmp_path


def test_tiny_files_load_in_contract_layout(tiny: Path) -> None:
    data = mnist.load_mnist(tiny, download=False)
    raw = mnist.read_idx(tiny / f"{mnist.TRAIN_IMAGES}.gz")
    assert raw.shape == (TINY_TRAIN, 28, 28) and raw.dtype == np.uint8
    assert data.X_train.shape == (784, TINY_TRAIN) and data.X_test.shape == (784, TINY_TEST)
    np.testing.assert_array_equal(data.X_train[:, 1], raw[1].reshape(784) / np.float32(255))
    assert data.X_train[0, 0] == 1.0
    assert data.y_train.tolist() == [7, 0, 9] and data.y_test.tolist() == [3, 3]
    assert data.Y_train[:, 0].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]


def test_uncompressed_files_are_accepted(tiny: Path) -> None:
    for name in mnist.FILES:
        gz = tiny / f"{name}.gz"
        (tiny / name).write_bytes(gzip.decompress(gz.read_bytes()))
        gz.unlink()
    assert mnist.load_mnist(tiny, download=False).y_test.tolist() == [3, 3]


def test_corrupt_file_names_file_and_both_checksums(tiny: Path) -> None:
    target = tiny / f"{mnist.TEST_IMAGES}.gz"
    content = bytearray(gzip.decompress(target.read_bytes()))
    content[100] ^= 0xFF
    target.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(mnist.MNISTDataError) as info:
        mnist.load_mnist(tiny, download=False)
    message = str(info.value)
    assert str(target) in message
    assert f"expected SHA-256 {mnist.SHA256[mnist.TEST_IMAGES]}" in message
    assert f"got {hashlib.sha256(bytes(content)).hexdigest()}" in message
    assert "Delete it" in message and "fixtures/mnist" in message


def test_truncated_gzip_names_file_and_checksums(tiny: Path) -> None:
    target = tiny / f"{mnist.TRAIN_IMAGES}.gz"
    target.write_bytes(target.read_bytes()[:-40])
    with pytest.raises(mnist.MNISTDataError) as info:
        mnist.load_mnist(tiny, download=False)
    message = str(info.value)
    assert str(target) in message and "truncated or corrupt" in message
    assert f"expected SHA-256 {mnist.SHA256[mnist.TRAIN_IMAGES]}" in message
    assert hashlib.sha256(target.read_bytes()).hexdigest() in message


def test_truncated_idx_content_is_reported_by_size(tmp_path: Path) -> None:
    path = tmp_path / "short-idx1-ubyte"
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8))[:-3])
    with pytest.raises(mnist.MNISTDataError, match=r"short-idx1-ubyte: the IDX header declares dims \(10,\) "
                       r"of uint8 \(18 bytes in all\) but the content has 15 bytes"):
        mnist.read_idx(path)


def test_wrong_magic_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "png-pretending.gz"
    path.write_bytes(gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(20)))
    with pytest.raises(mnist.MNISTDataError, match=r"png-pretending.gz: bad IDX magic number 0x89504e47"):
        mnist.read_idx(path)


def test_wrong_magic_through_the_loader(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = b"\x00\x00\x07\x01" + bytes(8)
    (tiny / f"{mnist.TEST_LABELS}.gz").write_bytes(gzip.compress(bad))
    monkeypatch.setitem(mnist.SHA256, mnist.TEST_LABELS, hashlib.sha256(bad).hexdigest())
    with pytest.raises(mnist.MNISTDataError, match=rf"{mnist.TEST_LABELS}.gz: bad IDX magic number 0x00000701"):
        mnist.load_mnist(tiny, download=False)


def test_idx_dtypes_and_dims_are_parsed(tmp_path: Path) -> None:
    array = np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 5
    path = tmp_path / "ints"
    path.write_bytes(idx_bytes(array, code=0x0C))
    parsed = mnist.read_idx(path)
    assert parsed.shape == (2, 3, 4) and parsed.dtype == np.int32
    np.testing.assert_array_equal(parsed, array)


def test_label_out_of_range_is_reported(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    labels = idx_bytes(np.array([3, 12], np.uint8))
    (tiny / f"{mnist.TEST_LABELS}.gz").write_bytes(gzip.compress(labels))
    monkeypatch.setitem(mnist.SHA256, mnist.TEST_LABELS, hashlib.sha256(labels).hexdigest())
    with pytest.raises(mnist.MNISTDataError, match=r"labels must be 0..9, found 12"):
        mnist.load_mnist(tiny, download=False)


def test_missing_file_without_download_says_what_to_do(tiny: Path) -> None:
    (tiny / f"{mnist.TRAIN_LABELS}.gz").unlink()
    with pytest.raises(mnist.MNISTDataError, match=rf"missing from {re.escape(str(tiny))}: "
                       rf"{mnist.TRAIN_LABELS}.gz \(downloading is disabled\)\. Copy them from"):
        mnist.load_mnist(tiny, download=False)


def test_failure_is_not_cached(tiny: Path) -> None:
    target = tiny / f"{mnist.TEST_LABELS}.gz"
    good = target.read_bytes()
    target.write_bytes(good[:10])
    with pytest.raises(mnist.MNISTDataError):
        mnist.load_mnist(tiny, download=False)
    target.write_bytes(good)
    assert mnist.load_mnist(tiny, download=False).y_test.tolist() == [3, 3]


# ---- download ------------------------------------------------------------------------------------------------


def test_download_failure_lists_every_mirror(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str, timeout: float) -> io.BytesIO:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(mnist, "urlopen", offline)
    (tiny / f"{mnist.TEST_IMAGES}.gz").unlink()
    with pytest.raises(mnist.MNISTDataError) as info:
        mnist.load_mnist(tiny)
    message = str(info.value)
    assert f"could not download {mnist.TEST_IMAGES}.gz into {tiny}" in message
    for mirror in mnist.MIRRORS:
        assert f"{mirror}{mnist.TEST_IMAGES}.gz: URLError" in message
    assert "Without network access, copy the four .gz files" in message
    assert list(tiny.glob("*.part")) == [], "no partial download may be left behind"


def test_download_verifies_md5_then_loads(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """First mirror serves a wrong file (MD5 mismatch, rejected); second serves the right one."""
    served = (tiny / f"{mnist.TEST_LABELS}.gz").read_bytes()
    (tiny / f"{mnist.TEST_LABELS}.gz").unlink()
    monkeypatch.setitem(mnist.ORIGINAL_GZ_MD5, mnist.TEST_LABELS, hashlib.md5(served).hexdigest())
    calls = []

    def fake(url: str, timeout: float) -> io.BytesIO:
        calls.append(url)
        return io.BytesIO(served if len(calls) > 1 else b"<html>moved</html>")

    monkeypatch.setattr(mnist, "urlopen", fake)
    data = mnist.load_mnist(tiny)
    assert calls == [f"{m}{mnist.TEST_LABELS}.gz" for m in mnist.MIRRORS[:2]]
    assert data.y_test.tolist() == [3, 3]
    assert (tiny / f"{mnist.TEST_LABELS}.gz").read_bytes() == served
    assert list(tiny.glob("*.part")) == []


def test_real_download_path_fails_clearly_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no files anywhere, the loader goes to the user cache and reports the failed download."""
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist, "vendored_dir", lambda: tmp_path / "no-fixtures")
    monkeypatch.setattr(mnist, "urlopen", lambda url, timeout: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(mnist.MNISTDataError, match=r"could not download train-images-idx3-ubyte.gz into "
                       rf"{re.escape(str(tmp_path / 'cache' / 'nnspec' / 'mnist'))}"):
        mnist.load_mnist()


# ---- search order --------------------------------------------------------------------------------------------


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit, env, vendored, cache = (tmp_path / n for n in ("explicit", "env", "vendored", "cache"))
    for d in (explicit, env, vendored):
        d.mkdir()
    for name in mnist.FILES:
        (vendored / f"{name}.gz").write_bytes(b"")
    monkeypatch.setattr(mnist, "vendored_dir", lambda: vendored)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv(mnist.ENV_VAR, str(env))
    assert mnist.find_data_dir(explicit) == explicit.resolve()
    assert mnist.find_data_dir() == env.resolve()
    monkeypatch.delenv(mnist.ENV_VAR)
    assert mnist.find_data_dir() == vendored.resolve()
    (vendored / f"{mnist.TEST_LABELS}.gz").unlink()
    assert mnist.find_data_dir() == (cache / "nnspec" / "mnist").resolve()


def test_env_var_must_name_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match=r"NNSPEC_DATA_DIR: received .*missing.*expected an existing directory"):
        mnist.find_data_dir()


@pytest.mark.skipif(Path(mnist.__file__).resolve().parents[1] != VENDORED.parents[1],
                    reason="nnspec is installed outside this checkout (non-editable): no vendored copy next to it")
def test_vendored_dir_is_the_repository_fixtures() -> None:
    assert mnist.vendored_dir() == VENDORED


def test_real_checksums_reject_a_tampered_copy(tmp_path: Path) -> None:
    """With the pinned (unpatched) checksums: one label changed in a copy of the real training labels."""
    for name in mnist.FILES:
        (tmp_path / f"{name}.gz").symlink_to(VENDORED / f"{name}.gz")
    target = tmp_path / f"{mnist.TRAIN_LABELS}.gz"
    content = bytearray(gzip.decompress(target.read_bytes()))
    content[8] = (content[8] + 1) % 10  # the first label (a 5) becomes a 6: still a valid IDX file
    target.unlink()
    target.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(mnist.MNISTDataError) as info:
        mnist.load_mnist(tmp_path, download=False)
    assert f"expected SHA-256 {mnist.SHA256[mnist.TRAIN_LABELS]}" in str(info.value)
    assert f"got {hashlib.sha256(bytes(content)).hexdigest()}" in str(info.value)
