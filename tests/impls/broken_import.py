"""A submission that fails at import time: the spec must report ONE failure (IMPL-LOADS) with this traceback."""


def sigmoid(z):
    return z


raise RuntimeError("deliberately broken submission: fails while being imported")
