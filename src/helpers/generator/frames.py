"""Frames that follow the data contract (``helpers.tables``): column order, dtypes, nulls.

Also the small vectorised helpers every table uses: seconds -> timestamps, ids with prefixes,
string concatenation on whole columns.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.tables import TABLES

_DTYPES = {"string": "string", "int64": "int64", "float64": "float64", "bool": "bool",
           "datetime64[ns]": "datetime64[ns]", "date": "datetime64[ns]", "category": "string"}
NS = 1_000_000_000
NAT = np.iinfo(np.int64).min  # NaT as int64


def conform(table: str, columns: dict) -> pd.DataFrame:
    """A frame for ``table`` from column arrays, in contract order and dtypes.

    Raises ValueError naming the table and the missing or unexpected columns, and for nulls in a
    column the contract says is not nullable.
    """
    spec = TABLES[table]
    names = spec.column_names
    missing = [c for c in names if c not in columns]
    extra = [c for c in columns if c not in names]
    if missing or extra:
        raise ValueError(f"table {table}: missing columns {missing}, unexpected columns {extra}")
    if isinstance(columns, pd.DataFrame) and _conforms(spec, columns):
        return columns  # already in contract order, dtypes and whole seconds: nothing to convert
    out = {}
    for col in spec.columns:
        values = columns[col.name]
        dtype = _DTYPES[col.dtype]
        if isinstance(values, pd.Series) and dtype != "datetime64[ns]" and str(values.dtype) == dtype:
            arr = values.array if dtype == "string" else values.to_numpy()
        elif dtype == "string":
            if isinstance(values, pd.Series):
                values = pa.array(values.array) if isinstance(values.dtype, pd.StringDtype) else \
                    np.asarray(values, dtype=object)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
            if isinstance(values, pa.Array):
                arr = pd.arrays.ArrowStringArray(values)
            else:
                arr = pd.array(np.asarray(values, dtype=object), dtype="string")
        elif dtype == "datetime64[ns]":
            # whole seconds: sub-second noise would only make the files bigger
            arr = whole_seconds(values)
        else:
            arr = np.asarray(values).astype(dtype)
        if not col.nullable:
            nulls = arr.isna() if dtype == "string" else (np.isnan(arr) if dtype == "float64" else
                                                          (np.isnat(arr) if dtype == "datetime64[ns]" else None))
            if nulls is not None and nulls.any():
                raise ValueError(f"table {table}: column {col.name} has {int(nulls.sum())} nulls but is not nullable")
        out[col.name] = arr
    return pd.DataFrame(out, copy=False)


def whole_seconds(values) -> np.ndarray:
    """Timestamps floored to whole seconds as datetime64[ns], NaT kept: ``astype("datetime64[s]")
    .astype("datetime64[ns]")``, computed on the integers in one new array for nanosecond input."""
    v = np.asarray(values)
    if v.dtype != np.dtype("datetime64[ns]"):
        return v.astype("datetime64[s]").astype("datetime64[ns]")
    i = v.view(np.int64)
    out = np.floor_divide(i, NS)
    np.multiply(out, NS, out=out)
    out[i == NAT] = NAT
    return out.view("datetime64[ns]")


def _null_count(arr) -> int:
    """Nulls in a column's array (O(1) for pyarrow-backed strings)."""
    pa_arr = getattr(arr, "_pa_array", None)
    if pa_arr is not None:
        return int(pa_arr.null_count)
    if isinstance(arr, np.ndarray):
        if arr.dtype.kind == "f":
            return int(np.isnan(arr).sum())
        if arr.dtype.kind == "M":
            return int(np.isnat(arr).sum())
        return 0
    return int(pd.isna(arr).sum())


def _column_arrays(df: pd.DataFrame) -> list:
    """The frame's column arrays in order, without building a Series per column (``iloc`` costs ~30x more)."""
    get = getattr(df, "_get_column_array", None)
    if get is None:  # pandas without the accessor: the public (slower) way
        return [df.iloc[:, i].array for i in range(df.shape[1])]
    return [get(i) for i in range(df.shape[1])]


def _conforms(spec, df: pd.DataFrame) -> bool:
    """``df`` has exactly the contract's columns in order, their dtypes, a default index, whole-second
    timestamps and no nulls where the contract allows none (then ``conform`` has nothing to do)."""
    if list(df.columns) != spec.column_names or not isinstance(df.index, pd.RangeIndex) \
            or df.index.start != 0 or df.index.step != 1:
        return False
    arrays = _column_arrays(df)
    if [str(a.dtype) for a in arrays] != [_DTYPES[c.dtype] for c in spec.columns]:
        return False
    for arr, col in zip(arrays, spec.columns):
        dtype = _DTYPES[col.dtype]
        if dtype in ("string", "datetime64[ns]") or not col.nullable:
            if dtype == "string" and not isinstance(arr, pd.arrays.ArrowStringArray):
                return False
            if isinstance(arr, pd.arrays.DatetimeArray):
                arr = arr._ndarray
            if dtype == "datetime64[ns]":
                v = np.asarray(arr).view(np.int64)
                if (v[v != NAT] % NS).any():
                    return False
            if not col.nullable and _null_count(arr):
                raise ValueError(f"table {spec.name}: column {col.name} has {_null_count(arr)} nulls but is not "
                                 "nullable")
    return True


def _arrow_strings(values) -> pa.Array:
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        a = values
    elif isinstance(values, pd.arrays.ArrowStringArray):
        a = pa.array(values)
    else:
        a = pa.array(np.asarray(values, dtype=object), type=pa.string())
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    return a.cast(pa.large_string()) if a.type == pa.string() else a


def rows_of(series: pd.Series, idx) -> np.ndarray:
    """``series.to_numpy(dtype=object)[idx]`` for a string column, converting only the rows taken."""
    if not isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy(dtype=object)[idx]
    out = _arrow_strings(series).take(pa.array(np.asarray(idx, dtype=np.int64)))
    return out.to_numpy(zero_copy_only=False).astype(object)


def encode_sorted(values) -> tuple[list, np.ndarray] | None:
    """(sorted distinct strings, index of each value into them): ``np.unique(values, return_inverse=True)``
    for a string column without nulls, encoded in pyarrow; None if the column has nulls."""
    a = _arrow_strings(values)
    if a.null_count:
        return None
    enc = pc.dictionary_encode(a)
    seen = enc.dictionary.to_pylist()
    zones = sorted(seen)
    remap = np.array([zones.index(x) for x in seen], dtype=np.int64)
    return zones, remap[enc.indices.to_numpy(zero_copy_only=False)] if len(a) else np.zeros(0, np.int64)


def objects(values, index=None) -> pd.Series:
    """A Series of Python objects (kept as such: pandas 3 would otherwise convert strings to its string
    dtype and back at every step of an internal frame)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object, index=index, copy=False)


def set_strings(series: pd.Series, rows, value: str) -> pd.arrays.ArrowStringArray:
    """A string column with ``value`` at ``rows`` (positions), built in pyarrow (no Python objects)."""
    mask = np.zeros(len(series), dtype=bool)
    mask[np.asarray(rows, dtype=np.int64)] = True
    out = pc.if_else(pa.array(mask), pa.scalar(value, pa.large_string()), _arrow_strings(series))
    return pd.arrays.ArrowStringArray(out)


def index_in(values, value_set) -> np.ndarray:
    """Per value, its position in ``value_set`` (int64, -1 if absent or null): ``pd.Index(value_set)
    .get_indexer(values)`` for unique string keys, hashed in pyarrow without Python objects."""
    found = pc.index_in(_arrow_strings(values), value_set=_arrow_strings(value_set))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def timestamps(origin: np.datetime64, seconds) -> np.ndarray:
    """datetime64[ns] at ``origin + seconds`` (NaN seconds give NaT). Rounded to whole milliseconds."""
    s = np.asarray(seconds, dtype=np.float64)
    ns = np.round(s * 1000.0)
    out = np.full(s.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(ns)
    out[ok] = origin.astype("datetime64[ns]") + (ns[ok].astype(np.int64) * 1_000_000).astype("timedelta64[ns]")
    return out


def strings(values) -> pa.Array:
    """A pyarrow string array from a list/array of str (None = null)."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    return pa.array(np.asarray(values, dtype=object), type=pa.string())


def arrow(series: pd.Series) -> pa.Array:
    """A string column as a pyarrow array (zero-copy for the ``string`` dtype)."""
    a = pa.array(series.array)
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    return a.cast(pa.string()) if a.type == pa.large_string() else a


def num(values, width: int = 0) -> pa.Array:
    """Integers as strings, zero-padded to ``width``."""
    s = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(s, width, padding="0") if width else s


def digits(template: str, values) -> pa.Array:
    """Fill each ``#`` of an ASCII template with the digits of ``values`` (zero-padded, vectorised).

    ``digits("0491 57# ###", [1234])`` -> ``["0491 571 234"]``. Builds the UTF-8 buffer directly.
    """
    t = np.frombuffer(template.encode("ascii"), dtype=np.uint8)
    pos = np.flatnonzero(t == ord("#"))
    v = np.asarray(values, dtype=np.int64)
    if v.size and (v.min() < 0 or v.max() >= 10 ** len(pos)):
        raise ValueError(f"values must fit {len(pos)} digits for template {template!r}")
    m = np.empty((t.size, v.size), dtype=np.uint8)  # one contiguous row per character position
    m[:] = t[:, None]
    x = v.astype(np.int32) if (not v.size or v.max() < 2 ** 31) else v.copy()
    for p in pos[::-1]:  # last digit first: one division per position
        q = x // 10
        m[p] = (x - q * 10 + 48).astype(np.uint8)
        x = q
    offsets = np.arange(v.size + 1, dtype=np.int32) * t.size
    return pa.Array.from_buffers(pa.string(), v.size, [None, pa.py_buffer(offsets),
                                                        pa.py_buffer(np.ascontiguousarray(m.T).ravel())])


@lru_cache(maxsize=64)
def number_pool(lo: int, hi: int, prefix: str = "", suffix: str = "", width: int = 0) -> pa.Array:
    """Formatted numbers lo..hi-1 (``prefix + number + suffix``); ``take(pool, v - lo)`` formats v."""
    return pa.array([f"{prefix}{i:0{width}d}{suffix}" for i in range(lo, hi)], type=pa.string())


_ID_POOLS: dict[tuple[str, int], pa.Array] = {}


def ids(prefix: str, n: int, width: int, start: int = 1) -> pa.Array:
    """Keys like C0000001: a zero-copy slice of a pool of formatted keys kept per prefix and width
    (grown by a quarter beyond what a bigger table needs; tables above a million rows are formatted
    directly)."""
    if start < 0 or n < 0 or start + n > 10 ** width:
        return digits(prefix + "#" * width, np.arange(start, start + n))
    if start + n > 1 << 20:  # a big one-off table (the million-call benchmark): no pool
        return digits(prefix + "#" * width, np.arange(start, start + n))
    pool = _ID_POOLS.get((prefix, width))
    if pool is None or len(pool) < start + n:
        size = min(max(int((start + n) * 1.25), 1024), 10 ** width)
        pool = _ID_POOLS[(prefix, width)] = digits(prefix + "#" * width, np.arange(size))
    return pool.slice(start, n)


def cat(*parts) -> pa.Array:
    """Element-wise string concatenation of arrays and scalars (pyarrow compute, vectorised)."""
    parts = [p if isinstance(p, str) else strings(p) for p in parts]
    if all(isinstance(p, str) for p in parts):
        raise ValueError("cat needs at least one array")
    return pc.binary_join_element_wise(*parts, "")


def take(pool: pa.Array, idx) -> pa.Array:
    return pool.take(pa.array(np.asarray(idx, dtype=np.int64)))


def pick(rng: np.random.Generator, pool: pa.Array, n: int) -> pa.Array:
    """n values drawn uniformly with replacement from a pool."""
    return take(pool, rng.integers(0, len(pool), n))


def coded(values: pa.Array, codes) -> pa.Array:
    """``values[codes]`` with null where the code is negative (ids stored as integer codes)."""
    codes = np.asarray(codes, dtype=np.int64)
    mask = codes < 0
    if not len(values):
        out = pa.nulls(codes.size, pa.string())
        return with_nulls(out, mask) if mask.any() else out
    if not mask.any():
        return take(values, codes)
    out = take(values, np.where(mask, 0, codes))
    if out.type != pa.string() or out.offset:
        return with_nulls(out, mask)
    # the array ``with_nulls`` gives (a null keeps the bytes of ``values[0]``), its validity bitmap set directly
    return pa.Array.from_buffers(pa.string(), codes.size, [pa.py_buffer(np.packbits(~mask, bitorder="little")),
                                                           *out.buffers()[1:]], null_count=int(mask.sum()))


def where(cond, a, b) -> pa.Array:
    """a where cond else b (arrays or scalars)."""
    a = a if not isinstance(a, (np.ndarray, list)) else strings(a)
    b = b if not isinstance(b, (np.ndarray, list)) else strings(b)
    return pc.if_else(pa.array(np.asarray(cond, dtype=bool)), a, b)


def with_nulls(values, null_mask) -> pa.Array:
    """Null where ``null_mask`` (for nullable string columns)."""
    values, mask = strings(values), np.asarray(null_mask, dtype=bool)
    if (isinstance(values, pa.Array) and values.type == pa.string() and not values.offset and not values.null_count
            and len(values) == mask.size and mask.any()):
        # what if_else gives (the values' bytes, nulls marked), without copying the strings
        return pa.Array.from_buffers(pa.string(), mask.size, [pa.py_buffer(np.packbits(~mask, bitorder="little")),
                                                              *values.buffers()[1:]], null_count=int(mask.sum()))
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), values)


def nat_where(values: np.ndarray, null_mask: np.ndarray) -> np.ndarray:
    out = np.asarray(values).astype("datetime64[ns]").copy()
    out[null_mask] = np.datetime64("NaT")
    return out
