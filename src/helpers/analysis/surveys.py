"""Before/after comparisons with confidence intervals, survey response rate and sampling error."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import kpi

_METRICS = ("csat", "csat_mean", "nps", "aht_s", "asa_s", "abandonment_rate", "service_level",
            "mean", "proportion")


@dataclass(frozen=True)
class Comparison:
    """after - before, with its confidence interval; significant when the interval excludes 0."""
    metric: str
    before: float
    after: float
    estimate: float
    ci_low: float
    ci_high: float
    significant: bool
    method: str
    n_before: int
    n_after: int
    confidence: float


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}")
    from scipy import special  # the normal quantile (scipy.stats costs ~1 s more to import)
    return float(special.ndtri(0.5 + confidence / 2))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927)."""
    if n <= 0:
        raise ValueError("n must be > 0")
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _extract(frame, metric: str, threshold_s: float, label: str):
    """('mean', values) | ('proportion', successes, n) | ('nps', scores in {-100, 0, 100})."""
    if metric in ("mean", "proportion"):
        s = frame if isinstance(frame, pd.Series) else pd.Series(frame)
        s = s.dropna()
        if len(s) == 0:
            raise ValueError(f"{label} has no values")
        if metric == "mean":
            return ("mean", s.to_numpy(dtype=float))
        if not (pd.api.types.is_bool_dtype(s.dtype) or s.isin([0, 1]).all()):
            raise ValueError(f"{label}: metric='proportion' needs True/False (or 0/1) values")
        return ("proportion", int(s.astype(int).sum()), len(s))
    if metric in ("csat", "csat_mean", "nps"):
        score = "nps" if metric == "nps" else "csat"
        kpi.require(frame, "surveys", {"responded": "bool", score: "numeric"})
        values = frame[score].to_numpy(dtype=float, na_value=np.nan)
        values = values[frame["responded"].to_numpy(dtype=bool, na_value=False) & ~np.isnan(values)]
        if values.size == 0:
            raise ValueError(f"{label} has no survey responses with a {score} score")
        if metric == "csat":
            return ("proportion", int((values >= 4).sum()), values.size)
        if metric == "csat_mean":
            return ("mean", values)
        return ("nps", np.where(values >= 9, 100.0, np.where(values <= 6, -100.0, 0.0)))
    cols = {"wait_s": "numeric", "abandoned": "bool", "outcome": "any"}
    if metric == "aht_s":
        cols.update(talk_s="numeric", hold_s="numeric", wrap_s="numeric")
    kpi.require(frame, "calls", cols)
    answered, offered = kpi._answered(frame), kpi._offered(frame)
    if metric == "aht_s":
        return ("mean", kpi._handle_s(frame)[answered])
    if metric == "asa_s":
        return ("mean", frame["wait_s"].to_numpy(dtype=float)[answered])
    if metric == "abandonment_rate":
        return ("proportion", int((offered & ~answered).sum()), int(offered.sum()))
    within = answered & (frame["wait_s"].to_numpy(dtype=float) <= threshold_s)
    return ("proportion", int(within.sum()), int(answered.sum()))


def compare_before_after(before, after, metric: str = "csat", confidence: float = 0.95,
                         threshold_s: float = 20) -> Comparison:
    """Difference after - before with a confidence interval.

    metric (before/after are surveys frames, calls frames, or plain value Series):
    * "csat": top-two-box proportion (4-5), Newcombe (1998) hybrid score interval (method 10,
      from Wilson intervals) for the difference of two proportions;
    * "csat_mean": mean CSAT score, Welch t interval (unequal variances, Welch-Satterthwaite df);
    * "nps": NPS in points; each respondent scores +100 / 0 / -100, so
      Var(NPS) = 100^2 (p_P + p_D - (p_P - p_D)^2) / n, interval d +/- z sqrt(Var_b + Var_a) (Wald);
    * "aht_s", "asa_s": mean handle time / wait of answered calls (seconds), Welch t;
    * "abandonment_rate", "service_level" (answered within ``threshold_s`` / answered): Newcombe;
    * "mean" (Welch) or "proportion" (Newcombe) for Series of values or True/False.
    Proportions are fractions 0..1.
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}; got {metric!r}")
    z = _z(confidence)
    b, a = _extract(before, metric, threshold_s, "before"), _extract(after, metric, threshold_s, "after")
    kind = b[0]
    if kind == "proportion":
        (xb, nb), (xa, na) = b[1:], a[1:]
        pb, pa = xb / nb, xa / na
        lb, ub = wilson_interval(xb, nb, confidence)
        la, ua = wilson_interval(xa, na, confidence)
        d = pa - pb
        lo = d - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
        hi = d + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
        vals, method = (pb, pa, nb, na), "Newcombe hybrid score (Wilson) interval"
    elif kind == "mean":
        vb, va = b[1], a[1]
        if vb.size < 2 or va.size < 2:
            raise ValueError("a comparison of means needs at least 2 values before and after")
        var_b, var_a = vb.var(ddof=1) / vb.size, va.var(ddof=1) / va.size
        se = math.sqrt(var_b + var_a)
        df = (var_b + var_a) ** 2 / (var_b ** 2 / (vb.size - 1) + var_a ** 2 / (va.size - 1))
        d = va.mean() - vb.mean()
        from scipy import special
        half = special.stdtrit(df, 0.5 + confidence / 2) * se
        lo, hi = d - half, d + half
        vals, method = (vb.mean(), va.mean(), vb.size, va.size), "Welch t interval"
    else:
        sb, sa = b[1], a[1]
        var = lambda s: (np.mean(s == 100) + np.mean(s == -100) - (s.mean() / 100) ** 2) * 1e4 / s.size  # noqa: E731
        d = sa.mean() - sb.mean()
        half = z * math.sqrt(var(sb) + var(sa))
        lo, hi = d - half, d + half
        vals, method = (sb.mean(), sa.mean(), sb.size, sa.size), "Wald interval on NPS (trinomial variance)"
    return Comparison(metric, float(vals[0]), float(vals[1]), float(d), float(lo), float(hi),
                      bool(lo > 0 or hi < 0), method, int(vals[2]), int(vals[3]), confidence)


def response_rate(surveys: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """Surveys answered / surveys sent (fraction); same as ``helpers.kpi.survey_response_rate``."""
    return kpi.survey_response_rate(surveys, by=by, customers=customers)


def _fpc(n: float, population: int | None) -> float:
    if population is None:
        return 1.0
    if population < n or population < 2:
        raise ValueError(f"population ({population}) must be at least the sample size ({n}) and >= 2")
    return math.sqrt((population - n) / (population - 1))


def margin_of_error(p: float, n: int, confidence: float = 0.95, population: int | None = None) -> float:
    """Half-width of the normal-approximation interval for a proportion: z sqrt(p(1-p)/n) x FPC.

    FPC (finite population correction) = sqrt((N - n) / (N - 1)) when ``population`` N is given.
    Result is a fraction (0.049 = +/- 4.9 percentage points).
    """
    if not 0 <= p <= 1:
        raise ValueError(f"p must be a fraction between 0 and 1, got {p}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return _z(confidence) * math.sqrt(p * (1 - p) / n) * _fpc(n, population)


def sample_size_for(margin: float, confidence: float = 0.95, p: float = 0.5, population: int | None = None) -> int:
    """Responses needed for a margin of error: n0 = z^2 p (1-p) / margin^2, rounded up.

    With a finite population N: n = n0 / (1 + (n0 - 1) / N), rounded up (Cochran 1977).
    ``p = 0.5`` is the conservative (largest) choice. Example: +/-5 % at 95 % -> 385.
    """
    if not 0 < margin < 1:
        raise ValueError(f"margin must be a fraction between 0 and 1 (0.05 for +/-5 %), got {margin}")
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    n0 = _z(confidence) ** 2 * p * (1 - p) / margin ** 2
    if population is not None:
        if population < 1:
            raise ValueError("population must be >= 1")
        n0 = n0 / (1 + (n0 - 1) / population)
    return int(math.ceil(n0 - 1e-9))
