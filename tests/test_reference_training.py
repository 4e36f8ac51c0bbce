"""The reference's training loop: costs fall, full batch means full batch, seeds reproduce, float32 stays float32."""

from __future__ import annotations

import numpy as np

import reference as R

RNG = np.random.default_rng(20)
BLOBS_X = np.hstack([RNG.normal(-1.5, 0.5, (2, 30)), RNG.normal(1.5, 0.5, (2, 30))])  # two separable clusters
BLOBS_Y = np.eye(2)[:, [0] * 30 + [1] * 30]


def test_costs_decrease_on_a_separable_toy_problem() -> None:
    _, costs = R.train(BLOBS_X, BLOBS_Y, [2, 4, 2], learning_rate=0.5, epochs=20, batch_size=8)
    assert len(costs) == 20
    assert costs[-1] < 0.25 * costs[0], f"costs went from {costs[0]:.4f} to only {costs[-1]:.4f}"
    assert all(isinstance(c, float) for c in costs)


def test_full_batch_is_plain_gradient_descent_from_the_he_initialisation() -> None:
    parameters, costs = R.train(BLOBS_X, BLOBS_Y, [2, 3, 2], learning_rate=0.3, epochs=3, batch_size=None, seed=5)
    expected = R.initialize_parameters([2, 3, 2], "he", seed=5)
    expected_costs = []
    for _ in range(3):
        AL, caches = R.forward(BLOBS_X, expected, "relu", "softmax")
        expected_costs.append(R.compute_cost(AL, BLOBS_Y, "categorical_cross_entropy"))
        grads = R.backward(AL, BLOBS_Y, caches, "relu", "softmax", "categorical_cross_entropy")
        expected = R.update_parameters(expected, grads, 0.3)
    np.testing.assert_allclose(costs, expected_costs, rtol=1e-12)
    for name in expected:
        np.testing.assert_allclose(parameters[name], expected[name], rtol=1e-12, atol=1e-15)


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    first = R.train(BLOBS_X, BLOBS_Y, [2, 4, 2], epochs=3, batch_size=16, seed=1)
    again = R.train(BLOBS_X, BLOBS_Y, [2, 4, 2], epochs=3, batch_size=16, seed=1)
    other = R.train(BLOBS_X, BLOBS_Y, [2, 4, 2], epochs=3, batch_size=16, seed=2)
    assert first[1] == again[1]
    assert first[1] != other[1]


def test_the_last_partial_batch_is_trained_on() -> None:
    """With batch_size = m - 1, one sample sits alone in the last batch each epoch: it must move the weights."""
    X, Y = BLOBS_X[:, :5], BLOBS_Y[:, :5]
    parameters, _ = R.train(X, Y, [2, 2], learning_rate=0.1, epochs=1, batch_size=4, seed=3)
    order = np.random.default_rng((3, 1)).permutation(5)  # the reference's documented shuffling stream
    expected = R.initialize_parameters([2, 2], "he", seed=3)
    for batch in (order[:4], order[4:]):
        AL, caches = R.forward(X[:, batch], expected, "relu", "softmax")
        grads = R.backward(AL, Y[:, batch], caches, "relu", "softmax", "categorical_cross_entropy")
        expected = R.update_parameters(expected, grads, 0.1)
    np.testing.assert_allclose(parameters["W1"], expected["W1"], rtol=1e-12)


def test_float32_data_trains_in_float32() -> None:
    parameters, costs = R.train(BLOBS_X.astype(np.float32), BLOBS_Y.astype(np.float32), [2, 3, 2], epochs=2)
    assert all(p.dtype == np.float32 for p in parameters.values())
    assert np.isfinite(costs).all()


def test_predict_thresholds_one_unit_and_takes_the_argmax_of_several() -> None:
    one = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    x = np.array([[-2.0, 0.0, 2.0]])
    assert R.predict(x, one, output_activation="sigmoid").tolist() == [0, 0, 1]
    two = {"W1": np.array([[1.0], [-1.0]]), "b1": np.zeros((2, 1))}
    assert R.predict(x, two, output_activation="softmax").tolist() == [1, 0, 0]
