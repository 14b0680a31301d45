"""A network's architecture, drawn from its real layer sizes.

Sizes come from ``ctx.trained.net.layers`` when the figure has a network, else from the ``layers``
parameter: a list whose first entry is the input width and whose others are either a unit count
or ``{units, activation}``, e.g. ``[2, {units: 8, activation: tanh}, {units: 1}]``.

A layer wider than ``max_neurons`` shows its first and last neurons around a vertical ellipsis and
a "+N" count of the neurons left out. With a trained network (and ``weights`` true) every drawn
edge is the real weight ``W[i, j]``: its colour is the sign, its width and opacity the magnitude
(relative to the largest weight in that layer). Data units are 10 CSS px.

A softmax output layer (one neuron per class) is never cut short: up to ``MAX_CLASSES`` outputs
are all drawn, each labelled with its class index from 0, so the digits network shows its ten
outputs 0-9. Parameter ``narrow`` draws the phone-width variant: half the width (5 CSS px per data
unit), columns spread taller, text at the same point size, so it reads larger against the figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, param
from nn_blog.figures import style as st

W_UNITS = 72
BAND = 25.0                   # the tallest column of neurons spans at most this many units
NARROW_BAND = 44.0
MAX_CLASSES = 12              # a softmax output of up to this many classes is drawn in full
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _from_net(net) -> list[tuple[int, str | None]]:
    layers = [(net.layers[0].n_in, None)]
    for i, layer in enumerate(net.layers):
        act = layer.activation
        if i == len(net.layers) - 1 and getattr(net, "loss", None) == "cross_entropy":
            act = "softmax"      # the network applies softmax to the logits for this loss
        layers.append((layer.n_out, act))
    return layers


def _from_param(spec) -> list[tuple[int, str | None]]:
    raw = param(spec, "layers")
    if not raw or len(raw) < 2:
        raise NNBlogError("needs a network or a 'layers' list of at least two sizes",
                          file=FIGURES_FILE, item=spec.get("name"), field="layers")
    out = []
    for i, entry in enumerate(raw):
        units, act = (entry.get("units"), entry.get("activation")) if isinstance(entry, dict) \
            else (entry, None)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise NNBlogError(f"entry {i} must be a positive unit count, got {entry!r}",
                              file=FIGURES_FILE, item=spec.get("name"), field="layers")
        out.append((units, act))
    return out


def _slots(n: int, max_neurons: int) -> list[int | None]:
    """Neuron indices to draw, with None where the ellipsis goes."""
    if n <= max(max_neurons, 1):
        return list(range(n))
    head = (max_neurons - 1 + 1) // 2
    tail = max_neurons - 1 - head
    return [*range(head), None, *range(n - tail, n)]


def _positions(slots, gap) -> np.ndarray:
    """Centred on y = 0, first neuron on top."""
    return ((len(slots) - 1) / 2 - np.arange(len(slots))) * gap


def _caption(k: int, last: int, units: int, act: str | None) -> tuple[str, str]:
    """(layer name, its size and activation) for the two lines under a column."""
    if k == 0:
        return "input", "ℝ" + str(units).translate(_SUPERSCRIPT)
    name = "output" if k == last else (f"hidden {k}" if last > 2 else "hidden")
    return name, f"{units}" + (f" · {act}" if act else "")


def _edges(ax, s, xs, ys, slots, weights):
    """All edges of one layer pair in one collection (fast, and one SVG group)."""
    (x0, x1), (y0, y1), (s0, s1) = xs, ys, slots
    segs, colours, widths = [], [], []
    top = np.abs(weights).max() if weights is not None else 1.0
    for a, i in zip(y0, s0, strict=True):
        for b, j in zip(y1, s1, strict=True):
            if i is None or j is None:
                continue
            segs.append([(x0, a), (x1, b)])
            if weights is None:
                colours.append((*st.mix(s.faint, s.page, 0.25), 0.8))
                widths.append(0.9)
            else:
                m = abs(weights[i, j]) / top if top > 0 else 0.0
                c = s.positive if weights[i, j] >= 0 else s.negative
                colours.append((*to_rgb(c), 0.15 + 0.85 * m))
                widths.append(0.4 + 3.2 * m)
    ax.add_collection(LineCollection(segs, colors=colours, linewidths=widths, zorder=1,
                                     capstyle="round"))


def class_outputs(layers) -> bool:
    """True when the last layer is a softmax over classes the figure labels one by one."""
    units, act = layers[-1]
    return act == "softmax" and units <= MAX_CLASSES


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s = ctx.style
    trained = getattr(ctx, "trained", None)
    layers = _from_net(trained.net) if trained is not None else _from_param(spec)
    max_neurons = int(param(spec, "max_neurons"))
    is_narrow = bool(param(spec, "narrow"))
    show_weights = trained is not None and bool(param(spec, "weights"))
    labelled = class_outputs(layers)
    slots = [_slots(n, max_neurons) for n, _ in layers]
    if labelled:
        slots[-1] = list(range(layers[-1][0]))
    width = st.NARROW_WIDTH if is_narrow else st.SIZES["architecture"][0]
    px = width / W_UNITS                       # CSS px per data unit
    text = 10.0 / px                           # text offsets were laid out at 10 px per unit
    tallest = max(len(sl) for sl in slots)
    gap = min(4.6 * text, (NARROW_BAND if is_narrow else BAND) / max(tallest - 1, 1))
    r = min(1.55 * (1.4 if is_narrow else 1.0), 0.36 * gap)
    xs = np.linspace(9.0, W_UNITS - (12.0 if labelled else 9.0), len(layers))
    ys = [_positions(sl, gap) for sl in slots]
    half = (tallest - 1) / 2 * gap + r
    # the height follows the content: a 2-4-1 network gets a short figure, not white space
    bottom = -half - 8.0 * text
    top = bottom + np.ceil((half + (7.5 * text if show_weights else 1.5) - bottom) * px) / px
    with st.use(s):
        fig = st.figure(s, width, round(px * (top - bottom)))
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, W_UNITS)
        ax.set_ylim(bottom, top)
        ax.set_aspect("equal")
        ax.axis("off")
        for k in range(len(layers) - 1):
            W = trained.net.layers[k].W if show_weights else None
            _edges(ax, s, xs[k:k + 2], ys[k:k + 2], slots[k:k + 2], W)
        for k, ((units, act), sl) in enumerate(zip(layers, slots, strict=True)):
            _column(ax, s, k, len(layers) - 1, xs[k], ys[k], sl, units, act, r, -half, text)
        if labelled:
            for y, i in zip(ys[-1], slots[-1], strict=True):
                ax.text(xs[-1] + r + 0.5 * text, y, str(i), ha="left", va="center",
                        fontsize=st.SMALL, color=s.text, zorder=4)
        if show_weights:
            _legend(ax, s, top, text)
    return fig


def _column(ax, s, k, last, x, ys, slots, units, act, r, base, text=1.0):
    colour = s.classes[0] if k == last else s.accent
    fill = s.panel if k == 0 else st.mix(colour, s.page, 0.8)
    edge = s.spine if k == 0 else colour
    for y, i in zip(ys, slots, strict=True):
        if i is None:
            ax.text(x, y, "⋮", ha="center", va="center", fontsize=st.LARGE, color=s.muted)
            continue
        ax.add_patch(Circle((x, y), r, fc=fill, ec=edge, lw=1.3, zorder=3))
    hidden = units - sum(i is not None for i in slots)
    if hidden:
        ell = ys[slots.index(None)]
        ax.text(x + r + 0.8 * text, ell, f"+{hidden}", ha="left", va="center",
                fontsize=st.SMALL, color=s.muted, zorder=4)
    name, detail = _caption(k, last, units, act)
    ax.text(x, base - 3.2 * text, name, ha="center", va="baseline", fontsize=st.FONT_SIZE,
            color=s.text)
    ax.text(x, base - 5.9 * text, detail, ha="center", va="baseline", fontsize=st.FONT_SIZE,
            color=s.muted)


def _legend(ax, s, top, text=1.0):
    handles = [Line2D([], [], color=s.positive, lw=2.4, label="positive weight"),
               Line2D([], [], color=s.negative, lw=2.4, label="negative weight")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=2,
              fontsize=st.SMALL, handlelength=1.8, columnspacing=2.0, labelcolor=s.muted)
    ax.text(W_UNITS / 2, top - 3.4 * text, "line width ∝ |weight|", ha="center", va="top",
            fontsize=st.SMALL, color=s.muted)
