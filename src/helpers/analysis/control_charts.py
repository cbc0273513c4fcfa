"""Statistical process control charts for abandonment (p chart, Laney p' chart) and handle time (I-MR, X-bar).

Every chart returns a DataFrame with value, centre, sigma, lcl, ucl and ``rules``: the
Western Electric / Nelson tests a point breaks, as a comma-separated string ("" when none), plus
``signal`` (any rule broken). Rules are applied to z = (value - centre) / sigma of each point:

* rule 1: one point beyond 3 sigma (Nelson 1);
* rule 2: nine points in a row on the same side of the centre (Nelson 2);
* rule 3: six points in a row steadily increasing or decreasing (Nelson 3);
* rule 4: two of three consecutive points beyond 2 sigma on the same side (Western Electric 2, Nelson 5).

A run rule flags the point that completes the pattern and every later point that extends it.
Constants: d2(2) = 1.128 and D4(2) = 3.267 for moving ranges; c4(n) and d2(n) are computed exactly
(Montgomery, *Introduction to Statistical Quality Control*, 2013, appendix VI).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.kpi import _answered, _handle_s, _offered, grouping_keys, require

D2_MR = 1.128   # d2 for moving ranges of 2
D4_MR = 3.267   # D4 for moving ranges of 2


def c4(n: int) -> float:
    """Bias constant of the sample standard deviation: E[s] = c4(n) sigma for n normal values."""
    if n < 2:
        raise ValueError("c4 needs n >= 2")
    from scipy import special  # scipy.stats costs ~1 s to import: only when needed
    return math.sqrt(2 / (n - 1)) * math.exp(special.gammaln(n / 2) - special.gammaln((n - 1) / 2))


def d2(n: int) -> float:
    """Mean range of n standard normal values: integral of 1 - Phi(x)^n - (1 - Phi(x))^n over x."""
    if n < 2:
        raise ValueError("d2 needs n >= 2")
    from scipy import integrate, special   # Phi = special.ndtr, as scipy.stats.norm computes it
    f = lambda x: 1 - special.ndtr(x) ** n - special.ndtr(-x) ** n  # noqa: E731
    return float(integrate.quad(f, -np.inf, np.inf)[0])


def _run_lengths(labels: np.ndarray) -> np.ndarray:
    """Length so far of the current run of equal non-zero labels (0 where the label is 0)."""
    if labels.size == 0:
        return labels.astype(int)
    start = np.r_[True, labels[1:] != labels[:-1]]
    run_id = np.cumsum(start) - 1
    pos = np.arange(labels.size) - np.flatnonzero(start)[run_id] + 1
    return np.where(labels != 0, pos, 0)


def western_electric_rules(values, centre, sigma) -> pd.Series:
    """Which of rules 1-4 (see module doc) each point breaks, as strings like "1,4" ("" = none).

    ``centre`` and ``sigma`` may be scalars or per-point arrays (p chart, varying subgroup sizes).
    """
    v = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # sigma 0: on the centre -> z NaN, off it -> inf
        z = (v - np.asarray(centre, dtype=float)) / np.asarray(sigma, dtype=float)
    z = np.broadcast_to(z, v.shape)
    rules = np.zeros((4, v.size), dtype=bool)
    rules[0] = np.abs(z) > 3
    rules[1] = _run_lengths(np.nan_to_num(np.sign(z)).astype(int)) >= 9
    trend = np.zeros(v.size, dtype=bool)
    if v.size > 1:
        trend[1:] = _run_lengths(np.sign(np.diff(v)).astype(int)) >= 5  # 5 steps = 6 points
    rules[2] = trend
    for side in (1, -1):
        beyond = (side * z > 2).astype(int)
        in_three = np.convolve(beyond, np.ones(3, dtype=int))[: v.size]  # this point and the two before
        rules[3] |= (beyond == 1) & (in_three >= 2)
    labels = [",".join(str(r + 1) for r in range(4) if rules[r, i]) for i in range(v.size)]
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(labels, index=index, name="rules", dtype=object)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame["rules"] = western_electric_rules(frame["value"], frame["centre"], frame["sigma"]).to_numpy()
    frame["signal"] = frame["rules"] != ""
    return frame


def p_chart(calls: pd.DataFrame, by="day", customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """p chart of the abandonment rate per subgroup (default: per day).

    n_i = calls offered (lost calls excluded), value = abandoned / n_i, centre p-bar = total
    abandoned / total offered, sigma_i = sqrt(p-bar (1 - p-bar) / n_i), limits p-bar +/- 3 sigma_i
    clipped to [0, 1]. Subgroups with no offered calls are left out.
    """
    require(calls, "calls", {"abandoned": "bool", "outcome": "any"})
    offered = _offered(calls)
    abandoned = offered & calls["abandoned"].to_numpy(dtype=bool, na_value=False)
    keys = grouping_keys(calls, by, table="calls", customers=customers)
    g = pd.DataFrame({"n": offered.astype(int), "abandoned": abandoned.astype(int)}, index=calls.index)
    g = g.groupby(keys, sort=True, dropna=False, observed=True).sum()
    g = g[g["n"] > 0].copy()
    if g.empty:
        raise ValueError("p_chart: the calls table has no offered calls (every call is 'lost')")
    p_bar = g["abandoned"].sum() / g["n"].sum()
    g["value"] = g["abandoned"] / g["n"]
    g["centre"] = p_bar
    g["sigma"] = np.sqrt(p_bar * (1 - p_bar) / g["n"])
    g["lcl"] = (p_bar - 3 * g["sigma"]).clip(lower=0)
    g["ucl"] = (p_bar + 3 * g["sigma"]).clip(upper=1)
    return _finish(g)


def laney_p_chart(calls: pd.DataFrame, by="day", customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Laney p' chart of the abandonment rate: the p chart for large subgroups.

    With a thousand calls a day, the p chart's binomial limits are so narrow that ordinary day-to-day
    variation (weather, bills, campaigns) puts many days outside them on both sides: the days are
    overdispersed. Laney (2002, *Quality Engineering* 14(4)) widens the limits by the variation between
    subgroups actually seen: z_i = (p_i - p-bar) / sigma_i from the p chart, sigma_z = mean moving range of
    z / d2 (1.128), and sigma'_i = sigma_i * sigma_z, limits p-bar +/- 3 sigma'_i clipped to [0, 1].
    ``sigma_z`` (column ``sigma_z``) near 1 means no overdispersion (the p chart was right); well above 1,
    the p chart over-signals. Same columns as :func:`p_chart`.
    """
    chart = p_chart(calls, by=by, customers=customers)
    z = (chart["value"] - chart["centre"]) / chart["sigma"]
    sigma_z = float(z.diff().abs().mean() / D2_MR) if len(z) > 1 else 1.0
    chart["sigma_z"] = sigma_z
    chart["sigma"] = chart["sigma"] * sigma_z
    chart["lcl"] = (chart["centre"] - 3 * chart["sigma"]).clip(lower=0)
    chart["ucl"] = (chart["centre"] + 3 * chart["sigma"]).clip(upper=1)
    return _finish(chart)


def individuals_chart(values) -> pd.DataFrame:
    """Individuals (I-MR) chart: centre = mean, sigma = MR-bar / 1.128, limits centre +/- 3 sigma.

    MR_i = |x_i - x_{i-1}|; the moving-range chart's upper limit ``mr_ucl`` = 3.267 MR-bar. Use it
    for one value per period, e.g. daily AHT in seconds.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_numeric_dtype(s.dtype) or s.isna().any() or len(s) < 2:
        raise ValueError("individuals_chart needs at least 2 numeric values with none missing")
    x = s.to_numpy(dtype=float)
    mr = np.abs(np.diff(x))
    mr_bar = mr.mean()
    sigma = mr_bar / D2_MR
    centre = x.mean()
    frame = pd.DataFrame({"value": x, "mr": np.r_[np.nan, mr], "centre": centre, "sigma": sigma,
                          "lcl": centre - 3 * sigma, "ucl": centre + 3 * sigma, "mr_ucl": D4_MR * mr_bar},
                         index=s.index)
    return _finish(frame)


def xbar_chart(calls: pd.DataFrame, by="day", method: str = "s", metric: str = "aht_s",
               customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """X-bar chart of the mean handle time (``metric="aht_s"``) or wait (``"wait_s"``) of answered calls.

    Subgroups come from ``by`` (default: day); subgroups with fewer than 2 answered calls are left out.
    centre = grand mean weighted by n_i. method "s" (default; Montgomery §6.4, variable n):
    s-bar = sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1)), sigma_i = s-bar / (c4(n_i) sqrt(n_i)).
    method "R" (small subgroups, n_i <= 10): sigma-hat = mean of R_i / d2(n_i), sigma_i = sigma-hat / sqrt(n_i).
    Limits centre +/- 3 sigma_i. With hundreds of calls per subgroup the limits are tight and day-to-day
    variation shows as signals: that is the chart working, not a fault.
    """
    if method not in ("s", "R"):
        raise ValueError(f"method must be 's' or 'R', got {method!r}")
    if metric not in ("aht_s", "wait_s"):
        raise ValueError(f"metric must be 'aht_s' or 'wait_s', got {metric!r}")
    cols = {"abandoned": "bool", "outcome": "any", "wait_s": "numeric"}
    if metric == "aht_s":
        cols.update(talk_s="numeric", hold_s="numeric", wrap_s="numeric")
    require(calls, "calls", cols)
    answered = _answered(calls)
    x = _handle_s(calls) if metric == "aht_s" else calls["wait_s"].to_numpy(dtype=float)
    keys = [k[answered] for k in grouping_keys(calls, by, table="calls", customers=customers)]
    stats_ = pd.Series(x[answered], index=calls.index[answered]).groupby(keys, sort=True, dropna=False).agg(
        ["size", "mean", "std", "max", "min"])
    stats_ = stats_[stats_["size"] >= 2]
    if stats_.empty:
        raise ValueError("xbar_chart needs subgroups with at least 2 answered calls")
    n = stats_["size"].to_numpy(dtype=float)
    centre = float((n * stats_["mean"]).sum() / n.sum())
    if method == "s":
        s_bar = math.sqrt(((n - 1) * stats_["std"] ** 2).sum() / (n - 1).sum())
        sigma = s_bar / (np.array([c4(int(k)) for k in n]) * np.sqrt(n))
    else:
        d2s = {k: d2(k) for k in np.unique(n.astype(int))}
        sigma_hat = ((stats_["max"] - stats_["min"]).to_numpy() / np.array([d2s[int(k)] for k in n])).mean()
        sigma = sigma_hat / np.sqrt(n)
    frame = pd.DataFrame({"n": n.astype(int), "value": stats_["mean"].to_numpy(), "centre": centre,
                          "sigma": sigma}, index=stats_.index)
    frame["lcl"] = centre - 3 * frame["sigma"]
    frame["ucl"] = centre + 3 * frame["sigma"]
    return _finish(frame)
