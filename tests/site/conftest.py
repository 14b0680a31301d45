"""Fixtures for the site's tests: Jekyll builds served by a local HTTP server, and Chromium.

Each build gets its own server on a free port and is built with ``url`` set to that server, so
the pages' absolute links (``{{ site.url }}{{ site.baseurl }}``) point at it and nothing needs a
host outside this machine. The ``/blog`` build is served only under ``/blog/``: a link that
forgets the baseurl gets a 404 instead of quietly reaching the root build.

Run by ``make test-site`` (after the Makefile has set up MathJax and rendered the figures);
never by the Python suite.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import chrome  # noqa: E402  (tests/chrome.py: the one way every test folder finds Chromium)

ARTIFACTS = ROOT / "test-artifacts" / "site"
FOUND = chrome.find()
CHROMIUM = FOUND.path  # None when no browser was found: the browser fixture says why
BUILD_SECONDS = 900
LAUNCH_MS = 60_000
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class BuiltSite:
    """A built site and the server that serves it at ``origin + baseurl``."""

    webroot: Path  # what the server serves; the site itself is at webroot + baseurl
    dest: Path
    origin: str
    baseurl: str
    build_seconds: float = 0.0
    pages: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.origin}{self.baseurl}{path}"

    def file_for(self, path: str) -> Path:
        """The built file behind a page's path (``/about/`` -> ``about/index.html``)."""
        rel = path.lstrip("/")
        return self.dest / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


# What a static host compresses (GitHub Pages, Netlify, nginx's usual gzip_types).
COMPRESSED = {".html", ".css", ".js", ".mjs", ".svg", ".json", ".xml", ".txt", ".map"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = ""
    compress = False

    def translate_path(self, path):
        if not path.split("?", 1)[0].startswith(self.prefix + "/"):
            return str(Path(self.directory) / "__outside_the_baseurl__")
        return super().translate_path(path)

    def send_head(self):
        """Serve text gzip-compressed when asked to, as a static host does."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the parent redirects /dir to /dir/
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and wants and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):  # keep test output readable
        pass


def _serve(directory: Path, prefix: str, compress: bool = False
           ) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` on a free port (only under ``prefix``); gzip text if ``compress``."""
    handler = type("Handler", (_Handler,), {"prefix": prefix, "compress": compress})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextlib.contextmanager
def built_and_served(site: Path | None = None):
    """The blog served with gzip on a free port, as a static host serves it -> its origin.

    Built now for that address (so absolute ``{{ site.url }}`` links resolve here, offline),
    unless ``site`` is a folder already built. The benchmarks use it; the server stops after."""
    with tempfile.TemporaryDirectory() as tmp:
        webroot = site or Path(tmp) / "www"
        webroot.mkdir(exist_ok=True)
        server, origin = _serve(webroot, "", compress=True)
        try:
            if site is None:
                jekyll_build(webroot, {"url": origin}, Path(tmp) / "w.yml")
            yield origin
        finally:
            server.shutdown()


def jekyll_build(dest: Path, overrides: dict, overlay: Path) -> float:
    """Build the repository's site into ``dest``, ``overrides`` written to ``overlay`` (a
    config file layered over _config.yml); return the seconds it took."""
    overlay.write_text(yaml.safe_dump(overrides))
    argv = ["bundle", "exec", "jekyll", "build", "--strict_front_matter", "--quiet",
            "--config", f"_config.yml,{overlay}", "--destination", str(dest)]
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                              env=dict(os.environ), timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"{' '.join(argv)}: no result within {BUILD_SECONDS} s") from err
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def list_pages(dest: Path) -> list[str]:
    """Every HTML page of a built site, as the path a reader would open."""
    pages = []
    for html in sorted(dest.rglob("*.html")):
        rel = html.relative_to(dest).as_posix()
        if rel.startswith("assets/"):
            continue
        pages.append("/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return pages


def _built(tmp_path_factory, name: str, baseurl: str) -> BuiltSite:
    webroot = tmp_path_factory.mktemp(name) / "www"
    dest = webroot / baseurl.strip("/")
    dest.mkdir(parents=True)
    server, origin = _serve(webroot, baseurl, compress=True)
    seconds = jekyll_build(dest, {"url": origin, "baseurl": baseurl},
                           webroot.parent / "config.yml")
    site = BuiltSite(webroot=webroot, dest=dest, origin=origin, baseurl=baseurl,
                     build_seconds=seconds)
    site.pages = list_pages(dest)
    site._server = server  # kept alive for the session
    return site


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The site at the root of its host, as `make serve` shows it."""
    return _built(tmp_path_factory, "root", "")


@pytest.fixture(scope="session")
def blog_site(tmp_path_factory) -> BuiltSite:
    """The same site published under ``/blog``."""
    return _built(tmp_path_factory, "blog", "/blog")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail(FOUND.line())
    print(f"\nsite tests: {FOUND.line()}")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     timeout=LAUNCH_MS)
        _warm_up(chromium)
        yield chromium
        chromium.close()


def _warm_up(chromium) -> None:
    """Render one page of text before the first test does.

    The first page a fresh Chromium renders pays for what later ones reuse: fontconfig scanning
    the system fonts (on a fresh machine there is no per-user font cache yet), the GPU-less
    raster setup, the first renderer process. Paid inside a test it made that test's first page
    slow enough for timing-sensitive waits to miss events (issue 9 §5); paid here, bounded, it
    is the same for every test.
    """
    start = time.perf_counter()
    context = chromium.new_context()
    context.set_default_timeout(LAUNCH_MS)
    try:
        page = context.new_page()
        page.set_content("<p style='font-family:sans-serif'>warm <b>up</b> <i>x</i> "
                         "<code>mono</code> \u2211</p>")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(document.fonts.size)))")
    finally:
        context.close()
    seconds = time.perf_counter() - start
    if seconds > 10:
        print(f"\nsite tests: Chromium's first page took {seconds:.0f} s (font cache?)")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
