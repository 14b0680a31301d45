"""The field types of the declarations' schemas, and where their complaints go.

Each declared value is a :class:`Field` (``Int``, ``Float``, ``Bool``, ``Choice``, ``Text``,
``ListOf``) with a type, bounds and a default (``REQUIRED``: must be given); :func:`check_fields`
checks a mapping against a schema of fields. :class:`Place` turns a complaint about a field into
an :class:`~nn_blog.errors.NNBlogError` naming file, line, item and field. Declared names (of
networks, figures, excerpts) are ``[a-z0-9][a-z0-9_-]{0,63}`` (:func:`check_name`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from nn_blog.declarations.loader import Mapping
from nn_blog.errors import NNBlogError

NAME_PATTERN = "[a-z0-9][a-z0-9_-]{0,63}"
NAME = re.compile(NAME_PATTERN + r"\Z")


REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


class Invalid(Exception):
    """A field's complaint; ``sub`` is a suffix of the field's path (``[2]``) when it is about
    a part of the value."""

    def __init__(self, message: str, sub: str = ""):
        super().__init__(message)
        self.message, self.sub = message, sub


def show(value) -> str:
    return f"{type(value).__name__} {value!r}"


def plain_number(x) -> str:
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
        raise Invalid(f"must be {self.describe()}, got {show(value)} "
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
        return (f"a number {'>' if self.above else '>='} {plain_number(self.low)} and "
                f"{'<' if self.below else '<='} {plain_number(self.high)}")

    def check(self, value):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            self.wrong_type(value)
        value = float(value)
        if not math.isfinite(value):
            raise Invalid(f"must be a finite number ({self.describe()}), got {value}")
        low_ok = value > self.low if self.above else value >= self.low
        high_ok = value < self.high if self.below else value <= self.high
        if not (low_ok and high_ok):
            raise Invalid(f"must be {self.describe()}, got {plain_number(value)}")
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
                raise Invalid(f"must be a finite number or a short word, got {show(item)}",
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


class Place:
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


def top_names(top, rel: str, what: str) -> Mapping:
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


def expect_mapping(at: Place, path: str, value, example: str) -> dict:
    if not isinstance(value, dict):
        at.fail(path, f"must be a mapping like {example}, got {show(value)}")
    return value
