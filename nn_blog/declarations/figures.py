"""``_data/figures.yml``: the schema of a figure's declaration and its checks.

A figure's ``params`` are checked against its kind's fields (:mod:`nn_blog.declarations.kinds`);
``kinds`` may be given instead (anything with ``name``, ``needs_network`` and ``params``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from nn_blog import layout
from nn_blog.declarations.fields import (
    REQUIRED,
    Invalid,
    Place,
    Text,
    as_field,
    check_fields,
    expect_mapping,
    show,
    top_names,
)
from nn_blog.declarations.kinds import KIND_DECLS
from nn_blog.declarations.loader import Mapping, load_yaml
from nn_blog.declarations.networks import NETWORKS_FILE, load_networks
from nn_blog.declarations.posts import figure_uses
from nn_blog.errors import NNBlogError

FIGURES_FILE = "_data/figures.yml"


@dataclass(frozen=True)
class Legacy:
    """An extra single file (``assets/...``) in the light style, optionally re-parametrised."""

    path: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FigureDecl:
    name: str
    kind: str
    network: str | None
    networks: tuple[str, ...]
    params: dict
    alt: str
    caption: str
    output: str            # under assets/images/, without extension
    legacy: tuple[Legacy, ...]
    line: int | None = None

    @property
    def all_networks(self) -> tuple[str, ...]:
        """Every network the figure draws from: its own first, then any it compares with."""
        first = (self.network,) if self.network else ()
        return first + tuple(n for n in self.networks if n != self.network)

    def image_decl(self) -> dict:
        """What the pixels depend on (alt and caption only reach the manifest)."""
        return {"kind": self.kind, "network": self.network, "networks": list(self.networks),
                "params": self.params, "output": self.output,
                "legacy": [{"path": item.path, "params": item.params} for item in self.legacy]}


FIGURE_FIELDS = ("kind", "network", "networks", "params", "alt", "caption", "output", "legacy")
IMAGE_EXTENSIONS = tuple(layout.FORMATS)
MAX_TEXT = 2000                    # alt text and captions
MAX_PATH = 200                     # output and legacy paths
MAX_LEGACY = 16
_OUTPUT_PART = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
_LEGACY_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\Z")


def _text(at: Place, decl, key: str, required: bool) -> str:
    value = decl.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            at.fail(key, f"'{key}' is required: describe what the figure shows")
        return ""
    try:
        return Text(REQUIRED, MAX_TEXT).check(value).strip()
    except Invalid as err:
        at.fail(key, err.message)


def _output(at: Place, decl, name: str) -> str:
    value = decl.get("output", f"nn/{name}")
    if not isinstance(value, str) or not value or len(value) > MAX_PATH:
        at.fail("output", f"expected a path under assets/images/ of at most {MAX_PATH} "
                          f"characters, got {show(value)[:60]}")
    norm = posixpath.normpath(value)
    if value.startswith("/") or norm.startswith("..") or "\\" in value:
        at.fail("output", f"output path {value!r} is outside assets/ (give it relative to "
                          "assets/images/)")
    if posixpath.splitext(norm)[1]:
        at.fail("output", f"output path {value!r} must not have an extension")
    if not all(_OUTPUT_PART.match(part) for part in norm.split("/")):
        at.fail("output", f"output path {value!r}: use lowercase letters, digits, '-', '_' "
                          "and '/'")
    return norm


def _legacy(at: Place, decl) -> list[tuple[str, dict]]:
    items = decl.get("legacy") or []
    if isinstance(items, (str, dict)):
        items = [items]
    if not isinstance(items, list) or len(items) > MAX_LEGACY:
        at.fail("legacy", f"expected a list of at most {MAX_LEGACY} paths")
    out = []
    for item in items:
        if isinstance(item, dict):
            extra = set(item) - {"path", "params"}
            if extra:
                at.fail("legacy", f"unknown field {sorted(extra)[0]!r} (known: path, params)")
            path, params = item.get("path"), item.get("params") or {}
        else:
            path, params = item, {}
        if not isinstance(path, str) or len(path) > MAX_PATH:
            at.fail("legacy", f"expected a path under assets/, got {show(path)[:60]}")
        norm = posixpath.normpath(path)
        if path.startswith("/") or not norm.startswith("assets/") or "\\" in path:
            at.fail("legacy", f"legacy path {path!r} is outside assets/")
        if not all(_LEGACY_PART.match(part) for part in norm.split("/")):
            at.fail("legacy", f"legacy path {path!r}: use letters, digits, '.', '-' and '_'")
        if posixpath.splitext(norm)[1].lower() not in IMAGE_EXTENSIONS:
            at.fail("legacy", f"legacy path {path!r}: extension must be one of "
                              f"{', '.join(IMAGE_EXTENSIONS)}")
        if not isinstance(params, dict):
            at.fail("legacy", f"params of legacy path {path!r} must be a mapping")
        out.append((norm, params))
    return out


def _network_refs(at: Place, decl, known) -> tuple[str | None, tuple[str, ...]]:
    network = decl.get("network")
    others = decl.get("networks") or []
    if not isinstance(others, list) or len(others) > 16:
        at.fail("networks", "expected a list of at most 16 network names")
    for key, value in [("network", network)] + [(f"networks[{i}]", n)
                                                for i, n in enumerate(others)]:
        if value is None and key == "network":
            continue
        if not isinstance(value, str) or value not in known:
            listed = ", ".join(sorted(known)) or "none declared"
            shown = value if not isinstance(value, str) else value[:40]
            at.fail(key.split("[")[0], f"unknown network {shown!r} (known: {listed}; see "
                                       f"{NETWORKS_FILE})")
    return network, tuple(others)


def resolve_params(kind, params, at: Place | None = None, prefix: str = "") -> dict:
    """A figure kind's parameters checked (type, bounds) with defaults filled in.

    ``kind`` has ``name`` and ``params`` (name -> Field or old-style ``(type, default)``).
    Without ``at``, mistakes raise NNBlogError naming only the field.
    """
    if at is None:
        at = Place("", "", {}, None)
    if params is None:
        params = {}
    if not isinstance(params, dict):
        at.fail(prefix.rstrip(".") or "params", "expected a mapping of parameter names to values")
    fields = {key: as_field(spec) for key, spec in kind.params.items()}
    return check_fields(fields, params, at.fail, prefix,
                        unknown=f"unknown parameter for kind '{kind.name}'")


def _figure(name: str, decl, networks, kinds, line) -> FigureDecl:
    at = Place(FIGURES_FILE, name, decl, line)
    decl = expect_mapping(at, "", decl, "{kind: ..., alt: ...}")
    for key in decl:
        if key not in FIGURE_FIELDS:
            at.fail(key, f"unknown field (known: {', '.join(FIGURE_FIELDS)})")
    kind_name = decl.get("kind")
    if not isinstance(kind_name, str) or kind_name not in kinds:
        at.fail("kind", f"unknown kind {kind_name!r} (known: {', '.join(kinds)})")
    kind = kinds[kind_name]
    params = decl.get("params") or {}
    if not isinstance(params, dict):
        at.fail("params", "expected a mapping of parameter names to values")
    network, others = _network_refs(at, decl, networks)
    if kind.needs_network and not network:
        at.fail("network", f"kind '{kind_name}' draws a trained network: name one of "
                           f"{NETWORKS_FILE}")
    legacy = tuple(Legacy(path, resolve_params(kind, {**params, **extra}, at, "params."))
                   for path, extra in _legacy(at, decl))
    return FigureDecl(name=name, kind=kind_name, network=network, networks=others,
                      params=resolve_params(kind, params, at, "params."),
                      alt=_text(at, decl, "alt", True), caption=_text(at, decl, "caption", False),
                      output=_output(at, decl, name), legacy=legacy, line=line)


def output_files(fig: FigureDecl) -> list[str]:
    """Every file (relative to the root) a figure may write."""
    return layout.all_files(fig.output, [item.path for item in fig.legacy])


def _check_paths(figures: dict[str, FigureDecl], top: Mapping) -> None:
    owner: dict[str, str] = {}
    for fig in figures.values():
        legacy = {item.path.casefold() for item in fig.legacy}
        for path in dict.fromkeys(p.casefold() for p in output_files(fig)):
            if path in owner:
                raise NNBlogError(f"writes {path!r}, which figure '{owner[path]}' writes too",
                                  file=FIGURES_FILE, item=fig.name,
                                  field="legacy" if path in legacy else "output",
                                  line=top.line_of(fig.name))
            owner[path] = fig.name


def load_figures(root, networks=None, kinds=None) -> dict[str, FigureDecl]:
    """``_data/figures.yml`` -> {name: FigureDecl}, in file order, every figure checked.

    ``networks``: the declared network names (read from networks.yml when None); ``kinds``: the
    figure kinds' declarations (:data:`~nn_blog.declarations.kinds.KIND_DECLS` when None).
    """
    if kinds is None:
        kinds = KIND_DECLS
    top = top_names(load_yaml(root, FIGURES_FILE), FIGURES_FILE, "figure")
    if networks is None:
        networks = load_networks(root)
    known = set(networks)
    figures = {name: _figure(name, decl, known, kinds, top.line_of(name))
               for name, decl in top.items()}
    _check_paths(figures, top)
    if not figures:
        uses = figure_uses(root)
        if uses:
            file, line, name = uses[0]
            more = f" (and {len(uses) - 1} more)" if len(uses) > 1 else ""
            raise NNBlogError(f"declares no figures, but {file}:{line} shows "
                              f"{{% nn_figure {name} %}}{more}; rendering would empty the "
                              "manifest and break the pages that show figures",
                              file=FIGURES_FILE)
    return figures
