"""The fast path (nn/fast.py: [X 1][W; b], reused buffers, folded batches, fast_step) against the
reference layer (Dense.forward/backward, Network.forward/backward, SGD/Adam.step), in float64:
loss and gradients within 1e-12 relative, 50 optimizer steps within 1e-10."""

import numpy as np
import pytest

from nn_blog.nn import SGD, Adam, Dense, Network, fast
from nn_blog.nn.activations import ACTIVATIONS
from nn_blog.nn.training import train

HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]  # softmax: the output layer only
LOSSES = ["mse", "bce", "cross_entropy"]
OUTPUTS = {"mse": ["identity", "tanh", "silu"], "bce": ["sigmoid"],
           "cross_entropy": ["identity", "softmax"]}


def rel_err(a, b):
    """The worst entry's difference relative to the largest entry of the reference b."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.abs(b).max()
    return float(np.abs(a - b).max() / scale) if scale > 0 else float(np.abs(a).max())


def random_case(activation, loss, seed, n=None):
    """A random architecture (1-3 hidden layers, narrow and wide) of ``activation``, an output
    layer that suits ``loss``, random parameters and data."""
    rng = np.random.default_rng(seed)
    depth = rng.integers(1, 4)
    sizes = [int(rng.choice([1, 3, 17, 70]))] + [int(rng.choice([2, 5, 66, 80]))
                                                  for _ in range(depth)]
    k = int(rng.integers(1 if loss != "cross_entropy" else 2, 5))
    out = OUTPUTS[loss][seed % len(OUTPUTS[loss])]
    layers = [Dense(a, b, activation) for a, b in zip(sizes, sizes[1:], strict=False)]
    net = Network(layers + [Dense(sizes[-1], k, out)], loss=loss, seed=seed)
    # Weights of a trained net's size (std 1/√n_in), so no output saturates: where one does,
    # the reference's bce(Y_hat, Y) loses digits that the fast path's loss from Z keeps.
    net.set_params([rng.normal(size=P.shape) / np.sqrt(P.shape[0] if P.ndim == 2 else 10)
                    for P in net.params])
    n = n or int(rng.integers(1, 40))
    X = rng.normal(size=(n, sizes[0]))
    Y = {"mse": rng.normal(size=(n, k)), "bce": rng.integers(0, 2, (n, k)).astype(float),
         "cross_entropy": rng.integers(0, k, n)}[loss]
    return net, *net.check_data(X, Y)


def reference(net, X, Y):
    """(loss, grads) from the textbook passes."""
    Y_hat = net.forward(X)
    loss = net.loss_fn(Y_hat, Y)
    net.backward(Y)
    return loss, [g.copy() for g in net.grads]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", HIDDEN)
def test_fast_loss_and_gradients_equal_the_reference(activation, loss, seed):
    net, X, Y = random_case(activation, loss, seed)
    loss_ref, grads_ref = reference(net, X, Y)
    loss_fast, grads_fast = net.loss_and_grads(X, Y)
    assert loss_fast == pytest.approx(loss_ref, rel=1e-12)
    for name, g_fast, g_ref in zip(net.param_names, grads_fast, grads_ref, strict=True):
        assert g_fast.shape == g_ref.shape, name
        assert rel_err(g_fast, g_ref) <= 1e-12, name


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.05, momentum=0.9), lambda: Adam(lr=0.01)],
                         ids=["sgd-momentum", "adam"])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", HIDDEN)
def test_fifty_fast_steps_equal_fifty_reference_steps(activation, loss, make):
    net, X, Y = random_case(activation, loss, seed=len(activation) + len(loss), n=24)
    ref_net, start = net.copy(), [P.copy() for P in net.params]
    fast_opt, ref_opt = make(), make()
    for _ in range(50):
        _, grads = net.loss_and_grads(X, Y)
        fast_opt.fast_step(net.params, grads)
        reference(ref_net, X, Y)
        ref_opt.step(ref_net.params, ref_net.grads)
    for name, P, R in zip(net.param_names, net.params, ref_net.params, strict=True):
        assert rel_err(P, R) <= 1e-10, name
    # the runs went somewhere: the comparison is not between two unmoved networks
    assert max(rel_err(P, S) for P, S in zip(net.params, start, strict=True)) > 1e-3


def test_fit_is_the_reference_train_loop():
    # The same shuffles (net.rng), batches and steps: fit through the fast path, train through
    # forward/backward/step, from the same start.
    net, X, Y = random_case("tanh", "cross_entropy", seed=5, n=50)
    twin = net.copy()
    history = net.fit(X, Y, optimizer=Adam(lr=0.01), epochs=4, batch_size=16)
    losses = train(twin, X, Y, Adam(lr=0.01), epochs=4, batch_size=16)
    assert losses == pytest.approx(history["loss"], rel=1e-10)
    for P, R in zip(net.params, twin.params, strict=True):
        assert rel_err(P, R) <= 1e-10
    assert losses[-1] < losses[0]


def test_silu_keeps_its_z_and_the_others_compute_a_over_z():
    net = Network([Dense(3, 8, "silu"), Dense(8, 8, "tanh"), Dense(8, 2)], loss="mse")
    work = net._workspace(5)
    assert not np.shares_memory(work[0].Z, work[0].A)
    assert np.shares_memory(work[1].Z, work[1].A)
    assert not np.shares_memory(work[2].Z, work[2].A)  # the output keeps its logits
    assert fast.KEEPS_Z == {"silu"}


@pytest.mark.parametrize("name", HIDDEN)
def test_every_fast_kernel_is_the_reference_function(name):
    f, df = ACTIVATIONS[name]
    Z = np.random.default_rng(0).normal(size=(7, 4)) * 3
    A = fast.FORWARD[name](Z, out=np.empty_like(Z))
    assert np.array_equal(A, f(Z))
    dA = np.random.default_rng(1).normal(size=Z.shape)
    dZ = fast.BACKWARD[name](dA.copy(), Z, A)
    np.testing.assert_allclose(dZ, dA * df(Z), rtol=1e-15, atol=0)


def test_float32_stays_float32_and_matches_float64():
    net64, X, Y = random_case("relu", "cross_entropy", seed=3, n=12)
    net32 = Network.from_config(dict(net64.to_config(), dtype="float32"))
    net32.set_params(net64.params)
    _, grads64 = net64.loss_and_grads(X, Y)
    loss32, A32 = net32.backprop(*net32.check_data(X, Y), net32.grad_buffers())
    _, grads32 = net32.loss_and_grads(X, Y)
    assert A32.dtype == np.float32 and all(G.dtype == np.float32 for G in grads32)
    assert net32.forward(X.astype(np.float32)).dtype == np.float32
    for G32, G64 in zip(grads32, grads64, strict=True):
        assert np.allclose(G32, G64, rtol=1e-3, atol=1e-5)


def test_batch_sizes_share_nothing_and_repeat_exactly():
    # The workspace keeps buffers per batch size: alternating sizes must not mix them up.
    net, X, Y = random_case("silu", "cross_entropy", seed=2, n=20)
    first = [G.copy() for G in net.loss_and_grads(X, Y)[1]]
    for n in (7, 20, 1, 13, 20):
        _, grads = net.loss_and_grads(X[:n], Y[:n])
        _, expected = reference(net, X[:n], Y[:n])
        assert all(rel_err(G, E) <= 1e-12 for G, E in zip(grads, expected, strict=True))
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
    zeros = fast.zeros_like(Z)
    assert zeros.flags.f_contiguous and not zeros.any() and not zeros.flags.writeable
    assert fast.zeros_like(np.ones((6, 3))).flags.c_contiguous


def test_every_activation_has_fast_kernels():
    # A new activation without its in-place kernels would fail training with a KeyError.
    assert set(fast.FORWARD) == set(fast.BACKWARD) == set(HIDDEN)
    assert fast.KEEPS_Z <= set(HIDDEN)


@pytest.mark.parametrize("activation", HIDDEN)
def test_wide_row_major_layers_equal_the_reference(activation):
    # Layers over 64 units are row-major: f and f' run over the whole [Z 1] / [dA 0] blocks,
    # so the column of ones must come back for every f with f(1) != 1 (sigmoid, tanh, silu),
    # and the 2-unit output on an 80-unit layer takes the contiguous-Wᵀ product.
    rng = np.random.default_rng(7)
    net = Network([Dense(3, 70, activation), Dense(70, 80, activation), Dense(80, 2)],
                  loss="cross_entropy", seed=1)
    net.set_params([rng.normal(size=P.shape) / np.sqrt(P.shape[0] if P.ndim == 2 else 10)
                    for P in net.params])
    work = net._workspace(9)
    assert work[0].A_ew is work[0].A1 and work[1].A_ew is work[1].A1  # the whole blocks
    assert work[2].WT is not None and work[1].WT is None
    X, Y = net.check_data(rng.normal(size=(9, 3)), rng.integers(0, 2, 9))
    loss_ref, grads_ref = reference(net, X, Y)
    for _ in range(2):  # twice: the second step starts from the buffers the first one left
        loss_fast, grads_fast = net.loss_and_grads(X, Y)
        assert loss_fast == pytest.approx(loss_ref, rel=1e-12)
        for name, g_fast, g_ref in zip(net.param_names, grads_fast, grads_ref, strict=True):
            assert rel_err(g_fast, g_ref) <= 1e-12, name
    assert np.all(work[0].A1[:, -1] == 1) and np.all(work[1].A1[:, -1] == 1)


@pytest.mark.parametrize("n_in", [3, 20])
def test_folded_batches_give_the_same_step(n_in):
    # fit hands backprop batches already beside their ones (fast.fold), as views of one array.
    net = Network([Dense(n_in, 8, "tanh"), Dense(8, 3)], loss="cross_entropy", seed=0)
    rng = np.random.default_rng(0)
    X, Y = net.check_data(rng.normal(size=(12, n_in)), rng.integers(0, 3, 12))
    X1 = fast.fold(X)
    assert X1.shape == (12, n_in + 1) and np.array_equal(X1[:, :-1], X)
    assert np.all(X1[:, -1] == 1)
    assert X1.flags.f_contiguous == (n_in < 16)  # as the workspace lays out the first input
    for rows in (slice(0, 12), slice(4, 9)):
        unfolded, folded = net.grad_buffers(), net.grad_buffers()
        loss, _ = net.backprop(X[rows], Y[rows], unfolded)
        loss_folded, _ = net.backprop(X1[rows], Y[rows], folded, folded=True)
        assert loss_folded == loss and np.array_equal(folded.flat, unfolded.flat)


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.05, weight_decay=0.01),
                                  lambda: SGD(lr=0.05, momentum=0.9), lambda: Adam(lr=0.01)],
                         ids=["sgd-scaled", "sgd-momentum", "adam"])
def test_fit_in_a_fixed_order_steps_through_the_batches(make):
    # shuffle=False: one [X 1] for the whole call, its batches in order.  Plain SGD gets
    # η times the gradients from backprop (grad_scale); the twin takes the textbook step.
    net, X, Y = random_case("relu", "mse", seed=3, n=30)
    twin = net.copy()
    history = net.fit(X, Y, optimizer=make(), epochs=3, batch_size=8, shuffle=False)
    opt, losses = make(), []
    for _ in range(3):
        total = 0.0
        for start in range(0, 30, 8):
            rows = slice(start, start + 8)
            Xb, Yb = twin.check_data(X[rows], Y[rows])
            total += twin.loss_fn(twin.forward(Xb), Yb) * len(Xb)
            twin.backward(Yb)
            opt.step(twin.params, twin.grads)
        losses.append(total / 30)
    assert history["loss"] == pytest.approx(losses, rel=1e-10)
    for name, P, R in zip(net.param_names, net.params, twin.params, strict=True):
        assert rel_err(P, R) <= 1e-10, name


def test_scaled_gradients_are_scale_times_the_gradients():
    net, X, Y = random_case("sigmoid", "cross_entropy", seed=1, n=20)
    grads, scaled = net.grad_buffers(), net.grad_buffers()
    loss, Y_hat = net.backprop(X, Y, grads)
    Y_hat = Y_hat.copy()
    loss_scaled, Y_hat_scaled = net.backprop(X, Y, scaled, scale=0.01)
    assert loss_scaled == loss and np.array_equal(Y_hat_scaled, Y_hat)  # only the gradients
    assert rel_err(scaled.flat, 0.01 * grads.flat) <= 1e-14
    assert SGD(lr=0.01).grad_scale == 0.01 and SGD(lr=0.01, momentum=0.5).grad_scale is None
    with pytest.raises(ValueError, match="momentum"):
        SGD(lr=0.01, momentum=0.5).fast_step(net.params, scaled, scale=0.01)


def test_sgd_fast_step_spends_the_gradients():
    # The documented side effect that saves the update a pass: grads hold η times the step.
    net = Network([Dense(3, 4, "relu"), Dense(4, 2)], loss="mse", seed=0)
    X, Y = net.check_data(np.ones((5, 3)), np.zeros((5, 2)))
    _, grads = net.loss_and_grads(X, Y)
    before, g = net.params.flat.copy(), grads.flat.copy()
    SGD(lr=0.1).fast_step(net.params, grads)
    np.testing.assert_allclose(grads.flat, 0.1 * g, rtol=1e-15)
    np.testing.assert_allclose(net.params.flat, before - 0.1 * g, rtol=1e-15)
