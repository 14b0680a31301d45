"""The built site's markup: the pages exist, math is typeset at build time (no page loads MathJax's
script), nothing is loaded from another host, meta
descriptions carry no math delimiters, the /blog build passes html-proofer.
"""

from __future__ import annotations

import contextlib
import html as html_module
import os
import re
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pagecheck
import pytest
import yaml
from conftest import ROOT

PAGES = ["/", "/about/", "/tags/", "/404.html", "/markdown-style/"]



def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\s*\n(.*?)\n---\s*\n", text, re.S)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def page_sources() -> list[tuple[Path, str]]:
    """The hand-written pages and posts, with where each is published."""
    found = [(ROOT / "index.html", "/")]
    for source in [ROOT / "about.md", ROOT / "tags.html", ROOT / "404.html",
                   *sorted((ROOT / "_pages").glob("*.md"))]:
        found.append((source, front_matter(source)["permalink"]))
    for post in sorted((ROOT / "_posts").glob("*.md")):
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", post.stem)
        found.append((post, front_matter(post).get("permalink") or f"/{slug}/"))
    return found


def post_permalinks() -> list[str]:
    return [path for source, path in page_sources() if source.parent.name == "_posts"]


class _Loads(HTMLParser):
    """Every URL the browser would fetch by itself (not links a reader may click)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.meta: dict[str, str] = {}
        self.in_style = False

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:  # the math fonts' @font-face rules
            self.urls += re.findall(r"url\(['\"]?([^'\")]+)", data)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in {"img", "script", "iframe", "video", "audio", "source"}:
            self.urls += [a[k] for k in ("src", "srcset", "poster") if a.get(k)]
        if tag == "link" and (a.get("rel") or "") in {"stylesheet", "icon", "preload"}:
            self.urls.append(a.get("href", ""))
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta[a.get("name") or a.get("property")] = a.get("content") or ""
        if tag == "style":
            self.in_style = True
        if "style" in a:
            self.urls += re.findall(r"url\(['\"]?([^'\")]+)", a["style"])


def parsed(site, path) -> _Loads:
    loads = _Loads()
    loads.feed(site.file_for(path).read_text(encoding="utf-8"))
    return loads


def test_every_page_is_built(site):
    missing = [p for p in PAGES + post_permalinks() if p not in site.pages]
    assert not missing, f"pages missing from the build: {missing} (built: {site.pages})"
    assert (site.dest / "feed.xml").is_file() and (site.dest / "sitemap.xml").is_file()


def test_no_page_loads_mathjax(site):
    for source, path in page_sources():
        scripts = [u for u in parsed(site, path).urls if u.endswith(".js")]
        assert not [u for u in scripts if "mathjax" in u.lower() or "/sre/" in u], source.name


def test_math_is_typeset_at_build_time(site):
    """No TeX is left for a browser on any page, and the post's math is there, readable."""
    for _, path in page_sources():
        html = site.file_for(path).read_text(encoding="utf-8")
        left = pagecheck.leftover_tex(html)
        assert not left, f"{path}: TeX left untypeset: {left[:3]}"
        containers = html.count("<math")
        assert "<merror" not in html and "mjx-" not in html, path
        if containers:
            assert '<style id="nn-math">' in html, f"{path}: math without its CSS"
            font = re.search(r'url\("(/assets/nn-blog/math-[0-9a-f]+\.woff)"\)', html)
            assert font, f"{path}: math without the site's math font"
            assert site.file_for(font.group(1)).is_file(), f"{path}: {font.group(1)} not published"
    for path in post_permalinks():
        assert site.file_for(path).read_text(encoding="utf-8").count("<math") > 10, path


def _italic(char: str) -> str | None:
    """The math-italic form MathML Core shows a single-letter <mi> in (text-transform:
    math-auto), found by its Unicode name; None when there is none."""
    name = unicodedata.name(char, "")
    for plain, italic in (("LATIN ", "MATHEMATICAL ITALIC "), ("GREEK ", "MATHEMATICAL ITALIC "),
                          ("", "MATHEMATICAL ITALIC ")):
        if name.startswith(plain):
            wanted = italic + name[len(plain):].replace("LETTER ", "").replace("LUNATE ", "")
            with contextlib.suppress(KeyError):
                return unicodedata.lookup(wanted)
    return "\u210e" if char == "h" else None  # italic h is Planck's constant, U+210E


def test_the_math_font_draws_every_character_of_the_math(site):
    """The cut font holds each character of the pages' math, the italic form of each single
    letter, and the radical sign a square root draws: the browser takes them from the first
    font of math's font-family only, so a missing one is a box."""
    from fontTools.ttLib import TTFont

    wanted: dict[str, str] = {}
    font = None
    for _, path in page_sources():
        html = site.file_for(path).read_text(encoding="utf-8")
        found = re.search(r'url\("(/assets/nn-blog/math-[0-9a-f]+\.woff)"\)', html)
        if not found:
            continue
        font = font or found.group(1)
        assert found.group(1) == font, f"{path}: another math font than the other pages'"
        for math in re.findall(r"<math\b.*?</math>", html, re.S):
            for tag, attrs, text in re.findall(r"<(m[ion]|mtext)\b([^>]*)>([^<]*)</\1>", math):
                text = html_module.unescape(text)
                for char in text:
                    wanted.setdefault(char, path)
                if tag == "mi" and len(text) == 1 and 'mathvariant="normal"' not in attrs:
                    italic = _italic(text)
                    if italic:
                        wanted.setdefault(italic, path)
            if "<msqrt" in math or "<mroot" in math:
                wanted.setdefault("\u221a", path)
    assert font, "no page offers the math font"
    cmap = TTFont(site.file_for(font)).getBestCmap()
    missing = {f"U+{ord(c):04X} ({c}, {p})" for c, p in wanted.items() if ord(c) not in cmap}
    assert not missing, f"{font} lacks {sorted(missing)[:10]}"
    assert {"\u221a", "\U0001d715", "\U0001d465"} <= set(wanted)  # √, italic ∂ and x: checked


@pytest.mark.parametrize("which", ["site", "blog_site"])
def test_nothing_is_loaded_from_another_host(which, request):
    site = request.getfixturevalue(which)
    foreign = []
    for path in site.pages:
        for url in parsed(site, path).urls:
            for part in url.split(","):
                part = part.strip().split(" ")[0]
                if re.match(r"^[a-z]+://", part) and not part.startswith(site.origin + "/"):
                    foreign.append(f"{path}: {part}")
                elif part.startswith("/") and not part.startswith(site.baseurl + "/"):
                    foreign.append(f"{path}: {part} ignores the baseurl {site.baseurl!r}")
    assert not foreign, "\n".join(foreign)


def test_meta_descriptions_are_plain_text(site):
    for path in site.pages:
        meta = parsed(site, path).meta
        for key in ("description", "og:description"):
            text = meta.get(key, "")
            assert not re.search(r"\\[()\[\]]|\$\$", text), f"{path} {key}: {text}"
    assert "e^{i\\pi}" in parsed(site, "/markdown-style/").meta["description"]


def test_posts_share_their_header_image(site):
    for path in post_permalinks():
        meta = parsed(site, path).meta
        assert meta.get("og:image", "").startswith(site.origin + "/assets/"), (path, meta)
        assert meta.get("twitter:card") == "summary_large_image"


def test_html_proofer_under_a_baseurl(blog_site):
    """Internal links, images (with alt text) and anchors resolve when the site lives in /blog."""
    argv = ["bundle", "exec", "htmlproofer", str(blog_site.webroot), "--disable-external",
            "--check-html", "--check-favicon", "--check-opengraph",
            "--url-swap", "^" + blog_site.origin.replace(":", "\\:") + ":"]
    # html-proofer is a test tool: it is in the tests' bundle (spec/Gemfile), not the site's
    env = dict(os.environ, BUNDLE_GEMFILE=str(ROOT / "spec" / "Gemfile"))
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
