"""The input plane of a 2-D classifier: grids, class probabilities, shaded regions, points.

Shared by the kinds that draw a network's view of the plane (``decision_boundary``,
``boundary_evolution``, ``neuron_heatmaps``, ``header``). Everything is in the data's raw
coordinates; points are mapped through ``split.transform`` (the training standardisation) before
they reach the network, so the picture is in the units the data set was generated in.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, _compact
from nn_blog.figures import style as st

MARGIN = 0.08       # fraction of the data's span added on each side


def require_2d(spec, trained):
    if trained is None:
        raise NNBlogError("needs a network", file=FIGURES_FILE, item=spec.get("name"),
                          field="network")
    if trained.net.layers[0].n_in != 2:
        raise NNBlogError(f"network '{trained.name}' has {trained.net.layers[0].n_in} inputs; "
                          "this kind draws the plane of a 2-input network",
                          file=FIGURES_FILE, item=spec.get("name"), field="network")


def extent(split, margin: float = MARGIN) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around every train and test point, in raw coordinates."""
    X = np.vstack([split.inverse_transform(split.X_train), split.inverse_transform(split.X_test)])
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * (hi - lo)
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def square(ext) -> tuple[float, float, float, float]:
    """The smallest square extent containing ``ext`` (for square tiles that must not distort)."""
    x0, x1, y0, y1 = ext
    half = max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - half, cx + half, cy - half, cy + half


def grid(ext, resolution: int, aspect: float | None = None) -> tuple[np.ndarray, int, int]:
    """Cell centres of a grid over ``ext`` -> (points (ny*nx, 2), nx, ny); rows from the bottom.

    ``resolution`` is the cell count along the longer side, the other side keeps square cells.
    """
    x0, x1, y0, y1 = ext
    ratio = (y1 - y0) / (x1 - x0) if aspect is None else aspect
    nx, ny = (resolution, max(2, round(resolution * ratio))) if ratio <= 1 else \
        (max(2, round(resolution / ratio)), resolution)
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()]), nx, ny


def probabilities(net, split, points) -> np.ndarray:
    """Class probabilities (n, k) for raw points (n, 2); a sigmoid output becomes [1 - p, p]."""
    A = net.forward(split.transform(points).astype(net.dtype)).astype(np.float64)
    return np.column_stack([1 - A[:, 0], A[:, 0]]) if A.shape[1] == 1 else A


def class_colours(s: st.Style, k: int) -> np.ndarray:
    return np.array([to_rgb(s.classes[i % len(s.classes)]) for i in range(k)])


def shade(P: np.ndarray, nx: int, ny: int, s: st.Style, strength: float | None = None):
    """RGBA image (ny, nx, 4): the winning class's colour, opaque in proportion to confidence.

    Confidence rescales the top probability from [1/k, 1] to [0, 1], so the regions fade into the
    page exactly where the network hesitates (the decision boundary).
    """
    k = P.shape[1]
    top = P.max(axis=1)
    conf = np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    rgba = np.empty((len(P), 4))
    rgba[:, :3] = class_colours(s, k)[P.argmax(axis=1)]
    rgba[:, 3] = (s.shade_alpha if strength is None else strength) * conf ** 0.8
    return rgba.reshape(ny, nx, 4)


def regions(ax, s, net, split, ext, resolution: int, contour: bool = True):
    """Shade the plane by the network's prediction and trace where the winning class changes."""
    points, nx, ny = grid(ext, resolution)
    P = probabilities(net, split, points)
    _compact.plane_image(ax, shade(P, nx, ny, s), ext, zorder=0)
    if contour:
        xs, ys = points[:nx, 0], points[::nx, 1]
        for c in range(P.shape[1] if P.shape[1] > 2 else 1):
            # P_c minus the best other class: zero exactly on the boundary of class c's region
            others = np.delete(P, c, axis=1).max(axis=1)
            field = (P[:, c] - others).reshape(ny, nx)
            if field.min() < 0 < field.max():
                ax.contour(xs, ys, field, levels=[0.0], colors=[s.muted], linewidths=1.1,
                           zorder=1)
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    return P


def sample(split, limit: int = 0, which: str = "train") -> np.ndarray:
    """Indices of the points to draw, class by class (so a file can state each class's style once
    for all its points): all of them, or with ``limit`` > 0 that many, evenly spread over the
    split's (shuffled) order, which keeps the classes in proportion."""
    y = split.y_train if which == "train" else split.y_test
    keep = np.arange(len(y))
    if 0 < limit < len(y):
        keep = np.round(np.linspace(0, len(y) - 1, limit)).astype(int)
    return keep[np.argsort(y[keep], kind="stable")]


def points(ax, s, split, which: str = "train", size: float = 16.0, limit: int = 0):
    """Scatter the train (circles) or test (diamonds, outlined) points in their class colours.

    ``limit``: see :func:`sample`.
    """
    X = split.inverse_transform(split.X_train if which == "train" else split.X_test)
    y = split.y_train if which == "train" else split.y_test
    keep = sample(split, limit, which)
    X, y = X[keep], y[keep]
    colours = class_colours(s, max(int(split.n_classes), int(y.max()) + 1))[y]
    if which == "train":
        return ax.scatter(X[:, 0], X[:, 1], s=size, c=colours, edgecolors=s.page,
                          linewidths=0.6, zorder=3, clip_on=False)
    return ax.scatter(X[:, 0], X[:, 1], s=size * 1.5, c=colours, marker="D",
                      edgecolors=s.text, linewidths=0.9, zorder=4, clip_on=False)


def bare(ax):
    """No ticks, no spines: for small multiples and artwork."""
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
