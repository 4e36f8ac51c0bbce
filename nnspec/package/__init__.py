"""``nnspec package``: what a course platform needs to grade with nnspec, made by one command."""

from nnspec.package.cli import register

__all__ = ["register"]
