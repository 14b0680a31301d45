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
    """One layer's arrays for a batch of n rows (see fast.py).  A hidden layer's activations
    sit beside a column of ones, [A 1], which is the next layer's input X1."""

    Z: np.ndarray  # (n, n_out): the product [A_prev 1] [W; b]
    A: np.ndarray  # (n, n_out): f(Z); the output layer's Y_hat
    A1: np.ndarray | None  # (n, n_out + 1): [A 1], the next layer's X1; None for the output
    dA: np.ndarray | None  # (n, n_out): the gradient from the layer above, then dZ over it
    # What f and f' run over, (n, n_out) or, in a row-major layer, the whole (n, n_out + 1)
    # blocks [Z 1], [A 1] and [dA 0] (one run of memory instead of n short rows):
    Z_ew: np.ndarray | None
    A_ew: np.ndarray | None
    dA_ew: np.ndarray | None
    # (n_out, n_in), row-major, for Wᵀ in dZ Wᵀ, where a layer of a few outputs (up to 16)
    # sits on a wide one (over 64): BLAS runs that product ~2x faster from a contiguous Wᵀ
    # than from the transposed view of W.  None elsewhere (the copy would cost more).
    WT: np.ndarray | None


class Workspace(list):
    """[LayerBuffers, ...] for one batch size, and X1, the buffer (n, n_in + 1) that a batch
    which does not come folded is copied into, beside its column of ones (made when first
    needed: training folds its data once and never asks for it)."""

    def __init__(self, buffers, n, n_in, dtype, order):
        super().__init__(buffers)
        self._X1_shape, self._X1_order, self._dtype, self._X1 = (n, n_in + 1), order, dtype, None

    @property
    def X1(self):
        if self._X1 is None:
            self._X1 = np.ones(self._X1_shape, self._dtype, order=self._X1_order)
        return self._X1


def layer_buffers(layers, n, dtype, keep_Z=None):
    """The Workspace for a batch of n rows: per layer Z and A, and for hidden layers [A 1]
    (its column of ones set) and dA.  keep_Z[i] true gives hidden layer i a Z of its own (for
    an activation whose derivative reads Z); otherwise A overwrites Z."""
    # Memory order per layer: a narrow layer (up to 64 units) keeps its arrays column-major
    # ("F").  Its rows, 3 or 32 numbers, are too short for NumPy's loops to run at speed,
    # while its columns are n long and contiguous, and so are A and dA, left of [A 1]'s last
    # column.  Wide layers stay row-major, where BLAS writes its products fastest; there A is
    # n short runs of memory, 2-3x slower for NumPy's elementwise loops than one long run, so
    # f and f' run over the whole blocks, ones (and zeros beside dA) included.  The first
    # layer's X1: see input_order.
    keep_Z = keep_Z or [False] * len(layers)
    out = []
    for i, (layer, keep) in enumerate(zip(layers, keep_Z, strict=True)):
        order = "F" if layer.n_out <= 64 else "C"
        shape, wide = (n, layer.n_out), (n, layer.n_out + 1)
        narrow_on_wide = i > 0 and layer.n_out <= 16 and layer.n_in > 64
        WT = np.empty((layer.n_out, layer.n_in), dtype) if narrow_on_wide else None
        if layer is layers[-1]:
            # The output layer keeps its Z, the logits its loss reads, and a Y_hat of its own.
            out.append(LayerBuffers(np.empty(shape, dtype, order=order),
                                    np.empty(shape, dtype, order=order),
                                    None, None, None, None, None, WT))
            continue
        A1 = np.ones(wide, dtype, order=order)
        Z1 = np.ones(wide, dtype, order=order) if keep else A1
        dA1 = np.zeros(wide, dtype, order=order)  # its last column stays 0: no product writes it
        Z, A, dA = Z1[:, :-1], A1[:, :-1], dA1[:, :-1]
        ew = (Z1, A1, dA1) if order == "C" else (Z, A, dA)
        out.append(LayerBuffers(Z, A, A1, dA, *ew, WT))
    return Workspace(out, n, layers[0].n_in, dtype, input_order(layers[0].n_in))


def input_order(n_in):
    """The memory order of the first layer's [X 1] for n_in input features: column-major
    for a few (a few long column copies beat n short row copies), else row-major."""
    return "F" if n_in < 16 else "C"
