"""Which Chromium the browser tests drive, found the same way by every test folder (issue 21).

In order: the path in ``NN_BLOG_CHROME`` (or ``CHROME_PATH``, Lighthouse's variable), the usual
names on ``PATH`` (Debian's ``chromium``, Ubuntu's ``chromium-browser``, Google Chrome: on
GitHub's Ubuntu 24.04 runners ``chromium`` is a snap shim and Chrome is preinstalled), then
Playwright's own download (``playwright install chromium``). A name on PATH that is the snap's
transitional shim (/snap/bin or a script that asks to install the snap) is skipped: it cannot
start headless in a container.

``python tests/chrome.py`` prints the path and how it was found, or exits 1 (mk/site.mk asks it
whether to apt-get install Debian's chromium).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

VARIABLES = ("NN_BLOG_CHROME", "CHROME_PATH")
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class Chrome(NamedTuple):
    path: str | None
    how: str           # one line: where it came from, or why none was found

    def line(self) -> str:
        return f"browser: {self.path} ({self.how})" if self.path else f"browser: none ({self.how})"


def _snap_shim(path: str) -> bool:
    real = os.path.realpath(path)
    if real.startswith("/snap/") or real == "/usr/bin/snap":
        return True
    try:
        with open(real, "rb") as f:
            head = f.read(4096)
    except OSError:
        return True
    return head.startswith(b"#!") and b"snap" in head


def _playwright() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # the driver could not start: no Playwright browser either
        return None
    return path if path and Path(path).is_file() else None


def find(environ=None, which=shutil.which, playwright=_playwright) -> Chrome:
    """The browser to drive; ``environ``, ``which`` and ``playwright`` are the test seams."""
    environ = os.environ if environ is None else environ
    for var in VARIABLES:
        value = environ.get(var)
        if value:
            if Path(value).is_file() and os.access(value, os.X_OK):
                return Chrome(value, f"${var}")
            return Chrome(None, f"${var}={value} is not an executable file")
    for name in NAMES:
        path = which(name)
        if path and not _snap_shim(path):
            return Chrome(path, f"`{name}` on PATH")
    path = playwright()
    if path:
        return Chrome(path, "Playwright's own Chromium")
    return Chrome(None, "set NN_BLOG_CHROME, install chromium (make test-deps) or run "
                        "`playwright install chromium`")


if __name__ == "__main__":
    found = find()
    print(found.line())
    sys.exit(0 if found.path else 1)
