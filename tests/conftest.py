"""The suite's header names the browser the browser tests drive (tests/chrome.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import chrome  # noqa: E402


def pytest_report_header(config):
    return chrome.find().line()
