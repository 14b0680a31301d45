"""Where the posts and pages use what the render makes, outside ``{% raw %}``: figures
(``{% nn_figure NAME %}``), excerpts (``{% include generated/excerpts/NAME.md %}``) and a
network's numbers (``site.data.generated.results.networks.NAME``)."""

from __future__ import annotations

import re
from pathlib import Path

# Where figures are used: Jekyll's content folders (a {% raw %} block only shows the syntax).
CONTENT_DIRS = ("_posts", "_drafts", "_pages")
_FIGURE_TAG = re.compile(r"{%-?\s*nn_figure\s+([^\s%]+)")
_EXCERPT_TAG = re.compile(r"{%-?\s*include\s+generated/excerpts/([^\s%]+?)\.md[\s%-]")
_RESULT = re.compile(r"\bsite\.data\.generated\.results\.networks\.([a-z0-9][a-z0-9_-]*)")
_RAW = re.compile(r"{%-?\s*raw\s*-?%}.*?{%-?\s*endraw\s*-?%}", re.DOTALL)


def _uses(root, pattern: re.Pattern) -> list[tuple[str, int, str]]:
    root = Path(root)
    uses = []
    for folder in CONTENT_DIRS:
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            if path.suffix not in (".md", ".markdown", ".html") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            text = _RAW.sub(lambda m: "\n" * m.group().count("\n"), text)
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                uses.append((path.relative_to(root).as_posix(), line, match.group(1)))
    return uses


def figure_uses(root) -> list[tuple[str, int, str]]:
    """Every ``{% nn_figure NAME %}`` in the site's posts and pages -> (file, line, NAME)."""
    return _uses(root, _FIGURE_TAG)


def excerpt_uses(root) -> list[tuple[str, int, str]]:
    """Every ``{% include generated/excerpts/NAME.md %}`` -> (file, line, NAME)."""
    return _uses(root, _EXCERPT_TAG)


def result_uses(root) -> list[tuple[str, int, str]]:
    """Every number quoted from ``site.data.generated.results.networks.NAME`` -> (file, line,
    NAME)."""
    return _uses(root, _RESULT)
