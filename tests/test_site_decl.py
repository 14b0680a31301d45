"""Bad declarations and arguments: one line naming file, figure and field; exit 2; no writes."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from test_render_fixture import FIGURES, NETWORKS, make_root, snapshot

from nn_blog import declarations
from nn_blog.cli import main
from nn_blog.errors import NNBlogError

GOOD_FIGURE = """\
extra:
  kind: loss_curve
  network: xor
  alt: Loss of the XOR network.
"""


def run_cli(root, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(root)])
    return result.exit_code, result.stderr, result.stdout


def assert_rejected(root, *fragments, args=("render",)):
    """Exit 2, one line on stderr holding every fragment, and not one file written."""
    before = snapshot(root, skip_cache=False)
    code, err, _ = run_cli(root, *args)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert snapshot(root, skip_cache=False) == before


def with_figure(tmp_path, text, figures=FIGURES):
    return make_root(tmp_path, figures=figures + text)


BAD_FIGURES = {
    "unknown kind": ("bad:\n  kind: pie_chart\n  alt: A pie.\n",
                     ["_data/figures.yml:", "'bad'", "field 'kind'", "unknown kind 'pie_chart'",
                      "loss_curve"]),
    "unknown network": ("bad:\n  kind: loss_curve\n  network: mnist\n  alt: A curve.\n",
                        ["'bad'", "field 'network'", "unknown network 'mnist'", "moons, xor"]),
    "kind needs a network": ("bad:\n  kind: loss_curve\n  alt: A curve.\n",
                             ["'bad'", "field 'network'", "draws a trained network"]),
    "missing alt": ("bad:\n  kind: biological_neuron\n  caption: Hi.\n",
                    ["'bad'", "field 'alt'", "required"]),
    "empty alt": ("bad:\n  kind: biological_neuron\n  alt: '  '\n", ["'bad'", "field 'alt'"]),
    "name with a slash": ("a/b:\n  kind: biological_neuron\n  alt: A neuron.\n",
                          ["_data/figures.yml:", "'a/b'", "no '/' or '..'"]),
    "name with dots": ("..:\n  kind: biological_neuron\n  alt: A neuron.\n",
                       ["'..'", "no '/' or '..'"]),
    "output climbs out": ("bad:\n  kind: biological_neuron\n  alt: A neuron.\n"
                          "  output: ../../../etc/bad\n",
                          ["'bad'", "field 'output'", "outside assets/"]),
    "output absolute": ("bad:\n  kind: biological_neuron\n  alt: A neuron.\n  output: /tmp/bad\n",
                        ["'bad'", "field 'output'", "outside assets/"]),
    "legacy outside assets": ("bad:\n  kind: biological_neuron\n  alt: A neuron.\n"
                              "  legacy: [assets/../bad.png]\n",
                              ["'bad'", "field 'legacy'", "outside assets/"]),
    "duplicate name": ("neuron:\n  kind: biological_neuron\n  alt: Again.\n",
                       ["_data/figures.yml:", "'neuron'", "duplicate name"]),
    "duplicate output": ("bad:\n  kind: biological_neuron\n  alt: A neuron.\n"
                         "  output: misc/neuron\n",
                         ["'bad'", "field 'output'", "figure 'neuron' writes too"]),
    "legacy collides": ("bad:\n  kind: biological_neuron\n  alt: A neuron.\n"
                        "  legacy: [assets/images/nn/xor-loss-dark.svg]\n",
                        ["'bad'", "field 'legacy'", "figure 'xor-loss' writes too"]),
    "wrong parameter type": ("bad:\n  kind: decision_boundary\n  network: xor\n"
                             "  alt: Regions.\n  params: {resolution: high}\n",
                             ["'bad'", "field 'params.resolution'", "expected int"]),
    "unknown parameter": ("bad:\n  kind: decision_boundary\n  network: xor\n  alt: Regions.\n"
                          "  params: {colour: red}\n",
                          ["'bad'", "field 'params.colour'", "resolution"]),
    "unknown field": ("bad:\n  kind: biological_neuron\n  alt: A neuron.\n  captoin: Typo.\n",
                      ["'bad'", "field 'captoin'", "unknown field"]),
}


@pytest.mark.parametrize("case", BAD_FIGURES)
def test_bad_figure_declaration(tmp_path, case):
    text, fragments = BAD_FIGURES[case]
    assert_rejected(with_figure(tmp_path, text), *fragments)


def test_malformed_yaml_names_its_line(tmp_path):
    root = with_figure(tmp_path, "bad:\n  kind: [unclosed\n  alt: x\n")
    lines = FIGURES.count("\n")
    assert_rejected(root, "_data/figures.yml:", "malformed YAML")
    err = run_cli(root, "render")[1]
    line = int(re.search(r"figures\.yml:(\d+)", err).group(1))
    assert lines < line <= lines + 4


def test_duplicate_name_gives_the_second_line(tmp_path):
    root = with_figure(tmp_path, "xor-loss:\n  kind: biological_neuron\n  alt: Again.\n")
    assert f"figures.yml:{FIGURES.count(chr(10)) + 1}," in run_cli(root, "render")[1]


def test_unknown_name_on_the_command_line_lists_the_known_ones(tmp_path):
    root = make_root(tmp_path)
    assert_rejected(root, "'moons-boundary'", "unknown figure", "xor-loss, xor-boundary",
                    args=("render", "moons-boundary"))


def test_bad_network_declaration_is_reported_before_training(tmp_path):
    root = make_root(tmp_path, networks=NETWORKS.replace("activation: tanh", "activation: tan", 1))
    assert_rejected(root, "_data/networks.yml", "'xor'", "activation", "unknown activation")


def test_diverging_network_names_the_epoch_and_suggests_a_lower_rate(tmp_path):
    networks = NETWORKS + ("wild:\n  dataset: {name: moons, n_samples: 100}\n  layers:\n"
                           "    - {units: 8, activation: relu}\n"
                           "    - {units: 1, activation: identity}\n"
                           "  loss: mse\n  optimizer: {name: sgd, lr: 1000.0}\n"
                           "  epochs: 50\n  batch_size: 10\n")
    root = make_root(tmp_path, networks=networks, figures=FIGURES + GOOD_FIGURE.replace(
        "extra", "wild-loss").replace("xor", "wild"))
    before = snapshot(root)
    code, err, _ = run_cli(root, "render", "--jobs", "1")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert re.search(r"'wild'.*field 'optimizer\.lr'.*epoch \d+.*smaller learning rate", err), err
    assert snapshot(root) == before  # the cache may hold the other networks; the site is as it was


def test_bad_excerpt_path_names_excerpt_and_field(tmp_path):
    root = make_root(tmp_path, excerpts="dense: [nn_blog.nn.layers.Dense.sideways]\n")
    assert_rejected(root, "_data/excerpts.yml", "'dense'", "field 'paths'",
                    "nn_blog.nn.layers.Dense.sideways")
    root = make_root(tmp_path, excerpts="dense: 42\n")
    assert_rejected(root, "_data/excerpts.yml", "'dense'", "dotted paths")


def test_missing_declarations_say_where_they_were_looked_for(tmp_path):
    assert_rejected(tmp_path, "_data/figures.yml", "not found")


def test_declarations_load_with_defaults(tmp_path):
    figures = declarations.load_figures(make_root(tmp_path, figures=FIGURES + GOOD_FIGURE))
    fig = figures["xor-boundary"]
    assert fig.output == "nn/xor-boundary" and fig.params["resolution"] == 40
    assert fig.params["show_test"] is True  # the kind's default
    assert [item.path for item in fig.legacy] == ["assets/images/xor_old.png",
                                                  "assets/images/xor_old.jpg"]
    assert figures["neuron"].output == "misc/neuron" and figures["neuron"].network is None
    assert "assets/images/misc/neuron-dark.svg" in declarations.output_files(figures["neuron"])


def test_legacy_params_are_checked_and_merged(tmp_path):
    text = ("teaser:\n  kind: decision_boundary\n  network: xor\n  alt: Regions.\n"
            "  params: {resolution: 50}\n"
            "  legacy: [{path: assets/images/t.jpg, params: {show_test: false}}]\n")
    (item,) = declarations.load_figures(with_figure(tmp_path, text))["teaser"].legacy
    assert item.params["resolution"] == 50 and item.params["show_test"] is False
    with pytest.raises(NNBlogError, match="params.show_test"):
        declarations.load_figures(with_figure(tmp_path, text.replace("false", "'no'")))
