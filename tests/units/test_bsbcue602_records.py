"""BSBCUE602 element 1 (``01_records_and_measurements``): the measurement specification library, the
reference answers against the trusted checks, placeholders and wrong answers earning nothing."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from ccw_grader import all_checks
from ccw_grader import bsbcue602_records as trusted
from helpers import measurement
from helpers.workbook import check_banners
from placeholder_support import as_data, run_reference, words

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "BSBCUE602" / "01_records_and_measurements.ipynb"
GRADE_IDS = ("information_needs_check", "budget_variance_check", "pathways_check", "step_measurements_check",
             "mis_spec_check", "measurement_tests_check")


# ------------------------------------------------------------------------------ helpers.measurement
def _events():
    t = pd.Timestamp("2025-05-05 09:00")
    return pd.DataFrame({
        "system": ["acd"] * 5 + ["crm"],
        "event": ["call_offered"] * 5 + ["wrap_code"],
        "channel": ["voice"] * 6,
        "queue": ["sales", "sales", "sales", "billing", "sales", "sales"],
        "recorded_at": [t, t, t, t, t + pd.Timedelta(days=1), t],
        "duration_s": [5.0, 25.0, 12.0, 30.0, 19.0, 300.0],
        "value": ["answered", "answered", "abandoned", "answered", "answered", "resolved"],
    })


def test_apply_matches_a_hand_computed_service_level():
    spec = {"sl": {"system": "acd", "event": "call_offered", "where": {"value": "answered"}, "aggregate": "share",
                   "field": "duration_s", "threshold": 20, "by": "queue"},
            "abandon": {"system": "acd", "event": "call_offered", "aggregate": "share",
                        "match": {"value": "abandoned"}, "by": None},
            "offered": {"system": "acd", "event": "call_offered", "aggregate": "count", "by": "queue"}}
    table = measurement.apply(spec, _events()).set_index(["measure", "day", "group"])
    day1, day2 = pd.Timestamp("2025-05-05"), pd.Timestamp("2025-05-06")
    # sales on day 1: answered 5 s and 25 s -> 1 of 2 within 20 s; the abandoned call is not in the population
    assert table.loc[("sl", day1, "sales"), "value"] == 0.5
    assert table.loc[("sl", day1, "sales"), "records"] == 2
    assert table.loc[("sl", day1, "billing"), "value"] == 0.0
    assert table.loc[("sl", day2, "sales"), "value"] == 1.0
    assert table.loc[("abandon", day1, "all"), "value"] == pytest.approx(1 / 4)
    assert table.loc[("offered", day1, "sales"), "value"] == 3
    assert measurement.totals(table.reset_index()).loc["sl"] == pytest.approx(2 / 4)  # 5 s and 19 s of four


def test_a_yaml_spec_is_the_same_as_the_dict():
    text = "aht:\n  system: crm\n  event: wrap_code\n  aggregate: mean\n  field: duration_s\n  by: null\n"
    table = measurement.apply(text, _events())
    assert table["value"].tolist() == [300.0]


@pytest.mark.parametrize("change,words_in_message", [
    ({"system": "pbx"}, ["unknown system 'pbx'", "acd, ivr, chat, ticketing, crm"]),
    ({"event": "wrap_code"}, ["writes no 'wrap_code'", "call_offered, outbound_call"]),
    ({"field": "wait_s"}, ["unknown field 'wait_s'", "duration_s"]),
    ({"where": {"value": "lost"}}, ["never hold the value 'lost'", "answered, abandoned"]),
    ({"where": {"outcome": "x"}}, ["unknown field 'outcome'", "channel, queue, value"]),
    ({"aggregate": "median"}, ["unknown aggregate 'median'", "count, share, mean, sum"]),
    ({"by": "agent"}, ["unknown 'by' 'agent'", "queue, channel"]),
    ({"thresold": 20}, ["unknown setting 'thresold'", "threshold"]),
    ({"threshold": None, "match": None}, ["needs 'match' or a 'field' and 'threshold'"]),
])
def test_a_malformed_spec_names_the_problem_and_the_valid_choices(change, words_in_message):
    good = {"system": "acd", "event": "call_offered", "aggregate": "share", "field": "duration_s", "threshold": 20}
    spec = {"sl": {k: v for k, v in {**good, **change}.items() if v is not None}}
    with pytest.raises(measurement.MeasurementSpecError) as err:
        measurement.apply(spec, _events())
    for w in words_in_message:
        assert w in str(err.value)
    assert str(err.value).startswith("sl:")


# ------------------------------------------------------------------------------ the notebook
def test_notebook_banners_and_cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert check_banners(nb) == []
    graded = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert set(GRADE_IDS) <= set(graded)
    assert all(("BSBCUE602", g) in all_checks() for g in GRADE_IDS)


@pytest.fixture(scope="module")
def ns():
    return run_reference(NOTEBOOK)


def _answers(ns, gid):
    return as_data(ns, all_checks()[("BSBCUE602", gid)].answers)


def _run(data, gid, **answers):
    return all_checks()[("BSBCUE602", gid)].run(data, **answers)


@pytest.mark.parametrize("gid", GRADE_IDS)
def test_reference_answer_earns_full_marks(gid, ns, data):
    fs = _run(data, gid, **_answers(ns, gid))
    assert fs.all_passed, [f.message for f in fs if not f.passed]


def test_lorem_ipsum_needs_earn_nothing(ns, data):
    needs = _answers(ns, "information_needs_check")["information_needs"]
    fake = [dict(r, need=words(r["need"])) for r in copy.deepcopy(needs)]
    fs = _run(data, "information_needs_check", information_needs=fake)
    assert not fs.all_passed
    assert any("say in a sentence" in f.message for f in fs if not f.passed)


def test_needs_must_cover_every_kpi_objective_and_budget_line(ns, data):
    needs = _answers(ns, "information_needs_check")["information_needs"]
    without_obj1 = [r for r in needs if r["serves"] != "OBJ-1"]
    assert not _run(data, "information_needs_check", information_needs=without_obj1).all_passed
    line = data.table("budget")["line"].iloc[0]
    without_line = [r for r in needs if r["serves"] != line]
    assert not _run(data, "information_needs_check", information_needs=without_line).all_passed


def test_a_wrong_status_or_amount_fails(ns, data):
    table = _answers(ns, "budget_variance_check")["budget_variance"].copy()
    flipped = table.assign(status=np.where(table["status"] == "over", "under", "over"))
    assert not _run(data, "budget_variance_check", budget_variance=flipped).all_passed
    whole_year = table.assign(budget_aud=table["budget_aud"] * 12 / 11)
    assert not _run(data, "budget_variance_check", budget_variance=whole_year).all_passed


def test_pathways_missing_or_invented_fail(ns, data):
    table = _answers(ns, "pathways_check")["pathways"]
    assert not _run(data, "pathways_check", pathways=table.iloc[1:]).all_passed
    invented = pd.concat([table, pd.DataFrame({"pathway": ["chat > ivr_menu"], "contacts": [3], "share": [0.0]})])
    assert not _run(data, "pathways_check", pathways=invented).all_passed


def test_copying_the_specification_without_counting_fails(ns, data):
    points = data.table("measurement_points")
    copy_only = points[["step", "system", "event", "method"]].assign(steps=1, records=1, steps_without_record=0)
    assert not _run(data, "step_measurements_check", step_measurements=copy_only).all_passed


def test_a_spec_that_differs_from_the_definition_fails(ns, data):
    spec = copy.deepcopy(_answers(ns, "mis_spec_check")["mis_spec"])
    spec["voice_service_level"].pop("where")  # abandoned calls counted as not answered in time
    fs = _run(data, "mis_spec_check", mis_spec=spec)
    assert [f.item for f in fs if not f.passed] == ["voice_service_level"]
    spec = copy.deepcopy(_answers(ns, "mis_spec_check")["mis_spec"])
    spec["email_within_24h"]["threshold"] = 24  # hours, not seconds
    assert not _run(data, "mis_spec_check", mis_spec=spec).all_passed


def test_repaired_mis_agrees_with_what_really_happened(data):
    """Where the MIS is faithful (faults undone), the reference measures are the journeys' own figures."""
    mis = trusted.repaired_mis(data.table("mis_events"), data.measurement_faults())
    table = measurement.apply(trusted.REFERENCE_SPEC, mis)
    got = measurement.totals(table)
    j = data.table("journeys")
    calls = j[(j["step"] == "queue_call") & (j["outcome"] != "lost")]
    answered = calls[calls["answered_at"].notna()]
    wait = (answered["answered_at"] - answered["started_at"]).dt.total_seconds()
    assert got["voice_service_level"] == pytest.approx((wait <= 20).mean())
    assert got["voice_abandonment"] == pytest.approx((calls["outcome"] == "abandoned").mean())
    ivr = j[j["channel"] == "ivr"]
    assert got["ivr_containment"] == pytest.approx((ivr["outcome"] == "self_service_completed").mean())
    assert not mis["value"][mis["event"] == "wrap_code"].isna().any()


def test_tests_with_wrong_flags_or_faults_fail(ns, data):
    table = _answers(ns, "measurement_tests_check")["measurement_tests"].copy()
    assert (~table["passed"]).sum() >= 3
    all_pass = table.assign(passed=True, fault=None)
    assert not _run(data, "measurement_tests_check", measurement_tests=all_pass).all_passed
    failing = table.index[~table["passed"]]
    swapped = table.copy()
    swapped.loc[failing, "fault"] = list(swapped.loc[failing, "fault"])[::-1]
    if list(swapped["fault"]) != list(table["fault"]):
        assert not _run(data, "measurement_tests_check", measurement_tests=swapped).all_passed
    only_pathways = table[table["passed"]]
    assert not _run(data, "measurement_tests_check", measurement_tests=only_pathways).all_passed
