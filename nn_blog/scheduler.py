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
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from nn_blog import layout, site, workers
from nn_blog.figures import KINDS


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def figure_spec(fig: site.FigureDecl, params: dict | None = None) -> dict:
    """What a kind's ``draw`` receives: the declaration, parameters defaulted."""
    return {"name": fig.name, "kind": fig.kind, "network": fig.network,
            "networks": list(fig.all_networks), "params": dict(fig.params if params is None
                                                               else params),
            "alt": fig.alt, "caption": fig.caption, "output": fig.output}


def draw_jobs(fig: site.FigureDecl, networks: dict) -> list[workers.DrawJob]:
    """The parts of one figure. ``networks``: name -> (spec, cache path) of those it draws."""
    paths = layout.variants(fig.output)
    spec, needed = figure_spec(fig), {n: networks[n] for n in fig.all_networks}

    def job(part, outputs, params=None):
        spec_ = spec if params is None else figure_spec(fig, params)
        return workers.DrawJob(fig.name, fig.kind, part, spec_, needed, tuple(outputs))

    # a legacy file with the figure's own parameters is the light drawing in another format
    same = [(item.path, layout.file_format(item.path)) for item in fig.legacy
            if item.params == fig.params]
    jobs = [job("light", [*((path, fmt) for fmt, path in paths["light"].items()), *same]),
            job("dark", ((path, fmt) for fmt, path in paths["dark"].items()))]
    if KINDS[fig.kind].animated:
        jobs.append(job("animation", ((paths["extra"]["gif"], "gif"),
                                      (paths["extra"]["poster"], "png"))))
    jobs += [job("legacy", [(item.path, layout.file_format(item.path))], item.params)
             for item in fig.legacy if item.params != fig.params]
    return jobs


def _priority(job, plan) -> tuple:
    if isinstance(job, workers.NetworkJob):
        previous = (plan.results.get("networks") or {}).get(job.name) or {}
        return (0, -float(previous.get("seconds") or 0))
    return (1 if job.part == "animation" else 2 if job.networks else 3, 0)


def run(plan, work, jobs: int | None, say):
    """Train/load ``work.networks`` and draw ``work.draw`` -> (files, sizes, network outcomes)."""
    specs = site.load_networks(plan.root)  # validated: a bad declaration stops us here
    net_jobs = [workers.NetworkJob(n, specs[n], str(plan.cache(n)), n in work.retrain)
                for n in work.networks]
    caches = {n: (specs[n], str(plan.cache(n))) for n in plan.net_keys}
    waiting_on = set(work.networks)
    pending = [job for name in work.draw for job in draw_jobs(plan.figures[name], caches)]
    queue: list = [*net_jobs]
    files, sizes, outcomes = {}, {}, {}
    total, done = len(net_jobs) + len(pending), 0

    def release():
        nonlocal pending
        queue.extend(j for j in pending if not waiting_on & set(j.networks))
        pending = [j for j in pending if waiting_on & set(j.networks)]
        queue.sort(key=lambda j: _priority(j, plan))

    release()
    n_workers = max(1, min(jobs or default_jobs(), total))
    pool = ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=workers.init)
    in_flight: dict = {}
    try:
        while queue or in_flight:
            while queue and len(in_flight) < n_workers:
                job = queue.pop(0)
                fn = workers.ensure_network if isinstance(job, workers.NetworkJob) else workers.draw
                in_flight[pool.submit(fn, job)] = job
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                job, out = in_flight.pop(future), future.result()
                done += 1
                if isinstance(job, workers.NetworkJob):
                    outcomes[job.name] = out
                    waiting_on.discard(job.name)
                    release()
                    verb = "trained" if out["trained"] else "loaded"
                    say(f"{verb} network {job.name} ({out['seconds']:.1f} s)", done, total)
                else:
                    files.update(out["files"])
                    if job.part == "light":
                        sizes[job.figure] = out["size"]
                    say(f"drew {job.figure} ({job.part}, {out['seconds']:.1f} s)", done, total)
    except BaseException:
        # stop at once (an error, Ctrl-C): the jobs in flight would only be thrown away
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        raise
    pool.shutdown()
    return files, sizes, outcomes
