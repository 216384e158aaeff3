"""Arrow arrays from Python lists and numpy, and numpy from Arrow, through buffers.

`pyarrow.array`, `pyarrow.scalar`, `to_numpy` and any compute function given a Python value
import pandas the first time (0.2 s CPU of the command's start-up, a sixth of it), even
where no pandas object is ever converted. The small tables a run sends to its engine and
the formatting of its results (`engine`) go through here instead, which imports nothing
more; `tests/prescreen/test_plan.py` holds a command to that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pyarrow as pa

Kind = Literal["int64", "int32", "int16", "float64", "string", "date"]

_NUMERIC: dict[str, tuple[pa.DataType, type[np.generic]]] = {
    "int64": (pa.int64(), np.int64),
    "int32": (pa.int32(), np.int32),
    "int16": (pa.int16(), np.int16),
    "float64": (pa.float64(), np.float64),
}
_EPOCH = dt.date(1970, 1, 1)


def array(values: Sequence[object], kind: Kind) -> pa.Array:
    """``values`` (no None among them) as an Arrow array of ``kind``."""
    if any(value is None for value in values):
        raise ValueError("arrow.array makes arrays without nulls")
    if kind in _NUMERIC:
        arrow_type, numpy_type = _NUMERIC[kind]
        data = np.asarray(values, dtype=numpy_type)
        return pa.Array.from_buffers(arrow_type, len(data), [None, pa.py_buffer(data)])
    if kind == "date":
        # The values of a "date" column are dates (the caller's contract); typed as object.
        days = np.asarray([(v - _EPOCH).days for v in values], dtype=np.int32)  # type: ignore[operator]
        return pa.Array.from_buffers(pa.date32(), len(days), [None, pa.py_buffer(days)])
    if kind == "string":
        encoded = [str(v).encode() for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        data = pa.py_buffer(b"".join(encoded))
        return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])
    raise ValueError(f"unknown kind {kind!r}")


def table(columns: dict[str, tuple[Sequence[object], Kind]]) -> pa.Table:
    """A table of the given columns, each (values, kind)."""
    arrays = [array(values, kind) for values, kind in columns.values()]
    return pa.Table.from_arrays(arrays, names=list(columns))


def scalar(value: object, kind: Kind) -> pa.Scalar:
    """``value`` as an Arrow scalar of ``kind`` (`pyarrow.scalar` imports pandas too)."""
    return array([value], kind)[0]


_FROM_NUMPY: dict[str, pa.DataType] = {
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
}


def from_numpy(data: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """A one-dimensional numpy array (integers, float64 or bool) as an Arrow array, null
    where ``mask`` is true."""
    data = np.ascontiguousarray(data)
    validity = None
    nulls = 0
    if mask is not None:
        nulls = int(mask.sum())
        validity = pa.py_buffer(np.packbits(~mask, bitorder="little")) if nulls else None
    if data.dtype == np.bool_:
        values = pa.py_buffer(np.packbits(data, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(data), [validity, values], nulls)
    kind = _FROM_NUMPY.get(data.dtype.name)
    if kind is None:
        raise ValueError(f"arrow.from_numpy: unsupported dtype {data.dtype}")
    return pa.Array.from_buffers(kind, len(data), [validity, pa.py_buffer(data)], nulls)


def numpy_of(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A column of integers or float64 without nulls as numpy (`to_numpy` imports pandas):
    a view of its buffer when it is one chunk."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    kind = values.type
    if not (pa.types.is_integer(kind) or pa.types.is_float64(kind)):
        raise ValueError(f"arrow.numpy_of: unsupported type {kind}")
    if values.null_count:
        raise ValueError("arrow.numpy_of: a column with nulls")
    dtype = _NUMPY_OF[str(kind)]
    parts = [
        np.frombuffer(chunk.buffers()[1], dtype=dtype)[chunk.offset : chunk.offset + len(chunk)]
        for chunk in chunks
    ]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


_NUMPY_OF: dict[str, type[np.generic]] = {
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "double": np.float64,
}
