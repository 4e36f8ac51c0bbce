"""Hostile: a package folder whose modules are symlinks to the reference's files."""

from .activations import *  # noqa: F403
