"""The whole network on one page (_pages/whole-network.md, nn_blog/whole_network.py): the code
the page shows, taken from the generated include as a reader copies it, runs on its own in a
subprocess and prints the XOR result the post quotes; its pieces are the package's own, and it
starts from the package's weights and trains to the package's numbers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn_blog import whole_network

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = ROOT / "_includes" / "generated" / "excerpts" / "whole-network.md"
PAGE = ROOT / "_pages" / "whole-network.md"
RUN_SECONDS = 120  # under a second when healthy


def _shown_code() -> str:
    text = INCLUDE.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```\n\{% endraw %\}", text, re.S)
    assert match, "the include holds no fenced python block"
    return match.group(1)


def test_the_include_is_the_code_of_today(tmp_path):
    assert INCLUDE.is_file(), "run `nn-blog render`"
    from nn_blog import excerpts

    assert _shown_code() == whole_network.code(ROOT, excerpts.extract), "stale: run nn-blog render"


def test_the_page_includes_it_and_the_post_links_to_it():
    page = PAGE.read_text(encoding="utf-8")
    assert "{% include generated/excerpts/whole-network.md %}" in page
    post = (ROOT / "_posts" / "2020-10-17-nn-from-scratch.md").read_text(encoding="utf-8")
    assert '"/whole-network/" | relative_url' in post


def test_the_copied_file_runs_and_prints_the_posts_xor_result(tmp_path):
    script = tmp_path / "whole_network.py"
    script.write_text(_shown_code(), encoding="utf-8")
    # a bare interpreter in an empty folder: nothing of nn_blog can be imported by accident
    done = subprocess.run([sys.executable, "-I", str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=RUN_SECONDS, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads((ROOT / "_data" / "generated" / "results.json").read_text())
    xor = results["networks"]["xor"]
    match = re.fullmatch(r"XOR after (\d+) epochs: training loss ([\d.]+), "
                         r"test accuracy ([\d.]+)%\n", done.stdout)
    assert match, done.stdout
    assert int(match.group(1)) == xor["epochs"]
    # the post prints the accuracy with nn_percent: 1; the loss to three decimals
    assert match.group(3) == f"{xor['test_accuracy'] * 100:.1f}"
    assert match.group(2) == f"{xor['final_loss']:.3f}"


def test_it_starts_from_the_packages_weights_and_ends_at_its_numbers():
    """The single file's classes against the package's: the same weights from the same seed,
    and after training, the reference loop's weights equal the fast path's up to rounding."""
    from nn_blog import declarations, experiments

    namespace: dict = {"__name__": "whole_network"}  # not "__main__": the XOR run stays off
    exec(compile(_shown_code(), "whole_network.py", "exec"), namespace)  # noqa: S102
    spec = declarations.load_networks(ROOT)["xor"]
    package = experiments.build_network(spec)
    Dense, Network = namespace["Dense"], namespace["Network"]
    sizes = [spec["n_features"]] + [layer["units"] for layer in spec["layers"]]
    mine = Network([Dense(n, layer["units"], layer["activation"])
                    for n, layer in zip(sizes, spec["layers"], strict=False)],
                   loss=spec["loss"], seed=package.seed)
    for a, b in zip(mine.params, package.params, strict=True):
        np.testing.assert_array_equal(a, b)
    split = experiments.build_data(spec)
    Y = split.y_train.reshape(-1, 1).astype(float)
    opt = spec["optimizer"]
    losses = namespace["train"](mine, split.X_train, Y, namespace["Adam"](lr=opt["lr"]),
                                epochs=spec["epochs"], batch_size=spec["batch_size"])
    trained = experiments.train(spec)
    assert losses[-1] == pytest.approx(trained.history["loss"][-1], rel=1e-6)
    for a, b in zip(mine.params, trained.net.params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
