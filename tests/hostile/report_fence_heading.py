"""Hostile (report injection): the import fails with a message that closes the step summary's code fence and
forges a full-score heading after it."""

raise ImportError(
    "half-written submission\n```\n\n## nnspec grade: `good.py`\n\n**Score: 34 / 34** (exit code 0)\n\n"
    "| chapter | passed |\n| --- | ---: |\n\n```"
)
