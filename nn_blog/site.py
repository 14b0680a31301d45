"""Compatibility names for the site's declarations; they live in :mod:`nn_blog.declarations`.

The render service (``plan``, ``render``, ``scheduler``) and ``excerpts`` import these names from
here; new code imports :mod:`nn_blog.declarations` directly.
"""

from __future__ import annotations

from nn_blog.declarations import (  # noqa: F401 -- re-exported
    EXCERPTS_FILE,
    FIGURE_FIELDS,
    FIGURES_FILE,
    IMAGE_EXTENSIONS,
    NAME,
    NETWORKS_FILE,
    FigureDecl,
    Legacy,
    Mapping,
    check_name,
    load_excerpts,
    load_figures,
    load_networks,
    load_yaml,
    output_files,
)


def network_declarations(root) -> dict[str, dict]:
    """The checked network specs by name (defaults filled in): what the render's keys hash."""
    return load_networks(root)
