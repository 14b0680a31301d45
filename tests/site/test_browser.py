"""Every page of the built site in headless Chromium, light and dark, 1280 and 375 px wide, at the
root and under /blog.

A page passes when its math is typeset (with assistive MathML, no display equation wider than the
page), every image is decoded (lazy ones after scrolling), pictures show the source their media
queries pick (the dark render in the dark scheme), every text has 4.5:1 contrast against what is
behind it, axe-core finds no violation, at 375 px the smallest text in every figure displays at
10 CSS px or more (from the manifest's min_font_px, contract 3), nothing is logged as an error, no
request fails or leaves the local server, and nothing is wider than the viewport. Every page is
photographed at 1280 and 375 px, light and dark, into test-artifacts/site/ for a person to look at.

Each test is one page in one scheme and cannot hang: every step is bounded (pagecheck) and the
test as a whole by pytest-timeout.
"""

from __future__ import annotations

import pytest
from pagecheck import bounded, figure_index, manifest, visit, watch
from test_static import page_sources

pytestmark = pytest.mark.timeout(180)

PAGES = {path: source for source, path in page_sources()}


def _name(path):
    return path.strip("/").replace("/", "_").replace(".html", "") or "home"


def _check(browser, site, path, scheme, width, artifacts=None, figures=None, axe=True):
    # test code runs in the page: no CSP (pagecheck.CSP_NOTE)
    context = browser.new_context(bypass_csp=True, color_scheme=scheme,
                                  viewport={"width": width, "height": 900})
    bounded(context)
    log: dict = {}
    watch(context, site.origin, log)
    try:
        page = context.new_page()
        report = visit(page, site.url(path), scheme, axe=axe, figures=figures)
        if artifacts is not None:
            shot = artifacts / f"{_name(path)}-{width}-{scheme}.png"
            page.screenshot(path=shot, full_page=True, timeout=60_000)
            assert shot.stat().st_size > 5_000, shot
    finally:
        context.close()
    problems = [f"{path} ({scheme}, {width}px): {p}" for p in report.problems]
    problems += [f"{path}: request to another host: {url}" for url in log.get("foreign", [])]
    return problems, report


def test_every_built_page_is_checked(site):
    assert sorted(site.pages) == sorted(PAGES), "pages built vs pages this suite visits"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", sorted(PAGES))
def test_page(browser, site, artifacts, path, scheme):
    problems, _ = _check(browser, site, path, scheme, 1280, artifacts)
    index = figure_index(manifest(), site.baseurl)
    narrow, report = _check(browser, site, path, scheme, 375, artifacts, figures=index)
    problems += narrow
    assert not problems, "\n".join(problems)
    if "{% nn_figure" in PAGES[path].read_text(encoding="utf-8"):
        # the legibility check above must have had something to measure
        assert report.figures > 0, f"{path}: no figure from the manifest found on the page"


@pytest.mark.timeout(360)
def test_every_page_under_a_baseurl(browser, blog_site):
    problems = []
    for path in blog_site.pages:
        problems += _check(browser, blog_site, path, "light", 1280, axe=False)[0]
    assert not problems, "\n".join(problems)
