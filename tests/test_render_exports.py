"""The render's exported networks (issue 10, nn_blog/export_plan.py) on the small fixture site:
listed in _data/generated/exports.json with sizes and hashes, covered by keys, rewritten when
edited or when the export code changes, swept when no figure draws the network any more."""

from __future__ import annotations

import gzip
import json

import pytest
from test_render_fixture import FIGURES, rendered, snapshot

from nn_blog import browser_export, export_plan, keys, render


@pytest.fixture
def site(tmp_path_factory, tmp_path):
    root = rendered(tmp_path_factory, tmp_path / "site")
    render.render(root, jobs=2)  # a no-op, unless the package changed since base was rendered
    return root


def _listed(root):
    return json.loads((root / export_plan.EXPORTS).read_text())


def _export_items(root):
    return {i.name: (i.status, i.reason) for i in render.status(root) if i.kind == "export"}


def test_every_drawn_network_is_exported_and_listed(site):
    listed = _listed(site)
    assert set(listed["networks"]) == {"xor", "moons"}
    for name, entry in listed["networks"].items():
        data = (site / f"assets/nn/{name}.json").read_bytes()
        assert entry["url"] == f"/assets/nn/{name}.json"
        assert entry["bytes"] == len(data)
        assert entry["gzip_bytes"] == len(gzip.compress(data, 9, mtime=0))
        assert entry["hash"] == f"sha256:{keys.sha256(data)}"
        assert json.loads(data)["format"] == browser_export.FORMAT
    # xor-evolution (boundary_evolution) draws xor: its snapshots, for the scrubber; both data
    # sets are small planes: their training split too, for training in the page
    xor = json.loads((site / "assets/nn/xor.json").read_text())
    assert [s["epoch"] for s in xor["snapshots"]][0] == 0 and "train" in xor
    assert listed["networks"]["xor"]["options"] == {"snapshots": True, "data": True}
    for rel, entry in listed["shared"]["files"].items():
        assert entry["hash"] == f"sha256:{keys.sha256((site / rel).read_bytes())}"
    assert set(_export_items(site).values()) == {("fresh", "")}


def test_an_edited_export_is_written_again_identically(site):
    path = site / "assets/nn/moons.json"
    original = path.read_bytes()
    path.write_bytes(original.replace(b'"format"', b'"formats"'))
    assert _export_items(site)["moons"] == ("stale", "assets/nn/moons.json was edited")
    before = snapshot(site)
    report = render.render(site, jobs=1)
    assert report.rendered == [] and report.trained == []
    assert path.read_bytes() == original
    changed = {rel for rel, data in snapshot(site).items() if before.get(rel) != data}
    assert changed == {"assets/nn/moons.json"}


def test_a_change_of_the_export_code_stales_every_export(site, monkeypatch):
    # as an edit of browser_export.py would
    monkeypatch.setattr(export_plan, "FORMAT", export_plan.FORMAT + 1)
    items = _export_items(site)
    assert {items[n] for n in ("xor", "moons", export_plan.SHARED)} == {
        ("stale", "network or export code changed")}
    before = snapshot(site)
    render.render(site, jobs=1)
    assert set(_export_items(site).values()) == {("fresh", "")}
    changed = {rel for rel, data in snapshot(site).items() if before.get(rel) != data}
    assert changed == {export_plan.EXPORTS}  # new keys; the same bytes in every export


def test_an_export_no_figure_needs_is_swept(site):
    figures = site / "_data/figures.yml"
    figures.write_text(FIGURES.split("moons-loss:")[0] + "neuron:" + FIGURES.split("neuron:")[1])
    assert _export_items(site)["moons"][0] == "orphan"
    render.render(site, jobs=1)
    assert not (site / "assets/nn/moons.json").exists()
    assert set(_listed(site)["networks"]) == {"xor"}
