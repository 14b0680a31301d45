"""`nn-blog init [DIR]` adds nn-blog to a Jekyll site; `nn-blog doctor [DIR]` says what is missing.

``init`` writes only what the site must hold itself: the loader (``_plugins/nn_blog.rb``, the
same few lines for every site and every version), empty declarations with their documented
headers, and one ``exclude`` entry in ``_config.yml`` (the render's cache, ``.cache/``, out of
Jekyll's watcher). It checks everything before it writes anything, never overwrites an author's
file, and a second run changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from nn_blog import hostsite
from nn_blog.declarations import parse_yaml
from nn_blog.errors import NNBlogError
from nn_blog.fileio import write_atomic

from . import LOADER, node_modules, setup_node

PLUGIN_FILE = "_plugins/nn_blog.rb"
CONFIG = "_config.yml"
CACHE_ENTRY = ".cache/"
NETWORKS_HEAD = """\
# The networks this site's posts train, one entry each (nn-blog init wrote this header).
#
#   my-net:
#     dataset: {name: moons, n_samples: 400, noise: 0.2}
#     layers: [{units: 8, activation: tanh}, {units: 1, activation: sigmoid}]
#     loss: bce
#     optimizer: {name: adam, lr: 0.01}
#     epochs: 200
#     batch_size: 32
#     seed: 0
#
# `nn-blog render` (and every build) trains what changed and writes the numbers each network
# reaches to _data/generated/results.json; a post quotes those, never this file.
# `nn-blog kinds` lists the data sets and their parameters.
"""
FIGURES_HEAD = """\
# The figures this site's posts show (nn-blog init wrote this header). A post shows one with
# {% nn_figure NAME %}; `nn-blog render` draws it (light and dark SVG, a light PNG) into assets/.
#
#   my-net-boundary:
#     kind: decision_boundary
#     network: my-net
#     alt: What the figure shows, for readers who cannot see it.
#     caption: Shown under the figure.
#
# `nn-blog kinds` lists the figure kinds and their parameters.
"""


@dataclass
class Change:
    path: str
    text: str
    what: str


def init(root: str | os.PathLike = ".", say=print, install_node: bool = True) -> list[str]:
    """Add nn-blog to the Jekyll site at ``root``; returns the files written (site-relative)."""
    site = _site(root)
    changes = [c for c in (_loader(site), _declaration(site, "_data/networks.yml", NETWORKS_HEAD),
                           _declaration(site, "_data/figures.yml", FIGURES_HEAD),
                           _config(site, say)) if c]
    if install_node:
        setup_node(say)
    for change in changes:
        target = site / change.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, change.text.encode())
        say(f"wrote {change.path} ({change.what})")
    if not changes:
        say("nn-blog is already set up in this site: nothing to change")
    for line in next_steps(site):
        say(line)
    return [c.path for c in changes]


def _site(root) -> Path:
    site = Path(root)
    if not (site / CONFIG).is_file():
        raise NNBlogError(f"{site}: not a Jekyll site (no {CONFIG}): run nn-blog init in the "
                          "site's folder, or pass it: nn-blog init PATH")
    return site


def _loader(site: Path) -> Change | None:
    path = site / PLUGIN_FILE
    wanted = LOADER.read_text()
    if path.is_symlink() or path.exists():
        if path.is_file() and path.read_text(errors="replace") == wanted:
            return None
        raise NNBlogError(f"{PLUGIN_FILE} exists and is not nn-blog's loader: move it away "
                          "(nothing was written)", file=PLUGIN_FILE)
    return Change(PLUGIN_FILE, wanted, "loads the plugin from the installed package")


def _declaration(site: Path, rel: str, head: str) -> Change | None:
    path = site / rel
    if path.is_symlink() or path.exists():
        if not path.is_file():
            raise NNBlogError(f"{rel} is in the way (not a file): move it away "
                              "(nothing was written)", file=rel)
        return None
    return Change(rel, head, "empty: declare yours here")


def _config(site: Path, say) -> Change | None:
    """Add ``.cache/`` to ``exclude``: a block list gets one more line, a config without
    ``exclude`` gets the key; anything else is left alone and the line to add is printed.
    The edited text is read back (hardened loader) before it counts."""
    change = _config_edit(site, say)
    if change is None:
        return None
    try:
        data = parse_yaml(change.text, CONFIG)
    except NNBlogError:
        data = None
    if not (isinstance(data, dict) and CACHE_ENTRY in (data.get("exclude") or [])):
        say(f"note: add {CACHE_ENTRY} to exclude in {CONFIG} yourself (init could not edit it "
            "safely)")
        return None
    return change


def _config_edit(site: Path, say) -> Change | None:
    text = (site / CONFIG).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if re.match(r"exclude\s*:", line)]
    if not found:
        block = ("" if text.endswith("\n") or not text else "\n") + (
            "\n# nn-blog: the render's cache is not part of the site (nn-blog init)\n"
            f"exclude:\n  - {CACHE_ENTRY}\n")
        return Change(CONFIG, text + block, f"exclude: {CACHE_ENTRY}")
    start = found[0]
    if re.match(r"exclude\s*:\s*(#.*)?$", lines[start].rstrip("\n")):
        items, indent = [], "  "
        for line in lines[start + 1:]:
            item = re.match(r"(\s*)-\s*['\"]?([^'\"#]*?)['\"]?\s*(#.*)?$", line.rstrip("\n"))
            if not item:
                if line.strip() and not line.lstrip().startswith("#"):
                    break
                continue
            indent = item.group(1)
            items.append(item.group(2).strip())
        if CACHE_ENTRY in items or CACHE_ENTRY.rstrip("/") in items:
            return None
        lines.insert(start + 1, f"{indent}- {CACHE_ENTRY}  # nn-blog: the render's cache\n")
        return Change(CONFIG, "".join(lines), f"exclude: {CACHE_ENTRY}")
    if CACHE_ENTRY.rstrip("/") in lines[start]:
        return None
    say(f"note: add {CACHE_ENTRY} to exclude in {CONFIG} yourself (its exclude is not a block "
        "list, which init edits only)")
    return None


def next_steps(site: Path) -> list[str]:
    """Three lines for this site: scaffold a post, serve it, check the set-up."""
    steps = [('nn-blog new "My first network"', "a post with its own network and figure"),
             (hostsite.serve_command(site), "then open the URL it prints"),
             ("nn-blog doctor", "if anything is missing")]
    width = max(len(command) for command, _ in steps)
    return ["next:"] + [f"  {command:{width}}  # {why}" for command, why in steps]


# --- doctor --------------------------------------------------------------------------------

def doctor(root: str | os.PathLike = ".") -> list[tuple[bool, str]]:
    """(ok, line) for each thing a site needs; a missing one names the command that fixes it."""
    site = Path(root)
    checks = []
    is_site = (site / CONFIG).is_file()
    checks.append((is_site, f"Jekyll site at {site}" if is_site else
                   f"{site} has no {CONFIG}: run this in the site's folder"))
    jekyll = shutil.which("jekyll") or shutil.which("bundle")
    checks.append((bool(jekyll), "Jekyll found" if jekyll else
                   "Jekyll is missing: apt-get install jekyll (or gem install jekyll bundler)"))
    checks.append(_node_check())
    modules = node_modules()
    checks.append((bool(modules), f"Node packages in {modules}" if modules else
                   "the Node packages (MathJax, terser) are missing: nn-blog setup"))
    loader = site / PLUGIN_FILE
    ok = loader.is_file() and loader.read_text(errors="replace") == LOADER.read_text()
    checks.append((ok, f"loader {PLUGIN_FILE}" if ok else
                   f"{PLUGIN_FILE} is missing or not nn-blog's loader: nn-blog init"))
    if is_site:
        excluded = _config(site, lambda _: None) is None
        checks.append((excluded, f"{CONFIG} excludes {CACHE_ENTRY}" if excluded else
                       f"{CONFIG} does not exclude {CACHE_ENTRY}: nn-blog init"))
    for rel in ("_data/networks.yml", "_data/figures.yml"):
        there = (site / rel).is_file()
        checks.append((there, rel if there else f"{rel} is missing: nn-blog init"))
    try:
        import pagefind_bin  # noqa: F401
        checks.append((True, "Pagefind (search)"))
    except ImportError:
        checks.append((False, "Pagefind is missing (no search): pip install pagefind-bin"))
    return checks


def _node_check() -> tuple[bool, str]:
    node = shutil.which("node")
    if not node:
        return False, "Node.js is missing: apt-get install nodejs npm (Node 18 or newer)"
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20,
                             check=False).stdout.strip()
    except subprocess.TimeoutExpired:
        return False, "node --version did not answer within 20 s"
    major = re.match(r"v(\d+)", out)
    if not major or int(major.group(1)) < 18:
        return False, f"Node.js {out or '?'} is too old: install Node 18 or newer"
    return True, f"Node.js {out}"
