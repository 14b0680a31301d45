"""The author's declarations, read and checked in one place: networks, figures and excerpts.

Three files under ``_data/`` declare what the render service makes:

* ``networks.yml`` -- the networks to train (:func:`load_networks`),
* ``figures.yml`` -- the figures to draw (:func:`load_figures`),
* ``excerpts.yml`` -- the code excerpts the posts quote (:func:`load_excerpts`).

Each is read by one loader (:func:`load_yaml`) and checked against one schema, before anything is
hashed, allocated or trained:

* the loader refuses a file larger than ``MAX_FILE_BYTES``, bytes that are not UTF-8, more than
  ``MAX_ALIASES`` alias references or more than ``MAX_NODES`` nodes once aliases are expanded (an
  "alias bomb" fails in milliseconds, before any object is built), recursive aliases, repeated
  keys, and keys YAML does not read as text (``no``, ``on``, ``1``: quote them);
* the schemas give every field a type and bounds (the :class:`Field` classes below), refuse
  unknown fields, NaN and infinities, and names outside ``[a-z0-9][a-z0-9_-]{0,63}`` (a name
  becomes part of a file name, so it may not climb out of its directory or be over-long).

Every mistake raises :class:`~nn_blog.errors.NNBlogError` naming the file, the line, the item and
the field: one line for the CLI, exit code 2. The bounds are generous, and stated in the files'
header comments; they exist so that a typo costs one line, not an hour of training or all memory.

Nothing here imports NumPy, matplotlib or the engine: a render with nothing stale checks every
declaration and still stays far below half a second. The engine's activation and loss names are
listed here for that reason (a test checks they match ``nn_blog.nn``).

Figure kinds declare their parameters with the same field classes (``nn_blog/figures/__init__``)::

    Kind("decision_boundary", True, {"resolution": Int(200, 8, 1000), "show_test": Bool(True)})
"""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from nn_blog import layout
from nn_blog.errors import NNBlogError

NETWORKS_FILE = "_data/networks.yml"
FIGURES_FILE = "_data/figures.yml"
EXCERPTS_FILE = "_data/excerpts.yml"

# --- limits of the loader (the real files are a few kB, a few hundred nodes, no aliases) --------
MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_NODES = 100_000
MAX_DEPTH = 32                 # nesting of lists and mappings (libyaml's composer recurses in C)

NAME_PATTERN = "[a-z0-9][a-z0-9_-]{0,63}"
NAME = re.compile(NAME_PATTERN + r"\Z")


# =============================================================================== the loader

class Mapping(dict):
    """A YAML mapping that remembers the line of each key (``lines``) and its own (``line``)."""

    line: int | None = None
    lines: dict

    def line_of(self, key) -> int | None:
        return getattr(self, "lines", {}).get(key) or self.line


class Sequence(list):
    """A YAML list that remembers the line of each item (``lines``) and its own (``line``)."""

    line: int | None = None
    lines: list


_STR_TAG = "tag:yaml.org,2002:str"
_READ_AS = {"tag:yaml.org,2002:bool": "true or false", "tag:yaml.org,2002:int": "a number",
            "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:null": "null (nothing)",
            "tag:yaml.org,2002:timestamp": "a date"}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """``yaml.safe_load``'s loader, plus line numbers and checks on keys."""

    rel = ""


def _construct_mapping(loader: _Loader, node) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line, mapping.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise NNBlogError("a name or field must be plain text, not a list or mapping",
                              file=loader.rel, line=line)
        if key_node.tag != _STR_TAG:
            raw = key_node.value
            read_as = _READ_AS.get(key_node.tag, key_node.tag)
            raise NNBlogError(f"YAML reads the name {raw} as {read_as}: quote it ('{raw}')",
                              file=loader.rel, item=raw, line=line)
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise NNBlogError(f"duplicate name {key!r}", file=loader.rel, item=key, line=line)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _construct_sequence(loader: _Loader, node) -> Sequence:
    # built at once, not lazily: recursive aliases were refused before construction
    seq = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.lines = [child.start_mark.line + 1 for child in node.value]
    return seq


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _check_graph(root, rel: str) -> None:
    """Refuse alias bombs and recursive aliases, before a single object is constructed.

    A node reached a second time is an alias reference. Walks the composed node graph once
    (memoised), counting each node's size with its aliases expanded: a 9-level bomb of 500 bytes
    has ~10^9 nodes when expanded, and fails here in microseconds.
    """
    size: dict[int, int] = {}
    open_: set[int] = set()    # the nodes on the path from the root: an alias to one is a loop
    aliases = 0
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        children = _children(node)
        if leaving:
            open_.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children)
            if size[key] > MAX_NODES:
                raise NNBlogError(f"more than {MAX_NODES} values once aliases are expanded "
                                  "(an alias bomb?)", file=rel, line=node.start_mark.line + 1)
            continue
        if key in size or key in open_:
            if key in open_:
                raise NNBlogError("an alias refers to the mapping or list it sits in",
                                  file=rel, line=node.start_mark.line + 1)
            aliases += 1
            if aliases > MAX_ALIASES:
                raise NNBlogError(f"more than {MAX_ALIASES} aliases (*name)", file=rel,
                                  line=node.start_mark.line + 1)
            continue
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))


def _check_depth(text: str, rel: str) -> None:
    """Refuse lists and mappings nested deeper than MAX_DEPTH, from the parser's events alone
    (composing ``[[[[...`` 50,000 levels deep overflows the C stack of libyaml's composer)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Parser):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise NNBlogError(f"lists and mappings nested more than {MAX_DEPTH} levels deep",
                                  file=rel, line=event.start_mark.line + 1)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def read_text(root, rel: str, required: bool = True) -> str | None:
    """The text of ``root/rel`` (None when absent and not required), at most MAX_FILE_BYTES."""
    path = Path(root) / rel
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        if required:
            raise NNBlogError("file not found (is --root the site's root?)", file=rel) from None
        return None
    except IsADirectoryError:
        raise NNBlogError("is a directory, not a file", file=rel) from None
    except OSError as err:
        raise NNBlogError(f"cannot read it ({err.strerror or err})", file=rel) from None
    if len(raw) > MAX_FILE_BYTES:
        raise NNBlogError(f"is larger than {MAX_FILE_BYTES} bytes; declarations are a few kB",
                          file=rel)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise NNBlogError(f"is not UTF-8 text (byte 0x{raw[err.start]:02x})", file=rel,
                          line=line) from None


def load_yaml(root, rel: str, required: bool = True):
    """The data of ``root/rel``, loaded safely within the limits above (None when absent).

    Mappings come back as :class:`Mapping` (with line numbers). Errors name file and line.
    """
    text = read_text(root, rel, required)
    if text is None:
        return None
    return parse_yaml(text, rel)


def parse_yaml(text: str, rel: str):
    """``text`` (of the file ``rel``, named in errors) loaded like :func:`load_yaml` loads a file:
    for YAML that lives inside another file (a post's front matter)."""
    if len(text) > MAX_FILE_BYTES:
        raise NNBlogError(f"is larger than {MAX_FILE_BYTES} bytes", file=rel)
    loader = _Loader(text)
    loader.rel = rel
    try:
        _check_depth(text, rel)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, rel)
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise NNBlogError(f"malformed YAML: {problem}", file=rel,
                          line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise NNBlogError("nested too deeply", file=rel) from None
    finally:
        loader.dispose()


# =========================================================================== field schemas

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


class Invalid(Exception):
    """A field's complaint; ``sub`` is a suffix of the field's path (``[2]``) when it is about
    a part of the value."""

    def __init__(self, message: str, sub: str = ""):
        super().__init__(message)
        self.message, self.sub = message, sub


def _show(value) -> str:
    return f"{type(value).__name__} {value!r}"


def _num(x) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return str(x)


class Field:
    """One declared value: its type, its bounds, its default (REQUIRED: must be given; None:
    "not given"). ``check(value)`` returns the value as the spec holds it or raises Invalid."""

    type_name = "value"
    default: Any = None

    def describe(self) -> str:
        raise NotImplementedError

    def check(self, value):
        raise NotImplementedError

    def wrong_type(self, value) -> NoReturn:
        raise Invalid(f"must be {self.describe()}, got {_show(value)} "
                      f"(expected {self.type_name})")


@dataclass(frozen=True)
class Int(Field):
    """A whole number from ``low`` to ``high`` (both included)."""

    default: Any = REQUIRED
    low: int = 0
    high: int = 100_000
    type_name = "int"

    def describe(self):
        return f"an integer from {self.low} to {self.high}"

    def check(self, value):
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong_type(value)
        if not self.low <= value <= self.high:
            raise Invalid(f"must be {self.describe()}, got {value}")
        return value


@dataclass(frozen=True)
class Float(Field):
    """A finite number in ``[low, high]``; ``above``/``below``: ``low``/``high`` excluded."""

    default: Any = REQUIRED
    low: float = -1e6
    high: float = 1e6
    above: bool = False
    below: bool = False
    type_name = "float"

    def describe(self):
        return (f"a number {'>' if self.above else '>='} {_num(self.low)} and "
                f"{'<' if self.below else '<='} {_num(self.high)}")

    def check(self, value):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            self.wrong_type(value)
        value = float(value)
        if not math.isfinite(value):
            raise Invalid(f"must be a finite number ({self.describe()}), got {value}")
        low_ok = value > self.low if self.above else value >= self.low
        high_ok = value < self.high if self.below else value <= self.high
        if not (low_ok and high_ok):
            raise Invalid(f"must be {self.describe()}, got {_num(value)}")
        return value


@dataclass(frozen=True)
class Bool(Field):
    default: Any = REQUIRED
    type_name = "bool"

    def describe(self):
        return "true or false"

    def check(self, value):
        if not isinstance(value, bool):
            self.wrong_type(value)
        return value


@dataclass(frozen=True)
class Choice(Field):
    """One of ``options`` (text). ``what`` names it in messages ("unknown activation 'tan'")."""

    default: Any = REQUIRED
    options: tuple = ()
    what: str = ""
    type_name = "str"

    def describe(self):
        return "one of " + ", ".join(self.options)

    def check(self, value):
        if not isinstance(value, str) or value not in self.options:
            known = ", ".join(self.options)
            if self.what:
                raise Invalid(f"unknown {self.what} {value!r} (known: {known})")
            raise Invalid(f"{value!r} is not one of: {known}")
        return value


@dataclass(frozen=True)
class Text(Field):
    default: Any = REQUIRED
    max_len: int = 200
    type_name = "str"

    def describe(self):
        return f"text of at most {self.max_len} characters"

    def check(self, value):
        if not isinstance(value, str):
            self.wrong_type(value)
        if len(value) > self.max_len:
            raise Invalid(f"must be at most {self.max_len} characters, got {len(value)}")
        return value


@dataclass(frozen=True)
class ListOf(Field):
    """A list of ``min_len`` to ``max_len`` items, each checked by ``item``."""

    item: Field = None
    default: Any = REQUIRED
    min_len: int = 0
    max_len: int = 64
    type_name = "list"

    def describe(self):
        count = (f"{self.min_len}" if self.min_len == self.max_len
                 else f"{self.min_len} to {self.max_len}")
        each = "" if self.item is None else f", each {self.item.describe()}"
        if isinstance(self.item, Choice) and self.item.what:
            each = f", each a known {self.item.what}"
        return f"a list of {count} items{each}"

    def check(self, value):
        if not isinstance(value, list):
            self.wrong_type(value)
        if not self.min_len <= len(value) <= self.max_len:
            raise Invalid(f"must be {self.describe()}; got {len(value)} items")
        if self.item is None:
            return list(value)
        out = []
        for i, item in enumerate(value):
            try:
                out.append(self.item.check(item))
            except Invalid as err:
                raise Invalid(err.message, f"[{i}]{err.sub}") from None
        return out


@dataclass(frozen=True)
class _AnyList(Field):
    """A list of finite numbers, text or booleans (old-style ``(list, default)`` parameters)."""

    default: Any = None
    max_len: int = 1000
    type_name = "list"

    def describe(self):
        return f"a list of at most {self.max_len} numbers or words"

    def check(self, value):
        if not isinstance(value, list):
            self.wrong_type(value)
        if len(value) > self.max_len:
            raise Invalid(f"must be {self.describe()}; got {len(value)} items")
        for i, item in enumerate(value):
            ok = isinstance(item, (bool, int, str)) or (
                isinstance(item, float) and math.isfinite(item))
            if not ok or (isinstance(item, str) and len(item) > 200):
                raise Invalid(f"must be a finite number or a short word, got {_show(item)}",
                              f"[{i}]")
        return list(value)


def as_field(spec) -> Field:
    """A Field, or an old-style ``(type, default)`` tuple given generic bounds."""
    if isinstance(spec, Field):
        return spec
    typ, default = spec
    if typ is bool:
        return Bool(default)
    if typ is int:
        return Int(default, 0, 100_000)
    if typ is float:
        return Float(default, -1e6, 1e6)
    if typ is str:
        return Text(default, 2000)
    if typ is list:
        return _AnyList(default)
    raise TypeError(f"cannot declare a parameter of type {typ!r}")


def check_fields(fields: dict[str, Field], given, fail, prefix: str = "",
                 unknown: str = "unknown field") -> dict:
    """``given`` (a mapping) checked against ``fields`` -> every field's value, defaults filled.

    ``fail(field_path, message)`` reports a mistake (and raises). An absent field takes its
    default (``None`` = not given); a REQUIRED one must be there.
    """
    for key in given:
        if key not in fields:
            fail(f"{prefix}{key}", f"{unknown} (known: {', '.join(fields) or 'none'})")
    out = {}
    for key, fld in fields.items():
        if key not in given:
            if fld.default is REQUIRED:
                fail(f"{prefix}{key}", "is missing")
            out[key] = list(fld.default) if isinstance(fld.default, list) else fld.default
            continue
        if given[key] is None and fld.default is None:  # "not given", as a resolved spec says
            out[key] = None
            continue
        try:
            out[key] = fld.check(given[key])
        except Invalid as err:
            fail(f"{prefix}{key}{err.sub}", err.message)
    return out


class _Place:
    """Where complaints about one item go: file, item, and the lines of its YAML."""

    def __init__(self, file: str, item: str, decl, line: int | None):
        self.file, self.item, self.decl, self.line = file, item, decl, line

    def line_of(self, path: str) -> int | None:
        """The line of ``a.b[2].c`` in the item's declaration: of the deepest part present."""
        node, line = self.decl, self.line
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path or ""):
            if isinstance(node, dict) and not part.startswith("["):
                if part not in node:
                    break
                line = getattr(node, "lines", {}).get(part) or line
                node = node[part]
            elif isinstance(node, list) and part.startswith("["):
                i = int(part[1:-1])
                if not 0 <= i < len(node):
                    break
                lines = getattr(node, "lines", None)
                line = lines[i] if lines else line
                node = node[i]
            else:
                break
        return line

    def fail(self, path, message) -> NoReturn:
        raise NNBlogError(message, file=self.file, item=self.item, field=path or None,
                          line=self.line_of(path))


def _names(top, rel: str, what: str) -> Mapping:
    """The top level of a declarations file: a mapping of valid names (empty when absent)."""
    if top is None:
        top = Mapping()
        top.lines = {}
    if not isinstance(top, dict):
        raise NNBlogError(f"expected a mapping of {what} names to their declarations", file=rel)
    for name in top:
        check_name(name, rel, top.line_of(name))
    return top


def check_name(name, rel: str, line=None) -> str:
    """A declared name: ``[a-z0-9][a-z0-9_-]{0,63}``, so it stays a plain, short file name."""
    if isinstance(name, str) and NAME.match(name):
        return name
    shown = name if not isinstance(name, str) or len(name) <= 40 else name[:37] + "..."
    if isinstance(name, str) and ("/" in name or ".." in name or "\\" in name):
        hint = " (no '/' or '..')"
    elif isinstance(name, str) and len(name) > 64:
        hint = f" (at most 64 characters, got {len(name)})"
    else:
        hint = ""
    raise NNBlogError(f"invalid name {shown!r}: use lowercase letters, digits, '-' and '_', "
                      f"starting with a letter or digit{hint}", file=rel, item=str(shown),
                      line=line)


# ============================================================================ networks.yml

def _engine_names(module: str, table: str) -> tuple[str, ...]:
    """The keys of the engine's table ``table`` (``ACTIVATIONS = {"relu": ...}``), read from the
    source of ``nn_blog/nn/<module>.py`` so that checking a declaration never imports NumPy.
    tests/test_declarations.py checks they are exactly the keys of the imported table."""
    text = (Path(__file__).resolve().parent / "nn" / f"{module}.py").read_text(encoding="utf-8")
    block = re.search(rf"^{table} = {{\n(.*?)^}}", text, re.MULTILINE | re.DOTALL)
    return tuple(re.findall(r'^\s+"(\w+)":', block.group(1), re.MULTILINE)) if block else ()


ACTIVATIONS = _engine_names("activations", "ACTIVATIONS")
LOSSES = _engine_names("losses", "LOSSES")

MAX_SAMPLES = 100_000
MAX_DATA_VALUES = 10_000_000       # n_samples x n_features of a generated data set
MAX_UNITS = 4096
MAX_LAYERS = 32
MAX_PARAMS = 10_000_000            # weights and biases of one network
MAX_EPOCHS = 100_000


@dataclass(frozen=True)
class DataSetDecl:
    """A data set's parameters and, from them, the width of X and the number of classes."""

    params: dict
    features: Any
    classes: Any


def _fixed(n):
    return lambda params: n


def _samples(default, low=4):
    return Int(default, low, MAX_SAMPLES)


_NOISE = (0.0, 10.0)
# Points a reader added in the playground: [x, y, class], joining the training split. Absent
# (or empty) they are left out of the spec, so no existing network's key changes.
POINTS = ListOf(ListOf(Float(None, -100.0, 100.0), None, 3, 3), None, 0, 200)
_GATE = {"n_samples": _samples(200, 8), "spread": Float(0.25, 0.0, 1.0), "points": POINTS}

DATASETS: dict[str, DataSetDecl] = {
    "and": DataSetDecl(_GATE, _fixed(2), _fixed(2)),
    "or": DataSetDecl(_GATE, _fixed(2), _fixed(2)),
    "xor": DataSetDecl(_GATE, _fixed(2), _fixed(2)),
    "moons": DataSetDecl({"n_samples": _samples(1000), "noise": Float(0.2, *_NOISE),
                          "points": POINTS},
                         _fixed(2), _fixed(2)),
    "circles": DataSetDecl({"n_samples": _samples(1000), "noise": Float(0.1, *_NOISE),
                            "factor": Float(0.5, 0.0, 1.0, above=True, below=True),
                            "points": POINTS},
                           _fixed(2), _fixed(2)),
    "spiral": DataSetDecl({"n_samples": _samples(300), "classes": Int(3, 2, 20),
                           "noise": Float(0.2, *_NOISE), "points": POINTS},
                          _fixed(2), lambda p: p["classes"]),
    "blobs": DataSetDecl({"n_samples": _samples(300), "centers": Int(3, 2, 100),
                          "n_features": Int(2, 1, 1000), "std": Float(1.0, 0.0, 1e3),
                          "box": Float(10.0, 0.0, 1e6)},
                         lambda p: p["n_features"], lambda p: p["centers"]),
    "digits": DataSetDecl({}, _fixed(64), _fixed(10)),
}

_LR = Float(REQUIRED, 0.0, 1e6, above=True)
_DECAY = Float(None, 0.0, 10.0)
OPTIMIZERS = {
    "sgd": {"lr": _LR, "momentum": Float(None, 0.0, 1.0, below=True), "nesterov": Bool(None),
            "weight_decay": _DECAY},
    "adam": {"lr": _LR, "betas": ListOf(Float(None, 0.0, 1.0, below=True), None, 2, 2),
             "eps": Float(None, 0.0, 1.0, above=True), "weight_decay": _DECAY},
}

NETWORK_FIELDS = {
    "title": Text(None, 200),
    "dataset": None,                     # checked by _dataset (its fields depend on its name)
    "standardize": Bool(False),
    "validation": Float(0.0, 0.0, 0.5, below=True),
    "layers": ListOf(None, REQUIRED, 1, MAX_LAYERS),   # each checked by _layers
    "loss": Choice(REQUIRED, LOSSES, "loss"),
    "optimizer": None,                   # checked by _optimizer
    "epochs": Int(REQUIRED, 1, MAX_EPOCHS),
    "batch_size": Int(REQUIRED, 1, MAX_SAMPLES),
    "seed": Int(0, 0, 2**32 - 1),
    "snapshots": ListOf(Int(None, 0, MAX_EPOCHS), [], 0, 1000),
    "dtype": Choice("float64", ("float64", "float32"), "dtype"),
    # mulberry32: data, split, weights and batches from nn_blog.prng, which the browser's
    # playground computes the same (absent from the spec at its default: keys unchanged)
    "rng": Choice("numpy", ("numpy", "mulberry32"), "random generator"),
}
_LAYER = {"units": Int(REQUIRED, 1, MAX_UNITS),
          "activation": Choice(REQUIRED, ACTIVATIONS, "activation")}


def _mapping(at: _Place, path: str, value, example: str) -> dict:
    if not isinstance(value, dict):
        at.fail(path, f"must be a mapping like {example}, got {_show(value)}")
    return value


def _dataset(at: _Place, decl) -> tuple[dict, int, int]:
    if "dataset" not in decl:
        at.fail("dataset", "is missing")
    ds = _mapping(at, "dataset", decl["dataset"], "{name: moons, n_samples: 1000}")
    name = check_fields({"name": Choice(REQUIRED, tuple(DATASETS), "data set")},
                        {"name": ds.get("name")} if "name" in ds else {}, at.fail,
                        "dataset.")["name"]
    known = DATASETS[name]
    rest = {k: v for k, v in ds.items() if k != "name"}
    params = check_fields(known.params, rest, at.fail, "dataset.",
                          unknown=f"unknown parameter of data set '{name}'")
    n_features, n_classes = known.features(params), known.classes(params)
    for i, point in enumerate(params.pop("points", None) or []):
        if point[2] not in range(n_classes):
            at.fail(f"dataset.points[{i}][2]", f"must be a class, an integer from 0 to "
                                               f"{n_classes - 1}, got {_show(point[2])}")
    if ds.get("points"):
        params["points"] = [[float(x), float(y), int(c)] for x, y, c in ds["points"]]
    n = params.get("n_samples")
    validation = decl.get("validation")
    held_out = isinstance(validation, (int, float)) and not isinstance(validation, bool) \
        and validation > 0
    per_class = 3 if held_out else 2
    if n is not None and n < per_class * n_classes:
        at.fail("dataset.n_samples", f"must be at least {per_class * n_classes} "
                                     f"({per_class} per class, {n_classes} classes)")
    if n is not None and n * n_features > MAX_DATA_VALUES:
        at.fail("dataset", f"would hold {n * n_features} numbers (n_samples x n_features); "
                           f"at most {MAX_DATA_VALUES}")
    return {"name": name, **params}, n_features, n_classes


def _layers(at: _Place, given, n_features: int) -> list[dict]:
    out, n_in, n_params = [], n_features, 0
    for i, layer in enumerate(given):
        where = f"layers[{i}]"
        layer = _mapping(at, where, layer, "{units: 8, activation: tanh}")
        checked = check_fields(_LAYER, layer, at.fail, f"{where}.")
        n_params += (n_in + 1) * checked["units"]
        n_in = checked["units"]
        out.append(checked)
    if n_params > MAX_PARAMS:
        at.fail("layers", f"the network would have {n_params} weights and biases; "
                          f"at most {MAX_PARAMS}")
    return out


def _check_output(at: _Place, layers, loss, n_classes) -> None:
    """The last layer must fit the loss and the number of classes, or training is meaningless."""
    last, where = layers[-1], f"layers[{len(layers) - 1}]"
    if loss == "bce":
        if n_classes != 2 or last["units"] != 1 or last["activation"] != "sigmoid":
            at.fail(where, "loss bce needs 2 classes and a last layer {units: 1, activation: "
                           f"sigmoid}}; the data has {n_classes} classes")
    elif loss == "cross_entropy":
        if last["activation"] not in ("identity", "softmax"):
            at.fail(f"{where}.activation",
                    "loss cross_entropy needs identity (logits) or softmax")
        if last["units"] != n_classes:
            at.fail(f"{where}.units", f"must equal the number of classes, {n_classes}")
    elif last["units"] != n_classes and not (n_classes == 2 and last["units"] == 1):
        at.fail(f"{where}.units", f"must be {n_classes} (one per class) or 1 for two classes")


def _optimizer(at: _Place, decl) -> dict:
    if "optimizer" not in decl:
        at.fail("optimizer", "is missing")
    opt = _mapping(at, "optimizer", decl["optimizer"], "{name: adam, lr: 0.01}")
    name = check_fields({"name": Choice(REQUIRED, tuple(OPTIMIZERS), "optimizer")},
                        {"name": opt["name"]} if "name" in opt else {}, at.fail,
                        "optimizer.")["name"]
    rest = {k: v for k, v in opt.items() if k != "name"}
    checked = check_fields(OPTIMIZERS[name], rest, at.fail, "optimizer.",
                           unknown=f"unknown option of optimizer '{name}'")
    if checked.get("nesterov") and not checked.get("momentum"):
        at.fail("optimizer.nesterov", "needs a momentum > 0")
    return {"name": name, **{k: v for k, v in checked.items() if v is not None}}


def check_network(name: str, decl, file: str = NETWORKS_FILE, line: int | None = None) -> dict:
    """One declaration -> its spec: a plain dict of JSON values, every default filled in.

    The spec is what ``experiments.train`` consumes and what the render service hashes.
    """
    at = _Place(file, name, decl, line or getattr(decl, "line", None))
    decl = _mapping(at, "", decl, "{dataset: ..., layers: ..., ...}")
    simple = {k: f for k, f in NETWORK_FIELDS.items() if f is not None}
    for key in decl:
        if key not in NETWORK_FIELDS:
            at.fail(key, f"unknown field (known: {', '.join(NETWORK_FIELDS)})")
    dataset, n_features, n_classes = _dataset(at, decl)
    spec = check_fields(simple, {k: decl[k] for k in simple if k in decl}, at.fail)
    layers = _layers(at, spec["layers"], n_features)
    _check_output(at, layers, spec["loss"], n_classes)
    for i, epoch in enumerate(spec["snapshots"]):
        if epoch > spec["epochs"]:
            at.fail(f"snapshots[{i}]", f"must be an epoch from 0 to {spec['epochs']}, "
                                       f"got {epoch}")
    return {
        "name": name, "title": name if spec["title"] is None else spec["title"],
        "dataset": dataset, "n_features": n_features, "n_classes": n_classes,
        "standardize": spec["standardize"], "validation": spec["validation"],
        "layers": layers, "loss": spec["loss"], "optimizer": _optimizer(at, decl),
        "epochs": spec["epochs"], "batch_size": spec["batch_size"], "seed": spec["seed"],
        "snapshots": sorted(set(spec["snapshots"])), "dtype": spec["dtype"],
        **({"rng": spec["rng"]} if spec["rng"] != "numpy" else {}),
    }


def load_networks(root, required: bool = False) -> dict[str, dict]:
    """``_data/networks.yml`` -> {name: spec}, in the file's order, every network checked.

    ``root`` is the site's root (or the YAML file itself). Absent file: {} unless ``required``.
    """
    root, rel = _root_and_rel(root, NETWORKS_FILE)
    top = _names(load_yaml(root, rel, required), rel, "network")
    return {name: check_network(name, decl, rel, top.line_of(name))
            for name, decl in top.items()}


def _root_and_rel(root, rel: str) -> tuple[Path, str]:
    path = Path(root)
    if path.is_file():
        return path.parent, path.name
    return path, rel


# ============================================================================= figures.yml

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


def _text(at: _Place, decl, key: str, required: bool) -> str:
    value = decl.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            at.fail(key, f"'{key}' is required: describe what the figure shows")
        return ""
    try:
        return Text(REQUIRED, MAX_TEXT).check(value).strip()
    except Invalid as err:
        at.fail(key, err.message)


def _output(at: _Place, decl, name: str) -> str:
    value = decl.get("output", f"nn/{name}")
    if not isinstance(value, str) or not value or len(value) > MAX_PATH:
        at.fail("output", f"expected a path under assets/images/ of at most {MAX_PATH} "
                          f"characters, got {_show(value)[:60]}")
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


def _legacy(at: _Place, decl) -> list[tuple[str, dict]]:
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
            at.fail("legacy", f"expected a path under assets/, got {_show(path)[:60]}")
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


def _network_refs(at: _Place, decl, known) -> tuple[str | None, tuple[str, ...]]:
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


def resolve_params(kind, params, at: _Place | None = None, prefix: str = "") -> dict:
    """A figure kind's parameters checked (type, bounds) with defaults filled in.

    ``kind`` has ``name`` and ``params`` (name -> Field or old-style ``(type, default)``).
    Without ``at``, mistakes raise NNBlogError naming only the field.
    """
    if at is None:
        at = _Place("", "", {}, None)
    if params is None:
        params = {}
    if not isinstance(params, dict):
        at.fail(prefix.rstrip(".") or "params", "expected a mapping of parameter names to values")
    fields = {key: as_field(spec) for key, spec in kind.params.items()}
    return check_fields(fields, params, at.fail, prefix,
                        unknown=f"unknown parameter for kind '{kind.name}'")


def _figure(name: str, decl, networks, kinds, line) -> FigureDecl:
    at = _Place(FIGURES_FILE, name, decl, line)
    decl = _mapping(at, "", decl, "{kind: ..., alt: ...}")
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


def load_figures(root, networks=None, kinds=None) -> dict[str, FigureDecl]:
    """``_data/figures.yml`` -> {name: FigureDecl}, in file order, every figure checked.

    ``networks``: the declared network names (read from networks.yml when None); ``kinds``: the
    figure kinds (``nn_blog.figures.KINDS`` when None).
    """
    if kinds is None:
        from nn_blog.figures import KINDS as kinds
    top = _names(load_yaml(root, FIGURES_FILE), FIGURES_FILE, "figure")
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


# ============================================================================ excerpts.yml

_DOTTED = re.compile(r"nn_blog(\.[A-Za-z_][A-Za-z0-9_]{0,99}){1,8}\Z")
MAX_EXCERPT_PATHS = 32


def load_excerpts(root) -> dict[str, tuple[str, ...]]:
    """``_data/excerpts.yml``: name -> dotted paths (``nn_blog.nn.layers.Dense.forward``)."""
    top = _names(load_yaml(root, EXCERPTS_FILE, required=False), EXCERPTS_FILE, "excerpt")
    out = {}
    for name, paths in top.items():
        at = _Place(EXCERPTS_FILE, name, top, top.line_of(name))
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


# ================================================================= the bounds, as documented

def _default(fld: Field) -> str:
    if fld.default is None or fld.default is REQUIRED:
        return ""
    value = fld.default
    shown = ("true" if value else "false") if isinstance(value, bool) else (
        "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else _num(value))
    return f" (default {shown})"


def bounds_comments(kinds=None) -> dict[str, str]:
    """The bounds each file's header comment states, generated from the schemas above.

    ``tests/test_declarations.py`` checks every line is in the file's header, so the documented
    bounds cannot drift from the checked ones. Print them with
    ``python -c "from nn_blog import declarations as d; print(d.bounds_comments()[FILE])"``.
    """
    if kinds is None:
        from nn_blog.figures import KINDS as kinds
    f = NETWORK_FIELDS
    sgd, adam = OPTIMIZERS["sgd"], OPTIMIZERS["adam"]
    networks = [
        "# Bounds (nn_blog/declarations.py checks them before anything is hashed or trained):",
        f"#   names        {NAME_PATTERN}; quote a name YAML reads otherwise ('no', '1')",
        f"#   n_samples    {_samples(0).describe()} (and, or, xor: from 8), "
        "at least 2 per class",
        f"#                (3 with validation); n_samples x n_features <= {MAX_DATA_VALUES}",
        f"#   noise        {DATASETS['moons'].params['noise'].describe()}; "
        f"spread: {_GATE['spread'].describe()}",
        f"#   factor       {DATASETS['circles'].params['factor'].describe()}; "
        f"spiral classes: {DATASETS['spiral'].params['classes'].describe()}",
        f"#   blobs        centers: {DATASETS['blobs'].params['centers'].describe()}; "
        f"n_features: {DATASETS['blobs'].params['n_features'].describe()}",
        f"#   layers       1 to {MAX_LAYERS} layers of 1 to {MAX_UNITS} units; "
        f"at most {MAX_PARAMS} weights and biases in all",
        f"#   lr           {_LR.describe()}; momentum: {sgd['momentum'].describe()}",
        f"#   adam         betas: two numbers >= 0 and < 1; eps: {adam['eps'].describe()}",
        f"#   weight_decay {_DECAY.describe()}",
        f"#   epochs       {f['epochs'].describe()}; batch_size: {f['batch_size'].describe()}",
        f"#   seed         {f['seed'].describe()}",
        f"#   snapshots    at most {f['snapshots'].max_len} epochs, each from 0 to the epochs",
        f"#   validation   {f['validation'].describe()}{_default(f['validation'])}",
        "#   NaN and infinities are refused everywhere.",
    ]
    figures = ["# Parameters of each kind (checked before anything is drawn):"]
    for kind in kinds.values():
        for key, spec in kind.params.items():
            fld = as_field(spec)
            figures.append(f"#   {kind.name:<19} {key}: {fld.describe()}{_default(fld)}")
    figures.append(f"# Names: {NAME_PATTERN}. alt and caption: at most {MAX_TEXT} characters; "
                   f"at most {MAX_LEGACY} legacy files.")
    excerpts = [f"# Names: {NAME_PATTERN}; each lists 1 to {MAX_EXCERPT_PATHS} dotted paths "
                "inside nn_blog."]
    return {NETWORKS_FILE: "\n".join(networks), FIGURES_FILE: "\n".join(figures),
            EXCERPTS_FILE: "\n".join(excerpts)}
