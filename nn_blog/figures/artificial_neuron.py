"""One artificial neuron: inputs x_i, weights w_i on the edges, bias b, the sum z, activation, y.

Reads left to right as the formula it draws, ``y = sigma(sum_i w_i x_i + b)``. Parameter
``n_inputs`` (1-6) sets how many inputs are drawn. Data units are 10 CSS px; the narrow variant
(parameter ``narrow``) packs the same parts into 48 units of 7.5 CSS px, so the text, whose size
does not change, takes a larger share of a phone's column.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from nn_blog.figures import param
from nn_blog.figures import style as st

H = 34
YC = 17.0
R_IN = 2.3
R_SUM = 4.0
ACT_HALF = 3.6
# x positions (data units) of the parts: width, inputs, sum, activation, output
WIDE = (72.0, 9.0, 35.0, 50.5, 64.5)
NARROW = (48.0, 4.5, 19.5, 32.5, 43.5)


class _Geometry:
    def __init__(self, xs):
        self.W, self.X_IN = xs[0], xs[1]
        self.SUM, self.ACT, self.OUT = (np.array([x, YC]) for x in xs[2:])


def _arrow(ax, s, p0, p1, colour=None, lw=1.4, shrink=(0, 0)):
    ax.add_patch(FancyArrowPatch(p0, p1, arrowstyle="-|>,head_width=3,head_length=6",
                                 mutation_scale=1, color=colour or s.muted, lw=lw,
                                 shrinkA=shrink[0], shrinkB=shrink[1], zorder=2))


def _node(ax, s, xy, r, text, fc, ec, size=st.LARGE, colour=None):
    ax.add_patch(Circle(xy, r, fc=fc, ec=ec, lw=1.6, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=size, color=colour or s.text, zorder=4)


def _tag(ax, s, xy, text, colour):
    """A math label on a page-coloured pad so it stays readable on top of an edge."""
    ax.text(*xy, text, ha="center", va="center", fontsize=st.FONT_SIZE, color=colour, zorder=5,
            bbox={"boxstyle": "round,pad=0.18", "fc": s.page, "ec": "none"})


def _inputs(ax, s, n: int, g):
    gap = min(6.0, 22.0 / max(n - 1, 1))
    r = min(R_IN, 0.4 * gap)
    ys = YC + (np.arange(n)[::-1] - (n - 1) / 2) * gap
    for i, y in enumerate(ys, start=1):
        _node(ax, s, (g.X_IN, y), r, f"$x_{{{i}}}$", s.panel, s.spine)
        start, end = np.array([g.X_IN, y]), g.SUM
        d = (end - start) / np.linalg.norm(end - start)
        if n <= 4:
            _arrow(ax, s, start + d * r, end - d * R_SUM, colour=s.muted, lw=1.3)
        else:   # arrowheads would pile up on the node: plain edges
            a, b = start + d * r, end - d * R_SUM
            ax.plot([a[0], b[0]], [a[1], b[1]], color=s.muted, lw=1.3, zorder=2)
        _tag(ax, s, start + 0.42 * (end - start), f"$w_{{{i}}}$", s.positive)
    ax.text(g.X_IN, ys[-1] - r - 2.3, "inputs", ha="center", va="center", color=s.muted,
            fontsize=st.SMALL)


def _activation(ax, s, g):
    ACT = g.ACT
    x0, y0 = ACT - ACT_HALF
    ax.add_patch(FancyBboxPatch((x0, y0), 2 * ACT_HALF, 2 * ACT_HALF,
                                boxstyle="round,pad=0,rounding_size=1.2",
                                fc=st.mix(s.classes[0], s.page, 0.78), ec=s.classes[0], lw=1.6,
                                zorder=3))
    t = np.linspace(-1, 1, 60)
    curve = 1 / (1 + np.exp(-6 * t))
    ax.plot(ACT[0] + 2.6 * t, ACT[1] - 2.2 + 4.4 * curve, color=s.classes[0], lw=2.0, zorder=4)
    ax.text(ACT[0], ACT[1] + ACT_HALF + 1.6, "activation $\\sigma$", ha="center", va="bottom",
            color=s.muted, fontsize=st.SMALL)


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s = ctx.style
    n = int(param(spec, "n_inputs"))
    g = _Geometry(NARROW if bool(param(spec, "narrow")) else WIDE)
    W, SUM, ACT, OUT = g.W, g.SUM, g.ACT, g.OUT
    width = st.SIZES["artificial_neuron"][0] if W == WIDE[0] else st.NARROW_WIDTH
    with st.use(s):
        fig = st.figure(s, width, round(width / W * H))
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, W)
        ax.set_ylim(0, H)
        ax.set_aspect("equal")
        ax.axis("off")
        _inputs(ax, s, n, g)
        bias = np.array([SUM[0], YC + 13.5])
        _node(ax, s, bias, 2.0, "$b$", s.panel, s.spine)
        ax.text(bias[0] + 2.8, bias[1], "bias", va="center", color=s.muted, fontsize=st.SMALL)
        _arrow(ax, s, bias - [0, 2.0], SUM + [0, R_SUM])
        _node(ax, s, SUM, R_SUM, "$\\Sigma$", st.mix(s.accent, s.page, 0.8), s.accent,
              size=st.LARGE + 4)
        ax.text(SUM[0], SUM[1] - R_SUM - 1.6, "$z = \\sum_i\\, w_i x_i + b$", ha="center",
                va="top", color=s.text, fontsize=st.FONT_SIZE)
        _arrow(ax, s, SUM + [R_SUM, 0], ACT - [ACT_HALF, 0])
        _tag(ax, s, ((SUM[0] + R_SUM + ACT[0] - ACT_HALF) / 2, YC), "$z$", s.text)
        _activation(ax, s, g)
        ax.text(ACT[0], ACT[1] - ACT_HALF - 1.6, "$y = \\sigma(z)$", ha="center", va="top",
                color=s.text, fontsize=st.FONT_SIZE)
        _arrow(ax, s, ACT + [ACT_HALF, 0], OUT - [2.3, 0])
        _node(ax, s, OUT, 2.3, "$y$", s.panel, s.spine)
        ax.text(OUT[0], OUT[1] - 4.6, "output", ha="center", va="center", color=s.muted,
                fontsize=st.SMALL)
    return fig
