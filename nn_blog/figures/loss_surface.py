"""Gradient descent on a two-parameter loss surface: learning rates, momentum and Adam.

The surface is a tilted valley, the quadratic ``L(w) = 1/2 (w - w*)^T H (w - w*)`` whose Hessian H
has curvatures 1 along the valley floor and 6 across it, turned by 25 degrees: the shape that makes
plain gradient descent crawl along the floor while it bounces between the walls. On a quadratic,
gradient descent converges only for ``η < 2 / κ_max``, κ_max the largest eigenvalue of H
(the steepest curvature)
(computed here, :data:`LR_LIMIT`); the "too large" rate is just past that edge, and the panel states
the rule with the computed bound.

The diverging path is drawn only while it stays inside the axes; its next step becomes an arrow
marked "diverges", cut at the frame. Nothing is drawn outside the axes.

Parameter ``panels``: ``both`` (default) or ``plain``, the left panel alone (for the post's first
picture of gradient descent, before momentum and Adam are introduced).

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
KAPPA_MAX = float(np.linalg.eigvalsh(H).max())  # the steepest curvature
LR_LIMIT = 2.0 / KAPPA_MAX
# three plain rates: far below the bound, well inside it, and just past it
LR_SMALL, LR_GOOD, LR_LARGE = 0.02, 0.15, round(1.08 * LR_LIMIT, 2)


# The momentum the live slider starts at (assets/js/live/lr-slider.js BETA), as the post quotes it.
MOMENTUM = 0.9


def data(spec, ctx=None) -> dict:
    """The bounds the post quotes beside the learning-rate slider: the steepest curvature, the
    largest rate plain descent converges at (2 / κ_max) and heavy-ball momentum's
    (2 (1 + μ) / κ_max, at μ = MOMENTUM), on this surface."""
    return {"kappa_max": KAPPA_MAX, "lr_limit": LR_LIMIT, "momentum": MOMENTUM,
            "momentum_limit": 2.0 * (1.0 + MOMENTUM) / KAPPA_MAX}


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

    left = [(f"η = {LR_SMALL:g}: too small", "slow", path(SGD(lr=LR_SMALL), steps)),
            (f"η = {LR_GOOD:g}: good", "good", path(SGD(lr=LR_GOOD), steps)),
            (f"η = {LR_LARGE:g}: too large", "large", path(SGD(lr=LR_LARGE), steps))]
    right = [(f"plain, η = {LR_GOOD:g}", "good", path(SGD(lr=LR_GOOD), steps)),
             ("momentum μ = 0.9, η = 0.02", "momentum", path(SGD(lr=0.02, momentum=0.9), steps)),
             ("Adam, η = 0.2", "adam", path(Adam(lr=0.2), steps))]
    return left, right


def _colours(s) -> dict:
    return {"slow": s.series[3], "good": s.series[0], "large": s.negative,
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


def inside(P: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Which points (n, 2) lie inside EXTENT shrunk by ``margin``."""
    x0, x1, y0, y1 = EXTENT
    return ((P[:, 0] >= x0 + margin) & (P[:, 0] <= x1 - margin)
            & (P[:, 1] >= y0 + margin) & (P[:, 1] <= y1 - margin))


def _to_frame(a: np.ndarray, b: np.ndarray, margin: float) -> np.ndarray:
    """The point where the segment a -> b leaves EXTENT shrunk by ``margin`` (b if it does not)."""
    x0, x1, y0, y1 = EXTENT
    t = 1.0
    for k, (lo, hi) in enumerate(((x0 + margin, x1 - margin), (y0 + margin, y1 - margin))):
        d = b[k] - a[k]
        if d > 0 and b[k] > hi:
            t = min(t, (hi - a[k]) / d)
        elif d < 0 and b[k] < lo:
            t = min(t, (lo - a[k]) / d)
    return a + t * (b - a)


def _diverging(ax, s, P, colour):
    """The steps of a diverging path that stay inside the axes, then an arrow marked "diverges"
    along the next step, cut at the frame. Returns how many points were drawn."""
    keep = inside(P, margin=0.15)
    n = int(np.argmin(keep)) if not keep.all() else len(P)
    ax.plot(P[:n, 0], P[:n, 1], color=colour, lw=1.1, alpha=0.85, marker="o", ms=3.0, zorder=2)
    if n < len(P):
        tip = _to_frame(P[n - 1], P[n], margin=0.08)
        ax.annotate("", xy=tip, xytext=P[n - 1], zorder=5,
                    arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.7",
                                "color": colour, "lw": 1.6, "shrinkA": 0, "shrinkB": 0})
        right = tip[0] < (EXTENT[0] + EXTENT[1]) / 2
        ax.text(tip[0] + (0.2 if right else -0.2), tip[1] - 0.1, "diverges",
                ha="left" if right else "right", va="top", color=st.readable(s, colour),
                fontsize=st.SMALL, fontweight="bold", zorder=6,
                bbox={"boxstyle": "round,pad=0.15", "fc": s.page, "ec": "none", "alpha": 0.8})
    return n


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s = ctx.style
    steps = int(param(spec, "steps"))
    is_narrow = bool(param(spec, "narrow"))
    plain = param(spec, "panels") == "plain"  # the left panel alone: no momentum, no Adam
    colours = _colours(s)
    width, height = st.SIZES["loss_surface"]
    if is_narrow:
        size = (st.NARROW_WIDTH, 380 if plain else 700)
    else:
        size = (width // 2 + 40, height) if plain else (width, height)
    with st.use(s):
        fig = st.figure(s, *size, layout="constrained")
        if plain:
            axes = [fig.subplots(1, 1)]
        else:
            axes = fig.subplots(2, 1) if is_narrow else fig.subplots(1, 2)
        left, right = runs(steps)
        for ax, panel, title in zip(axes, (left, right),
                                    ("gradient descent", "momentum and Adam"), strict=False):
            _surface(ax, s)
            handles = []
            for label, key, P in panel:
                if key == "large":
                    _diverging(ax, s, P, colours[key])
                else:
                    # every other path stays inside; plotting only its inside points guarantees it
                    P = P[inside(P)]
                    ax.plot(P[:, 0], P[:, 1], color=colours[key], lw=1.8 if key == "slow" else 1.6,
                            marker="o", ms=2.6, zorder=3)
                handles.append(Line2D([], [], color=colours[key], lw=2.0, label=label))
            ax.set_title(f"{title}, {steps} steps", fontsize=st.FONT_SIZE)
            # the rule the left panel tests, with its bound computed from the Hessian
            rule = f"converges if η < 2/$\\kappa_{{max}}$ = {LR_LIMIT:.3f}" \
                if panel is left else None
            legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                               ncol=1, fontsize=st.SMALL, handlelength=1.5, borderaxespad=0,
                               title=rule, title_fontsize=st.SMALL)
            legend.get_title().set_color(s.text)
    return fig
