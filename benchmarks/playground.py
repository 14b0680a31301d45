"""The playground's frames (issue 19 §4): how long each animation frame of a training run
spends, against the 16 ms a 60 Hz display gives a frame.

The site is built and served as the site tests do; Chromium (the tests' own) opens the post with
a configuration in its address (the playground reads its state from ``?pg=``), presses Start and
lets it train for ``--seconds``. The page records each frame's work (its batches, one forward
pass over the plane and the pictures: ``figure.nnPlayground.frames``, in ms). Reported per
configuration: the median and 95th percentile frame, the epochs reached, and the reference
measured in the same page and run: the display's frame interval (the median time between two
requestAnimationFrame callbacks with no work of ours; 16.7 ms at 60 Hz), the budget a frame's
work must fit in with room for the browser's own painting. Configurations run interleaved,
``--repeats`` times; each number is the median over repeats. The load average is recorded
beside them (2 shared cores).

Target: p95 frame <= 16 ms for every configuration, the heaviest included (spiral, three
hidden layers of 8, a batch of one).

Usage: python benchmarks/playground.py [--seconds 6] [--repeats 3] [--site BUILT_DIR]
Writes benchmarks/results/playground.json and playground.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

from nn_blog.fileio import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "site"))  # first: its conftest, not the suite's

import conftest as sitetest  # noqa: E402  (the site tests' build and server helpers)
from chrome import find  # noqa: E402

POST = "/nn-from-scratch/"
SEL = "figure[data-nn-live=playground]"
TARGET_MS = 16.0
WAIT_MS = 60_000
# (label, URL state); the last is the heaviest the controls allow that the tests name HEAVY
CONFIGS = [
    ("the post's default (moons, 4-4, tanh, batch 10)", None),
    ("spiral, 8-8, ReLU, batch 10",
     "data:spiral;noise:0.2;layers:8,8;act:relu;opt:adam;lr:0.03;batch:10;seed:1"),
    ("spiral, 8-8-8, tanh, batch 1 (heaviest)",
     "data:spiral;noise:0.2;layers:8,8,8;act:tanh;opt:adam;lr:0.01;batch:1;seed:1"),
]
# the reference: the intervals between animation frames with no work of ours
REFERENCE = """() => new Promise((resolve) => {
  const times = []; const end = performance.now() + %d; let last = null;
  function frame(now) {
    if (last !== null) times.push(now - last);
    last = now;
    if (performance.now() < end) requestAnimationFrame(frame); else resolve(times);
  }
  requestAnimationFrame(frame);
})"""


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def one(browser, origin, state, seconds):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        url = origin + POST + (f"?pg={quote(state, safe=':;,/')}" if state else "")
        page.goto(url, wait_until="load")
        fig = page.locator(SEL)
        fig.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
        fig.locator("xpath=self::*[@data-nn-live-state='ready']").wait_for(timeout=WAIT_MS)
        page.wait_for_timeout(500)
        reference = page.evaluate(REFERENCE % 2000)
        fig.get_by_role("button", name="Start").click()
        page.wait_for_timeout(seconds * 1000)
        frames = fig.evaluate("el => Array.from(el.nnPlayground.frames)")
        epochs = int(fig.get_attribute("data-nn-epoch"))
        pause = fig.get_by_role("button", name="Pause")
        if pause.count():  # else it stopped itself: MAX_EPOCHS reached
            pause.click()
        return {"frames": frames, "reference": reference, "epochs": epochs}
    finally:
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--site", type=Path, help="an already built site (default: build now)")
    args = parser.parse_args(argv)
    found = find()
    if not found.path:
        print(f"playground.py: {found.line()}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    load = [os.getloadavg()[0]]
    runs = {label: [] for label, _ in CONFIGS}
    with sitetest.built_and_served(args.site) as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=found.path, args=sitetest.CHROMIUM_ARGS)
        for r in range(args.repeats):
            order = CONFIGS if r % 2 == 0 else CONFIGS[::-1]
            for label, state in order:
                runs[label].append(one(browser, origin, state, args.seconds))
                load.append(os.getloadavg()[0])
                print(f"{label}: run {r + 1}", flush=True)
        browser.close()
    rows = []
    for label, state in CONFIGS:
        got = runs[label]
        row = {"config": label, "state": state,
               "median_ms": statistics.median(statistics.median(g["frames"]) for g in got),
               "p95_ms": statistics.median(pct(g["frames"], 0.95) for g in got),
               "epochs": statistics.median(g["epochs"] for g in got),
               "interval_ms": statistics.median(statistics.median(g["reference"]) for g in got),
               "runs_p95_ms": [round(pct(g["frames"], 0.95), 1) for g in got]}
        row["share"] = row["p95_ms"] / row["interval_ms"]
        row["met"] = row["p95_ms"] <= TARGET_MS
        rows.append(row)
    result = {"seconds": args.seconds, "repeats": args.repeats, "target_ms": TARGET_MS,
              "load": [round(x, 1) for x in load], "measured": time.strftime("%Y-%m-%d"),
              "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    write_atomic(RESULTS / "playground.json", json.dumps(result, indent=2) + "\n")
    write_atomic(RESULTS / "playground.md", table(result))
    print(table(result))
    return 0


def table(result) -> str:
    lines = [
        "## Playground: frame time while training (`benchmarks/playground.py`)",
        "",
        f"The post's playground trains for {result['seconds']:g} s per run in Chromium (1280 px); "
        "each frame's work (its batches, one forward pass over the plane, the pictures) as the "
        "page records it. Median over "
        f"{result['repeats']} interleaved runs (each run's 95th percentile in brackets). "
        "Reference: the display's frame interval measured in the same page (the time between "
        "two animation frames with no work of ours); *share*: the p95 frame's work over it. "
        "Load average "
        f"during the run: {', '.join(str(x) for x in result['load'])} on 2 cores. "
        f"Measured {result['measured']}.",
        "",
        "| configuration | median frame | p95 frame | epochs | frame interval | share | target "
        "| |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        runs = ", ".join(str(x) for x in r["runs_p95_ms"])
        lines.append(f"| {r['config']} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms "
                     f"({runs}) | {r['epochs']:.0f} | {r['interval_ms']:.1f} ms | "
                     f"{r['share']:.2f} | "
                     f"<= {result['target_ms']:g} ms | {'met' if r['met'] else 'not met'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
