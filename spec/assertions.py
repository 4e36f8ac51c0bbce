"""The one place where failure messages are built.

Every message starts with the running requirement (``[ID] statement (source: ...)``), names the contract
function and its inputs, then says what was expected, what came back, where they differ most, and - when the
numbers fit a common mistake - a hint. Small arrays are printed in full, large ones summarised.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest

from spec.calls import Change, changes, first_change, read_only_copy
from spec.calls import scalar as _scalar
from spec.requirements import current

SMALL_ARRAY = 24  # arrays with at most this many elements are printed in full
PRINT_PRECISION = 10  # significant digits printed for array elements
MAX_REPR = 300  # characters kept from the repr of anything that is not an array
RATIO_AGREEMENT = 1e-6  # relative spread allowed among got/expected ratios for "got = k * expected"
ALTERNATIVE_RTOL = 1e-6  # how closely a result must match a known wrong answer to name it
SPEC_DIR = Path(__file__).resolve().parent


def header() -> str:
    """``[ID] statement (source: ...)`` of the running requirement."""
    req = current()
    return f"[{req.id}] {req.statement} (source: {req.source})"


def _fail(lines: Sequence[str], notice: bool = True) -> NoReturn:
    """Fail the running requirement; ``notice``: say first when a call of this test modified an argument."""
    pytest.fail("\n".join([header(), *(_modified_notice() if notice else []), *lines]), pytrace=False)


def _modified_notice() -> list[str]:
    """A line per argument modified by a call during this test (the spec put it back after the call)."""
    return [f"note: your function {change.function} modified its argument `{change.argument}`{change.where}; the "
            "values below come from the returned result, and the inputs are shown as they were before the call "
            "(the modification itself fails the chapter's purity requirement)" for change in changes()]


def describe(value: Any) -> str:
    """A readable summary of a value: small arrays in full, large ones as shape/dtype/min/max."""
    if isinstance(value, np.ndarray):
        return _describe_array(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key!r}: {describe(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (tuple, list)) and any(isinstance(item, np.ndarray) for item in value):
        return "(" + ", ".join(describe(item) for item in value) + ")"
    text = repr(value)
    return text if len(text) <= MAX_REPR else text[:MAX_REPR] + "..."


def _describe_array(arr: np.ndarray) -> str:
    if arr.size <= SMALL_ARRAY:
        body = np.array2string(arr, precision=PRINT_PRECISION, separator=", ", max_line_width=100)
        return f"{body} (shape {arr.shape}, {arr.dtype})"
    if np.issubdtype(arr.dtype, np.number) and arr.size:
        finite = arr[np.isfinite(arr)]
        low, high = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
        return f"array of shape {arr.shape}, {arr.dtype}, min {low:.6g}, max {high:.6g}"
    return f"array of shape {arr.shape}, {arr.dtype}"


def labelled(label: str, value: Any) -> str:
    """``label`` followed by ``describe(value)``, continuation lines indented under the value."""
    return label + describe(value).replace("\n", "\n" + " " * len(label))


def describe_call(fn: str, inputs: Mapping[str, Any]) -> list[str]:
    """Lines naming the contract call: ``in sigmoid(z)`` then one line per input."""
    lines = [f"in {fn}({', '.join(inputs)})"]
    lines += [labelled(f"    {name} = ", value) for name, value in inputs.items()]
    return lines


def _shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str | None:
    if len(got) == 2 and got == expected[::-1] and got != expected:
        return "hint: the shape is transposed (samples are COLUMNS in the contract's column-major layout)"
    if len(expected) == 2 and expected[1] == 1 and got == (expected[0],):
        return "hint: a 1-D array where a column of shape (n, 1) is expected (keep the axis: keepdims=True)"
    if got in ((*expected, 1), expected[:-1]) or got == () or expected == ():
        return "hint: the number of dimensions differs (a squeezed or extra axis?)"
    return None


def assert_shape(got: Any, shape: Sequence[int], *, fn: str, inputs: Mapping[str, Any], what: str) -> None:
    """``got`` has exactly ``shape``."""
    got_shape, expected = np.shape(got), tuple(shape)
    if got_shape == expected:
        return
    hint = _shape_hint(got_shape, expected)
    _fail([*describe_call(fn, inputs), f"{what}: expected shape {expected}, got shape {got_shape}", *_opt(hint)])


def assert_dtype(got: Any, dtype: Any, *, fn: str, inputs: Mapping[str, Any], what: str) -> None:
    """``got`` is an array of exactly ``dtype``."""
    got_dtype, expected = np.asarray(got).dtype, np.dtype(dtype)
    if got_dtype == expected:
        return
    hint = None
    if expected == np.float32 and got_dtype == np.float64:
        hint = "hint: float32 inputs must give float32 results; a float64 constant or array upcast them"
    _fail([*describe_call(fn, inputs), f"{what}: expected dtype {expected}, got dtype {got_dtype}", *_opt(hint)])


def assert_finite(got: Any, *, fn: str, inputs: Mapping[str, Any], what: str) -> None:
    """Every element of ``got`` is finite (no nan, no inf)."""
    arr = np.asarray(got, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if not bad.any():
        return
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    _fail([
        *describe_call(fn, inputs),
        f"{what}: {int(bad.sum())} of {arr.size} elements are not finite; first at index {index}: "
        f"{_scalar(arr[index])}",
        labelled("got ", np.asarray(got)),
        "hint: use a numerically stable formula (e.g. never exponentiate a large positive number)",
    ])


def assert_equal(got: Any, expected: Any, *, fn: str, inputs: Mapping[str, Any], what: str = "result") -> None:
    """``got`` equals ``expected`` exactly (arrays: same shape and elements; anything else: ``==``)."""
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        assert_shape(got, np.shape(expected), fn=fn, inputs=inputs, what=what)
        got_arr, expected_arr = np.asarray(got), np.asarray(expected)
        differ = got_arr != expected_arr
        if not differ.any():
            return
        index = tuple(int(i) for i in np.argwhere(differ)[0]) if differ.ndim else ()
        detail = f"{int(np.sum(differ))} of {expected_arr.size} elements differ; first at index {index}: " \
                 f"expected {_scalar(expected_arr[index])}, got {_scalar(got_arr[index])}"
    elif got == expected and type(got) is type(expected):
        return
    else:
        detail = f"expected {type(expected).__name__}, got {type(got).__name__}"
    _fail([*describe_call(fn, inputs), labelled(f"{what}: expected ", expected), labelled("got ", got), detail])


def assert_close(
    got: Any,
    expected: Any,
    *,
    fn: str,
    inputs: Mapping[str, Any],
    what: str = "result",
    rtol: float = 1e-7,
    atol: float = 0.0,
    m: int | None = None,
    alternatives: Mapping[str, Any] | None = None,
) -> None:
    """Elementwise ``|got - expected| <= atol + rtol * |expected|``, same shape.

    ``m`` (the batch size) enables the "forgot the 1/m" hint; ``alternatives`` maps a description of a known
    wrong answer (e.g. "the softmax over axis 1") to its value, named in the hint when ``got`` matches it.
    """
    expected_arr = np.asarray(expected, dtype=np.float64)
    assert_shape(got, expected_arr.shape, fn=fn, inputs=inputs, what=what)
    got_arr = np.asarray(got, dtype=np.float64)
    if np.isclose(got_arr, expected_arr, rtol=rtol, atol=atol).all():
        return
    tolerance = f"tolerance: atol {atol:g} + rtol {rtol:g} * |expected|"
    lines = [*describe_call(fn, inputs), *_discrepancy(got_arr, expected_arr, what), tolerance]
    _fail(lines + _opt(_value_hint(got_arr, expected_arr, what, m, alternatives)))


@np.errstate(all="ignore")  # a message about broken numbers must not itself warn
def relative_error(a: Any, b: Any) -> float:
    """``norm(a - b) / max(norm(a), norm(b))``, 0 when both are 0 (the measure used for gradient checks)."""
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(float(np.linalg.norm(a64)), float(np.linalg.norm(b64)))
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a64 - b64)) / scale


def assert_gradient_matches(
    got: Any,
    numeric: Any,
    *,
    fn: str,
    inputs: Mapping[str, Any],
    what: str = "gradient",
    max_relative_error: float = 1e-7,
    atol: float = 0.0,
    m: int | None = None,
    alternatives: Mapping[str, Any] | None = None,
    reference_name: str = "numerical (central differences)",
) -> None:
    """``relative_error(got, numeric) < max_relative_error``, with ``numeric`` a finite-difference gradient.

    ``reference_name`` names the comparison value in the message (e.g. "known gradient" when ``got`` is the
    implementation's own finite difference).

    ``atol`` (default 0) also accepts ``max |got - numeric| <= atol``: the floor for gradients so close to 0
    that the differences' rounding error dominates their norm (pass the rounding bound of the difference).
    """
    numeric_arr = np.asarray(numeric, dtype=np.float64)
    assert_shape(got, numeric_arr.shape, fn=fn, inputs=inputs, what=what)
    got_arr = np.asarray(got, dtype=np.float64)
    error = relative_error(got_arr, numeric_arr) if np.isfinite(got_arr).all() else np.inf
    if error < max_relative_error or float(np.max(np.abs(got_arr - numeric_arr), initial=0.0)) <= atol:
        return
    lines = [*describe_call(fn, inputs), *_discrepancy(got_arr, numeric_arr, what, reference_name)]
    lines.append(f"relative error norm(got - {reference_name.split()[0]}) / max norm = {error:.3g}, "
                 f"allowed < {max_relative_error:g}"
                 + (f" (or every |difference| <= {atol:g})" if atol else ""))
    _fail(lines + _opt(_value_hint(got_arr, numeric_arr, what, m, alternatives)))


def assert_unchanged(before: Any, after: Any, *, fn: str, what: str) -> None:
    """An argument is the same after the call as the copy taken before it (purity).

    The spec puts back every argument a call modified (spec/calls.py), so besides comparing ``before`` with
    ``after`` this looks up the calls of ``fn`` during the running test that modified an argument (``what``'s
    first, else any)."""
    where = first_change(before, after)
    if where is not None:
        _fail_modified(Change(fn, what, where, before, after))
    recorded = changes(fn)
    if recorded:
        _fail_modified(next((change for change in recorded if change.argument == what), recorded[0]))


def _fail_modified(change: Change) -> NoReturn:
    _fail([
        f"{change.function} modified its argument {change.argument}{change.where}",
        labelled("before the call: ", change.before),
        labelled("after the call:  ", change.after),
        "hint: contract functions are pure; work on a copy (x = x.copy()) or build a new array instead of "
        "assigning into the argument (x[...] = ..., x += ...)",
    ], notice=False)


def check(condition: bool, message: str) -> None:
    """Anything else: fail with the requirement header and ``message`` unless ``condition`` holds."""
    if not condition:
        _fail([message])


def fail_raised(fn: str, inputs: Mapping[str, Any], error: BaseException) -> NoReturn:
    """The implementation raised ``error`` while called as ``fn(**inputs)``: show the call and its own frames."""
    frames = [
        frame for frame in traceback.extract_tb(error.__traceback__)
        if not Path(frame.filename).resolve().is_relative_to(SPEC_DIR)
    ]
    lines = [*describe_call(fn, inputs), f"the implementation raised {type(error).__name__}: {error}"]
    if frames:
        lines += ["traceback inside the implementation (most recent call last):"]
        lines += [line.rstrip("\n") for line in traceback.format_list(frames)]
    _fail(lines)


def _opt(line: str | None) -> list[str]:
    return [] if line is None else [line]


@np.errstate(all="ignore")  # a message about broken numbers must not itself warn
def _discrepancy(got: np.ndarray, expected: np.ndarray, what: str, expected_name: str = "expected") -> list[str]:
    diff = np.abs(got - expected)
    diff = np.where(np.isnan(diff), np.inf, diff)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    place = f" at index {tuple(int(i) for i in index)}" if diff.ndim else ""
    return [
        labelled(f"{what}, {expected_name}: ", expected),
        labelled(f"{what}, got: ", got),
        f"largest discrepancy{place}: {expected_name} {_scalar(expected[index])}, got {_scalar(got[index])} "
        f"(|difference| {diff[index]:.3g})",
    ]


@np.errstate(all="ignore")  # a message about broken numbers must not itself warn
def _common_ratio(got: np.ndarray, expected: np.ndarray) -> float | None:
    """k when got = k * expected elementwise (to RATIO_AGREEMENT), else None."""
    scale = float(np.max(np.abs(expected), initial=0.0))
    nonzero = np.abs(expected) > RATIO_AGREEMENT * scale
    if scale == 0.0 or not np.isfinite(got).all() or np.any(np.abs(got[~nonzero]) > RATIO_AGREEMENT * scale):
        return None
    ratios = got[nonzero] / expected[nonzero]
    k = float(np.median(ratios))
    return k if np.all(np.abs(ratios - k) <= RATIO_AGREEMENT * max(abs(k), 1.0)) else None


@np.errstate(all="ignore")  # a message about broken numbers must not itself warn
def _value_hint(
    got: np.ndarray, expected: np.ndarray, what: str, m: int | None, alternatives: Mapping[str, Any] | None
) -> str | None:
    for name, value in (alternatives or {}).items():
        alt = np.asarray(value, dtype=np.float64)
        if alt.shape == got.shape and np.allclose(got, alt, rtol=ALTERNATIVE_RTOL, atol=0.0):
            return f"hint: your {what} equals {name}"
    k = _common_ratio(got, expected)
    if k is None:
        return "hint: your result is all zeros" if not got.any() and expected.any() else None
    for factor, hint in _factor_hints(what, m):
        if abs(k - factor) <= RATIO_AGREEMENT * abs(factor):
            return f"hint: your {what} is {k:.6g} times the expected value: {hint}"
    return None


def _factor_hints(what: str, m: int | None) -> list[tuple[float, str]]:
    hints: list[tuple[float, str]] = []
    if m is not None and m > 1:
        hints += [
            (float(m), f"m = {m} times too large: did you forget the 1/m (mean over the batch)?"),
            (1.0 / m, f"m = {m} times too small: did you divide by m twice?"),
            (-float(m), "the sign is flipped AND the 1/m is missing"),
        ]
    hints += [
        (-1.0, "the sign is flipped (gradient of -f, or y - y_hat instead of y_hat - y?)"),
        (2.0, "a factor 2 too large (a 2 from differentiating a square, or a term counted twice?)"),
        (0.5, "a factor 2 too small (a missing factor 2, or an extra 1/2?)"),
    ]
    return hints


def assert_pure_call(function: Any, fn: str, inputs: Mapping[str, Any]) -> Any:
    """Call ``function(*inputs.values())`` on read-only copies of ``inputs`` and fail if any input changed.

    Writing into a read-only array raises inside the implementation (reported with the call); dict arguments
    cannot be frozen, so keys added or removed are caught by the record of the call (spec/calls.py). Returns the
    result.
    """
    passed = {name: read_only_copy(value) for name, value in inputs.items()}
    result = function(*passed.values())
    for name, value in inputs.items():
        assert_unchanged(value, passed[name], fn=fn, what=name)
    return result
