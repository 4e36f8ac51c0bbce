"""Independent oracles: central finite differences and SciPy/closed-form values, never the reference.

Closed forms are those of document 003 ("Deep Learning Foundations": §1.1 the layer and the forward pass,
§1.2-1.3 activations and losses, §1.8 penalties and dropout, §1.9 batch and layer norm), with the contract's
conventions where 003 leaves a choice (weights only, sign(0) = 0, column-major). GELU's derivatives are derived
here by the product rule. tests/test_oracles.py checks each one against central differences, SciPy or exact
identities. Every gradient requirement of the spec names its oracle from here (see spec/requirements.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from scipy import special, stats

GELU_TANH_COEFFICIENT = 0.044715  # document 003 §1.2, the tanh approximation of GELU
SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))
LOSS_CLIP = 1e-15  # contract v1: BCE clips probabilities to [1e-15, 1 - 1e-15]; CE floors AL at 1e-15


def central_difference(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Gradient of scalar ``f`` at ``x`` (any shape) by central differences in float64.

    Each evaluation gets a fresh float64 copy, so neither the caller's ``x`` nor an earlier probe can be
    changed by ``f``. The divisor is the step actually taken, ``(x + eps) - (x - eps)`` after rounding.
    """
    base = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(base)
    for index, plus, minus, step in _probes(base, eps):
        grad[index] = (float(f(plus)) - float(f(minus))) / step
    return grad


def central_jacobian(f_all: Callable[[list[np.ndarray]], Sequence[Sequence[float]]], x: Any,
                     eps: float = 1e-6) -> np.ndarray:
    """Jacobian (n_f, x.size) of a vector-valued f at x by central differences, as ``central_difference`` takes them,
    all 2 x.size probes evaluated by ONE call: ``f_all(points)`` gives f's n_f values at each point, so an
    implementation's function can be called on all of them at once (``impl.batch``)."""
    base = np.array(x, dtype=np.float64, copy=True)
    probes = list(_probes(base, eps))
    values = f_all([point for _, plus, minus, _ in probes for point in (plus, minus)])
    columns = [(np.asarray(values[2 * i], dtype=np.float64) - np.asarray(values[2 * i + 1], dtype=np.float64))
               / step for i, (_, _, _, step) in enumerate(probes)]
    return np.stack(columns, axis=1)


def _probes(base: np.ndarray, eps: float) -> Iterator[tuple[tuple[int, ...], np.ndarray, np.ndarray, float]]:
    """For each element of ``base`` (float64): its index, fresh copies of ``base`` with it moved by +eps and -eps,
    and the step between them (taken before f sees the copies: f may change them)."""
    for index in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[index] += eps
        minus[index] -= eps
        yield index, plus, minus, float(plus[index] - minus[index])


RICHARDSON_STEP = 1e-4  # error ~ step^4 f^(5) + ~1e-16 |f| / step: about 1e-11 of f for the spec's bounded inputs


def richardson_gradient(f: Callable[[np.ndarray], Any], x: Any, step: float = RICHARDSON_STEP) -> np.ndarray:
    """(4 D(step / 2) - D(step)) / 3 with D the central difference: the step^2 error term cancels.

    Plain central differences lose the 1e-7 accuracy the spec asks of gradients where the function is sharply
    curved (narrow batches in the norm layers, saturated units in networks); the extrapolated ones stay near
    1e-11 of the function's scale.
    """
    half, full = central_difference(f, x, eps=step / 2), central_difference(f, x, eps=step)
    return (4.0 * half - full) / 3.0


def elementwise_derivative(f: Callable[[np.ndarray], Any], z: Any, eps: float = 1e-5) -> np.ndarray:
    """Central differences of an ELEMENTWISE function at every element of z at once, in float64.

    Equals ``central_difference(lambda v: sum(f(v)), z)`` mathematically, but each element's rounding error is
    relative to f at that element only, not to the whole sum.
    """
    base = np.array(z, dtype=np.float64, copy=True)
    plus, minus = base + eps, base - eps
    step = plus - minus
    return (np.asarray(f(plus), dtype=np.float64) - np.asarray(f(minus), dtype=np.float64)) / step


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) via scipy.special.expit (stable for any z)."""
    return special.expit(np.asarray(z, dtype=np.float64))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigma(z) (1 - sigma(z)), document 003 §1.2."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """1 - tanh(z)^2, document 003 §1.2."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (0 at z = 0 by the contract)."""
    return (np.asarray(z) > 0).astype(np.float64)


def leaky_relu(z: np.ndarray, alpha: float) -> np.ndarray:
    """z where z > 0, alpha z elsewhere."""
    z64 = np.asarray(z, dtype=np.float64)
    return np.where(z64 > 0, z64, alpha * z64)


def leaky_relu_derivative(z: np.ndarray, alpha: float) -> np.ndarray:
    """1 where z > 0, alpha where z <= 0 (contract v1)."""
    return np.where(np.asarray(z) > 0, 1.0, alpha)


def gelu(z: np.ndarray) -> np.ndarray:
    """z Phi(z) with Phi the standard normal CDF (scipy.stats.norm.cdf)."""
    z64 = np.asarray(z, dtype=np.float64)
    return z64 * stats.norm.cdf(z64)


def gelu_via_erfc(z: np.ndarray) -> np.ndarray:
    """z erfc(-z / sqrt 2) / 2 = z (1 + erf(z / sqrt 2)) / 2 without the cancellation of 1 + erf for z << 0."""
    z64 = np.asarray(z, dtype=np.float64)
    return 0.5 * z64 * special.erfc(-z64 / np.sqrt(2.0))


def gelu_derivative(z: np.ndarray) -> np.ndarray:
    """Phi(z) + z phi(z) (product rule on z Phi(z))."""
    z64 = np.asarray(z, dtype=np.float64)
    return stats.norm.cdf(z64) + z64 * stats.norm.pdf(z64)


def gelu_tanh(z: np.ndarray) -> np.ndarray:
    """0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))), document 003 §1.2."""
    z64 = np.asarray(z, dtype=np.float64)
    return 0.5 * z64 * (1.0 + np.tanh(SQRT_2_OVER_PI * (z64 + GELU_TANH_COEFFICIENT * z64**3)))


def gelu_tanh_derivative(z: np.ndarray) -> np.ndarray:
    """d/dz of gelu_tanh: 0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 z^2)."""
    z64 = np.asarray(z, dtype=np.float64)
    t = np.tanh(SQRT_2_OVER_PI * (z64 + GELU_TANH_COEFFICIENT * z64**3))
    inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEFFICIENT * z64**2)
    return 0.5 * (1.0 + t) + 0.5 * z64 * (1.0 - t**2) * inner


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """scipy.special.softmax along ``axis``."""
    return special.softmax(np.asarray(z, dtype=np.float64), axis=axis)


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """diag(s) - s s^T for a vector z of shape (K,): ds_i/dz_j = s_i (delta_ij - s_j), document 003 §1.2."""
    s = softmax(np.asarray(z, dtype=np.float64).reshape(-1))
    return np.diag(s) - np.outer(s, s)


def mse(AL: np.ndarray, Y: np.ndarray) -> float:
    """Mean of (AL - Y)^2 over all elements, document 003 §1.3."""
    return float(np.mean((np.asarray(AL, dtype=np.float64) - Y) ** 2))


def binary_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """-mean(Y log p + (1 - Y) log(1 - p)) with p = AL clipped to [1e-15, 1 - 1e-15] (scipy.special.xlogy)."""
    p = np.clip(np.asarray(AL, dtype=np.float64), LOSS_CLIP, 1.0 - LOSS_CLIP)
    return float(-np.mean(special.xlogy(Y, p) + special.xlogy(1.0 - np.asarray(Y), 1.0 - p)))


def categorical_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """Mean over the m columns of -sum_k Y log max(AL, 1e-15), document 003 §1.3 (AL, Y of shape (K, m))."""
    p = np.maximum(np.asarray(AL, dtype=np.float64), LOSS_CLIP)
    return float(-np.sum(special.xlogy(Y, p)) / np.shape(AL)[1])


COSTS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "categorical_cross_entropy": categorical_cross_entropy,
}
LEAKY_RELU_ALPHA = 0.01  # contract v1: the default slope of leaky_relu, the one a network's "leaky_relu" uses


def linear(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Z = W A_prev + b (n, m), document 003 §1.1 (z = W x + b), column-major as the contract."""
    return np.asarray(W, dtype=np.float64) @ np.asarray(A_prev, dtype=np.float64) + b


HIDDEN: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": relu,
    "leaky_relu": lambda z: leaky_relu(z, LEAKY_RELU_ALPHA),
    "sigmoid": sigmoid,
    "tanh": lambda z: np.tanh(np.asarray(z, dtype=np.float64)),
    "gelu": gelu,
}
OUTPUT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "softmax": softmax,  # axis 0: each column is a sample
    "linear": lambda z: np.asarray(z, dtype=np.float64),
}


def network_forward(X: np.ndarray, parameters: dict[str, np.ndarray], hidden: str,
                    output: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """(AL (n_L, m), hidden pre-activations [Z1, ..., Z_{L-1}]) by a^l = g(W^l a^(l-1) + b^l), 003 §1.1.

    ``parameters`` holds W1, b1, ..., WL, bL; the hidden layers use HIDDEN[hidden], the last one OUTPUT[output].
    """
    L = len(parameters) // 2
    A, hidden_z = np.asarray(X, dtype=np.float64), []
    for layer in range(1, L + 1):
        Z = linear(A, parameters[f"W{layer}"], parameters[f"b{layer}"])
        if layer < L:
            hidden_z.append(Z)
            A = HIDDEN[hidden](Z)
        else:
            A = OUTPUT[output](Z)
    return A, hidden_z


def network_cost(X: np.ndarray, Y: np.ndarray, parameters: dict[str, np.ndarray], hidden: str, output: str,
                 loss: str) -> float:
    """The mean cost COSTS[loss] of network_forward's AL against Y (contract v1: backward's gradients are of it)."""
    return COSTS[loss](network_forward(X, parameters, hidden, output)[0], Y)


def _weights(parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The weight matrices W1..WL of a parameters dict (contract v1: the penalties cover weights only)."""
    return {name: np.asarray(value, dtype=np.float64) for name, value in parameters.items() if name.startswith("W")}


def l2_penalty(parameters: dict[str, np.ndarray], lambd: float) -> float:
    """lambd / 2 sum W^2 over the weights, document 003 §1.8 (lambda/2 ||theta||^2; weights only by contract)."""
    return float(lambd / 2 * sum(np.sum(W**2) for W in _weights(parameters).values()))


def l2_gradient(parameters: dict[str, np.ndarray], lambd: float) -> dict[str, np.ndarray]:
    """{"dW1": lambd W1, ...}: 003 §1.8 ("gradient gains + lambda theta"); a bias's gradient is 0."""
    return {f"d{name}": lambd * W for name, W in _weights(parameters).items()}


def l1_penalty(parameters: dict[str, np.ndarray], lambd: float) -> float:
    """lambd sum |W| over the weights, document 003 §1.8 (lambda ||theta||_1; weights only by contract)."""
    return float(lambd * sum(np.sum(np.abs(W)) for W in _weights(parameters).values()))


def l1_gradient(parameters: dict[str, np.ndarray], lambd: float) -> dict[str, np.ndarray]:
    """{"dW1": lambd sign(W1), ...}: d|w|/dw = sign(w) for w != 0, and 0 at w = 0 (contract v1's subgradient)."""
    return {f"d{name}": lambd * np.sign(W) for name, W in _weights(parameters).items()}


def inverted_dropout(A: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """A mask / (1 - p) for a fixed 0/1 keep-mask (bool or numeric), document 003 §1.8 (inverted dropout)."""
    return np.asarray(A, dtype=np.float64) * np.asarray(mask, dtype=np.float64) / (1.0 - p)


def standardise(X: np.ndarray, axis: int, eps: float) -> np.ndarray:
    """(X - mean) / sqrt(biased var + eps) along ``axis`` (1: each row, as batch norm; 0: each column)."""
    X64 = np.asarray(X, dtype=np.float64)
    return (X64 - X64.mean(axis=axis, keepdims=True)) / np.sqrt(X64.var(axis=axis, keepdims=True) + eps)


def batch_norm(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """gamma x_hat + beta with x_hat each row (feature) standardised over the batch, document 003 §1.9."""
    return gamma * standardise(X, 1, eps) + beta


def batch_norm_inference(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
                         running_var: np.ndarray, eps: float) -> np.ndarray:
    """gamma (X - running_mean) / sqrt(running_var + eps) + beta: 003 §1.9 "at inference, use running averages"."""
    return gamma * (np.asarray(X, dtype=np.float64) - running_mean) / np.sqrt(running_var + eps) + beta


def layer_norm(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """gamma x_hat + beta with x_hat each column (sample) standardised over its features, document 003 §1.9."""
    return gamma * standardise(X, 0, eps) + beta
