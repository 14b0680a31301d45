"""What each neuron computes: its activation over the whole input plane, laid out like the network.

The static counterpart of TensorFlow Playground's view. Column k shows layer k's neurons; each tile
is the neuron's activation ``A[:, j]`` (from ``net.forward_all``) at every point of the plane the
data lives in. The first column is the two input features as the network receives them, the last
is the output, drawn larger with the training points on top (at most ``points`` of them, evenly
spread: the tile is small and a thousand dots only blur it). Between columns, faint lines are the
weights (colour = sign, width = magnitude). Layers wider than ``max_neurons`` show their first and
last neurons around an ellipsis and "+N".

Colour scales: tanh and the input features are diverging around 0 (negative -> page -> positive,
tanh fixed to [-1, 1], features to their largest magnitude); ReLU runs from 0 (page) to the
neuron's own largest activation (the shape of its response, not its size); a sigmoid output runs
from class 0's colour (p = 0) through the page (p = 0.5) to class 1's (p = 1); the output tile
shows the predicted class, faded by confidence, as the decision-boundary figure does.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from nn_blog.figures import _compact, _plane, param
from nn_blog.figures import style as st
from nn_blog.figures.architecture import _from_net, _slots

W_UNITS = 72
TOP_PAD, BOTTOM_PAD = 4.5, 4.0
GAP = 0.7


def _rgba(s, act: str, V: np.ndarray, layer_max: float) -> np.ndarray:
    """Activation values (ny, nx) -> RGBA, by the layer's activation (see module docstring)."""
    if act == "sigmoid":
        cmap = LinearSegmentedColormap.from_list("p", [s.classes[0], s.page, s.classes[1]])
        return cmap(np.clip(V, 0, 1))
    if act in ("relu", "leaky_relu"):
        cmap = LinearSegmentedColormap.from_list("r", [s.page, s.positive])
        return cmap(np.clip(V / max(V.max(), 1e-12), 0, 1))
    scale = 1.0 if act == "tanh" else max(layer_max, 1e-12)
    return st.diverging(s)(np.clip(0.5 + 0.5 * V / scale, 0, 1))


def _layout(layers, max_neurons, height):
    slots = [_slots(n, max_neurons) for n, _ in layers[:-1]] + [[0]]
    tallest = max(len(sl) for sl in slots[:-1])
    band = height / 10 - TOP_PAD - BOTTOM_PAD
    tile = min(6.0, (band - GAP * (tallest - 1)) / tallest)
    xs = np.linspace(5.5, W_UNITS - 12.0, len(layers))
    xs[-1] = W_UNITS - 1.0 - min(14.0, band) / 2
    centre = BOTTOM_PAD + band / 2
    ys = [centre + ((len(sl) - 1) / 2 - np.arange(len(sl))) * (tile + GAP) for sl in slots]
    return slots, tile, xs, ys, min(14.0, band), centre


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


def draw(spec: dict, ctx):
    s, trained = ctx.style, ctx.trained
    _plane.require_2d(spec, trained)
    net, split = trained.net, trained.data
    layers = _from_net(net)
    width, height = st.SIZES["neuron_heatmaps"]
    slots, tile, xs, ys, out_size, centre = _layout(layers, int(param(spec, "max_neurons")),
                                                    height)
    ext = _plane.square(_plane.extent(split))
    pts, nx, ny = _plane.grid(ext, int(param(spec, "resolution")))
    X = split.transform(pts).astype(net.dtype)
    values = [X] + [A for _, A in net.forward_all(X)]
    with st.use(s):
        fig = st.figure(s, width, height)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, W_UNITS)
        ax.set_ylim(0, height / 10)
        ax.set_aspect("equal")
        ax.axis("off")
        _weights(ax, s, net, xs, ys, slots, tile, out_size)
        for k, (units, act) in enumerate(layers[:-1]):
            V = np.asarray(values[k], dtype=np.float64)
            layer_max = np.abs(V).max()
            for y, j in zip(ys[k], slots[k], strict=True):
                if j is None:
                    _ellipsis(ax, s, xs[k], y, tile, units - sum(i is not None for i in slots[k]))
                    continue
                img = _rgba(s, act or "identity", V[:, j].reshape(ny, nx), layer_max)
                _tile(ax, s, img, xs[k], y, tile)
            if k == 0:
                for y, name in zip(ys[0], ("$x_1$", "$x_2$"), strict=False):
                    ax.text(xs[0] - tile / 2 - 0.6, y, name, ha="right", va="center",
                            fontsize=st.SMALL, color=s.muted)
            _header(ax, s, k, len(layers) - 1, xs[k], height, act, units)
        _output(ax, s, trained, values[-1], layers[-1][1], xs[-1], centre, out_size, ext, nx, ny,
                int(param(spec, "points")))
        _header(ax, s, len(layers) - 1, len(layers) - 1, xs[-1], height, layers[-1][1], 1)
        _scale_bar(ax, s, layers[1][1] or "identity", (xs[1] + xs[-2]) / 2 + 4.0)
    return fig


def _scale_bar(ax, s, act, x):
    """The colour scale of the first hidden layer's tiles, centred under the hidden columns."""
    t = np.linspace(0, 1, 256).reshape(1, -1)
    if act in ("relu", "leaky_relu"):
        img, ends, what = _rgba(s, act, t, 1.0), ("0", "max"), "ReLU activation (per tile)"
    elif act == "sigmoid":
        img, ends, what = _rgba(s, act, t, 1.0), ("0", "1"), "sigmoid activation"
    else:
        img = _rgba(s, act, 2 * t - 1, 1.0)
        ends, what = ("−1", "+1"), f"{act} activation"
    x0, x1, y0, y1 = x - 6.0, x + 6.0, 1.0, 1.9
    _compact.plane_image(ax, img, (x0, x1, y0, y1), zorder=2, aspect=None)
    ax.add_patch(_frame((x0, x1, y0, y1), s))
    ax.text(x0 - 0.5, (y0 + y1) / 2, ends[0], ha="right", va="center", fontsize=st.SMALL,
            color=s.muted)
    ax.text(x1 + 0.5, (y0 + y1) / 2, ends[1], ha="left", va="center", fontsize=st.SMALL,
            color=s.muted)
    ax.text(x0 - 3.0, (y0 + y1) / 2, what, ha="right", va="center", fontsize=st.SMALL,
            color=s.muted)


def _tile(ax, s, img, x, y, size):
    box = (x - size / 2, x + size / 2, y - size / 2, y + size / 2)
    _compact.plane_image(ax, img, box, zorder=2, aspect=None)
    ax.add_patch(_frame(box, s))


def _frame(box, s):
    from matplotlib.patches import Rectangle

    return Rectangle((box[0], box[2]), box[1] - box[0], box[3] - box[2], fill=False,
                     ec=s.spine, lw=0.6, zorder=3)


def _ellipsis(ax, s, x, y, tile, hidden):
    ax.text(x, y, "⋮", ha="center", va="center", fontsize=st.LARGE, color=s.muted)
    ax.text(x + tile / 2 + 0.3, y, f"+{hidden}", ha="left", va="center", fontsize=st.SMALL,
            color=s.muted)


def _header(ax, s, k, last, x, height, act, units):
    name = "input" if k == 0 else ("output" if k == last else f"hidden {k}" if last > 2 else
                                   "hidden")
    ax.text(x, height / 10 - 1.2, name, ha="center", va="top", fontsize=st.SMALL, color=s.text)
    if k > 0 and act:
        ax.text(x, height / 10 - 2.9, act, ha="center", va="top", fontsize=st.SMALL,
                color=s.muted)


def _output(ax, s, trained, A, act, x, y, size, ext, nx, ny, limit):
    A = np.asarray(A, dtype=np.float64)
    P = np.column_stack([1 - A[:, 0], A[:, 0]]) if A.shape[1] == 1 else A
    img = _plane.shade(P, nx, ny, s, strength=0.6)
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
    ax.scatter(u, v, s=4, c=colours, edgecolors=s.page, linewidths=0.3, zorder=4, clip_on=False)
