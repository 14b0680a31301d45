"""Network.fit and the public API: learning, history, early stopping, callbacks, dtypes, errors."""

import numpy as np
import pytest

from nn_blog.errors import NNBlogError
from nn_blog.nn import SGD, Adam, Dense, Network


def xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array([0, 1, 1, 0])


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 2)) * 0.6 + np.array([[0, 3], [3, 0], [-3, -3]])[y]
    return X, y


def test_learns_xor():
    net = Network([Dense(2, 8, "tanh"), Dense(8, 1, "sigmoid")], loss="bce", seed=0)
    history = net.fit(*xor(), optimizer=Adam(lr=0.05), epochs=300, batch_size=4)
    assert net.accuracy(*xor()) == 1.0
    assert history["loss"][-1] < 0.1 < history["loss"][0]
    assert net.predict_classes(xor()[0]).tolist() == [0, 1, 1, 0]


def test_history_validation_and_formats_of_targets():
    X, y = blobs()
    net = Network([Dense(2, 16, "relu"), Dense(16, 3)], loss="cross_entropy", seed=1)
    history = net.fit(X[:150], np.eye(3)[y[:150]], optimizer=SGD(lr=0.1, momentum=0.9),
                      epochs=15, batch_size=16, validation=(X[150:], y[150:]))
    assert sorted(history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 15 for values in history.values())
    assert history["val_accuracy"][-1] > 0.95
    assert net.accuracy(X[150:], y[150:]) == history["val_accuracy"][-1]
    assert net.accuracy(X[150:], np.eye(3)[y[150:]]) == history["val_accuracy"][-1]
    assert net.loss_value(X[150:], y[150:]) == pytest.approx(history["val_loss"][-1])
    P = net.forward(X)
    assert P.shape == (200, 3) and np.allclose(P.sum(axis=1), 1)
    pairs = net.forward_all(X)
    assert [(Z.shape, A.shape) for Z, A in pairs] == [((200, 16), (200, 16)), ((200, 3),) * 2]
    assert np.array_equal(pairs[-1][1], P)
    no_validation = net.fit(X, y, epochs=2)
    assert no_validation["val_loss"] == [] and len(no_validation["loss"]) == 2


def test_same_seed_same_run_and_global_state_untouched():
    X, y = blobs()
    legacy_state = np.random.get_state  # noqa: NPY002 (we check the engine never touches it)
    state = legacy_state()[1].copy()
    runs = []
    for seed in (3, 3, 4):
        net = Network([Dense(2, 8, "tanh"), Dense(8, 3)], loss="cross_entropy", seed=seed)
        runs.append(net.fit(X, y, optimizer=Adam(lr=0.01), epochs=3, batch_size=10)["loss"])
    assert runs[0] == runs[1] != runs[2]
    assert np.array_equal(legacy_state()[1], state)


def test_float32_end_to_end():
    X, y = blobs()
    net = Network([Dense(2, 8, "sigmoid"), Dense(8, 3, "softmax")], loss="cross_entropy",
                  seed=0, dtype="float32")
    net.fit(X, y, optimizer=Adam(lr=0.01), epochs=3, batch_size=32, validation=(X, y))
    assert all(P.dtype == np.float32 for P in net.params)
    assert all(G.dtype == np.float32 for G in net.loss_and_grads(X, y)[1])
    assert all(Z.dtype == A.dtype == np.float32 for Z, A in net.forward_all(X))
    assert net.predict(X).dtype == np.float32
    # Same seed, other dtype: the float64 network's weights, rounded.
    wide = Network([Dense(2, 8, "sigmoid"), Dense(8, 3, "softmax")], loss="cross_entropy", seed=0)
    assert np.array_equal(Network.from_config(net.to_config()).params[0],
                          wide.params[0].astype(np.float32))


def test_early_stopping_restores_the_best_parameters():
    X, y = blobs()
    net = Network([Dense(2, 8, "tanh"), Dense(8, 3)], loss="cross_entropy", seed=0)
    seen = {}

    def remember(epoch, logs, net):
        seen[epoch] = (logs["val_loss"], [P.copy() for P in net.params])

    # Validation labels shifted by one class: the better the fit, the worse the validation loss.
    history = net.fit(X, y, optimizer=SGD(lr=0.1), epochs=200, batch_size=8,
                      validation=(X, (y + 1) % 3), early_stopping={"patience": 3},
                      callback=remember)
    assert len(history["loss"]) < 200
    best = min(seen, key=lambda epoch: seen[epoch][0])
    assert len(history["loss"]) == best + 3
    for P, Q in zip(net.params, seen[best][1], strict=True):
        assert np.array_equal(P, Q)


def test_callback_can_stop_and_sees_logs():
    X, y = blobs()
    net = Network([Dense(2, 4, "relu"), Dense(4, 3)], loss="cross_entropy", seed=0)
    calls = []

    def callback(epoch, logs, got):
        calls.append((epoch, sorted(logs)))
        assert got is net
        return epoch < 4

    history = net.fit(X, y, epochs=50, callback=callback)
    assert [epoch for epoch, _ in calls] == [1, 2, 3, 4] and len(history["loss"]) == 4
    assert calls[0][1] == ["accuracy", "epoch", "epochs", "loss"]


def test_divergence_names_the_epoch_and_suggests_a_smaller_lr():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)) * 100, rng.normal(size=(64, 1)) * 100
    net = Network([Dense(3, 8, "relu"), Dense(8, 1)], loss="mse", seed=0)
    with pytest.raises(ValueError, match=r"diverged at epoch \d+.*smaller learning rate"):
        net.fit(X, Y, optimizer=SGD(lr=10.0), epochs=50)


def test_regression_and_partial_last_batch():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(101, 1))
    net = Network([Dense(1, 16, "tanh"), Dense(16, 1)], loss="mse", seed=0)
    history = net.fit(X, np.sin(3 * X[:, 0]), optimizer=Adam(lr=0.02), epochs=150,
                      batch_size=25)
    assert history["loss"][-1] < 0.02 and np.isnan(history["accuracy"][-1])
    assert net.fit(X, np.sin(3 * X), epochs=1, batch_size=1000)["loss"]  # batch > n is fine


def test_params_are_live_and_config_round_trips():
    net = Network([Dense(2, 3, "tanh"), Dense(3, 1, "sigmoid")], loss="bce", seed=5)
    assert net.n_params == 2 * 3 + 3 + 3 + 1 == sum(P.size for P in net.params)
    assert [P.shape for P in net.params] == [(2, 3), (3,), (3, 1), (1,)]
    net.params[0][...] = 0.0
    net.layers[1].b = [2.0]
    assert np.all(net.layers[0].W == 0) and net.params[3][0] == 2.0
    assert np.allclose(net.forward(np.ones((1, 2))), 1 / (1 + np.exp(-2.0)))
    again = Network.from_config(net.to_config())
    assert again.to_config() == net.to_config()
    assert np.array_equal(again.params[2], Network.from_config(net.to_config()).params[2])
    copy = net.copy()
    copy.params[3][0] = 7.0
    assert net.params[3][0] == 2.0


def test_default_initialisers():
    net = Network([Dense(100, 200, "relu"), Dense(200, 100, "tanh"),
                   Dense(100, 2, "identity", init="small_normal")], seed=0)
    assert [layer.init for layer in net.layers] == ["he", "xavier_uniform", "small_normal"]
    assert np.std(net.params[0]) == pytest.approx(np.sqrt(2 / 100), rel=0.05)
    limit = np.sqrt(6 / 300)
    assert np.abs(net.params[2]).max() <= limit and np.std(net.params[2]) == pytest.approx(
        limit / np.sqrt(3), rel=0.05)
    assert np.std(net.params[4]) == pytest.approx(0.01, rel=0.2)
    assert not any(P.any() for P in net.params[1::2])


NET = Network([Dense(2, 4, "relu"), Dense(4, 3)], loss="cross_entropy", seed=0)
X_OK, Y_OK = np.zeros((5, 2)), np.array([0, 1, 2, 0, 1])
BAD = {
    "1-D X": (lambda: NET.fit(np.zeros(5), Y_OK), "X.*2-D"),
    "wrong features": (lambda: NET.fit(np.zeros((5, 3)), Y_OK), "3 features.*expects 2"),
    "row mismatch": (lambda: NET.fit(X_OK, Y_OK[:4]), "4 rows but X has 5"),
    "label too big": (lambda: NET.fit(X_OK, [0, 1, 3, 0, 1]), "label 3 is out of range"),
    "negative label": (lambda: NET.fit(X_OK, [0, -1, 2, 0, 1]), "label -1 is out of range"),
    "fractional label": (lambda: NET.fit(X_OK, [0, 0.5, 2, 0, 1]), "whole numbers"),
    "NaN in X": (lambda: NET.fit(np.where(np.eye(5, 2), np.nan, 0), Y_OK), "NaN.*row 0"),
    "inf in X": (lambda: NET.predict([[0, 0], [np.inf, 0]]), "NaN or infinite.*row 1"),
    "text in X": (lambda: NET.fit([["a", "b"]] * 5, Y_OK), "must hold numbers"),
    "one-hot shape": (lambda: NET.fit(X_OK, np.eye(4)[Y_OK]), r"shape \(5, 3\)"),
    "not one-hot": (lambda: NET.fit(X_OK, np.full((5, 3), 0.5)), "one-hot"),
    "bce target": (lambda: Network([Dense(2, 1, "sigmoid")], loss="bce").fit(X_OK, [0, 2, 1, 0, 1]),
                   r"\[0, 1\]"),
    "unknown activation": (lambda: Dense(2, 3, "swish"), "unknown activation 'swish'"),
    "unknown loss": (lambda: Network([Dense(2, 3)], loss="hinge"), "unknown loss 'hinge'"),
    "unknown init": (lambda: Dense(2, 3, init="zeros"), "unknown initialiser"),
    "bad sizes": (lambda: Network([Dense(2, 3), Dense(4, 1)]), "3 outputs.*expects 4"),
    "shared layer": (lambda: Network([NET.layers[0]] * 2), "appears twice"),
    "ce on sigmoid": (lambda: Network([Dense(2, 3, "sigmoid")], loss="cross_entropy"),
                      "identity.*softmax"),
    "zero units": (lambda: Dense(2, 0), "n_out.*positive integer"),
    "dtype": (lambda: Network([Dense(2, 3)], dtype="float16"), "float64 or float32"),
    "lr zero": (lambda: SGD(lr=0), "lr.*positive"),
    "lr negative": (lambda: Adam(lr=-1e-3), "lr.*positive"),
    "batch size zero": (lambda: NET.fit(X_OK, Y_OK, batch_size=0), "batch_size.*positive"),
    "batch size float": (lambda: NET.fit(X_OK, Y_OK, batch_size=2.5), "batch_size"),
    "epochs": (lambda: NET.fit(X_OK, Y_OK, epochs=-1), "epochs"),
    "validation": (lambda: NET.fit(X_OK, Y_OK, validation=X_OK), "validation.*pair"),
    "validation X": (lambda: NET.fit(X_OK, Y_OK, validation=(np.zeros((2, 5)), [0, 1])),
                     "validation X.*5 features"),
    "early stopping": (lambda: NET.fit(X_OK, Y_OK, early_stopping="soon"), "early_stopping"),
    "nesterov": (lambda: SGD(lr=0.1, nesterov=True), "Nesterov"),
    "betas": (lambda: Adam(betas=(0.9, 1.5)), "betas"),
    "params": (lambda: NET.set_params([np.zeros((3, 3))] * 4), r"W1 has shape \(3, 3\)"),
    "NaN params": (lambda: NET.set_params([P + np.nan for P in NET.params]), "W1.*NaN"),
    "text params": (lambda: NET.set_params([["a"]] + NET.params[1:]), "W1 is not an array"),
    "params count": (lambda: NET.set_params(NET.params[:2]), "expected 4 arrays, got 2"),
    "no layers": (lambda: Network(None), "list of Dense layers"),
    "empty layers": (lambda: Network([]), "list of Dense layers"),
    "hidden softmax": (lambda: Network([Dense(2, 3, "softmax"), Dense(3, 2)]),
                       "layer 1 uses softmax"),
    "softmax with mse": (lambda: Network([Dense(2, 3, "softmax")], loss="mse"),
                         "softmax output needs loss cross_entropy"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_clear_value_error(case):
    make, pattern = BAD[case]
    with pytest.raises(NNBlogError, match=pattern) as info:
        make()
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


def test_results_handed_out_are_never_reused_buffers():
    X, y = blobs()
    net = Network([Dense(2, 8, "relu"), Dense(8, 3)], loss="cross_entropy", seed=0)
    P = net.forward(X)
    pairs = net.forward_all(X)
    loss, grads = net.loss_and_grads(X, y)
    saved = [P.copy(), [(Z.copy(), A.copy()) for Z, A in pairs], [G.copy() for G in grads]]
    net.fit(X, y, epochs=2, batch_size=len(X))  # same batch shape as above: buffers get reused
    net.loss_and_grads(X[::-1], y[::-1])
    net.forward(X[::-1])
    assert np.array_equal(P, saved[0])
    for (Z, A), (Z0, A0) in zip(pairs, saved[1], strict=True):
        assert np.array_equal(Z, Z0) and np.array_equal(A, A0)
    for G, G0 in zip(grads, saved[2], strict=True):
        assert np.array_equal(G, G0)
    assert loss == pytest.approx(Network.from_config(net.to_config()).loss_value(X, y))


def test_fit_equals_manual_steps_on_the_same_batches():
    # fit = checked data, one rng permutation per epoch, contiguous batches, one step each.
    X, y = blobs(n=50)
    net = Network([Dense(2, 6, "tanh"), Dense(6, 3)], loss="cross_entropy", seed=9)
    twin = net.copy()
    history = net.fit(X, y, optimizer=SGD(lr=0.1, momentum=0.9), epochs=2, batch_size=16)
    rng, optimizer, losses = np.random.default_rng(9), SGD(lr=0.1, momentum=0.9), []
    rng.random((2, 6))  # the draw of W1 (xavier_uniform); W2 is the next draw
    rng.random((6, 3))
    for _ in range(2):
        order = rng.permutation(50)
        total = 0.0
        for start in range(0, 50, 16):
            rows = order[start:start + 16]
            loss, grads = twin.loss_and_grads(X[rows], y[rows])
            optimizer.step(twin.params, grads)
            total += loss * len(rows)
        losses.append(total / 50)
    assert history["loss"] == pytest.approx(losses, rel=1e-12)
    for P, Q in zip(net.params, twin.params, strict=True):
        np.testing.assert_allclose(P, Q, rtol=1e-12, atol=1e-15)
