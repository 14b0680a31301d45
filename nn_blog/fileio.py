"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The one writer of the package (the render service, figure saving, the network cache and the
benchmarks all use it). The data goes to a temporary file in the target's directory (same file
system, so the rename is atomic), which then replaces the target. A crash, Ctrl-C or ``kill -9``
leaves at most a temporary file whose name contains ``TMP_MARK``, which the render service
sweeps up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TMP_MARK = ".nnblog-tmp-"


def temporary_name(path: Path, tag: str | int | None = None) -> Path:
    """Where ``path``'s new content waits before its rename (hidden, marked, per process)."""
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid() if tag is None else tag}")


def write_atomic(path, data: bytes | str, *, skip_unchanged: bool = False,
                 tmp_dir=None) -> bool:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` via a temporary file and a rename.

    ``skip_unchanged``: leave a file that already holds ``data`` alone (its mtime too, so Jekyll
    does not regenerate for nothing). ``tmp_dir``: where the temporary file goes (on the same
    file system as ``path``; default beside it). Returns whether it wrote.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if skip_unchanged:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    if tmp_dir is not None:
        tmp = Path(tmp_dir) / tmp.name
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return True
