"""Publishing a render as a whole: after ``kill -9`` at any moment the manifest and every file it
names come from one render.

The steps, in this order (:func:`publish`):

1. **Content-addressed files** (a figure's images: ``moons-boundary.3f9c0a12b4de.svg``, see
   ``nn_blog.layout``) are written under their final names. A new name never belongs to a file
   the current manifest names (same name, same bytes), so the live site is untouched.
2. **Fixed paths** -- ``_data/generated/results.json``, the excerpts in
   ``_includes/generated/excerpts/``, legacy images, and the manifest
   ``_data/generated/figures.json`` -- are *staged*: written beside their target under a
   temporary name.
3. The **journal** ``.cache/nn-blog/publish.json`` is written (atomically): the renames still to
   do, the manifest last, and the files to sweep. Writing it is the commit point.
4. The journal is **applied**: each staged file renamed onto its target, then the sweep -- files
   the old manifest named and the new one does not, content-addressed leftovers of killed renders,
   orphans (a figure's files, a network's cache, an excerpt's include, once their declaration is
   gone) -- then the journal is removed.

Killed before step 3: nothing the site uses changed; the next render sweeps the leftovers.
Killed during step 4: the manifest and the content-addressed files it names are still one
render's (old or new). The fixed paths -- legacy images, results, excerpts -- can be part old
and part new until the next ``nn-blog render`` (or ``list``, a Jekyll build with rendering on,
``serve``) replays the journal, which it does before anything else. Legacy paths keep their names
by design: an older post links to them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from nn_blog import fileio, layout
from nn_blog.errors import NNBlogError

JOURNAL = ".cache/nn-blog/publish.json"
STAGE = ".cache/nn-blog/stage"  # temporaries: out of Jekyll's sight (it ignores .cache/)
CACHE_NAME = re.compile(r"(?P<name>.+)-(?P<key>[0-9a-f]{20})\.npz\Z")


def inside(root: Path, rel: str) -> Path:
    """``root/rel``, refused unless it stays inside ``root`` once symlinks are resolved."""
    path = root / rel
    real, top = path.resolve(), root.resolve()
    if real != top and top not in real.parents:
        raise NNBlogError(f"resolves to {real}, outside the site (a symlinked folder?); "
                          "refusing to write there", file=rel)
    return path


def publish(root: Path, addressed: dict[str, bytes], fixed: dict[str, bytes],
            sweep: list[str]) -> list[str]:
    """Write one render's files (see the module docstring) -> the paths written.

    ``fixed`` is renamed in its order (put the manifest last); ``sweep``: paths to remove once
    the new files are in place.
    """
    written = []
    stage = root / STAGE
    stage.mkdir(parents=True, exist_ok=True)
    for rel, data in addressed.items():
        path = inside(root, rel)
        if fileio.write_atomic(path, data, skip_unchanged=True, tmp_dir=_tmp_dir(stage, path)):
            written.append(rel)
    renames = []
    try:
        for n, (rel, data) in enumerate(fixed.items()):
            path = inside(root, rel)
            with contextlib.suppress(OSError):
                if path.read_bytes() == data:
                    continue  # unchanged: its mtime stays, Jekyll does not regenerate for it
            staged = fileio.temporary_name(path, f"{os.getpid()}-{n}")
            staged = (_tmp_dir(stage, path) or path.parent) / staged.name
            staged.write_bytes(data)
            renames.append([staged.relative_to(root).as_posix(), rel])
        journal = {"rename": renames, "remove": sorted(set(sweep))}
        fileio.write_atomic(inside(root, JOURNAL), json.dumps(journal, indent=1) + "\n")
    except BaseException:
        for tmp, _ in renames:
            with contextlib.suppress(OSError):
                (root / tmp).unlink()
        raise
    apply(root, journal)
    return written + [rel for _, rel in renames]


def _tmp_dir(stage: Path, path: Path) -> Path | None:
    """The stage folder when a rename from it to ``path`` is atomic (one file system)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return stage if os.stat(stage).st_dev == os.stat(path.parent).st_dev else None


def apply(root: Path, journal: dict) -> None:
    """Do what a committed journal says (again, after a kill: every step may be repeated)."""
    for tmp, rel in journal.get("rename", []):
        staged = root / tmp
        if staged.exists():
            os.replace(staged, inside(root, rel))
    for rel in journal.get("remove", []):
        path = inside(root, rel)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        _prune(root, path.parent)
    (root / JOURNAL).unlink(missing_ok=True)


def _prune(root: Path, directory: Path) -> None:
    """Remove directories a sweep emptied (not the site's own top folders)."""
    keep = {root / "assets/images", root / "_includes/generated", root / ".cache/nn-blog"}
    while directory not in keep and root in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def pending(root: Path) -> bool:
    """A committed publish was interrupted: its journal is still there."""
    return (root / JOURNAL).exists()


def recover(root: Path) -> bool:
    """Finish an interrupted publish (call with the render lock held) -> whether there was one."""
    try:
        journal = json.loads((root / JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except ValueError:  # cannot happen (written atomically), but never trust a file
        (root / JOURNAL).unlink(missing_ok=True)
        return False
    apply(root, journal if isinstance(journal, dict) else {})
    return True


def addressed_leftovers(root: Path, outputs, named: set[str]) -> list[str]:
    """Content-addressed files of the figures ``outputs`` (their output paths) that no manifest
    entry names: what a render killed before its commit left behind."""
    slots = {slot for output in outputs for slot in layout.slots(output)}
    out = []
    for directory in {posixpath_dir(slot) for slot in slots}:
        folder = root / directory
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            rel = f"{directory}/{path.name}"
            if rel not in named and layout.slot_of(rel) in slots:
                out.append(rel)
    return out


def posixpath_dir(rel: str) -> str:
    return rel.rsplit("/", 1)[0]


def orphan_caches(root: Path, cache_dir: str, declared) -> list[str]:
    """Cached networks whose name is no longer declared (a changed key keeps its cache: an
    edit undone finds it again)."""
    folder = root / cache_dir
    if not folder.is_dir():
        return []
    return sorted(f"{cache_dir}/{p.name}" for p in folder.iterdir()
                  if (m := CACHE_NAME.match(p.name)) and m["name"] not in declared)


def orphan_excerpts(root: Path, output_dir: str, declared) -> list[str]:
    """Excerpt includes whose name is no longer declared."""
    folder = root / output_dir
    if not folder.is_dir():
        return []
    return sorted(f"{output_dir}/{p.name}" for p in folder.glob("*.md")
                  if p.stem not in declared)
