"""The playground (issue "Live figures, second pass" §4): the browser's model of it,
``nn_blog/jekyll/assets/js/nn-playground.js``, against the Python engine.

The page draws its data, split, initial weights and batch order from Mulberry32, which
``nn_blog/prng.py`` computes bit for bit the same; a declaration with ``rng: mulberry32`` makes
``experiments.train`` use it. Here: the generator, the data sets, the split, standardisation
and weights equal in Node (``node --test tests/js/playground.test.mjs`` on fixtures written
from Python), the declaration the page prints is one ``_data/networks.yml`` accepts, and the
network it declares trains in Python to the page's losses (float64, 20 epochs, within 1e-9)
for configurations covering every data set, optimizer, a batch of one, the whole split as
one batch, no hidden layer, and points a reader added. Node runs with bounded timeouts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nn_blog import declarations, experiments, prng
from nn_blog.declarations import check_network, parse_yaml

ROOT = Path(__file__).resolve().parents[1]
NODE_TIMEOUT = 120  # seconds; a healthy run takes about one
EPOCHS = 20
TOLERANCE = 1e-9
# (URL state, what it covers)
CONFIGS = [
    "data:xor;noise:0.3;layers:8;act:tanh;opt:sgd;lr:0.3;batch:1;seed:3;pts:0.5,0.5,0",
    "data:spiral;noise:0.2;layers:8,8,8;act:relu;opt:adam;lr:0.01;batch:25;seed:0",
    "data:circles;noise:0.1;layers:6,3;act:leaky_relu;opt:momentum;lr:0.1;batch:0;seed:42;"
    "pts:0,0,1/1.2,-1.1,0",
    "data:moons;noise:0.35;layers:;act:sigmoid;opt:adam;lr:1;batch:5;seed:4294967295",
]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _node(*args, env=None):
    done = subprocess.run(["node", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=NODE_TIMEOUT, env=env, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def page():
    """What the page's model makes of CONFIGS, run in Node."""
    return json.loads(_node("tests/js/playground-run.mjs", str(EPOCHS), *CONFIGS))


def _spec(yaml_text):
    decl = parse_yaml(yaml_text, "playground.yml")
    return check_network("playground", decl["playground"], "playground.yml")


@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_python_trains_the_declared_network_to_the_pages_losses(page, i):
    run = page["runs"][i]
    spec = _spec(run["yaml"])
    assert spec["rng"] == "mulberry32" and spec["dtype"] == "float64"
    assert spec["epochs"] == EPOCHS
    trained = experiments.train(spec)
    ours = np.array(trained.history["loss"])
    assert ours.shape == (EPOCHS,)
    np.testing.assert_allclose(run["losses"], ours, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(run["test_losses"], trained.history["test_loss"], rtol=0,
                               atol=TOLERANCE)
    assert ours[-1] < ours[0] or "lr:1;" in CONFIGS[i]  # it learns (lr 1: whatever it does)


def test_the_url_state_round_trips(page):
    for state, run in zip(CONFIGS, page["runs"], strict=True):
        assert run["encoded"] == state


def test_the_pages_first_configuration_is_the_declared_playground(page):
    declared = declarations.load_networks(ROOT)["playground"]
    shown = _spec(page["defaults"])
    assert {**shown, "epochs": declared["epochs"], "title": declared["title"]} == declared


def _fixtures():
    gens = []
    for seed, stream in ((0, 1), (1, 3), (2**32 - 1, 2), (123456789, 4)):
        r = prng.Mulberry32.stream(seed, stream)
        items = list(range(10, 23))
        gens.append({"seed": seed, "stream": stream,
                     "u32": [r.next_u32() for _ in range(64)],
                     "uniform": r.uniform(-1.5, 2.5, size=16).tolist(),
                     "normal": r.normal(0.3, 2.0, size=16).tolist(),
                     "permutation": r.permutation(17).tolist(),
                     "items_in": items, "items_out": r.permutation(items).tolist()})
    from nn_blog import data

    sets = []
    for name, n, noise, seed in (("xor", 200, 0.3, 5), ("moons", 200, 0.2, 1),
                                 ("circles", 201, 0.1, 7), ("spiral", 301, 0.4, 2)):
        param = "spread" if name == "xor" else "noise"
        X, y = data.DATASETS[name].make(prng.Mulberry32.stream(seed, prng.DATA),
                                       n_samples=n, **{param: noise})
        sets.append({"name": name, "seed": seed, "n_samples": n, "noise": noise,
                     "X": X.tolist(), "y": y.tolist()})
    return gens, sets


def test_generator_data_split_and_weights_match_in_node(page, tmp_path):
    gens, sets = _fixtures()
    configs = []
    for state, run in zip(CONFIGS, page["runs"], strict=True):
        spec = _spec(run["yaml"])
        split = experiments.build_data(spec)
        net = experiments.build_network(spec)
        configs.append({"state": state, "X_train": split.X_train.ravel().tolist(),
                        "X_test": split.X_test.ravel().tolist(),
                        "y_train": split.y_train.tolist(), "y_test": split.y_test.tolist(),
                        "mean": split.mean.tolist(), "std": split.std.tolist(),
                        "params": [p.ravel().tolist() for p in net.params]})
    fixture = tmp_path / "playground.json"
    fixture.write_text(json.dumps({"generators": gens, "datasets": sets, "configs": configs}))
    out = _node("--test", "tests/js/playground.test.mjs",
                env={**os.environ, "NN_BLOG_PLAYGROUND": str(fixture)})
    assert "# fail 0" in out and "# skipped 0" in out and "# pass 3" in out, out[-2000:]


def test_numpy_networks_are_untouched_by_the_shared_generator():
    """A declaration without rng keeps NumPy's streams: its spec (hence its key) has no rng
    and no points, and its data are what data.make gives from the seed's first stream."""
    specs = declarations.load_networks(ROOT)
    for name, spec in specs.items():
        if name != "playground":
            assert "rng" not in spec and "points" not in spec["dataset"], name
    spec = specs["xor"]
    data_ss = np.random.SeedSequence(spec["seed"]).spawn(4)[0]
    from nn_blog import data

    X, _ = data.make("xor", np.random.default_rng(data_ss), n_samples=200, spread=0.25)
    split = experiments.build_data(spec)
    assert {tuple(r) for r in split.X_train} <= {tuple(r) for r in X}
