"""Gradient checking: backpropagation against central finite differences."""

from __future__ import annotations

import numpy as np


def numerical_gradient(net, X, Y, P, eps=1e-6):
    r"""Central differences for one parameter array ``P`` of ``net`` on checked data (X, Y):
    :math:`\hat g = (L(\theta + \epsilon) - L(\theta - \epsilon)) / 2\epsilon` per entry."""
    G = np.zeros(P.shape)
    for index in np.ndindex(P.shape):
        saved = P[index]
        P[index] = saved + eps
        up = net._loss(X, Y)[0]
        P[index] = saved - eps
        down = net._loss(X, Y)[0]
        P[index] = saved
        G[index] = (up - down) / (2 * eps)
    return G


def gradcheck(net, X, Y, eps=1e-6):
    r"""The worst relative error of :meth:`Network.loss_and_grads` per parameter, in float64.

    For each parameter array with backprop gradient :math:`g` and finite differences
    :math:`\hat g` (see :func:`numerical_gradient`):

    .. math::
        \mathrm{err} = \frac{\max_i |g_i - \hat g_i|}{\max(\max_i |g_i|, \max_i |\hat g_i|)}

    the worst entry's error relative to the array's largest gradient (0 when both are all 0).
    Relative to the array rather than to each entry, because an entry whose gradient is ~1e-5
    would otherwise be judged by the finite difference's own round-off, ~1e-16 L / eps.
    A float32 network is checked through a float64 copy.  Returns ``{"W1": err, "b1": err, ...}``.
    """
    if net.dtype != np.float64:
        config = dict(net.to_config(), dtype="float64")
        copy = type(net).from_config(config)
        copy.set_params([P.astype(np.float64) for P in net.params])
        net = copy
    X, Y = net.check_data(X, Y)
    _, grads = net.loss_and_grads(X, Y)
    errors = {}
    for name, P, G in zip(net.param_names, net.params, grads, strict=True):
        numeric = numerical_gradient(net, X, Y, P, eps)
        scale = max(np.abs(G).max(), np.abs(numeric).max())
        errors[name] = float(np.abs(G - numeric).max() / scale) if scale > 0 else 0.0
    return errors
