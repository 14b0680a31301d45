"""A small site for the render tests: two quick networks, five cheap figures, two excerpts.

Helpers only (imported by tests/test_render*.py); the one test here checks the fixture itself is
what the other tests assume.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

NETWORKS = """\
xor:
  dataset: {name: xor, n_samples: 80, spread: 0.25}
  layers:
    - {units: 4, activation: tanh}
    - {units: 1, activation: sigmoid}
  loss: bce
  optimizer: {name: adam, lr: 0.05}
  epochs: 30
  batch_size: 16
  seed: 0
  snapshots: [1, 10]
moons:
  dataset: {name: moons, n_samples: 200, noise: 0.2}
  standardize: true
  layers:
    - {units: 6, activation: tanh}
    - {units: 1, activation: sigmoid}
  loss: bce
  optimizer: {name: adam, lr: 0.02}
  epochs: 20
  batch_size: 32
  seed: 0
"""

FIGURES = """\
xor-loss:
  kind: loss_curve
  network: xor
  alt: The loss of the XOR network falls over thirty epochs.
  caption: XOR loss.
xor-boundary:
  kind: decision_boundary
  network: xor
  params: {resolution: 40}
  alt: Decision regions of the XOR network over the unit square.
  legacy: [assets/images/xor_old.png, assets/images/xor_old.jpg]
xor-evolution:
  kind: boundary_evolution
  network: xor
  params: {frames: 3, resolution: 20, columns: 2}
  alt: The XOR network's decision regions at four epochs of its training.
moons-loss:
  kind: loss_curve
  network: moons
  alt: The loss of the moons network falls.
neuron:
  kind: biological_neuron
  alt: A schematic biological neuron.
  caption: A neuron.
  output: misc/neuron
"""

EXCERPTS = """\
dense-forward: [nn_blog.nn.layers.Dense.forward]
one-hot: nn_blog.data.one_hot
"""

XOR_FIGURES = {"xor-loss", "xor-boundary", "xor-evolution"}
ALL_FIGURES = XOR_FIGURES | {"moons-loss", "neuron"}
PYTHON = sys.executable
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie is not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def make_root(path: Path, networks=NETWORKS, figures=FIGURES, excerpts=EXCERPTS) -> Path:
    """A site root holding only the declarations."""
    (path / "_data").mkdir(parents=True, exist_ok=True)
    for name, text in (("networks", networks), ("figures", figures), ("excerpts", excerpts)):
        if text is not None:
            (path / "_data" / f"{name}.yml").write_text(textwrap.dedent(text))
    return path


def cli(root: Path, *args, check=True, **kwargs) -> subprocess.CompletedProcess:
    """``nn-blog ARGS --root ROOT`` in its own process."""
    proc = subprocess.run([PYTHON, "-m", "nn_blog", *args, "--root", str(root)],
                          capture_output=True, text=True, env=ENV, timeout=240, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"nn-blog {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def snapshot(root: Path, skip_cache=True) -> dict[str, bytes]:
    """Every file under ``root`` -> its bytes (the cache left out)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not (skip_cache and p.relative_to(root).parts[0] == ".cache")}


_BASE: list[Path] = []  # this test process's rendered fixture site, shared by the test modules


def render_base(tmp_path_factory) -> Path:
    """The fixture site, rendered once per test process (in its own process, ``--jobs 2``)."""
    if not _BASE:
        base = make_root(tmp_path_factory.mktemp("render-base"))
        cli(base, "render", "--jobs", "2")
        _BASE.append(base)
    return _BASE[0]


def rendered(tmp_path_factory, dest: Path) -> Path:
    """A copy (cache included) of the rendered fixture site."""
    shutil.copytree(render_base(tmp_path_factory), dest)
    return dest


def set_lr(root: Path, network: str, old: str, new: str) -> None:
    path = root / "_data" / "networks.yml"
    text = path.read_text()
    start = text.index(f"{network}:")
    head, tail = text[:start], text[start:]
    assert f"lr: {old}" in tail
    path.write_text(head + tail.replace(f"lr: {old}", f"lr: {new}", 1))


def test_fixture_declarations_are_valid(tmp_path):
    from nn_blog import plan

    p = plan.make_plan(make_root(tmp_path))
    assert set(p.figures) == ALL_FIGURES and set(p.net_keys) == {"xor", "moons"}
    assert {i.status for i in p.items} == {"missing"}
