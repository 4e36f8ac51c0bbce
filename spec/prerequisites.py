"""Prerequisites: requirements that build on others, so that one bug is reported once, where it is.

``PREREQUISITES`` maps a requirement ID to the IDs it builds on: a worked example that runs ``backward`` builds on
the backward pass being right, the XOR experiment on training, a trajectory on a single step. When one of them
failed in the same run, the dependent is not run and is reported as "blocked by <ID>" (scored 0): the learner
sees the root cause, not a dozen symptoms. A prerequisite that is not selected in a run (``--requirement X``
alone) blocks nothing. spec/plugin.py runs every selected prerequisite before its dependents and does the
blocking; the grader (nnspec/grade/runner.py) reports it.

To declare one, add its line here; tests/test_prerequisites.py checks that every ID names a requirement of the
spec and that there is no cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import TypeVar

BLOCKED = "blocked by "  # the skip reason of a blocked test starts with this, followed by the failed IDs

ELEMENTWISE = ("SIGMOID", "TANH", "RELU", "LEAKY-RELU", "GELU", "GELU-TANH")  # activations with a derivative
ACTIVATION_VALUES = (*(f"ACT-{family}-VALUES" for family in ELEMENTWISE), "ACT-SOFTMAX-VALUES")
ACTIVATION_DERIVATIVES = tuple(f"ACT-{family}-DERIVATIVE" for family in ELEMENTWISE)
LOSSES = ("LOSS-BCE-VALUE", "LOSS-CE-VALUE", "LOSS-MSE-VALUE", "LOSS-COMPUTE-COST")
LOSS_GRADIENTS = ("LOSS-BCE-GRADIENT", "LOSS-CE-GRADIENT", "LOSS-MSE-GRADIENT")
LINEAR_BACKWARD = ("LAY-LINEAR-BACKWARD-SHAPES", "LAY-LINEAR-BACKWARD-DW", "LAY-LINEAR-BACKWARD-DB",
                   "LAY-LINEAR-BACKWARD-DA")
FORWARD = (*ACTIVATION_VALUES, "LAY-LINEAR-FORWARD-VALUES")  # what forward is made of
BACKWARD = (*ACTIVATION_DERIVATIVES, *LOSSES, *LOSS_GRADIENTS, *LINEAR_BACKWARD, "NET-FORWARD-MATCHES")
STEP = ("NET-FORWARD-MATCHES", "NET-BACKWARD-GRADCHECK", "NET-UPDATE-RULE")  # one step of gradient descent
TRAINING = (*STEP, "NET-TRAIN-DECREASES")


def _own_function(family: str) -> tuple[str, str]:
    """An activation's value and derivative requirements (what its consistency and stability build on)."""
    return f"ACT-{family}-VALUES", f"ACT-{family}-DERIVATIVE"


PREREQUISITES: dict[str, tuple[str, ...]] = {
    # activations: a derivative builds on its function (the documents compute it from the function's value);
    # consistency with the implementation's own function, stability and softmax's properties build on the values
    **{f"ACT-{family}-DERIVATIVE": (f"ACT-{family}-VALUES",) for family in ELEMENTWISE},
    **{f"ACT-{family}-DERIVATIVE-CONSISTENT": _own_function(family) for family in ELEMENTWISE},
    "ACT-RELU-DERIVATIVE-AT-ZERO": ("ACT-RELU-VALUES",),
    "ACT-SIGMOID-STABLE": _own_function("SIGMOID"),
    "ACT-TANH-STABLE": _own_function("TANH"),
    "ACT-GELU-STABLE": (*_own_function("GELU"), *_own_function("GELU-TANH")),
    "ACT-LEAKY-RELU-DEFAULT-ALPHA": ("ACT-LEAKY-RELU-VALUES",),
    **{f"ACT-SOFTMAX-{name}": ("ACT-SOFTMAX-VALUES",)
       for name in ("AXIS", "JACOBIAN", "SHIFT-INVARIANT", "STABLE", "SUMS-TO-ONE")},
    # losses: compute_cost dispatches to the losses; the gradients with respect to the logits chain a loss
    # gradient and an activation derivative
    "LOSS-COMPUTE-COST": ("LOSS-BCE-VALUE", "LOSS-CE-VALUE", "LOSS-MSE-VALUE"),
    # the edge AL = 0 or 1 of a cost is its clip's; stability at the extremes builds on it
    "LOSS-BCE-CLIPPED": ("LOSS-BCE-VALUE",),
    "LOSS-CE-FLOOR": ("LOSS-CE-VALUE",),
    "LOSS-STABLE": ("LOSS-BCE-CLIPPED", "LOSS-CE-FLOOR"),
    "LOSS-BCE-LOGIT-GRADIENT": ("LOSS-BCE-GRADIENT", "ACT-SIGMOID-VALUES", "ACT-SIGMOID-DERIVATIVE"),
    "LOSS-SOFTMAX-CE-LOGIT-GRADIENT": ("LOSS-CE-GRADIENT", "ACT-SOFTMAX-VALUES"),
    # layers: the values of linear_backward's gradients, and the layer functions' dtypes and purity, build on
    # the functions working with the right shapes
    **{f"LAY-LINEAR-BACKWARD-{name}": ("LAY-LINEAR-BACKWARD-SHAPES",) for name in ("DW", "DB", "DA")},
    **{f"LAY-{name}": ("LAY-LINEAR-FORWARD-VALUES", "LAY-LINEAR-BACKWARD-SHAPES") for name in ("FLOAT32", "PURE")},
    # normalization: the normalising property and the backward pass build on the forward values
    "NORM-BN-NORMALISES": ("NORM-BN-FORWARD",),
    "NORM-BN-BACKWARD": ("NORM-BN-FORWARD",),
    "NORM-BN-INFERENCE-BACKWARD": ("NORM-BN-INFERENCE",),
    "NORM-LN-NORMALISES": ("NORM-LN-FORWARD",),
    "NORM-LN-BACKWARD": ("NORM-LN-FORWARD",),
    # perceptron
    "PER-TRAIN-FROM-ZEROS": ("PER-PREDICT-RULE", "PER-PREDICT-ZERO-SCORE", "PER-UPDATE-RULE"),  # w = 0 scores 0
    "PER-TRAIN-TRAJECTORY": ("PER-PREDICT-RULE", "PER-UPDATE-RULE", "PER-TRAIN-FROM-ZEROS"),
    # network
    "NET-FORWARD-MATCHES": FORWARD,
    "NET-FORWARD-OUTPUT-RANGE": FORWARD,
    "NET-PREDICT-ARGMAX": ("NET-FORWARD-MATCHES",),
    "NET-PREDICT-THRESHOLD": ("NET-FORWARD-MATCHES",),
    "NET-BACKWARD-GRADCHECK": BACKWARD,
    "NET-PURE": STEP,  # it chains initialize_parameters, forward, backward, update_parameters, predict and train
    "NET-CACHES-INDEPENDENT": ("NET-FORWARD-MATCHES", "NET-BACKWARD-GRADCHECK"),
    **{f"NET-TRAIN-{name}": (*STEP, "NET-INIT-SHAPES", "NET-INIT-DETERMINISTIC")  # train starts from an init
       for name in ("COSTS-PER-EPOCH", "DECREASES", "DETERMINISTIC", "FULL-BATCH", "KEEPS-PARTIAL-BATCH",
                    "RESHUFFLES")},
    # optimizers: a trajectory builds on the single step under a constant gradient
    **{f"OPT-{name}-TRAJECTORY": (f"OPT-{name}-CONSTANT-GRADIENT",) for name in ("MOMENTUM", "RMSPROP", "ADAM")},
    "OPT-ADAMW-TRAJECTORY": ("OPT-ADAM-TRAJECTORY",),
    "OPT-ADAMW-ZERO-DECAY-IS-ADAM": ("OPT-ADAM-TRAJECTORY",),
    "OPT-PURE": tuple(f"OPT-{name}-CONSTANT-GRADIENT" for name in ("MOMENTUM", "RMSPROP", "ADAM")),
    # regularization: the backward pass and the p = 0 edge build on the forward's inverted scaling
    "REG-DROPOUT-BACKWARD": ("REG-DROPOUT-INVERTED",),
    "REG-DROPOUT-P-ZERO-IDENTITY": ("REG-DROPOUT-INVERTED",),
    # worked examples
    "WE-000-EXERCISE3-SHAPES": ("NET-INIT-SHAPES", "NET-FORWARD-MATCHES"),
    "WE-000-MNIST-SHAPES": ("NET-INIT-SHAPES", "NET-FORWARD-MATCHES"),
    "WE-001-MNIST-SHAPES": ("NET-INIT-SHAPES", "NET-FORWARD-MATCHES"),
    "WE-001-QUIZ-W1-SHAPE": ("NET-INIT-SHAPES", "LAY-LINEAR-FORWARD-VALUES"),
    "WE-001-AUTOGRAD-NEURON": ("LAY-LINEAR-FORWARD-VALUES", *_own_function("RELU"), "LOSS-MSE-VALUE",
                               "LOSS-MSE-GRADIENT", *LINEAR_BACKWARD),
    "WE-002-MSE-GRADIENT": ("LOSS-MSE-VALUE", "LOSS-MSE-GRADIENT"),
    "WE-002-ROW-MAJOR-BACKPROP": ("NET-FORWARD-MATCHES", "NET-BACKWARD-GRADCHECK", "LOSS-MSE-VALUE"),
    "WE-003-NEURON": ("LAY-LINEAR-FORWARD-VALUES", "ACT-SIGMOID-VALUES", "NET-FORWARD-MATCHES"),
    "WE-003-GD-1D": ("NET-UPDATE-RULE",),
    "WE-003-BACKPROP-221": (*STEP, "LOSS-MSE-VALUE", "ACT-SIGMOID-DERIVATIVE"),
    "WE-003-XOR-SEED0": (*STEP, "NET-PREDICT-THRESHOLD", "LOSS-MSE-VALUE"),
    "WE-004-ADAM-3STEPS": ("OPT-ADAM-TRAJECTORY",),
    "WE-004-BACKPROP-2LAYER": (*STEP, "ACT-SIGMOID-DERIVATIVE", *LINEAR_BACKWARD),
    "WE-004-MLP-FORWARD": ("NET-FORWARD-MATCHES", "NET-PREDICT-ARGMAX"),
    "WE-004-MSE-VS-CE": ("NET-BACKWARD-GRADCHECK",),
    "WE-004-OUTPUT-GRADIENT": ("NET-BACKWARD-GRADCHECK",),
    "WE-004-PERCEPTRON-AND": ("PER-TRAIN-TRAJECTORY",),
    "WE-004-PERCEPTRON-DECISION": ("PER-PREDICT-RULE", "LAY-LINEAR-FORWARD-VALUES"),
    "WE-004-PERCEPTRON-LEARNING": ("PER-PREDICT-RULE", "PER-UPDATE-RULE", "LAY-LINEAR-FORWARD-VALUES"),
    "WE-004-SIGMOID-TABLE": ("ACT-SIGMOID-VALUES", "ACT-SIGMOID-DERIVATIVE"),
    "WE-004-SOFTMAX": ("ACT-SOFTMAX-VALUES",),
    # experiments
    "EXP-PERCEPTRON-AND": ("PER-TRAIN-TRAJECTORY",),
    "EXP-PERCEPTRON-OR": ("PER-TRAIN-TRAJECTORY",),
    "EXP-PERCEPTRON-XOR": ("PER-TRAIN-TRAJECTORY",),
    "EXP-XOR-NETWORK": (*TRAINING, "NET-PREDICT-THRESHOLD"),
    "EXP-SYMMETRY-EQUAL-INIT": STEP,
    "EXP-SYMMETRY-ZERO-INIT": (*STEP, "NET-INIT-ZEROS"),
    "EXP-GD-CONVERGES": ("NET-UPDATE-RULE",),
    "EXP-GD-DIVERGES": ("NET-UPDATE-RULE",),
    "EXP-LINEAR-STACK-COLLAPSES": ("LAY-LINEAR-FORWARD-VALUES", "NET-FORWARD-MATCHES"),
    "EXP-HE-KEEPS-VARIANCE": ("NET-INIT-HE-VARIANCE", "NET-FORWARD-MATCHES"),
    # the claims of the documents measured on the implementation's own forward, backward and steps (issue 16)
    "EXP-VANISHING-GRADIENTS": ("NET-FORWARD-MATCHES", "NET-BACKWARD-GRADCHECK"),
    "EXP-MINIBATCH-UNBIASED": ("NET-FORWARD-MATCHES", "NET-BACKWARD-GRADCHECK"),
    "EXP-SOFTMAX-BCE-BREAKS": ("NET-FORWARD-MATCHES", "NET-BACKWARD-GRADCHECK"),
    "EXP-DYING-RELU": STEP,
    "EXP-TANH-FASTER-THAN-SIGMOID": (*STEP, "LOSS-COMPUTE-COST"),
    "EXP-MOMENTUM-DAMPS-RAVINE": ("NET-UPDATE-RULE", "OPT-MOMENTUM-TRAJECTORY"),
    "EXP-L1-SUBGRADIENT-CHATTERS": ("REG-L1-GRADIENT",),
    # document 001's autograd exercise: .grad is the exercise's gradient only when the parameters track gradients
    # and the forward pass and loss are the exercise's; the manual gradient is taken at the exercise's y and z
    "AUTOGRAD-W-GRADIENT": ("AUTOGRAD-W-REQUIRES-GRAD", "AUTOGRAD-FORWARD", "AUTOGRAD-LOSS"),
    "AUTOGRAD-B-GRADIENT": ("AUTOGRAD-B-REQUIRES-GRAD", "AUTOGRAD-FORWARD", "AUTOGRAD-LOSS"),
    "AUTOGRAD-MANUAL-GRADIENT": ("AUTOGRAD-FORWARD",),
    # the MNIST gate trains a network
    "MNIST-GATE-LOOP": (*STEP, "NET-INIT-HE-VARIANCE"),
    "MNIST-GATE-TRAIN": (*TRAINING, "NET-INIT-HE-VARIANCE"),
}

T = TypeVar("T")


def blockers(req_id: str, failed: Container[str], blocked: Mapping[str, list[str]]) -> list[str]:
    """The failed requirements that block ``req_id``: its prerequisites that failed, and for those that were
    blocked themselves, what blocked them (``blocked``: ID -> its blockers, so far in the run)."""
    roots: list[str] = []
    for prerequisite in PREREQUISITES.get(req_id, ()):
        found = [prerequisite] if prerequisite in failed else blocked.get(prerequisite, [])
        roots += [root for root in found if root not in roots]
    return roots


def ordered(items: list[T], requirement: Callable[[T], str | None]) -> list[T]:
    """``items`` in rounds: first those whose prerequisites have no item in ``items``, then those whose
    prerequisites' items are all placed, and so on; each round keeps the given order."""
    remaining: dict[str, int] = {}
    for item in items:
        req_id = requirement(item)
        if req_id is not None:
            remaining[req_id] = remaining.get(req_id, 0) + 1
    result: list[T] = []
    pending = list(items)
    while pending:
        ready = [item for item in pending if _ready(requirement(item), remaining)]
        if not ready:  # a cycle (tests/test_prerequisites.py forbids them): keep the rest as it is
            return result + pending
        chosen = {id(item) for item in ready}
        pending = [item for item in pending if id(item) not in chosen]
        for item in ready:
            req_id = requirement(item)
            if req_id is not None:
                remaining[req_id] -= 1
        result += ready
    return result


def _ready(req_id: str | None, remaining: Mapping[str, int]) -> bool:
    return req_id is None or all(remaining.get(prerequisite, 0) == 0 for prerequisite in PREREQUISITES.get(req_id, ()))
