"""`nn-blog serve`: the blog at http://127.0.0.1:4000, live-reloaded, figures re-rendered on edit.

Two things run side by side:

* ``jekyll serve --livereload`` (a subprocess) rebuilds the site when any of its files changes,
  including the figures and the manifest a render writes, and reloads the reader's browser;
* a watchdog observer on the declarations (``_data/networks.yml``, ``_data/figures.yml``,
  ``_data/excerpts.yml``) and on the package (``nn_blog/**/*.py``) runs the render service once a
  burst of saves has settled.

Each render runs ``nn-blog render`` (``render.render(root)``) in a fresh interpreter: an edit to
``nn_blog/`` must take effect, and an in-process call would keep the modules imported at start.

Jekyll regenerates on what the render publishes, and on nothing else it does: the render keeps its
temporary files, its cache and its journal in ``.cache/`` (excluded in ``_config.yml``; Jekyll's
watcher ignores an excluded folder only if it exists when Jekyll starts, so serve creates it
first), and it writes a render's files in one burst at the end (``nn_blog.publish``), which
Jekyll's watcher takes in as one change. An edit therefore costs two regenerations: one for the
edited declaration (the post reads ``site.data.networks``), one for the published render.

Jekyll never outlives serve: SIGTERM, SIGHUP and Ctrl-C stop it the way Ctrl-C does, and if serve
itself is killed (``kill -9``) the kernel sends Jekyll SIGTERM (``PR_SET_PDEATHSIG``, Linux).

Nor does a render (issue 20, row 8: one kept training and published its files after serve was
gone). Each render runs under a small supervisor (``SUPERVISOR``): the kernel sends it SIGTERM
when serve dies (``PR_SET_PDEATHSIG``), and serve terminates it on every stop path; either way it
stops the render's whole process group (the render and its worker pool) and waits for it. The
handlers for SIGTERM and SIGHUP are in place before the first render starts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

DECLARATIONS = ("_data/networks.yml", "_data/figures.yml", "_data/excerpts.yml")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
PACKAGE = "nn_blog"


def is_watched(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """Whether a change to ``path`` can change a figure: a declaration or the package's code."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return False
    return rel in DECLARATIONS or (rel.startswith(PACKAGE + "/") and rel.endswith(".py"))


class RenderQueue:
    """Run ``action`` once after requests stop arriving for ``delay`` seconds.

    Editors save in bursts (write, rename, touch); one render per burst is enough. A request that
    arrives while ``action`` runs queues exactly one more run.
    """

    def __init__(self, action: Callable[[], object], delay: float = 0.5):
        self._action, self._delay = action, delay
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="nn-blog-render", daemon=True)

    def start(self) -> RenderQueue:
        self._thread.start()
        return self

    def request(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            while True:  # wait for the burst to settle
                self._wake.clear()
                if self._stop.wait(self._delay):
                    return
                if not self._wake.is_set():
                    break
            self._action()


def watch(root: str | os.PathLike, on_change: Callable[[], None]):
    """Start a watchdog observer calling ``on_change`` for watched paths; returns the observer."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return
            paths = [event.src_path, getattr(event, "dest_path", "")]
            if any(p and is_watched(p, root) for p in paths):
                on_change()

    observer = Observer()
    handler = Handler()
    root = Path(root)
    observer.schedule(handler, str(root / "_data"), recursive=False)
    if (root / PACKAGE).is_dir():
        observer.schedule(handler, str(root / PACKAGE), recursive=True)
    observer.start()
    return observer


def render_argv(root: str | os.PathLike) -> list[str]:
    return [sys.executable, "-m", "nn_blog", "render", "--root", str(root)]


def jekyll_argv(host: str, port: int, livereload_port: int, root: str | os.PathLike = ".",
                ) -> list[str]:
    """``jekyll serve`` with live reload; through Bundler when the site has a Gemfile (its
    plugins and theme are pinned there), else the jekyll on the PATH."""
    jekyll = ["bundle", "exec", "jekyll"] if (Path(root) / "Gemfile").is_file() else ["jekyll"]
    return [*jekyll, "serve", "--host", host, "--port", str(port),
            "--livereload", "--livereload-port", str(livereload_port)]


# argv: SERVE_PID COMMAND... Runs COMMAND in a process group of its own and stops that group
# (SIGTERM, then SIGKILL after 5 s) when it is told to stop or when serve dies. A script run by
# the interpreter, not preexec_fn: renders start from the watcher's thread, and preexec_fn is
# not safe in a process with threads.
SUPERVISOR = """\
import ctypes, os, signal, subprocess, sys, time
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)  # serve died before the line above
child = None
def stop(signum, frame):
    if child is not None:
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(child.pid, sig)
            except ProcessLookupError:
                break
            end = time.monotonic() + grace
            while child.poll() is None and time.monotonic() < end:
                time.sleep(0.05)
            try:
                os.killpg(child.pid, 0)
            except ProcessLookupError:
                break
    os._exit(128 + signum)
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(s, stop)
child = subprocess.Popen(sys.argv[2:], start_new_session=True)
sys.exit(child.wait())
"""


class Renders:
    """The render running now, if any, so that every stop path can end it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._current: subprocess.Popen | None = None
        self._stopped = False

    def run(self, root, argv: Sequence[str]) -> int:
        with self._lock:
            if self._stopped:
                return 1
            self._current = current = subprocess.Popen(
                [sys.executable, "-c", SUPERVISOR, str(os.getpid()), *argv], cwd=root)
        code = current.wait()  # a stop signal interrupts this: the render stays for stop()
        with self._lock:
            self._current = None
        return code

    def stop(self, timeout: float = 15) -> None:
        """End the running render (and no later one starts); waits for it, bounded."""
        with self._lock:
            self._stopped = True
            current = self._current
        if current is None:
            return
        with contextlib.suppress(ProcessLookupError):
            current.terminate()
        try:
            current.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            current.kill()


def render_once(root, argv: Sequence[str] | None = None, renders: Renders | None = None) -> bool:
    """Render what is stale; a failure is reported and the site keeps its committed figures."""
    argv = list(argv or render_argv(root))
    code = (renders or Renders()).run(root, argv)
    if code != 0:
        print(f"nn-blog serve: render failed (exit {code}); serving the figures "
              "already on disk", file=sys.stderr)
    return code == 0


def _stop(server: subprocess.Popen) -> int:
    """Stop Jekyll the way Ctrl-C does (SIGINT: a clean shutdown), harder if it hangs."""
    for send, grace in ((lambda: server.send_signal(signal.SIGINT), 10), (server.terminate, 5)):
        send()
        try:
            return server.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    server.kill()
    return server.wait()


class Stopped(Exception):
    """serve received SIGTERM or SIGHUP."""


def _raise_stopped(signum, frame):
    raise Stopped(signal.Signals(signum).name)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when its parent dies, however it dies (Linux)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def serve(root=".", host="127.0.0.1", port=4000, livereload_port=35729, render=True,
          jekyll: Sequence[str] | None = None, renderer: Sequence[str] | None = None) -> int:
    """Render, then run Jekyll and the watcher until Jekyll exits, Ctrl-C, SIGTERM or SIGHUP;
    Jekyll's exit code."""
    root = os.path.abspath(root)
    if not os.path.isfile(os.path.join(root, "_config.yml")):
        raise FileNotFoundError(f"{root}: no _config.yml, not the blog's root")
    previous = {sig: signal.signal(sig, _raise_stopped) for sig in STOP_SIGNALS}
    renders = Renders()
    queue = observer = server = None
    try:
        if render:
            render_once(root, renderer, renders)
        # before Jekyll starts: its watcher ignores an excluded folder only if it exists by then
        with contextlib.suppress(OSError):
            os.makedirs(os.path.join(root, ".cache", "nn-blog"), exist_ok=True)
        # Figures are this process's job: the Jekyll hook must not render them a second time.
        env = {**os.environ, "NN_BLOG_SKIP_RENDER": "1"}
        # started before the watcher's threads: preexec_fn runs between fork and exec
        server = subprocess.Popen(list(jekyll or jekyll_argv(host, port, livereload_port, root)),
                                  cwd=root, env=env, preexec_fn=_die_with_parent)
        if render:
            queue = RenderQueue(lambda: render_once(root, renderer, renders)).start()
            observer = watch(root, queue.request)
        return server.wait()
    except (KeyboardInterrupt, Stopped):
        for sig in STOP_SIGNALS:  # a second signal must not cut the shutdown short
            signal.signal(sig, signal.SIG_IGN)
        renders.stop()
        return _stop(server) if server is not None else 1
    finally:
        renders.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        if queue is not None:
            queue.stop(timeout=5)
