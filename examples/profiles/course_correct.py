"""A deep L-layer network for binary classification, written the way the widely taught course API asks for it.

Column-major: X is (n_x, m), W{l} is (n_l, n_{l-1}), b{l} is (n_l, 1). Hidden layers use ReLU, the output layer a
sigmoid; the cost is the cross-entropy summed over the outputs and divided by m. Parameters are initialised with
randn * 0.01 after seeding NumPy's global generator, and updated in place.
"""

import numpy as np


def sigmoid(Z):
    """A = 1 / (1 + exp(-Z)), computed without overflow; returns (A, cache) with cache = Z."""
    A = np.empty_like(Z, dtype=np.result_type(Z, np.float32))
    positive = Z >= 0
    A[positive] = 1.0 / (1.0 + np.exp(-Z[positive]))
    exp_z = np.exp(Z[~positive])
    A[~positive] = exp_z / (1.0 + exp_z)
    return A, Z


def relu(Z):
    """A = max(0, Z); returns (A, cache) with cache = Z."""
    A = np.maximum(0, Z)
    return A, Z


def relu_backward(dA, cache):
    """dZ = dA * relu'(Z), with relu'(0) = 0."""
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    """dZ = dA * s (1 - s) with s = sigmoid(Z)."""
    Z = cache
    s, _ = sigmoid(Z)
    return dA * s * (1 - s)


def initialize_parameters_deep(layer_dims):
    """W{l} ~ randn * 0.01 of shape (layer_dims[l], layer_dims[l-1]), b{l} zeros (layer_dims[l], 1)."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    """Z = W A + b; returns (Z, cache) with cache = (A, W, b)."""
    Z = W @ A + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b) for activation "relu" or "sigmoid"; returns (A, (linear_cache, activation_cache))."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    """[LINEAR -> RELU] * (L - 1) -> LINEAR -> SIGMOID; returns (AL, caches), one cache per layer."""
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """Cross-entropy: -1/m sum(Y log AL + (1 - Y) log(1 - AL)), a Python float."""
    m = Y.shape[1]
    AL = np.clip(AL, 1e-15, 1 - 1e-15)
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return float(np.squeeze(cost))


def linear_backward(dZ, cache):
    """From dZ of a layer and its cache (A_prev, W, b): (dA_prev, dW, db), averaged over the m samples."""
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """One layer's backward step through its activation, then its linear part."""
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """Gradients of the cost: grads["dA" + str(l)], grads["dW" + str(l)], grads["db" + str(l)]."""
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    AL = np.clip(AL, 1e-15, 1 - 1e-15)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA_prev, dW, db = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = dA_prev, dW, db
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA_prev, dW, db
    return grads


def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step, in place; returns parameters."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Full-batch gradient descent; returns (parameters, costs) with the cost of every 100th iteration."""
    costs = []
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0 or i == num_iterations - 1:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost}")
    return parameters, costs


def predict(X, y, parameters):
    """0/1 predictions (1, m) of the network, printing the accuracy against y."""
    probas, _ = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(int)
    print("Accuracy: " + str(np.mean(p == y)))
    return p


def update_variables_momentum(alpha, beta1, var, grad, v):
    """Gradient descent with momentum on one variable: returns the updated (var, v)."""
    v = beta1 * v + (1 - beta1) * grad
    var = var - alpha * v
    return var, v


def update_variables_RMSProp(alpha, beta2, epsilon, var, grad, s):
    """RMSProp on one variable: returns the updated (var, s)."""
    s = beta2 * s + (1 - beta2) * grad ** 2
    var = var - alpha * grad / (np.sqrt(s) + epsilon)
    return var, s


def update_variables_Adam(alpha, beta1, beta2, epsilon, var, grad, v, s, t):
    """Adam on one variable at step t (from 1), with bias correction: returns the updated (var, v, s)."""
    v = beta1 * v + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad ** 2
    v_corrected = v / (1 - beta1 ** t)
    s_corrected = s / (1 - beta2 ** t)
    var = var - alpha * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return var, v, s
