"""The look of every figure: colours, fonts, sizes, and deterministic file writing.

Two palettes, :data:`LIGHT` and :data:`DARK`. The dark one is made for dark pages rather than
inverted: its figure background is transparent (the page shows through), its text is light, and
its colours are re-tuned to keep their contrast against a dark page. Formats that cannot be
transparent (GIF frames, the JPEG header) are flattened onto ``Style.page``, the page colour each
palette assumes.

Sizes are CSS pixels. A figure of ``w x h`` CSS px is ``w/96 x h/96`` inches, so the SVG's natural
size is exactly ``w x h`` px, and the PNG is written at twice that (``2w x 2h`` pixels).

Files are byte-identical for identical inputs: SVG with a fixed hash salt and no date, PNG without
the software tag, GIF with one fixed palette for every frame, JPEG with fixed settings and no EXIF.
Every SVG is slimmed after matplotlib writes it (``_compact.slim_svg``): a post downloads them all.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure

from nn_blog.figures import _compact
from nn_blog.fileio import write_atomic

CSS_DPI = 96          # CSS pixels per inch: an SVG of w/96 inches displays w px wide
PNG_SCALE = 2         # PNGs are written at 2x their CSS size for high-density screens
GIF_SCALE = 1.0       # animation frames at their CSS size: a GIF at 2x would weigh 4x
GIF_COLOURS = 128     # fewer and the soft shading bands visibly
JPEG_QUALITY = 75
SVG_HASH_SALT = "nn-blog"
# no date (byte-identical files) and none of matplotlib's boilerplate (every byte is downloaded)
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

# Narrow variants (contract 3): drawn this wide, shown in a phone's ~343 px column at ~0.95x, so
# the smallest text (SMALL, 12.7 CSS px) still displays at >= 12 px. READABLE_PX is the floor.
NARROW_WIDTH = 360
PHONE_COLUMN = 343
READABLE_PX = 10.0

FONT = "DejaVu Sans"
FONT_SIZE = 11.0      # points; 11 pt = 14.7 CSS px
SMALL = 9.5
LARGE = 12.5
TITLE = 12.0

# CSS size (width, height) of each kind's figure.
SIZES = {
    "biological_neuron": (720, 340),
    "artificial_neuron": (720, 340),
    "architecture": (720, None),   # height follows the tallest layer,
    "activations": (720, 330),
    "loss_curve": (720, 300),
    "decision_boundary": (560, None),   # height follows the data's aspect
    "boundary_evolution": (720, 420),
    "boundary_frame": (480, 480),
    "neuron_heatmaps": (720, 440),
    "loss_surface": (720, 360),
    "digits_samples": (720, 420),
    "digits_confusion": (560, 520),
    "digits_weights": (720, None),    # height follows the rows of templates
    "header_banner": (1280, 400),
    "header_teaser": (500, 300),
}


@dataclass(frozen=True)
class Style:
    """One palette. ``background`` None means a transparent figure (the page shows through)."""

    name: str
    background: str | None
    page: str           # the page colour behind the figure (assets/css/main.css --bg)
    panel: str          # fill of drawn panels (heatmap frames, node interiors)
    text: str
    muted: str
    faint: str
    grid: str
    spine: str
    accent: str
    positive: str       # sign of a weight / positive activation
    negative: str
    classes: tuple[str, ...]
    series: tuple[str, ...]   # lines: train, validation, then more
    mistake: str
    # biological neuron
    cell: str
    cell_edge: str
    nucleus: str
    myelin: str
    myelin_edge: str
    shade_alpha: float  # how strongly decision regions are tinted


LIGHT = Style(
    name="light", background="#fbfbfa", page="#fbfbfa", panel="#f3f5f7",
    text="#1f2328", muted="#59636e", faint="#8c959f", grid="#e4e7eb", spine="#b6bdc6",
    accent="#1d5fb8", positive="#1d5fb8", negative="#d4453a",
    classes=("#e8820c", "#1d5fb8", "#1f9d57", "#b03a8c", "#7755cc"),
    series=("#1d5fb8", "#e8820c", "#1f9d57", "#b03a8c", "#7755cc", "#8c959f"),
    mistake="#d4183d",
    cell="#f7c59f", cell_edge="#c8733b", nucleus="#7b4fa8", myelin="#9cc6ee",
    myelin_edge="#3f7dbf", shade_alpha=0.42,
)

DARK = Style(
    name="dark", background=None, page="#15181d", panel="#1d2228",
    text="#e6e8eb", muted="#9aa4af", faint="#6e7681", grid="#2c3138", spine="#59616c",
    accent="#7db4ff", positive="#7db4ff", negative="#ff7a6e",
    classes=("#ffa646", "#7db4ff", "#4fd08a", "#f07cc4", "#b69cff"),
    series=("#7db4ff", "#ffa646", "#4fd08a", "#f07cc4", "#b69cff", "#8b949e"),
    mistake="#ff5c7a",
    cell="#d98b5f", cell_edge="#f3b48a", nucleus="#b58ae0", myelin="#4f86c0",
    myelin_edge="#9cc6ee", shade_alpha=0.34,
)

STYLES = {"light": LIGHT, "dark": DARK}


def rc(style: Style) -> dict:
    """The rcParams a figure in ``style`` is drawn and saved with."""
    return {
        "font.family": FONT, "font.size": FONT_SIZE, "mathtext.fontset": "dejavusans",
        "text.color": style.text, "axes.labelcolor": style.text, "axes.edgecolor": style.spine,
        "axes.facecolor": "none", "axes.titlesize": TITLE, "axes.titlecolor": style.text,
        "axes.labelsize": FONT_SIZE, "axes.titlepad": 6.0, "axes.linewidth": 0.8,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": False,
        "axes.prop_cycle": mpl.cycler(color=list(style.series)),
        "grid.color": style.grid, "grid.linewidth": 0.8,
        "xtick.color": style.spine, "ytick.color": style.spine,
        "xtick.labelcolor": style.muted, "ytick.labelcolor": style.muted,
        "xtick.labelsize": SMALL, "ytick.labelsize": SMALL,
        "legend.frameon": False, "legend.fontsize": SMALL, "legend.labelcolor": style.text,
        "lines.linewidth": 1.8, "lines.solid_capstyle": "round",
        "figure.facecolor": style.background or "none", "savefig.facecolor": "auto",
        "svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "path", "image.interpolation": "antialiased",
        "path.simplify": True,
        # each image its own element: a shaded grid stays the small grid it is (see _compact)
        "image.composite_image": False,
    }


def use(style: Style):
    """Context manager: the rcParams of ``style`` (figures must be created inside it)."""
    return mpl.rc_context(rc(style))


def figure(style: Style, width: float, height: float, **kwargs) -> Figure:
    """A new Agg-backed Figure of ``width x height`` CSS px, tied to ``style`` for saving."""
    kwargs.setdefault("facecolor", style.background or (0, 0, 0, 0))
    fig = Figure(figsize=(width / CSS_DPI, height / CSS_DPI), dpi=CSS_DPI, **kwargs)
    FigureCanvasAgg(fig)
    fig.nn_style = style
    return fig


def css_size(fig: Figure) -> tuple[int, int]:
    """The figure's (width, height) in CSS px."""
    w, h = fig.get_size_inches() * CSS_DPI
    return round(w), round(h)


def min_font_px(fig: Figure) -> float | None:
    """The smallest text in ``fig`` in CSS px at its native size (points x 96 / 72); None when
    the figure has no visible text at all.

    Every visible, non-empty Text artist counts: titles, labels, tick labels (only the ticks that
    are drawn), legend entries, annotations. Layout is settled first, so the ticks an axis will
    draw are the ones it has.
    """
    from matplotlib.text import Text

    settle(fig)
    with use(getattr(fig, "nn_style", LIGHT)):
        fig.draw_without_rendering()    # tick labels get their text when drawn
    sizes = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if not _drawn(artist):
            continue
        sizes.append(artist.get_fontsize() * CSS_DPI / 72.0)
    return round(min(sizes), 3) if sizes else None


def _drawn(artist) -> bool:
    """False for a text inside a hidden axes (an unused cell of a grid of panels)."""
    axes = getattr(artist, "axes", None)
    return axes is None or axes.get_visible()


def displayed_font_px(fig: Figure, column: float = PHONE_COLUMN) -> float | None:
    """The smallest text in CSS px when ``fig`` is shown ``column`` px wide (never enlarged)."""
    px = min_font_px(fig)
    if px is None:
        return None
    return px * min(1.0, column / css_size(fig)[0])


def mix(colour: str, other: str, t: float) -> tuple[float, float, float]:
    """Blend: ``(1 - t) * colour + t * other`` in RGB."""
    a, b = to_rgb(colour), to_rgb(other)
    return tuple((1 - t) * x + t * y for x, y in zip(a, b, strict=True))


def _luminance(colour) -> float:
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(colour, other) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((_luminance(colour), _luminance(other)))
    return (b + 0.05) / (a + 0.05)


def readable(style: Style, colour, against=None, ratio: float = 4.5):
    """``colour`` for text: blended towards the style's text colour just enough to reach
    ``ratio`` contrast against ``against`` (the page by default). Lines keep the pure colour; the
    words that name them stay readable in both palettes."""
    against = style.page if against is None else against
    for step in range(21):
        out = mix(colour, style.text, step / 20)
        if contrast(out, against) >= ratio:
            return out
    return to_rgb(style.text)


def diverging(style: Style, name: str = "sign") -> LinearSegmentedColormap:
    """negative -> page -> positive: zero disappears into the page in either palette."""
    return LinearSegmentedColormap.from_list(
        f"nn-{name}-{style.name}", [style.negative, style.page, style.positive])


def sequential(style: Style, colour: str | None = None) -> LinearSegmentedColormap:
    """page -> ``colour`` (accent by default): for counts and magnitudes."""
    colour = colour or style.accent
    return LinearSegmentedColormap.from_list(
        f"nn-seq-{style.name}", [mix(style.page, colour, 0.06), colour])


# --------------------------------------------------------------------------- saving

def settle(fig: Figure) -> Figure:
    """Run the layout engine to rest, then freeze it: every later save sees the same layout.

    Constrained layout runs at each draw and its first passes still move things (a legend's or a
    label's size is only known once drawn), so two saves of a live figure could differ.
    """
    engine = fig.get_layout_engine()
    if engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine":
        with use(getattr(fig, "nn_style", LIGHT)):
            for _ in range(2):
                fig.draw_without_rendering()
        fig.set_layout_engine("none")
    return fig


def _render_png(fig: Figure, scale: float) -> bytes:
    settle(fig)
    buf = io.BytesIO()
    with use(getattr(fig, "nn_style", LIGHT)):
        fig.savefig(buf, format="png", dpi=CSS_DPI * scale, metadata={"Software": None})
    return buf.getvalue()


def _flat_rgb(fig: Figure, scale: float):
    """The figure rendered at ``scale`` and flattened onto its style's page colour."""
    from PIL import Image

    img = Image.open(io.BytesIO(_render_png(fig, scale))).convert("RGBA")
    page = Image.new("RGBA", img.size, to_hex_rgb(getattr(fig, "nn_style", LIGHT).page))
    return Image.alpha_composite(page, img).convert("RGB")


def to_hex_rgb(colour: str) -> tuple[int, int, int, int]:
    r, g, b = (round(255 * c) for c in to_rgb(colour))
    return r, g, b, 255


def encode(fig, fmt: str) -> bytes:
    """The bytes of ``fig`` as svg, png, jpeg or gif (gif: ``fig`` is the list of frames)."""
    fmt = fmt.lower()
    if fmt == "svg":
        settle(fig)
        buf = io.BytesIO()
        with use(getattr(fig, "nn_style", LIGHT)):
            fig.savefig(buf, format="svg", metadata=SVG_METADATA)
        return _compact.slim_svg(buf.getvalue())
    # a figure may ask for its own raster density (the header's phone-sized JPEG: nn_raster)
    scale = getattr(fig, "nn_raster", PNG_SCALE)
    if fmt == "png":
        return _render_png(fig, scale)
    if fmt in ("jpeg", "jpg"):
        buf = io.BytesIO()
        # 4:2:0 chroma: at 2x the halved colour resolution is still finer than a CSS pixel
        _flat_rgb(fig, scale).save(buf, format="JPEG", quality=JPEG_QUALITY,
                                       optimize=True, progressive=True, subsampling=2)
        return buf.getvalue()
    if fmt == "gif":
        return _encode_gif(fig)
    raise ValueError(f"unknown figure format {fmt!r} (svg, png, jpeg or gif)")


def _gif_palette(rgb: list, style: Style):
    """A 256-colour palette: the style's own colours exactly, then median cut over all frames.

    The exact entries keep small marks (points, lines, text) in their true colours; the adaptive
    rest serves the soft early frames as well as the crisp last one.
    """
    from PIL import Image

    key = []
    for value in vars(style).values():
        for colour in value if isinstance(value, tuple) else (value,):
            if isinstance(colour, str) and colour.startswith("#"):
                rgb8 = to_hex_rgb(colour)[:3]
                if rgb8 not in key:
                    key.append(rgb8)
    thumbs = [im.reduce(2) for im in rgb]
    sheet = Image.new("RGB", (thumbs[0].width, sum(t.height for t in thumbs)))
    for i, t in enumerate(thumbs):
        sheet.paste(t, (0, i * thumbs[0].height))
    adaptive = sheet.quantize(colors=GIF_COLOURS - len(key), method=Image.Quantize.MEDIANCUT,
                              dither=Image.Dither.NONE).getpalette()[:3 * (GIF_COLOURS - len(key))]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for rgb8 in key for c in rgb8] + adaptive)
    return palette


def _encode_gif(frames, last_ms: int = 2000) -> bytes:
    """One palette for all frames, no dithering, endless loop; about 4 s per pass, the last frame
    held for ``last_ms``.

    ``frames`` may be an iterator: each figure is rasterised as it comes, so a generator of
    frames never holds more than one matplotlib figure alive.
    """
    from PIL import Image

    rgb, frame_style = [], LIGHT
    for fig in frames:
        rgb.append(_flat_rgb(fig, GIF_SCALE))
        frame_style = getattr(fig, "nn_style", LIGHT)
    if not rgb:
        raise ValueError("an animation needs at least one frame")
    palette = _gif_palette(rgb, frame_style)
    pal = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in rgb]
    duration_ms = int(min(500, max(80, 4000 // len(pal))))
    durations = [duration_ms] * (len(pal) - 1) + [last_ms]
    buf = io.BytesIO()
    pal[0].save(buf, format="GIF", save_all=True, append_images=pal[1:], loop=0,
                duration=durations, optimize=False, disposal=1)
    return buf.getvalue()


def save(fig, target, fmt: str) -> None:
    """Write ``fig`` as ``fmt`` to a path (atomically: temp file + rename) or a binary buffer."""
    data = encode(fig, fmt)
    if hasattr(target, "write"):
        target.write(data)
        return
    write_atomic(target, data)
