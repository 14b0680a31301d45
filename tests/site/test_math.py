"""Math typeset when the site is built (the plugin's math.rb + math.mjs, MathJax 4's Node API).

A post written for Minimal Mistakes (`mathjax: true`, `$$...$$` inline and display) is dropped
into `_posts/` of a site made of this repository's config, layouts, includes and plugins, and
built: its math arrives typeset (MathML), without MathJax's script. TeX that
MathJax cannot parse fails the build with one line naming the post and the expression.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from pagecheck import leftover_tex

pytestmark = pytest.mark.timeout(600)

FIXTURE = Path(__file__).parent / "fixtures" / "2019-03-02-minimal-mistakes-math.md"
# What a site needs from the repository; symlinked, so the math cache is the repository's too.
SHARED = ["_config.yml", "_layouts", "_includes", "_plugins", "_data",
          ".jekyll-cache", "index.html", "favicon.svg"]


def _site(tmp_path: Path, posts: dict[str, str]) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    (ROOT / ".jekyll-cache").mkdir(exist_ok=True)
    for name in SHARED:
        (source / name).symlink_to(ROOT / name)
    (source / "assets").mkdir()
    (source / "assets" / "css").symlink_to(ROOT / "assets" / "css")
    (source / "_posts").mkdir()
    for name, text in posts.items():
        (source / "_posts" / name).write_text(text, encoding="utf-8")
    return source


def _build(source: Path) -> subprocess.CompletedProcess:
    argv = ["bundle", "exec", "jekyll", "build", "--strict_front_matter",
            "--source", str(source), "--destination", str(source / "_site")]
    env = dict(os.environ, NN_BLOG_SKIP_RENDER="1", BUNDLE_GEMFILE=str(ROOT / "Gemfile"))
    return subprocess.run(argv, cwd=source, capture_output=True, text=True, env=env,
                          timeout=300)


def test_a_minimal_mistakes_post_gets_its_math(tmp_path):
    source = _site(tmp_path, {FIXTURE.name: FIXTURE.read_text(encoding="utf-8")})
    done = _build(source)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    html = (source / "_site" / "blog" / "minimal-mistakes-math" / "index.html").read_text(
        encoding="utf-8")
    display = re.findall(r'<math[^>]*display="block"', html)
    inline = re.findall(r'<math(?![^>]*display="block")[^>]*>', html)
    assert len(display) == 2, f"display math: {len(display)}"
    assert len(inline) == 4, f"inline math: {len(inline)}"
    assert re.search(r"<mi[^>]*>(∇|&#x2207;)</mi>", html), "MathML for \\nabla"
    assert not leftover_tex(html), leftover_tex(html)
    assert "\\(x\\)" in html, "TeX inside code must stay as written"
    assert "tex-chtml" not in html and "/sre/" not in html, "MathJax's script was loaded"
    fonts = re.findall(r'url\("([^"]+\.woff)"\)', html)
    assert fonts, "no @font-face for the math font"
    missing = [f for f in fonts if not (source / "_site" / f.lstrip("/")).is_file()]
    assert not missing, f"fonts not published with the site: {missing[:3]} (nn-blog setup)"


@pytest.mark.parametrize("tex, shown", [
    ("\\frac{1}{", "$$\\frac{1}{$$"),
    ("\\notamacro{x}", "$$\\notamacro{x}$$"),
])
def test_tex_mathjax_cannot_parse_fails_the_build(tmp_path, tex, shown):
    post = "---\ntitle: Broken\nmathjax: true\n---\n\nFine $$a$$, then:\n\n$$\n" + tex + "\n$$\n"
    source = _site(tmp_path, {"2019-01-01-broken.md": post})
    done = _build(source)
    output = done.stdout + done.stderr
    assert done.returncode == 2, f"exit {done.returncode} with TeX MathJax cannot parse"
    lines = [line for line in output.splitlines() if "cannot typeset" in line]
    assert len(lines) == 1, output
    assert "_posts/2019-01-01-broken.md" in lines[0] and shown in lines[0], lines[0]
    assert "from /" not in output and "Error" not in output.replace(lines[0], ""), output
