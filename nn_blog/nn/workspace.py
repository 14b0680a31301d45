"""Where the engine keeps its numbers between steps.

param_views lays every parameter of a network out in one flat vector (so optimizers update
them in one pass) and layer_buffers allocates the arrays one training step writes into (so
steps do not allocate).  Each layer's b follows its W in the flat vector, so the layer's block
is also the stacked matrix [W; b] (n_in + 1, n_out) that training multiplies by its input beside
a column of ones, [X 1] (see fast.py).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ParamList(list):
    """A list of arrays that are consecutive views of the one vector flat; stacked holds
    each layer's pair as one (n_in + 1, n_out) view [W; b] (b is the last row)."""

    flat = None
    stacked = ()


def param_views(flat, layers):
    """Split flat into [W1, b1, W2, b2, ...] views shaped like the layers' parameters."""
    out, offset = ParamList(), 0
    out.flat, out.stacked = flat, []
    for layer in layers:
        size = (layer.n_in + 1) * layer.n_out
        Wb = flat[offset:offset + size].reshape(layer.n_in + 1, layer.n_out)
        out += [Wb[:-1], Wb[-1]]
        out.stacked.append(Wb)
        offset += size
    return out


class LayerBuffers(NamedTuple):
    """One layer's arrays for a batch of n rows (see fast.py)."""

    X1: np.ndarray  # (n, n_in + 1): its input beside a column of ones, [X 1]
    Z: np.ndarray  # (n, n_out); for most hidden layers the very array A
    A: np.ndarray  # (n, n_out): a view into the next layer's X1, left of its ones
    dX: np.ndarray | None  # (n, n_in); None for the first layer


def layer_buffers(layers, n, dtype, keep_Z=None):
    """[LayerBuffers, ...] for a batch of n rows: each layer's X1 with its column of ones set,
    Z, A (a view into the next X1) and dX.  keep_Z[i] true gives hidden layer i a Z of its
    own (for an activation whose derivative reads Z); otherwise A overwrites Z."""
    # Memory order per layer: a narrow layer (up to 64 units) keeps its arrays column-major
    # ("F").  Its rows, 3 or 32 numbers, are too short for NumPy's loops to run at speed,
    # while its columns are n long and contiguous, and A (the activations, left of the next
    # X1's column of ones) is then one contiguous block.  Wide layers stay row-major,
    # where BLAS writes its products fastest.  The first X1 copies the row-major data in:
    # column-major only for a few input features (a few long column copies beat n short
    # row copies).  dX of layer i is laid out like Z of layer i - 1, which it meets in
    # the backward pass.
    orders = ["F" if layer.n_out <= 64 else "C" for layer in layers]
    X1s = [np.ones((n, layers[0].n_in + 1), dtype, order="F" if layers[0].n_in < 16 else "C")]
    X1s += [np.ones((n, layer.n_out + 1), dtype, order=order)
            for layer, order in zip(layers, orders, strict=True)]
    As = [X1[:, :-1] for X1 in X1s[1:]]
    # Hidden layers compute A in place over Z, straight in the next X1 (one array fewer to
    # stream through the cache); the output layer keeps its Z, the logits its loss reads.
    keep_Z = keep_Z or [False] * len(layers)
    Zs = [np.empty((n, layer.n_out), dtype, order=order) if keep or layer is layers[-1] else A
          for layer, order, keep, A in zip(layers, orders, keep_Z, As, strict=True)]
    return [LayerBuffers(X1s[i], Zs[i], As[i],
                         np.empty((n, layer.n_in), dtype, order=orders[i - 1]) if i else None)
            for i, layer in enumerate(layers)]
