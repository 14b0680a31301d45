"""`nn-blog new`: a post, its network and its figure that render and build at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NN_BLOG = [sys.executable, "-m", "nn_blog"]
SKIP = {".git", ".venv", "_site", ".cache", ".jekyll-cache", "test-artifacts", ".pytest_cache",
        ".ruff_cache", ".hypothesis", "node_modules", "mathjax"}


def _copy_site(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(ROOT, site, ignore=lambda d, names: [n for n in names if n in SKIP],
                    symlinks=True)
    return site


def _run(args, cwd, **kw):
    # the copy's loader finds nn-blog through NN_BLOG (the copy has no .venv of its own)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
           "NN_BLOG": str(Path(sys.executable).parent / "nn-blog")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, **kw)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bundle") is None, reason="needs Jekyll (make site-deps)")
def test_new_post_renders_and_builds(tmp_path):
    site = _copy_site(tmp_path)
    made = _run([*NN_BLOG, "new", "Why ReLU? Part 2", "--date", "2026-11-01", "--root", "."],
                site)
    assert made.returncode == 0, made.stderr
    post = site / "_posts" / "2026-11-01-why-relu-part-2.md"
    assert post.is_file()
    rendered = _run([*NN_BLOG, "render", "--root", ".", "--jobs", "1"], site)
    assert rendered.returncode == 0, rendered.stderr
    built = subprocess.run(
        ["bundle", "exec", "jekyll", "build", "--strict_front_matter"], cwd=site,
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "NN_BLOG_SKIP_RENDER": "1", "BUNDLE_GEMFILE": str(site / "Gemfile"),
             "NN_BLOG": str(Path(sys.executable).parent / "nn-blog")})
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    page = (site / "_site" / "why-relu-part-2" / "index.html").read_text(encoding="utf-8")
    assert "Why ReLU? Part 2" in page
    assert "why-relu-part-2-boundary" in page  # the figure's files
    assert "%" in page.split("accuracy on its test split")[0][-20:]  # a quoted, generated result


def test_new_post_refuses_an_existing_slug(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_data").mkdir()
    (site / "_config.yml").write_text("title: A site\n")
    (site / "_data" / "networks.yml").write_text("xor:\n  title: x\n")
    (site / "_data" / "figures.yml").write_text("a:\n  kind: activations\n")
    (site / "_posts" / "2020-01-01-hello-world.md").write_text("---\ntitle: Hi\n---\n")
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    done = _run([*NN_BLOG, "new", "Hello, World!", "--root", "."], site)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "hello-world" in done.stderr, done.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("title", ["", "   ", "!!!", "two\nlines"])
def test_new_post_refuses_titles_without_a_slug(tmp_path, title):
    done = _run([*NN_BLOG, "new", title, "--root", str(tmp_path)], tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("nn-blog: error:"), done.stderr
    assert not any(tmp_path.iterdir())


def test_slugify():
    from nn_blog.scaffold import slugify

    assert slugify("Why ReLU? (Part 2)") == "why-relu-part-2"
    assert slugify("Élan vital") == "elan-vital"
    assert len(slugify("word " * 40)) <= 48
