"""Argument checks shared by the simulation modules: each error names the argument and what was expected."""
from __future__ import annotations

import numpy as np


def check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def float_array(name: str, value, *, ndim: int = 1, allow_inf: bool = False,
                minimum: float | None = None, strictly_above: float | None = None) -> np.ndarray:
    """``value`` as a float64 array of ``ndim`` dimensions, checked for NaN, infinity and bounds."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {value!r:.80}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    # fast path, one or two passes: comparisons are False for NaN, so all-true bounds also rule NaN out
    if (minimum is not None or strictly_above is not None) and arr.size:
        ok = (arr >= minimum) if minimum is not None else (arr > strictly_above)
        if minimum is not None and strictly_above is not None:
            ok &= arr > strictly_above
        if ok.all() and (allow_inf or not np.isinf(arr).any()):
            return arr
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN at position {int(np.flatnonzero(np.isnan(arr).ravel())[0])}")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite, found infinity at position "
                         f"{int(np.flatnonzero(np.isinf(arr).ravel())[0])}")
    if minimum is not None and (arr < minimum).any():
        bad = arr.ravel()[np.flatnonzero((arr < minimum).ravel())[0]]
        raise ValueError(f"{name} must be >= {minimum}, found {bad}")
    if strictly_above is not None and (arr <= strictly_above).any():
        bad = arr.ravel()[np.flatnonzero((arr <= strictly_above).ravel())[0]]
        raise ValueError(f"{name} must be > {strictly_above}, found {bad}")
    return arr


def count(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def per_interval(name: str, value, n_intervals: int, **bounds) -> np.ndarray:
    """A scalar or one value per interval, returned as a float64 array of length ``n_intervals``."""
    arr = float_array(name, value, ndim=np.ndim(value), **bounds)
    if arr.ndim == 0:
        return np.full(n_intervals, float(arr))
    if arr.shape != (n_intervals,):
        raise ValueError(f"{name} must be a number or one value per interval "
                         f"(length {n_intervals}), got shape {arr.shape}")
    return arr
