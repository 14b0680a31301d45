"""Render benchmark: `nn-blog render` of the blog's real declarations, end to end.

    .venv/bin/python benchmarks/render.py [--repeats R] [--noop-repeats N]

Each run copies ``_data/{networks,figures,excerpts}.yml`` into a fresh temporary site (no outputs,
no cache) and times the command line, in its own process, as a user runs it:

- cold render of everything with ``--jobs 1`` and with ``--jobs 2`` (interleaved, best of R);
- no-op render (nothing stale), best of N (every run listed), and the same through the API;
- one network changed (its learning rate), which retrains it and redraws only its figures;
- peak memory of a cold ``--jobs 2`` render: the render and its workers together, sampled from
  /proc every 20 ms, as proportional set size (shared library pages divided among the processes
  that map them) and as plain RSS; and the largest single process's peak from ``getrusage``.

Targets: no-op < 0.5 s; ``--jobs 2`` >= 1.6x faster than ``--jobs 1`` cold; peak RSS < 600 MB.
Writes ``benchmarks/results/render.json`` (case -> label, nn_blog, reference, reference_name,
unit, ratio, target, met) and ``benchmarks/results/render.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from nn_blog.fileio import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DECLARATIONS = ("networks", "figures", "excerpts")


def fresh_site(parent: Path, name: str) -> Path:
    site = parent / name
    (site / "_data").mkdir(parents=True)
    for decl in DECLARATIONS:
        shutil.copy(ROOT / "_data" / f"{decl}.yml", site / "_data" / f"{decl}.yml")
    return site


def tree_memory(pid: int) -> tuple[int, int]:
    """(Resident bytes, proportional-set bytes) of ``pid`` and all its descendants, now.

    The RSS sum counts the libraries every process maps (NumPy, matplotlib) once per process;
    the PSS sum shares them out, so it is the memory the render really takes from the machine.
    """
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                parents[int(entry.name)] = int(fh.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    family, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    rss = pss = 0
    for p in family:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        rss += int(fields.get("Rss", "0 kB").split()[0]) * 1024
        pss += int(fields.get("Pss", "0 kB").split()[0]) * 1024
    return rss, pss


def run(site: Path, *args) -> dict:
    """``nn-blog render ARGS`` on ``site``: wall seconds, peak tree RSS, output."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "nn_blog", "render", "--root", str(site),
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, done = [0, 0], threading.Event()

    def sample():
        while not done.is_set():
            rss, pss = tree_memory(proc.pid)
            peak[:] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"render {' '.join(args)} failed ({proc.returncode}):\n{out}\n{err}")
    return {"seconds": seconds, "peak_rss": peak[0], "peak_pss": peak[1], "stdout": out}


def cold(parent: Path, repeats: int) -> dict:
    times = {"1": [], "2": []}
    peak_rss = peak_pss = 0
    for i in range(repeats):
        for jobs in ("1", "2") if i % 2 == 0 else ("2", "1"):  # interleaved, alternating order
            r = run(fresh_site(parent, f"cold-{jobs}-{i}"), "--jobs", jobs)
            times[jobs].append(r["seconds"])
            if jobs == "2":
                peak_rss, peak_pss = max(peak_rss, r["peak_rss"]), max(peak_pss, r["peak_pss"])
            print(f"cold --jobs {jobs}: {r['seconds']:.1f} s, peak {r['peak_pss'] / 2**20:.0f} MB",
                  flush=True)
    return {"jobs1": times["1"], "jobs2": times["2"], "peak_rss": peak_rss,
            "peak_pss": peak_pss, "site": parent / "cold-2-0"}


def noop(site: Path, repeats: int) -> dict:
    run(site)  # up to date, in case the package changed since this site was rendered
    runs = [run(site) for _ in range(repeats)]
    assert all("nothing stale" in r["stdout"] for r in runs), [r["stdout"] for r in runs]
    cli = [r["seconds"] for r in runs]
    code = ("import sys, time\nfrom nn_blog import render\nt = time.perf_counter()\n"
            "r = render.render(sys.argv[1])\nassert not r.stale\n"
            "print(time.perf_counter() - t)\n")
    api = [float(subprocess.check_output([sys.executable, "-c", code, str(site)], text=True))
           for _ in range(repeats)]
    return {"cli": cli, "api": api}


def one_network(site: Path) -> dict:
    """Change the moons network's learning rate; render; count what was retrained and redrawn."""
    import yaml

    path = site / "_data" / "networks.yml"
    networks = yaml.safe_load(path.read_text())
    networks["moons"]["optimizer"]["lr"] *= 1.5  # the other declarations parse the same
    path.write_text(yaml.safe_dump(networks))
    r = run(site, "--jobs", "2")
    lines = [ln for ln in r["stdout"].splitlines() if ln.startswith("[")]  # one per job
    r["trained"] = sorted({ln.split("network ")[1].split()[0] for ln in lines
                           if "trained network" in ln})
    r["drawn"] = sorted({ln.split("drew ")[1].split()[0] for ln in lines if "drew " in ln})
    return r


def case(label, value, unit, target, better, reference=None, reference_name=None):
    ratio = reference / value if reference and better == "speedup" else None
    measured = ratio if ratio is not None else value
    if target is None:
        met = None
    else:
        met = measured >= target if better in ("speedup", "higher") else measured <= target
    return {"label": label, "nn_blog": value, "reference": reference,
            "reference_name": reference_name, "unit": unit, "ratio": ratio, "target": target,
            "met": met}


def markdown(results: dict, extra: dict, command: str) -> str:
    lines = ["## Render: `nn-blog render` of the blog's declarations", "",
             "| case | what | measured | reference | ratio | target | met |",
             "|---|---|---:|---:|---:|---:|:-:|"]
    for name, r in results.items():
        ref = f"{r['reference']:.2f} {r['unit']} ({r['reference_name']})" if r["reference"] else ""
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] else ""
        target = (f">= {r['target']:g}x" if r["ratio"] is not None
                  else f"< {r['target']:g} {r['unit']}" if r["target"] else "")
        met = "" if r["target"] is None else "yes" if r["met"] else "NO"
        lines.append(f"| `{name}` | {r['label']} | {r['nn_blog']:.2f} {r['unit']} | {ref} | "
                     f"{ratio} | {target} | {met} |")
    lines += ["", f"Command: `{command}`. Wall-clock times of the command line in its own "
              "process (Python start-up included), best of the repeats; "
              f"all runs: {json.dumps(extra['runs'])}.",
              f"The one-network change retrained {', '.join(extra['trained'])} and redrew "
              f"{len(extra['drawn'])} of {extra['n_figures']} figures "
              f"({', '.join(extra['drawn'])}).",
              f"Peak memory counted as plain RSS (shared libraries once per process): "
              f"{extra['peak_rss_mb']:.0f} MB; largest single process (getrusage): "
              f"{extra['max_single_mb']:.0f} MB. "
              f"Machine: {os.cpu_count()} cores, shared with other work while measured, "
              "so wall-clock ratios are on the low side."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="cold renders per --jobs value")
    parser.add_argument("--noop-repeats", type=int, default=7, help="no-op renders")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nn-blog-bench-") as tmp:
        c = cold(Path(tmp), options.repeats)
        n = noop(c["site"], options.noop_repeats)
        one = one_network(c["site"])
        n_figures = len(json.loads((c["site"] / "_data/generated/figures.json").read_text()))
    best1, best2 = min(c["jobs1"]), min(c["jobs2"])
    results = {
        "cold_jobs1": case("cold render of everything, --jobs 1", best1, "s", None, "lower"),
        "cold_jobs2": case("cold render of everything, --jobs 2 against --jobs 1", best2, "s",
                           1.6, "speedup", best1, "--jobs 1"),
        "noop": case("no-op render (nothing stale), command line", min(n["cli"]), "s", 0.5,
                     "lower"),
        "noop_api": case("no-op render, `render.render()` in a warm process", min(n["api"]),
                         "s", 0.5, "lower"),
        "one_network": case("one network's learning rate changed, --jobs 2", one["seconds"],
                            "s", None, "lower"),
        "peak_memory": case("peak memory of a cold --jobs 2 render, render + workers (PSS)",
                            c["peak_pss"] / 2**20, "MB", 600, "lower"),
    }
    max_single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    extra = {"runs": {"jobs1": [round(t, 2) for t in c["jobs1"]],
                      "jobs2": [round(t, 2) for t in c["jobs2"]],
                      "noop_cli": [round(t, 3) for t in n["cli"]],
                      "noop_api": [round(t, 3) for t in n["api"]]},
             "trained": one["trained"], "drawn": one["drawn"], "n_figures": n_figures,
             "max_single_mb": max_single, "peak_rss_mb": c["peak_rss"] / 2**20}
    command = ".venv/bin/python benchmarks/render.py " + " ".join(sys.argv[1:])
    write_atomic(RESULTS / "render.json", json.dumps(results, indent=2) + "\n")
    table = markdown(results, extra, command.strip())
    write_atomic(RESULTS / "render.md", table)
    print(table)
    return 0 if all(r["met"] is not False for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
