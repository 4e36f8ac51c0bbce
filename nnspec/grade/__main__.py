"""``python -m nnspec.grade PATH ...``: the same as ``nnspec grade PATH ...``."""

import sys

from nnspec.grade.cli import main

sys.exit(main())
