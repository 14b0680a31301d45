"""What a reader's browser sees on one page: math, images, colour scheme, contrast, axe-core,
figure legibility, console, requests.

Every wait is bounded: Playwright's own timeouts are set on each context (``bounded``), and
every promise awaited inside the page is raced against a timer (``RACE``), so a stuck page fails
with a message naming the page and the step instead of hanging the suite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

STEP_MS = 30_000  # one Playwright action or page-side promise
NAVIGATION_MS = 60_000
MIN_FIGURE_TEXT_PX = 10.0  # issue 9 §3: the smallest text in a figure, as displayed
MIN_CONTRAST = 4.5

# Elements whose text is not prose for math purposes (kramdown never puts math in them).
_SKIPPED = {"script", "noscript", "style", "textarea", "pre", "code", "head", "title"}


class _TexFinder(HTMLParser):
    """Text outside _SKIPPED that still holds TeX delimiters (math the build did not typeset)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in _SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            for mark in ("\\(", "\\[", "$$"):
                at = data.find(mark)
                if at >= 0:
                    self.found.append(data[max(0, at - 20): at + 40].strip())


def leftover_tex(html: str) -> list[str]:
    """Snippets of prose that still contain \\( \\[ or $$."""
    finder = _TexFinder()
    finder.feed(html)
    return finder.found


# A page-side promise raced against a timer: `await race(p, ms, what)` rejects naming `what`.
RACE = """
window.__nnRace = (promise, ms, what) => Promise.race([promise, new Promise((_, reject) =>
  setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))]);
"""

SHOW_EVERYTHING = ".page__content > * { content-visibility: visible !important; }"

SCROLL_THROUGH = """async (ms) => {
  const frame = () =>
    __nnRace(new Promise(r => requestAnimationFrame(() => r())), 10000, 'a frame');
  // Lazy images load as they near the viewport: walk down the page, a frame or two per step.
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await frame(); await frame();
  }
  scrollTo(0, 0);
  // A lazy image scrolled past between two frames may never have started: ask for it now.
  for (const img of document.images) if (!img.complete) img.loading = 'eager';
  const pending = [...document.images].map(img =>
    __nnRace(img.decode(), ms, `decoding ${img.currentSrc || img.src}`).catch(e => e.message));
  return (await Promise.all(pending)).filter(r => typeof r === 'string');
}"""

IMAGES = """() => [...document.images].map(img => ({
  src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth,
  alt: img.getAttribute('alt')}))"""

PICTURES = r"""() => [...document.querySelectorAll('picture')].map(p => {
  const sources = [...p.querySelectorAll('source')].filter(s =>
    !s.media || matchMedia(s.media).matches);
  const img = p.querySelector('img');
  // the candidates of the source that matches (a srcset may offer sizes: "a.jpg 960w, ...")
  const set = sources.length ? sources[0].getAttribute('srcset') : img.getAttribute('srcset');
  const want = set ? set.split(',').map(c => new URL(c.trim().split(/\s+/)[0],
                                                        location.href).href) : [img.src];
  return {want, current: img.currentSrc,
          dark: [...p.querySelectorAll('source')].some(s =>
            (s.media || '').includes('prefers-color-scheme: dark'))};
})"""

# Math is MathML the browser lays out itself: each <math> must be a math box (MathML Core), and
# none may reach past the page's width (a wide display formula scrolls in its box, .nn-math-block).
MATH = """() => ({
  containers: document.querySelectorAll('math').length,
  native: [...document.querySelectorAll('math')]
    .filter(m => !getComputedStyle(m).display.includes('math')).length,
  errors: [...document.querySelectorAll('merror')].map(e => e.textContent),
  wide: [...document.querySelectorAll('math')]
    .filter(m => (m.closest('.nn-math-block') || m).getBoundingClientRect().right >
                 document.documentElement.clientWidth + 1)
    .map(m => m.textContent.slice(0, 60)),
})"""

AXE_RUN = """async (ms) => {
  const result = await __nnRace(axe.run(document, {resultTypes: ['violations']}), ms, 'axe.run');
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""

# Every element with its own text: its colour against the first opaque background behind it.
# Text over an image (a hero overlay) is left to axe, which reports it as needing review.
CONTRAST = """(minimum) => {
  const rgba = s => { const m = s.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const background = el => { let layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none') return null;
      const c = rgba(s.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255, 1];  // the canvas behind everything
    for (const c of layers.reverse()) color = over(c, color);
    return color; };
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || seen.has(el) || el.closest('svg')) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || !el.getClientRects().length) continue;
    const bg = background(el);
    if (!bg) continue;
    const fg = over(rgba(s.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const px = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = (px >= 24 || (bold && px >= 18.66)) ? 3 : minimum;
    if (ratio < need) bad.push(`${ratio.toFixed(2)}:1 < ${need}: ${s.color} on ` +
      `rgb(${bg.slice(0, 3).map(Math.round)}) "${t.textContent.trim().slice(0, 40)}" ` +
      `(${el.tagName.toLowerCase()}.${[...el.classList].join('.')})`);
  }
  return bad;
}"""

# Each figure image with the manifest entry (and variant) it shows, its displayed width. An image
# the page does not display (display: none: below 600 px a live figure stands in for its static
# twin) shows no text to read, and is skipped.
FIGURES = """(index) => [...document.images].filter(img => img.getClientRects().length).map(img => {
  const path = new URL(img.currentSrc || img.src).pathname;
  const hit = Object.entries(index).find(([suffix]) => path.endsWith(suffix));
  return hit ? {path, ...hit[1], displayed: img.getBoundingClientRect().width} : null;
}).filter(Boolean)"""


def figure_index(manifest: dict, baseurl: str = "") -> dict:
    """Each figure file path (light, dark, narrow variants) -> its name, native width and the
    smallest text in it (CSS px at native size), from the manifest (contract 3; null there means
    the figure has no text, a missing key that pub's render did not write it)."""
    index = {}
    for name, entry in manifest.items():
        variants = [(entry, "")]
        if isinstance(entry.get("narrow"), dict):
            variants.append((entry["narrow"], " (narrow)"))
        for variant, label in variants:
            for scheme in ("light", "dark"):
                for path in (variant.get(scheme) or {}).values():
                    if isinstance(path, str):
                        index[baseurl + path] = {
                            "figure": name + label, "native": variant.get("width"),
                            "min_font_px": variant.get("min_font_px"),
                            "declared": "min_font_px" in variant}
    return index


def figure_legibility(figures: list[dict]) -> list[str]:
    """Problems: a figure whose smallest text displays below MIN_FIGURE_TEXT_PX."""
    problems = []
    for fig in figures:
        if fig["declared"] and fig["min_font_px"] is None:
            continue  # a figure without any text (fig writes null: the header art)
        if fig["min_font_px"] is None or not fig["native"]:
            problems.append(f"figure {fig['figure']} ({fig['path']}): the manifest has no "
                            "min_font_px/width for it (contract 3: pub and fig write them)")
            continue
        shown = fig["min_font_px"] * fig["displayed"] / fig["native"]
        if shown < MIN_FIGURE_TEXT_PX:
            problems.append(f"figure {fig['figure']} ({fig['path']}): smallest text "
                            f"{fig['min_font_px']:.1f} px x {fig['displayed']:.0f}/"
                            f"{fig['native']} = {shown:.1f} CSS px < {MIN_FIGURE_TEXT_PX:.0f}")
    return problems


@dataclass
class PageReport:
    """Everything one visit found wrong, plus the numbers the benchmark wants."""

    url: str
    problems: list[str] = field(default_factory=list)
    math_typeset: int = 0
    figures: int = 0


# CSP_NOTE: a context that drives pages with code of the test's own (wait_for_function's
# predicates, axe-core, helpers added with add_script_tag) opens with bypass_csp=True: that code
# is evaluated in the page, which the site's Content-Security-Policy rightly refuses.
# tests/site/test_csp.py checks the policy itself, without the bypass.


def bounded(context) -> None:
    """Playwright's timeouts for every action and navigation in ``context``."""
    context.set_default_timeout(STEP_MS)
    context.set_default_navigation_timeout(NAVIGATION_MS)
    context.add_init_script(RACE)


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


class StepFailed(AssertionError):
    pass


def step(url: str, scheme: str, name: str, action):
    """Run one step; any Playwright error or timeout becomes one line naming page and step."""
    try:
        return action()
    except Exception as err:  # playwright's Error and TimeoutError, page-side rejections
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise StepFailed(f"{url} ({scheme}): {name}: {first}") from err


def visit(page, url: str, scheme: str, *, axe: bool = True,
          figures: dict | None = None) -> PageReport:
    """Open ``url`` in ``page`` and check what a reader would notice."""
    report = PageReport(url=url)
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))

    def run(name, action):
        return step(url, scheme, name, action)

    run("loading the page", lambda: page.goto(url, wait_until="load"))
    # Lay out every block (the site skips far-away ones): widths, contrast and axe see them all.
    run("showing every block", lambda: page.add_style_tag(content=SHOW_EVERYTHING))
    stuck = run("scrolling through, decoding images",
                lambda: page.evaluate(SCROLL_THROUGH, STEP_MS // 2))
    report.problems += [f"image: {s}" for s in stuck]
    _check_math(report, run("reading the math", lambda: page.evaluate(MATH)))
    run("waiting for the network to settle",
        lambda: page.wait_for_load_state("networkidle", timeout=STEP_MS))
    _check_images(report, run("listing images", lambda: page.evaluate(IMAGES)))
    _check_pictures(report, run("listing pictures", lambda: page.evaluate(PICTURES)), scheme)
    width = run("measuring width",
                lambda: page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]"))
    if width[0] > width[1]:
        report.problems.append(f"page is wider than the viewport: {width[0]} > {width[1]} px")
    low = run("checking contrast", lambda: page.evaluate(CONTRAST, MIN_CONTRAST))
    report.problems += [f"contrast {c}" for c in low]
    if axe:
        run("injecting axe-core", lambda: page.add_script_tag(path=str(AXE)))
        violations = run("running axe-core", lambda: page.evaluate(AXE_RUN, STEP_MS))
        report.problems += [f"axe: {v}" for v in violations]
    if figures is not None:
        shown = run("measuring figures", lambda: page.evaluate(FIGURES, figures))
        report.figures = len(shown)
        report.problems += figure_legibility(shown)
    report.problems += [f"console error: {e}" for e in errors]
    report.problems += [f"request: {f}" for f in failed]
    return report


def _check_math(report: PageReport, math: dict):
    report.math_typeset = math["containers"]
    if math["native"]:
        report.problems.append(f"{math['native']} of {math['containers']} math expressions not "
                               "laid out as MathML")
    report.problems += [f"math error: {e}" for e in math["errors"]]
    report.problems += [f"math wider than the page: {w}" for w in math["wide"]]


def _check_images(report: PageReport, images):
    for img in images:
        if not img["complete"] or img["width"] == 0:
            report.problems.append(f"image not decoded: {img['src']}")
        if not (img["alt"] or "").strip():
            report.problems.append(f"image without alt text: {img['src']}")


def _check_pictures(report: PageReport, pictures, scheme: str):
    for pic in pictures:
        if pic["current"] not in pic["want"]:
            report.problems.append(f"{scheme} scheme shows {pic['current']}, expected "
                                   f"{pic['want']}")
        if not pic["dark"]:
            report.problems.append(f"picture without a dark source: {pic['current']}")


def manifest() -> dict:
    path = ROOT / "_data" / "generated" / "figures.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
