"""Channels and journeys: the IVR before every call, IVR self-service, web chat, e-mail and callbacks,
and what the MIS records at each step (``mis_events``), with measurement faults and their ground truth.

Consistent with the ``calls`` table (built from it, before the calls' data-quality defects):

* every call that reached the centre has an IVR session that ends when the call enters its queue
  (``calls.arrived_at``); a call lost while telephony was down never reached the IVR (one
  ``queue_call`` step, outcome ``lost``); a call lost while the IVR was down hung up on the
  reduced-service message (an IVR step only); the calls redirected during the IVR outage bypassed the
  menu (``redirected_no_menu``);
* IVR self-service completions and hang-ups in the menu are contacts of their own (no call);
* chats and e-mails are new contacts served by their own small queues (``serve_fcfs``): chat agents hold
  up to ``concurrency`` chats at once during opening hours, e-mails arrive round the clock and are
  answered first in, first out while the centre is open;
* a call with outcome ``callback``, and chats or e-mails that promise one, are followed in the same
  contact by an outbound call (``callback`` step) during opening hours.

The MIS (``mis_events``): the IVR logs sessions, the ACD offered calls and outbound calls, the chat
platform chat sessions, the ticketing system e-mails received and replied, the CRM a wrap code for every
contact an agent handled. Faults (``Channels.measurement``): mis-coded and missing wrap codes, clock
skew of a system over some days, the ACD counting an IVR transfer as a second offered call. Their ground
truth (``fault_id, table, record_id, column, kind, detail``) goes to the grader only.

Everything is vectorised over contacts (loops run over queues, options, days and skew windows only).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers import simulation as sim
from helpers.casestudy import MIS_SYSTEMS, CaseStudy
from helpers.generator.calls import CALLBACK, DAY, HALF_HOUR, LOST, OUTCOMES, Grid, snap_open
from helpers.generator.frames import arrow, coded, conform, digits, ids, strings, take

FAULT_COLUMNS = ["fault_id", "table", "record_id", "column", "kind", "detail"]
CHANNELS = ("ivr", "voice", "chat", "email", "callback")
IVR, VOICE, CHAT, EMAIL, CALLBACK_CH = range(5)
STEPS = ("ivr_menu", "ivr_self_service", "queue_call", "chat", "email", "outbound_call")
IVR_MENU, IVR_SS, QUEUE_CALL, CHAT_STEP, EMAIL_STEP, OUTBOUND = range(6)
# outcome vocabulary of journeys (calls' outcomes first, same codes)
J_OUTCOMES = OUTCOMES + ("routed", "self_service_completed", "self_service_failed", "abandoned_in_ivr",
                         "hung_up_on_message", "redirected_no_menu", "open", "no_answer")
(O_ROUTED, O_SS_DONE, O_SS_FAILED, O_IVR_ABANDON, O_HUNG_UP, O_REDIRECTED, O_OPEN,
 O_NO_ANSWER) = range(len(OUTCOMES), len(J_OUTCOMES))
RESOLVED, UNRESOLVED, SALE, NO_SALE = (OUTCOMES.index(x) for x in ("resolved", "unresolved", "sale", "no_sale"))
ABANDONED = OUTCOMES.index("abandoned")
EVENTS = ("ivr_session", "call_offered", "outbound_call", "chat_session", "email_received", "email_replied",
          "wrap_code")
VALUES = ("answered", "abandoned", "connected", "no_answer", "reply_sent")
# wrap codes an agent can choose per channel (mis-codes pick another code of the same list)
WRAP_CODES = {VOICE: (RESOLVED, UNRESOLVED, SALE, NO_SALE, CALLBACK), CHAT: (RESOLVED, UNRESOLVED, CALLBACK),
              EMAIL: (RESOLVED, UNRESOLVED, CALLBACK), CALLBACK_CH: (RESOLVED, UNRESOLVED)}

MEASUREMENT_POINTS = (  # channel, step, system, event, measures, method
    ("ivr", "ivr_menu", "ivr", "ivr_session", "session start and length, menu option, result (routed, "
     "self-service, hang-up), queue routed to", "automatic"),
    ("ivr", "ivr_self_service", "ivr", "ivr_session", "self-service task completed or failed, session length",
     "automatic"),
    ("voice", "queue_call", "acd", "call_offered", "call offered to a queue, wait until answer or abandonment, "
     "answered or abandoned", "automatic"),
    ("voice", "queue_call", "crm", "wrap_code", "disposition (wrap code) and handle time of an answered call",
     "agent-entered"),
    ("chat", "chat", "chat", "chat_session", "chat requested, wait until an agent joins, answered or abandoned",
     "automatic"),
    ("chat", "chat", "crm", "wrap_code", "disposition of an answered chat", "agent-entered"),
    ("email", "email", "ticketing", "email_received", "e-mail received (ticket opened)", "automatic"),
    ("email", "email", "ticketing", "email_replied", "reply sent and the response time", "automatic"),
    ("email", "email", "crm", "wrap_code", "disposition of an answered e-mail", "agent-entered"),
    ("callback", "outbound_call", "acd", "outbound_call", "callback dialled, connected or not, talk time",
     "automatic"),
    ("callback", "outbound_call", "crm", "wrap_code", "disposition of a connected callback", "agent-entered"),
)


def _sec(t0: np.datetime64, s) -> np.ndarray:
    """datetime64[ns] at t0 + s seconds (NaN/inf give NaT)."""
    s = np.asarray(s, dtype=float)
    ok = np.isfinite(s)
    x = np.where(ok, s, 0.0)  # the same arithmetic as t0 + round(s * 1e9) ns, in two new arrays
    x *= 1e9
    np.round(x, out=x)
    out = x.astype(np.int64)
    out += np.datetime64(t0, "ns").astype(np.int64)
    out[~ok] = np.iinfo(np.int64).min  # NaT
    return out.view("datetime64[ns]")


def _seconds(t0: np.datetime64, ts) -> np.ndarray:
    ts = np.asarray(ts, dtype="datetime64[ns]")
    out = (ts - t0).astype(np.int64) / 1e9
    return np.where(np.isnat(ts), np.nan, out)


def _codes(vocab, codes) -> pa.Array:
    """``vocab[codes]`` as large strings (pandas 3 keeps strings as large strings: no cast later), null
    where the code is negative; a take from the small vocabulary is cheaper than decoding a dictionary."""
    codes = np.asarray(codes)
    vocab = strings(vocab).cast(pa.large_string())
    mask = codes < 0
    if not mask.any():
        return vocab.take(pa.array(codes.astype(np.int64)))
    # nulls: take an empty string for them, then mark them null with a validity bitmap (the same array as a
    # take with null indices, which costs pyarrow several times more)
    out = pa.concat_arrays([vocab, pa.array([""], pa.large_string())]).take(
        pa.array(np.where(mask, len(vocab), codes).astype(np.int64)))
    validity = pa.py_buffer(np.packbits(~mask, bitorder="little"))
    return pa.Array.from_buffers(pa.large_string(), codes.size, [validity, *out.buffers()[1:]],
                                 null_count=int(mask.sum()))


def _gather(series: pd.Series, idx: np.ndarray):
    """Rows ``idx`` of a string column, taken from its own (large-string) buffers without a cast."""
    return series.array.__arrow_array__().take(pa.array(np.asarray(idx, dtype=np.int64)))


def _order(major: np.ndarray, minor: np.ndarray | None = None) -> np.ndarray:
    """Stable order by ``major`` then ``minor`` (then position): one argsort of a combined int64 key when
    both are whole numbers (seconds, codes), else ``np.lexsort``."""
    minor = np.zeros(major.size, np.int64) if minor is None else minor
    lo, hi = (np.min(major), np.max(major)) if major.size else (0, 0)
    span = int(np.max(minor)) + 1 if minor.size else 1
    if (np.all(np.isfinite(major)) and np.all(major == np.floor(major)) and minor.size and np.min(minor) >= 0
            and (hi - lo + 1) * span < 2 ** 62):
        key = (major - lo).astype(np.int64) * span + minor.astype(np.int64)
        return np.argsort(key, kind="stable")
    return np.lexsort((np.arange(major.size), minor, major))


def _by_contact(contact: np.ndarray, step_no: np.ndarray, n_contacts: int) -> np.ndarray:
    """``_order(contact, step_no)`` without a sort when the steps of every contact are numbered 1..k (as
    they are): a step's place is its contact's first place + step_no - 1 (checked; else the sort)."""
    n = contact.size
    counts = np.bincount(contact, minlength=n_contacts)
    first = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    k = step_no.astype(np.int64) - 1
    pos = first[contact] + k
    if n and (k.min() < 0 or (k >= counts[contact]).any() or np.bincount(pos, minlength=n).max() > 1):
        return _order(contact, step_no)
    order = np.empty(n, dtype=np.int64)
    order[pos] = np.arange(n)
    return order


def _lognormal(rng, mean, cv, n) -> np.ndarray:
    return np.maximum(np.round(sim.lognormal_mean_cv(rng, mean, cv, n)), 1.0)


def _day_servers(cs: CaseStudy, grid: Grid, agents: dict, slots: int) -> tuple[np.ndarray, np.ndarray]:
    """Server shifts [start, end) in seconds: per open day, agents x slots servers over the opening hours."""
    starts, ends = [], []
    for d, t in enumerate(grid.day_types):
        mask = grid.open[d * 48:(d + 1) * 48]
        k = agents.get(t, 0) * slots if mask.any() else 0
        if k:
            open_i = np.flatnonzero(mask)
            starts.append(np.full(k, d * DAY + open_i[0] * HALF_HOUR))
            ends.append(np.full(k, d * DAY + (open_i[-1] + 1) * HALF_HOUR))
    if not starts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(starts), np.concatenate(ends)


def _reasons(cs: CaseStudy, queues: list[str], n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Queue index (into cs.queues) and global reason index for n contacts on ``queues`` (by volume)."""
    names = cs.queue_names
    qi = np.array([names.index(q) for q in queues])
    vol = np.array([cs.queues[i].daily_volume for i in qi], dtype=float)
    q = qi[rng.choice(qi.size, n, p=vol / vol.sum())]
    offset = np.cumsum([0] + [len(x.reasons) for x in cs.queues])
    reason = np.zeros(n, dtype=np.int64)
    for i in np.unique(q):
        m = q == i
        reason[m] = offset[i] + rng.choice(len(cs.queues[i].reasons), int(m.sum()), p=cs.queues[i].weights)
    return q, reason


def _callers(rng, n: int, identified: float, n_callers: int) -> np.ndarray:
    codes = rng.integers(0, max(n_callers, 1), n)
    return np.where(rng.random(n) < identified, codes, -1)


class Steps(dict):
    """Columns of journey steps being assembled."""
    FIELDS = ("contact", "step_no", "cust", "channel", "step", "start", "answered", "end", "q", "option",
              "reason", "outcome", "target", "call", "handle", "wrap")

    # compact dtypes: codes fit in 8 bits, indices in 32 (a million-call run has a few million steps)
    DTYPES = {"contact": np.int32, "step_no": np.int8, "cust": np.int32, "channel": np.int8, "step": np.int8,
              "start": np.float64, "answered": np.float64, "end": np.float64, "q": np.int8, "option": np.int8,
              "reason": np.int16, "outcome": np.int8, "target": np.int8, "call": np.int32, "handle": np.float64,
              "wrap": np.float64}
    DEFAULTS = {"step_no": 1, "start": 0.0, "answered": np.nan, "end": np.nan, "handle": np.nan, "wrap": np.nan,
                "contact": 0, "channel": 0, "step": 0, "outcome": 0}

    @classmethod
    def make(cls, n, **cols):
        base = {}
        for k, dtype in cls.DTYPES.items():
            v = cols.get(k, cls.DEFAULTS.get(k, -1))
            base[k] = np.full(n, v, dtype=dtype) if np.ndim(v) == 0 else np.asarray(v).astype(dtype)
        return cls(base)

    @staticmethod
    def concat(parts) -> "Steps":
        return Steps({k: np.concatenate([p[k] for p in parts]) for k in Steps.FIELDS})

    def take(self, idx) -> "Steps":
        return Steps({k: v[idx] for k, v in self.items()})


def outage_system(cs: CaseStudy, t: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per time and queue index: the system of the outage in force ('' if none)."""
    out = np.full(t.size, "", dtype=object)
    t0 = np.datetime64(cs.period.start, "s")
    names = cs.queue_names
    for o in cs.outages:
        a = (np.datetime64(o.start, "s") - t0).astype(np.int64)
        b = (np.datetime64(o.end, "s") - t0).astype(np.int64)
        affected = np.array([x in o.queues for x in names])
        out[(t >= a) & (t < b) & affected[q] & (out == "")] = o.system
    return out


def make_channels(cs: CaseStudy, calls: pd.DataFrame, internal: dict, grid: Grid, rng: np.random.Generator,
                  rng_faults: np.random.Generator):
    """``journeys``, ``mis_events`` and ``measurement_points`` frames and the measurement faults' ground truth."""
    ch = cs.channels
    t0 = grid.t0
    n_days = grid.n_days
    horizon = n_days * DAY
    names = cs.queue_names
    nq = len(names)
    n_callers = int(internal["n_callers"])
    option_of = np.full(nq, -1)
    for k, o in enumerate(ch.ivr.options):
        option_of[names.index(o.queue)] = k
    contain = np.array([o.containment for o in ch.ivr.options])
    failed = np.array([o.failed_share for o in ch.ivr.options])

    # -- voice: IVR session + queue call per call ----------------------------------------------
    n = len(calls)
    t = internal["t"].astype(float)
    q = internal["q"]
    orig_q = np.where(internal["redirected"], -1, q)
    outcome = internal["outcome"].astype(np.int64)
    lost = outcome == LOST
    system = outage_system(cs, t, q)
    tel_lost = lost & (system == "telephony")
    ivr_lost = lost & ~tel_lost
    redirected = internal["redirected"] | (~lost & (system == "ivr"))
    answered_s = _seconds(t0, calls["answered_at"].to_numpy())
    ended_s = _seconds(t0, calls["ended_at"].to_numpy())
    talk, hold, wrap = (calls[c].to_numpy(dtype=float) for c in ("talk_s", "hold_s", "wrap_s"))
    cust = internal["cust"]
    opt = np.where(redirected | ivr_lost, -1, option_of[np.where(orig_q >= 0, orig_q, q)])
    u = rng.random(n)
    tried = ~redirected & ~lost & (u < failed[np.maximum(opt, 0)]) & (contain[np.maximum(opt, 0)] > 0)
    menu = _lognormal(rng, ch.ivr.menu_mean_s, ch.ivr.menu_cv, n)
    ss = _lognormal(rng, ch.ivr.self_service_mean_s, 0.6, n)
    message = np.round(15 + 25 * rng.random(n))
    ivr_dur = np.where(redirected | ivr_lost, message, menu + np.where(tried, ss, 0.0))
    has_ivr = ~tel_lost
    iv = np.flatnonzero(has_ivr)
    ivr_outcome = np.select([ivr_lost, redirected, tried], [O_HUNG_UP, O_REDIRECTED, O_SS_FAILED], O_ROUTED)
    voice_ivr = Steps.make(iv.size, contact=iv, step_no=1, cust=cust[iv], channel=IVR, step=IVR_MENU,
                           start=t[iv] - ivr_dur[iv], end=t[iv], q=q[iv], option=opt[iv], outcome=ivr_outcome[iv],
                           target=np.where(ivr_lost[iv], -1, q[iv]), call=iv)
    qc = np.flatnonzero(~ivr_lost)
    ans = ~np.isnan(answered_s)
    voice_call = Steps.make(qc.size, contact=qc, step_no=np.where(tel_lost[qc], 1, 2), cust=cust[qc],
                            channel=VOICE, step=QUEUE_CALL, start=t[qc], answered=answered_s[qc], end=ended_s[qc],
                            q=q[qc], reason=internal["reason"][qc], outcome=outcome[qc],
                            target=np.where(outcome[qc] == CALLBACK, nq, -1), call=qc,
                            handle=np.where(ans[qc], talk[qc] + hold[qc] + wrap[qc], np.nan),
                            wrap=np.where(ans[qc], wrap[qc], np.nan))
    next_contact = n

    # -- IVR-only contacts: self-service completions and hang-ups in the menu -------------------
    routed = has_ivr & ~lost & ~redirected
    ss_parts = []
    for k, o in enumerate(ch.ivr.options):
        if o.containment <= 0:
            continue
        pool = np.flatnonzero(routed & (opt == k))
        if pool.size == 0:
            continue
        m = rng.poisson(pool.size * o.containment / (1 - o.containment))
        src = pool[rng.integers(0, pool.size, m)]
        start = np.floor(t[src] - ivr_dur[src] + rng.normal(0, 1200, m))
        dur = menu[src] + _lognormal(rng, ch.ivr.self_service_mean_s, 0.6, m)
        who = cust[pool[rng.integers(0, pool.size, m)]]
        ss_parts.append(Steps.make(m, cust=who, channel=IVR, step=IVR_SS, start=start, end=start + dur,
                                   q=names.index(o.queue), option=k, outcome=O_SS_DONE))
    all_ivr = np.flatnonzero(has_ivr & ~lost)
    m = rng.poisson(all_ivr.size * ch.ivr.abandon_share / (1 - ch.ivr.abandon_share))
    src = all_ivr[rng.integers(0, max(all_ivr.size, 1), m)] if all_ivr.size else np.zeros(0, np.int64)
    start = np.floor(t[src] - ivr_dur[src] + rng.normal(0, 1200, m))
    dur = np.round(5 + rng.random(m) * ch.ivr.menu_mean_s)
    pick_opt = rng.random(m) < 0.5
    ss_parts.append(Steps.make(m, cust=np.where(rng.random(m) < 0.3, cust[src], -1), channel=IVR, step=IVR_MENU,
                               start=start, end=start + dur, option=np.where(pick_opt, opt[src], -1),
                               q=np.where(pick_opt, q[src], -1), outcome=O_IVR_ABANDON))
    ivr_only = Steps.concat(ss_parts)
    # never while telephony or the IVR is down, never outside the period
    sysd = outage_system(cs, ivr_only["start"], np.zeros(len(ivr_only["start"]), np.int64))
    keep = (ivr_only["start"] >= 0) & (ivr_only["end"] < horizon) & ~np.isin(sysd, ["telephony", "ivr"])
    ivr_only = ivr_only.take(np.flatnonzero(keep))
    k = ivr_only["start"].size
    ivr_only["contact"] = next_contact + np.arange(k)
    next_contact += k

    parts = [voice_ivr, voice_call, ivr_only]
    dates = np.datetime64(t0, "D") + np.arange(n_days)
    dow = (dates.astype(np.int64) - 4) % 7
    weekly = np.array(cs.weekly_profile.factors())
    within_day = (grid.cum_through - grid.cum_before).reshape(n_days, 48)

    # -- chat ------------------------------------------------------------------------------------
    if ch.chat is not None:
        c = ch.chat
        expected = c.daily_volume * within_day * (weekly[dow] * sim.day_factors(rng, n_days, cv=0.1))[:, None]
        at = np.floor(sim.arrival_times(rng, expected.ravel(), HALF_HOUR))
        m = at.size
        cq, creason = _reasons(cs, c.queues, m, rng)
        patience = np.maximum(np.round(rng.exponential(c.patience_mean_s, m)), 1.0)
        busy = _lognormal(rng, c.handle_mean_s, c.handle_cv, m)
        s0, s1 = _day_servers(cs, grid, c.agents, c.concurrency)
        r = sim.serve_fcfs(at, patience, busy, s0, s1)
        u = rng.random(m)
        out = np.select([r.abandoned, u < c.callback_share, u < c.callback_share + (1 - c.callback_share) * c.resolve_prob],
                        [ABANDONED, CALLBACK, RESOLVED], UNRESOLVED)
        end = np.where(r.abandoned, at + r.wait_s, r.answered_s + busy)
        parts.append(Steps.make(m, contact=next_contact + np.arange(m), cust=_callers(rng, m, 0.85, n_callers),
                                channel=CHAT, step=CHAT_STEP, start=at, answered=r.answered_s, end=end, q=cq,
                                reason=creason, outcome=out, target=np.where(out == CALLBACK, nq, -1),
                                handle=np.where(r.abandoned, np.nan, busy),
                                wrap=np.where(r.abandoned, np.nan, _lognormal(rng, 30, 0.6, m))))
        next_contact += m

    # -- e-mail ----------------------------------------------------------------------------------
    if ch.email is not None:
        e = ch.email
        day_f = np.where(dow < 5, weekly[np.minimum(dow, 4)], e.weekend_factor)
        expected = np.repeat(e.daily_volume * day_f / 48, 48)
        at = np.floor(sim.arrival_times(rng, expected, HALF_HOUR))
        m = at.size
        eq, ereason = _reasons(cs, e.queues, m, rng)
        busy = _lognormal(rng, e.handle_mean_s, e.handle_cv, m)
        s0, s1 = _day_servers(cs, grid, e.agents, 1)
        r = sim.serve_fcfs(at, np.full(m, np.inf), busy, s0, s1)
        replied = np.isfinite(r.wait_s) & ~np.isnan(r.answered_s) & (r.answered_s + busy < horizon)
        u = rng.random(m)
        out = np.select([~replied, u < e.callback_share, u < e.callback_share + (1 - e.callback_share) * e.resolve_prob],
                        [O_OPEN, CALLBACK, RESOLVED], UNRESOLVED)
        parts.append(Steps.make(m, contact=next_contact + np.arange(m), cust=_callers(rng, m, 0.97, n_callers),
                                channel=EMAIL, step=EMAIL_STEP, start=at,
                                answered=np.where(replied, r.answered_s, np.nan),
                                end=np.where(replied, r.answered_s + busy, np.nan), q=eq, reason=ereason,
                                outcome=out, target=np.where(out == CALLBACK, nq, -1),
                                handle=np.where(replied, busy, np.nan),
                                wrap=np.where(replied, _lognormal(rng, 30, 0.6, m), np.nan)))
        next_contact += m

    # -- callbacks promised on a call, chat or e-mail ----------------------------------------------
    # the fields the callbacks copy, joined once here; every field is joined once, callbacks included, below
    steps = Steps({k: np.concatenate([p[k] for p in parts])
                   for k in ("outcome", "end", "contact", "step_no", "cust", "q", "reason")})
    cb = ch.callbacks
    parent = np.flatnonzero(steps["outcome"] == CALLBACK)
    m = parent.size
    when = snap_open(grid, steps["end"][parent] + 300 + rng.exponential(cb.delay_mean_s, m), rng)
    connect = rng.random(m) < cb.connect_prob
    ring = np.round(8 + 17 * rng.random(m))
    tk = _lognormal(rng, cb.talk_mean_s, cb.talk_cv, m)
    resolved = rng.random(m) < cb.resolve_prob
    made = np.isfinite(when) & (when + ring + tk < horizon)
    cbs = Steps.make(m, contact=steps["contact"][parent], step_no=steps["step_no"][parent] + 1,
                     cust=steps["cust"][parent], channel=CALLBACK_CH, step=OUTBOUND, start=when,
                     answered=np.where(connect, when + ring, np.nan),
                     end=np.where(connect, when + ring + tk, when + 30), q=steps["q"][parent],
                     reason=steps["reason"][parent],
                     outcome=np.select([~connect, resolved], [O_NO_ANSWER, RESOLVED], UNRESOLVED),
                     handle=np.where(connect, tk, np.nan),
                     wrap=np.where(connect, _lognormal(rng, 40, 0.6, m), np.nan)).take(np.flatnonzero(made))
    steps = Steps.concat([*parts, cbs])

    # -- contact ids in order of first contact; steps in contact order ------------------------------
    first = np.full(next_contact, np.inf)
    np.minimum.at(first, steps["contact"], steps["start"])
    corder = _order(first)
    rank = np.empty(next_contact, np.int64)
    rank[corder] = np.arange(next_contact)
    steps["contact"] = rank[steps["contact"]]
    steps = steps.take(_by_contact(steps["contact"], steps["step_no"], next_contact))
    journeys, contact_ids = _journeys_frame(cs, steps, internal, calls, t0, next_contact)
    events, faults = _mis_events(cs, steps, journeys, contact_ids, internal, calls, grid, rng_faults)
    return journeys, events, measurement_points_frame(cs), faults


def _journeys_frame(cs, steps: Steps, internal, calls, t0, n_contacts):
    queues = strings(cs.queue_names + ["callback"])
    call_ids = arrow(calls["call_id"])
    contact_ids = ids("J", n_contacts, 7)
    n = steps["start"].size
    frame = conform("journeys", {
        "step_id": ids("S", n, 8), "contact_id": take(contact_ids, steps["contact"]), "step_no": steps["step_no"],
        "customer_id": internal["caller_ids"](steps["cust"]),
        "channel": _codes(CHANNELS, steps["channel"]), "step": _codes(STEPS, steps["step"]),
        "started_at": _sec(t0, steps["start"]), "answered_at": _sec(t0, steps["answered"]),
        "ended_at": _sec(t0, steps["end"]), "queue": _codes(queues, steps["q"]),
        "ivr_option": _codes([o.key for o in cs.channels.ivr.options], steps["option"]),
        "reason": _codes(internal["reason_names"], steps["reason"]),
        "outcome": _codes(J_OUTCOMES, steps["outcome"]),
        "transfer_target": _codes(queues, steps["target"]), "call_id": coded(call_ids, steps["call"])})
    return frame, contact_ids


def _mis_events(cs, steps: Steps, journeys, contact_ids, internal, calls, grid, rng):
    """The systems' records of each step, then the measurement faults (ground truth returned apart)."""
    meas = cs.channels.measurement
    t0 = grid.t0
    ch, st, oc = steps["channel"], steps["step"], steps["outcome"]
    start, answered, end = steps["start"], steps["answered"], steps["end"]
    sysi = {s: i for i, s in enumerate(MIS_SYSTEMS)}
    ev = {e: i for i, e in enumerate(EVENTS)}
    val = {v: i for i, v in enumerate(VALUES)}
    nv = len(VALUES)  # values >= nv are journey outcome codes (nv + code)
    rows = []  # (step index, system, event, time, duration, value)

    def add(idx, system, event, time, duration, value):
        rows.append((idx, np.full(idx.size, sysi[system], dtype=np.int8), np.full(idx.size, ev[event], dtype=np.int8),
                     time, duration, np.broadcast_to(np.asarray(value, dtype=np.int64), idx.size)))

    i = np.flatnonzero(ch == IVR)
    add(i, "ivr", "ivr_session", start[i], end[i] - start[i], nv + oc[i])
    i = np.flatnonzero((st == QUEUE_CALL) & (oc != LOST))
    ab = np.isnan(answered[i])
    add(i, "acd", "call_offered", start[i], np.where(ab, end[i], answered[i]) - start[i],
        np.where(ab, val["abandoned"], val["answered"]))
    i = np.flatnonzero(ch == CHAT)
    ab = np.isnan(answered[i])
    add(i, "chat", "chat_session", start[i], np.where(ab, end[i], answered[i]) - start[i],
        np.where(ab, val["abandoned"], val["answered"]))
    i = np.flatnonzero(ch == EMAIL)
    add(i, "ticketing", "email_received", start[i], np.full(i.size, np.nan), -1)
    i = i[~np.isnan(end[i])]
    add(i, "ticketing", "email_replied", end[i], end[i] - start[i], val["reply_sent"])
    i = np.flatnonzero(ch == CALLBACK_CH)
    ok = ~np.isnan(answered[i])
    add(i, "acd", "outbound_call", start[i], np.where(ok, end[i] - answered[i], 0.0),
        np.where(ok, val["connected"], val["no_answer"]))
    i = np.flatnonzero(~np.isnan(steps["handle"]))
    add(i, "crm", "wrap_code", end[i] + steps["wrap"][i], steps["handle"][i], nv + oc[i])

    idx = np.concatenate([r[0] for r in rows])
    system = np.concatenate([r[1] for r in rows])  # int8 codes from the start (no int64 copies)
    event = np.concatenate([r[2] for r in rows])
    time = np.concatenate([r[3] for r in rows])
    duration = np.concatenate([r[4] for r in rows])
    value = np.concatenate([r[5] for r in rows])
    n = idx.size
    # fault kind per record (index into FAULT_KINDS, -1 none) and what its detail needs: the skew
    # window, the true code, or the record a duplicate copies
    FAULT_KINDS = ("clock_skew", "miscoded_disposition", "missing_wrap_code", "double_counted_transfer")
    kind = np.full(n, -1, dtype=np.int8)
    aux = np.zeros(n, dtype=np.int64)

    # wrap codes: mis-coded (another code of the channel's list) or not saved
    rates = meas.fault_rates
    wrap_idx = np.flatnonzero(event == ev["wrap_code"])
    wrap_idx = wrap_idx[kind[wrap_idx] < 0]
    n_wrap = wrap_idx.size
    for fk, name in ((1, "miscoded_disposition"), (2, "missing_wrap_code")):
        cand = wrap_idx[kind[wrap_idx] < 0]
        k = min(int(round(rates.get(name, 0.0) * n_wrap)), cand.size)
        pick = np.sort(rng.choice(cand, k, replace=False)) if k else np.zeros(0, np.int64)
        kind[pick] = fk
        true = value[pick] - nv
        aux[pick] = true
        if fk == 1:
            chan = ch[idx[pick]]
            new = true.copy()
            for c, codes in WRAP_CODES.items():
                mm = np.flatnonzero(chan == c)
                codes = np.sort(np.asarray(codes))
                pos = np.searchsorted(codes, true[mm])
                new[mm] = codes[(pos + rng.integers(1, codes.size, mm.size)) % codes.size]
            value[pick] = nv + new
        else:
            value[pick] = -1
    # clock skew: a system's clock off by an offset on `days` consecutive open days
    day = (time // DAY).astype(np.int64)
    open_days = np.flatnonzero(grid.open.reshape(grid.n_days, 48).any(axis=1))
    skew_text = []
    for sk in meas.clock_skew:
        if open_days.size == 0:
            break
        d = min(sk.days, open_days.size)
        first = int(rng.integers(0, open_days.size - d + 1))
        window = open_days[first:first + d]
        offset = float(np.round(rng.uniform(*sk.offset_s)))
        hit = np.flatnonzero((system == sysi[sk.system]) & (day >= window[0]) & (day <= window[-1]) & (kind < 0))
        hit = hit[np.isin(day[hit], window)]
        time[hit] += offset
        kind[hit] = 0
        aux[hit] = len(skew_text)
        d0 = np.datetime64(t0, "D") + int(window[0])
        d1 = np.datetime64(t0, "D") + int(window[-1])
        skew_text.append(f"{sk.system} clock {offset:+.0f} s from {d0} to {d1}")
    # double-counted transfers: the ACD logs an IVR-to-queue transfer as a second offered call
    offered = np.flatnonzero(event == ev["call_offered"])
    k = min(int(round(rates.get("double_counted_transfer", 0.0) * offered.size)), offered.size)
    dup_src = np.sort(rng.choice(offered, k, replace=False)) if k else np.zeros(0, np.int64)
    lag = np.round(rng.uniform(0, 3, k))
    n0 = idx.size
    time = np.concatenate([time, time[dup_src] + lag])
    order = _order(time, np.concatenate([system, system[dup_src]]))
    rank = np.empty(order.size, np.int64)
    rank[order] = np.arange(order.size)
    # the records in time order, the duplicates (positions >= n0) taken from their sources: one gather per
    # column instead of appending the duplicates to every column first
    dup = np.flatnonzero(order >= n0)
    src = order.copy()
    src[dup] = dup_src[order[dup] - n0]
    idx, system, event, duration, value, kind, aux = (a[src] for a in (idx, system, event, duration, value, kind, aux))
    time = time[order]
    duration[dup] = np.maximum(duration[dup] - lag[order[dup] - n0], 0)
    kind[dup] = 3
    aux[dup] = src[dup]
    event_ids = ids("E", idx.size, 8)
    all_values = list(VALUES) + list(J_OUTCOMES)
    col = lambda name: _gather(journeys[name], idx)  # noqa: E731  (the step's own fields)
    frame = conform("mis_events", {
        "event_id": event_ids, "system": _codes(MIS_SYSTEMS, system), "event": _codes(EVENTS, event),
        "contact_id": col("contact_id"), "call_id": col("call_id"), "channel": _codes(CHANNELS, ch[idx]),
        # each system records the queue the contact is in; only the IVR records where it routed the caller
        # (a voice, chat or e-mail step followed by a callback is still recorded on its own queue)
        "queue": _codes(cs.queue_names + ["callback"], np.where((ch[idx] == IVR) & (steps["target"][idx] >= 0),
                                                                steps["target"][idx], steps["q"][idx])),
        "customer_id": col("customer_id"), "recorded_at": _sec(t0, time), "duration_s": np.round(duration),
        "value": _codes(all_values, value)})
    # ground truth, computed for the faulty records only
    bad = np.flatnonzero(kind >= 0)
    kb, ab = kind[bad], aux[bad]
    names_ = np.asarray(J_OUTCOMES, dtype=object)
    detail = np.empty(bad.size, dtype=object)
    m = kb == 0
    detail[m] = np.asarray(skew_text + [""], dtype=object)[ab[m]]
    m = kb == 1
    detail[m] = "true code " + names_[ab[m]] + ", recorded " + names_[value[bad[m]] - nv]
    m = kb == 2
    detail[m] = "true code " + names_[ab[m]]
    m = kb == 3
    as_object = lambda a: a.to_numpy(zero_copy_only=False).astype(object)  # noqa: E731
    detail[m] = "duplicate of " + as_object(take(event_ids, rank[ab[m]]))
    if not bad.size:
        return frame, pd.DataFrame({
            "fault_id": as_object(ids("F", bad.size, 6)),
            "table": "mis_events", "record_id": as_object(take(event_ids, bad)),
            "column": np.array(["recorded_at", "value", "value", "event_id"], dtype=object)[kb],
            "kind": np.asarray(FAULT_KINDS, dtype=object)[kb], "detail": detail}, columns=FAULT_COLUMNS)
    # pandas' default string columns (what it makes of these strings as Python objects) built in pyarrow
    as_str = lambda a: pd.arrays.ArrowStringArray(  # noqa: E731
        a.cast(pa.large_string()), dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    faults = pd.DataFrame({
        "fault_id": as_str(digits("F######", np.arange(1, bad.size + 1))),  # ids("F", n, 6), its own buffers
        "table": as_str(_codes(["mis_events"], np.zeros(bad.size, np.int64))),
        "record_id": as_str(take(event_ids, bad)),
        "column": as_str(_codes(["recorded_at", "value", "value", "event_id"], kb)),
        "kind": as_str(_codes(FAULT_KINDS, kb)), "detail": as_str(pa.array(detail, pa.large_string()))},
        columns=FAULT_COLUMNS)
    return frame, faults


def measurement_points_frame(cs: CaseStudy) -> pd.DataFrame:
    sysname = cs.channels.measurement.systems
    p = MEASUREMENT_POINTS
    return conform("measurement_points", {
        "point_id": [f"MP{k + 1:02d}" for k in range(len(p))], "channel": [x[0] for x in p],
        "step": [x[1] for x in p], "system": [x[2] for x in p], "system_name": [sysname[x[2]] for x in p],
        "event": [x[3] for x in p], "measures": [x[4] for x in p], "method": [x[5] for x in p]})


def empty_faults() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FAULT_COLUMNS})


def empty_tables() -> dict[str, pd.DataFrame]:
    """The channel tables of a case study without ``channels`` (no rows)."""
    from helpers.tables import TABLES
    return {name: conform(name, {c: [] for c in TABLES[name].column_names})
            for name in ("journeys", "mis_events", "measurement_points")}
