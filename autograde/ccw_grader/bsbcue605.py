"""Trusted checks of the BSBCUE605 workbook (grader side only; see :mod:`ccw_grader.registry`).

Every check takes ``data`` (the learner's own dataset, read from the grader's copy) and the
learner's answers as data, recomputes the expected result from *that learner's* data and returns
findings. The formative checks of ``helpers.tasks.bsbcue605`` run first, so a malformed answer fails
with the message the learner already saw. Messages never reveal the expected numbers. Each check is
registered under its cell's grade id with the answers it reads (``@CHECKS.check(grade_id, *answers)``);
a cell earns its points when every finding passes.
"""
from __future__ import annotations

import re

import pandas as pd

from helpers import analysis, kpi, maintenance, marketing_db, staffing
from helpers.findings import Finding, Findings
from helpers.grading import check_set, check_table, check_value
from helpers.tasks import bsbcue605 as checks

from ccw_grader.bsbcue602_analysis import valid_causes
from ccw_grader.marketing_reference import REFERENCE_DDL
from ccw_grader.learner_data import per_learner
from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE605")
REL_TOL = 0.005  # numbers computed from the data must agree within 0.5 %


def _period(data):
    calls = data.ds.calls
    return calls["arrived_at"].min().normalize(), calls["arrived_at"].max()


def _number(name, answer, expected, criterion, *, unit=None, points=1.0, rel_tol=REL_TOL, abs_tol=0.0) -> Finding:
    return check_value(name, answer, expected, rel_tol=rel_tol, abs_tol=abs_tol, points=points, criterion=criterion,
                       unit=unit)


# ---------------------------------------------------------------------------------- element 1
@CHECKS.check("framework_check", "framework")
def framework_check(data, framework) -> Findings:
    """PC 1.1: a named framework with at least four principles, each applied to this centre's data: every
    principle quotes at least one figure that is the learner's own (a queue's share or volume, churn or
    retention, offer acceptance, service level or handle time, a count of calls, customers or offers; within the
    rounding the learner printed), and no figure quoted about queue shares, churn or acceptance is invented."""
    fs = checks.framework(framework)
    if isinstance(framework, dict) and isinstance(framework.get("principles"), dict):
        facts = framework_facts(data)
        fs.append(_framework_cited(framework["principles"], facts))
        fs.append(_framework_figures(framework["principles"], facts))
    return fs


# What a clause of a principle is about (the figure it quotes must be one of these facts of the learner's data).
_FACT_WORDS = {
    "churn": r"churn|attrition|leav|left\b|\blos(e|es|t|ing)\b.{0,20}customers|retention|retain|cancel|switch",
    "acceptance": r"accept|take.?up|uptake|declin",
    "share": r"share|volume|traffic|carr(y|ies)|\bof (all |the )?(calls|contacts|demand|workload)|busiest",
}
# A clause stating an aim (a target, an offer's size) quotes no fact of the data.
_AIM_WORDS = r"target|goal|\baim|objective|budget|plan to|discount|rebate|% off|bonus|credit|\blift|\braise|" \
             r"increase to|reduce to|\bcut\b|\bgrow|improv|within \d+ ?s|seconds|answered|" \
             r"conver|satisf|csat|\bnps\b|resol|\bfcr\b|abandon|service level"  # other measures: not checked here
_PERCENT = re.compile(r"(\d+(?:\.(\d+))?)\s*(?:%|per ?cent)")


@per_learner
def framework_facts(data) -> dict[str, list[float]]:
    """The figures of the learner's data a framework's principles may quote (fractions): each queue's share of
    calls (all calls, or offered calls) and of queues together; churn (and retention) overall and per segment,
    by status and over the period; offer acceptance overall, per segment, per campaign kind and both."""
    ds = data.ds
    from itertools import combinations
    shares = []
    for calls in (ds.calls, ds.calls[ds.calls["outcome"] != "lost"]):
        s = list(calls.groupby("queue").size() / max(1, len(calls)))
        shares += [sum(c) for n in range(1, len(s)) for c in combinations(s, n)]   # a queue, or queues together
    start, end = _period(data)
    churned = ds.customers["status"] == "churned"
    churn = [float(churned.mean()), *churned.groupby(ds.customers["segment"]).mean()]
    try:
        churn += [float(kpi.churn_rate(ds.customers, start, end)),
                  *kpi.churn_rate(ds.customers, start, end, by="segment")]
    except Exception:  # noqa: BLE001 - the status-based figures still count
        pass
    churn += [1 - c for c in churn]
    offers = ds.offers.merge(ds.campaigns[["campaign_id", "kind"]], on="campaign_id", how="left")
    offers = offers.merge(ds.customers[["customer_id", "segment"]], on="customer_id", how="left")
    accepted = offers["response"] == "accepted"
    acceptance = [float(accepted.mean())]
    for by in (["segment"], ["kind"], ["segment", "kind"]):
        acceptance += list(accepted.groupby([offers[b] for b in by]).mean())
    acceptance += [1 - a for a in acceptance]
    offered = ds.calls[ds.calls["outcome"] != "lost"]
    service = [float(kpi.service_level(offered, threshold_s=20)),
               *kpi.service_level(offered, threshold_s=20, by="queue")]
    aht = [float(kpi.aht(offered)), *kpi.aht(offered, by="queue")]
    counts = [len(ds.calls), len(offered), *ds.calls.groupby("queue").size(), *offered.groupby("queue").size(),
              len(ds.customers), *ds.customers.groupby("segment").size(), int(churned.sum()),
              *churned.groupby(ds.customers["segment"]).sum(), len(offers), int(accepted.sum()),
              *accepted.groupby(offers["kind"]).sum(), *offers.groupby("kind").size()]
    return {"churn": churn, "acceptance": acceptance, "share": shares, "service": service, "aht_s": aht,
            "count": [int(c) for c in counts]}


# A clause about the centre's service level (a figure of the data when it is not a target).
_SERVICE_WORDS = r"service level|answered within|within 20|\bsl\b|80/20"
_TARGET_WORDS = r"target|goal|\baim|objective|budget|plan to|increase to|reduce to|\bcut\b|\bwill\b|should|must"
_COUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{2,})(?![\d.,]*\s*(?:%|per ?cent|s\b|sec))")
_SECONDS = re.compile(r"(\d+(?:\.(\d+))?)\s*(?:s|sec|secs|seconds)\b")


def _framework_cited(principles: dict, facts: dict) -> Finding:
    """Every principle quotes at least one figure of the learner's data: a percentage (or fraction) matching a
    fact of what its clause is about (share, churn, acceptance, service level) within the printed rounding, a
    handle time in seconds, or a count of calls, customers or offers. A year, a count of teams or a target
    quotes no fact of the data."""
    uncited = []
    for name, text in principles.items():
        if not isinstance(text, str):
            uncited.append(str(name))
            continue
        low = text.lower()
        whole = [k for k, words in _FACT_WORDS.items() if re.search(words, low)]
        cited = any(int(m.group(1).replace(",", "")) in facts["count"] and not 1900 <= int(m.group(1).replace(",", "")) <= 2100
                    for m in _COUNT.finditer(low))
        for clause in re.split(r"[;:]|(?<!\d)\.(?!\d)|,(?!\d{3})|\bso\b|\bbut\b", low):
            if cited:
                break
            if re.search(_TARGET_WORDS, clause):
                continue
            kinds = [k for k, words in _FACT_WORDS.items() if re.search(words, clause)] or whole
            if re.search(_SERVICE_WORDS, clause):
                kinds = ["service", *kinds]
            pool = [f for k in kinds for f in facts[k] if f == f]
            for m in _PERCENT.finditer(clause):
                tol = 10 ** -(len(m.group(2) or "")) / 100 + 1e-9
                cited = cited or any(abs(float(m.group(1)) / 100 - f) <= tol for f in pool)
            for m in _SECONDS.finditer(clause):
                tol = max(1.0, 10 ** -(len(m.group(2) or ""))) + 1e-9
                cited = cited or any(abs(float(m.group(1)) - f) <= tol for f in facts["aht_s"] if f == f)
        if not cited:
            uncited.append(str(name))
    return Finding("1.1", not uncited, 0.0 if uncited else 1.0, 1.0,
                   "each principle quotes a figure of your own data" if not uncited else
                   "these principles quote no figure of your data (a queue's share or volume, churn, offer "
                   "acceptance, service level or handle time, a count of calls, customers or offers): "
                   + "; ".join(uncited[:3]), "cited")


def _framework_figures(principles: dict, facts: dict[str, list[float]]) -> Finding:
    """Every percentage a principle quotes about churn, offer acceptance or a queue's share of calls matches a
    figure of that kind in the learner's data within one unit of its last printed digit."""
    invented = []
    for name, text in principles.items():
        if not isinstance(text, str):
            continue
        whole = [k for k, words in _FACT_WORDS.items() if re.search(words, text.lower())]
        for clause in re.split(r"[;:]|(?<!\d)\.(?!\d)|,|\bso\b|\bbut\b", text.lower()):
            # what the clause is about, else what the principle is about
            kinds = [k for k, words in _FACT_WORDS.items() if re.search(words, clause)] or whole
            if not kinds or re.search(_AIM_WORDS, clause):
                continue
            for m in _PERCENT.finditer(clause):
                value = float(m.group(1)) / 100
                tol = 10 ** -(len(m.group(2) or "")) / 100 + 1e-9
                pool = [f for k in kinds for f in facts[k] if f == f]
                if not any(abs(value - f) <= tol for f in pool):
                    invented.append(f"{m.group(0)} in '{name}'")
    return Finding("1.1", not invented, 0.0 if invented else 1.0, 1.0,
                   "the figures your principles quote are your own data's" if not invented else
                   "these figures are not your data's (queue shares, churn, offer acceptance): check "
                   + "; ".join(invented[:3]), "figures")


@CHECKS.check("consensus_check", "marketing_proposal", "consultation_log", "framework")
def consensus_check(data, marketing_proposal, consultation_log, framework) -> Findings:
    """PC 1.2: the grader re-runs this learner's stakeholder panel on every round of the transcript and on
    the final proposal; every stakeholder (centre, enterprise, external) must sign off, principles from the
    framework. (The offers to the supply chains are PC 1.5: :func:`promotion_check`.)"""
    return checks.consultation(marketing_proposal, consultation_log, data.ds, framework)


@CHECKS.check("promotion_check", "pitch_offers")
def promotion_check(data, pitch_offers) -> Findings:
    """PC 1.5: an offer to every supply chain of the case study, each accepted by that chain's customer as the
    panel's supply-chain managers judge it (it speaks to the chain's call reasons, and the service level quoted
    is the chain's own this period, 20 s, lost calls excluded)."""
    return checks.promotion(pitch_offers, data.cs, data.ds)


@CHECKS.check("objectives_check", "objectives", "framework", "marketing_proposal")
def objectives_check(data, objectives, framework, marketing_proposal) -> Findings:
    """PC 1.3: an objective for every principle agreed in the consultation, each with a known KPI that measures
    its principle and a target at least as demanding as the business plan's and as the target the stakeholders agreed in the learner's final proposal (Task 1.2), and
    none breaking a condition a stakeholder of the learner's panel holds on that KPI (a floor such as the
    handle-time target the team leader can commit to): the objectives may not undo what was agreed."""
    return checks.objectives(objectives, data.cs, framework,
                             marketing_proposal if marketing_proposal is not None else {}, data.ds)


@per_learner
def peak_sales_staffing(data) -> tuple[int, float, int]:
    """The sales queue's busiest half hour (calls offered), its traffic (Erlangs) and the Erlang C agents it
    needs for the business plan's service-level target."""
    calls = data.ds.calls
    sales = calls[(calls["queue"] == "sales") & (calls["outcome"] != "lost")]
    calls_max = int(sales.groupby(sales["arrived_at"].dt.floor("30min")).size().max())
    aht = kpi.aht(sales)
    traffic = staffing.traffic_erlangs(calls_max, aht, interval_s=1800)
    sl = data.cs.targets["service_level"]
    return calls_max, traffic, staffing.agents_required(traffic, aht, sl.threshold_s or 20, sl.target).agents


@CHECKS.check("peak_staffing_check", "peak_calls", "peak_traffic", "peak_agents")
def peak_staffing_check(data, peak_calls, peak_traffic, peak_agents) -> Findings:
    """PC 1.3: the sales queue's peak half hour, its traffic (Erlangs) and Erlang C agents, from the data."""
    fs = checks.peak_staffing(peak_calls, peak_traffic, peak_agents)
    if not fs.all_passed:
        return fs
    calls_max, traffic, agents = peak_sales_staffing(data)
    fs.append(_number("peak_calls", peak_calls, calls_max, "1.3", rel_tol=0))
    fs.append(_number("peak_traffic", peak_traffic, traffic, "1.3", unit="Erlangs"))
    fs.append(_number("peak_agents", peak_agents, agents, "1.3", rel_tol=0))
    return fs


@CHECKS.check("supply_chains_check", "supply_chains")
def supply_chains_check(data, supply_chains) -> Findings:
    """PC 1.4: calls offered, share, AHT and service level per queue and supply chain, from the data."""
    fs = checks.supply_chains(supply_chains, data.cs)
    if not fs.all_passed:
        return fs
    offered = data.ds.calls[data.ds.calls["outcome"] != "lost"]
    expected = pd.DataFrame({
        "calls_offered": offered.groupby("queue").size().astype(float),
        "aht_s": kpi.aht(offered, by="queue"),
        "service_level": kpi.service_level(offered, threshold_s=20, by="queue"),
    })
    expected["share"] = expected["calls_offered"] / expected["calls_offered"].sum()
    answer = supply_chains[list(expected.columns)].astype(float).rename_axis("queue")
    fs.append(check_table("supply_chains", answer, expected.rename_axis("queue"), key="queue", rel_tol=REL_TOL,
                          points=3, criterion="1.4"))
    return fs


# ---------------------------------------------------------------------------------- element 2
@CHECKS.check("ddl_check", "MARKETING_DDL", "COLUMN_MAPPING")
def ddl_check(data, MARKETING_DDL, COLUMN_MAPPING) -> Findings:  # noqa: N803 (the learner's variable names)
    """PC 2.1: the database design holds the fields and functions the marketing operation needs (recognised by
    what each column holds: its name, or the source column the learner's mapping of Task 2.2 loads into it),
    and is not a copy of the grader's reference design."""
    fs = checks.design(MARKETING_DDL, COLUMN_MAPPING, data.ds)
    if not isinstance(MARKETING_DDL, str):
        return fs
    if _normalise_sql(MARKETING_DDL) == _normalise_sql(REFERENCE_DDL):
        fs.append(Finding.fail("2.1", "the design is a verbatim copy of the reference design: design your own "
                                      "database", item="own_work"))
    return fs


def _normalise_sql(sql: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"--[^\n]*", "", sql)).strip().casefold()


@CHECKS.check("load_check", "MARKETING_DDL", "COLUMN_MAPPING", "ELIGIBLE_EMAIL_QUERY")
def load_check(data, MARKETING_DDL, COLUMN_MAPPING, ELIGIBLE_EMAIL_QUERY) -> Findings:  # noqa: N803
    """PC 2.2: the learner's data loads into the design (at least 95% of customers) and the query returns
    exactly the customers the ``retention_email`` probe allows, among those the design accepted."""
    fs = checks.loaded(MARKETING_DDL, COLUMN_MAPPING, ELIGIBLE_EMAIL_QUERY, data.ds, run=False)
    if not fs.all_passed:
        return fs
    tables = data.ds.tables
    conn = marketing_db.load_into_design(MARKETING_DDL, COLUMN_MAPPING, tables, criterion="2.2")
    design = (marketing_db.describe_design(conn.schema, COLUMN_MAPPING, conn.sources) if conn.schema is not None
              else None)
    customer = design.customer if design is not None else None
    if customer is None or len(customer.primary_key) != 1:
        return fs + [Finding.fail("2.2", "no customer table with a one-column primary key was loaded")]
    loaded = {str(r[0]) for r in conn.execute(f'SELECT "{customer.primary_key[0]}" FROM "{customer.name}"')}
    share = len(loaded) / max(1, len(tables["customers"]))
    fs.append(Finding("2.2", share >= 0.95, 1.0 if share >= 0.95 else 0.0, 1.0,
                      f"{share:.1%} of customers loaded into your design (at least 95% needed)", "load"))
    as_of = marketing_db.default_as_of(tables)
    expected = marketing_db.expected_probe_ids(tables, as_of)["retention_email"] & loaded
    fs.append(marketing_db.check_query(conn, ELIGIBLE_EMAIL_QUERY, expected, name="ELIGIBLE_EMAIL_QUERY",
                                       criterion="2.2", params=marketing_db.probe_params(as_of)))
    return fs


@CHECKS.check("enhance_check", "MARKETING_DDL", "ENHANCEMENT_SQL", "COLUMN_MAPPING", "ELIGIBLE_EMAIL_QUERY")
def enhance_check(data, MARKETING_DDL, ENHANCEMENT_SQL, COLUMN_MAPPING, ELIGIBLE_EMAIL_QUERY) -> Findings:  # noqa: N803
    """PC 2.3: the enhancement script runs on the design loaded with the learner's data and serves the marketing
    operation: a view that is a lawful campaign selection on the learner's own customers (e-mail, SMS or phone
    rules at the date of the data) and an index that speeds a selection (:func:`checks.enhancements`)."""
    return checks.enhancements(MARKETING_DDL, ENHANCEMENT_SQL, COLUMN_MAPPING, data.ds, ELIGIBLE_EMAIL_QUERY)


@CHECKS.check("defects_check", "reported_defects")
def defects_check(data, reported_defects) -> Findings:
    """PC 2.4: the defects reported match the defects injected into this learner's data (precision, recall),
    each under the kind of defect it is: a record counts as found only when it is filed under its own kind (an
    offer to a Do Not Call Register number filed as a malformed e-mail is not found, and is a false report)."""
    fs = checks.defect_report(reported_defects)
    if not fs.all_passed:
        return fs
    pairs = [_kind_id(kind, rid) if isinstance(rid, str) else rid for kind, ids in reported_defects.items()
             for rid in ids]
    truth = data.defects()
    by_kind = truth.assign(record_id=[_kind_id(k, r) for k, r in zip(truth["kind"], truth["record_id"].astype(str))])
    fs = fs + maintenance.score_reported(pairs, by_kind, criterion="2.4")
    return fs + [_compliance_found(reported_defects, truth)]


def _kind_id(kind, record_id) -> str:
    """One reported defect: the record and the kind it is filed under (scored together)."""
    return f"{kind}: {str(record_id).strip()}"


COMPLIANCE_KINDS = {"offer_to_dncr": "offers to numbers on the Do Not Call Register",
                    "offer_to_opted_out": "offers without consent (opted out)",
                    "offer_outside_hours": "calls outside permitted calling hours",
                    "unsubscribe_late": "unsubscribes actioned late (Spam Act)"}


def _compliance_found(reported_defects, truth: pd.DataFrame) -> Finding:
    """PC 2.4: every class of compliance breach present in the learner's data is found as that class (at least
    half of its records, filed under its kind): a learner who misses a whole class of breaches, or files it as
    something else, has not maintained the database lawfully."""
    missed = []
    for kind, what in COMPLIANCE_KINDS.items():
        reported = {str(i).strip() for i in reported_defects.get(kind, ())}
        records = set(truth.loc[truth["kind"] == kind, "record_id"].astype(str))
        if records and len(records & reported) < 0.5 * len(records):
            missed.append(what)
    return Finding("2.4", not missed, 0.0 if missed else 1.0, 1.0,
                   "every class of compliance breach in your data is found" if not missed else
                   "most breaches of these classes are not found: " + "; ".join(missed), "compliance")


@CHECKS.check("procedures_check", "maintenance_procedures")
def procedures_check(data, maintenance_procedures) -> Findings:
    """PC 2.4: maintenance procedures covering every class of defect, each with a rule that names a real check
    (field, condition or law), the learner's tables its records are in (where this learner's defects of that
    class are), a frequency the law allows, an owner who is a stakeholder and the legal basis."""
    truth = data.defects()
    defect_tables = {str(k): set(map(str, g["table"])) for k, g in truth.groupby("kind")}
    return checks.maintenance_procedures(maintenance_procedures, data.ds, defect_tables)


@CHECKS.check("plan_check", "CONTINGENCY_PLAN")
def plan_check(data, CONTINGENCY_PLAN) -> Findings:  # noqa: N803
    """PC 2.5: the contingency plan is valid and holds up in the failure scenarios simulated on the data."""
    return checks.contingency_plan(CONTINGENCY_PLAN, data.ds)


# ---------------------------------------------------------------------------------- element 3
def expected_offer_response(ds) -> pd.DataFrame:
    """Acceptance (accepted ÷ offers made) by customer segment (rows) and campaign kind (columns)."""
    offers = ds.offers.merge(ds.campaigns[["campaign_id", "kind"]], on="campaign_id", how="left")
    offers = offers.merge(ds.customers[["customer_id", "segment"]], on="customer_id", how="left")
    return (offers.assign(accepted=offers["response"] == "accepted")
            .pivot_table(index="segment", columns="kind", values="accepted", aggfunc="mean"))


@per_learner
def offer_response_of(data) -> pd.DataFrame:
    """:func:`expected_offer_response` of the learner's data (the check and two benchmark facts need it)."""
    return expected_offer_response(data.ds)


@CHECKS.check("offer_response_check", "offer_response", "after_sales_plan")
def offer_response_check(data, offer_response, after_sales_plan) -> Findings:
    """PC 3.1: acceptance by segment and campaign kind from the data, and an after-sales plan built on it: each
    reason cites the segment's acceptance and every claim it makes agrees with the data (the recomputed table)."""
    ds = data.ds
    expected = offer_response_of(data)
    plan = checks.strategy_plan(after_sales_plan, ds, "after_sales_plan", table=expected)
    if not isinstance(offer_response, pd.DataFrame):
        return plan + [Finding.fail("3.1", "`offer_response` should be a DataFrame (segments × campaign kinds)")]
    answer = offer_response.copy()
    answer.columns = [str(c) for c in answer.columns]
    expected.columns = [str(c) for c in expected.columns]
    return Findings([check_table("offer_response", answer.rename_axis("segment").astype(float),
                                 expected.rename_axis("segment"), key="segment", rel_tol=REL_TOL, points=2,
                                 criterion="3.1")]) + plan


@per_learner
def _churn(data) -> pd.Series:
    start, end = _period(data)
    return kpi.churn_rate(data.ds.customers, start, end, by="segment")


@CHECKS.check("churn_check", "churn_by_segment", "retention_strategies")
def churn_check(data, churn_by_segment, retention_strategies) -> Findings:
    """PC 3.2: churn by segment from the data, and retention strategies aimed at the worst segments."""
    strategies = checks.retention_strategies(retention_strategies, _churn(data))
    if not isinstance(churn_by_segment, pd.Series):
        return strategies + [Finding.fail("3.2", "`churn_by_segment` should be a pandas Series indexed by segment")]
    expected = _churn(data).rename("churn").rename_axis("segment").to_frame()
    answer = churn_by_segment.astype(float).rename("churn").rename_axis("segment").to_frame()
    return Findings([check_table("churn_by_segment", answer, expected, key="segment", rel_tol=REL_TOL, points=2,
                                 criterion="3.2")]) + strategies


@CHECKS.check("process_check", "retention_process", "retention_strategies", "after_sales_plan")
def process_check(data, retention_process, retention_strategies, after_sales_plan) -> Findings:
    """PC 3.3: a retention process with steps, owners, observable triggers (events of the learner's data or
    calendar), KPIs, frequencies and a review step, that delivers the learner's own strategies of 3.1 and 3.2."""
    strategies = retention_strategies if isinstance(retention_strategies, list) else []
    plan = after_sales_plan if isinstance(after_sales_plan, list) else []
    return checks.retention_process(retention_process, data.cs, data.ds, strategies=strategies, plan=plan)


def _week(s: pd.Series) -> pd.Series:
    return s.dt.to_period("W-SUN").dt.start_time


def monitor_chart(ds) -> pd.DataFrame:
    """The Laney p' chart of daily abandonment of all offered calls (the chart Task 3.4 asks for)."""
    return analysis.laney_p_chart(ds.calls, by="day")


def _beyond(chart: pd.DataFrame) -> dict[str, bool]:
    """The chart's days beyond its limits (rule 1), as YYYY-MM-DD -> True when above the upper limit."""
    out = (chart["value"] > chart["ucl"]) | (chart["value"] < chart["lcl"])
    return {pd.Timestamp(d).strftime("%Y-%m-%d"): bool(chart.loc[d, "value"] > chart.loc[d, "ucl"])
            for d in chart.index[out]}


def causes_true_on(ds, day: str, above: bool = True) -> set[str]:
    """The causes that were true on ``day`` of the learner's data, for a day beyond the control limits.

    The incidents in force that day (``ds.incidents``): when there is one, only an incident id is accepted (it
    must be named). Otherwise, above the upper limit: any of ``monday_peak`` (a Monday), an inbound campaign
    (``inbound_uplift`` > 1) running that day and ``high_volume`` (more calls offered than the mean of the same
    weekday), else ``not_found``; below the lower limit: ``low_volume`` (fewer calls offered than the mean of
    the same weekday), else ``not_found``. A signal is a special cause, so ``common_cause`` never fits.
    """
    true_that_day, _ = valid_causes(ds, day)
    in_force = true_that_day & set(ds.incidents["incident_id"].astype(str))
    if in_force:
        return in_force
    if above:
        return (true_that_day - {"common_cause"}) or {"not_found"}
    d = pd.Timestamp(day)
    offered = ds.calls[ds.calls["outcome"] != "lost"]
    daily = offered.groupby(offered["arrived_at"].dt.normalize()).size()
    same = daily[daily.index.day_of_week == d.day_of_week]
    return {"low_volume"} if d in daily.index and daily[d] < same.mean() else {"not_found"}


@CHECKS.check("monitor_check", "weekly_monitor", "sigma_z", "out_of_control_days", "signal_causes")
def monitor_check(data, weekly_monitor, sigma_z, out_of_control_days, signal_causes) -> Findings:
    """PC 3.4: weekly CSAT (top-two-box fraction), NPS (points), FCR (fraction) and complaints (count) per
    week starting Monday, from the data; the Laney p' chart of daily abandonment of all offered calls
    (``analysis.laney_p_chart(ds.calls, by="day")``): its ``sigma_z`` (within 0.5 %), exactly its days beyond
    the limits (rule 1, YYYY-MM-DD), and for each a cause true that day (:func:`causes_true_on`). The classic
    p chart's days fail: with a thousand calls a day its limits flag most days."""
    ds = data.ds
    fs = checks.weekly_monitor(weekly_monitor, out_of_control_days, signal_causes, sigma_z, ds)
    if not fs.all_passed:
        return fs
    chart = monitor_chart(ds)
    beyond = _beyond(chart)
    fs.append(_number("sigma_z", sigma_z, float(chart["sigma_z"].iloc[0]), "3.4", unit="times the classic limits"))
    days = check_set("out_of_control_days", out_of_control_days, sorted(beyond), points=1, criterion="3.4")
    classic = _beyond(analysis.p_chart(ds.calls, by="day"))
    if not days.passed and set(out_of_control_days) == set(classic) and len(classic) > len(beyond):
        days = Finding.fail("3.4", "these are the days beyond the classic p chart's limits, which are far too narrow "
                            "for a thousand calls a day: list the days beyond the Laney p' chart's limits",
                            item="out_of_control_days")
    fs.append(days)
    causes = {k: str(v) for k, v in signal_causes.items()}  # the formative check saw YYYY-MM-DD keys
    wrong = [d for d in sorted(beyond) if d in causes and causes[d] not in causes_true_on(ds, d, beyond[d])]
    fs.append(Finding.of("3.4", not wrong, "each cause was true on its day (the incident named where one was in force)"
                         if not wrong else f"the cause given for {', '.join(wrong[:3])} was not true that day (was an "
                         "incident in force? was it a Monday? a campaign running? busier than usual?)", "signal_causes"))
    surveys = ds.surveys.assign(week=_week(ds.surveys["sent_at"]))
    calls = ds.calls.assign(week=_week(ds.calls["arrived_at"]))
    expected = pd.DataFrame({
        "csat": kpi.csat(surveys, by="week"), "nps": kpi.nps(surveys, by="week"), "fcr": kpi.fcr(calls, by="week"),
        "complaints": ds.complaints.groupby(_week(ds.complaints["received_at"])).size(),
    }).fillna({"complaints": 0}).astype(float)
    answer = weekly_monitor[list(expected.columns)].astype(float)
    return fs + [check_table("weekly_monitor", answer.rename_axis("week"), expected.rename_axis("week"), key="week",
                             rel_tol=REL_TOL, points=2, criterion="3.4")]


def expected_retention_change(ds) -> tuple[pd.Timestamp, analysis.Comparison]:
    """PC 3.5: the change to evaluate and what it did. The Winter Saver offer (the period's first campaign that
    raises inbound calls) starts a week after the period and a week before the next campaign starts, with the
    retention campaign running throughout: the service level of the sales queue's retention calls in the 7 days
    before its start against its first 7 days isolates it. Days with an incident of the learner's own
    ``incidents`` table in force are left out of both weeks."""
    campaign = min((c for c in ds.case_study.campaigns if c.inbound_uplift > 1), key=lambda c: c.start)
    start = pd.Timestamp(campaign.start)
    calls = ds.calls[(ds.calls["queue"] == campaign.queue) & (ds.calls["reason"] == "retention_offer")]
    return start, analysis.compare_before_after(*weeks_around(ds, calls, start), metric="service_level")


def weeks_around(ds, calls: pd.DataFrame, start: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The calls of the 7 days before ``start`` and of the 7 days from it, leaving out every day an outage of
    the learner's ``incidents`` table started or ended on (outages last hours)."""
    day = calls["arrived_at"].dt.normalize()
    calls = calls[~day.isin(pd.concat([ds.incidents["start"], ds.incidents["end"]]).dt.normalize())]
    day = calls["arrived_at"].dt.normalize()
    week = pd.Timedelta(days=7)
    return calls[(day >= start - week) & (day < start)], calls[(day >= start) & (day < start + week)]


@CHECKS.check("adjust_check", "retention_change", "change_date")
def adjust_check(data, retention_change, change_date) -> Findings:
    """PC 3.5: the evaluation of the change (the Winter Saver launch on the queue that takes retention calls):
    its date, and the service level of retention calls the week before against the week after, with the
    interval the decision turns on."""
    fs = checks.before_after(retention_change, metric="service_level")
    if not fs.all_passed:
        return fs
    start, expected = expected_retention_change(data.ds)
    try:
        given = pd.Timestamp(change_date).normalize()
    except (TypeError, ValueError):
        given = None
    fs.append(Finding("3.5", given == start, 1 if given == start else 0, 1,
                      "the change's date is the start of the campaign evaluated", "change_date"))
    for field in ("estimate", "ci_low", "ci_high"):
        fs.append(_number(f"retention_change.{field}", getattr(retention_change, field), getattr(expected, field),
                          "3.5", abs_tol=1e-6))
    return fs


# ---------------------------------------------------------------------------------- element 4
@CHECKS.check("report_criteria_check", "report_criteria", "interview_log")
def report_criteria_check(data, report_criteria, interview_log) -> Findings:
    """PC 4.1 / PE4: reporting criteria per stakeholder that match their interests, identified by interviewing
    stakeholders at each level (the transcript replayed on this learner's stakeholders: the KPIs they named are
    in their criteria, none for those who do not use the centre's reports)."""
    return checks.report_criteria(report_criteria, data.cs, interview_log, data.ds)


@per_learner
def expected_kpis(data) -> dict[str, float]:
    """The KPIs of the learner's whole period (fractions, seconds, NPS points, AUD)."""
    ds, cs = data.ds, data.cs
    start, end = _period(data)
    sl = cs.targets["service_level"]
    return {
        "service_level": kpi.service_level(ds.calls, threshold_s=sl.threshold_s or 20),
        "asa_s": kpi.asa(ds.calls), "aht_s": kpi.aht(ds.calls), "abandonment_rate": kpi.abandonment_rate(ds.calls),
        "fcr": kpi.fcr(ds.calls), "csat": kpi.csat(ds.surveys), "nps": kpi.nps(ds.surveys),
        "conversion_rate": kpi.conversion_rate(ds.calls, ds.sales),
        "retention_rate": kpi.retention_rate(ds.customers, start, end),
        "cost_per_contact_aud": kpi.cost_per_contact(ds.calls, ds.shifts, ds.agents),
    }


_UNITS = {"asa_s": "seconds", "aht_s": "seconds", "nps": "points", "cost_per_contact_aud": "AUD"}


def _kpi_results(data, results, keys) -> Findings:
    fs = checks.kpi_results(results, keys)
    if not fs.all_passed:
        return fs
    expected = expected_kpis(data)
    return Findings(_number(k, results[k], expected[k], "4.2", unit=_UNITS.get(k, "fraction"), abs_tol=1e-9)
                    for k in keys)


@CHECKS.check("kpi_service_check", "kpi_results")
def kpi_service_check(data, kpi_results) -> Findings:
    """PC 4.2: service level, ASA, AHT and abandonment from the learner's data."""
    return _kpi_results(data, kpi_results, ["service_level", "asa_s", "aht_s", "abandonment_rate"])


@CHECKS.check("kpi_customer_check", "kpi_results")
def kpi_customer_check(data, kpi_results) -> Findings:
    """PC 4.2: FCR, CSAT, NPS and retention from the learner's data."""
    return _kpi_results(data, kpi_results, ["fcr", "csat", "nps", "retention_rate"])


@CHECKS.check("kpi_commercial_check", "kpi_results", "kpi_status")
def kpi_commercial_check(data, kpi_results, kpi_status) -> Findings:
    """PC 4.2: conversion and cost per contact from the data, and every KPI's status against its target."""
    fs = _kpi_results(data, kpi_results, ["conversion_rate", "cost_per_contact_aud"])
    if not isinstance(kpi_status, pd.DataFrame) or not {"kpi", "status"} <= set(kpi_status.columns):
        return fs + [Finding.fail("4.2", "`kpi_status` should be the table from kpi.kpi_table")]
    kpis = expected_kpis(data)
    targets = {k: v.model_dump() for k, v in data.cs.targets.items() if k in kpis}
    expected = kpi.kpi_table(kpis, targets)
    return fs + [check_table("kpi_status", kpi_status[["kpi", "status"]], expected[["kpi", "status"]], key="kpi",
                             points=1, criterion="4.2")]


@CHECKS.check("report_check", "report")
def report_check(data, report) -> Findings:
    """PC 4.3: a performance report with headline, KPIs against targets and recommendations; the headline
    states this learner's results against targets (count of KPIs met, or each KPI named with the right
    direction, service level and CSAT among them)."""
    fs = checks.report(report, data.cs)
    kpis = expected_kpis(data)
    targets = {k: v.model_dump() for k, v in data.cs.targets.items() if k in kpis}
    table = kpi.kpi_table(kpis, targets)
    status = dict(zip(table["kpi"], table["status"]))
    return fs + checks.headline(report.get("headline") if isinstance(report, dict) else None, status)
