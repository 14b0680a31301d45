"""Under every figure drawn from a network, a closed <details data-nn-provenance> says how it was
made; figures that come from no network have none."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)


def test_figures_from_networks_say_how_they_were_made(site):
    manifest = json.loads((ROOT / "_data/generated/figures.json").read_text())
    results = json.loads((ROOT / "_data/generated/results.json").read_text())["networks"]
    html = site.file_for("/nn-from-scratch/").read_text(encoding="utf-8")
    figures = FIGURE.findall(html)
    with_network = without = 0
    for block in figures:
        names = [n for n, e in manifest.items() if isinstance(e, dict) and e.get("alt")
                 and _attr_escaped(e["alt"]) in block]
        if not names:
            continue  # not a figure from the manifest
        network = manifest[names[0]].get("network")
        details = re.findall(r"<details\b[^>]*data-nn-provenance[^>]*>.*?</details>", block, re.S)
        if not network:
            assert not details, f"{names[0]} comes from no network but shows provenance"
            without += 1
            continue
        assert len(details) == 1, f"{names[0]}: {len(details)} provenance blocks"
        block = details[0]
        assert " open" not in block.split(">", 1)[0], f"{names[0]}: provenance open by default"
        run = results[network]
        assert f"nn-blog train {network} --seed {run['seed']}" in block, names[0]
        assert run["key"] in block, names[0]
        assert f"{run['epochs']} epochs" in block, names[0]
        with_network += 1
    assert with_network >= 3 and without >= 1, (with_network, without)


def _attr_escaped(text):
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))[:60]
