"""Export a trained network for the browser: compact JSON that ``assets/js/nn-engine.js`` runs.

``export(trained) -> bytes`` is a pure function of a :class:`~nn_blog.experiments.Trained`: the
same network gives the same bytes on every run and machine (sorted keys, no whitespace, every
number written as the shortest decimal that reads back as the same float64). The file holds

* ``layers``: per dense layer ``W`` (n_in rows of n_out numbers, ``Z = X W + b``) and ``b``
  (n_out), as integers, the weights times ``10^decimals``; and the activation the forward pass
  applies (a cross-entropy network's logits are written as a ``softmax`` layer, since that is
  what ``Network.forward`` returns);
* ``input``: the preprocessing the network expects, ``X' = (X - mean) / std`` with the training
  split's statistics (to ``PREPROCESSING_DECIMALS``), or null; rows reach the browser in the
  data set's raw units;
* ``classes``: one name per class (two for a single sigmoid output, whose probabilities the
  browser reports as ``[1 - p, p]``);
* ``decimals``: the weights are rounded to the fewest decimals that leave the predicted class of
  every test-split row unchanged and move none of its probabilities by more than ``TOLERANCE``
  (``None``: no rounding did, full precision is written);
* ``snapshots`` (on request): the weights at each recorded epoch, each rounded the same way with
  its own predictions as the reference and its own ``decimals`` (within ``SNAPSHOT_TOLERANCE``),
  sent as the change from the snapshot before (``delta``; a fifth fewer bytes), with the
  training loss and accuracy of that epoch (the last epoch's weights are ``layers`` and not
  repeated);
* ``training``: loss, optimizer, batch size and epochs as declared; ``train`` (on request): the
  training split in raw units, for a network the reader trains in the page;
* ``plane`` for 2-D data: ``[x0, x1, y0, y1]`` around every point (as the static figures use),
  and ``points``: ``POINTS`` training points (raw units, evenly spread) for the figures to draw;
  ``samples`` for other data: the first ``SAMPLES_PER_CLASS`` test rows of each class in raw
  units, one of each class in turn (the digit pad's "show me a test digit").

``files(trained)`` and ``write(root, trained)`` are the hooks for the render service.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FORMAT = "nn-blog-network/1"
OUTPUT_DIR = "assets/nn"
MAX_DECIMALS = 12  # beyond this, rounding saves nothing over the shortest float64 repr
# How far rounding may move a test row's class probability: half of what a live figure shows
# (probabilities printed as whole percentages; a colour shade moves by less than one step).
TOLERANCE = 5e-3
# The snapshots only shade the plane (the scrubber prints no probability): 3% moves a region's
# opacity by about 4 levels of 255 (more only at the boundary, where the shade fades out).
SNAPSHOT_TOLERANCE = 3e-2
# Training points a 2-D network's export carries for the live figures to draw (a sample, evenly
# spread: enough to show the shape of the data, about 1 kB gzipped).
POINTS = 150
# The standardisation's mean and std, rounded as well (the rounding search sees its effect).
PREPROCESSING_DECIMALS = 6

# Test rows per class the digit pad can show (30 digits: about 1 kB gzipped).
SAMPLES_PER_CLASS = 3

# Names a reader sees for each data set's classes (label i -> CLASS_NAMES[name][i]).
CLASS_NAMES = {
    "and": ["false", "true"], "or": ["false", "true"], "xor": ["false", "true"],
    "moons": ["upper moon", "lower moon"], "circles": ["outer ring", "inner ring"],
    "digits": [str(i) for i in range(10)],
}
_NUMBERED = {"spiral": "arm", "blobs": "blob"}


def output_path(name: str) -> str:
    """Where the render service writes network ``name``, relative to the site root."""
    return f"{OUTPUT_DIR}/{name}.json"


def class_names(dataset: str, k: int) -> list[str]:
    """Names of the ``k`` classes of data set ``dataset`` ("arm 1", ... where they are numbered)."""
    names = CLASS_NAMES.get(dataset)
    if names is not None and len(names) == k:
        return list(names)
    return [f"{_NUMBERED.get(dataset, 'class')} {i + 1}" for i in range(k)]


# --- the forward pass the browser reproduces -------------------------------------------------

def float64_network(net, params=None):
    """A float64 copy of ``net`` (the browser computes in float64), with ``params`` if given."""
    from nn_blog.nn import Network

    config = {**net.to_config(), "dtype": "float64"}
    copy = Network.from_config(config)
    copy.set_params(net.params if params is None else params)
    return copy


def probabilities(net, X):
    """Class probabilities (n, k) for rows X (n, n_in) as the network is fed them; a single
    sigmoid output p becomes the two columns [1 - p, p]."""
    A = net.forward(X)
    if A.shape[1] == 1 and net.layers[-1].activation == "sigmoid":
        return np.column_stack([1.0 - A[:, 0], A[:, 0]])
    return A


def labels(net, X):
    """Predicted classes (n,) as the engine decides them (argmax, or p >= 0.5 for one output)."""
    return net.predict_classes(X)


def fewest_decimals(net, params, X, tolerance=TOLERANCE, base=None, X_seen=None):
    """The fewest decimals d (0..MAX_DECIMALS) such that ``params`` rounded to d decimals predict
    the same class as ``params`` themselves for every row of X, with no class probability moving
    by more than ``tolerance``; None if no d does. With ``base`` (arrays like ``params``) the
    weights are sent as their change from ``base``, rounded (see :func:`rounded`). ``X_seen``:
    the rows as the browser prepares them (with the exported, rounded preprocessing), on which
    the rounded weights must agree with the exact ones on X.

    Labels alone would let XOR keep whole-number weights: right on every test point, yet its
    probabilities (what the live figures shade and print) far from the static figure's.
    """
    exact = float64_network(net, params)
    reference, P = labels(exact, X), probabilities(exact, X)
    for d in range(MAX_DECIMALS + 1):
        exact.set_params([rounded(W, d, B) for W, B in zip(params, _bases(base, params),
                                                         strict=True)])
        seen = X if X_seen is None else X_seen
        if (np.array_equal(labels(exact, seen), reference)
                and np.max(np.abs(probabilities(exact, seen) - P)) <= tolerance):
            return d
    return None


def rounded(W, decimals, base=None):
    """W rounded to ``decimals`` as the browser reads it back: the integers
    ``rint(W 10^d)`` of the file, divided by ``10^d`` (both sides divide exactly rounded, so
    NumPy and JavaScript hold the very same float64 values).

    With ``base``, the file holds the change ``rint((W - base) 10^d)`` and the browser adds it
    to ``base``: a snapshot sent as its change from the one before takes fewer digits.
    """
    scale = 10.0 ** decimals
    W = np.asarray(W, dtype=np.float64)
    if base is None:
        return np.rint(W * scale) / scale
    return base + np.rint((W - base) * scale) / scale


def _bases(base, params):
    return [None] * len(params) if base is None else base


# --- JSON ------------------------------------------------------------------------------------

def _weights(A, decimals, base=None):
    """An array as nested lists: integers (W 10^d, or (W - base) 10^d, rounded) or, with
    decimals None, floats.

    Integers, as they spare every number its "0." (a tenth of the gzipped size)."""
    A = np.asarray(A, dtype=np.float64)
    if not np.all(np.isfinite(A)):
        raise ValueError("cannot export non-finite weights")
    if decimals is None:
        return _numbers(A)
    return np.rint((A if base is None else A - base) * 10.0 ** decimals).astype(np.int64).tolist()


def _number(x, decimals):
    """A float as JSON wants it: rounded to ``decimals`` (None: as is), integers without ".0"."""
    x = float(x) if decimals is None else float(np.round(x, decimals))
    if not np.isfinite(x):
        raise ValueError(f"cannot export a non-finite weight ({x})")
    return int(x) if x.is_integer() else x  # -0.0 and 3.0 become 0 and 3


def _numbers(A, decimals=None):
    """An array as nested lists of JSON numbers."""
    A = np.asarray(A, dtype=np.float64)
    if A.ndim == 1:
        return [_number(x, decimals) for x in A]
    return [_numbers(row, decimals) for row in A]


def _layers(net, params, decimals, base=None):
    activations = [layer.activation for layer in net.layers]
    if net.loss == "cross_entropy":
        activations[-1] = "softmax"  # Network.forward applies softmax to the logits
    return [{"activation": f, "n_in": int(W.shape[0]), "n_out": int(W.shape[1]),
             "W": _weights(W, decimals, B[0]), "b": _weights(b, decimals, B[1])}
            for f, W, b, B in zip(activations, params[::2], params[1::2],
                                  zip(base[::2], base[1::2], strict=True) if base
                                  else [(None, None)] * len(activations), strict=True)]


def network_dict(trained, snapshots=False, exact=False, data=False):
    """The exported network as plain JSON data (see the module docstring).

    ``exact=True`` writes every weight at full precision (the parity tests compare NumPy's
    probabilities with the browser's on those); otherwise each set of weights is rounded to
    :func:`fewest_decimals` on the test split. ``data=True`` adds the training split (raw
    units, 2 decimals) for a network the reader trains in the
    page.
    """
    net, split, spec = trained.net, trained.data, trained.spec
    X_test = np.asarray(split.X_test, dtype=np.float64)
    raw_test = split.inverse_transform(X_test)
    preprocessing = None
    X_seen = X_test  # the test rows as the browser will feed them to the network
    if split.mean is not None:
        digits = None if exact else PREPROCESSING_DECIMALS
        preprocessing = {"mean": _numbers(split.mean, digits), "std": _numbers(split.std, digits)}
        X_seen = (raw_test - np.asarray(preprocessing["mean"])) / np.asarray(preprocessing["std"])

    def weights(params, base=None, tolerance=TOLERANCE):
        params = [np.asarray(P, dtype=np.float64) for P in params]
        decimals = None if exact else fewest_decimals(net, params, X_test, tolerance, base,
                                                      X_seen)
        return decimals, _layers(net, params, decimals, None if decimals is None else base)

    decimals, layers = weights(net.params)
    n_classes = int(spec["n_classes"])
    # the first SAMPLES_PER_CLASS test rows of each class, a round of one per class at a time
    picks = [np.flatnonzero(split.y_test == c)[:SAMPLES_PER_CLASS] for c in range(n_classes)]
    first = [int(rows[k]) for k in range(SAMPLES_PER_CLASS) for rows in picks if k < len(rows)]
    out = {
        "format": FORMAT, "name": trained.name, "title": spec.get("title", trained.name),
        "dataset": spec["dataset"]["name"], "n_features": int(net.layers[0].n_in),
        "classes": class_names(spec["dataset"]["name"], n_classes),
        "input": preprocessing,
        "decimals": decimals, "layers": layers,
        "test_accuracy": _number(trained.results["test_accuracy"], 6),
        # the final weights' accuracy on the whole training split (results.json's), which the
        # scrubber's last epoch quotes
        "train_accuracy": _number(trained.results["train_accuracy"], 6),
        # how the post trained it, for training in the browser (assets/js/nn-train.js)
        "training": {"loss": spec["loss"], "optimizer": spec["optimizer"],
                     "batch_size": spec["batch_size"], "epochs": spec["epochs"]},
    }
    if net.layers[0].n_in == 2:
        out["plane"] = [_number(v, 6) for v in _plane(split)]
        # a sample of the training points for the probe and the scrubber to draw over the
        # regions (the static figures show them too), as the heatmaps' output tile samples them
        from nn_blog.figures._plane import sample

        keep = sample(split, POINTS)
        out["points"] = {"X": _numbers(split.inverse_transform(split.X_train[keep]), 2),
                         "y": [int(split.y_train[i]) for i in keep]}
    else:  # raw pixels are integers: 6 decimals only undo inverse_transform's rounding error
        out["samples"] = {"X": _numbers(raw_test[first], 6),
                          "y": [int(split.y_test[i]) for i in first]}
        out["typical"] = typical(split, out["samples"], n_classes)
    if data:  # the training split in raw units, for training in the browser
        out["train"] = {"X": _numbers(split.inverse_transform(split.X_train), 2),
                        "y": [int(y) for y in split.y_train]}
    if snapshots:
        out["snapshots"], held = [], None
        for epoch in sorted(trained.snapshots):
            entry, held = _snapshot(trained, epoch, weights, None if exact else held)
            out["snapshots"].append(entry)
    return out


# The share of training images farther than typical()'s "distance" from every class mean.
TYPICAL_QUANTILE = 0.005


def typical(split, samples, n_classes) -> dict:
    """What a training image looks like, for the digit pad to tell a drawing unlike all of them
    (a dot, a dash), in two numbers: the least ink (sum of the inputs) of any training image, and
    the distance to the nearest class mean that all but TYPICAL_QUANTILE of the training images
    stay within. The class means are those of the exported ``samples`` (a few test images per
    class), which the page has anyway: the pad computes the same means from them."""
    X = np.asarray(split.inverse_transform(split.X_train), dtype=np.float64)
    S, y = np.asarray(samples["X"], dtype=np.float64), np.asarray(samples["y"])
    means = np.array([S[y == c].mean(axis=0) for c in range(n_classes)])
    nearest = np.sqrt(((X[:, None, :] - means[None]) ** 2).sum(-1)).min(axis=1)
    return {"ink": _number(X.sum(axis=1).min(), 2),
            "distance": _number(np.quantile(nearest, 1 - TYPICAL_QUANTILE), 2)}


def _snapshot(trained, epoch, weights, held):
    """One epoch of the scrubber -> (entry, the weights the browser holds after reading it).

    The entry has the epoch's weights (unless they are the network's own, the last epoch's,
    which ``layers`` already holds) and their decimals; with ``held`` (the previous snapshot's
    weights as rounded), they are sent as the change from those (``"delta": true``), which the
    browser adds back.
    """
    entry = {"epoch": int(epoch)}
    params = [np.asarray(P, dtype=np.float64) for P in trained.snapshots[epoch]]
    if not all(np.array_equal(P, Q) for P, Q in zip(params, trained.net.params, strict=True)):
        decimals, layers = weights(params, held, SNAPSHOT_TOLERANCE)
        entry["decimals"] = decimals
        entry["layers"] = [{"W": layer["W"], "b": layer["b"]} for layer in layers]
        if held is not None and decimals is not None:
            entry["delta"] = True
        held = params if decimals is None else [
            rounded(P, decimals, B) for P, B in zip(params, _bases(held, params), strict=True)]
    if epoch >= 1:  # history[k][e - 1] is epoch e's (epoch 0 is before training)
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            values = trained.history.get(key) or []
            if len(values) >= epoch and np.isfinite(values[epoch - 1]):
                entry[key] = _number(values[epoch - 1], 4)
    return entry, held


def _plane(split):
    """(x0, x1, y0, y1): the extent the static figures draw the plane over (one place for it)."""
    from nn_blog.figures._plane import extent

    return extent(split)


def dumps(data) -> bytes:
    """Compact deterministic JSON: sorted keys, no spaces, ASCII, trailing newline."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("ascii")


def export(trained, snapshots=False, exact=False, data=False) -> bytes:
    """A trained network -> the bytes of its JSON export (see :func:`network_dict`)."""
    return dumps(network_dict(trained, snapshots=snapshots, exact=exact, data=data))


# --- what every live figure shares ---------------------------------------------------------------

THEME_KEYS = ("page", "panel", "text", "muted", "faint", "grid", "accent", "negative", "classes",
              "series", "shade_alpha")


def theme() -> dict:
    """The figures' light and dark palettes (``nn_blog/figures/style.py``, the one place for the
    look), so a live figure draws in the colours of the static one it replaces."""
    from nn_blog.figures import style as st

    return {name: {key: getattr(s, key) if isinstance(getattr(s, key), str | float)
                   else list(getattr(s, key)) for key in THEME_KEYS}
            for name, s in st.STYLES.items()}


def loss_surface() -> dict:
    """The loss-surface figure's quadratic, ``L(w) = 1/2 (w - w*)^T H (w - w*)``, its starting
    point, the plane it draws, and the largest learning rate that converges (``2 / c_max``),
    for the learning-rate slider (which steps the same optimizers in the browser)."""
    from nn_blog.figures import KINDS
    from nn_blog.figures import loss_surface as ls

    return {"H": _numbers(ls.H), "w_star": _numbers(ls.W_STAR), "start": _numbers(ls.START),
            "extent": _numbers(ls.EXTENT), "curvatures": _numbers(ls.CURVATURES),
            "angle": float(ls.ANGLE),  # of the valley floor, radians
            "lambda_max": float(ls.CURVATURES.max()),  # the steepest curvature: the bounds
            "momentum": ls.MOMENTUM,  # the slider's starting momentum, as the post quotes it
            "lr_limit": 2.0 / float(ls.CURVATURES.max()),
            "steps": KINDS["loss_surface"].default("steps")}


def shared_files() -> dict[str, bytes]:
    """``{path: bytes}`` of the files every live figure reads (theme, loss surface)."""
    return {f"{OUTPUT_DIR}/theme.json": dumps(theme()),
            f"{OUTPUT_DIR}/loss-surface.json": dumps(loss_surface())}


# What each live figure kind (assets/js/live/KIND.js) needs of its network's export; None: no
# network (the learning-rate slider reads loss-surface.json; the playground, theme.json).
LIVE_KINDS = {"digit-pad": {}, "probe": {}, "neurons": {}, "scrubber": {"snapshots": True},
              "train": {"snapshots": True, "data": True}, "lr-slider": None,
              "playground": None,  # it makes its own data and weights (nn-playground.js)
              "graph-step": None}  # the worked example's own numbers (its figure's data)


def options_for(kinds) -> dict:
    """The export options serving every live figure kind in ``kinds`` that shows one network
    (a network is exported once: the union of what its figures need)."""
    options = {"snapshots": False, "data": False}
    for kind in kinds:
        for key, value in (LIVE_KINDS[kind] or {}).items():
            options[key] = options[key] or value
    return options


# --- hooks for the render service -------------------------------------------------------------

def files(trained, snapshots=False, data=False) -> dict[str, bytes]:
    """``{path relative to the site root: bytes}`` for the render service to write atomically."""
    return {output_path(trained.name): export(trained, snapshots=snapshots, data=data)}


def write(root, trained, snapshots=False, data=False) -> list[str]:
    """Write the export under ``root`` atomically (unchanged files are left alone) -> paths."""
    from nn_blog.fileio import write_atomic

    written = []
    for rel, content in files(trained, snapshots=snapshots, data=data).items():
        path = Path(root) / rel
        if not path.exists() or path.read_bytes() != content:
            write_atomic(path, content)
            written.append(rel)
    return written
