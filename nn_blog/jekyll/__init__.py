"""The Jekyll side of nn-blog, shipped in the package, and what a site needs to load it.

Everything Jekyll runs lives in this folder and is never copied into a site:

    lib/nn_blog.rb, lib/nn_blog/*.rb   the plugin (tags, filters, hooks), one job per file
    includes/                          the HTML the tags emit (a site file of the same name wins)
    assets/                            published under /assets/nn-blog/: live-figure scripts
                                       (assets/nn-figures.css goes inline into pages instead)
    node/package.json, package-lock.json  the Node packages the build runs (MathJax, terser)
    loader.rb                          the one file `nn-blog init` writes into a site's _plugins/

The loader asks ``nn-blog plugin --json`` (:func:`info`) where this folder is, so an upgrade of
the package (``pip install -U nn-blog``) reaches every site that loads it, with no file of the
site changed. The Node packages go into a cache outside the site (:func:`setup_node`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nn_blog import __version__
from nn_blog.errors import NNBlogError

ROOT = Path(__file__).resolve().parent
LOADER = ROOT / "loader.rb"
NODE = ROOT / "node"
NPM_SECONDS = 900


def cache_root() -> Path:
    """``$NN_BLOG_CACHE``, else ``$XDG_CACHE_HOME/nn-blog``, else ``~/.cache/nn-blog``."""
    if os.environ.get("NN_BLOG_CACHE"):
        return Path(os.environ["NN_BLOG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nn-blog"


def node_folder() -> Path:
    """Where the build's Node packages go: one folder per lock file, so an upgrade that changes
    the lock installs beside the old one instead of over it."""
    lock = (NODE / "package-lock.json").read_bytes()
    return cache_root() / "node" / hashlib.sha256(lock).hexdigest()[:16]


def node_modules() -> Path | None:
    """The installed ``node_modules`` folder, or None if :func:`setup_node` has not run."""
    folder = node_folder()
    return folder / "node_modules" if (folder / ".complete").is_file() else None


def info() -> dict:
    """What the loader needs: the plugin's folder, the Python that runs nn-blog, the Node
    packages (None until installed)."""
    from nn_blog.export_plan import TRAIN_DATA_MAX

    modules = node_modules()
    # limits: the rules the plugin's refusals name (issue 17: "say the rule")
    return {"version": __version__, "plugin": str(ROOT), "python": sys.executable,
            "node_modules": str(modules) if modules else None,
            "limits": {"train_data_max": TRAIN_DATA_MAX}}


def setup_node(say=print) -> Path:
    """Install the build's Node packages (``npm ci``) into the cache when missing.

    Says one ``setup:`` line while it works, and npm's output only if it fails (then
    NNBlogError). Concurrent calls wait for each other (a lock file); a half-made install is
    never seen (it is made in a temporary folder and renamed into place).
    """
    done = node_modules()
    if done:
        return done
    folder = node_folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _locked(folder.parent / ".lock"):
        if node_modules():
            return node_modules()
        npm = shutil.which("npm")
        if npm is None:
            raise NNBlogError("npm is not installed: install Node.js 18 or newer with npm "
                              "(Debian: apt-get install nodejs npm)")
        say(f"setup: Node packages for nn-blog (MathJax 4, terser) into {folder}")
        work = folder.with_name(folder.name + f".tmp-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(NODE / name, work / name)
        argv = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", "--omit=dev"]
        try:
            run = subprocess.run(argv, cwd=work, capture_output=True, text=True,
                                 timeout=NPM_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            shutil.rmtree(work, ignore_errors=True)
            raise NNBlogError(f"npm ci did not finish within {NPM_SECONDS} s") from None
        if run.returncode != 0:
            shutil.rmtree(work, ignore_errors=True)
            tail = " | ".join((run.stderr or run.stdout).strip().splitlines()[-3:])
            raise NNBlogError(f"npm ci failed (exit {run.returncode}): {tail}")
        (work / ".complete").write_text("")
        shutil.rmtree(folder, ignore_errors=True)
        os.rename(work, folder)
    return folder / "node_modules"


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def info_json() -> str:
    return json.dumps(info())
