"""Activation functions and their derivatives, as small multiples.

The curves are computed by the engine's own functions (``nn_blog.nn.activations.ACTIVATIONS``,
each derivative as a function of Z), so the figure shows exactly what the code computes.
Parameter ``functions`` lists which ones (any of identity, sigmoid, tanh, relu, leaky_relu, silu;
softmax is not a function of one number); by default every one of those the engine has, identity
aside.

Leaky ReLU is drawn with the slope ``leaky_slope`` (0.1 by default, ten times the engine's): at
the engine's own 0.01 its left half is indistinguishable from ReLU's at this size. The slope
is written under its left half, and the engine's function computes the curve when it takes a
``slope``; otherwise its definition ``max(z, slope z)`` does (the test checks the two agree at the
engine's slope).

Nothing leaves its panel: the y range is fitted to every curve, and each panel marks where a
derivative is exactly zero (the ReLU's whole left half) so that a flat zero is not lost on the axis.
Parameter ``narrow`` lays the panels out two per row for a phone's column.
"""

from __future__ import annotations

import inspect

import numpy as np
from matplotlib.lines import Line2D

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, param
from nn_blog.figures import style as st

TITLES = {"identity": "identity", "sigmoid": "sigmoid  $\\sigma$", "tanh": "tanh",
          "relu": "ReLU", "leaky_relu": "leaky ReLU", "silu": "SiLU  $z\\,\\sigma(z)$"}
DEFAULT = ("sigmoid", "tanh", "relu", "leaky_relu", "silu")
Z_RANGE = (-3.0, 3.0)
DASHES = (0, (4, 2.5))  # every derivative's line
ZERO_RUN = 0.5          # a derivative exactly 0 over this much of z gets its own mark


def _leaky(slope: float):
    """(f, f') of leaky ReLU at ``slope``: the engine's functions when they take a slope."""
    from nn_blog.nn import activations as acts

    f, df = acts.ACTIVATIONS["leaky_relu"]
    engine_slope = getattr(acts, "LEAKY_SLOPE", None)
    if slope == engine_slope:
        return f, df
    if "slope" in inspect.signature(f).parameters:
        return (lambda Z: f(Z, slope=slope)), (lambda Z: df(Z, slope=slope))
    return (lambda Z: np.maximum(Z, slope * Z)), (lambda Z: np.where(Z > 0, 1.0, slope))


def functions(spec) -> list[tuple[str, object, object]]:
    """[(name, f, f')] for the figure, in panel order."""
    from nn_blog.nn.activations import ACTIVATIONS

    names = param(spec, "functions")
    if names is None:
        names = [n for n in DEFAULT if n in ACTIVATIONS]
    out = []
    for name in names:
        if name not in TITLES or name not in ACTIVATIONS:
            known = ", ".join(n for n in TITLES if n in ACTIVATIONS)
            raise NNBlogError(f"cannot plot activation {name!r}; known: {known}",
                              file=FIGURES_FILE, item=spec.get("name"), field="functions")
        if name == "leaky_relu":
            out.append((name, *_leaky(float(param(spec, "leaky_slope")))))
        else:
            out.append((name, *ACTIVATIONS[name]))
    if not out:
        raise NNBlogError("lists no activation", file=FIGURES_FILE, item=spec.get("name"),
                          field="functions")
    return out


def curves(f, df, Z) -> tuple[np.ndarray, np.ndarray]:
    """(f(Z), f'(Z)) as float columns; the derivative is the engine's function of Z."""
    A = np.asarray(f(Z), dtype=float)[:, 0]
    dA = np.broadcast_to(np.asarray(df(Z), dtype=float), Z.shape)[:, 0].copy()
    return A, dA


def _limits(all_curves) -> tuple[float, float]:
    lo = min(min(a.min(), d.min()) for a, d in all_curves)
    hi = max(max(a.max(), d.max()) for a, d in all_curves)
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def _zero_runs(z, dA):
    """Intervals [z0, z1] where the derivative is exactly zero for at least ZERO_RUN."""
    zero = np.concatenate([[False], dA == 0, [False]])
    edges = np.flatnonzero(np.diff(zero.astype(int)))
    runs = [(z[a], z[b - 1]) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    return [(a, b) for a, b in runs if b - a >= ZERO_RUN]


def _panel(ax, s, name, A, dA, Z, ylim, slope, first):
    z = Z[:, 0]
    d = dA.copy()
    # break the derivative's line at a jump (ReLU's kink) instead of drawing a vertical riser
    d[1:][np.abs(np.diff(d)) > 0.25] = np.nan
    ax.axhline(0, color=s.grid, lw=1.0, zorder=0)
    ax.axvline(0, color=s.grid, lw=1.0, zorder=0)
    ax.plot(z, d, color=s.series[1], lw=1.8, ls=DASHES, zorder=2)
    ax.plot(z, A, color=s.series[0], lw=2.4, zorder=3)
    for z0, z1 in _zero_runs(z, dA):
        # the derivative lies on the axis: draw it on top of the axis line, dashed like every
        # derivative (the caption says so), thicker so that it stands out, and say so
        ax.plot([z0, z1], [0, 0], color=s.series[1], lw=3.2, ls=DASHES,
                dash_capstyle="butt", zorder=4)
        ax.text((z0 + z1) / 2, 0.06 * (ylim[1] - ylim[0]), "$f\\,'= 0$", ha="center",
                va="bottom", fontsize=st.SMALL, color=st.readable(s, s.series[1]), zorder=5)
    if name == "leaky_relu":
        # the slope of the left half, written under it
        i = np.searchsorted(z, -1.6)
        ax.text(z[i], A[i] - 0.12 * (ylim[1] - ylim[0]), f"slope {slope:g}", ha="center",
                va="top", fontsize=st.SMALL, color=st.readable(s, s.series[0]))
    ax.set_title(TITLES[name], fontsize=st.FONT_SIZE, color=s.text)
    ax.set_xlim(*Z_RANGE)
    ax.set_ylim(*ylim)
    ax.set_xticks([-2, 0, 2])
    ax.set_yticks([-1, 0, 1, 2, 3])
    ax.set_xlabel("$z$", labelpad=1)
    ax.tick_params(labelleft=first)
    ax.spines[["left", "bottom"]].set_color(s.spine)


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s = ctx.style
    fns = functions(spec)
    slope = float(param(spec, "leaky_slope"))
    # a column vector: the engine's functions take (n, k) pre-activations
    Z = np.linspace(*Z_RANGE, 801).reshape(-1, 1)
    data = [curves(f, df, Z) for _, f, df in fns]
    ylim = _limits(data)
    is_narrow = bool(param(spec, "narrow"))
    cols = min(2, len(fns)) if is_narrow else len(fns)
    rows = -(-len(fns) // cols)
    if is_narrow:
        size = (st.NARROW_WIDTH, 70 + 175 * rows)
    else:
        size = st.SIZES["activations"]
    with st.use(s):
        fig = st.figure(s, *size, layout="constrained")
        axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True)).ravel()
        for i, (ax, (name, _, _), (A, dA)) in enumerate(zip(axes, fns, data, strict=False)):
            _panel(ax, s, name, A, dA, Z, ylim, slope, first=i % cols == 0)
        for ax in axes[len(fns):]:
            ax.set_visible(False)
        handles = [Line2D([], [], color=s.series[0], lw=2.4, label="$f(z)$"),
                   Line2D([], [], color=s.series[1], lw=1.8, ls=DASHES,
                          label="derivative $f\\,'(z)$")]
        fig.legend(handles=handles, loc="outside upper center", ncol=2, columnspacing=2.2,
                   fontsize=st.FONT_SIZE)
    return fig
