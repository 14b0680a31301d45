"""``_data/networks.yml``: the schema of a network's declaration and its checks.

The engine's activation and loss names are read from its source, not imported, so that checking a
declaration never imports NumPy (a test checks they match ``nn_blog.nn``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nn_blog.declarations.fields import (
    REQUIRED,
    Bool,
    Choice,
    Float,
    Int,
    ListOf,
    Place,
    Text,
    check_fields,
    expect_mapping,
    show,
    top_names,
)
from nn_blog.declarations.loader import load_yaml

NETWORKS_FILE = "_data/networks.yml"


def _engine_names(module: str, table: str) -> tuple[str, ...]:
    """The keys of the engine's table ``table`` (``ACTIVATIONS = {"relu": ...}``), read from the
    source of ``nn_blog/nn/<module>.py`` so that checking a declaration never imports NumPy.
    tests/test_declarations.py checks they are exactly the keys of the imported table."""
    text = (Path(__file__).resolve().parents[1] / "nn" / f"{module}.py").read_text(encoding="utf-8")
    block = re.search(rf"^{table} = {{\n(.*?)^}}", text, re.MULTILINE | re.DOTALL)
    return tuple(re.findall(r'^\s+"(\w+)":', block.group(1), re.MULTILINE)) if block else ()


ACTIVATIONS = _engine_names("activations", "ACTIVATIONS")
LOSSES = _engine_names("losses", "LOSSES")

MAX_SAMPLES = 100_000
MAX_DATA_VALUES = 10_000_000       # n_samples x n_features of a generated data set
MAX_UNITS = 4096
MAX_LAYERS = 32
MAX_PARAMS = 10_000_000            # weights and biases of one network
MAX_EPOCHS = 100_000


@dataclass(frozen=True)
class DataSetDecl:
    """A data set's parameters and, from them, the width of X and the number of classes."""

    params: dict
    features: Any
    classes: Any


def _fixed(n):
    return lambda params: n


def _samples(default, low=4):
    return Int(default, low, MAX_SAMPLES)


_NOISE = (0.0, 10.0)
# Points a reader added in the playground: [x, y, class], joining the training split. Absent
# (or empty) they are left out of the spec, so no existing network's key changes.
POINTS = ListOf(ListOf(Float(None, -100.0, 100.0), None, 3, 3), None, 0, 200)
_GATE = {"n_samples": _samples(200, 8), "spread": Float(0.25, 0.0, 1.0), "points": POINTS}

DATASETS: dict[str, DataSetDecl] = {
    "and": DataSetDecl(_GATE, _fixed(2), _fixed(2)),
    "or": DataSetDecl(_GATE, _fixed(2), _fixed(2)),
    "xor": DataSetDecl(_GATE, _fixed(2), _fixed(2)),
    "moons": DataSetDecl({"n_samples": _samples(1000), "noise": Float(0.2, *_NOISE),
                          "points": POINTS},
                         _fixed(2), _fixed(2)),
    "circles": DataSetDecl({"n_samples": _samples(1000), "noise": Float(0.1, *_NOISE),
                            "factor": Float(0.5, 0.0, 1.0, above=True, below=True),
                            "points": POINTS},
                           _fixed(2), _fixed(2)),
    "spiral": DataSetDecl({"n_samples": _samples(300), "classes": Int(3, 2, 20),
                           "noise": Float(0.2, *_NOISE), "points": POINTS},
                          _fixed(2), lambda p: p["classes"]),
    "blobs": DataSetDecl({"n_samples": _samples(300), "centers": Int(3, 2, 100),
                          "n_features": Int(2, 1, 1000), "std": Float(1.0, 0.0, 1e3),
                          "box": Float(10.0, 0.0, 1e6)},
                         lambda p: p["n_features"], lambda p: p["centers"]),
    "digits": DataSetDecl({}, _fixed(64), _fixed(10)),
}

_LR = Float(REQUIRED, 0.0, 1e6, above=True)
_DECAY = Float(None, 0.0, 10.0)
OPTIMIZERS = {
    "sgd": {"lr": _LR, "momentum": Float(None, 0.0, 1.0, below=True), "nesterov": Bool(None),
            "weight_decay": _DECAY},
    "adam": {"lr": _LR, "betas": ListOf(Float(None, 0.0, 1.0, below=True), None, 2, 2),
             "eps": Float(None, 0.0, 1.0, above=True), "weight_decay": _DECAY},
}

NETWORK_FIELDS = {
    "title": Text(None, 200),
    "dataset": None,                     # checked by _dataset (its fields depend on its name)
    "standardize": Bool(False),
    "validation": Float(0.0, 0.0, 0.5, below=True),
    "layers": ListOf(None, REQUIRED, 1, MAX_LAYERS),   # each checked by _layers
    "loss": Choice(REQUIRED, LOSSES, "loss"),
    "optimizer": None,                   # checked by _optimizer
    "epochs": Int(REQUIRED, 1, MAX_EPOCHS),
    "batch_size": Int(REQUIRED, 1, MAX_SAMPLES),
    "seed": Int(0, 0, 2**32 - 1),
    "snapshots": ListOf(Int(None, 0, MAX_EPOCHS), [], 0, 1000),
    "dtype": Choice("float64", ("float64", "float32"), "dtype"),
    # mulberry32: data, split, weights and batches from nn_blog.prng, which the browser's
    # playground computes the same (absent from the spec at its default: keys unchanged)
    "rng": Choice("numpy", ("numpy", "mulberry32"), "random generator"),
}
_LAYER = {"units": Int(REQUIRED, 1, MAX_UNITS),
          "activation": Choice(REQUIRED, ACTIVATIONS, "activation")}


def _dataset(at: Place, decl) -> tuple[dict, int, int]:
    if "dataset" not in decl:
        at.fail("dataset", "is missing")
    ds = expect_mapping(at, "dataset", decl["dataset"], "{name: moons, n_samples: 1000}")
    name = check_fields({"name": Choice(REQUIRED, tuple(DATASETS), "data set")},
                        {"name": ds.get("name")} if "name" in ds else {}, at.fail,
                        "dataset.")["name"]
    known = DATASETS[name]
    rest = {k: v for k, v in ds.items() if k != "name"}
    params = check_fields(known.params, rest, at.fail, "dataset.",
                          unknown=f"unknown parameter of data set '{name}'")
    n_features, n_classes = known.features(params), known.classes(params)
    for i, point in enumerate(params.pop("points", None) or []):
        if point[2] not in range(n_classes):
            at.fail(f"dataset.points[{i}][2]", f"must be a class, an integer from 0 to "
                                               f"{n_classes - 1}, got {show(point[2])}")
    if ds.get("points"):
        params["points"] = [[float(x), float(y), int(c)] for x, y, c in ds["points"]]
    n = params.get("n_samples")
    validation = decl.get("validation")
    held_out = isinstance(validation, (int, float)) and not isinstance(validation, bool) \
        and validation > 0
    per_class = 3 if held_out else 2
    if n is not None and n < per_class * n_classes:
        at.fail("dataset.n_samples", f"must be at least {per_class * n_classes} "
                                     f"({per_class} per class, {n_classes} classes)")
    if n is not None and n * n_features > MAX_DATA_VALUES:
        at.fail("dataset", f"would hold {n * n_features} numbers (n_samples x n_features); "
                           f"at most {MAX_DATA_VALUES}")
    return {"name": name, **params}, n_features, n_classes


def _layers(at: Place, given, n_features: int) -> list[dict]:
    out, n_in, n_params = [], n_features, 0
    for i, layer in enumerate(given):
        where = f"layers[{i}]"
        layer = expect_mapping(at, where, layer, "{units: 8, activation: tanh}")
        checked = check_fields(_LAYER, layer, at.fail, f"{where}.")
        n_params += (n_in + 1) * checked["units"]
        n_in = checked["units"]
        out.append(checked)
    if n_params > MAX_PARAMS:
        at.fail("layers", f"the network would have {n_params} weights and biases; "
                          f"at most {MAX_PARAMS}")
    return out


def _check_output(at: Place, layers, loss, n_classes) -> None:
    """The last layer must fit the loss and the number of classes, or training is meaningless."""
    last, where = layers[-1], f"layers[{len(layers) - 1}]"
    if loss == "bce":
        if n_classes != 2 or last["units"] != 1 or last["activation"] != "sigmoid":
            at.fail(where, "loss bce needs 2 classes and a last layer {units: 1, activation: "
                           f"sigmoid}}; the data has {n_classes} classes")
    elif loss == "cross_entropy":
        if last["activation"] not in ("identity", "softmax"):
            at.fail(f"{where}.activation",
                    "loss cross_entropy needs identity (logits) or softmax")
        if last["units"] != n_classes:
            at.fail(f"{where}.units", f"must equal the number of classes, {n_classes}")
    elif last["units"] != n_classes and not (n_classes == 2 and last["units"] == 1):
        at.fail(f"{where}.units", f"must be {n_classes} (one per class) or 1 for two classes")


def _optimizer(at: Place, decl) -> dict:
    if "optimizer" not in decl:
        at.fail("optimizer", "is missing")
    opt = expect_mapping(at, "optimizer", decl["optimizer"], "{name: adam, lr: 0.01}")
    name = check_fields({"name": Choice(REQUIRED, tuple(OPTIMIZERS), "optimizer")},
                        {"name": opt["name"]} if "name" in opt else {}, at.fail,
                        "optimizer.")["name"]
    rest = {k: v for k, v in opt.items() if k != "name"}
    checked = check_fields(OPTIMIZERS[name], rest, at.fail, "optimizer.",
                           unknown=f"unknown option of optimizer '{name}'")
    if checked.get("nesterov") and not checked.get("momentum"):
        at.fail("optimizer.nesterov", "needs a momentum > 0")
    return {"name": name, **{k: v for k, v in checked.items() if v is not None}}


def check_network(name: str, decl, file: str = NETWORKS_FILE, line: int | None = None) -> dict:
    """One declaration -> its spec: a plain dict of JSON values, every default filled in.

    The spec is what ``experiments.train`` consumes and what the render service hashes.
    """
    at = Place(file, name, decl, line or getattr(decl, "line", None))
    decl = expect_mapping(at, "", decl, "{dataset: ..., layers: ..., ...}")
    simple = {k: f for k, f in NETWORK_FIELDS.items() if f is not None}
    for key in decl:
        if key not in NETWORK_FIELDS:
            at.fail(key, f"unknown field (known: {', '.join(NETWORK_FIELDS)})")
    dataset, n_features, n_classes = _dataset(at, decl)
    spec = check_fields(simple, {k: decl[k] for k in simple if k in decl}, at.fail)
    layers = _layers(at, spec["layers"], n_features)
    _check_output(at, layers, spec["loss"], n_classes)
    for i, epoch in enumerate(spec["snapshots"]):
        if epoch > spec["epochs"]:
            at.fail(f"snapshots[{i}]", f"must be an epoch from 0 to {spec['epochs']}, "
                                       f"got {epoch}")
    return {
        "name": name, "title": name if spec["title"] is None else spec["title"],
        "dataset": dataset, "n_features": n_features, "n_classes": n_classes,
        "standardize": spec["standardize"], "validation": spec["validation"],
        "layers": layers, "loss": spec["loss"], "optimizer": _optimizer(at, decl),
        "epochs": spec["epochs"], "batch_size": spec["batch_size"], "seed": spec["seed"],
        "snapshots": sorted(set(spec["snapshots"])), "dtype": spec["dtype"],
        **({"rng": spec["rng"]} if spec["rng"] != "numpy" else {}),
    }


def load_networks(root, required: bool = False) -> dict[str, dict]:
    """``_data/networks.yml`` -> {name: spec}, in the file's order, every network checked.

    ``root`` is the site's root (or the YAML file itself). Absent file: {} unless ``required``.
    """
    root, rel = _root_and_rel(root, NETWORKS_FILE)
    top = top_names(load_yaml(root, rel, required), rel, "network")
    return {name: check_network(name, decl, rel, top.line_of(name))
            for name, decl in top.items()}


def _root_and_rel(root, rel: str) -> tuple[Path, str]:
    path = Path(root)
    if path.is_file():
        return path.parent, path.name
    return path, rel
