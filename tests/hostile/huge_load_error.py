"""Hostile (huge message): the import fails with a 40 MB message."""

raise RuntimeError("B" * 40_000_000)
