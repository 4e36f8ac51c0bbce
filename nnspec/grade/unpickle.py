"""The grader's reading of the worker's messages: data only, and never more of it than the message size allows.

A worker's pickle may name a few globals only, and none of them is NumPy's own constructor: ``numpy.ndarray``,
``numpy.dtype``, ``_reconstruct``, ``_frombuffer`` and ``scalar`` are answered with inert recipes (plain records
of the arguments and state the pickle gives them). Only after the pickle is read does ``decode`` turn the
recipes into arrays, dtypes and scalars itself, through NumPy's public constructors, after checking each size:

- a dtype is built from its recipe (never by ``dtype.__setstate__``, whose flags could claim anything); object
  dtypes are refused;
- an array is a view of a buffer the message holds (out-of-band frame or bytes in the pickle) whose length must
  equal the array's, so rebuilding allocates nothing beyond what was received;
- every value is counted where it appears (an array referenced twice counts twice, as the spec would copy it
  twice): at most ``max_bytes`` bytes and ``MAX_VALUES`` values in all, no value containing itself, nesting at
  most ``MAX_DEPTH`` deep.

Anything else, or any inconsistency, raises ``pickle.UnpicklingError`` (the grader then treats the worker as
broken). The pickle machine itself can still make containers about eight times the size of the opcodes that
build them; the opcodes are bounded by the message size the channel accepts.
"""

from __future__ import annotations

import builtins
import io
import math
import pickle
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy._core.multiarray as multiarray

from nnspec.grade import wire

MAX_VALUES = 1 << 22  # values (containers, scalars, arrays) in one message, counted where they appear
MAX_DEPTH = 100  # nesting of containers (the spec's values nest a few levels)
POINTER_BYTES = 8  # what one more reference to a value costs a container
SCALAR_BYTES = 32  # what a Python scalar costs, about
MAX_DIMENSIONS = 64  # NumPy's own limit on an array's dimensions
MAX_DTYPE_SPEC = 32  # characters of a dtype's name ("V12", "<M8", "U3")
DATETIME_UNIT = re.compile(r"[A-Za-z]{1,2}")
ALIGNED_STRUCT = 0x80  # NumPy's NPY_ALIGNED_STRUCT dtype flag
SCALARS = (type(None), bool, int, float, complex, str, bytes)
NUMPY_MODULES = ("numpy._core.multiarray", "numpy.core.multiarray", "numpy._core.numeric", "numpy.core.numeric")


class _Recipe:
    """What a pickle asked NumPy to build; ``__setstate__`` (pickle's BUILD) only records."""

    def __init__(self, *args: Any) -> None:
        self.args = args
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _DtypeRecipe(_Recipe):
    """numpy.dtype(spec, align, copy) followed by BUILD (version, byteorder, subarray, names, fields, elsize,
    alignment, flags[, datetime metadata])."""


class _ArrayRecipe(_Recipe):
    """_frombuffer(buffer, dtype, shape, order[, axis_order]), or _reconstruct(ndarray, ...) followed by BUILD
    (version, shape, dtype, is_fortran, rawdata)."""


class _ScalarRecipe(_Recipe):
    """scalar(dtype, bytes)."""


class _CarrierRecipe(_Recipe):
    """CarriedTuple / CarriedList / CarriedDict (content, handle): a container subclass's content and its handle."""


CARRIERS = {wire.CarriedTuple: tuple, wire.CarriedList: list, wire.CarriedDict: dict}  # carrier -> its content


def _carrier(kind: type) -> Any:
    return lambda *args: _CarrierRecipe(kind, *args)


def _ndarray(*_: Any) -> None:
    """What the name numpy.ndarray stands for in a worker's pickle: an argument of _reconstruct, never called."""
    raise pickle.UnpicklingError("the worker's message calls numpy.ndarray, which a message may not do")


def _reconstruct(cls: Any, *_: Any) -> _ArrayRecipe:
    if cls is not _ndarray:
        raise pickle.UnpicklingError("_reconstruct of something other than numpy.ndarray")
    return _ArrayRecipe()


GLOBALS: dict[tuple[str, str], Any] = {
    ("builtins", "complex"): builtins.complex, ("builtins", "set"): builtins.set,
    ("builtins", "frozenset"): builtins.frozenset,
    ("numpy", "ndarray"): _ndarray, ("numpy", "dtype"): _DtypeRecipe,
    **{(module, "_reconstruct"): _reconstruct for module in NUMPY_MODULES},
    **{(module, "scalar"): _ScalarRecipe for module in NUMPY_MODULES},
    **{(module, "_frombuffer"): _ArrayRecipe for module in NUMPY_MODULES},
    **{(wire.__name__, cls.__name__): cls for cls in (wire.Handle, wire.RemoteError, wire.RngState)},
    **{(wire.__name__, cls.__name__): _carrier(cls) for cls in CARRIERS},
}


class _RecipeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in GLOBALS:
            return GLOBALS[module, name]
        raise pickle.UnpicklingError(f"the worker sent a value of a forbidden type {module}.{name}")


def decode(frames: list[bytearray], max_bytes: int) -> Any:
    """A message from the worker (a pickle, then its out-of-band buffers) as plain data of at most ``max_bytes``
    bytes; pickle.UnpicklingError for anything else."""
    try:
        raw = _RecipeUnpickler(io.BytesIO(frames[0]), buffers=frames[1:]).load()
        return _Builder(max_bytes).build(raw, 0)
    except pickle.UnpicklingError:
        raise
    except Exception as error:  # a malformed pickle or recipe: the worker broke the protocol
        raise pickle.UnpicklingError(f"a malformed message ({type(error).__name__}: {wire.cut(str(error))})") from None


@dataclass
class _Builder:
    """Turns a freshly unpickled value into data, counting what it holds."""

    max_bytes: int
    used_bytes: int = 0
    used_values: int = 0
    done: dict[int, tuple[Any, int, int]] = field(default_factory=dict)  # id -> (result, bytes, values)
    open: set[int] = field(default_factory=set)
    dtypes: dict[int, np.dtype[Any]] = field(default_factory=dict)

    def charge(self, size: int, values: int = 1) -> None:
        self.used_bytes += size
        self.used_values += values
        if self.used_bytes > self.max_bytes:
            raise pickle.UnpicklingError(f"a message holding more than the {self.max_bytes} bytes allowed")
        if self.used_values > MAX_VALUES:
            raise pickle.UnpicklingError(f"a message holding more than {MAX_VALUES} values")

    def build(self, value: Any, depth: int) -> Any:
        if type(value) in SCALARS:
            self.charge(SCALAR_BYTES + _scalar_size(value))
            return value
        if depth > MAX_DEPTH:
            raise pickle.UnpicklingError(f"a value nested more than {MAX_DEPTH} levels deep")
        key = id(value)
        if key in self.done:  # a value referenced again: the same result, counted again
            result, size, values = self.done[key]
            self.charge(size, values)
            return result
        if key in self.open:
            raise pickle.UnpicklingError("a value that contains itself")
        self.open.add(key)
        bytes_before, values_before = self.used_bytes, self.used_values
        result = self._build_new(value, depth + 1)
        self.open.discard(key)
        self.done[key] = (result, self.used_bytes - bytes_before, self.used_values - values_before)
        return result

    def _build_new(self, value: Any, depth: int) -> Any:
        kind = type(value)
        if kind in (list, tuple, set, frozenset):
            self.charge(POINTER_BYTES * len(value))
            return kind(self.build(item, depth) for item in value)
        if kind is dict:
            self.charge(2 * POINTER_BYTES * len(value))
            return {self.build(key, depth): self.build(item, depth) for key, item in value.items()}
        if kind is _ArrayRecipe:
            array = self._array(value, depth)
            self.charge(array.nbytes)
            return array
        if kind is _ScalarRecipe:
            return self._scalar(value, depth)
        if kind is wire.Handle:
            self.charge(SCALAR_BYTES)
            return wire.Handle(_exact(value.generation, int), _exact(value.key, int), _exact(value.kind, str))
        if kind is wire.RemoteError:
            return self._remote_error(value, depth)
        if kind is wire.RngState:
            state = self.build(value.state, depth)
            return wire.RngState(_exact(state, dict))
        if kind is _CarrierRecipe:
            return self._carried(value, depth)
        raise pickle.UnpicklingError(f"the worker sent a value of a forbidden type {kind.__name__}")

    def _carried(self, recipe: _CarrierRecipe, depth: int) -> Any:
        carrier, content, handle = recipe.args
        built = _exact(self.build(content, depth), CARRIERS[carrier])
        return carrier(built, _exact(self.build(handle, depth), wire.Handle))

    def _remote_error(self, error: wire.RemoteError, depth: int) -> wire.RemoteError:
        parts = [self.build(getattr(error, name), depth) for name in ("type_name", "bases", "message", "traceback")]
        type_name, bases, message, lines = parts
        if not all(isinstance(part, str) for part in (type_name, message, *_exact(bases, tuple),
                                                       *_exact(lines, tuple))):
            raise pickle.UnpicklingError("an exception whose parts are not all text")
        return wire.RemoteError(type_name, bases, message, lines, _exact(error.fatal, bool))

    def _scalar(self, recipe: _ScalarRecipe, depth: int) -> Any:
        descriptor, data = recipe.args
        dtype = self._dtype(descriptor, depth)
        if type(data) is not bytes or len(data) != dtype.itemsize:
            raise pickle.UnpicklingError(f"a {dtype} scalar whose data is not {dtype.itemsize} bytes")
        self.charge(SCALAR_BYTES + dtype.itemsize)
        return multiarray.scalar(dtype, data)

    def _array(self, recipe: _ArrayRecipe, depth: int) -> np.ndarray:
        if recipe.args:  # _frombuffer(buffer, dtype, shape, order[, axis_order])
            buffer, descriptor, shape, order, *rest = recipe.args
            axis_order, copy = (rest[0] if rest else None), False
        else:  # _reconstruct, then BUILD (version, shape, dtype, is_fortran, rawdata): NumPy's copy is writable
            _, shape, descriptor, fortran, buffer = recipe.state
            order, axis_order, copy = ("F" if _exact(fortran, bool) else "C"), None, True
        dtype = self._dtype(descriptor, depth)
        shape = _shape(shape)
        size = math.prod(shape) * dtype.itemsize
        if size > self.max_bytes - self.used_bytes:
            raise pickle.UnpicklingError(f"an array of {size} bytes, more than the {self.max_bytes} allowed")
        view = memoryview(_buffer(buffer))
        if view.nbytes != size:
            raise pickle.UnpicklingError(f"an array of shape {shape} and dtype {dtype} sent with {view.nbytes} bytes")
        data = bytearray(view) if copy else view
        flat = np.frombuffer(data, dtype=dtype) if size else np.empty(0, dtype=dtype)
        if order not in ("C", "F", "A", "K"):
            raise pickle.UnpicklingError(f"an array of order {order!r}")
        if order == "K" and axis_order is not None:
            return flat.reshape(shape, order="C").transpose(_shape(axis_order))
        return flat.reshape(shape, order=order)

    def _dtype(self, recipe: Any, depth: int) -> np.dtype[Any]:
        if depth > MAX_DEPTH:
            raise pickle.UnpicklingError(f"a dtype nested more than {MAX_DEPTH} levels deep")
        if type(recipe) is not _DtypeRecipe or recipe.state is None:
            raise pickle.UnpicklingError("an array or scalar without a dtype")
        if id(recipe) in self.dtypes:
            return self.dtypes[id(recipe)]
        dtype = _make_dtype(recipe, lambda inner: self._dtype(inner, depth + 1))
        if dtype.hasobject:
            raise pickle.UnpicklingError("an array of Python objects")
        if dtype.itemsize > self.max_bytes:
            raise pickle.UnpicklingError(f"a dtype of {dtype.itemsize} bytes")
        self.dtypes[id(recipe)] = dtype
        return dtype


def _make_dtype(recipe: _DtypeRecipe, inner: Any) -> np.dtype[Any]:
    """The dtype a pickle's numpy.dtype recipe describes, made by NumPy's public constructor; ``inner`` builds
    the recipes of fields and subarrays."""
    spec = _exact(recipe.args[0], str)
    if len(spec) > MAX_DTYPE_SPEC or spec.lstrip("<>|=")[:1] in ("O", ""):
        raise pickle.UnpicklingError(f"a dtype {spec[:MAX_DTYPE_SPEC]!r}")
    _, byteorder, subarray, names, fields, elsize, _, flags, *metadata = recipe.state
    if subarray is not None:
        base, shape = subarray
        return np.dtype((inner(base), _shape(shape)))
    if names is not None:
        entries = [_exact(fields, dict)[_exact(name, str)] for name in _exact(names, tuple)]
        return np.dtype({
            "names": list(names), "formats": [inner(entry[0]) for entry in entries],
            "offsets": [_exact(entry[1], int) for entry in entries],
            "titles": [entry[2] if len(entry) > 2 else None for entry in entries],
            "itemsize": _exact(elsize, int), "aligned": bool(_exact(flags, int) & ALIGNED_STRUCT),
        })
    if metadata and metadata[0] is not None:  # datetime64/timedelta64: (metadata, (unit, count, ...))
        unit, count = metadata[0][1][:2]
        unit = _exact(unit, bytes).decode("ascii")
        if not DATETIME_UNIT.fullmatch(unit):
            raise pickle.UnpicklingError(f"a datetime unit {unit!r}")
        spec = f"{spec}[{_exact(count, int)}{unit}]"
    dtype = np.dtype(spec)
    if byteorder in ("<", ">") and dtype.byteorder not in ("|", byteorder):
        dtype = dtype.newbyteorder(byteorder)
    return dtype


def _exact(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise pickle.UnpicklingError(f"a {type(value).__name__} where a {kind.__name__} belongs")
    return value


def _shape(value: Any) -> tuple[int, ...]:
    shape = _exact(value, tuple)
    if len(shape) > MAX_DIMENSIONS or not all(type(axis) is int and axis >= 0 for axis in shape):
        raise pickle.UnpicklingError("an array shape that is not a tuple of at most 64 sizes")
    return shape


def _buffer(buffer: Any) -> Any:
    """The bytes an array is made of: received bytes or an out-of-band frame, nothing else."""
    if not isinstance(buffer, (bytes, bytearray, memoryview, pickle.PickleBuffer)):
        raise pickle.UnpicklingError(f"array data of type {type(buffer).__name__}")
    return buffer


def _scalar_size(value: Any) -> int:
    if isinstance(value, (str, bytes)):
        return len(value)
    return value.bit_length() // 8 if type(value) is int else 0
