"""Issue 20's XSS rows in Chromium: hostile captions, titles, excerpts, taglines and TeX on a
small site built from spec/fixture (the blog's real _includes/, _layouts/ and _plugins/), every
page opened, and no dialog may fire."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"

CAPTION = '`$$` <img src="x" onerror="alert(document.domain)"> `$$`'
HREF = r"\(\href{javascript:alert(41)}{Click}\)"
POSTS = {
    # row 1, both ways in
    "2020-12-01-caption.md": "---\ntitle: Caption\n---\n{% nn_figure evil %}\n\n"
                             "{% nn_figure evil caption='" + CAPTION + "' %}\n",
    # row 4: an escaped title and excerpt that hold math
    "2020-12-02-title.md": f"---\ntitle: '{HREF}'\nexcerpt: '{HREF}'\n---\nBody $$x$$.\n",
    "2020-12-03-overlay.md": f"---\ntitle: '{HREF}'\nheader:\n  overlay_color: '#333'\n"
                             "---\nBody.\n",
    # row 6
    "2020-12-04-excerpt.md": "---\ntitle: Lone\nexcerpt: 'Lone <img src=x onerror=alert(21) x'\n"
                             "tagline: '<img src=x onerror=alert(22)>'\n"
                             "header:\n  overlay_color: '#333'\n"
                             "related: true\n---\nBody.\n",
    # row 3
    "2020-12-05-tex.md": "---\ntitle: TeX\n---\n"
                         "$$\\href{javascript:alert(3)}{a}$$ "
                         "$$\\href{ JaVaScRiPt:alert(31)}{b}$$ "
                         "$$\\style{position:fixed;top:0;left:0;"
                         "width:100%;height:100%}{\\href{https://example.org}{c}}$$\n",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    src = tmp_path_factory.mktemp("hostile")
    shutil.copytree(ROOT / "spec" / "fixture", src, dirs_exist_ok=True)
    for folder in ("_includes", "_layouts", "_plugins"):
        shutil.copytree(ROOT / folder, src / folder, dirs_exist_ok=True)
    shutil.rmtree(src / "_includes" / "generated", ignore_errors=True)
    figures = json.loads((src / "_data/generated/figures.json").read_text())
    figures["evil"] = {"light": {"png": "/e.png"}, "dark": {}, "legacy": [], "width": 10,
                       "height": 10, "hash": "h", "key": "k", "alt": "A", "caption": CAPTION}
    (src / "_data/generated/figures.json").write_text(json.dumps(figures))
    for name, text in POSTS.items():
        (src / "_posts" / name).write_text(text)
    env = {**os.environ, "NN_BLOG_SKIP_RENDER": "1", "NN_BLOG_SKIP_SEARCH": "1",
           "BUNDLE_GEMFILE": str(ROOT / "Gemfile")}
    done = subprocess.run(["bundle", "exec", "jekyll", "build", "--source", str(src),
                           "--destination", str(src / "_site")], cwd=src, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return src / "_site"


def test_no_hostile_input_runs_in_chromium(hostile_site, browser):
    # the suite's Chromium (conftest): a second sync Playwright inside the session would fail
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 5
    dialogs, links = [], []
    if True:
        context = browser.new_context()
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append((page.url.split("/_site/")[-1], d.message)),
                                         d.dismiss()))
            for file in pages:
                page.goto(file.as_uri(), wait_until="load", timeout=30_000)
                page.wait_for_timeout(200)  # an onerror fires after the image fails
                # a click on every link a hostile input could have made
                for link in page.locator("math [href], .page-hero a, .card a").all()[:20]:
                    href = link.get_attribute("href") or ""
                    if href.strip().lower().startswith("javascript"):
                        links.append((file.parent.name, href))
        finally:
            context.close()
    assert dialogs == []
    assert links == []
    caption = (hostile_site / "caption" / "index.html").read_text()
    assert "&lt;img src=" in caption
