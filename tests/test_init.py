"""`nn-blog init`, `doctor`, `setup` and `plugin`: adding nn-blog to a Jekyll site.

The whole flow in real sites (minima, a bare one) is tests/site/test_host_sites.py; here, the
rules: what init writes, that it never overwrites and writes nothing when it refuses, that a
second run changes nothing, and what doctor says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nn_blog import jekyll
from nn_blog.jekyll import init

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "nn_blog"]


def cli(*args, cwd, check=True):
    done = subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if check:
        assert done.returncode == 0, done.stderr
    return done


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path):
    (tmp_path / "_config.yml").write_text("title: Mine\ntheme: minima\n")
    return tmp_path


def test_init_writes_the_loader_the_declarations_and_one_config_line(site):
    written = init.init(site, say=lambda _: None, install_node=False)
    assert written == ["_plugins/nn_blog.rb", "_data/networks.yml", "_data/figures.yml",
                       "_config.yml"]
    assert (site / "_plugins/nn_blog.rb").read_text() == jekyll.LOADER.read_text()
    assert (site / "_config.yml").read_text().startswith("title: Mine\ntheme: minima\n")
    from nn_blog.declarations import load_figures, load_networks, load_yaml

    assert load_yaml(site, "_config.yml")["exclude"] == [".cache/"]
    assert load_networks(site) == {} and load_figures(site) == {}  # empty, and they load


def test_the_blog_loads_the_plugin_with_the_same_loader():
    assert (ROOT / "_plugins/nn_blog.rb").read_bytes() == jekyll.LOADER.read_bytes()


def test_a_second_run_changes_nothing(site):
    init.init(site, say=lambda _: None, install_node=False)
    before = files(site)
    said = []
    assert init.init(site, say=said.append, install_node=False) == []
    assert files(site) == before
    assert "nothing to change" in said[0]


@pytest.mark.parametrize("config, added", [
    ("exclude:\n  - vendor/\n  - Gemfile\nplugins: []\n",
     "exclude:\n  - .cache/  # nn-blog: the render's cache\n  - vendor/\n"),
    ("exclude:\n    - 'vendor/'\n", "exclude:\n    - .cache/"),
])
def test_an_exclude_list_gets_one_line(site, config, added):
    (site / "_config.yml").write_text(config)
    init.init(site, say=lambda _: None, install_node=False)
    assert (site / "_config.yml").read_text().startswith(added)
    again = (site / "_config.yml").read_text()
    init.init(site, say=lambda _: None, install_node=False)
    assert (site / "_config.yml").read_text() == again


def test_an_exclude_init_cannot_edit_safely_is_left_with_the_line_to_add(site):
    (site / "_config.yml").write_text("exclude: [vendor/]\n")
    said = []
    init.init(site, say=said.append, install_node=False)
    assert (site / "_config.yml").read_text() == "exclude: [vendor/]\n"
    assert any("add .cache/ to exclude" in line for line in said)


def test_not_a_site_is_refused_and_nothing_is_made(tmp_path):
    done = cli("init", str(tmp_path), "--no-node", cwd=tmp_path, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not a Jekyll site (no _config.yml)" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("in_the_way", ["_plugins/nn_blog.rb", "_data/figures.yml"])
def test_an_authors_file_in_the_way_stops_init_with_nothing_written(site, in_the_way):
    path = site / in_the_way
    path.parent.mkdir(parents=True)
    if in_the_way.endswith(".rb"):
        path.write_text("# the author's own plugin\n")
    else:
        path.mkdir()  # a folder where the declarations go
    before = files(site)
    done = cli("init", "--no-node", cwd=site, check=False)
    assert done.returncode == 2, done.stdout
    assert done.stderr.count("\n") == 1 and in_the_way in done.stderr, done.stderr
    assert "nothing was written" in done.stderr
    assert files(site) == before


def test_an_authors_declarations_are_kept(site):
    (site / "_data").mkdir()
    (site / "_data/networks.yml").write_text("# mine\n")
    init.init(site, say=lambda _: None, install_node=False)
    assert (site / "_data/networks.yml").read_text() == "# mine\n"


def test_next_steps_fit_the_site(site):
    assert "nn-blog serve" in "\n".join(init.next_steps(site))
    (site / "Makefile").write_text("serve:\n\tjekyll serve\n")
    assert "make serve" in "\n".join(init.next_steps(site))
    assert len(init.next_steps(site)) == 4  # "next:" and three commands


def test_doctor_names_what_is_missing_with_its_fix(site):
    done = cli("doctor", cwd=site, check=False)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.startswith("missing") and "nn-blog init" in line and "_plugins/nn_blog.rb"
               in line for line in lines), lines
    assert any(line.startswith("ok") and "Jekyll site" in line for line in lines)
    init.init(site, say=lambda _: None, install_node=False)
    after = cli("doctor", cwd=site, check=False).stdout
    assert "nn-blog init" not in after, after


def test_plugin_info_points_into_this_package():
    info = json.loads(cli("plugin", "--json", cwd=ROOT).stdout)
    assert Path(info["plugin"]) == ROOT / "nn_blog" / "jekyll"
    assert (Path(info["plugin"]) / "lib" / "nn_blog.rb").is_file()
    assert Path(info["python"]).exists()


def test_node_packages_go_to_the_cache_keyed_by_the_lock(tmp_path, monkeypatch):
    monkeypatch.setenv("NN_BLOG_CACHE", str(tmp_path))
    folder = jekyll.node_folder()
    assert folder.parent == tmp_path / "node" and len(folder.name) == 16
    assert jekyll.node_modules() is None  # nothing installed there yet
    assert jekyll.info()["node_modules"] is None


def test_the_wheel_lists_every_file_of_the_jekyll_side():
    """pyproject's package-data globs cover every file under nn_blog/jekyll/ (a new file the
    globs miss would be left out of the wheel, and of every foreign site)."""
    import fnmatch

    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["nn_blog.jekyll"]
    base = ROOT / "nn_blog" / "jekyll"
    shipped = [p.relative_to(base).as_posix() for p in base.rglob("*")
               if p.is_file() and p.suffix != ".pyc" and p.suffix != ".py"]
    missed = [f for f in shipped if not any(fnmatch.fnmatchcase(f, g) and f.count("/") ==
                                            g.count("/") for g in globs)]
    assert not missed, missed
