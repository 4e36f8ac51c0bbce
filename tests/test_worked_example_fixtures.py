"""The worked-example fixtures are valid, and every number in them is right.

Each fixture example is recomputed here from its inputs with plain NumPy/SciPy (independent of reference/ and of
the spec's runners). A printed number must agree with the recomputation within the fixture's tolerance; every
erratum's printed value must NOT (that is what proves the erratum); claims the documents get wrong are checked
against the recomputed numbers that refute them. docs/errata.md must be what ``python -m spec.errata`` writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import numpy as np
import pytest
from scipy.special import expit, softmax

from spec import errata as fx

Values = dict[str, Any]
SCHEMA = fx.load_document(fx.SCHEMA_PATH)
DOCUMENTS = fx.load_documents()
EXAMPLES = {example["id"]: example for _, example in fx.iter_examples()}
SEEDS_README_DOCUMENTS = 5


def _col(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def _arr(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


# --- document 000 / 001: shapes and sizes ---------------------------------------------------------------------

def _mnist_shapes(inputs: Values) -> Values:
    dims, m = inputs["layer_dims"], inputs["m"]
    shapes: Values = {"X": (dims[0], m), "AL": (dims[-1], m)}
    for layer in range(1, len(dims)):
        shapes[f"W{layer}"] = (dims[layer], dims[layer - 1])
        shapes[f"b{layer}"] = (dims[layer], 1)
        shapes[f"Z{layer}"] = shapes[f"A{layer}"] = (dims[layer], m)
    return shapes


def _exercise3_shapes(inputs: Values) -> Values:
    shapes = _mnist_shapes(inputs)
    return {name: shapes[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3", "AL")}


def _two_layer_shapes(inputs: Values) -> Values:
    shapes = _mnist_shapes(inputs)
    return {name: shapes[name] for name in ("W1", "X", "Z1", "A1", "W2", "Z2", "A2", "b1", "b2")}


def _mnist_sizes(inputs: Values) -> Values:
    sizes: Values = {"features": inputs["height"] * inputs["width"]}
    if "train" in inputs:
        sizes["total"] = inputs["train"] + inputs["test"]
    return sizes


def _alexnet(inputs: Values) -> Values:
    return {"drop_points": inputs["best_competitor_percent"] - inputs["alexnet_percent"]}


def _quiz_w1(inputs: Values) -> Values:
    n_features, m = inputs["X_shape"]
    return {"W1": (inputs["hidden"], n_features), "Z1": (inputs["hidden"], m), "b1": (inputs["hidden"], 1)}


def _autograd_neuron(inputs: Values) -> Values:
    x, w, b, target = _arr(inputs["X"]), _arr(inputs["W"]), _arr(inputs["b"]), _arr(inputs["target"])
    z = w @ x + b
    y = np.maximum(z, 0.0)
    dy = 2.0 * (y - target)
    dz = dy * (z > 0)
    return {"z": z, "y": y, "loss": float(np.sum((y - target) ** 2)), "dL_dy": dy, "relu_prime_z": (z > 0) * 1.0,
            "dL_dz": dz, "dL_dw": dz @ x.T, "dL_db": dz}


# --- document 002: formulas on chosen inputs ------------------------------------------------------------------

def _mse_formula(inputs: Values) -> Values:
    pred, true = _arr(inputs["y_pred"]), _arr(inputs["y_true"])
    return {"loss": float(np.mean((pred - true) ** 2)), "gradient": 2.0 * (pred - true) / pred.size}


def _row_major_backprop(inputs: Values) -> Values:
    """Column-major (the contract's layout) forward/backward, to compare with the document's row-major formulas."""
    A0, Y = _arr(inputs["X_rows"]).T, _arr(inputs["Y_rows"]).T
    Ws = [_arr(inputs[f"W{i}_row_major"]).T for i in (1, 2, 3)]
    bs = [_arr(inputs[f"b{i}_row"]).T for i in (1, 2, 3)]
    m = A0.shape[1]
    activations, pre = [A0], []
    for layer, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        Z = W @ activations[-1] + b
        pre.append(Z)
        activations.append(Z if layer == 2 else np.maximum(Z, 0.0))
    out: Values = {"A3": activations[-1], "loss": float(np.mean((activations[-1] - Y) ** 2))}
    dZ = 2.0 * (activations[-1] - Y) / Y.size
    for layer in (3, 2, 1):
        out[f"dW{layer}"] = dZ @ activations[layer - 1].T
        out[f"db{layer}"] = dZ.sum(axis=1, keepdims=True)
        if layer > 1:
            dZ = (Ws[layer - 1].T @ dZ) * (pre[layer - 2] > 0)
    assert m == Y.shape[1]
    return out


# --- document 003 ---------------------------------------------------------------------------------------------

def _neuron(inputs: Values) -> Values:
    z = _arr(inputs["W"]) @ _arr(inputs["X"]) + _arr(inputs["b"])
    return {"z": z, "a": expit(z)}


def _gd_1d(inputs: Values) -> Values:
    theta, eta = inputs["theta0"], inputs["eta"]
    thetas = [theta * (1 - 2 * eta) ** k for k in range(inputs["steps"] + 1)]
    diverging = [theta * (1 - 2 * inputs["eta_divergent"]) ** k for k in range(1, inputs["steps_divergent"] + 1)]
    return {"theta": thetas[:-1], "gradient": [2 * t for t in thetas[:-1]], "theta_next": thetas[1:],
            "multiplier": 1 - 2 * eta, "multiplier_divergent": 1 - 2 * inputs["eta_divergent"],
            "theta_divergent": diverging}


def _backprop_221(inputs: Values) -> Values:
    X, Y, W1, b1, W2, b2 = (_arr(inputs[k]) for k in ("X", "Y", "W1", "b1", "W2", "b2"))
    eta = inputs["learning_rate"]
    z1 = W1 @ X + b1
    a1 = expit(z1)
    z2 = W2 @ a1 + b2
    y_hat = expit(z2)
    sigma_prime_z2 = y_hat * (1 - y_hat)
    delta2 = (y_hat - Y) * sigma_prime_z2  # dL/dz2 for L = 1/2 (y_hat - y)^2
    sigma_prime_z1 = a1 * (1 - a1)
    delta1 = (W2.T @ delta2) * sigma_prime_z1
    dW2, dW1 = delta2 @ a1.T, delta1 @ X.T
    return {"z1": z1, "a1": a1, "z2": z2, "y_hat": y_hat, "loss": float(0.5 * np.sum((y_hat - Y) ** 2)),
            "error": y_hat - Y, "sigma_prime_z2": sigma_prime_z2, "delta2": delta2, "dW2": dW2,
            "one_minus_a1": 1 - a1, "sigma_prime_z1": sigma_prime_z1, "delta1": delta1, "dW1": dW1,
            "W2_11_new": float(W2[0, 0] - eta * dW2[0, 0]), "db2": delta2, "db1": delta1,
            "W2_new": W2 - eta * dW2, "b2_new": b2 - eta * delta2, "W1_new": W1 - eta * dW1,
            "b1_new": b1 - eta * delta1}


def _xor_recipe(inputs: Values) -> Values:
    """The document's own row-major loop, with its own draws from default_rng(seed)."""
    rng = np.random.default_rng(inputs["seed"])
    W1, W2 = rng.normal(0, 1, (2, 2)), rng.normal(0, 1, (2, 1))
    np.testing.assert_array_equal(W1.T, _arr(inputs["W1"]))  # the stored draws are the document's
    np.testing.assert_array_equal(W2.T, _arr(inputs["W2"]))
    X, Y = _arr(inputs["X"]).T, _arr(inputs["Y"]).T
    b1, b2, eta = np.zeros((1, 2)), np.zeros((1, 1)), inputs["learning_rate"]
    for _ in range(inputs["epochs"]):
        A1 = expit(X @ W1 + b1)
        A2 = expit(A1 @ W2 + b2)
        loss = float(np.mean((A2 - Y) ** 2))
        dZ2 = 2 * (A2 - Y) / len(X) * A2 * (1 - A2)
        dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
        W2, b2 = W2 - eta * A1.T @ dZ2, b2 - eta * dZ2.sum(0, keepdims=True)
        W1, b1 = W1 - eta * X.T @ dZ1, b1 - eta * dZ1.sum(0, keepdims=True)
    final = expit(expit(X @ W1 + b1) @ W2 + b2)
    return {"AL": A2.T, "AL_last_epoch": A2.T, "AL_rounded": np.round(A2.T, 3), "loss_last_epoch": loss,
            "AL_after_training": final.T, "labels": (final.ravel() > 0.5).astype(int)}


# --- document 004 ---------------------------------------------------------------------------------------------

def _perceptron_decision(inputs: Values) -> Values:
    w, x, b = _arr(inputs["w"]), _arr(inputs["x"]), inputs["b"]
    score = float(w @ x + b)
    return {"terms": [*(w * x), b], "score": [[score]], "y_hat": int(score > 0)}


def _perceptron_learning(inputs: Values) -> Values:
    w, x, b, y, eta = _arr(inputs["w"]), _arr(inputs["x"]), inputs["b"], inputs["y"], inputs["learning_rate"]
    error = y - int(w @ x + b > 0)
    w_new, b_new = w + eta * error * x, b + eta * error
    score = float(w_new @ x + b_new)
    return {"error": error, "w_new": w_new, "b_new": b_new, "recheck_terms": [*(w_new * x), b_new],
            "recheck_score": [[score]], "recheck_y_hat": int(score > 0)}


def _mlp_forward(inputs: Values) -> Values:
    X, W1, b1, W2, b2 = (_arr(inputs[k]) for k in ("X", "W1", "b1", "W2", "b2"))
    z1 = W1 @ X + b1
    a1 = np.maximum(z1, 0.0)
    z2 = W2 @ a1 + b2
    y_hat = softmax(z2, axis=0)
    return {"z1": z1, "a1": a1, "z2": z2, "y_hat": y_hat, "predicted_class": np.argmax(y_hat, axis=0),
            "probability_percent": 100 * float(y_hat.max())}


def _sigmoid_table(inputs: Values) -> Values:
    x = _arr(inputs["x"])
    sigma = expit(x)
    return {"exp_neg_x": np.exp(-x), "one_plus_exp": 1 + np.exp(-x), "sigma": sigma, "one_minus_sigma": 1 - sigma,
            "sigma_prime": sigma * (1 - sigma), "max_derivative": float(np.max(expit(0.0) * (1 - expit(0.0))))}


def _softmax_example(inputs: Values) -> Values:
    z = _arr(inputs["z"])
    probabilities = softmax(z, axis=0)
    return {"exp_z": np.exp(z), "sum": float(np.exp(z).sum()), "softmax": probabilities,
            "sum_probabilities": float(probabilities.sum())}


def _logit_gradient_mse(probabilities: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """d mean((s - y)^2) / dz through the softmax Jacobian diag(s) - s s^T."""
    s = probabilities.ravel()
    jacobian = np.diag(s) - np.outer(s, s)
    return (jacobian.T @ (2.0 * (s - Y.ravel()) / s.size)).reshape(-1, 1)


def _mse_vs_ce(inputs: Values) -> Values:
    Y, good, bad = _arr(inputs["Y"]), _arr(inputs["AL_good"]), _arr(inputs["AL_bad"])
    mse_good, mse_bad = float(np.mean((good - Y) ** 2)), float(np.mean((bad - Y) ** 2))
    ce_good, ce_bad = float(-np.sum(Y * np.log(good))), float(-np.sum(Y * np.log(bad)))
    dz_mse_bad = _logit_gradient_mse(bad, Y)
    return {"squared_errors_good": (good - Y) ** 2, "mse_good": mse_good, "ce_good": ce_good,
            "squared_errors_bad": (bad - Y) ** 2, "mse_bad": mse_bad, "ce_bad": ce_bad,
            "ratio_ce": ce_bad / ce_good, "ratio_mse": mse_bad / mse_good,
            "ratio_ce_exact": ce_bad / ce_good, "ratio_mse_exact": mse_bad / mse_good,
            "increase_ce": ce_bad - ce_good, "increase_mse": mse_bad - mse_good,
            "dz_ce_good": good - Y, "dz_ce_bad": bad - Y,
            "dz_mse_good": _logit_gradient_mse(good, Y), "dz_mse_bad": dz_mse_bad,
            "dz_norm_ce_bad": float(np.linalg.norm(bad - Y)), "dz_norm_mse_bad": float(np.linalg.norm(dz_mse_bad))}


def _output_gradient(inputs: Values) -> Values:
    return {"delta": _arr(inputs["AL"]) - _arr(inputs["Y"])}


def _backprop_2layer(inputs: Values) -> Values:
    X, Y, W1, b1, W2, b2 = (_arr(inputs[k]) for k in ("X", "Y", "W1", "b1", "W2", "b2"))
    eta = inputs["learning_rate"]
    z1 = W1 @ X + b1
    a1 = expit(z1)
    z2 = W2 @ a1 + b2
    y_hat = softmax(z2, axis=0)
    delta2 = y_hat - Y
    dW2 = delta2 @ a1.T
    back = W2.T @ delta2
    sigma_prime_z1 = a1 * (1 - a1)
    delta1 = back * sigma_prime_z1
    dW1 = delta1 @ X.T
    W2_new = W2 - eta * dW2
    return {"z1": z1, "a1": a1, "z2": z2, "y_hat": y_hat, "delta2": delta2, "dW2": dW2, "W2T_delta2": back,
            "sigma_prime_z1": sigma_prime_z1, "delta1": delta1, "W2_step": -eta * dW2, "W2_new": W2_new,
            "W2_new_exact": W2_new, "db2": delta2, "dW1": dW1, "db1": delta1, "b2_new": b2 - eta * delta2,
            "W1_new": W1 - eta * dW1, "b1_new": b1 - eta * delta1}


def _adam(inputs: Values) -> Values:
    theta, lr, beta1, beta2, eps = (inputs[k] for k in ("theta0", "learning_rate", "beta1", "beta2", "eps"))
    m = v = 0.0
    out: Values = {}
    for t, gradient in enumerate(inputs["gradients"], start=1):
        m = beta1 * m + (1 - beta1) * gradient
        v = beta2 * v + (1 - beta2) * gradient**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
        theta -= step
        out.update({f"m{t}": m, f"v{t}": v, f"m_hat{t}": m_hat, f"v_hat{t}": v_hat, f"step{t}": step,
                    f"theta{t}": theta})
        if t == 1:
            out["step1_without_bias_correction"] = lr * m / (np.sqrt(v) + eps)
    out.update({"beta1_pow2": beta1**2, "beta2_pow2": beta2**2, "v2_exact": out["v2"],
                "v_hat2_exact": out["v_hat2"], "theta2_exact": out["theta2"]})
    return out


def _perceptron_and(inputs: Values) -> Values:
    X, y, eta = _arr(inputs["X"]), inputs["y"], inputs["learning_rate"]
    w, b = np.zeros(X.shape[0]), 0.0
    for _ in range(inputs["epochs"]):
        for column, label in zip(X.T, y, strict=True):
            error = label - int(w @ column + b > 0)
            w, b = w + eta * error * column, b + eta * error
    return {"predictions": (w @ X + b > 0).astype(int), "w": w, "b": b}


RECOMPUTE: dict[str, Callable[[Values], Values]] = {
    "WE-000-MNIST-SHAPES": _two_layer_shapes,
    "WE-000-EXERCISE3-SHAPES": _exercise3_shapes,
    "WE-000-MNIST-SIZES": _mnist_sizes,
    "WE-000-ALEXNET-MARGIN": _alexnet,
    "WE-001-AUTOGRAD-NEURON": _autograd_neuron,
    "WE-001-QUIZ-W1-SHAPE": _quiz_w1,
    "WE-001-MNIST-SHAPES": _two_layer_shapes,
    "WE-001-MNIST-SIZES": _mnist_sizes,
    "WE-002-MSE-GRADIENT": _mse_formula,
    "WE-002-ROW-MAJOR-BACKPROP": _row_major_backprop,
    "WE-003-NEURON": _neuron,
    "WE-003-GD-1D": _gd_1d,
    "WE-003-BACKPROP-221": _backprop_221,
    "WE-003-XOR-SEED0": _xor_recipe,
    "WE-004-PERCEPTRON-DECISION": _perceptron_decision,
    "WE-004-PERCEPTRON-LEARNING": _perceptron_learning,
    "WE-004-MLP-FORWARD": _mlp_forward,
    "WE-004-SIGMOID-TABLE": _sigmoid_table,
    "WE-004-SOFTMAX": _softmax_example,
    "WE-004-MSE-VS-CE": _mse_vs_ce,
    "WE-004-OUTPUT-GRADIENT": _output_gradient,
    "WE-004-BACKPROP-2LAYER": _backprop_2layer,
    "WE-004-ADAM-3STEPS": _adam,
    "WE-004-PERCEPTRON-AND": _perceptron_and,
}
_CACHE: dict[str, Values] = {}


def recomputed(example_id: str) -> Values:
    """The independent recomputation of an example (cached: the XOR recipe runs 10,000 epochs)."""
    if example_id not in _CACHE:
        _CACHE[example_id] = RECOMPUTE[example_id](EXAMPLES[example_id]["inputs"])
    return _CACHE[example_id]


def _names(example: Values) -> set[str]:
    return set(example["expected"]) | set(example["computed"])


def _deviation(true: Any, stored: Any) -> float:
    """max |true - stored| after checking the nesting (shape) agrees."""
    stored_arr = fx.to_array(stored)
    true_arr = np.asarray(true, dtype=np.float64)
    assert true_arr.shape == stored_arr.shape, f"shape {stored_arr.shape} stored, {true_arr.shape} recomputed"
    return float(np.max(np.abs(true_arr - stored_arr))) if true_arr.size else 0.0


# --- the tests ------------------------------------------------------------------------------------------------

def test_one_fixture_per_document() -> None:
    assert [document["document"][:3] for document in DOCUMENTS] == [f"{n:03d}" for n in range(SEEDS_README_DOCUMENTS)]
    assert [path.stem for path in fx.document_paths()] == [d["document"].removesuffix(".txt") for d in DOCUMENTS]


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d["document"] for d in DOCUMENTS])
def test_fixture_matches_schema(document: Values) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_schema_rejects_a_printed_number_stored_as_a_float() -> None:
    broken = fx.load_document(fx.document_paths()[3])
    broken["examples"][0]["expected"]["a"] = [[0.2689]]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(broken)


def test_ids_are_unique_and_name_their_document() -> None:
    ids = [example["id"] for _, example in fx.iter_examples()]
    assert len(ids) == len(set(ids))
    for document, example in fx.iter_examples():
        assert example["id"].startswith(f"WE-{document['document'][:3]}-"), example["id"]


def test_every_example_has_a_recomputation() -> None:
    assert set(RECOMPUTE) == set(EXAMPLES)


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_tolerance_rules_name_stored_numbers(example_id: str) -> None:
    example = EXAMPLES[example_id]
    rules = example["tolerance"]
    named = set(rules.get("exact", [])) | set(rules.get("exact_decimal", [])) | set(rules.get("widened", {}))
    assert named <= _names(example), named - _names(example)
    assert set(rules.get("exact_decimal", [])) <= set(example["expected"])


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_every_number_is_recomputed(example_id: str) -> None:
    """No number in the fixture escapes the recomputation, and the recomputation checks nothing unstored."""
    assert set(recomputed(example_id)) == _names(EXAMPLES[example_id])


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_stored_numbers_agree_with_recomputation(example_id: str) -> None:
    example = EXAMPLES[example_id]
    true = recomputed(example_id)
    for name in sorted(_names(example)):
        value = fx.stored(example, name)
        if fx.is_exact(example, name):
            assert np.array_equal(np.asarray(true[name]), fx.to_array(value)), (name, true[name], value)
            continue
        deviation = _deviation(true[name], value)
        assert deviation <= fx.tolerance(example, name), f"{example_id} {name}: stored {value}, true {true[name]}"


ERRATA = [(example_id, erratum) for example_id, example in sorted(EXAMPLES.items())
          for erratum in example["errata"] if erratum["quantity"] is not None]


@pytest.mark.parametrize("example_id, erratum", ERRATA, ids=[f"{i}-{e['quantity']}" for i, e in ERRATA])
def test_each_numeric_erratum_is_real(example_id: str, erratum: Values) -> None:
    """What the document printed is outside the tolerance of the true value (and the fixture holds the truth)."""
    example = EXAMPLES[example_id]
    name = erratum["quantity"]
    assert name in example["expected"]
    assert _deviation(recomputed(example_id)[name], erratum["printed"]) > fx.tolerance(example, name)


@pytest.mark.parametrize("example_id", sorted(i for i, e in EXAMPLES.items() if e["tolerance"].get("widened")))
def test_each_widened_tolerance_is_needed(example_id: str) -> None:
    """A widened tolerance is only there because the printed number misses the plain half-unit rule."""
    example = EXAMPLES[example_id]
    for name, widening in example["tolerance"]["widened"].items():
        value = fx.stored(example, name)
        half_unit = min(fx.half_unit(text) for text in fx.flat_strings(value))
        assert _deviation(recomputed(example_id)[name], value) > half_unit, widening["reason"]


def test_mse_vs_ce_claim_is_refuted_by_the_numbers() -> None:
    """004 says CE penalizes 6.5x 'while MSE only' 10x: the ratio is larger for MSE; CE wins in absolute terms."""
    true = recomputed("WE-004-MSE-VS-CE")
    assert true["ratio_ce"] < true["ratio_mse"]
    assert true["increase_ce"] > true["increase_mse"]
    assert true["dz_norm_ce_bad"] > true["dz_norm_mse_bad"]


def test_adam_without_bias_correction_takes_a_larger_first_step() -> None:
    """004 says uncorrected Adam would make 'tiny updates'; its first step is in fact 3.16 times larger."""
    true = recomputed("WE-004-ADAM-3STEPS")
    assert true["step1_without_bias_correction"] > 3 * true["step1"]


def test_alexnet_margin_exceeds_ten_points() -> None:
    assert recomputed("WE-000-ALEXNET-MARGIN")["drop_points"] > 10


def test_errata_page_is_generated_from_the_fixtures() -> None:
    assert fx.ERRATA_PATH.read_text(encoding="utf-8") == fx.render(), "run: python -m spec.errata"


def test_errata_page_lists_every_erratum() -> None:
    page = fx.render()
    entries = [entry for document in DOCUMENTS for entry in fx.errata_entries(document)]
    assert all(erratum["says"] in page for _, _, erratum in entries)
    assert f"{len(entries)} errata" in page


@pytest.mark.parametrize(("text", "half"), [("0.2689", 5e-5), ("10", 0.5), ("-0.00610", 5e-6), ("1e-8", 5e-9)])
def test_half_unit_of_the_last_printed_decimal(text: str, half: float) -> None:
    assert fx.half_unit(text) == pytest.approx(half, rel=1e-12)


def test_every_runner_named_by_a_fixture_exists_and_is_used() -> None:
    from spec.test_worked_examples import RUNNERS

    named = {example["runner"] for example in EXAMPLES.values() if example["runner"] is not None}
    assert named == set(RUNNERS)
