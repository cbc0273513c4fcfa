"""What calls lead to: sales, post-call surveys, complaints, and customers leaving.

* Sales: every call with ``outcome == 'sale'``; the product is the campaign's, else one that fits
  the call's reason (``sale_products`` of the sales queue), revenue = 12 months of a monthly price or
  the one-off price (AUD).
* Surveys: sent after a share of answered calls from identified customers. A latent satisfaction
  falls with the wait (about 0.35 CSAT points per doubling past 30 s), when the call was not resolved,
  for repeat calls and during a CRM outage; CSAT (1-5, J-shaped: more 1s than 2s, ``CSAT_CUTS``) and
  NPS (0-10) are read off it. Comments are
  drawn from the verbatim pools by a topic that fits the call (long wait -> wait time, unresolved ->
  resolution, billing queue -> billing error, ...) and the sentiment of the score.
* Complaints: more likely after a bad experience (long wait, abandoned after a long wait, unresolved,
  repeat call, outage); some arrive by e-mail, web form or letter without a call.
* Churn during the period: some customers who called to close their account or turned down a
  retention offer, plus the case study's background rate (``churn_annual_rate`` x the segment's
  ``churn_factor``: most leavers switch without calling); ``churned_at`` follows their last call.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers.casestudy import CaseStudy
from helpers.generator.calls import ABANDONED, LOST, NO_SALE, SALE, UNRESOLVED
from helpers.generator.frames import arrow, conform, ids, index_in, rows_of, strings, take, with_nulls
from helpers.generator.pools import Pools
from helpers.providers.verbatims import SENTIMENTS, TOPICS

DAY_NS = np.timedelta64(86_400_000_000_000, "ns")
TOPIC = {t: i for i, t in enumerate(TOPICS)}
QUEUE_TOPIC = {"billing": "billing_error", "fulfilment": "delivery_fulfilment", "sales": "price_value",
               "collections": "complaint_handling", "customer_service": "product_fault"}


def days(x) -> np.ndarray:
    return (np.asarray(x, dtype=np.float64) * 86_400e9).astype(np.int64).astype("timedelta64[ns]")


def make_sales(cs: CaseStudy, calls: pd.DataFrame, internal: dict, rng: np.random.Generator) -> pd.DataFrame:
    sold = calls.take(np.flatnonzero(internal["outcome"] == SALE))
    m = len(sold)
    products = {p.id: p for p in cs.products}
    camp_product = {c.id: c.product_id for c in cs.campaigns}
    sales_q = next((q for q in cs.queues if q.sale_prob is not None), None)
    mapping = (sales_q.sale_products if sales_q and sales_q.sale_products else {})
    all_ids = [p.id for p in cs.products]
    reasons = sold["reason"].to_numpy(dtype=object)
    camp = sold["campaign_id"].to_numpy(dtype=object, na_value=None)
    u = rng.random(m)
    product = np.empty(m, dtype=object)
    for r in np.unique(reasons):
        sel = reasons == r
        options = mapping.get(r, all_ids)
        product[sel] = np.array(options, dtype=object)[(u[sel] * len(options)).astype(int)]
    from_campaign = np.array([camp_product.get(c) if c is not None else None for c in camp], dtype=object)
    product = np.where(from_campaign != None, from_campaign, product)  # noqa: E711
    revenue = np.array([products[p].price_aud * (12 if products[p].billing == "monthly" else 1) for p in product])
    return conform("sales", {
        "sale_id": ids("SL", m, 6), "call_id": sold["call_id"], "customer_id": sold["customer_id"],
        "agent_id": sold["agent_id"], "product_id": product, "campaign_id": camp,
        "sold_at": (sold["answered_at"] + pd.to_timedelta(sold["talk_s"] + sold["hold_s"], unit="s")).to_numpy(),
        "revenue_aud": revenue})


def _topics(rng, calls: pd.DataFrame, internal: dict, sel: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """A topic per selected call, drawn from weights that fit what happened on the call."""
    n = sel.size
    w = np.full((n, len(TOPICS)), 0.4)
    wait = calls["wait_s"].to_numpy()[sel]
    outcome = internal["outcome"][sel]
    unresolved = np.isin(outcome, [UNRESOLVED, NO_SALE, ABANDONED])
    w[:, TOPIC["wait_time"]] += np.where(wait > 120, 4.0, np.where(wait > 30, 1.0, 0.0))
    w[:, TOPIC["resolution"]] += np.where(unresolved | calls["is_repeat"].to_numpy()[sel], 3.0, 1.0)
    w[:, TOPIC["staff_attitude"]] += np.where(negative, 0.6, 2.0)
    w[:, TOPIC["website_app"]] += 0.5
    w[:, TOPIC["complaint_handling"]] += np.where(internal["crm"][sel], 1.0, 0.0)
    q = internal["q"][sel]
    for qi, queue in enumerate(internal["queues"]):
        if queue in QUEUE_TOPIC:
            w[:, TOPIC[QUEUE_TOPIC[queue]]] += np.where(q == qi, 2.5, 0.0)
    cum = np.cumsum(w, axis=1)
    return (rng.random(n)[:, None] * cum[:, -1:] > cum).sum(axis=1)


def _verbatims(rng, pools: Pools, kind: str, topic: np.ndarray, sentiment: np.ndarray) -> pa.Array:
    """Texts from the pools for each (topic, sentiment) row: one take from the concatenated pools."""
    cells = [(t, s) for t in range(len(TOPICS)) for s in SENTIMENTS]
    arrays, offsets, sizes = [], [], []
    for t, s_ in cells:
        pool = pools.verbatims.get((kind, TOPICS[t], s_))
        offsets.append(sum(len(a) for a in arrays))
        sizes.append(len(pool) if pool is not None else 0)
        if pool is not None:
            arrays.append(pool)
    cell = topic * len(SENTIMENTS) + np.searchsorted(np.array(SENTIMENTS), sentiment) \
        if sentiment.dtype.kind in "UO" else topic * len(SENTIMENTS) + sentiment
    cell = np.asarray(cell, dtype=np.int64)
    size = np.array(sizes)[cell]
    if (size == 0).any():
        raise ValueError(f"no {kind} verbatims for some topic/sentiment cells")
    idx = np.array(offsets)[cell] + (rng.random(cell.size) * size).astype(np.int64)
    return take(pa.concat_arrays(arrays), idx)


# Cut points of the latent satisfaction for CSAT 2, 3, 4 and 5. Real 5-point satisfaction scores are
# J-shaped: most answers are 5, then 4, few 3 and 2, and more 1s than 2s (unhappy customers pick the
# extreme): the bands for 2 and 3 are narrow, 1 takes everything below 2.5.
CSAT_CUTS = (2.5, 2.85, 3.4, 4.1)


def csat_from_latent(latent: np.ndarray) -> np.ndarray:
    """CSAT 1-5 (float) from the latent satisfaction by ``CSAT_CUTS``."""
    return 1.0 + np.searchsorted(np.array(CSAT_CUTS), latent, side="right").astype(float)


def make_surveys(cs: CaseStudy, calls: pd.DataFrame, internal: dict, pools: Pools,
                 rng: np.random.Generator) -> pd.DataFrame:
    sv = cs.surveys
    outcome = internal["outcome"]
    answered = (outcome != ABANDONED) & (outcome != LOST) & (internal["cust"] >= 0)
    sel = np.flatnonzero(answered & (rng.random(len(calls)) < sv.invite_share))
    c = calls.take(sel)
    m = sel.size
    wait = c["wait_s"].to_numpy()
    seg = internal["segment"][sel]
    shift = np.array([s.csat_shift for s in cs.segments] + [0.0])[seg]
    out = outcome[sel]
    unresolved = (out == UNRESOLVED) | (out == NO_SALE)
    latent = (4.6 + shift - 0.35 * np.log2(1 + np.maximum(wait - 30, 0) / 30) - 1.3 * unresolved
              - 0.5 * c["is_repeat"].to_numpy() - 0.5 * internal["crm"][sel] + 0.3 * (out == SALE)
              + rng.normal(0, 0.75, m))
    responded = rng.random(m) < sv.response_rate * np.where(latent < 2.5, 1.25, 1.0)
    csat = csat_from_latent(latent)
    nps = np.clip(np.round(2.3 * latent - 1.2 + rng.normal(0, 1.1, m)), 0, 10)
    senti = np.where(csat >= 4, 0, np.where(csat == 3, 1, 2))  # index into SENTIMENTS
    has_text = responded & (rng.random(m) < sv.verbatim_share)
    topic = _topics(rng, calls, internal, sel, senti == 2)
    text = _verbatims(rng, pools, "survey", topic, senti)
    none = ~has_text
    return conform("surveys", {
        "survey_id": ids("V", m, 6), "call_id": c["call_id"], "customer_id": c["customer_id"],
        "sent_at": c["ended_at"].to_numpy() + days(rng.uniform(5, 90, m) / 1440),
        "responded": responded,
        "csat": np.where(responded, csat, np.nan), "nps": np.where(responded, nps, np.nan),
        "verbatim": with_nulls(text, none),
        "topic": with_nulls(take(strings(TOPICS), topic), none),
        "sentiment": with_nulls(take(strings(SENTIMENTS), senti), none)})


def make_complaints(cs: CaseStudy, calls: pd.DataFrame, internal: dict, customers: pd.DataFrame,
                    pools: Pools, rng: np.random.Generator, t0: np.datetime64, period_end: np.datetime64) -> pd.DataFrame:
    cp = cs.complaints
    outcome = internal["outcome"]
    known = (internal["cust"] >= 0) & (outcome != LOST)
    wait = calls["wait_s"].to_numpy()
    bad = ((wait > 300) | (outcome == UNRESOLVED) | (outcome == NO_SALE) | calls["is_repeat"].to_numpy()
           | internal["crm"] | ((outcome == ABANDONED) & (wait > 180)))
    p = cp.base_rate * np.where(bad, cp.bad_experience_factor, 1.0)
    sel = np.flatnonzero(known & (rng.random(len(calls)) < p))
    c = calls.take(sel)
    k = sel.size
    n_other = int(rng.binomial(max(int(round(k * cp.other_channel_share / (1 - cp.other_channel_share))) * 2, 0), 0.5))
    t0 = np.datetime64(t0, "ns")
    span = (np.datetime64(period_end, "ns") - t0) / DAY_NS
    other_t = t0 + days(rng.random(n_other) * span)
    # by e-mail, web or letter: any account of the organisation (internal["caller_ids"]), like the callers
    other_c = internal["caller_ids"](rng.integers(0, internal["n_callers"], n_other))
    topic = np.concatenate([_topics(rng, calls, internal, sel, np.ones(k, bool)), rng.integers(0, len(TOPICS), n_other)])
    m = k + n_other
    received = np.concatenate([c["ended_at"].to_numpy() + days(rng.uniform(0, 60, k) / 1440), other_t])
    order = np.argsort(received, kind="stable")
    severity_u = rng.random(m)
    severity = np.where(severity_u < 0.55, "low", np.where(severity_u < 0.9, "medium", "high")).astype(object)
    escalated = rng.random(m) < cp.external_escalation * np.where(severity == "high", 3, 1)
    resolve_days = rng.lognormal(np.log(np.where(severity == "high", 9, 3)), 0.8, m)
    channel = np.concatenate([np.full(k, "phone", dtype=object),
                              np.array(["email", "web", "letter"], dtype=object)[rng.choice(3, n_other, p=[0.5, 0.4, 0.1])]])
    text = _verbatims(rng, pools, "complaint", topic, np.full(m, 2))
    cust = pa.concat_arrays([arrow(c["customer_id"]), other_c])
    call_id = pa.concat_arrays([arrow(c["call_id"]), pa.nulls(n_other, pa.string())])
    handling = complaint_handling(cp, rng, received, severity, resolve_days, escalated, period_end)
    resolved = handling.pop("resolved_at")
    return conform("complaints", {
        "complaint_id": ids("P", m, 5), "customer_id": take(cust, order), "call_id": take(call_id, order),
        "received_at": received[order], "channel": channel[order],
        "category": take(strings(TOPICS), topic[order]), "verbatim": take(text, order),
        "severity": severity[order], "resolved_at": resolved[order], "escalated_external": escalated[order],
        **{k: v[order] for k, v in handling.items()}})


def _business_time(stamp: np.ndarray, working_days: np.ndarray, rng, hours=(9.0, 17.0)) -> np.ndarray:
    """``working_days`` working days after ``stamp``'s day (0: the same day if a working day, else the
    next), at a time of day within business hours, never before ``stamp``."""
    from helpers.generator.calendar import NATIONAL_HOLIDAYS
    d = np.asarray(stamp, dtype="datetime64[ns]").astype("datetime64[D]")
    day = np.busday_offset(d, np.asarray(working_days, dtype=np.int64), roll="forward", holidays=NATIONAL_HOLIDAYS)
    tod = days((hours[0] + rng.random(d.size) * (hours[1] - hours[0])) / 24)
    out = day.astype("datetime64[ns]") + tod
    return np.maximum(out, np.asarray(stamp, dtype="datetime64[ns]") + np.timedelta64(5, "m"))


def complaint_handling(cp, rng, received, severity, resolve_days, escalated_ext, period_end) -> dict:
    """Timestamps of each complaint's handling against the case study's complaints policy.

    Acknowledged on the day or the next working day (a share ``policy_breach_share`` late, 2-4 working
    days); investigation starts within hours; complaints not resolved within ``resolve_working_days``
    (or escalated at the customer's request, ``internal_escalation``) go to internal dispute
    resolution on the deadline (also those resolved late only because they went to the ombudsman); those escalated externally go to the ombudsman 3-25 days after
    receipt. Times after the end of the period are empty (still open). All arrays in received order.
    """
    m = received.size
    end = np.datetime64(period_end, "ns")
    nat = np.datetime64("NaT", "ns")
    late = rng.random(m) < cp.policy_breach_share
    ack_days = np.where(late, rng.integers(cp.acknowledge_working_days + 1, cp.acknowledge_working_days + 4, m),
                        np.where(rng.random(m) < 0.7, 0, cp.acknowledge_working_days))
    ack = _business_time(received, ack_days, rng)
    invest = ack + days(rng.lognormal(np.log(4 / 24), 0.8, m))
    resolved = received + days(resolve_days)
    wd = np.busday_count(received.astype("datetime64[D]"), resolved.astype("datetime64[D]"),
                         holidays=_holidays())
    overdue = wd > cp.resolve_working_days
    asked = rng.random(m) < cp.internal_escalation * np.where(severity == "high", 2.0, 1.0)
    internal = overdue | asked
    int_days = np.where(overdue, cp.resolve_working_days, rng.integers(1, max(cp.resolve_working_days, 2), m))
    esc_int = np.where(internal, _business_time(received, int_days, rng), nat)
    esc_int = np.where(internal, np.maximum(esc_int, invest + np.timedelta64(1, "h")), nat)
    esc_ext = np.where(escalated_ext, received + days(rng.uniform(3, 25, m)), nat)
    esc_ext = np.where(escalated_ext, np.maximum(esc_ext, invest + np.timedelta64(1, "h")), nat)
    # the final resolution comes after any escalation (ombudsman cases take weeks)
    resolved = np.where(escalated_ext, np.maximum(resolved, esc_ext + days(rng.uniform(10, 40, m))), resolved)
    resolved = np.where(internal, np.maximum(resolved, esc_int + days(rng.uniform(1, 10, m))), resolved)
    resolved = np.maximum(resolved, invest + np.timedelta64(2, "h"))
    # resolved past the deadline only because of the ombudsman (or a slow start): internal dispute
    # resolution on the deadline as well, like every overdue complaint
    wd = np.busday_count(received.astype("datetime64[D]"), resolved.astype("datetime64[D]"), holidays=_holidays())
    late_now = np.flatnonzero((wd > cp.resolve_working_days) & ~internal)
    if late_now.size:
        internal = internal.copy()
        internal[late_now] = True
        when = _business_time(received[late_now], np.full(late_now.size, cp.resolve_working_days), rng)
        esc_int[late_now] = np.minimum(np.maximum(when, invest[late_now] + np.timedelta64(1, "h")),
                                       resolved[late_now] - np.timedelta64(1, "h"))
    open_ = resolved > end
    status = np.select([~open_, escalated_ext & (esc_ext <= end), internal & (esc_int <= end)],
                       ["resolved", "escalated_external", "escalated_internal"], "open").astype(object)
    after = lambda x: np.where(x <= end, x, nat)  # noqa: E731
    return {"resolved_at": np.where(open_, nat, resolved), "acknowledged_at": np.minimum(ack, end - np.timedelta64(1, "s")),
            "investigation_started_at": np.minimum(invest, end - np.timedelta64(1, "s")),
            "escalated_internal_at": after(esc_int), "escalated_external_at": after(esc_ext), "status": status}


def _holidays():
    from helpers.generator.calendar import NATIONAL_HOLIDAYS
    return NATIONAL_HOLIDAYS


def make_qa_evaluations(cs: CaseStudy, calls: pd.DataFrame, internal: dict, roster, rng: np.random.Generator,
                        period_end: np.datetime64) -> pd.DataFrame:
    """Quality-assurance evaluations of sampled answered calls (about one per agent a week).

    Each item (0-2) is read off a latent = 0.4 x the agent's quality (``roster.traits``: proficiency and
    tenure) + 1.75 + the evaluator's leniency (sd 0.15) + what happened on the call (unresolved ->
    resolution, CRM outage -> wrap notes and verification, a very short call -> everything low, a long
    wait -> empathy) + noise (sd 0.55); cuts at 0.2 and 1.1. Score = items / maximum x 100.
    """
    qa = cs.quality_assurance
    agent = internal["agent"]
    outcome = internal["outcome"]
    ok = (agent >= 0) & (outcome != ABANDONED) & (outcome != LOST)
    idx = np.flatnonzero(ok)
    weeks = max((np.datetime64(period_end, "ns") - calls["arrived_at"].min()) / np.timedelta64(7, "D"), 1 / 7)
    k = max(int(round(qa.evaluations_per_agent_week * weeks)), 1)
    key = rng.random(idx.size)
    # np.lexsort((key, agent[idx])) in two stable passes, the second a radix sort of 16-bit agent numbers
    order = np.argsort(key, kind="stable")
    by_agent = agent[idx][order]
    if by_agent.size and 0 <= by_agent.min() and by_agent.max() < 2 ** 15:
        order = order[np.argsort(by_agent.astype(np.int16), kind="stable")]
    else:
        order = np.lexsort((key, agent[idx]))
    a_sorted = agent[idx][order]
    first = np.r_[0, np.flatnonzero(np.diff(a_sorted)) + 1]
    rank = np.arange(a_sorted.size) - np.repeat(first, np.diff(np.r_[first, a_sorted.size]))
    sel = np.sort(idx[order][rank < k])
    n = sel.size
    ag = agent[sel]
    agents = roster.agents
    traits = roster.traits
    team = agents["team"].to_numpy(dtype=object)
    leaders = np.flatnonzero(agents["role"].to_numpy(dtype=object) == "team_leader")
    lead_of = {}
    for t in np.unique(team[leaders]):
        lead_of[t] = leaders[team[leaders] == t]
    evaluator = np.array([lead_of.get(team[a], leaders)[a % len(lead_of.get(team[a], leaders))] for a in np.unique(ag)])
    ev = evaluator[np.searchsorted(np.unique(ag), ag)]
    leniency = rng.normal(0, 0.15, len(agents))[ev]
    quality = traits["quality"].to_numpy()[ag]
    out = outcome[sel]
    unresolved = np.isin(out, [UNRESOLVED, NO_SALE])
    short = internal["short"][sel]
    crm = internal["crm"][sel]
    wait = calls["wait_s"].to_numpy()[sel]
    effects = {"greeting": 0.6, "verification": 0.2 - 0.6 * crm, "needs_analysis": 0.0,
               "resolution": -1.4 * unresolved, "compliance": 0.3, "empathy": -0.3 * (wait > 180),
               "wrap_notes": -0.9 * crm}
    items = {}
    for name in qa.items:
        latent = 0.4 * quality + 1.75 + leniency + effects.get(name, 0.0) - 2.0 * short + rng.normal(0, 0.55, n)
        items[name] = np.where(latent < 0.2, 0, np.where(latent < 1.1, 1, 2)).astype(np.int64)
    total = sum(items.values())
    ended = calls["ended_at"].to_numpy()[sel]
    evaluated = np.minimum(_business_time(ended, rng.integers(1, 6, n), rng),
                           np.datetime64(period_end, "ns") - np.timedelta64(1, "s"))
    evaluated = np.maximum(evaluated, ended)
    aid = agents["agent_id"].to_numpy(dtype=object)
    crit = np.zeros(n, bool)
    for name in ("verification", "compliance"):
        if name in items:
            crit |= items[name] == 0
    return conform("qa_evaluations", {
        "evaluation_id": ids("Q", n, 5), "call_id": rows_of(calls["call_id"], sel),
        "agent_id": aid[ag], "evaluator_id": aid[ev], "evaluated_at": evaluated,
        **{name: items.get(name, np.zeros(n, np.int64)) for name in
           ("greeting", "verification", "needs_analysis", "resolution", "compliance", "empathy", "wrap_notes")},
        "score": np.round(100.0 * total / (2 * len(qa.items)), 1), "critical_fail": crit})


def apply_churn(customers: pd.DataFrame, holdings: pd.DataFrame, calls: pd.DataFrame, internal: dict,
                rng: np.random.Generator, t0: np.datetime64, period_end: np.datetime64,
                cs: CaseStudy | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers leaving during the period, after their last call (see module doc)."""
    n_cust = len(customers)
    cust, outcome = internal["cust"], internal["outcome"]
    names = internal["reason_names"]
    reason = internal["reason"]
    close = reason == (names.index("close_account") if "close_account" in names else -2)
    retention = reason == (names.index("retention_offer") if "retention_offer" in names else -2)
    # many "close account" calls are moves within the network: only some customers leave
    p = np.where(close, 0.15, np.where(retention & (outcome == NO_SALE), 0.1, 0.0))
    known = (cust >= 0) & (cust < n_cust) & (outcome != LOST)  # customers of the extract
    leave = known & (rng.random(len(calls)) < p)
    ends = calls["ended_at"].to_numpy().astype(np.int64)
    never = np.iinfo(np.int64).max
    when = np.full(n_cust, never, dtype=np.int64)
    np.minimum.at(when, cust[leave], ends[leave] + (rng.uniform(1, 14, int(leave.sum())) * 86_400e9).astype(np.int64))
    active = index_in(customers["status"], ["active"]) == 0
    t0n = np.datetime64(t0, "ns").astype(np.int64)
    endn = np.datetime64(period_end, "ns").astype(np.int64)
    # most customers who leave never call: they switch retailer (comparison sites, door knockers);
    # the case study's annual background rate, scaled by segment, over the period's length
    years = (np.datetime64(period_end, "ns") - np.datetime64(t0, "ns")) / np.timedelta64(365 * 86_400, "s")
    annual = cs.churn_annual_rate if cs is not None else 0.05
    factor = (np.array([s.churn_factor for s in cs.segments], dtype=float)[
        index_in(customers["segment"], [s.name for s in cs.segments])] if cs is not None else np.ones(n_cust))
    p_background = 1 - (1 - np.minimum(annual * factor, 0.95)) ** years
    background = active & (rng.random(n_cust) < p_background)
    when[background] = np.minimum(when[background], t0n + (rng.random(int(background.sum())) * (endn - t0n)).astype(np.int64))
    last_call = np.full(n_cust, np.iinfo(np.int64).min, dtype=np.int64)
    ext = (cust >= 0) & (cust < n_cust)
    np.maximum.at(last_call, cust[ext], ends[ext])
    chosen = when != never
    when = np.where(chosen, np.maximum(when, last_call + 3_600_000_000_000), never)
    pos = np.flatnonzero(chosen & (when <= endn) & active)
    stamp = when[pos].astype("datetime64[ns]")
    customers.iloc[pos, customers.columns.get_loc("status")] = "churned"
    customers.iloc[pos, customers.columns.get_loc("churned_at")] = stamp
    # Their current holdings end when they leave.
    leaving = np.full(n_cust, np.datetime64("NaT", "ns"))
    leaving[pos] = stamp
    h_idx = index_in(holdings["customer_id"], customers["customer_id"])
    h_when = leaving[h_idx]
    hit = (index_in(holdings["status"], ["current"]) == 0) & ~np.isnat(h_when)
    holdings.loc[hit, "ended_at"] = h_when[hit]
    holdings.loc[hit, "status"] = "ended"
    return customers, holdings


def holdings_from_sales(holdings: pd.DataFrame, sales: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """New holdings for products sold on calls (started when sold), for customers of the extract."""
    if customers is not None:
        sales = sales[index_in(sales["customer_id"], customers["customer_id"]) >= 0]
    m = len(sales)
    new = conform("holdings", {
        "holding_id": ids("H", m, 7, start=len(holdings) + 1), "customer_id": sales["customer_id"],
        "product_id": sales["product_id"], "started_at": sales["sold_at"].to_numpy(),
        "ended_at": np.full(m, np.datetime64("NaT", "ns")), "status": np.full(m, "current", dtype=object)})
    return pd.concat([holdings, new], ignore_index=True)
