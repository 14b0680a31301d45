"""Code excerpts: found with ast, copied exactly, titled, fenced, raw-wrapped, stale when code
changes; the site's excerpts fit in 79 columns, with plain-text docstrings."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from nn_blog import excerpts, render
from nn_blog.errors import NNBlogError

REPO = Path(__file__).resolve().parent.parent

MODULE = '''\
"""A module for the tests."""

RATE = 0.5


def helper(x):
    """Twice x."""
    return 2 * x


class Box:
    """Holds a thing."""

    def __init__(self, thing):
        self.thing = thing

    @property
    def size(self):
        """How big.

        ```
        Box(1).size
        ```
        """
        return 1
'''


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A stand-in package ``nn_blog`` with one module, ``nn_blog.toy``."""
    pkg = tmp_path / "pkg" / "nn_blog"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "toy.py").write_text(MODULE)
    monkeypatch.setattr(excerpts, "PACKAGE_DIR", pkg)
    return pkg


def test_extracts_functions_methods_and_assignments(package):
    assert excerpts.extract("nn_blog.toy.helper") == \
        'def helper(x):\n    """Twice x."""\n    return 2 * x\n'
    size = excerpts.extract("nn_blog.toy.Box.size")
    assert size.startswith("@property\ndef size(self):\n") and size.endswith("    return 1\n")
    assert excerpts.extract("nn_blog.toy.RATE") == "RATE = 0.5\n"
    assert excerpts.extract("nn_blog.toy.Box").count("def ") == 2


def test_include_file_is_a_title_and_a_raw_fenced_python_block(package):
    text = excerpts.render_excerpt("x", ["nn_blog.toy.helper", "nn_blog.toy.Box.size"])
    lines = text.splitlines()
    assert lines[0] == '<p class="code-title">helper, Box.size (nn_blog/toy.py)</p>'
    # the docstring holds a ``` fence, so the block's own fence is longer
    assert lines[1:4] == ["", "{% raw %}", "````python"]
    assert lines[-2:] == ["````", "{% endraw %}"]
    assert "def helper(x):" in text and "@property" in text


def test_title_names_the_function_and_its_file(package):
    (package / "t_x.py").write_text("def f():\n    return 1\n")
    assert excerpts.title(["nn_blog.t_x.f"]) == "f (nn_blog/t_x.py)"
    text = excerpts.render_excerpt("x", ["nn_blog.t_x.f"])
    assert text.startswith('<p class="code-title">f (nn_blog/t_x.py)</p>\n')
    # a name that would need escaping never gets that far: excerpt paths are identifiers (D3)
    monkey_file = package / "a<b"
    monkey_file.mkdir()
    (monkey_file / "__init__.py").write_text("def g():\n    return 2\n")
    with pytest.raises(NNBlogError):
        excerpts.render_excerpt("x", ["nn_blog.a<b.g"])


@pytest.mark.parametrize("path, missing", [
    ("nn_blog.toy.nothing", "'nn_blog.toy.nothing'"),
    ("nn_blog.toy.Box.nothing", "'nn_blog.toy.Box.nothing'"),
    ("nn_blog.toy.helper.inner", "'nn_blog.toy.helper.inner'"),
    ("nn_blog.elsewhere.f", "'nn_blog.elsewhere' is not defined in nn_blog/__init__.py"),
])
def test_unknown_path_names_the_excerpt_and_field(package, path, missing):
    with pytest.raises(NNBlogError) as err:
        excerpts.render_excerpt("toy", [path])
    assert "_data/excerpts.yml" in str(err.value) and "'toy'" in str(err.value)
    assert "field 'paths'" in str(err.value) and missing in str(err.value)


def test_excerpt_is_stale_when_its_source_changes(package, tmp_path):
    root = tmp_path / "site"
    (root / "_data").mkdir(parents=True)
    (root / "_data/figures.yml").write_text("")
    (root / "_data/excerpts.yml").write_text("helper: [nn_blog.toy.helper]\n")
    assert [i.status for i in render.status(root) if i.kind == "excerpt"] == ["missing"]
    report = render.render(root)
    assert report.excerpts == ["helper"] and report.written[0].endswith("excerpts/helper.md")
    assert [i.status for i in render.status(root) if i.kind == "excerpt"] == ["fresh"]
    (package / "toy.py").write_text(MODULE.replace("2 * x", "x + x"))
    assert [(i.status, i.reason) for i in render.status(root) if i.kind == "excerpt"] == [
        ("stale", "source changed")]
    render.render(root)
    assert "return x + x" in (root / "_includes/generated/excerpts/helper.md").read_text()


# The excerpt names the two posts include (issue 8)
MAIN_POST = {"standardize", "one-hot", "init", "sigmoid", "relu", "silu", "softmax",
             "dense-forward", "dense-backward", "network-forward", "network-backward", "mse",
             "bce", "cross-entropy", "sgd-step", "adam-step", "train-loop", "gradcheck"}
SPEED_POST = {"fast-forward", "fast-backward", "fast-step"}


def code_of(text):
    """The python code inside an include file's fence."""
    return re.search(r"^`{3,}python\n(.*?)\n`{3,}$", text, re.M | re.S).group(1)


def test_every_excerpt_the_site_declares_resolves():
    texts = excerpts.plan(REPO)
    assert MAIN_POST | SPEED_POST <= set(texts)
    for name, text in texts.items():
        assert re.match(r'<p class="code-title">[^<>\n]+</p>\n\n{% raw %}\n```python\n', text), name
        assert '"""' in text or "'''" in text, f"{name}: no docstring in the excerpt"


def too_wide(text):
    """The code lines of an include file wider than 79 columns, as (line number, line)."""
    return [(number, line) for number, line in enumerate(code_of(text).splitlines(), start=1)
            if len(line) > excerpts.MAX_COLUMNS]


def test_site_excerpts_fit_79_columns_and_have_plain_docstrings():
    for name, text in excerpts.plan(REPO).items():
        if name == "whole-network":  # a page of the package's code as it is (99 columns), not
            continue                 # a post's excerpt: tests/test_whole_network.py runs it
        assert not too_wide(text), f"{name}: {too_wide(text)}"
        code = code_of(text)
        for markup in ("``", ":math:", ":meth:", ":func:", ":class:", ":mod:", ".. math"):
            assert markup not in code, f"{name}: reST markup {markup!r} shows raw in a post"
        assert 'r"""' not in code, name


def test_main_post_excerpts_show_reference_code_only():
    # The fast path's machinery stays in the companion post.
    for name, text in excerpts.plan(REPO).items():
        if name in MAIN_POST:
            code = code_of(text)
            for word in ("out=", "stacked", "overwrite", "need_dX", "ascontiguousarray",
                         "fast_", "workspace"):
                assert word not in code, f"{name} shows {word!r}"


def test_the_width_check_catches_an_80_column_line(package):
    wide, fits = "    return " + "1" * 69, "    return " + "1" * 68  # 80 and 79 columns
    (package / "wide.py").write_text(f"def wide():\n{wide}\n\n\ndef fits():\n{fits}\n")
    assert too_wide(excerpts.render_excerpt("w", ["nn_blog.wide.wide"])) == [(2, wide)]
    assert too_wide(excerpts.render_excerpt("w", ["nn_blog.wide.fits"])) == []


def test_dense_forward_is_the_real_method():
    text = excerpts.render_excerpt("dense-forward", ["nn_blog.nn.layers.Dense.forward"])
    source = (REPO / "nn_blog/nn/layers.py").read_text()
    assert textwrap.indent(code_of(text), "    ") in source
