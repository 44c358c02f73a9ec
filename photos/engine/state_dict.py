"""Read a PyTorch state dict saved in the legacy (pre-1.6) format into numpy arrays.

We need the tensors of one pinned, hash-verified file, not PyTorch itself (a 700 MB
install). The unpickler only accepts the few globals a state dict uses, so a tampered
file cannot run code even if it got past the hash check.
"""

from __future__ import annotations

import collections
import pickle
import struct
from pathlib import Path

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


class _StorageRef:
    def __init__(self, key: str, dtype: type) -> None:
        self.key = key
        self.dtype = np.dtype(dtype)


def _rebuild_tensor(storage, offset, size, stride, *_rest):
    return (storage, int(offset), tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in STORAGE_DTYPES:
            return name
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    def persistent_load(self, saved_id):
        kind, storage_type, key = saved_id[0], saved_id[1], saved_id[2]
        if kind != "storage" or storage_type not in STORAGE_DTYPES:
            raise pickle.UnpicklingError(f"unexpected persistent id {saved_id!r}")
        return _StorageRef(str(key), STORAGE_DTYPES[storage_type])


def load_state_dict(path: Path) -> dict[str, np.ndarray]:
    """Tensor name → array (copied, C-contiguous)."""
    with open(path, "rb") as fh:
        # Every pickle in the file goes through the restricted unpickler.
        if _Unpickler(fh).load() != LEGACY_MAGIC or _Unpickler(fh).load() != LEGACY_PROTOCOL:
            raise ValueError(f"{path} is not a legacy PyTorch file")
        _Unpickler(fh).load()  # sys info: a plain dict
        tensors = _Unpickler(fh).load()
        keys = _Unpickler(fh).load()
        dtypes = {ref.key: ref.dtype for ref, *_ in tensors.values()}
        storages = {}
        for key in keys:
            (count,) = struct.unpack("<q", fh.read(8))
            dtype = dtypes[str(key)]
            storages[str(key)] = np.frombuffer(fh.read(count * dtype.itemsize), dtype=dtype)
    arrays = {}
    for name, (ref, offset, size, stride) in tensors.items():
        flat = storages[ref.key]
        view = np.lib.stride_tricks.as_strided(
            flat[offset:], shape=size, strides=tuple(s * flat.itemsize for s in stride)
        )
        arrays[name] = np.ascontiguousarray(view)
    return arrays
