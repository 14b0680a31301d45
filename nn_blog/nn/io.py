"""Saving and loading networks: one ``.npz`` holding the architecture (as JSON) and the weights.

Files are written atomically (a temporary file in the same directory, then ``os.replace``) and
read with ``allow_pickle=False``: a file that is corrupt, truncated, pickled or describes another
architecture gets a one-line error naming it.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..errors import NNBlogError
from .network import Network

FORMAT = "nn_blog.nn/1"


def save(net, path):
    """Write ``net`` (architecture, seed, dtype and parameters) to the ``.npz`` file ``path``."""
    path = Path(path)
    arrays = {"format": np.array(FORMAT), "config": np.array(json.dumps(net.to_config()))}
    arrays.update(zip(net.param_names, net.params, strict=True))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _read(path):
    # {name: array} of the whole file, or NNBlogError for anything unreadable.
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a bare .npy array
            return None
        with data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise NNBlogError("no such file", file=str(path)) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError) as err:
        reason = "holds pickled objects" if "pickle" in str(err).lower() else "is corrupt"
        raise NNBlogError(f"{reason}, not a saved network ({type(err).__name__}: {err})",
                          file=str(path)) from None
    for name, value in arrays.items():
        if not isinstance(value, np.ndarray):  # np.load hands back raw bytes for non-.npy members
            raise NNBlogError(f"is corrupt: member {name!r} is not an array", file=str(path))
    return arrays


def load(path, like=None):
    """The network saved in ``path``.

    With ``like`` (a Network or a config dict) the file must hold that architecture, else a
    ValueError says what differs.
    """
    data = _read(path)
    if data is None or "config" not in data or str(data.get("format", "")) != FORMAT:
        raise NNBlogError(f"is not a saved network (format {FORMAT} expected)", file=str(path))
    try:
        config = json.loads(str(data["config"]))
    except ValueError:
        raise NNBlogError("has an unreadable architecture", file=str(path),
                          field="config") from None
    if like is not None:
        expected = like.to_config() if isinstance(like, Network) else like
        for key in ("layers", "loss", "dtype"):
            if config.get(key) != expected.get(key):
                raise NNBlogError(f"holds another architecture: {key} is {config.get(key)!r}, "
                                  f"expected {expected.get(key)!r}", file=str(path), field=key)
    try:
        net = Network.from_config(config)
    except ValueError as err:
        raise NNBlogError(f"has an invalid architecture ({err})", file=str(path)) from None
    arrays = []
    for name, P in zip(net.param_names, net.params, strict=True):
        A = data.get(name)
        if A is None or A.shape != P.shape or A.dtype.kind != "f":
            got = "missing" if A is None else f"{A.dtype} {A.shape}"
            raise NNBlogError(f"does not match its architecture: {name} is {got}, expected "
                              f"{P.shape}", file=str(path), field=name)
        if not np.isfinite(A).all():
            raise NNBlogError("contains NaN or infinite weights", file=str(path), field=name)
        arrays.append(A)
    net.set_params(arrays)
    return net
