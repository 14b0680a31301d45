"""The post's networks: read their declarations, train them, keep what the figures need.

``load_networks(root)`` reads and checks ``_data/networks.yml`` (see ``network_specs``);
``train(spec)`` turns one declaration into a :class:`Trained` (the network, its history, weight
snapshots and the numbers the post quotes); ``save_trained``/``load_trained`` keep a ``Trained``
in one ``.npz`` so the render service can cache it.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass

import numpy as np

from nn_blog import data, network_specs
from nn_blog.errors import DivergedError, NNBlogError
from nn_blog.fileio import write_atomic

NETWORKS_FILE = network_specs.NETWORKS_FILE
load_networks = network_specs.load_networks


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


def _seeds(seed):
    """Independent streams for the data, the split and the network, all from one seed."""
    data_ss, split_ss, net_ss = np.random.SeedSequence(seed).spawn(3)
    return data_ss, split_ss, int(net_ss.generate_state(1)[0])


def build_data(spec, seed=None):
    """The declaration's data set, split 75/25 by class and standardised if declared -> Split.

    Deterministic in (spec, seed): figures call this to get the very points the network saw.
    """
    seed = spec["seed"] if seed is None else seed
    data_ss, split_ss, _ = _seeds(seed)
    params = {k: v for k, v in spec["dataset"].items() if k != "name"}
    X, y = data.make(spec["dataset"]["name"], np.random.default_rng(data_ss), **params)
    X_train, X_test, y_train, y_test = data.stratified_split(
        X, y, 0.25, np.random.default_rng(split_ss))
    mean = std = None
    if spec["standardize"]:
        X_train, X_test, mean, std = data.standardize(X_train, X_test)
    return data.Split(X_train, y_train, X_test, y_test, spec["n_classes"], spec["name"],
                      mean, std)


def build_network(spec, seed=None):
    """The declaration's untrained Network (weights drawn from the seed's network stream)."""
    from nn_blog.nn import Dense, Network

    _, _, net_seed = _seeds(spec["seed"] if seed is None else seed)
    sizes = [spec["n_features"]] + [layer["units"] for layer in spec["layers"]]
    layers = [Dense(n_in, layer["units"], layer["activation"])
              for n_in, layer in zip(sizes, spec["layers"], strict=False)]
    return Network(layers, loss=spec["loss"], seed=net_seed, dtype=spec["dtype"])


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
    False stops training early. The test split serves as validation data, so the history holds
    its loss and accuracy per epoch.
    """
    seed, epochs = _overrides(spec, seed, epochs)
    split = build_data(spec, seed)
    net = build_network(spec, seed)
    dtype = np.dtype(spec["dtype"])
    X_train, X_test = split.X_train.astype(dtype), split.X_test.astype(dtype)
    Y_train, Y_test = targets(spec, split.y_train), targets(spec, split.y_test)
    keep = set(spec["snapshots"])
    snapshots = {0: [p.copy() for p in net.params]}

    def record(epoch, logs, net_):
        if epoch in keep:
            snapshots[epoch] = [p.copy() for p in net_.params]
        return None if callback is None else callback(epoch, logs, net_)

    start = time.perf_counter()
    try:
        history = net.fit(X_train, Y_train, optimizer=_optimizer(spec), epochs=epochs,
                          batch_size=spec["batch_size"], validation=(X_test, Y_test),
                          callback=record)
    except DivergedError as err:
        # the declaration's learning rate is what the author can edit
        raise err.at(file=NETWORKS_FILE, item=spec["name"], field="optimizer.lr") from None
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in history.items()}
    ran = len(history["loss"])
    snapshots[ran] = [p.copy() for p in net.params]
    results = {
        "final_loss": history["loss"][-1],
        "train_accuracy": float(net.accuracy(X_train, Y_train)),
        "test_accuracy": float(net.accuracy(X_test, Y_test)),
        "epochs": ran, "n_params": int(net.n_params), "seconds": round(seconds, 3),
        "seed": seed,
        "layers": [spec["n_features"]] + [layer["units"] for layer in spec["layers"]],
        "optimizer": spec["optimizer"]["name"], "lr": spec["optimizer"]["lr"],
        "batch_size": spec["batch_size"],
    }
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

    A file that is unreadable, pickled, or saved for a different declaration raises NNBlogError.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
        meta = json.loads(str(arrays["meta"]))
        if meta["spec"] != json.loads(json.dumps(spec)):
            raise NNBlogError("was saved for a different declaration", file=str(path),
                              item=spec["name"])
        params = [arrays[f"param_{i}"] for i in range(meta["n_params"])]
        snapshots = {e: [arrays[f"snap_{e}_{i}"] for i in range(meta["n_params"])]
                     for e in meta["snapshots"]}
    except NNBlogError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as err:
        raise NNBlogError(f"cannot read the cached network: {err}".splitlines()[0],
                          file=str(path), item=spec["name"]) from None
    seed = meta["results"]["seed"]
    net = build_network(spec, seed)
    for live, saved in zip(net.params, params, strict=True):
        if live.shape != saved.shape:
            raise NNBlogError(f"parameter of shape {saved.shape} where {live.shape} was expected",
                              file=str(path), item=spec["name"])
        live[...] = saved
    return Trained(spec["name"], spec, net, meta["history"], build_data(spec, seed), snapshots,
                   meta["results"])
