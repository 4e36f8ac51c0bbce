"""A submission laid out as a package folder with a relative import (loaded by path with --impl)."""

from .core import sigmoid, sigmoid_derivative

NNSPEC_CONTRACT = "1"
__all__ = ["sigmoid", "sigmoid_derivative"]
