"""The engine against PyTorch in float64: same weights -> same loss, gradients and updates,
through both the reference passes (forward/backward, step) and the fast path (loss_and_grads,
fast_step)."""

import numpy as np
import pytest

from nn_blog.nn import SGD, Adam, Dense, Network
from nn_blog.nn.activations import ACTIVATIONS

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_ACTIVATIONS = {
    "identity": lambda Z: Z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda Z: F.leaky_relu(Z, 0.01),
    "silu": F.silu,
    "softmax": lambda Z: torch.softmax(Z, dim=1),
}


def torch_loss(net, params, X, Y):
    """The same network written with torch ops, on torch tensors ``params`` [W1, b1, ...]."""
    A = torch.from_numpy(X)
    for i, layer in enumerate(net.layers):
        Z = A @ params[2 * i] + params[2 * i + 1]
        last = i == len(net.layers) - 1
        A = Z if last and net.loss == "cross_entropy" else TORCH_ACTIVATIONS[layer.activation](Z)
    target = torch.from_numpy(Y)
    if net.loss == "mse":
        return F.mse_loss(A, target)
    if net.loss == "bce":
        return F.binary_cross_entropy(A, target)
    # nn.CrossEntropyLoss on the logits: softmax-then-CE is what the engine fuses either way.
    return F.cross_entropy(A, target)


def torch_params(net):
    return [torch.tensor(P, dtype=torch.float64, requires_grad=True) for P in net.params]


def rel_err(a, b):
    """The worst entry's difference relative to the largest entry of the reference b."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.abs(b).max()
    return float(np.abs(a - b).max() / scale) if scale > 0 else float(np.abs(a).max())


def make_case(activation, loss, seed=0, n=16):
    # softmax only as the output, with cross-entropy (the engine allows nothing else)
    hidden = "tanh" if activation == "softmax" else activation
    out = {"mse": hidden, "bce": "sigmoid",
           "cross_entropy": activation if activation in ("identity", "softmax") else "identity"}
    rng = np.random.default_rng(seed)
    net = Network([Dense(4, 6, hidden), Dense(6, 5, hidden),
                   Dense(5, 3, out[loss])], loss=loss, seed=seed)
    net.set_params([0.5 * rng.normal(size=P.shape) for P in net.params])
    X = rng.normal(size=(n, 4))
    labels = rng.integers(0, 3, n)
    Y = {"mse": rng.normal(size=(n, 3)), "bce": rng.integers(0, 2, (n, 3)).astype(float),
         "cross_entropy": labels}[loss]
    return net, X, Y


@pytest.mark.parametrize("activation, loss", [
    (a, loss) for a in ACTIVATIONS for loss in ("mse", "bce", "cross_entropy")
    if a != "softmax" or loss == "cross_entropy"])
def test_loss_and_gradients_match_pytorch(activation, loss):
    net, X, Y = make_case(activation, loss)
    params = torch_params(net)
    reference = torch_loss(net, params, X, Y)
    reference.backward()
    Xc, Yc = net.check_data(X, Y)
    Y_hat = net.forward(Xc)  # the textbook passes
    textbook_value = net.loss_fn(Y_hat, Yc)
    net.backward(Yc)
    # Away from saturation, where nn.BCELoss clamps P(1-P) at 1e-12 (see the test below).
    assert np.abs(net.layers[-1].Z).max() < 20
    value, grads = net.loss_and_grads(X, Y)  # the fast path
    for ours, gradients in ((textbook_value, net.grads), (value, grads)):
        assert abs(ours - reference.item()) <= 1e-10 * abs(reference.item())
        for G, P in zip(gradients, params, strict=True):
            assert rel_err(G, P.grad.numpy()) <= 1e-10


def test_saturated_sigmoid_bce_matches_bce_with_logits():
    # Where sigmoid saturates, nn.BCELoss's gradient is clamped; the engine's fused (P - Y)/N
    # is the exact one, which nn.BCEWithLogitsLoss computes too.
    net = Network([Dense(2, 1, "sigmoid")], loss="bce", seed=0)
    net.set_params([[[20.0], [-15.0]], [3.0]])
    X, Y = np.array([[2.0, 0.0], [0.0, 2.0], [0.1, 0.1]]), np.array([[0.0], [1.0], [1.0]])
    W, b = (torch.tensor(P, requires_grad=True) for P in net.params)
    Z = torch.from_numpy(X) @ W + b
    reference = F.binary_cross_entropy_with_logits(Z, torch.from_numpy(Y))
    reference.backward()
    value, grads = net.loss_and_grads(X, Y)
    assert value == pytest.approx(reference.item(), rel=1e-12)
    assert rel_err(grads[0], W.grad.numpy()) <= 1e-12
    assert rel_err(grads[1], b.grad.numpy()) <= 1e-12


def test_one_hot_cross_entropy_matches_pytorch():
    net, X, labels = make_case("tanh", "cross_entropy")
    Y = np.eye(3)[labels]
    params = torch_params(net)
    reference = torch_loss(net, params, X, Y)
    reference.backward()
    value, grads = net.loss_and_grads(X, Y)
    assert abs(value - reference.item()) <= 1e-10 * reference.item()
    assert max(rel_err(G, P.grad.numpy()) for G, P in zip(grads, params, strict=True)) <= 1e-10


def train_both(net, X, Y, ours, theirs, steps=50, batch=8, path="fast"):
    """``steps`` updates on a fixed cycle of mini-batches, with the engine (its fast path, or
    its reference passes and step) and with torch."""
    params = torch_params(net)
    optimizer = theirs(params)
    for step in range(steps):
        rows = slice((step * batch) % len(X), (step * batch) % len(X) + batch)
        optimizer.zero_grad()
        torch_loss(net, params, X[rows], Y[rows]).backward()
        optimizer.step()
        if path == "fast":
            _, grads = net.loss_and_grads(X[rows], Y[rows])
            ours.fast_step(net.params, grads)
        else:
            Xb, Yb = net.check_data(X[rows], Y[rows])
            net.forward(Xb)
            net.backward(Yb)
            ours.step(net.params, net.grads)
    return max(rel_err(P, T.detach().numpy()) for P, T in zip(net.params, params, strict=True))


SGD_CASES = [
    dict(lr=0.05),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    dict(lr=0.05, momentum=0.5, dampening=0.1),
]


@pytest.mark.parametrize("path", ["fast", "reference"])
@pytest.mark.parametrize("kwargs", SGD_CASES, ids=lambda kw: "-".join(map(str, kw.values())))
def test_sgd_50_steps_match_pytorch(kwargs, path):
    net, X, Y = make_case("tanh", "cross_entropy", seed=1, n=32)
    assert train_both(net, X, Y, SGD(**kwargs),
                      lambda params: torch.optim.SGD(params, **kwargs), path=path) <= 1e-8


@pytest.mark.parametrize("kwargs", [dict(lr=0.01), dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                                       weight_decay=0.05)])
@pytest.mark.parametrize("path", ["fast", "reference"])
def test_adam_50_steps_match_pytorch(kwargs, path):
    net, X, Y = make_case("relu", "mse", seed=2, n=32)
    assert train_both(net, X, Y, Adam(**kwargs),
                      lambda params: torch.optim.Adam(params, **kwargs), path=path) <= 1e-8


def test_silu_trains_like_pytorch():
    net, X, Y = make_case("silu", "mse", seed=4, n=32)
    assert train_both(net, X, Y, Adam(lr=0.01),
                      lambda params: torch.optim.Adam(params, lr=0.01)) <= 1e-8


def test_fast_step_also_takes_plain_lists():
    # Over the flat vectors or array by array: the same arithmetic.
    net, X, Y = make_case("sigmoid", "bce", seed=3, n=32)
    other = net.copy()
    for make in (lambda: Adam(lr=0.01, weight_decay=0.1),
                 lambda: SGD(lr=0.1, momentum=0.9, nesterov=True)):
        fast, slow = make(), make()
        for _ in range(10):
            _, grads = net.loss_and_grads(X, Y)
            fast.fast_step(net.params, grads)
            _, grads = other.loss_and_grads(X, Y)
            slow.fast_step(list(other.params), list(grads))
        for P, Q in zip(net.params, other.params, strict=True):
            np.testing.assert_allclose(P, Q, rtol=1e-12, atol=1e-14)
