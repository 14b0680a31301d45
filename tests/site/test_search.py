"""Search: Pagefind's index is built after Jekyll, its UI loads only when the reader opens it.

Every wait here is bounded by the page's default timeout, so a stuck search fails naming the step.
"""

from __future__ import annotations

import pytest
from pagecheck import watch

STEP_MS = 20_000


def _open_search(browser, site, scheme, width, log):
    # test code runs in the page: no CSP (pagecheck.CSP_NOTE)
    context = browser.new_context(bypass_csp=True, color_scheme=scheme,
                                  viewport={"width": width, "height": 800})
    watch(context, site.origin, log)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.set_default_navigation_timeout(STEP_MS)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site.url("/"), wait_until="load")
    assert not [u for u in requests if "/pagefind/" in u], "search loaded before it was opened"
    return context, page, requests


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 375)])
def test_searching_backpropagation_lists_the_main_post_first(browser, site, artifacts, scheme,
                                                            width):
    log: dict = {}
    context, page, requests = _open_search(browser, site, scheme, width, log)
    try:
        page.keyboard.press("/")  # the keyboard shortcut opens the dialog, focus in the box
        box = page.locator("#search-dialog input")
        box.wait_for(state="visible")
        page.wait_for_function("document.activeElement && document.activeElement.tagName === "
                               "'INPUT'", timeout=STEP_MS)
        page.keyboard.type("backpropagation")
        first = page.locator(".pagefind-ui__result-link").first
        first.wait_for(state="visible")
        assert first.get_attribute("href").rstrip("/").endswith("/nn-from-scratch"), \
            first.get_attribute("href")
        page.screenshot(path=artifacts / f"search-{width}-{scheme}.png", timeout=STEP_MS)
        page.keyboard.press("Escape")
        page.locator("#search-dialog").wait_for(state="hidden")
    finally:
        context.close()
    assert not log.get("foreign"), log["foreign"]


INDEXED_TEXT = """async ([bundle, query, ms]) => {
  const timer = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`pagefind search for ${query} took over ${ms} ms`)), ms));
  const work = (async () => {
    const pagefind = await import(bundle + "pagefind.js");
    const found = await pagefind.search(query);
    return Promise.all(found.results.map(async (r) => {
      const d = await r.data();
      return [d.url, d.content];
    }));
  })();
  return Promise.race([work, timer]);
}"""


def _code_lines(html):
    """Lines of the page's code blocks long enough to be unmistakable in the indexed text."""
    import html as html_lib
    import re

    lines = []
    for block in re.findall(r"<pre[^>]*>(.*?)</pre>", html, re.S):
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", block))
        lines += [" ".join(line.split()) for line in text.splitlines() if len(line.split()) >= 4]
    return lines


def test_code_and_math_are_not_indexed(browser, site):
    log: dict = {}
    context, page, _ = _open_search(browser, site, "light", 1280, log)
    try:
        bundle = page.locator("[data-search-open]").get_attribute("data-bundle")
        found = dict(page.evaluate(INDEXED_TEXT, [bundle, "backpropagation", STEP_MS]))
    finally:
        context.close()
    post = next(url for url in found if url.rstrip("/").endswith("/nn-from-scratch"))
    content = " ".join(found[post].split())
    assert "backpropagation" in content.lower()
    code = _code_lines(site.file_for("/nn-from-scratch/").read_text(encoding="utf-8"))
    assert code, "the post shows no code block to check against"
    assert not [line for line in code if line in content], "code blocks were indexed"
    for tex in ["\\frac", "\\sum", "\\(", "\\["]:
        assert tex not in content, f"math markup {tex} was indexed"
