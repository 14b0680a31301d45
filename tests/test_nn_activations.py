"""Activations and losses: values, derivatives, and no overflow at extreme inputs."""

import warnings

import numpy as np
import pytest

from nn_blog.nn import activations as act
from nn_blog.nn import losses

EXTREME = np.array([[-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_overflow_warnings_up_to_1e4(dtype):
    Z = EXTREME.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            S = act.sigmoid(Z)
            P = act.softmax(Z)
            dS = act.sigmoid_derivative(Z)
            for name, (f, df) in act.ACTIVATIONS.items():
                A = f(Z)
                assert A.dtype == dtype and np.isfinite(A).all(), name
                if name != "softmax":
                    assert np.isfinite(df(Z)).all(), name
            labels = np.array([3])
            assert np.isfinite(losses.cross_entropy_with_logits(Z, labels))
            assert np.isfinite(losses.cross_entropy(P, np.eye(Z.shape[1])[labels]))
            assert np.isfinite(losses.bce_with_logits(Z, np.ones_like(Z)))
            assert np.isfinite(losses.bce(S, np.ones_like(Z)))
    assert S.dtype == P.dtype == dS.dtype == dtype
    assert 0 <= S[0, 0] < 2 * np.finfo(dtype).tiny and S[0, 3] == 0.5 and S[0, -1] == 1
    assert P[0, -1] == 1 and P[0, 0] == 0
    assert P.sum() == pytest.approx(1.0)


def test_sigmoid_keeps_relative_precision_in_the_tail():
    assert act.sigmoid(np.array([-700.0]))[0] == pytest.approx(np.exp(-700.0), rel=1e-12)
    assert act.sigmoid(np.array([-30.0]))[0] == pytest.approx(1 / (1 + np.exp(30.0)), rel=1e-14)


@pytest.mark.parametrize("name", [n for n in act.ACTIVATIONS if n != "softmax"])
def test_derivatives_match_finite_differences(name):
    f, df = act.ACTIVATIONS[name]
    Z = np.linspace(-3, 3, 61).reshape(1, -1) + 0.013  # off the ReLU kink at 0
    h = 1e-6
    numeric = (f(Z + h) - f(Z - h)) / (2 * h)
    np.testing.assert_allclose(df(Z), numeric, rtol=1e-6, atol=1e-9)


def test_softmax_jacobian():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(4, 5))
    J = act.softmax_derivative(Z)
    h = 1e-6
    for j in range(5):
        E = np.zeros_like(Z)
        E[:, j] = h
        column = (act.softmax(Z + E) - act.softmax(Z - E)) / (2 * h)
        np.testing.assert_allclose(J[:, :, j], column, atol=1e-9)


def test_activation_values():
    Z = np.array([[-2.0, 0.0, 3.0]])
    assert act.relu(Z).tolist() == [[0.0, 0.0, 3.0]]
    assert act.leaky_relu(Z).tolist() == [[-0.02, 0.0, 3.0]]
    assert act.relu_derivative(Z).tolist() == [[0.0, 0.0, 1.0]]
    assert act.identity(Z) is Z
    assert act.silu(Z) == pytest.approx(Z * act.sigmoid(Z))
    assert act.silu_derivative(np.array([0.0]))[0] == 0.5


def test_loss_values_and_reductions():
    A, Y = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])
    assert losses.mse(A, Y) == pytest.approx((1 + 0 + 1 + 4) / 4)
    np.testing.assert_allclose(losses.mse_derivative(A, Y), 2 * (A - Y) / 4)
    P, T = np.array([[0.9], [0.2]]), np.array([[1.0], [0.0]])
    assert losses.bce(P, T) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    assert losses.bce(np.array([[0.0]]), np.array([[1.0]])) == pytest.approx(100.0)
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    Y = np.eye(3)[[0, 2]]
    expected = (np.log(np.exp(Z[0]).sum()) - 1.0 + np.log(3.0) - 0.0) / 2
    assert losses.cross_entropy(act.softmax(Z), Y) == pytest.approx(expected, rel=1e-14)
    assert losses.cross_entropy_with_logits(Z, np.array([0, 2])) == pytest.approx(expected)
    assert losses.cross_entropy_with_logits(Z, Y) == pytest.approx(expected)
    dZ = (act.softmax(Z) - Y) / 2
    loss, P2, dZ2 = losses.softmax_cross_entropy(Z.copy(), np.array([0, 2]))
    assert loss == pytest.approx(expected) and np.allclose(dZ2, dZ)
    assert np.allclose(P2, act.softmax(Z))


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_loss_derivatives_match_finite_differences(name):
    loss, derivative = losses.LOSSES[name]
    rng = np.random.default_rng(1)
    Y_hat = act.softmax(rng.normal(size=(5, 3)))
    Y = np.eye(3)[rng.integers(0, 3, 5)] if name != "mse" else rng.normal(size=(5, 3))
    numeric, h = np.zeros_like(Y_hat), 1e-7
    for i in np.ndindex(Y_hat.shape):
        E = np.zeros_like(Y_hat)
        E[i] = h
        numeric[i] = (loss(Y_hat + E, Y) - loss(Y_hat - E, Y)) / (2 * h)
    np.testing.assert_allclose(derivative(Y_hat, Y), numeric, rtol=1e-6, atol=1e-9)
