"""Issue 11, the render's side: publishing as a whole (D9), orphans (D18), symlinked folders
(D19), file-system errors and a lost worker (D8, D16), a cache that fails a check (D13, D14)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest
from test_render_fixture import ENV, FIGURES, NETWORKS, PYTHON, cli, rendered, set_lr

from nn_blog import keys, layout, publish, render
from nn_blog import plan as plan_mod
from nn_blog.errors import NNBlogError


@pytest.fixture
def site(tmp_path_factory, tmp_path):
    root = rendered(tmp_path_factory, tmp_path / "site")
    render.render(root, jobs=2)  # a no-op, unless the package changed since base was rendered
    return root


def manifest_of(root):
    return json.loads((root / plan_mod.MANIFEST).read_text())


def results_of(root):
    return json.loads((root / plan_mod.RESULTS).read_text())["networks"]


def one_render(root, check_fixed=True):
    """The manifest and every file it names are from one render -> the manifest.

    Every content-addressed file the manifest names exists and holds the bytes its name's digest
    says; with ``check_fixed`` (no publish pending) so do the fixed paths (legacy files: the
    entry's hash), and results.json is the one the figures were drawn from.
    """
    manifest = manifest_of(root)
    for name, entry in manifest.items():
        files = plan_mod.entry_files(entry)
        for rel in files:
            if layout.slot_of(rel):
                digest = re.search(r"\.([0-9a-f]{12})\.\w+$", rel)[1]
                assert keys.sha256((root / rel).read_bytes())[:12] == digest, rel
        if check_fixed:
            digests = {rel: keys.sha256((root / rel).read_bytes()) for rel in files}
            assert plan_mod.files_hash(digests) == entry["hash"], name
    if check_fixed:
        results = results_of(root)
        for name, entry in manifest.items():
            for net, key in entry["inputs"]["networks"].items():
                assert results[net]["key"] == key, (name, net)
    return manifest


# --- D9: kill -9 at any moment of the publish --------------------------------------------

KILL_AT = """
import atexit, os, signal, sys
calls, real, limit = [0], os.replace, int(sys.argv[1])
def replace(src, dst):
    real(src, dst)
    calls[0] += 1
    if calls[0] == limit:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace  # the parent's renames only: spawned workers do not run this
atexit.register(lambda: print("renames:", calls[0], file=sys.stderr))
from nn_blog.cli import main
main(sys.argv[2:])
"""


def render_killed_at(root, n):
    """``nn-blog render`` that kills itself (SIGKILL) right after its n-th rename."""
    return subprocess.run([PYTHON, "-c", KILL_AT, str(n), "render", "--jobs", "2", "--root",
                           str(root)], capture_output=True, text=True, env=ENV, timeout=240)


def test_kill_9_between_any_two_renames_leaves_one_render(site, tmp_path):
    set_lr(site, "xor", "0.05", "0.045")  # xor's three figures, legacy files, results: ~30 files
    old = manifest_of(site)
    probe = tmp_path / "probe"
    shutil.copytree(site, probe)
    done = render_killed_at(probe, 10**6)
    assert done.returncode == 0, done.stderr
    total = int(re.search(r"renames: (\d+)", done.stderr)[1])
    new = one_render(probe)
    assert total > 20 and new != old
    # before the commit (content-addressed files only), at it (the journal the last rename),
    # between two renames of fixed paths, after the manifest's rename (the sweep pending)
    for n in sorted({total // 2, total - 4, total - 2, total - 1}):
        copy = tmp_path / f"kill-{n}"
        shutil.copytree(site, copy)
        killed = render_killed_at(copy, n)
        assert killed.returncode == -signal.SIGKILL, (n, killed.stderr)
        pending = publish.pending(copy)
        manifest = one_render(copy, check_fixed=not pending)
        assert manifest in (old, new), n
        if not pending:
            assert manifest == old, n  # killed before the commit: the site as it was
        # the next command (list) finishes a committed publish: every fixed path agrees too
        cli(copy, "list")
        assert not publish.pending(copy)
        assert one_render(copy) in (old, new)
        render.render(copy, jobs=2)
        assert one_render(copy) == new, n
        assert not list(copy.rglob(f"*{render.TMP_MARK}*"))
        assert not [p for p in (copy / "assets/images/nn").iterdir()
                    if p.name not in {u.rsplit("/", 1)[1] for e in new.values()
                                      for u in plan_mod.entry_files(e)}], n
        shutil.rmtree(copy)


def test_old_files_are_swept_once_the_new_manifest_is_in(site):
    old = {rel for e in manifest_of(site).values() for rel in plan_mod.entry_files(e)}
    set_lr(site, "xor", "0.05", "0.055")
    render.render(site, jobs=2)
    new = {rel for e in manifest_of(site).values() for rel in plan_mod.entry_files(e)}
    gone = {rel for rel in old - new}
    assert gone and not any((site / rel).exists() for rel in gone)
    one_render(site)


# --- D18: orphans ---------------------------------------------------------------------------

def test_a_removed_figure_network_and_excerpt_are_orphans_until_swept(site):
    entry = manifest_of(site)["moons-loss"]
    files = plan_mod.entry_files(entry)
    caches = list((site / plan_mod.NETWORK_CACHE).glob("moons-*.npz"))
    assert caches and all((site / rel).exists() for rel in files)
    (site / "_data/figures.yml").write_text(FIGURES.split("moons-loss:")[0] + "neuron:" +
                                            FIGURES.split("neuron:")[1])
    (site / "_data/networks.yml").write_text(NETWORKS.split("moons:")[0])
    (site / "_data/excerpts.yml").write_text("one-hot: nn_blog.data.one_hot\n")
    rows = {tuple(line.split()[:3]) for line in cli(site, "list").stdout.splitlines()}
    assert {("figure", "moons-loss", "orphan"), ("network", "moons", "orphan"),
            ("excerpt", "dense-forward", "orphan")} <= rows
    assert cli(site, "render", "--check", check=False).returncode == 1
    render.render(site, jobs=1)
    assert not any((site / rel).exists() for rel in files)
    assert not any(path.exists() for path in caches)
    assert not (site / "_includes/generated/excerpts/dense-forward.md").exists()
    assert "moons-loss" not in manifest_of(site) and "moons" not in results_of(site)
    assert all(item.status == "fresh" for item in render.status(site))


def test_a_cache_of_a_declared_network_with_an_older_key_stays(site):
    old = sorted(p.name for p in (site / plan_mod.NETWORK_CACHE).glob("xor-*.npz"))
    set_lr(site, "xor", "0.05", "0.06")
    render.render(site, jobs=2)
    now = sorted(p.name for p in (site / plan_mod.NETWORK_CACHE).glob("xor-*.npz"))
    assert set(old) < set(now)  # undoing the edit finds the old network again


# --- D19: a symlinked folder ----------------------------------------------------------------

def test_a_symlinked_output_folder_is_refused(site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(site / "assets/images/nn", elsewhere)
    shutil.rmtree(site / "assets/images/nn")
    (site / "assets/images/nn").symlink_to(elsewhere)
    before = sorted(p.name for p in elsewhere.iterdir())
    set_lr(site, "xor", "0.05", "0.07")
    with pytest.raises(NNBlogError, match="outside the site"):
        render.render(site, jobs=1)
    assert sorted(p.name for p in elsewhere.iterdir()) == before
    proc = cli(site, "render", check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "assets/images/nn/" in proc.stderr


# --- D8: file-system errors -----------------------------------------------------------------

def assert_one_line(proc, *words):
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_cache_folder_that_is_a_plain_file(site):
    shutil.rmtree(site / ".cache")
    (site / ".cache").write_text("not a folder\n")
    set_lr(site, "xor", "0.05", "0.08")
    before = (site / plan_mod.MANIFEST).read_bytes()
    assert_one_line(cli(site, "render", check=False), ".cache", "Not a directory")
    assert (site / plan_mod.MANIFEST).read_bytes() == before


def test_a_cache_symlinked_outside_is_refused_before_anything_is_made_there(site, tmp_path):
    """Issue 20, tooling: ``.cache`` -> a folder outside the site: refused, and the refusal
    comes first (render.lock was created out there before it)."""
    elsewhere = tmp_path / "elsewhere"
    shutil.move(site / ".cache", elsewhere)
    (site / ".cache").symlink_to(elsewhere)
    (elsewhere / "nn-blog/render.lock").unlink()

    def state():
        return sorted((p.relative_to(elsewhere), p.stat().st_mtime_ns)
                      for p in elsewhere.rglob("*"))

    before = state()
    set_lr(site, "xor", "0.05", "0.09")
    assert_one_line(cli(site, "render", check=False), "outside the site", ".cache")
    assert state() == before


BLOCK_MATPLOTLIB = """\
import sys


class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "matplotlib":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, Block())
"""


def test_a_missing_matplotlib_is_one_line(site, tmp_path):
    """Issue 20, tooling: without matplotlib (a sitecustomize refuses it, in the workers too) a
    render that must draw says what to install in one line, not a traceback."""
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK_MATPLOTLIB)
    path = os.pathsep.join(filter(None, [str(blocker), ENV.get("PYTHONPATH")]))
    env = {**ENV, "PYTHONPATH": path}
    set_lr(site, "xor", "0.05", "0.11")
    before = (site / plan_mod.MANIFEST).read_bytes()
    proc = subprocess.run([PYTHON, "-m", "nn_blog", "render", "--root", str(site)],
                          capture_output=True, text=True, env=env, timeout=240)
    assert_one_line(proc, "matplotlib is not installed: pip install nn-blog")
    assert (site / plan_mod.MANIFEST).read_bytes() == before


def test_read_only_output_folder(site, monkeypatch):
    """A read-only folder, simulated (tests run as root, who may write anywhere)."""
    import pathlib

    real_open, real_replace = pathlib.Path.open, os.replace

    def refuse(path):
        if "assets/images/nn" in str(path):
            raise PermissionError(13, "Permission denied", str(path))

    def read_only(path, mode="r", *args, **kwargs):
        if set(mode) & set("wax+"):
            refuse(path)
        return real_open(path, mode, *args, **kwargs)

    def no_new_entry(src, dst):  # a rename into a read-only folder fails the same way
        refuse(dst)
        return real_replace(src, dst)

    set_lr(site, "xor", "0.05", "0.09")
    before = (site / plan_mod.MANIFEST).read_bytes()
    monkeypatch.setattr(pathlib.Path, "open", read_only)
    monkeypatch.setattr(os, "replace", no_new_entry)
    with pytest.raises(NNBlogError, match=r"assets/images/nn/.*Permission denied") as info:
        render.render(site, jobs=1)
    assert "\n" not in str(info.value)
    monkeypatch.undo()
    assert (site / plan_mod.MANIFEST).read_bytes() == before
    assert not publish.pending(site)
    assert not list(site.rglob(f"*{render.TMP_MARK}*"))


def test_file_size_limit(site):
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    set_lr(site, "xor", "0.05", "0.1")
    before = (site / plan_mod.MANIFEST).read_bytes()
    proc = subprocess.run([PYTHON, "-m", "nn_blog", "render", "--root", str(site)],
                          capture_output=True, text=True, env=ENV, timeout=240,
                          preexec_fn=limit)
    assert_one_line(proc, "File too large", "errno 27")
    assert (site / plan_mod.MANIFEST).read_bytes() == before


def test_networks_yml_that_is_a_folder(site):
    (site / "_data/networks.yml").unlink()
    (site / "_data/networks.yml").mkdir()
    assert_one_line(cli(site, "render", check=False), "_data/networks.yml")


# --- D16: a lost worker ---------------------------------------------------------------------

def workers_of(pid):
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except (OSError, ValueError):
            continue
        if parent == pid and b"spawn_main" in cmdline:
            out.append(int(entry.name))
    return out


def test_a_worker_killed_mid_render(site):
    set_lr(site, "xor", "0.05", "0.11")
    before = (site / plan_mod.MANIFEST).read_bytes()
    proc = subprocess.Popen([PYTHON, "-m", "nn_blog", "render", "--jobs", "1", "--root",
                             str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV)
    try:
        assert proc.stdout.readline().startswith("[1/"), "the first job's progress line"
        deadline = time.monotonic() + 30
        while not workers_of(proc.pid):
            assert time.monotonic() < deadline, "timed out waiting for a worker process"
            time.sleep(0.05)
        os.kill(workers_of(proc.pid)[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    lines = err.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, err
    assert "worker process died while" in lines[0] and "nothing was published" in lines[0]
    assert (site / plan_mod.MANIFEST).read_bytes() == before
    one_render(site)


# --- D13, D14: a cache that fails a check is trained again, never drawn -------------------------

def _rewrite(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    np.savez_compressed(path, **arrays)


def _meta(edit):
    def change(arrays):
        meta = json.loads(str(arrays["meta"]))
        edit(meta)
        arrays["meta"] = np.array(json.dumps(meta))
    return change


CORRUPTIONS = {
    "zero-bytes": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "pickled": lambda p: _rewrite(p, lambda a: a.update(meta=np.array([{}], dtype=object))),
    "nan-weights": lambda p: _rewrite(p, lambda a: a["param_0"].fill(np.nan)),
    "no-seed": lambda p: _rewrite(p, _meta(lambda m: m["results"].pop("seed"))),
    "no-history": lambda p: _rewrite(p, _meta(lambda m: m.pop("history"))),
    "other-architecture": lambda p: _rewrite(p, lambda a: a.update(param_0=np.zeros((3, 3)))),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_cache_failing_a_check_is_trained_again_with_a_warning(site, capsys, corruption):
    p = plan_mod.make_plan(site)
    cache = p.cache("moons")
    svg = site / manifest_of(site)["moons-loss"]["light"]["svg"].lstrip("/")
    original = svg.read_bytes()
    CORRUPTIONS[corruption](cache)
    svg.unlink()  # the figure is stale: drawing it needs the network
    capsys.readouterr()
    report = render.render(site, jobs=1)
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert report.trained == ["moons"], corruption
    assert len(warnings) == 1 and str(cache.relative_to(site)) in warnings[0], warnings
    assert warnings[0].endswith("training it again")
    assert svg.read_bytes() == original  # drawn from the network trained again, not the bad file
    from nn_blog import experiments

    experiments.load_trained(experiments.load_networks(site)["moons"], cache)  # repaired
