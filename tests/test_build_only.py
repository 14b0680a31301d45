"""The build needs only the build (issue 21): the site's bundle names no test gem, resolves where
rspec and html-proofer are not installed, and `make site` builds a fresh copy of the repository
with every test tool out of reach: no rspec, html-proofer, Chromium, Java or test npm packages.

"Not installed" is simulated: GEM_PATH is a directory of links to every installed gem except the
test ones (RubyGems then sees nothing else), and PATH starts with a directory where each test
command is a stub that records being called and fails. The Python side is this venv (`-o` tells
make it is set up), and figures are not re-rendered (NN_BLOG_SKIP_RENDER): what is under test is
the site's bundle, Node packages and build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_GEMS = ("rspec", "html-proofer")
TEST_COMMANDS = ("rspec", "htmlproofer", "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable", "java", "lighthouse")
BUILD_SECONDS = 900
pytestmark = pytest.mark.skipif(shutil.which("bundle") is None, reason="needs bundler")


def _is_test_gem(name: str) -> bool:
    return any(name == gem or name.startswith(gem + "-") for gem in TEST_GEMS)


def _gem_paths() -> list[Path]:
    done = subprocess.run(["ruby", "-e", "puts Gem.path"], capture_output=True, text=True,
                          timeout=60, check=True)
    return [Path(p) for p in done.stdout.split()]


@pytest.fixture(scope="module")
def hidden_gems(tmp_path_factory) -> Path:
    """A GEM_PATH holding every installed gem but the test gems (links, nothing copied)."""
    home = tmp_path_factory.mktemp("gems")
    for base in _gem_paths():
        for spec in [*base.glob("specifications/*.gemspec"),
                     *base.glob("specifications/default/*.gemspec")]:
            if not _is_test_gem(spec.name):
                target = home / spec.relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    target.symlink_to(spec)
        # gem folders (bundler's executable) and built extensions (ffi, nokogiri)
        for entry in [*base.glob("gems/*"), *base.glob("extensions/*/*/*")]:
            if not _is_test_gem(entry.name):
                target = home / entry.relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    target.symlink_to(entry)
    return home


def _env(gems: Path, **more) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUNDLE_")}
    return {**env, "GEM_PATH": str(gems), "GEM_HOME": str(gems), **more}


def _lock(site: Path, gems: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bundle", "lock", "--local"], cwd=site, env=_env(gems),
                          capture_output=True, text=True, timeout=300)


def test_the_sites_gemfile_names_no_test_tool():
    for name in ("Gemfile", "Gemfile.lock"):
        text = (ROOT / name).read_text()
        for gem in TEST_GEMS:
            assert f'"{gem}"' not in text and f" {gem} (" not in text, f"{name} names {gem}"
    tests = (ROOT / "spec" / "Gemfile").read_text()
    assert all(f'gem "{gem}"' in tests for gem in TEST_GEMS)


def test_the_bundle_resolves_without_test_gems(hidden_gems, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "Gemfile", site / "Gemfile")
    done = _lock(site, hidden_gems)
    assert done.returncode == 0, done.stdout + done.stderr
    # the control: the same place, with a test group, fails as the Pages job did (issue 21 §1)
    (site / "Gemfile.lock").unlink()
    with open(site / "Gemfile", "a") as f:
        f.write('\ngroup :test do\n  gem "rspec", "~> 3.12"\nend\n')
    done = _lock(site, hidden_gems)
    assert done.returncode != 0 and "Could not find gem 'rspec" in done.stdout + done.stderr


@pytest.mark.slow
def test_make_site_builds_with_the_test_tools_out_of_reach(hidden_gems, tmp_path):
    clone = tmp_path / "clone"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, timeout=60, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        if (ROOT / rel).is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, clone / rel)
    assert not (clone / "node_modules").exists()
    stubs, called = tmp_path / "stubs", tmp_path / "called.txt"
    stubs.mkdir()
    for name in TEST_COMMANDS:
        stub = stubs / name
        stub.write_text(f"#!/bin/sh\necho {name} >> '{called}'\nexit 97\n")
        stub.chmod(0o755)
    venv = Path(sys.prefix)
    env = _env(hidden_gems, PATH=f"{stubs}:{venv / 'bin'}:{os.environ['PATH']}",
               NN_BLOG_SKIP_RENDER="1", JEKYLL_ENV="production")
    argv = ["make", "--no-print-directory", "site", f"VENV={venv}", "-o", f"{venv}/.runtime",
            "BASEURL=/nn-blog"]
    try:
        done = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True,
                              timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"make site: no result within {BUILD_SECONDS} s") from err
    print(done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert not called.exists(), f"the build called a test tool: {called.read_text()}"
    assert (clone / "_site" / "index.html").is_file()
    assert (clone / "_site" / "pagefind" / "pagefind.js").is_file()
    assert 'href="/nn-blog/' in (clone / "_site" / "index.html").read_text()
    assert not (clone / "node_modules").exists(), "the build installed the tests' npm packages"
