"""The digits network on its test split: sample digits and predictions, or a confusion matrix.

Parameter ``mode``:

- ``samples``: a grid of ``count`` test digits (the raw 8x8 pixels, ink in the text colour), each
  labelled with the network's prediction. Misclassified digits are framed and labelled in the
  ``mistake`` colour with their true label. To show what mistakes look like, up to ``count // 8``
  of the grid's last cells go to misclassified test digits; the grid is otherwise the first test
  digits in order, and the line above it gives the true error count for the whole test split.
- ``confusion``: counts of (true label, predicted label) over the whole test split; the diagonal
  (right) is shaded in the accent colour, mistakes off the diagonal in the mistake colour.
- ``weights``: the first layer's weights ``W[:, j]`` (64 of them per hidden neuron j) drawn as an
  8x8 template, the pixel each weight multiplies: positive (the neuron wants ink there) in the
  positive colour, negative in the negative one, zero the page. Each template is scaled to its own
  largest |weight| (the pattern matters, not its size). ``count`` templates are shown, the neurons
  with the largest weight vectors (L2 norm) first; the note above says how many there are.

Parameter ``narrow`` reflows any mode for a phone's column: four digits or templates per row
(at most 16 templates), a smaller confusion matrix.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, param
from nn_blog.figures import style as st


def predictions(trained) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(raw test images (n, 8, 8), true labels (n,), predicted labels (n,))."""
    split, net = trained.data, trained.net
    pred = net.predict_classes(split.X_test.astype(net.dtype))
    images = split.inverse_transform(split.X_test).reshape(-1, 8, 8)
    return images, split.y_test, np.asarray(pred)


def _pick(y, pred, count: int) -> np.ndarray:
    wrong = np.flatnonzero(y != pred)
    shown_wrong = wrong[:count // 8]
    first = [i for i in range(len(y)) if i not in set(shown_wrong)]
    chosen = np.concatenate([first[:count - len(shown_wrong)], shown_wrong]).astype(int)
    return np.sort(chosen)


def _samples(fig, s, trained, count, cols=8):
    images, y, pred = predictions(trained)
    chosen = _pick(y, pred, count)
    rows = -(-len(chosen) // cols)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, i in zip(axes, chosen, strict=False):
        # ink in the text colour, its opacity the pixel value: blank pixels are the page itself
        ink = np.empty((8, 8, 4))
        ink[..., :3] = to_rgb(s.text)
        ink[..., 3] = np.clip(images[i] / 16.0, 0, 1)
        ax.imshow(ink, interpolation="none")   # the SVG carries the 8x8 pixels, drawn as pixels
        ax.set_xticks([])
        ax.set_yticks([])
        ok = y[i] == pred[i]
        for side in ax.spines.values():
            side.set_visible(not ok)
            side.set_color(s.mistake)
            side.set_linewidth(2.0)
        label = f"{pred[i]}" if ok else f"{pred[i]} (true {y[i]})"
        ax.set_title(label, fontsize=st.SMALL, pad=3,
                     color=s.text if ok else st.readable(s, s.mistake),
                     fontweight="normal" if ok else "bold")
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    wrong = int((y != pred).sum())
    shown = int((y[chosen] != pred[chosen]).sum())
    sep = ";\n" if cols < 8 else "; "
    fig.suptitle(f"{wrong} of {len(y)} test digits misclassified{sep}"
                 f"{shown} of them shown, in red", fontsize=st.SMALL, color=s.muted)


def templates(trained, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(neuron indices, their weights as (count, 8, 8) images): the first layer's columns with
    the largest L2 norm first."""
    W = np.asarray(trained.net.layers[0].W, dtype=np.float64)
    if W.shape[0] != 64:
        raise ValueError(f"the first layer has {W.shape[0]} inputs, not 8x8 = 64 pixels")
    order = np.argsort(-np.linalg.norm(W, axis=0), kind="stable")[:count]
    return order, W[:, order].T.reshape(-1, 8, 8)


def _weights(fig, s, trained, count, cols):
    units, images = templates(trained, count)
    rows = -(-len(units) // cols)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    cmap = st.diverging(s)
    for ax, img in zip(axes, images, strict=False):
        top = np.abs(img).max() or 1.0
        ax.imshow(cmap(0.5 + 0.5 * img / top), interpolation="none")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_color(s.spine)
            side.set_linewidth(0.6)
    for ax in axes[len(units):]:
        ax.set_visible(False)
    n_hidden = trained.net.layers[0].W.shape[1]
    sep = "\n" if cols < 8 else " "
    fig.suptitle(f"{len(units)} of the {n_hidden} hidden neurons, largest weights first;{sep}"
                 "each 8x8 template: + ink helps, − ink hurts", fontsize=st.SMALL,
                 color=s.muted)


def confusion(y, pred, k: int = 10) -> np.ndarray:
    """C[i, j] = how many test digits of true label i were predicted as j."""
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (y, pred), 1)
    return C


def _confusion(fig, s, trained):
    _, y, pred = predictions(trained)
    k = max(10, int(trained.data.n_classes))
    C = confusion(y, pred, k)
    ax = fig.add_subplot()
    diag_max = max(C.diagonal().max(), 1)
    off = C.copy()
    np.fill_diagonal(off, 0)
    off_max = max(off.max(), 1)
    for i in range(k):
        for j in range(k):
            n = C[i, j]
            if n == 0:
                continue
            colour, top = (s.accent, diag_max) if i == j else (s.mistake, off_max)
            t = 0.25 + 0.75 * n / top
            fill = st.mix(s.page, colour, t * (0.85 if i == j else 0.7))
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fc=fill, ec="none"))
            dark = np.dot(to_rgb(fill), [0.299, 0.587, 0.114]) < 0.55
            ax.text(j, i, str(n), ha="center", va="center", fontsize=st.SMALL,
                    color="#ffffff" if dark else "#1f2328")
    ax.set_xlim(-0.5, k - 0.5)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.tick_params(length=0, labelsize=st.SMALL)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("predicted label", labelpad=8)
    ax.set_ylabel("true label")
    for side in ax.spines.values():
        side.set_visible(False)
    for v in np.arange(-0.5, k, 1.0):
        ax.axhline(v, color=s.grid, lw=0.6, zorder=0)
        ax.axvline(v, color=s.grid, lw=0.6, zorder=0)
    acc = float((y == pred).mean())
    ax.set_title(f"test split: {len(y)} digits, {100 * acc:.1f}% on the diagonal", y=-0.08,
                 fontsize=st.SMALL, color=s.muted)


SIZES = {"samples": "digits_samples", "confusion": "digits_confusion",
         "weights": "digits_weights"}


def narrow(spec) -> dict:
    """Four per row; at most 16 digits or templates (a phone scrolls, but not forever)."""
    out = {"narrow": True}
    if param(spec, "mode") in ("samples", "weights"):
        out["count"] = min(16, int(param(spec, "count")))
    return out


def draw(spec: dict, ctx):
    s, trained = ctx.style, ctx.trained
    mode = param(spec, "mode")
    if mode not in SIZES:
        raise NNBlogError(f"{mode!r} is not one of: {', '.join(SIZES)}", file=FIGURES_FILE,
                          item=spec.get("name"), field="mode")
    is_narrow = bool(param(spec, "narrow"))
    count = int(param(spec, "count"))
    cols = 4 if is_narrow else 8
    if mode == "weights":
        try:
            units = len(templates(trained, count)[0])
        except ValueError as err:
            raise NNBlogError(str(err), file=FIGURES_FILE, item=spec.get("name"),
                              field="network") from None
        rows = -(-units // cols)
        width = st.NARROW_WIDTH if is_narrow else st.SIZES["digits_weights"][0]
        size = (width, round(rows * (width - 16) / cols * 0.98 + (60 if is_narrow else 40)))
    elif is_narrow:
        rows = -(-count // cols)
        size = (st.NARROW_WIDTH, rows * 100 + 50) if mode == "samples" else \
            (st.NARROW_WIDTH, 390)
    else:
        size = st.SIZES[SIZES[mode]]
    with st.use(s):
        fig = st.figure(s, *size, layout="constrained")
        if mode == "samples":
            _samples(fig, s, trained, count, cols)
        elif mode == "weights":
            _weights(fig, s, trained, count, cols)
        else:
            _confusion(fig, s, trained)
    return fig
