"""Run a render's jobs in worker processes: networks first, each figure as soon as its networks are.

A figure is drawn in parts (light, dark, its animation, each re-parametrised legacy file), each part
one job, so ``--jobs N`` keeps N processes busy. Jobs are queued by priority -- networks (longest
previous training first), then animations, then the figures that wait on a network, then the ones
that need none -- and at most N are in flight, so that priority holds. Workers are started with
the ``spawn`` method: fresh interpreters whose BLAS is pinned to one thread before NumPy loads.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from nn_blog import declarations, layout, workers
from nn_blog.figures import KINDS


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def figure_spec(fig: declarations.FigureDecl, params: dict | None = None) -> dict:
    """What a kind's ``draw`` receives: the declaration, parameters defaulted."""
    return {"name": fig.name, "kind": fig.kind, "network": fig.network,
            "networks": list(fig.all_networks), "params": dict(fig.params if params is None
                                                               else params),
            "alt": fig.alt, "caption": fig.caption, "output": fig.output}


def draw_jobs(fig: declarations.FigureDecl, networks: dict) -> list[workers.DrawJob]:
    """The parts of one figure. ``networks``: name -> (spec, cache path) of those it draws."""
    paths = layout.variants(fig.output)
    spec, needed = figure_spec(fig), {n: networks[n] for n in fig.all_networks}

    def job(part, outputs, params=None, narrow=()):
        spec_ = spec if params is None else figure_spec(fig, params)
        return workers.DrawJob(fig.name, fig.kind, part, spec_, needed, tuple(outputs),
                               tuple(narrow))

    def pairs(group):
        return [(path, fmt) for fmt, path in group.items()]

    # a legacy file with the figure's own parameters is the light drawing in another format
    same = [(item.path, layout.file_format(item.path)) for item in fig.legacy
            if item.params == fig.params]
    # the narrow variant (contract 3) is drawn by the same job, when the kind defines one
    jobs = [job("light", [*pairs(paths["light"]), *same], narrow=pairs(paths["narrow"]["light"])),
            job("dark", pairs(paths["dark"]), narrow=pairs(paths["narrow"]["dark"]))]
    if KINDS[fig.kind].animated:
        extra = paths["extra"]
        jobs.append(job("animation", ((extra["gif"], "gif"), (extra["poster"], "png"))))
        jobs.append(job("animation-dark", ((extra["gif_dark"], "gif"),
                                           (extra["poster_dark"], "png"))))
    jobs += [job("legacy", [(item.path, layout.file_format(item.path))], item.params)
             for item in fig.legacy if item.params != fig.params]
    return jobs


class _Queue:
    """The jobs ready to run, in priority order, and those waiting for a network."""

    def __init__(self, plan, network_jobs: list, draw_jobs_: list):
        self.plan = plan
        self.waiting_on = {job.name for job in network_jobs}
        self.ready, self.pending = list(network_jobs), list(draw_jobs_)
        self.release(None)

    def release(self, network: str | None) -> None:
        """``network`` is in the cache: what waited only for it becomes ready."""
        self.waiting_on.discard(network)
        ready = [job for job in self.pending if not self.waiting_on & set(job.networks)]
        self.pending = [job for job in self.pending if job not in ready]
        self.ready = sorted(self.ready + ready, key=self._priority)

    def _priority(self, job) -> tuple:
        if isinstance(job, workers.NetworkJob):  # the longest training (last time) first
            previous = (self.plan.results.get("networks") or {}).get(job.name) or {}
            return (0, -float(previous.get("seconds") or 0))
        return (1 if job.part.startswith("animation") else 2 if job.networks else 3, 0)


class WorkerLost(RuntimeError):
    """A worker process died (``kill -9``, the OOM killer) while it ran ``job``."""


def warn(message: str) -> None:
    """One line on stderr (stdout carries the progress lines)."""
    print(f"nn-blog: warning: {message}", file=sys.stderr, flush=True)


def describe(job) -> str:
    if isinstance(job, workers.NetworkJob):
        return f"training network {job.name!r}"
    return f"drawing figure {job.figure!r} ({job.part})"


def new_pool(n_workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=workers.init, initargs=(os.getpid(),))


def run(plan, work, jobs: int | None, say, warn=warn, pool=None):
    """Train/load ``work.networks`` and draw ``work.draw`` -> (files, parts, network outcomes).

    ``parts``: figure -> part -> what the worker measured (size, smallest font, ...).
    A lost worker raises :class:`WorkerLost` naming the job it ran; nothing is written then.
    ``pool``: a warm pool to use (and leave running; after an error its owner replaces it).
    """
    specs = declarations.load_networks(plan.root)  # validated: a bad declaration stops us here
    caches = {n: (specs[n], str(plan.cache(n))) for n in plan.net_keys}
    queue = _Queue(plan, [workers.NetworkJob(n, specs[n], caches[n][1], n in work.retrain)
                          for n in work.networks],
                   [job for name in work.draw for job in draw_jobs(plan.figures[name], caches)])
    files, sizes, outcomes = {}, {}, {}
    total, done = len(queue.ready) + len(queue.pending), 0
    own = pool is None
    if own:
        n_workers = max(1, min(jobs or default_jobs(), total))
        pool = new_pool(n_workers)
    else:
        n_workers = pool._max_workers
    in_flight: dict = {}
    try:
        while queue.ready or in_flight:
            while queue.ready and len(in_flight) < n_workers:
                job = queue.ready.pop(0)
                fn = workers.ensure_network if isinstance(job, workers.NetworkJob) else workers.draw
                in_flight[pool.submit(fn, job)] = job
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                job = in_flight.pop(future)
                try:
                    out = future.result()
                except BrokenProcessPool:
                    raise WorkerLost(f"a worker process died while {describe(job)} (killed, or "
                                     "out of memory?); nothing was published") from None
                done += 1
                if isinstance(job, workers.NetworkJob):
                    outcomes[job.name] = out
                    queue.release(job.name)
                    if out.get("warning"):
                        warn(out["warning"])
                    verb = "trained" if out["trained"] else "loaded"
                    say(f"{verb} network {job.name} ({out['seconds']:.1f} s)", done, total)
                else:
                    files.update(out["files"])
                    sizes.setdefault(job.figure, {})[job.part] = {
                        k: v for k, v in out.items() if k not in ("files", "seconds")}
                    say(f"drew {job.figure} ({job.part}, {out['seconds']:.1f} s)", done, total)
    except BaseException:
        _stop(pool)
        raise
    if own:
        pool.shutdown()
    return files, sizes, outcomes


def _stop(pool) -> None:
    """Stop at once (an error, Ctrl-C): the jobs in flight would only be thrown away."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
