"""Hostile: the one-line cheat, the reference's functions imported as the submission's own."""

from reference import *  # noqa: F403
