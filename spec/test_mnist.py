"""The MNIST gate: the implementation's own functions train the documents' MLP to more than 95% test accuracy.

Exercise 3 of 000_039af9d5df909942.txt / 001_f077b5e28fc6b833.txt: 784-128-64-10, ReLU, softmax, cross-entropy,
mini-batch gradient descent, ">95% accuracy". The spec drives the loop (spec/mnist_loop.py: its own shuffling,
batches of 64; through ``nnspec grade`` it runs beside the submission) and scores the predictions itself: only
images go into the implementation, the test labels stay here.

Marked ``mnist``: `pytest spec -m "not mnist"` leaves it out. The data come from nnspec.mnist (verified by
SHA-256), loaded once per process.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from nnspec.mnist import MNIST, load_mnist
from spec import figures, mnist_loop
from spec.assertions import check
from spec.requirements import requirement

pytestmark = pytest.mark.mnist

SOURCE = "000_039af9d5df909942.txt / 001_f077b5e28fc6b833.txt, Exercise 3: MNIST Digit Classification (>95%)"
LAYERS = [784, 128, 64, 10]
HIDDEN, OUTPUT, LOSS = "relu", "softmax", "categorical_cross_entropy"
BATCH_SIZE = 64
# Plain SGD at 0.1 for 5 epochs reaches 96.6-97.6% with the reference on seeds 0-11 (3 epochs dipped to 95.6% on
# seed 6): at least 1.6 points above the bar, so a correct implementation passes whatever its initial draws.
LEARNING_RATE = 0.1
EPOCHS = 5
SEED = 0
BAR = 0.95
# A correct float32 implementation needs a few CPU seconds per epoch; ten times that is a loop gone wrong (e.g.
# per-sample Python loops), which the gate reports instead of running for an hour. The budget is CPU time of this
# process (time.process_time), not wall time: a busy machine must not fail correct code (a loaded 2-core machine
# stretched correct epochs to 111-295 s of wall time). Through nnspec grade the submission runs in the worker, whose
# time the grader's own limits bound.
BUDGET_SECONDS = 300.0
MISCLASSIFIED_RECORDED = 36  # test digits the HTML report shows (a 6 x 6 grid)


@pytest.fixture(scope="module")
def mnist() -> MNIST:
    return load_mnist(dtype=np.float32)


def _predicted(AL: np.ndarray, data: MNIST) -> np.ndarray:
    """(10000,) argmax of AL, the implementation's forward output on the test images, once its shape is checked;
    the labels never leave the spec."""
    check(AL.shape == (10, data.X_test.shape[1]),
          f"forward on the 10,000 test images (X of shape {data.X_test.shape}) returned AL of shape {AL.shape}; "
          f"expected (10, {data.X_test.shape[1]}): one column of class probabilities per image")
    return np.argmax(AL, axis=0)


def _accuracy(impl: Any, parameters: dict[str, np.ndarray], data: MNIST) -> float:
    """Test accuracy of the implementation's forward output."""
    AL, _ = impl.forward(data.X_test, parameters, HIDDEN, OUTPUT)
    return float(np.mean(_predicted(np.asarray(AL), data) == data.y_test))


def _check_budget(started: float, epoch: int) -> None:
    elapsed = time.process_time() - started
    projected = elapsed / (epoch + 1) * EPOCHS
    check(projected <= BUDGET_SECONDS,
          f"training is too slow: epoch {epoch + 1} of {EPOCHS} ended after {elapsed:.1f} s of CPU, so the run would "
          f"take about {projected:.0f} s, over the {BUDGET_SECONDS:.0f} s budget. A vectorised forward/backward over a "
          f"batch of {BATCH_SIZE} columns takes milliseconds; look for Python loops over samples or units.")


def _check_bar(accuracy: float, how: str) -> None:
    check(accuracy > BAR,
          f"{how} reached a test accuracy of {accuracy:.2%} on the 10,000 MNIST test images; the bar is "
          f"{BAR:.0%}. A correct implementation reaches about 97% with this recipe. If the cost fell but accuracy "
          "stayed low, compare your backward with the network chapter's gradient checks (e.g. a missing ReLU "
          "derivative still trains a little).")


@requirement("MNIST-GATE-LOOP",
             "the own initialize/forward/backward/update_parameters train 784-128-64-10 to > 95% test accuracy",
             SOURCE)
def test_mnist_gate_loop(impl: Any, mnist: MNIST, record_property: Any) -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    accuracies: list[float] = []
    predicted = np.empty(0, dtype=np.int64)

    def after_epoch(epoch: int, AL: np.ndarray) -> None:
        """Score the epoch's output on the test images here, where the labels are (spec/mnist_loop.py)."""
        nonlocal predicted
        check(epoch == len(accuracies), f"the training loop reported epoch {epoch!r} (counting from 0) after "
              f"{len(accuracies)} epochs; the spec's loop reports each epoch once, in order")
        _check_budget(cpu_started, epoch)
        predicted = _predicted(np.asarray(AL), mnist)
        accuracies.append(float(np.mean(predicted == mnist.y_test)))
        figures.record(figures.TEST_ACCURACY, {"epoch": epoch + 1, "accuracy": accuracies[-1]})

    impl.drive(mnist_loop.train, mnist.X_train, mnist.Y_train, mnist.X_test, LAYERS, (HIDDEN, OUTPUT, LOSS),
               LEARNING_RATE, EPOCHS, BATCH_SIZE, SEED, after_epoch)
    check(len(accuracies) == EPOCHS, f"the training loop reported {len(accuracies)} of its {EPOCHS} epochs; the "
          "spec's loop reports every epoch")
    accuracy = accuracies[-1]
    wrong = np.flatnonzero(predicted != mnist.y_test)[:MISCLASSIFIED_RECORDED]
    figures.record(figures.MISCLASSIFIED, {"index": wrong.tolist(), "predicted": predicted[wrong].tolist()})
    record_property("accuracy", accuracy)
    print(f"MNIST-GATE-LOOP: test accuracy {accuracy:.2%} after {EPOCHS} epochs "
          f"({time.perf_counter() - started:.1f} s of training)")
    _check_bar(accuracy, f"Your functions, driven by the spec's loop ({EPOCHS} epochs, batch {BATCH_SIZE}, "
               f"learning rate {LEARNING_RATE}),")


@requirement("MNIST-GATE-TRAIN", "train(...) itself trains 784-128-64-10 to > 95% test accuracy", SOURCE)
def test_mnist_gate_train(impl: Any, mnist: MNIST, record_property: Any) -> None:
    started = time.perf_counter()
    parameters, costs = impl.train(mnist.X_train, mnist.Y_train, LAYERS, learning_rate=LEARNING_RATE, epochs=EPOCHS,
                                   batch_size=BATCH_SIZE, hidden_activation=HIDDEN, output_activation=OUTPUT,
                                   loss=LOSS, seed=SEED)
    accuracy = _accuracy(impl, parameters, mnist)
    record_property("accuracy", accuracy)
    print(f"MNIST-GATE-TRAIN: test accuracy {accuracy:.2%} after {EPOCHS} epochs "
          f"({time.perf_counter() - started:.1f} s); costs per epoch {[round(float(c), 4) for c in costs]}")
    _check_bar(accuracy, f"Your train(learning_rate={LEARNING_RATE}, epochs={EPOCHS}, batch_size={BATCH_SIZE})")
