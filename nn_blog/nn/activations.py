"""Activation functions, each with its derivative right beside it.

An activation f maps a layer's pre-activations Z, shape (n, k), one row per
sample, to its activations A = f(Z), same shape.  Each f_derivative(Z)
returns f'(Z) elementwise, the factor backpropagation multiplies by:
dZ = dA ⊙ f'(Z).

Softmax is the exception: it couples the entries of a row, so its derivative
is a Jacobian per sample.  The network only uses softmax as the output layer
with cross-entropy, where the pair's gradient is simply (Y_hat - Y) / n.

This is the reference ("textbook") code.  The fast path (fast.py) computes
the same numbers in place, in reused buffers.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01


def identity(Z):
    """f(Z) = Z: the output of a regression network, or logits."""
    return Z


def identity_derivative(Z):
    """f'(Z) = 1."""
    return np.ones_like(Z)


def sigmoid(Z):
    """σ(Z) = 1 / (1 + e^(−Z)), elementwise, in (0, 1).

    For Z below about −709 (float64), e^(−Z) would overflow: the
    exponent is capped there, which leaves σ(Z) at about 1e-308.
    """
    cap = np.log(np.finfo(Z.dtype).max) - 1  # the largest safe exponent
    return 1 / (1 + np.exp(np.minimum(-Z, cap)))


def sigmoid_derivative(Z):
    """σ'(Z) = σ(Z) (1 − σ(Z))."""
    S = sigmoid(Z)
    return S * (1 - S)


def tanh(Z):
    """tanh(Z) = (e^Z − e^(−Z)) / (e^Z + e^(−Z)), elementwise, in (−1, 1)."""
    return np.tanh(Z)


def tanh_derivative(Z):
    """tanh'(Z) = 1 − tanh²(Z)."""
    T = np.tanh(Z)
    return 1 - T * T


def relu(Z):
    """relu(Z) = max(0, Z), elementwise."""
    return np.maximum(Z, 0)


def relu_derivative(Z):
    """relu'(Z) = 1 where Z > 0, else 0 (0 at the kink, as PyTorch)."""
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z):
    """f(Z) = Z where Z > 0, else 0.01 Z."""
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_derivative(Z):
    """f'(Z) = 1 where Z > 0, else 0.01."""
    return np.where(Z > 0, 1, LEAKY_SLOPE).astype(Z.dtype)


def silu(Z):
    """silu(Z) = Z σ(Z), elementwise (also called swish)."""
    return Z * sigmoid(Z)


def silu_derivative(Z):
    """silu'(Z) = σ(Z) + Z σ(Z) (1 − σ(Z)) = σ(Z) (1 + Z (1 − σ(Z))).

    Unlike the others above, this needs Z itself, not only A = f(Z).
    """
    S = sigmoid(Z)
    return S * (1 + Z * (1 - S))


def softmax(Z):
    """Row-wise softmax(Z)_ij = e^(Z_ij) / Σ_c e^(Z_ic); each row sums to 1.

    Subtracting each row's maximum first leaves the result unchanged and
    keeps every exponent ≤ 0, so nothing overflows.  Z (n, k) -> (n, k).
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_derivative(Z):
    """The Jacobian per sample, J_ij = ∂A_i/∂Z_j = A_i (δ_ij − A_j).

    Shape (n, k, k): not elementwise, so dZ = dA ⊙ f'(Z) does not apply.
    """
    A = softmax(Z)
    eye = np.eye(A.shape[1], dtype=A.dtype)
    return A[:, :, None] * (eye - A[:, None, :])


#: name -> (f, f_derivative)
ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "silu": (silu, silu_derivative),
    "softmax": (softmax, softmax_derivative),
}
