"""Keeping figure files small without changing what they show.

A shaded plane is a grid of a few hundred cells a side. Resampled to the figure's resolution it
would become a large bitmap inside the SVG; :func:`plane_image` instead lets the SVG carry the grid
itself (the browser scales it, smoothly), while the PNG renderer (Agg) still resamples it
bilinearly. :func:`slim_svg` then tidies what matplotlib wrote:

- the smooth images lose the ``image-rendering: pixelated`` style matplotlib gives every unsampled
  image (pixel art, like the 8x8 digits, keeps it);
- every embedded PNG is re-encoded: an exact palette when it has at most 256 colours, otherwise
  RGB(A) with the best zlib compression; never a lossy step;
- an artist marked with :func:`repeat` (the same points in every panel of small multiples) that
  is an earlier marked one moved, point for point, becomes a ``<use>`` of that one;
- coordinates (``d``, ``x``, ``y``, ``width``, ``height``, translations, style numbers) keep 2
  decimals: 1/100 pt is about 1/75 of a CSS pixel. Scales keep full precision (glyphs use 1/64);
- matplotlib's group ids nothing refers to, indentation and comments go; referenced ids get short
  names; a run of markers with one style states it once.

Everything here is deterministic: the same figure gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
from matplotlib.image import AxesImage

SMOOTH_ID = "nn-smooth-"
REPEAT_ID = "nn-repeat-"
REPEAT_TOLERANCE = 0.01     # points: how far a moved copy may stray (float noise, not design)
PIXELATED = ' style="image-rendering:crisp-edges;image-rendering:pixelated"'
_IMAGE = re.compile(rb"<image\b[^>]*>")
_DATA = re.compile(rb"data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)")
_COORDS = re.compile(rb'(\s(?:x|y|width|height)=")([^"]*)(")')
_NUMBER = re.compile(rb"-?\d+\.\d{3,}")
# two or more consecutive marker uses with the same style (a scatter's points, class by class)
_USE = rb'<use xlink:href="#[^"]+" x="[^"]*" y="[^"]*"'
_RUN = re.compile(rb'([ ]*)(' + _USE + rb') style="([^"]*)"/>\n'
                  rb'((?:[ ]*' + _USE + rb' style="\3"/>\n)+)')


class SmoothImage(AxesImage):
    """An image drawn unsampled on vector backends (the SVG carries the grid) and bilinearly
    resampled on raster ones (Agg, for the PNG)."""

    def _check_unsampled_image(self):
        return True


def plane_image(ax, rgba: np.ndarray, extent, *, zorder: float = 0, aspect: str | None = "auto"):
    """Add ``rgba`` (ny, nx, 4), row 0 at the bottom, over ``extent`` as a :class:`SmoothImage`.

    Equivalent to ``ax.imshow(rgba, origin="lower", extent=extent, interpolation="bilinear",
    aspect=aspect)``; ``aspect`` None leaves the axes' aspect alone.
    """
    fig = ax.get_figure(root=True)
    count = getattr(fig, "nn_smooth_images", 0)
    fig.nn_smooth_images = count + 1
    im = SmoothImage(ax, origin="lower", extent=extent, interpolation="bilinear", zorder=zorder)
    if aspect is not None:
        ax.set_aspect(aspect)
    im.set_data(rgba)
    im.set_clip_path(ax.patch)
    im.set_gid(f"{SMOOTH_ID}{count}")   # lets slim_svg tell it from pixel art
    im.set_extent(im.get_extent())
    ax.add_image(im)
    return im


def repeat(artist) -> None:
    """Mark ``artist`` (a scatter) as possibly a moved copy of another marked one: the SVG then
    draws the points once and places them again with ``<use>`` wherever they repeat."""
    fig = artist.get_figure(root=True)
    count = getattr(fig, "nn_repeats", 0)
    fig.nn_repeats = count + 1
    artist.set_gid(f"{REPEAT_ID}{count}")


_G_TAG = re.compile(rb"<g\b[^>]*?(/?)>|</g>")
_POINT = re.compile(rb'<use xlink:href="#([^"]+)" x="([^"]+)" y="([^"]+)" style="([^"]*)"/>')


def _groups(data: bytes, prefix: bytes) -> list[tuple[int, int]]:
    """(start, end) of every ``<g id="PREFIX...">`` element, its nested groups included."""
    spans, depth, start = [], 0, None
    for match in _G_TAG.finditer(data):
        if match.group(0).startswith(b"</g>"):
            depth -= 1
            if start is not None and depth == 0:
                spans.append((start, match.end()))
                start = None
        elif not match.group(1):        # not self-closing
            if start is None and match.group(0).startswith(b'<g id="' + prefix):
                start, depth = match.start(), 0
            depth += 1
    return spans


def _copies(data: bytes) -> bytes:
    """Replace each marked group that repeats an earlier one, moved by (dx, dy), by a use of it."""
    seen: list[tuple[bytes, np.ndarray, list]] = []
    shapes = dict(re.findall(rb'<path id="([^"]+)" d="([^"]*)"', data))
    out, last = [], 0
    for start, end in _groups(data, REPEAT_ID.encode()):
        block = data[start:end]
        found = _POINT.findall(block)
        xy = np.array([(float(x), float(y)) for _, x, y, _ in found]).reshape(-1, 2)
        # what each point looks like: its marker's shape and its style
        styles = [(shapes.get(ref), st) for ref, _, _, st in found]
        copy = None
        for ident, xy0, styles0 in seen:
            if styles == styles0 and len(xy):
                shift = xy[0] - xy0[0]
                if np.abs(xy - xy0 - shift).max() <= REPEAT_TOLERANCE:
                    dx, dy = (_short(v) for v in shift)
                    copy = b'<use xlink:href="#%s" x="%s" y="%s"/>' % (ident, dx, dy)
                    break
        if copy is None:
            seen.append((re.match(rb'<g id="([^"]+)"', block).group(1), xy, styles))
        out += [data[last:start], copy or block]
        last = end
    return b"".join(out) + data[last:]


def png(img) -> bytes:
    """A PIL image as the smallest lossless PNG this module knows: exact palette (with per-entry
    transparency) when it has at most 256 colours, else RGB or RGBA, zlib level 9."""
    from PIL import Image

    rgba = np.asarray(img.convert("RGBA"))
    h, w = rgba.shape[:2]
    packed = np.ascontiguousarray(rgba).view(np.uint32).reshape(-1)
    colours, index = np.unique(packed, return_inverse=True)
    buf = io.BytesIO()
    if len(colours) <= 256:
        table = colours.view(np.uint8).reshape(-1, 4)
        pal = Image.fromarray(index.reshape(h, w).astype(np.uint8), "P")
        pal.putpalette(table[:, :3].tobytes(), "RGB")
        extra = {"transparency": table[:, 3].tobytes()} if (table[:, 3] < 255).any() else {}
        pal.save(buf, format="PNG", optimize=True, **extra)
    else:
        opaque = (rgba[..., 3] == 255).all()
        Image.fromarray(rgba[..., :3] if opaque else rgba).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _repack(match: re.Match) -> bytes:
    from PIL import Image

    raw = base64.b64decode(re.sub(rb"\s", b"", match.group(1)))
    out = png(Image.open(io.BytesIO(raw)))
    return b"data:image/png;base64,\n" + base64.b64encode(out if len(out) < len(raw) else raw)


def _image(match: re.Match) -> bytes:
    tag = match.group(0)
    if b'id="' + SMOOTH_ID.encode() in tag:
        tag = tag.replace(PIXELATED.encode(), b"")
    return _DATA.sub(_repack, tag)


def _short(value: float) -> bytes:
    """``value`` with at most 2 decimals, no trailing zeros."""
    text = (b"%.2f" % value).rstrip(b"0").rstrip(b".")
    return b"0" if text == b"-0" else text


def _round(match: re.Match) -> bytes:
    return _short(float(match.group(0)))


def _style(match: re.Match) -> bytes:
    """A style attribute with short numbers and no spaces after ``:`` and ``;``."""
    return re.sub(rb"([:;]) ", rb"\1", _NUMBER.sub(_round, match.group(0)))


def _hoist(match: re.Match) -> bytes:
    indent, first, style, rest = match.groups()
    uses = [first] + [line.strip()[:-len(b' style="%s"/>' % style)]
                      for line in rest.splitlines()]
    body = b"".join(indent + b" " + use + b"/>\n" for use in uses)
    return indent + b'<g style="' + style + b'">\n' + body + indent + b"</g>\n"


def _path_data(match: re.Match) -> bytes:
    d = _NUMBER.sub(_round, match.group(2))
    d = re.sub(rb"\s+", b" ", d).strip()
    d = re.sub(rb"\s*([MLQCZmlqcz])\s*", rb"\1", d)
    return match.group(1) + d + match.group(3)


def _short_ids(data: bytes) -> bytes:
    """Drop the ids nothing refers to (matplotlib names every group) and give the referenced
    ones short names, in order of appearance."""
    used = set(re.findall(rb'(?:href="#|url\(#)([^")]+)', data))
    names: dict[bytes, bytes] = {}
    for old in re.findall(rb'\sid="([^"]+)"', data):
        if old in used and old not in names:
            names[old] = b"i" + np.base_repr(len(names), 36).lower().encode()

    def ident(match: re.Match) -> bytes:
        new = names.get(match.group(1))
        return b' id="' + new + b'"' if new else b""

    data = re.sub(rb'\sid="([^"]+)"', ident, data)
    return re.sub(rb'(href="#|url\(#)([^")]+)', lambda m: m.group(1) + names[m.group(2)], data)


def _unwrap(data: bytes) -> bytes:
    """Drop the groups that carry no attribute (and their closing tags): they change nothing."""
    out, bare, last = [], [], 0
    for match in re.finditer(rb"<g\s*/>\n?|<g>\n?|<g\b[^>]*>|</g>\n?", data):
        tag = match.group(0)
        if tag.startswith(b"</g>"):
            drop = bare.pop()
        elif tag.rstrip().endswith(b"/>"):
            drop = tag.startswith(b"<g/") or tag.startswith(b"<g /")
        else:
            drop = tag.startswith(b"<g>")
            bare.append(drop)
        out.append(data[last:match.start()] + (b"" if drop else tag))
        last = match.end()
    return b"".join(out) + data[last:]


def slim_svg(data: bytes) -> bytes:
    """``data`` (an SVG matplotlib wrote) with smooth images, repacked PNGs, short coordinates
    and path data, short ids, no indentation or comments, and the style of a run of identical
    markers said once for the run."""
    data = _copies(_IMAGE.sub(_image, data))
    data = re.sub(rb'(\sd=")([^"]*)(")', _path_data, data)
    data = _COORDS.sub(lambda m: m.group(1) + _NUMBER.sub(_round, m.group(2)) + m.group(3), data)
    data = re.sub(rb'translate\(([^)]*)\)', lambda m: _NUMBER.sub(_round, m.group(0)), data)
    data = re.sub(rb'style="([^"]*)"', _style, data)
    data = _RUN.sub(_hoist, data)
    data = re.sub(rb"<!DOCTYPE[^>]*>\n?|<!--.*?-->\n?", b"", data, flags=re.S)
    data = re.sub(rb"\n[ ]+<", b"\n<", data)
    return _unwrap(_short_ids(data))
