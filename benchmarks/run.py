"""Run every benchmark and assemble their tables.

Each ``benchmarks/NAME.py`` measures its targets as ratios against a reference in the same
run and writes ``benchmarks/results/NAME.json`` and ``NAME.md``. This script runs them one after
another (they must not share the two cores), then writes ``docs/benchmarks.md`` and
``_data/generated/benchmarks.json`` so a post can quote the measured numbers.

Usage: ``python benchmarks/run.py [NAME ...]`` (default: engine render site lighthouse serve_loop
playground).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from nn_blog.fileio import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
ALL = ("engine", "render", "site", "lighthouse", "serve_loop", "playground")


def assemble() -> None:
    data, sections = {}, []
    for name in ALL:
        js, md = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
        if js.exists():
            data[name] = json.loads(js.read_text(encoding="utf-8"))
        if md.exists():
            sections.append(md.read_text(encoding="utf-8").strip())
    header = (
        "# Benchmarks\n\n"
        "Measured with `make bench` (`python benchmarks/run.py`), which runs each script\n"
        "in `benchmarks/` and rewrites this page. Every number is a ratio against a reference\n"
        "measured in the same run (median of interleaved repeats), so machines of different\n"
        "speed stay comparable.\n"
        f"Last run: Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores.\n"
    )
    write_atomic(ROOT / "docs" / "benchmarks.md", header + "\n" + "\n\n".join(sections) + "\n")
    write_atomic(ROOT / "_data" / "generated" / "benchmarks.json",
                 json.dumps(data, indent=2, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    names = argv or list(ALL)
    unknown = [n for n in names if n not in ALL]
    if unknown:
        print(f"run.py: unknown benchmark {unknown[0]!r}; known: {', '.join(ALL)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== benchmarks/{name}.py", flush=True)
        rc = subprocess.call([sys.executable, str(ROOT / "benchmarks" / f"{name}.py")], cwd=ROOT)
        if rc != 0:
            failed.append(name)
    assemble()
    if failed:
        print(f"run.py: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
