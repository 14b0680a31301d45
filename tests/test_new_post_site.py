"""`nn-blog new` follows the host site: this blog's house style (every post check of
tests/test_post.py passes on the new post), a minima site, a bare site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NN_BLOG = [sys.executable, "-m", "nn_blog"]
# what tests/test_post.py reads of the site
SITE_PARTS = ["_config.yml", "_data", "_posts", "_layouts", "_includes", "_pages", "_plugins",
              "assets", "nn_blog", "tests", "pyproject.toml", "Gemfile", "Gemfile.lock",
              "about.md", "tags.html", "index.html", "404.html", "Makefile", "mk"]


def _run(args, cwd, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env,
                          **kw)


def _copy_blog(tmp_path):
    site = tmp_path / "blog"
    site.mkdir()
    for part in SITE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, site / part, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "generated-cache"))
        elif src.is_file():
            shutil.copy2(src, site / part)
    return site


def _front(path):
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_the_new_post_passes_this_blogs_front_matter_check(tmp_path):
    site = _copy_blog(tmp_path)
    made = _run([*NN_BLOG, "new", "Why ReLU? Part 2", "--date", "2020-11-01"], site)
    assert made.returncode == 0, made.stderr
    name = "2020-11-01-why-relu-part-2.md"
    assert "next: make serve, then open http://127.0.0.1:4000/why-relu-part-2/" in made.stdout
    # tests/test_post.py, untouched, run in the copy: its ROOT is the copy
    checks = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
                   "no:xdist", "tests/test_post.py", "-k", f"front_matter_like and {name}"],
                  site)
    assert checks.returncode == 0 and "1 passed" in checks.stdout, checks.stdout[-3000:]


@pytest.mark.slow
def test_the_new_post_passes_every_post_check_once_rendered(tmp_path):
    site = _copy_blog(tmp_path)
    if (ROOT / "node_modules").is_dir():
        (site / "node_modules").symlink_to(ROOT / "node_modules")
    made = _run([*NN_BLOG, "new", "Why ReLU? Part 2", "--date", "2020-11-01"], site)
    assert made.returncode == 0, made.stderr
    rendered = _run([*NN_BLOG, "render", "--jobs", "1", "why-relu-part-2-boundary"], site)
    assert rendered.returncode == 0, rendered.stderr
    checks = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
                   "no:xdist", "tests/test_post.py", "-k", "2020-11-01-why-relu-part-2"], site)
    assert checks.returncode == 0 and " failed" not in checks.stdout, checks.stdout[-3000:]


def _minima(tmp_path):
    site = tmp_path / "minima"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Mine\ntheme: minima\n")
    return site


def test_a_minima_site_gets_its_themes_post_layout_and_jekyll_serve(tmp_path):
    site = _minima(tmp_path)
    made = _run([*NN_BLOG, "new", "Hello", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    front = _front(site / "_posts/2020-05-06-hello.md")
    assert front["layout"] == "post" and front["title"] == "Hello"
    assert "permalink" not in front  # the site's own permalink style applies
    assert "make serve" not in made.stdout
    assert "next: nn-blog serve, then open http://127.0.0.1:4000/2020/05/06/hello.html" \
        in made.stdout


def test_a_minima_site_with_a_serve_target_says_make_serve(tmp_path):
    site = _minima(tmp_path)
    (site / "Makefile").write_text("include mk/*.mk\n")
    (site / "mk").mkdir()
    (site / "mk" / "site.mk").write_text("serve:\n\tbundle exec jekyll serve\n")
    made = _run([*NN_BLOG, "new", "Hello", "--date", "2020-05-06"], site)
    assert made.returncode == 0 and "next: make serve" in made.stdout, made.stdout


def test_a_bare_site_gets_the_layout_it_has(tmp_path):
    site = tmp_path / "bare"
    (site / "_layouts").mkdir(parents=True)
    (site / "_layouts" / "default.html").write_text("<html>{{ content }}</html>\n")
    (site / "_config.yml").write_text("title: Bare\n")
    (site / "Makefile").write_text("build:\n\tjekyll build\n")
    made = _run([*NN_BLOG, "new", "Hello", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    front = _front(site / "_posts/2020-05-06-hello.md")
    # no 'post' or 'single' here: its one layout, so the post has a <head> (figure styles, math)
    assert front["layout"] == "default", front
    assert "make serve" not in made.stdout and "nn-blog serve" in made.stdout


def test_a_site_follows_its_own_posts(tmp_path):
    site = _minima(tmp_path)
    for n in range(3):
        (site / "_posts" / f"2020-01-0{n + 1}-p{n}.md").write_text(
            f"---\nlayout: page\ntitle: P{n}\ncategories: [notes]\nauthor: me\n"
            + ("mathjax: true\n" if n == 0 else "") + "---\nx\n")
    made = _run([*NN_BLOG, "new", "Hello", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    front = _front(site / "_posts/2020-05-06-hello.md")
    assert front["layout"] == "page" and front["categories"] == ["notes"]
    assert front["author"] == "me" and "mathjax" not in front  # one post in three: not house


@pytest.mark.parametrize("title, page", [("About", "about.md"), ("Tags", "tags.html")])
def test_this_blogs_pages_keep_their_urls(tmp_path, title, page):
    site = _copy_blog(tmp_path)
    done = _run([*NN_BLOG, "new", title, "--date", "2020-11-01"], site)
    assert done.returncode == 2 and page in done.stderr and f"/{title.lower()}/" in done.stderr
    assert not list((site / "_posts").glob(f"*-{title.lower()}.md"))
