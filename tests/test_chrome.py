"""tests/chrome.py: the variable, then the usual names on PATH (not the snap shim), then
Playwright's own, and one line saying which."""

from __future__ import annotations

import stat

import chrome


def _exe(path, text="#!/bin/sh\nexit 0\n"):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_the_variable_wins(tmp_path):
    mine = _exe(tmp_path / "my-chrome")
    found = chrome.find({"NN_BLOG_CHROME": mine}, which=lambda n: "/usr/bin/" + n,
                        playwright=lambda: "/pw/chrome")
    assert found.path == mine and "NN_BLOG_CHROME" in found.line()


def test_a_variable_naming_nothing_is_an_error_not_a_fallback(tmp_path):
    found = chrome.find({"CHROME_PATH": str(tmp_path / "nope")}, which=lambda n: None,
                        playwright=lambda: None)
    assert found.path is None and "CHROME_PATH" in found.line()


def test_usual_names_in_order_then_playwright(tmp_path):
    google = _exe(tmp_path / "google-chrome")
    paths = {"google-chrome": google, "google-chrome-stable": google}
    found = chrome.find({}, which=paths.get, playwright=lambda: "/pw/chrome")
    assert found.path == google and "`google-chrome` on PATH" in found.line()
    found = chrome.find({}, which=lambda n: None, playwright=lambda: "/pw/chrome")
    assert found == ("/pw/chrome", "Playwright's own Chromium")
    found = chrome.find({}, which=lambda n: None, playwright=lambda: None)
    assert found.path is None and found.line().startswith("browser: none (")


def test_the_snap_shim_is_skipped(tmp_path):
    shim = _exe(tmp_path / "chromium", "#!/bin/sh\necho 'install the chromium snap'\n")
    google = _exe(tmp_path / "google-chrome")
    found = chrome.find({}, which={"chromium": shim, "google-chrome": google}.get,
                        playwright=lambda: None)
    assert found.path == google
