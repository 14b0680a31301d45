"""Loss functions, each with its derivative right beside it.

Reductions follow PyTorch's defaults so the two can be compared number for number:

* ``mse``: mean over *all* elements of :math:`(\\hat Y - Y)^2` (``nn.MSELoss``);
* ``bce``: mean binary cross-entropy of probabilities, logs clamped at -100 (``nn.BCELoss``);
* ``cross_entropy``: softmax and cross-entropy fused on the logits through log-sum-exp, mean over
  samples (``nn.CrossEntropyLoss``); targets are one-hot rows ``(n, k)`` or integer labels ``(n,)``.

Each loss returns a Python float; each derivative returns :math:`\\partial L / \\partial \\hat Y`
with the shape of the predictions, the :math:`1/n` of the mean already inside.
"""

from __future__ import annotations

import math

import numpy as np

from .activations import row_max, row_sum, softmax

# BCE clamps each log at -100, as PyTorch does; clamping P first is the same thing and
# avoids log(0) warnings.  (Denormal in float32, still representable.)
_LOG_FLOOR = -100.0
_BCE_EPS = 1e-12


def mse(A, Y):
    r""":math:`L = \frac{1}{N}\sum (A - Y)^2` over all :math:`N = n k` elements; A, Y (n, k)."""
    D = A - Y
    return float(np.vdot(D, D)) / D.size


def mse_derivative(A, Y):
    r""":math:`\partial L / \partial A = 2 (A - Y) / N`, shape (n, k)."""
    D = A - Y
    D *= 2.0 / D.size
    return D


def bce(P, Y):
    r""":math:`L = -\frac{1}{N}\sum \big[Y \log P + (1 - Y)\log(1 - P)\big]`;
    P, Y (n, k) in [0, 1]."""
    floor = math.exp(_LOG_FLOOR)  # a Python float: keeps float32 inputs float32
    log_P = np.log(np.maximum(P, floor))
    log_1mP = np.log(np.maximum(1 - P, floor))
    return -float(np.vdot(Y, log_P - log_1mP) + log_1mP.sum()) / P.size


def bce_derivative(P, Y):
    r""":math:`\partial L / \partial P = (P - Y) / (P (1 - P)) / N`
    (the denominator floored at 1e-12, as PyTorch)."""
    return (P - Y) / np.maximum(P * (1 - P), _BCE_EPS) / P.size


def bce_with_logits(Z, Y):
    r"""BCE of :math:`P = \sigma(Z)` from the logits Z (n, k), accurate where P rounds to 0 or 1:
    :math:`L = \frac{1}{N}\sum \big[\max(Z, 0) - Z Y + \log(1 + e^{-|Z|})\big]`.

    Equal to :func:`bce` of ``sigmoid(Z)`` up to rounding, wherever that one is accurate.
    """
    L = np.maximum(Z, 0)
    L -= Z * Y
    L += np.log1p(np.exp(-np.abs(Z)))
    return float(L.sum()) / Z.size


def log_softmax_parts(Z):
    """``(E, s, m)`` with ``E = exp(Z - m)``, ``s = E.sum(1)``, ``m`` the row max: the shared start
    of softmax and log-sum-exp, :math:`\\mathrm{lse}(Z) = m + \\log s`."""
    m = row_max(Z)
    E = Z - m
    np.exp(E, out=E)
    return E, row_sum(E), m


def _picked(Z, Y):
    # sum_j Y_ij Z_ij: the logit of the target class per row (one-hot rows or integer labels).
    if Y.ndim == 1:
        return Z[np.arange(len(Z)), Y]
    return row_sum(Y * Z)[:, 0]


def cross_entropy(Z, Y):
    r"""Softmax cross-entropy on logits Z (n, k):
    :math:`L = \frac{1}{n}\sum_i \big[\log\sum_j e^{Z_{ij}} - Z_{i,y_i}\big]`.

    Y is one-hot (n, k) or integer labels (n,).
    """
    _, s, m = log_softmax_parts(Z)
    lse = m + np.log(s)
    return float(lse.sum() - _picked(Z, Y).sum()) / Z.shape[0]


def cross_entropy_derivative(Z, Y, P=None):
    r""":math:`\partial L / \partial Z = (P - Y) / n`,
    :math:`P = \mathrm{softmax}(Z)`; shape (n, k)."""
    dZ = softmax(Z) if P is None else P.copy()
    n = Z.shape[0]
    if Y.ndim == 1:
        dZ[np.arange(n), Y] -= 1
    else:
        dZ -= Y
    dZ /= n
    return dZ


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
    """Fused forward and backward of softmax + cross-entropy: ``(loss, P, dZ)`` from one exp pass.

    The same numbers as :func:`cross_entropy`, :func:`~.activations.softmax` and
    :func:`cross_entropy_derivative`, computed once.  Z (n, k) logits; Y (n, k) one-hot (or
    probability) rows; P, dZ (n, k).
    """
    if Y.ndim == 1:
        Y = np.eye(Z.shape[1], dtype=Z.dtype)[Y]
    Y = _in_order_of(Z, Y)
    E, s, m = log_softmax_parts(Z)
    n = Z.shape[0]
    P = np.divide(E, s, out=E)
    lse = np.log(s, out=s)
    lse += m
    loss = float(lse.sum() - _sum_of_products(Y, Z)) / n
    dZ = P - Y
    dZ *= 1.0 / n
    return loss, P, dZ


#: name -> (loss, loss_derivative).  ``cross_entropy`` takes logits; the others take predictions.
LOSSES = {
    "mse": (mse, mse_derivative),
    "bce": (bce, bce_derivative),
    "cross_entropy": (cross_entropy, cross_entropy_derivative),
}
