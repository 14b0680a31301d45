"""`nn-blog serve`: which edits trigger a render, how bursts coalesce, and the process wiring."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from test_render_fixture import alive

from nn_blog import serve
from nn_blog.jekyll import info


def wait_for(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.parametrize(("rel", "watched"), [
    ("_data/networks.yml", True),
    ("_data/figures.yml", True),
    ("nn_blog/figures/style.py", True),
    ("nn_blog/nn/layers.py", True),
    ("_data/generated/figures.json", False),   # written by the render itself
    ("_data/excerpts.yml", True),
    ("nn_blog/__pycache__/layers.cpython-311.pyc", False),
    ("assets/images/nn/moons-boundary.svg", False),
    ("_posts/2020-10-17-nn-from-scratch.md", False),
])
def test_only_declarations_and_package_code_are_watched(tmp_path, rel, watched):
    assert serve.is_watched(tmp_path / rel, tmp_path) is watched


def test_a_path_outside_the_root_is_not_watched(tmp_path):
    assert not serve.is_watched(tmp_path.parent / "_data" / "figures.yml", tmp_path)


def test_a_burst_of_requests_renders_once():
    calls = []
    # a burst well inside the settling delay (0.5 s: a loaded machine's scheduling hiccups
    # between two requests 20 ms apart stay far below it)
    queue = serve.RenderQueue(lambda: calls.append(time.monotonic()), delay=0.5).start()
    try:
        for _ in range(5):
            queue.request()
            time.sleep(0.02)
        assert wait_for(lambda: len(calls) == 1)
        time.sleep(1.0)
        assert len(calls) == 1
    finally:
        queue.stop(timeout=2)


def test_a_request_during_a_render_queues_one_more():
    started, release, calls = threading.Event(), threading.Event(), []

    def action():
        calls.append(1)
        started.set()
        release.wait(2)

    queue = serve.RenderQueue(action, delay=0.05).start()
    try:
        queue.request()
        assert started.wait(2)
        queue.request()
        queue.request()
        release.set()
        assert wait_for(lambda: len(calls) == 2)
        time.sleep(0.2)
        assert len(calls) == 2
    finally:
        queue.stop(timeout=2)


def test_the_watcher_sees_a_declaration_change_but_not_other_files(tmp_path):
    (tmp_path / "_data").mkdir()
    (tmp_path / "nn_blog").mkdir()
    (tmp_path / "_data" / "figures.yml").write_text("a: 1\n")
    events = []
    observer = serve.watch(tmp_path, lambda path: events.append(path))
    try:
        time.sleep(0.2)
        (tmp_path / "_data" / "comments.yml").write_text("x\n")
        (tmp_path / "nn_blog" / "notes.txt").write_text("x\n")
        time.sleep(0.5)
        assert events == []
        (tmp_path / "_data" / "figures.yml").write_text("a: 2\n")
        assert wait_for(lambda: events)
        events.clear()
        (tmp_path / "nn_blog" / "engine.py").write_text("x = 1\n")
        assert wait_for(lambda: events)
    finally:
        observer.stop()
        observer.join(timeout=5)


def test_commands_are_argv_lists(tmp_path):
    (tmp_path / "Gemfile").write_text('gem "jekyll"\n')
    assert serve.jekyll_argv("127.0.0.1", 4000, 35729, tmp_path) == [
        "bundle", "exec", "jekyll", "serve", "--host", "127.0.0.1", "--port", "4000",
        "--livereload", "--livereload-port", "35729"]
    (tmp_path / "Gemfile").unlink()  # a site without Bundler (minima from Debian, say)
    assert serve.jekyll_argv("127.0.0.1", 4000, 35729, tmp_path)[:2] == ["jekyll", "serve"]
    assert serve.render_argv(tmp_path)[1:] == ["-m", "nn_blog", "render", "--root", str(tmp_path)]


def test_serve_renders_first_then_runs_jekyll_without_its_render_hook(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_data").mkdir()
    log = tmp_path / "log"
    renderer = [sys.executable, "-c", f"open({str(log)!r}, 'a').write('render\\n')"]
    skip = "os.environ['NN_BLOG_SKIP_RENDER']"
    jekyll = [sys.executable, "-c", f"import os; open({str(log)!r}, 'a').write('jekyll ' + {skip})"]
    code = serve.serve(tmp_path, jekyll=jekyll, renderer=renderer)
    assert code == 0
    assert log.read_text().splitlines() == ["render", "jekyll 1"]


def test_serve_outside_a_site_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no _config.yml"):
        serve.serve(tmp_path, jekyll=["true"], renderer=["true"])


def test_stopping_jekyll_interrupts_it_like_ctrl_c(tmp_path):
    script = ("import signal, sys, time\n"
              "signal.signal(signal.SIGINT, lambda *a: sys.exit(0))\n"
              "print('ready', flush=True)\n"
              "time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    start = time.monotonic()
    assert serve._stop(proc) == 0  # exited through its SIGINT handler, not killed
    assert time.monotonic() - start < 5


# --- D15: Jekyll never outlives serve ---------------------------------------------------------

FAKE_JEKYLL = ("import os, signal, sys, time\n"
               "signal.signal(signal.SIGINT, lambda *a: sys.exit(0))\n"
               "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
               "time.sleep(60)\n")
SERVE = ("import sys\nfrom nn_blog import serve\n"
         "sys.exit(serve.serve(sys.argv[1], render=False, jekyll=[sys.executable, '-c', "
         "sys.argv[2], sys.argv[3]]))\n")


def start_serve(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\n")
    pid_file = tmp_path / "jekyll.pid"
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(tmp_path), FAKE_JEKYLL,
                             str(pid_file)], start_new_session=True)
    assert wait_for(lambda: pid_file.exists() and pid_file.read_text(), timeout=20), \
        "timed out waiting for the fake Jekyll to start"
    return proc, int(pid_file.read_text())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_a_signal_to_serve_stops_jekyll(tmp_path, sig):
    proc, jekyll = start_serve(tmp_path)
    try:
        assert alive(jekyll)
        time.sleep(0.3)  # serve is waiting on Jekyll, its handlers in place
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert wait_for(lambda: not alive(jekyll), timeout=15), \
            f"Jekyll (pid {jekyll}) still running after {sig.name} to serve"
        if sig != signal.SIGKILL:
            assert proc.returncode == 0  # Jekyll stopped through its SIGINT handler
        assert (tmp_path / ".cache" / "nn-blog").is_dir()  # made before Jekyll started
    finally:
        proc.kill()
        if alive(jekyll):
            os.kill(jekyll, signal.SIGKILL)


def test_a_render_writes_nothing_but_its_outputs_outside_the_cache(tmp_path_factory, tmp_path):
    """Jekyll watches the site: it must see the published files, never a temporary one."""
    from test_render_fixture import rendered, set_lr
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from nn_blog import render

    root = rendered(tmp_path_factory, tmp_path / "site")
    set_lr(root, "moons", "0.02", "0.018")
    seen = []

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type not in ("opened", "closed_no_write", "closed"):
                seen.extend(p for p in (event.src_path, getattr(event, "dest_path", "")) if p)

    observer = Observer()
    observer.schedule(Handler(), str(root), recursive=True)
    observer.start()
    try:
        render.render(root, jobs=1)
        time.sleep(0.5)
    finally:
        observer.stop()
        observer.join(timeout=5)
    outside = {os.path.relpath(p, root) for p in seen} - {"."}
    outside = {p for p in outside if not p.startswith(".cache")}
    assert outside, "the render published nothing?"
    assert not [p for p in outside if render.TMP_MARK in p], sorted(outside)


# --- issue 20, row 8: a render never outlives serve --------------------------------------------

# A render that records its pid, then "trains" for a minute and publishes; with a grandchild (the
# render's worker pool) that would publish too. The first call (the initial render, when
# `quick` exists) returns at once, so a test can reach the watcher's render.
FAKE_RENDER = ("import os, subprocess, sys, time\n"
               "d = sys.argv[1]\n"
               "if os.path.exists(os.path.join(d, 'quick')):\n"
               "    os.remove(os.path.join(d, 'quick')); sys.exit(0)\n"
               "w = subprocess.Popen([sys.executable, '-c', 'import sys, time; time.sleep(60); "
               "open(sys.argv[1], \"w\")', os.path.join(d, 'worker-published')])\n"
               "open(os.path.join(d, 'render.pid'), 'w').write(f'{os.getpid()} {w.pid}')\n"
               "time.sleep(60)\n"
               "open(os.path.join(d, 'published'), 'w')\n")
SERVE_RENDERING = ("import sys\nfrom nn_blog import serve\n"
                   "sys.exit(serve.serve(sys.argv[1], jekyll=[sys.executable, '-c', sys.argv[2], "
                   "sys.argv[3]], renderer=[sys.executable, '-c', sys.argv[4], sys.argv[1]]))\n")


@pytest.mark.parametrize(("when", "sig"), [("initial", signal.SIGTERM), ("watcher", signal.SIGTERM),
                                           ("initial", signal.SIGHUP), ("watcher", signal.SIGKILL)])
def test_a_render_stops_with_serve(tmp_path, when, sig):
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_data").mkdir()
    if when == "watcher":
        (tmp_path / "quick").write_text("")
    pid_file, jekyll_pid = tmp_path / "render.pid", tmp_path / "jekyll.pid"
    proc = subprocess.Popen([sys.executable, "-c", SERVE_RENDERING, str(tmp_path), FAKE_JEKYLL,
                             str(jekyll_pid), FAKE_RENDER], start_new_session=True)
    pids = []
    try:
        if when == "watcher":
            assert wait_for(jekyll_pid.exists, timeout=20), "the fake Jekyll did not start"
            # the watcher starts just after Jekyll: save until it has seen a save (bounded)
            end = time.monotonic() + 20
            while not pid_file.exists() and time.monotonic() < end:
                (tmp_path / "_data" / "networks.yml").write_text(f"# {time.monotonic()}\n")
                wait_for(pid_file.exists, timeout=1)
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text(), timeout=20), \
            f"the {when} render did not start"
        pids = [int(p) for p in pid_file.read_text().split()]
        time.sleep(0.3)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert wait_for(lambda: not any(alive(p) for p in pids), timeout=15), \
            f"the {when} render (or its worker) still runs after {sig.name} to serve"
        assert not (tmp_path / "published").exists()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        for pid in pids:
            # only the fake render and its worker: their pids may be another test's process by now
            if alive(pid) and _started_here(pid, tmp_path):
                os.kill(pid, signal.SIGKILL)


def _started_here(pid: int, folder) -> bool:
    """Whether process ``pid``'s command line names ``folder`` (a reused pid would not)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return str(folder).encode() in fh.read()
    except OSError:
        return False


# --- issue 17: serve like a tool ---------------------------------------------------------------

def test_a_taken_port_is_one_line_offering_a_free_one(tmp_path):
    import socket

    (tmp_path / "_config.yml").write_text("title: t\n")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "nn_blog", "serve", "--no-render",
                               "--port", str(port), "--root", str(tmp_path)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port} on 127.0.0.1 is taken" in lines[0], proc.stderr
    offered = int(lines[0].split("--port ")[1].split()[0])
    assert offered != port and "--port 0 to pick one" in lines[0]


def test_port_0_picks_a_free_port_and_a_taken_livereload_port_is_replaced():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        taken = sock.getsockname()[1]
        port, livereload = serve.choose_ports("127.0.0.1", 0, taken)
    assert port and livereload not in (taken, port)


def test_connection_resets_are_left_out_of_jekylls_output():
    import io

    text = ("      Regenerating: nn-blog serve asked (#1)\n"
            "[2026-12-07 15:00:00] ERROR Errno::ECONNRESET: Connection reset by peer @ io_fillbuf\n"
            "\t/usr/lib/ruby/3.1.0/webrick/httpserver.rb:82:in `eof?'\n"
            "\t/usr/lib/ruby/3.1.0/webrick/httpserver.rb:82:in `run'\n"
            "                    ...done in 0.5 seconds.\n")
    out = io.StringIO()
    serve.pump(io.BytesIO(text.encode()), out)
    assert out.getvalue() == ("      Regenerating: nn-blog serve asked (#1)\n"
                              "                    ...done in 0.5 seconds.\n")


@pytest.mark.parametrize(("rel", "content"), [
    ("_posts/2020-10-17-nn-from-scratch.md", True), ("about.md", True),
    ("_site/index.html", False), (".cache/nn-blog/serve/request", False),
    (".jekyll-cache/x", False), ("node_modules/x/y.js", False), ("_posts/.x.md.swp", False),
    ("_posts/x.md~", False), ("_data/generated/figures.json", True)])
def test_what_a_build_follows(tmp_path, rel, content):
    assert serve.is_content(tmp_path / rel, tmp_path) is content


def test_a_post_edit_redraws_its_social_card_without_a_render(tmp_path, monkeypatch):
    """Serve renders on declarations and code, not on posts; a post's title is on its card, so
    a post edit runs the cards' own check before the build (issue 20: serve never redrew)."""
    calls = []
    monkeypatch.setattr(serve, "redraw_cards", lambda root: calls.append(root) or [])
    monkeypatch.setattr(serve, "render_once", lambda *a, **k: calls.append("render"))
    loop = serve.Loop(tmp_path, renderer=None, renders=None, render=True)
    monkeypatch.setattr(loop, "build", lambda: {})
    loop.changed(str(tmp_path / "_posts" / "2020-01-01-a.md"))
    loop._run()
    assert calls == [tmp_path]
    loop.changed(str(tmp_path / "_data" / "figures.yml"))  # a render draws the cards itself
    loop._run()
    assert calls == [tmp_path, "render"]


def test_jekyll_finds_the_nn_blog_that_serve_runs(tmp_path, monkeypatch):
    """serve started as `python -m nn_blog` (or from a venv neither in the site nor on the
    PATH): the Jekyll it starts gets $NN_BLOG, a command that runs this same package, so the
    site's loader loads this plugin and no other."""
    monkeypatch.delenv("NN_BLOG", raising=False)
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_data").mkdir()
    got = tmp_path / "nn_blog_env"
    jekyll = [sys.executable, "-c", "import os, sys; "
              f"open({str(got)!r}, 'w').write(os.environ['NN_BLOG'])"]
    assert serve.serve(tmp_path, jekyll=jekyll, renderer=[sys.executable, "-c", ""]) == 0
    command = got.read_text()
    bare = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([command, "plugin", "--json"], capture_output=True, text=True,
                          env=bare, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plugin"] == info()["plugin"]


def test_an_nn_blog_the_author_chose_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("NN_BLOG", "/opt/mine/bin/nn-blog")
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_data").mkdir()
    got = tmp_path / "nn_blog_env"
    jekyll = [sys.executable, "-c",
              f"import os; open({str(got)!r}, 'w').write(os.environ['NN_BLOG'])"]
    assert serve.serve(tmp_path, jekyll=jekyll, renderer=[sys.executable, "-c", ""]) == 0
    assert got.read_text() == "/opt/mine/bin/nn-blog"
