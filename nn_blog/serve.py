"""`nn-blog serve`: the blog at http://127.0.0.1:4000, live-reloaded, figures re-rendered on edit.

One build order (issue 17). serve watches the site itself (watchdog) and, once a burst of saves
has settled (``RenderQueue``), does the work in order:

1. if a declaration (``_data/networks.yml``, ``figures.yml``, ``excerpts.yml``) or the package's
   code (``nn_blog/**/*.py``) changed: ``nn-blog render``, in a fresh interpreter (an edit to
   ``nn_blog/`` must take effect);
2. then exactly one Jekyll build, from the declarations, outputs and posts as they are now.

Jekyll runs as ``jekyll serve --livereload`` (a subprocess: the web server and LiveReload), but
its own file watcher is replaced by the plugin (``nn_blog/jekyll/lib/nn_blog/serving.rb``) while
``NN_BLOG_SERVE`` names serve's control folder (``.cache/nn-blog/serve/``): Jekyll builds when
serve writes a new number into ``request`` and answers in ``build.json``. So a post and a new
figure saved together build once, after the figure is drawn (no "unknown figure"), and a
learning-rate edit builds once, not once for the declaration and once for the published render.
What the render publishes is not a change of its own (it is what the build after it reads).

Errors in the page: a failed render's one line (the same line the terminal shows) goes to
``error.json`` in the control folder; every page built while it is there shows it in a banner at
the top (serving.rb), and a failed build puts its own line into the last good pages. The next
good render and build take the banner away; LiveReload reloads the page either way.

Serve like a tool: a port that is taken is one line naming it and a free one (``--port 0`` picks
one); WEBrick's connection-reset stack traces (a reader's reload closing a socket) are left out
of Jekyll's output.

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
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from nn_blog.errors import NNBlogError

DECLARATIONS = ("_data/networks.yml", "_data/figures.yml", "_data/excerpts.yml")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
PACKAGE = "nn_blog"
CONTROL = ".cache/nn-blog/serve"  # Jekyll ignores .cache/; serving.rb reads and writes here
# What the render writes: a change there while (or just after) a render runs is the render's own,
# and the build that follows the render reads it.
RENDER_OUTPUTS = ("_data/generated/", "_includes/generated/", "assets/images/", "assets/nn/")
# Not the site's content: Jekyll's output and caches, version control, installed packages.
IGNORED_TOP = {"_site", "node_modules", "vendor", "__pycache__"}
BUILD_TIMEOUT = 600  # seconds a build may take before serve stops waiting for its answer


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


def is_content(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """Whether a change to ``path`` can change the built site: anything under the root but
    Jekyll's output, dot folders (caches, .git), installed packages and editors' temporaries."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return False
    parts = rel.parts
    if not parts or parts[0] in IGNORED_TOP or any(p.startswith(".") for p in parts):
        return False
    name = parts[-1]
    return not (name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913"
                or name.startswith("#") or "__pycache__" in parts)


def is_render_output(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return False
    return rel.startswith(RENDER_OUTPUTS)


def watch(root: str | os.PathLike, on_change: Callable[[str], None], everything=False):
    """Start a watchdog observer calling ``on_change(path)`` for watched paths (``everything``:
    every content path of the site, else declarations and package code); returns the observer."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    wanted = (lambda p: is_content(p, root)) if everything else (lambda p: is_watched(p, root))

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type in ("modified", "closed"):
                return  # a folder's entries changed: the file's own event says which
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path and wanted(path):
                    on_change(os.fsdecode(path))

    observer = Observer()
    handler = Handler()
    root = Path(root)
    if everything:  # each top folder on its own: node_modules, .git, _site are never walked
        observer.schedule(handler, str(root), recursive=False)
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.is_symlink() and is_content(child, root):
                observer.schedule(handler, str(child), recursive=True)
    else:
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
        self._warm: subprocess.Popen | None = None  # nn_blog.warm under the supervisor
        self.warm_failed = False
        self._stopped = False

    def run_warm(self, root, errors: list) -> int:
        """Render through the warm render service (``nn_blog.warm``), started on first use:
        its progress to stdout, its error line to stderr and ``errors``; the render's exit code."""
        from nn_blog.warm import DONE

        with self._lock:
            if self._stopped:
                return 1
            if self._warm is None or self._warm.poll() is not None:
                self._warm = subprocess.Popen(
                    [sys.executable, "-c", SUPERVISOR, str(os.getpid()), sys.executable, "-m",
                     "nn_blog.warm", str(root)], cwd=root, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE)
                fresh = True
            else:
                fresh = False
            warm = self._warm
        try:
            if fresh and self._relay(warm, errors, DONE) != 0:  # imported, its workers warm
                print("nn-blog serve: the warm render service did not start; rendering in a "
                      "fresh process each time", file=sys.stderr)
                self.warm_failed = True
                errors.clear()
                return self.run(root, render_argv(root), errors)
            warm.stdin.write(b"render\n")
            warm.stdin.flush()
        except (BrokenPipeError, OSError):
            return 1
        return self._relay(warm, errors, DONE)

    @staticmethod
    def _relay(warm: subprocess.Popen, errors: list, done: str) -> int:
        for raw in warm.stdout:
            line = raw.decode(errors="replace")
            if line.startswith(done):
                return int(line[len(done):].strip() or 1)
            if line.startswith("nn-blog: error: "):
                errors.append(line[len("nn-blog: error: "):].strip())
                sys.stderr.write(line)
                sys.stderr.flush()
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
        return 1  # it died (stopped with serve, or killed)

    def restart_warm(self) -> None:
        """The package's code changed: the next render starts a fresh service."""
        with self._lock:
            warm, self._warm = self._warm, None
        _end(warm)

    def run(self, root, argv: Sequence[str], errors: list | None = None) -> int:
        """Run the render; its stderr goes on to serve's, and ``errors`` collects its
        ``nn-blog: error:`` lines (the one-line error the page's banner shows)."""
        with self._lock:
            if self._stopped:
                return 1
            self._current = current = subprocess.Popen(
                [sys.executable, "-c", SUPERVISOR, str(os.getpid()), *argv], cwd=root,
                stderr=subprocess.PIPE if errors is not None else None)
        if errors is not None:
            for raw in current.stderr:
                line = raw.decode(errors="replace")
                sys.stderr.write(line)
                sys.stderr.flush()
                if line.startswith("nn-blog: error: "):
                    errors.append(line[len("nn-blog: error: "):].strip())
            current.stderr.close()
        code = current.wait()  # a stop signal interrupts this: the render stays for stop()
        with self._lock:
            self._current = None
        return code

    def stop(self, timeout: float = 15) -> None:
        """End the running render and the warm service (and no later one starts); waits for
        them, bounded."""
        with self._lock:
            self._stopped = True
            current, warm = self._current, self._warm
        _end(current, timeout)
        _end(warm, timeout)


def _end(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """Stop a supervisor (it stops its process group) and wait for it, bounded."""
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def render_once(root, argv: Sequence[str] | None = None, renders: Renders | None = None) -> bool:
    """Render what is stale; a failure is reported (terminal and the pages' banner, through
    ``error.json``) and the site keeps its committed figures."""
    errors: list[str] = []
    renders = renders or Renders()
    if argv is None and not renders.warm_failed and os.environ.get("NN_BLOG_SERVE_COLD") != "1":
        code = renders.run_warm(root, errors)
    else:
        code = renders.run(root, list(argv or render_argv(root)), errors)
    if code != 0:
        print(f"nn-blog serve: render failed (exit {code}); serving the figures "
              "already on disk", file=sys.stderr)
        message = errors[-1] if errors else f"nn-blog render failed (exit {code})"
        write_control(root, "error.json", {"message": message,
                                           "time": time.strftime("%H:%M:%S")})
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(root, CONTROL, "error.json"))
    return code == 0


def write_control(root, name: str, data) -> None:
    folder = os.path.join(root, CONTROL)
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data) if not isinstance(data, str) else data)
    os.replace(tmp, os.path.join(folder, name))


def own_command(root) -> str:
    """An ``nn-blog`` command that runs this very package, for the site's loader
    (``_plugins/nn_blog.rb`` looks at ``$NN_BLOG`` first): serve may be started as
    ``python -m nn_blog`` or from a virtual environment that is neither the site's ``.venv`` nor
    on the PATH, and the Jekyll it starts must load the same nn-blog. A two-line script in the
    control folder runs this interpreter on ``-m nn_blog`` (the environment, PYTHONPATH
    included, passes through)."""
    folder = os.path.join(root, CONTROL)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "nn-blog")
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m nn_blog \"$@\"\n")
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return os.path.abspath(path)


def read_build(root) -> dict:
    """What Jekyll last answered (serving.rb's ``build.json``): its number, ok, error."""
    try:
        with open(os.path.join(root, CONTROL, "build.json"), encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _rel(path, root) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return ""


def redraw_cards(root) -> list[str]:
    """A post edit that needs no render may still change its social card (its title, its header
    image): the cards' own check, cheap when nothing changed. A failure is one line, and the
    site is served with the cards it has."""
    from nn_blog import cards

    try:
        return cards.update(root)
    except (ValueError, OSError) as err:
        print(f"nn-blog serve: social cards: {str(err).splitlines()[0]}", file=sys.stderr)
        return []


class Loop:
    """One build order: changes collect; once they settle, render if a declaration or the code
    changed, then ask Jekyll for one build and wait for its answer (bounded)."""

    def __init__(self, root, renderer, renders: Renders, delay=0.2, render=True):
        self.root, self.renderer, self.renders, self.render = root, renderer, renders, render
        self._lock = threading.Lock()
        self._needs_render = False
        self._code_changed = False
        self._posts_changed = False
        self._rendering = False
        self._render_end = 0.0
        self.builds = 0
        self.queue = RenderQueue(self._run, delay)

    def start(self) -> Loop:
        self.queue.start()
        return self

    def stop(self, timeout=None) -> None:
        self.queue.stop(timeout)

    def changed(self, path: str) -> None:
        with self._lock:
            if is_watched(path, self.root) and self.render:
                self._needs_render = True
                if not path.endswith(".yml"):
                    self._code_changed = True
            elif self.render and _rel(path, self.root).startswith("_posts/"):
                self._posts_changed = True  # a title or header may change its social card
            elif is_render_output(path, self.root) and (
                    self._rendering or time.monotonic() - self._render_end < 1.0):
                return  # the render's own files: the build after it reads them
        if os.environ.get("NN_BLOG_SERVE_DEBUG"):
            print(f"nn-blog serve: changed {os.path.relpath(path, self.root)}", file=sys.stderr)
        self.queue.request()

    def _run(self) -> None:
        with self._lock:
            render, self._needs_render = self._needs_render, False
            code, self._code_changed = self._code_changed, False
            posts, self._posts_changed = self._posts_changed, False
            self._rendering = render or posts
        try:
            if code:
                self.renders.restart_warm()
            if render:
                render_once(self.root, self.renderer, self.renders)
            elif posts:
                redraw_cards(self.root)
        finally:
            with self._lock:
                self._rendering = False
                self._render_end = time.monotonic()
        self.build()

    def build(self) -> dict:
        """Ask Jekyll for one build; its answer, or {} if it gave none in time."""
        before = read_build(self.root).get("n", 0)
        number = (before if isinstance(before, int) else 0) + 1
        self.builds += 1
        write_control(self.root, "request", f"{number}\n")
        end = time.monotonic() + BUILD_TIMEOUT
        while time.monotonic() < end:
            answer = read_build(self.root)
            if answer.get("n") == number:
                return answer
            time.sleep(0.05)
        return {}


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str, start: int | None = None) -> int:
    """The first free port from ``start`` on (a few tried), else one the system picks."""
    if start:
        for port in range(start, min(start + 20, 65536)):
            if port_free(host, port):
                return port
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def choose_ports(host: str, port: int, livereload_port: int) -> tuple[int, int]:
    """The ports to serve on: ``port`` 0 picks a free one; a taken one is a one-line error
    offering a free one. A taken LiveReload port is replaced (a second blog served at once)."""
    if port == 0:
        port = free_port(host, 4000)
    elif not port_free(host, port):
        raise NNBlogError(f"port {port} on {host} is taken (another server, or another "
                          f"nn-blog serve?); serve on a free one: --port {free_port(host, port)} "
                          "(or --port 0 to pick one)")
    if not port_free(host, livereload_port) or livereload_port == port:
        taken = livereload_port
        livereload_port = free_port(host, livereload_port + 1)
        while livereload_port == port:
            livereload_port = free_port(host, livereload_port + 1)
        print(f"nn-blog serve: LiveReload port {taken} is taken; using {livereload_port}",
              file=sys.stderr)
    return port, livereload_port


# WEBrick and EventMachine print a stack trace when a reader's reload closes a connection: noise.
_RESET = re.compile(r"ECONNRESET|EPIPE|Connection reset by peer|Broken pipe")
_TRACE = re.compile(r"^\s+(/|from |\S+\.rb:\d+)|^\s*\S+\.rb:\d+:in ")


def pump(stream, out) -> None:
    """Copy Jekyll's output to ``out`` without the connection-reset traces."""
    skipping = False
    for raw in stream:
        line = raw.decode(errors="replace")
        if _RESET.search(line):
            skipping = True
            continue
        if skipping and _TRACE.search(line):
            continue
        skipping = False
        out.write(line)
        out.flush()


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
    if jekyll is None:
        port, livereload_port = choose_ports(host, port, livereload_port)
    previous = {sig: signal.signal(sig, _raise_stopped) for sig in STOP_SIGNALS}
    renders = Renders()
    loop = observer = server = None
    try:
        # before Jekyll starts: its watcher ignores an excluded folder only if it exists by then
        with contextlib.suppress(OSError):
            os.makedirs(os.path.join(root, CONTROL), exist_ok=True)
            for name in ("request", "build.json", "error.json"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(root, CONTROL, name))
        if render:
            render_once(root, renderer, renders)
        # Figures are this process's job: the Jekyll hook must not render them a second time;
        # NN_BLOG_SERVE hands Jekyll's rebuilds to serve (serving.rb).
        env = {**os.environ, "NN_BLOG_SKIP_RENDER": "1",
               "NN_BLOG_SERVE": os.path.join(root, CONTROL)}
        env.setdefault("NN_BLOG", own_command(root))
        # started before the watcher's threads: preexec_fn runs between fork and exec
        server = subprocess.Popen(list(jekyll or jekyll_argv(host, port, livereload_port, root)),
                                  cwd=root, env=env, preexec_fn=_die_with_parent,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=pump, args=(server.stdout, sys.stdout), daemon=True,
                         name="nn-blog-jekyll-output").start()
        if jekyll is None:
            print(f"nn-blog serve: http://{host}:{port}/ (LiveReload on {livereload_port}); "
                  "Ctrl-C stops", flush=True)
        loop = Loop(root, renderer, renders, render=render).start()
        observer = watch(root, loop.changed, everything=True)
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
        if loop is not None:
            loop.stop(timeout=5)
