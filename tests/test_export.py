"""The browser export (nn_blog/browser_export.py) and the JavaScript engine that runs it
(nn_blog/jekyll/assets/js).

The post's networks and a few small ones covering every activation are trained once; the export
must be byte-identical across runs, keep every test-split prediction when rounded, and use the
fewest decimals that do. The parity test writes NumPy's answers to a temporary directory and runs
``node --test tests/js/`` on them: the browser engine must give the same probabilities (within
1e-6, on full-precision weights) and the same labels (on the rounded weights) for every network.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nn_blog import browser_export, declarations, experiments
from nn_blog.nn.activations import ACTIVATIONS

ROOT = Path(__file__).resolve().parents[1]
NODE_TIMEOUT = 180  # seconds for the whole node --test run (a few hundred ms when healthy)


def _toy(base, name, layers, loss, epochs=4):
    """A small variant of a declared network: other layers and loss, a few epochs."""
    return {**base, "name": name, "title": name, "layers": layers, "loss": loss,
            "epochs": epochs, "snapshots": [1, 2]}


def _toy_specs(specs):
    hidden = [a for a in ACTIVATIONS if a != "softmax"]  # silu too, once the engine has it
    toys = {f"toy-{a}": _toy(specs["moons"], f"toy-{a}",
                             [{"units": 5, "activation": a}, {"units": 1, "activation": "sigmoid"}],
                             "bce") for a in hidden}
    toys["toy-ce-softmax"] = _toy(specs["spiral"], "toy-ce-softmax",
                                  [{"units": 6, "activation": "leaky_relu"},
                                   {"units": 3, "activation": "softmax"}], "cross_entropy")
    toys["toy-sgd-nesterov"] = {
        **_toy(specs["moons"], "toy-sgd-nesterov", [{"units": 5, "activation": "tanh"},
                                                    {"units": 1, "activation": "sigmoid"}], "bce"),
        "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True,
                      "weight_decay": 0.001}}
    return toys


@pytest.fixture(scope="module")
def specs():
    declared = declarations.load_networks(ROOT)
    return {**declared, **_toy_specs(declared)}


@pytest.fixture(scope="module")
def trained(specs):
    return {name: experiments.train(spec) for name, spec in specs.items()}


def _decode(layers, decimals):
    """The exported layers -> [W1, b1, W2, b2, ...] as the browser reads them."""
    scale = 1.0 if decimals is None else 10.0 ** decimals
    params = []
    for layer in layers:
        params += [np.asarray(layer["W"], dtype=np.float64) / scale,
                   np.asarray(layer["b"], dtype=np.float64) / scale]
    return params


def _raw_test(t):
    return t.data.inverse_transform(t.data.X_test)


def test_export_is_byte_identical_across_runs_and_trainings(trained, specs):
    for name in ("xor", "spiral"):
        first = browser_export.export(trained[name], snapshots=True)
        assert browser_export.export(trained[name], snapshots=True) == first
        assert browser_export.export(experiments.train(specs[name]), snapshots=True) == first
        assert first.count(b"\n") == 1 and first.endswith(b"\n")  # compact: one line
    # the weights are part of the bytes: another seed, another file
    other = experiments.train(specs["xor"], seed=1)
    assert browser_export.export(other) != browser_export.export(trained["xor"])


def test_export_holds_sizes_activations_preprocessing_and_classes(trained):
    t = trained["digits"]
    data = json.loads(browser_export.export(t))
    assert data["format"] == browser_export.FORMAT and data["name"] == "digits"
    assert [(layer["n_in"], layer["n_out"], layer["activation"]) for layer in data["layers"]] \
        == [(64, 128, "relu"), (128, 10, "softmax")]  # the logits' softmax is part of forward
    assert data["classes"] == [str(i) for i in range(10)]
    assert np.allclose(data["input"]["mean"], t.data.mean, rtol=0, atol=5e-7)
    assert np.allclose(data["input"]["std"], t.data.std, rtol=0, atol=5e-7)
    exact = json.loads(browser_export.export(t, exact=True))["input"]
    assert exact == {"mean": t.data.mean.tolist(), "std": t.data.std.tolist()}
    # the first test rows of each class, one of each class in turn
    per_class = browser_export.SAMPLES_PER_CLASS
    assert data["samples"]["y"] == list(range(10)) * per_class
    raw = t.data.inverse_transform(t.data.X_test)
    firsts = np.concatenate([np.flatnonzero(t.data.y_test == c)[:per_class] for c in range(10)])
    assert sorted(map(tuple, np.rint(raw[firsts]))) == sorted(map(tuple, data["samples"]["X"]))
    assert all(float(x).is_integer() and 0 <= x <= 16 for row in data["samples"]["X"] for x in row)
    assert "snapshots" not in data and "plane" not in data
    xor = json.loads(browser_export.export(trained["xor"]))
    assert xor["input"] is None and xor["classes"] == ["false", "true"] and len(xor["plane"]) == 4
    assert "samples" not in xor
    spiral = json.loads(browser_export.export(trained["spiral"], snapshots=True))
    assert spiral["classes"] == ["arm 1", "arm 2", "arm 3"]
    assert [s["epoch"] for s in spiral["snapshots"]] == sorted(trained["spiral"].snapshots)
    last, first = spiral["snapshots"][-1], spiral["snapshots"][0]
    assert "layers" not in last  # the network's own weights, not repeated
    assert "layers" in first and "loss" not in first  # epoch 0: before training, no loss yet
    assert spiral["snapshots"][1]["loss"] == round(trained["spiral"].history["loss"][0], 4)
    # a 2-D network carries an even sample of its training points, in raw units, to draw
    assert "points" not in data
    moons, split = json.loads(browser_export.export(trained["moons"])), trained["moons"].data
    X, y = np.array(moons["points"]["X"]), np.array(moons["points"]["y"])
    assert len(X) == len(y) == min(browser_export.POINTS, len(split.y_train))
    raw = np.round(split.inverse_transform(split.X_train), 2)
    rows = {tuple(r): int(c) for r, c in zip(raw, split.y_train, strict=True)}
    assert all(rows[tuple(r)] == c for r, c in zip(X, y, strict=True))
    assert set(y) == {0, 1} and abs(y.mean() - split.y_train.mean()) < 0.1  # classes in proportion


@pytest.mark.parametrize("name", ["neuron", "xor", "moons", "spiral", "digits",
                                  "toy-leaky_relu", "toy-ce-softmax"])
def test_rounding_keeps_every_test_prediction_with_the_fewest_decimals(trained, name):
    t = trained[name]
    data = json.loads(browser_export.export(t, snapshots=True))
    weights = [(t.net.params, data["decimals"], data["layers"], None, browser_export.TOLERANCE)]
    held = None  # what the browser holds after the previous snapshot
    for s in data["snapshots"]:
        if "layers" in s:
            assert s.get("delta", False) == (held is not None)
            weights.append((t.snapshots[s["epoch"]], s["decimals"], s["layers"], held,
                            browser_export.SNAPSHOT_TOLERANCE))
            change = _decode(s["layers"], s["decimals"])
            held = change if held is None else [B + D for B, D in zip(held, change, strict=True)]
    X = t.data.X_test
    X_seen = X  # as the browser prepares the raw rows, with the exported preprocessing
    if data["input"] is not None:
        X_seen = (_raw_test(t) - data["input"]["mean"]) / np.asarray(data["input"]["std"])
    for params, decimals, layers, base, tolerance in weights:
        exact = browser_export.float64_network(t.net, params)
        reference, P = exact.predict_classes(X), browser_export.probabilities(exact, X)
        assert decimals is not None and 0 <= decimals <= browser_export.MAX_DECIMALS
        read = _decode(layers, decimals)
        if base is not None:
            read = [B + D for B, D in zip(base, read, strict=True)]
        rounded = browser_export.float64_network(t.net, read)
        assert np.array_equal(rounded.predict_classes(X_seen), reference)
        assert np.max(np.abs(browser_export.probabilities(rounded, X_seen) - P)) <= tolerance
        if decimals > 0:  # one decimal fewer breaks a prediction or moves a probability too far
            coarser = browser_export.float64_network(
                t.net, [browser_export.rounded(W, decimals - 1, B) for W, B in
                        zip(params, base or [None] * len(params), strict=True)])
            changed = not np.array_equal(coarser.predict_classes(X_seen), reference)
            moved = np.max(np.abs(browser_export.probabilities(coarser, X_seen) - P)) > tolerance
            assert changed or moved


def test_non_finite_weights_are_refused(trained):
    t = trained["xor"]
    broken = experiments.Trained(t.name, t.spec, t.net.copy(), t.history, t.data,
                                 t.snapshots, t.results)
    broken.net.params[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        browser_export.export(broken, exact=True)


def test_write_is_atomic_and_leaves_an_unchanged_file_alone(trained, tmp_path):
    t = trained["xor"]
    assert browser_export.write(tmp_path, t) == ["assets/nn/xor.json"]
    path = tmp_path / "assets/nn/xor.json"
    assert path.read_bytes() == browser_export.export(t)
    before = path.stat().st_mtime_ns
    assert browser_export.write(tmp_path, t) == []
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in path.parent.iterdir()] == ["xor.json"]  # no temporary left


# --- the browser engine against NumPy ---------------------------------------------------------

def write_fixtures(trained, out: Path) -> dict:
    """Per network: the exact and the rounded export, raw test rows, NumPy's probabilities (exact
    weights) and labels; for snapshots, each epoch's labels. Returns {name: number of rows}."""
    index = {}
    for name, t in sorted(trained.items()):
        has_snapshots = len(t.snapshots) > 2
        rows = _raw_test(t)
        X = t.data.transform(rows)
        net = browser_export.float64_network(t.net)
        epochs = {}
        for epoch, params in sorted(t.snapshots.items()):
            at = browser_export.float64_network(t.net, params)
            epochs[str(epoch)] = at.predict_classes(X).tolist()
        exact = browser_export.export(t, snapshots=True, exact=True)
        (out / f"{name}.exact.json").write_bytes(exact)
        (out / f"{name}.json").write_bytes(browser_export.export(t, snapshots=has_snapshots))
        case = {"rows": rows.tolist(), "P": browser_export.probabilities(net, X).tolist(),
                "labels": net.predict_classes(X).tolist(), "epochs": epochs}
        (out / f"{name}.cases.json").write_text(json.dumps(case))
        (out / f"{name}.grads.json").write_text(json.dumps(_training_case(t)))
        index[name] = len(rows)
    (out / "index.json").write_text(json.dumps(index))
    (out / "loss-surface.json").write_bytes(browser_export.dumps(browser_export.loss_surface()))
    (out / "loss-surface.paths.json").write_text(json.dumps(_loss_surface_paths()))
    return index


def _loss_surface_paths():
    """The paths the loss-surface figure's optimizers take, per (method, lr) of the slider."""
    from nn_blog.figures import loss_surface as ls
    from nn_blog.nn import SGD, Adam

    steps = browser_export.loss_surface()["steps"]
    methods = {"plain": lambda lr: SGD(lr=lr), "momentum": lambda lr: SGD(lr=lr, momentum=0.9),
               "adam": lambda lr: Adam(lr=lr)}
    return [{"method": m, "lr": lr, "path": ls.path(methods[m](lr), steps).tolist()}
            for m, lr in [("plain", 0.02), ("plain", 0.15), ("plain", 0.34), ("plain", 0.4),
                          ("momentum", 0.02), ("adam", 0.2)]]


GRAD_ROWS, STEPS = 64, 3


def _training_case(t):
    """NumPy's loss and gradients on the first GRAD_ROWS training rows (as the network is fed
    them), and the parameters after STEPS full-batch steps of the declared optimizer."""
    from nn_blog.nn import SGD, Adam

    X, y = t.data.X_train[:GRAD_ROWS], t.data.y_train[:GRAD_ROWS]
    net = browser_export.float64_network(t.net)
    Y = experiments.targets(t.spec, y)
    loss, grads = net.loss_and_grads(X, Y)
    options = {k: v for k, v in t.spec["optimizer"].items() if k != "name"}
    optimizer = {"sgd": SGD, "adam": Adam}[t.spec["optimizer"]["name"]](**options)
    for _ in range(STEPS):
        optimizer.step(net.params, net.loss_and_grads(X, Y)[1])
    return {"X": X.tolist(), "labels": y.tolist(), "loss": loss,
            "grads": [g.tolist() for g in grads], "steps": STEPS,
            "after": [P.tolist() for P in net.params]}


def run_node(fixtures: Path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the browser engine's parity test needs Node.js "
                    "(Debian package nodejs; `make site-deps` installs it)")
    env = {**os.environ, "NN_BLOG_FIXTURES": str(fixtures)}
    try:
        return subprocess.run([node, "--test", "--test-reporter=tap", "tests/js/"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"node --test tests/js/ did not finish within {NODE_TIMEOUT} s")


def test_browser_engine_matches_numpy_on_every_exported_network(trained, tmp_path):
    index = write_fixtures(trained, tmp_path)
    assert set(index) >= {"neuron", "xor", "moons", "spiral", "digits"}
    done = run_node(tmp_path)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-4000:]
    counts = {k: int(v) for k, v in re.findall(r"^# (pass|fail|skipped|todo) (\d+)$", report,
                                                 re.M)}
    assert counts.get("fail") == 0 and counts.get("skipped", 0) == 0, report[-4000:]
    # the parity file names each network it checked: all of them ran
    checked = set(re.findall(r"parity: (\S+) ", report))
    assert checked == set(index), report[-4000:]
    worst = [float(x) for x in re.findall(r"max \|dP\| = (\S+)", report)]
    assert worst and max(worst) <= 1e-6
    assert set(re.findall(r"gradients: (\S+) ", report)) == set(index), report[-4000:]
    worst = [float(x) for x in re.findall(r"max \|d grad\| = (\S+)", report)]
    assert worst and max(worst) <= 1e-9
    assert len(re.findall(r"loss surface: \w+ lr \S+ max \|dw\| = ", report)) == 6, report


def test_the_post_networks_fit_the_page_budget(trained):
    """What a page with every live figure loads of network data, gzipped (the scripts come on
    top; the page budget for both is 60 kB)."""
    sizes = {name: len(gzip.compress(
                 browser_export.export(trained[name], snapshots=name == "spiral"), 9, mtime=0))
             for name in ("neuron", "xor", "moons", "spiral", "digits")}
    assert sum(sizes.values()) <= 50_000, sizes


def test_options_for_live_figures_are_the_union_of_their_needs():
    assert browser_export.options_for(["probe"]) == {"snapshots": False, "data": False}
    assert browser_export.options_for(["probe", "scrubber"]) == {"snapshots": True, "data": False}
    assert browser_export.options_for(["train", "lr-slider"]) == {"snapshots": True, "data": True}
    live = ROOT / "nn_blog" / "jekyll" / "assets" / "js" / "live"
    assert set(browser_export.LIVE_KINDS) == {p.stem for p in live.glob("*.js")} - {"common"}
    bootstrap = (ROOT / "nn_blog" / "jekyll" / "assets" / "js" / "nn-figures.js").read_text()
    listed = re.search(r"const KINDS = new Set\(\[(.*?)\]\)", bootstrap).group(1)
    assert set(re.findall(r'"([a-z-]+)"', listed)) == set(browser_export.LIVE_KINDS)
