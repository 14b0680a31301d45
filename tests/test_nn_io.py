"""Saving and loading networks, and every way a file can be wrong."""

import json
import zipfile

import numpy as np
import pytest

from nn_blog.errors import NNBlogError
from nn_blog.nn import Adam, Dense, Network, load, save


def trained(dtype="float64"):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    net = Network([Dense(2, 8, "tanh"), Dense(8, 3)], loss="cross_entropy", seed=4, dtype=dtype)
    net.fit(X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0), optimizer=Adam(lr=0.05), epochs=5)
    return net, X


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip(tmp_path, dtype):
    net, X = trained(dtype)
    path = save(net, tmp_path / "net.npz")
    again = load(path)
    assert again.to_config() == net.to_config()
    assert again.dtype == net.dtype
    for P, Q in zip(net.params, again.params, strict=True):
        assert P.dtype == Q.dtype and np.array_equal(P, Q)
    assert np.array_equal(again.forward(X), net.forward(X))
    assert load(path, like=net).n_params == net.n_params
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]  # no temporary left behind


def test_file_holds_json_config_and_no_pickles(tmp_path):
    net, _ = trained()
    save(net, tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz", allow_pickle=False) as data:
        assert json.loads(str(data["config"]))["layers"][0]["activation"] == "tanh"
        assert sorted(data.files) == ["W1", "W2", "b1", "b2", "config", "format"]


def test_overwrite_is_atomic(tmp_path, monkeypatch):
    net, _ = trained()
    path = save(net, tmp_path / "net.npz")
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError):
        save(net, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def expect_error(path, pattern, **kwargs):
    with pytest.raises(ValueError, match=pattern) as info:
        load(path, **kwargs)
    assert isinstance(info.value, NNBlogError)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_corrupt_file(tmp_path):
    path = tmp_path / "net.npz"
    path.write_bytes(np.random.default_rng(0).bytes(500))
    expect_error(path, "corrupt")


def test_truncated_file(tmp_path):
    net, _ = trained()
    path = save(net, tmp_path / "net.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    expect_error(path, "corrupt")


def test_pickled_file(tmp_path):
    path = tmp_path / "net.npz"
    np.savez(path, format=np.array("nn_blog.nn/1"),
             config=np.array([{"layers": []}], dtype=object))
    expect_error(path, "pickled")


def test_other_npz_and_missing_file(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, X=np.zeros(3))
    expect_error(path, "not a saved network")
    expect_error(tmp_path / "absent.npz", "no such file")


def test_wrong_architecture(tmp_path):
    net, _ = trained()
    path = save(net, tmp_path / "net.npz")
    other = Network([Dense(2, 16, "tanh"), Dense(16, 3)], loss="cross_entropy")
    expect_error(path, "another architecture: layers", like=other)
    expect_error(path, "another architecture: dtype", like=dict(net.to_config(), dtype="float32"))


def rewrite(path, **changes):
    # The saved file with some members replaced (a file edited or written by something else).
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays.update(changes)
    np.savez(path, **arrays)


def test_weights_that_do_not_fit_their_config(tmp_path):
    net, _ = trained()
    path = save(net, tmp_path / "net.npz")
    rewrite(path, W2=np.zeros((8, 4)))
    expect_error(path, "W2 is float64 \\(8, 4\\), expected \\(8, 3\\)")
    rewrite(path, W2=net.params[2].copy(), b1=np.full(8, np.nan))
    expect_error(path, "NaN")
    rewrite(path, b1=net.params[1].copy(), config=np.array("{not json"))
    expect_error(path, "unreadable architecture")
    rewrite(path, config=np.array(json.dumps({"layers": [{"n_in": 2, "n_out": 8,
                                                          "activation": "swish"}]})))
    expect_error(path, "invalid architecture.*swish")


def test_npz_member_that_is_not_an_array(tmp_path):
    path = tmp_path / "net.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.npy", b"not a npy header")
    expect_error(path, "corrupt")


# --- D5: nothing is allocated before the file's sizes are checked --------------------------

LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
from nn_blog.nn import load
from nn_blog.errors import NNBlogError
try:
    load(sys.argv[1])
except NNBlogError as err:
    print("refused:", err)
"""


def load_limited(path):
    """``load(path)`` in a process limited to 1.5 GiB of address space -> its output."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", LIMITED, str(path)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_small_file_declaring_a_huge_layer_is_refused_before_allocating(tmp_path):
    net, _ = trained()
    path = save(net, tmp_path / "net.npz")
    config = dict(net.to_config(), layers=[{"n_in": 100000, "n_out": 100000,
                                            "activation": "identity"}])
    rewrite(path, config=np.array(json.dumps(config)))
    assert path.stat().st_size < 4096
    out = load_limited(path)
    assert out.startswith("refused:") and "W1 is missing" not in out, out
    assert "W1 is float64 (2, 8), expected (100000, 100000)" in out


def test_zip_bomb_member_is_refused_from_the_zip_directory(tmp_path):
    net, _ = trained()
    path = save(net, tmp_path / "net.npz")
    # a 2 GiB member of zeros, a few MB compressed, where b1 (8,) should be
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, A in arrays.items():
            if name != "b1":
                with archive.open(f"{name}.npy", "w") as f:
                    np.lib.format.write_array(f, A)
        with archive.open("b1.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (2**28,)})
            zeros = bytes(2**24)
            for _ in range(2**31 // 2**24):
                f.write(zeros)
    assert path.stat().st_size < 16 * 2**20
    out = load_limited(path)
    assert out.startswith("refused:") and "oversized" in out, out
