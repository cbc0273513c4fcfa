"""Hidden-test references for the BSBCUE605 workbook (grader side only).

Every function takes the learner's answer, recomputes the expected result from *the learner's
own* dataset (``helpers.data.load_dataset()``, which the grader points at that learner through
``CCW_LEARNER``/``CCW_DATASET``) and returns findings; hidden tests ``require`` them. The formative
checks of ``helpers.tasks.bsbcue605`` run first, so a malformed answer fails with the same message
the learner saw. Messages never reveal the expected numbers.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers import analysis, contingency, kpi, maintenance, marketing_db, staffing
from helpers.findings import Finding, Findings
from helpers.grading import check_set, check_table, check_value
from helpers.tasks import bsbcue605 as checks

REL_TOL = 0.005  # numbers computed from the data must agree within 0.5 %


@lru_cache(maxsize=1)
def _ds():
    from helpers.data import load_dataset
    return load_dataset()


def _cs():
    return _ds().case_study


def _period():
    calls = _ds().calls
    return calls["arrived_at"].min().normalize(), calls["arrived_at"].max()


def _number(name, answer, expected, criterion, *, unit=None, points=1.0, rel_tol=REL_TOL, abs_tol=0.0) -> Finding:
    return check_value(name, answer, expected, rel_tol=rel_tol, abs_tol=abs_tol, points=points, criterion=criterion,
                       unit=unit)


# ---------------------------------------------------------------------------------- element 1
def framework(answer) -> Findings:
    return checks.framework(answer)


def consensus_log(log, framework_answer) -> Findings:
    return checks.consensus_log(log, _cs(), framework_answer)


def objectives(answer, framework_answer) -> Findings:
    return checks.objectives(answer, _cs(), framework_answer)


def peak_staffing(peak_calls, peak_traffic, peak_agents) -> Findings:
    fs = checks.peak_staffing(peak_calls, peak_traffic, peak_agents)
    if not fs.all_passed:
        return fs
    calls = _ds().calls
    sales = calls[(calls["queue"] == "sales") & (calls["outcome"] != "lost")]
    calls_max = int(sales.groupby(sales["arrived_at"].dt.floor("30min")).size().max())
    aht = kpi.aht(sales)
    traffic = staffing.traffic_erlangs(calls_max, aht, interval_s=1800)
    sl = _cs().targets["service_level"]
    agents = staffing.agents_required(traffic, aht, sl.threshold_s or 20, sl.target).agents
    fs.append(_number("peak_calls", peak_calls, calls_max, "1.3", rel_tol=0))
    fs.append(_number("peak_traffic", peak_traffic, traffic, "1.3", unit="Erlangs"))
    fs.append(_number("peak_agents", peak_agents, agents, "1.3", rel_tol=0))
    return fs


def supply_chains(table) -> Findings:
    fs = checks.supply_chains(table, _cs())
    if not fs.all_passed:
        return fs
    offered = _ds().calls[_ds().calls["outcome"] != "lost"]
    expected = pd.DataFrame({
        "calls_offered": offered.groupby("queue").size().astype(float),
        "aht_s": kpi.aht(offered, by="queue"),
        "service_level": kpi.service_level(offered, threshold_s=20, by="queue"),
    })
    expected["share"] = expected["calls_offered"] / expected["calls_offered"].sum()
    answer = table[list(expected.columns)].astype(float).rename_axis("queue")
    fs.append(check_table("supply_chains", answer, expected.rename_axis("queue"), key="queue", rel_tol=REL_TOL,
                          points=3, criterion="1.4"))
    return fs


# ---------------------------------------------------------------------------------- element 2
def design(ddl, criterion: str) -> Findings:
    if not isinstance(ddl, str) or not ddl.strip():
        return Findings([Finding.fail(criterion, "`MARKETING_DDL` should be a string of SQL statements")])
    fs = marketing_db.check_design(ddl).for_criterion(criterion)
    if _normalise_sql(ddl) == _normalise_sql(marketing_db.REFERENCE_DDL):
        fs.append(Finding.fail(criterion, "the design is a verbatim copy of the published reference design: "
                                          "design your own database", item="own_work"))
    return fs


def _normalise_sql(sql: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"--[^\n]*", "", sql)).strip().casefold()


def load_and_query(ddl, mapping, query) -> Findings:
    """The learner's design loads (most customers accepted) and their query returns exactly the customers
    the ``retention_email`` probe allows, among those their own constraints accepted."""
    fs = checks.loaded(ddl, mapping, query, _ds(), run=False)
    if not fs.all_passed:
        return fs
    tables = _ds().tables
    conn = marketing_db.load_into_design(ddl, mapping, tables)
    design = marketing_db.describe_design(conn.schema) if conn.schema is not None else None
    customer = design.customer if design is not None else None
    if customer is None or len(customer.primary_key) != 1:
        return fs + [Finding.fail("2.2", "no customer table with a one-column primary key was loaded")]
    loaded = {str(r[0]) for r in conn.execute(f'SELECT "{customer.primary_key[0]}" FROM "{customer.name}"')}
    share = len(loaded) / max(1, len(tables["customers"]))
    fs.append(Finding("2.2", share >= 0.95, 1.0 if share >= 0.95 else 0.0, 1.0,
                      f"{share:.1%} of customers loaded into your design (at least 95% needed)", "load"))
    as_of = marketing_db.default_as_of(tables)
    expected = marketing_db.expected_probe_ids(tables, as_of)["retention_email"] & loaded
    fs.append(marketing_db.check_query(conn, query, expected, name="ELIGIBLE_EMAIL_QUERY", criterion="2.2",
                                       params=marketing_db.probe_params(as_of)))
    return fs


def enhancements(ddl, sql) -> Findings:
    return checks.enhancements(ddl, sql)


def defects(reported) -> Findings:
    fs = checks.defect_report(reported)
    if not fs.all_passed:
        return fs
    manifest = _defects()
    ids = [rid for ids in reported.values() for rid in ids]
    return fs + maintenance.score_reported(ids, manifest)


def _defects() -> pd.DataFrame:
    """The defect ground truth of the learner's dataset (never shipped with the dataset).

    Read from the grader-side manifest written by ``ccw regenerate`` (``$CCW_DEFECTS`` or
    ``autograde/manifests/<case study>/<learner>/defects.parquet``); where there is none (the practice
    dataset), regenerated from the dataset manifest's case study, seed, learner and days, which is
    exact because generation is deterministic.
    """
    manifest = _ds().manifest
    slug, learner = manifest.get("case_study"), manifest.get("learner")
    candidates = [Path(os.environ["CCW_DEFECTS"])] if os.environ.get("CCW_DEFECTS") else []
    root = Path(__file__).resolve().parents[1]
    candidates.append(root / "manifests" / str(slug) / str(learner or "_practice") / "defects.parquet")
    for path in candidates:
        if path.is_file():
            return pd.read_parquet(path)
    from helpers.casestudy import load_case_study
    from helpers.generator import generate
    days = manifest.get("days")
    if days == load_case_study(slug).period.days:
        days = None  # generated with the case study's own period
    regenerated = generate(slug, seed=manifest["seed"], learner=learner, days=days)
    if len(regenerated.tables["customers"]) != manifest["tables"]["customers"]["rows"]:
        raise RuntimeError("grader: regenerated data does not match the learner's dataset manifest")
    return regenerated.defects


def contingency_plan(text) -> Findings:
    fs = checks.contingency_plan(text, _ds())
    return fs


# ---------------------------------------------------------------------------------- element 3
def offer_response(table) -> Findings:
    ds = _ds()
    offers = ds.offers.merge(ds.campaigns[["campaign_id", "kind"]], on="campaign_id", how="left")
    offers = offers.merge(ds.customers[["customer_id", "segment"]], on="customer_id", how="left")
    expected = (offers.assign(accepted=offers["response"] == "accepted")
                .pivot_table(index="segment", columns="kind", values="accepted", aggfunc="mean"))
    if not isinstance(table, pd.DataFrame):
        return Findings([Finding.fail("3.1", "`offer_response` should be a DataFrame (segments × campaign kinds)")])
    answer = table.copy()
    answer.columns = [str(c) for c in answer.columns]
    expected.columns = [str(c) for c in expected.columns]
    return Findings([check_table("offer_response", answer.rename_axis("segment").astype(float),
                                 expected.rename_axis("segment"), key="segment", rel_tol=REL_TOL, points=2,
                                 criterion="3.1")])


def strategy_plan(plan, name) -> Findings:
    return checks.strategy_plan(plan, _ds(), name)


def _churn() -> pd.Series:
    start, end = _period()
    return kpi.churn_rate(_ds().customers, start, end, by="segment")


def churn_by_segment(series) -> Findings:
    if not isinstance(series, pd.Series):
        return Findings([Finding.fail("3.2", "`churn_by_segment` should be a pandas Series indexed by segment")])
    expected = _churn().rename("churn").rename_axis("segment").to_frame()
    answer = series.astype(float).rename("churn").rename_axis("segment").to_frame()
    return Findings([check_table("churn_by_segment", answer, expected, key="segment", rel_tol=REL_TOL, points=2,
                                 criterion="3.2")])


def retention_strategies(strategies) -> Findings:
    return checks.retention_strategies(strategies, _churn())


def retention_process(process) -> Findings:
    return checks.retention_process(process, _cs())


def _week(s: pd.Series) -> pd.Series:
    return s.dt.to_period("W-SUN").dt.start_time


def weekly_monitor(table) -> Findings:
    fs = checks.weekly_monitor(table, [])
    if not fs.all_passed:
        return fs
    ds = _ds()
    surveys = ds.surveys.assign(week=_week(ds.surveys["sent_at"]))
    calls = ds.calls.assign(week=_week(ds.calls["arrived_at"]))
    expected = pd.DataFrame({
        "csat": kpi.csat(surveys, by="week"), "nps": kpi.nps(surveys, by="week"), "fcr": kpi.fcr(calls, by="week"),
        "complaints": ds.complaints.groupby(_week(ds.complaints["received_at"])).size(),
    }).fillna({"complaints": 0}).astype(float)
    answer = table[list(expected.columns)].astype(float)
    return fs + [check_table("weekly_monitor", answer.rename_axis("week"), expected.rename_axis("week"), key="week",
                             rel_tol=REL_TOL, points=2, criterion="3.4")]


def out_of_control_days(days) -> Findings:
    chart = analysis.p_chart(_ds().calls, by="day")
    beyond = (chart["value"] > chart["ucl"]) | (chart["value"] < chart["lcl"])
    expected = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in chart.index[beyond]]
    return Findings([check_set("out_of_control_days", days, expected, points=1, criterion="3.4")])


def csat_change(result, review_date) -> Findings:
    fs = checks.before_after(result)
    if not fs.all_passed:
        return fs
    surveys = _ds().surveys
    cut = pd.Timestamp(_cs().period.start) + pd.Timedelta(days=_cs().period.days // 2)
    fs.append(Finding("3.5", pd.Timestamp(review_date) == cut, 1 if pd.Timestamp(review_date) == cut else 0, 1,
                      "the review date is the middle of the period", "review_date"))
    expected = analysis.compare_before_after(surveys[surveys["sent_at"] < cut], surveys[surveys["sent_at"] >= cut],
                                             metric="csat")
    fs.append(_number("csat_change.estimate", result.estimate, expected.estimate, "3.5", abs_tol=1e-6))
    return fs


# ---------------------------------------------------------------------------------- element 4
def report_criteria(criteria) -> Findings:
    return checks.report_criteria(criteria, _cs())


def expected_kpis() -> dict[str, float]:
    ds, cs = _ds(), _cs()
    start, end = _period()
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


def kpi_results(results, keys) -> Findings:
    fs = checks.kpi_results(results, keys)
    if not fs.all_passed:
        return fs
    expected = expected_kpis()
    return Findings(_number(k, results[k], expected[k], "4.2", unit=_UNITS.get(k, "fraction"), abs_tol=1e-9)
                    for k in keys)


def kpi_status(table) -> Findings:
    if not isinstance(table, pd.DataFrame) or not {"kpi", "status"} <= set(table.columns):
        return Findings([Finding.fail("4.2", "`kpi_status` should be the table from kpi.kpi_table")])
    targets = {k: v.model_dump() for k, v in _cs().targets.items()}
    expected = kpi.kpi_table(expected_kpis(), {k: v for k, v in targets.items() if k in expected_kpis()})
    return Findings([check_table("kpi_status", table[["kpi", "status"]], expected[["kpi", "status"]], key="kpi",
                                 points=1, criterion="4.2")])


def report(answer) -> Findings:
    return checks.report(answer, _cs())
