"""The dense (fully connected) layer: Z = A_prev W + b, A = f(Z).

Batches are rows: A_prev (n, n_in) (the layer's input, X for the first
layer), W (n_in, n_out), b (n_out,), Z and A (n, n_out).

This is the reference ("textbook") layer.  Training runs the same maths
through fast.py, with the bias folded into W and reused buffers.
"""

from __future__ import annotations

import numpy as np

from ..errors import NNBlogError
from .activations import ACTIVATIONS
from .init import INITS, default_init


def _positive_int(value, field):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise NNBlogError(f"must be a positive integer, got {value!r}", field=field)
    return int(value)


class Dense:
    """A fully connected layer with n_in inputs, n_out neurons and an activation by name.

    W and b exist once the layer belongs to a Network, which draws them
    from its seed and stores them as views of its one parameter vector.  Assigning to layer.W
    copies into that storage, so the network always sees the change.  A layer belongs to one
    network: building a second network from the same Dense objects rebinds them.
    """

    def __init__(self, n_in, n_out, activation="identity", init=None):
        self.n_in = _positive_int(n_in, "n_in")
        self.n_out = _positive_int(n_out, "n_out")
        if activation not in ACTIVATIONS:
            known = ", ".join(ACTIVATIONS)
            raise NNBlogError(f"unknown activation {activation!r} (known: {known})",
                              field="activation")
        if init is not None and init not in INITS:
            raise NNBlogError(f"unknown initialiser {init!r} (known: {', '.join(INITS)})",
                              field="init")
        self.activation = activation
        self.init = init or default_init(activation)
        self.f, self.df = ACTIVATIONS[activation]
        self._Wb = self._W = self._b = None
        # Kept by forward() for backward(), and set by backward():
        self.A_prev = self.Z = self.A = None
        self.dZ = self.dW = self.db = self.dA_prev = None

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, {self.activation!r})"

    def bind(self, Wb):
        """Use Wb (n_in + 1, n_out) as this layer's parameter storage: W and b stacked,
        W = Wb[:-1] (n_in, n_out) and b = Wb[-1] (n_out,), views of the one array."""
        self._Wb, self._W, self._b = Wb, Wb[:-1], Wb[-1]

    @property
    def Wb(self):
        """W and b stacked, [W; b] (n_in + 1, n_out): b is the last row."""
        return self._Wb

    @property
    def W(self):
        return self._W

    @W.setter
    def W(self, value):
        self._assign(self._W, value, "W")

    @property
    def b(self):
        return self._b

    @b.setter
    def b(self, value):
        self._assign(self._b, value, "b")

    def _assign(self, target, value, field):
        if target is None:
            raise NNBlogError("the layer has no parameters until it is part of a Network",
                              field=field)
        value = np.asarray(value)
        if value.shape != target.shape:
            raise NNBlogError(f"shape {value.shape} does not match {target.shape}", field=field)
        target[...] = value

    def forward(self, A_prev):
        """A_prev (n, n_in) -> A (n, n_out), keeping A_prev, Z and A:

            Z = A_prev W + b      (b is added to every row)
            A = f(Z)
        """
        self.A_prev = A_prev
        self.Z = A_prev @ self.W + self.b
        self.A = self.f(self.Z)
        return self.A

    def backward(self, dZ):
        """dZ = ∂ℓ/∂Z (n, n_out) -> dA_prev = ∂ℓ/∂A_prev (n, n_in), keeping
        dZ and the gradients of the parameters:

            dW = A_prevᵀ dZ       (n_in, n_out)
            db = Σ_rows dZ         (n_out,)
            dA_prev = dZ Wᵀ        (n, n_in)
        """
        self.dZ = dZ
        self.dW = self.A_prev.T @ dZ
        self.db = dZ.sum(axis=0)
        self.dA_prev = dZ @ self.W.T
        return self.dA_prev
