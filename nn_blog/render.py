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

from nn_blog import declarations, export_plan, layout, publish
from nn_blog import excerpts as excerpts_mod
from nn_blog.errors import NNBlogError
from nn_blog.fileio import TMP_MARK
from nn_blog.keys import Item, sha256
from nn_blog.plan import (
    CACHE_DIR,
    MANIFEST,
    NETWORK_CACHE,
    RESULTS,
    Plan,
    entry_files,
    files_hash,
    make_plan,
)

LOCK_FILE = f"{CACHE_DIR}/render.lock"


class RenderError(NNBlogError):
    """The render could not finish for a reason that is not in the declarations (a worker
    process was killed); nothing was published. ``exit_code`` 1, not a user's mistake."""

    exit_code = 1


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
    warnings: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Work:
    stale: list[Item]
    draw: list[str]          # figures to draw
    meta: list[str]          # figures whose alt/caption only changed
    networks: list[str]      # networks to train, or to load (and check) from the cache
    retrain: set[str]        # of those, the ones --force retrains
    excerpts: list[str]


def status(root) -> list[Item]:
    """Every figure, network and excerpt: (kind, name, "fresh"/"stale"/"missing"/"orphan",
    reason). An interrupted publish is finished first, so the answer describes one render."""
    root = Path(root).resolve()
    with _file_errors(root):
        if publish.pending(root):
            with render_lock(root, lambda *a: None):
                publish.recover(root)
        return make_plan(root).items


def render(root, names=None, force=False, jobs=None, check=False, dry_run=False,
           progress=None, pool=None) -> Report:
    """Render what is stale (or ``names``: figures, networks, excerpts; ``force``: all of them).

    ``progress(message, done, total)`` hears about each finished job and about waiting on the lock.
    ``pool``: worker processes to draw with (``nn_blog.warm``: kept warm between renders while
    serving); by default the render starts its own.
    A file-system error (read-only folder, ``.cache`` a plain file, file-size limit) becomes one
    NNBlogError naming the path; a lost worker a RenderError. Either way nothing is published.
    """
    start = time.perf_counter()
    say = progress or (lambda message, done, total: None)
    root = Path(root).resolve()
    with _file_errors(root):
        report = _render(root, names, force, jobs, check, dry_run, say, pool)
    report.seconds = time.perf_counter() - start
    return report


def _render(root: Path, names, force, jobs, check, dry_run, say, pool=None) -> Report:
    plan = make_plan(root)  # checks every declaration before anything is touched
    refuse_sweeping_used(plan)
    work = select(plan, names, force)
    if work.networks or work.draw:
        declarations.load_networks(root)  # the networks' own checks (NumPy: work is coming)
    report = Report(stale=work.stale, to_train=work.networks, to_draw=work.draw)
    if not (check or dry_run) and (work.stale or force or publish.pending(root)):
        with render_lock(root, say):
            publish.recover(root)  # a publish a kill interrupted: finish it first
            # planned again: a render we waited for may have done (some of) the work
            plan = make_plan(root)
            refuse_sweeping_used(plan)
            work = select(plan, names, force)
            report = Report(stale=work.stale, to_train=work.networks, to_draw=work.draw)
            if work.stale or force:
                _do(plan, work, jobs, say, report, sweep_orphans=not names, pool=pool)
    from . import cards  # social cards: their own staleness check, cheap when fresh

    report.cards = cards.update(root, check=check or dry_run)
    return report


SWEEP_RULE = ("rule: a render never sweeps what a post uses, and --force does not override "
              "this; remove it from the post first, or declare it again")


def refuse_sweeping_used(plan: Plan) -> None:
    """Refuse a render that would sweep a figure, an excerpt or a network's results that a post
    or page still uses (their declaration was removed): one NNBlogError at the first use."""
    orphans = {(i.kind, i.name) for i in plan.items if i.status == "orphan"}
    if not orphans:
        return
    checks = (("figure", declarations.figure_uses, "{% nn_figure {name} %}",
               declarations.FIGURES_FILE),
              ("excerpt", declarations.excerpt_uses,
               "{% include generated/excerpts/{name}.md %}", declarations.EXCERPTS_FILE),
              ("network", declarations.result_uses, "the results of network '{name}'",
               declarations.NETWORKS_FILE))
    for kind, uses, shown, decl_file in checks:
        for file, line, name in uses(plan.root):
            if (kind, name) in orphans:
                what = shown.replace("{name}", name)
                raise NNBlogError(f"uses {what}, but {kind} '{name}' is no longer declared in "
                                  f"{decl_file}; its files are kept ({SWEEP_RULE})",
                                  file=file, line=line)


@contextlib.contextmanager
def _file_errors(root: Path):
    """An OSError (permissions, a file where a folder should be, the file-size limit, a folder
    where a file should be) -> one NNBlogError naming the path, relative to the site."""
    try:
        yield
    except OSError as err:
        if isinstance(err, FileNotFoundError) and not err.filename:
            raise
        name = err.filename or ""
        with contextlib.suppress(ValueError):
            name = Path(name).resolve().relative_to(root).as_posix()
        reason = err.strerror or str(err) or type(err).__name__
        raise NNBlogError(f"cannot write or read it: {reason} (errno {err.errno}); nothing was "
                          "published", file=name or None) from None


def select(plan: Plan, names=None, force=False) -> Work:
    """What this render must do: the stale (or forced) part of the figures, networks, excerpts."""
    figs, nets, exs = _targets(plan, names)
    fresh = {(i.kind, i.name) for i in plan.items if i.status == "fresh"}
    orphan = {(i.kind, i.name) for i in plan.items if i.status == "orphan"}
    chosen = {("figure", n) for n in figs} | {("network", n) for n in nets}
    chosen |= {("excerpt", n) for n in exs} | (orphan if names is None else set())
    stale = [i for i in plan.items if (i.kind, i.name) in chosen - fresh]
    meta = [n for n in figs if not force and ("figure", n) not in fresh and plan.meta_only(n)]
    draw = [n for n in figs if n not in meta and (force or ("figure", n) not in fresh)]
    drawn_from = {n for f in draw for n in plan.figures[f].all_networks}
    # every network a drawing uses goes through a network job: it loads (and checks) the cache,
    # or trains again when the cache fails a check (D14): a drawing never reads a bad cache
    # a network whose export is stale is loaded (or trained) too, and exported (issue 10)
    touched = None if names is None else set(nets) | drawn_from
    exporting, exported = export_plan.select(plan, touched)
    stale += [i for i in exporting if i not in stale]
    needed = [n for n in plan.net_keys
              if n in nets and (force or ("network", n) not in fresh) or n in drawn_from
              or n in exported]
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
                              file=declarations.FIGURES_FILE, item=name)
    return list(dict.fromkeys(figs)), nets, exs


def _do(plan: Plan, work: Work, jobs, say, report: Report, sweep_orphans: bool,
        pool=None) -> None:
    """Run the work, then publish everything it produced as one (``nn_blog.publish``)."""
    from nn_blog import scheduler  # spawns processes: only when there is something to draw

    _sweep_temporaries(plan)
    _check_outputs(plan)  # a symlinked folder is refused before any work (D19)
    files, parts, results = {}, {}, {}
    if work.networks or work.draw:
        try:
            files, parts, results = scheduler.run(plan, work, jobs, say, pool=pool)
        except scheduler.WorkerLost as err:
            raise RenderError(str(err)) from None
    addressed, manifest = _figures(plan, work, files, parts)
    fixed = {excerpts_mod.output_path(name): plan.excerpts[name].encode()
             for name in work.excerpts}
    legacy = {item.path for fig in plan.figures.values() for item in fig.legacy}
    fixed.update({rel: data for rel, data in files.items() if rel in legacy})  # fixed names
    fixed[RESULTS] = dump_json(_results(plan, results))
    exported, gone = export_plan.render_files(plan, set(work.networks), orphans=sweep_orphans)
    fixed.update(exported)
    fixed[MANIFEST] = dump_json(manifest)  # renamed last: the commit of the figures
    named = {rel for entry in manifest.values() for rel in entry_files(entry)}
    sweep = {rel for entry in plan.manifest.values() if isinstance(entry, dict)
             for rel in entry_files(entry)} - named
    outputs = {fig.output for fig in plan.figures.values()}
    sweep |= set(publish.addressed_leftovers(plan.root, outputs, named))
    if sweep_orphans:
        sweep |= set(publish.orphan_caches(plan.root, NETWORK_CACHE, plan.net_keys))
        sweep |= set(publish.orphan_excerpts(plan.root, excerpts_mod.OUTPUT_DIR, plan.excerpts))
    sweep |= set(gone)
    written = publish.publish(plan.root, {rel: files[slot] for slot, rel in addressed.items()},
                              fixed, sorted(sweep))
    report.written = written
    report.trained = [n for n, out in results.items() if out["trained"]]
    report.warnings = [out["warning"] for out in results.values() if out.get("warning")]
    report.rendered, report.excerpts = list(work.draw), list(work.excerpts)


def _figures(plan: Plan, work: Work, files: dict, parts: dict):
    """-> ({slot: content-addressed path} of the drawn figures' images, the new manifest)."""
    addressed = {slot: layout.addressed(slot, data) for slot, data in files.items()
                 if slot in _slots(plan, work.draw)}
    manifest = {n: e for n, e in plan.manifest.items() if n in plan.figures}
    for name in work.draw:
        fig = plan.figures[name]
        digests = {addressed[slot]: sha256(files[slot]) for slot in layout.slots(fig.output)
                   if slot in addressed}
        digests.update({item.path: sha256(files[item.path]) for item in fig.legacy
                        if item.path in files})
        manifest[name] = manifest_entry(fig, addressed, digests, parts.get(name, {}),
                                        plan.fig_keys[name], plan.fig_inputs[name])
    for name in work.meta:
        fig = plan.figures[name]
        manifest[name] = {**manifest[name], "alt": fig.alt, "caption": fig.caption}
    return addressed, manifest


def _slots(plan: Plan, names) -> set[str]:
    return {slot for name in names for slot in layout.slots(plan.figures[name].output)}


def _results(plan: Plan, outcomes: dict) -> dict:
    old = plan.results.get("networks") or {}
    networks = {n: e for n, e in old.items() if n in plan.net_keys}
    versions = _readable_versions()
    for name, out in outcomes.items():
        key = plan.net_keys[name]
        before = old.get(name) or {}
        # when the key last changed (a UTC date): kept while the key stays, so a re-render of
        # the same inputs writes the same bytes
        changed = before.get("changed") if before.get("key") == key else None
        networks[name] = {**out["results"], "key": key, "inputs": plan.net_inputs[name],
                          "versions": versions,
                          "changed": changed or time.strftime("%Y-%m-%d", time.gmtime())}
    return {"networks": networks}


def _readable_versions() -> dict:
    """What trained a network, for the provenance under its figures: this package, Python,
    NumPy (the engine's only dependency) and the drawing libraries."""
    from importlib import metadata

    from nn_blog.plan import library_versions, python_version

    try:
        own = metadata.version("nn-blog")
    except metadata.PackageNotFoundError:
        own = None
    # The key holds Python's feature release only; the provenance names the exact one.
    return {"nn_blog": own, **library_versions(), "python": python_version()}


def manifest_entry(fig: declarations.FigureDecl, addressed: dict, digests: dict, parts: dict,
                   key: str, inputs: dict) -> dict:
    """The manifest's record of one figure (see docs/architecture.md).

    ``addressed``: slot -> the content-addressed path written for it; ``digests``: every written
    path of the figure -> sha256; ``parts``: part -> what its worker measured.
    """
    slots = layout.variants(fig.output)

    def urls(group: dict) -> dict:
        return {fmt: layout.url(addressed[slot]) for fmt, slot in group.items()
                if slot in addressed}

    light = parts.get("light") or {}
    size = light.get("size") or (None, None)
    entry = {"kind": fig.kind, "network": fig.network,
             "light": urls(slots["light"]), "dark": urls(slots["dark"]),
             "extra": urls(slots["extra"]),
             "legacy": [layout.url(item.path) for item in fig.legacy],
             "width": size[0], "height": size[1], "min_font_px": light.get("min_font_px"),
             "alt": fig.alt, "caption": fig.caption,
             "hash": files_hash(digests), "key": key, "inputs": inputs}
    narrow = light.get("narrow")
    if narrow:
        dark = (parts.get("dark") or {}).get("narrow") or {}
        entry["narrow"] = {"light": urls(slots["narrow"]["light"]),
                           "dark": urls(slots["narrow"]["dark"]),
                           "width": narrow["size"][0], "height": narrow["size"][1],
                           "min_font_px": narrow.get("min_font_px")}
        if not dark:
            entry["narrow"]["dark"] = {}
    if light.get("data") is not None:
        entry["data"] = light["data"]
    return entry


def dump_json(data) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def _check_outputs(plan: Plan) -> None:
    """Every folder the render writes into resolves inside the site (symlinks followed)."""
    rels = {rel for fig in plan.figures.values() for rel in declarations.output_files(fig)}
    rels |= {MANIFEST, RESULTS, excerpts_mod.output_path("x"), publish.JOURNAL,
             export_plan.output_path("x"), export_plan.EXPORTS}
    for rel in sorted(rels):
        publish.inside(plan.root, rel)


def _sweep_temporaries(plan: Plan) -> None:
    """Remove what a killed render left half-written (never a file the site uses)."""
    dirs = {(plan.root / rel).parent for fig in plan.figures.values()
            for rel in declarations.output_files(fig)}
    dirs |= {(plan.root / p).parent for p in (MANIFEST, RESULTS, excerpts_mod.output_path("x"),
                                              publish.JOURNAL, export_plan.output_path("x"))}
    dirs.add(plan.root / publish.STAGE)
    for directory in dirs:
        if not directory.resolve().is_relative_to(plan.root.resolve()) and \
                directory != plan.root / publish.STAGE:
            continue
        for tmp in directory.glob(f".*{TMP_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def render_lock(root: Path, say):
    """Hold ``.cache/nn-blog/render.lock``; if another render holds it, say so and wait."""
    import fcntl

    # refused before anything is created: a .cache symlinked outside the site would otherwise
    # get the lock (and its folders) out there before the outputs are checked
    path = publish.inside(root, LOCK_FILE)
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
