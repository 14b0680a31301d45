"""Social cards: the 1200x630 picture a link to a post shows on social sites and in chats.

Each post gets ``assets/images/cards/<slug>.png``: its header image across the top, its title
below, in the light palette; the site gets ``default.png`` (its title and description) for every
other page and for posts without a header. `_data/generated/cards.json` maps each post's source
file (``_posts/2020-01-02-slug.md``, what the plugin matches: Jekyll alone knows the URL a permalink
with placeholders or categories gives; ``url`` is this side's guess, for people) to its card and
records what each card was drawn from, so a card is redrawn only when its title, its
header image or this module changes, and a render with nothing to do never imports matplotlib.
`_plugins/nn_blog/cards.rb` sets each post's ``image`` from that file, which jekyll-seo-tag turns
into ``og:image`` and ``twitter:image``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import textwrap
from pathlib import Path

from . import hostsite
from .errors import NNBlogError
from .fileio import write_atomic

WIDTH, HEIGHT = 1200, 630          # pixels: what Open Graph and Twitter's large card expect
BAND = 330                         # height of the header image band at the top
CARDS = Path("assets/images/cards")
MANIFEST = Path("_data/generated/cards.json")
MAX_PIXELS = 40_000_000           # a header image larger than this is refused before decoding
DEFAULT = "default"                # the site's card; a post of that slug gets a hashed name
PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}\Z")


def _card_name(slug: str, taken) -> str:
    """A post's card name: its slug, unless that is the default card's, not a plain file name,
    or taken already (then ``post-`` and a hash of the slug)."""
    if PLAIN.match(slug) and slug != DEFAULT and slug not in taken:
        return slug
    return "post-" + hashlib.sha256(slug.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _header_image(root: Path, post: Path, matter: dict) -> Path | None:
    """The post's header image on disk (Minimal Mistakes' header.image, else its teaser),
    checked without decoding it: a readable PNG or JPEG of at most MAX_PIXELS."""
    header = matter.get("header") if isinstance(matter.get("header"), dict) else {}
    rel = post.relative_to(root).as_posix()
    for key in ("image", "overlay_image", "teaser"):
        value = header.get(key)
        if not isinstance(value, str) or "://" in value:
            continue
        if "\x00" in value:
            raise NNBlogError(f"the header image's path {value[:80]!r} holds a NUL byte",
                              file=rel, field=f"header.{key}")
        path = (root / value.lstrip("/")).resolve()
        if not path.is_relative_to(root):
            raise NNBlogError("the header image is outside the site", file=rel,
                              field=f"header.{key}")
        if path.suffix.lower() in (".png", ".jpg", ".jpeg") and path.is_file():
            _check_image(path, path.relative_to(root).as_posix())
            return path
    return None


def _check_image(path: Path, rel: str) -> None:
    """Refuse a corrupt image, a decompression bomb or one over MAX_PIXELS, from its header."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:  # lazy: reads the header only
                width, height = img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NNBlogError(f"the header image is larger than {MAX_PIXELS // 10**6} megapixels "
                          "(a decompression bomb?)", file=rel) from None
    except (OSError, ValueError, SyntaxError) as err:
        raise NNBlogError(f"the header image cannot be read: {err}".splitlines()[0],
                          file=rel) from None
    if width * height > MAX_PIXELS:
        raise NNBlogError(f"the header image is {width}x{height} pixels, more than "
                          f"{MAX_PIXELS // 10**6} megapixels: make it smaller", file=rel)


def plan(root) -> dict:
    """What every card is drawn from:
    {card name: {"title", "subtitle", "image", "key", "url", "source"}}."""
    root = Path(root).resolve()
    config = hostsite.config(root)
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]

    def entry(title, subtitle, image, url, post=None):
        digest = hashlib.sha256(json.dumps([title, subtitle, source]).encode())
        if image is not None:
            digest.update(image.read_bytes())
        rel = image.relative_to(root).as_posix() if image else None
        return {"title": title, "subtitle": subtitle, "image": rel, "url": url,
                "source": post.relative_to(root).as_posix() if post else None,
                "key": digest.hexdigest()[:20]}

    cards = {DEFAULT: entry(str(config.get("title", "")), str(config.get("description", "")),
                            None, None)}
    now = dt.datetime.now(dt.timezone.utc)
    for post in hostsite.posts(root):  # not _drafts/: Jekyll publishes no draft
        matter = hostsite.front_matter(root, post) or {}
        if not hostsite.publishes(config, post, matter, now):
            continue  # published: false, or dated in the future
        image = _header_image(root, post, matter)
        if image is None:
            continue  # the site's default card stands in
        slug = hostsite.post_slug(post)
        when = hostsite.post_date(post, matter) or now
        url = hostsite.post_url(config, slug, when.date(), matter)
        title = matter.get("title", slug)
        cards[_card_name(slug, cards)] = entry(str(slug if title is None else title),
                                               str(config.get("title", "")), image, str(url),
                                               post)
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
            path = root / card["image"]
            _check_image(path, card["image"])
            try:
                with Image.open(path) as img:
                    img = img.convert("RGB")
                    # crop to the band's aspect ratio around the centre, then place it
                    w, h = img.size
                    want = w * BAND / WIDTH
                    box = (0, max(0, round((h - want) / 2)), w, min(h, round((h + want) / 2)))
                    band = img.crop(box).resize((WIDTH, BAND), Image.LANCZOS)
            except (OSError, ValueError, SyntaxError) as err:
                raise NNBlogError(f"the header image cannot be read: {err}".splitlines()[0],
                                  file=card["image"]) from None
            ax = fig.add_axes((0, 1 - BAND / HEIGHT, 1, BAND / HEIGHT))
            ax.imshow(mpimg.pil_to_array(band), interpolation="none", aspect="auto")
            ax.set_axis_off()
            top = 1 - BAND / HEIGHT
        fig.add_artist(_bar(fig, top, s))
        lines = textwrap.wrap(_drawable(card["title"]), width=34 if card["image"] else 26)[:3]
        size = 50 if card["image"] else 64
        y = top - 0.07 if card["image"] else 0.62
        for line in lines:
            fig.text(0.05, y, line, fontsize=size * 72 / style.CSS_DPI, fontweight="bold",
                     color=s.text, va="top", parse_math=False, usetex=False)
            y -= size * 1.18 / HEIGHT
        if card["subtitle"]:
            fig.text(0.05, 0.06, _drawable(card["subtitle"]), fontsize=26 * 72 / style.CSS_DPI,
                     color=s.muted, va="bottom", parse_math=False, usetex=False)
    return fig


def _drawable(text: str) -> str:
    """``text`` without the characters the card's font has no glyph for (emoji, most scripts
    it lacks), so matplotlib prints no "Glyph missing" warning and draws no empty boxes; call
    inside ``style.use``. ``$`` is kept: the card's texts are drawn with ``parse_math=False``."""
    from matplotlib import font_manager, ft2font

    def charmap(weight):
        font = font_manager.findfont(font_manager.FontProperties(weight=weight))
        return set(ft2font.FT2Font(font).get_charmap())

    known = charmap("bold") & charmap("normal")
    kept = "".join(ch for ch in text if ch == " " or ord(ch) in known)
    return re.sub(r"\s+", " ", kept).strip()


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
    manifest = {"cards": {name: {"path": f"/{(CARDS / f'{name}.png').as_posix()}",
                                 "url": card["url"], "source": card["source"],
                                 "key": card["key"], "width": WIDTH, "height": HEIGHT}
                          for name, card in cards.items()}}
    # a manifest that only lacks what the plugin matches by (written before "source") is
    # rewritten without drawing anything
    if check or not stale and old == manifest:
        return stale
    for name in stale:
        write_atomic(root / CARDS / f"{name}.png", _png(draw(cards[name], root)))
    for gone in set(old_keys) - set(cards):
        (root / CARDS / f"{gone}.png").unlink(missing_ok=True)
    write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return stale
