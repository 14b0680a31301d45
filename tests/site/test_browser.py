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


def _name(path):
    return path.strip("/").replace("/", "_") or "home"


def _visit_pages(browser, site, paths, scheme, width=1280, screenshots=None):
    """Visit ``paths``; photograph those in ``screenshots = (folder, paths)``; list problems."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    log: dict = {}
    watch(context, site.origin, log)
    folder, photographed = screenshots or (None, [])
    problems = []
    try:
        for path in paths:
            page = context.new_page()
            report = visit(page, site.url(path), site.file_for(path).read_text(), scheme)
            problems += [f"{path} ({scheme}, {width}px): {p}" for p in report.problems]
            if path in photographed:
                page.screenshot(path=folder / f"{_name(path)}-{width}-{scheme}.png",
                                full_page=True, timeout=120_000)
            page.close()
    finally:
        context.close()
    problems += [f"request to another host: {url}" for url in log.get("foreign", [])]
    return problems


def _photographed(site):
    return [p for p in [*post_permalinks(), "/markdown-style/"] if p in site.pages]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_in_both_schemes(browser, site, artifacts, scheme):
    problems = _visit_pages(browser, site, site.pages, scheme,
                            screenshots=(artifacts, _photographed(site)))
    assert not problems, "\n".join(problems)
    _assert_photographed(artifacts, _photographed(site), 1280, scheme)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_phone_wide_screen(browser, site, artifacts, scheme):
    paths = ["/", *_photographed(site)]
    problems = _visit_pages(browser, site, paths, scheme, width=375,
                            screenshots=(artifacts, _photographed(site)))
    assert not problems, "\n".join(problems)
    _assert_photographed(artifacts, _photographed(site), 375, scheme)


def test_every_page_under_a_baseurl(browser, blog_site):
    problems = _visit_pages(browser, blog_site, blog_site.pages, "light")
    assert not problems, "\n".join(problems)


def _assert_photographed(artifacts, paths, width, scheme):
    assert paths, "neither the post nor the style page was built"
    for path in paths:
        shot = artifacts / f"{_name(path)}-{width}-{scheme}.png"
        assert shot.stat().st_size > 10_000, shot
