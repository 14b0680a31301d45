"""Check the declarations of ``_data/networks.yml`` before anything trains.

``load_networks(root)`` reads the file with ``yaml.safe_load`` and turns each network's declaration
into a spec: a plain dict of JSON values with every default filled in, that
``experiments.train`` consumes and the render service hashes. Every mistake raises
:class:`NNBlogError` naming the file, the network, the field and the line it sits on.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from nn_blog import data
from nn_blog.errors import NNBlogError

NETWORKS_FILE = "_data/networks.yml"

# option -> (type, lower bound, whether the bound itself is allowed); lr is required
_OPTIMIZERS = {
    "sgd": {"lr": (float, 0.0, False), "momentum": (float, 0.0, True),
            "nesterov": (bool, None, None), "weight_decay": (float, 0.0, True)},
    "adam": {"lr": (float, 0.0, False), "betas": (list, None, None), "eps": (float, 0.0, False),
             "weight_decay": (float, 0.0, True)},
}
_FIELDS = {"title", "dataset", "standardize", "layers", "loss", "optimizer", "epochs",
           "batch_size", "seed", "snapshots", "dtype", "validation"}


class _Checker:
    """Check one network's declaration; every complaint names file, network, field and line."""

    def __init__(self, file, name, key_node=None, node=None):
        self.file, self.name, self.node = file, name, node
        self.key_line = key_node.start_mark.line + 1 if key_node is not None else None

    def fail(self, field, message):
        # a missing field has no line of its own: point at the network's name instead
        raise NNBlogError(message, file=self.file, item=self.name, field=field,
                          line=_line(self.node, field) or self.key_line)

    def value(self, mapping, key, kind, field, default=..., low=None, strict=True):
        """mapping[key], checked to be a ``kind`` (an int is a fine float) above ``low``."""
        if key not in mapping:
            if default is ...:
                self.fail(field, "is missing")
            return default
        v = mapping[key]
        ok = isinstance(v, kind) and not (kind is not bool and isinstance(v, bool))
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v, ok = float(v), True
        if not ok:
            self.fail(field, f"must be {_TYPE_NAMES[kind]}, got {v!r}")
        if low is not None and (v < low or (strict and v == low)):
            self.fail(field, f"must be {'>' if strict else '>='} {low}, got {v!r}")
        return v

    def choice(self, mapping, key, options, field, what):
        v = self.value(mapping, key, str, field)
        if v not in options:
            self.fail(field, f"unknown {what} {v!r}; known: {', '.join(options)}")
        return v

    def no_extra(self, mapping, allowed, field_prefix):
        for key in mapping:
            if key not in allowed:
                self.fail(f"{field_prefix}{key}",
                          f"unknown field; expected one of {', '.join(sorted(allowed))}")


_TYPE_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "a string",
               list: "a list", dict: "a mapping"}


def _line(node, field):
    """The 1-based line of ``field`` ("optimizer.lr", "layers[1].units") in a composed YAML node.

    The line of the deepest part of the path present; None if not even the first part is.
    """
    line = None
    for part in (field or "").replace("[", ".[").split("."):
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.startswith("["):
            i = int(part[1:-1])
            child = node.value[i] if 0 <= i < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _check_dataset(c, decl):
    ds = c.value(decl, "dataset", dict, "dataset")
    name = c.choice(ds, "name", data.DATASETS, "dataset.name", "data set")
    known = data.DATASETS[name].params
    c.no_extra(ds, set(known) | {"name"}, "dataset.")
    params = {}
    for key, (kind, default) in known.items():
        low = 0.0 if kind is float else 1
        params[key] = c.value(ds, key, kind, f"dataset.{key}", default, low, strict=kind is int)
    n_classes = data.DATASETS[name].classes(params)
    if n_classes < 2:
        c.fail("dataset", f"needs at least 2 classes, got {n_classes}")
    if "n_samples" in params and params["n_samples"] < 2 * n_classes:
        c.fail("dataset.n_samples", f"must be at least {2 * n_classes} (two per class)")
    return {"name": name, **params}, data.DATASETS[name].features(params), n_classes


def _check_layers(c, decl, activations):
    layers = c.value(decl, "layers", list, "layers")
    if not layers:
        c.fail("layers", "needs at least one layer")
    out = []
    for i, layer in enumerate(layers):
        where = f"layers[{i}]"
        if not isinstance(layer, dict):
            c.fail(where, f"must be a mapping like {{units: 8, activation: tanh}}, got {layer!r}")
        c.no_extra(layer, {"units", "activation"}, f"{where}.")
        units = c.value(layer, "units", int, f"{where}.units", low=0)
        activation = c.choice(layer, "activation", activations, f"{where}.activation",
                              "activation")
        out.append({"units": units, "activation": activation})
    return out


def _check_output(c, layers, loss, n_classes):
    """The last layer must fit the loss and the number of classes, or training is meaningless."""
    last, where = layers[-1], f"layers[{len(layers) - 1}]"
    if loss == "bce":
        if n_classes != 2 or last["units"] != 1 or last["activation"] != "sigmoid":
            c.fail(where, "loss bce needs 2 classes and a last layer {units: 1, activation: "
                          f"sigmoid}}; the data has {n_classes} classes")
    elif loss == "cross_entropy":
        if last["activation"] not in ("identity", "softmax"):
            c.fail(f"{where}.activation", "loss cross_entropy needs identity (logits) or softmax")
        if last["units"] != n_classes:
            c.fail(f"{where}.units", f"must equal the number of classes, {n_classes}")
    elif last["units"] != n_classes and not (n_classes == 2 and last["units"] == 1):
        c.fail(f"{where}.units", f"must be {n_classes} (one per class) or 1 for two classes")


def _check_optimizer(c, decl):
    opt = c.value(decl, "optimizer", dict, "optimizer")
    name = c.choice(opt, "name", _OPTIMIZERS, "optimizer.name", "optimizer")
    c.no_extra(opt, set(_OPTIMIZERS[name]) | {"name"}, "optimizer.")
    out = {"name": name}
    for key, (kind, low, inclusive) in _OPTIMIZERS[name].items():
        default = ... if key == "lr" else None
        v = c.value(opt, key, kind, f"optimizer.{key}", default, low, strict=not inclusive)
        if key == "betas" and v is not None:
            if len(v) != 2 or not all(isinstance(b, (int, float)) and not isinstance(b, bool)
                                      and 0 <= b < 1 for b in v):
                c.fail("optimizer.betas", f"must be two numbers in [0, 1), got {v!r}")
            v = [float(b) for b in v]
        if v is not None:
            out[key] = v
    if out.get("nesterov") and not out.get("momentum"):
        c.fail("optimizer.nesterov", "needs a momentum > 0")
    return out


def check_network(name, decl, file=NETWORKS_FILE, key_node=None, node=None):
    """One declaration -> the validated spec (a plain dict with defaults filled in).

    ``key_node``/``node`` are the composed YAML nodes of its name and body, for line numbers.
    """
    from nn_blog.nn.activations import ACTIVATIONS
    from nn_blog.nn.losses import LOSSES

    c = _Checker(file, name, key_node, node)
    if not isinstance(decl, dict):
        c.fail(None, f"must be a mapping of fields, got {decl!r}")
    c.no_extra(decl, _FIELDS, "")
    dataset, n_features, n_classes = _check_dataset(c, decl)
    layers = _check_layers(c, decl, ACTIVATIONS)
    loss = c.choice(decl, "loss", LOSSES, "loss", "loss")
    _check_output(c, layers, loss, n_classes)
    epochs = c.value(decl, "epochs", int, "epochs", low=0)
    snapshots = c.value(decl, "snapshots", list, "snapshots", [])
    for s in snapshots:
        if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s <= epochs:
            c.fail("snapshots", f"must be epochs between 0 and {epochs}, got {s!r}")
    spec = {
        "name": name, "title": c.value(decl, "title", str, "title", name),
        "dataset": dataset, "n_features": n_features, "n_classes": n_classes,
        "standardize": c.value(decl, "standardize", bool, "standardize", False),
        "layers": layers, "loss": loss, "optimizer": _check_optimizer(c, decl),
        "epochs": epochs, "batch_size": c.value(decl, "batch_size", int, "batch_size", low=0),
        "seed": c.value(decl, "seed", int, "seed", 0, low=0, strict=False),
        "snapshots": sorted(set(snapshots)),
        "dtype": c.choice(decl, "dtype", ("float64", "float32"), "dtype", "dtype")
        if "dtype" in decl else "float64",
    }
    if "validation" in decl:  # kept out of the spec when absent: older caches stay valid
        validation = c.value(decl, "validation", float, "validation", low=0.0, strict=False)
        if validation >= 0.5:
            c.fail("validation", f"must be a fraction below 0.5, got {validation!r}")
        spec["validation"] = validation
    return spec


def load_networks(root_or_path):
    """Read and validate ``_data/networks.yml`` -> {name: spec}, in the file's order.

    ``root_or_path`` is the site's root directory or the YAML file itself. Any mistake raises
    :class:`NNBlogError` naming the file, the network, the field and (where known) the line.
    """
    path = Path(root_or_path)
    if path.is_dir():
        path, shown = path / NETWORKS_FILE, NETWORKS_FILE
    else:
        shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise NNBlogError(f"cannot read the network declarations ({err.strerror})",
                          file=shown) from None
    try:
        decls = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise NNBlogError(f"malformed YAML: {problem}", file=shown,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(decls, dict) or not decls:
        raise NNBlogError("must be a mapping of network names to declarations", file=shown)
    nodes = {}
    for key, body in root.value:
        if key.value in nodes:
            raise NNBlogError(f"network {key.value!r} is declared twice", file=shown,
                              item=key.value, line=key.start_mark.line + 1)
        nodes[key.value] = (key, body)
    return {str(name): check_network(str(name), decl, shown, *nodes.get(str(name), (None, None)))
            for name, decl in decls.items()}
