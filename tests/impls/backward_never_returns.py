"""A submission whose backward never returns (an endless loop); every other function is the reference's.

The grader must give it a complete report: backward's requirements fail with one timeout, the rest pass.
"""

from reference import *  # noqa: F403


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    while True:
        pass
