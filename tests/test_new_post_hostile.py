"""`nn-blog new` against hostile input (issue "Hostile inputs, round 2"): titles YAML reads as
something else, control characters, two at once, kill -9, file-system errors, URLs in use, and
the low rows (scripts, dates, roots, modes, symlinks)."""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nn_blog import scaffold
from nn_blog.declarations import load_figures, load_networks
from nn_blog.errors import NNBlogError

ROOT = Path(__file__).resolve().parents[1]
NN_BLOG = [sys.executable, "-m", "nn_blog"]


def _site(tmp_path, name="site"):
    site = tmp_path / name
    (site / "_posts").mkdir(parents=True)
    (site / "_data").mkdir()
    (site / "_config.yml").write_text("title: A site\npermalink: pretty\n")
    for rel in ("_data/networks.yml", "_data/figures.yml"):
        shutil.copy(ROOT / rel, site / rel)
    return site


def _run(args, cwd, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, env=env,
                          **kw)


def _files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and ".cache" not in p.parts}


def _one_line(done):
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("nn-blog: error: ") and done.stderr.count("\n") == 1, \
        done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- 1. titles YAML reads otherwise

YAML_WORDS = ["Yes", "No", "On", "Off", "True", "Null", "123", "0x1F", "0b101", "2020-01-01"]


@pytest.mark.parametrize("title", YAML_WORDS)
def test_a_title_yaml_reads_as_no_text_still_loads(tmp_path, title):
    site = _site(tmp_path)
    made = scaffold.new_post(site, title, date=dt.date(2020, 5, 6))
    networks = load_networks(site)  # what every later command reads first
    figures = load_figures(site, networks=networks)
    assert made["network"] in networks and networks[made["network"]]["title"] == title
    assert figures[made["figure"]].network == made["network"]


def test_declarations_that_do_not_read_back_are_put_back(tmp_path, monkeypatch):
    site = _site(tmp_path)
    before = _files(site)
    monkeypatch.setattr(scaffold, "_network_text",
                        lambda network, title: f"\n{network}:\n  epochs: -1\n")
    with pytest.raises(NNBlogError, match="'broken'"):
        scaffold.new_post(site, "Broken", date=dt.date(2020, 5, 6))
    assert _files(site) == before


# ------------------------------------------------------------------- 2. control characters

@pytest.mark.parametrize("char", ["\x7f", "\u0090", "\ufffe", "\x1b", "\x00", "\x85", "\ufdd0",
                                  "\U0001ffff", "\u202e", "\u2028", "\r"])
def test_control_characters_in_a_title_are_refused(tmp_path, char):
    site = _site(tmp_path)
    before = _files(site)
    with pytest.raises(NNBlogError, match="title"):
        scaffold.new_post(site, f"Bad{char}title", date=dt.date(2020, 5, 6))
    assert _files(site) == before


def test_a_control_character_costs_one_line(tmp_path):
    site = _site(tmp_path)
    before = _files(site)
    _one_line(_run([*NN_BLOG, "new", "Bad\x7ftitle"], site))
    assert _files(site) == before


# ------------------------------------------------------------------------ 3. two at once

def test_two_new_posts_at_once_keep_both_declarations(tmp_path, monkeypatch):
    site = _site(tmp_path)
    read = scaffold._appended

    def slow(path, block):  # read, then dawdle: another `new` reads the same old file
        text = read(path, block)
        time.sleep(0.3)
        return text

    monkeypatch.setattr(scaffold, "_appended", slow)
    errors = []

    def one(title):
        try:
            scaffold.new_post(site, title, date=dt.date(2020, 5, 6))
        except Exception as err:  # noqa: BLE001 -- reported below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(t,)) for t in ("First", "Second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    networks = load_networks(site)
    assert {"first", "second"} <= set(networks)
    assert {"first-boundary", "second-boundary"} <= set(load_figures(site, networks=networks))


# ---------------------------------------------------------------------------- 4. kill -9

# `nn-blog new` with every rename slowed down, so that random kills land between them
SLOW_RENAMES = """
import os, sys, time
rename = os.replace
os.replace = lambda *a, **k: (time.sleep(0.15), rename(*a, **k))[1]
from nn_blog.cli import main
sys.argv[0] = "nn-blog"
main()
"""


def test_kill_9_leaves_the_old_state_or_the_new_one(tmp_path):
    site = _site(tmp_path)
    old = _files(site)
    made = _run([*NN_BLOG, "new", "Killed", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    new = _files(site)
    start = time.monotonic()
    took = []
    _restore(site, old)
    rng = random.Random(0)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    for trial in range(30):
        if time.monotonic() - start > 90:
            break
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", SLOW_RENAMES, "new", "Killed", "--date",
                                 "2020-05-06"], cwd=site, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        took.append(time.monotonic() - t0)
        # the next `new` recovers first: the state is the old one or the new one, never half
        from nn_blog import multiwrite

        multiwrite.recover(site)
        state = {k: v for k, v in _files(site).items() if "nnblog-tmp" not in k}
        assert state in (old, new), f"trial {trial}: {sorted(set(state) ^ set(old))}"
        again = _run([*NN_BLOG, "new", "Killed", "--date", "2020-05-06"], site)
        if state == old:
            assert again.returncode == 0, again.stderr
        else:
            _one_line(again)  # exists already
        assert _files(site) == new
        assert not [p for p in site.rglob("*nnblog-tmp*")], trial
        _restore(site, old)


def _restore(site, files):
    for path in list(site.rglob("*")):
        if path.is_file() and ".cache" not in path.parts and \
                path.relative_to(site).as_posix() not in files:
            path.unlink()
    for rel, data in files.items():
        (site / rel).write_bytes(data)


# ------------------------------------------------------------------- 5. file-system errors

def test_a_file_size_limit_costs_one_line_and_writes_nothing(tmp_path):
    site = _site(tmp_path)
    before = _files(site)
    limit = (site / "_data/networks.yml").stat().st_size + 100

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = _run([*NN_BLOG, "new", "Too big", "--date", "2020-05-06"], site,
                preexec_fn=small_files)
    _one_line(done)
    assert "networks.yml" in done.stderr and "File too large" in done.stderr, done.stderr
    assert _files(site) == before
    assert not [p for p in site.rglob("*nnblog-tmp*")]


@pytest.mark.parametrize("blocked", ["_posts", "_data"])
def test_a_folder_that_is_a_file_costs_one_line(tmp_path, blocked):
    site = _site(tmp_path)
    shutil.rmtree(site / blocked)
    (site / blocked).write_text("not a folder\n")
    before = _files(site)
    done = _run([*NN_BLOG, "new", "Blocked", "--date", "2020-05-06"], site)
    _one_line(done)
    assert blocked in done.stderr
    assert _files(site) == before


# ------------------------------------------------------------------------ 6. URLs in use

def _pages(site):
    (site / "about.md").write_text("---\ntitle: About\npermalink: /about/\n---\nMe.\n")
    (site / "tags.html").write_text("---\ntitle: Tags\npermalink: /tags/\n---\n")
    (site / "_pages").mkdir()
    (site / "_pages" / "style.md").write_text("---\npermalink: /style-guide/\n---\n")
    (site / "_config.yml").write_text("title: A site\npermalink: /:title/\ninclude: [_pages]\n")


@pytest.mark.parametrize("title, page", [("About", "about.md"), ("Tags", "tags.html"),
                                         ("Style guide", "_pages/style.md")])
def test_a_url_a_page_has_is_refused(tmp_path, title, page):
    site = _site(tmp_path)
    _pages(site)
    before = _files(site)
    done = _run([*NN_BLOG, "new", title, "--date", "2020-05-06"], site)
    _one_line(done)
    assert page in done.stderr
    assert _files(site) == before


@pytest.mark.parametrize("ext", [".html", ".markdown", ".md"])
def test_a_post_of_another_extension_clashes_too(tmp_path, ext):
    site = _site(tmp_path)
    (site / "_posts" / f"2019-01-01-hello{ext}").write_text("---\ntitle: Hello\n---\nHi\n")
    before = _files(site)
    done = _run([*NN_BLOG, "new", "Hello", "--date", "2020-05-06"], site)
    _one_line(done)
    assert f"2019-01-01-hello{ext}" in done.stderr
    assert _files(site) == before


# ------------------------------------------------------------------------------ 7. low rows

@pytest.mark.parametrize("title, slug", [
    ("Straße", "strasse"), ("Łódź", "lodz"), ("½ a network", "1-2-a-network"),
    ("Привет, мир", "privet-mir"), ("Нейронная сеть", "neironnaya-set"),
    ("Ελληνικά", "ellinika"), ("Æsir Œuvre", "aesir-oeuvre")])
def test_slugs_of_other_letters(title, slug):
    assert scaffold.slugify(title) == slug


def test_a_title_in_a_script_without_a_slug_says_pass_slug(tmp_path):
    site = _site(tmp_path)
    done = _run([*NN_BLOG, "new", "神经网络", "--date", "2020-05-06"], site)
    _one_line(done)
    assert "--slug" in done.stderr
    made = _run([*NN_BLOG, "new", "神经网络", "--slug", "shenjing", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    text = (site / "_posts/2020-05-06-shenjing.md").read_text(encoding="utf-8")
    assert "神经网络" in text
    _one_line(_run([*NN_BLOG, "new", "X", "--slug", "Bad Slug!"], site))


def test_a_future_date_does_not_say_open_the_url(tmp_path):
    site = _site(tmp_path)
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    made = _run([*NN_BLOG, "new", "Later", "--date", later], site)
    assert made.returncode == 0, made.stderr
    assert "open http" not in made.stdout and "--future" in made.stdout, made.stdout


@pytest.mark.parametrize("date", ["20201017", "2020-W01-1", "2020-1-7", "2020-02-30", "tomorrow"])
def test_only_yyyy_mm_dd_dates(tmp_path, date):
    site = _site(tmp_path)
    before = _files(site)
    done = _run([*NN_BLOG, "new", "Dated", "--date", date], site)
    _one_line(done)
    assert "YYYY-MM-DD" in done.stderr
    assert _files(site) == before


def test_a_root_that_is_not_a_jekyll_site_is_refused(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    done = _run([*NN_BLOG, "new", "Hello", "--root", str(folder)], tmp_path)
    _one_line(done)
    assert "_config.yml" in done.stderr
    assert not any(folder.iterdir())


def test_modes_and_symlinks_of_the_declarations_are_kept(tmp_path):
    site = _site(tmp_path)
    os.chmod(site / "_data/networks.yml", 0o600)
    elsewhere = tmp_path / "shared" / "figures.yml"
    elsewhere.parent.mkdir()
    shutil.move(site / "_data/figures.yml", elsewhere)
    (site / "_data/figures.yml").symlink_to(elsewhere)
    made = _run([*NN_BLOG, "new", "Kept", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    assert (site / "_data/networks.yml").stat().st_mode & 0o777 == 0o600
    assert (site / "_data/figures.yml").is_symlink()
    assert "kept-boundary" in elsewhere.read_text()
    assert not [p for p in tmp_path.rglob("*nnblog-tmp*")]


def test_a_refused_new_still_clears_what_a_killed_one_left_after_its_commit(tmp_path):
    """Killed after its journal was removed (the new state is final) but before its old copies
    went: those copies belong to a dead process, and the next `new`, even one refused at once
    ("exists already"), removes them (found as a leftover by the kill -9 test on CI)."""
    site = _site(tmp_path)
    made = _run([*NN_BLOG, "new", "Killed", "--date", "2020-05-06"], site)
    assert made.returncode == 0, made.stderr
    new = _files(site)
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait(30)
    left = site / "_data" / f".figures.yml.nnblog-tmp-{dead.pid}-1-old"
    left.write_bytes((site / "_data" / "figures.yml").read_bytes())
    again = _run([*NN_BLOG, "new", "Killed", "--date", "2020-05-06"], site)
    _one_line(again)  # exists already
    assert not left.exists() and _files(site) == new
