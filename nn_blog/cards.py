"""Social cards: the 1200x630 picture a link to a post shows on social sites and in chats.

Each post gets ``assets/images/cards/<slug>.png``: its header image across the top, its title
below, in the light palette; the site gets ``default.png`` (its title and description) for every
other page and for posts without a header. `_data/generated/cards.json` maps each post's URL to
its card and records what each card was drawn from, so a card is redrawn only when its title, its
header image or this module changes, and a render with nothing to do never imports matplotlib.
`_plugins/nn_blog/cards.rb` sets each post's ``image`` from that file, which jekyll-seo-tag turns
into ``og:image`` and ``twitter:image``.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

import yaml

from .errors import NNBlogError
from .fileio import write_atomic

WIDTH, HEIGHT = 1200, 630          # pixels: what Open Graph and Twitter's large card expect
BAND = 330                         # height of the header image band at the top
CARDS = Path("assets/images/cards")
MANIFEST = Path("_data/generated/cards.json")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.S)
MAX_FRONT_MATTER = 64 * 1024


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8", errors="replace")[:MAX_FRONT_MATTER + 16]
    match = FRONT_MATTER.match(text)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark else None
        raise NNBlogError("front matter is not valid YAML", file=str(path), line=line) from None
    return data if isinstance(data, dict) else {}


def _slug(path: Path) -> str:
    """``2020-10-17-nn-from-scratch.md`` -> ``nn-from-scratch`` (Jekyll's slug for a post)."""
    return re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem)


def _header_image(root: Path, post: Path, matter: dict) -> Path | None:
    """The post's header image on disk (Minimal Mistakes' header.image, else its teaser)."""
    header = matter.get("header") if isinstance(matter.get("header"), dict) else {}
    for key in ("image", "overlay_image", "teaser"):
        value = header.get(key)
        if not isinstance(value, str) or "://" in value:
            continue
        path = (root / value.lstrip("/")).resolve()
        if not path.is_relative_to(root):
            raise NNBlogError("the header image is outside the site", file=str(post),
                              field=f"header.{key}")
        if path.suffix.lower() in (".png", ".jpg", ".jpeg") and path.is_file():
            return path
    return None


def plan(root) -> dict:
    """What every card is drawn from: {card name: {"title", "subtitle", "image", "key", "url"}}."""
    root = Path(root).resolve()
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]

    def entry(title, subtitle, image, url):
        digest = hashlib.sha256(json.dumps([title, subtitle, source]).encode())
        if image is not None:
            digest.update(image.read_bytes())
        rel = image.relative_to(root).as_posix() if image else None
        return {"title": title, "subtitle": subtitle, "image": rel, "url": url,
                "key": digest.hexdigest()[:20]}

    cards = {"default": entry(str(config.get("title", "")), str(config.get("description", "")),
                              None, None)}
    for post in sorted((root / "_posts").glob("*.md")):
        matter = _front_matter(post)
        image = _header_image(root, post, matter)
        if image is None:
            continue  # the site's default card stands in
        slug = _slug(post)
        url = matter.get("permalink") or f"/{slug}/"
        cards[slug] = entry(str(matter.get("title", slug)), str(config.get("title", "")),
                            image, str(url))
    return cards


def draw(card: dict, root: Path):
    """The card as a matplotlib Figure of WIDTH x HEIGHT pixels."""
    import matplotlib.image as mpimg
    from PIL import Image

    from .figures import style

    s = style.LIGHT
    with style.use(s):
        fig = style.figure(s, WIDTH, HEIGHT)
        fig.set_dpi(style.CSS_DPI)
        top = 1.0
        if card["image"]:
            with Image.open(root / card["image"]) as img:
                img = img.convert("RGB")
                # crop to the band's aspect ratio around the centre, then place it
                w, h = img.size
                want = w * BAND / WIDTH
                box = (0, max(0, round((h - want) / 2)), w, min(h, round((h + want) / 2)))
                band = img.crop(box).resize((WIDTH, BAND), Image.LANCZOS)
            ax = fig.add_axes((0, 1 - BAND / HEIGHT, 1, BAND / HEIGHT))
            ax.imshow(mpimg.pil_to_array(band), interpolation="none", aspect="auto")
            ax.set_axis_off()
            top = 1 - BAND / HEIGHT
        fig.add_artist(_bar(fig, top, s))
        lines = textwrap.wrap(card["title"], width=34 if card["image"] else 26)[:3]
        size = 50 if card["image"] else 64
        y = top - 0.07 if card["image"] else 0.62
        for line in lines:
            fig.text(0.05, y, line, fontsize=size * 72 / style.CSS_DPI, fontweight="bold",
                     color=s.text, va="top")
            y -= size * 1.18 / HEIGHT
        if card["subtitle"]:
            fig.text(0.05, 0.06, card["subtitle"], fontsize=26 * 72 / style.CSS_DPI,
                     color=s.muted, va="bottom")
    return fig


def _png(fig) -> bytes:
    """PNG bytes at exactly WIDTH x HEIGHT, without the metadata that would vary."""
    import io

    from .figures import style

    buf = io.BytesIO()
    with style.use(style.LIGHT):
        fig.savefig(buf, format="png", dpi=style.CSS_DPI, metadata={"Software": None})
    return buf.getvalue()


def _bar(fig, top, s):
    from matplotlib.patches import Rectangle

    return Rectangle((0, top - 0.012), 1, 0.012, transform=fig.transFigure, color=s.accent)


def update(root, check: bool = False) -> list[str]:
    """Draw the cards whose inputs changed; return their names. ``check``: draw nothing."""
    root = Path(root).resolve()
    if not (root / "_config.yml").is_file():
        return []  # not a Jekyll site (a render test's fixture): no pages to share
    cards = plan(root)
    manifest_path = root / MANIFEST
    try:
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        old = {}
    old_keys = {name: e.get("key") for name, e in old.get("cards", {}).items()
                if isinstance(e, dict)}
    stale = [name for name, card in cards.items()
             if old_keys.get(name) != card["key"] or not (root / CARDS / f"{name}.png").is_file()]
    if check or not stale and set(old_keys) == set(cards):
        return stale
    for name in stale:
        write_atomic(root / CARDS / f"{name}.png", _png(draw(cards[name], root)))
    for gone in set(old_keys) - set(cards):
        (root / CARDS / f"{gone}.png").unlink(missing_ok=True)
    manifest = {"cards": {name: {"path": f"/{(CARDS / f'{name}.png').as_posix()}",
                                 "url": card["url"], "key": card["key"],
                                 "width": WIDTH, "height": HEIGHT}
                          for name, card in cards.items()}}
    write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return stale
