"""Small figure files: the SVG carries shaded grids as they are, repeated points once, short
numbers and ids, and still shows the same picture (a valid document, same images, same marks)."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from nn_blog.figures import _compact, style

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def _shaded(rgba, points=None):
    """A figure with one shaded plane (and optionally points) in the light style."""
    with style.use(style.LIGHT):
        fig = style.figure(style.LIGHT, 300, 200)
        ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
        _compact.plane_image(ax, rgba, (0, 3, 0, 2))
        if points is not None:
            ax.scatter(points[:, 0], points[:, 1], s=9, c="#1d5fb8", clip_on=False)
        ax.set_xlim(0, 3)
        ax.set_ylim(0, 2)
    return fig


def _images(svg: bytes) -> list[tuple[dict, Image.Image]]:
    out = []
    for el in ET.fromstring(svg).iter(f"{SVG}image"):
        raw = base64.b64decode(el.get(XLINK).split(",", 1)[1])
        out.append((el.attrib, Image.open(io.BytesIO(raw))))
    return out


def test_the_svg_carries_the_grid_itself_and_lets_the_browser_smooth_it():
    rng = np.random.default_rng(0)
    rgba = rng.random((30, 45, 4))
    fig = _shaded(rgba)
    svg = style.encode(fig, "svg")
    ((attrib, img),) = _images(svg)
    assert img.size == (45, 30)                        # the grid, not a resampled bitmap
    assert "pixelated" not in attrib.get("style", "")  # smooth scaling, like the PNG's bilinear
    grid = np.asarray(img.convert("RGBA"))             # row 0 first: a transform flips it
    assert np.abs(grid.astype(int) - np.round(rgba * 255)).max() <= 1
    png = Image.open(io.BytesIO(style.encode(fig, "png")))
    assert png.size == (600, 400)                      # the PNG still resamples (Agg)


def test_pixel_art_keeps_its_pixels():
    with style.use(style.LIGHT):
        fig = style.figure(style.LIGHT, 200, 200)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.imshow(np.eye(8), interpolation="none", cmap="gray")
    ((attrib, img),) = _images(style.encode(fig, "svg"))
    assert img.size == (8, 8) and "pixelated" in attrib["style"]


def test_png_is_an_exact_palette_when_it_can_be():
    rng = np.random.default_rng(1)
    colours = rng.integers(0, 256, (200, 4), dtype=np.uint8)
    pixels = colours[rng.integers(0, 200, (40, 50))]
    data = _compact.png(Image.fromarray(pixels, "RGBA"))
    back = Image.open(io.BytesIO(data))
    assert back.mode == "P"
    assert np.array_equal(np.asarray(back.convert("RGBA")), pixels)
    many = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)   # > 256 colours: stays RGB
    again = Image.open(io.BytesIO(_compact.png(Image.fromarray(many, "RGB"))))
    assert again.mode == "RGB" and np.array_equal(np.asarray(again), many)


def test_repeated_points_are_written_once():
    rng = np.random.default_rng(2)
    xy = rng.random((60, 2)) * [3, 2]
    with style.use(style.LIGHT):
        fig = style.figure(style.LIGHT, 600, 200)
        for i in range(3):
            ax = fig.add_axes([0.05 + i / 3, 0.1, 0.25, 0.8])
            ax.axis("off")
            ax.set_xlim(0, 3)
            ax.set_ylim(0, 2)
            _compact.repeat(ax.scatter(xy[:, 0], xy[:, 1], s=9, c="#e8820c", clip_on=False))
        ax.scatter(xy[:5, 0], xy[:5, 1], s=9, c="#1d5fb8")     # other points: drawn as they are
        square = fig.add_axes([0.7, 0.1, 0.25, 0.8])            # same places, another marker
        square.axis("off")
        square.set_xlim(0, 3)
        square.set_ylim(0, 2)
        _compact.repeat(square.scatter(xy[:, 0], xy[:, 1], s=9, c="#e8820c", marker="s",
                                       clip_on=False))
    svg = style.encode(fig, "svg")
    root = ET.fromstring(svg)
    uses = [u for u in root.iter(f"{SVG}use")]
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}
    copies = [u for u in uses if u.get(XLINK)[1:] in groups]
    assert len(copies) == 2                               # panels 2 and 3 point at panel 1
    first = groups[copies[0].get(XLINK)[1:]]
    assert len([u for u in first.iter(f"{SVG}use")]) == 60
    shifts = sorted(float(u.get("x")) for u in copies)
    assert shifts == pytest.approx([150, 300], abs=0.02)  # panels a third of 450 pt apart
    assert len(uses) == 60 + 2 + 5 + 60


def test_slim_svg_keeps_what_is_drawn():
    """Against matplotlib's own SVG: same elements drawn, same ids resolved, numbers shortened."""
    rng = np.random.default_rng(3)
    fig = _shaded(rng.random((10, 10, 4)), points=rng.random((30, 2)) * [3, 2])
    fig.axes[0].set_title("A title with glyphs")
    style.settle(fig)
    buf = io.BytesIO()
    with style.use(style.LIGHT):
        fig.savefig(buf, format="svg", metadata=style.SVG_METADATA)
    raw = buf.getvalue()
    slim = _compact.slim_svg(raw)
    assert len(slim) < 0.8 * len(raw)
    before, after = ET.fromstring(raw), ET.fromstring(slim)
    for tag in ("path", "use", "image", "clipPath"):
        assert len(list(before.iter(SVG + tag))) == len(list(after.iter(SVG + tag))), tag
    ids = {el.get("id") for el in after.iter() if el.get("id")}
    refs = set(re.findall(rb'(?:href="#|url\(#)([^")]+)', slim))
    assert {r.decode() for r in refs} <= ids
    assert not re.search(rb'\s(?:x|y|d)="[^"]*\d\.\d{3}', slim)
    assert slim == _compact.slim_svg(raw)                 # deterministic
