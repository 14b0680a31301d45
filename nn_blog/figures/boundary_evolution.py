"""How the decision regions form during training: small multiples, and an animation.

Every picture is the network with the weights it really had at a snapshot epoch
(``trained.snapshots``: epoch -> params list, 0 = before training, the last = the end), loaded
into a copy of the network; nothing is interpolated. ``draw`` lays out the epochs of parameter
``epochs`` (default: up to two rows of ``columns``, spread evenly over the snapshots) as small
multiples; ``animate`` returns one frame per snapshot (at most ``frames``, evenly spread), so the
animation is as smooth as the declaration's ``snapshots`` list is dense. Parameter ``narrow``:
the small multiples two per row, 360 px wide (the animation's frames are legible as they are).
"""

from __future__ import annotations

import numpy as np

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, _compact, _plane, param
from nn_blog.figures import style as st


def _evenly(items: list[int], n: int) -> list[int]:
    """``n`` items spread evenly over the list, first and last always included."""
    if len(items) <= n:
        return list(items)
    idx = np.unique(np.round(np.linspace(0, len(items) - 1, n)).astype(int))
    return [items[i] for i in idx]


def _epochs(spec, trained) -> list[int]:
    available = sorted(trained.snapshots)
    wanted = param(spec, "epochs")
    if wanted is None:
        return _evenly(available, 2 * int(param(spec, "columns")))
    missing = [e for e in wanted if e not in trained.snapshots]
    if missing or not wanted:
        raise NNBlogError(f"no snapshot at epoch(s) {missing or '[]'}; the network "
                          f"'{trained.name}' keeps {available} (its declaration's 'snapshots')",
                          file=FIGURES_FILE, item=spec.get("name"), field="epochs")
    return list(wanted)


def _at(trained, epoch: int):
    net = trained.net.copy()
    net.set_params(trained.snapshots[epoch])
    return net


def _panel(ax, s, trained, epoch, ext, resolution, point_size):
    _plane.regions(ax, s, _at(trained, epoch), trained.data, ext, resolution)
    dots = _plane.points(ax, s, trained.data, "train", size=point_size)
    _compact.repeat(dots)   # the same points in every panel: the SVG holds them once
    ax.set_aspect("equal")
    _plane.bare(ax)
    ax.set_title(f"epoch {epoch}", fontsize=st.SMALL, color=s.muted, pad=4)


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s, trained = ctx.style, ctx.trained
    _plane.require_2d(spec, trained)
    epochs = _epochs(spec, trained)
    # narrow: the same epochs (chosen from ``columns``), two per row
    columns = 2 if bool(param(spec, "narrow")) else int(param(spec, "columns"))
    columns = max(1, min(columns, len(epochs)))
    rows = -(-len(epochs) // columns)
    ext = _plane.extent(trained.data)
    ratio = (ext[3] - ext[2]) / (ext[1] - ext[0])
    width = st.NARROW_WIDTH if bool(param(spec, "narrow")) else st.SIZES["boundary_evolution"][0]
    height = round(rows * ((width - 16) / columns * ratio + 26) + 8)
    resolution = int(param(spec, "resolution"))
    with st.use(s):
        fig = st.figure(s, width, height, layout="constrained")
        fig.get_layout_engine().set(w_pad=0.04, h_pad=0.04, wspace=0.03, hspace=0.05)
        axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
        for ax, epoch in zip(axes, epochs, strict=False):
            _panel(ax, s, trained, epoch, ext, resolution, point_size=5.0)
        for ax in axes[len(epochs):]:
            ax.set_visible(False)
    return fig


def animate(spec: dict, ctx):
    """One figure per snapshot epoch, for a GIF; the last frame is the trained network.

    A generator: the encoder rasterises each frame before the next is drawn, so a worker holds
    one frame, not all of them.
    """
    s, trained = ctx.style, ctx.trained
    _plane.require_2d(spec, trained)
    epochs = _evenly(sorted(trained.snapshots), int(param(spec, "frames")))
    ext = _plane.extent(trained.data)
    last = max(epochs)
    for epoch in epochs:
        with st.use(s):
            fig = st.figure(s, *st.SIZES["boundary_frame"], layout="constrained")
            ax = fig.add_subplot()
            _panel(ax, s, trained, epoch, ext, int(param(spec, "resolution")), point_size=9.0)
            ax.set_title(f"epoch {epoch} of {last}", fontsize=st.FONT_SIZE, color=s.text, pad=6)
        yield fig
