"""Issue 17, "say the rule": `nn-blog kinds` and docs/reference.md come from the declarations
package; the reference is current; the declaration files' headers point at `nn-blog kinds`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from nn_blog import reference
from nn_blog.declarations import DATASETS, KIND_DECLS
from nn_blog.export_plan import TRAIN_DATA_MAX
from nn_blog.jekyll import init

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "nn_blog", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_the_reference_page_is_current():
    assert (ROOT / reference.REFERENCE).read_text() == reference.markdown(), \
        "docs/reference.md is stale: nn-blog kinds --markdown > docs/reference.md"


def test_kinds_prints_every_kind_and_data_set_with_parameters_and_defaults():
    proc = run("kinds")
    assert proc.returncode == 0, proc.stderr
    for kind in KIND_DECLS.values():
        assert f"\n  {kind.name}  (" in proc.stdout
        for param in kind.params:
            assert f"      {param}: " in proc.stdout
    for name in DATASETS:
        assert f"\n  {name}\n" in proc.stdout
    assert "n_samples: an integer from 4 to 100000 (default 1000)" in proc.stdout
    assert f"at most {TRAIN_DATA_MAX} points" in proc.stdout
    assert run("list", "--kinds").stdout == proc.stdout


def test_kinds_and_list_as_json_for_tools():
    data = json.loads(run("kinds", "--json").stdout)
    boundary = next(k for k in data["kinds"] if k["name"] == "decision_boundary")
    assert {"name": "resolution", "describe": "an integer from 8 to 1000", "default": 200,
            "shown_default": "200", "required": False} in boundary["params"]
    items = json.loads(run("list", "--json").stdout)
    assert items and {"kind", "name", "status", "reason"} == set(items[0])


def test_the_live_kinds_match_the_plugin():
    ruby = (ROOT / "nn_blog/jekyll/lib/nn_blog/figures.rb").read_text()
    block = re.search(r"LIVE_FIGURES = \{(.*?)\}\.freeze", ruby, re.DOTALL)[1]
    pairs = dict(re.findall(r'"([a-z-]+)" => %w\(([^)]*)\)', block))
    assert {k: v.split() for k, v in pairs.items()} == reference.LIVE_FIGURES


def test_the_headers_point_at_nn_blog_kinds():
    for text in (init.FIGURES_HEAD, init.NETWORKS_HEAD,
                 (ROOT / "_data/figures.yml").read_text().split("\n\n")[0],
                 (ROOT / "_data/networks.yml").read_text()[:4000]):
        assert "`nn-blog kinds`" in text
    assert "`nn-blog list` for the known" not in (ROOT / "_data/figures.yml").read_text()


def test_the_plugin_knows_the_train_data_limit():
    info = json.loads(run("plugin", "--json").stdout)
    assert info["limits"] == {"train_data_max": TRAIN_DATA_MAX}
