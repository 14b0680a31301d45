"""Hostile declarations (issue 11): each is refused in one line naming file, item and field, with
exit code 2, before anything is hashed, allocated, trained or written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_render_fixture import ENV, FIGURES, NETWORKS, PYTHON, make_root, snapshot

from nn_blog import declarations
from nn_blog.cli import main
from nn_blog.declarations import Int, ListOf
from nn_blog.errors import DivergedError, NNBlogError

REPO = Path(__file__).resolve().parents[1]


def run_cli(root, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(root)])
    return result.exit_code, result.stderr, result.stdout


def refused(root, *fragments, args=("render",)) -> str:
    """Exit 2, one line on stderr holding every fragment, no traceback, nothing written."""
    before = snapshot(root, skip_cache=False)
    code, err, _ = run_cli(root, *args)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert snapshot(root, skip_cache=False) == before
    return err.strip()


def network(name="net", **fields) -> str:
    """One network declaration in YAML (flow style); ``fields`` replace the defaults."""
    decl = {"dataset": "{name: xor, n_samples: 40}",
            "layers": "[{units: 4, activation: tanh}, {units: 1, activation: sigmoid}]",
            "loss": "bce", "optimizer": "{name: adam, lr: 0.05}", "epochs": "5",
            "batch_size": "8"}
    decl.update(fields)
    body = "".join(f"  {key}: {value}\n" for key, value in decl.items() if value is not None)
    return f"{name}:\n{body}"


FIGURE = "{name}:\n  kind: {kind}\n  network: {net}\n  alt: A figure.\n  params: {params}\n"


def with_figure(tmp_path, kind, params, net="xor"):
    return make_root(tmp_path, figures=FIGURES + FIGURE.format(
        name="extra", kind=kind, net=net, params=params))


# --- D1, D7: names -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ['"../../../../x"', '"/some/dir/pwn"', '"a/b"', '"..."',
                                  '"Caps"', '"-dash-first"', '"' + "n" * 65 + '"'])
def test_a_network_name_that_is_not_a_plain_short_file_name_is_refused(tmp_path, name):
    root = make_root(tmp_path, networks=NETWORKS + network(name),
                     figures=FIGURES + FIGURE.format(name="pwn", kind="loss_curve",
                                                     net=name, params="{}"))
    err = refused(root, "_data/networks.yml:", "invalid name")
    assert re.search(r"networks\.yml:\d+, '", err)
    assert not (tmp_path / "x-").exists() and not Path("/some/dir").exists()


def test_over_long_names_are_refused_with_their_length(tmp_path):
    root = make_root(tmp_path, networks=NETWORKS + network("n" * 300))
    refused(root, "at most 64 characters, got 300")
    root = make_root(tmp_path, networks=NETWORKS, figures=FIGURES + FIGURE.format(
        name="f" * 250, kind="loss_curve", net="xor", params="{}"))
    refused(root, "_data/figures.yml:", "at most 64 characters, got 250")
    root = make_root(tmp_path, figures=FIGURES, excerpts="e" * 100 + ": nn_blog.data.one_hot\n")
    refused(root, "_data/excerpts.yml:", "at most 64 characters, got 100")


def test_the_longest_allowed_name_is_accepted(tmp_path):
    name = "a" + "-" * 62 + "z"
    specs = declarations.load_networks(make_root(tmp_path, networks=network(name)))
    assert list(specs) == [name]


# --- D6: names YAML does not read as text ----------------------------------------------------

@pytest.mark.parametrize(("name", "read_as"), [("no", "true or false"), ("on", "true or false"),
                                               ("1", "a number"), ("1.5", "a number"),
                                               ("null", "null"), ("2020-01-01", "a date")])
def test_names_yaml_reads_as_booleans_or_numbers_must_be_quoted(tmp_path, name, read_as):
    root = make_root(tmp_path, networks=NETWORKS + network(name))
    lines = NETWORKS.count("\n")
    refused(root, f"_data/networks.yml:{lines + 1}, '{name}'", read_as, f"quote it ('{name}')")
    quoted = make_root(tmp_path, networks=NETWORKS + network(f"'{name}'"))
    if declarations.NAME.match(name):  # quoted, it is a fine name
        assert name in declarations.load_networks(quoted)


def test_a_field_name_yaml_reads_as_a_boolean_is_refused_too(tmp_path):
    root = make_root(tmp_path, networks=NETWORKS + network(extra=None) + "  yes: 3\n")
    refused(root, "_data/networks.yml:", "YAML reads the name yes as true or false")


# --- D4: alias bombs, deep nesting, size -----------------------------------------------------

def alias_bomb(levels=9) -> str:
    names = "abcdefghijk"
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip(names, names[1:levels], strict=False):
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    return text


BOUNDED = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (768 * 2**20, 768 * 2**20))
from nn_blog.cli import main
main(sys.argv[1:])
"""


def run_bounded(root, *args, timeout=30):
    """``nn-blog ARGS`` in a process limited to 768 MB of address space and ``timeout`` s."""
    return subprocess.run([PYTHON, "-c", BOUNDED, *args, "--root", str(root)],
                          capture_output=True, text=True, env=ENV, timeout=timeout)


def test_an_alias_bomb_in_a_network_fails_fast_in_one_line(tmp_path):
    bomb = alias_bomb()
    assert len(bomb.encode()) < 600
    extra = textwrap.indent(bomb.replace("i: &i", "lol: &i"), "  ")
    networks = NETWORKS.replace("xor:\n", "xor:\n" + extra, 1)
    root = make_root(tmp_path, networks=networks)
    before = snapshot(root, skip_cache=False)
    proc = run_bounded(root, "render")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "_data/networks.yml:" in proc.stderr and "alias" in proc.stderr
    assert snapshot(root, skip_cache=False) == before


@pytest.mark.parametrize("text", [
    "x: &x [*x]\n",                                   # an alias inside what it names
    "[" * 60_000 + "]" * 60_000 + "\n",               # overflowed libyaml's composer (segfault)
    "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 60)),
    "x: &x 1\ny: [" + ", ".join(["*x"] * 101) + "]\n",
])
def test_recursive_deep_and_alias_heavy_yaml_is_one_line(tmp_path, text):
    root = make_root(tmp_path, networks=text)
    proc = run_bounded(root, "list")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "_data/networks.yml:" in proc.stderr


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    root = make_root(tmp_path, networks=NETWORKS + "# " + "x" * declarations.MAX_FILE_BYTES)
    refused(root, "_data/networks.yml", f"larger than {declarations.MAX_FILE_BYTES} bytes")


# --- D10: NaN, zero sizes, undecodable bytes -------------------------------------------------

@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"optimizer": "{name: adam, lr: .nan}"}, "optimizer.lr", "finite number"),
    ({"optimizer": "{name: adam, lr: .inf}"}, "optimizer.lr", "finite number"),
    ({"dataset": "{name: moons, noise: .nan}"}, "dataset.noise", "finite number"),
    ({"dataset": "{name: moons, noise: -.inf}"}, "dataset.noise", "finite number"),
])
def test_nan_and_infinity_are_refused_naming_file_network_and_field(tmp_path, fields, field,
                                                                    words):
    root = make_root(tmp_path, networks=NETWORKS + network(**fields))
    refused(root, "_data/networks.yml:", "'net'", f"field '{field}'", words)


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("decision_boundary", "{resolution: 0}", "params.resolution"),
    ("boundary_evolution", "{columns: 0}", "params.columns"),
    ("boundary_evolution", "{frames: 0}", "params.frames"),
    ("boundary_evolution", "{resolution: .nan}", "params.resolution"),
])
def test_zero_sizes_in_figure_params_are_refused(tmp_path, kind, params, field):
    refused(with_figure(tmp_path, kind, params), "_data/figures.yml:", "'extra'",
            f"field '{field}'")


@pytest.mark.parametrize("rel", ["_data/networks.yml", "_data/figures.yml",
                                 "_data/excerpts.yml"])
def test_a_byte_that_is_not_utf8_names_the_file_and_line(tmp_path, rel):
    root = make_root(tmp_path)
    path = root / rel
    path.write_bytes(path.read_bytes() + b"# caf\xff\n")
    lines = path.read_bytes().count(b"\n")
    refused(root, f"{rel}:{lines}:", "not UTF-8", "0xff")


# --- D11: upper bounds -------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"layers": "[{units: 10000000, activation: tanh}, {units: 1, activation: sigmoid}]"},
     "layers[0].units"),
    ({"dataset": "{name: xor, n_samples: 1000000000}"}, "dataset.n_samples"),
    ({"dataset": "{name: xor, n_samples: 1e9}"}, "dataset.n_samples"),
    ({"epochs": "1000000000"}, "epochs"),
    ({"batch_size": "1000000000"}, "batch_size"),
    ({"snapshots": "[" + ", ".join(["1"] * 1001) + "]"}, "snapshots"),
    ({"dataset": "{name: blobs, n_samples: 100000, n_features: 1000}"}, "dataset"),
    ({"layers": "[" + ", ".join(["{units: 4096, activation: tanh}"] * 3)
      + ", {units: 1, activation: sigmoid}]"}, "layers"),
])
def test_sizes_have_generous_upper_bounds(tmp_path, fields, field):
    root = make_root(tmp_path, networks=NETWORKS + network(**fields))
    refused(root, "_data/networks.yml:", "'net'", f"field '{field}'")


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("decision_boundary", "{resolution: 100000}", "params.resolution"),
    ("boundary_evolution", "{frames: 100000}", "params.frames"),
    ("boundary_evolution", "{epochs: [" + ", ".join(["1"] * 65) + "]}", "params.epochs"),
    ("neuron_heatmaps", "{points: 100000000}", "params.points"),
])
def test_figure_params_have_upper_bounds(tmp_path, kind, params, field):
    refused(with_figure(tmp_path, kind, params), "_data/figures.yml:", "'extra'",
            f"field '{field}'")


def test_train_options_are_bounded_like_the_declarations():
    code, err, _ = run_cli(REPO, "train", "xor", "--epochs", "1000000000")
    assert code == 2 and "--epochs must be an integer from 1 to 100000" in err


# --- D12: nonsense ------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "net", "params", "field"), [
    ("digits", "xor", "{count: -3}", "params.count"),
    ("loss_surface", "null", "{steps: 0}", "params.steps"),
    ("neuron_heatmaps", "xor", "{points: -1}", "params.points"),
    ("artificial_neuron", "null", "{n_inputs: 0}", "params.n_inputs"),
    ("architecture", "null", "{layers: [3, 0, 2]}", "params.layers[1]"),
    ("activations", "null", "{functions: []}", "params.functions"),
    ("activations", "null", "{functions: [swish]}", "params.functions[0]"),
])
def test_nonsense_figure_params_are_refused(tmp_path, kind, net, params, field):
    refused(with_figure(tmp_path, kind, params, net), "_data/figures.yml:", "'extra'",
            f"field '{field}'")


def test_the_real_declarations_are_valid_and_their_bounds_generous():
    specs = declarations.load_networks(REPO, required=True)
    figures = declarations.load_figures(REPO, specs)
    assert declarations.load_excerpts(REPO)
    assert {"moons", "digits"} <= set(specs) and "moons-boundary" in figures


# --- validation: FRACTION (contract 2) ------------------------------------------------------

@pytest.mark.parametrize(("value", "ok"), [("0", True), ("0.2", True), ("0.49", True),
                                           ("0.5", False), ("-0.1", False), (".nan", False),
                                           ("'0.2'", False)])
def test_validation_is_a_fraction_below_one_half(tmp_path, value, ok):
    root = make_root(tmp_path, networks=network(validation=value))
    if ok:
        assert declarations.load_networks(root)["net"]["validation"] == float(value)
    else:
        with pytest.raises(NNBlogError, match=r"'net', field 'validation'"):
            declarations.load_networks(root)


def test_validation_defaults_to_zero(tmp_path):
    assert declarations.load_networks(make_root(tmp_path, networks=network()))["net"][
        "validation"] == 0.0


# --- D17: an empty figures.yml while posts show figures --------------------------------------

def test_an_empty_figures_file_is_refused_while_a_post_shows_figures(tmp_path):
    root = make_root(tmp_path)
    (root / "_posts").mkdir()
    (root / "_posts" / "2020-01-01-a.md").write_text(
        "---\ntitle: a\n---\n{% raw %}{% nn_figure shown %}{% endraw %}\n\n"
        "Text.\n{% nn_figure xor-loss %}\n")
    (root / "_data" / "figures.yml").write_text("")
    refused(root, "_data/figures.yml: declares no figures",
            "_posts/2020-01-01-a.md:7 shows {% nn_figure xor-loss %}")
    refused(root, "declares no figures", args=("list",))


def test_an_empty_figures_file_is_fine_when_nothing_shows_a_figure(tmp_path):
    root = make_root(tmp_path, figures="# none yet\n")
    (root / "_posts").mkdir()
    (root / "_posts" / "2020-01-01-a.md").write_text(
        "---\ntitle: a\n---\nShown with {% raw %}{% nn_figure NAME %}{% endraw %}.\n")
    assert declarations.load_figures(root) == {}


# --- D20: `list` checks like `render --check` ------------------------------------------------

def test_list_refuses_what_render_check_refuses_with_the_same_line(tmp_path):
    root = make_root(tmp_path, networks=NETWORKS.replace("epochs: 30", 'epochs: "30"'))
    check = refused(root, "'xor', field 'epochs'", "got str '30'", args=("render", "--check"))
    assert refused(root, args=("list",)) == check


# --- every error is one line naming file, item and field; exit 2 ----------------------------

def test_errors_keep_their_bare_message_and_move_without_editing_it():
    err = NNBlogError("must be > 0", field="lr")
    moved = err.at(file="_data/networks.yml", item="xor", field="optimizer.lr", line=3)
    assert str(moved) == "_data/networks.yml:3, 'xor', field 'optimizer.lr': must be > 0"
    assert moved.message == "must be > 0" and str(err) == "field 'lr': must be > 0"
    diverged = DivergedError("training diverged at epoch 3", field="lr").at(item="x")
    assert isinstance(diverged, DivergedError) and diverged.field == "lr"


def test_divergence_is_its_own_error_type(tmp_path):
    from nn_blog import experiments

    text = network(dataset="{name: moons, n_samples: 100}", loss="mse",
                   layers="[{units: 4, activation: identity}, {units: 1, activation: identity}]",
                   optimizer="{name: sgd, lr: 1000.0}", epochs="50", batch_size="10")
    spec = declarations.load_networks(make_root(tmp_path, networks=text))["net"]
    with pytest.raises(DivergedError) as info:
        experiments.train(spec)
    assert (info.value.file, info.value.item, info.value.field) == (
        "_data/networks.yml", "net", "optimizer.lr")


def test_engine_names_agree_with_the_declarations():
    from nn_blog import nn
    from nn_blog.nn.activations import ACTIVATIONS
    from nn_blog.nn.losses import LOSSES

    assert set(declarations.ACTIVATIONS) == set(ACTIVATIONS), (
        "add the engine's new activation to ACTIVATIONS in nn_blog/declarations/networks.py")
    assert set(declarations.LOSSES) == set(LOSSES)
    assert nn is not None


def test_old_style_kind_params_get_generic_bounds():
    from nn_blog.figures import Kind

    kind = Kind("someday", False, {"n": (int, 3), "x": (float, 0.5), "flag": (bool, False),
                                   "names": (list, None), "exact": Int(2, 1, 4)})
    assert kind.resolve({}) == {"n": 3, "x": 0.5, "flag": False, "names": None, "exact": 2}
    for bad in ({"n": -1}, {"n": 10**9}, {"x": float("nan")}, {"names": [float("inf")]},
                {"exact": 5}, {"flag": "no"}):
        with pytest.raises(NNBlogError, match=f"field '{next(iter(bad))}"):
            kind.resolve(bad, item="f")
    assert ListOf(Int(None, 0, 9), None, 1, 2).check([0, 9]) == [0, 9]


def test_the_yaml_files_state_the_bounds_the_code_enforces():
    for rel, text in declarations.bounds_comments().items():
        header = (REPO / rel).read_text(encoding="utf-8").split("\n\n", 1)[0]
        for line in text.splitlines():
            assert line in header.splitlines(), f"{rel}: header lacks {line!r}"


# --- D21: a syntax error in nn_blog/, serve without watchdog ---------------------------------

def test_a_syntax_error_in_the_package_is_one_line_naming_file_and_line(tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(REPO / "nn_blog", package / "nn_blog",
                    ignore=shutil.ignore_patterns("__pycache__", "resources"))
    shutil.copytree(REPO / "nn_blog" / "resources", package / "nn_blog" / "resources")
    plan = package / "nn_blog" / "plan.py"
    plan.write_text(plan.read_text() + "\ndef broken(:\n")
    lines = plan.read_text().count("\n")
    root = make_root(tmp_path / "site")
    proc = subprocess.run([PYTHON, "-m", "nn_blog", "list", "--root", str(root)], cwd=package,
                          capture_output=True, text=True, env={**ENV, "PYTHONPATH": str(package)},
                          timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert f"nn_blog/plan.py:{lines}: SyntaxError" in proc.stderr


def test_serve_without_watchdog_says_how_to_install_it(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "watchdog" else real(name, *a))
    monkeypatch.setitem(sys.modules, "watchdog", None)
    code, err, _ = run_cli(make_root(tmp_path), "serve")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "pip install 'nn-blog[serve]'" in err
