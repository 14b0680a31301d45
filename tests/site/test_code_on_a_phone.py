"""Code a learner can read on a phone: at 375 px no code block of the main post scrolls sideways.

Every `<details>` is opened first (the closed ones hold code too). A long line wraps (the CSS
block at the end of assets/css/main.css); what the page holds, and what a reader copies, is
still the source line by line: the text of every excerpt's `<pre>` equals the generated
excerpt's code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pagecheck import bounded

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[2]
EXCERPTS = ROOT / "_includes" / "generated" / "excerpts"
MAIN = "/nn-from-scratch/"


def _code_blocks(browser, site, width):
    # test code runs in the page: no CSP (pagecheck.CSP_NOTE)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    bounded(context)
    try:
        page = context.new_page()
        page.goto(site.url(MAIN), wait_until="load", timeout=60_000)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        return page.evaluate("""() => [...document.querySelectorAll('.page__content pre')]
            .map(pre => ({scroll: pre.scrollWidth, client: pre.clientWidth,
                          text: pre.textContent}))""")
    finally:
        context.close()


def test_no_code_block_scrolls_sideways_at_375_px(browser, site):
    blocks = _code_blocks(browser, site, 375)
    assert len(blocks) >= 10, f"only {len(blocks)} code blocks on {MAIN}"
    wide = [(b["scroll"], b["client"], b["text"].splitlines()[0]) for b in blocks
            if b["scroll"] > b["client"]]
    assert not wide, f"code blocks wider than the column at 375 px: {wide}"


def test_wrapped_code_is_still_the_source(browser, site):
    texts = {b["text"].rstrip("\n") for b in _code_blocks(browser, site, 375)}
    for path in sorted(EXCERPTS.glob("*.md")):
        code = re.search(r"```python\n(.*?)\n```", path.read_text(encoding="utf-8"), re.S)
        if code and any(code.group(1) in t for t in texts):
            continue
        if f"generated/excerpts/{path.name}" in (ROOT / "_posts" /
                                                 "2020-10-17-nn-from-scratch.md").read_text():
            pytest.fail(f"{path.name}: the page's code is not the excerpt's source")
