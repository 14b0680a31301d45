"""Loss functions ℓ(Y_hat, Y), each with its derivative ∂ℓ/∂Y_hat beside it.

Y_hat and Y are (n, k): the network's outputs and the targets, one row per
sample.  The means follow PyTorch's defaults, so the two compare number for
number: mse and bce average over all n k outputs, cross-entropy over the n
rows.  Each loss returns a float; each derivative has the shape of Y_hat,
the 1/n of the mean already inside.

The fast path computes the output layer's loss from the logits Z instead
(cross_entropy_with_logits, bce_with_logits, softmax_cross_entropy below):
the same numbers where Y_hat is not rounded to 0 or 1, accurate where it is.
"""

from __future__ import annotations

import math

import numpy as np

# Each log is floored at −100, as PyTorch does, so an output rounded to
# exactly 0 or 1 gives a large finite loss instead of infinity.
LOG_FLOOR = math.exp(-100.0)
BCE_EPS = 1e-12


def mse(Y_hat, Y):
    """ℓ = mean((Y_hat − Y)²) over all n k entries."""
    return float(np.mean((Y_hat - Y) ** 2))


def mse_derivative(Y_hat, Y):
    """∂ℓ/∂Y_hat = 2 (Y_hat − Y) / (n k)."""
    return 2 * (Y_hat - Y) / Y.size


def bce(Y_hat, Y):
    """Binary cross-entropy, Y_hat and Y in [0, 1]:
    ℓ = −mean(Y log Y_hat + (1 − Y) log(1 − Y_hat)) over all n k entries.
    """
    log_P = np.log(np.maximum(Y_hat, LOG_FLOOR))
    log_1mP = np.log(np.maximum(1 - Y_hat, LOG_FLOOR))
    return -float(np.mean(Y * log_P + (1 - Y) * log_1mP))


def bce_derivative(Y_hat, Y):
    """∂ℓ/∂Y_hat = (Y_hat − Y) / (Y_hat (1 − Y_hat)) / (n k).

    The denominator is floored at 1e-12, as PyTorch does.
    """
    denominator = np.maximum(Y_hat * (1 - Y_hat), BCE_EPS)
    return (Y_hat - Y) / denominator / Y.size


def cross_entropy(Y_hat, Y):
    """ℓ = −(1/n) Σ_i Σ_c Y_ic log Y_hat_ic, for one-hot rows Y (n, k)
    and probabilities Y_hat (n, k) (a softmax output)."""
    log_P = np.log(np.maximum(Y_hat, LOG_FLOOR))
    return -float(np.sum(Y * log_P)) / len(Y)


def cross_entropy_derivative(Y_hat, Y):
    """∂ℓ/∂Y_hat = −Y / Y_hat / n.  (With softmax before it, the network
    uses the pair's simpler gradient dZ = (Y_hat − Y) / n instead.)"""
    return -Y / np.maximum(Y_hat, LOG_FLOOR) / len(Y)


#: name -> (loss, loss_derivative), both functions of (Y_hat, Y)
LOSSES = {
    "mse": (mse, mse_derivative),
    "bce": (bce, bce_derivative),
    "cross_entropy": (cross_entropy, cross_entropy_derivative),
}


# -- from the logits: what the fast path and the reported losses use ------------------------------

def row_max(Z):
    """The maximum of each row of Z (n, k), shape (n, 1)."""
    if Z.shape[1] <= 32:
        # NumPy reduces a short row slowly, one row at a time; reducing across the rows of the
        # transposed copy runs vectorised (4-6x faster for a classifier's few outputs).
        return np.ascontiguousarray(Z.T).max(axis=0)[:, None]
    return Z.max(axis=1, keepdims=True)


def row_sum(Z):
    """The sum of each row of Z (n, k), shape (n, 1), as a matrix product Z 1 (fast for any k)."""
    key = (Z.shape[1], Z.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones((Z.shape[1], 1), dtype=Z.dtype)
    return Z @ ones


_ONES = {}  # (k, dtype) -> a column of k ones


def bce_with_logits(Z, Y):
    """BCE of P = σ(Z) from the logits Z (n, k), accurate where P rounds to 0 or 1:
    ℓ = mean(max(Z, 0) − Z Y + log(1 + e^(−|Z|))).  Equal to bce(sigmoid(Z), Y) up to rounding,
    wherever that one is accurate."""
    L = np.maximum(Z, 0)
    L -= Z * Y
    L += np.log1p(np.exp(-np.abs(Z)))
    return float(L.sum()) / Z.size


def _log_softmax_parts(Z):
    # (E, s, m): E = exp(Z - m), s = E's row sums, m the row max; lse(Z) = m + log s.
    m = row_max(Z)
    E = Z - m
    np.exp(E, out=E)
    return E, row_sum(E), m


def cross_entropy_with_logits(Z, Y):
    """Softmax cross-entropy from the logits Z (n, k) through log-sum-exp:
    ℓ = (1/n) Σ_i (log Σ_c e^(Z_ic) − Σ_c Y_ic Z_ic).  Y one-hot rows (n, k) or labels (n,)."""
    _, s, m = _log_softmax_parts(Z)
    lse = m + np.log(s)
    picked = Z[np.arange(len(Z)), Y] if Y.ndim == 1 else row_sum(Y * Z)[:, 0]
    return float(lse.sum() - picked.sum()) / Z.shape[0]


def _in_order_of(Z, Y):
    # Y laid out in memory like Z (the training loop's Z is column-major): NumPy's elementwise
    # loops run several times slower over two arrays of different memory order.
    if Z.flags.f_contiguous and not Y.flags.f_contiguous:
        return np.asfortranarray(Y)
    return Y


def _sum_of_products(Y, Z):
    # sum_ij Y_ij Z_ij; vdot flattens row by row, which copies a column-major array first.
    return np.vdot(Y.T, Z.T) if Z.flags.f_contiguous else np.vdot(Y, Z)


def softmax_cross_entropy(Z, Y):
    """Softmax and cross-entropy fused, from one exp pass: (loss, Y_hat, dZ).

    The same numbers as cross_entropy_with_logits(Z, Y), softmax(Z) and dZ = (Y_hat − Y) / n.
    Z (n, k) logits; Y (n, k) one-hot (or probability) rows or labels (n,).
    """
    if Y.ndim == 1:
        Y = np.eye(Z.shape[1], dtype=Z.dtype)[Y]
    Y = _in_order_of(Z, Y)
    E, s, m = _log_softmax_parts(Z)
    n = Z.shape[0]
    Y_hat = np.divide(E, s, out=E)
    lse = np.log(s, out=s)
    lse += m
    loss = float(lse.sum() - _sum_of_products(Y, Z)) / n
    dZ = Y_hat - Y
    dZ *= 1.0 / n
    return loss, Y_hat, dZ
