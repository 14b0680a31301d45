"""Data sets for the post, each made from a seed, and the helpers that prepare them for training.

Every generator returns ``(X, y)``: ``X`` of shape ``(n_samples, n_features)`` (float64, batches are
rows) and ``y`` of shape ``(n_samples,)`` holding integer class labels ``0..k-1``. Randomness comes
from the ``np.random.Generator`` handed in, never from NumPy's global state, so a seed fixes the
data exactly. Nothing is downloaded: the one real data set, the 8x8 digits, ships with the package
(see ``nn_blog/resources/README.md`` for its source and licence).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from nn_blog import declarations

_GATES = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}
_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def gate(kind, rng, n_samples=200, spread=0.25):
    """Points around the four corners of the unit square, labelled by a logic gate.

    The truth table of AND/OR/XOR with each of its four rows blown up into a small cloud: a point
    is a corner ``(x1, x2) in {0,1}^2`` plus an offset drawn uniformly from a disc of radius
    ``spread``; its label is ``gate(x1, x2)``. Clouds rather than the bare four points, so that a
    25% test split still has both classes. With ``spread < 1/(2*sqrt(2)) ~ 0.354`` no cloud
    crosses the line ``x1 + x2 = 1.5`` (AND) or ``x1 + x2 = 0.5`` (OR), so AND and OR stay linearly
    separable -- one neuron can learn them; XOR never is.

    Returns X (n_samples, 2), y (n_samples,) in {0, 1}.
    """
    # each corner gets a quarter of the points (up to one), in a random order
    corner = rng.permutation(np.arange(n_samples) % 4)
    # sqrt of a uniform radius spreads the points evenly over the disc's area
    radius = spread * np.sqrt(rng.uniform(size=n_samples))
    angle = rng.uniform(0.0, 2 * np.pi, size=n_samples)
    offset = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    bits = _CORNERS[corner]
    y = _GATES[kind](bits[:, 0] > 0.5, bits[:, 1] > 0.5).astype(np.int64)
    return bits + offset, y


def moons(rng, n_samples=1000, noise=0.2):
    """Two interleaving half circles, plus Gaussian noise of standard deviation ``noise``.

    Upper moon: ``(cos t, sin t)``, lower moon: ``(1 - cos t, 0.5 - sin t)`` for ``t in [0, pi]``
    (the construction scikit-learn's ``make_moons`` uses).

    Returns X (n_samples, 2), y (n_samples,) in {0, 1}; classes differ in size by at most one.
    """
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate([
        np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
        np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)]),
    ])
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    return _shuffled(X, y, rng)


def circles(rng, n_samples=1000, noise=0.1, factor=0.5):
    """A ring of radius 1 (class 0) around a ring of radius ``factor`` (class 1), plus noise.

    Returns X (n_samples, 2), y (n_samples,) in {0, 1}.
    """
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    # endpoint=False: the angle 2*pi would repeat the point at 0
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate([
        np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
        factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)]),
    ])
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    return _shuffled(X, y, rng)


def spiral(rng, n_samples=300, classes=3, noise=0.2):
    """K arms of a spiral, one per class (the construction of Stanford's CS231n notes).

    Arm ``j`` has points ``r * (sin t, cos t)`` with radius ``r`` evenly from 0 to 1 and angle
    ``t`` evenly from ``4j`` to ``4(j+1)`` radians, plus Gaussian noise of standard deviation
    ``noise`` on the angle. The ``n_samples`` points are shared out as evenly as the division
    allows.

    Returns X (n_samples, 2), y (n_samples,) in {0, ..., classes-1}.
    """
    per_class = np.full(classes, n_samples // classes)
    per_class[: n_samples % classes] += 1
    parts, labels = [], []
    for j, n in enumerate(per_class):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), n) + rng.normal(scale=noise, size=n)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(n, j, np.int64))
    return _shuffled(np.concatenate(parts), np.concatenate(labels), rng)


def blobs(rng, n_samples=300, centers=3, n_features=2, std=1.0, box=10.0):
    """Isotropic Gaussian clouds, one per class, around centres drawn uniformly in ``[-box, box]``.

    Returns X (n_samples, n_features), y (n_samples,) in {0, ..., centers-1}.
    """
    C = rng.uniform(-box, box, size=(centers, n_features))
    y = np.arange(n_samples, dtype=np.int64) % centers
    X = C[y] + rng.normal(scale=std, size=(n_samples, n_features))
    return _shuffled(X, y, rng)


def digits(rng=None):
    """The 1,797 8x8 handwritten digits (UCI optdigits, test part), vendored in the package.

    ``rng`` is accepted for symmetry with the generators and ignored: the data is fixed.

    Returns X (1797, 64) float64 with pixel values 0..16 (row-major 8x8 image flattened),
    y (1797,) in {0, ..., 9}.
    """
    with resources.files("nn_blog").joinpath("resources/digits.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"]
    return images.reshape(len(images), -1).astype(np.float64), labels.astype(np.int64)


def _shuffled(X, y, rng):
    """The same rows of X and y in a random order, so no class arrives in one block."""
    order = rng.permutation(len(y))
    return X[order], y[order]


@dataclass
class Split:
    """A data set cut into a training and a test part, as the network sees them.

    X_train (n_train, d), y_train (n_train,), X_test (n_test, d), y_test (n_test,) integer labels.
    When the features were standardised, ``mean`` and ``std`` (d,) are the training statistics
    used, so new points (a plotting grid, say) can be mapped with ``transform``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    name: str
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def transform(self, X):
        """Raw features (n, d) -> what the network is fed (standardised if the split was)."""
        X = np.asarray(X, dtype=np.float64)
        return X if self.mean is None else (X - self.mean) / self.std

    def inverse_transform(self, X):
        """What the network is fed (n, d) -> raw features (e.g. digit pixels 0..16)."""
        X = np.asarray(X, dtype=np.float64)
        return X if self.mean is None else X * self.std + self.mean


def stratified_split(X, y, test_size=0.25, rng=None):
    """Hold out ``test_size`` of each class as test data, keeping the class proportions.

    Each class c of n_c samples gives about ``test_size * n_c`` of them to the test set; the
    roundings are settled by largest remainder so the test set has ``round(test_size * n)`` rows
    in all. Every class with at least two samples keeps at least one on each side.

    X (n, d), y (n,) integer labels -> X_train, X_test, y_train, y_test (rows shuffled).
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    # a generator with NumPy's permutation (nn_blog.prng.Mulberry32 too) is used as it is
    rng = rng if hasattr(rng, "permutation") else np.random.default_rng(rng)
    classes, counts = np.unique(y, return_counts=True)
    exact = test_size * counts
    n_test = np.floor(exact).astype(int)
    missing = int(round(test_size * len(y))) - n_test.sum()
    n_test[np.argsort(-(exact - n_test), kind="stable")[:max(missing, 0)]] += 1
    n_test = np.clip(n_test, np.minimum(counts - 1, 1), np.maximum(counts - 1, 0))
    train_idx, test_idx = [], []
    for c, k in zip(classes, n_test, strict=True):
        idx = rng.permutation(np.flatnonzero(y == c))
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def standardize(X_train, X_test):
    """Centre and scale every feature with the training set's statistics.

    mu = mean of X_train over its rows, sigma = their standard deviation
    (a constant feature, like a digit pixel that is always blank, gets
    sigma = 1 instead of a division by zero); then X' = (X − mu) / sigma
    for both sets.  The test set must not leak into the statistics.

    X_train (n_train, d), X_test (n_test, d)
    -> X_train', X_test', mu (d,), sigma (d,).
    """
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma = np.where(sigma > 1e-12, sigma, 1.0)
    return (X_train - mu) / sigma, (X_test - mu) / sigma, mu, sigma


def one_hot(y, k):
    """Integer labels y (n,) in 0..k−1 -> one-hot rows Y (n, k):
    Y[i, y[i]] = 1, zeros elsewhere."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, "
                         f"got {y.dtype} of shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"labels must lie in 0..{k - 1}, "
                         f"got values from {y.min()} to {y.max()}")
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1.0
    return Y


@dataclass(frozen=True)
class DataSet:
    """How to make a named data set: its generator, parameters and the shape of what it gives.

    ``params`` maps each parameter to its declared field (type, default, bounds: see
    ``nn_blog.declarations.DATASETS``, where ``_data/networks.yml`` is checked without NumPy);
    ``features``/``classes`` tell, from the (defaulted) parameters, the width of X and the number
    of labels without generating anything.
    """

    make: object
    params: dict
    features: object
    classes: object


_MAKERS = {
    "and": lambda rng, **p: gate("and", rng, **p),
    "or": lambda rng, **p: gate("or", rng, **p),
    "xor": lambda rng, **p: gate("xor", rng, **p),
    "moons": moons, "circles": circles, "spiral": spiral, "blobs": blobs, "digits": digits,
}
DATASETS = {name: DataSet(_MAKERS[name], decl.params, decl.features, decl.classes)
            for name, decl in declarations.DATASETS.items()}


def make(name, rng, **params):
    """Generate the data set ``name`` (a key of ``DATASETS``) -> X (n, d), y (n,)."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name].make(np.random.default_rng(rng), **params)
