"""The bounds each declarations file's header comment states, generated from the schemas."""

from __future__ import annotations

from nn_blog.declarations.excerpts import EXCERPTS_FILE, MAX_EXCERPT_PATHS
from nn_blog.declarations.fields import NAME_PATTERN, REQUIRED, Field, as_field, plain_number
from nn_blog.declarations.figures import FIGURES_FILE, MAX_LEGACY, MAX_TEXT
from nn_blog.declarations.kinds import KIND_DECLS
from nn_blog.declarations.networks import (
    _DECAY,
    _GATE,
    _LR,
    DATASETS,
    MAX_DATA_VALUES,
    MAX_LAYERS,
    MAX_PARAMS,
    MAX_UNITS,
    NETWORK_FIELDS,
    NETWORKS_FILE,
    OPTIMIZERS,
    _samples,
)


def _default(fld: Field) -> str:
    if fld.default is None or fld.default is REQUIRED:
        return ""
    value = fld.default
    shown = ("true" if value else "false") if isinstance(value, bool) else (
        "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else plain_number(value))
    return f" (default {shown})"


def bounds_comments(kinds=None) -> dict[str, str]:
    """The bounds each file's header comment states, generated from the schemas above.

    ``tests/test_declarations.py`` checks every line is in the file's header, so the documented
    bounds cannot drift from the checked ones. Print them with
    ``python -c "from nn_blog import declarations as d; print(d.bounds_comments()[FILE])"``.
    """
    if kinds is None:
        kinds = KIND_DECLS
    f = NETWORK_FIELDS
    sgd, adam = OPTIMIZERS["sgd"], OPTIMIZERS["adam"]
    networks = [
        "# Bounds (nn_blog/declarations.py checks them before anything is hashed or trained):",
        f"#   names        {NAME_PATTERN}; quote a name YAML reads otherwise ('no', '1')",
        f"#   n_samples    {_samples(0).describe()} (and, or, xor: from 8), "
        "at least 2 per class",
        f"#                (3 with validation); n_samples x n_features <= {MAX_DATA_VALUES}",
        f"#   noise        {DATASETS['moons'].params['noise'].describe()}; "
        f"spread: {_GATE['spread'].describe()}",
        f"#   factor       {DATASETS['circles'].params['factor'].describe()}; "
        f"spiral classes: {DATASETS['spiral'].params['classes'].describe()}",
        f"#   blobs        centers: {DATASETS['blobs'].params['centers'].describe()}; "
        f"n_features: {DATASETS['blobs'].params['n_features'].describe()}",
        f"#   layers       1 to {MAX_LAYERS} layers of 1 to {MAX_UNITS} units; "
        f"at most {MAX_PARAMS} weights and biases in all",
        f"#   lr           {_LR.describe()}; momentum: {sgd['momentum'].describe()}",
        f"#   adam         betas: two numbers >= 0 and < 1; eps: {adam['eps'].describe()}",
        f"#   weight_decay {_DECAY.describe()}",
        f"#   epochs       {f['epochs'].describe()}; batch_size: {f['batch_size'].describe()}",
        f"#   seed         {f['seed'].describe()}",
        f"#   snapshots    at most {f['snapshots'].max_len} epochs, each from 0 to the epochs",
        f"#   validation   {f['validation'].describe()}{_default(f['validation'])}",
        "#   NaN and infinities are refused everywhere.",
    ]
    figures = ["# Parameters of each kind (checked before anything is drawn):"]
    for kind in kinds.values():
        for key, spec in kind.params.items():
            fld = as_field(spec)
            figures.append(f"#   {kind.name:<19} {key}: {fld.describe()}{_default(fld)}")
    figures.append(f"# Names: {NAME_PATTERN}. alt and caption: at most {MAX_TEXT} characters; "
                   f"at most {MAX_LEGACY} legacy files.")
    excerpts = [f"# Names: {NAME_PATTERN}; each lists 1 to {MAX_EXCERPT_PATHS} dotted paths "
                "inside nn_blog."]
    return {NETWORKS_FILE: "\n".join(networks), FIGURES_FILE: "\n".join(figures),
            EXCERPTS_FILE: "\n".join(excerpts)}
