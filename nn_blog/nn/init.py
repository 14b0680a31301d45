"""Weight initialisers.  Each draws a weight matrix W (n_in, n_out) from the network's one
``np.random.Generator``; biases start at zero.

Draws are made in float64 and then rounded to the network's dtype, so a float32 network is the
rounding of the float64 network with the same seed.
"""

from __future__ import annotations

import math

import numpy as np


def xavier_uniform(rng, n_in, n_out):
    r"""Glorot & Bengio (2010):
    :math:`W \sim U(-a, a)`, :math:`a = \sqrt{6 / (n_{in} + n_{out})}`."""
    a = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out))


def xavier_normal(rng, n_in, n_out):
    r""":math:`W \sim \mathcal N(0, \sigma^2)`, :math:`\sigma = \sqrt{2 / (n_{in} + n_{out})}`."""
    return rng.normal(0.0, math.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def he(rng, n_in, n_out):
    r"""He et al. (2015), for ReLUs: :math:`W \sim \mathcal N(0, 2 / n_{in})`."""
    return rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_in, n_out))


def small_normal(rng, n_in, n_out):
    r"""The classic first attempt: :math:`W \sim \mathcal N(0, 0.01^2)`."""
    return rng.normal(0.0, 0.01, size=(n_in, n_out))


#: name -> initialiser(rng, n_in, n_out) -> float64 array (n_in, n_out)
INITS = {
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he,
    "small_normal": small_normal,
}


def default_init(activation):
    """He for the ReLU family (they zero half their inputs), Xavier for everything else."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier_uniform"


def init_weights(name, rng, n_in, n_out, dtype=np.float64):
    """Draw W (n_in, n_out) with initialiser ``name`` and round it to ``dtype``."""
    return INITS[name](rng, n_in, n_out).astype(dtype, copy=False)
