"""Input checks: every array a user hands the engine is checked once, with an error naming it.

The training loop itself never re-checks a mini-batch: Network.fit validates the whole
data set up front.
"""

from __future__ import annotations

import numpy as np

from ..errors import NNBlogError


def _numbers(values, field):
    """values as a NumPy array of booleans, integers or floats, or a clear error."""
    try:
        values = np.asarray(values)
    except (TypeError, ValueError) as err:
        raise NNBlogError(f"is not an array of numbers ({err})", field=field) from None
    if values.dtype.kind not in "biuf":
        raise NNBlogError(f"must hold numbers, got dtype {values.dtype}", field=field)
    return values


def check_X(X, n_in, dtype, field="X"):
    """X as a C-contiguous (n, n_in) array of dtype with finite values, or a clear error."""
    X = _numbers(X, field)
    if X.ndim != 2:
        raise NNBlogError(f"must be 2-D (n_samples, n_features), got shape {X.shape}",
                          field=field)
    if X.shape[0] == 0:
        raise NNBlogError("has no samples (0 rows)", field=field)
    if X.shape[1] != n_in:
        raise NNBlogError(f"has {X.shape[1]} features per sample but the first layer expects "
                          f"{n_in}", field=field)
    X = np.ascontiguousarray(X, dtype=dtype)
    if not np.isfinite(X).all():
        row = int(np.argwhere(~np.isfinite(X))[0, 0])
        raise NNBlogError(f"contains NaN or infinite values (first in row {row})", field=field)
    return X


def _labels(Y, k, field):
    # Integer class labels (n,): floats holding whole numbers are accepted too.
    if Y.dtype.kind == "f":
        if not np.isfinite(Y).all() or np.any(Y != np.round(Y)):
            raise NNBlogError("class labels must be whole numbers", field=field)
    elif Y.dtype.kind not in "biu":
        raise NNBlogError(f"class labels must be integers, got dtype {Y.dtype}", field=field)
    Y = Y.astype(np.intp)
    lo, hi = int(Y.min()), int(Y.max())
    if lo < 0 or hi >= k:
        bad = lo if lo < 0 else hi
        raise NNBlogError(f"label {bad} is out of range: the network has {k} outputs "
                          f"(classes 0..{k - 1})", field=field)
    return Y


def check_Y(Y, n, n_out, loss, dtype, field="Y"):
    """Targets for loss, as the engine uses them, or a clear error.

    cross_entropy: integer labels (n,) or one-hot/probability rows (n, n_out) -> one-hot rows.
    mse, bce: (n, n_out) -> dtype; a vector (n,) is taken as one column when n_out == 1.
    """
    Y = _numbers(Y, field)
    if Y.ndim == 0 or Y.shape[0] != n:
        got = Y.shape[0] if Y.ndim else "no"
        raise NNBlogError(f"has {got} rows but X has {n}", field=field)
    if loss == "cross_entropy" and Y.ndim == 1:
        # One-hot from here on: the fused softmax + cross-entropy then needs no fancy indexing.
        return np.eye(n_out, dtype=dtype)[_labels(Y, n_out, field)]
    if Y.ndim == 1 and n_out == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[1] != n_out:
        hint = " or integer labels (n,)" if loss == "cross_entropy" else ""
        raise NNBlogError(f"must have shape ({n}, {n_out}){hint} to match the {n_out} outputs, "
                          f"got {Y.shape}", field=field)
    Y = np.ascontiguousarray(Y, dtype=dtype)
    if not np.isfinite(Y).all():
        raise NNBlogError("contains NaN or infinite values", field=field)
    if loss in ("bce", "cross_entropy") and (Y.min() < 0 or Y.max() > 1):
        raise NNBlogError(f"targets of {loss} must lie in [0, 1], got values from {Y.min():g} "
                          f"to {Y.max():g}", field=field)
    if loss == "cross_entropy" and not np.allclose(Y.sum(axis=1), 1, atol=1e-6):
        raise NNBlogError("rows must be one-hot (or probabilities summing to 1)", field=field)
    return Y


def class_labels(Y, n_out):
    """Integer labels (n,) from checked targets, or None when they are not classes (regression)."""
    if Y.ndim == 1:
        return Y
    if n_out > 1:
        return Y.argmax(axis=1)
    if np.all((Y == 0) | (Y == 1)):
        return Y[:, 0].astype(np.intp)
    return None


def check_positive(value, field, integer=False):
    """A positive number (an integer if asked) or a clear error."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
        what = "a positive integer" if integer else "a positive number"
        raise NNBlogError(f"must be {what}, got {value!r}", field=field)
    return int(value) if integer else float(value)
