"""Serve benchmark (issue 17): "save -> page updated" while `nn-blog serve` runs.

    .venv/bin/python benchmarks/serve_loop.py [--repeats R] [--before PATH]

A small site (one small network, its four figures, a post showing them) is rendered once, then
served by `nn-blog serve`; each edit is saved and the post's page fetched over HTTP every 50 ms
until it shows the new drawings (the manifest's new image URLs):

- figure edit: one figure's parameter changed (no retraining);
- network edit: the network's learning rate changed (it retrains, its four figures are redrawn).

``--before PATH``: a checkout of nn-blog to compare with (e.g. the main branch before this
change), served from a second copy of the site at the same time; the two are edited in turn
(interleaved, order alternating), and each number is the median of R repeats. The machine may
be shared: the load average is recorded beside the numbers.

Targets: figure edit <= 3 s, network edit (training <= 2 s) <= 8 s on 2 cores.
Writes ``benchmarks/results/serve_loop.json`` and ``serve_loop.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))
from nn_blog.fileio import write_atomic  # noqa: E402

NETWORKS = """\
loop:
  dataset: {name: moons, n_samples: 200, noise: 0.2}
  standardize: true
  layers:
    - {units: 8, activation: tanh}
    - {units: 1, activation: sigmoid}
  loss: bce
  optimizer: {name: adam, lr: 0.03}
  epochs: 60
  batch_size: 32
  seed: 0
"""
FIGURES = """\
loop-loss:
  kind: loss_curve
  network: loop
  alt: The loss falls.
loop-boundary:
  kind: decision_boundary
  network: loop
  params: {resolution: 120}
  alt: The decision regions.
loop-plain:
  kind: decision_boundary
  network: loop
  params: {resolution: 80, show_test: false}
  alt: The decision regions without the test points.
loop-neurons:
  kind: neuron_heatmaps
  network: loop
  params: {resolution: 40}
  alt: What each hidden neuron responds to.
"""
FIGS = ("loop-loss", "loop-boundary", "loop-plain", "loop-neurons")
LAYOUT = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}"
          "</title></head>\n<body><main>{{ content }}</main></body></html>\n")
TARGETS = {"figure": 3.0, "network": 8.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env(code: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(code), "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def make_site(site: Path, code: Path) -> Path:
    (site / "_data").mkdir(parents=True)
    (site / "_data" / "networks.yml").write_text(NETWORKS)
    (site / "_data" / "figures.yml").write_text(FIGURES)
    (site / "_data" / "excerpts.yml").write_text("{}\n")
    # .cache/ excluded, as `nn-blog init` writes it: Jekyll's own watcher (before) ignores it
    (site / "_config.yml").write_text("title: Loop\npermalink: /:title/\nexclude: [.cache/]\n")
    (site / "_layouts").mkdir()
    (site / "_layouts" / "default.html").write_text(LAYOUT)
    (site / "_plugins").mkdir()
    shutil.copy(ROOT / "nn_blog/jekyll/loader.rb", site / "_plugins" / "nn_blog.rb")
    (site / "_posts").mkdir()
    body = "\n\n".join(f"{{% nn_figure {name} %}}" for name in FIGS)
    (site / "_posts" / "2021-01-01-loop.md").write_text(
        f"---\nlayout: default\ntitle: Loop\n---\n\n{body}\n")
    subprocess.run([sys.executable, "-m", "nn_blog", "render", "--root", str(site)], check=True,
                   env=env(code), stdout=subprocess.DEVNULL, timeout=1800, cwd=site)
    return site


def command(site: Path) -> str:
    """An ``nn-blog`` command for the site's loader (``$NN_BLOG``): this interpreter on the code
    its PYTHONPATH names (the code under test, not whatever ``nn-blog`` the PATH has)."""
    path = site.parent / f"{site.name}-nn-blog"
    path.write_text(f"#!/bin/sh\nexec {sys.executable} -m nn_blog \"$@\"\n")
    path.chmod(0o755)
    return str(path)


class Served:
    def __init__(self, site: Path, code: Path):
        self.site, self.port = site, free_port()
        # its output to a file, not a pipe: nothing it writes ever waits for this process
        self.log = site.parent / f"{site.name}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nn_blog", "serve", "--port", str(self.port),
                 "--livereload-port", str(free_port()), "--root", str(site)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**env(code), "NN_BLOG": command(site)},
                start_new_session=True, cwd=site)  # not ROOT: `-m` would import ROOT's nn_blog
        end = time.monotonic() + 600
        while not any("Server running" in line for line in self.lines):
            if time.monotonic() > end or self.proc.poll() is not None:
                raise RuntimeError("serve did not start:\n" + "\n".join(self.lines[-30:]))
            time.sleep(0.1)
        time.sleep(3)  # the watchers are in place

    @property
    def lines(self) -> list[str]:
        try:
            return self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def urls(self) -> dict:
        try:
            manifest = json.loads((self.site / "_data/generated/figures.json").read_text())
        except (OSError, ValueError):
            return {}
        return {name: (manifest.get(name) or {}).get("light", {}).get("svg") for name in FIGS}

    def page(self) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/loop/", timeout=5) as r:
                return r.read().decode()
        except OSError:
            return ""

    def edit(self, path: str, old: str, new: str, figures, timeout=600) -> float:
        """Save the edit; seconds until the page shows new drawings of ``figures``."""
        before = self.urls()
        file = self.site / path
        text = file.read_text()
        assert old in text, (path, old)
        start = time.monotonic()
        file.write_text(text.replace(old, new, 1))
        while time.monotonic() - start < timeout:
            urls, page = self.urls(), None
            if all(urls.get(f) and urls[f] != before.get(f) for f in figures):
                page = self.page()
                if all(urls[f] in page for f in figures):
                    return time.monotonic() - start
            time.sleep(0.05)
        raise RuntimeError(f"page not updated in {timeout} s:\n" + "\n".join(self.lines[-30:]))

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an nn-blog checkout to compare with")
    args = parser.parse_args()
    codes = {"after": ROOT}
    if args.before:
        codes["before"] = args.before.resolve()
    load = [os.getloadavg()[0]]
    times: dict = {name: {"figure": [], "network": []} for name in codes}
    with tempfile.TemporaryDirectory(prefix="nn-blog-serve-bench-") as tmp:
        base = make_site(Path(tmp) / "base", ROOT)
        servers = {}
        try:
            for name, code in codes.items():
                site = Path(tmp) / name
                shutil.copytree(base, site)
                servers[name] = Served(site, code)
            order = list(codes)
            for r in range(args.repeats):
                lr = ("lr: 0.03", "lr: 0.031") if r % 2 == 0 else ("lr: 0.031", "lr: 0.03")
                res = (("resolution: 120", "resolution: 121") if r % 2 == 0
                       else ("resolution: 121", "resolution: 120"))
                for name in order:
                    seconds = servers[name].edit("_data/figures.yml", *res, ["loop-boundary"])
                    times[name]["figure"].append(round(seconds, 2))
                    print(f"{name}: figure edit {seconds:.2f} s", flush=True)
                for name in order:
                    seconds = servers[name].edit("_data/networks.yml", *lr, FIGS)
                    times[name]["network"].append(round(seconds, 2))
                    print(f"{name}: network edit {seconds:.2f} s", flush=True)
                order.reverse()
                load.append(os.getloadavg()[0])
        finally:
            for server in servers.values():
                server.stop()
    result = {edit: {"target_s": TARGETS[edit],
                     **{name: {"median_s": statistics.median(times[name][edit]),
                               "runs_s": times[name][edit]} for name in codes}}
              for edit in TARGETS}
    result["load_average"] = [round(x, 1) for x in load]
    result["cores"] = os.cpu_count()
    RESULTS.mkdir(exist_ok=True)
    write_atomic(RESULTS / "serve_loop.json", json.dumps(result, indent=2) + "\n")
    rows = []
    for edit, label in (("figure", "one figure's parameter (no retraining)"),
                        ("network", "a small network's learning rate (retrain + 4 figures)")):
        cells = []
        for name in ("before", "after"):
            if name in codes:
                entry = result[edit][name]
                cells.append(f"{entry['median_s']:.1f} s ({', '.join(map(str, entry['runs_s']))})")
            else:
                cells.append("not measured")
        met = result[edit]["after"]["median_s"] <= TARGETS[edit]
        rows.append(f"| {label} | {cells[0]} | {cells[1]} | <= {TARGETS[edit]:.0f} s | "
                    f"{'met' if met else 'not met'} |")
    md = ("## Serve: save -> page updated (`nn-blog serve`)\n\n"
          "`benchmarks/serve_loop.py`: a small site (one network, four figures, one post) "
          "served by `nn-blog serve`; the time from saving an edit to the post's page (fetched "
          "over HTTP every 50 ms) showing the new drawings. Median of interleaved repeats "
          "(runs in brackets); *before*: "
          f"{'the checkout given with --before' if args.before else 'not measured in this run'}"
          f". Load average during the run: {', '.join(map(str, result['load_average']))} on "
          f"{result['cores']} cores (a shared machine: the load is other people's work).\n\n"
          "| edit | before | after | target | |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    write_atomic(RESULTS / "serve_loop.md", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
