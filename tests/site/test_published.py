"""Nothing stray is published (issue 21): every file in the built site is a page, a post asset, a
figure, a live-figure file, the feed, the sitemap, search, a card or the math fonts. A folder a
tool leaves in the source (`pip install .`'s build/, a venv, node_modules, caches) fails here
unless _config.yml's exclude names it.
"""

from __future__ import annotations

import re
from pathlib import Path

# What may be published, one pattern a kind (paths relative to the site root).
PUBLISHED = {
    "page": r"(?!assets/|pagefind/)(.+/)?[^/]+\.html",
    "site file": r"(favicon\.svg|robots\.txt)",
    "feed": r"feed\.xml",
    "sitemap": r"sitemap\.xml",
    "search": r"pagefind/.+|assets/js/search\.js",
    "theme scripts": r"assets/js/toc\.js",  # the blog's table of contents (no inline script)
    "stylesheet": r"assets/css/[^/]+\.css",
    "post asset": r"assets/images/(site/)?[^/]+\.(png|jpe?g|svg|webp|gif)",
    "figure": r"assets/images/nn/[^/]+\.[0-9a-f]{8,}\.(svg|png|webp|gif|mp4|webm)",
    "card": r"assets/images/cards/[^/]+\.png",
    # the live figures' scripts (served minified) and the networks they fetch
    "live figure": r"assets/nn-blog/js/.+\.js|assets/nn/[^/]+\.json",
    "math font": r"assets/nn-blog/math-[0-9a-f]+\.woff",
}
ALLOWED = re.compile("|".join(f"(?:{pattern})" for pattern in PUBLISHED.values()))


def strays(dest: Path) -> list[str]:
    """Every file of a built site that is none of PUBLISHED's kinds."""
    return sorted(rel for rel in (p.relative_to(dest).as_posix() for p in dest.rglob("*")
                                  if p.is_file()) if not ALLOWED.fullmatch(rel))


def test_nothing_stray_is_published(site):
    assert strays(site.dest) == [], "published but neither page, asset, figure nor search"


def test_a_stray_folder_would_be_caught(tmp_path):
    for rel in ["index.html", "assets/images/nn/a.0123456789ab.svg", "build/lib/nn_blog/x.py",
                "node_modules/x/index.js", "nn_blog.egg-info/PKG-INFO"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert strays(tmp_path) == ["build/lib/nn_blog/x.py", "nn_blog.egg-info/PKG-INFO",
                                "node_modules/x/index.js"]
