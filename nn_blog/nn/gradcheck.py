"""Gradient checking: backpropagation against central finite differences."""

from __future__ import annotations

import numpy as np


def numerical_gradient(net, X, Y, P, eps=1e-6):
    """Central differences for one parameter array P of net (W1, b1, ...):

        ∂ℓ/∂P_i ≈ (ℓ(P_i + ε) − ℓ(P_i − ε)) / 2ε

    for every entry i, on checked data (X, Y).  Returns an array like P.
    """
    G = np.zeros(P.shape)
    for i in np.ndindex(P.shape):
        saved = P[i]
        P[i] = saved + eps
        loss_up = net.loss_fn(net.forward(X), Y)
        P[i] = saved - eps
        loss_down = net.loss_fn(net.forward(X), Y)
        P[i] = saved
        G[i] = (loss_up - loss_down) / (2 * eps)
    return G


def gradcheck(net, X, Y, eps=1e-6):
    """The worst relative error of backward() for every parameter array.

    For an array with gradient g from backprop and ĝ from finite
    differences:

        err = max_i |g_i − ĝ_i| / max(max_i |g_i|, max_i |ĝ_i|)

    (0 when both are all 0).  Relative to the array's largest gradient,
    not each entry's: an entry whose gradient is ~1e-5 would otherwise be
    judged by the finite difference's own round-off.  A float32 network
    is checked through a float64 copy.  Returns {"W1": err, "b1": err, ...}.
    """
    if net.dtype != np.float64:
        net = _float64_copy(net)
    X, Y = net.check_data(X, Y)
    net.forward(X)
    net.backward(Y)
    errors = {}
    for name, P, g in zip(net.param_names, net.params, net.grads,
                          strict=True):
        g_hat = numerical_gradient(net, X, Y, P, eps)
        scale = max(np.abs(g).max(), np.abs(g_hat).max())
        err = np.abs(g - g_hat).max() / scale if scale > 0 else 0.0
        errors[name] = float(err)
    return errors


def _float64_copy(net):
    copy = type(net).from_config(dict(net.to_config(), dtype="float64"))
    copy.set_params([P.astype(np.float64) for P in net.params])
    return copy
