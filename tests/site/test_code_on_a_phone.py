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
# The post's blocks below the first screenful have `content-visibility: auto`: until one nears
# the viewport the browser skips its rendering, so its innerText is "" (which is why adam-step,
# the first excerpt the post uses in alphabetical order, failed an innerText comparison) and its
# widths and heights are placeholders. Each block is brought into view, as a reader would, and
# measured once the browser has laid it out (two frames later).
IN_VIEW = """async () => {
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
    const measure = MEASURE;
    const out = [];
    for (const pre of document.querySelectorAll('.page__content pre')) {
        pre.scrollIntoView({block: 'center', behavior: 'instant'});
        await frame(); await frame();
        out.push(measure(pre));
    }
    return out;
}"""


def _each_block(page, measure: str) -> list:
    """``measure`` (a JavaScript function of a <pre>) of every code block, each in view."""
    return page.evaluate(IN_VIEW.replace("MEASURE", measure))


def _code_blocks(browser, site, width):
    # test code runs in the page: no CSP (pagecheck.CSP_NOTE)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    bounded(context)
    try:
        page = context.new_page()
        page.goto(site.url(MAIN), wait_until="load", timeout=60_000)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        return _each_block(page, """pre => ({scroll: pre.scrollWidth, client: pre.clientWidth,
                                              text: pre.textContent, shown: pre.innerText})""")
    finally:
        context.close()


def test_no_code_block_scrolls_sideways_at_375_px(browser, site):
    blocks = _code_blocks(browser, site, 375)
    assert len(blocks) >= 10, f"only {len(blocks)} code blocks on {MAIN}"
    wide = [(b["scroll"], b["client"], b["text"].splitlines()[0]) for b in blocks
            if b["scroll"] > b["client"]]
    assert not wide, f"code blocks wider than the column at 375 px: {wide}"


@pytest.mark.parametrize("read", ["text", "shown"])
def test_wrapped_code_is_still_the_source(browser, site, read):
    """textContent (what the page holds) and innerText (what is shown, and copied) alike."""
    texts = {b[read].rstrip("\n") for b in _code_blocks(browser, site, 375)}
    for path in sorted(EXCERPTS.glob("*.md")):
        code = re.search(r"```python\n(.*?)\n```", path.read_text(encoding="utf-8"), re.S)
        if code and any(code.group(1) in t for t in texts):
            continue
        if f"generated/excerpts/{path.name}" in (ROOT / "_posts" /
                                                 "2020-10-17-nn-from-scratch.md").read_text():
            pytest.fail(f"{path.name}: the page's code is not the excerpt's source")


def test_a_wrapped_line_hangs_past_its_indentation_beside_a_mark(browser, site):
    """Each source line is its own box: a line that wraps at 375 px has its continuation rows
    indented past the line's own indentation, and a bar beside them (its background)."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 900})
    bounded(context)
    try:
        page = context.new_page()
        page.goto(site.url(MAIN), wait_until="load", timeout=60_000)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        blocks = _each_block(page, """pre => [...pre.querySelectorAll('.line')]
            .map(line => {
                const style = getComputedStyle(line);
                const rows = Math.round(line.getBoundingClientRect().height
                                        / parseFloat(style.lineHeight));
                const indent = line.textContent.match(/^ */)[0].length;
                return {rows, indent, pad: parseFloat(style.paddingLeft),
                        ch: parseFloat(style.fontSize) * 0.6, mark: style.backgroundImage,
                        text: line.textContent};
            })""")
        lines = [line for block in blocks for line in block]
    finally:
        context.close()
    assert len(lines) > 200, "code blocks are not split into lines"
    wrapped = [line for line in lines if line["rows"] > 1]
    assert wrapped, "no line wraps at 375 px: nothing to mark"
    for line in wrapped:
        assert "gradient" in line["mark"], line["text"]
        # the continuation starts past the line's own indentation (padding in px, ~0.6em a ch)
        assert line["pad"] > line["indent"] * line["ch"] * 0.9, line
