"""`nn-blog serve`: the blog at http://127.0.0.1:4000, live-reloaded, figures re-rendered on edit.

Two things run side by side:

* ``jekyll serve --livereload`` (a subprocess) rebuilds the site when any of its files changes,
  including the figures and the manifest a render writes, and reloads the reader's browser;
* a watchdog observer on the declarations (``_data/networks.yml``, ``_data/figures.yml``) and on
  the package (``nn_blog/**/*.py``) runs the render service once a burst of saves has settled.

Each render runs ``nn-blog render`` (``render.render(root)``) in a fresh interpreter: an edit to
``nn_blog/`` must take effect, and an in-process call would keep the modules imported at start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

DECLARATIONS = ("_data/networks.yml", "_data/figures.yml")
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


def jekyll_argv(host: str, port: int, livereload_port: int) -> list[str]:
    return ["bundle", "exec", "jekyll", "serve", "--host", host, "--port", str(port),
            "--livereload", "--livereload-port", str(livereload_port)]


def render_once(root, argv: Sequence[str] | None = None) -> bool:
    """Render what is stale; a failure is reported and the site keeps its committed figures."""
    done = subprocess.run(list(argv or render_argv(root)), cwd=root)
    if done.returncode != 0:
        print(f"nn-blog serve: render failed (exit {done.returncode}); serving the figures "
              "already on disk", file=sys.stderr)
    return done.returncode == 0


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


def serve(root=".", host="127.0.0.1", port=4000, livereload_port=35729, render=True,
          jekyll: Sequence[str] | None = None, renderer: Sequence[str] | None = None) -> int:
    """Render, then run Jekyll and the watcher until Jekyll exits or Ctrl-C; Jekyll's exit code."""
    root = os.path.abspath(root)
    if not os.path.isfile(os.path.join(root, "_config.yml")):
        raise FileNotFoundError(f"{root}: no _config.yml, not the blog's root")
    queue = observer = None
    if render:
        render_once(root, renderer)
        queue = RenderQueue(lambda: render_once(root, renderer)).start()
        observer = watch(root, queue.request)
    # Figures are this process's job: the Jekyll hook must not render them a second time.
    env = {**os.environ, "NN_BLOG_SKIP_RENDER": "1"}
    server = subprocess.Popen(list(jekyll or jekyll_argv(host, port, livereload_port)),
                              cwd=root, env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return _stop(server)
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        if queue is not None:
            queue.stop(timeout=5)
