"""The implementation under test behind a proxy that checks every argument the spec passes against the contract.

Loaded in a spec run with ``-p tests.contract_proxy --contract-violations PATH`` (tests/test_spec_obeys_contract.py).
Every call the spec makes, through ``impl.<name>`` or ``impl.raw(name)``, is first checked against docs/contract.md:
the arguments bind to the signature of spec/contract.py (keyword names exist, nothing is missing or given twice),
parameter dicts hold ``W1..WL`` and ``b1..bL`` (both, for every layer) with chained shapes, gradient dicts match
them, arrays have the documented shapes and float32/float64 (or, for labels and masks, integer/boolean) dtypes,
and names of activations, losses and methods are among the contract's. Then the call goes on unchanged.

Violations are written to PATH as JSON, by test. Calls that feed bad input on purpose are left out: every call of
a test marked ``bad_input``, and a ``raw`` call that raised (the spec expected the refusal).
"""

from __future__ import annotations

import inspect
import json
import numbers
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from spec.contract import FUNCTIONS
from spec.impl import Batch, Chain, made_one_by_one

BAD_INPUT_MARKER = "bad_input"
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
HIDDEN = {"relu", "leaky_relu", "sigmoid", "tanh", "gelu"}
OUTPUT = {"sigmoid", "softmax", "linear"}
LOSSES = {"binary_cross_entropy", "categorical_cross_entropy", "mse"}
METHODS = {"he", "xavier", "lecun", "zeros"}
MAX_PER_TEST = 20  # distinct violations kept per test (hypothesis repeats the same one for every example)


def _signature(text: str) -> inspect.Signature:
    """The contract's parameter list (spec/contract.py, our own trusted text) as a signature."""
    namespace: dict[str, Any] = {}
    exec(f"def function{text}: pass", namespace)
    return inspect.signature(namespace["function"])


SIGNATURES = {name: _signature(text) for name, text in FUNCTIONS.items()}

Problems = list[str]


# --- one argument --------------------------------------------------------------------------------------------

def _array(value: Any, ndim: int | None = None, labels: bool = False) -> Problems:
    """A NumPy array of float32/float64 (or of integers/booleans when ``labels``), with ``ndim`` dimensions."""
    if not isinstance(value, np.ndarray):
        return [f"is a {type(value).__name__}, not a NumPy array"]
    allowed = value.dtype in FLOATS or (labels and value.dtype.kind in "biu")
    problems = [] if allowed else [f"has dtype {value.dtype} (the contract takes float32 or float64"
                                   f"{', or integer/boolean labels' if labels else ''})"]
    if ndim is not None and value.ndim != ndim:
        problems.append(f"has shape {value.shape}, not {ndim}-D")
    return problems


def _column(value: Any) -> Problems:
    """An (n, 1) float array (a bias, gamma, beta, a running statistic)."""
    problems = _array(value, 2)
    if not problems and value.shape[1] != 1:
        problems.append(f"has shape {value.shape}, not (n, 1)")
    return problems


def _number(value: Any) -> Problems:
    is_real = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    return [] if is_real else [f"is {value!r}, not a real number"]


def _integer(value: Any) -> Problems:
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    return [] if is_int else [f"is {value!r}, not an integer"]


def _flag(value: Any) -> Problems:
    return [] if isinstance(value, (bool, np.bool_)) else [f"is {value!r}, not a bool"]


def _one_of(choices: set[str]) -> Callable[[Any], Problems]:
    def rule(value: Any) -> Problems:
        return [] if value in choices else [f"is {value!r}, not one of {sorted(choices)}"]

    return rule


def _layers(parameters: Mapping[str, Any], prefix: str) -> int:
    """L, the number of layers of a parameters (or gradients) dict: the largest index of a W."""
    indices = [key.removeprefix(f"{prefix}W") for key in parameters if isinstance(key, str)]
    return max((int(index) for index in indices if index.isdigit()), default=0)


def _parameters(value: Any, prefix: str = "") -> Problems:
    """{"W1", "b1", ..., "WL", "bL"} (each name after ``prefix``: "d" for gradients), W{l} of shape
    (n_l, n_{l-1}) and b{l} of shape (n_l, 1), as documented."""
    if not isinstance(value, Mapping):
        return [f"is a {type(value).__name__}, not a dict"]
    count = _layers(value, prefix)
    expected = {f"{prefix}{kind}{layer}" for layer in range(1, count + 1) for kind in "Wb"}
    if count == 0 or set(value) != expected:
        return [f"has keys {sorted(map(str, value))}; the contract's are {prefix}W1..{prefix}WL and "
                f"{prefix}b1..{prefix}bL, both for every layer"]
    problems: Problems = []
    for layer in range(1, count + 1):
        W, b = value[f"{prefix}W{layer}"], value[f"{prefix}b{layer}"]
        found = [f"{prefix}W{layer} {problem}" for problem in _array(W, 2)]
        found += [f"{prefix}b{layer} {problem}" for problem in _column(b)]
        if not found and b.shape[0] != W.shape[0]:
            found.append(f"{prefix}b{layer} has shape {b.shape}; {prefix}W{layer} {W.shape} needs ({W.shape[0]}, 1)")
        previous = value[f"{prefix}W{layer - 1}"] if layer > 1 else None
        if not found and isinstance(previous, np.ndarray) and previous.ndim == 2 and W.shape[1] != previous.shape[0]:
            found.append(f"{prefix}W{layer} {W.shape} does not follow {prefix}W{layer - 1} {previous.shape}")
        problems += found
    return problems


def _gradients(value: Any) -> Problems:
    """{"dW1", "db1", ..., "dWL", "dbL"}, shaped as the parameters."""
    return _parameters(value, prefix="d")


def _layer_dims(value: Any) -> Problems:
    if not isinstance(value, (list, tuple)) or len(value) < 2 or any(_integer(n) or n < 1 for n in value):
        return [f"is {value!r}, not a list of at least two positive layer sizes"]
    return []


def _batch_size(value: Any) -> Problems:
    return [] if value is None or (not _integer(value) and value >= 1) else [f"is {value!r}, not None or >= 1"]


def _optional_column(value: Any) -> Problems:
    return [] if value is None else _column(value)


def _anything(value: Any) -> Problems:
    return []


def _generator(value: Any) -> Problems:
    return [] if isinstance(value, np.random.Generator) else [f"is a {type(value).__name__}, not a np.random.Generator"]


def _function(value: Any) -> Problems:
    return [] if callable(value) else [f"is a {type(value).__name__}, not a function"]


# Rules by parameter name; FUNCTION_RULES overrides a name where functions use it differently.
RULES: dict[str, Callable[[Any], Problems]] = {
    "z": _array, "alpha": _number, "approximate": _flag, "axis": _integer,
    "AL": _array, "Y": lambda value: _array(value, labels=True), "loss": _one_of(LOSSES),
    "w": lambda value: _array(value, 1), "x": lambda value: _array(value, 1), "b": _number,
    "y": _integer, "learning_rate": _number, "X": lambda value: _array(value, 2), "epochs": _integer,
    "A_prev": lambda value: _array(value, 2), "W": lambda value: _array(value, 2), "dZ": lambda value: _array(value, 2),
    "layer_dims": _layer_dims, "method": _one_of(METHODS), "seed": _integer,
    "parameters": _parameters, "grads": _gradients, "caches": _anything, "cache": _anything, "state": _anything,
    "hidden_activation": _one_of(HIDDEN), "output_activation": _one_of(OUTPUT), "batch_size": _batch_size,
    "beta": _number, "beta1": _number, "beta2": _number, "eps": _number, "weight_decay": _number,
    "lambd": _number, "A": _array, "p": _number, "rng": _generator, "dA_out": _array,
    "mask": lambda value: _array(value, labels=True),
    "gamma": _column, "training": _flag, "running_mean": _optional_column, "running_var": _optional_column,
    "momentum": _number, "dY": lambda value: _array(value, 2),
    "f": _function, "a": _array,
}
FUNCTION_RULES: dict[str, dict[str, Callable[[Any], Problems]]] = {
    "linear_forward": {"b": _column},
    "relative_error": {"b": _array},
    "perceptron_train": {"y": lambda value: _array(value, 1, labels=True)},
    "numerical_gradient": {"x": _array},
    "batchnorm_forward": {"beta": _column},
    "layernorm_forward": {"beta": _column},
}


# --- arguments together ----------------------------------------------------------------------------------------

def _arg(arguments: dict[str, Any], name: str) -> Any:
    """The argument called ``name`` (None when the function has no such parameter)."""
    return arguments.get(name)


def _shape(value: Any) -> tuple[int, ...] | None:
    return value.shape if isinstance(value, np.ndarray) else None


def _same_shape(first: str, second: str) -> Callable[[dict[str, Any]], Problems]:
    def rule(arguments: dict[str, Any]) -> Problems:
        one, other = _shape(_arg(arguments, first)), _shape(_arg(arguments, second))
        if one is None or other is None or one == other:
            return []
        return [f"{first} {one} and {second} {other} differ in shape (nothing is broadcast)"]

    return rule


def _categorical(arguments: dict[str, Any]) -> Problems:
    shape = _shape(_arg(arguments, "AL"))
    return [] if shape is None or len(shape) == 2 else [f"AL {shape} is not 2-D (K, m) (decision 4)"]


def _compute_cost(arguments: dict[str, Any]) -> Problems:
    categorical = _arg(arguments, "loss") == "categorical_cross_entropy"
    return _same_shape("AL", "Y")(arguments) + (_categorical(arguments) if categorical else [])


def _weights_match(function: str) -> Callable[[dict[str, Any]], Problems]:
    """X (n_0, m) enters W1 (n_1, n_0) of ``parameters``."""

    def rule(arguments: dict[str, Any]) -> Problems:
        X, parameters = _shape(_arg(arguments, "X")), _arg(arguments, "parameters")
        if X is None or _parameters(parameters) or X[0] == parameters["W1"].shape[1]:
            return []
        return [f"{function}: X {X} does not fit W1 {parameters['W1'].shape}"]

    return rule


def _gradients_match(arguments: dict[str, Any]) -> Problems:
    parameters, grads = _arg(arguments, "parameters"), _arg(arguments, "grads")
    if _parameters(parameters) or _gradients(grads):
        return []
    shapes = {f"d{key}": value.shape for key, value in parameters.items()}
    got = {key: value.shape for key, value in grads.items()}
    return [] if shapes == got else [f"grads {got} do not match the parameters {shapes}"]


def _linear(arguments: dict[str, Any]) -> Problems:
    """A_prev (n_prev, m), W (n, n_prev), and b (n, 1) or dZ (n, m)."""
    A_prev, W = _shape(_arg(arguments, "A_prev")), _shape(_arg(arguments, "W"))
    b, dZ = _shape(_arg(arguments, "b")), _shape(_arg(arguments, "dZ"))
    if A_prev is None or W is None or len(A_prev) != 2 or len(W) != 2:
        return []
    problems = [] if W[1] == A_prev[0] else [f"W {W} does not fit A_prev {A_prev}"]
    if b is not None and b != (W[0], 1):
        problems.append(f"b {b} is not ({W[0]}, 1) for W {W}")
    if dZ is not None and dZ != (W[0], A_prev[1]):
        problems.append(f"dZ {dZ} is not ({W[0]}, {A_prev[1]}) for W {W} and A_prev {A_prev}")
    return problems


def _perceptron(arguments: dict[str, Any]) -> Problems:
    w, x, y = _shape(_arg(arguments, "w")), _shape(_arg(arguments, "x")), _arg(arguments, "y")
    problems = [] if w is None or x is None or w == x else [f"w {w} and x {x} differ in shape"]
    if y is not None and y not in (0, 1):
        problems.append(f"y is {y!r}, not 0 or 1")
    return problems


def _perceptron_train(arguments: dict[str, Any]) -> Problems:
    X, y = _shape(_arg(arguments, "X")), _arg(arguments, "y")
    if X is None or _shape(y) is None:
        return []
    problems = [] if y.shape == (X[1],) else [f"y {y.shape} is not ({X[1]},) for X {X}"]
    return problems + ([] if np.isin(y, (0, 1)).all() else ["y holds labels other than 0 and 1"])


def _train(arguments: dict[str, Any]) -> Problems:
    X, Y, dims = _shape(_arg(arguments, "X")), _shape(_arg(arguments, "Y")), _arg(arguments, "layer_dims")
    if X is None or Y is None or _layer_dims(dims) or len(X) != 2 or len(Y) != 2:
        return []
    if X[1] != Y[1] or X[0] != dims[0] or Y[0] != dims[-1]:
        return [f"X {X}, Y {Y} and layer_dims {list(dims)} do not fit together"]
    return []


def _mask(arguments: dict[str, Any]) -> Problems:
    mask = _arg(arguments, "mask")
    problems = _same_shape("dA_out", "mask")(arguments)
    if isinstance(mask, np.ndarray) and not np.isin(mask, (0, 1)).all():
        problems.append("mask holds values other than 0 and 1 (the contract's mask is a 0/1 keep-mask)")
    return problems


def _normalization(arguments: dict[str, Any]) -> Problems:
    X = _shape(_arg(arguments, "X"))
    if X is None or len(X) != 2:
        return []
    names = ("gamma", "beta", "running_mean", "running_var")
    return [f"{name} {_shape(arguments[name])} is not ({X[0]}, 1) for X {X}" for name in names
            if _shape(_arg(arguments, name)) not in (None, (X[0], 1))]


CROSS: dict[str, list[Callable[[dict[str, Any]], Problems]]] = {
    **{name: [_same_shape("AL", "Y")] for name in (
        "mse", "mse_gradient", "binary_cross_entropy", "binary_cross_entropy_gradient")},
    "categorical_cross_entropy": [_same_shape("AL", "Y"), _categorical],
    "categorical_cross_entropy_gradient": [_same_shape("AL", "Y"), _categorical],
    "compute_cost": [_compute_cost],
    "backward": [_same_shape("AL", "Y")],
    "forward": [_weights_match("forward")],
    "predict": [_weights_match("predict")],
    "update_parameters": [_gradients_match],
    **{name: [_gradients_match] for name in ("sgd_momentum_update", "rmsprop_update", "adam_update", "adamw_update")},
    "linear_forward": [_linear],
    "linear_backward": [_linear],
    "perceptron_predict": [_perceptron],
    "perceptron_update": [_perceptron],
    "perceptron_train": [_perceptron_train],
    "train": [_train],
    "dropout_backward": [_mask],
    "batchnorm_forward": [_normalization],
    "layernorm_forward": [_normalization],
    "relative_error": [_same_shape("a", "b")],
}


def violations(function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Problems:
    """What is wrong, by docs/contract.md, with calling ``function(*args, **kwargs)``."""
    if function not in SIGNATURES:
        return [f"{function} is not a contract function"]
    try:
        bound = SIGNATURES[function].bind(*args, **kwargs)
    except TypeError as error:
        return [f"{function}{SIGNATURES[function]}: {error}"]
    arguments = dict(bound.arguments)
    rules = {**RULES, **FUNCTION_RULES.get(function, {})}
    problems = [f"{function}: {name} {problem}" for name, value in arguments.items()
                for problem in rules[name](value)]
    return problems + [f"{function}: {problem}" for rule in CROSS.get(function, []) for problem in rule(arguments)]


# --- the proxy and the plugin ----------------------------------------------------------------------------------

class Recorder:
    """Violations by test (node ID); ``bad_input`` tests' apart."""

    def __init__(self) -> None:
        self.test = "<outside a test>"
        self.bad_input = False
        self.found: dict[str, list[str]] = {}
        self.forgiven: dict[str, list[str]] = {}
        self.calls: dict[str, int] = dict.fromkeys(SIGNATURES, 0)

    def record(self, function: str, problems: Problems) -> None:
        self.calls[function] = self.calls.get(function, 0) + 1
        book = self.forgiven if self.bad_input else self.found
        kept = book.setdefault(self.test, [])
        kept += [problem for problem in problems if problem not in kept][:MAX_PER_TEST - len(kept)]

    @contextmanager
    def running(self, item: pytest.Item) -> Iterator[None]:
        self.test, self.bad_input = item.nodeid, item.get_closest_marker(BAD_INPUT_MARKER) is not None
        try:
            yield
        finally:
            self.test, self.bad_input = "<outside a test>", False


class CheckedImplementation:
    """``inner`` (a spec.impl.Implementation) with every call's arguments checked first."""

    def __init__(self, inner: Any, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder
        self.origin = inner.origin
        self.contract_version = inner.contract_version

    def has(self, name: str) -> bool:
        return bool(self.inner.has(name))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = getattr(self.inner, name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            self.recorder.record(name, violations(name, args, kwargs))
            return function(*args, **kwargs)

        return checked

    def drive(self, driver: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The spec's loop (spec/impl.py ``drive``) run on this proxy, so that the calls it makes are checked too."""
        return driver(self, *args, **kwargs)

    def batch(self, name: str, calls: Batch) -> list[Any]:
        """Each call of a batch (spec/impl.py ``batch``) checked as on its own."""
        return [getattr(self, name)(*args, **kwargs) for args, kwargs in calls]

    def chain(self, calls: Chain) -> list[Any]:
        """Each call of a chain (spec/impl.py ``chain``) checked as on its own, its earlier results in place."""
        return made_one_by_one(self, calls)

    def raw(self, name: str) -> Callable[..., Any]:
        """The unguarded function; a call that raises was bad input on purpose, so only the others count."""
        function = self.inner.raw(name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            problems = violations(name, args, kwargs)
            result = function(*args, **kwargs)
            self.recorder.record(name, problems)
            return result

        return checked


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("nnspec contract proxy").addoption(
        "--contract-violations", default=None, help="write the arguments that break the contract here (JSON)")


class ProxyPlugin:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.recorder = Recorder()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        with self.recorder.running(item):
            return (yield)

    def pytest_sessionfinish(self) -> None:
        report = {"violations": {test: found for test, found in self.recorder.found.items() if found},
                  "bad_input": {test: found for test, found in self.recorder.forgiven.items() if found},
                  "calls": self.recorder.calls}
        self.path.write_text(json.dumps(report, indent=1), encoding="utf-8")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("contract_violations")
    if not path:
        return
    from spec.plugin import SESSION_PLUGIN  # registered by the root conftest by now

    config.addinivalue_line("markers", f"{BAD_INPUT_MARKER}: the test feeds the implementation bad input on purpose")
    plugin = ProxyPlugin(Path(path))
    state = config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if state is not None and state.implementation is not None:
        state.implementation = CheckedImplementation(state.implementation, plugin.recorder)
    config.pluginmanager.register(plugin, "nnspec-contract-proxy")
