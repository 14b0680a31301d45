"""Issue 17, "nothing a post uses is swept": removing a declaration a post still uses is refused
by `render` (one line naming the post, its line and the declaration), exit 2, files kept; --force
is no override. Same for a network a figure draws and an excerpt a post includes."""

from __future__ import annotations

import pytest
from test_render_fixture import FIGURES, NETWORKS, cli, rendered, snapshot

from nn_blog import render


@pytest.fixture
def site(tmp_path_factory, tmp_path):
    root = rendered(tmp_path_factory, tmp_path / "site")
    (root / "_posts").mkdir()
    return root


def post(root, body):
    path = root / "_posts" / "2021-01-01-uses.md"
    path.write_text("---\ntitle: Uses\n---\n\nSome text.\n\n" + body + "\n")
    return path


def without_figure(name):
    head, tail = FIGURES.split(f"{name}:\n", 1)
    rest = tail.split("\n", 1)[1]
    # drop the figure's indented lines
    lines = rest.splitlines(keepends=True)
    while lines and lines[0].startswith("  "):
        lines.pop(0)
    return head + "".join(lines)


def refused(root, *args):
    before = snapshot(root)
    for extra in ((), ("--force",)):
        proc = cli(root, "render", *args, *extra, check=False)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert "rule: a render never sweeps what a post uses" in lines[0]
        assert "--force does not override" in lines[0]
        assert snapshot(root) == before  # files kept
    return lines[0]


def test_removing_a_figure_a_post_shows_is_refused(site):
    post(site, "{% nn_figure moons-loss %}")
    (site / "_data/figures.yml").write_text(without_figure("moons-loss"))
    line = refused(site)
    assert line.startswith("nn-blog: error: _posts/2021-01-01-uses.md:7: ")
    assert "{% nn_figure moons-loss %}" in line and "_data/figures.yml" in line


def test_a_figure_only_shown_in_a_raw_block_is_swept(site):
    post(site, "{% raw %}{% nn_figure moons-loss %}{% endraw %}")
    (site / "_data/figures.yml").write_text(without_figure("moons-loss"))
    cli(site, "render")
    assert "moons-loss" not in {i.name for i in render.status(site)}


def test_removing_an_excerpt_a_post_includes_is_refused(site):
    post(site, "{% include generated/excerpts/dense-forward.md %}")
    (site / "_data/excerpts.yml").write_text("one-hot: nn_blog.data.one_hot\n")
    line = refused(site)
    assert "_posts/2021-01-01-uses.md:7" in line and "excerpt 'dense-forward'" in line
    assert (site / "_includes/generated/excerpts/dense-forward.md").exists()


def test_removing_a_network_a_post_quotes_is_refused(site):
    post(site, "{{ site.data.generated.results.networks.moons.test_accuracy | nn_percent }}")
    (site / "_data/figures.yml").write_text(without_figure("moons-loss"))
    (site / "_data/networks.yml").write_text(NETWORKS.split("moons:")[0])
    line = refused(site)
    assert "network 'moons'" in line and "_data/networks.yml" in line


def test_removing_a_network_a_figure_draws_is_refused(site):
    (site / "_data/networks.yml").write_text(NETWORKS.split("moons:")[0])
    before = snapshot(site)
    for extra in ((), ("--force",)):
        proc = cli(site, "render", *extra, check=False)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
        assert "_data/figures.yml" in proc.stderr and "unknown network 'moons'" in proc.stderr
        assert snapshot(site) == before
