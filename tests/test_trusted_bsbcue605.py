"""The trusted checks of BSBCUE605 run in-process on the practice dataset (no kernel): a learner who misses
every compliance breach is Not Yet Satisfactory on 2.4, whatever else they found."""
from __future__ import annotations

from pathlib import Path

import pytest

from ccw_grader import LearnerData, all_checks

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return LearnerData(None, None, tmp_path_factory.mktemp("course"))


def _by_kind(truth):
    return {k: sorted(g["record_id"].astype(str)) for k, g in truth.groupby("kind")}


def test_all_defects_reported_passes_and_missing_every_compliance_breach_fails(data):
    check = all_checks()[("BSBCUE605", "defects_check")]
    truth = data.defects()
    everything = _by_kind(truth)
    assert check.run(data, reported_defects=everything).all_passed
    compliance = {"offer_to_dncr", "offer_to_opted_out", "offer_outside_hours", "unsubscribe_late"}
    assert compliance & set(everything), "the practice data holds compliance breaches"
    no_breaches = {k: v for k, v in everything.items() if k not in compliance}
    fs = check.run(data, reported_defects=no_breaches)
    assert not fs.all_passed
    assert any(f.item == "compliance" and not f.passed for f in fs)


def _status(data):
    from ccw_grader.bsbcue605 import expected_kpis
    from helpers import kpi
    kpis = expected_kpis(data)
    table = kpi.kpi_table(kpis, {k: v.model_dump() for k, v in data.cs.targets.items() if k in kpis})
    return dict(zip(table["kpi"], table["status"]))


def test_headline_in_other_words_passes_and_the_wrong_direction_fails(data):
    from helpers.tasks import bsbcue605 as checks
    status = _status(data)
    word = {"met": "above", "missed": "below"}
    other = {"met": "below", "missed": "above"}
    sound = (f"Service level finished {word[status['service_level']]} its target; "
             f"customer satisfaction finished {word[status['csat']]} target.")
    assert checks.headline(sound, status).all_passed, sound
    wrong = (f"Service level finished {other[status['service_level']]} its target; "
             f"customer satisfaction finished {other[status['csat']]} target.")
    assert not checks.headline(wrong, status).all_passed
    assert not checks.headline("A strong period for the centre with good results overall.", status).all_passed


def test_every_kpi_for_every_stakeholder_fails_report_criteria(data):
    from helpers.tasks import bsbcue605 as checks
    cs = data.cs
    assert not checks.report_criteria({s.name: list(checks.KPI_NAMES) for s in cs.stakeholders}, cs).all_passed
