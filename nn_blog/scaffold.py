"""`nn-blog new "Title"`: start a post that builds at once.

A new post needs three things to show a trained network: the post itself, a network declaration
and a figure declaration. This module writes all three, with names derived from the title's slug,
so the author starts from something that renders, builds and quotes a generated result, and edits
from there. It refuses to overwrite: a slug that a post, network or figure already uses is an error,
and nothing is written until every check has passed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

from .errors import NNBlogError
from .fileio import write_atomic

SLUG_MAX = 48  # leaves room for "-boundary" within the 64-character name limit


def slugify(title: str) -> str:
    """"Why ReLU? (Part 2)" -> "why-relu-part-2": ASCII letters and digits joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    if not slug:
        raise NNBlogError(f"title {title!r} has no letters or digits to make a slug from",
                          field="title")
    return slug


def _post_text(title: str, slug: str, date: dt.date, network: str, figure: str) -> str:
    results = f"site.data.generated.results.networks[\"{network}\"]"
    return f"""---
title: {json.dumps(title, ensure_ascii=False)}
permalink: /{slug}/
date: {date.isoformat()}
layout: single
tags: [blog]
excerpt: "One line that says what this post is about."
toc: false
---
{{% assign result = {results} %}}

Write the introduction here. The figure below comes from `_data/figures.yml` (`{figure}`), drawn
from the network `{network}` declared in `_data/networks.yml`; `make serve` retrains and redraws
it whenever either declaration changes.

{{% nn_figure {figure} %}}

The network reaches {{{{ result.test_accuracy | nn_percent: 1 }}}} accuracy on its test split,
after {{{{ result.epochs }}}} epochs. Quote results like this, from
`_data/generated/results.json`: never type a number by hand.
"""


def _network_text(network: str, title: str) -> str:
    return f"""
{network}:
  title: {json.dumps(title, ensure_ascii=False)}
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
{figure}:
  kind: decision_boundary
  network: {network}
  alt: >-
    Two interleaved half-moons of points; the network's predicted probability shades the plane
    and a curved boundary separates the two classes.
  caption: The decision boundary of the network this post declares.
"""


def _declared_names(path: Path) -> set[str]:
    """Top-level keys of a declarations file, read as text (the file may hold other errors)."""
    if not path.is_file():
        return set()
    text = path.read_text(encoding="utf-8", errors="replace")
    return {m.group(1).strip("'\"") for m in re.finditer(r"^([^\s#][^:]*):", text, re.M)}


def _appended(path: Path, block: str) -> str:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


def new_post(root, title: str, date: dt.date | None = None) -> dict:
    """Write a post, a network and a figure for ``title``; return their paths and names.

    Raises NNBlogError, before writing anything, when the title makes no slug or when a post,
    network or figure of that slug exists already.
    """
    root = Path(root)
    if not title or not title.strip():
        raise NNBlogError("the title is empty", field="title")
    if "\n" in title or len(title) > 200:
        raise NNBlogError("the title must be one line of at most 200 characters", field="title")
    slug = slugify(title)
    date = date or dt.date.today()
    network, figure = slug, f"{slug}-boundary"
    posts = root / "_posts"
    post = posts / f"{date.isoformat()}-{slug}.md"
    clash = sorted(posts.glob(f"*-{slug}.md")) if posts.is_dir() else []
    clash = [p for p in clash if re.fullmatch(rf"\d{{4}}-\d{{2}}-\d{{2}}-{re.escape(slug)}\.md",
                                              p.name)]
    if clash:
        raise NNBlogError(f"a post with the slug '{slug}' exists already: {clash[0]}",
                          field="title")
    networks_yml = root / "_data" / "networks.yml"
    figures_yml = root / "_data" / "figures.yml"
    if network in _declared_names(networks_yml):
        raise NNBlogError(f"a network named '{network}' is declared already",
                          file=str(networks_yml))
    if figure in _declared_names(figures_yml):
        raise NNBlogError(f"a figure named '{figure}' is declared already", file=str(figures_yml))
    # Compose every new text first, then write: the post last, so a failure leaves no post that
    # names a figure which does not exist.
    writes = [
        (networks_yml, _appended(networks_yml, _network_text(network, title))),
        (figures_yml, _appended(figures_yml, _figure_text(figure, network))),
        (post, _post_text(title, slug, date, network, figure)),
    ]
    before = {path: path.read_bytes() if path.is_file() else None for path, _ in writes}
    try:
        for path, text in writes:
            write_atomic(path, text)
    except BaseException:
        for path, old in before.items():  # put back what was there: all three or none
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, old)
        raise
    return {"post": post, "network": network, "figure": figure, "slug": slug}
