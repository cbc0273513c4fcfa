"""Benchmark facts and viva prompts of the BSBCUE602 written answers of elements 1, 3 and 4 (grader side only;
element 2's are declared with its checks).

Each function computes, from *that* learner's data, the figures the rubric's "the learner's own ..."
means for them; shown to the assessor under the answer in formgrader, never in the learner's feedback.
Units in the labels: fractions 0-1, seconds, contacts.
"""
from __future__ import annotations

import pandas as pd

from helpers import information_needs

from ccw_grader.bsbcue602_analysis import (expected_chart, expected_claims, expected_forecast, expected_intraday,
                                           expected_trend, expected_weekly, forecast_series)
from ccw_grader.bsbcue602_records import expected_budget_variance, pathways_of, step_measurements_of
from ccw_grader.bsbcue602_reporting import _period_start, growth_expected, seasonality_expected
from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE602")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _interval(pair) -> str:
    low, high = pair
    return f"{low:+.3f} to {high:+.3f}"


# ------------------------------------------------------------------------------------ element 1
@CHECKS.facts("information_needs_justification", viva=(
        "Which budget line is furthest over plan, and what information would tell you why?",
        "Who relies on the information you provide, and what do they decide with it?"))
def information_needs_justification(data) -> dict:
    """The budget lines over or under plan to date (beyond 1%) with their variance, and the plan's objectives."""
    variance = expected_budget_variance(data.table("budget")).set_index("line")
    off = variance[variance["status"] != "on plan"]
    return {"lines off plan to date (variance AUD)": {line: f"{row.status} by ${abs(row.variance_aud):,.0f}"
                                                      for line, row in off.iterrows()} or "none",
            "business-plan objectives": [f"{o.id} ({o.kpi})" if o.kpi else o.id for o in data.cs.objectives]}


@CHECKS.facts("measurement_points_review", viva=(
        "Which measurement point records more than happened, and how would you prove it?",
        "Why is a wrap code less reliable than an ACD timestamp?"))
def measurement_points_review(data) -> dict:
    """Per measurement point: journey steps, records written and steps without a record (the review's figures)."""
    table = step_measurements_of(data)
    return {f"{r.step} / {r.system} {r.event} ({r.method})": f"{r.steps} steps, {r.records} records, "
                                                            f"{r.steps_without_record} steps without a record"
            for r in table.itertuples()}


@CHECKS.facts("testing_procedure", viva=(
        "Walk me through one of your failing tests: what did you expect, what was recorded, and why?",))
def testing_procedure(data) -> dict:
    """The pathways a test set must cover, and the fault kinds present in this learner's MIS (what failing tests
    can reveal)."""
    paths = pathways_of(data)
    faults = data.measurement_faults()
    return {"pathways (contacts)": {r.pathway: int(r.contacts) for r in paths.itertuples() if r.share >= 0.001},
            "fault kinds in the MIS (records)": {str(k): int(v) for k, v in faults["kind"].value_counts().items()}}


# ------------------------------------------------------------------------------------ element 3
@CHECKS.facts("patterns_implications", viva=(
        "Your voice peak is {voice peak half hour (mean contacts per open day)}: show it in your profile. What would "
        "you change in the roster for it?",
        "Your growth per year is {voice growth per year (fraction)} (interval {95% interval of the growth}): how sure "
        "are you of it, and what does the interval tell you?"))
def patterns_implications(data) -> dict:
    """Voice peak interval and day, busiest and quietest months, growth per year with its 95% interval."""
    ds = data.ds
    intraday, weekly = expected_intraday(ds), expected_weekly(ds)
    trend = expected_trend(ds)
    out = {}
    if "voice" in intraday.columns:
        out["voice peak half hour (mean contacts per open day)"] = f"{intraday['voice'].idxmax()} ({intraday['voice'].max():.1f})"
    if "voice" in weekly.columns:
        out["voice peak day (mean contacts)"] = f"{weekly['voice'].idxmax()} ({weekly['voice'].max():.0f})"
    out.update({"busiest month": trend["busiest_month"], "quietest month": trend["quietest_month"],
                "voice growth per year (fraction)": round(float(trend["growth"]), 4),
                "95% interval of the growth": _interval(trend["ci"])})
    return out


@CHECKS.facts("methods_justification", viva=(
        "Why is a p chart right for the abandonment rate and an X-bar chart not?",
        "Your lowest hold-out error came from {lowest hold-out error}: what does that mean for next month's roster?"))
def methods_justification(data) -> dict:
    """The hold-out errors by method, the p chart's days above the limit, and the campaign comparison."""
    ds = data.ds
    errors = expected_forecast(ds)
    centre, above = expected_chart(ds)
    claims = expected_claims(ds)
    best = errors["mape"].idxmin() if "mape" in errors.columns else None
    missing = forecast_series(ds)
    missing = missing.index[missing.isna()]
    return {"hold-out MAPE by method (%)": {str(k): round(float(v), 3) for k, v in errors["mape"].items()}
            if "mape" in errors.columns else "see the learner's forecast_errors",
            "lowest hold-out error": str(best),
            "MAPE below seasonal naive (percentage points)": round(float(errors.loc["seasonal_naive", "mape"]
                                                                         - errors.loc[best, "mape"]), 2)
            if best is not None else "see the learner's forecast_errors",
            "open days scored in the hold-out": int(errors["n"].iloc[0]),
            "days missing (holiday or outage; not zero)": [d.strftime("%a %d %b %Y") for d in missing] or "none",
            "p chart centre line (abandonment, fraction)": round(centre, 4),
            "days above the upper limit": [pd.Timestamp(d).strftime("%a %d %b") for d in above] or "none",
            "campaign abandonment change (fraction points), 95% interval": (
                f"{claims['campaign_abandonment']['size']:+.4f}, {_interval(claims['campaign_abandonment']['interval'])}")}


@CHECKS.facts("interpretation", viva=(
        "Which of your four conclusions could be chance? How do you know?",
        "What volume do you expect next year, and how sure are you?"))
def interpretation(data) -> dict:
    """The four reference claims: size, 95% interval and whether the change is significant."""
    return {name: f"{c['size']:+.4f} ({_interval(c['interval'])}): {c['direction']}"
            for name, c in expected_claims(data.ds).items()}


# ------------------------------------------------------------------------------------ element 4
def _needs(data) -> dict:
    return information_needs.needs(data.ds)


@CHECKS.facts("information_model", viva=(
        "Who prepares the daily report and who is accountable for it?",
        "Which stakeholder told you they do not use the centre's information, and why?"))
def information_model(data) -> dict:
    """The MIS products of the case study, and who uses the centre's information (this learner's stakeholders)."""
    needs = _needs(data)
    return {"MIS systems": dict(data.cs.channels.measurement.systems),
            "users by level": {level: [n for n, x in needs.items() if x.uses and x.level_of_organisation == level]
                               for level in ("centre", "enterprise", "external")},
            "do not use the information": [n for n, x in needs.items() if not x.uses] or "none"}


@CHECKS.facts("reporting_methods", viva=("Why does this stakeholder get a chart rather than a table?",))
def reporting_methods(data) -> dict:
    """Each user's needs (measures, level, horizon, split, format, frequency): what the specs must state."""
    return {n: ", ".join(f"{k} {v if isinstance(v, str) else '/'.join(v)}" for k, v in x.spec().items() if v)
            for n, x in _needs(data).items() if x.uses}


def _audience(data, horizon: str) -> dict:
    return {n: f"level {x.level}, by {x.segmentation}, {x.format}, {x.frequency}"
            for n, x in _needs(data).items() if x.uses and x.horizon == horizon}


@CHECKS.facts("short_term_narrative", viva=(
        "{worst queue that day} was your worst queue that day: which interval was worst, and what would you do about "
        "it today?",))
def short_term_narrative(data) -> dict:
    """Who may receive a short-term report (their level, split and format), and the period's last day's service
    level by queue (20 s, abandons ignored) with the worst queue."""
    calls = data.ds.calls
    last = calls["arrived_at"].dt.normalize().max()
    day = calls[(calls["arrived_at"].dt.normalize() == last) & (calls["outcome"] != "lost")]
    answered = day[~day["abandoned"]]
    sl = (answered["wait_s"] <= 20).groupby(answered["queue"]).mean()
    return {"short-term audiences": _audience(data, "short-term") or "none",
            f"service level on {last:%a %d %b} by queue (fraction)": {str(k): round(float(v), 3) for k, v in sl.items()},
            "worst queue that day": str(sl.idxmin()) if len(sl) else "no calls"}


@CHECKS.facts("long_term_narrative", viva=(
        "Your peak month is {peak month (seasonal index)}: what does that seasonal index mean for rosters next year?",))
def long_term_narrative(data) -> dict:
    """Who may receive a long-term report, growth over the last 12 months and the seasonal peak and quiet months."""
    history = data.ds.traffic_history
    season = seasonality_expected(history).set_index("month")["seasonal_index"]
    return {"long-term audiences": _audience(data, "long-term") or "none",
            "growth, last 12 months over the 12 before (fraction)": round(growth_expected(history, _period_start(data)), 4),
            "peak month (seasonal index)": f"{MONTHS[int(season.idxmax()) - 1]} ({season.max():.3f})",
            "quietest months": [MONTHS[int(m) - 1] for m in season.nsmallest(3).index]}


@CHECKS.facts("stakeholder_feedback", viva=(
        "What did the stakeholders ask for that your interview had not found, and what did you change?",))
def stakeholder_feedback(data) -> dict:
    """What each user told the learner's interview they need (to compare with the feedback forms)."""
    return reporting_methods(data)
