"""A labelled schematic of a biological neuron: dendrites, soma, nucleus, axon, myelin, terminals.

Drawn in data units of 10 CSS px (the axes fill the figure, aspect 1). The cell is a silhouette in
two passes: every outline first (wide strokes in the edge colour), then every fill on top, so
branches merge into the soma without seams. Branch angles come from a fixed seed. Parameter
``narrow``: the phone-width variant, the same cell at half the scale with its labels in a row
above and a row below it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch, Polygon

from nn_blog.figures import param
from nn_blog.figures import style as st

SOMA = np.array([17.0, 17.5])
AXON_Y = 17.5
AXON_START, AXON_END = 22.5, 57.0
MYELIN = [(25.0, 30.5), (31.5, 37.0), (38.0, 43.5), (44.5, 50.0), (51.0, 55.0)]
PT_PER_UNIT = 7.5      # 10 CSS px = 7.5 pt


def _bend(p0, p1, curl: float, n: int = 12) -> np.ndarray:
    """Points of a quadratic Bezier from p0 to p1 whose control point is pushed sideways by curl."""
    p0, p1 = np.asarray(p0), np.asarray(p1)
    d = p1 - p0
    ctrl = (p0 + p1) / 2 + curl * np.array([-d[1], d[0]])
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t**2 * p1


def _dendrites(rng: np.random.Generator) -> list[tuple[np.ndarray, float]]:
    """Branches as (points, width in data units), each splitting twice."""
    out = []

    def grow(p0, angle, length, width, depth):
        p1 = p0 + length * np.array([np.cos(angle), np.sin(angle)])
        out.append((_bend(p0, p1, rng.uniform(-0.18, 0.18)), width))
        if depth == 0:
            return
        for sign in (-1, 1):
            spread = np.radians(rng.uniform(18, 34))
            grow(p1, angle + sign * spread, length * rng.uniform(0.58, 0.72), width * 0.62,
                 depth - 1)

    roots = [(96, 5.6), (134, 6.2), (170, 6.0), (204, 5.8), (238, 5.4), (274, 4.4)]
    for deg, length in roots:
        a = np.radians(deg + rng.uniform(-6, 6))
        start = SOMA + 3.2 * np.array([np.cos(a), np.sin(a)])
        grow(start, a, length, 1.25, 2)
    return out


def _soma_outline() -> np.ndarray:
    theta = np.linspace(0, 2 * np.pi, 200)
    r = 4.6 * (1 + 0.07 * np.sin(3 * theta + 0.6) + 0.04 * np.cos(5 * theta))
    return SOMA + np.c_[r * np.cos(theta), r * np.sin(theta)]


def _terminals() -> list[tuple[np.ndarray, float]]:
    out = []
    fork = np.array([AXON_END, AXON_Y])
    for k, dy in enumerate([7.5, 3.4, -0.6, -4.4, -8.0]):
        tip = np.array([66.5 + (1.2 if k % 2 else 0.0), AXON_Y + dy])
        out.append((_bend(fork, tip, 0.12 if dy > 0 else -0.12), 0.55))
    return out


def _stroke(ax, pts, width, colour, extra=0.0, z=2):
    ax.plot(pts[:, 0], pts[:, 1], color=colour, lw=(width + extra) * PT_PER_UNIT,
            solid_capstyle="round", solid_joinstyle="round", zorder=z)


def _cell(ax, s: st.Style) -> list[tuple[float, float]]:
    """Draw the cell; return the terminal bouton centres."""
    rng = np.random.default_rng(7)
    branches = _dendrites(rng)
    axon = np.array([[AXON_START - 2.0, AXON_Y], [AXON_END, AXON_Y]])
    hillock = Polygon([[SOMA[0] + 3.0, AXON_Y + 2.2], [AXON_START + 1.5, AXON_Y + 0.45],
                       [AXON_START + 1.5, AXON_Y - 0.45], [SOMA[0] + 3.0, AXON_Y - 2.2]],
                      closed=True)
    terminals = _terminals()
    boutons = [tuple(pts[-1]) for pts, _ in terminals]
    edge = 0.32
    for pts, w in [*branches, (axon, 0.7), *terminals]:      # pass 1: outlines
        _stroke(ax, pts, w, s.cell_edge, extra=edge, z=1)
    ax.add_patch(Polygon(_soma_outline(), closed=True, fc=s.cell_edge, ec=s.cell_edge,
                         lw=edge * PT_PER_UNIT, zorder=1))
    ax.add_patch(Polygon(hillock.get_xy(), closed=True, fc=s.cell_edge, ec=s.cell_edge,
                         lw=edge * PT_PER_UNIT, zorder=1))
    for x, y in boutons:
        ax.add_patch(Circle((x, y), 1.05 + edge / 2, fc=s.cell_edge, lw=0, zorder=1))
    for pts, w in [*branches, (axon, 0.7), *terminals]:      # pass 2: fills
        _stroke(ax, pts, w, s.cell, z=2)
    ax.add_patch(Polygon(_soma_outline(), closed=True, fc=s.cell, lw=0, zorder=2))
    ax.add_patch(Polygon(hillock.get_xy(), closed=True, fc=s.cell, lw=0, zorder=2))
    for x, y in boutons:
        ax.add_patch(Circle((x, y), 1.05 - edge / 2, fc=s.cell, lw=0, zorder=2))
    ax.add_patch(Circle(SOMA + [-0.4, 0.3], 1.9, fc=s.nucleus, ec="none", alpha=0.9, zorder=3))
    ax.add_patch(Circle(SOMA + [-0.9, 0.8], 0.55, fc=st.mix(s.nucleus, s.page, 0.45), lw=0,
                        zorder=4))
    for x0, x1 in MYELIN:
        ax.add_patch(FancyBboxPatch((x0, AXON_Y - 1.15), x1 - x0, 2.3,
                                    boxstyle="round,pad=0,rounding_size=1.1", fc=s.myelin,
                                    ec=s.myelin_edge, lw=1.0, zorder=3))
    return boutons


def _label(ax, s, text, xy, xytext, ha="center", va="center", size=st.LARGE):
    ax.annotate(text, xy=xy, xytext=xytext, ha=ha, va=va, fontsize=size, color=s.text,
                arrowprops={"arrowstyle": "-", "color": s.muted, "lw": 0.9,
                            "shrinkA": 3, "shrinkB": 1},
                zorder=6)


# (label, the point it names, where the label sits); the narrow variant moves the labels into a
# row above and a row below the cell, where a phone's width has room for them
def _labels(boutons, narrow: bool):
    if not narrow:
        return [("Dendrites", (7.6, 26.5), (6.0, 32.2)),
                ("Cell body (soma)", (20.6, 14.4), (29.5, 8.0)),
                ("Nucleus", (16.4, 18.5), (27.0, 27.5)),
                ("Axon", (56.0, AXON_Y + 0.3), (53.0, 26.0)),
                ("Myelin sheath", (47.2, AXON_Y - 1.1), (46.5, 8.0)),
                ("Node of Ranvier", (37.5, AXON_Y + 0.3), (38.0, 26.0)),
                ("Axon terminals", boutons[0], (63.0, 32.2))]
    return [("Dendrites", (7.6, 26.5), (7.0, 40.0)),
            ("Nucleus", (16.4, 18.5), (22.5, 40.0)),
            ("Node of Ranvier", (37.5, AXON_Y + 0.3), (40.0, 40.0)),
            ("Axon terminals", boutons[0], (62.0, 40.0)),
            ("Cell body (soma)", (20.6, 14.4), (17.0, -4.0)),
            ("Myelin sheath", (47.2, AXON_Y - 1.1), (41.0, -4.0)),
            ("Axon", (56.0, AXON_Y - 0.3), (58.0, -4.0))]


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s = ctx.style
    is_narrow = bool(param(spec, "narrow"))
    # narrow: the same 72 x 34 units of cell at 5 CSS px each, and room above and below it
    y0, y1 = (-12.0, 46.0) if is_narrow else (0.0, 34.0)
    width = st.NARROW_WIDTH if is_narrow else st.SIZES["biological_neuron"][0]
    height = round(width / 72 * (y1 - y0))
    with st.use(s):
        fig = st.figure(s, width, height)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, 72)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.axis("off")
        boutons = _cell(ax, s)
        for text, xy, xytext in _labels(boutons, is_narrow):
            _label(ax, s, text, xy, xytext, size=st.SMALL if is_narrow else st.LARGE)
        arrow_y = y0 + 1.8 if not is_narrow else y0 + 3.0
        x0, x1 = (40.0, 56.0) if not is_narrow else (44.0, 58.0)
        ax.annotate("", xy=(x1, arrow_y), xytext=(x0, arrow_y),
                    arrowprops={"arrowstyle": "-|>,head_width=0.25,head_length=0.5",
                                "color": s.faint, "lw": 1.2})
        ax.text(x1 + 0.8, arrow_y, "signal", color=s.muted, fontsize=st.SMALL, va="center")
    return fig
