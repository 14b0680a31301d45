"""The network declarations: the real file loads, and every mistake names file, network, field."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from nn_blog import experiments
from nn_blog.errors import NNBlogError

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
toy:
  dataset: {name: spiral, n_samples: 90, classes: 3, noise: 0.1}
  standardize: true
  layers:
    - {units: 8, activation: relu}
    - {units: 3, activation: identity}
  loss: cross_entropy
  optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
  epochs: 20
  batch_size: 16
  seed: 4
  snapshots: [5, 1]
"""


def load(tmp_path, text):
    (tmp_path / "_data").mkdir(exist_ok=True)
    (tmp_path / "_data" / "networks.yml").write_text(text)
    return experiments.load_networks(tmp_path)


def test_the_posts_declarations_load_and_name_the_required_networks():
    specs = experiments.load_networks(ROOT)
    assert {"neuron", "xor", "moons", "spiral", "digits"} <= set(specs)
    assert specs["neuron"]["dataset"]["name"] == "and" and len(specs["neuron"]["layers"]) == 1
    assert specs["moons"]["dataset"] == {"name": "moons", "n_samples": 1000, "noise": 0.2}
    assert specs["spiral"]["n_classes"] == 3 and len(specs["spiral"]["snapshots"]) >= 3
    assert specs["digits"]["n_features"] == 64


def test_a_good_declaration_becomes_a_spec_with_defaults(tmp_path):
    spec = load(tmp_path, GOOD)["toy"]
    assert spec["name"] == "toy" and spec["title"] == "toy"
    assert spec["n_features"] == 2 and spec["n_classes"] == 3
    assert spec["optimizer"] == {"name": "sgd", "lr": 0.1, "momentum": 0.9}
    assert spec["snapshots"] == [1, 5] and spec["dtype"] == "float64"
    assert experiments.load_networks(tmp_path / "_data" / "networks.yml") == {"toy": spec}


# (replace this, with that) in GOOD -> the field the error must name and words it must contain
BAD = [
    ("name: spiral,", "name: mnist,", "dataset.name", "unknown data set 'mnist' (known: and"),
    ("activation: relu", "activation: swish", "layers[0].activation", "unknown activation"),
    ("loss: cross_entropy", "loss: hinge", "loss", "unknown loss 'hinge'"),
    ("name: sgd", "name: rmsprop", "optimizer.name", "unknown optimizer 'rmsprop'"),
    ("epochs: 20", "epochs: many", "epochs",
     "must be an integer from 1 to 100000, got str 'many' (expected int)"),
    ("epochs: 20", "epochs: 0", "epochs", "must be an integer from 1 to 100000, got 0"),
    ("epochs: 20", "epochs: true", "epochs", "expected int"),
    ("epochs: 20", "epochs: 2.5", "epochs", "expected int"),
    ("lr: 0.1", "lr: 0", "optimizer.lr", "must be a number > 0"),
    ("lr: 0.1", "lr: -0.5", "optimizer.lr", "must be a number > 0"),
    ("lr: 0.1", "lr: fast", "optimizer.lr", "must be a number > 0 and <= 1000000, got str"),
    ("momentum: 0.9", "momentum: -1", "optimizer.momentum",
     "must be a number >= 0 and < 1, got -1"),
    ("momentum: 0.9", "betas: [0.9, 0.999]", "optimizer.betas",
     "unknown option of optimizer 'sgd'"),
    ("momentum: 0.9", "nesterov: true", "optimizer.nesterov", "needs a momentum > 0"),
    ("batch_size: 16", "batch_size: 0", "batch_size", "from 1 to 100000, got 0"),
    ("batch_size: 16", "batch_size: -3", "batch_size", "got -3"),
    ("seed: 4", "seed: -1", "seed", "must be an integer from 0"),
    ("seed: 4", "seed: '4'", "seed", "expected int"),
    ("standardize: true", "standardize: 1", "standardize",
     "must be true or false, got int 1 (expected bool)"),
    ("epochs: 20", "epoch: 20", "epoch", "unknown field"),
    ("  loss: cross_entropy\n", "", "loss", "is missing"),
    ("noise: 0.1}", "noise: 0.1, colour: red}", "dataset.colour",
     "unknown parameter of data set 'spiral'"),
    ("n_samples: 90", "n_samples: lots", "dataset.n_samples", "expected int"),
    ("n_samples: 90", "n_samples: 5", "dataset.n_samples", "at least 6"),
    ("noise: 0.1", "noise: -0.1", "dataset.noise", "must be a number >= 0"),
    ("classes: 3", "classes: 1", "dataset.classes", "must be an integer from 2 to 20, got 1"),
    ("{units: 3, activation: identity}", "{units: 4, activation: identity}",
     "layers[1].units", "must equal the number of classes, 3"),
    ("{units: 3, activation: identity}", "{units: 3, activation: relu}",
     "layers[1].activation", "needs identity (logits) or softmax"),
    ("{units: 8, activation: relu}", "{units: 0, activation: relu}", "layers[0].units",
     "must be an integer from 1 to 4096"),
    ("- {units: 8, activation: relu}", "- 8", "layers[0]", "must be a mapping"),
    ("snapshots: [5, 1]", "snapshots: [5, 21]", "snapshots[1]", "from 0 to 20, got 21"),
    ("snapshots: [5, 1]", "snapshots: 5", "snapshots", "expected list"),
    ("loss: cross_entropy", "loss: bce", "layers[1]", "loss bce needs 2 classes"),
    ("seed: 4", "seed: 4\n  dtype: float16", "dtype", "unknown dtype 'float16'"),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BAD, ids=[b[1] for b in BAD])
def test_every_mistake_names_file_network_field_and_line(tmp_path, old, new, field, words):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(NNBlogError) as info:
        load(tmp_path, text)
    err = info.value
    assert (err.file, err.item, err.field) == ("_data/networks.yml", "toy", field)
    assert words in str(err)
    assert str(err).startswith(f"_data/networks.yml:{err.line}, 'toy', field '{field}': ")
    line = text.splitlines()[err.line - 1]
    key = field.split(".")[-1]
    if "is missing" in words:  # nothing to point at but the network itself
        assert line == "toy:"
    elif key.endswith("]"):  # a list's item: on its own line, or in a [flow, list]
        assert line.lstrip().startswith("- ") or f"{key.split('[')[0]}: [" in line
    else:
        assert re.search(rf"(^|[\s{{,]){re.escape(key)}:", line.lstrip())


def test_adam_options_are_checked(tmp_path):
    adam = GOOD.replace("{name: sgd, lr: 0.1, momentum: 0.9}",
                        "{name: adam, lr: 0.01, betas: [0.9, 0.999], eps: 1.0e-8}")
    assert load(tmp_path, adam)["toy"]["optimizer"]["betas"] == [0.9, 0.999]
    with pytest.raises(NNBlogError,
                       match=r"field 'optimizer.betas\[1\]': must be a number >= 0 and < 1"):
        load(tmp_path, adam.replace("[0.9, 0.999]", "[0.9, 1.5]"))
    with pytest.raises(NNBlogError, match=r"field 'optimizer.eps': must be a number > 0 and <= 1"):
        load(tmp_path, adam.replace("1.0e-8", "0"))


def test_malformed_yaml_names_its_line(tmp_path):
    text = GOOD.replace("  batch_size: 16\n", "  batch_size: [16\n")
    with pytest.raises(NNBlogError, match=r"^_data/networks\.yml:\d+: malformed YAML") as info:
        load(tmp_path, text)
    assert 10 <= info.value.line <= 12


def test_tabs_and_bad_indentation_are_malformed_yaml(tmp_path):
    with pytest.raises(NNBlogError, match="malformed YAML") as info:
        load(tmp_path, GOOD.replace("  epochs: 20", "\tepochs: 20"))
    assert info.value.line == 9


def test_a_network_that_is_not_a_mapping_and_a_file_that_is_not_one(tmp_path):
    with pytest.raises(NNBlogError, match=r"networks\.yml:1, 'toy': must be a mapping"):
        load(tmp_path, "toy: 3\n")
    with pytest.raises(NNBlogError, match="mapping of network names"):
        load(tmp_path, "- toy\n")
    assert load(tmp_path, "# nothing declared yet\n") == {}


def test_a_network_declared_twice_is_refused(tmp_path):
    with pytest.raises(NNBlogError, match=r"networks\.yml:13, 'toy': duplicate name 'toy'"):
        load(tmp_path, GOOD + GOOD)


def test_yaml_tags_that_would_build_python_objects_are_refused(tmp_path):
    with pytest.raises(NNBlogError, match="malformed YAML"):
        load(tmp_path, "toy: !!python/object/apply:os.system ['true']\n")


def test_a_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(NNBlogError, match=r"^_data/networks\.yml: file not found"):
        experiments.load_networks(tmp_path)


# --- training ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def toy_spec(tmp_path_factory):
    return load(tmp_path_factory.mktemp("toy"), GOOD)["toy"]


@pytest.fixture(scope="module")
def toy(toy_spec):
    return experiments.train(toy_spec)


def test_train_records_history_snapshots_and_results(toy, toy_spec):
    r = toy.results
    assert toy.name == "toy" and toy.spec is toy_spec
    assert {len(v) for v in toy.history.values()} == {20}
    assert r["final_loss"] == toy.history["loss"][-1]
    # no validation split declared: the held-out curves are the test split's, and say so
    assert set(toy.history) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert r["test_accuracy"] == pytest.approx(toy.history["test_accuracy"][-1])
    assert (r["n_train"], r["n_validation"], r["n_test"]) == (68, 0, 22)  # 22 = round(90 / 4)
    assert (r["n_samples"], r["n_features"], r["n_classes"]) == (90, 2, 3)
    assert r["test_fraction"] == 22 / 90 and "validation_accuracy" not in r
    assert "image_shape" not in r
    assert r["epochs"] == 20 and r["seed"] == 4 and r["layers"] == [2, 8, 3]
    assert r["n_params"] == 2 * 8 + 8 + 8 * 3 + 3 == toy.net.n_params
    assert (r["optimizer"], r["lr"], r["batch_size"]) == ("sgd", 0.1, 16)
    assert 0 <= r["train_accuracy"] <= 1 and r["seconds"] >= 0
    assert sorted(toy.snapshots) == [0, 1, 5, 20]
    for a, b in zip(toy.snapshots[20], toy.net.params, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(toy.snapshots[0][0], toy.snapshots[1][0])
    # the results are plain JSON values, ready for _data/generated/results.json
    assert json.loads(json.dumps(r)) == r


def test_train_is_deterministic_and_the_seed_drives_data_and_weights(toy, toy_spec):
    again = experiments.train(toy_spec)
    assert again.history == toy.history
    np.testing.assert_array_equal(again.data.X_train, toy.data.X_train)
    other = experiments.train(toy_spec, seed=5, epochs=3)
    assert other.results["seed"] == 5 and other.results["epochs"] == 3
    assert sorted(other.snapshots) == [0, 1, 3]
    assert not np.array_equal(other.data.X_train, toy.data.X_train)
    assert not np.array_equal(other.snapshots[0][0], toy.snapshots[0][0])


def test_build_data_gives_the_points_the_network_saw(toy, toy_spec):
    split = experiments.build_data(toy_spec)
    np.testing.assert_array_equal(split.X_test, toy.data.X_test)
    np.testing.assert_array_equal(split.y_train, toy.data.y_train)
    assert split.n_classes == 3 and split.name == "toy"
    assert len(split.y_test) == round(0.25 * 90)
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0, atol=1e-12)  # standardize: true


def test_a_validation_split_is_held_out_of_the_training_data(tmp_path, toy):
    spec = load(tmp_path, GOOD + "  validation: 0.2\n")["toy"]
    assert spec["validation"] == 0.2
    t = experiments.train(spec)
    split, r = t.data, t.results
    # the test split is the one without validation; validation comes out of the rest, by class
    np.testing.assert_array_equal(split.y_test, toy.data.y_test)
    assert (r["n_train"], r["n_validation"], r["n_test"]) == (54, 14, 22)  # 14 = round(68 / 5)
    assert len(split.X_train) == 54 and len(split.X_val) == 14
    assert np.bincount(split.y_val, minlength=3).min() >= 4
    # the three splits together are the data set, each row once (compared as raw features)
    from nn_blog import data
    X, _ = data.make("spiral", np.random.default_rng(experiments._seeds(4)[0]),
                     n_samples=90, classes=3, noise=0.1)
    parts = np.vstack([split.inverse_transform(P)
                       for P in (split.X_train, split.X_val, split.X_test)])

    def rows(M):
        return np.round(M[np.lexsort(M.T[::-1])], 9)

    np.testing.assert_array_equal(rows(parts), rows(X))
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0, atol=1e-12)
    assert abs(split.X_val.mean(axis=0)).max() > 1e-6  # scaled with the training statistics
    assert set(t.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert r["validation_accuracy"] == pytest.approx(t.history["val_accuracy"][-1])
    assert r["validation_fraction"] == 0.2
    assert json.loads(json.dumps(r)) == r


@pytest.mark.parametrize("value", ["0.5", "-0.1", "half", "true"])
def test_a_bad_validation_fraction_names_its_field(tmp_path, value):
    with pytest.raises(NNBlogError, match=r"'toy', field 'validation': must be"):
        load(tmp_path, GOOD + f"  validation: {value}\n")


def test_the_digits_results_describe_the_images():
    spec = experiments.load_networks(ROOT)["digits"]
    r = experiments.train(spec, epochs=1).results
    assert r["image_shape"] == [8, 8] and r["n_features"] == 64 and r["n_classes"] == 10
    assert r["n_samples"] == 1797 == r["n_train"] + r["n_validation"] + r["n_test"]


def test_a_callback_sees_every_epoch_and_can_stop_training(toy_spec):
    seen = []

    def stop_at_three(epoch, logs, net):
        seen.append((epoch, logs["loss"]))
        return epoch < 3

    t = experiments.train(toy_spec, callback=stop_at_three)
    assert [e for e, _ in seen] == [1, 2, 3]
    assert t.results["epochs"] == 3 and sorted(t.snapshots) == [0, 1, 3]
    assert t.results["final_loss"] == seen[-1][1]


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"epochs": 0}, "field 'epochs': must be an integer > 0"), ({"epochs": -2}, "> 0, got -2"),
    ({"epochs": 2.5}, "must be an integer > 0, got 2.5"),
    ({"seed": -1}, "field 'seed': must be an integer >= 0"),
])
def test_bad_overrides_are_refused(toy_spec, kwargs, words):
    with pytest.raises(NNBlogError, match=words):
        experiments.train(toy_spec, **kwargs)


def test_divergence_names_the_network_the_epoch_and_the_learning_rate(tmp_path):
    text = GOOD.replace("{name: sgd, lr: 0.1, momentum: 0.9}", "{name: sgd, lr: 1.0e+6}")
    spec = load(tmp_path, text.replace("standardize: true", "standardize: false"))["toy"]
    spec["layers"][0]["activation"] = "identity"  # nothing saturates: the loss must blow up
    with pytest.raises(NNBlogError, match=r"'toy', field 'optimizer.lr': .*diverged at epoch \d"):
        experiments.train(spec)


def test_save_and_load_trained_round_trip(toy, toy_spec, tmp_path):
    path = tmp_path / "cache" / "toy.npz"
    experiments.save_trained(toy, path)
    assert [p.name for p in path.parent.iterdir()] == ["toy.npz"]  # no temp file left behind
    back = experiments.load_trained(toy_spec, path)
    assert back.results == toy.results and back.history == toy.history
    assert sorted(back.snapshots) == sorted(toy.snapshots)
    X = toy.data.X_test
    np.testing.assert_array_equal(back.net.predict(X), toy.net.predict(X))
    np.testing.assert_array_equal(back.data.X_test, toy.data.X_test)
    np.testing.assert_array_equal(back.snapshots[5][2], toy.snapshots[5][2])


def test_load_trained_refuses_other_specs_and_broken_files(toy, toy_spec, tmp_path):
    path = tmp_path / "toy.npz"
    experiments.save_trained(toy, path)
    changed = {**toy_spec, "epochs": 21}
    with pytest.raises(NNBlogError, match="saved for a different declaration"):
        experiments.load_trained(changed, path)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[:200])
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, meta=np.array([{"a": 1}], dtype=object))
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all")
    for bad in (truncated, pickled, garbage, tmp_path / "missing.npz"):
        with pytest.raises(NNBlogError, match=r"'toy': cannot read the cached network"):
            experiments.load_trained(toy_spec, bad)


# The post's targets: test accuracy, mean over seeds 0, 1, 2 (each network trains in < 1 s).
TARGETS = {"neuron": 1.0, "xor": 1.0, "moons": 0.97, "spiral": 0.98, "digits": 0.975}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_the_posts_networks_reach_their_targets(name):
    spec = experiments.load_networks(ROOT)[name]
    accuracies = [experiments.train(spec, seed=s).results["test_accuracy"] for s in (0, 1, 2)]
    assert np.mean(accuracies) >= TARGETS[name], accuracies
