"""nn_blog/mathfont.py: the site's math font cut down to the characters its math uses.

The source font is the build's own (the STIX Two Math WOFF in nn-blog's Node packages), found
the way the plugin finds it; without the packages these tests are skipped (``make test`` installs
them before the Python tests run).
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from fontTools.ttLib import TTFont

from nn_blog import mathfont
from nn_blog.errors import NNBlogError

SOURCE = "@fontsource/stix-two-math/files/stix-two-math-latin-400-normal.woff"


@pytest.fixture(scope="module")
def stix():
    from nn_blog import jekyll

    modules = jekyll.node_modules()
    path = modules / SOURCE if modules else None
    if path is None or not path.is_file():
        pytest.skip("the build's Node packages are not installed (nn-blog setup)")
    return path


def test_the_subset_holds_the_characters_and_what_the_math_table_reaches(stix):
    chars = "x\U0001d465(∑"  # x, italic x, a bracket and a sum: both have larger sizes
    data = mathfont.subset(stix, chars)
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert {ord(c) for c in chars} <= set(cmap)
    assert "y" not in {chr(u) for u in cmap}
    assert font.flavor == "woff" and "MATH" in font
    variants = font["MATH"].table.MathVariants
    glyphs = set(font.getGlyphOrder())
    # the larger parentheses the MATH table offers for "(" are kept, or a tall one cannot grow
    sizes = [v.VariantGlyph for coverage, construction in
             zip(variants.VertGlyphCoverage.glyphs, variants.VertGlyphConstruction, strict=True)
             if coverage == cmap[ord("(")] for v in construction.MathGlyphVariantRecord]
    assert len(sizes) > 1 and set(sizes) <= glyphs
    assert len(data) < 20_000
    whole = stix.stat().st_size
    assert len(data) < whole / 10


def test_the_cli_writes_the_font_and_refuses_what_is_not_one(stix, tmp_path):
    out = tmp_path / "math.woff"
    done = subprocess.run([sys.executable, "-m", "nn_blog", "math-font", str(stix), str(out)],
                          input="ab∑".encode(), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:4] == b"wOFF"
    bogus = tmp_path / "bogus.woff"
    bogus.write_bytes(b"not a font")
    done = subprocess.run([sys.executable, "-m", "nn_blog", "math-font", str(bogus),
                           str(tmp_path / "x.woff")], input=b"a", capture_output=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.decode().count("\n") == 1
    assert "bogus.woff: not a font fontTools can read" in done.stderr.decode()
    assert not (tmp_path / "x.woff").exists()


def test_a_font_without_a_math_table_is_refused(tmp_path):
    from fontTools.fontBuilder import FontBuilder

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "a"])
    builder.setupCharacterMap({ord("a"): "a"})
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    builder.setupGlyf({".notdef": pen.glyph(), "a": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "a": (500, 0)})
    builder.setupHorizontalHeader()
    builder.setupNameTable({"familyName": "Plain", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    plain = tmp_path / "plain.ttf"
    builder.save(str(plain))
    with pytest.raises(NNBlogError, match="plain.ttf: the font has no MATH table"):
        mathfont.subset(plain, "a")


def test_too_many_characters_and_a_missing_folder_are_refused(stix, tmp_path):
    with pytest.raises(NNBlogError, match="over the limit"):
        mathfont.subset(stix, "".join(chr(0x4E00 + i) for i in range(mathfont.MAX_CHARS + 1)))
    with pytest.raises(NNBlogError, match="its folder does not exist"):
        mathfont.write_subset(stix, "a", tmp_path / "missing" / "x.woff")
    with pytest.raises(NNBlogError, match="cannot read the math font"):
        mathfont.subset(tmp_path / "nope.woff", "a")
