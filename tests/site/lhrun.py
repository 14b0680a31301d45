"""One Lighthouse run (npm `lighthouse`, pinned in package.json) against a page, with Debian's
Chromium, light or dark (``prefers-color-scheme`` emulated by a Blink setting), mobile or desktop.

Used by the browser tests (accessibility, best practices and SEO at 100) and by
``benchmarks/lighthouse.py`` (the performance budgets). Every run is bounded by a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import chrome  # noqa: E402  (tests/chrome.py: the browser every test folder drives)

CLI = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
FOUND = chrome.find()
CHROMIUM = FOUND.path
# preferredColorScheme: 0 dark, 1 light (Blink's enum), what a reader's system setting does.
SCHEME_FLAG = {"dark": "--blink-settings=preferredColorScheme=0",
               "light": "--blink-settings=preferredColorScheme=1"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SECONDS = 240


@dataclass
class Run:
    """The numbers a budget looks at, and the failing audits of each category below 100."""

    url: str
    form: str
    scheme: str
    scores: dict[str, int]
    tbt_ms: float | None
    cls: float | None
    lcp_s: float | None
    bytes: int | None
    failing: dict[str, list[str]]


class LighthouseError(RuntimeError):
    pass


def available() -> str | None:
    """Why Lighthouse cannot run here, or None."""
    if not CLI.is_file():
        return f"{CLI.relative_to(ROOT)} is missing: run `npm ci` (make site-setup)"
    if CHROMIUM is None:
        return FOUND.line()
    return None


def run(url: str, form: str = "mobile", scheme: str = "light",
        categories: tuple[str, ...] = CATEGORIES, seconds: float = SECONDS) -> Run:
    """Run Lighthouse once on ``url``; raise LighthouseError naming the page on any failure."""
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", SCHEME_FLAG[scheme]]
    with tempfile.TemporaryDirectory(prefix="nn-lh-") as tmp:
        out = Path(tmp) / "report.json"
        argv = ["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
                f"--chrome-flags={' '.join(flags)}",
                f"--only-categories={','.join(categories)}", "--max-wait-for-load=60000"]
        if form == "desktop":
            argv.append("--preset=desktop")
        env = dict(os.environ, CHROME_PATH=CHROMIUM, TMPDIR=tmp)
        try:
            done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=seconds)
        except subprocess.TimeoutExpired as err:
            raise LighthouseError(f"lighthouse {url} ({form}, {scheme}): no result within "
                                  f"{seconds:.0f} s") from err
        if done.returncode != 0 or not out.is_file():
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise LighthouseError(f"lighthouse {url} ({form}, {scheme}) failed "
                                  f"(exit {done.returncode}): {tail}")
        report = json.loads(out.read_text(encoding="utf-8"))
    return _summary(report, url, form, scheme)


def _numeric(report: dict, audit: str):
    return report["audits"].get(audit, {}).get("numericValue")


def _summary(report: dict, url: str, form: str, scheme: str) -> Run:
    if report.get("runtimeError"):
        raise LighthouseError(f"lighthouse {url} ({form}, {scheme}): "
                              f"{report['runtimeError'].get('message')}")
    scores, failing = {}, {}
    for name, category in report["categories"].items():
        if category.get("score") is None:
            raise LighthouseError(f"lighthouse {url} ({form}, {scheme}): no {name} score")
        scores[name] = round(category["score"] * 100)
        bad = []
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                bad.append(f"{ref['id']} ({audit.get('displayValue') or audit['score']})")
        failing[name] = bad
    tbt, cls = _numeric(report, "total-blocking-time"), _numeric(report, "cumulative-layout-shift")
    lcp = _numeric(report, "largest-contentful-paint")
    weight = _numeric(report, "total-byte-weight")
    return Run(url=url, form=form, scheme=scheme, scores=scores, tbt_ms=tbt, cls=cls,
               lcp_s=None if lcp is None else lcp / 1000,
               bytes=None if weight is None else int(weight), failing=failing)
