"""D3: an excerpt path resolves inside the package only."""

from __future__ import annotations

import pytest
from test_render_fixture import make_root

from nn_blog import excerpts, plan
from nn_blog.errors import NNBlogError


@pytest.fixture
def secret(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.py").write_text("def NAME():\n    return 'the secret'\n")
    assert "." not in str(folder)  # the dotted path below must split where we mean it
    return folder


def test_an_absolute_path_in_a_dotted_name_is_refused(secret):
    with pytest.raises(NNBlogError, match="is not defined in nn_blog/__init__.py"):
        excerpts.extract(f"nn_blog.{secret}/secret.NAME")
    assert excerpts.module_file(f"nn_blog.{secret}/secret") is None


@pytest.mark.parametrize("module", ["nn_blog..nn.layers", "nn_blog.nn/../data",
                                    "nn_blog.nn.", "nn_blog.1x"])
def test_parts_that_are_not_identifiers_name_no_module(module):
    assert excerpts.module_file(module) is None


def test_a_render_never_copies_a_file_from_outside_the_package(secret, tmp_path):
    root = make_root(tmp_path / "site", excerpts=f"x1: [nn_blog.{secret}/secret.NAME]\n")
    with pytest.raises(NNBlogError) as info:
        plan.make_plan(root)
    assert "x1" in str(info.value)
    assert not (root / "_includes").exists()


def test_package_modules_still_resolve():
    assert excerpts.module_file("nn_blog.nn.layers").name == "layers.py"
    assert excerpts.module_file("nn_blog.nn").name == "__init__.py"
