"""The figure kinds' declarations: each kind's name, whether it draws a trained network, and
its parameters as fields (type, default, bounds), checked when ``_data/figures.yml`` is read.

The drawing side (``nn_blog.figures``) builds its ``KINDS`` on these; the declarations check
figures against them without importing any drawing code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nn_blog.declarations.fields import Bool, Choice, Float, Int, ListOf, as_field
from nn_blog.declarations.networks import ACTIVATIONS, MAX_EPOCHS, MAX_LAYERS, MAX_UNITS


@dataclass(frozen=True)
class KindDecl:
    """One figure kind's declaration.

    ``params`` maps each parameter to a field (``Int(default, low, high)``, ``Float``, ``Bool``,
    ``Choice``, ``Text``, ``ListOf``); an old-style ``(type, default)`` pair is accepted too and
    gets generic bounds. ``needs_network``: the figure must name a network.
    """

    name: str
    needs_network: bool
    params: dict[str, Any]
    animated: bool = False

    def default(self, key: str):
        return as_field(self.params[key]).default


# One line per kind, one field per parameter: type, default and bounds (see fields.py).
_ACTIVATION = Choice(None, ACTIVATIONS, "activation")
_NARROW = Bool(False)          # the phone-width variant (contract 3), set by the kind's narrow()
KIND_DECLS: dict[str, KindDecl] = {k.name: k for k in [
    KindDecl("biological_neuron", False, {"narrow": _NARROW}),
    KindDecl("artificial_neuron", False, {"n_inputs": Int(3, 1, 6), "narrow": _NARROW}),
    KindDecl("architecture", False, {"layers": ListOf(Int(None, 1, MAX_UNITS), None, 2, MAX_LAYERS),
                                     "max_neurons": Int(8, 3, 16), "weights": Bool(True),
                                     "narrow": _NARROW}),
    KindDecl("activations", False, {"functions": ListOf(_ACTIVATION, None, 1, 8),
                                    "leaky_slope": Float(0.1, 0.0, 1.0, below=True),
                                    "narrow": _NARROW}),
    KindDecl("loss_curve", True, {"log_scale": Bool(False), "narrow": _NARROW}),
    KindDecl("decision_boundary", True, {"resolution": Int(200, 8, 1000), "show_test": Bool(True),
                                         "mark_mistakes": Bool(True), "narrow": _NARROW}),
    KindDecl("boundary_evolution", True, {"epochs": ListOf(Int(None, 0, MAX_EPOCHS), None, 1, 64),
                                          "columns": Int(4, 1, 12), "frames": Int(40, 2, 200),
                                          "resolution": Int(120, 8, 1000), "narrow": _NARROW},
             animated=True),
    KindDecl("neuron_heatmaps", True, {"resolution": Int(60, 8, 400), "max_neurons": Int(8, 3, 32),
                                       "points": Int(300, 0, 10_000), "narrow": _NARROW}),
    KindDecl("loss_surface", False, {"steps": Int(40, 1, 1000),
                                     "panels": Choice("both", ("both", "plain")),
                                     "narrow": _NARROW}),
    KindDecl("digits", True, {"mode": Choice("samples", ("samples", "confusion", "weights")),
                              "count": Int(32, 1, 128), "narrow": _NARROW}),
    KindDecl("computation_graph", False, {"x": ListOf(Float(None, -100.0, 100.0), [1.0, 0.0], 2, 2),
                                          "y": Int(1, 0, 1), "seed": Int(0, 0, 2**32 - 1),
                                          "lr": Float(1.0, 0.0, 100.0, above=True),
                                          "narrow": _NARROW}),
    KindDecl("header", True, {"variant": Choice("banner", ("banner", "teaser")),
                              "scheme": Choice("light", ("light", "dark")),
                              "raster": Float(2.0, 0.25, 3.0)}),
]}
