"""What an author may declare, generated from the declarations package: the figure kinds with
their parameters and defaults, the data sets with theirs, and the rules a render or a build
enforces with their limits. ``nn-blog kinds`` prints it, ``nn-blog kinds --json`` hands it to
tools, and ``docs/reference.md`` is :func:`markdown` (tests/test_reference.py keeps it current).

Nothing here imports NumPy or the drawing code.
"""

from __future__ import annotations

from nn_blog.declarations import (
    DATASETS,
    FIGURES_FILE,
    KIND_DECLS,
    NETWORKS_FILE,
    REQUIRED,
    as_field,
)
from nn_blog.declarations.bounds import _default
from nn_blog.export_plan import PLANE_FREE, TRAIN_DATA_MAX

REFERENCE = "docs/reference.md"

# The live figures ({% nn_figure NAME live=KIND %}, checked by the plugin's figures.rb) and the
# figure kind each plays with; kept equal to figures.rb's LIVE_FIGURES by tests/test_reference.py.
LIVE_FIGURES = {"digit-pad": ["digits"], "probe": ["decision_boundary"],
                "neurons": ["neuron_heatmaps"], "scrubber": ["boundary_evolution"],
                "train": ["decision_boundary"], "lr-slider": ["loss_surface"],
                "playground": ["decision_boundary"], "graph-step": ["computation_graph"]}


def _param(name, field) -> dict:
    fld = as_field(field)
    return {"name": name, "describe": fld.describe(),
            "default": None if fld.default is REQUIRED else fld.default,
            "shown_default": _default(fld).strip(" ()").removeprefix("default ") or None,
            "required": fld.default is REQUIRED}


def rules() -> list[dict]:
    """The rules a refusal names, each with its limit."""
    return [
        {"rule": "live=train data limit",
         "limit": f"{TRAIN_DATA_MAX} points",
         "text": f"live=train (and a figure's in-page training) needs its network's training "
                 f"split in the page: exported only for a plane data set of at most "
                 f"{TRAIN_DATA_MAX} points (n_samples <= {TRAIN_DATA_MAX}; not "
                 f"{', '.join(sorted(PLANE_FREE))})"},
        {"rule": "live=scrubber snapshots",
         "limit": "a boundary_evolution figure, or a data set of at most "
                  f"{TRAIN_DATA_MAX} points",
         "text": "live=scrubber needs its network's snapshots: exported when a "
                 "boundary_evolution figure draws the network, or its data set is small "
                 f"(at most {TRAIN_DATA_MAX} points)"},
        {"rule": "nothing a post uses is swept",
         "limit": "no override (--force neither)",
         "text": "render refuses to remove a figure, an excerpt or a network's results that a "
                 "post or page still uses after its declaration was removed; it names the "
                 "post, the line and the declaration, and keeps the files"},
    ]


def data() -> dict:
    """Everything, as plain JSON-able data."""
    kinds = [{"name": k.name, "needs_network": k.needs_network, "animated": k.animated,
              "params": [_param(n, f) for n, f in k.params.items()]}
             for k in KIND_DECLS.values()]
    datasets = [{"name": name, "params": [_param(n, f) for n, f in d.params.items()]}
                for name, d in DATASETS.items()]
    return {"kinds": kinds, "datasets": datasets,
            "live": [{"name": n, "plays_with": v} for n, v in LIVE_FIGURES.items()],
            "rules": rules()}


def _line(param: dict) -> str:
    default = f" (default {param['shown_default']})" if param["shown_default"] else ""
    return f"{param['name']}: {param['describe']}{default}"


def text() -> str:
    """``nn-blog kinds``: the figure kinds, data sets, live figures and rules, for a terminal."""
    d = data()
    out = [f"Figure kinds ({FIGURES_FILE}: kind, params):"]
    for kind in d["kinds"]:
        needs = "needs a network" if kind["needs_network"] else "no network"
        out.append(f"  {kind['name']}  ({needs}{', animated' if kind['animated'] else ''})")
        out += [f"      {_line(p)}" for p in kind["params"]]
    out.append(f"Data sets ({NETWORKS_FILE}: dataset: {{name: NAME, ...}}):")
    for ds in d["datasets"]:
        out.append(f"  {ds['name']}")
        out += [f"      {_line(p)}" for p in ds["params"]] or ["      (no parameters)"]
    out.append("Live figures ({% nn_figure NAME live=KIND %}):")
    out += [f"  {live['name']}: a {' or '.join(live['plays_with'])} figure"
            for live in d["live"]]
    out.append("Rules:")
    out += [f"  {r['rule']} ({r['limit']}): {r['text']}" for r in d["rules"]]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """``docs/reference.md``."""
    d = data()
    out = ["# nn-blog reference: figure kinds, data sets, live figures, rules", "",
           "Generated from the declarations package (`nn_blog/declarations/`) by "
           "`nn-blog kinds --markdown`; `tests/test_reference.py` fails when it is not "
           "current. In a terminal: `nn-blog kinds`; for tools: `nn-blog kinds --json`.", "",
           "## Figure kinds", "",
           f"Declared in `{FIGURES_FILE}` as `kind:` with its `params:`; a parameter left out "
           "takes its default.", ""]
    for kind in d["kinds"]:
        needs = "Needs a `network`" if kind["needs_network"] else "Draws no network"
        out += [f"### `{kind['name']}`", "",
                f"{needs}{'; animated (a GIF too)' if kind['animated'] else ''}.", "",
                "| parameter | value | default |", "|---|---|---|"]
        out += [f"| `{p['name']}` | {_md(p['describe'])} | {p['shown_default'] or '—'} |"
                for p in kind["params"]]
        out.append("")
    out += ["## Data sets", "",
            f"Declared in `{NETWORKS_FILE}` as `dataset: {{name: NAME, ...}}`.", ""]
    for ds in d["datasets"]:
        out += [f"### `{ds['name']}`", ""]
        if ds["params"]:
            out += ["| parameter | value | default |", "|---|---|---|"]
            out += [f"| `{p['name']}` | {_md(p['describe'])} | {p['shown_default'] or '—'} |"
                    for p in ds["params"]]
        else:
            out.append("No parameters.")
        out.append("")
    out += ["## Live figures", "", "`{% nn_figure NAME live=KIND %}` with:", "",
            "| live | plays with a figure of kind |", "|---|---|"]
    out += [f"| `{live['name']}` | {', '.join(f'`{k}`' for k in live['plays_with'])} |"
            for live in d["live"]]
    out += ["", "## Rules", "", "Every refusal names its rule and its limit.", ""]
    out += [f"- **{r['rule']}** ({r['limit']}): {r['text']}." for r in d["rules"]]
    return "\n".join(out) + "\n"
