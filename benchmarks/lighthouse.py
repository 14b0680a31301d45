"""Reader budgets: Lighthouse (npm `lighthouse` 12.2.3, Debian's Chromium, headless) on the built
site served with gzip as a static host serves it: the home page, every post, the style page, tags
and about; mobile and desktop; light and dark (prefers-color-scheme emulated).

Budgets (issue 9 §2, raised by issue 19): mobile performance >= 98 and largest contentful paint
<= 2.0 s on every page, total blocking time < 200 ms, cumulative layout shift < 0.02, and the
post transfers < 1 MB.

Writes benchmarks/results/lighthouse.json and lighthouse.md. Runs are kept per ``--label``: a
run labelled ``before`` (say, of main's build, with ``--site``) stays in the table beside the
``after`` run of the working tree.

Usage: python benchmarks/lighthouse.py [--label after] [--site BUILT_DIR] [--forms mobile,desktop]
       [--schemes light,dark] [--pages /,/nn-from-scratch/] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from nn_blog.fileio import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "tests" / "site"))

import conftest as sitetest  # noqa: E402  (the site tests' build and server helpers)
import lhrun  # noqa: E402
from test_static import page_sources  # noqa: E402

BUDGET = {"performance": 98, "lcp_s": 2.0, "tbt_ms": 200, "cls": 0.02, "post_bytes": 1_000_000}


def pages() -> list[tuple[str, bool]]:
    """(path, is a post) for the home page, every post, the style page, tags and about."""
    found = []
    for source, path in page_sources():
        if path == "/404.html":
            continue
        found.append((path, source.parent.name == "_posts"))
    return found


def over_budget(run: dict, is_post: bool) -> list[str]:
    bad = []
    if run["form"] == "mobile" and run["scores"]["performance"] < BUDGET["performance"]:
        bad.append(f"performance {run['scores']['performance']} < {BUDGET['performance']}")
    if run["form"] == "mobile" and (run.get("lcp_s") or 0) > BUDGET["lcp_s"]:
        bad.append(f"LCP {run['lcp_s']:.2f} s > {BUDGET['lcp_s']} s")
    if run["tbt_ms"] is not None and run["tbt_ms"] >= BUDGET["tbt_ms"]:
        bad.append(f"TBT {run['tbt_ms']:.0f} ms")
    if run["cls"] is not None and run["cls"] >= BUDGET["cls"]:
        bad.append(f"CLS {run['cls']:.3f}")
    if is_post and run["bytes"] is not None and run["bytes"] >= BUDGET["post_bytes"]:
        bad.append(f"{run['bytes']:,} bytes")
    return bad


def table(results: dict) -> str:
    lines = ["## Site: Lighthouse on a phone and a desktop", "",
             "Lighthouse 12.2.3 (`benchmarks/lighthouse.py`, part of `make bench`), Debian's "
             "Chromium headless, the built site served with gzip; simulated throttling "
             "(Lighthouse's default mobile: a mid-range phone on slow 4G). Scores are "
             "performance / accessibility / best practices / SEO. Budgets: mobile performance "
             ">= 98 and LCP <= 2.0 s, TBT < 200 ms, CLS < 0.02, the post < 1 MB.", ""]
    labels = sorted(results, key=lambda k: (k != "before", k))
    for label in labels:
        lines += [f"**{label}** ({results[label]['note']})", "",
                  "| page | form | scheme | scores | TBT | CLS | LCP | bytes | budget |",
                  "|---|---|---|---|---:|---:|---:|---:|---|"]
        for run in results[label]["runs"]:
            s = run["scores"]
            scores = " / ".join(str(s.get(k, "-")) for k in lhrun.CATEGORIES)
            if run.get("all_runs"):  # the median of several: every run's performance, LCP
                scores += " (runs: " + ", ".join(f"{p} {lcp} s" for p, lcp in run["all_runs"]) + ")"
            bad = over_budget(run, run["post"])
            lines.append(
                f"| `{run['path']}` | {run['form']} | {run['scheme']} | {scores} | "
                f"{run['tbt_ms']:.0f} ms | {run['cls']:.3f} | {run['lcp_s']:.1f} s | "
                f"{run['bytes']:,} | {'; '.join(bad) if bad else 'met'} |")
        lines.append("")
    lines.append("Numbers vary by a few points between runs on a shared 2-core machine "
                 "(Lighthouse scales measured main-thread time by its CPU slowdown).")
    return "\n".join(lines) + "\n"


def _run(url: str, form: str, scheme: str) -> lhrun.Run:
    """One run, retried once: a Chromium start can fail on a loaded machine."""
    try:
        return lhrun.run(url, form, scheme)
    except lhrun.LighthouseError as err:
        print(f"retrying once: {err}", flush=True)
        return lhrun.run(url, form, scheme)


def _median_run(url: str, form: str, scheme: str, n: int) -> dict:
    """``n`` runs; the one with the median performance score (Lighthouse's own advice for a
    noisy machine: its simulated throttling scales the main-thread time it observed), with
    every run's performance and LCP beside it."""
    runs = sorted((asdict(_run(url, form, scheme)) for _ in range(n)),
                  key=lambda r: (r["scores"]["performance"], -(r["lcp_s"] or 0)))
    chosen = runs[(len(runs) - 1) // 2]
    if n > 1:
        chosen["all_runs"] = [[r["scores"]["performance"], round(r["lcp_s"] or 0, 2)]
                              for r in runs]
    return chosen


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after")
    parser.add_argument("--note", default="this tree")
    parser.add_argument("--site", type=Path, help="an already built site (default: build now)")
    parser.add_argument("--forms", default="mobile,desktop")
    parser.add_argument("--schemes", default="light,dark")
    parser.add_argument("--pages", help="comma-separated paths (default: all but 404)")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per case; the median one is kept (default 1)")
    args = parser.parse_args(argv)
    why = lhrun.available()
    if why:
        print(f"lighthouse.py: {why}", file=sys.stderr)
        return 2
    chosen = pages()
    if args.pages:
        wanted = args.pages.split(",")
        chosen = [(p, post) for p, post in chosen if p in wanted]
    runs = []
    # built for the local server's address: absolute links (Minimal Mistakes style
    # `{{ site.url }}` images) resolve here instead of failing offline
    with sitetest.built_and_served(args.site) as origin:
        for path, is_post in chosen:
            for form in args.forms.split(","):
                for scheme in args.schemes.split(","):
                    run = _median_run(origin + path, form, scheme, args.runs)
                    run.update(path=path, post=is_post, url=path)
                    runs.append(run)
                    print(f"{path} {form} {scheme}: {run['scores']} TBT "
                          f"{run['tbt_ms']:.0f} ms CLS {run['cls']:.3f} "
                          f"{run['bytes']:,} B", flush=True)
                    save(args.label, args.note, runs)  # a long run keeps what it has
    bad = [f"{r['path']} {r['form']} {r['scheme']}: {b}" for r in runs
           for b in over_budget(r, r["post"])]
    print("\n".join(["over budget:", *bad]) if bad else "every budget met")
    return 0


def save(label: str, note: str, runs: list[dict]) -> None:
    store = RESULTS / "lighthouse.json"
    results = json.loads(store.read_text(encoding="utf-8")) if store.is_file() else {}
    # Runs of the same label and case are replaced; others kept (--pages measures a subset).
    kept = [r for r in results.get(label, {}).get("runs", [])
            if (r["path"], r["form"], r["scheme"]) not in
            {(n["path"], n["form"], n["scheme"]) for n in runs}]
    order = {path: i for i, (path, _) in enumerate(pages())}
    merged = sorted(kept + runs, key=lambda r: (order.get(r["path"], 99), r["form"] != "mobile",
                                                  r["scheme"] != "light"))
    results[label] = {"note": note, "runs": merged}
    write_atomic(store, json.dumps(results, indent=2) + "\n")
    write_atomic(RESULTS / "lighthouse.md", table(results))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
