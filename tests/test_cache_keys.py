"""The render's keys hash what decides the bytes and nothing else (issue 21): two environments
that differ only in Python's patch release give the same keys; a library version or Python's
feature release changes them. The environments are simulated through plan.py's version getters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nn_blog import plan

ROOT = Path(__file__).resolve().parents[1]
LOCKED = {"numpy": "2.4.6", "matplotlib": "3.11.2", "pillow": "13.0.0"}


def _keys(monkeypatch, python: str, **libraries) -> tuple[dict, dict]:
    versions = {**LOCKED, **libraries}
    monkeypatch.setattr(plan, "python_version", lambda: python)
    monkeypatch.setattr(plan, "dist_version", lambda dist: versions.get(dist))
    made = plan.make_plan(ROOT)
    return made.net_keys, made.fig_keys


@pytest.fixture(scope="module")
def patch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def baseline(patch_module):
    return _keys(patch_module, "3.11.7")


def test_a_python_patch_release_keeps_every_key(baseline, monkeypatch):
    assert _keys(monkeypatch, "3.11.9") == baseline


@pytest.mark.parametrize("change", [{"numpy": "2.4.7"}, {"matplotlib": "3.11.3"},
                                    {"pillow": "13.0.1"}, {"python": "3.12.1"}])
def test_what_decides_the_bytes_changes_every_key(baseline, monkeypatch, change):
    python = change.pop("python", "3.11.7")
    nets, figs = _keys(monkeypatch, python, **change)
    assert nets.keys() == baseline[0].keys() and figs.keys() == baseline[1].keys()
    assert all(nets[name] != key for name, key in baseline[0].items())
    assert all(figs[name] != key for name, key in baseline[1].items())


def test_the_lock_pins_what_the_keys_hash():
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    for dist in plan.VERSIONED:
        assert dist in pins, f"constraints.txt does not pin {dist}, which the keys hash"
    for dist in ["numpy", "matplotlib", "pillow", "pyyaml", "click", "watchdog", "pagefind-bin"]:
        assert dist in pins
    assert LOCKED == {d: pins[d] for d in LOCKED}, "update LOCKED with constraints.txt"
