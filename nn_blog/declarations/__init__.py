"""The author's declarations, read and checked in one place: networks, figures and excerpts.

Three files under ``_data/`` declare what the render service makes:

* ``networks.yml`` -- the networks to train (:func:`load_networks`),
* ``figures.yml`` -- the figures to draw (:func:`load_figures`),
* ``excerpts.yml`` -- the code excerpts the posts quote (:func:`load_excerpts`).

Each is read by one loader (:func:`load_yaml`) and checked against one schema, before anything is
hashed, allocated or trained:

* the loader refuses a file larger than ``MAX_FILE_BYTES``, bytes that are not UTF-8, more than
  ``MAX_ALIASES`` alias references or more than ``MAX_NODES`` nodes once aliases are expanded (an
  "alias bomb" fails in milliseconds, before any object is built), recursive aliases, repeated
  keys, and keys YAML does not read as text (``no``, ``on``, ``1``: quote them);
* the schemas give every field a type and bounds (the :class:`Field` classes), refuse
  unknown fields, NaN and infinities, and names outside ``[a-z0-9][a-z0-9_-]{0,63}`` (a name
  becomes part of a file name, so it may not climb out of its directory or be over-long).

Every mistake raises :class:`~nn_blog.errors.NNBlogError` naming the file, the line, the item and
the field: one line for the CLI, exit code 2. The bounds are generous, and stated in the files'
header comments; they exist so that a typo costs one line, not an hour of training or all memory.

Nothing here imports NumPy, matplotlib or the engine: a render with nothing stale checks every
declaration and still stays far below half a second. The engine's activation and loss names are
listed here for that reason (a test checks they match ``nn_blog.nn``).

Figure kinds declare their parameters with the same field classes (``kinds.py``)::

    KindDecl("decision_boundary", True, {"resolution": Int(200, 8, 1000), "show_test": Bool(True)})

One module per job; this package's names are what the rest of ``nn_blog`` uses:

* ``loader.py``   -- :func:`load_yaml`, the hardened YAML loader (limits, line numbers);
* ``fields.py``   -- the field types, :func:`check_fields`, names, where complaints go;
* ``networks.py`` -- ``_data/networks.yml``: data sets, optimizers, layers (:func:`load_networks`);
* ``kinds.py``    -- the figure kinds' parameters (:data:`KIND_DECLS`), no drawing code;
* ``figures.py``  -- ``_data/figures.yml`` (:func:`load_figures`);
* ``posts.py``    -- where the posts use figures, excerpts, results (:func:`figure_uses`);
* ``excerpts.py`` -- ``_data/excerpts.yml`` (:func:`load_excerpts`);
* ``bounds.py``   -- the bounds each file's header states (:func:`bounds_comments`).
"""

from __future__ import annotations

from nn_blog.declarations.bounds import (
    bounds_comments,
)
from nn_blog.declarations.excerpts import (
    EXCERPTS_FILE,
    load_excerpts,
)
from nn_blog.declarations.fields import (
    NAME,
    NAME_PATTERN,
    REQUIRED,
    Bool,
    Choice,
    Field,
    Float,
    Int,
    Invalid,
    ListOf,
    Place,
    Text,
    as_field,
    check_fields,
    check_name,
)
from nn_blog.declarations.figures import (
    FIGURE_FIELDS,
    FIGURES_FILE,
    IMAGE_EXTENSIONS,
    FigureDecl,
    Legacy,
    load_figures,
    output_files,
    resolve_params,
)
from nn_blog.declarations.kinds import (
    KIND_DECLS,
    KindDecl,
)
from nn_blog.declarations.loader import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    Mapping,
    Sequence,
    load_yaml,
    parse_yaml,
    read_text,
)
from nn_blog.declarations.networks import (
    ACTIVATIONS,
    DATASETS,
    LOSSES,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_PARAMS,
    MAX_SAMPLES,
    MAX_UNITS,
    NETWORK_FIELDS,
    NETWORKS_FILE,
    OPTIMIZERS,
    DataSetDecl,
    check_network,
    load_networks,
)
from nn_blog.declarations.posts import (
    CONTENT_DIRS,
    excerpt_uses,
    figure_uses,
    result_uses,
)

__all__ = [
    "ACTIVATIONS",
    "Bool",
    "CONTENT_DIRS",
    "Choice",
    "DATASETS",
    "DataSetDecl",
    "EXCERPTS_FILE",
    "FIGURES_FILE",
    "FIGURE_FIELDS",
    "Field",
    "FigureDecl",
    "Float",
    "IMAGE_EXTENSIONS",
    "Int",
    "Invalid",
    "KIND_DECLS",
    "KindDecl",
    "LOSSES",
    "Legacy",
    "ListOf",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_EPOCHS",
    "MAX_FILE_BYTES",
    "MAX_LAYERS",
    "MAX_NODES",
    "MAX_PARAMS",
    "MAX_SAMPLES",
    "MAX_UNITS",
    "Mapping",
    "NAME",
    "NAME_PATTERN",
    "NETWORKS_FILE",
    "NETWORK_FIELDS",
    "OPTIMIZERS",
    "Place",
    "REQUIRED",
    "Sequence",
    "Text",
    "as_field",
    "bounds_comments",
    "check_fields",
    "check_name",
    "check_network",
    "excerpt_uses",
    "figure_uses",
    "load_excerpts",
    "load_figures",
    "load_networks",
    "load_yaml",
    "parse_yaml",
    "output_files",
    "read_text",
    "resolve_params",
    "result_uses",
]
