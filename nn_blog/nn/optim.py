"""Optimizers with PyTorch's update rules (``torch.optim.SGD`` and ``torch.optim.Adam``).

``step(params, grads)`` updates the parameter arrays in place.  When both lists come from a
:class:`~.network.Network` they are views of one flat vector each (``.flat``), and the update runs
once over those vectors instead of once per array: the same arithmetic, element for element.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import NNBlogError
from .checks import check_positive


def _flat_pairs(params, grads):
    # [(p, g)]: the two flat vectors when both lists have them, else the arrays themselves.
    p_flat, g_flat = getattr(params, "flat", None), getattr(grads, "flat", None)
    if p_flat is not None and g_flat is not None and p_flat.shape == g_flat.shape:
        return [(p_flat, g_flat)]
    if len(params) != len(grads):
        raise NNBlogError(f"{len(params)} parameters but {len(grads)} gradients", field="grads")
    return list(zip(params, grads, strict=True))


def _non_negative(value, field):
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise NNBlogError(f"must be a number >= 0, got {value!r}", field=field)
    return float(value)


class SGD:
    r"""Stochastic gradient descent, as ``torch.optim.SGD``.

    With weight decay :math:`\lambda`, momentum :math:`\mu`, dampening :math:`\tau`:

    .. math::
        g \leftarrow g + \lambda W, \qquad
        v \leftarrow \mu v + (1 - \tau) g \;\; (v = g \text{ at the first step}), \qquad
        W \leftarrow W - \eta\,(g + \mu v \text{ if Nesterov else } v)
    """

    name = "sgd"

    def __init__(self, lr=0.01, momentum=0.0, weight_decay=0.0, nesterov=False, dampening=0.0):
        self.lr = check_positive(lr, "lr")
        self.momentum = _non_negative(momentum, "momentum")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.dampening = _non_negative(dampening, "dampening")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise NNBlogError("Nesterov momentum needs momentum > 0 and dampening 0",
                              field="nesterov")
        self.state = {}  # id(param array) -> [momentum buffer v or None, scratch]

    def to_config(self):
        return {"name": self.name, "lr": self.lr, "momentum": self.momentum,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov,
                "dampening": self.dampening}

    def step(self, params, grads):
        """One update of every array in ``params`` (in place) from ``grads`` (same shapes)."""
        for W, g in _flat_pairs(params, grads):
            state = self.state.get(id(W))
            if state is None:
                state = self.state[id(W)] = [None, np.empty_like(W)]
            scratch = state[1]  # reused: a fresh temporary as large as W costs page faults
            if self.weight_decay:
                g = np.add(g, np.multiply(W, self.weight_decay, out=scratch), out=scratch)
            if self.momentum:
                v = state[0]
                if v is None:
                    v = state[0] = g.copy()
                else:
                    v *= self.momentum
                    v += g if self.dampening == 0 else (1 - self.dampening) * g
                g = g + self.momentum * v if self.nesterov else v
            W -= np.multiply(g, self.lr, out=scratch)


class Adam:
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam`` (weight decay as an L2 term in g).

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
        W \leftarrow W - \frac{\eta}{1-\beta_1^t}\,
            \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}
    """

    name = "adam"

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr = check_positive(lr, "lr")
        try:
            beta1, beta2 = (float(x) for x in betas)
        except (TypeError, ValueError):
            raise NNBlogError(f"must be two numbers, got {betas!r}", field="betas") from None
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise NNBlogError(f"must lie in [0, 1), got {betas!r}", field="betas")
        self.betas = (beta1, beta2)
        self.eps = check_positive(eps, "eps")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.state = {}  # id(param array) -> [t, m, v, scratch, scratch]

    def to_config(self):
        return {"name": self.name, "lr": self.lr, "betas": list(self.betas), "eps": self.eps,
                "weight_decay": self.weight_decay}

    def step(self, params, grads):
        """One update of every array in ``params`` (in place) from ``grads`` (same shapes)."""
        beta1, beta2 = self.betas
        for W, g in _flat_pairs(params, grads):
            state = self.state.get(id(W))
            if state is None:
                state = self.state[id(W)] = [0] + [np.zeros_like(W) for _ in range(4)]
            state[0] += 1
            t, m, v, denom, g_decayed = state
            if self.weight_decay:  # g <- g + λ W
                g = np.add(g, np.multiply(W, self.weight_decay, out=g_decayed), out=g_decayed)
            # (denom is scratch space until it holds the denominator)
            np.subtract(g, m, out=denom)  # m <- m + (1 - β1)(g - m), torch's lerp
            denom *= 1 - beta1
            m += denom
            np.multiply(g, g, out=denom)  # v <- β2 v + (1 - β2) g²
            denom *= 1 - beta2
            v *= beta2
            v += denom
            # The formula above with sqrt(1 - β2^t) multiplied through, as Kingma & Ba suggest:
            # W <- W - η sqrt(1 - β2^t)/(1 - β1^t) m / (sqrt(v) + ε sqrt(1 - β2^t)).  Equal up
            # to rounding, and one pass over the parameters shorter.
            correction = math.sqrt(1 - beta2 ** t)
            np.sqrt(v, out=denom)
            denom += self.eps * correction
            np.divide(m, denom, out=denom)
            denom *= self.lr * correction / (1 - beta1 ** t)
            W -= denom
