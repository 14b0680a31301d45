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


def _indexed_post_text(browser, site, word: str) -> str:
    """What Pagefind indexed of the main post (found by searching ``word``), spaces collapsed."""
    log: dict = {}
    context, page, _ = _open_search(browser, site, "light", 1280, log)
    try:
        bundle = page.locator("[data-search-open]").get_attribute("data-bundle")
        found = dict(page.evaluate(INDEXED_TEXT, [bundle, word, STEP_MS]))
    finally:
        context.close()
    post = next(url for url in found if url.rstrip("/").endswith("/nn-from-scratch"))
    return " ".join(found[post].split())


def test_code_and_math_are_not_indexed(browser, site):
    content = _indexed_post_text(browser, site, "backpropagation")
    assert "backpropagation" in content.lower()
    code = _code_lines(site.file_for("/nn-from-scratch/").read_text(encoding="utf-8"))
    assert code, "the post shows no code block to check against"
    assert not [line for line in code if line in content], "code blocks were indexed"
    for tex in ["\\frac", "\\sum", "\\(", "\\["]:
        assert tex not in content, f"math markup {tex} was indexed"


def _search(page, query):
    """Open the search (the "/" key), type ``query``; -> the status line once it answers."""
    if not page.locator("#search-dialog").is_visible():
        page.keyboard.press("/")
    box = page.locator("#search-dialog input")
    box.wait_for(state="visible")
    box.fill(query)
    message = page.locator("#search-dialog .pagefind-ui__message")
    page.wait_for_function(
        "q => (document.querySelector('#search-dialog .pagefind-ui__message') || {})"
        ".textContent?.endsWith(q)", arg=query, timeout=STEP_MS)
    return message.text_content()


def test_a_nonsense_query_finds_nothing(browser, site):
    """Pagefind matches an unknown term by a short prefix of it ("zxqvbnm" found "z")."""
    log: dict = {}
    context, page, _ = _open_search(browser, site, "light", 1280, log)
    try:
        assert _search(page, "zxqvbnm") == "No results for zxqvbnm"
        assert page.locator("#search-dialog .pagefind-ui__result").count() == 0
        assert _search(page, "backpropagation").startswith("1 result")  # a real word still
    finally:
        context.close()


def test_the_learning_rate_section_comes_before_sections_that_only_learn(browser, site):
    log: dict = {}
    context, page, _ = _open_search(browser, site, "light", 1280, log)
    try:
        _search(page, "learning rate")
        post = page.locator("#search-dialog .pagefind-ui__result").filter(
            has=page.locator("a[href$='/nn-from-scratch/']")).first
        first = post.locator(".pagefind-ui__result-nested").first
        marks = [m.lower() for m in first.locator("mark").all_text_contents()]
        assert any(m.startswith("learning") for m in marks) and any(
            m.startswith("rate") for m in marks), (first.text_content(), marks)
    finally:
        context.close()


def test_a_result_on_the_same_page_closes_the_dialog(browser, site):
    log: dict = {}
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    watch(context, site.origin, log)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        page.goto(site.url("/nn-from-scratch/"), wait_until="load")
        _search(page, "backpropagation")
        nested = page.locator("#search-dialog .pagefind-ui__result-nested a").first
        href = nested.get_attribute("href")
        assert href.split("#")[0].rstrip("/").endswith("/nn-from-scratch"), href
        nested.click()
        page.locator("#search-dialog").wait_for(state="hidden")
        assert page.evaluate("location.hash") == "#" + href.split("#", 1)[1]
    finally:
        context.close()


def test_inline_math_is_indexed_as_its_text(browser, site):
    """An excerpt keeps the math's words (its assistive MathML), not a gap: "is 1 when c=j"."""
    import re

    content = _indexed_post_text(browser, site, "softmax")
    at = re.search(r"is 1 when (.{0,12}?), else 0", content)
    assert at and at.group(1).strip(" ,"), content[content.find("is 1 when") - 40:][:120]
    assert "c" in at.group(1) and "j" in at.group(1), at.group(0)
