"""A random generator the browser computes bit for bit the same: Mulberry32.

The playground (``assets/js/live/playground.js``) trains in the reader's browser and its "Take
it to Python" panel promises the same network from ``nn-blog`` (equal losses for the first tens
of epochs; after that training magnifies last-bit rounding differences between JavaScript's
``Math`` and NumPy, and the runs drift). NumPy's PCG64 and its normal
sampler are not something a page can reproduce, so a declaration that says ``rng: mulberry32``
draws its data, its split, its initial weights and its batch order from this generator
instead; ``nn_blog/jekyll/assets/js/prng.js`` is the same code in JavaScript and
``tests/js/prng.test.mjs`` holds the two equal.

``Mulberry32`` offers the few methods of ``np.random.Generator`` that the data sets
(``nn_blog.data``), the split, the initialisers (``nn_blog.nn.init``) and ``fit`` call:
``random``, ``uniform``, ``normal``, ``permutation``. Each is defined by a formula both sides
evaluate in the same order:

    u       = next 32-bit output / 2^32                       (in [0, 1))
    uniform = low + (high - low) u
    normal  = loc + scale sqrt(-2 log(1 - u1)) cos(2 pi u2)   (Box-Muller, one value per pair)
    permutation: Fisher-Yates from the last index down, j = floor(u (i + 1))

Networks declared without ``rng`` keep NumPy's generator: their results do not change.
"""

from __future__ import annotations

import math

import numpy as np

_MASK = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9  # a stream's seed: seed + k * GOLDEN (mod 2^32), k = 1 to 4

# The independent streams of one seed (nn_blog.experiments: build_data, build_network).
DATA, SPLIT, NETWORK, VALIDATION = 1, 2, 3, 4


def _imul(a: int, b: int) -> int:
    """JavaScript's Math.imul on unsigned 32-bit values: the low 32 bits of a * b."""
    return (a * b) & _MASK


class Mulberry32:
    """Tommy Ettinger's Mulberry32: 32 bits of state, a full period of 2^32."""

    def __init__(self, seed: int):
        self.state = int(seed) & _MASK

    @classmethod
    def stream(cls, seed: int, k: int) -> Mulberry32:
        """Stream k (DATA, SPLIT, NETWORK) of a declaration's seed."""
        return cls((int(seed) + k * _GOLDEN) & _MASK)

    def next_u32(self) -> int:
        self.state = (self.state + 0x6D2B79F5) & _MASK
        t = self.state
        t = _imul(t ^ (t >> 15), t | 1)
        t = ((t + _imul(t ^ (t >> 7), t | 61)) & _MASK) ^ t
        return (t ^ (t >> 14)) & _MASK

    def _one(self) -> float:
        return self.next_u32() / 4294967296.0

    def _fill(self, size, draw):
        if size is None:
            return draw()
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        out = np.empty(int(np.prod(shape)), dtype=np.float64)
        for i in range(out.size):  # row-major, as the JavaScript fills a flat array
            out[i] = draw()
        return out.reshape(shape)

    def random(self, size=None):
        return self._fill(size, self._one)

    def uniform(self, low=0.0, high=1.0, size=None):
        return self._fill(size, lambda: low + (high - low) * self._one())

    def normal(self, loc=0.0, scale=1.0, size=None):
        def draw():
            u1, u2 = self._one(), self._one()
            return loc + scale * (math.sqrt(-2.0 * math.log(1.0 - u1))
                                  * math.cos(2.0 * math.pi * u2))
        return self._fill(size, draw)

    def permutation(self, x):
        """A shuffled copy of the array x, or of range(x) for an integer (Fisher-Yates)."""
        out = (np.arange(x) if isinstance(x, int | np.integer) else np.array(x, copy=True))
        for i in range(len(out) - 1, 0, -1):
            j = int(self._one() * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out
