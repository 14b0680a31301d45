"""Activation functions, each with its derivative right beside it.

Every activation ``f`` maps the pre-activations ``Z`` of a layer, shape ``(n, k)`` (one row per
sample), to its activations ``A = f(Z)`` of the same shape and dtype (written into ``out`` when
given, which may be ``Z`` itself; the training loop reuses its buffers).  Each derivative is
written ``f_derivative(Z, A=None)``: it returns :math:`f'(Z)` elementwise, and accepts the already
computed ``A`` so that backpropagation can reuse it instead of evaluating ``f`` a second time.
Given A, none of them needs Z: each f' here is a function of A (for the ReLUs, A has Z's sign),
which lets training compute A in place over Z.

Softmax is the exception: it couples the entries of a row, so its derivative is a Jacobian per
sample; :func:`softmax_backward` applies that Jacobian to an upstream gradient without building it.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01


def _float(Z):
    # Plotting code may hand in integers or lists; the hot path passes float arrays untouched.
    Z = np.asarray(Z)
    return Z if Z.dtype.kind == "f" else Z.astype(np.float64)


def zeros_like(Z):
    """A read-only array of zeros shaped and laid out like Z, cached (a training loop asks for the
    same few).  Same memory order as Z, or NumPy would walk one of the two against the grain."""
    key = (Z.shape, Z.strides, Z.dtype)
    zeros = _ZEROS.get(key)
    if zeros is None:
        if Z.size > 1 << 20 or len(_ZEROS) > 32:  # don't hoard memory for one-off shapes
            return np.zeros_like(Z)
        zeros = _ZEROS[key] = np.zeros_like(Z)  # (zeros_like keeps Z's memory order)
        zeros.flags.writeable = False
    return zeros


_ZEROS = {}


def identity(Z, out=None):
    r""":math:`f(Z) = Z` (the output of a regression network, or logits).  Returns Z itself,
    or a copy of it in ``out``."""
    if out is None or out is Z:
        return Z
    out[...] = Z
    return out


def identity_derivative(Z, A=None):
    r""":math:`f'(Z) = 1`."""
    return np.ones_like(Z if A is None else A)


def _exp_cap(dtype):
    # A little below the largest x with exp(x) finite (709.78 in float64, 88.72 in float32):
    # exp(cap) + 1 must still be finite after rounding.
    cap = _EXP_CAPS.get(dtype)
    if cap is None:
        cap = _EXP_CAPS[dtype] = float(np.log(np.finfo(dtype).max)) - 1.0
    return cap


_EXP_CAPS = {}


def sigmoid(Z, out=None):
    r""":math:`\sigma(Z) = 1 / (1 + e^{-Z})`, elementwise.

    :math:`e^{-Z}` is capped just below where it would overflow: for :math:`Z` under about -708
    (float64; -87.7 in float32) the result stays at the smallest normal float instead of
    shrinking further towards 0, and no overflow warning is raised for any finite ``Z``.
    """
    Z = _float(Z)
    E = np.negative(Z, out=out)
    np.minimum(E, _exp_cap(Z.dtype), out=E)
    np.exp(E, out=E)
    E += 1
    return np.reciprocal(E, out=E)


def sigmoid_derivative(Z, A=None):
    r""":math:`\sigma'(Z) = \sigma(Z)\,(1 - \sigma(Z))`."""
    A = sigmoid(Z) if A is None else A
    return A * (1 - A)


def tanh(Z, out=None):
    r""":math:`\tanh(Z) = (e^{Z} - e^{-Z}) / (e^{Z} + e^{-Z})`, elementwise."""
    return np.tanh(Z, out=out)


def tanh_derivative(Z, A=None):
    r""":math:`\tanh'(Z) = 1 - \tanh^2(Z)`."""
    A = np.tanh(Z) if A is None else A
    return 1 - A * A


def relu(Z, out=None):
    r""":math:`\mathrm{relu}(Z) = \max(0, Z)`, elementwise."""
    # Against an array of zeros rather than the scalar 0: NumPy then takes its SIMD loop,
    # 2-4x faster on a layer's (n, units) block.
    Z = _float(Z)
    return np.maximum(Z, zeros_like(Z), out=out)


def relu_derivative(Z, A=None):
    r""":math:`\mathrm{relu}'(Z) = 1` where :math:`Z > 0`, else 0 (0 at the kink, as PyTorch);
    read from A when given, which is > 0 exactly where Z is."""
    S = _float(Z if A is None else A)
    return (S > 0).astype(S.dtype)


def leaky_relu(Z, out=None):
    r""":math:`f(Z) = Z` where :math:`Z > 0`, else :math:`0.01\,Z`, i.e. :math:`\max(Z, 0.01Z)`."""
    Z = _float(Z)
    return np.maximum(Z, LEAKY_SLOPE * Z, out=out)


def leaky_relu_derivative(Z, A=None):
    r""":math:`f'(Z) = 1` where :math:`Z > 0`, else 0.01; read from A when given (same sign)."""
    S = _float(Z if A is None else A)
    return np.where(S > 0, 1, LEAKY_SLOPE).astype(S.dtype)


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


_ONES = {}  # (k, dtype) -> a column of k ones, read-only


def softmax(Z, out=None):
    r"""Row-wise :math:`\mathrm{softmax}(Z)_{ij} = e^{Z_{ij}} / \sum_k e^{Z_{ik}}`.

    Subtracting each row's maximum first leaves the result unchanged and keeps every exponent
    :math:`\le 0`, so nothing overflows.  ``Z`` (n, k) -> probabilities (n, k), rows sum to 1.
    """
    Z = _float(Z)
    E = np.subtract(Z, row_max(Z), out=out)
    np.exp(E, out=E)
    E /= row_sum(E)
    return E


def softmax_derivative(Z, A=None):
    r"""The Jacobian per sample, :math:`J_{ij} = a_i(\delta_{ij} - a_j)`: shape (n, k, k)."""
    A = softmax(Z) if A is None else A
    return A[:, :, None] * (np.eye(A.shape[1], dtype=A.dtype) - A[:, None, :])


def softmax_backward(A, dA):
    r"""``dZ = J^T dA`` per row, without building the (n, k, k) Jacobian:
    :math:`dZ = A \odot (dA - (dA \cdot A))`."""
    return A * (dA - row_sum(dA * A))


#: name -> (f, f_derivative)
ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "softmax": (softmax, softmax_derivative),
}
