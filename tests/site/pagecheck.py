"""What a reader's browser sees on one page: math, images, colour scheme, console, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose text MathJax leaves alone (its skipHtmlTags), plus the head.
_SKIPPED = {"script", "noscript", "style", "textarea", "pre", "code", "head", "title"}


class _MathCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in _SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.count += data.count("\\(") + data.count("\\[")


def expected_math(html: str) -> int:
    """How many expressions MathJax should typeset: kramdown writes \\( \\) and \\[ \\]."""
    counter = _MathCounter()
    counter.feed(html)
    return counter.count


SCROLL_THROUGH = """async () => {
  // Lazy images load as they near the viewport: walk down the page, then back up.
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await new Promise(r => setTimeout(r, 40));
  }
  scrollTo(0, 0);
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""

IMAGES = """() => [...document.images].map(img => ({
  src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth,
  alt: img.getAttribute('alt')}))"""

PICTURES = """() => [...document.querySelectorAll('picture')].map(p => {
  const dark = p.querySelector('source[media*="prefers-color-scheme: dark"]');
  const img = p.querySelector('img');
  return {dark: dark ? new URL(dark.getAttribute('srcset'), location.href).href : null,
          light: img.src, current: img.currentSrc};
})"""

MATH_STATE = """async () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return null;
  await MathJax.startup.promise;
  return {containers: document.querySelectorAll('mjx-container').length,
          errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent)};
}"""


@dataclass
class PageReport:
    """Everything one visit found wrong, plus the numbers the benchmark wants."""

    url: str
    problems: list[str] = field(default_factory=list)
    math_expected: int = 0
    math_typeset: int = 0


def watch(context, origin: str, log: dict):
    """Log every request; let through only those to ``origin``, abort the rest."""

    def route(r):
        url = r.request.url
        if url.startswith(origin + "/") or url.startswith("data:") or url.startswith("blob:"):
            r.continue_()
        else:
            log.setdefault("foreign", []).append(url)
            r.abort()

    context.route("**/*", route)


def visit(page, url: str, html: str, scheme: str) -> PageReport:
    """Open ``url`` in ``page`` and check what a reader would notice."""
    report = PageReport(url=url, math_expected=expected_math(html))
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.goto(url, wait_until="load")
    page.evaluate(SCROLL_THROUGH)
    math = page.evaluate(MATH_STATE)
    page.wait_for_load_state("networkidle")
    _check_math(report, math)
    _check_images(report, page.evaluate(IMAGES))
    _check_pictures(report, page.evaluate(PICTURES), scheme)
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    if width[0] > width[1]:
        report.problems.append(f"page is wider than the viewport: {width[0]} > {width[1]} px")
    report.problems += [f"console error: {e}" for e in errors]
    report.problems += [f"request: {f}" for f in failed]
    return report


def _check_math(report: PageReport, math):
    if math is None:
        if report.math_expected:
            report.problems.append(
                f"{report.math_expected} math expressions, MathJax not loaded (mathjax: true?)")
        return
    report.math_typeset = math["containers"]
    if math["containers"] != report.math_expected:
        report.problems.append(
            f"{math['containers']} typeset math expressions, expected {report.math_expected}")
    report.problems += [f"MathJax error: {e}" for e in math["errors"]]


def _check_images(report: PageReport, images):
    for img in images:
        if not img["complete"] or img["width"] == 0:
            report.problems.append(f"image not decoded: {img['src']}")
        if not (img["alt"] or "").strip():
            report.problems.append(f"image without alt text: {img['src']}")


def _check_pictures(report: PageReport, pictures, scheme: str):
    for pic in pictures:
        want = pic["dark"] if scheme == "dark" and pic["dark"] else pic["light"]
        if pic["current"] != want:
            report.problems.append(f"{scheme} scheme shows {pic['current']}, expected {want}")
