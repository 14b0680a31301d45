"""What is stale, and why: the cache keys of networks and figures.

A network's key hashes its declaration, the engine's code (``nn_blog/nn/``, ``data.py``,
``experiments.py``, the vendored data, and whatever of the package they import) and the library
versions. A figure's key hashes what its pixels depend on: its declaration (parameters with their
defaults), the keys of the networks it draws, the code of its kind (the kind's module, ``style.py``
and every module of the package they import, found by reading their ``import`` statements) and
the library versions. A figure is stale when its key differs from the one in the manifest, or when
one of its files is missing or no longer has the content the manifest records.

Nothing here imports NumPy, matplotlib, the engine or a figure kind: a render with nothing stale
reads a few YAML and JSON files and hashes sources and outputs, nothing more.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path

from nn_blog import declarations, excerpts, export_plan, publish
from nn_blog.excerpts import PACKAGE_DIR
from nn_blog.figures import KINDS
from nn_blog.keys import NOT_HASHED, Hasher, Item, closure, key_of, read_json, sha256

FORMAT = 2                       # bump when the output layout or the manifest's shape changes
MANIFEST = "_data/generated/figures.json"
RESULTS = "_data/generated/results.json"
CACHE_DIR = ".cache/nn-blog"
NETWORK_CACHE = f"{CACHE_DIR}/networks"
ENGINE_MODULES = ("nn_blog.experiments", "nn_blog.data", "nn_blog.nn")
VERSIONED = ("numpy", "matplotlib", "pillow")


def python_version() -> str:
    """The running Python's full version (3.11.7); a seam for the tests."""
    return platform.python_version()


def dist_version(dist: str) -> str | None:
    """An installed distribution's version, read without importing it; a seam for the tests."""
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def library_versions() -> dict:
    """What decides a render's bytes besides the sources: the numerics and drawing libraries'
    exact versions (pinned in constraints.txt) and Python's feature release (3.11).

    Not Python's patch release: a runner's ``setup-python "3.11"`` moves from 3.11.7 to 3.11.9
    without notice, and a patch release changes neither NumPy's arithmetic nor matplotlib's
    output, so keying on it would redraw every figure for nothing (issue 21). The patch is still
    recorded for the provenance (render.py's ``_readable_versions``).
    """
    out = {"python": ".".join(python_version().split(".")[:2])}
    for dist in VERSIONED:
        out[dist] = dist_version(dist)
    return out


def engine_sources() -> set[Path]:
    """All of nn/, data.py, experiments.py, the vendored data, and what they import."""
    resources = {p for p in (PACKAGE_DIR / "resources").glob("*") if p.suffix != ".md"}
    return closure(ENGINE_MODULES) | set((PACKAGE_DIR / "nn").glob("*.py")) | resources


def kind_sources(kind: str) -> set[Path]:
    return (set(KINDS[kind].sources) | closure([f"nn_blog.figures.{kind}"])) - NOT_HASHED


def files_hash(digests: dict[str, str]) -> str:
    """The manifest's content hash of a figure: over its files' paths and contents."""
    return "sha256:" + sha256("".join(f"{rel} {digests[rel]}\n" for rel in sorted(digests))
                              .encode())


def entry_files(entry: dict) -> list[str]:
    """The files (relative to the root) a manifest entry lists."""
    narrow = entry.get("narrow") or {}
    groups = [entry.get("light"), entry.get("dark"), entry.get("extra"), narrow.get("light"),
              narrow.get("dark")]
    urls = [u for g in groups if isinstance(g, dict) for u in g.values()]
    urls += entry.get("legacy") or []
    return [u.lstrip("/") for u in urls if isinstance(u, str)]


def cache_path(root: Path, name: str, key: str) -> Path:
    return root / NETWORK_CACHE / f"{name}-{key}.npz"


# ------------------------------------------------------------------------------------- plan

@dataclass
class Plan:
    """The declarations, their keys, the generated files as they are, and what is stale."""

    root: Path
    figures: dict[str, declarations.FigureDecl]
    networks: dict                       # raw declarations by name
    excerpts: dict[str, str]             # name -> the include file's text as it should be
    net_keys: dict[str, str]
    net_inputs: dict[str, dict]          # what each network's key hashes (kept in the results)
    fig_keys: dict[str, str]
    fig_inputs: dict[str, dict]
    manifest: dict
    results: dict                        # {"networks": {name: {...}}}
    items: list[Item] = field(default_factory=list)

    def status(self, kind: str, name: str) -> Item:
        return next(i for i in self.items if i.kind == kind and i.name == name)

    def stale(self, kind: str) -> list[str]:
        return [i.name for i in self.items if i.kind == kind and i.status != "fresh"]

    def meta_only(self, name: str) -> bool:
        """Only the manifest's text (alt, caption) of this figure is out of date."""
        return self.status("figure", name).reason == META_REASON

    def cache(self, network: str) -> Path:
        return cache_path(self.root, network, self.net_keys[network])


META_REASON = "alt or caption changed (manifest only)"
INPUT_LABELS = {"declaration": "declaration", "engine": "engine code",
                "code": "code of its kind", "versions": "library versions"}
EXCERPT_REASONS = {"fresh": "", "stale": "source changed", "missing": "not written yet"}


def make_plan(root) -> Plan:
    """Read and check every declaration, compute every key, and compare with what is on disk."""
    root = Path(root).resolve()
    networks = declarations.load_networks(root)  # the checked specs: what the keys hash
    figures = declarations.load_figures(root, networks)
    texts = excerpts.plan(root)
    hasher, versions = Hasher(), library_versions()
    engine = hasher.sources(engine_sources())
    net_inputs = {name: {"declaration": key_of(decl), "engine": engine,
                         "versions": key_of(versions), "format": FORMAT}
                  for name, decl in networks.items()}
    net_keys = {name: key_of(inputs) for name, inputs in net_inputs.items()}
    fig_inputs = {}
    for fig in figures.values():
        fig_inputs[fig.name] = {
            "declaration": key_of(fig.image_decl()),
            "networks": {n: net_keys[n] for n in fig.all_networks},
            "code": hasher.sources(kind_sources(fig.kind)),
            "versions": key_of(versions), "format": FORMAT}
    plan = Plan(root, figures, dict(networks), texts, net_keys, net_inputs,
                {name: key_of(inputs) for name, inputs in fig_inputs.items()}, fig_inputs,
                read_json(root, MANIFEST), read_json(root, RESULTS))
    stale_excerpts = excerpts.stale(root, texts)
    plan.items = _figure_items(plan, hasher) + _network_items(plan) + [
        Item("excerpt", name, stale_excerpts.get(name, "fresh"), EXCERPT_REASONS[
            stale_excerpts.get(name, "fresh")]) for name in texts] + [
        Item("excerpt", rel.rsplit("/", 1)[1][:-3], "orphan", "no longer declared (its include "
             "goes at the next render)")
        for rel in publish.orphan_excerpts(root, excerpts.OUTPUT_DIR, texts)]
    plan.items += export_plan.items(plan, hasher)  # the networks exported for the live figures
    return plan


def _changed(old: dict, new: dict) -> str:
    """Why a key changed, from the inputs recorded beside the old key."""
    reasons = [f"{label} changed" for what, label in INPUT_LABELS.items()
               if what in new and old.get(what) != new[what]]
    reasons += [f"network '{net}' changed" for net, key in new.get("networks", {}).items()
                if (old.get("networks") or {}).get(net) != key]
    return ", ".join(reasons) or "renderer changed"


def _figure_items(plan: Plan, hasher: Hasher) -> list[Item]:
    items = []
    for name, fig in plan.figures.items():
        entry = plan.manifest.get(name)
        if not isinstance(entry, dict):
            items.append(Item("figure", name, "missing", "never rendered"))
            continue
        if entry.get("key") != plan.fig_keys[name]:
            reason = _changed(entry.get("inputs") or {}, plan.fig_inputs[name])
            items.append(Item("figure", name, "stale", reason))
            continue
        files = entry_files(entry)
        digests = {rel: hasher.file(plan.root / rel) for rel in files}
        missing = [rel for rel, digest in digests.items() if digest is None]
        if missing:
            items.append(Item("figure", name, "missing", f"{missing[0]} is missing"))
        elif files_hash(digests) != entry.get("hash"):
            items.append(Item("figure", name, "stale", "its files were edited"))
        elif (entry.get("alt"), entry.get("caption")) != (fig.alt, fig.caption):
            items.append(Item("figure", name, "stale", META_REASON))
        else:
            items.append(Item("figure", name, "fresh", ""))
    items += [Item("figure", name, "orphan", "no longer declared (its files and manifest entry "
                   "go at the next render)") for name in plan.manifest if name not in plan.figures]
    return items


def _network_items(plan: Plan) -> list[Item]:
    items = []
    results = plan.results.get("networks") or {}
    for name, key in plan.net_keys.items():
        cached = "cached" if plan.cache(name).exists() else "not cached"
        entry = results.get(name)
        if not isinstance(entry, dict):
            items.append(Item("network", name, "missing", f"no results yet ({cached})"))
        elif entry.get("key") != key:
            reason = _changed(entry.get("inputs") or {}, plan.net_inputs[name])
            items.append(Item("network", name, "stale", f"{reason} ({cached})"))
        else:
            items.append(Item("network", name, "fresh", cached))
    orphans = {name: "its results" for name in results if name not in plan.net_keys}
    for rel in publish.orphan_caches(plan.root, NETWORK_CACHE, plan.net_keys):
        name = publish.CACHE_NAME.match(rel.rsplit("/", 1)[1])["name"]
        orphans[name] = "its results and cache" if name in orphans else "its cache"
    items += [Item("network", name, "orphan", f"no longer declared ({what} go at the next "
                   "render)") for name, what in orphans.items()]
    return items
