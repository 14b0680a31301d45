"""Where a figure's files go: the one place the output layout is written down.

A figure declared with ``output: nn/moons-boundary`` is written as ``assets/images/nn/
moons-boundary.{svg,png}`` (light) and ``…-dark.{svg,png}`` (dark), an animated kind adds
``….gif`` and ``…-poster.png``, and each ``legacy`` path is one more single file. Paths here are
relative to the site's root; the manifest lists them as site URLs (a leading ``/``).
"""

from __future__ import annotations

import posixpath

IMAGES = "assets/images"
FORMATS = {".svg": "svg", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


def variants(output: str) -> dict[str, dict[str, str]]:
    """``output`` -> {"light": {fmt: path}, "dark": {...}, "extra": {"gif", "poster"}}."""
    base = f"{IMAGES}/{output}"
    return {"light": {"svg": f"{base}.svg", "png": f"{base}.png"},
            "dark": {"svg": f"{base}-dark.svg", "png": f"{base}-dark.png"},
            "extra": {"gif": f"{base}.gif", "poster": f"{base}-poster.png"}}


def all_files(output: str, legacy_paths=()) -> list[str]:
    """Every file a figure may write (an animation's included, whether or not it has one)."""
    return [path for group in variants(output).values() for path in group.values()] + \
        list(legacy_paths)


def file_format(path: str) -> str:
    """The format a path's extension asks for (svg, png, jpeg)."""
    return FORMATS[posixpath.splitext(path)[1].lower()]


def url(path: str) -> str:
    """A path relative to the root -> the site URL the manifest gives."""
    return "/" + path
