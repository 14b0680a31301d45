"""Optimizers with PyTorch's update rules (torch.optim.SGD and torch.optim.Adam).

step(params, grads) is the reference update, written as the post displays
it: one line per equation, one parameter array at a time.  fast_step(params,
grads), which training uses, computes the same update (equal up to rounding)
in place, once over the network's one flat vector of parameters, in reused
scratch arrays.  Each keeps its own state (momentum, moments).
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


def decayed(optimizer, params, grads):
    """The gradients with weight decay λ added, dW + λ W (as they are when λ = 0)."""
    lam = optimizer.weight_decay
    if not lam:
        return grads
    return [dW + lam * W for W, dW in zip(params, grads, strict=True)]


def _non_negative(value, field):
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise NNBlogError(f"must be a number >= 0, got {value!r}", field=field)
    return float(value)


class SGD:
    """Stochastic gradient descent, as torch.optim.SGD: learning rate lr (η), momentum (μ),
    and PyTorch's options weight_decay (λ, see decayed), dampening (τ) and nesterov (see
    _step_with_options)."""

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
        self.v = None  # step(): one velocity per parameter array
        self.state = {}  # fast_step(): id(param array) -> [velocity, scratch] (None until needed)

    def step(self, params, grads):
        """One update of every W in params, in place, from its gradient dW,
        with a velocity u per array that starts at 0:

            u ← μ u + dW
            W ← W − η u
        """
        if self.dampening or self.nesterov:
            return self._step_with_options(params, grads)
        for W, dW, u in zip(params, decayed(self, params, grads),
                            self._velocities(params), strict=True):
            u[...] = self.momentum * u + dW
            W -= self.lr * u

    def _velocities(self, params):
        if self.v is None:
            self.v = [np.zeros_like(W) for W in params]
        return self.v

    def _step_with_options(self, params, grads):
        # PyTorch's dampening τ (dW scaled by 1 − τ in v after the first step) and Nesterov
        # (a step of dW + μ v instead of v); the post does not teach them.
        mu, tau = self.momentum, self.dampening
        if self.v is None:
            self.v = [None] * len(params)
        for i, (W, dW) in enumerate(zip(params, decayed(self, params, grads), strict=True)):
            if self.v[i] is None:
                self.v[i] = dW.copy()
            else:
                self.v[i] = mu * self.v[i] + (1 - tau) * dW
            W -= self.lr * (dW + mu * self.v[i] if self.nesterov else self.v[i])

    @property
    def grad_scale(self):
        """η when fit may hand fast_step η times the gradients (see fast_step), else None.
        Not with momentum: the velocity would carry the scale from one step to the next."""
        return self.lr if self.momentum == 0 else None

    def fast_step(self, params, grads, scale=1.0):
        """step(), in place over the flat vectors, with no temporaries.  The
        gradients are spent: they serve as scratch and hold η times the step
        afterwards (training computes new ones for every step), which saves
        the update a pass through memory as large as the network.

        grads may be scale times the gradients (backprop(scale=grad_scale),
        as fit asks for them): with scale = η the update is W ← W − g, one
        pass, the learning rate already applied to dZ_L in the backward pass.
        """
        if scale != 1.0 and self.momentum:
            raise NNBlogError("scaled gradients only without momentum (see grad_scale)",
                              field="scale")
        for W, g in _flat_pairs(params, grads):
            state = self.state.get(id(W))
            if state is None:
                state = self.state[id(W)] = [None, None]
            if self.weight_decay or self.nesterov:
                if state[1] is None:
                    state[1] = np.empty_like(W)
                scratch = state[1]  # reused: a fresh temporary as large as W costs page faults
            if self.weight_decay:  # dW ← dW + λ W, in the gradients' scale
                g += np.multiply(W, self.weight_decay * scale, out=scratch)
            step = g
            if self.momentum:
                v = state[0]
                if v is None:
                    v = state[0] = g.copy()
                else:
                    v *= self.momentum
                    v += g if self.dampening == 0 else (1 - self.dampening) * g
                if self.nesterov:
                    g += np.multiply(v, self.momentum, out=scratch)
                else:
                    step = v
            if scale != self.lr:
                step = np.multiply(step, self.lr / scale, out=g)
            W -= step


class Adam:
    """Adam (Kingma & Ba, 2015), as torch.optim.Adam: lr (η), betas (β1, β2), eps (ε), and
    weight_decay (λ, added to dW as λ W).  See step for the update."""

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
        self.t = 0  # step(): the number of steps taken
        self.m = self.v = None  # step(): the moments, one array per parameter array
        self.state = {}  # fast_step(): id(param array) -> [t, m, v, scratch, scratch]

    def step(self, params, grads):
        """One Adam update of every W in params, in place, from its dW:

            m ← β1 m + (1 − β1) dW
            v ← β2 v + (1 − β2) dW ⊙ dW
            m_hat = m / (1 − β1^t)
            v_hat = v / (1 − β2^t)
            W ← W − η m_hat / (√v_hat + ε)

        t counts the steps from 1; m and v start at 0.
        """
        if self.m is None:
            self.m = [np.zeros_like(W) for W in params]
            self.v = [np.zeros_like(W) for W in params]
        self.t += 1
        beta1, beta2 = self.betas
        for W, dW, m, v in zip(params, decayed(self, params, grads),
                               self.m, self.v, strict=True):
            m[...] = beta1 * m + (1 - beta1) * dW
            v[...] = beta2 * v + (1 - beta2) * dW * dW
            m_hat = m / (1 - beta1 ** self.t)
            v_hat = v / (1 - beta2 ** self.t)
            W -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def fast_step(self, params, grads):
        """step(), in place over the network's flat vectors, in reused
        scratch arrays, with both bias corrections folded into one scalar
        (Kingma & Ba, section 2):

            W ← W − η √(1 − β2^t) / (1 − β1^t) · m / (√v + ε √(1 − β2^t))

        equal to step() up to rounding, and one pass over W shorter.
        """
        beta1, beta2 = self.betas
        for W, dW in _flat_pairs(params, grads):
            state = self.state.get(id(W))
            if state is None:
                zeros = [np.zeros_like(W) for _ in range(4)]
                state = self.state[id(W)] = [0, *zeros]
            state[0] += 1
            t, m, v, step, decayed = state
            if self.weight_decay:  # dW ← dW + λ W
                np.multiply(W, self.weight_decay, out=decayed)
                dW = np.add(dW, decayed, out=decayed)
            # step is scratch space until it holds the step
            np.subtract(dW, m, out=step)  # m ← m + (1 − β1)(dW − m)
            step *= 1 - beta1
            m += step
            np.multiply(dW, dW, out=step)  # v ← β2 v + (1 − β2) dW ⊙ dW
            step *= 1 - beta2
            v *= beta2
            v += step
            correction = math.sqrt(1 - beta2 ** t)
            np.sqrt(v, out=step)
            step += self.eps * correction
            np.divide(m, step, out=step)
            step *= self.lr * correction / (1 - beta1 ** t)
            W -= step
