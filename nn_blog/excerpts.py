"""Code excerpts: the engine's real functions and classes, copied out of the source for the post.

``_data/excerpts.yml`` maps an excerpt's name to dotted paths such as
``nn_blog.nn.layers.Dense.forward``. Each path is found by reading the module's file with ``ast``
(nothing is imported, so a render with nothing stale stays cheap and no code runs), and the
definition's exact lines -- decorators, docstring, comments and all -- are written, dedented, to
``_includes/generated/excerpts/NAME.md``: a title line (``<p class="code-title">``, naming what the
block shows and the file it comes from), then one fenced ``python`` block inside ``{% raw %}`` (so
Liquid leaves braces in the code alone).  The code a post shows keeps to ``MAX_COLUMNS`` (79) so
it never scrolls sideways (tests/test_excerpts.py holds every declared excerpt to it).  A post
includes it with ``{% include generated/excerpts/NAME.md %}``; since the file is regenerated from
the source on every render, an excerpt cannot drift from the code it shows.
"""

from __future__ import annotations

import ast
import html
import re
import textwrap
from pathlib import Path

from nn_blog.declarations import EXCERPTS_FILE, load_excerpts
from nn_blog.errors import NNBlogError

PACKAGE_DIR = Path(__file__).resolve().parent
OUTPUT_DIR = "_includes/generated/excerpts"
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MAX_COLUMNS = 79


def module_file(module: str) -> Path | None:
    """``nn_blog.nn.layers`` -> the file that defines it, or None when there is none.

    Only a module of the package: every part must be a Python identifier (no ``/``, ``..`` or
    empty part can reach another folder) and the file, symlinks resolved, must lie inside
    ``nn_blog/``.
    """
    parts = module.split(".")
    if parts[0] != "nn_blog" or not all(part.isidentifier() for part in parts):
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file() and candidate.resolve().is_relative_to(PACKAGE_DIR):
            return candidate
    return None


def _find(body, name):
    """The definition (or assignment) of ``name`` among a module's or class's statements."""
    found = None
    for node in body:
        if isinstance(node, _DEFS) and node.name == name:
            found = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found = node
    return found  # the last one wins, as it does when Python runs the module


class _Sources:
    """Parsed modules, read once per run (several excerpts quote the same file)."""

    def __init__(self):
        self._cache: dict[Path, tuple[list[str], ast.Module]] = {}

    def get(self, path: Path):
        if path not in self._cache:
            text = path.read_text(encoding="utf-8")
            self._cache[path] = (text.splitlines(), ast.parse(text, filename=str(path)))
        return self._cache[path]


def _split(dotted: str, excerpt: str | None = None) -> tuple[Path, int]:
    """(the module's file, how many parts of ``dotted`` name the module)."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        path = module_file(".".join(parts[:cut]))
        if path is not None:
            return path, cut
    raise NNBlogError(f"no module of nn_blog in {dotted!r}", file=EXCERPTS_FILE,
                      item=excerpt, field="paths")


def title(paths) -> str:
    """What a block shows: ``Dense.backward`` or ``mse, mse_derivative``, then the file(s)."""
    names, files = [], []
    for dotted in paths:
        path, cut = _split(dotted)
        names.append(".".join(dotted.split(".")[cut:]))
        rel = path.relative_to(PACKAGE_DIR.parent).as_posix()
        if rel not in files:
            files.append(rel)
    return f"{', '.join(names)} ({', '.join(files)})"


def extract(dotted: str, sources: _Sources | None = None, excerpt: str | None = None) -> str:
    """The source of one dotted path (a function, class, method or assignment), dedented."""
    sources = sources or _Sources()
    parts = dotted.split(".")
    path, cut = _split(dotted, excerpt)
    lines, tree = sources.get(path)
    node, body, walked = None, tree.body, parts[:cut]
    for name in parts[cut:]:
        node = _find(body, name) if body is not None else None
        walked.append(name)
        if node is None:
            raise NNBlogError(f"{'.'.join(walked)!r} is not defined in "
                              f"{path.relative_to(PACKAGE_DIR.parent)}", file=EXCERPTS_FILE,
                              item=excerpt, field="paths")
        body = node.body if isinstance(node, ast.ClassDef) else None
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return textwrap.dedent("\n".join(lines[first - 1:node.end_lineno])).rstrip() + "\n"


def render_excerpt(name: str, paths, sources: _Sources | None = None) -> str:
    """The include file's text for one excerpt: its title line (HTML, escaped), a blank line,
    then a fenced python block inside ``{% raw %}``."""
    sources = sources or _Sources()
    code = "\n\n".join(extract(p, sources, name).rstrip("\n") for p in paths)
    if re.search(r"{%-?\s*endraw", code):
        raise NNBlogError("the code contains 'endraw', which would end the {% raw %} block "
                          "early", file=EXCERPTS_FILE, item=name, field="paths")
    # a fence longer than any run of backticks in the code (a docstring may hold an example)
    fence = "`" * max([3] + [len(run) + 1 for run in re.findall(r"`{3,}", code)])
    heading = f'<p class="code-title">{html.escape(title(paths))}</p>'
    return f"{heading}\n\n{{% raw %}}\n{fence}python\n{code}\n{fence}\n{{% endraw %}}\n"


def plan(root) -> dict[str, str]:
    """Every declared excerpt -> its text as it should be now (checked: unknown paths raise),
    and the whole network on one page (nn_blog/whole_network.py), written beside them."""
    from nn_blog import whole_network

    sources = _Sources()
    declared = load_excerpts(root)
    if whole_network.NAME in declared:
        raise NNBlogError(f"the name {whole_network.NAME!r} is the whole network's (generated "
                          "from the package); choose another", file=EXCERPTS_FILE,
                          item=whole_network.NAME)
    texts = {name: render_excerpt(name, paths, sources) for name, paths in declared.items()}
    whole = whole_network.render(root, lambda dotted: extract(dotted, sources,
                                                              whole_network.NAME))
    if whole is not None:
        texts[whole_network.NAME] = whole
    return texts


def output_path(name: str) -> str:
    """Where excerpt ``name`` goes, relative to the site's root."""
    return f"{OUTPUT_DIR}/{name}.md"


def stale(root, texts: dict[str, str]) -> dict[str, str]:
    """The excerpts whose file is missing or differs from ``texts`` -> 'missing'/'stale'."""
    out = {}
    for name, text in texts.items():
        path = Path(root) / output_path(name)
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            out[name] = "missing"
            continue
        if current != text:
            out[name] = "stale"
    return out
