"""A render service kept warm while `nn-blog serve` runs (issue 17, "fast figure edits").

A render in a fresh interpreter pays, every time, for the imports (click, the declarations,
NumPy, matplotlib: about a second each on a 2-core machine) and for starting its worker
processes, which import them again. ``python -m nn_blog.warm ROOT`` pays once: it imports, starts
the worker pool, warms each worker, then renders each time serve writes a line on its stdin:

    serve  -> render\\n
    warm   -> the render's progress lines, its one-line error ("nn-blog: error: ..."), then
              "\\0done CODE\\n" (CODE as `nn-blog render` would exit)

Everything goes to stdout (one stream, in order). An edit to ``nn_blog/`` is not taken in: serve
stops this process and starts another before the render that follows such an edit. A render
that fails in a worker (a lost worker, an error mid-drawing) replaces the pool.
"""

from __future__ import annotations

import os
import sys
import time

DONE = "\0done "


def warm_worker() -> int:
    """Import what drawing needs, in a worker (the first real job then starts drawing)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401

    from nn_blog import experiments  # noqa: F401
    from nn_blog.figures import KINDS, style  # noqa: F401

    time.sleep(0.2)  # hold this worker, so that the next warm-up lands on another
    return os.getpid()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = argv[0] if argv else "."
    from nn_blog.workers import ONE_THREAD

    os.environ.update(ONE_THREAD)
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401

    from nn_blog import render, scheduler

    def pool_of():
        pool = scheduler.new_pool(scheduler.default_jobs())
        for future in [pool.submit(warm_worker) for _ in range(pool._max_workers)]:
            future.result()
        return pool

    def say(message, done, total):
        print(f"[{done}/{total}] {message}" if total else message, flush=True)

    pool = pool_of()
    print(f"{DONE}0", flush=True)  # ready
    for line in sys.stdin:
        if line.strip() != "render":
            continue
        code = 0
        try:
            report = render.render(root, progress=say, pool=pool)
            if report.rendered or report.trained or report.written:
                print(f"drew {len(report.rendered)} figures, trained {len(report.trained)} "
                      f"networks, wrote {len(report.written)} files in {report.seconds:.1f} s",
                      flush=True)
            else:
                print(f"nothing stale ({report.seconds:.2f} s)", flush=True)
        except (ValueError, FileNotFoundError) as err:
            text = str(err).splitlines()[0] if str(err) else type(err).__name__
            print(f"nn-blog: error: {text}", flush=True)
            code = getattr(err, "exit_code", 2)
        except SyntaxError as err:
            print(f"nn-blog: error: {err.filename}:{err.lineno}: SyntaxError: {err.msg}",
                  flush=True)
            code = 2
        except Exception as err:  # a bug: the line, then a fresh pool
            print(f"nn-blog: error: {type(err).__name__}: {err}", flush=True)
            code = 1
        if getattr(pool, "_shutdown_thread", False) or getattr(pool, "_broken", False) \
                or not _alive(pool):
            pool = pool_of()  # the failed render stopped it (scheduler._stop)
        print(f"{DONE}{code}", flush=True)
    return 0


def _alive(pool) -> bool:
    return all(p.is_alive() for p in (getattr(pool, "_processes", None) or {}).values())


if __name__ == "__main__":
    sys.exit(main())
