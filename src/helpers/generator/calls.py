"""The calls table: arrivals, outages, repeat calls and the queue simulation, assembled per queue.

How a call comes about (all vectorised over calls; only the FCFS queue itself is sequential):

1. Arrivals per queue are an inhomogeneous Poisson process over half hours (``helpers.simulation``):
   weekday mean volume x day-of-week factor x intraday profile x random day factors (overdispersion:
   one for the whole centre with the case study's ``day_factor_cv`` and a small one per queue)
   x campaign uplift on the campaign's queue (a share ``1 - 1/uplift`` of those calls is credited to
   the campaign).
2. Outages: while telephony is down, calls are lost (``outcome='lost'``, never queued); while the IVR
   is down a share hang up on the reduced-service message (lost) and the rest are redirected to the
   customer-service queue. Lost callers retry after a delay (``retrial_arrivals``): the surge after
   an outage. While the CRM is down handle times are longer (``crm_handle_multiplier``), fewer calls
   are resolved and some end with a promised callback (``outcome='callback'``).
3. Each call's need is met or not (resolved, sale or callback) by a draw made before queueing; an
   unmet need brings the same customer back about the same reason within 7 days with the queue's
   ``repeat_prob``, whether the first call was answered or abandoned. ``is_repeat`` is then derived
   from the data: an earlier call by the same customer about the same reason in the previous 7 days.
4. Each queue is served FCFS by the on-duty segments of its agents' shifts with caller patience
   (hazard rising at announcements); talk, hold and wrap are lognormal, whole seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers import simulation as sim
from helpers.casestudy import CaseStudy
from helpers.generator.customers import account_space, id_strings
from helpers.generator.defects import customer_numbers
from helpers.generator.frames import coded, conform, ids, index_in, strings, take, with_nulls
from helpers.generator.workforce import CLOSED, Roster, day_type

DAY = 86400.0
OUTCOMES = ("resolved", "unresolved", "sale", "no_sale", "callback", "abandoned", "lost")
RESOLVED, UNRESOLVED, SALE, NO_SALE, CALLBACK, ABANDONED, LOST = range(7)
WEEK = 7 * DAY
HALF_HOUR = 1800.0
ANNOUNCEMENTS_S = (60.0, 180.0, 300.0)  # "your call is important to us" at 1, 3 and 5 minutes
REDIRECT_HANDLE = 1.15                 # redirected calls take longer: out-of-skill, transfers
REDIRECT_RESOLVE = 0.85
QUEUE_DAY_CV = 0.05                    # queue-specific day-to-day variation on top of the centre's
AGENT_RESOLVE_SLOPE = 0.5              # log-odds of resolving per unit of the agent's quality (sd about 1)


@dataclass
class Grid:
    """The period as half-hour intervals (interval i covers [i * 1800, (i + 1) * 1800) s from t0)."""
    n_days: int
    t0: np.datetime64
    open: np.ndarray          # bool per interval
    next_open: np.ndarray     # index of the next open interval at or after each interval (n if none)
    day_types: list
    cum_before: np.ndarray = None  # per interval: day index + share of that day's designed calls before it
    cum_through: np.ndarray = None  # the same, including the interval itself (non-decreasing over the period)


def make_grid(cs: CaseStudy, n_days: int, t0: np.datetime64) -> Grid:
    dates = np.datetime64(t0, "D") + np.arange(n_days)
    types = [day_type(d) for d in dates]
    closed = [False] * 48
    open_ = np.concatenate([np.array(cs.opening_hours.open_mask(t) if t != CLOSED else closed) for t in types])
    n = open_.size
    nxt = np.where(open_, np.arange(n), n)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    # the designed intraday shape of each day (zero where closed), as a running share within the day
    prof = {}
    for t in ("weekday", "saturday", "sunday"):
        p = np.where(cs.opening_hours.open_mask(t), np.array(getattr(cs.intraday_profile, t), dtype=float), 0.0)
        prof[t] = p / p.sum() if p.sum() > 0 else p
    prof[CLOSED] = np.zeros(48)
    w = np.stack([prof[t] for t in types]) if n_days else np.zeros((0, 48))
    through = np.cumsum(w, axis=1)
    before = through - w
    day = np.arange(n_days)[:, None]
    return Grid(n_days, np.datetime64(t0, "ns"), open_, nxt, types, (day + before).ravel(), (day + through).ravel())


def snap_open(grid: Grid, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Call times (s) that fall while the centre is closed moved to when it is open; ``inf`` if it never
    reopens in the period. Times while open are kept (floored to whole seconds).

    A caller who wants to ring while the centre is closed rings once it is open, at a time of day
    drawn from the designed intraday profile of the rest of that opening day (so first thing in the
    morning only as often as the profile says, not all at once): the next open interval's day D, a
    share u of the profile mass from that interval to the end of D, then uniform within the interval.
    """
    n = grid.open.size
    t = np.asarray(t, dtype=float)
    i = np.clip((np.where(np.isfinite(t), t, 0.0) // HALF_HOUR).astype(np.int64), 0, n - 1)
    closed = ~grid.open[i] | ~(t < n * HALF_HOUR) | (t < 0)
    nxt = np.where(t < n * HALF_HOUR, grid.next_open[i], n)
    ok = closed & (nxt < n)
    moved = np.full(t.size, np.inf)
    if ok.any():
        start = grid.cum_before[nxt[ok]]
        day_end = np.floor(start) + 1.0
        target = start + rng.random(int(ok.sum())) * (day_end - start)
        k = np.searchsorted(grid.cum_through, target, side="right")
        k = np.clip(np.maximum(k, nxt[ok]), 0, n - 1)
        k = np.where(grid.open[k], k, nxt[ok])  # guard against rounding at the end of a day
        moved[ok] = np.floor((k + rng.random(k.size)) * HALF_HOUR)
    out = np.where(closed, moved, np.floor(t))
    finite = np.isfinite(out)
    j = np.clip((np.where(finite, out, 0) // HALF_HOUR).astype(np.int64), 0, n - 1)
    return np.where(finite & grid.open[j], out, np.inf)


def seasonal_factor(cs: CaseStudy, dates: np.ndarray) -> np.ndarray:
    """Per date: the case study's monthly ``seasonality`` interpolated by day of year (anchors at mid-month,
    cyclic) times the ``volume_trend_per_year`` growth from the first date; normalised so that the mean
    over ``dates`` is 1 (the case study's volumes describe its period)."""
    d = np.asarray(dates, dtype="datetime64[D]")
    years = (d - d[0]).astype(np.int64) / 365.25 if d.size else np.zeros(0)
    out = (1 + cs.volume_trend_per_year) ** years
    if cs.seasonality is not None and d.size:
        doy = (d - d.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64).astype(float)
        mid = np.array([15.5 + 30.44 * k for k in range(12)])
        s = np.array(cs.seasonality, dtype=float)
        out = out * np.interp(doy, np.r_[mid[-1] - 365.25, mid, mid[0] + 365.25], np.r_[s[-1], s, s[0]])
    return out / out.mean() if out.size else out


def long_horizon(cs: CaseStudy, dates: np.ndarray, iid_factors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Day factors with carry-over, seasonality and trend.

    With ``day_factor_carryover`` phi > 0 the iid day factors (mean 1, cv ``day_factor_cv``) are replaced
    by a log-normal AR(1) with the same mean and cv: log f_t = phi log f_{t-1} + sqrt(1 - phi^2) e_t (scaled),
    so busy and quiet spells last a few days; then times ``seasonal_factor``.
    """
    f = np.asarray(iid_factors, dtype=float)
    phi, cv = cs.day_factor_carryover, cs.day_factor_cv
    if phi > 0 and cv > 0 and f.size:
        sigma = np.sqrt(np.log1p(cv ** 2))
        e = rng.normal(0, 1, f.size)
        z = np.empty(f.size)
        z[0] = e[0]
        for i in range(1, f.size):  # one step per day (at most 366), not per call
            z[i] = phi * z[i - 1] + np.sqrt(1 - phi ** 2) * e[i]
        f = np.exp(sigma * z - sigma ** 2 / 2)
    return f * seasonal_factor(cs, dates)


def tilted(shape: np.ndarray, sd: float, rng: np.random.Generator) -> np.ndarray:
    """Days x 48 intraday shares tilted at random per day: a share ~ N(0, sd) moves linearly from the
    evening to the morning (or back); each day's total is unchanged and closed intervals stay empty."""
    if sd <= 0 or shape.size == 0:
        return shape
    hours = (np.arange(48) + 0.5) / 2
    slope = (14.0 - hours) / 6.0  # +1 at 08:00, -1 at 20:00
    tilt = rng.normal(0, sd, shape.shape[0])[:, None]
    out = shape * np.clip(1 + tilt * slope, 0.2, None)
    total = shape.sum(axis=1, keepdims=True)
    new = out.sum(axis=1, keepdims=True)
    return np.where(new > 0, out * total / np.where(new > 0, new, 1), shape)


class CallSet(dict):
    """Columns of calls being assembled (dict of equal-length arrays)."""

    FIELDS = ("t", "q", "reason", "cust", "campaign", "kind", "lost", "redirected", "orig_q", "u_need")

    @classmethod
    def empty(cls):
        return cls({f: np.zeros(0, dtype=np.float64 if f in ("t", "u_need") else (bool if f in ("lost", "redirected")
                                                                                  else np.int64)) for f in cls.FIELDS})

    def take(self, idx) -> "CallSet":
        return CallSet({k: v[idx] for k, v in self.items()})

    @staticmethod
    def concat(parts) -> "CallSet":
        return CallSet({k: np.concatenate([p[k] for p in parts]) for k in CallSet.FIELDS})

    def __len__(self):
        return int(self["t"].size)


class CallModel:
    """Everything the calls of one dataset depend on, prepared once."""

    def __init__(self, cs: CaseStudy, customers: pd.DataFrame, roster: Roster, grid: Grid,
                 rng: np.random.Generator):
        self.cs, self.roster, self.grid, self.rng = cs, roster, grid, rng
        self.queues = cs.queue_names
        self.reason_names, self.reason_queue, self.reason_offset = [], [], []
        for qi, q in enumerate(cs.queues):
            self.reason_offset.append(len(self.reason_names))
            self.reason_names += q.reasons
            self.reason_queue += [qi] * len(q.reasons)
        self.reason_queue = np.array(self.reason_queue)
        self.campaigns = [c for c in cs.campaigns]
        t0d = np.datetime64(grid.t0, "D")
        self.outages = []
        for o in cs.outages:
            a = (np.datetime64(o.start, "s") - t0d.astype("datetime64[s]")).astype(np.int64).astype(float)
            b = (np.datetime64(o.end, "s") - t0d.astype("datetime64[s]")).astype(np.int64).astype(float)
            qs = np.array([q in o.queues for q in self.queues])
            self.outages.append((o, a, b, qs))
        # Callers: every account of the organisation on the books at the start, weighted by its segment's
        # call rate. Index i < len(customers) is the extract's row i; the others are accounts outside
        # the extract (organisation.accounts in all), with account numbers the extract does not use
        # and segments drawn by the segments' shares. So the share of the extract's customers who call
        # in a period is what a retailer of that size sees, not nearly all of them.
        joined = customers["joined_at"].to_numpy()
        churned = customers["churned_at"].to_numpy()
        t0 = grid.t0
        eligible = (joined < t0) & (np.isnat(churned) | (churned > t0))
        seg_index = {s.name: i for i, s in enumerate(cs.segments)}
        ext_segment = index_in(customers["segment"], list(seg_index))
        n_ext = len(customers)
        accounts = cs.organisation.accounts or 15 * cs.organisation.customers
        n_other = max(int(accounts) - int(eligible.sum()), 0)
        shares = np.array([s.share for s in cs.segments])
        other_segment = rng.choice(len(cs.segments), n_other, p=shares / shares.sum())
        used = customer_numbers(customers["customer_id"])
        space = account_space(cs)
        is_free = np.ones(space + 1, dtype=bool)  # O(n) flags, no sorting
        is_free[0] = False
        is_free[used[used <= space]] = False
        free = np.flatnonzero(is_free)
        other_numbers = np.sort(rng.choice(free, min(n_other, free.size), replace=False))
        n_other = other_numbers.size
        other_segment = other_segment[:n_other]
        self.n_extract = n_ext
        self.caller_numbers = np.concatenate([used, other_numbers])  # account number per caller index
        rate = np.array([s.call_rate for s in cs.segments])
        w = np.concatenate([np.where(eligible, rate[ext_segment], 0.0), rate[other_segment]])
        self.cust_cdf = np.cumsum(w) / w.sum()
        self.cust_segment = np.concatenate([ext_segment, other_segment]).astype(np.int64)
        self.sale_factor = np.array([s.sale_factor for s in cs.segments])
        self._q_resolve = np.array([q.resolve_prob for q in cs.queues])
        self._q_sale = np.array([q.sale_prob or 0.0 for q in cs.queues])
        self._camp_sale_factor = np.array([c.sale_prob_factor for c in self.campaigns] + [1.0])

    def caller_ids(self, codes: np.ndarray) -> pa.Array:
        """Customer ids of caller indices (null where negative: unidentified)."""
        codes = np.asarray(codes, dtype=np.int64)
        ids_ = id_strings(self.caller_numbers[np.maximum(codes, 0)]) if codes.size else pa.array([], pa.string())
        return with_nulls(ids_, codes < 0) if (codes < 0).any() else ids_

    # -- 1. arrivals ------------------------------------------------------------------------
    def base_arrivals(self, day_factor_rng: np.random.Generator) -> CallSet:
        cs, grid, rng = self.cs, self.grid, self.rng
        weekly = np.array(cs.weekly_profile.factors())
        dates = np.datetime64(grid.t0, "D") + np.arange(grid.n_days)
        dow = ((dates.astype(np.int64) - 4) % 7)
        within_day = (grid.cum_through - grid.cum_before).reshape(grid.n_days, 48)  # designed shares per day
        shape = within_day * weekly[dow][:, None]  # days x 48
        parts = []
        # one day factor for the whole centre (busy days are busy on every queue) and a smaller one per queue
        common = sim.day_factors(day_factor_rng, grid.n_days, cv=cs.day_factor_cv)
        common = long_horizon(cs, dates, common, day_factor_rng)
        shape = tilted(shape, cs.intraday_tilt_sd, day_factor_rng)
        for qi, q in enumerate(cs.queues):
            uplift = np.ones(grid.n_days)
            camp_days = []
            for ci, c in enumerate(self.campaigns):
                if c.queue != q.name or c.inbound_uplift <= 1:
                    continue
                active = (dates >= np.datetime64(c.start)) & (dates <= np.datetime64(c.end))
                uplift *= np.where(active, c.inbound_uplift, 1.0)
                camp_days.append((ci, active, c.inbound_uplift))
            factors = common * sim.day_factors(day_factor_rng, grid.n_days, cv=QUEUE_DAY_CV if cs.day_factor_cv else 0.0)
            expected = q.daily_volume * shape * (factors * uplift)[:, None]
            t = np.floor(sim.arrival_times(rng, expected.ravel(), HALF_HOUR))
            n = t.size
            day = (t // DAY).astype(np.int64)
            campaign = np.full(n, -1, dtype=np.int64)
            if camp_days:
                driven = rng.random(n) < 1 - 1 / uplift[day]
                w = np.stack([np.where(a[day], u - 1, 0.0) for _, a, u in camp_days], axis=1)
                cum = np.cumsum(w, axis=1)
                pick = (rng.random(n)[:, None] * cum[:, -1:] > cum).sum(axis=1)
                campaign = np.where(driven, np.array([ci for ci, _, _ in camp_days])[np.minimum(pick, len(camp_days) - 1)], -1)
            weights = np.cumsum(q.weights)
            reason = self.reason_offset[qi] + np.minimum(np.searchsorted(weights, rng.random(n), side="right"),
                                                         len(q.reasons) - 1)
            identified = rng.random(n) < q.identified_share
            cust = np.where(identified, np.searchsorted(self.cust_cdf, rng.random(n), side="right"), -1)
            parts.append(CallSet(t=t, q=np.full(n, qi), reason=reason, cust=cust, campaign=campaign,
                                 kind=np.zeros(n, dtype=np.int64), lost=np.zeros(n, bool),
                                 redirected=np.zeros(n, bool), orig_q=np.full(n, qi), u_need=rng.random(n)))
        return CallSet.concat(parts)

    # -- 2. outages -------------------------------------------------------------------------
    def in_window(self, calls: CallSet, system: str) -> np.ndarray:
        hit = np.zeros(len(calls), dtype=bool)
        for o, a, b, qs in self.outages:
            if o.system == system:
                hit |= (calls["t"] >= a) & (calls["t"] < b) & qs[calls["orig_q"]]
        return hit

    def apply_outages(self, calls: CallSet) -> CallSet:
        """Mark lost and redirected calls; add the retrials of lost callers (also subject to outages)."""
        eff = self.cs.outage_effects
        out, current = [], calls
        for _ in range(6):
            if len(current) == 0:
                break
            lost = current["lost"] | self.in_window(current, "telephony")
            ivr = self.in_window(current, "ivr") & ~lost
            hang_up = ivr & (self.rng.random(len(current)) < eff.ivr_lost_share)
            lost |= hang_up
            redirect = ivr & ~hang_up
            current["lost"] = lost
            current["redirected"] = current["redirected"] | redirect
            current["q"] = np.where(redirect, self.queues.index(eff.ivr_redirect_queue), current["q"])
            out.append(current)
            lost_idx = np.flatnonzero(lost)
            times, src = sim.retrial_arrivals(self.rng, current["t"][lost_idx], eff.telephony_retry_prob,
                                              eff.telephony_retry_delay_s, return_index=True)
            parent = lost_idx[src]
            retry = current.take(parent)
            retry["t"] = snap_open(self.grid, np.floor(times), self.rng)
            retry["kind"] = np.full(parent.size, 2)
            retry["lost"] = np.zeros(parent.size, bool)
            retry["redirected"] = np.zeros(parent.size, bool)
            retry["q"] = retry["orig_q"].copy()
            retry["u_need"] = self.rng.random(parent.size)
            current = retry.take(np.flatnonzero(np.isfinite(retry["t"])))
        return CallSet.concat(out) if out else CallSet.empty()

    # -- 3. needs and repeat calls ------------------------------------------------------------
    def thresholds(self, calls: CallSet, crm: np.ndarray | None = None):
        """Per call: P(sale), P(resolved), P(callback) if answered (the bands of ``u_need``); ``crm`` (calls
        during a CRM outage) if already known."""
        eff = self.cs.outage_effects
        resolve = self._q_resolve[calls["q"]]
        sale_base = self._q_sale[calls["q"]]
        seg = np.where(calls["cust"] >= 0, self.cust_segment[np.maximum(calls["cust"], 0)], -1)
        seg_factor = np.where(seg >= 0, self.sale_factor[np.maximum(seg, 0)], 1.0)
        camp_factor = self._camp_sale_factor[calls["campaign"]]
        # unidentified callers do not buy: a sale needs an account (prospects are set up during the call)
        sale = np.where(calls["cust"] >= 0, np.minimum(sale_base * seg_factor * camp_factor, 0.95), 0.0)
        crm = self.in_window(calls, "crm") if crm is None else crm
        resolve = resolve * np.where(crm, eff.crm_resolve_factor, 1.0) * np.where(calls["redirected"], REDIRECT_RESOLVE, 1.0)
        callback = np.where(crm, eff.crm_callback_share, 0.0)
        return sale, resolve, callback, crm

    def need_met(self, calls: CallSet, crm: np.ndarray | None = None) -> np.ndarray:
        sale, resolve, callback, _ = self.thresholds(calls, crm)
        return calls["u_need"] < sale + (1 - sale) * (callback + (1 - callback) * resolve)

    def repeats(self, calls: CallSet) -> CallSet:
        """Follow-up calls of callers whose need was not met (identified callers, not lost)."""
        rng = self.rng
        qrep = np.array([q.repeat_prob for q in self.cs.queues])[calls["orig_q"]]
        back = (~self.need_met(calls)) & (calls["cust"] >= 0) & ~calls["lost"] & (rng.random(len(calls)) < qrep)
        idx = np.flatnonzero(back)
        rep = calls.take(idx)
        n = idx.size
        same_day = rng.random(n) < 0.35
        delay = np.where(same_day, rng.exponential(2 * 3600, n), DAY * (1 + 5.5 * rng.random(n)))
        t = snap_open(self.grid, rep["t"] + 120 + delay, rng)
        t = np.where(t - rep["t"] < WEEK - 3600, t, np.inf)  # back within the 7-day window
        rep["t"] = t
        rep["kind"] = np.ones(n, dtype=np.int64)
        rep["q"] = rep["orig_q"].copy()
        rep["lost"] = np.zeros(n, bool)
        rep["redirected"] = np.zeros(n, bool)
        rep["u_need"] = rng.random(n)
        return rep.take(np.flatnonzero(np.isfinite(t) & (t < self.grid.n_days * DAY)))

    def all_arrivals(self, day_factor_rng) -> CallSet:
        parts, gen = [], self.base_arrivals(day_factor_rng)
        for _ in range(4):  # generations of repeat calls
            gen = self.apply_outages(gen)
            parts.append(gen)
            gen = self.repeats(gen)
            if len(gen) == 0:
                break
        return CallSet.concat(parts)

    # -- 4. the queues --------------------------------------------------------------------
    def _service_draws(self, calls: CallSet, q, qi: int) -> dict:
        """Patience, talk, hold and wrap (whole seconds) for calls of queue ``q`` (vectorised).

        Talk means vary by hour of day (``talk_hour_factor``) and are longer during a CRM outage and
        for redirected calls. A share of calls whose need is not met are very short (hang-ups,
        misroutes: ``short_calls``), the spike of short service times in Brown et al. (2005).
        """
        cs, rng = self.cs, self.rng
        m = len(calls)
        sc = cs.short_calls
        crm = self.in_window(calls, "crm")
        mult = (np.where(crm, cs.outage_effects.crm_handle_multiplier, 1.0)
                * np.where(calls["redirected"], REDIRECT_HANDLE, 1.0))
        hour = np.clip(((calls["t"] % DAY) // 3600).astype(np.int64), 0, 23)
        hour_factor = np.array(cs.talk_hour_factor)[hour]
        patience = np.maximum(np.round(sim.patience_times(rng, m, q.patience_mean_s, ANNOUNCEMENTS_S)), 1.0)
        talk = np.maximum(np.round(sim.lognormal_mean_cv(rng, q.talk_mean_s * hour_factor * mult, q.talk_cv, m)), 5.0)
        has_hold = rng.random(m) < q.hold_prob
        hold = np.where(has_hold, np.maximum(np.round(sim.lognormal_mean_cv(rng, q.hold_mean_s * mult, 0.9, m)), 1.0), 0.0)
        wrap = np.maximum(np.round(sim.lognormal_mean_cv(rng, q.wrap_mean_s * mult, q.wrap_cv, m)), 1.0)
        short = (rng.random(m) < sc.share_of_unmet) & ~self.need_met(calls, crm)
        short_talk = np.maximum(np.round(sim.lognormal_mean_cv(rng, sc.talk_mean_s, 0.7, m)), 1.0)
        short_wrap = np.maximum(np.round(sim.lognormal_mean_cv(rng, sc.wrap_mean_s, 0.7, m)), 1.0)
        return {"patience": patience, "talk": np.where(short, short_talk, talk), "hold": np.where(short, 0.0, hold),
                "wrap": np.where(short, short_wrap, wrap), "short": short}

    def _retrials_of(self, calls: CallSet, patience: np.ndarray, prob: float) -> tuple[np.ndarray, CallSet]:
        """Candidate retrials (kind 3) of ``calls`` *if* they abandon: who would call back and when.

        Whether the call is really abandoned is only known in the queue; ``serve_fcfs(retrial_of=...)``
        drops the candidates of calls that were answered. Returns (position of the parent, candidates).
        """
        rng, rt = self.rng, self.cs.retrials
        n = len(calls)
        back = np.flatnonzero(rng.random(n) < prob)
        k = back.size
        quick = rng.random(k) < rt.quick_share
        delay = np.where(quick, rng.exponential(rt.quick_mean_s, k), rng.exponential(rt.slow_mean_s, k))
        child = calls.take(back)
        hang_up = calls["t"][back] + patience[back]
        t = snap_open(self.grid, hang_up + 20 + delay, rng)  # at least 20 s after hanging up
        # a retrial while telephony or the IVR is down gets through only after the outage (busy tone or
        # reduced-service message, then another try), like the retrials of lost calls
        for o, a, b, qs in self.outages:
            if o.system in ("telephony", "ivr"):
                hit = (t >= a) & (t < b) & qs[child["orig_q"]]
                t = np.where(hit, b + rng.exponential(self.cs.outage_effects.telephony_retry_delay_s, k), t)
        child["t"] = snap_open(self.grid, t, rng)
        child["kind"] = np.full(k, 3, dtype=np.int64)
        child["u_need"] = rng.random(k)
        keep = np.flatnonzero(np.isfinite(child["t"]) & (child["t"] < self.grid.n_days * DAY))
        return back[keep], child.take(keep)

    def serve(self, calls: CallSet) -> tuple[CallSet, dict]:
        """Serve every queue FCFS; returns the calls *including* the retrials of abandoned callers that
        happened (appended after ``calls``) and the results aligned with them."""
        cs = self.cs
        rt = cs.retrials
        n = len(calls)
        res = {"wait": np.zeros(n), "abandoned": np.zeros(n, bool), "answered": np.full(n, np.nan),
               "talk": np.zeros(n), "hold": np.zeros(n), "wrap": np.zeros(n), "agent": np.full(n, -1, dtype=np.int64),
               "short": np.zeros(n, bool)}
        extra_calls, extra_res = [], []
        keys = ("wait", "abandoned", "answered", "talk", "hold", "wrap", "agent", "short")
        for qi, q in enumerate(cs.queues):
            idx = np.flatnonzero((calls["q"] == qi) & ~calls["lost"])
            idx = idx[np.argsort(calls["t"][idx], kind="stable")]
            if idx.size == 0:
                continue
            layers = [calls.take(idx)]
            draws = [self._service_draws(layers[0], q, qi)]
            parents = [np.full(idx.size, -1, dtype=np.int64)]
            offset = 0
            for gen in range(3):  # retrials of abandoned callers (and of abandoned retrials)
                prob = rt.retry_prob if gen == 0 else rt.again_prob
                back, child = self._retrials_of(layers[-1], draws[-1]["patience"], prob)
                if len(child) == 0:
                    break
                parents.append(offset + back)
                offset += len(layers[-1])
                layers.append(child)
                draws.append(self._service_draws(child, q, qi))
            allc = CallSet.concat(layers)
            d = {k: np.concatenate([x[k] for x in draws]) for k in draws[0]}
            parent = np.concatenate(parents)
            r = sim.serve_fcfs(allc["t"], d["patience"], d["talk"] + d["hold"] + d["wrap"],
                               self.roster.seg_start[q.name], self.roster.seg_end[q.name],
                               server_successor=self.roster.seg_next[q.name], retrial_of=parent,
                               server_speed=self.roster.seg_speed[q.name])
            ans = r.made & ~r.abandoned
            agent = np.full(len(allc), -1, dtype=np.int64)
            agent[ans] = self.roster.seg_agent[q.name][r.server[ans]]
            factor = np.full(len(allc), np.nan)
            factor[ans] = self.roster.seg_speed[q.name][r.server[ans]]
            talk, hold, wrap = sim.scaled_durations(d["talk"], d["hold"], d["wrap"], factor)
            out = {"wait": r.wait_s, "abandoned": r.abandoned, "answered": r.answered_s,
                   "talk": np.where(ans, talk, 0.0), "hold": np.where(ans, hold, 0.0),
                   "wrap": np.where(ans, wrap, 0.0), "agent": agent, "short": ans & d["short"]}
            m = idx.size
            for k in keys:
                res[k][idx] = out[k][:m]
            made = np.flatnonzero(r.made[m:]) + m
            if made.size:
                extra_calls.append(allc.take(made))
                extra_res.append({k: out[k][made] for k in keys})
        if extra_calls:
            calls = CallSet.concat([calls, *extra_calls])
            res = {k: np.concatenate([res[k], *[e[k] for e in extra_res]]) for k in keys}
        return calls, res

    def outcomes(self, calls: CallSet, res: dict, th) -> np.ndarray:
        """Outcome codes (index into OUTCOMES) from the bands of ``u_need``."""
        sale, resolve, callback, _ = th
        u = calls["u_need"]
        is_sales = np.array([q.sale_prob is not None for q in self.cs.queues])[calls["q"]]
        b1 = sale
        b2 = b1 + (1 - sale) * callback
        b3 = b2 + (1 - sale) * (1 - callback) * resolve
        return np.select([calls["lost"], res["abandoned"], u < b1, u < b2, is_sales, u < b3],
                         [LOST, ABANDONED, SALE, CALLBACK, NO_SALE, RESOLVED], UNRESOLVED).astype(np.int8)

    def agent_resolution(self, calls: CallSet, res: dict, th, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Outcomes and callers with the answering agent's effect on first-contact resolution.

        The need band of ``u_need`` decides resolved or not at the queue's probability p; the agent moves
        it to p' = expit(logit(p) + AGENT_RESOLVE_SLOPE x (quality - mean quality)), quality from
        ``roster.traits`` (proficiency and tenure; a new starter's tenure grows day by day). The same
        uniform is compared with p' (no new draw), so the outcome moves only where the agent makes the
        difference (answered service calls; sales and callbacks are left as they are):

        * resolved by a stronger agent (was unresolved, not a very short call): the caller's return calls
          about that reason (the 7-day chain that followed) were never this caller's: they go to another
          account (drawn like any caller), for whom they are a first call;
        * left unresolved by a weaker agent (was resolved): an identified caller comes back about the
          same reason with the queue's ``repeat_prob`` (35% the same day, else 1-6.5 days later, like
          ``repeats``): the first later call about that reason from a caller with no other call in a
          7-day chain becomes theirs.

        So FCR measured from repeat calls (no call about the same reason within 7 days) and the agents'
        dispositions both differ by agent. The calls themselves (times, queues, agents, durations) stay.
        Returns (outcome, caller index per call).
        """
        cust = calls["cust"].copy()
        traits = self.roster.traits
        agent = res["agent"]
        if traits is None or not len(traits) or not (agent >= 0).any():
            return outcome, cust
        rng = self.rng  # the calls stream after every other draw of the calls: nothing else shifts
        sale, resolve, callback, _ = th
        u, t, reason = calls["u_need"], calls["t"], calls["reason"]
        b2 = sale + (1 - sale) * callback
        i = np.flatnonzero((agent >= 0) & ((outcome == RESOLVED) | (outcome == UNRESOLVED)) & (b2 < 1))
        if i.size == 0:
            return outcome, cust
        q = traits["quality"].to_numpy()
        tenure0 = traits["tenure_days"].to_numpy()
        staff = self.roster.agents["role"].to_numpy(dtype=object) == "agent"
        a = agent[i]
        day = np.floor(t[i] / DAY)
        # the quality of the day: a new starter's tenure penalty (0.9 exp(-tenure / 90), see workforce) fades
        quality = q[a] + 0.9 * (np.exp(-tenure0[a] / 90) - np.exp(-(tenure0[a] + day) / 90))
        shift = AGENT_RESOLVE_SLOPE * (quality - q[staff].mean())
        p = np.clip(resolve[i], 1e-6, 1 - 1e-6)
        p_agent = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + shift)))
        v = (u[i] - b2[i]) / (1 - b2[i])  # uniform on [0, 1) within the band: resolved iff v < p
        up = i[(outcome[i] == UNRESOLVED) & (v < p_agent) & ~res["short"][i]]
        down = i[(outcome[i] == RESOLVED) & (v >= p_agent)]
        out = outcome.copy()
        out[up], out[down] = RESOLVED, UNRESOLVED

        # 7-day chains: next[k] = the same caller's next call about the same reason within 7 days (or -1)
        n = t.size
        order = lexsort_by(cust, reason, t)
        c, r, tt = cust[order], reason[order], t[order]
        link = (c[1:] == c[:-1]) & (r[1:] == r[:-1]) & (tt[1:] - tt[:-1] <= WEEK) & (c[1:] >= 0)
        nxt = np.full(n, -1, dtype=np.int64)
        nxt[order[:-1][link]] = order[1:][link]
        has_prev = np.zeros(n, bool)
        has_prev[order[1:][link]] = True
        # resolved now: the chain that followed goes to another caller
        heads = up[nxt[up] >= 0]
        new_owner = np.searchsorted(self.cust_cdf, rng.random(heads.size), side="right")
        moved = np.zeros(n, bool)
        cur, owner = nxt[heads], new_owner
        while cur.size:
            cust[cur] = owner
            moved[cur] = True
            keep = nxt[cur] >= 0
            cur, owner = nxt[cur[keep]], owner[keep]
        # unresolved now: an identified caller comes back about the same reason
        qrep = np.array([x.repeat_prob for x in self.cs.queues])[calls["orig_q"][down]]
        back = down[(cust[down] >= 0) & (nxt[down] < 0) & (rng.random(down.size) < qrep)]
        k = back.size
        same_day = rng.random(k) < 0.35
        delay = np.where(same_day, rng.exponential(2 * 3600, k), DAY * (1 + 5.5 * rng.random(k)))
        want = t[back] + 120 + delay
        free = (cust >= 0) & (nxt < 0) & ~has_prev & ~moved & ~calls["lost"]
        free[up], free[down] = False, False
        pool = np.flatnonzero(free)
        pool = pool[lexsort_by(reason[pool], t[pool])]
        key_r, key_t = reason[pool], t[pool]
        pos = np.searchsorted(key_r.astype(np.float64) * 1e9 + key_t, reason[back].astype(np.float64) * 1e9 + want)
        taken = np.zeros(pool.size, bool)
        todo = np.arange(k)
        for _ in range(6):  # a few rounds: two returning callers wanting the same call take the next ones
            if todo.size == 0:
                break
            pp = pos[todo]
            ok = pp < pool.size
            ppc = np.minimum(pp, max(pool.size - 1, 0))
            ok &= (key_r[ppc] == reason[back[todo]]) & (key_t[ppc] - t[back[todo]] <= WEEK - 3600) if pool.size else ok
            ok &= ~taken[ppc] if pool.size else ok
            first = np.zeros(todo.size, bool)
            _, j = np.unique(np.where(ok, ppc, -1 - np.arange(todo.size)), return_index=True)
            first[j] = True
            win = ok & first
            cust[pool[ppc[win]]] = cust[back[todo[win]]]
            taken[ppc[win]] = True
            pos[todo] = pp + 1
            todo = todo[~win & (pp + 1 < pool.size)]
        return out, cust

    def incident_of(self, calls: CallSet) -> np.ndarray:
        """Index of the outage in force when each call arrived (into ``self.outages``), -1 if none."""
        out = np.full(len(calls), -1, dtype=np.int64)
        for k, (o, a, b, qs) in enumerate(self.outages):
            hit = (calls["t"] >= a) & (calls["t"] < b) & qs[calls["orig_q"]] & (out < 0)
            out[hit] = k
        return out


def lexsort_by(*keys: np.ndarray) -> np.ndarray:
    """``np.lexsort(keys[::-1])`` (by the first key, then the next, ...; ties in position order) as one
    stable argsort of a combined int64 key when every key holds whole numbers whose ranges fit (the usual
    case: seconds, codes), else ``np.lexsort``."""
    if keys[0].size == 0:
        return np.lexsort(keys[::-1])
    spans = []
    for x in keys:
        if x.dtype.kind == "f" and not (np.isfinite(x).all() and (x == np.floor(x)).all()):
            return np.lexsort(keys[::-1])
        if x.dtype.kind not in "fiub":
            return np.lexsort(keys[::-1])
        lo, hi = x.min(), x.max()
        spans.append((lo, int(hi) - int(lo) + 1))
    if float(np.prod([float(w) for _, w in spans])) >= 2.0 ** 62:
        return np.lexsort(keys[::-1])
    key = np.zeros(keys[0].size, dtype=np.int64)
    for x, (lo, width) in zip(keys, spans):
        key *= width
        key += (x - lo).astype(np.int64) if x.dtype.kind == "f" else x.astype(np.int64) - int(lo)
    return np.argsort(key, kind="stable")


def is_repeat(customer: np.ndarray, reason: np.ndarray, t: np.ndarray, window_s: float = WEEK) -> np.ndarray:
    """Same identified customer called about the same reason within the previous ``window_s`` seconds."""
    n = t.size
    known = customer >= 0
    order = lexsort_by(customer, reason, t)
    c, r, tt = customer[order], reason[order], t[order]
    same = np.zeros(n, dtype=bool)
    same[1:] = (c[1:] == c[:-1]) & (r[1:] == r[:-1]) & (tt[1:] - tt[:-1] <= window_s)
    out = np.zeros(n, dtype=bool)
    out[order] = same
    return out & known


def make_calls(cs: CaseStudy, customers: pd.DataFrame, roster: Roster, grid: Grid,
               rng: np.random.Generator, day_factor_rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """The calls table (contract order) plus internal arrays other tables need (aligned with it)."""
    model = CallModel(cs, customers, roster, grid, rng)
    calls = model.all_arrivals(day_factor_rng)
    order = lexsort_by(calls["t"], calls["q"], calls["reason"])
    calls, res = model.serve(calls.take(order))
    order = lexsort_by(calls["t"], calls["q"], calls["reason"], calls["kind"])
    calls = calls.take(order)
    res = {k: v[order] for k, v in res.items()}
    th = model.thresholds(calls)
    outcome, calls["cust"] = model.agent_resolution(calls, res, th, model.outcomes(calls, res, th))
    n = len(calls)
    t = calls["t"]
    answered = ~calls["lost"] & ~res["abandoned"]
    answered_s = np.where(answered, res["answered"], np.nan)
    ended_s = np.where(answered, answered_s + res["talk"] + res["hold"], t + res["wait"])
    t0 = grid.t0
    sec = lambda x: t0 + np.round(np.nan_to_num(x, nan=0) * 1e9).astype(np.int64).astype("timedelta64[ns]")  # noqa: E731
    answered_at = np.where(answered, sec(answered_s), np.datetime64("NaT", "ns"))
    incident = model.incident_of(calls)
    frame = conform("calls", {
        "call_id": ids("K", n, 7),
        "queue": take(strings(model.queues), calls["q"]),
        "customer_id": model.caller_ids(calls["cust"]),
        "arrived_at": sec(t),
        "answered_at": answered_at,
        "ended_at": sec(ended_s),
        "wait_s": res["wait"],
        "abandoned": res["abandoned"],
        "talk_s": res["talk"], "hold_s": res["hold"], "wrap_s": res["wrap"],
        "agent_id": coded(roster.agent_ids, res["agent"]),
        "reason": take(strings(model.reason_names), calls["reason"]),
        "outcome": take(strings(OUTCOMES), outcome),
        "campaign_id": coded(strings([c.id for c in model.campaigns] or [""]), calls["campaign"]),
        "incident_id": coded(strings([o.id for o, *_ in model.outages] or [""]), incident),
        "is_repeat": is_repeat(calls["cust"], calls["reason"], t),
    })
    internal = {"cust": calls["cust"], "kind": calls["kind"], "redirected": calls["redirected"], "short": res["short"], "agent": res["agent"],
                "segment": np.where(calls["cust"] >= 0, model.cust_segment[np.maximum(calls["cust"], 0)], -1),
                "crm": th[3], "t": t, "reason": calls["reason"], "q": calls["q"], "outcome": outcome,
                "reason_names": model.reason_names, "queues": model.queues,
                "n_extract": model.n_extract, "caller_ids": model.caller_ids,
                "n_callers": model.caller_numbers.size, "caller_numbers": model.caller_numbers}
    return frame, internal
