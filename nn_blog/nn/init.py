"""Weight initialisers.  Each draws a weight matrix W (n_in, n_out) from the network's one
np.random.Generator; biases start at zero.

Draws are made in float64 and then rounded to the network's dtype, so a float32 network is the
rounding of the float64 network with the same seed.
"""

from __future__ import annotations

import math

import numpy as np


def xavier_uniform(rng, n_in, n_out):
    """Glorot & Bengio (2010): W ~ U(−a, a), a = √(6 / (n_in + n_out)).
    Returns W (n_in, n_out)."""
    a = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out))


def xavier_normal(rng, n_in, n_out):
    """W ~ N(0, σ²), σ = √(2 / (n_in + n_out))."""
    return rng.normal(0.0, math.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def he(rng, n_in, n_out):
    """He et al. (2015), for ReLUs: W ~ N(0, 2 / n_in), a normal
    distribution with standard deviation √(2 / n_in).
    Returns W (n_in, n_out)."""
    return rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_in, n_out))


def small_normal(rng, n_in, n_out):
    """The classic first attempt: W ~ N(0, 0.01²)."""
    return rng.normal(0.0, 0.01, size=(n_in, n_out))


#: name -> initialiser(rng, n_in, n_out) -> float64 array (n_in, n_out)
INITS = {
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he,
    "small_normal": small_normal,
}


def default_init(activation):
    """He for the ReLU family and SiLU (they damp half their inputs), Xavier for the others."""
    return "he" if activation in ("relu", "leaky_relu", "silu") else "xavier_uniform"


def init_weights(name, rng, n_in, n_out, dtype=np.float64):
    """Draw W (n_in, n_out) with initialiser name and round it to dtype."""
    return INITS[name](rng, n_in, n_out).astype(dtype, copy=False)
