"""A 2-input classifier's decision regions, with its training and test points.

Each point of the plane is tinted with the colour of the class the network predicts, more strongly
the more confident it is (binary: sigmoid output p, confidence |2p - 1|; multi-class: softmax, the
top probability rescaled from [1/k, 1] to [0, 1]); a thin line traces the boundary. Training points
are circles, test points outlined diamonds; the data split is the one the network was trained on
(``trained.data``, rebuilt from the declaration's seed). The corner note quotes
``trained.results["test_accuracy"]``. Test points the network gets wrong are ringed in the
``mistake`` colour (parameter ``mark_mistakes``), and the legend counts them: those rings and the
accuracy note come from the same predictions. Parameters: ``resolution`` (grid cells along the
longer side), ``show_test``, ``mark_mistakes``, ``narrow`` (the phone-width variant: 360 px wide,
the legend in rows).
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from nn_blog.figures import _plane, param
from nn_blog.figures import style as st

LEFT_RIGHT_PX = 80      # room for tick labels and padding around the square-celled plot
LEGEND_PX = 90


def mistakes(trained) -> np.ndarray:
    """Indices of the test points the network misclassifies."""
    split, net = trained.data, trained.net
    pred = np.asarray(net.predict_classes(split.X_test.astype(net.dtype)))
    return np.flatnonzero(pred != split.y_test)


def _ring(ax, s, trained, wrong, size):
    X = trained.data.inverse_transform(trained.data.X_test)[wrong]
    return ax.scatter(X[:, 0], X[:, 1], s=size, marker="o", facecolors="none",
                      edgecolors=s.mistake, linewidths=1.8, zorder=5, clip_on=False)


def narrow(spec) -> dict:
    return {"narrow": True}


def legend_handles(s, k: int, show_test: bool) -> list[Line2D]:
    colours = _plane.class_colours(s, k)
    handles = [Line2D([], [], ls="", marker="s", ms=9, color=colours[i], alpha=0.85,
                      label=f"class {i}") for i in range(k)]
    handles.append(Line2D([], [], ls="", marker="o", ms=6, color=s.muted, label="training"))
    if show_test:
        handles.append(Line2D([], [], ls="", marker="D", ms=6, color=s.muted, mec=s.text,
                              label="test"))
    return handles


def draw(spec: dict, ctx):
    s, trained = ctx.style, ctx.trained
    _plane.require_2d(spec, trained)
    split = trained.data
    ext = _plane.extent(split)
    show_test = bool(param(spec, "show_test"))
    is_narrow = bool(param(spec, "narrow"))
    width = st.NARROW_WIDTH if is_narrow else st.SIZES["decision_boundary"][0]
    ratio = (ext[3] - ext[2]) / (ext[1] - ext[0])
    legend_px = LEGEND_PX + (30 if is_narrow else 0)
    height = min(640, max(300, round((width - LEFT_RIGHT_PX) * ratio + legend_px)))
    with st.use(s):
        fig = st.figure(s, width, height, layout="constrained")
        ax = fig.add_subplot()
        _plane.regions(ax, s, trained.net, split, ext, int(param(spec, "resolution")))
        dot = 7.0 if is_narrow else 16.0      # a dot's area in pt²: the same data, half the room
        _plane.points(ax, s, split, "train", size=dot)
        if show_test:
            _plane.points(ax, s, split, "test", size=dot)
        ax.set_aspect("equal")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$", rotation=0, labelpad=8)
        ax.spines[["top", "right"]].set_visible(True)
        acc = trained.results.get("test_accuracy")
        if acc is not None:
            ax.text(0.02, 0.98, f"test accuracy {100 * acc:.1f}%", transform=ax.transAxes,
                    ha="left", va="top", fontsize=st.SMALL, color=s.text, zorder=5,
                    bbox={"boxstyle": "round,pad=0.3", "fc": s.page, "ec": "none",
                          "alpha": 0.85})
        k = max(2, int(split.n_classes))
        handles = legend_handles(s, k, show_test)
        if show_test and bool(param(spec, "mark_mistakes")):
            wrong = mistakes(trained)
            _ring(ax, s, trained, wrong, dot * 5)
            handles.append(Line2D([], [], ls="", marker="o", ms=9, mfc="none", mec=s.mistake,
                                  mew=1.8, label=f"misclassified ({len(wrong)})"))
        ncol = 3 if is_narrow else len(handles)
        fig.legend(handles=handles, loc="outside lower center",
                   ncol=ncol, handletextpad=0.3, columnspacing=1.2, fontsize=st.SMALL)
    return fig
