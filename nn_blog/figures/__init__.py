"""Figure kinds: one module per kind, each ``draw(spec, ctx) -> matplotlib.figure.Figure``.

``KINDS`` is the registry the declarations are checked against. Importing this package is cheap:
it does not import matplotlib, so a render with nothing stale can validate declarations and hash a
kind's code (``Kind.sources``) without paying for it. The kind's module is imported on the first
``draw``.

A kind's ``params`` map a parameter name to ``(type, default)``. ``spec`` handed to ``draw`` is
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

from nn_blog.errors import NNBlogError

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
    """One figure kind. ``draw``/``animate`` import the kind's module on first use."""

    name: str
    needs_network: bool
    params: dict[str, tuple[type, Any]]
    choices: dict[str, tuple] = field(default_factory=dict)
    animated: bool = False
    helpers: tuple[str, ...] = ()

    @property
    def module(self):
        return importlib.import_module(f"nn_blog.figures.{self.name}")

    @property
    def sources(self) -> list[Path]:
        """Files whose content decides this kind's output (for the render cache key)."""
        names = [self.name, "style", *self.helpers]
        return [_HERE / f"{n}.py" for n in names]

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

    def resolve(self, params: dict | None, *, item: str | None = None,
                file: str = FIGURES_FILE) -> dict:
        """``params`` checked against the kind (type, allowed values) with defaults filled in."""
        params = dict(params or {})
        for key in params:
            if key not in self.params:
                known = ", ".join(sorted(self.params)) or "none"
                raise NNBlogError(f"unknown parameter for kind '{self.name}' (known: {known})",
                                  file=file, item=item, field=key)
        out = {}
        for key, (typ, default) in self.params.items():
            value = params.get(key, default)
            # None is "not given" for a parameter whose default is None (resolving twice works)
            if key in params and not (value is None and default is None) \
                    and not _is_a(value, typ):
                raise NNBlogError(f"expected {typ.__name__}, got {type(value).__name__} "
                                  f"{value!r}", file=file, item=item, field=key)
            if key in self.choices and value not in self.choices[key]:
                allowed = ", ".join(map(str, self.choices[key]))
                raise NNBlogError(f"{value!r} is not one of: {allowed}",
                                  file=file, item=item, field=key)
            out[key] = value
        return out


def _is_a(value, typ) -> bool:
    if typ is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, typ)


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
    return kind.params[key][1]


KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("biological_neuron", False, {"narrow": (bool, False)}),
    Kind("artificial_neuron", False, {"n_inputs": (int, 3), "narrow": (bool, False)},
         choices={"n_inputs": range(1, 7)}),
    Kind("architecture", False, {"layers": (list, None), "max_neurons": (int, 8),
                                 "weights": (bool, True), "narrow": (bool, False)},
         choices={"max_neurons": range(3, 17)}),
    Kind("activations", False, {"functions": (list, None), "leaky_slope": (float, 0.1),
                                "narrow": (bool, False)}),
    Kind("loss_curve", True, {"log_scale": (bool, False), "narrow": (bool, False)}),
    Kind("decision_boundary", True, {"resolution": (int, 200), "show_test": (bool, True),
                                     "mark_mistakes": (bool, True), "narrow": (bool, False)},
         helpers=("_plane",)),
    Kind("boundary_evolution", True, {"epochs": (list, None), "columns": (int, 4),
                                      "frames": (int, 40), "resolution": (int, 120),
                                      "narrow": (bool, False)},
         animated=True, helpers=("_plane",)),
    Kind("neuron_heatmaps", True, {"resolution": (int, 60), "max_neurons": (int, 8),
                                   "points": (int, 300), "narrow": (bool, False)},
         helpers=("_plane",)),
    Kind("loss_surface", False, {"steps": (int, 40), "narrow": (bool, False)}),
    Kind("digits", True, {"mode": (str, "samples"), "count": (int, 32), "narrow": (bool, False)},
         choices={"mode": ("samples", "confusion", "weights"), "count": range(1, 129)}),
    Kind("computation_graph", False, {"x": (list, [1.0, 0.0]), "y": (int, 1), "seed": (int, 0),
                                      "lr": (float, 1.0), "narrow": (bool, False)},
         choices={"y": (0, 1)}),
    Kind("header", True, {"variant": (str, "banner"), "scheme": (str, "light")},
         choices={"variant": ("banner", "teaser"), "scheme": ("light", "dark")},
         helpers=("_plane",)),
]}
