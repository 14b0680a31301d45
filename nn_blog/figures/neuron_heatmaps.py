"""What each neuron computes: its activation over the whole input plane, laid out like the network.

The static counterpart of TensorFlow Playground's view. Column k shows layer k's neurons; each tile
is the neuron's activation ``A[:, j]`` (from ``net.forward_all``) at every point of the plane the
data lives in. The first column is the two input features as the network receives them, the last
is the output, drawn larger with the training points on top (at most ``points`` of them, evenly
spread: the tile is small and a thousand dots only blur it). Between columns, faint lines are the
weights (colour = sign, width = magnitude). Layers wider than ``max_neurons`` show their first and
last neurons around an ellipsis and "+N".

Colour scales, each drawn as a bar under the columns it applies to, with the numbers at its ends:
the input features are diverging around 0 (negative -> page -> positive) up to their largest
magnitude over the plane shown (they are standardised, so that is a few units, not 1); tanh
neurons are diverging on their fixed range [-1, 1]; ReLU runs from 0 (page) to the neuron's own
largest activation (the shape of its response, not its size); a sigmoid output runs from class 0's
colour (p = 0) through the page (p = 0.5) to class 1's (p = 1), the very colours of the data
points on top of it. Any other output (softmax) shows the predicted class faded by confidence, as
the decision-boundary figure does.

Parameter ``narrow``: the phone-width variant (360 px wide, at most 4 neurons per column shown,
larger tiles, the scale bars stacked).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from nn_blog.figures import _compact, _plane, param
from nn_blog.figures import style as st
from nn_blog.figures.architecture import _from_net, _slots

W_UNITS = 72
TOP_PAD, BOTTOM_PAD = 4.5, 6.5       # in units of 10 CSS px (scaled for the narrow variant)
GAP = 0.7
BAR = 12.0                            # width of a colour scale bar, in units
NARROW_BAR_ROW = 38.0                 # CSS px per stacked colour scale (label above bar)


def _rgba(s, act: str, V: np.ndarray, layer_max: float) -> np.ndarray:
    """Activation values (ny, nx) -> RGBA, by the layer's activation (see module docstring);
    ``act`` "input" for the input features."""
    if act == "sigmoid":
        # the class colours softened towards the page, so the data points stay visible on top
        cmap = LinearSegmentedColormap.from_list(
            "p", [st.mix(s.classes[0], s.page, 0.3), s.page, st.mix(s.classes[1], s.page, 0.3)])
        return cmap(np.clip(V, 0, 1))
    if act in ("relu", "leaky_relu"):
        cmap = LinearSegmentedColormap.from_list("r", [s.page, s.positive])
        return cmap(np.clip(V / max(V.max(), 1e-12), 0, 1))
    scale = 1.0 if act == "tanh" else max(layer_max, 1e-12)
    return st.diverging(s)(np.clip(0.5 + 0.5 * V / scale, 0, 1))


def _layout(layers, max_neurons, height, px, bottom_pad, max_tile, is_narrow=False):
    """Column positions and tile sizes in data units (``px`` CSS px each)."""
    slots = [_slots(n, max_neurons) for n, _ in layers[:-1]] + [[0]]
    tallest = max(len(sl) for sl in slots[:-1])
    text = 10.0 / px
    band = height / px - TOP_PAD * text - bottom_pad
    tile = min(max_tile, (band - GAP * (tallest - 1)) / tallest)
    out_size = min(18.0 if is_narrow else 14.0, band)
    if is_narrow:
        # the output tile on the right, the other columns spread over what is left of it
        last = W_UNITS - 1.0 - out_size / 2
        xs = np.append(np.linspace(8.0, last - out_size / 2 - tile / 2 - 7.0,
                                   len(layers) - 1), last)
    else:
        xs = np.linspace(5.5, W_UNITS - 12.0, len(layers))
        xs[-1] = W_UNITS - 1.0 - out_size / 2
    centre = bottom_pad + band / 2
    ys = [centre + ((len(sl) - 1) / 2 - np.arange(len(sl))) * (tile + GAP) for sl in slots]
    return slots, tile, xs, ys, out_size, centre


def narrow_height(layers, max_neurons) -> int:
    """CSS height of the narrow variant: the tallest column of 8-unit tiles, header and bars."""
    tallest = max(len(_slots(n, max_neurons)) for n, _ in layers[:-1])
    px = st.NARROW_WIDTH / W_UNITS
    column = max(tallest * (8.0 + GAP), 20.0) * px
    return round(column + TOP_PAD * 10 + NARROW_BAR_ROW * 3 + 16)


def _weights(ax, s, net, xs, ys, slots, tile, out_size):
    segs, colours, widths = [], [], []
    for k, layer in enumerate(net.layers):
        W = layer.W
        top = np.abs(W).max() or 1.0
        half_next = out_size / 2 if k == len(net.layers) - 1 else tile / 2
        for a, i in zip(ys[k], slots[k], strict=True):
            for b, j in zip(ys[k + 1], slots[k + 1], strict=True):
                if i is None or j is None:
                    continue
                m = abs(W[i, j]) / top
                segs.append([(xs[k] + tile / 2, a), (xs[k + 1] - half_next, b)])
                colours.append((*to_rgb(s.positive if W[i, j] >= 0 else s.negative),
                                0.08 + 0.5 * m))
                widths.append(0.3 + 1.8 * m)
    ax.add_collection(LineCollection(segs, colors=colours, linewidths=widths, zorder=1))


def narrow(spec) -> dict:
    return {"narrow": True, "max_neurons": min(4, int(param(spec, "max_neurons")))}


def _geometry(spec: dict, trained) -> dict:
    """Where everything goes, for ``draw`` and ``data`` alike: the CSS size, the columns'
    slots and tile positions in data units (``px`` CSS px each), and the square extent of the
    plane every tile shows."""
    layers = _from_net(trained.net)
    is_narrow = bool(param(spec, "narrow"))
    max_neurons = int(param(spec, "max_neurons"))
    width, height = (st.NARROW_WIDTH, narrow_height(layers, max_neurons)) if is_narrow \
        else st.SIZES["neuron_heatmaps"]
    px = width / W_UNITS
    bottom_pad = (NARROW_BAR_ROW * 3 + 6) / px if is_narrow else BOTTOM_PAD
    slots, tile, xs, ys, out_size, centre = _layout(
        layers, max_neurons, height, px, bottom_pad, max_tile=8.0 if is_narrow else 6.0,
        is_narrow=is_narrow)
    return {"layers": layers, "is_narrow": is_narrow, "width": width, "height": height,
            "px": px, "slots": slots, "tile": tile, "xs": xs, "ys": ys, "out_size": out_size,
            "centre": centre, "ext": _plane.square(_plane.extent(trained.data))}


def tiles(g: dict) -> list[dict]:
    """Every tile drawn, as the live figure finds it: ``layer`` (0 the inputs, last the
    output), ``neuron`` (its column in that layer's A), ``box`` [left, top, right, bottom] in
    CSS px from the image's top left corner."""
    px, height, last = g["px"], g["height"], len(g["layers"]) - 1
    out = []
    for k, (x, column) in enumerate(zip(g["xs"], g["ys"], strict=True)):
        size = g["out_size"] if k == last else g["tile"]
        for y, j in zip(column, g["slots"][k], strict=True):
            if j is None:
                continue
            box = [(x - size / 2) * px, height - (y + size / 2) * px,
                   (x + size / 2) * px, height - (y - size / 2) * px]
            out.append({"layer": k, "neuron": int(j), "box": [round(v, 2) for v in box]})
    return out


def data(spec: dict, ctx) -> dict:
    """The tiles' places, so that the page can light up the neurons a reader probes
    (assets/js/live/neurons.js): ``plane`` [x0, x1, y0, y1], the raw coordinates every tile
    spans, and per variant (``wide``, and ``narrow`` for phones) its CSS ``width``, ``height``
    and ``tiles`` (see :func:`tiles`)."""
    _plane.require_2d(spec, ctx.trained)
    variants = {"wide": {**spec, "params": {**(spec.get("params") or {}), "narrow": False}}}
    variants["narrow"] = {**spec, "params": {**variants["wide"]["params"], **narrow(spec)}}
    out = {}
    for name, variant in variants.items():
        g = _geometry(variant, ctx.trained)
        out[name] = {"width": g["width"], "height": g["height"], "tiles": tiles(g)}
    out["plane"] = [round(float(v), 6) for v in g["ext"]]
    return out


def draw(spec: dict, ctx):
    s, trained = ctx.style, ctx.trained
    _plane.require_2d(spec, trained)
    net = trained.net
    g = _geometry(spec, trained)
    layers, is_narrow, width, height, px = (g[k] for k in
                                            ("layers", "is_narrow", "width", "height", "px"))
    slots, tile, xs, ys, out_size, centre, ext = (
        g[k] for k in ("slots", "tile", "xs", "ys", "out_size", "centre", "ext"))
    text = 10.0 / px
    pts, nx, ny = _plane.grid(ext, int(param(spec, "resolution")))
    X = trained.data.transform(pts).astype(net.dtype)
    values = [X] + [A for _, A in net.forward_all(X)]
    top_units = height / px
    scales = {}
    with st.use(s):
        fig = st.figure(s, width, height)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, W_UNITS)
        ax.set_ylim(0, top_units)
        ax.set_aspect("equal")
        ax.axis("off")
        _weights(ax, s, net, xs, ys, slots, tile, out_size)
        for k, (units, act) in enumerate(layers[:-1]):
            V = np.asarray(values[k], dtype=np.float64)
            layer_max = np.abs(V).max()
            act = "input" if k == 0 else act or "identity"
            scales.setdefault(act, layer_max)
            for y, j in zip(ys[k], slots[k], strict=True):
                if j is None:
                    _ellipsis(ax, s, xs[k], y, tile, units - sum(i is not None for i in slots[k]),
                              text)
                    continue
                img = _rgba(s, act, V[:, j].reshape(ny, nx), layer_max)
                _tile(ax, s, img, xs[k], y, tile)
            if k == 0:
                for y, name in zip(ys[0], ("$x_1$", "$x_2$"), strict=False):
                    ax.text(xs[0] - tile / 2 - 0.6 * text, y, name, ha="right", va="center",
                            fontsize=st.SMALL, color=s.muted)
            _header(ax, s, k, len(layers) - 1, xs[k], top_units, None if k == 0 else act,
                    text)
        out_act = layers[-1][1]
        _output(ax, s, trained, values[-1], out_act, xs[-1], centre, out_size, ext, nx, ny,
                int(param(spec, "points")))
        _header(ax, s, len(layers) - 1, len(layers) - 1, xs[-1], top_units, out_act, text)
        if out_act == "sigmoid":
            scales["sigmoid"] = 1.0
        _scale_bars(ax, s, scales, xs, is_narrow, text)
    return fig


def scale_ends(act: str, value_max: float) -> tuple[str, str, str]:
    """(low end, high end, what) of the colour scale the tiles of ``act`` are drawn with."""
    if act == "input":
        return f"−{value_max:.1f}", f"+{value_max:.1f}", "inputs (standardised)"
    if act in ("relu", "leaky_relu"):
        return "0", "max", "ReLU (each tile its own max)"
    if act == "sigmoid":
        return "0", "1", "output σ: p(class 1)"
    if act == "tanh":
        return "−1", "+1", "tanh"
    return f"−{value_max:.1f}", f"+{value_max:.1f}", act


def _scale_bars(ax, s, scales: dict, xs, is_narrow: bool, text: float):
    """One bar per colour scale used: inputs, each hidden activation, the sigmoid output."""
    items = list(scales.items())
    t = np.linspace(0, 1, 256).reshape(1, -1)
    for i, (act, vmax) in enumerate(items):
        if act in ("relu", "leaky_relu", "sigmoid"):
            img = _rgba(s, act, t, 1.0)
        else:
            img = _rgba(s, act, (2 * t - 1) * (1.0 if act == "tanh" else vmax), vmax)
        lo, hi, what = scale_ends(act, vmax)
        if is_narrow:
            # stacked rows, each a label above its bar
            bar = 2 * BAR
            x = W_UNITS / 2
            y0 = (len(items) - 1 - i) * NARROW_BAR_ROW / 10 * text + 0.6 * text
        else:
            bar = BAR
            x = [xs[0] + 7.0, (xs[1] + xs[-2]) / 2, xs[-1]][min(i, 2)] if len(items) == 3 \
                else np.linspace(14.0, W_UNITS - 12.0, len(items))[i]
            y0 = 1.0
        x0, x1, y1 = x - bar / 2, x + bar / 2, y0 + 0.9 * text ** 0.5
        _compact.plane_image(ax, img, (x0, x1, y0, y1), zorder=2, aspect=None)
        ax.add_patch(_frame((x0, x1, y0, y1), s))
        mid = (y0 + y1) / 2
        ax.text(x0 - 0.4 * text, mid, lo, ha="right", va="center", fontsize=st.SMALL,
                color=s.muted)
        ax.text(x1 + 0.4 * text, mid, hi, ha="left", va="center", fontsize=st.SMALL,
                color=s.muted)
        ax.text(x, y1 + 0.5 * text, what, ha="center", va="bottom", fontsize=st.SMALL,
                color=s.text)


def _tile(ax, s, img, x, y, size):
    box = (x - size / 2, x + size / 2, y - size / 2, y + size / 2)
    _compact.plane_image(ax, img, box, zorder=2, aspect=None)
    ax.add_patch(_frame(box, s))


def _frame(box, s):
    from matplotlib.patches import Rectangle

    return Rectangle((box[0], box[2]), box[1] - box[0], box[3] - box[2], fill=False,
                     ec=s.spine, lw=0.6, zorder=3)


def _ellipsis(ax, s, x, y, tile, hidden, text=1.0):
    ax.text(x, y, "⋮", ha="center", va="center", fontsize=st.LARGE, color=s.muted)
    ax.text(x + tile / 2 + 0.3 * text, y, f"+{hidden}", ha="left", va="center",
            fontsize=st.SMALL, color=s.muted)


def _header(ax, s, k, last, x, top, act, text=1.0):
    name = "input" if k == 0 else ("output" if k == last else f"hidden {k}" if last > 2 else
                                   "hidden")
    ax.text(x, top - 1.2 * text, name, ha="center", va="top", fontsize=st.SMALL, color=s.text)
    if k > 0 and act:
        ax.text(x, top - 2.9 * text, act, ha="center", va="top", fontsize=st.SMALL,
                color=s.muted)


def _output(ax, s, trained, A, act, x, y, size, ext, nx, ny, limit):
    A = np.asarray(A, dtype=np.float64)
    if act == "sigmoid":
        # p itself on the output's own scale (class 0 -> page -> class 1), as its bar says
        img = _rgba(s, "sigmoid", A[:, 0].reshape(ny, nx), 1.0)
    else:
        img = _plane.shade(A, nx, ny, s, strength=0.6)
    box = (x - size / 2, x + size / 2, y - size / 2, y + size / 2)
    _compact.plane_image(ax, img, box, zorder=2, aspect=None)
    ax.add_patch(_frame(box, s))
    # the training points, mapped from the data's extent into the tile
    sample = _plane.sample(trained.data, limit)
    P = trained.data.inverse_transform(trained.data.X_train[sample])
    u = box[0] + (P[:, 0] - ext[0]) / (ext[1] - ext[0]) * size
    v = box[2] + (P[:, 1] - ext[2]) / (ext[3] - ext[2]) * size
    y = trained.data.y_train[sample]
    colours = _plane.class_colours(s, max(2, trained.data.n_classes))[y]
    ax.scatter(u, v, s=4, c=colours, edgecolors=s.text, linewidths=0.3, zorder=4, clip_on=False)
