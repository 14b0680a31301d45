"""Figure kinds: every kind draws in both palettes, files are deterministic, and what a figure
shows agrees with the numbers it is drawn from (the trained networks are small and quick)."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from nn_blog import experiments
from nn_blog.errors import NNBlogError
from nn_blog.figures import KINDS, Context, digits, loss_surface, style

NETWORKS_YML = """
moons:
  title: moons
  dataset: {name: moons, n_samples: 160, noise: 0.2}
  standardize: true
  validation: 0.15  # the loss curve's "validation" line is a validation split (issue 8 §2.9)
  layers: [{units: 6, activation: tanh}, {units: 1, activation: sigmoid}]
  loss: bce
  optimizer: {name: adam, lr: 0.02}
  epochs: 12
  batch_size: 32
  seed: 1
  snapshots: [1, 4]
spiral:
  title: spiral
  dataset: {name: spiral, n_samples: 150, classes: 3, noise: 0.2}
  standardize: true
  layers: [{units: 12, activation: relu}, {units: 12, activation: relu},
           {units: 3, activation: identity}]
  loss: cross_entropy
  optimizer: {name: adam, lr: 0.02}
  epochs: 10
  batch_size: 32
  seed: 2
  snapshots: [1, 3, 6]
digits:
  title: digits
  dataset: {name: digits}
  standardize: true
  layers: [{units: 16, activation: relu}, {units: 10, activation: identity}]
  loss: cross_entropy
  optimizer: {name: adam, lr: 0.01}
  epochs: 3
  batch_size: 64
  seed: 3
  snapshots: [1]
"""

# kind -> (network or None, params): one declaration per kind (and per mode)
CASES = {
    "biological_neuron": (None, {}),
    "artificial_neuron": (None, {"n_inputs": 4}),
    "architecture": ("moons", {}),
    "activations": (None, {}),
    "loss_curve": ("moons", {}),
    "decision_boundary": ("spiral", {"resolution": 60}),
    "boundary_evolution": ("spiral", {"resolution": 40}),
    "neuron_heatmaps": ("moons", {"resolution": 30}),
    "loss_surface": (None, {"steps": 20}),
    "digits": ("digits", {"mode": "samples", "count": 16}),
    "digits-confusion": ("digits", {"mode": "confusion"}),
    "header": ("spiral", {}),
}


@pytest.fixture(scope="module")
def nets(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "_data").mkdir()
    (root / "_data" / "networks.yml").write_text(NETWORKS_YML)
    specs = experiments.load_networks(root)
    return {name: experiments.train(spec) for name, spec in specs.items()}


def _draw(kind, nets, palette, network=None, params=None):
    spec = {"name": f"test-{kind}", "kind": kind, "network": network,
            "params": KINDS[kind].resolve(params or {})}
    ctx = Context(style=palette, trained=nets.get(network) if network else None,
                  networks={network: nets[network]} if network else {})
    return KINDS[kind].draw(spec, ctx)


def _png(fig) -> Image.Image:
    return Image.open(io.BytesIO(style.encode(fig, "png")))


@pytest.mark.parametrize("palette", [style.LIGHT, style.DARK], ids=["light", "dark"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_draws_in_both_palettes(case, palette, nets):
    network, params = CASES[case]
    fig = _draw(case.split("-")[0], nets, palette, network, params)
    assert isinstance(fig, Figure)
    w, h = style.css_size(fig)
    assert 200 <= w <= 1280 and 150 <= h <= 800
    img = _png(fig)
    assert img.size == (2 * w, 2 * h)             # PNG at twice the CSS size
    corner = img.convert("RGBA").getpixel((0, 0))
    if palette is style.LIGHT or case == "header":
        assert corner[3] == 255                   # opaque page
    else:
        assert corner[3] == 0                     # dark figures let the page show through
    assert style.encode(fig, "svg").startswith(b"<?xml")


@pytest.mark.parametrize("case", ["decision_boundary", "loss_curve", "architecture"])
def test_saving_twice_gives_the_same_bytes(case, nets):
    network, params = CASES[case]
    fig = _draw(case, nets, style.DARK, network, params)
    for fmt in ("svg", "png"):
        assert style.encode(fig, fmt) == style.encode(fig, fmt)
    again = _draw(case, nets, style.DARK, network, params)
    assert style.encode(again, "svg") == style.encode(fig, "svg")
    assert b"<dc:date>" not in style.encode(fig, "svg")


def test_svg_is_identical_in_another_process(tmp_path):
    """Same declaration, a fresh interpreter: the same SVG (hash salt fixed, no date)."""
    script = textwrap.dedent("""
        import sys
        from nn_blog.figures import KINDS, Context, style
        spec = {"kind": "architecture", "params": {"layers": [3, 5, 2]}}
        fig = KINDS["architecture"].draw(spec, Context(style=style.LIGHT))
        sys.stdout.buffer.write(style.encode(fig, "svg"))
    """)
    here = KINDS["architecture"].draw({"kind": "architecture", "params": {"layers": [3, 5, 2]}},
                                      Context(style=style.LIGHT))
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    assert there.stdout == style.encode(here, "svg")


def test_loss_curve_ends_at_the_reported_final_loss(nets):
    trained = nets["moons"]
    fig = _draw("loss_curve", nets, style.LIGHT, "moons")
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "training"]
    assert line.get_ydata()[-1] == trained.results["final_loss"]
    assert list(line.get_xdata()) == list(range(1, trained.results["epochs"] + 1))
    (acc,) = [ln for ln in fig.axes[1].get_lines() if ln.get_label() == "validation"]
    assert list(acc.get_ydata()) == trained.history["val_accuracy"]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_architecture_truncates_wide_layers_with_plus_n(nets):
    fig = _draw("architecture", nets, style.LIGHT, None, {"layers": [64, 128, 10],
                                                         "max_neurons": 8})
    texts = _texts(fig)
    # 7 of each layer drawn around an ellipsis: 57, 121 and 3 left out
    assert {"+57", "+121", "+3"} <= set(texts)
    assert texts.count("⋮") == 3
    narrow = _draw("architecture", nets, style.LIGHT, None, {"layers": [2, 4, 1]})
    assert not [t for t in _texts(narrow) if t.startswith("+")]


def test_architecture_edges_show_the_trained_weights(nets):
    net = nets["moons"].net
    fig = _draw("architecture", nets, style.LIGHT, "moons")
    edges = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    assert len(edges) == len(net.layers)
    first, W = edges[0], net.layers[0].W
    assert len(first.get_segments()) == W.size
    widths = first.get_linewidths()
    # the thickest edge is the largest weight, coloured by its sign
    i, j = np.unravel_index(np.abs(W).argmax(), W.shape)
    k = i * W.shape[1] + j
    assert widths[k] == max(widths)
    expected = style.LIGHT.positive if W[i, j] > 0 else style.LIGHT.negative
    assert np.allclose(first.get_colors()[k][:3], Image.new("RGB", (1, 1), expected)
                       .getpixel((0, 0)) / np.float64(255), atol=0.01)


def test_activations_plot_what_the_engine_computes(nets):
    from nn_blog.nn.activations import ACTIVATIONS

    fig = _draw("activations", nets, style.LIGHT, None, {"functions": ["sigmoid", "relu"]})
    for ax, name in zip(fig.axes, ["sigmoid", "relu"], strict=True):
        f, _ = ACTIVATIONS[name]
        curve = ax.get_lines()[-1]
        z = np.asarray(curve.get_xdata()).reshape(-1, 1)
        assert np.array_equal(curve.get_ydata(), f(z)[:, 0])


def test_decision_boundary_quotes_the_results_and_shows_every_point(nets):
    trained = nets["spiral"]
    fig = _draw("decision_boundary", nets, style.LIGHT, "spiral", {"resolution": 40})
    acc = trained.results["test_accuracy"]
    assert f"test accuracy {100 * acc:.1f}%" in _texts(fig)
    counts = sorted(len(c.get_offsets()) for c in fig.axes[0].collections
                    if c.get_offsets().shape[0] > 1)
    assert len(trained.data.X_train) in counts and len(trained.data.X_test) in counts


def test_boundary_evolution_frames_and_gif(nets):
    trained = nets["spiral"]
    spec = {"kind": "boundary_evolution", "params": {"resolution": 30, "frames": 40}}
    ctx = Context(style=style.LIGHT, trained=trained)
    frames = list(KINDS["boundary_evolution"].animate(spec, ctx))
    assert len(frames) == len(trained.snapshots)
    assert frames[-1].axes[0].get_title().startswith(f"epoch {max(trained.snapshots)} ")
    gif = style.encode(frames, "gif")
    # a generator of frames (as the renderer passes them) encodes to the same bytes
    assert gif == style.encode(iter(frames), "gif")
    img = Image.open(io.BytesIO(gif))
    assert img.n_frames == len(frames) and img.info["loop"] == 0
    assert KINDS["decision_boundary"].animate({}, ctx) is None
    with pytest.raises(NNBlogError, match="epochs"):
        KINDS["boundary_evolution"].draw({**spec, "params": {"epochs": [0, 999]}}, ctx)


def test_confusion_matrix_agrees_with_the_test_accuracy(nets):
    trained = nets["digits"]
    _, y, pred = digits.predictions(trained)
    C = digits.confusion(y, pred)
    assert C.sum() == len(trained.data.y_test)
    assert np.isclose(np.trace(C) / C.sum(), trained.results["test_accuracy"])
    fig = _draw("digits", nets, style.DARK, "digits", {"mode": "samples", "count": 16})
    wrong = [ax.get_title() for ax in fig.axes if "true" in ax.get_title()]
    assert len(wrong) == min(int((y != pred).sum()), 16 // 8)


def test_loss_surface_paths_are_the_engines_optimizers():
    from nn_blog.nn import SGD

    lr, steps = 0.1, 5
    path = loss_surface.path(SGD(lr=lr), steps)
    w = loss_surface.START.copy()
    for k in range(1, steps + 1):
        w = w - lr * loss_surface.gradient(w)
        assert np.allclose(path[k], w)
    left, _ = loss_surface.runs(40)
    final = {key: loss_surface.loss(P[-1]) for _, key, P in left}
    start = loss_surface.loss(loss_surface.START)
    assert final["good"] < 1e-3 * start < final["slow"]
    assert final["large"] > start                 # past 2 / curvature it diverges


def test_header_banner_and_teaser_are_deterministic_jpegs(nets):
    banner = _draw("header", nets, style.LIGHT, "spiral")
    teaser = KINDS["header"].module.teaser({"kind": "header"},
                                           Context(style=style.LIGHT, trained=nets["spiral"]))
    for fig, size in [(banner, (1280, 400)), (teaser, (500, 300))]:
        assert style.css_size(fig) == size
        data = style.encode(fig, "jpeg")
        assert data == style.encode(fig, "jpeg")
        img = Image.open(io.BytesIO(data))
        assert img.format == "JPEG" and img.size == (2 * size[0], 2 * size[1])
        assert not img.info.get("exif")


def test_params_are_checked_with_the_field_named():
    with pytest.raises(NNBlogError, match="field 'n_inputs'.*expected int"):
        KINDS["artificial_neuron"].resolve({"n_inputs": "three"}, item="x")
    with pytest.raises(NNBlogError, match="field 'mode'.*samples, confusion"):
        KINDS["digits"].resolve({"mode": "grid"}, item="x")
    with pytest.raises(NNBlogError, match="field 'colour'.*unknown parameter"):
        KINDS["loss_curve"].resolve({"colour": "red"}, item="x")
    assert KINDS["digits"].resolve({}) == {"mode": "samples", "count": 32}
    assert KINDS["loss_curve"].resolve({"log_scale": True}) == {"log_scale": True}


def test_every_kind_is_registered_with_its_sources():
    for name, kind in KINDS.items():
        assert all(path.is_file() for path in kind.sources), name
        assert callable(kind.module.draw)
        assert kind.animated == hasattr(kind.module, "animate")
    assert set(KINDS) == {c.split("-")[0] for c in CASES}


def test_importing_the_registry_does_not_import_matplotlib():
    code = "import sys, nn_blog.figures; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_save_writes_atomically(tmp_path):
    fig = KINDS["activations"].draw({"kind": "activations"}, Context(style=style.LIGHT))
    target = tmp_path / "out" / "activations.png"
    style.save(fig, target, "png")
    assert target.read_bytes() == style.encode(fig, "png")
    assert [p.name for p in target.parent.iterdir()] == ["activations.png"]
    with pytest.raises(ValueError, match="unknown figure format"):
        style.encode(fig, "bmp")
