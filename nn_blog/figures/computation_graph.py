"""A worked example: a forward pass, the loss, the backward pass and one update of a 2-2-1 net.

The network is the smallest that needs a hidden layer: two inputs, two sigmoid hidden neurons,
one sigmoid output, binary cross-entropy, on one XOR sample (parameter ``x``, target ``y``).
Every number is the reference engine's own (``nn_blog.nn``): ``net.forward(X)`` leaves each
layer's ``Z`` and ``A``; ``net.loss_fn(Y_hat, Y)`` is the loss; ``net.backward(Y)`` leaves each
layer's ``dZ``, ``dW`` and ``db``; ``SGD(lr).step(net.params, net.grads)`` is the update, after
which a second forward pass gives the loss again. :func:`example` computes them once; :func:`draw`
prints them and :func:`data` hands the same numbers to the post (the render writes them into the
figure's manifest entry), so prose and picture cannot disagree.

The graph reads left to right (top to bottom in the narrow variant): the inputs; each neuron as a
box holding what it owns and computes, forward values in the text colour (its incoming weights
``w`` and bias ``b``, then ``z`` and ``a``) and backward values in the gradient colour (``dz``,
``dw``, ``db``: the derivative of the loss with respect to each); then the loss, and under it the
loss after one step. Parameters: ``x`` (two inputs), ``y`` (0 or 1), ``seed`` (the initial
weights), ``lr``, ``narrow``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from nn_blog.errors import NNBlogError
from nn_blog.figures import FIGURES_FILE, param
from nn_blog.figures import style as st

DIGITS = 3            # decimals printed in the figure
SIGNIFICANT = 6       # significant digits handed to the post


def _check(spec) -> tuple[np.ndarray, np.ndarray, int, float]:
    x, y = param(spec, "x"), param(spec, "y")
    name = spec.get("name")
    if len(x) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                              for v in x):
        raise NNBlogError(f"expected two numbers, got {x!r}", file=FIGURES_FILE, item=name,
                          field="x")
    if y not in (0, 1):
        raise NNBlogError(f"expected 0 or 1, got {y!r}", file=FIGURES_FILE, item=name, field="y")
    lr = float(param(spec, "lr"))
    if not 0 < lr <= 100:
        raise NNBlogError(f"expected 0 < lr <= 100, got {lr!r}", file=FIGURES_FILE, item=name,
                          field="lr")
    return (np.array([x], dtype=np.float64), np.array([[float(y)]]), int(param(spec, "seed")),
            lr)


def example(spec) -> dict:
    """Every number of the worked example, as float64 arrays and floats.

    Keys: ``X`` (1, 2), ``Y`` (1, 1), ``lr``; ``hidden`` and ``output``, each a dict of the layer's
    ``W`` (n_in, n_out), ``b``, ``Z``, ``A``, ``dZ``, ``dW``, ``db`` (before the step) and
    ``W_after``, ``b_after``; ``Y_hat``, ``loss`` (before the step) and ``loss_after``,
    ``Y_hat_after`` (a forward pass after one SGD step).
    """
    from nn_blog.nn import SGD, Dense, Network

    X, Y, seed, lr = _check(spec)
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="bce", seed=seed)
    Y_hat = net.forward(X)
    loss = float(net.loss_fn(Y_hat, Y))
    net.backward(Y)
    layers = {}
    for key, layer in zip(("hidden", "output"), net.layers, strict=True):
        layers[key] = {k: np.array(getattr(layer, k), dtype=np.float64)
                       for k in ("W", "b", "Z", "A", "dZ", "dW", "db")}
    Y_hat = np.array(Y_hat, dtype=np.float64)
    SGD(lr=lr).step(net.params, net.grads)
    for key, layer in zip(("hidden", "output"), net.layers, strict=True):
        layers[key]["W_after"] = np.array(layer.W, dtype=np.float64)
        layers[key]["b_after"] = np.array(layer.b, dtype=np.float64)
    Y_hat_after = net.forward(X)
    loss_after = float(net.loss_fn(Y_hat_after, Y))
    return {"X": X, "Y": Y, "lr": lr, **layers, "Y_hat": Y_hat, "loss": loss,
            "Y_hat_after": np.array(Y_hat_after, dtype=np.float64), "loss_after": loss_after,
            "step2": _second_step(net, X, Y, lr)}


def _second_step(net, X, Y, lr) -> dict:
    """The next step from where the first left off (the post's exercise): the backward pass on
    the updated weights, a second SGD step and the loss after it. ``net`` has just run forward."""
    from nn_blog.nn import SGD

    net.backward(Y)
    out, hidden = net.layers[1], net.layers[0]
    step = {"output_dz": np.array(out.dZ[0], dtype=np.float64),
            "output_dW": np.array(out.dW[:, 0], dtype=np.float64),
            "hidden_dz": np.array(hidden.dZ[0], dtype=np.float64)}
    SGD(lr=lr).step(net.params, net.grads)
    Y_hat = net.forward(X)
    step["y_hat_after"] = float(Y_hat[0, 0])
    step["loss_after"] = float(net.loss_fn(Y_hat, Y))
    return step


def _round(value):
    if isinstance(value, np.ndarray):
        return [_round(v) for v in value.tolist()] if value.ndim else _round(float(value))
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}")
    return value


def data(spec, ctx=None) -> dict:
    """The worked example's numbers for the post (JSON-able, 6 significant digits).

    ``x`` [x1, x2], ``y``, ``lr``, ``loss``, ``loss_after``, ``loss_change``, ``y_hat``,
    ``y_hat_after``, and per layer (``hidden``, ``output``): ``W`` (rows = inputs), ``b``, ``z``,
    ``a``, ``dz``, ``dW``, ``db``, ``W_after``, ``b_after`` (one sample, so ``z``, ``a``, ``dz``
    are the batch's single row). ``step2``: the next step, from the updated weights
    (``output_dz``, ``output_dW``, ``hidden_dz``, ``y_hat_after``, ``loss_after``).
    ``exact``: the same keys but ``step2``, unrounded (what the live figure starts from and is
    tested against).
    """
    ex = example(spec)
    out = {"x": ex["X"][0], "y": float(ex["Y"][0, 0]), "lr": ex["lr"],
           "loss": ex["loss"], "loss_after": ex["loss_after"],
           "loss_change": ex["loss_after"] - ex["loss"],
           "y_hat": float(ex["Y_hat"][0, 0]), "y_hat_after": float(ex["Y_hat_after"][0, 0])}
    for key in ("hidden", "output"):
        L = ex[key]
        out[key] = {"W": L["W"], "b": L["b"], "z": L["Z"][0], "a": L["A"][0], "dz": L["dZ"][0],
                    "dW": L["dW"], "db": L["db"], "W_after": L["W_after"],
                    "b_after": L["b_after"]}
    out["step2"] = ex["step2"]
    rounded = _round(out)
    # The live figure (live=graph-step) recomputes every number in the browser from the same
    # start: it needs the starting point at full precision, and its test compares all of it
    # with these (JSON keeps a float64 exactly: the shortest repr round-trips).
    rounded["exact"] = _exact({k: v for k, v in out.items() if k != "step2"})
    return rounded


def _exact(value):
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).tolist()
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return float(value) if isinstance(value, (float, np.floating)) else value


# --------------------------------------------------------------------------- drawing

def _f(v: float) -> str:
    """A number as printed: DIGITS decimals, a true minus sign, no "-0.000"."""
    text = f"{v:.{DIGITS}f}"
    if float(text) == 0:
        text = f"{0:.{DIGITS}f}"
    return text.replace("-", "−")


def _vec(values) -> str:
    return "(" + ", ".join(_f(v) for v in values) + ")"


def neuron_lines(ex, key: str, j: int) -> list[tuple[str, str]]:
    """(text, "fwd" | "bwd") lines of neuron j of layer ``key``, top to bottom."""
    L = ex[key]
    a = "ŷ" if key == "output" else "a"
    return [(f"w = {_vec(L['W'][:, j])}", "fwd"), (f"b = {_f(L['b'][j])}", "fwd"),
            (f"z = {_f(L['Z'][0, j])}", "fwd"), (f"{a} = σ(z) = {_f(L['A'][0, j])}", "fwd"),
            (f"dz = {_f(L['dZ'][0, j])}", "bwd"),
            (f"dw = {_vec(L['dW'][:, j])}", "bwd"), (f"db = {_f(L['db'][j])}", "bwd")]


def narrow(spec) -> dict:
    return {"narrow": True}


class _Canvas:
    """Axes in CSS px (origin bottom left), so boxes and text line up with the font's size."""

    LINE = 17.0       # px between text lines (SMALL is 12.7 px)
    PAD = 7.0

    def __init__(self, ax, s):
        self.ax, self.s = ax, s

    def box(self, x, y_top, width, title, lines, edge) -> float:
        """A rounded box whose top-left corner is (x, y_top); returns its bottom y."""
        s = self.s
        height = self.PAD * 2 + self.LINE * (len(lines) + 1)
        self.ax.add_patch(FancyBboxPatch((x, y_top - height), width, height,
                                         boxstyle="round,pad=0,rounding_size=6",
                                         fc=st.mix(edge, s.page, 0.88), ec=edge, lw=1.2,
                                         zorder=2))
        y = y_top - self.PAD - self.LINE / 2
        self.ax.text(x + self.PAD, y, title, ha="left", va="center", fontsize=st.SMALL,
                     color=s.text, fontweight="bold", zorder=3)
        for text, which in lines:
            y -= self.LINE
            colour = s.text if which == "fwd" else _grad_colour(s)
            self.ax.text(x + self.PAD, y, text, ha="left", va="center", fontsize=st.SMALL,
                         color=colour, zorder=3)
        return y_top - height

    def label(self, x, y, *lines, ha="center", va="center"):
        """A local derivative written on an arrow: small, on the page's colour so the arrow
        does not run through it."""
        self.ax.text(x, y, "\n".join(lines), ha=ha, va=va, fontsize=st.SMALL,
                     color=self.s.muted, zorder=4, linespacing=1.15, multialignment="center",
                     bbox={"boxstyle": "round,pad=0.15", "fc": self.s.page, "ec": "none"})

    def arrow(self, p0, p1):
        self.ax.add_patch(FancyArrowPatch(p0, p1, arrowstyle="-|>,head_width=3,head_length=6",
                                          mutation_scale=1, color=self.s.muted, lw=1.2,
                                          shrinkA=0, shrinkB=0, zorder=1))


def _down_label(ex, j) -> tuple[str, str]:
    """The arrow from hidden neuron j to the output: crossing it back multiplies by
    ∂z/∂a_j = w_j (the output's weight on it)."""
    return f"∂z/∂a{'₁₂'[j]}", f"= {_f(ex['output']['W'][j, 0])}"


def _loss_label(ex) -> tuple[str, str]:
    """The arrow into the loss: ∂ℓ/∂ŷ = (ŷ − y) / (ŷ (1 − ŷ)) for binary cross-entropy."""
    y_hat, y = float(ex["Y_hat"][0, 0]), float(ex["Y"][0, 0])
    return "∂ℓ/∂ŷ", f"= {_f((y_hat - y) / (y_hat * (1 - y_hat)))}"


def _grad_colour(s):
    """The backward pass's colour: the negative colour, blended towards the text colour until it
    keeps 4.5:1 contrast against the boxes' most tinted fill."""
    return st.readable(s, s.negative, against=st.mix(s.accent, s.page, 0.88))


def _layout(wide: bool):
    """Positions (px) of the blocks: inputs, two hidden boxes, the output box, the loss box.
    The gaps the backward pass crosses (hidden to output, output to loss) are wide enough for
    each arrow's local derivative, written on it in two short lines."""
    box_w = 178.0
    box_h = 2 * _Canvas.PAD + 8 * _Canvas.LINE
    if wide:
        width, height = 824, 372
        top = height - 52
        return {"size": (width, height), "box_w": box_w,
                "inputs": [(46.0, top - 38.0), (46.0, top - box_h - 38.0)],
                "hidden": [(124.0, top), (124.0, top - box_h - 14.0)],
                "output": (366.0, top - (box_h + 14.0) / 2),
                "loss": (624.0, top - (box_h + 14.0) / 2 + 6.0), "loss_w": 192.0}
    width = st.NARROW_WIDTH
    height = 690
    top = height - 52
    return {"size": (width, height), "box_w": 168.0,
            "inputs": [(86.0, top - 6.0), (274.0, top - 6.0)],
            "hidden": [(6.0, top - 84.0), (186.0, top - 84.0)],
            "output": (96.0, top - 84.0 - box_h - 62.0),
            "loss": (86.0, top - 84.0 - 2 * box_h - 124.0), "loss_w": 188.0}


def draw(spec: dict, ctx):
    s = ctx.style
    ex = example(spec)
    wide = not bool(param(spec, "narrow"))
    lay = _layout(wide)
    width, height = lay["size"]
    with st.use(s):
        fig = st.figure(s, width, height)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.axis("off")
        c = _Canvas(ax, s)
        _key(ax, s, width, height)
        box_w = lay["box_w"]
        # inputs
        for i, (x, y) in enumerate(lay["inputs"]):
            ax.text(x, y, f"x{'₁₂'[i]} = {_f(ex['X'][0, i])}", ha="center", va="center",
                    fontsize=st.SMALL, color=s.text, zorder=3,
                    bbox={"boxstyle": "round,pad=0.35", "fc": s.panel, "ec": s.spine})
            # the input is the local derivative of z_j along its weight: dw_pj = x_p dz_j
            c.label(x, y - 22, f"= ∂z/∂w{'₁₂'[i]}ⱼ", va="top")
        hidden_boxes = []
        for j, (x, y) in enumerate(lay["hidden"]):
            bottom = c.box(x, y, box_w, f"hidden neuron {j + 1}", neuron_lines(ex, "hidden", j),
                           s.accent)
            hidden_boxes.append((x, y, bottom))
        ox, oy = lay["output"]
        o_bottom = c.box(ox, oy, box_w, "output neuron", neuron_lines(ex, "output", 0),
                         s.classes[0])
        lx, ly = lay["loss"]
        y_val = int(ex["Y"][0, 0])
        loss_lines = [(f"target y = {y_val}", "fwd"),
                      (f"ℓ = bce(ŷ, y) = {_f(ex['loss'])}", "fwd"),
                      ("dz = (ŷ − y) / n", "bwd"),
                      (f"one SGD step, lr = {ex['lr']:g}:", "fwd"),
                      (f"ℓ = {_f(ex['loss'])} → {_f(ex['loss_after'])}", "fwd")]
        l_bottom = c.box(lx, ly, lay["loss_w"], "loss", loss_lines, s.muted)
        # arrows: the forward pass
        if wide:
            for (ix, iy) in lay["inputs"]:
                for (hx, hy, hb) in hidden_boxes:
                    c.arrow((ix + 42, iy), (hx, (hy + hb) / 2))
            for j, (hx, hy, hb) in enumerate(hidden_boxes):
                p0, p1 = (hx + box_w, (hy + hb) / 2), (ox, (oy + o_bottom) / 2)
                c.arrow(p0, p1)
                c.label((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2 + (10 if j else -10),
                        *_down_label(ex, j))
            p0, p1 = (ox + box_w, (oy + o_bottom) / 2), (lx, (ly + l_bottom) / 2)
            c.arrow(p0, p1)
            # above the arrow, which stays whole: the gap is as wide as the label
            c.label((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2 + 26, *_loss_label(ex))
        else:
            for (ix, iy) in lay["inputs"]:
                for (hx, hy, _) in hidden_boxes:
                    c.arrow((ix, iy - 42), (hx + box_w / 2, hy))
            for j, (hx, _, hb) in enumerate(hidden_boxes):
                p0, p1 = (hx + box_w / 2, hb), (ox + box_w / 2, oy)
                c.arrow(p0, p1)
                c.label(p0[0] + (-8 if j == 0 else 8), (p0[1] + p1[1]) / 2, *_down_label(ex, j),
                        ha="right" if j == 0 else "left")
            p0, p1 = (ox + box_w / 2, o_bottom), (lx + lay["loss_w"] / 2, ly)
            c.arrow(p0, p1)
            c.label(p0[0] + 10, (p0[1] + p1[1]) / 2, " ".join(_loss_label(ex)), ha="left")
    return fig


def _key(ax, s, width, height):
    """Which colour is which pass, and what the arrows carry, across the top (two lines in the
    narrow variant)."""
    wide = width > st.NARROW_WIDTH
    y = height - 16
    shift = 100 if wide else 0
    ax.text(width / 2 - 8 - shift, y, "forward: values", ha="right", va="center",
            fontsize=st.SMALL, color=s.text)
    ax.text(width / 2 + 8 - shift, y, "backward: d = ∂ℓ/∂(·)", ha="left", va="center",
            fontsize=st.SMALL, color=_grad_colour(s))
    arrows = "arrows: local derivatives"
    if wide:
        ax.text(width / 2 + 180 - shift, y, arrows, ha="left", va="center", fontsize=st.SMALL,
                color=s.muted)
    else:
        ax.text(width / 2, y - 17, arrows, ha="center", va="center", fontsize=st.SMALL,
                color=s.muted)
