"""Activation functions and their derivatives, as small multiples.

The curves are computed by the engine's own functions (``nn_blog.nn.activations.ACTIVATIONS``),
so the figure shows exactly what the code computes. Parameter ``functions`` lists which ones
(any of identity, sigmoid, tanh, relu, leaky_relu; softmax is not a function of one number).
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, param
from nn_blog.figures import style as st

TITLES = {"identity": "identity", "sigmoid": "sigmoid  $\\sigma$", "tanh": "tanh",
          "relu": "ReLU", "leaky_relu": "leaky ReLU"}
Z_RANGE = (-4.0, 4.0)
Y_RANGE = (-1.3, 1.8)


def _functions(spec) -> list[tuple[str, object, object]]:
    from nn_blog.nn.activations import ACTIVATIONS

    names = param(spec, "functions")
    out = []
    for name in names:
        if name not in TITLES or name not in ACTIVATIONS:
            known = ", ".join(n for n in TITLES if n in ACTIVATIONS)
            raise NNBlogError(f"cannot plot activation {name!r}; known: {known}",
                              file=FIGURES_FILE, item=spec.get("name"), field="functions")
        out.append((name, *ACTIVATIONS[name]))
    if not out:
        raise NNBlogError("lists no activation", file=FIGURES_FILE, item=spec.get("name"),
                          field="functions")
    return out


def _panel(ax, s, name, f, df, Z):
    A = f(Z)
    dA = df(Z)[:, 0].astype(float)
    # break the derivative's line at a jump (ReLU's kink) instead of drawing a vertical riser
    dA[1:][np.abs(np.diff(dA)) > 0.25] = np.nan
    ax.axhline(0, color=s.grid, lw=1.0, zorder=0)
    ax.axvline(0, color=s.grid, lw=1.0, zorder=0)
    ax.plot(Z[:, 0], dA, color=s.series[1], lw=1.8, ls=(0, (4, 2.5)), zorder=2)
    ax.plot(Z[:, 0], A[:, 0], color=s.series[0], lw=2.4, zorder=3)
    ax.set_title(TITLES[name], fontsize=st.FONT_SIZE, color=s.text)
    ax.set_xlim(*Z_RANGE)
    ax.set_ylim(*Y_RANGE)
    ax.set_xticks([-3, 0, 3])
    ax.set_yticks([-1, 0, 1])
    ax.set_xlabel("$z$", labelpad=1)
    ax.spines[["left", "bottom"]].set_color(s.spine)


def draw(spec: dict, ctx):
    s = ctx.style
    functions = _functions(spec)
    # a column vector: the engine's functions take (n, k) pre-activations
    Z = np.linspace(*Z_RANGE, 801).reshape(-1, 1)
    with st.use(s):
        fig = st.figure(s, *st.SIZES["activations"], layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(functions), sharey=True))
        for ax, (name, f, df) in zip(axes, functions, strict=True):
            _panel(ax, s, name, f, df, Z)
        handles = [Line2D([], [], color=s.series[0], lw=2.4, label="$f(z)$"),
                   Line2D([], [], color=s.series[1], lw=1.8, ls=(0, (4, 2.5)),
                          label="derivative $f\\,'(z)$")]
        fig.legend(handles=handles, loc="outside upper center", ncol=2, columnspacing=2.2,
                   fontsize=st.FONT_SIZE)
    return fig
