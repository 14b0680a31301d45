"""The one YAML loader of the declarations: ``yaml.safe_load`` within limits, with line numbers.

It refuses a file larger than ``MAX_FILE_BYTES``, bytes that are not UTF-8, lists and mappings
nested deeper than ``MAX_DEPTH``, more than ``MAX_ALIASES`` alias references or more than
``MAX_NODES`` nodes once aliases are expanded (an "alias bomb" fails in milliseconds, before any
object is built), recursive aliases, repeated keys, and keys YAML does not read as text (``no``,
``on``, ``1``: quote them). Mappings and lists come back as :class:`Mapping` and :class:`Sequence`,
which remember the line of each key and item. (Not ``yaml.py``: that would shadow PyYAML.)
"""

from __future__ import annotations

from pathlib import Path

import yaml

from nn_blog.errors import NNBlogError

# --- limits of the loader (the real files are a few kB, a few hundred nodes, no aliases) --------
MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_NODES = 100_000
MAX_DEPTH = 32                 # nesting of lists and mappings (libyaml's composer recurses in C)


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
