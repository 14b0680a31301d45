"""Gradient descent on a two-parameter loss surface: learning rates, momentum and Adam.

The surface is a tilted valley, the quadratic ``L(w) = 1/2 (w - w*)^T H (w - w*)`` whose Hessian H
has curvatures 1 along the valley floor and 6 across it, turned by 25 degrees: the shape that makes
plain gradient descent crawl along the floor while it bounces between the walls. On a quadratic,
gradient descent converges only for ``lr < 2 / 6``; the "too large" rate is just past that edge.

Every path is taken by the engine's own optimizers (``nn_blog.nn.SGD`` and ``nn_blog.nn.Adam``)
stepping on the two parameters with the exact gradient ``H (w - w*)``, for ``steps`` steps from the
same starting point. Left: plain gradient descent at three learning rates. Right: momentum and
Adam against the good plain rate.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Rectangle

from nn_blog.figures import param
from nn_blog.figures import style as st

ANGLE = np.radians(25.0)
CURVATURES = np.array([1.0, 6.0])
W_STAR = np.array([1.0, 0.5])
_R = np.array([[np.cos(ANGLE), -np.sin(ANGLE)], [np.sin(ANGLE), np.cos(ANGLE)]])
H = _R @ np.diag(CURVATURES) @ _R.T
# 4 units down the valley floor and 1.2 up its wall
START = W_STAR - 4.0 * _R[:, 0] + 1.2 * _R[:, 1]
EXTENT = (-3.9, 2.7, -2.0, 2.1)


def loss(W: np.ndarray) -> np.ndarray:
    """L for points W (..., 2)."""
    D = W - W_STAR
    return 0.5 * np.einsum("...i,ij,...j->...", D, H, D)


def gradient(w: np.ndarray) -> np.ndarray:
    """dL/dw = H (w - w*), shape (2,)."""
    return H @ (w - W_STAR)


def path(optimizer, steps: int) -> np.ndarray:
    """The points (steps + 1, 2) ``optimizer`` visits from START, one ``step`` per gradient."""
    w = START.copy()
    points = [w.copy()]
    for _ in range(steps):
        optimizer.step([w], [gradient(w)])
        points.append(w.copy())
    return np.array(points)


def runs(steps: int) -> tuple[list, list]:
    """(left panel, right panel): lists of (label, colour key, path)."""
    from nn_blog.nn import SGD, Adam

    left = [("lr 0.02: too small", "slow", path(SGD(lr=0.02), steps)),
            ("lr 0.15: good", "good", path(SGD(lr=0.15), steps)),
            ("lr 0.34: too large, diverges", "large", path(SGD(lr=0.34), steps))]
    right = [("plain, lr 0.15", "good", path(SGD(lr=0.15), steps)),
             ("momentum 0.9, lr 0.02", "momentum", path(SGD(lr=0.02, momentum=0.9), steps)),
             ("Adam, lr 0.2", "adam", path(Adam(lr=0.2), steps))]
    return left, right


def _colours(s) -> dict:
    return {"slow": s.faint, "good": s.series[0], "large": s.negative,
            "momentum": s.series[2], "adam": s.series[1]}


def _surface(ax, s):
    """Filled level sets. On a quadratic they are exact ellipses (semi-axes ``sqrt(2 L / c)``
    along H's eigenvectors), drawn as such: smooth at any size, and a small SVG."""
    x0, x1, y0, y1 = EXTENT
    corners = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1]])
    levels = np.geomspace(0.05, loss(corners).max(), 12)
    cmap = st.sequential(s, st.mix(s.accent, s.page, 0.5))
    shade = np.log(levels / levels[0]) / np.log(levels[-1] / levels[0])
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fc=cmap(0.75), ec="none", zorder=0))
    for level, t in zip(levels[::-1], shade[::-1], strict=True):
        a, b = np.sqrt(2 * level / CURVATURES)
        ax.add_patch(Ellipse(W_STAR, 2 * a, 2 * b, angle=np.degrees(ANGLE), fc=cmap(t * 0.7),
                             ec=st.mix(s.accent, s.page, 0.6), lw=0.6, zorder=0))
    ax.plot(*W_STAR, marker="*", ms=13, color=s.text, mec=s.page, mew=0.8, zorder=6)
    ax.plot(*START, marker="o", ms=7, color=s.text, mec=s.page, mew=0.8, zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$", rotation=0, labelpad=8)
    ax.set_xticks([-3, -2, -1, 0, 1, 2])
    ax.set_yticks([-2, -1, 0, 1, 2])


def draw(spec: dict, ctx):
    s = ctx.style
    steps = int(param(spec, "steps"))
    colours = _colours(s)
    with st.use(s):
        fig = st.figure(s, *st.SIZES["loss_surface"], layout="constrained")
        axes = fig.subplots(1, 2)
        for ax, panel, title in zip(axes, runs(steps),
                                    ("gradient descent", "momentum and Adam"), strict=True):
            _surface(ax, s)
            handles = []
            for label, key, P in panel:
                thin = key == "large"     # its zigzag would bury the other paths
                ax.plot(P[:, 0], P[:, 1], color=colours[key], lw=1.0 if thin else 1.6,
                        alpha=0.8 if thin else 1.0, marker="o", ms=2.0 if thin else 2.6,
                        zorder=2 if thin else 3)
                handles.append(Line2D([], [], color=colours[key], lw=2.0, label=label))
            ax.set_title(f"{title}, {steps} steps", fontsize=st.FONT_SIZE)
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                      ncol=1, fontsize=st.SMALL, handlelength=1.5, borderaxespad=0)
    return fig
