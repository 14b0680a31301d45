"""The site's math font: STIX Two Math cut down to the characters the site's math uses.

Pages carry their math as MathML, which the browser lays out with an OpenType math font (one
with a MATH table: the sizes of fractions, scripts and radicals, and the larger and stretched
forms of brackets, sums and braces). Readers' systems differ in which one they have (some
phones have none), so the site ships one: STIX Two Math (SIL Open Font License 1.1), from the
build's Node packages. The whole font is 400 kB; the main post needs about 200 of its 4,600
characters, which with the glyphs the MATH table reaches from them (each bracket's larger sizes
and pieces) make a WOFF of about 20 kB.

The Jekyll plugin (math.rb) collects the characters from the typeset pages, caches the result
by the characters, and calls ``nn-blog math-font`` only when they change.

WOFF rather than WOFF2: WOFF is zlib, which Python has; WOFF2 would need the brotli module.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from nn_blog.errors import NNBlogError
from nn_blog.fileio import write_atomic

# More distinct characters than any site's math uses (the Unicode blocks math draws from hold
# about 3,000); a longer list is not a character set.
MAX_CHARS = 10_000
# STIX Two Math is 400 kB as WOFF; a file far bigger is not the font.
MAX_SOURCE_BYTES = 20_000_000


def subset(source: Path, chars: str) -> bytes:
    """The WOFF of ``source`` holding the glyphs of ``chars`` (a string, any order) and what
    its MATH, GSUB and GPOS tables reach from them.

    Raises NNBlogError naming the file when it is not a font with a MATH table.
    """
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont, TTLibError

    # fontTools logs each table it cannot subset and drops (FFTM, a font editor's timestamps)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    source = Path(source)
    if len(set(chars)) > MAX_CHARS:
        raise NNBlogError(f"math-font: {len(set(chars))} characters, over the limit of {MAX_CHARS}")
    try:
        size = source.stat().st_size
    except OSError as err:
        raise NNBlogError(f"{source}: cannot read the math font ({err.strerror})") from None
    if size > MAX_SOURCE_BYTES:
        raise NNBlogError(f"{source}: {size:,} bytes, too big for a math font")
    try:
        font = TTFont(io.BytesIO(source.read_bytes()))
        has_math = "MATH" in font
    except (TTLibError, OSError, AssertionError, ValueError, KeyError, ImportError) as err:
        raise NNBlogError(f"{source}: not a font fontTools can read ({err})") from None
    if not has_math:
        raise NNBlogError(f"{source}: the font has no MATH table, so browsers cannot lay out "
                          "math with it")
    options = ft_subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]  # ssty (script sizes), flac (accents on capitals), ...
    options.name_IDs = ["*"]  # copyright and licence stay with the font
    options.hinting = False  # browsers do not hint math at screen sizes worth the bytes
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options)
    # space and no-break space: MathML lays out <mspace> and text with the math font
    subsetter.populate(unicodes=sorted({ord(c) for c in chars} | {0x20, 0xA0}))
    subsetter.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def write_subset(source: Path, chars: str, out: Path) -> int:
    """Write ``subset(source, chars)`` to ``out`` (atomically: a reader of ``out`` sees the
    old font or the new one). Returns its size in bytes."""
    out = Path(out)
    if not out.parent.is_dir():
        raise NNBlogError(f"{out}: its folder does not exist")
    data = subset(source, chars)
    write_atomic(out, data)
    return len(data)
