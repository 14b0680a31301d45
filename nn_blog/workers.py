"""What the render's worker processes run: train (or load) one network; draw one part of a figure.

Workers never write into the site: a network goes to the cache (``.cache/``, atomically, by
``experiments.save_trained``), a drawing comes back to the parent as bytes, and the parent
writes every file once all the work has succeeded. Importing this module is cheap; NumPy,
matplotlib and the figure kinds are imported by the first job that needs them, after :func:`init`
has pinned BLAS to one thread (the render parallelises across processes, and one thread keeps
results identical whatever ``--jobs`` is).
"""

from __future__ import annotations

import gc
import os
import threading
import time
from dataclasses import dataclass, field

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def init(parent: int) -> None:
    """Pool initializer: one BLAS thread (before NumPy loads), and exit with the render.

    ``parent`` is the render's pid, passed in rather than read here: a render killed while this
    worker was starting has already left it to another parent.
    """
    os.environ.update(ONE_THREAD)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """Exit once ``parent`` is gone: a render killed with ``kill -9`` cannot stop its workers,
    and an orphan would wait for work, or to hand in its last result, forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


@dataclass(frozen=True)
class NetworkJob:
    name: str
    spec: dict            # validated (experiments.load_networks)
    cache: str            # path of the .npz
    force: bool = False   # retrain even when the cache has it


@dataclass(frozen=True)
class DrawJob:
    figure: str
    kind: str
    part: str                     # light | dark | animation | animation-dark | legacy
    spec: dict                    # the figure's declaration, parameters defaulted
    networks: dict = field(default_factory=dict)   # name -> (spec, cache path)
    outputs: tuple = ()           # (path relative to the root, format); animation: gif, poster
    narrow: tuple = ()            # light/dark: where a narrow variant goes, if the kind draws one


def ensure_network(job: NetworkJob) -> dict:
    """Make sure the cache holds the trained network -> {"results", "trained", "seconds",
    "warning"}.

    A cache file that fails any check of ``experiments.load_trained`` (0 bytes, truncated,
    pickled, another architecture, NaN weights, a field missing) is never drawn from: it is
    trained again and overwritten, and ``warning`` says so in one line.
    """
    from nn_blog import experiments
    from nn_blog.errors import NNBlogError

    start = time.perf_counter()
    warning = None
    if not job.force and os.path.lexists(job.cache):
        try:
            results = experiments.load_trained(job.spec, job.cache).results
            return {"results": results, "trained": False, "seconds": time.perf_counter() - start,
                    "warning": None}
        except NNBlogError as err:
            warning = f"{str(err).splitlines()[0]}; training it again"
    trained = experiments.train(job.spec)
    experiments.save_trained(trained, job.cache)
    _LOADED.pop(job.cache, None)
    return {"results": trained.results, "trained": True, "seconds": time.perf_counter() - start,
            "warning": warning}


_LOADED: dict[str, object] = {}   # cache path -> Trained, reused by later jobs of this worker


def _trained(spec: dict, path: str):
    if path not in _LOADED:
        from nn_blog import experiments

        _LOADED[path] = experiments.load_trained(spec, path)
    return _LOADED[path]


def draw(job: DrawJob) -> dict:
    """Draw one part of a figure -> {"files": {path: bytes}, "size": (w, h) CSS px, "seconds"}."""
    try:
        return _draw(job)
    finally:
        _release()


def _release() -> None:
    """Free a finished drawing before the next job: matplotlib figures hold reference cycles,
    so their pixel buffers would otherwise wait for the cyclic collector."""
    gc.collect()


def _draw(job: DrawJob) -> dict:
    from nn_blog.figures import KINDS, Context, style

    start = time.perf_counter()
    networks = {name: _trained(spec, path) for name, (spec, path) in job.networks.items()}
    dark = job.part in ("dark", "animation-dark")
    ctx = Context(style=style.DARK if dark else style.LIGHT,
                  trained=networks.get(job.spec.get("network")), networks=networks)
    kind = KINDS[job.kind]
    if job.part.startswith("animation"):
        last = []

        def frames():
            # keep only the newest frame (the poster needs the last); clear the one before, so
            # its artists go now rather than at the next garbage collection
            for fig in kind.animate(job.spec, ctx):
                if last:
                    last.pop().clear()
                last.append(fig)
                yield fig

        (gif, _), (poster, _) = job.outputs
        gif_bytes = style.encode(frames(), "gif")
        # the poster is the last frame: the trained boundary, shown before the GIF plays
        files = {gif: gif_bytes, poster: style.encode(last[0], "png")}
        return {"files": files, "size": style.css_size(last[0]),
                "seconds": time.perf_counter() - start}
    out = _encode(kind.draw(job.spec, ctx), job.outputs, style)
    if job.part == "light":
        data = getattr(getattr(kind, "module", None), "data", None)
        if callable(data):  # the numbers a worked example prints, for the post (fig's kinds)
            out["data"] = data(job.spec, ctx)
    if job.part in ("light", "dark") and job.narrow:
        overrides = _narrow(kind, job.spec)
        if overrides:
            spec = {**job.spec, "params": {**job.spec["params"], **overrides}}
            narrow = _encode(kind.draw(spec, ctx), job.narrow, style)
            out["files"].update(narrow.pop("files"))
            out["narrow"] = narrow
    out["seconds"] = time.perf_counter() - start
    return out


def _narrow(kind, spec: dict) -> dict | None:
    """The kind's parameter overrides for a phone-width variant, or None (contract 3: a kind
    may define ``narrow(spec)``, on the Kind or in its module)."""
    narrow = getattr(kind, "narrow", None) or getattr(getattr(kind, "module", None), "narrow",
                                                       None)
    return narrow(spec) if callable(narrow) else None


def _encode(fig, outputs, style) -> dict:
    """One drawn figure -> {"files": {path: bytes}, "size": (w, h) CSS px, "min_font_px"}."""
    encoded: dict[str, bytes] = {}
    for _, fmt in outputs:
        # once per format: saving a figure again may lay it out again, a pixel apart
        if fmt not in encoded:
            encoded[fmt] = style.encode(fig, fmt)
    min_font = getattr(style, "min_font_px", None)
    return {"files": {rel: encoded[fmt] for rel, fmt in outputs}, "size": style.css_size(fig),
            "min_font_px": min_font(fig) if callable(min_font) else None}
