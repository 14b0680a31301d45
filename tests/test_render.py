"""The render service on a small site: outputs, determinism, staleness, agreement with results."""

from __future__ import annotations

import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from test_render_fixture import (
    ALL_FIGURES,
    ENV,
    PYTHON,
    XOR_FIGURES,
    cli,
    make_root,
    render_base,
    rendered,
    set_lr,
    snapshot,
)

from nn_blog import keys, render
from nn_blog import plan as plan_mod


@pytest.fixture
def site(tmp_path_factory, tmp_path):
    root = rendered(tmp_path_factory, tmp_path / "site")
    render.render(root, jobs=2)  # a no-op, unless the package changed since base was rendered
    return root


def _manifest(root):
    return json.loads((root / "_data/generated/figures.json").read_text())


def _results(root):
    return json.loads((root / "_data/generated/results.json").read_text())["networks"]


def test_outputs_follow_the_contract(site):
    manifest = _manifest(site)
    assert set(manifest) == ALL_FIGURES
    for name, entry in manifest.items():
        for variant in ("light", "dark"):
            svg = (site / entry[variant]["svg"].lstrip("/")).read_bytes()
            ET.fromstring(svg)  # well-formed SVG
        assert (site / entry["light"]["svg"].lstrip("/")).read_bytes() != \
            (site / entry["dark"]["svg"].lstrip("/")).read_bytes()
        # one raster, the light one (what a feed or a share preview can show); pages load SVGs
        assert set(entry["light"]) == {"svg", "png"} and set(entry["dark"]) == {"svg"}, name
        png = Image.open(site / entry["light"]["png"].lstrip("/"))
        assert png.format == "PNG"
        # PNG at twice the CSS size the manifest gives
        assert png.size == (2 * entry["width"], 2 * entry["height"]), name
        assert entry["alt"] and entry["hash"].startswith("sha256:") and entry["key"]
    # content-addressed names: the slot's name, then the first 12 hex digits of the file's sha256
    svg = manifest["neuron"]["light"]["svg"]
    digest = keys.sha256((site / svg.lstrip("/")).read_bytes())[:12]
    assert svg == f"/assets/images/misc/neuron.{digest}.svg"
    assert manifest["neuron"]["extra"] == {}
    extra = manifest["xor-evolution"]["extra"]
    assert set(extra) == {"gif", "poster", "gif_dark", "poster_dark"}
    assert all(re.fullmatch(r"/assets/images/nn/xor-evolution(-dark)?(-poster)?\.[0-9a-f]{12}"
                            r"\.(gif|png)", url) for url in extra.values()), extra
    for gif in (extra["gif"], extra["gif_dark"]):
        image = Image.open(site / gif.lstrip("/"))
        assert image.format == "GIF" and image.n_frames == 3
    for poster in (extra["poster"], extra["poster_dark"]):
        assert Image.open(site / poster.lstrip("/")).format == "PNG"
    assert (site / extra["gif"].lstrip("/")).read_bytes() != \
        (site / extra["gif_dark"].lstrip("/")).read_bytes()
    legacy = manifest["xor-boundary"]["legacy"]
    assert legacy == ["/assets/images/xor_old.png", "/assets/images/xor_old.jpg"]
    assert Image.open(site / "assets/images/xor_old.jpg").format == "JPEG"
    assert (site / "assets/images/xor_old.png").read_bytes() == \
        (site / manifest["xor-boundary"]["light"]["png"].lstrip("/")).read_bytes()
    assert (site / "_includes/generated/excerpts/one-hot.md").read_text().startswith(
        '<p class="code-title">one_hot (nn_blog/data.py)</p>\n\n{% raw %}\n```python\ndef one_hot(')
    results = _results(site)
    assert set(results) == {"xor", "moons"}
    for r in results.values():
        assert 0 <= r["test_accuracy"] <= 1 and r["n_params"] > 0 and r["seconds"] >= 0


def test_generated_json_is_deterministic_text(site):
    for rel in ("_data/generated/figures.json", "_data/generated/results.json"):
        text = (site / rel).read_text()
        assert text == json.dumps(json.loads(text), sort_keys=True, indent=2,
                                  ensure_ascii=False) + "\n"


def test_two_renders_in_separate_processes_are_byte_identical(tmp_path_factory, tmp_path):
    """The base was rendered by another process with --jobs 2; this one uses --jobs 1."""
    a = snapshot(render_base(tmp_path_factory))
    cli(make_root(tmp_path), "render", "--jobs", "1")
    b = snapshot(tmp_path)
    results = "_data/generated/results.json"
    for snap in (a, b):  # training time is the one thing allowed to differ
        nets = json.loads(snap.pop(results))["networks"]
        snap[results] = json.dumps({n: {k: v for k, v in r.items() if k != "seconds"}
                                    for n, r in nets.items()}, sort_keys=True).encode()
    assert a.keys() == b.keys()
    assert [rel for rel in a if a[rel] != b[rel]] == []


def test_nothing_stale_is_a_fast_no_op_that_imports_no_matplotlib(site):
    before = snapshot(site)
    code = ("import sys, json\nfrom nn_blog.cli import main\n"
            "try:\n    main(['render', '--root', sys.argv[1]])\nexcept SystemExit as e:\n"
            "    code = e.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy')"
            " or m.startswith(('nn_blog.nn', 'nn_blog.figures.', 'nn_blog.experiments')))\n"
            "print(json.dumps([code, heavy]))\n")
    proc = subprocess.run([PYTHON, "-c", code, str(site)], capture_output=True, text=True,
                          env=ENV, timeout=60)
    code, heavy = json.loads(proc.stdout.splitlines()[-1])
    assert code in (0, None) and "nothing stale" in proc.stdout
    assert heavy == []
    assert snapshot(site) == before


def test_changing_one_learning_rate_stales_exactly_its_figures(site):
    set_lr(site, "xor", "0.05", "0.04")
    stale = {(i.kind, i.name) for i in render.status(site) if i.status != "fresh"}
    # (the whole-network page, which shows the XOR declaration, exists only in a site with
    # _pages/whole-network.md: tests/test_whole_network.py follows it in this blog)
    assert stale == {("network", "xor"), ("export", "xor")} | {
        ("figure", f) for f in XOR_FIGURES}
    before = snapshot(site)
    report = render.render(site, jobs=2)
    assert report.trained == ["xor"] and set(report.rendered) == XOR_FIGURES
    after = snapshot(site)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert changed and all("xor" in rel or rel.startswith("_data/generated/")
                           or rel.endswith("/whole-network.md") for rel in changed)
    assert _results(site)["xor"]["lr"] == 0.04
    assert all(i.status == "fresh" for i in render.status(site))


def test_edited_or_deleted_output_is_redrawn_identically(site):
    png = site / _manifest(site)["moons-loss"]["light"]["png"].lstrip("/")
    svg = site / _manifest(site)["neuron"]["light"]["svg"].lstrip("/")
    original = png.read_bytes()
    png.write_bytes(original[:-10] + b"0123456789")
    svg.unlink()
    status = {i.name: i for i in render.status(site) if i.kind == "figure"}
    assert (status["moons-loss"].status, status["moons-loss"].reason) == \
        ("stale", "its files were edited")
    assert status["neuron"].status == "missing"
    report = render.render(site, jobs=2)
    assert set(report.rendered) == {"moons-loss", "neuron"} and report.trained == []
    assert png.read_bytes() == original
    assert svg.exists()


def test_alt_or_caption_change_touches_only_the_manifest(site):
    figures = site / "_data/figures.yml"
    figures.write_text(figures.read_text().replace("caption: A neuron.", "caption: One cell."))
    before = snapshot(site)
    report = render.render(site, jobs=1)
    assert report.rendered == [] and report.trained == []
    changed = {rel for rel, data in snapshot(site).items() if before.get(rel) != data}
    assert changed == {"_data/generated/figures.json"}
    assert _manifest(site)["neuron"]["caption"] == "One cell."


def test_check_and_dry_run_write_nothing(site):
    assert cli(site, "render", "--check").returncode == 0
    set_lr(site, "moons", "0.02", "0.03")
    before = snapshot(site, skip_cache=False)
    check = cli(site, "render", "--check", check=False)
    assert check.returncode == 1
    assert "moons-loss" in check.stdout and "network 'moons' changed" in check.stdout
    dry = cli(site, "render", "--dry-run")
    assert "would draw: moons-loss" in dry.stdout
    assert snapshot(site, skip_cache=False) == before


def test_names_limit_the_render(site):
    set_lr(site, "xor", "0.05", "0.06")
    report = render.render(site, names=["xor-loss"], jobs=1)
    assert report.rendered == ["xor-loss"] and report.trained == ["xor"]
    stale = {i.name for i in render.status(site) if i.status != "fresh"}
    assert stale == XOR_FIGURES - {"xor-loss"}
    forced = render.render(site, names=["neuron"], force=True, jobs=1)
    assert forced.rendered == ["neuron"] and forced.written == []  # same bytes: nothing rewritten


def test_figure_data_agrees_with_the_results_file(site):
    """The loss curve's last point is the final loss results.json reports, in the very file."""
    from nn_blog import experiments
    from nn_blog.figures import KINDS, Context, style
    from nn_blog.figures.loss_curve import TRAIN_LABEL
    from nn_blog.scheduler import figure_spec

    p = plan_mod.make_plan(site)
    for name in ("xor-loss", "moons-loss"):
        fig_decl = p.figures[name]
        spec = experiments.load_networks(site)[fig_decl.network]
        trained = experiments.load_trained(spec, p.cache(fig_decl.network))
        fig = KINDS["loss_curve"].draw(figure_spec(fig_decl), Context(style.LIGHT, trained))
        svg = _manifest(site)[name]["light"]["svg"].lstrip("/")
        assert style.encode(fig, "svg") == (site / svg).read_bytes()
        loss_axes = fig.axes[0]  # loss left, accuracy right
        (line,) = [ln for ln in loss_axes.lines if ln.get_label() == TRAIN_LABEL]
        reported = _results(site)[fig_decl.network]
        assert float(line.get_ydata()[-1]) == reported["final_loss"]
        assert len(line.get_ydata()) == reported["epochs"]


def test_list_shows_every_figure_network_and_excerpt(site):
    out = cli(site, "list").stdout.splitlines()
    rows = {tuple(line.split()[:3]) for line in out}
    assert {("figure", f, "fresh") for f in ALL_FIGURES} <= rows
    assert {("network", "xor", "fresh"), ("excerpt", "one-hot", "fresh")} <= rows


def test_png_is_readable_at_the_manifest_hash(site):
    entry = _manifest(site)["xor-boundary"]
    digests = {rel: keys.sha256((site / rel).read_bytes())
               for rel in plan_mod.entry_files(entry)}
    assert plan_mod.files_hash(digests) == entry["hash"]
    Image.open(io.BytesIO((site / entry["light"]["png"].lstrip("/")).read_bytes())).load()
