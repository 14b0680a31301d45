"""The post's header artwork: what a trained 2-input network (the spiral) thinks of the whole plane.

No text: the page puts the title over or beside it. The network's class regions fill the frame,
tinted by confidence, with iso-probability lines drawn like the contours of a map and the training
points on top. Because the frame is wider than the data, the network's extrapolation beyond its
training points is part of the picture.

Two variants, parameter ``variant``:

- ``banner`` (default): 1280 x 400 CSS px, the data set sitting in the right part of the frame so
  a title overlaid on the left stays readable;
- ``teaser``: 500 x 300 CSS px card, the data set centred.

``teaser(spec, ctx)`` is ``draw`` with ``variant: teaser``, so the render service can write both
legacy JPEGs (banner, teaser) from one declaration.

Parameter ``raster`` (2 by default): pixels per CSS pixel of the PNG or JPEG, so a legacy copy
can be the phone's size (``raster: 0.75``, 960 px wide: a quarter of the 2x banner's bytes,
for a page's ``srcset``).

Parameter ``scheme`` (``light`` by default, or ``dark``) is the palette of a legacy copy. A legacy
file is drawn in the light palette; ``scheme: dark`` draws it in the dark one, flattened onto the
dark page colour, so a dark page can show a JPEG instead of the dark SVG (which costs a phone a
few hundred ms of main thread to decode). ``light`` leaves the palette to the render: the
figure's own dark render stays dark.
"""

from __future__ import annotations

import numpy as np

from nn_blog.figures import _compact, _plane, param
from nn_blog.figures import style as st

BANDS = 8           # contour lines of the margin, like the height lines of a map


def _frame(split, width: int, height: int, centre_at: float):
    """An extent of the figure's aspect ratio whose x range puts the data centre at ``centre_at``
    (a fraction of the width) and whose height is the data's height plus a margin."""
    x0, x1, y0, y1 = _plane.extent(split, margin=0.05)
    h = (y1 - y0) * 1.08
    w = h * width / height
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = cx - centre_at * w
    return left, left + w, cy - h / 2, cy + h / 2


def _logits(net, split, points, chunk: int = 8192) -> np.ndarray:
    """The output layer's pre-activations Z (n, k); a sigmoid output becomes [0, Z].

    In chunks of rows: the banner's grid has ~10^5 points, and every hidden layer's (Z, A) for
    all of them at once would cost a worker hundreds of MB for a picture.
    """
    X = split.transform(points).astype(net.dtype)
    Z = np.concatenate([np.asarray(net.forward_all(X[i:i + chunk])[-1][0], float)
                        for i in range(0, len(X), chunk)])
    return np.column_stack([np.zeros(len(Z)), Z[:, 0]]) if Z.shape[1] == 1 else Z


def _margins(Z):
    """(winning class (n,), its margin (n,)): how far the winner's logit stands above the
    runner-up's. Zero on the decision boundary."""
    top2 = np.sort(Z, axis=1)[:, -2:]
    return Z.argmax(axis=1), top2[:, 1] - top2[:, 0]


def _art(ax, s, trained, ext, nx: int, ny: int, point_size: float):
    x0, x1, y0, y1 = ext
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    Z = _logits(trained.net, trained.data, points)
    winner, margin = _margins(Z)
    colours = _plane.class_colours(s, Z.shape[1])
    scale = np.quantile(margin, 0.5) + 1e-12
    # a softened softmax blends the colours across a boundary instead of a pixel step
    soft = np.exp((Z - Z.max(axis=1, keepdims=True)) / (0.015 * scale))
    soft /= soft.sum(axis=1, keepdims=True)
    rgba = np.empty((len(points), 4))
    rgba[:, :3] = soft @ colours
    # strongest colour along the boundaries, fading into the page far from them
    rgba[:, 3] = 0.10 + 0.55 * np.exp(-margin / scale)
    _compact.plane_image(ax, rgba.reshape(ny, nx, 4), ext, zorder=0)
    step = np.quantile(margin, 0.9) / BANDS
    for c in range(len(colours)):
        field = np.where(winner == c, margin, -step).reshape(ny, nx)
        ax.contour(xs, ys, field, levels=step * np.arange(1, BANDS + 1), colors=[colours[c]],
                   linewidths=0.8, alpha=0.45, zorder=1)
    X = trained.data.inverse_transform(trained.data.X_train)
    ax.scatter(X[:, 0], X[:, 1], s=point_size, c=colours[trained.data.y_train],
               edgecolors=s.page, linewidths=0.6, zorder=2)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def draw(spec: dict, ctx):
    # scheme: dark asks for the dark palette whatever the part (a dark legacy JPEG)
    s = st.DARK if param(spec, "scheme") == "dark" else ctx.style
    trained = ctx.trained
    _plane.require_2d(spec, trained)
    variant = param(spec, "variant")
    banner = variant != "teaser"
    width, height = st.SIZES["header_banner" if banner else "header_teaser"]
    ext = _frame(trained.data, width, height, 0.68 if banner else 0.5)
    with st.use(s):
        # JPEG has no transparency: the artwork always has the page colour behind it
        fig = st.figure(s, width, height, facecolor=s.page)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_facecolor(s.page)
        # half the CSS resolution: the blend is smooth, and bilinear resampling does the rest
        _art(ax, s, trained, ext, width // 2, height // 2, 10.0 if banner else 7.0)
        _plane.bare(ax)
    fig.nn_raster = param(spec, "raster")  # pixels per CSS pixel of its PNG or JPEG
    return fig
