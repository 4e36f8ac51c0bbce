"""Deep L-layer network, course-api style (samples are columns).

Shapes used everywhere in this file:
    X  : (n_x, m)           one column per example
    Y  : (1, m)             labels 0/1
    Wl : (n_l, n_{l-1})     bl : (n_l, 1)

The only exception is batch_norm at the bottom, which works on rows
(Z is (m, n), one row per example), like in the optimization assignment.
"""
import numpy as np


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------

def sigmoid(Z):
    """Sigmoid of Z. Returns (A, cache) where cache is just Z."""
    Z = np.asarray(Z, dtype=float)
    A = np.empty_like(Z)
    pos = Z >= 0
    neg = ~pos
    # split in two so exp never gets a big positive argument
    A[pos] = 1.0 / (1.0 + np.exp(-Z[pos]))
    ez = np.exp(Z[neg])
    A[neg] = ez / (1.0 + ez)
    cache = Z
    return A, cache


def relu(Z):
    """ReLU of Z. Returns (A, cache) where cache is Z."""
    Z = np.asarray(Z, dtype=float)
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


def sigmoid_backward(dA, cache):
    """dZ = dA * s * (1 - s) with s = sigmoid(Z), Z taken from the cache."""
    Z = cache
    s, _ = sigmoid(Z)
    dZ = dA * s * (1 - s)
    return dZ


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, 0 elsewhere."""
    Z = cache
    dZ = np.array(dA, dtype=float, copy=True)
    dZ[Z <= 0] = 0
    return dZ


# ---------------------------------------------------------------------------
# initialisation
# ---------------------------------------------------------------------------

def initialize_parameters_deep(layer_dims):
    """layer_dims = [n_x, n_1, ..., n_L]. Small random W, zero b."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# ---------------------------------------------------------------------------
# forward propagation
# ---------------------------------------------------------------------------

def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    else:
        raise ValueError("unknown activation: " + str(activation))
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    """[LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID."""
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


# ---------------------------------------------------------------------------
# cost
# ---------------------------------------------------------------------------

def compute_cost(AL, Y):
    """Cross-entropy cost averaged over the m examples (a python float)."""
    m = Y.shape[1]
    logprobs = Y * np.log(AL) + (1 - Y) * np.log(1 - AL)
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


# ---------------------------------------------------------------------------
# backward propagation
# ---------------------------------------------------------------------------

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        raise ValueError("unknown activation: " + str(activation))
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    """Returns grads with dW1..dWL, db1..dbL and dA0..dA(L-1)."""
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)

    # derivative of the cost with respect to AL
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))

    # output layer (sigmoid)
    current_cache = caches[L - 1]
    dA_prev, dW, db = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev
    grads["dW" + str(L)] = dW
    grads["db" + str(L)] = db

    # hidden layers (relu), going backwards
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)],
                                                     current_cache, "relu")
        grads["dA" + str(l)] = dA_prev
        grads["dW" + str(l + 1)] = dW
        grads["db" + str(l + 1)] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


# ---------------------------------------------------------------------------
# the whole model
# ---------------------------------------------------------------------------

def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
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
                print("Cost after iteration {}: {}".format(i, cost))
    return parameters, costs


def predict(X, y, parameters):
    """0/1 predictions of shape (1, m); prints the accuracy against y."""
    m = X.shape[1]
    probas, _ = L_model_forward(X, parameters)
    p = np.zeros((1, m))
    for i in range(probas.shape[1]):
        if probas[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0
    print("Accuracy: " + str(np.sum(p == y) / m))
    return p


# ---------------------------------------------------------------------------
# optimizers, one variable at a time
# ---------------------------------------------------------------------------

def update_variables_momentum(alpha, beta1, var, grad, v):
    v = beta1 * v + (1 - beta1) * grad
    var = var - alpha * v
    return var, v


def update_variables_RMSProp(alpha, beta2, epsilon, var, grad, s):
    s = beta2 * s + (1 - beta2) * grad ** 2
    var = var - alpha * grad / (np.sqrt(s) + epsilon)
    return var, s


def update_variables_Adam(alpha, beta1, beta2, epsilon, var, grad, v, s, t):
    """t is the step number, starting at 1."""
    v = beta1 * v + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad ** 2
    v_hat = v / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    var = var - alpha * v_hat / (np.sqrt(s_hat) + epsilon)
    return var, v, s


# ---------------------------------------------------------------------------
# batch normalisation (row-major: Z is (m, n))
# ---------------------------------------------------------------------------

def batch_norm(Z, gamma, beta, epsilon):
    mu = np.mean(Z, axis=0, keepdims=True)
    var = np.mean((Z - mu) ** 2, axis=0, keepdims=True)   # biased variance
    Z_hat = (Z - mu) / np.sqrt(var + epsilon)
    Z_norm = gamma * Z_hat + beta
    return Z_norm
