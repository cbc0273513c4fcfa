"""Formative checks of the BSBCUE605 workbook's structured answers: good, poor and malformed answers."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers.casestudy import load_case_study
from helpers.tasks import bsbcue605 as checks

CS = load_case_study("lyrebird-energy")
FRAMEWORK = {"name": "Relationship marketing", "principles": {  # each applies its figure to its own topic
    "segmentation": "Small business customers make 10% of calls, so each segment is answered in its own queue.",
    "retention": "In the data 11% of customers churned, so retention offers are made on service calls.",
    "people and process": "Repeat calls are 12% of calls, so agents are coached to resolve issues first time.",
    "promotion": "Only 13% of offers were accepted, so we promote offers only to customers who consented."}}


def test_framework_good_poor_and_malformed():
    assert checks.framework(FRAMEWORK).all_passed
    poor = {"name": "7Ps", "principles": {"price": "cheap", "place": "here"}}
    failed = [f.message for f in checks.framework(poor).failed()]
    assert any("2 principles given" in m for m in failed) and any("cite a figure" in m for m in failed)
    assert not checks.framework(["not", "a", "dict"]).all_passed


def test_objectives_must_be_at_least_as_demanding_as_the_business_plan():
    t = CS.targets["service_level"]
    rows = [{"principle": "retention", "objective": "keep", "kpi": "retention_rate", "target": 0.999},
            {"principle": "segmentation", "objective": "answer", "kpi": "service_level", "target": t.target - 0.1},
            {"principle": "promotion", "objective": "sell", "kpi": "conversion", "target": 0.3},
            {"principle": "people and process", "objective": "resolve", "kpi": "fcr", "target": 80}]
    failed = " ".join(f.message for f in checks.objectives(rows, CS, FRAMEWORK).failed())
    assert "less demanding" in failed and "unknown KPI names: conversion" in failed and "give a fraction" in failed


def test_supply_chains_table_shape():
    good = pd.DataFrame({"supply_chain": {q.name: q.supply_chain for q in CS.queues},
                         "calls_offered": 1.0, "share": 1 / len(CS.queues), "aht_s": 300.0, "service_level": 0.8})
    assert checks.supply_chains(good, CS).all_passed
    assert not checks.supply_chains(good.drop(columns="share"), CS).all_passed
    assert not checks.supply_chains(good.iloc[:2], CS).all_passed
    assert not checks.supply_chains({"sales": 1}, CS).all_passed


def test_report_must_be_on_time_and_to_stakeholders():
    names = [s.name for s in CS.stakeholders if s.level != "external"]
    on_time = (pd.Timestamp(CS.report_deadline) - pd.Timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    late = (pd.Timestamp(CS.report_deadline) + pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    report = {"to": names, "sent_at": on_time, "headline": "Six of ten KPIs met this period",
              "kpis": ["service_level", "fcr", "csat", "nps"], "figures": 1}
    assert checks.report(report, CS).all_passed
    assert any("deadline" in f.message for f in checks.report({**report, "sent_at": late}, CS).failed())
    assert not checks.report({**report, "figures": 0}, CS).all_passed


@pytest.mark.parametrize("value, ok", [(0.84, True), (84.0, False), ("0.84", False), (None, False)])
def test_kpi_results_ranges(value, ok):
    assert checks.kpi_results({"service_level": value}, ["service_level"]).all_passed is ok


def test_enhancements_need_a_working_view_and_an_index():
    ddl = "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, state TEXT);"
    good = "CREATE INDEX i ON customers (state); CREATE VIEW nsw AS SELECT * FROM customers WHERE state = 'NSW';"
    assert checks.enhancements(ddl, good).all_passed
    assert not checks.enhancements(ddl, "CREATE INDEX i ON customers (state);").all_passed
    broken = checks.enhancements(ddl, "CREATE VIEW v AS SELECT nope FROM customers; CREATE INDEX i ON customers (state);")
    assert not broken.all_passed
    assert not checks.enhancements(ddl, "").all_passed


def test_defect_report_shape():
    assert checks.defect_report({k: ["C1"] for k in ("malformed_email", "malformed_phone", "missing_postcode",
                                                     "duplicate_customer", "unsubscribe_late", "offer_to_dncr")}).all_passed
    assert not checks.defect_report({"typo_kind": ["C1"]}).all_passed
    assert not checks.defect_report(["C1", "C2"]).all_passed


class _Data:
    """The few tables the 3.1/3.3 checks read."""

    def __init__(self):
        self.customers = pd.DataFrame({"segment": ["residential", "small_business", "concession"]})
        self.tables = {"calls": pd.DataFrame({"reason": ["move_home", "high_bill", "retention_offer"]}),
                       "complaints": pd.DataFrame({"category": ["billing_error"]})}


SOUND_REASONS = [  # written independently, in different words: each cites a measure and how the segment stands
    "Only 3% of concession customers accepted a cross-sell offer, the lowest of any segment",
    "small_business has the highest churn, so a courtesy call after each sale matters most there",
    "Residential customers with long tenure respond best to retention offers",
    "complaints per customer are higher for concession customers than for the others",
]


def _plan(reasons):
    strategies = ["courtesy follow-up calls", "customer satisfaction surveying",
                  "offers of value added services or products", "loyalty programs"]
    segments = ["concession", "small_business", "residential", "concession"]  # the segment each reason is about
    return [{"strategy": s, "segment": g, "reason": r} for s, g, r in zip(strategies, segments, reasons)]


def test_after_sales_reasons_must_cite_the_analysis():
    assert checks.strategy_plan(_plan(SOUND_REASONS), _Data()).all_passed
    lorem = ["lorem ipsum dolor sit amet consectetur adipiscing elit vivamus"] * 4
    assert not checks.strategy_plan(_plan(lorem), _Data()).all_passed
    no_standing = ["customers accept offers about offers"] + SOUND_REASONS[1:]
    failed = " ".join(f.message for f in checks.strategy_plan(_plan(no_standing), _Data()).failed())
    assert "cites your analysis" in failed and "courtesy follow-up calls" in failed


def _process(triggers):
    names = {s.level: s.name for s in CS.stakeholders}
    steps = ["Flag at-risk customers for a retention call by the team",
             "Make the retention offer of a rate lock to customers who want to leave",
             "Courtesy follow-up call to check the customer stayed with us",
             "Review and document the process against churn each month"]
    return [{"step": s, "owner": names["centre"], "trigger": t, "kpi": "retention_rate", "frequency": "daily"}
            for s, t in zip(steps, triggers)]


def test_retention_process_triggers_are_observable_events():
    sound = ["customer rings to ask about a move home", "offer declined on the call", "a week after acceptance",
             "month-end churn figures"]
    assert checks.retention_process(_process(sound), CS, _Data()).all_passed
    from_data = ["high bill", "billing error", "NPS detractor", "quarter closes"]   # a call reason and a category
    assert checks.retention_process(_process(from_data), CS, _Data()).all_passed
    lorem = ["lorem ipsum dolor", "sit amet consectetur", "adipiscing elit", "vivamus lacinia odio"]
    failed = checks.retention_process(_process(lorem), CS, _Data()).failed()
    assert any("observable event" in f.message for f in failed)


def test_unit_checks_label_findings_with_their_tasks_criteria():
    from ccw_grader.marketing_reference import REFERENCE_DDL
    assert checks.design(REFERENCE_DDL).criteria() == ["2.1"]
    assert checks.design("").criteria() == ["2.1"]


def _monitor_ds():
    """Four weeks of calls (one a day, Monday to Saturday), one incident and one inbound campaign."""
    from types import SimpleNamespace
    days = [d for d in pd.date_range("2025-05-05", periods=27) if d.day_of_week < 6]
    return SimpleNamespace(calls=pd.DataFrame({"arrived_at": [d + pd.Timedelta(hours=9) for d in days]}),
                           incidents=pd.DataFrame({"incident_id": ["INC-0514-CRM"]}),
                           campaigns=pd.DataFrame({"campaign_id": ["CMP-2505-WSV"]}))


WEEKLY = pd.DataFrame({"csat": [0.71, 0.69], "nps": [12.0, 9.0], "fcr": [0.88, 0.9], "complaints": [31, 27]},
                      index=pd.to_datetime(["2025-05-05", "2025-05-12"]))


@pytest.mark.parametrize("change, item", [
    ({"sigma_z": "4.9"}, "sigma_z"), ({"sigma_z": -1.0}, "sigma_z"),
    ({"days": ["14/05/2025"]}, "out_of_control_days"),
    ({"causes": {}}, None),                                             # a signalled day without a cause
    ({"causes": {"2025-05-14": "the system was down"}}, None),          # not an id or a named kind
    ({"causes": ["INC-0514-CRM"]}, "signal_causes"),
    # a monitor that flags most days monitors nothing (the classic p chart on a thousand calls a day)
    ({"days": [f"2025-05-{d:02d}" for d in range(5, 17) if d != 11],
      "causes": {f"2025-05-{d:02d}": "not_found" for d in range(5, 17) if d != 11}}, "out_of_control_days"),
])
def test_weekly_monitor_shape_and_plausibility(change, item):
    good = {"days": ["2025-05-14"], "causes": {"2025-05-14": "INC-0514-CRM"}, "sigma_z": 4.9}
    ds = _monitor_ds()
    assert checks.weekly_monitor(WEEKLY, good["days"], good["causes"], good["sigma_z"], ds).all_passed
    assert checks.weekly_monitor(WEEKLY, [], {}, 4.9, ds).all_passed  # no signal is a valid answer
    a = dict(good, **change)
    fs = checks.weekly_monitor(WEEKLY, a["days"], a["causes"], a["sigma_z"], ds)
    assert not fs.all_passed
    assert item is None or item in {f.item for f in fs.failed()}
    assert fs.criteria() == ["3.4"]
