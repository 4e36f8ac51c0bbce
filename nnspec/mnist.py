"""MNIST for nnspec: find the four IDX files, verify them, parse them, return contract-layout arrays.

The contract is column-major (samples are columns): ``X`` is ``(784, m)`` with pixels scaled to [0, 1],
``Y`` is the one-hot ``(10, m)`` and ``labels`` the integer ``(m,)``.

Where the files are looked for, first match wins:

1. the ``data_dir`` argument (the CLI's ``--data-dir``);
2. the environment variable ``NNSPEC_DATA_DIR``;
3. the vendored copy ``fixtures/mnist/`` of the nnspec repository (found next to the ``nnspec`` package, so in
   a clone or an editable install; a wheel does not ship the 11 MB of data, so an installed nnspec skips it);
4. the user cache ``$XDG_CACHE_HOME/nnspec/mnist`` (default ``~/.cache/nnspec/mnist``).

A file missing from the chosen directory (1, 2 or 4) is downloaded into it from the usual public mirrors and
accepted only if the MD5 of the original ``.gz`` matches. Every file, found or downloaded, is accepted only if
the SHA-256 of its DECOMPRESSED content matches the pinned value below, then parsed; anything else is an
``MNISTDataError`` naming the file, the expected and actual checksum and what to do. Nothing is returned or
cached before all four files are verified. Loads are cached per process (keyed on the resolved directory and
the dtype) and the returned arrays are read-only, so no caller can corrupt what the next one gets.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import numpy as np
from numpy.typing import DTypeLike

ENV_VAR = "NNSPEC_DATA_DIR"
IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE
N_CLASSES = 10
PIXEL_MAX = 255.0

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# SHA-256 of the decompressed files: fixtures/mnist/SHA256SUMS (from ../shared/data/mnist/).
SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# MD5 of the original .gz files that the mirrors serve: fixtures/mnist/README.md.
ORIGINAL_GZ_MD5 = {
    TRAIN_IMAGES: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    TRAIN_LABELS: "d53e105ee54ea40749a09fcbcd1e9432",
    TEST_IMAGES: "9fb629c4189551a2d022fa330f9573f3",
    TEST_LABELS: "ec29112dd5afa0611ce80d1b7f02629c",
}
# The mirrors torchvision and TensorFlow's tutorials use, in that order; the original site last.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
DOWNLOAD_TIMEOUT_S = 30.0
DOWNLOAD_CHUNK = 1 << 20

# IDX format (http://yann.lecun.com/exdb/mnist/): two zero bytes, a dtype code, the number of dimensions,
# then one big-endian uint32 per dimension, then the data in C order, big-endian.
IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
IDX_HEADER_START = 4
IDX_DIM_BYTES = 4
GZIP_MAGIC = b"\x1f\x8b"
SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

FIX_HINT = (
    "Delete it and run again to download a fresh copy, or copy the four verified files from the nnspec "
    "repository's fixtures/mnist/ into {directory} (or point NNSPEC_DATA_DIR / --data-dir at that folder)."
)


class MNISTDataError(RuntimeError):
    """A data file is missing, unreadable, corrupt or not the expected MNIST file."""


@dataclass(frozen=True)
class MNIST:
    """The verified data set, column-major; every array is read-only.

    X_train (784, 60000), Y_train (10, 60000) one-hot, y_train (60000,) int64;
    X_test (784, 10000), Y_test (10, 10000), y_test (10000,). X is F-contiguous (each sample contiguous).
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    y_test: np.ndarray
    directory: Path


# The per-process caches; an entry is added only after every file behind it passed its checksum.
_RAW: dict[Path, dict[str, np.ndarray]] = {}
_LOADED: dict[tuple[Path, str], MNIST] = {}


def load_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    dtype: DTypeLike = np.float32,
    *,
    download: bool = True,
) -> MNIST:
    """Find, verify and load MNIST (see the module docstring for the search order).

    Returns an MNIST whose X arrays have the requested float dtype (float32 or float64). The same object is
    returned for the same resolved directory and dtype for the rest of the process.
    """
    float_dtype = _check_dtype(dtype)
    directory = find_data_dir(data_dir)
    key = (directory, float_dtype.str)
    if key not in _LOADED:
        _LOADED[key] = _to_arrays(_verified_raw(directory, download), directory, float_dtype)
    return _LOADED[key]


def find_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory the files are read from (or downloaded into), resolved: argument, env, vendored, cache."""
    if data_dir is not None:
        return _existing_dir(data_dir, "data_dir")
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _existing_dir(from_env, ENV_VAR)
    vendored = vendored_dir()
    if all(_find_file(vendored, name) is not None for name in FILES):
        return vendored.resolve()
    return user_cache_dir().resolve()


def vendored_dir() -> Path:
    """fixtures/mnist/ of the repository this package lives in (absent when nnspec is installed as a wheel)."""
    return Path(__file__).resolve().parent.parent / "fixtures" / "mnist"


def user_cache_dir() -> Path:
    """Where downloads go when no directory is given: $XDG_CACHE_HOME/nnspec/mnist or ~/.cache/nnspec/mnist."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nnspec" / "mnist"


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Parse one IDX file (gzip-compressed or raw) into an array of its declared dtype and dimensions."""
    path = Path(path)
    return parse_idx(_read_content(path), path)


def parse_idx(content: bytes, path: Path) -> np.ndarray:
    """Parse IDX bytes (already decompressed); ``path`` is only for messages. The result is native-endian."""
    if len(content) < IDX_HEADER_START:
        raise MNISTDataError(f"{path}: {len(content)} bytes is too short for an IDX header (4-byte magic number)")
    zero0, zero1, code, ndim = content[:IDX_HEADER_START]
    if zero0 != 0 or zero1 != 0 or code not in IDX_DTYPES or ndim == 0:
        raise MNISTDataError(
            f"{path}: bad IDX magic number 0x{content[:IDX_HEADER_START].hex()}: expected 0x0000TTNN with "
            f"type code TT in {sorted(hex(c) for c in IDX_DTYPES)} and NN >= 1 dimensions "
            f"(0x00000801 for labels, 0x00000803 for images). This is not an IDX file."
        )
    header_len = IDX_HEADER_START + IDX_DIM_BYTES * ndim
    if len(content) < header_len:
        raise MNISTDataError(f"{path}: truncated IDX header: {ndim} dimensions need {header_len} bytes")
    dims = tuple(int(d) for d in np.frombuffer(content, ">u4", count=ndim, offset=IDX_HEADER_START))
    dtype = IDX_DTYPES[code]
    expected = header_len + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(content) != expected:
        raise MNISTDataError(
            f"{path}: the IDX header declares dims {dims} of {dtype} ({expected} bytes in all) "
            f"but the content has {len(content)} bytes (truncated or padded)"
        )
    data = np.frombuffer(content, dtype, offset=header_len).reshape(dims)
    return data.astype(dtype.newbyteorder("="), copy=False)


def verify_content(content: bytes, path: Path, name: str) -> None:
    """Raise MNISTDataError unless sha256(content) is the pinned value for ``name``."""
    expected = SHA256[name]
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise MNISTDataError(
            f"{path}: checksum mismatch for the decompressed content of {name}: expected SHA-256 {expected}, "
            f"got {actual}. The file is corrupt, truncated or not the MNIST file. "
            + FIX_HINT.format(directory=path.parent)
        )


def download(directory: Path, names: Iterable[str] = FILES, mirrors: Iterable[str] = MIRRORS) -> None:
    """Download the missing ``names`` into ``directory``, each accepted only with its original .gz MD5.

    A file is written under a temporary name and renamed only once verified. Raises MNISTDataError listing
    every mirror tried and why it failed.
    """
    mirrors = tuple(mirrors)
    for name in names:
        if _find_file(directory, name) is None:
            _download_one(directory, name, mirrors)


def clear_cache() -> None:
    """Forget the loaded data (tests; or after replacing files on disk)."""
    _LOADED.clear()
    _RAW.clear()


def _check_dtype(dtype: DTypeLike) -> np.dtype[Any]:
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"dtype: received {dtype!r}, expected float32 or float64") from exc
    if resolved not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype: received {resolved}, expected float32 or float64")
    return resolved


def _existing_dir(value: str | os.PathLike[str], what: str) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{what}: received {type(value).__name__} {value!r}, expected a path (str or PathLike)")
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ValueError(
            f"{what}: received {str(value)!r}, expected an existing directory holding (or to download) the "
            f"MNIST files {', '.join(n + '.gz' for n in FILES)}"
        )
    return path.resolve()


def _find_file(directory: Path, name: str) -> Path | None:
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    return None


def _read_content(path: Path, name: str | None = None) -> bytes:
    """The decompressed bytes of ``path`` (gzip detected by its magic bytes); ``name`` for the checksum hint."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MNISTDataError(f"{path}: cannot read: {exc}") from exc
    if raw[: len(GZIP_MAGIC)] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        expected = f"expected SHA-256 {SHA256[name]} of the decompressed content, " if name in SHA256 else ""
        raise MNISTDataError(
            f"{path}: cannot decompress ({type(exc).__name__}: {exc}); the gzip file is truncated or corrupt "
            f"({expected}the {len(raw)}-byte file itself has SHA-256 {hashlib.sha256(raw).hexdigest()}). "
            + FIX_HINT.format(directory=path.parent)
        ) from exc


def _to_arrays(raw: dict[str, np.ndarray], directory: Path, dtype: np.dtype[Any]) -> MNIST:
    X_train, X_test = _scale(raw[TRAIN_IMAGES], dtype), _scale(raw[TEST_IMAGES], dtype)
    y_train, y_test = _labels(raw[TRAIN_LABELS]), _labels(raw[TEST_LABELS])
    return MNIST(
        X_train=X_train,
        Y_train=_one_hot(y_train, dtype),
        y_train=y_train,
        X_test=X_test,
        Y_test=_one_hot(y_test, dtype),
        y_test=y_test,
        directory=directory,
    )


def _verified_raw(directory: Path, allow_download: bool) -> dict[str, np.ndarray]:
    """The four uint8 arrays of ``directory``, parsed once per process; only verified arrays are kept."""
    if directory not in _RAW:
        _RAW[directory] = _read_verified(directory, allow_download)
    return _RAW[directory]


def _read_verified(directory: Path, allow_download: bool) -> dict[str, np.ndarray]:
    """Read, verify and parse the four files (downloading the missing ones); raises on the first bad one."""
    missing = [name for name in FILES if _find_file(directory, name) is None]
    if missing and not allow_download:
        raise MNISTDataError(_missing_message(directory, missing, "downloading is disabled"))
    if missing:
        directory.mkdir(parents=True, exist_ok=True)
        download(directory, missing)
    raw = {}
    for name in FILES:
        path = _find_file(directory, name)
        if path is None:
            raise MNISTDataError(_missing_message(directory, [name], "it vanished after the download"))
        content = _read_content(path, name)
        verify_content(content, path, name)
        raw[name] = parse_idx(content, path)
    _check_pair(raw[TRAIN_IMAGES], raw[TRAIN_LABELS], directory / TRAIN_IMAGES)
    _check_pair(raw[TEST_IMAGES], raw[TEST_LABELS], directory / TEST_IMAGES)
    return raw


def _check_pair(images: np.ndarray, labels: np.ndarray, path: Path) -> None:
    expected_images = (labels.shape[0], IMAGE_SIDE, IMAGE_SIDE)
    if images.dtype != np.uint8 or images.shape != expected_images or labels.ndim != 1:
        raise MNISTDataError(
            f"{path}: images {images.shape} {images.dtype} with labels {labels.shape} {labels.dtype}: expected "
            f"uint8 images {expected_images} and uint8 labels ({labels.shape[0]},)"
        )
    if labels.size and int(labels.max()) >= N_CLASSES:
        raise MNISTDataError(f"{path}: labels must be 0..{N_CLASSES - 1}, found {int(labels.max())}")


def _scale(images: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """(m, 28, 28) uint8 -> (784, m) F-contiguous floats in [0, 1], read-only."""
    m = images.shape[0]
    scaled = np.divide(images.reshape(m, N_PIXELS), dtype.type(PIXEL_MAX), dtype=dtype)
    X = scaled.T
    X.flags.writeable = False
    return X


def _labels(raw: np.ndarray) -> np.ndarray:
    labels = raw.astype(np.int64)
    labels.flags.writeable = False
    return labels


def _one_hot(labels: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """(m,) ints -> (10, m) one-hot, read-only."""
    Y = np.zeros((N_CLASSES, labels.shape[0]), dtype=dtype)
    Y[labels, np.arange(labels.shape[0])] = 1
    Y.flags.writeable = False
    return Y


def _missing_message(directory: Path, missing: list[str], why: str) -> str:
    return (
        f"MNIST files missing from {directory}: {', '.join(n + '.gz' for n in missing)} ({why}). Copy them from "
        f"the nnspec repository's fixtures/mnist/ into {directory}, or point NNSPEC_DATA_DIR / --data-dir at a "
        f"folder that has them."
    )


def _download_one(directory: Path, name: str, mirrors: tuple[str, ...]) -> None:
    failures = []
    for mirror in mirrors:
        url = f"{mirror}{name}.gz"
        try:
            _fetch_verified(url, directory / f"{name}.gz", ORIGINAL_GZ_MD5[name])
            return
        except (OSError, ValueError, MNISTDataError) as exc:
            failures.append(f"  {url}: {type(exc).__name__}: {exc}")
    raise MNISTDataError(
        f"could not download {name}.gz into {directory}; every mirror failed:\n"
        + "\n".join(failures)
        + f"\nWithout network access, copy the four .gz files from the nnspec repository's fixtures/mnist/ "
        f"into {directory}, or set NNSPEC_DATA_DIR (or --data-dir) to a folder that has them."
    )


def _fetch_verified(url: str, target: Path, expected_md5: str) -> None:
    """Stream ``url`` to a temporary file next to ``target``; rename it to ``target`` only if the MD5 matches."""
    md5 = hashlib.md5(usedforsecurity=False)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            while chunk := response.read(DOWNLOAD_CHUNK):
                md5.update(chunk)
                out.write(chunk)
        actual = md5.hexdigest()
        if actual != expected_md5:
            raise MNISTDataError(f"MD5 mismatch: expected {expected_md5}, got {actual}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
