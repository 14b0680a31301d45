"""The post "Neural Network from scratch", read as source: structure, figures, numbers, excerpts.

These tests read the repository's files only (no Jekyll, no training), so they are fast. They
guard the promises the post makes: every figure it shows is in the generated manifest and every
declared figure is shown somewhere; no result is typed by hand (numbers come through Liquid from
the generated data); every Liquid reference points at data that exists (Liquid would otherwise
print nothing, silently); the math survives kramdown and Liquid; each code excerpt is exactly what
``nn_blog.excerpts`` extracts from the current source.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
POSTS = ROOT / "_posts"
POST = POSTS / "2020-10-17-nn-from-scratch.md"
MANIFEST = ROOT / "_data" / "generated" / "figures.json"

# Verbatim from the issue that asked for the post: older posts by the same author use these keys.
FRONT_MATTER = """\
title: "Neural Network from scratch"
permalink: /nn-from-scratch/
date: 2020-10-17
layout: splash
comments: true
author_profile: true
related: true
share: true
read_time: true
tags: [blog]
header:
  image: "/assets/images/blog-head-neural-network_16-August-2020.jpg"
  teaser: "/assets/images/KM_blog-teaser-banner-1_16-August-2020.jpg"
excerpt: "Neural Network, Deep Learning"
mathjax: "true"
toc: true
"""

FIVE_PARTS = [
    "1. The input matrix",
    "2. Weights, biases and activation functions",
    "3. The feedforward pass",
    "4. The loss",
    "5. Updating the weights (backpropagation)",
]
# The outline of the issue, in order: one heading each (matched as substrings, case-insensitive).
OUTLINE = ["what is a neural network", "architecture", "input matrix", "weights, biases",
           "feedforward", "the loss", "backpropagation", "putting it together", "xor",
           "moons", "spiral", "digits", "how fast", "wrapping up", "run it yourself"]

# docs/architecture.md: the excerpts and the benchmark's keys the post may quote.
EXCERPTS = {"sigmoid", "relu", "softmax", "init", "dense-forward", "dense-backward",
            "network-forward", "mse", "cross-entropy", "loss-and-grads", "sgd-step", "adam-step",
            "gradcheck", "standardize", "one-hot"}
BENCH_CASES = {"tiny_mlp", "spiral", "mnist_mlp", "mnist_roofline", "digits_sklearn"}
BENCH_FIELDS = {"label", "nn_blog", "reference", "reference_name", "unit", "ratio", "target"}

WORDS = (3500, 6000)

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.M | re.S)
COMMENT = re.compile(r"{%-?\s*comment\s*-?%}.*?{%-?\s*endcomment\s*-?%}", re.S)
RAW = re.compile(r"{%-?\s*raw\s*-?%}.*?{%-?\s*endraw\s*-?%}", re.S)
TAG = re.compile(r"{%.*?%}", re.S)
OUTPUT = re.compile(r"{{.*?}}", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
FIGURE = re.compile(r"{%-?\s*nn_figure\s+([^\s%]+)([^%]*?)-?%}")
INCLUDE = re.compile(r"{%-?\s*include\s+generated/excerpts/([^\s%]+)\.md\s*-?%}")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


# ------------------------------------------------------------------------------------- reading

def split_front_matter(text: str) -> tuple[str, str]:
    """``(front matter, body)`` of a Jekyll page: the YAML between the first two ``---`` lines."""
    match = re.match(r"---\n(.*?\n)---\n(.*)\Z", text, re.S)
    assert match, "the post must start with a front matter block between '---' lines"
    return match.group(1), match.group(2)


@cache
def post_body() -> str:
    return split_front_matter(POST.read_text(encoding="utf-8"))[1]


def without_code(body: str) -> str:
    """The body without Liquid comments and fenced code blocks (whose text is not prose)."""
    return FENCE.sub("\n", COMMENT.sub("", body))


def prose(body: str) -> str:
    """What a reader reads: no code, math, Liquid tags or outputs, HTML tags, inline code."""
    text = without_code(body)
    text = MATH.sub(" ", RAW.sub(" ", text))
    text = OUTPUT.sub(" ", TAG.sub(" ", text))
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"<[^>\n]*>", " ", text)
    return re.sub(r"https?://\S+", " ", text)


def headings(body: str) -> list[tuple[int, str]]:
    return [(len(h), title) for h, title in HEADING.findall(without_code(body))]


def posts() -> list[Path]:
    return sorted(p for p in POSTS.iterdir() if p.suffix in (".md", ".markdown", ".html"))


@cache
def manifest() -> dict:
    assert MANIFEST.is_file(), f"{MANIFEST.relative_to(ROOT)} is missing: run `nn-blog render`"
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def read_data(rel: str):
    path = ROOT / rel
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------- front matter

def test_front_matter_is_the_issues_verbatim():
    front, _ = split_front_matter(POST.read_text(encoding="utf-8"))
    assert front == FRONT_MATTER
    assert yaml.safe_load(front) == yaml.safe_load(FRONT_MATTER)


def test_header_images_exist():
    header = yaml.safe_load(FRONT_MATTER)["header"]
    for key in ("image", "teaser"):
        assert (ROOT / header[key].lstrip("/")).is_file(), f"header.{key}: {header[key]}"


# ---------------------------------------------------------------------------------- structure

def test_the_five_parts_are_headings_in_order_at_one_level():
    found = headings(post_body())
    titles = [title for _, title in found]
    for part in FIVE_PARTS:
        assert part in titles, f"no heading {part!r}"
    assert [t for t in titles if t in FIVE_PARTS] == FIVE_PARTS
    assert len({level for level, title in found if title in FIVE_PARTS}) == 1


def test_sections_follow_the_issues_outline():
    titles = [title.lower() for _, title in headings(post_body())]
    position = -1
    for topic in OUTLINE:
        later = [i for i, t in enumerate(titles) if topic in t and i > position]
        assert later, f"no heading about {topic!r} after {titles[position]!r}"
        position = later[0]


def test_prose_length_in_range():
    words = [w for w in re.findall(r"[\w'’-]+", prose(post_body())) if re.search(r"[A-Za-z]", w)]
    assert WORDS[0] <= len(words) <= WORDS[1], f"{len(words)} words of prose"


# ------------------------------------------------------------------------------------ figures

def figure_uses(text: str) -> list[tuple[str, str]]:
    return [(name, options.strip()) for name, options in FIGURE.findall(COMMENT.sub("", text))]


def test_post_shows_at_least_ten_figures():
    names = {name for name, _ in figure_uses(post_body())}
    assert len(names) >= 10, sorted(names)


def test_every_figure_a_post_uses_is_in_the_manifest():
    known = manifest()
    for path in posts():
        for name, options in figure_uses(path.read_text(encoding="utf-8")):
            assert name in known, f"{path.name}: figure {name!r} is not in the manifest"
            entry = known[name]
            assert entry.get("alt", "").strip(), f"figure {name!r} has no alt text"
            if "show=animation" in options:
                assert entry.get("extra", {}).get("gif"), f"figure {name!r} has no animation"


def legacy_paths(decl: dict) -> set[str]:
    items = decl.get("legacy") or []
    items = [items] if isinstance(items, str | dict) else items
    paths = {item if isinstance(item, str) else item.get("path", "") for item in items}
    return {p.lstrip("/") for p in paths if p}


def test_every_declared_figure_is_used_or_only_a_legacy_path():
    declared = read_data("_data/figures.yml")
    texts = [p.read_text(encoding="utf-8") for p in posts()]
    used = {name for text in texts for name, _ in figure_uses(text)}
    # a post's front matter (header.image, teaser) or an <img> may point at a legacy path
    referenced = {m.lstrip("/") for text in texts
                  for m in re.findall(r"/?assets/images/[\w./-]+", text)}
    unused = [name for name, decl in declared.items()
              if name not in used and not decl.get("legacy_only")
              and not legacy_paths(decl) & referenced]
    assert not unused, f"declared in _data/figures.yml but no post shows them: {unused}"


def test_images_written_as_html_have_alt_text():
    for tag in re.findall(r"<img\b[^>]*>", without_code(post_body())):
        assert re.search(r'\balt="[^"]+"', tag), tag


# ------------------------------------------------------------------------------------ numbers

def test_no_result_is_typed_by_hand():
    text = prose(post_body())
    decimals = re.findall(r"\d+\.\d+", text)
    percents = re.findall(r"\d+\s?%", text)
    assert not decimals and not percents, (decimals, percents)


def liquid_expressions(body: str) -> list[str]:
    """The variable of every ``{{ … }}`` output and ``{% if/unless/assign … %}`` tag."""
    body = RAW.sub("", COMMENT.sub("", body))
    found = [out.split("|")[0].strip() for out in re.findall(r"{{-?(.*?)-?}}", body, re.S)]
    for keyword, rest in re.findall(r"{%-?\s*(if|elsif|unless|assign)\s+(.*?)-?%}", body, re.S):
        expr = rest.split("=", 1)[1] if keyword == "assign" else rest
        found.append(re.split(r"\s(?:==|!=|<|>|and|or|contains)\s|\|", expr)[0].strip())
    return [e for e in found if e and not re.match(r"^['\"\d]", e)]


def aliases(body: str) -> dict[str, str]:
    return {name: path.split("|")[0].strip() for name, path in
            re.findall(r"{%-?\s*assign\s+(\w+)\s*=\s*(.*?)-?%}", COMMENT.sub("", body), re.S)}


def path_parts(expr: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index, key in re.findall(r"([\w-]+)|\[(\d+)\]|\[['\"]([^'\"]+)['\"]\]", expr):
        parts.append(int(index) if index else (key or name))
    return parts


def site_data(parts: list) -> tuple[object, list]:
    """The data file a ``site.data…`` path starts in, and the rest of the path."""
    directory = ROOT / "_data"
    for i, part in enumerate(parts):
        for suffix in (".yml", ".yaml", ".json"):
            if (directory / f"{part}{suffix}").is_file():
                return read_data(f"{directory.relative_to(ROOT)}/{part}{suffix}"), parts[i + 1:]
        directory = directory / str(part)
        if not directory.is_dir():
            break
    raise AssertionError(f"no data file for site.data.{'.'.join(map(str, parts))}")


def resolve(expr: str, alias: dict[str, str]):
    parts = path_parts(expr)
    while parts and isinstance(parts[0], str) and parts[0] in alias:
        parts = path_parts(alias[parts[0]]) + parts[1:]
    assert parts[:1] == ["site"], f"{expr!r} does not read the site's data"
    if parts[1:2] != ["data"]:
        value, rest = read_data("_config.yml"), parts[1:]
    elif parts[2:4] == ["generated", "benchmarks"] and \
            not (ROOT / "_data/generated/benchmarks.json").is_file():
        # written by `make bench`; the post shows a fallback until then: check the contract's keys
        case, fld = (parts[5:7] + [None, None])[:2]
        assert case is None or case in BENCH_CASES, f"{expr!r}: unknown benchmark case"
        assert fld is None or fld in BENCH_FIELDS, f"{expr!r}: unknown benchmark field"
        return "benchmark"
    else:
        value, rest = site_data(parts[2:])
    for part in rest:
        ok = (isinstance(value, list) and isinstance(part, int) and part < len(value)) or \
             (isinstance(value, dict) and part in value)
        assert ok, f"{expr!r}: no {part!r} in the data"
        value = value[part]
    return value


def test_every_liquid_reference_resolves_to_existing_data():
    body = post_body()
    alias = aliases(body)
    for expr in liquid_expressions(body):
        if expr.split(".")[0] in ("page", "forloop", "include"):
            continue
        assert resolve(expr, alias) is not None, expr


def test_results_are_formatted_by_the_filters():
    body = RAW.sub("", COMMENT.sub("", post_body()))
    outputs = [o.strip() for o in re.findall(r"{{-?(.*?)-?}}", body, re.S)]
    for out in outputs:
        if re.search(r"accuracy\b", out):
            assert "nn_percent" in out, out
        if re.search(r"\.(final_loss|seconds|ratio)\b", out):
            assert re.search(r"nn_(number|percent)", out), out


# -------------------------------------------------------------------------------------- math

def test_math_survives_kramdown_and_liquid():
    body = RAW.sub("", without_code(post_body()))
    assert body.count("$$") % 2 == 0, "an unclosed $$"
    segments = MATH.findall(body)
    assert segments
    for math in segments:
        assert "|" not in math, f"'|' in math (a table cell to GFM): use \\lvert/\\rvert: {math}"
        for liquid in ("{{", "}}", "{%", "%}"):
            assert liquid not in math, f"{liquid!r} in math (Liquid reads it): {math}"
        assert "%" not in math, f"'%' in math starts a TeX comment: {math}"


def test_display_math_stands_in_its_own_block():
    # kramdown makes display math only of a paragraph that is nothing but $$…$$: a lone "$$"
    # line must open after a blank line, and close before one
    lines = RAW.sub("", without_code(post_body())).splitlines() + [""]
    open_ = False
    for i, line in enumerate(lines):
        if line.strip() == "$$":
            if not open_:
                assert i and not lines[i - 1].strip(), f"line {i + 1}: blank line before $$"
            else:
                assert not lines[i + 1].strip(), f"line {i + 1}: blank line after $$"
        open_ ^= line.count("$$") % 2 == 1


# ---------------------------------------------------------------------------------- excerpts

def test_no_python_is_pasted_into_the_post():
    body = COMMENT.sub("", post_body())
    assert not re.search(r"^(`{3,}|~{3,})\s*(python|py)\b", body, re.M | re.I)
    assert "{% highlight python" not in body


def test_the_post_includes_every_excerpt_of_the_contract():
    assert set(INCLUDE.findall(post_body())) == EXCERPTS


def test_each_excerpt_exists_and_matches_the_current_source():
    from nn_blog import excerpts

    expected = excerpts.plan(ROOT)  # re-extracted from the package source now
    for name in INCLUDE.findall(post_body()):
        assert name in expected, f"excerpt {name!r} is not declared in _data/excerpts.yml"
        path = ROOT / excerpts.output_path(name)
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run `nn-blog render`"
        assert path.read_text(encoding="utf-8") == expected[name], \
            f"{path.relative_to(ROOT)} is stale: run `nn-blog render`"


@pytest.mark.parametrize("text, words", [
    ("Hi $$x = 1.5$$ you `a = 2.5` {{ r | nn_percent: 1 }}% <b>b</b>", ["Hi", "you", "b"]),
    ("```sh\nmake 1.0\n```\nfine {% comment %}3.5{% endcomment %}", ["fine"]),
])
def test_prose_strips_math_code_and_liquid(text, words):
    # the checks above are only as good as this helper: it must keep prose and nothing else
    assert re.findall(r"[A-Za-z]+", prose(text)) == words
    assert not re.findall(r"\d+\.\d+|\d+\s?%", prose(text))
