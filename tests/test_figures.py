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
from nn_blog.figures import (
    KINDS,
    Context,
    activations,
    computation_graph,
    decision_boundary,
    digits,
    loss_curve,
    loss_surface,
    style,
)

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
    "digits-weights": ("digits", {"mode": "weights", "count": 16}),
    "header": ("spiral", {}),
    "computation_graph": (None, {}),
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
    # the held-out curve is the validation split when one is declared, else the test split,
    # and its label says which
    want, other = ("validation", "test") if trained.spec.get("validation") else ("test",
                                                                                 "validation")
    label, _, held_acc = loss_curve.held_out(trained)
    assert label == want and held_acc is not None
    (acc,) = [ln for ln in fig.axes[1].get_lines() if ln.get_label() == want]
    assert list(acc.get_ydata()) == list(held_acc)
    assert not [ln for ln in fig.axes[1].get_lines() if ln.get_label() == other]


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
    teaser = KINDS["header"].module.draw({"kind": "header", "params": {"variant": "teaser"}},
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
    assert KINDS["digits"].resolve({}) == {"mode": "samples", "count": 32, "narrow": False}
    assert KINDS["loss_curve"].resolve({"log_scale": True}) == {"log_scale": True, "narrow": False}


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


# --------------------------------------------------------------------------- legible on a phone

def _spec(kind, network=None, params=None):
    return {"name": f"test-{kind}", "kind": kind, "network": network,
            "params": KINDS[kind].resolve(params or {})}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_figure_is_legible_in_a_phone_column(case, nets):
    """At a 343 px column the smallest text shows at >= 10 CSS px: natively, or through the
    kind's narrow variant (contract 3), whose overrides are the kind's own parameters."""
    kind, (network, params) = case.split("-")[0], CASES[case]
    fig = _draw(kind, nets, style.LIGHT, network, params)
    shown = style.displayed_font_px(fig)
    if shown is None:                       # no text at all (the header art)
        assert case == "header"
        return
    if shown >= style.READABLE_PX:
        return
    spec = _spec(kind, network, params)
    overrides = KINDS[kind].narrow(spec)
    assert overrides, f"{case}: smallest text {shown:.1f} px at 343 px and no narrow variant"
    narrow_params = KINDS[kind].resolve({**spec["params"], **overrides})
    for palette in (style.LIGHT, style.DARK):
        small = _draw(kind, nets, palette, network, narrow_params)
        w, h = style.css_size(small)
        assert w <= style.NARROW_WIDTH and 150 <= h <= 900, (case, w, h)
        assert style.displayed_font_px(small) >= style.READABLE_PX, case
        assert style.encode(small, "svg") == style.encode(small, "svg")


def test_min_font_px_finds_the_smallest_visible_text():
    fig = style.figure(style.LIGHT, 400, 200)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, "big", fontsize=12)
    ax.text(0.5, 0.2, "small", fontsize=7.5)           # 7.5 pt = 10 CSS px
    ax.text(0.5, 0.8, "   ", fontsize=3)               # blank: not text a reader sees
    hidden = ax.text(0.1, 0.1, "hidden", fontsize=2)
    hidden.set_visible(False)
    assert style.min_font_px(fig) == pytest.approx(10.0)
    assert style.displayed_font_px(fig, column=200) == pytest.approx(5.0)
    ax.tick_params(labelsize=6)
    ax.set_xticks([0.5])                                # a drawn tick label counts
    assert style.min_font_px(fig) == pytest.approx(8.0)
    bare = style.figure(style.LIGHT, 300, 150)
    bare.add_axes([0, 0, 1, 1]).axis("off")
    assert style.min_font_px(bare) is None


# --------------------------------------------------------------------------- figures that teach

def test_computation_graph_numbers_are_the_gradient_of_the_loss():
    """The figure's gradients agree with finite differences of the engine's own loss, and one
    step of the update lowers the loss: nothing in the worked example is typed."""
    from nn_blog.nn import Dense, Network

    spec = _spec("computation_graph")
    ex = computation_graph.example(spec)
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="bce", seed=0)
    X, Y = ex["X"], ex["Y"]

    def loss_at():
        return float(net.loss_fn(net.forward(X), Y))

    assert loss_at() == pytest.approx(ex["loss"], rel=1e-12)
    for layer, key in zip(net.layers, ("hidden", "output"), strict=True):
        for name, grad in (("W", "dW"), ("b", "db")):
            P = getattr(layer, name)
            numeric = np.zeros(P.shape)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + 1e-6
                up = loss_at()
                P[idx] = old - 1e-6
                down = loss_at()
                P[idx] = old
                numeric[idx] = (up - down) / 2e-6
            assert np.allclose(ex[key][grad], numeric, atol=1e-8), (key, grad)
        # the update is W - lr dW, exactly
        assert np.allclose(ex[key]["W_after"], ex[key]["W"] - ex["lr"] * ex[key]["dW"])
    assert ex["loss_after"] < ex["loss"]
    data = computation_graph.data(spec)
    assert data["loss"] == pytest.approx(ex["loss"], rel=1e-5)
    assert data["loss_after"] < data["loss"] and data["loss_change"] < 0
    assert np.allclose(data["hidden"]["dW"], ex["hidden"]["dW"], atol=1e-6)
    import json
    assert json.loads(json.dumps(data)) == data          # what the manifest can carry
    # the picture prints the same numbers
    fig = _draw("computation_graph", {}, style.LIGHT)
    texts = " ".join(_texts(fig))
    for value in (ex["loss"], ex["loss_after"], ex["output"]["dZ"][0, 0],
                  ex["hidden"]["Z"][0, 1]):
        assert computation_graph._f(value) in texts
    with pytest.raises(NNBlogError, match="field 'x'"):
        computation_graph.example(_spec("computation_graph", params={"x": [1.0]}))


@pytest.mark.parametrize("narrow", [False, True])
def test_computation_graph_writes_each_arrows_local_derivative(narrow):
    """Issue 18 §1: the local derivatives stand on the graph, with their values: the output's
    weights on the arrows into it, dl/dy_hat on the arrow into the loss, x_p under each input."""
    spec = _spec("computation_graph", params={"narrow": narrow})
    ex = computation_graph.example(spec)
    texts = " ".join(_texts(_draw("computation_graph", {}, style.LIGHT, params={"narrow": narrow})))
    for j, sub in enumerate("₁₂"):
        assert f"∂z/∂a{sub}" in texts and computation_graph._f(ex["output"]["W"][j, 0]) in texts
        assert f"∂z/∂w{sub}ⱼ" in texts
    y_hat, y = ex["Y_hat"][0, 0], ex["Y"][0, 0]
    assert "∂ℓ/∂ŷ" in texts
    assert computation_graph._f((y_hat - y) / (y_hat * (1 - y_hat))) in texts
    assert "arrows: local derivatives" in texts


def test_activations_fit_their_panels_and_show_the_zero_derivative(nets):
    from nn_blog.nn import activations as acts

    fig = _draw("activations", nets, style.LIGHT, None,
                {"functions": ["relu", "leaky_relu"], "leaky_slope": 0.1})
    relu_ax, leaky_ax = [ax for ax in fig.axes if ax.get_visible()]
    for ax in (relu_ax, leaky_ax):
        lo, hi = ax.get_ylim()
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), dtype=float)
            assert np.all((y[np.isfinite(y)] >= lo) & (y[np.isfinite(y)] <= hi))
    assert "$f\\,'= 0$" in [t.get_text() for t in relu_ax.texts]
    assert "slope 0.1" in [t.get_text() for t in leaky_ax.texts]
    curve = leaky_ax.get_lines()[3]                       # grid lines, f', then f
    z, a = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    assert np.allclose(a[z < 0], 0.1 * z[z < 0])
    # at the engine's own slope the curve is the engine's function
    f, df = activations._leaky(acts.LEAKY_SLOPE)
    Z = np.linspace(-3, 3, 7).reshape(-1, 1)
    assert np.array_equal(f(Z), acts.ACTIVATIONS["leaky_relu"][0](Z))


def test_loss_surface_states_the_bound_and_keeps_the_divergence_in_frame():
    kappa = np.linalg.eigvalsh(loss_surface.H).max()
    assert loss_surface.LR_LIMIT == pytest.approx(2 / kappa)
    assert loss_surface.LR_SMALL < loss_surface.LR_GOOD < loss_surface.LR_LIMIT \
        < loss_surface.LR_LARGE
    fig = _draw("loss_surface", {}, style.LIGHT, None, {"steps": 40})
    left = fig.axes[0]
    title = left.get_legend().get_title().get_text()
    assert f"{2 / kappa:.3f}" in title and "η <" in title
    x0, x1, y0, y1 = loss_surface.EXTENT
    for ax in fig.axes:
        for line in ax.get_lines():
            x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
            assert np.all((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    marks = [t for t in left.texts if t.get_text() == "diverges"]
    arrows = [c for c in left.get_children() if type(c).__name__ == "Annotation"]
    assert marks and arrows
    tip = np.asarray(arrows[0].xy)
    assert x0 <= tip[0] <= x1 and y0 <= tip[1] <= y1
    # the too-small path is drawn, in its own colour, and has not arrived
    slow = [ln for ln in left.get_lines() if len(ln.get_xdata()) == 41]
    assert slow


def test_digits_weights_are_the_first_layers_columns(nets):
    trained = nets["digits"]
    units, images = digits.templates(trained, 8)
    W = trained.net.layers[0].W
    norms = np.linalg.norm(W, axis=0)
    assert list(units) == list(np.argsort(-norms, kind="stable")[:8])
    assert np.array_equal(images[0].ravel(), W[:, units[0]])
    fig = _draw("digits", nets, style.LIGHT, "digits", {"mode": "weights", "count": 8})
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.images]
    assert len(shown) == 8
    assert f"of the {W.shape[1]} hidden neurons" in fig._suptitle.get_text()


def test_architecture_draws_all_ten_outputs_labelled(nets):
    fig = _draw("architecture", nets, style.LIGHT, "digits")
    texts = _texts(fig)
    assert [t for t in texts if t in {str(i) for i in range(10)}] == [str(i) for i in range(10)]
    assert "+3" not in texts
    circles = [p for p in fig.axes[0].patches if type(p).__name__ == "Circle"]
    assert len(circles) == 7 + 7 + 10       # input and hidden cut to 7 around "⋮", every output


def test_decision_boundary_rings_the_misclassified_test_points(nets):
    trained = nets["spiral"]
    wrong = decision_boundary.mistakes(trained)
    expected = round((1 - trained.results["test_accuracy"]) * len(trained.data.y_test))
    assert len(wrong) == expected
    fig = _draw("decision_boundary", nets, style.LIGHT, "spiral", {"resolution": 40})
    rings = [c for c in fig.axes[0].collections
             if len(c.get_facecolors()) == 0 and len(c.get_offsets()) == len(wrong)]
    assert rings
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert f"misclassified ({len(wrong)})" in labels
    plain = _draw("decision_boundary", nets, style.LIGHT, "spiral",
                  {"resolution": 40, "mark_mistakes": False})
    assert not [t for t in plain.legends[0].get_texts() if "misclassified" in t.get_text()]


def test_neuron_heatmaps_give_each_kind_of_tile_its_scale(nets):
    trained = nets["moons"]
    fig = _draw("neuron_heatmaps", nets, style.LIGHT, "moons", {"resolution": 30})
    texts = _texts(fig)
    assert {"inputs (standardised)", "tanh", "output σ: p(class 1)"} <= set(texts)
    assert {"−1", "+1", "0", "1"} <= set(texts)
    # the inputs' bar ends at their largest magnitude over the plane shown
    from nn_blog.figures import _plane
    ext = _plane.square(_plane.extent(trained.data))
    pts, _, _ = _plane.grid(ext, 30)
    top = np.abs(trained.data.transform(pts)).max()
    assert f"+{top:.1f}" in texts


def test_header_and_animation_draw_in_the_dark_palette(nets):
    """The render publishes dark variants of the header art and of the animation's frames:
    both come out on the dark page colour."""
    dark = np.array(Image.new("RGB", (1, 1), style.DARK.page).getpixel((0, 0)))
    banner = _draw("header", nets, style.DARK, "spiral")
    img = Image.open(io.BytesIO(style.encode(banner, "jpeg"))).convert("RGB")
    corner = np.array(img.getpixel((2, 2)), float)
    assert np.abs(corner - dark).max() < 40      # dark, not the light page
    spec = {"kind": "boundary_evolution", "params": {"resolution": 20, "frames": 3}}
    frames = KINDS["boundary_evolution"].animate(spec, Context(style=style.DARK,
                                                               trained=nets["spiral"]))
    gif = Image.open(io.BytesIO(style.encode(frames, "gif"))).convert("RGB")
    assert np.abs(np.array(gif.getpixel((1, 1)), float) - dark).max() < 12


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_header_legacy_jpeg_is_drawn_in_its_schemes_palette(scheme, nets, tmp_path):
    """A legacy copy is drawn by the render's "legacy" part, which hands the kind the light
    palette: ``scheme: dark`` must still give a JPEG on the dark page colour (the dark hero and
    teaser a dark page shows instead of the costly dark SVG), and the default stays light."""
    from nn_blog import workers

    cache = str(tmp_path / "spiral.npz")
    experiments.save_trained(nets["spiral"], cache)
    spec = {"name": "header", "kind": "header", "network": "spiral",
            "params": KINDS["header"].resolve({"variant": "teaser", "scheme": scheme})}
    rel = f"assets/images/teaser-{scheme}.jpg"
    job = workers.DrawJob("header", "header", "legacy", spec,
                          {"spiral": (nets["spiral"].spec, cache)}, ((rel, "jpg"),))
    img = Image.open(io.BytesIO(workers.draw(job)["files"][rel]))
    assert img.format == "JPEG" and img.size == (1000, 600)
    pixels = np.asarray(img.convert("RGB"), float)
    want = np.array(style.to_hex_rgb((style.DARK if scheme == "dark" else style.LIGHT).page)[:3])
    other = np.array(style.to_hex_rgb((style.LIGHT if scheme == "dark" else style.DARK).page)[:3])
    for corner in (pixels[:8, :8], pixels[:8, -8:], pixels[-8:, :8], pixels[-8:, -8:]):
        mean = corner.reshape(-1, 3).mean(axis=0)
        # the art fades into the page far from the boundaries: a class colour tints the page
        # there, but the corner stays far nearer its own page than the other (~230 levels off)
        near, far = np.linalg.norm(mean - want), np.linalg.norm(mean - other)
        assert near < far / 2, (scheme, mean)


def test_loss_curve_calls_a_validation_split_validation():
    from types import SimpleNamespace

    history = {"loss": [0.5, 0.3], "accuracy": [0.7, 0.9], "val_loss": [0.6, 0.4],
               "val_accuracy": [0.6, 0.8]}
    held = SimpleNamespace(history=history, results={"n_validation": 30})
    assert loss_curve.held_out(held) == ("validation", [0.6, 0.4], [0.6, 0.8])
    tested = SimpleNamespace(history={"loss": [1.0], "accuracy": [0.5], "test_loss": [1.1],
                                      "test_accuracy": [0.4]}, results={"n_validation": 0})
    assert loss_curve.held_out(tested) == ("test", [1.1], [0.4])
    fig = KINDS["loss_curve"].draw({"kind": "loss_curve", "params": {}},
                                   Context(style=style.LIGHT, trained=held))
    assert "validation" in [ln.get_label() for ln in fig.axes[0].get_lines()]


def test_coloured_words_keep_their_contrast():
    """Text drawn in a series colour (end values, "diverges", "f' = 0") is blended towards the
    text colour until it reads at 4.5:1 on the page, in both palettes."""
    for s in (style.LIGHT, style.DARK):
        for colour in (*s.series, s.negative, s.mistake, *s.classes):
            out = style.readable(s, colour)
            assert style.contrast(out, s.page) >= 4.5, (s.name, colour)
            if style.contrast(colour, s.page) >= 4.5:     # already readable: unchanged
                assert np.allclose(out, Image.new("RGB", (1, 1), colour).getpixel((0, 0))
                                   / np.float64(255), atol=0.003)
    assert style.contrast("#000000", "#ffffff") == pytest.approx(21.0)


@pytest.mark.parametrize("variant", ["wide", "narrow"])
def test_neuron_heatmaps_data_places_every_tile_where_it_is_drawn(variant, nets):
    """The live figure lights up tiles by the boxes ``data`` gives (issue 10): each box must be
    where the tile is drawn, in CSS px from the top left, and hold that neuron's activation."""
    from nn_blog.figures import _compact, _plane
    from nn_blog.figures import neuron_heatmaps as nh

    trained = nets["moons"]
    spec = _spec("neuron_heatmaps", "moons", {"resolution": 30})
    ctx = Context(style=style.LIGHT, trained=trained, networks={"moons": trained})
    layout = KINDS["neuron_heatmaps"].data(spec, ctx)
    assert layout["plane"] == pytest.approx(_plane.square(_plane.extent(trained.data)))
    if variant == "narrow":
        spec["params"] = {**spec["params"], **nh.narrow(spec)}
    fig = KINDS["neuron_heatmaps"].draw(spec, ctx)
    width, height = style.css_size(fig)
    assert (layout[variant]["width"], layout[variant]["height"]) == (width, height)
    ax = fig.axes[0]
    px = width / ax.get_xlim()[1]
    drawn = {}
    for im in ax.images:
        if not (im.get_gid() or "").startswith(_compact.SMOOTH_ID):
            continue
        x0, x1, y0, y1 = im.get_extent()
        if abs((x1 - x0) - (y1 - y0)) < 1e-9:  # tiles are square; the colour bars are not
            drawn[(round(x0 * px, 2), round(height - y1 * px, 2),
                   round(x1 * px, 2), round(height - y0 * px, 2))] = im.get_array()
    tiles = layout[variant]["tiles"]
    assert {tuple(t["box"]) for t in tiles} == set(drawn)
    # the tile at each box is the activation of the neuron the data names
    ext = layout["plane"]
    pts, nx, ny = _plane.grid(ext, 30)
    X = trained.data.transform(pts)
    values = [X] + [A for _, A in trained.net.forward_all(X)]
    shown = {(t["layer"], t["neuron"]) for t in tiles}
    assert (0, 0) in shown and (0, 1) in shown and (len(values) - 1, 0) in shown
    for t in tiles:
        V = np.asarray(values[t["layer"]][:, t["neuron"]], dtype=np.float64).reshape(ny, nx)
        others = [np.asarray(values[t["layer"]][:, j]).reshape(ny, nx)
                  for j in range(values[t["layer"]].shape[1]) if j != t["neuron"]]
        image = np.asarray(drawn[tuple(t["box"])])
        # the drawn colours follow this neuron's values and no other neuron's (a neuron whose
        # values rank like this one's -- two hidden units that learned the same feature -- cannot
        # be told apart by its picture, and is not asked to be)
        score = _rank_match(image, V)
        assert all(score > _rank_match(image, W) or _rank_corr(V, W) > 0.98 for W in others), t


def _rank_corr(V, W):
    a, b = (np.argsort(np.argsort(M.ravel())) for M in (V, W))
    return np.corrcoef(a, b)[0, 1]


def _rank_match(image, V):
    """How well an RGBA tile's blue-minus-red follows V (Spearman-like correlation)."""
    signal = image[..., 2].astype(float) - image[..., 0].astype(float)
    a = np.argsort(np.argsort(signal.ravel()))
    b = np.argsort(np.argsort(V.ravel()))
    return np.corrcoef(a, b)[0, 1]
