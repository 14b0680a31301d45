"""The fast path: the reference network's maths, computed the way training runs it.

Two changes make it fast, and neither changes a number beyond rounding
(tests/test_nn_fast.py holds it equal to the reference layer):

1. Bias folding.  Each layer's input carries a column of ones, X1 = [X 1]
   (n, n_in + 1), and W and b are stored stacked as Wb = [W; b]
   (n_in + 1, n_out).  Then Z = X1 Wb = X W + b and [dW; db] = X1ᵀ dZ are one
   matrix product each, with no separate pass to add b or sum dZ.
2. Reused buffers.  Every array a step writes lives in a workspace made once
   per batch size (workspace.py): a hidden layer computes A straight into the
   next layer's X1, in place over Z where its derivative can be read from A
   alone, and the backward pass overwrites dA with dZ.  The first layer's X1
   comes ready: fit folds its data once (fold), and a batch is a view of it.
   In a wide (row-major) layer, f and f' run over the whole (n, n_out + 1)
   blocks, the column of ones included: one run of memory instead of n rows.

An activation whose derivative needs Z itself (SiLU) keeps its own Z buffer:
KEEPS_Z names them, and a new activation only has to be added to FORWARD,
BACKWARD and (if its derivative reads Z) KEEPS_Z below.
"""

from __future__ import annotations

import numpy as np

from .activations import LEAKY_SLOPE
from .losses import LOSSES, bce_with_logits, softmax_cross_entropy
from .workspace import input_order, layer_buffers

#: Activations whose derivative needs Z, not just A = f(Z): their Z is kept.
KEEPS_Z = frozenset({"silu"})


def zeros_like(Z):
    """A read-only array of zeros shaped and laid out like Z, cached (training asks for the same
    few).  Same memory order as Z, or NumPy would walk one of the two against the grain."""
    key = (Z.shape, Z.strides, Z.dtype)
    zeros = _ZEROS.get(key)
    if zeros is None:
        if Z.size > 1 << 20 or len(_ZEROS) > 32:  # don't hoard memory for one-off shapes
            return np.zeros_like(Z)
        zeros = _ZEROS[key] = np.zeros_like(Z)  # (zeros_like keeps Z's memory order)
        zeros.flags.writeable = False
    return zeros


_ZEROS = {}


def exp_cap(dtype):
    """sigmoid's cap on its exponent, log(largest float) − 1, cached per dtype."""
    cap = _EXP_CAPS.get(dtype)
    if cap is None:
        cap = _EXP_CAPS[dtype] = np.log(np.finfo(dtype).max) - 1
    return cap


_EXP_CAPS = {}


# -- activations, in place: A = f(Z) written into out (which may be Z) -----------------------------

def _identity(Z, out):
    if out is not Z:
        out[...] = Z
    return out


def _sigmoid(Z, out):
    # 1 / (1 + e^(−Z)) with the exponent capped, step by step in out: the reference's numbers.
    E = np.negative(Z, out=out)
    np.minimum(E, exp_cap(Z.dtype), out=E)
    np.exp(E, out=E)
    E += 1
    return np.reciprocal(E, out=E)


def _relu(Z, out):
    # Against an array of zeros rather than the scalar 0: NumPy then takes its SIMD loop,
    # 2-4x faster on a layer's (n, units) block.
    return np.maximum(Z, zeros_like(Z), out=out)


def _silu(Z, out):
    return np.multiply(_sigmoid(Z, out), Z, out=out)  # out is not Z: silu keeps Z


FORWARD = {
    "identity": _identity,
    "sigmoid": _sigmoid,
    "tanh": lambda Z, out: np.tanh(Z, out=out),
    "relu": _relu,
    "leaky_relu": lambda Z, out: np.maximum(Z, LEAKY_SLOPE * Z, out=out),
    "silu": _silu,
}


# -- derivatives, in place: dZ = dA ⊙ f'(Z) written over dA ----------------------------------------
# Each reads f'(Z) from A where it can (A has Z's sign for the ReLUs; σ' = A (1 − A),
# tanh' = 1 − A²); SiLU reads Z.

def _d_silu(dA, Z, A):
    S = _sigmoid(Z, np.empty_like(Z))
    return np.multiply(dA, S * (1 + Z * (1 - S)), out=dA)


BACKWARD = {
    "identity": lambda dA, Z, A: dA,
    "sigmoid": lambda dA, Z, A: np.multiply(dA, A * (1 - A), out=dA),
    "tanh": lambda dA, Z, A: np.multiply(dA, 1 - A * A, out=dA),
    # f'(Z) is the 0/1 mask A > 0: multiplying by the boolean array skips building floats.
    "relu": lambda dA, Z, A: np.multiply(dA, A > 0, out=dA),
    "leaky_relu": lambda dA, Z, A: np.multiply(
        dA, np.where(A > 0, 1, LEAKY_SLOPE).astype(A.dtype), out=dA),
    "silu": _d_silu,
}


# -- the passes ----------------------------------------------------------------------------------

def fold(X, out=None):
    """[X 1]: the batch X (n, n_in) beside a column of ones, (n, n_in + 1), the first
    layer's input.  Written into out when given, else into a new array laid out as the
    workspace lays out the first layer's input (input_order)."""
    if out is None:
        out = np.empty((X.shape[0], X.shape[1] + 1), X.dtype, order=input_order(X.shape[1]))
    out[:, :-1] = X
    out[:, -1] = 1
    return out


def fast_forward(net, X1, work):
    """The forward pass of a batch beside its column of ones,
    X1 = [X 1] (n, n_in + 1), into work (one LayerBuffers per layer).

    Each layer multiplies its input X1 = [A_prev 1] by [W; b]:

        Z = X1 Wb = A_prev W + b     (one product)
        [A 1] = [f(Z) 1]             (in place: the next layer's X1)

    f runs over buf.Z_ew into buf.A_ew: Z and A, or in a wide layer
    all of [Z 1] and [A 1], ones included (see workspace.py).  The
    output layer stops at Z: fast_output fuses its f with the loss.
    """
    for layer, buf in zip(net.layers, work, strict=True):
        np.matmul(X1, layer.Wb, out=buf.Z)  # Z = [A_prev 1] [W; b]
        if buf is work[-1]:
            break
        FORWARD[layer.activation](buf.Z_ew, out=buf.A_ew)  # A = f(Z)
        if buf.A_ew is buf.A1:  # f ran over the ones too
            buf.A1[:, -1] = 1
        X1 = buf.A1


def fast_output(net, buf, Y):
    """The output layer's loss and dZ_L from its logits Z_L (buf.Z).

    Returns (loss, Y_hat, dZ_L).  Softmax + cross-entropy and sigmoid +
    BCE give dZ_L = (Y_hat − Y) / n, their losses computed from Z_L
    (accurate where Y_hat rounds to 0 or 1); otherwise the chain rule.
    """
    last = net.layers[-1]
    if net.loss == "cross_entropy":
        return softmax_cross_entropy(buf.Z, Y)
    Y_hat = FORWARD[last.activation](buf.Z, out=buf.A)
    if net.loss == "bce" and last.activation == "sigmoid":
        dZ = Y_hat - Y
        dZ /= dZ.size  # n k: BCE averages over every output
        return bce_with_logits(buf.Z, Y), Y_hat, dZ
    loss, loss_derivative = LOSSES[net.loss]
    dY_hat = loss_derivative(Y_hat, Y)
    dZ = BACKWARD[last.activation](dY_hat, buf.Z, Y_hat)
    return loss(Y_hat, Y), Y_hat, dZ


def fast_backward(net, X1, dZ, work, grads):
    """The backward pass from dZ_L, into grads (the network's layout);
    X1 = [X 1] is the batch fast_forward took.

    For each layer, from the last:

        [dW; db] = X1ᵀ dZ = [A_prev 1]ᵀ dZ     (one product, into grads)
        dA_prev = dZ Wᵀ                         (into a reused buffer)
        dZ_prev = dA_prev ⊙ f'(Z_prev)          (in place over dA_prev)

    f' runs over the layer's _ew blocks, as f does in fast_forward
    (in a wide layer, [dA_prev 0]: the zeros stay zeros).
    """
    for i in range(len(net.layers) - 1, 0, -1):
        prev = work[i - 1]
        np.matmul(prev.A1.T, dZ, out=grads.stacked[i])  # [dW; db]
        WT = transposed(net.layers[i].W, work[i].WT)
        np.matmul(dZ, WT, out=prev.dA)  # dA_prev
        f = net.layers[i - 1].activation
        BACKWARD[f](prev.dA_ew, prev.Z_ew, prev.A_ew)  # dZ_prev
        dZ = prev.dA
    np.matmul(X1.T, dZ, out=grads.stacked[0])


def transposed(W, WT=None):
    """Wᵀ: the transposed view of W, or a copy into WT when the workspace keeps one
    (see workspace.LayerBuffers.WT)."""
    if WT is None:
        return W.T
    np.copyto(WT, W.T)
    return WT


def backprop(net, X, Y, grads, folded=False, scale=1.0):
    """One forward and backward pass on checked data (X, Y), gradients written into grads (from
    Network.grad_buffers).  X is the batch (n, n_in), or with folded=True already beside its
    column of ones, [X 1] (n, n_in + 1), as fold() makes it (fit folds its data once, so no
    batch is copied).  Returns (loss, Y_hat); Y_hat lives in a buffer the next call reuses.

    With scale, grads receive scale times the gradients: dZ_L is scaled (n k numbers) and all
    the backward pass below it is linear in dZ_L (SGD's fit passes η: see SGD.grad_scale)."""
    work = net._workspace(len(X))
    X1 = X if folded else fold(X, out=work.X1)
    fast_forward(net, X1, work)
    loss, Y_hat, dZ = fast_output(net, work[-1], Y)
    if scale != 1.0:
        dZ *= scale  # a fresh array from fast_output: Y_hat keeps its values
    fast_backward(net, X1, dZ, work, grads)
    return loss, Y_hat


def workspace(layers, n, dtype):
    """The buffers of one batch size: layer_buffers with Z kept for KEEPS_Z activations."""
    return layer_buffers(layers, n, dtype, keep_Z=[layer.activation in KEEPS_Z
                                                   for layer in layers])
