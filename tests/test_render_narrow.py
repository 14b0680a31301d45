"""Contract 3, the render's side: narrow variants, the smallest font size, dark extras.

A fake kind stands in for fig's kinds (its ``narrow`` halves the width and raises the font), so
this tests what the render does with any kind that defines ``narrow(spec)``.
"""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from nn_blog import declarations, keys, layout, plan, render, scheduler, workers
from nn_blog.figures import KINDS, style


class FakeKind:
    name, animated, needs_network = "fake", False, False

    def __init__(self, narrow=True):
        self.has_narrow = narrow

    def draw(self, spec, ctx):
        fig = Figure(figsize=(spec["params"]["width"], 3))
        fig.text(0.5, 0.5, "Label", fontsize=spec["params"]["font"], color=ctx.style.text)
        return fig

    def narrow(self, spec):
        return {"width": spec["params"]["width"] / 2, "font": 12} if self.has_narrow else None


def smallest_font(fig):
    """What fig's ``style.min_font_px`` reports: here, the one text's size in CSS px."""
    return min(t.get_fontsize() for t in fig.texts) * 96 / 72


def decl(output="nn/fake"):
    return declarations.FigureDecl(name="fake", kind="fake", network=None, networks=(),
                           params={"width": 7.5, "font": 9}, alt="A fake figure.", caption="",
                           output=output, legacy=())


def draw_all(monkeypatch, kind):
    monkeypatch.setitem(KINDS, "fake", kind)
    monkeypatch.setattr(style, "min_font_px", smallest_font, raising=False)
    files, parts = {}, {}
    for job in scheduler.draw_jobs(decl(), {}):
        out = workers.draw(job)
        files.update(out.pop("files"))
        parts[job.part] = out
    return files, parts


def test_a_kind_with_narrow_gets_narrow_variants_light_and_dark(monkeypatch):
    files, parts = draw_all(monkeypatch, FakeKind())
    slots = layout.variants("nn/fake")
    narrow_slots = [*slots["narrow"]["light"].values(), *slots["narrow"]["dark"].values()]
    assert set(narrow_slots) <= set(files)
    assert files[slots["narrow"]["light"]["svg"]] != files[slots["narrow"]["dark"]["svg"]]
    addressed = {slot: layout.addressed(slot, data) for slot, data in files.items()}
    digests = {addressed[s]: keys.sha256(d) for s, d in files.items()}
    entry = render.manifest_entry(decl(), addressed, digests, parts, "key", {})
    assert (entry["width"], entry["height"]) == (720, 288)
    assert entry["min_font_px"] == pytest.approx(12.0)
    narrow = entry["narrow"]
    assert (narrow["width"], narrow["height"]) == (360, 288)
    assert narrow["min_font_px"] == pytest.approx(16.0)
    for variant in ("light", "dark"):
        assert set(narrow[variant]) == {"svg"}  # pages load SVGs; the one PNG is the light
        for fmt, url in narrow[variant].items():
            slot = slots["narrow"][variant][fmt]
            assert url == "/" + addressed[slot] and layout.slot_of(url.lstrip("/")) == slot
    assert set(plan.entry_files(entry)) == set(addressed.values())  # narrow files are listed


def test_a_kind_without_narrow_has_none(monkeypatch):
    files, parts = draw_all(monkeypatch, FakeKind(narrow=False))
    assert not set(layout.slots("nn/fake")) - set(files) - {
        *layout.variants("nn/fake")["narrow"]["light"].values(),
        *layout.variants("nn/fake")["narrow"]["dark"].values(),
        *layout.variants("nn/fake")["extra"].values()}
    addressed = {slot: layout.addressed(slot, data) for slot, data in files.items()}
    entry = render.manifest_entry(decl(), addressed, {}, parts, "key", {})
    assert "narrow" not in entry and entry["extra"] == {}
    assert entry["min_font_px"] == pytest.approx(12.0)


def test_without_fig_s_min_font_px_the_manifest_says_null(monkeypatch):
    monkeypatch.setitem(KINDS, "fake", FakeKind(narrow=False))
    monkeypatch.delattr(style, "min_font_px", raising=False)
    (job,) = [j for j in scheduler.draw_jobs(decl(), {}) if j.part == "light"]
    assert workers.draw(job)["min_font_px"] is None


def test_an_animated_kind_has_dark_extras():
    paths = layout.variants("nn/x")["extra"]
    assert paths == {"gif": "assets/images/nn/x.gif", "poster": "assets/images/nn/x-poster.png",
                     "gif_dark": "assets/images/nn/x-dark.gif",
                     "poster_dark": "assets/images/nn/x-dark-poster.png"}
    fig = decl()
    fig = declarations.FigureDecl(**{**fig.__dict__, "kind": "boundary_evolution"})
    parts = {job.part for job in scheduler.draw_jobs(fig, {})}
    assert {"animation", "animation-dark"} <= parts
