"""Training loops: epochs of shuffled mini-batches.

train() is the reference loop the post shows: forward, loss, backward, step.
fit() (behind Network.fit) runs the same loop through the fast path, and adds
validation, early stopping, callbacks and a guard against divergence.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..errors import DivergedError, NNBlogError
from .checks import check_positive, class_labels
from .fast import fold
from .optim import Adam


def train(net, X, Y, optimizer, epochs=100, batch_size=32):
    """Mini-batch gradient descent, the reference loop.

    Every epoch shuffles the n samples (with net.rng) and cuts them into
    mini-batches of batch_size rows; each batch takes a forward pass, the
    loss, a backward pass and one optimizer step.  X (n, n_in) and Y
    (n, n_out) as net.check_data returns them.  Returns each epoch's mean
    loss over its n samples: every batch's mean loss weighted by its size.
    """
    n = len(X)
    epoch_losses = []
    for _ in range(epochs):
        order = net.rng.permutation(n)  # a shuffle of 0..n-1
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            X_batch, Y_batch = X[batch], Y[batch]
            Y_hat = net.forward(X_batch)
            loss = net.loss_fn(Y_hat, Y_batch)
            net.backward(Y_batch)
            optimizer.step(net.params, net.grads)
            total += loss * len(X_batch)
        epoch_losses.append(total / n)
    return epoch_losses


class EarlyStopping:
    """Stop when the monitored loss has not improved by min_delta for patience epochs,
    then (with restore_best) put back the parameters of the best epoch."""

    def __init__(self, spec, has_validation):
        # spec: a patience (int), or {"patience", "min_delta", "monitor", "restore_best"}.
        spec = {"patience": spec} if isinstance(spec, int) and not isinstance(spec, bool) else spec
        if not isinstance(spec, dict):
            raise NNBlogError(f"must be a patience (int) or a dict, got {spec!r}",
                              field="early_stopping")
        unknown = set(spec) - {"patience", "min_delta", "monitor", "restore_best"}
        if unknown:
            raise NNBlogError(f"unknown keys {sorted(unknown)}", field="early_stopping")
        self.monitor = spec.get("monitor", "val_loss" if has_validation else "loss")
        if self.monitor not in ("loss", "val_loss") or (self.monitor == "val_loss"
                                                        and not has_validation):
            raise NNBlogError(f"cannot monitor {self.monitor!r} (validation data given: "
                              f"{has_validation})", field="early_stopping.monitor")
        self.patience = check_positive(spec.get("patience", 10), "early_stopping.patience",
                                       integer=True)
        self.min_delta = float(spec.get("min_delta", 0.0))
        self.restore_best = bool(spec.get("restore_best", True))
        self.best, self.best_params, self.waited = math.inf, None, 0

    def stop(self, logs, net):
        """Record this epoch's logs; True when training should stop."""
        watched = logs[self.monitor]
        if watched < self.best - self.min_delta:
            self.best, self.waited = watched, 0
            if self.restore_best:
                self.best_params = net.params.flat.copy()
            return False
        self.waited += 1
        return self.waited >= self.patience

    def restore(self, net):
        if self.best_params is not None:
            net.params.flat[...] = self.best_params


def _n_correct(A, labels):
    # How many rows of the outputs A (n, k) predict their integer label.
    if A.shape[1] == 1:
        return int(np.count_nonzero((A[:, 0] >= 0.5) == labels))
    return int(np.count_nonzero(A.argmax(axis=1) == labels))


def _evaluate(net, X, Y, labels):
    # (loss, accuracy) of the current parameters on checked data.
    loss, A = net._loss(X, Y)
    accuracy = _n_correct(A, labels) / len(X) if labels is not None else math.nan
    return loss, accuracy


def _diverged(epoch, loss, optimizer):
    return DivergedError(f"training diverged at epoch {epoch}: the loss became {loss}; try a "
                         f"smaller learning rate (lr is {optimizer.lr:g})", field="lr")


def _run_epoch(net, data, optimizer, batch_size, shuffle, epoch):
    """One pass over the data in mini-batches; returns the mean batch loss and accuracy.
    data is (X, Y, labels, X1), X1 = [X 1] (fast.fold) or None when the epoch shuffles."""
    X, Y, labels, X1 = data
    n = len(X)
    if X1 is None:
        # One gather per epoch, folded beside the ones, then every mini-batch is a contiguous
        # slice (a view: no step copies its batch).
        order = net.rng.permutation(n)
        X1, Y = fold(X[order]), Y[order]
        labels = labels[order] if labels is not None else None
    params, grads = net.params, net.grad_buffers(reuse=True)
    step = getattr(optimizer, "fast_step", optimizer.step)
    # SGD without momentum takes η times the gradients straight from backprop: one pass less.
    scale = getattr(optimizer, "grad_scale", None)
    if scale is not None:
        step = functools.partial(step, scale=scale)
    total_loss, correct = 0.0, 0
    for start in range(0, n, batch_size):
        stop = start + batch_size
        loss, A = net.backprop(X1[start:stop], Y[start:stop], grads, folded=True,
                               scale=scale or 1.0)
        if not math.isfinite(loss):
            raise _diverged(epoch, loss, optimizer)
        step(params, grads)
        total_loss += loss * len(A)
        if labels is not None:
            correct += _n_correct(A, labels[start:stop])
    return total_loss / n, (correct / n if labels is not None else math.nan)


def fit(net, X, Y, optimizer=None, epochs=100, batch_size=32, validation=None,
        early_stopping=None, callback=None, shuffle=True):
    """Train net on (X, Y) and return its history.

    Every epoch the rows are shuffled by net.rng and cut into mini-batches of batch_size
    (None = the whole set); each batch takes one optimizer step (default Adam()), its
    fast_step where it has one.  The loop of train(), through the fast path.
    history["loss"]/["accuracy"] are the epoch's mean over its batches as they were
    trained on; val_loss/val_accuracy are measured after the epoch on
    validation=(Xv, Yv) (empty lists without it).  Accuracy is NaN when
    the targets are not classes.

    early_stopping: a patience (int) or a dict {"patience", "min_delta", "monitor",
    "restore_best"}; stops when the monitored loss has not improved for patience epochs and
    (by default) restores the best parameters.  callback(epoch, logs, net) runs after each
    epoch (epoch counts from 1); returning False stops training.  A non-finite loss raises a
    ValueError naming the epoch.
    """
    X, Y = net.check_data(X, Y)
    optimizer, epochs, batch_size = _check_options(optimizer, epochs, batch_size, callback,
                                                   len(X))
    n_out = net.layers[-1].n_out
    # Batches in a fixed order come from one [X 1] made here; shuffled ones, per epoch.
    X1 = fold(X) if not (shuffle and batch_size < len(X)) else None
    data = (X, Y, class_labels(Y, n_out), X1)
    if validation is not None:
        if not isinstance(validation, tuple | list) or len(validation) != 2:
            raise NNBlogError("must be a pair (X_val, Y_val)", field="validation")
        Xv, Yv = net.check_data(*validation, field="validation X")
        validation = (Xv, Yv, class_labels(Yv, n_out))
    stopping = None
    if early_stopping is not None and early_stopping is not False:
        stopping = EarlyStopping(early_stopping, validation is not None)
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(1, epochs + 1):
        # A diverging run overflows before its loss does: the guard below reports it, once.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, accuracy = _run_epoch(net, data, optimizer, batch_size, shuffle, epoch)
        logs = {"epoch": epoch, "epochs": epochs, "loss": loss, "accuracy": accuracy}
        if validation is not None:
            logs["val_loss"], logs["val_accuracy"] = _evaluate(net, *validation)
        for key in history:
            if key in logs:
                history[key].append(logs[key])
        if callback is not None and callback(epoch, logs, net) is False:
            break
        if stopping is not None and stopping.stop(logs, net):
            break
    if stopping is not None:
        stopping.restore(net)
    return history


def _check_options(optimizer, epochs, batch_size, callback, n):
    # (optimizer, epochs, batch_size) checked and defaulted, or a clear error.
    optimizer = Adam() if optimizer is None else optimizer
    if not callable(getattr(optimizer, "step", None)):
        raise NNBlogError(f"must have a step(params, grads) method, got {optimizer!r}",
                          field="optimizer")
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 0:
        raise NNBlogError(f"must be an integer >= 0, got {epochs!r}", field="epochs")
    if batch_size is not None:
        batch_size = min(check_positive(batch_size, "batch_size", integer=True), n)
    if callback is not None and not callable(callback):
        raise NNBlogError(f"must be callable, got {callback!r}", field="callback")
    return optimizer, int(epochs), n if batch_size is None else batch_size
