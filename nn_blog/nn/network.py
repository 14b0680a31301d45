"""The network: a stack of Dense layers and a loss.

forward(X) and backward(Y) are the reference passes the post shows, one line
per equation.  loss_and_grads and fit train through the fast path (fast.py),
tested equal to them.  All parameters live in one flat vector; net.params
lists views of it, [W1, b1, W2, b2, ...] (W (n_in, n_out), b (n_out,)).
"""

from __future__ import annotations

import numpy as np

from ..errors import NNBlogError
from . import fast
from .activations import softmax
from .checks import check_X, check_Y, class_labels
from .init import init_weights
from .layers import Dense
from .losses import LOSSES, bce_with_logits, cross_entropy_with_logits
from .workspace import param_views

DTYPES = ("float64", "float32")


class Network:
    """A multilayer perceptron: Network([Dense(2, 16, "tanh"), Dense(16, 1, "sigmoid")],
    loss="bce", seed=0, dtype="float64").

    loss is mse, bce or cross_entropy; with cross_entropy the last layer's
    activation must be identity (logits) or softmax: either way softmax and the loss are
    fused and forward() returns probabilities.  Softmax is allowed only there: its
    derivative is a Jacobian, not elementwise.  Every random draw (initial weights, then the
    shuffling of fit()) comes from self.rng = np.random.default_rng(seed).
    """

    def __init__(self, layers, loss="mse", seed=0, dtype="float64"):
        if not isinstance(layers, list | tuple):
            raise NNBlogError(f"must be a non-empty list of Dense layers, got {layers!r}",
                              field="layers")
        self.layers = list(layers)
        self.loss = loss
        self.seed = seed
        self.dtype = np.dtype(self._check(dtype))
        self.rng = np.random.default_rng(seed)
        self._flat = np.zeros(self.n_params, dtype=self.dtype)
        self._params = param_views(self._flat, self.layers)
        for layer, Wb in zip(self.layers, self._params.stacked, strict=True):
            layer.bind(Wb)
            layer.W[...] = init_weights(layer.init, self.rng, layer.n_in, layer.n_out, self.dtype)
        self.loss_fn, self.loss_derivative = LOSSES[self.loss]
        self.Y_hat = None  # kept by forward() for backward()
        self._grads = None  # gradient buffers reused by fit()
        self._work = {}  # batch size -> activation buffers reused by backprop()

    def _check(self, dtype):
        if not self.layers or not all(isinstance(layer, Dense) for layer in self.layers):
            raise NNBlogError("must be a non-empty list of Dense layers", field="layers")
        if len({id(layer) for layer in self.layers}) != len(self.layers):
            raise NNBlogError("the same Dense object appears twice; make one per layer",
                              field="layers")
        for i, (a, b) in enumerate(zip(self.layers, self.layers[1:], strict=False), start=1):
            if a.n_out != b.n_in:
                raise NNBlogError(f"layer {i} has {a.n_out} outputs but layer {i + 1} expects "
                                  f"{b.n_in} inputs", field="layers")
        if not isinstance(self.loss, str) or self.loss not in LOSSES:
            raise NNBlogError(f"unknown loss {self.loss!r} (known: {', '.join(LOSSES)})",
                              field="loss")
        last = self.layers[-1].activation
        if self.loss == "cross_entropy" and last not in ("identity", "softmax"):
            raise NNBlogError(f"cross_entropy needs a last layer with identity (logits) or "
                              f"softmax activation, not {last!r}", field="loss")
        for i, layer in enumerate(self.layers[:-1], start=1):
            if layer.activation == "softmax":
                raise NNBlogError(f"layer {i} uses softmax, which only the last layer may use "
                                  "(with cross_entropy)", field="layers")
        if last == "softmax" and self.loss != "cross_entropy":
            raise NNBlogError(f"a softmax output needs loss cross_entropy, not {self.loss!r}",
                              field="loss")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer | None):
            raise NNBlogError(f"must be an integer, got {self.seed!r}", field="seed")
        name = str(np.dtype(dtype)) if isinstance(dtype, type | np.dtype) else str(dtype)
        if name not in DTYPES:
            raise NNBlogError(f"must be float64 or float32, got {dtype!r}", field="dtype")
        return name

    def __repr__(self):
        layers = ", ".join(map(repr, self.layers))
        return f"Network([{layers}], loss={self.loss!r}, seed={self.seed}, dtype='{self.dtype}')"
    # -- parameters ------------------------------------------------------------------------------

    @property
    def params(self):
        """Live arrays [W1, b1, W2, b2, ...]; writing into them changes the network."""
        return self._params

    @params.setter
    def params(self, arrays):
        self.set_params(arrays)

    def set_params(self, arrays):
        """Copy arrays (same order and shapes as params) into the network."""
        arrays = list(arrays)
        if len(arrays) != len(self._params):
            raise NNBlogError(f"expected {len(self._params)} arrays, got {len(arrays)}",
                              field="params")
        checked = []
        for name, P, new in zip(self.param_names, self._params, arrays, strict=True):
            try:
                new = np.asarray(new, dtype=np.float64)
            except (TypeError, ValueError):
                raise NNBlogError(f"{name} is not an array of numbers", field="params") from None
            if new.shape != P.shape:
                raise NNBlogError(f"{name} has shape {new.shape}, expected {P.shape}",
                                  field="params")
            if not np.isfinite(new).all():
                raise NNBlogError(f"{name} contains NaN or infinite values", field="params")
            checked.append(new)
        for P, new in zip(self._params, checked, strict=True):
            P[...] = new

    @property
    def n_params(self):
        """The number of trainable numbers (all weights and biases)."""
        return sum(layer.n_in * layer.n_out + layer.n_out for layer in self.layers)

    @property
    def param_names(self):
        """["W1", "b1", "W2", "b2", ...], in the order of params."""
        return [f"{p}{i}" for i in range(1, len(self.layers) + 1) for p in ("W", "b")]

    # -- the reference passes: what the post shows ---------------------------------------------

    def forward(self, X):
        """The forward pass, X (n, n_in) -> Y_hat (n, n_out):

            A_0 = X,  A_l = f_l(Z_l) with Z_l = A_(l−1) W_l + b_l
            Y_hat = A_L, or softmax(Z_L) with cross-entropy

        Every layer keeps its A_prev, Z and A for backward(); so does
        the network its Y_hat.  (predict(X) checks X first.)
        """
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        if self.loss == "cross_entropy":
            A = softmax(self.layers[-1].Z)
        self.Y_hat = A
        return self.Y_hat

    def output_dZ(self, Y):
        """dZ_L = ∂ℓ/∂Z_L (n, n_out), the gradient backward() starts from.

        Sigmoid with BCE, softmax with cross-entropy: the pair's
        derivatives cancel down to dZ_L = (Y_hat − Y) / n (n k for BCE,
        which averages over all outputs).  Otherwise the chain rule:
        dZ_L = ∂ℓ/∂Y_hat ⊙ f'(Z_L).
        """
        last = self.layers[-1]
        if self.loss == "cross_entropy":
            return (self.Y_hat - Y) / len(Y)
        if self.loss == "bce" and last.activation == "sigmoid":
            return (self.Y_hat - Y) / Y.size
        return self.loss_derivative(self.Y_hat, Y) * last.df(last.Z)

    def backward(self, Y):
        """Backpropagation, after forward(X), for the targets Y (n, n_out).

        Starts from dZ_L; then for l = L, L−1, ..., 1, layer l's backward
        gives dW_l, db_l and dA_(l−1), and, down to l = 2,

            dZ_(l−1) = dA_(l−1) ⊙ f'(Z_(l−1))

        Leaves dZ, dW, db on every layer; grads lists dW and db.
        """
        dZ = self.output_dZ(Y)
        for l in range(len(self.layers), 0, -1):  # l = L, ..., 1
            dA_prev = self.layers[l - 1].backward(dZ)
            if l > 1:
                prev = self.layers[l - 2]  # layer l − 1
                dZ = dA_prev * prev.df(prev.Z)

    @property
    def grads(self):
        """[dW1, db1, dW2, db2, ...] from the last backward(), like params."""
        return [g for layer in self.layers for g in (layer.dW, layer.db)]

    # -- checked entry points ------------------------------------------------------------------

    def predict(self, X):
        """X (n, n_in) checked, then forward(X): the outputs Y_hat (n, n_out)."""
        return self.forward(check_X(X, self.layers[0].n_in, self.dtype))

    def forward_all(self, X):
        """[(Z, A), ...] per layer, each (n, units), for checked X; the last A is Y_hat."""
        Y_hat = self.predict(X)
        pairs = [(layer.Z, layer.A) for layer in self.layers]
        pairs[-1] = (pairs[-1][0], Y_hat)
        return pairs

    def predict_classes(self, X):
        """Integer labels (n,): the argmax, or A >= 0.5 for a single output."""
        A = self.predict(X)
        if A.shape[1] == 1:
            return (A[:, 0] >= 0.5).astype(np.intp)
        return A.argmax(axis=1)

    def accuracy(self, X, Y):
        """The fraction of samples classified right; Y one-hot, integer labels or a {0,1} column."""
        X = check_X(X, self.layers[0].n_in, self.dtype)
        Y = check_Y(Y, X.shape[0], self.layers[-1].n_out, self._class_loss(), self.dtype)
        labels = class_labels(Y, self.layers[-1].n_out)
        if labels is None:
            raise NNBlogError("targets are not classes (not one-hot, labels or 0/1)", field="Y")
        return float(np.mean(self.predict_classes(X) == labels))

    def _class_loss(self):
        # Targets are read as classes: integer labels are allowed whatever the loss.
        return "cross_entropy" if self.layers[-1].n_out > 1 else self.loss

    # -- loss and gradients (the fast path) ------------------------------------------------------

    def loss_value(self, X, Y):
        """The loss on (X, Y), as in loss_and_grads, without the gradients."""
        X, Y = self.check_data(X, Y)
        return self._loss(X, Y)[0]

    def _loss(self, X, Y):
        # (loss, Y_hat) for checked data, no backward pass; the loss from the logits Z_L where
        # that is more accurate (as the fast path computes it).
        Y_hat = self.forward(X)
        Z = self.layers[-1].Z
        if self.loss == "cross_entropy":
            return cross_entropy_with_logits(Z, Y), Y_hat
        if self.loss == "bce" and self.layers[-1].activation == "sigmoid":
            return bce_with_logits(Z, Y), Y_hat
        return self.loss_fn(Y_hat, Y), Y_hat

    def check_data(self, X, Y, field="X"):
        """(X, Y) checked and converted as the engine uses them (see checks.check_Y):
        for cross-entropy, integer labels (n,) become one-hot rows (n, k)."""
        X = check_X(X, self.layers[0].n_in, self.dtype, field=field)
        Y_field = "Y" if field == "X" else f"{field} Y"
        Y = check_Y(Y, X.shape[0], self.layers[-1].n_out, self.loss, self.dtype, field=Y_field)
        return X, Y

    def loss_and_grads(self, X, Y):
        """(loss, grads): the loss on (X, Y) and its gradient for every parameter, through
        the fast path (equal to forward + backward up to rounding).

        grads has the order and shapes of params (fresh arrays on every call).
        """
        X, Y = self.check_data(X, Y)
        grads = self.grad_buffers()
        loss, _ = self.backprop(X, Y, grads)
        return loss, grads

    def grad_buffers(self, reuse=False):
        """Arrays shaped like params (views of one flat vector) for backprop to
        write gradients into: new ones, or with reuse the network's own set (as fit uses)."""
        if not reuse:
            return param_views(np.empty_like(self._flat), self.layers)
        if self._grads is None:
            self._grads = param_views(np.empty_like(self._flat), self.layers)
        return self._grads

    def _workspace(self, n):
        # Per layer (X1, Z, A, dX) for batches of n rows, reused from step to step: fresh arrays
        # of this size would cost the allocator page faults on every step.
        work = self._work.get(n)
        if work is None:
            if len(self._work) > 4:
                self._work.clear()
            work = self._work[n] = fast.workspace(self.layers, n, self.dtype)
        return work

    def backprop(self, X, Y, grads, folded=False, scale=1.0):
        """The fast path's forward and backward pass on checked data, gradients written into
        grads (from grad_buffers), times scale; folded=True when X is already [X 1]
        (fast.fold).  Returns (loss, Y_hat); Y_hat lives in a buffer the next call reuses (see
        fast.py)."""
        return fast.backprop(self, X, Y, grads, folded=folded, scale=scale)

    # -- training ----------------------------------------------------------------------------------

    def fit(self, X, Y, optimizer=None, epochs=100, batch_size=32, validation=None,
            early_stopping=None, callback=None, shuffle=True):
        """Train with mini-batches; returns the history (see fit)."""
        from .training import fit

        return fit(self, X, Y, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
                   validation=validation, early_stopping=early_stopping, callback=callback,
                   shuffle=shuffle)

    # -- configuration -----------------------------------------------------------------------------

    def to_config(self):
        """The architecture as plain JSON-able data (weights not included)."""
        return {"layers": [{"n_in": layer.n_in, "n_out": layer.n_out,
                            "activation": layer.activation, "init": layer.init}
                           for layer in self.layers],
                "loss": self.loss, "seed": None if self.seed is None else int(self.seed),
                "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config):
        """A new network (freshly initialised from its seed) for a to_config dict."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise NNBlogError("must be a dict with a list of 'layers'", field="config")
        try:
            layers = [Dense(c["n_in"], c["n_out"], c.get("activation", "identity"),
                            c.get("init")) for c in config["layers"]]
        except (KeyError, TypeError) as err:
            raise NNBlogError(f"a layer lacks {err}", field="config.layers") from None
        return cls(layers, loss=config.get("loss", "mse"), seed=config.get("seed", 0),
                   dtype=config.get("dtype", "float64"))

    def copy(self):
        """An independent network with the same architecture and parameters."""
        other = Network.from_config(self.to_config())
        other.set_params(self.params)
        return other
