"""Print the largest relative difference between an implementation and PyTorch, per requirement of the torch
chapter and per group, measured as ``max|got - torch| / max|torch|`` over every comparison the chapter makes.

Usage (from the repository root, in an environment with torch): ``python tools/torch_agreement.py [pytest args]``,
e.g. ``--impl path/to/submission.py`` or ``--hypothesis-profile thorough``. Without arguments: the reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {
    "activations": ("TORCH-SIGMOID", "TORCH-TANH", "TORCH-RELU", "TORCH-LEAKY-RELU", "TORCH-GELU", "TORCH-GELU-TANH",
                    "TORCH-SOFTMAX", "TORCH-SOFTMAX-DERIVATIVE"),
    "losses": ("TORCH-MSE", "TORCH-BCE", "TORCH-CE-NLL", "TORCH-CE-LOGITS"),
    "network": ("TORCH-NETWORK-FORWARD", "TORCH-NETWORK-BACKWARD"),
    "layers": ("TORCH-LINEAR-FORWARD", "TORCH-LINEAR-BACKWARD"),
    "normalization": ("TORCH-BATCHNORM-TRAINING", "TORCH-BATCHNORM-RUNNING", "TORCH-BATCHNORM-EVAL",
                      "TORCH-LAYERNORM"),
    "dropout": ("TORCH-DROPOUT-SCALING", "TORCH-DROPOUT-BACKWARD"),
    "optimizers": ("TORCH-ADAM", "TORCH-ADAMW", "TORCH-RMSPROP", "TORCH-MOMENTUM"),
    "document 001 exercise": ("TORCH-DOC001-EXERCISE",),
}


def main(argv: list[str]) -> int:
    """Run the torch chapter quietly, then print the table; returns pytest's exit code."""
    sys.path.insert(0, str(ROOT))
    import torch

    code = pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), str(ROOT / "spec" / "test_torch.py"),
                        *argv])
    from spec.test_torch import OBSERVED

    print(f"\ntorch {torch.__version__}, Python {sys.version.split()[0]}: max |got - torch| / max |torch|")
    for group, ids in GROUPS.items():
        seen = {req: OBSERVED[req] for req in ids if req in OBSERVED}
        worst = max(seen.values(), default=float("nan"))
        print(f"{group:<24}{worst:>12.3g}")
        for req, value in seen.items():
            print(f"    {req:<32}{value:>12.3g}")
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
