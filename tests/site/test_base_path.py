"""What Pages serves for a project site (issue 21): the site built with a base path (/blog, as
`make site BASEURL=/blog`) and served only under it (as `make preview` and GitHub Pages do). One
test walks everything a reader reaches: every page and every figure file it names, a live figure
(its module under /blog/assets/nn-blog/js/ and the network JSON it fetches) and search (Pagefind
under /blog/pagefind/, its first result opening a page). Every wait is bounded.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from pagecheck import bounded, watch

STEP_MS = 30_000
POST = "/nn-from-scratch/"
LIVE = "moons-boundary"  # a probe: its module and its network (assets/nn/moons.json)
ATTRS = re.compile(r'\b(?:src|href|srcset|data-nn-[\w-]+)="([^"]+)"')


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:  # noqa: S310 (our own server)
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code


def _local_targets(html: str, baseurl: str) -> set[str]:
    """Every site path a page names (links, images, srcsets, scripts), fragments dropped."""
    out = set()
    for value in ATTRS.findall(html):
        for part in value.split(","):
            target = part.strip().split(" ")[0].split("#")[0]
            if target.startswith(baseurl + "/"):
                out.add(target)
    return out


@pytest.mark.timeout(600)
def test_everything_works_under_a_base_path(browser, blog_site):
    base = blog_site.baseurl
    # 1. every page, and every file a page names under the base path, is served (no 404)
    missing, figures = [], set()
    for path in blog_site.pages:
        html = blog_site.file_for(path).read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="/(?!blog/|/)[^"]', html), \
            f"{path}: a root-relative link that forgets {base}"
        for target in _local_targets(html, base):
            figures |= {target} if "/assets/images/nn/" in target else set()
            if _status(blog_site.origin + target) != 200:
                missing.append(f"{path} -> {target}")
    assert not missing, "\n".join(missing)
    assert figures, "no figure file found on any page"

    # test code runs in the page: no CSP (pagecheck.CSP_NOTE)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    bounded(context)
    log: dict = {"problems": []}
    watch(context, blog_site.origin, log)
    responses = []
    try:
        page = context.new_page()
        page.on("response", lambda r: responses.append((r.status, r.url)))
        page.on("pageerror", lambda e: log["problems"].append(str(e)))
        # 2. a live figure: its module loads from the base path, and fetches its network
        page.goto(blog_site.url(POST), wait_until="load")
        fig = page.locator("figure[data-nn-live=probe]")
        fig.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
        fig.locator("xpath=self::*[@data-nn-live-state='ready']").wait_for(timeout=STEP_MS)
        ok = {url for status, url in responses if status == 200}
        assert any(u.startswith(f"{blog_site.origin}{base}/assets/nn-blog/js/live/probe")
                   for u in ok), sorted(ok)
        assert f"{blog_site.origin}{base}/assets/nn/moons.json" in ok, sorted(ok)
        # 3. search: Pagefind from the base path, and its first result opens under it
        page.goto(blog_site.url("/"), wait_until="load")
        page.keyboard.press("/")
        page.locator("#search-dialog input").wait_for(state="visible")
        page.keyboard.type("backpropagation")
        first = page.locator(".pagefind-ui__result-link").first
        first.wait_for(state="visible")
        href = first.get_attribute("href")
        assert href.startswith(f"{base}/") and POST.strip("/") in href, href
        first.click()
        page.wait_for_url(f"**{base}{POST}*", timeout=STEP_MS)
    finally:
        context.close()
    failed = [f"{s} {u}" for s, u in responses if s >= 400]
    assert not failed and not log["problems"], failed + log["problems"]
    assert not log.get("foreign"), log["foreign"]
    assert any(f"{base}/pagefind/" in u for _, u in responses)
