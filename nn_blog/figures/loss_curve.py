"""Training and validation loss (left) and accuracy (right) per epoch, from ``trained.history``.

The curves are the history exactly as training recorded it: the last point of the training-loss
line is ``trained.results["final_loss"]``. Epochs count from 1 (the state after the first epoch).
The second curve is named after the data it was measured on: "validation" for a validation split
(history ``val_loss``/``val_accuracy`` of a network with ``results["n_validation"]`` > 0,
networks.yml ``validation``), "test" for the test split (history ``test_loss``/``test_accuracy``,
or ``val_*`` of a network that holds out no validation split). Parameter ``log_scale``
puts the loss on a log axis; ``narrow`` stacks the two panels for a phone's column.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from nn_blog.figures import param
from nn_blog.figures import style as st

TRAIN_LABEL, VAL_LABEL, TEST_LABEL = "training", "validation", "test"
LOSS_NAMES = {"mse": "mean squared error", "bce": "binary cross-entropy",
              "cross_entropy": "cross-entropy"}
NICE = [1, 2, 2.5, 5, 10]


def held_out(trained) -> tuple[str, list | None, list | None]:
    """(label, loss per epoch, accuracy per epoch) of the held-out curve, or (label, None, None)."""
    h = trained.history
    if h.get("val_loss"):
        validation = (trained.results.get("n_validation") or 0) > 0
        return (VAL_LABEL if validation else TEST_LABEL), h["val_loss"], h.get("val_accuracy")
    return TEST_LABEL, h.get("test_loss"), h.get("test_accuracy")


def held_out_label(trained) -> str:
    """What the held-out curves were measured on: "validation" or "test"."""
    return held_out(trained)[0]


def _series(ax, s, epochs, train, val, val_label=VAL_LABEL):
    """Both curves, with a dot and the value at each curve's last epoch."""
    lines = [ax.plot(epochs, train, color=s.series[0], lw=2.0, label=TRAIN_LABEL, zorder=3)[0]]
    if val is not None and len(val) == len(train):
        lines.append(ax.plot(epochs, val, color=s.series[1], lw=1.8, label=val_label,
                             zorder=2)[0])
    for line in lines:
        x, y = line.get_xdata()[-1], line.get_ydata()[-1]
        ax.plot([x], [y], "o", ms=4.5, color=line.get_color(), zorder=4, clip_on=False)
    return lines


def _end_labels(ax, s, lines, fmt):
    """Values at the right end, nudged apart when the two curves finish close together."""
    ends = [(line.get_ydata()[-1], line) for line in lines]
    lo, hi = ax.get_ylim()
    log = ax.get_yscale() == "log"
    to_ax = (lambda v: (np.log10(v) - np.log10(lo)) / (np.log10(hi) - np.log10(lo))) if log \
        else (lambda v: (v - lo) / (hi - lo))
    pos = sorted(((to_ax(v), v, line) for v, line in ends), key=lambda t: t[0])
    if len(pos) == 2 and pos[1][0] - pos[0][0] < 0.08:
        mid = (pos[0][0] + pos[1][0]) / 2
        pos = [(mid - 0.04, *pos[0][1:]), (mid + 0.04, *pos[1][1:])]
    for y_ax, v, line in pos:
        ax.annotate(fmt(v), xy=(1.0, y_ax), xycoords="axes fraction", xytext=(6, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=st.SMALL,
                    color=st.readable(s, line.get_color()))


def narrow(spec) -> dict:
    return {"narrow": True}


def draw(spec: dict, ctx):
    s = ctx.style
    h = ctx.trained.history
    epochs = np.arange(1, len(h["loss"]) + 1)
    is_narrow = bool(param(spec, "narrow"))
    size = (st.NARROW_WIDTH, 520) if is_narrow else st.SIZES["loss_curve"]
    with st.use(s):
        fig = st.figure(s, *size, layout="constrained")
        fig.get_layout_engine().set(w_pad=0.12, wspace=0.08, hspace=0.06)
        ax_loss, ax_acc = fig.subplots(2, 1) if is_narrow else fig.subplots(1, 2)
        label, held_loss, held_acc = held_out(ctx.trained)
        loss_lines = _series(ax_loss, s, epochs, h["loss"], held_loss, label)
        if bool(param(spec, "log_scale")):
            ax_loss.set_yscale("log")
        else:
            ax_loss.set_ylim(bottom=0)
        loss = getattr(ctx.trained, "spec", {}).get("loss")
        title = f"loss ({LOSS_NAMES[loss]})" if loss in LOSS_NAMES else "loss"
        ax_loss.set_title(title, loc="left", fontsize=st.FONT_SIZE)
        acc_lines = _series(ax_acc, s, epochs, h["accuracy"], held_acc, label)
        ax_acc.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        lo = min(min(h["accuracy"]), min(held_acc or [1.0]))
        ax_acc.set_ylim(max(0.0, lo - 0.03), 1.0 + 0.02 * (1.0 - lo))
        ax_acc.set_title("accuracy", loc="left", fontsize=st.FONT_SIZE)
        for ax in (ax_loss, ax_acc):
            ax.set_xlabel("epoch")
            ax.set_xlim(0, epochs[-1])
            ax.xaxis.set_major_locator(MaxNLocator(5, integer=True, steps=NICE))
            ax.yaxis.set_major_locator(MaxNLocator(5, steps=NICE))
            ax.grid(True, axis="y", color=s.grid, lw=0.8)
            ax.set_axisbelow(True)
        ax_loss.legend(loc="upper right", handlelength=1.6)
        _end_labels(ax_loss, s, loss_lines, lambda v: f"{v:.3f}")
        _end_labels(ax_acc, s, acc_lines, lambda v: f"{100 * v:.1f}%")
    return fig
