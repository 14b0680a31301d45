"""The render's exported networks (issue 10): which networks go to ``assets/nn/``, their keys,
what is stale, and the files a render publishes with the rest.

Every network a figure draws is exported as ``assets/nn/NAME.json`` (:mod:`nn_blog.browser_export`
makes the bytes), with the snapshots when a ``boundary_evolution`` figure draws it (the epoch
scrubber), and with its training split and first snapshot when its data set is a small plane
(``TRAIN_DATA_MAX`` points or fewer: a reader can train it in the page). The files every live
figure shares (theme, loss surface) come with them. ``_data/generated/exports.json`` lists them:

    {"networks": {NAME: {"url", "bytes", "gzip_bytes", "hash", "key", "options"}},
     "shared": {"key", "files": {PATH: {"url", "bytes", "gzip_bytes", "hash"}}}}

An export's key hashes its network's key, the export code (``nn_blog/browser_export.py`` and what it
imports) and its options; it is stale when the key differs from the one listed, or the file is
missing or edited. Like the plan, this module imports neither NumPy nor the engine until a
render has something to export.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

from nn_blog.declarations import KIND_DECLS
from nn_blog.keys import Hasher, Item, closure, key_of, read_json, sha256

if TYPE_CHECKING:  # the plan calls this module: its type only, for the annotations
    from nn_blog.plan import Plan

EXPORTS = "_data/generated/exports.json"
SHARED = "(shared)"                     # the item name of the theme and loss-surface files
BOUNDARY_EVOLUTION = "boundary_evolution"
TRAIN_DATA_MAX = 400                    # points: a plane data set this small ships its split
PLANE_FREE = {"digits"}                 # data sets whose rows are not points of a plane
FORMAT = 1


def output_path(name: str) -> str:
    """``assets/nn/NAME.json`` (as :func:`nn_blog.browser_export.output_path`, without NumPy)."""
    return f"assets/nn/{name}.json"


SHARED_FILES = ("assets/nn/theme.json", "assets/nn/loss-surface.json")


def options(plan: Plan) -> dict[str, dict]:
    """Every network a figure draws -> its export options {"snapshots", "data"}."""
    out: dict[str, dict] = {}
    for fig in plan.figures.values():
        for name in fig.all_networks:
            opts = out.setdefault(name, {"snapshots": False, "data": False})
            if fig.kind == BOUNDARY_EVOLUTION:
                opts["snapshots"] = True
    for name, opts in out.items():
        dataset = (plan.networks.get(name) or {}).get("dataset") or {}
        n_samples = dataset.get("n_samples") if isinstance(dataset, dict) else None
        if (isinstance(dataset, dict) and dataset.get("name") not in PLANE_FREE
                and isinstance(n_samples, int) and n_samples <= TRAIN_DATA_MAX):
            opts.update(snapshots=True, data=True)  # training starts from epoch 0's weights
    return dict(sorted(out.items()))


def keys(plan: Plan, hasher: Hasher) -> tuple[dict[str, str], str]:
    """-> ({network: its export's key}, the shared files' key)."""
    code = hasher.sources(closure(["nn_blog.browser_export"]))
    nets = {name: key_of({"network": plan.net_keys[name], "code": code, "options": opts,
                          "format": FORMAT})
            for name, opts in options(plan).items() if name in plan.net_keys}
    steps = KIND_DECLS["loss_surface"].default("steps") if "loss_surface" in KIND_DECLS else None
    return nets, key_of({"code": code, "steps": steps, "format": FORMAT})


def items(plan: Plan, hasher: Hasher) -> list[Item]:
    """One ``("export", NAME, status, reason)`` per exported network, one for the shared files,
    and an orphan for an export no figure needs any more."""
    listed = read_json(plan.root, EXPORTS)
    old = listed.get("networks") if isinstance(listed.get("networks"), dict) else {}
    nets, shared_key = keys(plan, hasher)
    out = []
    for name, key in nets.items():
        entry = old.get(name)
        out.append(Item("export", name, *_status(plan, hasher, entry, key,
                                                 {output_path(name): entry})))
    shared = listed.get("shared") if isinstance(listed.get("shared"), dict) else None
    files = (shared or {}).get("files") or {}
    out.append(Item("export", SHARED, *_status(plan, hasher, shared, shared_key,
                                               {rel: files.get(rel) for rel in SHARED_FILES})))
    out += [Item("export", name, "orphan", "no figure draws this network any more (its export "
                 "goes at the next render)") for name in old if name not in nets]
    return out


def _status(plan: Plan, hasher: Hasher, entry, key: str, files: dict) -> tuple[str, str]:
    if not isinstance(entry, dict):
        return "missing", "never exported"
    if entry.get("key") != key:
        return "stale", "network or export code changed"
    for rel, listed in files.items():
        digest = hasher.file(plan.root / rel)
        if digest is None:
            return "missing", f"{rel} is missing"
        if not isinstance(listed, dict) or listed.get("hash") != f"sha256:{digest}":
            return "stale", f"{rel} was edited"
    return "fresh", ""


def select(plan: Plan, networks=None) -> tuple[list[Item], list[str]]:
    """What a render must do for the exports -> (their stale items, the networks whose export
    it writes). ``networks``: the networks a render limited to some names touches (None: all).
    Those networks' caches must be loaded, or trained when missing (a fresh clone)."""
    stale = [i for i in plan.items if i.kind == "export" and i.status != "fresh"
             and (networks is None or i.name in networks
                  or (i.name == SHARED and i.status != "orphan"))]
    return stale, [i.name for i in stale if i.name != SHARED and i.status != "orphan"]


def _record(rel: str, data: bytes) -> dict:
    return {"url": f"/{rel}", "bytes": len(data),
            "gzip_bytes": len(gzip.compress(data, 9, mtime=0)), "hash": f"sha256:{sha256(data)}"}


def render_files(plan: Plan, networks, orphans=True) -> tuple[dict[str, bytes], list[str]]:
    """What a render publishes for the exports -> ({path: bytes} with the manifest
    ``_data/generated/exports.json`` last, [paths to sweep]).

    The stale exports of ``networks`` (those the render's network jobs have just checked or
    filled in the cache) are made again, the rest kept as listed; the shared files when stale;
    ``orphans``: the exports no figure needs any more go.
    """
    hasher = Hasher()
    nets, shared_key = keys(plan, hasher)
    opts = options(plan)
    status = {i.name: i.status for i in plan.items if i.kind == "export"}
    listed = read_json(plan.root, EXPORTS)
    old = listed.get("networks") if isinstance(listed.get("networks"), dict) else {}
    todo = [n for n in nets if status.get(n) != "fresh" and n in networks]
    files: dict[str, bytes] = {}
    kept = {n: e for n, e in old.items() if (n in nets or not orphans) and n not in todo}
    if todo:
        from nn_blog import browser_export, declarations, experiments

        specs = declarations.load_networks(plan.root)
        for name in todo:
            trained = experiments.load_trained(specs[name], plan.cache(name))
            data = browser_export.export(trained, **opts[name])
            files[output_path(name)] = data
            kept[name] = {**_record(output_path(name), data), "key": nets[name],
                          "options": opts[name]}
    shared = listed.get("shared") if isinstance(listed.get("shared"), dict) else None
    if status.get(SHARED) != "fresh" or not shared:
        from nn_blog import browser_export

        made = browser_export.shared_files()
        files.update(made)
        shared = {"key": shared_key, "files": {rel: _record(rel, data)
                                               for rel, data in sorted(made.items())}}
    sweep = [output_path(n) for n in old if n not in nets] if orphans else []
    files[EXPORTS] = _dump({"networks": dict(sorted(kept.items())), "shared": shared})
    return files, sweep


def _dump(data) -> bytes:
    import json

    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
