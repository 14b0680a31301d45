"""Saving and loading networks: one ``.npz`` holding the architecture (as JSON) and the weights.

Files are written atomically (``nn_blog.fileio.write_atomic``) and read with
``allow_pickle=False``. Nothing is allocated before it is checked: the zip directory gives each
member's size and each member's ``.npy`` header its shape and dtype, and both must agree with the
architecture the file declares (and stay under ``MAX_BYTES``) before a single array is read. A
file that is corrupt, truncated, pickled, oversized or describes another architecture gets a
one-line error naming it.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path

import numpy as np

from ..errors import NNBlogError
from ..fileio import write_atomic
from .network import Network

FORMAT = "nn_blog.nn/1"
MAX_BYTES = 512 * 2**20        # all arrays of one file together: far above any network we train
MAX_TEXT_BYTES = 16 * 2**20    # a JSON member (config, metadata)


def save(net, path):
    """Write ``net`` (architecture, seed, dtype and parameters) to the ``.npz`` file ``path``."""
    path = Path(path)
    arrays = {"format": np.array(FORMAT), "config": np.array(json.dumps(net.to_config()))}
    arrays.update(zip(net.param_names, net.params, strict=True))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_atomic(path, buf.getvalue())
    return path


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    # (shape, dtype) from a member's .npy header: a few hundred bytes read, nothing allocated.
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        read = {(1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read is None:
            raise ValueError(f"unsupported .npy version {version}")
        shape, _, dtype = read(f, max_header_size=10000)
        return tuple(shape), dtype, f.tell()


def inspect(path, max_bytes: int = MAX_BYTES) -> dict[str, tuple[tuple, np.dtype]]:
    """The arrays of an ``.npz`` -> {name: (shape, dtype)}, from its directory and headers only.

    Refuses (NNBlogError) a file that is not a zip of ``.npy`` members, holds pickled objects,
    or whose members are bigger than their headers say or than ``max_bytes`` in all.
    """
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > max_bytes:
                raise NNBlogError(f"is oversized: its members unpack to {total} bytes (at most "
                                  f"{max_bytes})", file=where)
            out = {}
            for info in infos:
                if not info.filename.endswith(".npy"):
                    raise NNBlogError(f"is corrupt: member {info.filename!r} is not an array",
                                      file=where)
                shape, dtype, offset = _header(archive, info)
                if dtype.hasobject:
                    raise NNBlogError("holds pickled objects, not a saved network", file=where)
                if offset + math.prod(shape) * dtype.itemsize != info.file_size:
                    raise NNBlogError(f"is corrupt: member {info.filename!r} holds "
                                      f"{info.file_size} bytes, its header {shape} {dtype}",
                                      file=where)
                out[info.filename[:-4]] = (shape, dtype)
            return out
    except FileNotFoundError:
        raise NNBlogError("no such file", file=where) from None
    except NNBlogError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, SyntaxError) as err:
        raise NNBlogError(f"is corrupt, not a saved network ({type(err).__name__}: "
                          f"{str(err).splitlines()[0] if str(err) else ''})",
                          file=where) from None


def read(path, names) -> dict[str, np.ndarray]:
    """The arrays ``names`` of an ``.npz`` already checked by :func:`inspect`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in names}
    except FileNotFoundError:
        raise NNBlogError("no such file", file=str(path)) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError) as err:
        reason = "holds pickled objects" if "pickle" in str(err).lower() else "is corrupt"
        raise NNBlogError(f"{reason}, not a saved network ({type(err).__name__}: "
                          f"{str(err).splitlines()[0] if str(err) else ''})",
                          file=str(path)) from None


def read_json(path, members: dict, name: str):
    """The JSON text stored as the 0-d string array ``name`` (size-checked first) -> data."""
    shape, dtype = members.get(name, (None, None))
    if shape != () or dtype.kind != "U" or dtype.itemsize > MAX_TEXT_BYTES:
        raise NNBlogError(f"is not a saved network: no readable {name!r}", file=str(path),
                          field=name)
    try:
        return json.loads(str(read(path, [name])[name]))
    except ValueError:
        what = {"config": "architecture", "meta": "metadata"}.get(name, name)
        raise NNBlogError(f"has an unreadable {what}", file=str(path), field=name) from None


def config_shapes(config) -> dict[str, tuple[int, ...]]:
    """A :meth:`Network.to_config` dict -> {"W1": (n_in, n_out), "b1": (n_out,), ...}.

    Computed from the numbers alone, so that a config asking for a huge layer is caught before
    ``Network.from_config`` allocates it.
    """
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list) or not layers:
        raise ValueError("needs a non-empty list of 'layers'")
    shapes = {}
    for i, layer in enumerate(layers, 1):
        n_in, n_out = (layer.get(k) if isinstance(layer, dict) else None for k in ("n_in", "n_out"))
        if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in (n_in, n_out)):
            raise ValueError(f"layer {i} needs positive integers n_in and n_out")
        shapes[f"W{i}"], shapes[f"b{i}"] = (n_in, n_out), (n_out,)
    return shapes


def check_arrays(path, members: dict, expected: dict[str, tuple]) -> None:
    """Each ``expected`` name is a floating-point member of that shape (headers only)."""
    for name, shape in expected.items():
        got = members.get(name)
        if got is None or got[0] != tuple(shape) or got[1].kind != "f":
            what = "missing" if got is None else f"{got[1]} {got[0]}"
            raise NNBlogError(f"does not match its architecture: {name} is {what}, expected "
                              f"{tuple(shape)}", file=str(path), field=name)


def finite(path, arrays: dict) -> None:
    """No NaN or infinite value in any of ``arrays``."""
    for name, A in arrays.items():
        if not np.isfinite(A).all():
            raise NNBlogError("contains NaN or infinite weights", file=str(path), field=name)


def load(path, like=None):
    """The network saved in ``path``.

    With ``like`` (a Network or a config dict) the file must hold that architecture, else a
    NNBlogError says what differs.
    """
    members = inspect(path)
    fmt = members.get("format")
    if "config" not in members or fmt is None or fmt[0] != () or fmt[1].kind != "U" or \
            str(read(path, ["format"])["format"]) != FORMAT:
        raise NNBlogError(f"is not a saved network (format {FORMAT} expected)", file=str(path))
    config = read_json(path, members, "config")
    if like is not None:
        expected = like.to_config() if isinstance(like, Network) else like
        for key in ("layers", "loss", "dtype"):
            if config.get(key) != expected.get(key):
                raise NNBlogError(f"holds another architecture: {key} is {config.get(key)!r}, "
                                  f"expected {expected.get(key)!r}", file=str(path), field=key)
    try:
        shapes = config_shapes(config)
    except ValueError as err:
        raise NNBlogError(f"has an invalid architecture ({err})", file=str(path)) from None
    check_arrays(path, members, shapes)  # sizes agree with the members before anything allocates
    try:
        net = Network.from_config(config)
    except ValueError as err:
        raise NNBlogError(f"has an invalid architecture ({err})", file=str(path)) from None
    arrays = read(path, net.param_names)
    finite(path, arrays)
    net.set_params([arrays[name] for name in net.param_names])
    return net
