"""The post's networks: read their declarations, train them, keep what the figures need.

``load_networks(root)`` reads and checks ``_data/networks.yml`` (see ``nn_blog.declarations``);
``train(spec)`` turns one declaration into a :class:`Trained` (the network, its history, weight
snapshots and the numbers the post quotes); ``save_trained``/``load_trained`` keep a ``Trained``
in one ``.npz`` so the render service can cache it.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass

import numpy as np

from nn_blog import data, declarations, prng
from nn_blog.declarations import NETWORKS_FILE
from nn_blog.errors import DivergedError, NNBlogError
from nn_blog.fileio import write_atomic


def load_networks(root) -> dict[str, dict]:
    """The checked specs of ``_data/networks.yml`` (``root``: the site or the file itself);
    unlike the render's view, a missing file is an error: something is about to train."""
    return declarations.load_networks(root, required=True)


# --- training -------------------------------------------------------------------------------

@dataclass
class Trained:
    """A trained declaration: what figures draw and what the post quotes.

    ``snapshots`` maps an epoch (0 = before training) to copies of ``net.params`` at its end.
    """

    name: str
    spec: dict
    net: object
    history: dict
    data: data.Split
    snapshots: dict
    results: dict


TEST_FRACTION = 0.25


def _seeds(seed):
    """Independent streams for the data, the split and the network, all from one seed."""
    # a fourth child leaves the first three unchanged: older splits and weights stay the same
    data_ss, split_ss, net_ss, _ = np.random.SeedSequence(seed).spawn(4)
    return data_ss, split_ss, int(net_ss.generate_state(1)[0])


def _validation_seed(seed):
    """The stream that picks the validation rows (the fourth child of the seed)."""
    return np.random.SeedSequence(seed).spawn(4)[3]


def build_data(spec, seed=None):
    """The declaration's data set, split by class and standardised if declared -> Split.

    A quarter of each class is the test split. A declared ``validation: f`` holds out a
    fraction f of the rest, again by class, as ``X_val``/``y_val``; the training split is what
    remains. Standardisation uses the training split's statistics for all three.
    Deterministic in (spec, seed): figures call this to get the very points the network saw.
    """
    seed = spec["seed"] if seed is None else seed
    params = {k: v for k, v in spec["dataset"].items() if k not in ("name", "points")}
    if spec.get("rng") == "mulberry32":  # the generator the browser's playground shares
        data_rng, split_rng, val_rng = (prng.Mulberry32.stream(seed, k)
                                        for k in (prng.DATA, prng.SPLIT, prng.VALIDATION))
        X, y = data.DATASETS[spec["dataset"]["name"]].make(data_rng, **params)
    else:
        data_ss, split_ss, _ = _seeds(seed)
        split_rng = np.random.default_rng(split_ss)
        val_rng = np.random.default_rng(_validation_seed(seed))
        X, y = data.make(spec["dataset"]["name"], np.random.default_rng(data_ss), **params)
    X_train, X_test, y_train, y_test = data.stratified_split(X, y, TEST_FRACTION, split_rng)
    X_val, y_val = X_train[:0], y_train[:0]
    if spec.get("validation", 0) > 0:
        X_train, X_val, y_train, y_val = data.stratified_split(
            X_train, y_train, spec["validation"], val_rng)
    points = spec["dataset"].get("points")
    if points:  # a reader's own points train; the test split stays the generator's
        P = np.array(points, dtype=np.float64).reshape(-1, 3)
        X_train = np.concatenate([X_train, P[:, :2]])
        y_train = np.concatenate([y_train, P[:, 2].astype(np.int64)])
    mean = std = None
    if spec["standardize"]:
        X_train, X_test, mean, std = data.standardize(X_train, X_test)
        X_val = (X_val - mean) / std
    split = data.Split(X_train, y_train, X_test, y_test, spec["n_classes"], spec["name"],
                       mean, std)
    split.X_val, split.y_val = X_val, y_val
    return split


def build_network(spec, seed=None):
    """The declaration's untrained Network (weights drawn from the seed's network stream)."""
    from nn_blog.nn import Dense, Network

    seed = spec["seed"] if seed is None else seed
    _, _, net_seed = _seeds(seed)
    sizes = [spec["n_features"]] + [layer["units"] for layer in spec["layers"]]
    layers = [Dense(n_in, layer["units"], layer["activation"])
              for n_in, layer in zip(sizes, spec["layers"], strict=False)]
    net = Network(layers, loss=spec["loss"], seed=net_seed, dtype=spec["dtype"])
    if spec.get("rng") == "mulberry32":
        from nn_blog.nn.init import init_weights

        # the weights drawn again, and every later shuffle of fit, from the shared generator
        net.rng = prng.Mulberry32.stream(seed, prng.NETWORK)
        for layer in net.layers:
            layer.W[...] = init_weights(layer.init, net.rng, layer.n_in, layer.n_out, net.dtype)
    return net


def targets(spec, y):
    """Integer labels (n,) -> what the loss expects: a {0,1} column for one output unit, one-hot
    rows for mse over several, the labels themselves for cross_entropy."""
    units = spec["layers"][-1]["units"]
    if units == 1:
        return y.reshape(-1, 1).astype(spec["dtype"])
    if spec["loss"] == "mse":
        return data.one_hot(y, units).astype(spec["dtype"])
    return y


def _optimizer(spec):
    from nn_blog.nn import SGD, Adam

    opts = {k: v for k, v in spec["optimizer"].items() if k != "name"}
    if "betas" in opts:
        opts["betas"] = tuple(opts["betas"])
    return {"sgd": SGD, "adam": Adam}[spec["optimizer"]["name"]](**opts)


def _image_shape(name):
    """[height, width] of the images a data set's rows were flattened from, or None."""
    if name != "digits":  # the only image data set: the vendored archive keeps the 2-D shape
        return None
    from importlib import resources

    with resources.files("nn_blog").joinpath("resources/digits.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as archive:
            return [int(n) for n in archive["images"].shape[1:]]


def _overrides(spec, seed, epochs):
    """The seed and epochs to use: the caller's (checked) or else the declared ones."""
    for value, what in ((seed, "seed"), (epochs, "epochs")):
        wrong = not isinstance(value, (int, np.integer)) or isinstance(value, bool)
        if value is not None and (wrong or value < (0 if what == "seed" else 1)):
            bound = ">= 0" if what == "seed" else "> 0"
            raise NNBlogError(f"must be an integer {bound}, got {value!r}",
                              item=spec["name"], field=what)
    return (spec["seed"] if seed is None else int(seed),
            spec["epochs"] if epochs is None else int(epochs))


def train(spec, seed=None, epochs=None, callback=None):
    """Train one declaration -> Trained. ``seed``/``epochs`` override the declared ones.

    ``callback(epoch, logs, net)`` is called after every epoch (as ``Network.fit`` does); returning
    False stops training early. The history holds the held-out loss and accuracy per epoch: on
    the validation split as ``val_loss``/``val_accuracy`` when the declaration has one, else on
    the test split as ``test_loss``/``test_accuracy`` (never called validation).
    """
    seed, epochs = _overrides(spec, seed, epochs)
    split = build_data(spec, seed)
    net = build_network(spec, seed)
    dtype = np.dtype(spec["dtype"])
    X_train, X_test = split.X_train.astype(dtype), split.X_test.astype(dtype)
    Y_train, Y_test = targets(spec, split.y_train), targets(spec, split.y_test)
    has_validation = len(split.y_val) > 0
    X_val, Y_val = split.X_val.astype(dtype), targets(spec, split.y_val)
    held_out = (X_val, Y_val) if has_validation else (X_test, Y_test)
    keep = set(spec["snapshots"])
    snapshots = {0: [p.copy() for p in net.params]}

    def record(epoch, logs, net_):
        if epoch in keep:
            snapshots[epoch] = [p.copy() for p in net_.params]
        return None if callback is None else callback(epoch, logs, net_)

    start = time.perf_counter()
    try:
        history = net.fit(X_train, Y_train, optimizer=_optimizer(spec), epochs=epochs,
                          batch_size=spec["batch_size"], validation=held_out,
                          callback=record)
    except DivergedError as err:
        # the declaration's learning rate is what the author can edit
        raise err.at(file=NETWORKS_FILE, item=spec["name"], field="optimizer.lr") from None
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in history.items()}
    if not has_validation:  # the curves were measured on the test split: say so in the keys
        history = {k.replace("val_", "test_", 1): v for k, v in history.items()}
    ran = len(history["loss"])
    snapshots[ran] = [p.copy() for p in net.params]
    n_train, n_val, n_test = len(split.y_train), len(split.y_val), len(split.y_test)
    results = {
        "final_loss": history["loss"][-1],
        "train_accuracy": float(net.accuracy(X_train, Y_train)),
        "test_accuracy": float(net.accuracy(X_test, Y_test)),
        "epochs": ran, "n_params": int(net.n_params), "seconds": round(seconds, 3),
        "seed": seed,
        "layers": [spec["n_features"]] + [layer["units"] for layer in spec["layers"]],
        "optimizer": spec["optimizer"]["name"], "lr": spec["optimizer"]["lr"],
        "batch_size": spec["batch_size"],
        "n_samples": n_train + n_val + n_test, "n_train": n_train, "n_validation": n_val,
        "n_test": n_test, "n_features": int(spec["n_features"]),
        "n_classes": int(spec["n_classes"]),
        # the share of the whole data set the test split holds, as drawn (rounding included)
        "test_fraction": n_test / (n_train + n_val + n_test),
        "validation_fraction": float(spec.get("validation", 0.0)),
    }
    if has_validation:
        results["validation_accuracy"] = float(net.accuracy(X_val, Y_val))
    shape = _image_shape(spec["dataset"]["name"])
    if shape:
        results["image_shape"] = shape
    return Trained(spec["name"], spec, net, history, split, snapshots, results)


# --- cache ----------------------------------------------------------------------------------

def save_trained(trained, path):
    """Write a Trained into one ``.npz`` (arrays + JSON strings), atomically."""
    arrays = {f"param_{i}": p for i, p in enumerate(trained.net.params)}
    for epoch, params in trained.snapshots.items():
        arrays.update({f"snap_{epoch}_{i}": p for i, p in enumerate(params)})
    meta = {"spec": trained.spec, "history": trained.history, "results": trained.results,
            "snapshots": sorted(trained.snapshots), "n_params": len(trained.net.params)}
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    write_atomic(path, buf.getvalue())


def load_trained(spec, path):
    """Read what ``save_trained`` wrote for this very spec -> Trained (data rebuilt from the seed).

    Checked before anything is allocated (``nn.io.inspect``: the zip directory and the ``.npy``
    headers): every array has the shape the declaration gives it, the metadata has every field,
    and no weight is NaN or infinite. A file that fails any check -- unreadable, pickled,
    truncated, oversized, saved for a different declaration -- raises NNBlogError.
    """
    from nn_blog.nn import io as nn_io

    where = {"file": str(path), "item": spec["name"]}
    try:
        members = nn_io.inspect(path)
        meta = nn_io.read_json(path, members, "meta")
    except NNBlogError as err:
        raise NNBlogError("cannot read the cached network: " + str(err).split(": ", 1)[-1],
                          **where) from None
    if not isinstance(meta, dict) or meta.get("spec") != json.loads(json.dumps(spec)):
        raise NNBlogError("was saved for a different declaration", **where)
    try:
        history, results = dict(meta["history"]), dict(meta["results"])
        seed, epochs = results["seed"], [int(e) for e in meta["snapshots"]]
        n_params = meta["n_params"]
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise TypeError(f"results.seed is {seed!r}")
        if not all(isinstance(v, list) for v in history.values()) or "loss" not in history:
            raise TypeError("history has no loss")
    except (KeyError, TypeError, ValueError) as err:
        raise NNBlogError(f"lacks a field of its metadata ({type(err).__name__}: {err})",
                          **where) from None
    net = build_network(spec, seed)  # the validated spec: shapes within the declared bounds
    if n_params != len(net.params):
        raise NNBlogError(f"holds {n_params!r} parameter arrays where {len(net.params)} were "
                          "expected", **where)
    names = {f"param_{i}": P.shape for i, P in enumerate(net.params)}
    names.update({f"snap_{e}_{i}": P.shape for e in epochs for i, P in enumerate(net.params)})
    try:
        nn_io.check_arrays(path, members, names)
        arrays = nn_io.read(path, names)
        nn_io.finite(path, arrays)
    except NNBlogError as err:
        raise NNBlogError(str(err).split(": ", 1)[-1], field=err.field, **where) from None
    for i, live in enumerate(net.params):
        live[...] = arrays[f"param_{i}"]
    snapshots = {e: [arrays[f"snap_{e}_{i}"] for i in range(len(net.params))] for e in epochs}
    return Trained(spec["name"], spec, net, history, build_data(spec, seed), snapshots, results)
