"""Small Arrow tables from Python lists, made from buffers.

`pyarrow.array` (and `pyarrow.scalar`) import pandas the first time they see a Python object,
0.25 s of a command's start-up, even where no pandas object is ever converted. The few small
tables a run sends to its engine (concept sets, the unit map, the dates) are made here from
numpy buffers instead, which imports nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pyarrow as pa

Kind = Literal["int64", "int16", "float64", "string", "date"]

_NUMERIC: dict[str, tuple[pa.DataType, type[np.generic]]] = {
    "int64": (pa.int64(), np.int64),
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
