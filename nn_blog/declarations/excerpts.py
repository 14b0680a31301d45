"""``_data/excerpts.yml``: the names of the code excerpts and the dotted paths they quote."""

from __future__ import annotations

import re

from nn_blog.declarations.fields import Place, top_names
from nn_blog.declarations.loader import load_yaml

EXCERPTS_FILE = "_data/excerpts.yml"
_DOTTED = re.compile(r"nn_blog(\.[A-Za-z_][A-Za-z0-9_]{0,99}){1,8}\Z")
MAX_EXCERPT_PATHS = 32


def load_excerpts(root) -> dict[str, tuple[str, ...]]:
    """``_data/excerpts.yml``: name -> dotted paths (``nn_blog.nn.layers.Dense.forward``)."""
    top = top_names(load_yaml(root, EXCERPTS_FILE, required=False), EXCERPTS_FILE, "excerpt")
    out = {}
    for name, paths in top.items():
        at = Place(EXCERPTS_FILE, name, top, top.line_of(name))
        paths = [paths] if isinstance(paths, str) else paths
        if not paths or not isinstance(paths, list) or len(paths) > MAX_EXCERPT_PATHS:
            at.fail("paths", f"expected a list of 1 to {MAX_EXCERPT_PATHS} dotted paths inside "
                             "nn_blog (e.g. nn_blog.nn.layers.Dense.forward)")
        for path in paths:
            if not isinstance(path, str) or not _DOTTED.match(path):
                shown = path[:80] if isinstance(path, str) else path
                at.fail("paths", f"{shown!r} is not a dotted path inside nn_blog (e.g. "
                                 "nn_blog.nn.layers.Dense.forward)")
        out[name] = tuple(paths)
    return out
