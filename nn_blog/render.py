"""The render service: bring the site's generated files up to date with its declarations.

``render(root)`` plans what is stale (:mod:`nn_blog.plan`), then in worker processes trains the
stale networks and draws the stale figures (:mod:`nn_blog.workers`), and finally writes every file
atomically (temporary file + rename), the manifest ``_data/generated/figures.json`` last. Nothing
is written until all the work has succeeded, so a bad declaration or a diverging network leaves the
site as it was, and ``kill -9`` at any moment leaves each file old or new, never half-written.

Two renders of one site never interleave: the second waits on a lock (``fcntl.flock`` on
``.cache/nn-blog/render.lock``), says so through ``progress``, then plans again and finds the first
one's work done. ``check``, ``dry_run`` and a render with nothing stale only read: no lock.

A render with nothing stale imports neither NumPy nor matplotlib and returns in well under 0.5 s.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from nn_blog import excerpts as excerpts_mod
from nn_blog import fileio, layout, site
from nn_blog.errors import NNBlogError
from nn_blog.fileio import TMP_MARK
from nn_blog.plan import CACHE_DIR, MANIFEST, RESULTS, Item, Plan, files_hash, make_plan, sha256

LOCK_FILE = f"{CACHE_DIR}/render.lock"


@dataclass
class Report:
    """What a render found stale and what it did (``to_*``: what it would do, for dry runs)."""

    stale: list[Item] = field(default_factory=list)
    to_train: list[str] = field(default_factory=list)
    to_draw: list[str] = field(default_factory=list)
    trained: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Work:
    stale: list[Item]
    draw: list[str]          # figures to draw
    meta: list[str]          # figures whose alt/caption only changed
    networks: list[str]      # networks to train, or to load from the cache for their results
    retrain: set[str]        # of those, the ones --force retrains
    excerpts: list[str]


def status(root) -> list[Item]:
    """Every figure, network and excerpt: (kind, name, "fresh"/"stale"/"missing", reason)."""
    return make_plan(root).items


def render(root, names=None, force=False, jobs=None, check=False, dry_run=False,
           progress=None) -> Report:
    """Render what is stale (or ``names``: figures, networks, excerpts; ``force``: all of them).

    ``progress(message, done, total)`` hears about each finished job and about waiting on the lock.
    """
    start = time.perf_counter()
    say = progress or (lambda message, done, total: None)
    root = Path(root).resolve()
    plan = make_plan(root)  # checks every declaration before anything is touched
    work = select(plan, names, force)
    if work.networks or work.draw:
        site.load_networks(root)  # the networks' own checks (imports NumPy: work is coming)
    report = Report(stale=work.stale, to_train=work.networks, to_draw=work.draw)
    if not (check or dry_run) and (work.stale or force):
        with render_lock(root, say):
            # planned again: a render we waited for may have done (some of) the work
            plan = make_plan(root)
            work = select(plan, names, force)
            report = Report(stale=work.stale, to_train=work.networks, to_draw=work.draw)
            if work.stale or force:
                _do(plan, work, jobs, say, report)
    from . import cards

    report.cards = cards.update(root, check=check or dry_run)
    report.seconds = time.perf_counter() - start
    return report


def select(plan: Plan, names=None, force=False) -> Work:
    """What this render must do: the stale (or forced) part of the figures, networks, excerpts."""
    figs, nets, exs = _targets(plan, names)
    fresh = {(i.kind, i.name) for i in plan.items if i.status == "fresh"}
    orphan = {(i.kind, i.name) for i in plan.items if i.kind == "figure" and
              i.name not in plan.figures or i.kind == "network" and i.name not in plan.net_keys}
    chosen = {("figure", n) for n in figs} | {("network", n) for n in nets}
    chosen |= {("excerpt", n) for n in exs} | (orphan if names is None else set())
    stale = [i for i in plan.items if (i.kind, i.name) in chosen - fresh]
    meta = [n for n in figs if not force and ("figure", n) not in fresh and plan.meta_only(n)]
    draw = [n for n in figs if n not in meta and (force or ("figure", n) not in fresh)]
    drawn_from = {n for f in draw for n in plan.figures[f].all_networks}
    needed = [n for n in plan.net_keys
              if n in nets and (force or ("network", n) not in fresh)
              or n in drawn_from and not plan.cache(n).exists()]
    return Work(stale, draw, meta, needed, set(nets) if force else set(),
                [n for n in exs if force or ("excerpt", n) not in fresh])


def _targets(plan: Plan, names):
    """``names`` -> (figures, networks, excerpts) to consider; a network brings its figures."""
    if not names:
        return list(plan.figures), list(plan.net_keys), list(plan.excerpts)
    figs, nets, exs = [], [], []
    for name in names:
        if name in plan.figures:
            figs.append(name)
        elif name in plan.net_keys:
            nets.append(name)
            figs += [f for f, fig in plan.figures.items() if name in fig.all_networks]
        elif name in plan.excerpts:
            exs.append(name)
        else:
            raise NNBlogError(f"unknown figure {name!r}; known figures: "
                              f"{', '.join(plan.figures) or 'none'} (or a network: "
                              f"{', '.join(plan.net_keys) or 'none'})",
                              file=site.FIGURES_FILE, item=name)
    return list(dict.fromkeys(figs)), nets, exs


def _do(plan: Plan, work: Work, jobs, say, report: Report) -> None:
    """Run the work, then write everything it produced: images, excerpts, results, manifest."""
    from nn_blog import scheduler  # spawns processes: only when there is something to draw

    _sweep_temporaries(plan)
    files, sizes, results = {}, {}, {}
    if work.networks or work.draw:
        files, sizes, results = scheduler.run(plan, work, jobs, say)
    for name in work.excerpts:
        files[excerpts_mod.output_path(name)] = plan.excerpts[name].encode()
    results_json = _results(plan, results)
    manifest = _manifest(plan, work, files, sizes)
    report.written = [rel for rel, data in files.items() if write_atomic(plan.root / rel, data)]
    for rel, data in ((RESULTS, results_json), (MANIFEST, manifest)):  # the manifest last
        if write_atomic(plan.root / rel, dump_json(data)):
            report.written.append(rel)
    report.trained = [n for n, out in results.items() if out["trained"]]
    report.rendered, report.excerpts = list(work.draw), list(work.excerpts)


def _results(plan: Plan, outcomes: dict) -> dict:
    old = plan.results.get("networks") or {}
    networks = {n: e for n, e in old.items() if n in plan.net_keys}
    for name, out in outcomes.items():
        networks[name] = {**out["results"], "key": plan.net_keys[name],
                          "inputs": plan.net_inputs[name]}
    return {"networks": networks}


def _manifest(plan: Plan, work: Work, files: dict, sizes: dict) -> dict:
    manifest = {n: e for n, e in plan.manifest.items() if n in plan.figures}
    for name in work.draw:
        fig = plan.figures[name]
        own = {rel: sha256(data) for rel, data in files.items() if rel in site.output_files(fig)}
        manifest[name] = manifest_entry(fig, own, sizes[name], plan.fig_keys[name],
                                        plan.fig_inputs[name])
    for name in work.meta:
        fig = plan.figures[name]
        manifest[name] = {**manifest[name], "alt": fig.alt, "caption": fig.caption}
    return manifest


def manifest_entry(fig: site.FigureDecl, digests: dict, size, key: str, inputs: dict) -> dict:
    """The manifest's record of one figure (see docs/architecture.md)."""
    paths = layout.variants(fig.output)
    if paths["extra"]["gif"] not in digests:
        del paths["extra"]  # not an animated kind
    urls = {group: {fmt: layout.url(path) for fmt, path in files.items()}
            for group, files in paths.items()}
    return {"kind": fig.kind, "network": fig.network, "extra": {}, **urls,
            "legacy": [layout.url(item.path) for item in fig.legacy],
            "width": size[0], "height": size[1], "alt": fig.alt, "caption": fig.caption,
            "hash": files_hash(digests), "key": key, "inputs": inputs}


def dump_json(data) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; False (and no write) if it already holds it."""
    with contextlib.suppress(FileNotFoundError):
        if path.read_bytes() == data:
            return False
    fileio.write_atomic(path, data)
    return True


def _sweep_temporaries(plan: Plan) -> None:
    """Remove what a killed render left half-written (never a file the site uses)."""
    dirs = {(plan.root / rel).parent for fig in plan.figures.values()
            for rel in site.output_files(fig)}
    dirs |= {(plan.root / p).parent for p in (MANIFEST, RESULTS, excerpts_mod.output_path("x"))}
    for directory in dirs:
        for tmp in directory.glob(f".*{TMP_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def render_lock(root: Path, say):
    """Hold ``.cache/nn-blog/render.lock``; if another render holds it, say so and wait."""
    import fcntl

    path = root / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            say(f"waiting for another render (pid {holder}) to finish", 0, 0)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
