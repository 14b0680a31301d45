"""The Content-Security-Policy (issue 20): every page ships one in a <meta>, scripts come only
from the site's own files, and Chromium reports no violation of it on any page, with every live
figure of the post drawn and used and the search opened and answering.

Every wait is bounded (``pagecheck.bounded``; the live figures' and the search's own waits).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from pagecheck import bounded, watch
from test_live import LIVE, POST, centre_in_view, ready

WAIT_MS = 30_000
POLICY = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
          "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; frame-src 'self'; "
          "object-src 'none'; base-uri 'self'; form-action 'self'")

# Registered before any page script runs: every violation the page reports, kept on window.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


class _Head(HTMLParser):
    """The policies a page's <meta> elements set, whether one came after a script or style,
    inline scripts (other than JSON data) and event-handler attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.policies: list[str] = []
        self.late = False  # a policy after a script, style or stylesheet
        self.seen_code = False
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.handlers += [f"<{tag} {k}>" for k in a if k.startswith("on")]
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(a.get("content") or "")
            self.late |= self.seen_code
        if tag in ("script", "style") or tag == "link" and a.get("rel") == "stylesheet":
            self.seen_code = True
        if tag == "script":
            self._script = a

    def handle_data(self, data):
        script = self._script
        if script is not None and "src" not in script and data.strip() \
                and script.get("type") != "application/ld+json":
            self.inline.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def test_every_page_ships_the_policy_and_no_inline_script(site):
    problems = []
    for path in site.pages:
        head = _Head()
        head.feed(site.file_for(path).read_text(encoding="utf-8"))
        if head.policies != [POLICY]:
            problems.append(f"{path}: policies {head.policies}")
        if head.late:
            problems.append(f"{path}: the policy comes after a script or style")
        problems += [f"{path}: inline script {s!r}" for s in head.inline]
        problems += [f"{path}: event handler {h}" for h in head.handlers]
    # no host but the site's own, anywhere in the policy
    assert not re.search(r"https?:|\*", POLICY)
    assert problems == [], "\n".join(problems[:20])


@pytest.fixture
def context(browser, site):
    """A context that records violations and lets no request leave the site."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    bounded(context)
    context.add_init_script(LISTEN)
    log: dict = {}
    watch(context, site.origin, log)
    yield context, log
    context.close()
    assert log.get("foreign", []) == [], f"requests leaving the site: {log['foreign']}"


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def test_a_violation_is_seen(context, site):
    """The listener works: an inline script added to a page is blocked and reported (the tests
    below would pass vacuously otherwise)."""
    ctx, _ = context
    page = ctx.new_page()
    page.goto(site.url("/"), wait_until="load")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__ran = true"; document.head.append(s); }""")
    page.wait_for_function("window.__csp.length > 0", timeout=WAIT_MS)
    assert page.evaluate("window.__ran === undefined")
    assert "script-src-elem blocked inline" in violations(page)[0], violations(page)


def test_no_page_reports_a_violation(context, site):
    ctx, _ = context
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    found = {}
    for path in site.pages:
        page.goto(site.url(path), wait_until="load")
        # the whole page, to its end: lazy images and on-demand scripts load on the way
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(100)  # a report is queued as a task after the blocked load
        if violations(page):
            found[path] = violations(page)
    assert found == {}, found
    assert errors == [], errors


def test_live_figures_and_search_run_under_the_policy(context, site):
    ctx, _ = context
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    (path,) = [p for p in site.pages if POST in p]
    page.goto(site.url(path), wait_until="load")
    for name in LIVE:
        ready(page, name)  # every live figure's script, network and drawing
    # use one: the probe reads the network under the pointer
    fig = ready(page, "moons-boundary")
    canvas = fig.locator("canvas").first
    centre_in_view(canvas)
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    page.wait_for_function("el => el.textContent.includes('%')",
                           arg=fig.locator("output").first.element_handle(), timeout=WAIT_MS)
    # the search: Pagefind's UI, its worker and WebAssembly, an answer
    search(page)
    assert violations(page) == []
    assert errors == [], errors


def search(page):
    """Open the search with its key, ask for a word, wait for the first answer."""
    page.keyboard.press("/")
    page.locator("#search-dialog input").wait_for(state="visible")
    page.keyboard.type("backpropagation")
    page.locator(".pagefind-ui__result-link").first.wait_for(state="visible", timeout=WAIT_MS)
    page.wait_for_timeout(100)


def test_search_runs_under_the_policy_without_its_worker(context, site):
    """Pagefind falls back to the page's own thread when its worker fails (or takes over 5 s to
    start, as on a slow phone): its WebAssembly is then compiled under the page's policy."""
    ctx, _ = context
    page = ctx.new_page()
    page.route("**/pagefind-worker.js", lambda route: route.abort())
    page.goto(site.url("/"), wait_until="load")
    search(page)
    assert violations(page) == []
