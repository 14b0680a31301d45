"""Figure kinds: one module per kind, each ``draw(spec, ctx) -> matplotlib.figure.Figure``.

``KINDS`` is the registry the declarations are checked against. Importing this package is cheap:
it does not import matplotlib, so a render with nothing stale can validate declarations and hash a
kind's code (``Kind.sources``) without paying for it. The kind's module is imported on the first
``draw``.

A kind's ``params`` map a parameter name to a field of :mod:`nn_blog.declarations` (its type,
default and bounds, checked when ``_data/figures.yml`` is read). ``spec`` handed to ``draw`` is
the figure's declaration; its parameters may sit at the top level or under ``spec["params"]``
(:func:`param` reads either, falling back to the default). ``ctx`` carries ``style``
(``style.LIGHT`` or ``style.DARK``), ``trained`` (the figure's network as an
``experiments.Trained``, or None) and ``networks`` (name -> Trained).

``needs_network`` True means the declaration must name a network. A kind with False may still be
given one: ``architecture`` draws a trained network's real sizes and weights when ``ctx.trained`` is
set, and a plain ``layers`` list otherwise.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nn_blog.declarations import (  # noqa: F401 -- the fields kinds declare params with
    ACTIVATIONS,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_UNITS,
    Bool,
    Choice,
    Float,
    Int,
    ListOf,
    Text,
    _Place,
    as_field,
    resolve_params,
)

_HERE = Path(__file__).resolve().parent
FIGURES_FILE = "_data/figures.yml"


@dataclass
class Context:
    """What a kind draws with: the palette and the trained networks."""

    style: Any
    trained: Any = None
    networks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """One figure kind. ``draw``/``animate`` import the kind's module on first use.

    ``params`` maps each parameter to a field of :mod:`nn_blog.declarations` (``Int(default,
    low, high)``, ``Float``, ``Bool``, ``Choice``, ``Text``, ``ListOf``); an old-style
    ``(type, default)`` pair is accepted too and gets generic bounds.
    """

    name: str
    needs_network: bool
    params: dict[str, Any]
    animated: bool = False

    @property
    def module(self):
        return importlib.import_module(f"nn_blog.figures.{self.name}")

    @property
    def sources(self) -> list[Path]:
        """The kind's module and ``style.py`` (the render also hashes whatever they import)."""
        return [_HERE / f"{self.name}.py", _HERE / "style.py"]

    def draw(self, spec: dict, ctx):
        return self.module.draw(spec, ctx)

    def narrow(self, spec: dict) -> dict | None:
        """Parameter overrides for the phone-width variant (contract 3), or None when the figure
        is legible in a phone's column as it is. Every key is one of the kind's parameters."""
        fn = getattr(self.module, "narrow", None)
        return fn(spec) if fn is not None else None

    def data(self, spec: dict, ctx) -> dict | None:
        """Numbers the figure shows that a post may quote (JSON-able), or None."""
        fn = getattr(self.module, "data", None)
        return fn(spec, ctx) if fn is not None else None

    def animate(self, spec: dict, ctx):
        """Frames of the animation (a list of Figures), or None when the kind has none."""
        return self.module.animate(spec, ctx) if self.animated else None

    def default(self, key: str):
        return as_field(self.params[key]).default

    def resolve(self, params: dict | None, *, item: str | None = None,
                file: str = FIGURES_FILE) -> dict:
        """``params`` checked against the kind (type, bounds) with defaults filled in."""
        at = _Place(file or "", item or "", params or {}, None)
        return resolve_params(self, params, at)


def param(spec: dict, key: str):
    """A parameter of ``spec`` (top level or under ``params``), else the kind's default."""
    params = spec.get("params") or {}
    if key in params:
        return params[key]
    if key in spec:
        return spec[key]
    kind = KINDS[spec["kind"]] if spec.get("kind") in KINDS else None
    if kind is None or key not in kind.params:
        raise KeyError(f"figure parameter {key!r} has no value and no default")
    return kind.default(key)


# One line per kind, one field per parameter: type, default and bounds (see nn_blog.declarations).
_ACTIVATION = Choice(None, ACTIVATIONS, "activation")
_NARROW = Bool(False)          # the phone-width variant (contract 3), set by the kind's narrow()
KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("biological_neuron", False, {"narrow": _NARROW}),
    Kind("artificial_neuron", False, {"n_inputs": Int(3, 1, 6), "narrow": _NARROW}),
    Kind("architecture", False, {"layers": ListOf(Int(None, 1, MAX_UNITS), None, 2, MAX_LAYERS),
                                 "max_neurons": Int(8, 3, 16), "weights": Bool(True),
                                 "narrow": _NARROW}),
    Kind("activations", False, {"functions": ListOf(_ACTIVATION, None, 1, 8),
                                "leaky_slope": Float(0.1, 0.0, 1.0, below=True),
                                "narrow": _NARROW}),
    Kind("loss_curve", True, {"log_scale": Bool(False), "narrow": _NARROW}),
    Kind("decision_boundary", True, {"resolution": Int(200, 8, 1000), "show_test": Bool(True),
                                     "mark_mistakes": Bool(True), "narrow": _NARROW}),
    Kind("boundary_evolution", True, {"epochs": ListOf(Int(None, 0, MAX_EPOCHS), None, 1, 64),
                                      "columns": Int(4, 1, 12), "frames": Int(40, 2, 200),
                                      "resolution": Int(120, 8, 1000), "narrow": _NARROW},
         animated=True),
    Kind("neuron_heatmaps", True, {"resolution": Int(60, 8, 400), "max_neurons": Int(8, 3, 32),
                                   "points": Int(300, 0, 10_000), "narrow": _NARROW}),
    Kind("loss_surface", False, {"steps": Int(40, 1, 1000),
                                 "panels": Choice("both", ("both", "plain")),
                                 "narrow": _NARROW}),
    Kind("digits", True, {"mode": Choice("samples", ("samples", "confusion", "weights")),
                          "count": Int(32, 1, 128), "narrow": _NARROW}),
    Kind("computation_graph", False, {"x": ListOf(Float(None, -100.0, 100.0), [1.0, 0.0], 2, 2),
                                      "y": Int(1, 0, 1), "seed": Int(0, 0, 2**32 - 1),
                                      "lr": Float(1.0, 0.0, 100.0, above=True),
                                      "narrow": _NARROW}),
    Kind("header", True, {"variant": Choice("banner", ("banner", "teaser")),
                          "scheme": Choice("light", ("light", "dark"))}),
]}
