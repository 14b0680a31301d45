"""Backpropagation against finite differences, for every activation and loss."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_blog.nn import Dense, Network, gradcheck
from nn_blog.nn.activations import ACTIVATIONS
from nn_blog.nn.gradcheck import numerical_gradient

LOSSES = ["mse", "bce", "cross_entropy"]
HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]  # softmax: the output layer only


def output_activation(activation, loss):
    """The activation under test at the output, when the loss accepts it there."""
    if loss == "bce":
        return "sigmoid"
    if loss == "cross_entropy":
        return activation if activation in ("identity", "softmax") else "identity"
    return activation


def targets(rng, loss, n, k):
    if loss == "cross_entropy":
        return rng.integers(0, k, n)
    if loss == "bce":
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.normal(size=(n, k))


def randomised(net, rng, scale=1.0):
    # Random biases too: with zero biases a dead ReLU layer puts the next Z exactly on a kink.
    net.set_params([scale * rng.normal(size=P.shape) for P in net.params])
    return net


@pytest.mark.parametrize("activation, loss", [
    (a, loss) for a in ACTIVATIONS for loss in LOSSES if a != "softmax" or loss == "cross_entropy"])
def test_every_activation_and_loss(activation, loss):
    rng = np.random.default_rng(7)
    hidden = "tanh" if activation == "softmax" else activation
    net = Network([Dense(3, 5, hidden), Dense(5, 4, hidden),
                   Dense(4, 3, output_activation(activation, loss))], loss=loss, seed=1)
    randomised(net, rng)
    X, Y = rng.normal(size=(6, 3)), targets(rng, loss, 6, 3)
    errors = gradcheck(net, X, Y)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < 1e-6, errors
    # and the fast path agrees with the checked reference gradients
    _, fast_grads = net.loss_and_grads(*net.check_data(X, Y))
    for G, R in zip(fast_grads, net.grads, strict=True):
        np.testing.assert_allclose(G, R, rtol=1e-10, atol=1e-14)


def test_one_hot_targets_and_single_sigmoid_output():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 2))
    net = Network([Dense(2, 4, "tanh"), Dense(4, 3)], loss="cross_entropy", seed=0)
    assert max(gradcheck(net, X, np.eye(3)[rng.integers(0, 3, 8)]).values()) < 1e-6
    net = Network([Dense(2, 4, "relu"), Dense(4, 1, "sigmoid")], loss="bce", seed=0)
    assert max(gradcheck(net, X, rng.integers(0, 2, 8)).values()) < 1e-6


def test_float32_network_is_checked_in_float64():
    rng = np.random.default_rng(0)
    net = Network([Dense(2, 3, "tanh"), Dense(3, 2)], loss="cross_entropy", seed=0,
                  dtype="float32")
    assert max(gradcheck(net, rng.normal(size=(4, 2)), [0, 1, 1, 0]).values()) < 1e-6
    assert net.params[0].dtype == np.float32  # the network itself is untouched


def test_gradcheck_catches_a_wrong_gradient():
    # A broken derivative must show up: the check is not vacuous.
    rng = np.random.default_rng(0)
    net = Network([Dense(2, 3, "tanh"), Dense(3, 1)], loss="mse", seed=0)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    net.layers[0].df = lambda Z: 1 - np.tanh(Z)  # not tanh's derivative
    errors = gradcheck(net, X, Y)
    assert errors["W1"] > 1e-2 and errors["b1"] > 1e-2
    assert errors["W2"] < 1e-6  # the layer above the broken derivative is still right


def test_numerical_gradient_of_a_quadratic():
    net = Network([Dense(1, 1)], loss="mse", seed=0)
    net.set_params([[[2.0]], [0.5]])
    X, Y = net.check_data([[1.0], [3.0]], [[0.0], [1.0]])
    G = numerical_gradient(net, X, Y, net.params[0])
    # L = ((2+.5)^2 + (6.5-1)^2)/2  ->  dL/dW = (2.5*1 + 5.5*3) = 19
    assert G[0, 0] == pytest.approx(19.0, rel=1e-8)


architectures = st.lists(st.tuples(st.integers(1, 5), st.sampled_from(HIDDEN)),
                         min_size=0, max_size=2)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(hidden=architectures, loss=st.sampled_from(LOSSES), n_in=st.integers(1, 4),
       n_out=st.integers(1, 3), batch=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_random_architectures(hidden, loss, n_in, n_out, batch, seed):
    rng = np.random.default_rng(seed)
    if loss == "cross_entropy":
        n_out = max(n_out, 2)
    sizes = [n_in] + [units for units, _ in hidden]
    layers = [Dense(a, b, act) for a, b, (_, act) in zip(sizes, sizes[1:], hidden, strict=False)]
    last = {"mse": "identity", "bce": "sigmoid", "cross_entropy": "identity"}[loss]
    net = randomised(Network(layers + [Dense(sizes[-1], n_out, last)], loss=loss, seed=seed),
                     rng, scale=0.7)
    X, Y = rng.normal(size=(batch, n_in)), targets(rng, loss, batch, n_out)
    loss_value, grads = net.loss_and_grads(X, Y)
    assert np.isfinite(loss_value)
    assert [G.shape for G in grads] == [P.shape for P in net.params]
    assert max(gradcheck(net, X, Y).values()) < 1e-6
