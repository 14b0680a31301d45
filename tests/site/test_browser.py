"""Every page of the built site in headless Chromium, light and dark, at the root and under /blog.

A page passes when every math expression is typeset without a MathJax error, every image is
decoded (lazy ones after scrolling), pictures show their dark variant in the dark scheme, nothing
is logged as an error, no request fails or leaves the local server, and nothing is wider than
the viewport. The post and the style page are also photographed at 1280 and 375 px, light and
dark, into test-artifacts/site/ for a person to look at.
"""

from __future__ import annotations

import pytest
from pagecheck import visit, watch
from test_static import post_permalinks

SCREENSHOT_WIDTHS = (1280, 375)


def _visit_pages(browser, site, paths, scheme, width=1280, screenshots=None):
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    log: dict = {}
    watch(context, site.origin, log)
    problems = []
    try:
        for path in paths:
            page = context.new_page()
            report = visit(page, site.url(path), site.file_for(path).read_text(), scheme)
            problems += [f"{path} ({scheme}, {width}px): {p}" for p in report.problems]
            if screenshots is not None:
                name = path.strip("/").replace("/", "_") or "home"
                page.screenshot(path=screenshots / f"{name}-{width}-{scheme}.png", full_page=True,
                                timeout=120_000)
            page.close()
    finally:
        context.close()
    problems += [f"request to another host: {url}" for url in log.get("foreign", [])]
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_in_both_schemes(browser, site, scheme):
    problems = _visit_pages(browser, site, site.pages, scheme)
    assert not problems, "\n".join(problems)


def test_every_page_under_a_baseurl(browser, blog_site):
    problems = _visit_pages(browser, blog_site, blog_site.pages, "light")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", SCREENSHOT_WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_post_and_style_page(browser, site, artifacts, scheme, width):
    paths = [*post_permalinks(), "/markdown-style/"]
    problems = _visit_pages(browser, site, paths, scheme, width=width, screenshots=artifacts)
    assert not problems, "\n".join(problems)
    for path in paths:
        name = path.strip("/").replace("/", "_")
        assert (artifacts / f"{name}-{width}-{scheme}.png").stat().st_size > 10_000
