"""Code excerpts: found with ast, copied exactly, fenced, raw-wrapped, stale when code changes."""

from __future__ import annotations

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


def test_include_file_is_a_raw_fenced_python_block(package):
    text = excerpts.render_excerpt("x", ["nn_blog.toy.helper", "nn_blog.toy.Box.size"])
    lines = text.splitlines()
    # the docstring holds a ``` fence, so the block's own fence is longer
    assert lines[:2] == ["{% raw %}", "````python"] and lines[-2:] == ["````", "{% endraw %}"]
    assert "def helper(x):" in text and "@property" in text


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
    assert [i.status for i in render.status(root)] == ["fresh"]
    (package / "toy.py").write_text(MODULE.replace("2 * x", "x + x"))
    assert [(i.status, i.reason) for i in render.status(root)] == [("stale", "source changed")]
    render.render(root)
    assert "return x + x" in (root / "_includes/generated/excerpts/helper.md").read_text()


def test_every_excerpt_the_site_declares_resolves():
    texts = excerpts.plan(REPO)
    assert {"sigmoid", "dense-forward", "adam-step", "one-hot"} <= set(texts)
    for name, text in texts.items():
        assert text.startswith("{% raw %}\n```python\n"), name
        assert '"""' in text or "'''" in text, f"{name}: no docstring in the excerpt"


def test_dense_forward_is_the_real_method():
    text = excerpts.render_excerpt("dense-forward", ["nn_blog.nn.layers.Dense.forward"])
    source = (REPO / "nn_blog/nn/layers.py").read_text()
    code = text.split("```python\n", 1)[1].split("\n```", 1)[0]
    assert textwrap.indent(code, "    ") in source
