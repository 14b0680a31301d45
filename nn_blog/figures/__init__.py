"""Figure kinds: one module per kind, each ``draw(spec, ctx) -> matplotlib.figure.Figure``.

``KINDS`` is the registry the declarations are checked against. Importing this package is cheap:
it does not import matplotlib, so a render with nothing stale can validate declarations and hash a
kind's code (``Kind.sources``) without paying for it. The kind's module is imported on the first
``draw``.

A kind's name, ``needs_network`` and ``params`` (a parameter name -> a field of
:mod:`nn_blog.declarations`: its type, default and bounds, checked when ``_data/figures.yml`` is
read) are declared in :mod:`nn_blog.declarations.kinds`; :class:`Kind` adds the drawing. ``spec``
handed to ``draw`` is the figure's declaration; its parameters may sit at the top level or under
``spec["params"]`` (:func:`param` reads either, falling back to the default). ``ctx`` carries
``style`` (``style.LIGHT`` or ``style.DARK``), ``trained`` (the figure's network as an
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

from nn_blog.declarations import FIGURES_FILE, KIND_DECLS, KindDecl, Place, resolve_params

_HERE = Path(__file__).resolve().parent


@dataclass
class Context:
    """What a kind draws with: the palette and the trained networks."""

    style: Any
    trained: Any = None
    networks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind(KindDecl):
    """One figure kind: its declaration (name, ``needs_network``, ``params``, ``animated``; see
    :class:`~nn_blog.declarations.kinds.KindDecl`) and its drawing. ``draw``/``animate`` import
    the kind's module on first use.
    """

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

    def resolve(self, params: dict | None, *, item: str | None = None,
                file: str = FIGURES_FILE) -> dict:
        """``params`` checked against the kind (type, bounds) with defaults filled in."""
        at = Place(file or "", item or "", params or {}, None)
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


KINDS: dict[str, Kind] = {name: Kind(decl.name, decl.needs_network, decl.params, decl.animated)
                          for name, decl in KIND_DECLS.items()}
