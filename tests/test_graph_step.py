"""The step-through graph (live=graph-step, nn_blog/jekyll/assets/js/live/graph-step.js) computes
the worked example with the browser engine: every number it shows must be the Python engine's
(nn_blog/figures/computation_graph.py), within 1e-9, for the post's example (the figure's
generated data, as the page hands it to the script) and for two other starts computed here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nn_blog.declarations import load_figures
from nn_blog.figures import computation_graph

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "nn_blog" / "jekyll" / "assets" / "js" / "live" / "graph-step.js"
FIGURES = ROOT / "_data" / "generated" / "figures.json"
NODE_TIMEOUT = 60  # seconds; a few hundred ms when healthy
TOLERANCE = 1e-9
# Other starts: the other XOR inputs, a target of 0, another seed and rate.
OTHERS = [{"x": [0.0, 1.0], "y": 1, "seed": 0, "lr": 1.0},
          {"x": [-1.5, 2.0], "y": 0, "seed": 7, "lr": 0.5}]

RUNNER = """
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [script, cases, out] = process.argv.slice(2);
const { compute } = await import(pathToFileURL(script).href);
const results = JSON.parse(readFileSync(cases, "utf8")).map((start) => compute(start));
writeFileSync(out, JSON.stringify(results));
"""


def _spec(params: dict) -> dict:
    return {"name": "computation-graph", "kind": "computation_graph", "params": params}


def _run_node(starts: list[dict], tmp_path: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    runner, cases, out = tmp_path / "run.mjs", tmp_path / "cases.json", tmp_path / "out.json"
    runner.write_text(RUNNER, encoding="utf-8")
    cases.write_text(json.dumps(starts), encoding="utf-8")
    done = subprocess.run([node, str(runner), str(SCRIPT), str(cases), str(out)],
                          capture_output=True, text=True, timeout=NODE_TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _start(exact: dict) -> dict:
    """What the script starts from: the inputs, target, rate and starting parameters."""
    return {"x": exact["x"], "y": exact["y"], "lr": exact["lr"],
            "hidden": {k: exact["hidden"][k] for k in ("W", "b")},
            "output": {k: exact["output"][k] for k in ("W", "b")}}


def _compare(expected, got, where: str, checked: list[str]):
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert key in got, f"{where}.{key}: the script does not compute it"
            _compare(value, got[key], f"{where}.{key}", checked)
    elif isinstance(expected, list):
        assert len(got) == len(expected), where
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            _compare(e, g, f"{where}[{i}]", checked)
    else:
        assert abs(float(got) - float(expected)) <= TOLERANCE, (where, got, expected)
        checked.append(where)


def test_the_live_graph_gives_the_figures_numbers_and_the_engines_for_other_inputs(tmp_path):
    assert FIGURES.is_file(), "run `nn-blog render` first"
    generated = json.loads(FIGURES.read_text(encoding="utf-8"))["computation-graph"]["data"]
    expected = [generated["exact"]]
    expected += [computation_graph.data(_spec(p))["exact"] for p in OTHERS]
    # the figure's data is today's engine's on the declared start: a stale render would test
    # the wrong numbers
    declared = load_figures(ROOT)["computation-graph"].params
    assert expected[0] == computation_graph.data(_spec(dict(declared)))["exact"]
    got = _run_node([_start(e) for e in expected], tmp_path)
    for i, (e, g) in enumerate(zip(expected, got, strict=True)):
        checked: list[str] = []
        _compare(e, g, f"case {i}", checked)
        # every number the figure carries: W, b, z, a, dz, dW, db, W_after, b_after of the
        # hidden layer (24) and the output (12); x, y, lr, the losses, their change, ŷ twice (9)
        assert len(checked) == 45, checked
        # the edges' derivatives: dl/da_j = w_j dz, as the hidden layer's backward pass uses
        for j in range(2):
            assert g["output"]["da"][j] == pytest.approx(
                e["output"]["W"][j][0] * e["output"]["dz"][0], abs=TOLERANCE)
    # the other starts are other numbers: the comparison is not vacuous
    assert got[1]["loss"] != pytest.approx(got[0]["loss"], abs=1e-3)
    assert got[2]["y"] == 0 and got[2]["loss_after"] < got[2]["loss"]
