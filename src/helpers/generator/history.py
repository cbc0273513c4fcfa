"""``traffic_history``: daily traffic per channel and queue for the 24 months before the period.

What the ACD, chat platform and ticketing system reported per open day (the MIS's daily summaries
kept for forecasting), one row per open day x channel x queue. It is the long series the period's
detailed records continue:

* **Days**: the 24 complete calendar months before the period's month and the days of that month
  before ``period.start`` (none when the period starts on the 1st), open days only (the case study's opening
  hours: Sundays and observed national public holidays, ``generator.calendar``, are closed).
  E-mails that arrive while the centre is closed are counted on the next open day (the ticketing
  queue as it stands at opening).
* **Volume** (``offered``): a level per channel and queue x the case study's ``weekly_profile`` x
  ``seasonality`` (interpolated by day of year) x ``volume_trend_per_year`` growth, the same curve
  ``calls.seasonal_factor`` gives the period, x day factors: a centre-wide log-normal AR(1)
  (``day_factor_cv``, ``day_factor_carryover``) and a small one per queue, then Poisson counts. The voice
  level is calibrated on the period's own offered calls (repeat calls included, campaign-driven calls and
  lost calls excluded), so the history joins the period without a step; chat and e-mail levels are the
  ``channels`` daily volumes split over their queues like the period's contacts.
* **Service**: staffing follows the seasonal forecast (the planner's roster per day type x the
  season), so a day's *pressure* is its offered volume against that forecast capacity (Mondays carry
  more than the weekday average: the roster is flat over the week). Service level (share of answered
  contacts answered within the target: voice 20 s, chat 60 s, e-mail 24 h) falls and abandonment rises
  with pressure (logit-linear, monotone), anchored so that each queue's rates over the history's weekdays
  (and Saturdays) equal its rates on the period's weekdays (and Saturdays).
* **AHT**: each queue's mean handle time in the period (voice: talk + hold + wrap; chat and e-mail:
  answered to end) with a small day-to-day variation.

Vectorised; the one random stream is the dataset's ``history`` stream, so the same seed and learner
give an identical frame.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers.casestudy import CaseStudy
from helpers.generator.calendar import is_public_holiday
from helpers.generator.calls import seasonal_factor
from helpers.generator.frames import _arrow_strings, conform, index_in, strings, take

MONTHS = 24
TARGET_S = {"voice": 20.0, "chat": 60.0, "email": 24 * 3600.0}
SL_SLOPE = {"voice": 4.0, "chat": 3.0, "email": 2.5}      # d logit(SL) / d log(pressure), negative sign
ABANDON_SLOPE = {"voice": 4.0, "chat": 3.0, "email": 0.0}
QUEUE_DAY_CV = 0.05
AHT_DAY_CV = 0.04
COLUMNS = ["date", "channel", "queue", "offered", "answered", "abandoned", "answered_within_target", "aht_s"]


def _dow(dates: np.ndarray) -> np.ndarray:
    return (dates.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 0 = Monday


def _open(cs: CaseStudy, dates: np.ndarray) -> np.ndarray:
    dow = _dow(dates)
    open_ = np.array([cs.opening_hours.for_day_type(t) is not None for t in ("weekday", "saturday", "sunday")])
    kind = np.where(dow < 5, 0, np.where(dow == 5, 1, 2))
    return open_[kind] & ~is_public_holiday(dates)


def _logit(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _ar1_lognormal(rng: np.random.Generator, n: int, cv: float, phi: float) -> np.ndarray:
    """Mean-1 log-normal day factors with coefficient of variation ``cv`` and lag-1 carry-over ``phi``."""
    if cv <= 0 or n == 0:
        return np.ones(n)
    sigma = np.sqrt(np.log1p(cv ** 2))
    e = rng.normal(0, 1, n)
    if phi > 0:  # z_0 = e_0 (stationary start), z_t = phi z_(t-1) + sqrt(1 - phi^2) e_t
        from scipy.signal import lfilter  # here, not at the top: helpers.data imports the generator package and
        # every workbook's setup cell would pay scipy.signal's import (seconds) for a function it never calls
        c = np.sqrt(1 - phi ** 2)
        e[0] /= c
        e = lfilter([c], [1, -phi], e)
    return np.exp(sigma * e - sigma ** 2 / 2)


def _rates(sl_hits: np.ndarray, abandoned: np.ndarray, sl_days: np.ndarray, ab_days: np.ndarray,
           default_sl: float, default_ab: float) -> dict:
    """Service level and abandonment per day type ('weekday', 'saturday'; 'all' as the fallback)."""
    out = {"all": (_mean(sl_hits) if len(sl_hits) else default_sl,
                   _mean(abandoned) if len(abandoned) else default_ab)}
    for kind, keep in (("weekday", lambda d: (d >= 0) & (d < 5)), ("saturday", lambda d: d == 5)):
        s, a = sl_hits[keep(sl_days)], abandoned[keep(ab_days)]
        out[kind] = (_mean(s) if len(s) >= 30 else out["all"][0],
                     _mean(a) if len(a) >= 30 else out["all"][1])
    return out


def _mean(values: np.ndarray) -> float:
    """``pd.Series(values).mean()`` (pandas' own reduction, so the float is the same to the last bit; a share
    of booleans is the count over the length, which is what pandas computes for them)."""
    if values.dtype == bool:
        return np.count_nonzero(values) / values.size
    return float(pd.Series(values, copy=False).mean())


def _day_of_week(stamps: np.ndarray) -> np.ndarray:
    """Monday = 0 of datetime64 values (``Series.dt.day_of_week``); -1 for NaT."""
    days = stamps.astype("datetime64[D]").view(np.int64)
    return np.where(np.isnat(stamps), -1, (days - 4) % 7)


def _seconds_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """``(later - earlier).dt.total_seconds()`` for datetime64[ns] arrays (NaN where either is NaT)."""
    return pd.Series(later - earlier, copy=False).dt.total_seconds().to_numpy()


def _strings_at(series: pd.Series, rows: np.ndarray) -> pa.Array:
    """Rows ``rows`` of a string column as a pyarrow array (no Python objects)."""
    return take(_arrow_strings(series), rows)


def _period_results(cs: CaseStudy, calls: pd.DataFrame, journeys: pd.DataFrame | None):
    """Per (channel, queue): the period's service level (answered within target / answered) and abandonment
    (abandoned / offered) per day type, and AHT (voice: talk + hold + wrap; chat, e-mail: answered to end)."""
    out = {}
    # numpy arrays of the columns used and integer codes of the string columns: boolean indexing of whole
    # frames (string columns included) once per queue cost most of this step
    names = cs.queue_names
    queue = index_in(calls["queue"], names)
    offered = index_in(calls["outcome"], ["lost"]) < 0
    answered_at = calls["answered_at"].to_numpy()
    answered = offered & ~np.isnat(answered_at)
    wait = calls["wait_s"].to_numpy(dtype=float)
    abandoned = calls["abandoned"].to_numpy(dtype=bool)
    dow = _day_of_week(calls["arrived_at"].to_numpy())
    talk, hold, wrap = (calls[c].to_numpy(dtype=float) for c in ("talk_s", "hold_s", "wrap_s"))
    for k, q in enumerate(names):
        a = np.flatnonzero(answered & (queue == k))
        o = np.flatnonzero(offered & (queue == k))
        out[("voice", q)] = dict(
            rates=_rates(wait[a] <= TARGET_S["voice"], abandoned[o], dow[a], dow[o], 0.8, 0.05),
            aht=_mean(talk[a] + hold[a] + wrap[a]) if len(a) else float(cs.queues[k].talk_mean_s))
    ch = cs.channels
    if journeys is None or ch is None:
        return out
    # the chat and e-mail steps only (a small share of the journeys): their columns taken once
    rows = np.flatnonzero(index_in(journeys["channel"], ["chat", "email"]) >= 0)
    channel = index_in(_strings_at(journeys["channel"], rows), ["chat", "email"])
    started, ans_at, ended = (journeys[c].to_numpy()[rows] for c in ("started_at", "answered_at", "ended_at"))
    is_abandoned = index_in(_strings_at(journeys["outcome"], rows), ["abandoned"]) == 0
    queues = _strings_at(journeys["queue"], rows)
    j_dow = _day_of_week(started)
    for c, (name, conf) in enumerate((("chat", ch.chat), ("email", ch.email))):
        if conf is None:
            continue
        j_queue = index_in(queues, conf.queues)
        for k, q in enumerate(conf.queues):
            x = np.flatnonzero((channel == c) & (j_queue == k))
            a = x[~np.isnat(ans_at[x])]
            wait = _seconds_between(ans_at[a], started[a])
            handle = _seconds_between(ended[a], ans_at[a])
            handle = handle[~np.isnan(handle)]
            out[(name, q)] = dict(
                rates=_rates(wait <= TARGET_S[name], is_abandoned[x], j_dow[a], j_dow[x], 0.8, 0.0),
                aht=_mean(handle) if len(handle) else float(conf.handle_mean_s))
    return out


def _anchor(target: float, lp: np.ndarray, weights: np.ndarray, slope: float) -> np.ndarray:
    """Rates ``expit(a + slope * lp)`` with the intercept ``a`` (bisection) that makes their ``weights``-weighted
    mean equal ``target``: the history's rate over these days is the period's."""
    if target <= 0 or lp.size == 0:
        return np.zeros(lp.size)
    if target >= 1:
        return np.ones(lp.size)
    w = weights / weights.sum() if weights.sum() > 0 else np.full(lp.size, 1 / lp.size)
    lo, hi = -20.0, 20.0
    x, rate = slope * lp, np.empty(lp.size)
    for _ in range(60):
        mid = (lo + hi) / 2
        # _expit(mid + slope * lp) in place (no new arrays in the 60 steps); -mid - x is -(mid + x) exactly
        np.subtract(-mid, x, out=rate)
        np.exp(rate, out=rate)
        np.add(1, rate, out=rate)
        np.divide(1, rate, out=rate)
        if float(w @ rate) < target:
            lo = mid
        else:
            hi = mid
    return _expit((lo + hi) / 2 + slope * lp)


def make_history(cs: CaseStudy, calls: pd.DataFrame, journeys: pd.DataFrame | None, rng: np.random.Generator,
                 t0: np.datetime64, n_days: int) -> pd.DataFrame:
    """The ``traffic_history`` frame (``helpers.tables``) for the 24 months before ``t0`` (module doc)."""
    # the 24 complete calendar months before the period's month, and the days of that month before the period
    start = np.datetime64((pd.Timestamp(t0) - pd.DateOffset(months=MONTHS)).to_period("M").start_time, "D")
    first = np.datetime64(t0, "D")
    period = first + np.arange(n_days)
    hist = np.arange(start, first, dtype="datetime64[D]")
    all_days = np.concatenate([hist, period])
    # the period's own seasonal curve continued backwards: normalised over the period's days
    season = seasonal_factor(cs, all_days)
    season = season / season[hist.size:].mean()
    weekly = np.array(cs.weekly_profile.factors())
    open_all = _open(cs, all_days)
    design = weekly[_dow(all_days)] * season * open_all      # designed volume per day, level 1
    design_h, design_p = design[:hist.size], design[hist.size:]
    open_h = open_all[:hist.size]
    n_h = hist.size

    results = _period_results(cs, calls, journeys)
    common = _ar1_lognormal(rng, n_h, cs.day_factor_cv, cs.day_factor_carryover)

    # voice level per queue from the period's offered calls (not lost, not campaign-driven)
    organic = (index_in(calls["outcome"], ["lost"]) < 0) & calls["campaign_id"].isna().to_numpy()
    queue = index_in(calls["queue"], cs.queue_names)
    voice_counts = np.bincount(queue[organic & (queue >= 0)], minlength=len(cs.queue_names))
    levels = {("voice", q): float(voice_counts[k]) / max(design_p.sum(), 1e-9) for k, q in enumerate(cs.queue_names)}
    ch = cs.channels
    if ch is not None and ch.chat is not None:
        vol = np.array([cs.queues[cs.queue_names.index(q)].daily_volume for q in ch.chat.queues], float)
        for q, share in zip(ch.chat.queues, vol / vol.sum()):
            levels[("chat", q)] = ch.chat.daily_volume * share
    email_weight = None
    if ch is not None and ch.email is not None:
        vol = np.array([cs.queues[cs.queue_names.index(q)].daily_volume for q in ch.email.queues], float)
        for q, share in zip(ch.email.queues, vol / vol.sum()):
            levels[("email", q)] = ch.email.daily_volume * share
        dow = _dow(hist)
        arrive = np.where(dow < 5, weekly[np.minimum(dow, 4)], ch.email.weekend_factor) * season[:n_h]
        # e-mails of closed days wait for the next open day
        idx = np.flatnonzero(open_h)
        nxt = np.searchsorted(idx, np.arange(n_h))
        ok = nxt < idx.size
        email_weight = _spread(n_h, idx, np.bincount(nxt[ok], weights=arrive[ok], minlength=idx.size))

    days_idx = np.flatnonzero(open_h)
    dow_h = _dow(hist)
    parts = []
    for (channel, q), level in levels.items():
        res = results.get((channel, q)) or dict(rates={k: (0.8, 0.05) for k in ("all", "weekday", "saturday")},
                                                aht=300.0)
        weight = email_weight if channel == "email" else design_h
        factor = common * _ar1_lognormal(rng, n_h, QUEUE_DAY_CV if cs.day_factor_cv else 0.0, 0.0)
        expected = level * weight * factor
        offered = rng.poisson(expected)
        # pressure: offered against the capacity staffed for the seasonal forecast (flat over the weekdays)
        capacity = level * np.where(dow_h == 5, weekly[5], weekly[:5].mean()) * season[:n_h]
        if channel == "email":
            capacity = np.where(email_weight > 0, level * email_weight.sum() / max((email_weight > 0).sum(), 1)
                                * season[:n_h], 1.0)
        lp = np.log(np.where(capacity > 0, (offered + 0.5) / np.where(capacity > 0, capacity, 1), 1.0))
        p_ab, sl = np.zeros(n_h), np.zeros(n_h)
        for kind, days in (("weekday", open_h & (dow_h < 5)), ("saturday", open_h & (dow_h == 5))):
            target_sl, target_ab = res["rates"][kind]
            w = offered[days].astype(float)
            p_ab[days] = _anchor(target_ab, lp[days], w, ABANDON_SLOPE[channel])
            sl[days] = _anchor(target_sl, lp[days], w * (1 - p_ab[days]), -SL_SLOPE[channel])
        abandoned = rng.binomial(offered, p_ab)
        answered = offered - abandoned
        within = rng.binomial(answered, sl)
        aht = res["aht"] * np.exp(rng.normal(0, AHT_DAY_CV, n_h) - AHT_DAY_CV ** 2 / 2)
        k = days_idx
        parts.append((channel, q, offered[k], answered[k], abandoned[k], within[k],
                      np.where(answered[k] > 0, np.round(aht[k], 1), np.nan)))
    if not parts:
        return pd.DataFrame({c: [] for c in COLUMNS})
    # rows by date, channel (voice, chat, e-mail) and queue name: one stable sort of the stacked columns
    n_k = days_idx.size
    ranks = {c: i for i, c in enumerate(("voice", "chat", "email"))}
    channel_of = np.repeat([ranks[p[0]] for p in parts], n_k)
    queue_names = sorted({p[1] for p in parts})
    queue_of = np.repeat([queue_names.index(p[1]) for p in parts], n_k)
    day_of = np.tile(days_idx, len(parts))
    order = np.lexsort((queue_of, channel_of, day_of))
    column = lambda i: np.concatenate([p[i] for p in parts])[order]  # noqa: E731
    return conform("traffic_history", {
        "date": hist[day_of[order]].astype("datetime64[ns]"),
        "channel": take(strings(list(ranks)), channel_of[order]),
        "queue": take(strings(queue_names), queue_of[order]),
        "offered": column(2).astype(np.int64), "answered": column(3).astype(np.int64),
        "abandoned": column(4).astype(np.int64), "answered_within_target": column(5).astype(np.int64),
        "aht_s": column(6)})


def _spread(n: int, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.zeros(n)
    out[idx] = values
    return out
