"""Hostile: replaces the spec's MNIST training loop, which runs in its process (spec/mnist_loop.py, a driver), with
one that trains nothing and hands over, for every epoch, the best output it can make without the test labels:
every image called the most common digit. The gate scores the output in the grader, so this gains nothing: about
11% test accuracy, far below the bar."""

import numpy as np
from _activations import *  # noqa: F403  (a few contract functions; the tampered loop calls none of them)

import spec.mnist_loop

MOST_COMMON_DIGIT = 1  # 1,135 of the 10,000 MNIST test digits


def _tampered(impl, X_train, Y_train, X_test, layers, activations, learning_rate, epochs, batch_size, seed,
              after_epoch):
    AL = np.zeros((10, X_test.shape[1]), dtype=np.float32)
    AL[MOST_COMMON_DIGIT] = 1.0
    for epoch in range(epochs):
        after_epoch(epoch, AL)


spec.mnist_loop.train = _tampered
