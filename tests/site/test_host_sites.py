"""nn-blog added to other Jekyll sites, the way an author adds it.

A wheel is built from this working tree and installed (not editable) into a fresh virtual
environment. Two sites are made from scratch in a temporary folder: one on Debian's stock
``minima`` theme, one bare (a hand-made layout, no theme). In each: ``nn-blog init``,
``nn-blog new "Why ReLU works"``, a line of math and ``live=probe`` added to the post, then
``jekyll build``. In Chromium the post shows its figure (light and dark), its math is typeset
(no TeX on screen), the live probe answers, search finds the post, no request leaves the site and
the console stays quiet. ``nn-blog init`` again changes nothing; a new wheel with a changed plugin
file reaches the site on the next build with no file of the site changed; the same post source
builds in this blog's own layouts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ARTIFACTS, ROOT, _serve

pytestmark = pytest.mark.timeout(1200)

TITLE = "Why ReLU works"
DATE = "2020-01-02"
SLUG = "why-relu-works"
FIGURE = f"{SLUG}-boundary"
MATH = "The probability is $$\\sigma(z) = \\frac{1}{1 + e^{-z}}$$ for a logit $$z$$.\n"
STEP_SECONDS = 600
UPGRADE_MARK = "--nn-upgraded-by-the-test"

MINIMA_CONFIG = """\
title: A minima blog
description: The stock theme, nothing else.
theme: minima
plugins:
  - jekyll-feed
  - jekyll-seo-tag
"""
BARE_LAYOUT = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ page.title | escape }}</title>
<meta name="color-scheme" content="light dark">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>{{ content }}</main></body>
</html>
"""
BARE_INDEX = """\
---
layout: default
title: Home
---
<ul>{% for post in site.posts %}
<li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a></li>
{% endfor %}</ul>
"""


def run(argv, cwd, env, what):
    """Run one step of the author's; fail naming it, with its output, bounded in time."""
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=STEP_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what}: no result within {STEP_SECONDS} s ({' '.join(map(str, argv))})")
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def build_wheel(source: Path, out: Path, change=None) -> Path:
    """A wheel of the package from a copy of the tree (no build/ left in the tree)."""
    tree = out / "src"
    shutil.copytree(ROOT / "nn_blog", tree / "nn_blog",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    if change:
        change(tree)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(tree)], out, dict(os.environ), "pip wheel")
    (wheel,) = out.glob("nn_blog-*.whl")
    return wheel


def make_venv(path: Path, wheel: Path) -> Path:
    """A fresh virtual environment with the wheel installed (not editable). Its dependencies
    (NumPy, matplotlib, ...) come from this interpreter's site-packages through a .pth file,
    so the test does not download them again; nn_blog itself comes only from the wheel."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True,
                   timeout=120)
    python = path / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                   "print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "nn_blog_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install(path, wheel)
    return path


def install(venv: Path, wheel: Path) -> None:
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "-q", "--no-deps", "--force-reinstall", "--no-index", str(wheel)], venv,
        dict(os.environ), f"pip install {wheel.name}")


def snapshot(site: Path) -> dict[str, str]:
    """Every file of the site the author owns (not the build's output or caches)."""
    skip = {"_site", ".jekyll-cache", ".cache", ".venv"}
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*"))
            if p.is_file() and not skip & set(p.relative_to(site).parts)}


def env_for(venv: Path, on_path: bool) -> dict:
    """The author's shell: nn-blog on the PATH, or only in the site's .venv (the loader finds
    it there). Nothing of this repository's own environment leaks in."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "NN_BLOG", "NN_BLOG_SKIP_RENDER", "VIRTUAL_ENV"}}
    path = [p for p in env.get("PATH", "").split(os.pathsep)
            if not p.startswith(str(ROOT))]
    env["PATH"] = os.pathsep.join(([str(venv / "bin")] if on_path else []) + path)
    return env


def nn_blog(venv: Path) -> str:
    return str(venv / "bin" / "nn-blog")


def make_site(kind: str, site: Path) -> None:
    site.mkdir(parents=True)
    if kind == "minima":
        (site / "_config.yml").write_text(MINIMA_CONFIG)
        (site / "index.md").write_text("---\nlayout: home\n---\n")
    else:
        (site / "_config.yml").write_text("title: A bare site\n")
        (site / "_layouts").mkdir()
        (site / "_layouts" / "default.html").write_text(BARE_LAYOUT)
        (site / "index.html").write_text(BARE_INDEX)


def author(site: Path, venv: Path, env: dict) -> dict:
    """init, new, edit the post, build: what an author does; returns what init wrote."""
    before = snapshot(site)
    out = run([nn_blog(venv), "init"], site, env, "nn-blog init")
    written = sorted(set(snapshot(site)) - set(before)) + sorted(
        k for k in before if snapshot(site).get(k) != before[k])
    assert "next:" in out and "make serve" not in out, out
    run([nn_blog(venv), "new", TITLE, "--date", DATE], site, env, "nn-blog new")
    post = site / "_posts" / f"{DATE}-{SLUG}.md"
    text = post.read_text()
    tag = f"{{% nn_figure {FIGURE} %}}"
    assert tag in text, text
    text = text.replace(tag, f'{{% nn_figure {FIGURE} live=probe hint="Move over the plane" %}}')
    post.write_text(text + "\n" + MATH)
    run(["jekyll", "build"], site, env, "jekyll build")
    return {"init": out, "written": written}


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    return make_venv(out / "venv", build_wheel(ROOT, out))


@pytest.fixture(scope="module", params=["minima", "bare"])
def host(request, tmp_path_factory, venv):
    site = tmp_path_factory.mktemp(request.param) / "site"
    make_site(request.param, site)
    if request.param == "minima":
        (site / ".venv").symlink_to(venv)  # found by the loader in the site, not on the PATH
    env = env_for(venv, on_path=request.param == "bare")
    made = author(site, venv, env)
    server, origin = _serve(site / "_site", "")
    yield {"kind": request.param, "site": site, "env": env, "origin": origin, **made}
    server.shutdown()


def post_url(host) -> str:
    page = next((host["site"] / "_site").rglob(f"{SLUG}*.html"), None) or next(
        (host["site"] / "_site").rglob(f"{SLUG}/index.html"))
    rel = page.relative_to(host["site"] / "_site").as_posix()
    return f"{host['origin']}/{rel}"


def test_init_writes_the_loader_declarations_and_one_config_line(host):
    assert sorted(host["written"]) == ["_config.yml", "_data/figures.yml", "_data/networks.yml",
                                       "_plugins/nn_blog.rb"]
    loader = (host["site"] / "_plugins" / "nn_blog.rb").read_text()
    assert loader == (ROOT / "nn_blog" / "jekyll" / "loader.rb").read_text()
    assert loader == (ROOT / "_plugins" / "nn_blog.rb").read_text()  # this blog's own
    assert not (host["site"] / "assets" / "nn-blog").exists()  # nothing of the plugin copied
    assert ".cache/" in (host["site"] / "_config.yml").read_text()


def test_the_post_in_chromium(host, browser):
    url = post_url(host)
    shots = ARTIFACTS / "host-sites"
    shots.mkdir(parents=True, exist_ok=True)
    for scheme, width in (("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)):
        problems = _check_post(browser, host, url, scheme, width, shots)
        assert not problems, problems


def _check_post(browser, host, url, scheme, width, shots) -> list[str]:
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    context.set_default_timeout(30_000)
    requests, errors, missing = [], [], []
    context.on("request", lambda r: requests.append(r.url))
    # The browser asks for /favicon.ico by itself; neither test site has one.
    context.on("response", lambda r: missing.append(r.url) if r.status >= 400
               and not r.url.endswith("/favicon.ico") else None)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems = []
    try:
        page.goto(url, wait_until="load")
        figure = page.locator("figure.nn-figure")
        figure.scroll_into_view_if_needed()
        src = figure.locator("img").evaluate(
            "img => img.complete && img.naturalWidth > 0 ? img.currentSrc : ''")
        # minima is light only (it declares no color-scheme): its figures stay light; the bare
        # site declares both, and its figures follow the reader.
        dark = "-dark" in src
        if not src or dark != (scheme == "dark" and host["kind"] == "bare"):
            problems.append(f"figure shows {src!r} in {scheme}")
        narrow = "-narrow" in src
        if narrow != (width < 600):
            problems.append(f"figure at {width} px shows {src!r}")
        text = page.evaluate("() => document.body.innerText")
        if "\\(" in text or "\\frac" in text or page.locator("math").count() < 2:
            problems.append("math is not typeset")
        probs = page.evaluate(
            "async () => { const t = setTimeout; const answer = window.nnBlog.predict("
            f"'{SLUG}', [[0, 0], [1, 1]]); return await Promise.race([answer, new Promise("
            "(_, no) => t(() => no(new Error('no answer within 20 s')), 20000))]); }")
        if not (len(probs) == 2 and all(abs(sum(row) - 1) < 1e-6 for row in probs)):
            problems.append(f"nnBlog.predict answered {probs!r}")
        page.wait_for_selector("figure.nn-figure .nn-live", timeout=20_000)
        page.wait_for_timeout(300)  # the probe's first paint
        plane = figure.locator(".nn-live canvas").first  # the decision regions
        before = figure.locator(".nn-live").inner_text()
        box = plane.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        readout = figure.locator(".nn-live").inner_text()
        if "%" not in readout or readout == before:
            problems.append(f"the probe says {readout!r}")
        # the probe's plane is drawn in the page's scheme too (a corner pixel's brightness)
        shade = page.evaluate(
            "() => { const c = document.querySelector('figure.nn-figure .nn-live canvas');"
            " const d = c.getContext('2d').getImageData(2, 2, 1, 1).data;"
            " return d[0] + d[1] + d[2]; }")
        if (shade < 384) != dark:
            problems.append(f"the probe's plane has brightness {shade} in {scheme}")
        found = page.evaluate(
            "async () => { const pf = await import('/pagefind/pagefind.js');"
            " const r = await pf.search('introduction');"
            " return Promise.all(r.results.map(x => x.data().then(d => d.url))); }")
        if not any(SLUG in u for u in found):
            problems.append(f"search for 'introduction' found {found}")
        page.screenshot(path=shots / f"{host['kind']}-{width}-{scheme}.png", full_page=True)
    finally:
        context.close()
    foreign = [u for u in requests if not u.startswith(host["origin"]) and
               not u.startswith(("data:", "blob:"))]
    problems += [f"request to another host: {u}" for u in foreign]
    problems += [f"console: {e}" for e in errors]
    problems += [f"not found: {u}" for u in missing]
    return [f"{host['kind']} {scheme} {width}px: {p}" for p in problems]


def test_init_again_changes_nothing(host, venv):
    before = snapshot(host["site"])
    out = run([nn_blog(venv), "init"], host["site"], host["env"], "nn-blog init (again)")
    assert "nothing to change" in out, out
    assert snapshot(host["site"]) == before


def test_an_upgrade_reaches_the_site_with_no_file_of_it_changed(host, venv, tmp_path):
    def change(tree: Path) -> None:
        css = tree / "nn_blog" / "jekyll" / "assets" / "nn-figures.css"
        css.write_text(css.read_text() + f".nn-figure {{ {UPGRADE_MARK}: 1; }}\n")

    before = snapshot(host["site"])
    install(venv, build_wheel(ROOT, tmp_path, change))
    try:
        run(["jekyll", "build"], host["site"], host["env"], "jekyll build (upgraded)")
        html = next((host["site"] / "_site").rglob(f"{SLUG}*.html"), None) or next(
            (host["site"] / "_site").rglob(f"{SLUG}/index.html"))
        assert UPGRADE_MARK in html.read_text()
        assert snapshot(host["site"]) == before
    finally:
        install(venv, build_wheel(ROOT, tmp_path / "back"))


def test_the_same_post_builds_in_this_blogs_layouts(host, tmp_path):
    """The scaffolded post and its generated figure, in a site made of this blog's config,
    layouts, includes and plugins."""
    if host["kind"] != "minima":
        pytest.skip("one post is enough")
    source = tmp_path / "blog"
    source.mkdir()
    for name in ("_config.yml", "_layouts", "_includes", "_plugins", "favicon.svg"):
        (source / name).symlink_to(ROOT / name)
    shutil.copytree(host["site"] / "_data", source / "_data")
    shutil.copytree(host["site"] / "assets", source / "assets")
    shutil.copytree(ROOT / "assets" / "css", source / "assets" / "css")
    shutil.copytree(host["site"] / "_posts", source / "_posts")
    env = dict(os.environ, NN_BLOG_SKIP_RENDER="1", NN_BLOG_SKIP_SEARCH="1",
               BUNDLE_GEMFILE=str(ROOT / "Gemfile"))
    run(["bundle", "exec", "jekyll", "build", "--strict_front_matter", "--source", str(source),
         "--destination", str(source / "_site")], source, env, "jekyll build (this blog)")
    html = next((source / "_site").rglob(f"{SLUG}/index.html")).read_text()
    assert 'class="page__title"' in html or "page-hero" in html  # this blog's single layout
    assert 'figure class="nn-figure' in html and "<math" in html
