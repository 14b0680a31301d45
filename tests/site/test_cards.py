"""Social cards in the built site: each post's og:image and twitter:image is its 1200x630 card,
every other page shows the site's default card."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _meta(html, name):
    """A meta tag's content, by name= or property= (jekyll-seo-tag writes twitter:* both ways)."""
    found = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', html)
    return found and found.group(1)


def test_every_page_points_at_its_card(site):
    cards = json.loads((ROOT / "_data/generated/cards.json").read_text())["cards"]
    by_url = {c["url"]: c["path"] for c in cards.values() if c["url"]}
    assert by_url, "no post has a card"
    checked = 0
    for path in site.pages:
        if not path.endswith("/"):
            continue  # 404.html and other files
        html = site.file_for(path).read_text(encoding="utf-8")
        want = by_url.get(path, cards["default"]["path"])
        og, tw = _meta(html, "og:image"), _meta(html, "twitter:image")
        assert og == site.url(want), f"{path}: og:image {og!r}, wanted {want}"
        assert tw == og, f"{path}: twitter:image {tw!r}"
        assert _meta(html, "twitter:card") == "summary_large_image", path
        with Image.open(site.dest / want.lstrip("/")) as card:
            assert card.size == (1200, 630), (path, card.size)
        checked += 1
    assert checked >= len(by_url)
