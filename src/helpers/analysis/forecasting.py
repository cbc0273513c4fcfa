"""Call-volume forecasting methods a trainer can explain, and their hold-out accuracy.

Each method takes the history as a pandas Series (oldest first) and returns the forecast for the
next ``horizon`` periods as a Series. Its index continues the history's: dates at the inferred
frequency for a regular DatetimeIndex, otherwise positions ``len(series), len(series)+1, ...``.

Days whose demand was not observed (a public holiday the centre was closed, a day an outage lost calls)
are *missing*, not zero: a zero would pull a smoothing model's level and seasonal indices down for weeks.
:func:`seasonal_impute` fills missing values of a history from the same point of the neighbouring cycles,
and :func:`holdout_evaluation` takes a series with missing values: it imputes them in the history before
any method is fitted and leaves them out of the scoring in the hold-out.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd


def _as_series(values, name: str = "series") -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise ValueError(f"{name} must be numeric, got dtype {s.dtype}")
    if s.isna().any():
        raise ValueError(f"{name} has {int(s.isna().sum())} missing value(s): fill or drop them first")
    if len(s) == 0:
        raise ValueError(f"{name} is empty")
    return s.astype(float)


def seasonal_impute(series, season: int) -> pd.Series:
    """The series with each missing value (NaN) filled from the same point of the neighbouring cycles: within
    each seasonal sub-series (every ``season``-th value, e.g. all Fridays of a daily series with ``season=7``)
    missing values are linearly interpolated between the nearest observed values either side (at the ends,
    the nearest observed value). A missing Friday becomes the mean of the Fridays a week before and after.
    Raises ValueError when a whole sub-series is missing."""
    s = series if isinstance(series, pd.Series) else pd.Series(series)
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise ValueError(f"series must be numeric, got dtype {s.dtype}")
    m = _check_int(season, "season")
    y = s.to_numpy(dtype=float).copy()
    for i in range(min(m, len(y))):
        sub = pd.Series(y[i::m])
        if sub.isna().all():
            raise ValueError(f"every value at position {i} of the season is missing: nothing to impute it from")
        y[i::m] = sub.interpolate(limit_direction="both").to_numpy()
    return pd.Series(y, index=s.index, name=s.name)


def _future_index(history: pd.Series, horizon: int) -> pd.Index:
    idx = history.index
    if isinstance(idx, pd.DatetimeIndex) and len(idx) >= 3:
        freq = idx.freq or pd.infer_freq(idx)
        if freq is not None:
            return pd.date_range(idx[-1], periods=horizon + 1, freq=freq)[1:]
    return pd.RangeIndex(len(history), len(history) + horizon)


def _check_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def seasonal_naive(series, season: int, horizon: int | None = None) -> pd.Series:
    """Each future period repeats the same period one season earlier: y_hat(T+h) = y(T+h-m*ceil(h/m)).

    ``season`` is the number of periods per cycle (7 for daily data with a weekly cycle, 48 for
    half-hours in a day). Default horizon: one season.
    """
    s = _as_series(series)
    m = _check_int(season, "season")
    h = _check_int(m if horizon is None else horizon, "horizon")
    if len(s) < m:
        raise ValueError(f"seasonal_naive needs at least one season ({m} values), got {len(s)}")
    last = s.to_numpy()[-m:]
    return pd.Series(last[np.arange(h) % m], index=_future_index(s, h), name="seasonal_naive")


def moving_average(series, window: int, horizon: int = 1) -> pd.Series:
    """Flat forecast equal to the mean of the last ``window`` values (simple moving average)."""
    s = _as_series(series)
    w = _check_int(window, "window")
    h = _check_int(horizon, "horizon")
    if len(s) < w:
        raise ValueError(f"moving_average needs at least window={w} values, got {len(s)}")
    return pd.Series(np.full(h, s.to_numpy()[-w:].mean()), index=_future_index(s, h), name="moving_average")


def holt_winters(series, season: int, alpha: float = 0.3, beta: float = 0.1, gamma: float = 0.3,
                 horizon: int | None = None) -> pd.Series:
    """Additive Holt-Winters (triple exponential smoothing), Hyndman & Athanasopoulos, FPP 2nd ed. §7.3.

    ``level_t = alpha (y_t - s_{t-m}) + (1 - alpha)(level_{t-1} + trend_{t-1})``
    ``trend_t = beta (level_t - level_{t-1}) + (1 - beta) trend_{t-1}``
    ``s_t = gamma (y_t - level_{t-1} - trend_{t-1}) + (1 - gamma) s_{t-m}``
    forecast ``y_hat(T+h) = level_T + h trend_T + s_{T+h-m(k+1)}``, k = floor((h-1)/m).

    Start values from the first two seasons: trend = (mean of season 2 - mean of season 1) / m;
    level at the end of season 1 = mean of season 1 + trend (m-1)/2; seasonal index i = y_i minus the
    season-1 trend line. The recursion then runs from the second season, so a series that is exactly
    linear trend + fixed pattern is forecast exactly. Needs at least 2 seasons of history.
    """
    s = _as_series(series)
    m = _check_int(season, "season")
    h = _check_int(m if horizon is None else horizon, "horizon")
    for name, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        if not 0 <= v <= 1:
            raise ValueError(f"{name} must be between 0 and 1, got {v}")
    y = s.to_numpy()
    if len(y) < 2 * m:
        raise ValueError(f"holt_winters needs at least two seasons ({2 * m} values), got {len(y)}")
    first = y[:m].mean()
    trend = (y[m:2 * m].mean() - first) / m
    seasonal = y[:m] - (first + (np.arange(m) - (m - 1) / 2) * trend)
    level = first + trend * (m - 1) / 2
    for t in range(m, len(y)):  # inherently sequential
        i = t % m
        prev_level, prev_trend = level, trend
        level = alpha * (y[t] - seasonal[i]) + (1 - alpha) * (prev_level + prev_trend)
        trend = beta * (level - prev_level) + (1 - beta) * prev_trend
        seasonal[i] = gamma * (y[t] - prev_level - prev_trend) + (1 - gamma) * seasonal[i]
    steps = np.arange(1, h + 1)
    fc = level + steps * trend + seasonal[(len(y) + steps - 1) % m]
    return pd.Series(fc, index=_future_index(s, h), name="holt_winters")


def forecast_accuracy(actual, predicted) -> dict[str, float]:
    """Errors of a forecast against what happened, matched by position.

    Returns mape (mean absolute percentage error, in %), mae, rmse, bias (mean of predicted - actual,
    positive = over-forecast), n (periods compared) and zeros_skipped. MAPE divides by the actual,
    so periods with an actual of 0 (e.g. a closed day) are skipped for MAPE only; MAPE is NaN when
    every actual is 0.
    """
    a = _as_series(actual, "actual").to_numpy()
    p = _as_series(predicted, "predicted").to_numpy()
    if a.size != p.size:
        raise ValueError(f"actual has {a.size} values but predicted has {p.size}")
    err = p - a
    nonzero = a != 0
    mape = float(np.mean(np.abs(err[nonzero]) / np.abs(a[nonzero])) * 100) if nonzero.any() else math.nan
    return {"mape": mape, "mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err ** 2))),
            "bias": float(np.mean(err)), "n": int(a.size), "zeros_skipped": int((~nonzero).sum())}


Method = Callable[[pd.Series, int], pd.Series]


def default_methods(season: int, window: int | None = None, alpha: float = 0.3, beta: float = 0.1,
                    gamma: float = 0.3) -> dict[str, Method]:
    """The three workbook methods as ``{name: f(history, horizon)}`` (moving-average window = season)."""
    w = season if window is None else window
    return {
        "seasonal_naive": lambda hist, h: seasonal_naive(hist, season, h),
        "moving_average": lambda hist, h: moving_average(hist, w, h),
        "holt_winters": lambda hist, h: holt_winters(hist, season, alpha, beta, gamma, h),
    }


def holdout_evaluation(series, horizon: int, methods: Mapping[str, Method] | Sequence[str] | None = None,
                       season: int = 7, window: int | None = None) -> pd.DataFrame:
    """Fit each method on all but the last ``horizon`` values and score it on those held-out values.

    ``methods`` is a dict ``{name: f(history, horizon) -> forecast}``, or names from
    ``default_methods`` (default: all three, with ``season`` and ``window``). Returns one row per
    method, in the order given, with the ``forecast_accuracy`` columns (mape in %; ``n`` is the number of
    hold-out values scored).

    Missing values (NaN: demand not observed) are allowed: in the history they are filled with
    :func:`seasonal_impute` before any method sees it (a method is never fitted through a gap or a
    stand-in zero); in the hold-out they are not scored, so every method is scored on the same observed
    values.
    """
    s = series if isinstance(series, pd.Series) else pd.Series(series)
    if len(s) == 0:
        raise ValueError("series is empty")
    h = _check_int(horizon, "horizon")
    if h >= len(s):
        raise ValueError(f"horizon ({h}) must be shorter than the series ({len(s)} values)")
    available = default_methods(season, window)
    if methods is None:
        methods = available
    elif not isinstance(methods, Mapping):
        unknown = [m for m in methods if m not in available]
        if unknown:
            raise ValueError(f"unknown method(s) {unknown}; choose from {list(available)} or pass a dict")
        methods = {m: available[m] for m in methods}
    train, test = s.iloc[:-h], s.iloc[-h:]
    train = _as_series(seasonal_impute(train, season) if train.isna().any() else train, "history")
    observed = test.notna().to_numpy()
    if not observed.any():
        raise ValueError("every value of the hold-out is missing: nothing to score")
    actual = _as_series(test[observed], "hold-out")
    rows = {}
    for name, method in methods.items():
        fc = np.asarray(method(train, h), dtype=float)
        if fc.size != h:
            raise ValueError(f"method {name!r} returned {fc.size} values for a horizon of {h}")
        rows[name] = forecast_accuracy(actual.to_numpy(), fc[observed])
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "method"
    return out
