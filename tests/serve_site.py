"""A small Jekyll site that loads nn-blog (the render fixture's declarations, rendered), for
driving `nn-blog serve` in tests and benchmarks: serve it, save files, wait for the page."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><main>{{ content }}</main></body></html>
"""
CONFIG = "title: Loop\nurl: http://127.0.0.1\npermalink: /:title/\nexclude: [.cache/]\n"
POST = "_posts/2021-01-01-loop.md"


def make_site(root: Path) -> Path:
    """Jekyll's parts beside the declarations and outputs already in ``root``."""
    (root / "_config.yml").write_text(CONFIG)
    (root / "_layouts").mkdir(exist_ok=True)
    (root / "_layouts" / "default.html").write_text(LAYOUT)
    (root / "_plugins").mkdir(exist_ok=True)
    (root / "_plugins" / "nn_blog.rb").write_text(
        (ROOT / "nn_blog" / "jekyll" / "loader.rb").read_text())
    (root / "index.md").write_text("---\nlayout: default\ntitle: Home\n---\n\nHome.\n")
    write_post(root, "{% nn_figure xor-loss %}")
    return root


def write_post(root: Path, body: str) -> None:
    (root / "_posts").mkdir(exist_ok=True)
    (root / POST).write_text(f"---\nlayout: default\ntitle: Loop\n---\n\nText.\n\n{body}\n")


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


class Served:
    """`nn-blog serve --port 0` on ``root`` in its own process group, its output collected."""

    def __init__(self, root: Path, *args: str):
        self.root, self.lines = root, []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nn_blog", "serve", "--port", "0", "--livereload-port",
             str(_free()), "--root", str(root), *args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env(), start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = None
        line = self.wait_line(r"nn-blog serve: (http://\S+/)", 240)
        self.url = re.search(r"(http://\S+/)", line)[1]
        self.wait_line(r"Auto-regeneration: driven by nn-blog serve", 240)

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_line(self, pattern: str, timeout: float, start: int = 0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.lines[start:]:
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} in time:\n{self.output()[-4000:]}")

    def build(self) -> dict:
        try:
            return json.loads((self.root / ".cache/nn-blog/serve/build.json").read_text())
        except (OSError, ValueError):
            return {}

    def builds(self) -> int:
        return sum(1 for line in self.lines if "Regenerating: nn-blog serve asked" in line)

    def page(self, path="loop/") -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as resp:
            return resp.read().decode()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def _free() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
