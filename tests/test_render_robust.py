"""A render killed mid-way, two renders at once, writes that fail: the site stays valid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from test_render_fixture import ENV, PYTHON, alive, rendered, set_lr

from nn_blog import fileio, render
from nn_blog import plan as plan_mod


@pytest.fixture
def site(tmp_path_factory, tmp_path):
    root = rendered(tmp_path_factory, tmp_path / "site")
    render.render(root, jobs=2)  # a no-op, unless the package changed since base was rendered
    return root


def assert_site_valid(root):
    """The manifest parses, and every file it lists exists and decodes."""
    manifest = json.loads((root / plan_mod.MANIFEST).read_text())
    json.loads((root / plan_mod.RESULTS).read_text())
    for entry in manifest.values():
        for rel in plan_mod.entry_files(entry):
            path = root / rel
            if path.suffix == ".svg":
                ET.fromstring(path.read_bytes())
            else:
                Image.open(path).load()
    return manifest


def start(root, *args):
    return subprocess.Popen([PYTHON, "-m", "nn_blog", "render", "--root", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True)


def children(pid: int) -> set[int]:
    out = set()
    for entry in os.scandir("/proc"):
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                if entry.name.isdigit() and int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.add(int(entry.name))
        except (OSError, ValueError):
            continue
    return out


@pytest.mark.parametrize("after_jobs, whole_group", [(1, False), (3, True)])
def test_kill_9_mid_render_leaves_valid_files_and_manifest(site, after_jobs, whole_group):
    """moons changed: trained, then drawn light and dark. Killed after the first or last job."""
    set_lr(site, "moons", "0.02", "0.015")
    old_manifest = assert_site_valid(site)
    proc = start(site, "--jobs", "2")
    seen = 0
    for line in proc.stdout:
        seen += line.startswith("[")
        if seen >= after_jobs:
            break
    workers = children(proc.pid)
    if whole_group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:  # the render alone: its workers must notice and exit
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(alive(pid) for pid in workers)
    manifest = assert_site_valid(site)
    assert set(manifest) == set(old_manifest)
    render.render(site, jobs=2)  # picks up where the killed one stopped
    assert all(item.status == "fresh" for item in render.status(site))
    assert_site_valid(site)
    assert not list(site.rglob(f"*{render.TMP_MARK}*"))


def test_two_concurrent_renders_do_the_work_once(site):
    set_lr(site, "moons", "0.02", "0.025")
    procs = [start(site, "--jobs", "1") for _ in range(2)]
    outs = [proc.communicate(timeout=240) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outs
    stdout = "".join(out for out, _ in outs)
    assert stdout.count("trained network moons") == 1, stdout
    assert stdout.count("drew moons-loss (light") == 1, stdout
    assert all(item.status == "fresh" for item in render.status(site))
    assert_site_valid(site)


def test_lock_makes_the_second_render_wait(tmp_path):
    heard, entered = [], threading.Event()

    def second():
        with render.render_lock(tmp_path, lambda message, done, total: heard.append(message)):
            entered.set()

    with render.render_lock(tmp_path, lambda *a: None):
        thread = threading.Thread(target=second)
        thread.start()
        assert not entered.wait(0.3)
        assert heard and heard[0].startswith("waiting for another render (pid ")
    thread.join(5)
    assert entered.is_set()


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a" / "figure.png"
    assert fileio.write_atomic(path, b"old", skip_unchanged=True)
    assert not fileio.write_atomic(path, b"old", skip_unchanged=True)  # unchanged: not rewritten

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        fileio.write_atomic(path, b"new", skip_unchanged=True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in path.parent.iterdir()] == ["figure.png"]
