"""nnspec: the executable specification of neural-network fundamentals (the tool: CLI, data, grader)."""

__version__ = "0.1.0"
