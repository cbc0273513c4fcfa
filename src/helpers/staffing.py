"""Erlang B, C and A staffing formulas for the workbooks' workforce-planning tasks.

Conventions: traffic in Erlangs (A = arrival rate x AHT = calls per interval x AHT / interval
length); times in seconds; service level is a fraction 0..1 of calls answered within ``target_s``
(inclusive); "agents" are agents on the phones, "staff" adds shrinkage.

Erlang C (A. K. Erlang, 1917; M/M/n queue, callers never abandon), as in Koole, *Call Center
Optimization* (2013), ch. 5, and Gans, Koole & Mandelbaum (2003):

* Erlang B by the recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)) -- no factorials, stays in
  [0, 1] in floats, so thousands of Erlangs are fine;
* P(wait) = C(n, A) = n B(n) / (n - A (1 - B(n))) for n > A;
* SL(T) = 1 - C exp(-(n - A) T / AHT);  ASA = C AHT / (n - A);  occupancy = A / n.
* With n <= A the queue is unstable: P(wait) = 1, SL = 0, ASA = inf, occupancy = 1.

Erlang A (M/M/n+M, Palm 1943; Garnett, Mandelbaum & Reiman 2002): exponential patience with mean
``patience_mean_s``. Computed exactly from the birth-death chain (see ``erlang_a``).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from helpers.kpi import require

_EPS = 1e-12  # float slack when comparing a computed service level with its target


def _arrays(*values):
    arrs = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
    return [a.copy() for a in arrs]


def _scalar_or_array(x: np.ndarray, scalar: bool):
    return float(x.reshape(-1)[0]) if scalar else x


def _is_scalar(*values) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def _check_traffic_agents(traffic, agents):
    if np.any(np.asarray(traffic, dtype=float) < 0) or np.any(np.isnan(np.asarray(traffic, dtype=float))):
        raise ValueError("traffic_erlangs must be >= 0")
    a = np.asarray(agents, dtype=float)
    if np.any(a < 0) or np.any(a != np.floor(a)):
        raise ValueError("agents must be whole numbers >= 0")


def traffic_erlangs(calls_per_interval, aht_s, interval_s: float = 1800):
    """Offered traffic A = calls x AHT / interval length (Erlangs). Default interval 30 minutes."""
    if np.any(np.asarray(aht_s, dtype=float) <= 0) or interval_s <= 0:
        raise ValueError("aht_s and interval_s must be > 0 seconds")
    if np.any(np.asarray(calls_per_interval, dtype=float) < 0):
        raise ValueError("calls_per_interval must be >= 0")
    out = np.asarray(calls_per_interval, dtype=float) * np.asarray(aht_s, dtype=float) / interval_s
    return float(out) if np.ndim(out) == 0 else out


def erlang_b(traffic_erlangs, agents):
    """Blocking probability of M/M/n/n (Erlang B), by the stable forward recursion. Vectorised."""
    _check_traffic_agents(traffic_erlangs, agents)
    scalar = _is_scalar(traffic_erlangs, agents)
    a, n = _arrays(traffic_erlangs, agents)
    out = np.ones_like(a)
    b = np.ones_like(a)
    for k in range(1, int(n.max(initial=0)) + 1):
        b = a * b / (k + a * b)
        hit = n == k
        out[hit] = b[hit]
    return _scalar_or_array(out, scalar)


def erlang_c(traffic_erlangs, agents):
    """Probability that a caller waits (Erlang C); 1 when agents <= traffic. Vectorised."""
    scalar = _is_scalar(traffic_erlangs, agents)
    a, n = _arrays(traffic_erlangs, agents)
    b = np.asarray(erlang_b(a, n), dtype=float)
    stable = n > a
    out = np.ones_like(a)
    out[stable] = n[stable] * b[stable] / (n[stable] - a[stable] * (1 - b[stable]))
    return _scalar_or_array(out, scalar)


def service_level(traffic_erlangs, agents, aht_s, target_s):
    """Erlang C fraction answered within ``target_s``: 1 - C exp(-(n - A) T / AHT); 0 when n <= A."""
    scalar = _is_scalar(traffic_erlangs, agents, aht_s, target_s)
    a, n, aht, t = _arrays(traffic_erlangs, agents, aht_s, target_s)
    _check_times(aht, t)
    c = np.asarray(erlang_c(a, n), dtype=float)
    out = np.where(n > a, 1 - c * np.exp(-(n - a) * t / aht), 0.0)
    return _scalar_or_array(out, scalar)


def asa(traffic_erlangs, agents, aht_s):
    """Erlang C average speed of answer, seconds: C AHT / (n - A); inf when n <= A."""
    scalar = _is_scalar(traffic_erlangs, agents, aht_s)
    a, n, aht = _arrays(traffic_erlangs, agents, aht_s)
    _check_times(aht, 0)
    c = np.asarray(erlang_c(a, n), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n > a, c * aht / (n - a), np.inf)
    return _scalar_or_array(out, scalar)


def occupancy(traffic_erlangs, agents):
    """Share of agents' time busy, A / n, capped at 1 (n <= A means always busy); NaN for 0 agents."""
    _check_traffic_agents(traffic_erlangs, agents)
    scalar = _is_scalar(traffic_erlangs, agents)
    a, n = _arrays(traffic_erlangs, agents)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n > 0, np.minimum(a / n, 1.0), np.nan)
    return _scalar_or_array(out, scalar)


def _check_times(aht, target):
    if np.any(np.asarray(aht) <= 0):
        raise ValueError("aht_s must be > 0 seconds")
    if np.any(np.asarray(target) < 0):
        raise ValueError("target_s must be >= 0 seconds")


@dataclass(frozen=True)
class Requirement:
    """Result of ``agents_required``: agents on the phones and what they achieve (Erlang C)."""
    agents: int               # fewest agents meeting the service-level (and occupancy) target
    service_level: float      # fraction answered within target_s with that many agents
    asa_s: float              # average speed of answer, seconds
    occupancy: float          # A / agents
    p_wait: float             # Erlang C probability of waiting
    staff_with_shrinkage: int  # ceil(agents / (1 - shrinkage)): people to roster


def _solve(traffic, aht_s, target_s, target_sl, max_occupancy):
    """Vectorised search for the fewest agents: one Erlang B recursion shared by every interval."""
    a, aht, t, sl_target, max_occ = _arrays(traffic, aht_s, target_s, target_sl, max_occupancy)
    size = a.size
    a, aht, t, sl_target, max_occ = (x.reshape(-1) for x in (a, aht, t, sl_target, max_occ))
    res = {"agents": np.zeros(size, dtype=np.int64), "service_level": np.full(size, np.nan),
           "asa_s": np.zeros(size), "occupancy": np.full(size, np.nan), "p_wait": np.zeros(size)}
    # n must exceed A (stability) and satisfy A / n <= max occupancy.
    n_min = np.maximum(np.floor(a) + 1, np.ceil(a / max_occ - 1e-9))
    active = np.flatnonzero(a > 0)  # zero traffic needs no agents
    b = np.ones(active.size)
    k = 0
    while active.size:
        k += 1
        aa = a[active]
        b = aa * b / (k + aa * b)
        cand = k >= n_min[active]
        if not cand.any():
            continue
        c = np.where(cand, k * b / np.maximum(k - aa * (1 - b), 1e-300), 1.0)
        sl = np.where(cand, 1 - c * np.exp(-(k - aa) * t[active] / aht[active]), 0.0)
        ok = cand & (sl >= sl_target[active] - _EPS)
        if ok.any():
            idx = active[ok]
            res["agents"][idx] = k
            res["service_level"][idx] = sl[ok]
            res["p_wait"][idx] = c[ok]
            res["asa_s"][idx] = c[ok] * aht[idx] / (k - a[idx])
            res["occupancy"][idx] = a[idx] / k
            active, b = active[~ok], b[~ok]
    return res


def _check_targets(target_sl, max_occupancy, shrinkage):
    if np.any(~((np.asarray(target_sl, dtype=float) > 0) & (np.asarray(target_sl, dtype=float) < 1))):
        raise ValueError("target_sl must be a fraction strictly between 0 and 1 (e.g. 0.8 for 80%)")
    if np.any(~((np.asarray(max_occupancy, dtype=float) > 0) & (np.asarray(max_occupancy, dtype=float) <= 1))):
        raise ValueError("max_occupancy must be a fraction in (0, 1] (e.g. 0.85)")
    if np.any(~((np.asarray(shrinkage, dtype=float) >= 0) & (np.asarray(shrinkage, dtype=float) < 1))):
        raise ValueError("shrinkage must be a fraction in [0, 1) (e.g. 0.3 for 30%)")


def _staff(agents, shrinkage):
    # the epsilon keeps 14 / (1 - 0.3) = 20.000000000000004 at 20 people
    return np.ceil(np.asarray(agents, dtype=float) / (1 - np.asarray(shrinkage, dtype=float)) - 1e-9).astype(np.int64)


def agents_required(traffic_erlangs: float, aht_s: float, target_s: float = 20, target_sl: float = 0.8,
                    max_occupancy: float | None = None, shrinkage: float = 0.0) -> Requirement:
    """Fewest agents (Erlang C) with SL(target_s) >= target_sl and, if given, A / n <= max_occupancy.

    ``staff_with_shrinkage`` = ceil(agents / (1 - shrinkage)), shrinkage a fraction of rostered time.
    Zero traffic needs zero agents (service level NaN). Example: 10 Erlangs, AHT 180 s, 80/20 -> 14.
    """
    if not _is_scalar(traffic_erlangs, aht_s, target_s, target_sl):
        raise ValueError("agents_required takes single values; use interval_requirements for many intervals")
    _check_traffic_agents(traffic_erlangs, 0)
    _check_times(aht_s, target_s)
    max_occ = 1.0 if max_occupancy is None else max_occupancy
    _check_targets(target_sl, max_occ, shrinkage)
    a = float(traffic_erlangs)
    if a == 0:
        return Requirement(0, math.nan, 0.0, math.nan, 0.0, 0)
    # Same search as _solve in plain floats: ~30x faster than numpy for one interval.
    n_min = max(math.floor(a) + 1, math.ceil(a / max_occ - 1e-9))
    b, k = 1.0, 0
    while True:
        k += 1
        b = a * b / (k + a * b)
        if k >= n_min:
            c = k * b / (k - a * (1 - b))
            sl = 1 - c * math.exp(-(k - a) * target_s / aht_s)
            if sl >= target_sl - _EPS:
                return Requirement(agents=k, service_level=sl, asa_s=c * aht_s / (k - a), occupancy=a / k,
                                   p_wait=c, staff_with_shrinkage=int(_staff(k, shrinkage)))


def interval_requirements(forecast: pd.DataFrame, target_s: float = 20, target_sl: float = 0.8,
                          max_occupancy: float | None = None, shrinkage: float = 0.0,
                          interval_s: float = 1800) -> pd.DataFrame:
    """A staffing plan: Erlang C requirement for each forecast interval (vectorised).

    ``forecast`` has columns interval, calls (per interval), aht_s; optional per-row columns
    target_s, target_sl, max_occupancy, shrinkage override the arguments. Returns the forecast's
    interval, calls, aht_s plus traffic_erlangs, agents, service_level, asa_s, occupancy, p_wait
    and staff_with_shrinkage (rostered people after shrinkage).
    """
    require(forecast, "forecast", {"interval": "any", "calls": "numeric", "aht_s": "numeric"})
    if (forecast["calls"] < 0).any() or forecast["calls"].isna().any():
        raise ValueError("column 'calls' of the forecast must be >= 0 and not empty")
    if (forecast["aht_s"] <= 0).any() or forecast["aht_s"].isna().any():
        raise ValueError("column 'aht_s' of the forecast must be > 0 seconds")

    def param(name, default):
        col = forecast[name].to_numpy(dtype=float) if name in forecast.columns else default
        return np.broadcast_to(np.asarray(col, dtype=float), (len(forecast),))

    t, sl = param("target_s", target_s), param("target_sl", target_sl)
    occ = param("max_occupancy", 1.0 if max_occupancy is None else max_occupancy)
    shr = param("shrinkage", shrinkage)
    _check_times(1, t)
    _check_targets(sl, occ, shr)
    a = traffic_erlangs(forecast["calls"].to_numpy(dtype=float), forecast["aht_s"].to_numpy(dtype=float), interval_s)
    r = _solve(a, forecast["aht_s"].to_numpy(dtype=float), t, sl, occ)
    out = pd.DataFrame({"interval": forecast["interval"].to_numpy(), "calls": forecast["calls"].to_numpy(),
                        "aht_s": forecast["aht_s"].to_numpy(dtype=float), "traffic_erlangs": a, **r},
                       index=forecast.index)
    out["staff_with_shrinkage"] = _staff(r["agents"], shr)
    return out


# ----------------------------------------------------------------------------- Erlang A

@dataclass(frozen=True)
class ErlangA:
    """Erlang A (M/M/n+M) performance; probabilities are fractions of offered calls."""
    p_wait: float                  # P(all agents busy on arrival) = P(wait > 0)
    p_abandon: float               # share of offered calls that hang up before answer
    service_level: float           # answered within target_s / offered (abandons count against)
    service_level_answered: float  # answered within target_s / answered (abandons ignored)
    asa_s: float                   # mean wait of answered calls, seconds
    mean_wait_s: float             # mean time in queue of all calls (incl. time to abandon), seconds
    occupancy: float               # A (1 - p_abandon) / n

    def as_dict(self) -> dict:
        return asdict(self)


_LOG_CUTOFF = 45.0  # states whose probability is below e^-45 of the largest are dropped (< 1e-19)


def _queue_log_weights(lam: float, n_mu: float, theta: float) -> np.ndarray:
    """log(pi_{n+j} / pi_n), j = 0..J, with pi_{n+j} = pi_{n+j-1} lam / (n mu + j theta); truncated."""
    peak = max(0.0, (lam - n_mu) / theta)  # terms grow until n mu + j theta exceeds lam
    size = int(min(peak + 256, 5e7))
    while True:
        j = np.arange(1, size + 1)
        logs = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(n_mu + j * theta))])
        if size > peak and logs[-1] < logs.max() - _LOG_CUTOFF:
            keep = np.flatnonzero(logs >= logs.max() - _LOG_CUTOFF)[-1] + 1
            return logs[:keep]
        if size >= 5e7:
            raise ValueError("Erlang A state space too large: patience is too long for this load "
                             "(use Erlang C with more agents than traffic)")
        size *= 2


def erlang_a(traffic_erlangs: float, agents: int, aht_s: float, patience_mean_s: float,
             target_s: float = 20) -> ErlangA:
    """Exact Erlang A from the M/M/n+M birth-death chain (states = calls in system, truncated).

    Rates: arrivals lam = A / AHT, service mu = 1 / AHT, patience theta = 1 / patience_mean_s.
    Stationary pi_k is proportional to A^k / k! for k <= n and pi_{n+j} = pi_{n+j-1} lam / (n mu + j theta).
    By PASTA an arrival sees pi. A caller who finds j others waiting is answered with probability
    n mu / (n mu + (j+1) theta); its wait until answer, given it is answered within T, follows from an
    exponentially tilted sum of exponentials with rates n mu + i theta (i = 1..j+1), whose CDF is
    P(U >= e^{-theta T}) for U ~ Beta((n mu + theta) / theta, j + 1) -- an exact closed form via the
    regularised incomplete beta function. ``patience_mean_s = inf`` gives Erlang C (needs n > A).
    """
    _check_traffic_agents(traffic_erlangs, agents)
    _check_times(aht_s, target_s)
    if agents < 1:
        raise ValueError("erlang_a needs at least 1 agent")
    if not patience_mean_s > 0:
        raise ValueError("patience_mean_s must be > 0 seconds (math.inf for callers who never abandon)")
    a, n = float(traffic_erlangs), int(agents)
    if math.isinf(patience_mean_s):
        if n <= a:
            raise ValueError("with infinite patience (Erlang C) agents must exceed traffic")
        c = erlang_c(a, n)
        sl = service_level(a, n, aht_s, target_s)
        return ErlangA(c, 0.0, sl, sl, asa(a, n, aht_s), asa(a, n, aht_s), a / n)
    if a == 0:
        return ErlangA(0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0)
    from scipy.special import betainc, gammaln, logsumexp  # only Erlang A needs scipy: keep it out of notebook start-up

    mu, theta = 1.0 / aht_s, 1.0 / patience_mean_s
    lam, n_mu = a * mu, n * mu
    k = np.arange(n)
    log_low = k * math.log(a) - gammaln(k + 1)                  # states 0..n-1
    log_n = n * math.log(a) - gammaln(n + 1)
    log_queue = log_n + _queue_log_weights(lam, n_mu, theta)   # states n, n+1, ...
    log_z = logsumexp(np.concatenate([log_low, log_queue]))
    p_low, p_q = np.exp(log_low - log_z), np.exp(log_queue - log_z)
    j = np.arange(p_q.size)
    rate_after = n_mu + (j + 1) * theta                        # tilted stage rates n mu + (i+1) theta
    p_served = n_mu / rate_after
    x = -math.expm1(-theta * target_s)                         # 1 - e^{-theta T}
    within = betainc(j + 1.0, n_mu / theta + 1.0, x) if target_s > 0 else np.zeros(p_q.size)
    mean_wait_served = np.cumsum(1.0 / rate_after)             # E[wait | answered, j ahead]
    p_wait = float(p_q.sum())
    p_abandon = float((p_q * (1 - p_served)).sum())
    answered = 1.0 - p_abandon
    answered_within = float(p_low.sum() + (p_q * p_served * within).sum())
    return ErlangA(
        p_wait=p_wait, p_abandon=p_abandon, service_level=answered_within,
        service_level_answered=answered_within / answered,
        asa_s=float((p_q * p_served * mean_wait_served).sum() / answered),
        mean_wait_s=float((p_q * j).sum() / lam),
        occupancy=a * answered / n,
    )
