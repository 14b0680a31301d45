"""Cache keys: short hashes of JSON values and of the package's own source files.

A key is :func:`key_of` a JSON-able value; the code part of a key hashes the files of a set of
modules and of every ``nn_blog`` module they import (:func:`closure`, found by reading their
``import`` statements, not by importing them) with :class:`Hasher`. ``nn_blog.plan`` (figures,
networks) and ``nn_blog.export_plan`` (the browser exports) build their keys from these, and report
what they find as :class:`Item` rows.

Nothing here imports NumPy, matplotlib, the engine or a figure kind.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import NamedTuple

from nn_blog.excerpts import PACKAGE_DIR, module_file

KEY_LENGTH = 20                  # hex digits of sha256 kept in keys (80 bits)
# Never part of a key: the package's version string, error wording, the kinds' registry and the
# declarations' checker (what they default to reaches the key through the checked specs and the
# resolved parameters).
NOT_HASHED = {PACKAGE_DIR / "__init__.py", PACKAGE_DIR / "errors.py",
              PACKAGE_DIR / "figures" / "__init__.py",
              *(PACKAGE_DIR / "declarations").glob("*.py")}


class Item(NamedTuple):
    """One line of ``render.status``: ("figure"/"network"/"excerpt", name, status, reason)."""

    kind: str
    name: str
    status: str       # fresh | stale | missing
    reason: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_of(obj) -> str:
    """A short, stable hash of a JSON-able object."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return sha256(text.encode())[:KEY_LENGTH]


# ">>> from ..." example does not match. Parsing with ast would be exact but costs ten times more,
# and this runs on every render.
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)"
                     r"|import[ \t]+([^\n#]*))", re.MULTILINE)
_SCANNED: dict[tuple, list[str]] = {}  # (path, mtime, size) -> what it imports


def _names(text: str) -> list[str]:
    """``a as b, c`` or ``(a,\n c)`` -> ["a", "c"]."""
    parts = text.replace("(", " ").replace(")", " ").replace("\\", " ").split(",")
    return [p.split()[0] for p in parts if p.split() and p.split()[0] != "*"]


def _imported(path: Path, module: str) -> list[str]:
    """The absolute names of every module ``path`` imports (and names that may be modules)."""
    stat = path.stat()
    memo = (path, stat.st_mtime_ns, stat.st_size, module)
    if memo not in _SCANNED:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        out = []
        for base, names, plain in _IMPORT.findall(path.read_text(encoding="utf-8")):
            if plain:
                out += _names(plain)
                continue
            level = len(base) - len(base.lstrip("."))
            if level:
                parts = package.split(".")[:len(package.split(".")) - (level - 1)]
                base = ".".join(parts + ([base.lstrip(".")] if base.lstrip(".") else []))
            out += [base] + [f"{base}.{name}" for name in _names(names)]
        _SCANNED[memo] = out
    return _SCANNED[memo]


def closure(modules) -> set[Path]:
    """The files of ``modules`` and of every ``nn_blog`` module they import, transitively."""
    seen: set[Path] = set()
    stack = list(modules)
    while stack:
        name = stack.pop()
        path = module_file(name) if name.startswith("nn_blog") else None
        if path is None or path in seen or path in NOT_HASHED:
            continue
        seen.add(path)
        stack.extend(_imported(path, name))
    return seen


class Hasher:
    """Content hashes of files, each read once per plan."""

    def __init__(self):
        self._files: dict[Path, str | None] = {}

    def file(self, path: Path) -> str | None:
        if path not in self._files:
            try:
                self._files[path] = sha256(path.read_bytes())
            except (FileNotFoundError, IsADirectoryError):
                self._files[path] = None
        return self._files[path]

    def sources(self, paths) -> str:
        """One hash over (path relative to the package, content hash) of every file."""
        rows = sorted(f"{p.relative_to(PACKAGE_DIR.parent).as_posix()} {self.file(p)}"
                      for p in paths)
        return key_of(rows)


def read_json(root: Path, rel: str) -> dict:
    """A generated JSON file, or {} when it is absent or unreadable (then all is stale)."""
    try:
        data = json.loads((root / rel).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
