"""What crosses between the grader and the submission's worker process: data only, never code.

Grader -> worker: pickles of the spec's arguments (the grader is trusted). Two things cannot travel by value and
are replaced before pickling: a function the spec passes in (``numerical_gradient``'s ``f``) becomes a
``Callback`` that the worker turns into a stub calling back into the grader; a read-only array becomes
``Frozen`` so that the worker's copy is read-only too (purity checks rely on writes raising).

Worker -> grader: the worker first reduces every value to ``to_data`` (None, bool, int, float, complex, str,
bytes, exact ``np.ndarray`` without objects, NumPy scalars, and tuples/lists/dicts/sets of these); anything else
stays in the worker and crosses as a ``Handle``. An object of a tuple, list or dict SUBCLASS (a namedtuple cache,
an OrderedDict) crosses both ways: as a ``CarriedTuple``/``CarriedList``/``CarriedDict``, which holds its content
as data (the spec can unpack and index it) and the handle of the object itself; when the grader passes it back,
it travels as ``Returned`` and the worker hands the submission its own object again, updated to the content the
grader holds. An exception crosses as text, its message and its traceback cut to ``MESSAGE_CHARS`` each
(``cut``): by the worker before sending, and again by the grader on receipt, since the worker is not trusted. The
grader reads messages with ``nnspec.grade.unpickle``, which admits only those types and bounds their sizes, so a
compromised worker cannot make the grader import, run or allocate anything.
"""

from __future__ import annotations

import functools
import pickle
import socket
import struct
import types
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

PROTOCOL = pickle.HIGHEST_PROTOCOL
MESSAGE_CHARS = 10_000  # an exception's message, and its traceback, are cut after this many characters
LOAD_ERROR_CHARS = 2 * MESSAGE_CHARS  # a load error: a message and its traceback
CUT_NOTE_CHARS = 40  # room kept at the end of a cut text for "... (N more characters)"
SCALAR_TYPES = (type(None), bool, int, float, complex, str, bytes)
FUNCTION_TYPES = (
    types.FunctionType, types.MethodType, types.BuiltinFunctionType, functools.partial, np.ufunc,
)


@dataclass(frozen=True)
class Handle:
    """An object that stays in the worker (generation = which run of the worker made it).

    The worker keeps the object until the grader's one ``Handle`` for it is garbage: copies are the handle itself.
    """

    generation: int
    key: int
    kind: str

    def __repr__(self) -> str:
        return f"<opaque {self.kind} #{self.key} kept in the submission's process>"

    def __copy__(self) -> Handle:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Handle:
        return self


@dataclass(frozen=True)
class Callback:
    """A grader-side function passed as an argument; the worker calls it back through the pipe."""

    key: int


@dataclass(frozen=True)
class Frozen:
    """A read-only array (its copy in the worker is made read-only as well)."""

    array: np.ndarray


@dataclass(frozen=True)
class Earlier:
    """An argument of a call in a chain: the result the chain's call number ``call`` sent (its item ``item``)."""

    call: int
    item: int | None


@dataclass(frozen=True)
class RngState:
    """A ``np.random.Generator`` argument's state after a call (so the caller's generator advances too)."""

    state: dict[str, Any]


@dataclass(frozen=True)
class Returned:
    """A carried object going back to the worker: its handle, and its content as the grader holds it now."""

    handle: Handle
    content: Any


class CarriedTuple(tuple[Any, ...]):
    """A tuple subclass's object (a namedtuple) from the worker: its items, and ``handle``, the object itself."""

    handle: Handle

    def __new__(cls, items: Iterable[Any], handle: Handle) -> CarriedTuple:
        carried = super().__new__(cls, items)
        carried.handle = handle
        return carried

    def __reduce__(self) -> tuple[Any, ...]:
        return (CarriedTuple, (tuple(self), self.handle))


class CarriedList(list[Any]):
    """A list subclass's object from the worker: its items, and ``handle``, the object itself."""

    def __init__(self, items: Iterable[Any], handle: Handle) -> None:
        super().__init__(items)
        self.handle = handle

    def __reduce__(self) -> tuple[Any, ...]:
        return (CarriedList, (list(self), self.handle))


class CarriedDict(dict[Any, Any]):
    """A dict subclass's object (an OrderedDict, a defaultdict) from the worker: its items, and ``handle``."""

    def __init__(self, items: dict[Any, Any], handle: Handle) -> None:
        super().__init__(items)
        self.handle = handle

    def __reduce__(self) -> tuple[Any, ...]:
        return (CarriedDict, (dict(self), self.handle))


CARRIERS: dict[type, Callable[[Any, Handle], Any]] = {tuple: CarriedTuple, list: CarriedList, dict: CarriedDict}


def carried(plain: tuple[Any, ...] | list[Any] | dict[Any, Any], handle: Handle) -> Any:
    """``plain`` (a container rebuilt by ``walk``) as the carrier of its type, holding ``handle``."""
    return CARRIERS[type(plain)](plain, handle)


def is_carried(value: Any) -> bool:
    """Whether ``value`` is a carrier from the worker (with a well-formed handle: the worker is untrusted)."""
    return type(value) in CARRIERS.values() and isinstance(getattr(value, "handle", None), Handle)


@dataclass(frozen=True)
class RemoteError:
    """An exception raised in the worker, as text. ``bases``: the builtin exception classes it derives from."""

    type_name: str
    bases: tuple[str, ...]
    message: str
    traceback: tuple[str, ...]
    fatal: bool


def cut(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, the last ones saying how many were left out (so cutting again
    changes nothing)."""
    if len(text) <= limit:
        return text
    kept = max(0, limit - CUT_NOTE_CHARS)
    return f"{text[:kept]}... ({len(text) - kept} more characters)"


def cut_lines(lines: tuple[str, ...], limit: int = MESSAGE_CHARS) -> tuple[str, ...]:
    """``lines`` (a traceback) cut to ``limit`` characters in all."""
    joined = "\n".join(lines)
    return lines if len(joined) <= limit else tuple(cut(joined, limit).split("\n"))


def bounded(error: RemoteError) -> RemoteError:
    """``error`` with its message and traceback cut to ``MESSAGE_CHARS`` each."""
    return RemoteError(error.type_name[:MESSAGE_CHARS], error.bases, cut(error.message), cut_lines(error.traceback),
                       error.fatal)


SETTINGS_BYTES = 1 << 20  # the worker's start message is small
LENGTH = struct.Struct("!Q")  # sizes on the wire: 8 bytes, big-endian
SMALL_MESSAGE = 1 << 16  # messages up to this size are sent with one system call
OUT_OF_BAND = 1 << 16  # arrays from this size on travel as their own frame instead of inside the pickle
MAX_FRAMES = 1 << 20


class Channel:
    """Messages over a stream socket: a frame count, then each frame as its length and its bytes.

    A message is a pickle and the out-of-band buffers of the arrays in it (pickle protocol 5), so large arrays
    go from one process's memory to the other's without intermediate copies. ``timeout`` (seconds, None = wait
    forever) bounds each send or receive; on expiry the socket raises TimeoutError and the channel is unusable.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, frames: list[Any], timeout: float | None = None) -> None:
        self.sock.settimeout(timeout)
        sizes = [memoryview(frame).nbytes for frame in frames]
        header = LENGTH.pack(len(frames)) + b"".join(LENGTH.pack(size) for size in sizes)
        if sum(sizes) <= SMALL_MESSAGE:
            self.sock.sendall(header + b"".join(frames))  # one system call for the common small message
            return
        self.sock.sendall(header)
        for frame in frames:
            self.sock.sendall(frame)

    def receive(self, max_bytes: int, timeout: float | None = None) -> list[bytearray]:
        """The next message's frames; EOFError when the other side has closed, OSError when it is too long."""
        self.sock.settimeout(timeout)
        (count,) = LENGTH.unpack(self._exactly(LENGTH.size))
        if not 0 < count <= MAX_FRAMES:
            raise OSError(f"a message of {count} frames")
        sizes = [LENGTH.unpack_from(header, LENGTH.size * i)[0]
                 for header in [self._exactly(LENGTH.size * count)] for i in range(count)]
        if sum(sizes) > max_bytes:
            raise OSError(f"a message of {sum(sizes)} bytes, longer than the {max_bytes} allowed")
        return [self._exactly(size) for size in sizes]

    def _exactly(self, size: int) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        done = 0
        while done < size:
            count = self.sock.recv_into(view[done:], size - done)
            if count == 0:
                raise EOFError("the other side closed the channel")
            done += count
        return buffer

    def close(self) -> None:
        self.sock.close()


def encode(value: Any) -> list[Any]:
    """``value`` (already reduced to data by ``to_data`` or ``for_worker``) as frames: the pickle, then the raw
    memory of each contiguous array in it."""
    buffers: list[memoryview] = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        """Large buffers go out of band (returns False); small ones stay inside the pickle (returns True)."""
        raw = buffer.raw()
        if raw.nbytes < OUT_OF_BAND:
            return True
        buffers.append(raw)
        return False

    frames: list[Any] = [pickle.dumps(value, protocol=PROTOCOL, buffer_callback=out_of_band)]
    return frames + buffers


def packed(value: Any) -> bytes:
    """``value`` as one self-contained pickle, arrays inside it: each call of a batch travels as one."""
    return pickle.dumps(value, protocol=PROTOCOL)


def decode_trusted(frames: list[bytearray] | list[bytes]) -> Any:
    """A message from the grader (the worker trusts it)."""
    return pickle.loads(frames[0], buffers=frames[1:])


def is_function(value: Any) -> bool:
    """Whether ``value`` is a function the grader must keep (and the worker call back)."""
    return isinstance(value, FUNCTION_TYPES)


def walk(value: Any, leaf: Callable[[Any], Any], subclass: Callable[[Any, Any], Any] | None = None) -> Any:
    """``value`` with tuples, lists, dicts and sets rebuilt as plain containers and ``leaf`` applied to the rest.

    ``subclass(original, plain)``, when given, decides what replaces an object of a tuple, list or dict subclass
    (``plain``: its content rebuilt as the plain container).
    """

    def again(item: Any) -> Any:
        return walk(item, leaf, subclass)

    if type(value) in (set, frozenset):
        return type(value)(again(item) for item in value)
    if isinstance(value, dict):
        plain: Any = {again(key): again(item) for key, item in value.items()}
    elif isinstance(value, list):
        plain = [again(item) for item in value]
    elif isinstance(value, tuple):
        plain = tuple(again(item) for item in value)
    else:
        return leaf(value)
    return plain if subclass is None or type(value) in CARRIERS else subclass(value, plain)


def handles(value: Any) -> Iterator[Handle]:
    """Every handle in ``value`` (a message from the worker), those of carriers included."""
    if isinstance(value, Handle):
        yield value
    if is_carried(value):
        yield value.handle
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from handles(item)


def is_data(value: Any) -> bool:
    """A leaf value that may cross to the grader as it is."""
    if type(value) in SCALAR_TYPES:
        return True
    if type(value) is np.ndarray:
        return not value.dtype.hasobject
    return isinstance(value, np.generic) and type(value).__module__ == "numpy" and not isinstance(value, np.object_)


def fingerprint(value: Any) -> Any:
    """A comparable summary of ``value``'s content: changes whenever a call mutates it in place."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return ("objects", id(value), tuple(id(item) for item in value.flat))
        checksum = zlib.crc32(np.ascontiguousarray(value).view(np.uint8).data)  # ascontiguousarray: ndim >= 1
        return ("array", value.shape, value.dtype.str, checksum)
    if isinstance(value, dict):
        return ("dict", tuple((key, fingerprint(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(item) for item in value))
    if isinstance(value, np.random.Generator):
        return ("rng", repr(value.bit_generator.state))
    if type(value) in SCALAR_TYPES:
        return ("scalar", repr(value))
    return ("object", id(value))


def apply_back(original: Any, mirror: Any) -> bool:
    """Make ``original`` (the grader's argument) equal to ``mirror`` (its state after the call) in place.

    Returns False when ``original`` cannot be changed in place (then the caller replaces it in its container).
    """
    if original is mirror:
        return True
    if isinstance(original, np.ndarray) and isinstance(mirror, np.ndarray):
        return _copy_into(original, mirror)
    if isinstance(original, dict) and isinstance(mirror, dict):
        for key in [key for key in original if key not in mirror]:
            del original[key]
        for key, item in mirror.items():
            if key not in original or not apply_back(original[key], item):
                original[key] = item
        return True
    if isinstance(original, list) and isinstance(mirror, list):
        if len(original) != len(mirror):
            original[:] = mirror
        for index, item in enumerate(mirror):
            if not apply_back(original[index], item):
                original[index] = item
        return True
    if isinstance(original, tuple) and isinstance(mirror, tuple) and len(original) == len(mirror):
        return all(apply_back(item, new) for item, new in zip(original, mirror, strict=True))
    if isinstance(original, np.random.Generator) and isinstance(mirror, RngState):
        original.bit_generator.state = mirror.state
        return True
    return bool(type(original) is type(mirror) and original == mirror)


def _copy_into(original: np.ndarray, mirror: np.ndarray) -> bool:
    if original.shape != mirror.shape or original.dtype != mirror.dtype:
        return False
    if np.array_equal(original, mirror, equal_nan=original.dtype.kind in "fc"):
        return True
    writeable = original.flags.writeable
    try:
        original.flags.writeable = True  # the submission made its copy writeable and wrote into it
    except ValueError:
        return False
    np.copyto(original, mirror)
    original.flags.writeable = writeable
    return True
