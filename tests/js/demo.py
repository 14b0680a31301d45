"""A demo page of every live figure, built from the post's own networks, for a look in a browser.

``python tests/js/demo.py [--port 8765]`` trains the post's networks (a minute), writes a small
self-contained site into a temporary directory -- ``index.html`` (``tests/js/demo.html``), the
plugin's scripts (``nn_blog/jekyll/assets/js``, served at ``assets/nn-blog/js``), the exported
networks under ``assets/nn``, the site's CSS and the static
figures the live ones enhance -- and serves it on 127.0.0.1. ``tests/js/test_live_demo.py`` builds
the same site and drives it in Chromium. Its scripts are minified as the Jekyll build serves them.

The exports here are the ones the render service writes for the post's live figures
(``LIVE_FIGURES``, through ``browser_export.options_for``, as ``nn_blog/export_plan.py`` does).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# network -> the live figure kinds the demo shows it in
LIVE_FIGURES = {"digits": ["digit-pad"], "moons": ["probe", "neurons"], "spiral": ["scrubber"],
                "xor": ["train"]}
STATIC = ["digits-samples", "moons-boundary", "moons-neurons", "spiral-evolution", "loss-surface",
          "xor-boundary"]
# figure -> the placeholder in demo.html its drawn layout (the manifest entry's data) replaces
LAYOUTS = {"moons-neurons": "@@MOONS_NEURONS_LAYOUT@@"}
JS = ROOT / "nn_blog" / "jekyll" / "assets" / "js"
MINIFY = ROOT / "nn_blog" / "jekyll" / "lib" / "nn_blog" / "minify.mjs"


def train_live_networks():
    from nn_blog import declarations, experiments

    specs = declarations.load_networks(ROOT)
    return {name: experiments.train(specs[name]) for name in LIVE_FIGURES}


def build(out: Path, trained: dict) -> dict[str, int]:
    """Write the demo site into ``out``; returns {file: gzipped bytes} of what the page loads
    for its live figures (scripts and data)."""
    from nn_blog import browser_export

    shutil.copytree(JS, out / "assets" / "nn-blog" / "js")
    (out / "assets" / "css").mkdir(parents=True)
    shutil.copy(ROOT / "assets" / "css" / "main.css", out / "assets" / "css" / "main.css")
    # the figures' CSS, which the plugin inlines in a post's <head> (live panels included)
    for css in ("nn-figures.css", "nn-live.css"):
        shutil.copy(JS.parent / css, out / "assets" / "css" / css)
    images = out / "assets" / "images" / "nn"
    images.mkdir(parents=True)
    # the render names images by content (NAME.HASH.svg): the manifest says which is which
    manifest = json.loads((ROOT / "_data/generated/figures.json").read_text())
    for name in STATIC:
        entry = manifest.get(name) or {}
        for group, suffix in ((entry, ""), (entry.get("narrow") or {}, "-narrow")):
            for scheme, variant in (("light", f"{name}{suffix}.svg"),
                                    ("dark", f"{name}{suffix}-dark.svg")):
                url = (group.get(scheme) or {}).get("svg")
                if url and (ROOT / url.lstrip("/")).exists():
                    shutil.copy(ROOT / url.lstrip("/"), images / variant)
    files = dict(browser_export.shared_files())
    for name, kinds in LIVE_FIGURES.items():
        files.update(browser_export.files(trained[name], **browser_export.options_for(kinds)))
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    html = (HERE / "demo.html").read_text()
    for name, mark in LAYOUTS.items():
        html = html.replace(mark, escape(json.dumps(manifest[name]["data"])))
    (out / "index.html").write_text(html)
    # what the demo page loads: it has no on-demand animation, so not nn-on-demand.js (the
    # post no longer loads it either: its one animation is the live scrubber's)
    scripts = [p for p in (out / "assets" / "nn-blog" / "js").rglob("*.js")
               if (p.name.startswith("nn-") or p.parent.name == "live")
               and p.name != "nn-on-demand.js"]
    minify(scripts)
    loaded = scripts + [out / rel for rel in files]
    return {str(p.relative_to(out)): len(gzip.compress(p.read_bytes(), 9, mtime=0))
            for p in sorted(loaded)}


def minify(paths) -> None:
    """Minify the scripts in place as the site serves them (the plugin's minify.mjs, which the
    Jekyll build runs): the budget is measured on what a reader downloads."""
    from nn_blog import jekyll

    request = {"files": [{"name": p.name, "code": p.read_text()} for p in paths]}
    env = {**os.environ, "NN_BLOG_NODE_MODULES": str(jekyll.setup_node())}
    done = subprocess.run(["node", str(MINIFY)], input=json.dumps(request), text=True,
                          capture_output=True, timeout=120, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"node {MINIFY} failed: {done.stderr.strip()[:500]}")
    for path, result in zip(paths, json.loads(done.stdout)["results"], strict=True):
        if "error" in result:
            raise RuntimeError(f"{path.name}: {result['error']}")
        path.write_text(result["code"])


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args):
        pass


def draw_digit(page, canvas, pixels) -> None:
    """Draw an 8x8 digit (64 raw pixel values, 0-16, row-major) on the pad's ``canvas`` with the
    mouse: one stroke along each row's run of dark (>= 8) pixels."""
    box = canvas.bounding_box()
    cell = box["width"] / 8

    def centre(r, c):
        return box["x"] + (c + 0.5) * cell, box["y"] + (r + 0.5) * cell

    for r in range(8):
        c = 0
        while c < 8:
            if pixels[r * 8 + c] < 8:
                c += 1
                continue
            end = c
            while end + 1 < 8 and pixels[r * 8 + end + 1] >= 8:
                end += 1
            page.mouse.move(*centre(r, c))
            page.mouse.down()
            page.mouse.move(*centre(r, end), steps=4)
            page.mouse.up()
            c = end + 1


def draw_strokes(page, canvas, strokes) -> None:
    """Draw ``strokes`` (polylines in the pad's unit square, as ``handwriting.py`` writes them)
    on the pad's ``canvas`` with the mouse, a few moves per segment as a hand's would be."""
    box = canvas.bounding_box()

    def at(x, y):
        return box["x"] + x * box["width"], box["y"] + y * box["height"]

    for stroke in strokes:
        page.mouse.move(*at(*stroke[0]))
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*at(*point), steps=4)
        page.mouse.up()


def read_drawings(page, figure, canvas, drawings) -> list[tuple[int, str, str]]:
    """Draw each (digit, style, strokes) of ``drawings`` on a cleared pad; returns
    (digit, style, the pad's top class) for each."""
    read = []
    for digit, style, strokes in drawings:
        figure.get_by_role("button", name="Clear").click()
        draw_strokes(page, canvas, strokes)
        read.append((digit, style, figure.get_attribute("data-nn-prediction")))
    return read


PIXELS = """([sel, uv]) => {
  const c = document.querySelector(sel);
  const ctx = c.getContext('2d');
  return uv.map(([u, v]) => Array.from(
    ctx.getImageData(Math.floor(u * c.width), Math.floor(v * c.height), 1, 1).data.slice(0, 3)));
}"""


def shaded_classes(page, canvas, theme, plane, n=12):
    """The classes a shaded plane shows: the canvas (a selector) sampled at the centres of an
    n x n grid -> (the points sampled, in the plane's units, shape (n*n, 2); for each, the class
    whose colour (of ``theme``'s first three) its pixel is tinted with, the shade being that
    colour laid over the page)."""
    import numpy as np

    x0, x1, y0, y1 = plane
    uv = [((i + 0.5) / n, (j + 0.5) / n) for i in range(n) for j in range(n)]
    rgb = np.array(page.evaluate(PIXELS, [canvas, uv]), float)
    points = np.array([[x0 + u * (x1 - x0), y1 - v * (y1 - y0)] for u, v in uv])
    page_rgb = np.array([int(theme["page"][k:k + 2], 16) for k in (1, 3, 5)], float)
    classes = np.array([[int(c[k:k + 2], 16) for k in (1, 3, 5)] for c in theme["classes"][:3]],
                       float) - page_rgb
    tint = rgb - page_rgb
    cosine = tint @ classes.T / (np.linalg.norm(tint, axis=1, keepdims=True)
                                 * np.linalg.norm(classes, axis=1) + 1e-9)
    return points, cosine.argmax(axis=1)


def serve(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(Quiet, directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="nn-live-demo-"))
    sizes = build(out, train_live_networks())
    for rel, size in sizes.items():
        print(f"{size:>7}  {rel}")
    print(f"{sum(sizes.values()):>7}  gzipped in all")
    server = serve(out, args.port)
    print(f"serving {out} at http://127.0.0.1:{args.port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
