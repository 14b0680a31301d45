"""Several files replaced as one: after ``kill -9`` at any moment, a rerun finds either all the
old files or all the new ones (``nn-blog new``: the post and both declaration files).

:func:`replace_all`, with :func:`lock` held:

1. each new file is *staged* beside its target (``.NAME.nnblog-tmp-PID-new``, the target's mode),
   and each existing target gets a hard link ``.NAME.nnblog-tmp-PID-old`` (its old content);
2. the journal ``.cache/nn-blog/new.json`` is written (atomically): the commit point;
3. the staged files are renamed onto their targets (a symlinked target is written through: the
   link stays), then ``verify()`` re-reads them; if it raises, the old files are put back;
4. the journal is removed (the new state is final), then the old links.

Killed during 1: only temporaries of a dead process, which :func:`sweep` removes. Killed during 2
to 4 while the journal is there: :func:`recover` (run by the next ``nn-blog new`` under the lock)
puts the old files back -- every step of it may be repeated. Killed in 4 after the journal went:
the new state is final and the old links left are a dead process's temporaries (``sweep``; the
next ``new`` sweeps even when it refuses at once).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
from pathlib import Path

from .errors import NNBlogError
from .fileio import TMP_MARK, write_atomic

CACHE = ".cache/nn-blog"
JOURNAL = f"{CACHE}/new.json"
LOCK = f"{CACHE}/declarations.lock"
_TMP = re.compile(rf"\A\..*{re.escape(TMP_MARK)}(\d+)(-[\w-]*)?\Z")


class WriteError(NNBlogError):
    """The file system refused a write (full disk, file size limit, a file where a folder
    should be): one line naming the path."""


def os_error(err: OSError, path, root: Path | None = None) -> WriteError:
    shown = path
    if root is not None:
        with contextlib.suppress(ValueError):
            shown = Path(path).relative_to(root).as_posix()
    reason = err.strerror or errno.errorcode.get(err.errno or 0) or type(err).__name__
    return WriteError(f"cannot write it: {reason}", file=str(shown))


@contextlib.contextmanager
def lock(root: Path):
    """Hold ``.cache/nn-blog/declarations.lock`` (waits for another holder)."""
    import fcntl

    path = root / LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise os_error(err, path, root) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(folders) -> list[Path]:
    """Remove the temporaries (``.*.nnblog-tmp-PID*``) that dead processes left in ``folders``."""
    gone = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for path in Path(folder).iterdir():
            match = _TMP.match(path.name)
            if match and not _alive(int(match.group(1))) and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    gone.append(path)
    return gone


def recover(root: Path) -> bool:
    """Put back the old files of an interrupted :func:`replace_all` -> whether there was one."""
    path = root / JOURNAL
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except ValueError:  # cannot happen (written atomically); never trust a file
        path.unlink(missing_ok=True)
        return False
    _undo(journal.get("files", []) if isinstance(journal, dict) else [])
    path.unlink(missing_ok=True)
    return True


def _undo(files) -> None:
    for item in reversed(files):
        target, staged, old = Path(item["target"]), Path(item["staged"]), item.get("old")
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
        if old is None:
            target.unlink(missing_ok=True)
        elif Path(old).exists():
            os.replace(old, target)
        # else: put back already (a repeated recovery)


def replace_all(root: Path, new: dict[Path, bytes], verify=None) -> None:
    """Write every ``path: data`` of ``new`` as one change (see the module docstring)."""
    pid = os.getpid()
    files = []
    try:
        for n, (path, data) in enumerate(new.items()):
            target = Path(os.path.realpath(path))  # a symlink is written through
            staged = target.with_name(f".{target.name}{TMP_MARK}{pid}-{n}-new")
            old = target.with_name(f".{target.name}{TMP_MARK}{pid}-{n}-old")
            item = {"target": str(target), "staged": str(staged), "old": None}
            files.append(item)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                mode = target.stat().st_mode & 0o7777 if target.exists() else None
                staged.write_bytes(data)
                if mode is not None:
                    os.chmod(staged, mode)
                    _keep_old(target, old)
                    item["old"] = str(old)
            except OSError as err:
                raise os_error(err, target, root) from None
        try:
            write_atomic(root / JOURNAL, json.dumps({"pid": pid, "files": files}) + "\n")
        except OSError as err:
            raise os_error(err, root / JOURNAL, root) from None
    except BaseException:
        for item in files:
            for key in ("staged", "old"):
                if item[key]:
                    with contextlib.suppress(OSError):
                        Path(item[key]).unlink()
        raise
    try:
        for item in files:
            os.replace(item["staged"], item["target"])
        if verify is not None:
            verify()
    except BaseException as err:
        _undo(files)
        (root / JOURNAL).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise os_error(err, getattr(err, "filename", None) or root, root) from None
        raise
    (root / JOURNAL).unlink(missing_ok=True)  # the new state is final
    for item in files:
        if item["old"]:
            with contextlib.suppress(OSError):
                Path(item["old"]).unlink()


def _keep_old(target: Path, old: Path) -> None:
    """``old`` holds ``target``'s current content (a hard link; a copy where links fail)."""
    with contextlib.suppress(FileNotFoundError):
        old.unlink()
    try:
        os.link(target, old)
    except OSError:
        shutil.copy2(target, old)
