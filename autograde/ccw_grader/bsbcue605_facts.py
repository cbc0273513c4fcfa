"""Benchmark facts and viva prompts of the BSBCUE605 written answers (grader side only).

Each rubric asks for "the learner's own figure"; these functions compute those figures from *that*
learner's data, so the assessor marks against facts, not against the benchmark answer's placeholders.
They are shown to the assessor under the answer in formgrader (:func:`helpers.course.trusted.insert_facts`)
and never in the learner's feedback. Labels state units: fractions are 0-1, durations seconds, money AUD.
"""
from __future__ import annotations

import pandas as pd

from helpers import analysis, kpi
from helpers.consultation import positions
from helpers.generator.outages import of_dataset

from ccw_grader.bsbcue605 import (_churn, _period, causes_true_on, expected_kpis, expected_retention_change,
                                  monitor_chart, offer_response_of, peak_sales_staffing, weeks_around)
from ccw_grader.learner_data import per_learner
from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE605")


@per_learner
def _offered(data) -> pd.DataFrame:
    calls = data.ds.calls
    return calls[calls["outcome"] != "lost"]


def _round(series: pd.Series, digits: int = 3) -> dict:
    return {str(k): round(float(v), digits) for k, v in series.items()}


@per_learner
def _queue_table(data) -> dict:
    offered = _offered(data)
    sl = kpi.service_level(offered, threshold_s=20, by="queue")
    share = offered.groupby("queue").size() / len(offered)
    aht = kpi.aht(offered, by="queue")
    return {q: f"share {share[q]:.1%}, service level {sl[q]:.1%}, AHT {aht[q]:.0f} s" for q in share.index}


def _outages(data) -> list:
    """The learner's outages (their ``incidents`` table: days and times differ between learners)."""
    return of_dataset(data.ds)


def _events(data) -> list[str]:
    return ([f"{o.id} ({o.system}, {'planned' if o.planned else 'unplanned'}, {o.start:%a %d %b %H:%M}-{o.end:%H:%M})"
             for o in _outages(data)]
            + [f"{c.id} {c.name} ({c.start:%d %b}-{c.end:%d %b})" for c in data.cs.campaigns])


@CHECKS.facts("framework_justification", viva=(
        "Which alternative framework did you consider, and what in this centre's data ruled it out?",
        "Which business-plan objective does your framework serve first, and how would you see it in the KPIs?"))
def framework_justification(data) -> dict:
    """Queue shares, churn by segment and offer acceptance of the learner's period."""
    offers = data.ds.offers
    share = _offered(data).groupby("queue").size() / len(_offered(data))
    return {"share of calls offered by queue (fraction)": _round(share),
            "share of calls offered outside the sales queue (fraction)": round(float(share.drop("sales").sum()), 3),
            "churn in the period by segment (fraction)": _round(_churn(data)),
            "offer acceptance (fraction of offers)": round(float((offers["response"] == "accepted").mean()), 3),
            "business-plan objectives": [o.id for o in data.cs.objectives]}


@CHECKS.facts("consensus_summary", viva=(
        "Which stakeholder objected first, and what exactly did you change in the proposal for them?",
        "What would you have done if that stakeholder had not signed off in the last round?"))
def consensus_summary(data) -> dict:
    """The learner's panel: each stakeholder's hidden demands (what a true summary can only report from the
    transcript: the rounds are in the learner's `consultation_log`)."""
    out = {}
    for p in positions(data.ds):
        demands = [d.kind + (f" {d.kpi}" if d.kpi else "") + (f" {d.value}" if d.value is not None else "")
                   for d in p.demands]
        out[f"{p.name} ({p.role})"] = "; ".join(demands) or "no demand: signs off when asked"
    return out


@CHECKS.facts("objectives_rationale", viva=(
        "Which agreed principle was hardest to put into one KPI, and why did you choose that KPI for it?",
        "Your sales peak needs {sales peak agents (Erlang C, plan service level)} agents: if the roster gave it two "
        "fewer, which objective would slip first, and what would you change?"))
def objectives_rationale(data) -> dict:
    """The business-plan targets, the conditions the learner's panel holds on targets, and the sales queue's
    peak staffing (what the staffing strategy must quote)."""
    calls, traffic, agents = peak_sales_staffing(data)
    floors = {f"{p.name} ({p.role})": "; ".join(f"{d.kind} {d.kpi} {d.value}" for d in p.demands if d.kpi)
              for p in positions(data.ds) if any(d.kpi for d in p.demands)}
    return {"business-plan targets": {k: t.target for k, t in data.cs.targets.items()},
            "conditions on targets held by the panel": floors or "none",
            "sales peak half hour (calls offered)": calls,
            "sales peak traffic (Erlangs)": round(float(traffic), 2),
            "sales peak agents (Erlang C, plan service level)": agents}


@CHECKS.facts("supply_chains_customers", viva=(
        "Which supply chain's customer would be hurt most by a fall in its queue's service level, and why?",))
def supply_chains_customers(data) -> dict:
    """Per queue: share of calls offered, service level (20 s, abandons ignored) and AHT."""
    return _queue_table(data)


@CHECKS.facts("promotion_pitch", viva=(
        "Your data puts {queue furthest behind 80/20} furthest behind 80/20: what do you offer its managers, and "
        "which figure in your pitch shows it?",))
def promotion_pitch(data) -> dict:
    """Per queue figures the pitch may quote, and the queue furthest behind on service level."""
    offered = _offered(data)
    sl = kpi.service_level(offered, threshold_s=20, by="queue")
    return {**_queue_table(data), "queue furthest behind 80/20": str(sl.idxmin())}


@CHECKS.facts("observation_promotion", viva=(
        "Which manager's feedback will the centre take up first, and what will you report back to them?",))
def observation_promotion(data) -> dict:
    """What the learner's presentation must quote: per queue figures and the queue furthest behind 80/20."""
    return promotion_pitch(data)


@CHECKS.facts("enhance_evaluation", viva=(
        "Show me one query your enhancement makes faster or safer, and explain why.",))
def enhance_evaluation(data) -> dict:
    """What the marketing database must serve: customers, consents and the compliance defects in the data."""
    from helpers import marketing_db
    ds = data.ds
    truth = data.defects()
    as_of = pd.to_datetime(ds.customers["updated_at"]).max()
    lawful = marketing_db.lawful_contacts(ds.tables, as_of)
    return {"customers": len(ds.customers), "offers": len(ds.offers),
            "compliance defects injected (offers to DNCR / opted out / outside hours, late unsubscribes)":
                {k: int(v) for k, v in truth["kind"].value_counts().items()
                 if k in ("offer_to_dncr", "offer_to_opted_out", "offer_outside_hours", "unsubscribe_late")},
            "date of the data (latest customer update)": f"{as_of:%d %b %Y}",
            "latest Do Not Call Register wash": f"{pd.to_datetime(ds.customers['dncr_washed_at']).max():%d %b %Y}",
            "customers who may lawfully be contacted at that date (e-mail / SMS / phone)":
                {ch: len(ids) for ch, ids in lawful.items()},
            "of whom by phone with express phone consent": int(
                ds.customers["customer_id"].astype(str)[ds.customers["consent_phone"] == "express"]
                .isin(lawful["phone"]).sum())}


@CHECKS.facts("plan_principles", viva=(
        "For the CRM outage, how did you choose your recovery time objective?",
        "What would you change in the plan if the callback capacity halved?"))
def plan_principles(data) -> dict:
    """The learner's outages with their times and lengths, and the recovery capacity of the case study."""
    cs = data.cs
    return {"outages (system, planned, when, minutes)": [
                f"{o.id}: {o.system}, {'planned' if o.planned else 'unplanned'}, {o.start:%a %d %b %H:%M}-{o.end:%H:%M}, "
                f"{(pd.Timestamp(o.end) - pd.Timestamp(o.start)).total_seconds() / 60:.0f} min" for o in _outages(data)],
            "callback capacity (calls per hour)": cs.contingency.callback_capacity_per_hour,
            "paper records re-keyed (records per hour)": cs.contingency.records_per_hour_rekey,
            "CRM outage: answered calls on the affected queues per hour (each a call-back or a paper record)":
                _crm_answered_per_hour(data)}


def _crm_answered_per_hour(data) -> float | None:
    """The business impact of the learner's CRM outage: calls answered without the CRM, per hour of outage."""
    crm = next((o for o in _outages(data) if o.system == "crm"), None)
    if crm is None:
        return None
    calls = data.ds.calls
    start, end = pd.Timestamp(crm.start), pd.Timestamp(crm.end)
    hit = calls[calls["queue"].isin(crm.queues) & (calls["arrived_at"] >= start) & (calls["arrived_at"] < end)
                & (calls["outcome"] != "lost") & ~calls["abandoned"].astype(bool)]
    return round(len(hit) / ((end - start).total_seconds() / 3600), 1)


@CHECKS.facts("after_sales_reasons", viva=(
        "Your lowest-accepting segment is {lowest average acceptance (segment)}: why would the strategy you chose "
        "for it work better there than a straight offer, and what figure will tell you it did?",
        "Take the strategy you gave {highest average acceptance (segment)}: what do its customers do differently "
        "in your data, and how would you know if the strategy stopped working?"))
def after_sales_reasons(data) -> dict:
    """Offer acceptance by segment and campaign kind (the learner's ``offer_response``), each segment's average
    and rank, its best campaign kind, churn and complaints per customer: what a true reason can cite."""
    table = offer_response_of(data)
    average = table.mean(axis=1).sort_values(ascending=False)
    best = table.stack().idxmax()
    churn = _churn(data)
    seg = data.ds.customers.set_index("customer_id")["segment"]
    complaints = (data.ds.complaints["customer_id"].map(seg).value_counts()
                  / seg.value_counts()).reindex(average.index, fill_value=0)
    return {"acceptance by segment and campaign kind (fraction)": {str(k): _round(row) for k, row in table.iterrows()},
            "average acceptance by segment, highest first (fraction)": _round(average, 4),
            "highest acceptance in one campaign kind (segment, kind, fraction)":
                f"{best[0]}, {best[1]}, {table.stack().max():.3f}",
            "highest average acceptance (segment)": str(average.index[0]),
            "lowest average acceptance (segment)": str(average.index[-1]),
            "each segment's best campaign kind": {str(k): str(row.idxmax()) for k, row in table.iterrows()},
            "churn in the period by segment (fraction)": _round(churn),
            "complaints per customer by segment": _round(complaints, 4)}


@CHECKS.facts("process_explanation", viva=(
        "A {highest-churn segment} customer calls to leave: walk me through your process from that call, who does "
        "what, and which KPI shows it worked.",
        "Which step of your process would you drop first if the team were short of staff, and what would happen to "
        "its KPI?"))
def process_explanation(data) -> dict:
    """What the learner's process rests on: churn by segment, the events that can start a step (call reasons and
    complaint categories of the learner's data, with counts) and the stakeholders who can own a step."""
    churn = _churn(data)
    ds = data.ds
    business = [s.name for s in data.cs.segments if s.business]
    at_risk = [str(s) for s in churn.sort_values(ascending=False).index[1:] if s not in business]
    acceptance = offer_response_of(data).mean(axis=1)
    return {"churn in the period by segment (fraction)": _round(churn), "highest-churn segment": str(churn.idxmax()),
            "business segment (case study)": business or "none",
            "next-at-risk segment (highest churn after the highest, not business)": at_risk[0] if at_risk else "none",
            "lowest-accepting segment (average offer acceptance)": str(acceptance.idxmin()),
            "call reasons (calls in the period)": {str(k): int(v) for k, v in ds.calls["reason"].value_counts().items()},
            "complaint categories (complaints in the period)":
                {str(k): int(v) for k, v in ds.complaints["category"].value_counts().items()},
            "stakeholders (case study: name, level)": [f"{s.name} ({s.level})" for s in data.cs.stakeholders]}


@CHECKS.facts("competitor_strategies", viva=(
        "Your highest-churn segment is {highest-churn segment}: which of your strategies reaches it first, and how "
        "will you know it worked?",))
def competitor_strategies(data) -> dict:
    """Churn by segment (which segment the strategies must reach first) and the business segment."""
    churn = _churn(data)
    return {"churn in the period by segment (fraction)": _round(churn), "highest-churn segment": str(churn.idxmax()),
            "business segment (case study)": [s.name for s in data.cs.segments if s.business] or "none"}


@CHECKS.facts("monitor_review", viva=(
        "The spread between your days is {sigma_z (Laney: limits over the classic p chart's)} times what chance "
        "alone would give: what in your centre makes days differ that much, and what would the classic p chart have "
        "told you?",
        "Your Laney chart signalled on: {out-of-control days (Laney p' chart of daily abandonment)}. Take one (or, "
        "if none, your highest day): what was in force that day, and what did the review decide?"))
def monitor_review(data) -> dict:
    """Weekly CSAT and FCR, the Laney p' chart of daily abandonment (sigma_z, the days beyond its limits with
    what was true on each, the highest days) and the incidents of the learner's own ``incidents`` table."""
    ds = data.ds
    chart = monitor_chart(ds)
    beyond = (chart["value"] > chart["ucl"]) | (chart["value"] < chart["lcl"])
    classic = analysis.p_chart(ds.calls, by="day")

    def day(d) -> str:
        d = pd.Timestamp(d)
        above = bool(chart.loc[d, "value"] > chart.loc[d, "centre"])
        return (f"{d:%a %d %b}: abandonment {chart.loc[d, 'value']:.3f} (limits {chart.loc[d, 'lcl']:.3f} to "
                f"{chart.loc[d, 'ucl']:.3f}); true that day: {', '.join(sorted(causes_true_on(ds, d, above)))}")

    week = ds.surveys["sent_at"].dt.to_period("W-SUN").dt.start_time
    call_week = ds.calls["arrived_at"].dt.to_period("W-SUN").dt.start_time
    inc = ds.incidents
    return {"sigma_z (Laney: limits over the classic p chart's)": round(float(chart["sigma_z"].iloc[0]), 2),
            "days beyond the classic p chart's limits (of days charted)":
                f"{int(((classic['value'] > classic['ucl']) | (classic['value'] < classic['lcl'])).sum())} of "
                f"{len(classic)}",
            "out-of-control days (Laney p' chart of daily abandonment)": [day(d) for d in chart.index[beyond]] or "none",
            "highest abandonment days (fraction)": [day(d) for d in chart["value"].nlargest(3).index],
            "weekly CSAT (fraction top-two-box)": {f"{k:%d %b}": round(float(v), 3)
                                                   for k, v in kpi.csat(ds.surveys.assign(week=week), by="week").items()},
            "weekly FCR (fraction; the last week provisional)": {
                f"{k:%d %b}": round(float(v), 3) for k, v in kpi.fcr(ds.calls.assign(week=call_week), by="week").items()},
            "incidents (ds.incidents)": [f"{r.incident_id} ({r.system}, {r.start:%a %d %b %H:%M} to {r.end:%a %d %b %H:%M})"
                                         for r in inc.itertuples()] or "none"}


@CHECKS.facts("adjust_decision", viva=(
        "Retention callers' service level changed by {service level change of retention calls (fraction points)} "
        "(95% interval {95% interval}) when the campaign started: does the interval include zero, and what in your "
        "retention process did you change because of it?",
        "Why are the week before and the first week of the campaign a fair comparison, and what else could have "
        "changed between them?"))
def adjust_decision(data) -> dict:
    """The evaluation of the Winter Saver launch on the sales queue's retention calls (Task 3.5): the weeks
    compared, the service level before and after with the 95% interval, and what else ran in those weeks."""
    start, result = expected_retention_change(data.ds)
    week = pd.Timedelta(days=7)
    campaigns = [f"{c.id} ({c.kind}, {pd.Timestamp(c.start):%d %b} to {pd.Timestamp(c.end):%d %b})"
                 for c in data.cs.campaigns]
    return {"change evaluated": f"campaign start {start:%a %d %b %Y}",
            "weeks compared": f"{start - week:%d %b} to {start - pd.Timedelta(days=1):%d %b} against "
                              f"{start:%d %b} to {start + week - pd.Timedelta(days=1):%d %b} (incident days left out)",
            "service level of retention calls before / after (fraction)": f"{result.before:.3f} / {result.after:.3f}",
            "calls before / after": f"{result.n_before} / {result.n_after}",
            "service level change of retention calls (fraction points)": round(float(result.estimate), 4),
            "95% interval": f"{result.ci_low:+.4f} to {result.ci_high:+.4f}",
            "interval includes zero": bool(result.ci_low <= 0 <= result.ci_high),
            "other queues' service level before / after, same weeks and days (fraction)": _other_queues(data.ds, start),
            "campaigns (case study)": campaigns}


def _other_queues(ds, start) -> str:
    """The service level of the queues the campaign does not reach, over the same two weeks (incident days left
    out): what the retention calls' change shares with the rest of the centre."""
    other = analysis.compare_before_after(*weeks_around(ds, ds.calls[ds.calls["queue"] != "sales"], start),
                                          metric="service_level")
    return f"{other.before:.3f} / {other.after:.3f} (change {other.estimate:+.4f}, {other.ci_low:+.4f} to {other.ci_high:+.4f})"


@CHECKS.facts("report_criteria_reasons", viva=(
        "Why does this stakeholder need that KPI weekly rather than monthly?",
        "What did this stakeholder tell you in your interview, and how did it change the criteria you chose?"))
def report_criteria_reasons(data) -> dict:
    """The stakeholders and their interests as the case study states them, and what each stakeholder the learner
    could interview told this learner (``helpers.information_needs``: measures and timing, or no use of the
    centre's reports)."""
    from helpers import information_needs as info

    out = {s.name: f"{s.role}: {'; '.join(s.interests)}" for s in data.cs.stakeholders}
    for name, need in info.needs(data.ds).items():
        out[name] += (f" | interview: needs {', '.join(need.measures)}, {info.FREQUENCIES[need.frequency]}"
                      if need.uses else " | interview: does not use the centre's reports")
    return out


@CHECKS.facts("performance_report", viva=(
        "Which missed KPI matters most to your audience, and what caused the miss?",
        "Who owns your first action, and how will you know it worked?"))
def performance_report(data) -> dict:
    """The period's KPIs against target, the report deadline and the events a report can explain misses with."""
    kpis = expected_kpis(data)
    targets = {k: v.model_dump() for k, v in data.cs.targets.items() if k in kpis}
    table = kpi.kpi_table(kpis, targets)
    start, end = _period(data)
    return {"period": f"{start:%d %b} to {end:%d %b %Y}", "report deadline": f"{data.cs.report_deadline:%d %b %Y %H:%M}",
            **{f"{k} (actual vs target)": f"{row['actual']:.3f} vs {row['target']:g}: {row['status']}"
               for k, row in table.set_index("kpi").iterrows()},
            "events of the period": _events(data)}
