"""`nn-blog new "Title"`: start a post that builds at once, in the host site's own style.

A new post needs three things to show a trained network: the post itself, a network declaration
and a figure declaration. This module writes all three, with names derived from the title's slug,
so the author starts from something that renders, builds and quotes a generated result.

- **The site's style.** The front matter has the keys at least half of the site's posts use,
  each with its most common value (title, date, permalink and excerpt are the post's own); the
  layout is one the site has (its ``_layouts/`` or its theme's), or none, so the site's
  ``defaults:`` apply. The "next:" advice names ``make serve`` only where the site's Makefile
  has that target, else ``nn-blog serve``.
- **Refusals, before anything is written.** A folder without ``_config.yml``; a title with
  control characters or noncharacters; a title without a slug (pass ``--slug``: scripts other
  than Latin, Greek and Cyrillic are not transliterated); a slug that a post (any extension), a
  page's URL, a network or a figure has already; declarations that do not load today.
- **Writing.** Every scalar is written double-quoted (JSON strings are YAML), so ``Yes``, ``123``
  or ``2020-01-01`` stay text. The declarations are read, changed and written under a lock
  (two ``new`` at once lose nothing), the three files are replaced as one
  (:mod:`nn_blog.multiwrite`: a ``kill -9`` leaves the old state or the new one after the next
  ``new``), and re-read through the hardened loader and the declarations' checks before the
  command counts as done; if that fails, the old files are put back.

Slugs: letters lose their accents (é -> e), a few letters are spelled out (ß -> ss, æ -> ae,
ł -> l), Greek and Cyrillic are transliterated (Привет -> privet), and a fraction like ½ reads
as its digits (``1-2``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

from . import hostsite, multiwrite
from .declarations import (
    FIGURES_FILE,
    NETWORKS_FILE,
    load_figures,
    load_networks,
    load_yaml,
)
from .errors import NNBlogError

SLUG_MAX = 48  # leaves room for "-boundary" within the 64-character name limit
TITLE_MAX = 200
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

_SPELLED = {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o",
            "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
            "Þ": "TH", "ı": "i", "ŀ": "l", "\u2044": " ", "/": " "}
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяєіїґў",
                     "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu "
                     "ya ye i yi g u".split(), strict=True))
_GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
                  "a v g d e z i th i k l m n x o p r s s t y f ch ps o a e i i o y o i y i y"
                  .split(), strict=True))


def _letters(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if ch in _SPELLED:
            out.append(_SPELLED[ch])
        elif low in _CYRILLIC or low in _GREEK:
            out.append((_CYRILLIC.get(low) or _GREEK[low]).replace("_", ""))
        else:
            out.append(ch)
    return "".join(out)


def slugify(title: str) -> str:
    """"Why ReLU? (Part 2)" -> "why-relu-part-2": ASCII letters and digits joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", _letters(unicodedata.normalize("NFC", title)))
    ascii_title = ascii_title.replace("\u2044", " ").encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    if not slug:
        raise NNBlogError(f"title {title!r} has no letters or digits to make a slug from: "
                          "pass --slug (e.g. --slug my-post)", field="title")
    return slug


def check_slug(slug: str) -> str:
    if not SLUG.match(slug or "") or len(slug) > SLUG_MAX:
        raise NNBlogError(f"--slug must be lowercase ASCII letters and digits joined by single "
                          f"'-', at most {SLUG_MAX} characters, got {slug!r}", field="slug")
    return slug


def check_title(title: str) -> str:
    """The title as given, refused if empty, over-long, or holding invisible characters."""
    if not title or not title.strip():
        raise NNBlogError("the title is empty", field="title")
    if len(title) > TITLE_MAX:
        raise NNBlogError(f"the title must be at most {TITLE_MAX} characters", field="title")
    for ch in title:
        code = ord(ch)
        bad = unicodedata.category(ch) in ("Cc", "Cs") or 0xFDD0 <= code <= 0xFDEF or \
            code & 0xFFFE == 0xFFFE or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069
        if bad:
            what = "a line break" if ch in "\n\r\u2028\u2029\x85" else "a control character"
            raise NNBlogError(f"the title must be one line of text; it holds {what} "
                              f"(U+{code:04X})", field="title")
    if "\u2028" in title or "\u2029" in title:
        raise NNBlogError("the title must be one line of text", field="title")
    return title


def parse_date(text: str) -> dt.date:
    """``--date``: exactly YYYY-MM-DD (not 20201017, not 2020-W01-1)."""
    try:
        if DATE.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise NNBlogError(f"--date must be a date written YYYY-MM-DD, got {text!r}", field="date")


# --------------------------------------------------------------------------------- the texts

def _q(value) -> str:
    """A YAML scalar that reads back as exactly ``value`` (JSON is YAML: strings double-quoted)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _yaml_value(value) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_q(str(k))}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    return _q(str(value))


def front_matter(root: Path, conf: dict, title: str, slug: str, date: dt.date) -> dict:
    """The new post's front matter in the site's house style (see the module docstring)."""
    house = hostsite.house_front_matter(root)
    matter: dict[str, object] = {"title": title}
    if "permalink" in house:
        matter["permalink"] = f"/{slug}/"
    matter["date"] = date
    available = hostsite.layouts(root, conf)
    layout = house.get("layout")
    if not (isinstance(layout, str) and layout in available):
        layout = None if hostsite.defaults_layout(conf) else \
            next((name for name in ("post", "single", "default") if name in available), None)
    if layout:
        matter["layout"] = layout
    for key, value in house.items():
        if key in ("title", "permalink", "date", "layout", "published") or key in matter:
            continue
        matter[key] = "One line that says what this post is about." if key == "excerpt" \
            else value
    return matter


def _post_text(matter: dict, network: str, figure: str, serve: str) -> str:
    results = f"site.data.generated.results.networks[\"{network}\"]"
    head = "".join(f"{_q(k) if not re.fullmatch(r'[a-z_]+', k) else k}: {_yaml_value(v)}\n"
                   for k, v in matter.items())
    return f"""---
{head}---
{{% assign result = {results} %}}

Write the introduction here. The figure below comes from `_data/figures.yml` (`{figure}`), drawn
from the network `{network}` declared in `_data/networks.yml`; `{serve}` retrains and redraws
it whenever either declaration changes.

{{% nn_figure {figure} %}}

The network reaches {{{{ result.test_accuracy | nn_percent: 1 }}}} accuracy on its test split,
after {{{{ result.epochs }}}} epochs. Quote results like this, from
`_data/generated/results.json`: never type a number by hand.
"""


def _network_text(network: str, title: str) -> str:
    return f"""
{_q(network)}:
  title: {_q(title)}
  dataset: {{name: moons, n_samples: 600, noise: 0.2}}
  standardize: true
  layers:
    - {{units: 8, activation: tanh}}
    - {{units: 1, activation: sigmoid}}
  loss: bce
  optimizer: {{name: adam, lr: 0.01}}
  epochs: 100
  batch_size: 32
  seed: 0
"""


def _figure_text(figure: str, network: str) -> str:
    return f"""
{_q(figure)}:
  kind: decision_boundary
  network: {_q(network)}
  alt: >-
    Two interleaved half-moons of points; the network's predicted probability shades the plane
    and a curved boundary separates the two classes.
  caption: The decision boundary of the network this post declares.
"""


def _appended(path: Path, block: str) -> str:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


# ---------------------------------------------------------------------------------- checks

def _check_site(root: Path) -> dict:
    if not (root / "_config.yml").is_file():
        raise NNBlogError("is not a Jekyll site (no _config.yml): pass the site's folder as "
                          "--root", file=str(root))
    return hostsite.config(root)


def _check_free(root: Path, conf: dict, slug: str, url: str) -> None:
    for folder in ("_posts", "_drafts"):
        for post in hostsite.posts(root, folder):
            if hostsite.post_slug(post) == slug:
                raise NNBlogError(f"a post with the slug '{slug}' exists already: "
                                  f"{post.relative_to(root).as_posix()}", field="title")
    owner = hostsite.url_owner(root, conf, url)
    if owner:
        raise NNBlogError(f"the URL {url} is taken already by {owner}: choose another title "
                          "or pass --slug", field="title")


def _declared(root: Path, rel: str) -> dict:
    top = load_yaml(root, rel, required=False)
    if top is not None and not isinstance(top, dict):
        raise NNBlogError("expected a mapping of names to declarations", file=rel)
    return top or {}


def _check_new(root: Path, conf: dict, slug: str, url: str) -> None:
    """Refuse a slug or URL in use, and declarations that do not load today."""
    _check_free(root, conf, slug, url)
    if (root / FIGURES_FILE).is_file():
        load_figures(root)  # the declarations load today (else that error, first)
    else:
        load_networks(root)
    if slug in _declared(root, NETWORKS_FILE):
        raise NNBlogError(f"a network named '{slug}' is declared already", file=NETWORKS_FILE)
    if f"{slug}-boundary" in _declared(root, FIGURES_FILE):
        raise NNBlogError(f"a figure named '{slug}-boundary' is declared already",
                          file=FIGURES_FILE)
    if (root / "_posts").exists() and not (root / "_posts").is_dir():
        raise multiwrite.WriteError("cannot write it: it is a file, not a folder",
                                    file="_posts")


def _verify(root: Path, network: str, figure: str) -> None:
    """Re-read the declarations as every later command will (hardened loader, full checks)."""
    networks = load_networks(root)
    figures = load_figures(root, networks=networks)
    if network not in networks or figures.get(figure) is None or \
            figures[figure].network != network:
        raise NNBlogError(f"did not read back the network '{network}' and the figure "
                          f"'{figure}' as written", file=FIGURES_FILE)


# ------------------------------------------------------------------------------------ new

def new_post(root, title: str, date: dt.date | None = None, slug: str | None = None) -> dict:
    """Write a post, a network and a figure for ``title``; return what was made.

    Returns {"post", "network", "figure", "slug", "url", "serve", "future"}. Raises NNBlogError,
    with nothing written, for the refusals in the module docstring.
    """
    root = Path(root)
    title = check_title(title)
    slug = check_slug(slug) if slug is not None else slugify(title)
    date = date or dt.date.today()
    conf = _check_site(root)
    network, figure = slug, f"{slug}-boundary"
    networks_yml, figures_yml = root / NETWORKS_FILE, root / FIGURES_FILE
    matter = front_matter(root, conf, title, slug, date)
    url = hostsite.post_url(conf, slug, date, matter)
    folders = {root / "_data", root / "_posts", root / multiwrite.CACHE,
               networks_yml.resolve().parent, figures_yml.resolve().parent}
    if not (root / multiwrite.JOURNAL).exists():  # (else a killed `new` left its files)
        # a `new` killed after its commit (journal gone) may have left its old copies: they go
        # even when this one is refused (only dead processes' temporaries: no lock needed)
        multiwrite.sweep(folders)
        _check_new(root, conf, slug, url)  # before the lock: a refusal creates no lock file
    with multiwrite.lock(root):
        multiwrite.recover(root)
        multiwrite.sweep(folders)
        _check_new(root, conf, slug, url)
        serve = hostsite.serve_command(root)
        post = root / "_posts" / f"{date.isoformat()}-{slug}.md"
        texts = {networks_yml: _appended(networks_yml, _network_text(network, title)),
                 figures_yml: _appended(figures_yml, _figure_text(figure, network)),
                 post: _post_text(matter, network, figure, serve)}
        multiwrite.replace_all(root, {p: t.encode("utf-8") for p, t in texts.items()},
                               verify=lambda: _verify(root, network, figure))
    future = date > dt.datetime.now(dt.timezone.utc).date() and conf.get("future") is not True
    return {"post": post, "network": network, "figure": figure, "slug": slug, "url": url,
            "serve": serve, "future": future}
