"""Where the posts and pages show figures: every ``{% nn_figure NAME %}`` outside ``{% raw %}``."""

from __future__ import annotations

import re
from pathlib import Path

# Where figures are used: Jekyll's content folders (a {% raw %} block only shows the syntax).
CONTENT_DIRS = ("_posts", "_drafts", "_pages")
_FIGURE_TAG = re.compile(r"{%-?\s*nn_figure\s+([^\s%]+)")
_RAW = re.compile(r"{%-?\s*raw\s*-?%}.*?{%-?\s*endraw\s*-?%}", re.DOTALL)


def figure_uses(root) -> list[tuple[str, int, str]]:
    """Every ``{% nn_figure NAME %}`` in the site's posts and pages -> (file, line, NAME)."""
    root = Path(root)
    uses = []
    for folder in CONTENT_DIRS:
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            if path.suffix not in (".md", ".markdown", ".html") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            text = _RAW.sub(lambda m: "\n" * m.group().count("\n"), text)
            for match in _FIGURE_TAG.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                uses.append((path.relative_to(root).as_posix(), line, match.group(1)))
    return uses
