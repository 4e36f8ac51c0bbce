"""The MNIST gate fails a submission whose backward is subtly wrong but still trains a little, saying the accuracy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "gate" / "relu_derivative_missing.py"
TIMEOUT = 900  # seconds: five MNIST epochs on a busy 2-core machine

pytestmark = pytest.mark.corpus  # heavy (trains on MNIST): once per CI run, on one interpreter


def test_gate_fails_a_backward_without_the_relu_derivative() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "spec/test_mnist.py", "-k", "gate_loop", "--impl", str(BROKEN),
         "-p", "no:cacheprovider", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert "[MNIST-GATE-LOOP]" in run.stdout
    reached = re.search(r"reached a test accuracy of (\d+\.\d+)%", run.stdout)
    assert reached, run.stdout[-3000:]
    assert 10.0 < float(reached.group(1)) < 95.0, f"the broken backward should train a little: {reached.group(0)}"
