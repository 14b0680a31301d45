"""Where a figure's files go: the one place the output layout is written down.

A figure declared with ``output: nn/moons-boundary`` has these *slots* (paths relative to the
site's root): ``assets/images/nn/moons-boundary.{svg,png}`` (light), ``…-dark.svg`` (dark),
``…-narrow.svg`` and ``…-narrow-dark.svg`` (a phone-width variant, when its kind draws one), and
for an animated kind ``….gif``, ``…-poster.png``, ``…-dark.gif`` and
``…-dark-poster.png``. A slot is never written under its own name: the file goes to the
*content-addressed* name :func:`addressed` gives (``moons-boundary.3f9c0a12b4de.svg``), so a new
render's files never replace the files the current manifest names -- the manifest, swapped last,
is what switches the site from one render to the next (see ``nn_blog.publish``).

Pages show the SVGs. The light drawing is also a PNG: the raster an author can link, a feed
reader or a share preview can show. The other variants have no PNG: no page loads one, and an
unused PNG doubled a figure's drawing time (issue 17) and most of the repository's image bytes.

Each ``legacy`` path is one more single file that keeps its fixed name (an older post links to it).
The manifest lists files as site URLs (a leading ``/``).
"""

from __future__ import annotations

import hashlib
import posixpath
import re

IMAGES = "assets/images"
FORMATS = {".svg": "svg", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif"}
DIGEST_LENGTH = 12            # hex digits of sha256 in a content-addressed name (48 bits)
_ADDRESSED = re.compile(r"(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.(?:svg|png|gif))\Z")


def variants(output: str) -> dict[str, dict]:
    """``output`` -> the slots: {"light": {fmt: path}, "dark": {...}, "extra": {"gif", "poster",
    "gif_dark", "poster_dark"}, "narrow": {"light": {fmt: path}, "dark": {fmt: path}}}."""
    base = f"{IMAGES}/{output}"
    return {"light": {"svg": f"{base}.svg", "png": f"{base}.png"},
            "dark": {"svg": f"{base}-dark.svg"},
            "extra": {"gif": f"{base}.gif", "poster": f"{base}-poster.png",
                      "gif_dark": f"{base}-dark.gif", "poster_dark": f"{base}-dark-poster.png"},
            "narrow": {"light": {"svg": f"{base}-narrow.svg"},
                       "dark": {"svg": f"{base}-narrow-dark.svg"}}}


def slots(output: str) -> list[str]:
    """Every slot of a figure (an animation's and a narrow variant's included)."""
    out = []
    for group in variants(output).values():
        for value in group.values():
            out += list(value.values()) if isinstance(value, dict) else [value]
    return out


def all_files(output: str, legacy_paths=()) -> list[str]:
    """Every path a figure may claim: its slots and its legacy files."""
    return slots(output) + list(legacy_paths)


def addressed(slot: str, data: bytes) -> str:
    """``assets/images/nn/x.svg`` + its bytes -> ``assets/images/nn/x.<sha256[:12]>.svg``."""
    stem, ext = posixpath.splitext(slot)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]}{ext}"


def slot_of(path: str) -> str | None:
    """A content-addressed name -> its slot (None for any other path)."""
    match = _ADDRESSED.match(path)
    return match["stem"] + match["ext"] if match else None


def file_format(path: str) -> str:
    """The format a path's extension asks for (svg, png, jpeg, gif)."""
    return FORMATS[posixpath.splitext(path)[1].lower()]


def url(path: str) -> str:
    """A path relative to the root -> the site URL the manifest gives."""
    return "/" + path
