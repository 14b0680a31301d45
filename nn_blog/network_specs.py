"""Compatibility names: ``_data/networks.yml`` is checked by :mod:`nn_blog.declarations`."""

from __future__ import annotations

from nn_blog import declarations
from nn_blog.declarations import NETWORKS_FILE, check_network  # noqa: F401 -- re-exported


def load_networks(root) -> dict[str, dict]:
    """The checked specs of ``_data/networks.yml`` (``root``: the site or the file itself);
    unlike the render's view, a missing file is an error: something is about to train."""
    return declarations.load_networks(root, required=True)
