"""The site's speed: a warm Jekyll build, the post's page weight, and typesetting its math.

* warm build: ``jekyll build`` of the whole site once its cache is warm (median of 3), with the
  render hook off (its cost when nothing is stale is reported on its own line);
* page weight: every byte the post makes a light-scheme reader download once scrolled to the end
  (HTML, CSS, math fonts, images, in Chromium; as transferred from a server that gzips text);
* math: the seconds a whole build takes when no expression is cached yet (MathJax's Node API
  typesetting every expression, the plugin's math.rb); compare with the warm build.

Writes benchmarks/results/site.json and site.md. Needs `make site-setup` (MathJax, Chromium).
Usage: python benchmarks/site.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nn_blog.fileio import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "tests" / "site"))

import conftest as sitetest  # noqa: E402  (the site tests' build and server helpers)
import pagecheck  # noqa: E402

TARGETS = {"warm_build": 3.0, "post_weight": 1_000_000, "math_cold": 60.0}
WARM_CPU: list[float] = []  # CPU seconds of the warm build (wall time suffers on a shared machine)


def warm_build(site_dir: Path, overlay: Path, repeats: int) -> tuple[float, float]:
    """Median seconds of ``repeats`` builds after a first one; and the hook's no-op render."""
    os.environ["NN_BLOG_SKIP_RENDER"] = "1"
    sitetest.jekyll_build(site_dir, {}, overlay)
    times, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(sitetest.jekyll_build(site_dir, {}, overlay))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    WARM_CPU.append(statistics.median(cpu))
    # What the hook costs when nothing is stale: the service starting and comparing hashes
    # (--check writes nothing, so the benchmark never renders into the repository).
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nn_blog", "render", "--check", "--root", str(ROOT)],
                   cwd=ROOT, capture_output=True)
    return statistics.median(times), time.perf_counter() - start


def post_path(site) -> str:
    """The heaviest post (the largest HTML): the one the weight budget is about, whatever order
    the pages are listed in."""
    posts = [p for p in site.pages if p not in ("/", "/about/", "/tags/", "/404.html")
             and not p.startswith("/markdown-style")]
    return max(posts, key=lambda p: site.file_for(p).stat().st_size, default="/markdown-style/")


def page_weight(browser, site, path: str) -> tuple[int, int]:
    """Bytes a light-scheme reader's browser transfers scrolling to the end, from a server that
    gzips text as a static host does: (all, the math font)."""
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    pagecheck.bounded(context)
    done: list = []
    context.on("requestfinished", lambda request: done.append(request))
    page = context.new_page()
    page.goto(site.url(path), wait_until="load")
    page.evaluate(pagecheck.SCROLL_THROUGH, pagecheck.STEP_MS // 2)
    page.wait_for_load_state("networkidle")
    sizes = {}
    for request in done:
        if request.url.startswith(site.origin + "/"):
            got = request.sizes()
            sizes[request.url] = got["responseBodySize"] + got["responseHeadersSize"]
    context.close()
    total = sum(sizes.values())
    return total, sum(v for k, v in sizes.items() if "/assets/nn-blog/math-" in k)


def math_cold(site_dir: Path, overlay: Path, repeats: int) -> float:
    """Median seconds of a whole build with an empty math cache (every expression typeset)."""
    times = []
    for i in range(repeats):
        os.environ["NN_MATH_CACHE"] = str(site_dir.parent / f"math-cache-{i}.json")
        try:
            times.append(sitetest.jekyll_build(site_dir, {}, overlay))
        finally:
            del os.environ["NN_MATH_CACHE"]
    return statistics.median(times)


def math_count(site, path: str) -> int:
    return site.file_for(path).read_text(encoding="utf-8").count("<math")


def report(results: dict) -> str:
    rows = [
        ("warm_build", "`jekyll build` of the whole site, warm caches", "s", "< 3 s"),
        ("post_weight", f"bytes `{results['page']}` transfers (light, scrolled to the end, "
                        "served with gzip)", "bytes", "< 1 MB"),
        ("math_cold", f"`jekyll build` with an empty math cache ({results['math_expressions']} "
                      "expressions in the post, typeset to MathML by MathJax's Node API; the "
                      "math font cut)", "s", "< 60 s"),
    ]
    lines = ["## Site: build, page weight, math typeset at build time", "",
             "| case | what | measured | target | met |", "|---|---|---:|---:|:-:|"]
    for key, what, unit, target in rows:
        case = results[key]
        value = f"{case['value']:,} bytes" if unit == "bytes" else f"{case['value']:.2f} s"
        met = "yes" if case["met"] else "NO"
        lines.append(f"| `{key}` | {what} | {value} | {target} | {met} |")
    lines += [
        "",
        f"The warm build used {results['warm_build_cpu_seconds']:.2f} s of CPU (its wall time "
        "includes waiting for a shared machine's cores). "
        f"Of the bytes transferred, {results['math_font_bytes']:,} are the math font; "
        "the page loads no script. "
        f"The render hook adds about {results['render_noop_seconds']:.2f} s to a build when "
        "nothing is stale (`nn-blog render --check`: the service starting, comparing hashes).",
        f"Command: `.venv/bin/python benchmarks/site.py --repeats {results['repeats']}` "
        f"(medians). Machine: {platform.machine()}, {os.cpu_count()} cores; Chromium headless.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        build_seconds, render_noop = warm_build(Path(tmp) / "build", Path(tmp) / "b.yml",
                                                args.repeats)
        cold_seconds = math_cold(Path(tmp) / "build", Path(tmp) / "b.yml", args.repeats)
        webroot = Path(tmp) / "www"
        webroot.mkdir()
        server, origin = sitetest._serve(webroot, "", compress=True)
        sitetest.jekyll_build(webroot, {"url": origin}, Path(tmp) / "w.yml")
        site = sitetest.BuiltSite(webroot=webroot, dest=webroot, origin=origin, baseurl="")
        site.pages = sitetest.list_pages(webroot)
        path = post_path(site)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=sitetest.CHROMIUM,
                                        args=sitetest.CHROMIUM_ARGS)
            weight, font_bytes = page_weight(browser, site, path)
            browser.close()
        expressions = math_count(site, path)
        server.shutdown()

    def case(label, value, unit, key):
        return {"label": label, "value": value, "unit": unit, "target": TARGETS[key],
                "met": bool(value < TARGETS[key])}

    results = {
        "warm_build": case("Warm jekyll build", round(build_seconds, 3), "s", "warm_build"),
        "post_weight": case("Post page weight", weight, "bytes", "post_weight"),
        "math_cold": case("Build with an empty math cache", round(cold_seconds, 3), "s",
                          "math_cold"),
        "page": path, "math_expressions": expressions, "math_font_bytes": font_bytes,
        "warm_build_cpu_seconds": round(WARM_CPU[-1], 3),
        "render_noop_seconds": round(render_noop, 3), "repeats": args.repeats,
    }
    for name, text in (("site.json", json.dumps(results, indent=2) + "\n"),
                       ("site.md", report(results))):
        write_atomic(RESULTS / name, text)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
