"""Traffic patterns and trends: daily volume, intraday and weekly profiles, linear trend.

Arrivals count every row of ``calls`` (each call offered) including calls lost while telephony was
down, because they are demand the centre must plan for; pass ``include_lost=False`` to count only
calls that reached the queue.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.kpi import require

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _arrivals(calls: pd.DataFrame, by, include_lost: bool) -> tuple[pd.Series, list[str]]:
    cols = {"arrived_at": "datetime"}
    names = [] if by is None else ([by] if isinstance(by, str) else list(by))
    cols.update({n: "any" for n in names})
    if not include_lost:
        cols["outcome"] = "any"
    require(calls, "calls", cols)
    keep = np.ones(len(calls), dtype=bool) if include_lost else calls["outcome"].ne("lost").to_numpy(
        dtype=bool, na_value=True)
    return calls["arrived_at"][keep], [calls[n][keep] for n in names]


def _shape(counts: pd.Series, by_names: list[str], fill_index: pd.Index) -> pd.Series | pd.DataFrame:
    """Unstack the by= levels into columns and fill the full row index with zeros."""
    if not by_names:
        return counts.reindex(fill_index, fill_value=0).rename("calls")
    wide = counts.unstack(list(range(1, counts.index.nlevels)), fill_value=0)
    return wide.reindex(fill_index, fill_value=0)


def daily_volume(calls: pd.DataFrame, by=None, include_lost: bool = True):
    """Calls arriving per calendar day, every day from the first to the last (quiet days = 0).

    A Series named "calls" indexed by date, or with ``by=`` (e.g. "queue") one column per value.
    """
    t, keys = _arrivals(calls, by, include_lost)
    day = t.dt.normalize().rename("date")
    counts = day.groupby([day, *keys]).size()
    days = pd.date_range(day.min(), day.max(), freq="D", name="date")
    return _shape(counts, keys, days)


def weekly_profile(calls: pd.DataFrame, by=None, include_lost: bool = True):
    """Mean calls per day of the week, Monday..Sunday, over every calendar day in the data's range.

    Days with no calls count as 0 (a closed Sunday averages 0), so the mean is over the number of
    Mondays, Tuesdays, ... between the first and last day.
    """
    daily = daily_volume(calls, by, include_lost)
    names = pd.Index(np.asarray(DAY_NAMES)[daily.index.day_of_week], name="day_of_week")
    prof = daily.set_axis(names, axis=0).groupby(level=0, sort=False).mean()
    return prof.reindex([d for d in DAY_NAMES if d in prof.index])


def intraday_profile(calls: pd.DataFrame, interval_min: int = 30, by="queue", include_lost: bool = True):
    """Mean arrivals per interval of the day ("HH:MM" start), averaged over the days that had calls.

    Only days with at least one call (open days) are averaged, so a closed Sunday does not dilute
    the profile; one count of open days is used for every ``by`` group. Rows cover every interval of
    the day from the first to the last interval that ever had a call. ``interval_min`` must divide
    1,440 (e.g. 15, 30, 60).
    """
    if interval_min <= 0 or 1440 % interval_min:
        raise ValueError(f"interval_min must divide the 1,440 minutes of a day, got {interval_min}")
    t, keys = _arrivals(calls, by, include_lost)
    minutes = (t - t.dt.normalize()).dt.total_seconds() // 60
    slot = (minutes // interval_min * interval_min).astype(int).rename("slot")
    open_days = t.dt.normalize().nunique()
    counts = slot.groupby([slot, *keys]).size() / open_days
    slots = pd.RangeIndex(int(slot.min()), int(slot.max()) + 1, interval_min)
    prof = _shape(counts.astype(float), keys, slots)
    labels = pd.Index([f"{m // 60:02d}:{m % 60:02d}" for m in slots], name="interval_start")
    return prof.set_axis(labels, axis=0)


@dataclass(frozen=True)
class Trend:
    """Least-squares line through a series: slope per day with its confidence interval."""
    slope_per_day: float
    intercept: float  # fitted value at the first observation
    ci_low: float
    ci_high: float
    p_value: float    # two-sided test of slope = 0
    r_squared: float
    n: int
    confidence: float


def trend(series: pd.Series, confidence: float = 0.95) -> Trend:
    """Ordinary least-squares slope with a t-based confidence interval (df = n - 2).

    x is days since the first observation for a DatetimeIndex (hourly data still gives a slope per
    day); otherwise each step of position counts as one day (one period).
    """
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    if not pd.api.types.is_numeric_dtype(series.dtype) or series.isna().any():
        raise ValueError("trend needs a numeric Series with no missing values")
    if len(series) < 3:
        raise ValueError(f"trend needs at least 3 values, got {len(series)}")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.95")
    if isinstance(series.index, pd.DatetimeIndex):
        x = ((series.index - series.index[0]) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    else:
        x = np.arange(len(series), dtype=float)
    y = series.to_numpy(dtype=float)
    slope, intercept, r, pvalue, stderr = _linregress(x, y)
    from scipy import special  # the t quantile; scipy.stats would add ~1 s to the first call in a kernel
    half = special.stdtrit(len(y) - 2, 0.5 + confidence / 2) * stderr
    return Trend(slope, intercept, float(slope - half), float(slope + half), pvalue, r ** 2, len(y), confidence)


def _linregress(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float, float]:
    """(slope, intercept, r, two-sided p-value of slope = 0, standard error of the slope): the ordinary
    least-squares fit of ``scipy.stats.linregress``, with its formulas, from numpy and the t distribution."""
    from scipy import special

    n = len(x)
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=True).flat
    if ssxm == 0 or ssym == 0:   # as scipy: a flat series has no correlation to speak of (nan, so no p or CI)
        r = float("nan") if ssxym == 0 else 0.0
    else:
        r = float(np.clip(ssxym / np.sqrt(ssxm * ssym), -1.0, 1.0))
    slope = ssxym / ssxm
    intercept = y.mean() - slope * x.mean()
    df = n - 2
    tiny = 1.0e-20   # as scipy: r = +-1 gives a huge t, not a division by zero
    t = r * np.sqrt(df / ((1.0 - r + tiny) * (1.0 + r + tiny)))
    pvalue = 2 * special.stdtr(df, -abs(t))
    stderr = np.sqrt((1 - r ** 2) * ssym / ssxm / df)
    return float(slope), float(intercept), r, float(pvalue), float(stderr)
