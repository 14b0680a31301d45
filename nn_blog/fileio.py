"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The data goes to a temporary file in the target's directory (same file system, so the rename is
atomic), which then replaces the target. A crash, Ctrl-C or ``kill -9`` leaves at most a
temporary file whose name contains ``TMP_MARK``, which the render service sweeps up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TMP_MARK = ".nnblog-tmp-"


def write_atomic(path, data: bytes | str) -> None:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` via a temporary file and a rename."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
