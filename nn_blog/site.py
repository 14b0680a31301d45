"""Read and check the declarations the author writes in ``_data/``.

``_data/figures.yml`` maps each figure's name to its declaration::

    moons-boundary:
      kind: decision_boundary          # a module nn_blog/figures/<kind>.py
      network: moons                   # a name of _data/networks.yml (when the kind draws one)
      params: {grid: 300}              # checked against the kind's parameters when it is drawn
      alt: Two interleaved half-moons; the network's decision regions follow their curve.
      caption: What the trained network predicts over the plane.
      output: nn/moons-boundary        # under assets/images/, no extension (default nn/<name>)
      legacy: [assets/images/old.png]  # single files an older post points at (or {path:, params:})

``_data/excerpts.yml`` maps an excerpt's name to the dotted paths of the code it shows.

Everything here is cheap (YAML, strings and the figure registry ``nn_blog.figures.KINDS``, which
does not import matplotlib): ``render`` calls it on every run, including the no-op one that must
stay far below half a second.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nn_blog import layout
from nn_blog.errors import NNBlogError
from nn_blog.figures import KINDS

FIGURES_FILE = "_data/figures.yml"
NETWORKS_FILE = "_data/networks.yml"
EXCERPTS_FILE = "_data/excerpts.yml"
NAME = re.compile(r"[a-z0-9_-]+\Z")
IMAGE_EXTENSIONS = tuple(layout.FORMATS)
FIGURE_FIELDS = ("kind", "network", "networks", "params", "alt", "caption", "output", "legacy")


class Mapping(dict):
    """A YAML mapping that remembers the line of each key (``lines``) and its own (``line``)."""

    line: int | None = None
    lines: dict


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        super().__init__(key)
        self.key, self.line = key, line


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loading, plus line numbers and an error on a repeated key (YAML keeps the last)."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line, mapping.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml(root, rel: str, required: bool = True):
    """The data of ``root/rel`` (None when absent and not required); errors name file and line."""
    path = Path(root) / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise NNBlogError("file not found (is --root the site's root?)", file=rel) from None
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 -- _Loader derives from SafeLoader
    except _DuplicateKey as dup:
        raise NNBlogError(f"duplicate name {dup.key!r}", file=rel, item=str(dup.key),
                          line=dup.line) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise NNBlogError(f"malformed YAML: {problem}", file=rel,
                          line=mark.line + 1 if mark else None) from None


def _top_mapping(data, rel: str) -> Mapping:
    if data is None:
        data = Mapping()
        data.lines = {}
    if not isinstance(data, dict):
        raise NNBlogError("expected a mapping of names to declarations", file=rel)
    return data


def _line(mapping, key):
    return getattr(mapping, "lines", {}).get(key) or getattr(mapping, "line", None)


def check_name(name, rel: str, line=None) -> str:
    """A figure/excerpt name: ``[a-z0-9_-]+``, so it can never climb out of its directory."""
    if not isinstance(name, str) or not NAME.match(name):
        climbs = isinstance(name, str) and ("/" in name or ".." in name)
        hint = " (no '/' or '..')" if climbs else ""
        raise NNBlogError(f"invalid name {name!r}: use lowercase letters, digits, '-' and '_'"
                          f"{hint}", file=rel, item=str(name), line=line)
    return name


# ---------------------------------------------------------------------------------- networks

def network_declarations(root) -> Mapping:
    """The raw declarations of ``_data/networks.yml`` by name (checked by experiments on training).

    Raw on purpose: the render service keys its cache on them without importing the engine.
    """
    return _top_mapping(load_yaml(root, NETWORKS_FILE, required=False), NETWORKS_FILE)


def load_networks(root) -> dict:
    """The validated network specs (defaults filled in), as ``experiments.train`` takes them."""
    from nn_blog import network_specs  # imports NumPy: only when something trains or draws

    return network_specs.load_networks(root)


# ----------------------------------------------------------------------------------- figures

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


def _fail(msg, name, fld, decl, line=None):
    raise NNBlogError(msg, file=FIGURES_FILE, item=name, field=fld, line=line or _line(decl, fld))


def _str_field(decl, name, fld, required):
    value = decl.get(fld)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(f"'{fld}' is required" + (": describe what the figure shows" if fld == "alt"
                                             else ""), name, fld, decl, decl.line)
        return ""
    if not isinstance(value, str):
        _fail(f"expected text, got {type(value).__name__}", name, fld, decl)
    return value.strip()


def _output(decl, name) -> str:
    value = decl.get("output", f"nn/{name}")
    if not isinstance(value, str) or not value:
        _fail("expected a path under assets/images/", name, "output", decl)
    norm = posixpath.normpath(value)
    if value.startswith("/") or norm.startswith("..") or "\\" in value:
        _fail(f"output path {value!r} is outside assets/ (give it relative to assets/images/)",
              name, "output", decl)
    if posixpath.splitext(norm)[1]:
        _fail(f"output path {value!r} must not have an extension", name, "output", decl)
    if not all(NAME.match(part) for part in norm.split("/")):
        _fail(f"output path {value!r}: use lowercase letters, digits, '-', '_' and '/'",
              name, "output", decl)
    return norm


def _legacy(decl, name) -> tuple[Legacy, ...]:
    items = decl.get("legacy") or []
    if isinstance(items, (str, dict)):
        items = [items]
    if not isinstance(items, list):
        _fail("expected a list of paths", name, "legacy", decl)
    out = []
    for item in items:
        path, params = (item, {}) if isinstance(item, str) else (
            (item.get("path"), item.get("params") or {}) if isinstance(item, dict) else (None, {}))
        norm = posixpath.normpath(path) if isinstance(path, str) else ""
        if not isinstance(path, str) or path.startswith("/") or not norm.startswith("assets/"):
            _fail(f"legacy path {path!r} is outside assets/", name, "legacy", decl)
        if posixpath.splitext(norm)[1].lower() not in IMAGE_EXTENSIONS:
            _fail(f"legacy path {path!r}: extension must be one of {', '.join(IMAGE_EXTENSIONS)}",
                  name, "legacy", decl)
        if not isinstance(params, dict):
            _fail(f"params of legacy path {path!r} must be a mapping", name, "legacy", decl)
        out.append(Legacy(norm, dict(params)))
    return tuple(out)


def _networks(decl, name, known) -> tuple[str | None, tuple[str, ...]]:
    network = decl.get("network")
    others = decl.get("networks") or []
    if not isinstance(others, list):
        _fail("expected a list of network names", name, "networks", decl)
    for fld, value in [("network", network)] + [("networks", n) for n in others]:
        if value is None and fld == "network":
            continue
        if not isinstance(value, str) or value not in known:
            listed = ", ".join(sorted(known)) or "none declared"
            _fail(f"unknown network {value!r} (known: {listed}; see {NETWORKS_FILE})",
                  name, fld, decl)
    return network, tuple(others)


def _figure(name, decl, networks) -> FigureDecl:
    if not isinstance(decl, dict):
        raise NNBlogError("expected a mapping with kind, alt, caption...", file=FIGURES_FILE,
                          item=name)
    for key in decl:
        if key not in FIGURE_FIELDS:
            _fail(f"unknown field (known: {', '.join(FIGURE_FIELDS)})", name, key, decl)
    kind = decl.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        _fail(f"unknown kind {kind!r} (known: {', '.join(KINDS)})", name, "kind", decl,
              _line(decl, "kind") or decl.line)
    params = decl.get("params") or {}
    if not isinstance(params, dict):
        _fail("expected a mapping of parameter names to values", name, "params", decl)
    network, others = _networks(decl, name, networks)
    if KINDS[kind].needs_network and not network:
        _fail(f"kind '{kind}' draws a trained network: name one of {NETWORKS_FILE}",
              name, "network", decl, decl.line)
    legacy = tuple(Legacy(item.path, _params(name, kind, {**params, **item.params}, decl))
                   for item in _legacy(decl, name))
    return FigureDecl(name=name, kind=kind, network=network, networks=others,
                      params=_params(name, kind, params, decl),
                      alt=_str_field(decl, name, "alt", True),
                      caption=_str_field(decl, name, "caption", False),
                      output=_output(decl, name), legacy=legacy, line=decl.line)


def _params(name, kind, params, decl) -> dict:
    """The kind's parameters, checked (type, allowed values) and with defaults filled in."""
    try:
        return KINDS[kind].resolve(params, item=None, file=None)
    except NNBlogError as err:
        message = str(err).removeprefix(f"field '{err.field}': ")
        lines = getattr(decl.get("params"), "lines", {})
        raise NNBlogError(message, file=FIGURES_FILE, item=name, field=f"params.{err.field}",
                          line=lines.get(err.field) or _line(decl, "params") or decl.line) from None


def output_files(fig: FigureDecl) -> list[str]:
    """Every file (relative to the root) a figure may write."""
    return layout.all_files(fig.output, [item.path for item in fig.legacy])


def _check_paths(figures: dict[str, FigureDecl], top) -> None:
    owner: dict[str, str] = {}
    for fig in figures.values():
        legacy = {item.path.casefold() for item in fig.legacy}
        for path in dict.fromkeys(p.casefold() for p in output_files(fig)):
            if path in owner:
                raise NNBlogError(f"writes {path!r}, which figure '{owner[path]}' writes too",
                                  file=FIGURES_FILE, item=fig.name,
                                  field="legacy" if path in legacy else "output",
                                  line=_line(top, fig.name))
            owner[path] = fig.name


def load_figures(root, networks=None) -> dict[str, FigureDecl]:
    """The checked figure declarations, in file order. ``networks``: known network names."""
    top = _top_mapping(load_yaml(root, FIGURES_FILE), FIGURES_FILE)
    if networks is None:
        networks = network_declarations(root)
    figures = {}
    for name, decl in top.items():
        check_name(name, FIGURES_FILE, _line(top, name))
        figures[name] = _figure(name, decl, set(networks))
    _check_paths(figures, top)
    return figures


# ---------------------------------------------------------------------------------- excerpts

def load_excerpts(root) -> dict[str, tuple[str, ...]]:
    """``_data/excerpts.yml``: name -> dotted paths (``nn_blog.nn.layers.Dense.forward``)."""
    top = _top_mapping(load_yaml(root, EXCERPTS_FILE, required=False), EXCERPTS_FILE)
    out = {}
    for name, paths in top.items():
        check_name(name, EXCERPTS_FILE, _line(top, name))
        paths = [paths] if isinstance(paths, str) else paths
        if not paths or not isinstance(paths, list) or not all(
                isinstance(p, str) and p.startswith("nn_blog.") for p in paths):
            raise NNBlogError("expected a list of dotted paths inside nn_blog "
                              "(e.g. nn_blog.nn.layers.Dense.forward)", file=EXCERPTS_FILE,
                              item=name, field="paths", line=_line(top, name))
        out[name] = tuple(paths)
    return out
