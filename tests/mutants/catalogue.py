"""The catalogue of mutants: realistic learner bugs, each applied alone to a copy of a correct submission.

Each mutant names the requirement(s) that must catch it; tests/test_mutants.py checks that every one of them
fails, with its requirement header in the message. ``equivalent`` mutants change the code but not the contract's
behaviour: they are findings (the spec rightly passes them), listed apart and never counted as kills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.mutants.mutation import ROOT, Edit, copy_file, copy_reference

REFERENCE = "reference"
LEARNER = "learner_correct"  # examples/learner_correct.py: a one-file submission written the way a learner would
LEARNER_FILE = ROOT / "examples" / "learner_correct.py"
CHAPTER_OF_MODULE = {  # the contract chapter whose code a mutant breaks (reference module -> chapter)
    "activations": "activations",
    "losses": "losses",
    "perceptron": "perceptron",
    "layers": "layers",
    "network": "network",
    "optimizers": "optimizers",
    "regularization": "regularization",
    "normalization": "normalization",
    "gradient_check": "gradient check",
}


@dataclass(frozen=True)
class Mutant:
    """``old`` becomes ``new`` in ``module`` of ``base`` (plus any ``also`` edits in the same file).

    ``module`` is the reference module of the broken code's chapter; a LEARNER mutant edits the one-file
    submission instead.
    """

    name: str
    module: str
    old: str
    new: str
    tags: tuple[str, ...]
    description: str
    base: str = REFERENCE
    equivalent: bool = False
    also: tuple[tuple[str, str], ...] = field(default=())

    @property
    def edits(self) -> tuple[Edit, ...]:
        file = self.module if self.base == REFERENCE else LEARNER
        return tuple(Edit(file, old, new) for old, new in ((self.old, self.new), *self.also))

    @property
    def chapter(self) -> str:
        return CHAPTER_OF_MODULE[self.module]

    def write(self, folder: Path) -> str:
        """The broken submission: its base copied into ``folder`` with the edits applied; the --impl target."""
        name = f"mutant_{self.name}"
        if self.base == REFERENCE:
            return copy_reference(folder, name, self.edits)
        return copy_file(LEARNER_FILE, folder, name, self.edits)


def _m(name: str, module: str, old: str, new: str, tags: tuple[str, ...], description: str, **kw: object) -> Mutant:
    return Mutant(name, module, old, new, tags, description, **kw)  # type: ignore[arg-type]


ACTIVATIONS = (
    _m("sigmoid_unstable", "activations",
       "e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)",
       "return (1 / (1 + np.exp(-z))).astype(z.dtype)",
       ("ACT-SIGMOID-STABLE",), "sigmoid as 1 / (1 + exp(-z)) without the stable branch: exp overflows for z << 0"),
    _m("sigmoid_derivative_of_activation", "activations", "s = sigmoid(z)\n    return s * (1 - s)",
       "z = as_array(z, \"z\")\n    return z * (1 - z)",
       ("ACT-SIGMOID-DERIVATIVE",),
       "sigmoid_derivative as a (1 - a) applied to z itself (the formula meant for the activation a)"),
    _m("tanh_derivative_one_minus_z_squared", "activations", "return 1 - tanh(z) ** 2",
       "z = as_array(z, \"z\")\n    return 1 - z**2",
       ("ACT-TANH-DERIVATIVE",),
       "tanh_derivative as 1 - z^2 instead of 1 - tanh(z)^2"),
    _m("relu_derivative_one_at_zero", "activations", "return (z > 0).astype(z.dtype)",
       "return (z >= 0).astype(z.dtype)", ("ACT-RELU-DERIVATIVE-AT-ZERO",),
       "relu_derivative is 1 at z = 0 (the contract says 0)"),
    _m("relu_derivative_one_below_zero", "activations", "return (z > 0).astype(z.dtype)",
       "return (z != 0).astype(z.dtype)", ("ACT-RELU-DERIVATIVE",),
       "relu_derivative is 1 for z < 0 too (|z|'s derivative squared: nonzero means 1)"),
    _m("relu_in_place", "activations", "return np.maximum(z, 0).astype(z.dtype)",
       "z[z < 0] = 0\n    return z", ("ACT-PURE",), "relu zeroes the negative entries of its argument in place"),
    _m("leaky_slope_on_positive_side", "activations", "return np.where(z > 0, z, alpha * z).astype(z.dtype)",
       "return np.where(z > 0, alpha * z, z).astype(z.dtype)", ("ACT-LEAKY-RELU-VALUES",),
       "leaky_relu applies the slope alpha to the positive side"),
    _m("leaky_derivative_float64", "activations", "return np.where(z > 0, 1.0, alpha).astype(z.dtype)",
       "return np.where(z > 0, 1.0, alpha)", ("ACT-DTYPE-PRESERVED",),
       "leaky_relu_derivative builds its result from Python floats: float32 input gives float64"),
    _m("gelu_tanh_constant_truncated", "activations", "GELU_TANH_COEFFICIENT = 0.044715",
       "GELU_TANH_COEFFICIENT = 0.0447", ("ACT-GELU-TANH-VALUES",),
       "GELU's tanh approximation with the cubic coefficient 0.0447 instead of 0.044715"),
    _m("gelu_approximate_by_default", "activations", "def gelu(z: ArrayLike, approximate: bool = False)",
       "def gelu(z: ArrayLike, approximate: bool = True)", ("ACT-GELU-VALUES",),
       "gelu defaults to the tanh approximation (the contract's default is the exact z Phi(z))"),
    _m("gelu_derivative_without_product_rule", "activations", "return (cdf + z * pdf).astype(z.dtype)",
       "return cdf.astype(z.dtype)", ("ACT-GELU-DERIVATIVE",),
       "gelu_derivative returns Phi(z), forgetting the product rule's z phi(z)"),
    _m("softmax_row_major_axis", "activations",
       "e = np.exp(z - z.max(axis=axis, keepdims=True))\n    return e / e.sum(axis=axis, keepdims=True)",
       "e = np.exp(z - z.max(axis=-1, keepdims=True))\n    return e / e.sum(axis=-1, keepdims=True)",
       ("ACT-SOFTMAX-VALUES",), "softmax over the last axis (row-major habit), ignoring axis"),
    _m("softmax_without_max_subtraction", "activations", "np.exp(z - z.max(axis=axis, keepdims=True))",
       "np.exp(z)", ("ACT-SOFTMAX-STABLE",), "softmax without subtracting the maximum: exp overflows at z = 1e4"),
    _m("softmax_over_all_elements", "activations", "return e / e.sum(axis=axis, keepdims=True)",
       "return e / e.sum()", ("ACT-SOFTMAX-VALUES",),
       "softmax normalised over the whole array instead of each column"),
)

LOSSES = (
    _m("bce_without_clipping", "losses",
       "P = _clipped(AL.astype(np.float64))\n    return float(-np.mean(",
       "P = AL.astype(np.float64)\n    return float(-np.mean(", ("LOSS-BCE-CLIPPED",),
       "binary_cross_entropy without clipping AL: log(0) at AL = 0 or 1"),
    _m("bce_mean_over_samples", "losses",
       "return float(-np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))",
       "return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / AL.shape[-1])", ("LOSS-BCE-VALUE",),
       "binary_cross_entropy averaged over the m samples (columns) instead of all elements"),
    _m("ce_summed", "losses", "return float(-np.sum(Y * np.log(P)) / AL.shape[-1])",
       "return float(-np.sum(Y * np.log(P)))", ("LOSS-CE-VALUE",),
       "categorical_cross_entropy summed over the batch instead of averaged"),
    _m("mse_gradient_without_2", "losses", "return 2 * (AL - Y) / AL.size", "return (AL - Y) / AL.size",
       ("LOSS-MSE-GRADIENT",), "mse_gradient drops the factor 2 of the square's derivative"),
    _m("bce_gradient_wrt_logit", "losses", "((-Y / P + (1 - Y) / (1 - P)) / AL.size)", "((AL - Y) / AL.size)",
       ("LOSS-BCE-GRADIENT",),
       "binary_cross_entropy_gradient returns the gradient w.r.t. the logit, (AL - Y) / N, not w.r.t. AL"),
    _m("ce_gradient_not_averaged", "losses", "(-Y / (P * AL.shape[-1]))", "(-Y / P)",
       ("LOSS-CE-GRADIENT",),
       "categorical_cross_entropy_gradient without the 1/m of the mean"),
    _m("compute_cost_default_mse", "losses", 'loss: str = "binary_cross_entropy") -> float:',
       'loss: str = "mse") -> float:', ("LOSS-COMPUTE-COST-DEFAULT",), "compute_cost defaults to mse"),
)

PERCEPTRON = (
    _m("perceptron_updates_when_correct", "perceptron", "error = int(y) - perceptron_predict(w, b, x)",
       "error = int(y) - (float(w @ x) + float(b))", ("PER-UPDATE-NO-CHANGE-WHEN-CORRECT",),
       "perceptron_update uses the raw score's error (delta rule), so it moves even on a correct prediction"),
    _m("perceptron_predict_zero_score_is_one", "perceptron", "return int(float(w @ x) + float(b) > 0)",
       "return int(float(w @ x) + float(b) >= 0)", ("PER-PREDICT-ZERO-SCORE",),
       "perceptron_predict returns 1 at a score of exactly 0"),
    _m("perceptron_update_sign_flipped", "perceptron",
       "return w + learning_rate * error * x, float(b) + learning_rate * error",
       "return w - learning_rate * error * x, float(b) - learning_rate * error",
       ("PER-UPDATE-RULE",),
       "perceptron_update moves against the error (w - lr (y - y_hat) x)"),
    _m("perceptron_predict_returns_float", "perceptron", "return int(float(w @ x) + float(b) > 0)",
       "return 1.0 if float(w @ x) + float(b) > 0 else 0.0", ("PER-PREDICT-IS-INT",),
       "perceptron_predict returns the float 1.0 or 0.0 (the contract: an int)"),
    _m("perceptron_random_start", "perceptron", "w, b = np.zeros(X.shape[0]), 0.0",
       "w, b = np.random.default_rng(0).normal(size=X.shape[0]), 0.0", ("PER-TRAIN-FROM-ZEROS",),
       "perceptron_train starts from random weights instead of zeros"),
)

LAYERS = (
    _m("dw_without_one_over_m", "layers", "dZ @ A_prev.T / m,", "dZ @ A_prev.T,", ("LAY-LINEAR-BACKWARD-DW",),
       "linear_backward forgets the 1/m in dW"),
    _m("db_over_wrong_axis", "layers", "dZ.mean(axis=1, keepdims=True)", "dZ.mean(axis=0, keepdims=True)",
       ("LAY-LINEAR-BACKWARD-SHAPES",),
       "db averaged over the units (axis 0), not the samples"),
    _m("db_without_keepdims", "layers", "dZ.mean(axis=1, keepdims=True)", "dZ.mean(axis=1)",
       ("LAY-LINEAR-BACKWARD-SHAPES",), "db without keepdims: shape (n,) instead of (n, 1)"),
    _m("da_without_transpose", "layers", "return W.T @ dZ,", "return W @ dZ,", ("LAY-LINEAR-BACKWARD-SHAPES",),
       "dA_prev = W dZ instead of W^T dZ (a shape error unless W is square; the values then block on the shapes)"),
    _m("da_row_major", "layers", "return W.T @ dZ,", "return dZ.T @ W,",
       ("LAY-LINEAR-BACKWARD-SHAPES",),
       "dA_prev = dZ^T W, the row-major formula: shape (m, n_prev), transposed"),
    _m("da_averaged", "layers", "return W.T @ dZ,", "return W.T @ dZ / A_prev.shape[1],", ("LAY-LINEAR-BACKWARD-DA",),
       "dA_prev divided by m as well (only dW and db are means)"),
    _m("linear_forward_row_major", "layers", "return W @ A_prev + b", "return A_prev.T @ W.T + b.T",
       ("LAY-LINEAR-FORWARD-VALUES",), "linear_forward in the row-major layout: Z of shape (m, n)"),
)

NETWORK = (
    _m("he_variance_one_over_n_in", "network", '"he": lambda i, o: 2 / i', '"he": lambda i, o: 1 / i',
       ("NET-INIT-HE-VARIANCE",), "He initialisation with variance 1/n_in (LeCun's) instead of 2/n_in"),
    _m("he_fan_out", "network", '"he": lambda i, o: 2 / i', '"he": lambda i, o: 2 / o', ("NET-INIT-HE-VARIANCE",),
       "He initialisation with fan_out instead of fan_in"),
    _m("xavier_wrong_fan_sum", "network", '"xavier": lambda i, o: 2 / (i + o)', '"xavier": lambda i, o: 1 / (i + o)',
       ("NET-INIT-XAVIER-VARIANCE",), "Xavier variance 1/(n_in + n_out) instead of 2/(n_in + n_out)"),
    _m("init_std_as_variance", "network", "* np.sqrt(variance[method](n_in, n_out))", "* variance[method](n_in, n_out)",
       ("NET-INIT-HE-VARIANCE", "NET-INIT-XAVIER-VARIANCE", "NET-INIT-LECUN-VARIANCE"),
       "initialisation scales the draws by the variance instead of its square root"),
    _m("zeros_init_for_weights", "network",
       "rng.standard_normal((n_out, n_in)) * np.sqrt(variance[method](n_in, n_out))", "np.zeros((n_out, n_in))",
       ("NET-INIT-HE-VARIANCE", "NET-INIT-DETERMINISTIC"), "every method initialises the weights to zeros"),
    _m("init_fixed_seed", "network", "rng = np.random.default_rng(seed)\n    variance",
       "rng = np.random.default_rng(42)\n    variance", ("NET-INIT-DETERMINISTIC",),
       "initialize_parameters draws from a fixed seed, ignoring its seed argument"),
    _m("output_gradient_sign_flipped", "network", "        return AL - Y\n", "        return Y - AL\n",
       ("NET-BACKWARD-GRADCHECK",), "backward's softmax + cross-entropy output gradient as Y - AL (sign flipped)"),
    _m("one_over_m_twice", "network", "dAL = m * loss_gradient(AL, Y, loss)", "dAL = loss_gradient(AL, Y, loss)",
       ("NET-BACKWARD-GRADCHECK",),
       "backward divides by m twice: the loss gradient's mean and again in linear_backward"),
    _m("sigmoid_bce_closed_form_single_output", "network", "return (AL - Y) / AL.shape[0]", "return AL - Y",
       ("NET-BACKWARD-GRADCHECK",),
       "sigmoid + BCE output gradient AL - Y, 003's one-output form, also used with several output units"),
    _m("tanh_derivative_at_activation", "network", '"tanh": (act.tanh, act.tanh_derivative),',
       '"tanh": (act.tanh, lambda z: act.tanh_derivative(act.tanh(z))),', ("NET-BACKWARD-GRADCHECK",),
       "backward evaluates tanh's derivative at the activation A = tanh(Z) instead of Z"),
    _m("backward_without_hidden_derivative", "network",
       "dZ = dA_prev * HIDDEN_ACTIVATIONS[hidden_activation][1](caches[layer - 2][2])", "dZ = dA_prev",
       ("NET-BACKWARD-GRADCHECK",),
       "backward passes dA straight through the hidden layers, losing the activation derivative"),
    _m("hidden_derivative_at_cached_activation", "network",
       "dZ = dA * ACTIVATIONS[hidden_activation][1](Z)", "dZ = dA * ACTIVATIONS[hidden_activation][1](A)",
       ("NET-BACKWARD-GRADCHECK",), "backward evaluates every hidden derivative at the cached A instead of Z",
       base=LEARNER),
    _m("update_with_plus", "network", "value - learning_rate * grads[f\"d{name}\"]",
       "value + learning_rate * grads[f\"d{name}\"]", ("NET-UPDATE-RULE",),
       "update_parameters adds the gradient (gradient ascent)"),
    _m("biases_never_updated", "network",
       'return {name: value - learning_rate * grads[f"d{name}"] for name, value in parameters.items()}',
       'return {name: value - learning_rate * grads[f"d{name}"] if name.startswith("W") else value\n'
       '            for name, value in parameters.items()}', ("NET-UPDATE-RULE",),
       "update_parameters updates the weights only, never the biases"),
    _m("update_in_place", "network",
       'return {name: value - learning_rate * grads[f"d{name}"] for name, value in parameters.items()}',
       'for name in parameters:\n        parameters[name] -= learning_rate * grads[f"d{name}"]\n    return parameters',
       ("NET-PURE",), "update_parameters subtracts in place from the arrays it was given"),
    _m("backward_pops_caches", "network", "A_prev, W, _ = caches[layer - 1]", "A_prev, W, _ = caches.pop()",
       ("NET-PURE",), "backward pops the layers off the caches list it was given"),
    _m("module_level_caches", "network", "    caches = []\n    for layer in range(1, L + 1):\n        A_prev = A",
       "    caches = CACHES\n    caches.clear()\n    for layer in range(1, L + 1):\n        A_prev = A",
       ("NET-CACHES-INDEPENDENT",),
       "forward reuses one module-level caches list: a second forward call overwrites the first call's caches",
       base=LEARNER, also=(("def forward(X, parameters,", "CACHES = []\n\n\ndef forward(X, parameters,"),)),
    _m("predict_threshold_inclusive", "network", "(AL[0] > 0.5)", "(AL[0] >= 0.5)", ("NET-PREDICT-THRESHOLD",),
       "predict labels AL = 0.5 as class 1"),
    _m("predict_argmax_over_samples", "network", "return np.argmax(AL, axis=0)", "return np.argmax(AL, axis=1)",
       ("NET-PREDICT-ARGMAX",), "predict takes the argmax along the samples axis"),
    _m("train_never_reshuffles", "network",
       "    for _ in range(epochs):\n        order = rng.permutation(m)\n",
       "    order = rng.permutation(m)\n    for _ in range(epochs):\n", ("NET-TRAIN-RESHUFFLES",),
       "train shuffles once before the first epoch and then reuses that order"),
    _m("train_never_shuffles", "network", "order = rng.permutation(m)", "order = np.arange(m)",
       ("NET-TRAIN-RESHUFFLES",), "train visits the samples in their given order every epoch"),
    _m("train_drops_partial_batch", "network", "for start in range(0, m, size):",
       "for start in range(0, m - size + 1, size):", ("NET-TRAIN-KEEPS-PARTIAL-BATCH",),
       "train drops the last partial batch's samples"),
    _m("train_shuffles_x_and_y_apart", "network", "X_batch, Y_batch = X[:, columns], Y[:, columns]",
       "X_batch, Y_batch = X[:, columns], Y[:, rng.permutation(m)[start : start + size]]",
       ("NET-TRAIN-FULL-BATCH",), "train shuffles X and Y with two different permutations"),
    _m("train_epoch_cost_last_batch", "network", "costs.append(float(np.mean(batch_costs)))",
       "costs.append(float(batch_costs[-1]))", ("NET-TRAIN-KEEPS-PARTIAL-BATCH",),
       "train records the last batch's cost as the epoch's cost"),
)

EQUIVALENT = (
    _m("relu_derivative_at_activation", "network", '"relu": (act.relu, act.relu_derivative),',
       '"relu": (act.relu, lambda z: act.relu_derivative(act.relu(z))),', ("NET-BACKWARD-GRADCHECK",),
       "backward evaluates ReLU's derivative at A = relu(Z): relu(z) > 0 exactly when z > 0", equivalent=True),
    _m("leaky_relu_derivative_at_activation", "network", '"leaky_relu": (act.leaky_relu, act.leaky_relu_derivative),',
       '"leaky_relu": (act.leaky_relu, lambda z: act.leaky_relu_derivative(act.leaky_relu(z))),',
       ("NET-BACKWARD-GRADCHECK",),
       "backward evaluates leaky ReLU's derivative at A: for alpha >= 0, A > 0 exactly when z > 0", equivalent=True),
)

OPTIMIZERS = (
    _m("momentum_without_one_minus_beta", "optimizers", "beta * v_prev[name] + (1 - beta) * g[name]",
       "beta * v_prev[name] + g[name]", ("OPT-MOMENTUM-CONSTANT-GRADIENT",),
       "momentum accumulates v = beta v + g, without the (1 - beta)"),
    _m("momentum_state_in_place", "optimizers",
       "v = {name: beta * v_prev[name] + (1 - beta) * g[name] for name in parameters}",
       "v = v_prev\n    for name in parameters:\n        v[name] *= beta\n        v[name] += (1 - beta) * g[name]",
       ("OPT-PURE",), "momentum updates the velocity arrays of the state it was given, in place"),
    _m("rmsprop_eps_inside_sqrt", "optimizers", "g[name] / (np.sqrt(s[name]) + eps)",
       "g[name] / np.sqrt(s[name] + eps)", ("OPT-RMSPROP-CONSTANT-GRADIENT",),
       "RMSProp with eps inside the square root"),
    _m("rmsprop_torch_default_beta", "optimizers", "    beta: float = 0.9,\n    eps: float = 1e-8,",
       "    beta: float = 0.99,\n    eps: float = 1e-8,", ("OPT-RMSPROP-TRAJECTORY",),
       "RMSProp's beta defaults to 0.99 (PyTorch's alpha) instead of the contract's 0.9"),
    _m("adam_without_bias_correction", "optimizers",
       "(m[name] / (1 - beta1**t)) / (np.sqrt(v[name] / (1 - beta2**t)) + eps)", "m[name] / (np.sqrt(v[name]) + eps)",
       ("OPT-ADAM-CONSTANT-GRADIENT",), "Adam without bias correction"),
    _m("adam_t_from_zero", "optimizers", 't = state["t"] + 1', 't = state["t"]',
       ("OPT-ADAM-CONSTANT-GRADIENT",),
       "Adam's step counter starts at 0 and is incremented after use: the first bias correction divides by 0",
       also=(('return direction, {"t": t,', 'return direction, {"t": t + 1,'),)),
    _m("adam_eps_inside_sqrt", "optimizers", "(np.sqrt(v[name] / (1 - beta2**t)) + eps)",
       "np.sqrt(v[name] / (1 - beta2**t) + eps)", ("OPT-ADAM-CONSTANT-GRADIENT",),
       "Adam with eps inside the square root (the trajectory then blocks on the constant-gradient step)"),
    _m("adamw_decay_through_gradient", "optimizers",
       "    direction, new_state = _adam_moments(parameters, grads, state, beta1, beta2, eps)\n"
       "    new = {name: p - learning_rate * (direction[name] + weight_decay * p)",
       "    coupled = {f\"d{name}\": grads[f\"d{name}\"] + weight_decay * p for name, p in parameters.items()}\n"
       "    direction, new_state = _adam_moments(parameters, coupled, state, beta1, beta2, eps)\n"
       "    new = {name: p - learning_rate * direction[name]", ("OPT-ADAMW-TRAJECTORY",),
       "AdamW adds the decay to the gradient (coupled L2, Adam's weight_decay) instead of decoupling it"),
    _m("adamw_decays_weights_only", "optimizers", "(direction[name] + weight_decay * p)",
       "(direction[name] + weight_decay * p * name.startswith(\"W\"))", ("OPT-ADAMW-TRAJECTORY",),
       "AdamW decays the weights only (the contract decays every parameter passed)"),
)

REGULARIZATION = (
    _m("dropout_scales_by_p", "regularization", "return A * mask / (1 - p), mask", "return A * mask / p, mask",
       ("REG-DROPOUT-INVERTED",), "dropout scales the survivors by 1/p instead of 1/(1 - p)"),
    _m("dropout_keeps_with_p", "regularization", "(rng.random(A.shape) >= p)", "(rng.random(A.shape) < p)",
       ("REG-DROPOUT-KEEP-RATE",), "dropout keeps each unit with probability p (p is the DROP probability)"),
    _m("dropout_mask_float64", "regularization", "mask = (rng.random(A.shape) >= p).astype(A.dtype)",
       "mask = (rng.random(A.shape) >= p).astype(float)", ("REG-DROPOUT-MASK-DTYPE",),
       "dropout's mask is always float64, so a float32 A gives a float64 A_out (the contract: float32 stays float32)"),
    _m("dropout_backward_float64_zeros", "regularization", "return dA_out * mask / (1 - p)",
       "dA = np.zeros(dA_out.shape)\n    kept = mask != 0\n    dA[kept] = dA_out[kept] / (1 - p)\n    return dA",
       ("REG-DROPOUT-BACKWARD-DTYPE",),
       "dropout_backward fills np.zeros(shape), float64 whatever dA_out's dtype (the contract: float32 stays float32)"),
    _m("dropout_global_rng", "regularization", "(rng.random(A.shape) >= p)", "(np.random.random(A.shape) >= p)",
       ("REG-DROPOUT-DETERMINISTIC",), "dropout draws its mask from the global np.random state, not rng"),
    _m("dropout_backward_fresh_mask", "regularization", "return dA_out * mask / (1 - p)",
       "return dA_out * (np.random.default_rng().random(dA_out.shape) >= p) / (1 - p)", ("REG-DROPOUT-BACKWARD",),
       "dropout_backward draws a fresh mask instead of using the forward pass's"),
    _m("dropout_accepts_p_one", "regularization", "if not 0 <= p < 1:", "if not 0 <= p <= 1:",
       ("REG-DROPOUT-P-RANGE",), "dropout accepts p = 1 (then divides by zero)"),
    _m("l2_penalises_biases", "regularization",
       "sum(np.sum(W.astype(np.float64) ** 2) for W in _weights(parameters).values())",
       "sum(np.sum(W.astype(np.float64) ** 2) for W in parameters.values())", ("REG-L2-PENALTY",),
       "l2_penalty sums the squares of the biases too"),
    _m("l2_without_half", "regularization", "float(lambd / 2 * sum(", "float(lambd * sum(",
       ("REG-L2-PENALTY",), "l2_penalty without the 1/2 (l2_gradient, still lambd W, is right)"),
    _m("l1_gradient_sign_at_zero", "regularization", "lambd * np.sign(W)", "lambd * np.where(W >= 0, 1.0, -1.0)",
       ("REG-L1-GRADIENT-ZERO-AT-ZERO",), "l1_gradient is +lambd at W = 0 instead of 0"),
    _m("l1_gradient_without_lambda", "regularization", "lambd * np.sign(W)", "np.sign(W)",
       ("REG-L1-GRADIENT",), "l1_gradient returns sign(W), forgetting lambd"),
)

NORMALIZATION = (
    _m("bn_unbiased_variance_forward", "normalization",
       "mu, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)",
       "mu, var = X.mean(axis=1, keepdims=True), X.var(axis=1, ddof=1, keepdims=True)", ("NORM-BN-FORWARD",),
       "batch norm normalises with the unbiased variance"),
    _m("bn_backward_without_mean_terms", "normalization",
       "_normalized_backward(dY, x_hat, gamma, inv_std, axis=1) if training",
       "(dY * gamma - x_hat * np.mean(dY * gamma * x_hat, axis=1, keepdims=True)) * inv_std if training",
       ("NORM-BN-BACKWARD",), "batch norm backward forgets the mean's term (- mean of dx_hat)"),
    _m("bn_running_variance_biased", "normalization", "momentum * var * m / (m - 1)", "momentum * var",
       ("NORM-BN-RUNNING-STATS",), "running_var updated with the biased batch variance"),
    _m("bn_momentum_swapped", "normalization", "rm = (1 - momentum) * rm + momentum * mu",
       "rm = momentum * rm + (1 - momentum) * mu", ("NORM-BN-RUNNING-STATS",),
       "running_mean = momentum running + (1 - momentum) batch (Keras's convention)"),
    _m("bn_ignores_training_flag", "normalization", "if training:\n        m = X.shape[1]",
       "if True:\n        m = X.shape[1]", ("NORM-BN-INFERENCE",),
       "batch norm normalises with the batch statistics even when training=False"),
    _m("bn_running_stats_in_place", "normalization",
       "rm = (1 - momentum) * rm + momentum * mu\n        rv = (1 - momentum) * rv + momentum * var * m / (m - 1)",
       "rm *= 1 - momentum\n        rm += momentum * mu\n        rv *= 1 - momentum\n"
       "        rv += momentum * var * m / (m - 1)", ("NORM-PURE",),
       "batch norm updates the running statistics it was given in place"),
    _m("bn_backward_ignores_eval_mode", "normalization",
       "dX = _normalized_backward(dY, x_hat, gamma, inv_std, axis=1) if training else dY * gamma * inv_std",
       "dX = _normalized_backward(dY, x_hat, gamma, inv_std, axis=1)", ("NORM-BN-INFERENCE-BACKWARD",),
       "batch norm backward always uses the training formula, also after a training=False forward"),
    _m("ln_over_batch_axis", "normalization", "mu, var = X.mean(axis=0, keepdims=True), X.var(axis=0, keepdims=True)",
       "mu, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)",
       ("NORM-LN-FORWARD",), "layer norm normalises each feature over the batch"),
)

GRADIENT_CHECK = (
    _m("numerical_gradient_forward_difference", "gradient_check",
       "x[index] = original - eps\n        f_minus = float(f(x))\n        x[index] = original\n"
       "        grad[index] = (f_plus - f_minus) / (2 * eps)",
       "x[index] = original\n        f_minus = float(f(x))\n        grad[index] = (f_plus - f_minus) / eps",
       ("GC-NUMERICAL-GRADIENT-CENTRAL", "GC-NUMERICAL-GRADIENT-KNOWN"),
       "numerical_gradient uses the forward difference (f(x + eps) - f(x)) / eps"),
    _m("numerical_gradient_never_restores", "gradient_check", "        x[index] = original\n        grad[index]",
       "        grad[index]", ("GC-NUMERICAL-GRADIENT-RESTORES-X", "GC-NUMERICAL-GRADIENT-KNOWN"),
       "numerical_gradient nudges the caller's x and never puts the entries back"),
    _m("numerical_gradient_restores_by_adding_eps", "gradient_check",
       "        x[index] = original\n        grad[index]",
       "        x[index] += eps\n        grad[index]", ("GC-NUMERICAL-GRADIENT-RESTORES-X",),
       "numerical_gradient puts x back by adding eps to x - eps, which does not round back to x bit for bit"),
    _m("numerical_gradient_on_a_copy", "gradient_check", "x = _perturbable(x)\n",
       "x = _perturbable(x).astype(np.float64)\n", ("GC-NUMERICAL-GRADIENT-CLOSURE",),
       "numerical_gradient nudges its own float64 copy of x: an f that closes over x never sees the nudge"),
    _m("numerical_gradient_float32_for_float64", "gradient_check", "grad = np.zeros_like(x)",
       "grad = np.zeros_like(x, dtype=np.float32)", ("GC-NUMERICAL-GRADIENT-SHAPE", "GC-NUMERICAL-GRADIENT-CENTRAL"),
       "numerical_gradient stores the gradient in float32 even for a float64 x (the contract: float64)"),
    _m("relative_error_sum_of_norms", "gradient_check", "scale = max(np.linalg.norm(a), np.linalg.norm(b))",
       "scale = np.linalg.norm(a) + np.linalg.norm(b)", ("GC-RELATIVE-ERROR-DEFINITION",),
       "relative_error divides by norm(a) + norm(b) instead of the max"),
    _m("relative_error_zero_over_zero", "gradient_check",
       "return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)",
       "return float(np.linalg.norm(a - b) / scale)", ("GC-RELATIVE-ERROR-ZERO",),
       "relative_error divides 0 by 0 when both arrays are 0"),
)

# Self-consistent pairs: a wrong gradient with the matching wrong value function. A gradient requirement that
# compared only with central differences of the implementation's own value function passed each of them; the
# spec's oracles (spec/oracles.py) catch them (issue 10, item 3).
SELF_CONSISTENT_PAIRS = (
    _m("l1_gradient_half_lambda", "regularization", "lambd * np.sign(W)", "np.full_like(W, lambd / 2)",
       ("REG-L1-GRADIENT", "REG-L1-PENALTY"),
       "l1_gradient is lambd / 2 everywhere, and l1_penalty the matching lambd / 2 sum(W): each is the other's "
       "derivative or integral, but neither is lambd ||W||_1's",
       also=(("lambd * sum(np.sum(np.abs(W.astype(np.float64))) for W",
              "lambd / 2 * sum(np.sum(W.astype(np.float64)) for W"),)),
    _m("network_gelu_tanh_pair", "network", '"gelu": (act.gelu, act.gelu_derivative),',
       '"gelu": (lambda z: act.gelu(z, approximate=True), lambda z: act.gelu_derivative(z, approximate=True)),',
       ("NET-FORWARD-MATCHES",),  # NET-BACKWARD-GRADCHECK: blocked by it
       "forward and backward both use GELU's tanh approximation for the hidden activation 'gelu' (the contract's "
       "is the exact z Phi(z))"),
    _m("bn_without_eps", "normalization",
       "inv_std = 1 / np.sqrt(var + eps)\n    x_hat = (X - mu) * inv_std\n    return gamma * x_hat + beta, "
       "(x_hat, gamma, inv_std, training)",
       "inv_std = 1 / np.sqrt(var)\n    x_hat = (X - mu) * inv_std\n    return gamma * x_hat + beta, "
       "(x_hat, gamma, inv_std, training)", ("NORM-BN-FORWARD",),
       "batch norm forgets eps in sqrt(var + eps); its backward, working from the cached inv_std, follows suit"),
    _m("ln_without_eps", "normalization",
       "inv_std = 1 / np.sqrt(var + eps)\n    x_hat = (X - mu) * inv_std\n    return gamma * x_hat + beta, "
       "(x_hat, gamma, inv_std)\n",
       "inv_std = 1 / np.sqrt(var)\n    x_hat = (X - mu) * inv_std\n    return gamma * x_hat + beta, "
       "(x_hat, gamma, inv_std)\n", ("NORM-LN-FORWARD",),
       "layer norm forgets eps in sqrt(var + eps); its backward, working from the cached inv_std, follows suit"),
    _m("dropout_pair_scales_by_p", "regularization", "return A * mask / (1 - p), mask", "return A * mask / p, mask",
       ("REG-DROPOUT-INVERTED",),
       "dropout_forward and dropout_backward both scale by 1/p instead of 1/(1 - p)",
       also=(("return dA_out * mask / (1 - p)", "return dA_out * mask / p"),)),
)

MUTANTS: tuple[Mutant, ...] = (
    *ACTIVATIONS, *LOSSES, *PERCEPTRON, *LAYERS, *NETWORK, *EQUIVALENT, *OPTIMIZERS, *REGULARIZATION,
    *NORMALIZATION, *GRADIENT_CHECK, *SELF_CONSISTENT_PAIRS,
)
BY_NAME = {mutant.name: mutant for mutant in MUTANTS}
