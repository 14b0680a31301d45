"""Training's stacked form ([X 1][W; b], column-major buffers) against the textbook layer.

``Network.backprop`` runs every layer as ``Z = [X 1] [W; b]`` with its arrays laid out per layer
(column-major for narrow layers, row-major for wide ones); the reference below is the plain
``Z = X W + b`` and its gradients, written out here in NumPy.  Both must give the same numbers for
every activation, loss, dtype and layout, and the stacked views must be the very memory of
``net.params``.
"""

import numpy as np
import pytest

from nn_blog.nn import Dense, Network
from nn_blog.nn.activations import ACTIVATIONS, softmax_derivative, zeros_like
from nn_blog.nn.losses import LOSSES, cross_entropy_derivative


def textbook_dZ(name, Z, dA):
    """dZ = dA * f'(Z) from Z alone (softmax: its per-row Jacobian, built in full, applied)."""
    if name == "softmax":
        J = softmax_derivative(Z)  # J[n, i, j] = dA_i / dZ_j
        return np.einsum("nij,ni->nj", J, dA)
    return dA * ACTIVATIONS[name][1](Z)


def textbook_grads(net, X, Y):
    """Loss gradients by the textbook equations, no stacking and no Dense method:
    forward Z = A W + b, A = f(Z); backward dW = A_prev^T dZ, db = the column sums of dZ,
    dA_prev = dZ W^T."""
    inputs, Zs, A = [], [], X
    for layer in net.layers:
        inputs.append(A)
        Zs.append(A @ layer.W + layer.b)
        A = ACTIVATIONS[layer.activation][0](Zs[-1])
    last = net.layers[-1]
    if net.loss == "cross_entropy":
        dZ = cross_entropy_derivative(Zs[-1], Y)
    else:
        dZ = textbook_dZ(last.activation, Zs[-1], LOSSES[net.loss][1](A, Y))
    grads = []
    for i in range(len(net.layers) - 1, -1, -1):
        grads[:0] = [inputs[i].T @ dZ, dZ.sum(axis=0)]
        if i > 0:
            dA = dZ @ net.layers[i].W.T
            dZ = textbook_dZ(net.layers[i - 1].activation, Zs[i - 1], dA)
    return grads


def case(sizes, activation, loss, dtype, n, seed=0):
    rng = np.random.default_rng(seed)
    last = {"mse": activation, "bce": "sigmoid", "cross_entropy": "identity"}[loss]
    acts = [activation] * (len(sizes) - 2) + [last]
    net = Network([Dense(a, b, f) for a, b, f in zip(sizes, sizes[1:], acts, strict=False)],
                  loss=loss, seed=seed, dtype=dtype)
    net.set_params([0.3 * rng.normal(size=P.shape) for P in net.params])
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    Y = {"mse": rng.normal(size=(n, k)), "bce": rng.integers(0, 2, (n, k)).astype(float),
         "cross_entropy": rng.integers(0, k, n)}[loss]
    return net, X, Y


# Narrow layers (column-major buffers), wide layers (row-major), a wide input (row-major X1)
# and a narrow one (column-major X1).
SHAPES = [[2, 8, 3], [3, 70, 66, 4], [20, 5, 2], [17, 80, 3]]


@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "identity"] + ["identity"])
@pytest.mark.parametrize("loss", ["mse", "bce", "cross_entropy"])
def test_stacked_backprop_matches_the_textbook_layer(sizes, activation, loss):
    net, X, Y = case(sizes, activation, loss, "float64", n=9)
    value, grads = net.loss_and_grads(X, Y)
    Xc, Yc = net.check_data(X, Y)
    expected = textbook_grads(net, Xc, Yc)
    assert value == pytest.approx(net.loss_value(X, Y), rel=1e-12)
    for G, E in zip(grads, expected, strict=True):
        assert G.shape == E.shape
        assert np.allclose(G, E, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
def test_float32_stays_float32_and_matches_float64(sizes):
    net64, X, Y = case(sizes, "relu", "cross_entropy", "float64", n=12, seed=3)
    net32 = Network.from_config(dict(net64.to_config(), dtype="float32"))
    net32.set_params(net64.params)
    _, grads64 = net64.loss_and_grads(X, Y)
    loss32, A32 = net32.backprop(*net32.check_data(X, Y), net32.grad_buffers())
    _, grads32 = net32.loss_and_grads(X, Y)
    assert A32.dtype == np.float32 and all(G.dtype == np.float32 for G in grads32)
    for G32, G64 in zip(grads32, grads64, strict=True):
        assert np.allclose(G32, G64, rtol=1e-3, atol=1e-5)


def test_batch_sizes_share_nothing_and_repeat_exactly():
    # The workspace keeps buffers per batch size: alternating sizes must not mix them up.
    net, X, Y = case([2, 8, 8, 3], "tanh", "cross_entropy", "float64", n=20)
    first = [G.copy() for G in net.loss_and_grads(X, Y)[1]]
    for n in (7, 20, 1, 13, 20):
        value, grads = net.loss_and_grads(X[:n], Y[:n])
        expected = textbook_grads(net, *net.check_data(X[:n], Y[:n]))
        assert all(np.allclose(G, E, rtol=1e-10) for G, E in zip(grads, expected, strict=True))
    again = net.loss_and_grads(X, Y)[1]
    assert all(np.array_equal(G, F) for G, F in zip(again, first, strict=True))


def test_stacked_views_are_the_parameters():
    net = Network([Dense(3, 4, "relu"), Dense(4, 2)], loss="mse", seed=0)
    for layer, Wb, W, b in zip(net.layers, net.params.stacked, net.params[::2],
                               net.params[1::2], strict=True):
        assert layer.Wb is Wb and Wb.shape == (layer.n_in + 1, layer.n_out)
        assert np.shares_memory(Wb, net.params.flat)
        assert np.array_equal(Wb[:-1], W) and np.array_equal(Wb[-1], b)
        layer.b = np.arange(layer.n_out)  # written through the view
        assert np.array_equal(Wb[-1], np.arange(layer.n_out))
    grads = net.grad_buffers()
    assert all(np.shares_memory(G, grads.flat) for G in grads.stacked)


def test_zeros_like_follows_the_memory_order():
    Z = np.ones((6, 3), order="F")
    zeros = zeros_like(Z)
    assert zeros.flags.f_contiguous and not zeros.any() and not zeros.flags.writeable
    assert zeros_like(np.ones((6, 3))).flags.c_contiguous


def test_hidden_activations_overwrite_z_and_the_output_keeps_its_logits():
    net, X, Y = case([3, 70, 5, 4], "tanh", "bce", "float64", n=6)
    net.loss_and_grads(X, Y)
    hidden, last = net.layers[:-1], net.layers[-1]
    assert all(layer.Z is None for layer in hidden)  # A was computed in place over it
    Xc = net.check_data(X, Y)[0]
    A = Xc
    for layer in hidden:
        expected = np.tanh(A @ layer.W + layer.b)
        assert np.allclose(layer.A, expected, rtol=1e-12)
        A = expected
    assert np.allclose(last.Z, A @ last.W + last.b, rtol=1e-12)  # the logits BCE reads


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_derivative_can_be_read_from_a_alone(name):
    # What lets training compute A in place over Z: given A, no derivative looks at Z.
    f, df = ACTIVATIONS[name]
    Z = np.random.default_rng(0).normal(size=(7, 4)) * 3
    A = f(Z.copy())
    assert np.allclose(df(None, A), df(Z), rtol=1e-12)
    inplace = Z.copy()
    assert np.array_equal(f(inplace, out=inplace), A)  # out may be Z itself
