"""`nn-blog train NAME`: plain progress, --json, and one-line errors with exit code 2."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nn_blog.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(main, ["train", *args, "--root", str(ROOT)])


@pytest.fixture
def root(tmp_path):
    (tmp_path / "_data").mkdir()
    shutil.copy(ROOT / "_data" / "networks.yml", tmp_path / "_data" / "networks.yml")
    return tmp_path


def one_line_error(result):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nn-blog: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_json_prints_one_object_with_the_results():
    result = run("xor", "--json", "--seed", "1", "--epochs", "7")
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    out = json.loads(line)
    assert out["name"] == "xor" and out["seed"] == 1 and out["epochs"] == 7
    for key in ("final_loss", "train_accuracy", "test_accuracy", "seconds", "n_params"):
        assert isinstance(out[key], (int, float))
    assert 0 <= out["test_accuracy"] <= 1 and out["final_loss"] > 0


def test_without_a_terminal_progress_is_plain_lines_then_a_summary():
    result = run("neuron", "--epochs", "30")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[2] for line in lines[:-1]] == [f"{e}/30" for e in range(3, 31, 3)]
    assert all("loss" in line and "\r" not in line for line in lines)
    assert lines[-1].startswith("neuron: test accuracy ") and "30 epochs" in lines[-1]


def test_the_declared_seed_and_epochs_are_the_defaults():
    out = json.loads(run("neuron", "--json").stdout)
    assert (out["seed"], out["epochs"]) == (0, 100)
    assert out["test_accuracy"] == 1.0


def test_an_unknown_name_lists_the_known_ones():
    line = one_line_error(run("lenet"))
    assert "unknown network 'lenet'; known: neuron, xor, moons, spiral, digits" in line


@pytest.mark.parametrize(("args", "words"), [
    (["--epochs", "0"], "--epochs must be an integer from 1 to 100000, got '0'"),
    (["--epochs", "-4"], "from 1 to 100000, got '-4'"),
    (["--epochs", "many"], "--epochs must be an integer from 1 to 100000, got 'many'"),
    (["--epochs", "1000000000"], "--epochs must be an integer from 1 to 100000"),
    (["--seed", "1.5"], "--seed must be an integer from 0 to 4294967295, got '1.5'"),
    (["--seed", "-1"], "--seed must be an integer from 0 to 4294967295, got '-1'"),
])
def test_bad_options_are_one_line_and_exit_2(args, words):
    assert words in one_line_error(run("xor", *args))


def test_a_broken_declaration_names_file_network_and_field(root):
    path = root / "_data" / "networks.yml"
    path.write_text(path.read_text().replace("batch_size: 32", "batch_size: 0", 1))
    result = CliRunner().invoke(main, ["train", "moons", "--root", str(root)])
    line = one_line_error(result)
    assert "_data/networks.yml:" in line
    assert "'xor', field 'batch_size': must be an integer from 1 to 100000, got 0" in line


# linear layers and a squared error: nothing saturates, so a huge step makes the loss overflow
BLOWUP = """
blowup:
  dataset: {name: moons, n_samples: 100}
  layers: [{units: 4, activation: identity}, {units: 1, activation: identity}]
  loss: mse
  optimizer: {name: sgd, lr: 1.0e+3}
  epochs: 50
  batch_size: 10
"""


def test_divergence_names_the_epoch_and_suggests_a_smaller_learning_rate(root):
    path = root / "_data" / "networks.yml"
    path.write_text(path.read_text() + BLOWUP)
    line = one_line_error(CliRunner().invoke(main, ["train", "blowup", "--root", str(root)]))
    assert "'blowup', field 'optimizer.lr'" in line and line.count("field") == 1
    assert "diverged at epoch" in line and "smaller learning rate" in line


def test_a_missing_declarations_file_is_one_line(tmp_path):
    line = one_line_error(CliRunner().invoke(main, ["train", "xor", "--root", str(tmp_path)]))
    assert "_data/networks.yml" in line


def test_the_installed_command_runs_as_a_module(root):
    out = subprocess.run([sys.executable, "-m", "nn_blog", "train", "xor", "--json",
                          "--epochs", "3"], cwd=root, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["epochs"] == 3
    bad = subprocess.run([sys.executable, "-m", "nn_blog", "train", "nope"], cwd=root,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.splitlines()) == 1
