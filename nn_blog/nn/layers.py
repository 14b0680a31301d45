r"""The dense (fully connected) layer: :math:`Z = X W + b`, :math:`A = f(Z)`.

Batches are rows: X (n, n_in), W (n_in, n_out), b (n_out,), Z and A (n, n_out).

Training runs the same layer in its stacked form: with a column of ones appended to the input,
:math:`[X\;1]`, the bias is one more row of weights, :math:`[X\;1][W; b] = X W + b`, so the
forward pass and the gradients :math:`[dW; db]` take one matrix product each (see
:meth:`Dense.forward_stacked`).
"""

from __future__ import annotations

import numpy as np

from ..errors import NNBlogError
from .activations import ACTIVATIONS, softmax_backward
from .init import INITS, default_init


def _positive_int(value, field):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise NNBlogError(f"must be a positive integer, got {value!r}", field=field)
    return int(value)


class Dense:
    """A fully connected layer with ``n_in`` inputs, ``n_out`` neurons and an activation by name.

    ``W`` and ``b`` exist once the layer belongs to a :class:`~.network.Network`, which draws them
    from its seed and stores them as views of its one parameter vector.  Assigning to ``layer.W``
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
        self.Z = self.A = None  # the last forward pass's, for activation_backward / forward_all
        self.X1 = None  # [X 1], kept by forward_stacked() for backward_stacked()

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, {self.activation!r})"

    def bind(self, Wb):
        """Use ``Wb`` (n_in + 1, n_out) as this layer's parameter storage: W and b stacked,
        ``W = Wb[:-1]`` (n_in, n_out) and ``b = Wb[-1]`` (n_out,), views of the one array."""
        self._Wb, self._W, self._b = Wb, Wb[:-1], Wb[-1]

    @property
    def Wb(self):
        r"""W and b stacked, :math:`\begin{bmatrix} W \\ b \end{bmatrix}` (n_in + 1, n_out)."""
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

    def forward(self, X, out=None):
        r"""X (n, n_in) -> A (n, n_out): :math:`Z = X W + b`, :math:`A = f(Z)`, the layer as
        prediction runs it (training runs :meth:`forward_stacked`).

        ``out``: optional arrays ``(Z, A)``, each (n, n_out), to write into instead of allocating.
        """
        Z, A = (None, None) if out is None else out
        Z = np.matmul(X, self.W, out=Z)  # Z = X W + b
        Z += self.b
        A = self.f(Z, out=A)  # A = f(Z)
        self.Z, self.A = Z, A  # kept for forward_all(): the neuron heatmaps draw them
        return A

    def linear(self, X, out=None):
        """Only the affine part, Z = X W + b (the logits of a layer fused with its loss)."""
        Z = np.matmul(X, self.W, out=out)
        Z += self.b
        self.Z = Z
        return Z

    def activation_backward(self, dA, overwrite=False):
        r""":math:`dZ = dA \odot f'(Z)` (softmax: the Jacobian-vector product per row).

        ``overwrite=True`` lets dZ reuse dA's memory (the network does, for its own temporaries).
        """
        out = dA if overwrite else None
        if self.activation == "identity":
            return dA
        if self.activation == "softmax":
            return softmax_backward(self.A, dA)
        if self.activation == "relu":
            # f'(Z) is the 0/1 mask Z > 0, i.e. A > 0: multiplying by the boolean array skips
            # building it as floats.
            return np.multiply(dA, self.A > 0, out=out)
        return np.multiply(dA, self.df(self.Z, self.A), out=out)

    # -- training: the bias as one more row of weights --------------------------------------------

    def forward_stacked(self, X1, out):
        r"""The forward pass as training runs it, from :math:`X_1 = [X\;1]` (n, n_in + 1): the
        input with a column of ones appended, which makes the bias one more row of weights,

        .. math::
            Z = \begin{bmatrix} X & 1 \end{bmatrix} \begin{bmatrix} W \\ b \end{bmatrix}
              = X W + b, \qquad A = f(Z)

        so Z takes one matrix product and no separate pass to add b.  ``out = (Z, A)``, each
        (n, n_out); A may be a view into the next layer's X1, left of its column of ones.  Z and
        A may be one array: A then overwrites Z, which backpropagation does not need (given A,
        no derivative reads Z; see :mod:`.activations`), and ``self.Z`` is left None.  Returns A.
        """
        Z, A = out
        Z = self.linear_stacked(X1, out=Z)  # Z = [X 1] [W; b]
        self.A = self.f(Z, out=A)  # A = f(Z)
        if A is Z:
            self.Z = None  # overwritten by A
        return self.A

    def linear_stacked(self, X1, out=None):
        """Only the affine part of :meth:`forward_stacked`: Z = [X 1] [W; b] = X W + b."""
        Z = np.matmul(X1, self.Wb, out=out)
        self.X1, self.Z = X1, Z  # kept for backward_stacked() and activation_backward()
        return Z

    def backward_stacked(self, dZ, dWb, need_dX=True, out=None):
        r"""The backward pass of :meth:`forward_stacked`, from dZ (n, n_out):

        .. math::
            \begin{bmatrix} dW \\ db \end{bmatrix}
              = \begin{bmatrix} X & 1 \end{bmatrix}^\top dZ
              = \begin{bmatrix} X^\top dZ \\ 1^\top dZ \end{bmatrix},
            \qquad dX = dZ\, W^\top

        both gradients from one matrix product, written into ``dWb`` (n_in + 1, n_out).
        Returns dX (n, n_in), into ``out`` if given, or None when ``need_dX`` is false.
        """
        np.matmul(self.X1.T, dZ, out=dWb)
        return np.matmul(dZ, self.W.T, out=out) if need_dX else None
