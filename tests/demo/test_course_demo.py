"""The simulated cohort behind ``ccw demo``: exemplary Competent, blank nowhere, copier fails the data."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers.demo.pipeline import LEARNERS, run_demo
from helpers.curriculum import load_unit


@pytest.mark.slow
def test_demo_cohort_outcomes(tmp_path):
    lines = []
    result = run_demo(tmp_path, workbook="sample", workers=2, progress=False, echo=lines.append)
    items = sum(len(v) for v in load_unit("BSBCUE605").items_by_type().values())
    items += sum(len(v) for v in load_unit("BSBCCO605A").items_by_type().values())
    # the sample workbook tags no foundation-skill (FS) item yet: exemplary is Satisfactory on every other
    # item and Not Yet Competent only for them (the demo prints them as gaps)
    fs = len(load_unit("BSBCUE605").foundation_items) + len(load_unit("BSBCCO605A").foundation_items)
    assert result.units["exemplary"] == {"BSBCUE605": "Not Yet Competent", "BSBCCO605A": "Not Yet Competent"}
    assert result.satisfactory["exemplary"] == items - fs
    # blank earns nothing; only the AC items decided by the demo's RTO records (assessor, environment) are met
    assert result.satisfactory["blank"] == sum(1 for i in load_unit("BSBCUE605").assessment_conditions if i.rto)
    assert set(result.units["blank"].values()) == {"Not Yet Competent"}
    assert result.data_tasks["copier"][0] == 0 < result.data_tasks["copier"][1] == result.data_tasks["exemplary"][0]
    assert 0 < result.data_tasks["partial"][0] < result.data_tasks["partial"][1]
    assert 0 < result.satisfactory["partial"] < items and 0 < result.satisfactory["copier"] < items
    competency = pd.read_csv(result.files["competency_csv"])
    assert sorted(competency["learner"].unique()) == sorted(LEARNERS)
    assert not (competency["outcome"] == "Awaiting assessor").any()  # the assessor marked everything
    signed = competency[competency["criterion"] == "declaration"]  # every simulated learner signed theirs
    assert len(signed) == 2 * len(LEARNERS) and set(signed["outcome"]) == {"Satisfactory"}
    assert signed["evidence"].str.startswith("learner declaration signed by").all()
    similar = pd.read_csv(result.files["competency_csv"].parent / "similarity.csv")
    assert {"exemplary", "copier"} <= set(similar["learner_a"]) | set(similar["learner_b"])  # copied written answers
    pages = list(result.files["feedback"].rglob("*.html"))
    assert len(pages) == 2 * len(LEARNERS)
    # the assessor sees each learner's own benchmark facts under the written answer; the learner never does
    course = result.files["feedback"].parent
    def graded(learner):
        return next((course / "autograded" / learner).rglob("01_*.ipynb")).read_text(encoding="utf-8")
    for learner in ("exemplary", "copier"):  # both wrote the report
        assert "For the assessor only" in graded(learner) and "service level (20 s, fraction)" in graded(learner)
        assert "Which of your figures is furthest from its target" in graded(learner)
    assert "For the assessor only" not in graded("blank")  # an answer left as released: nothing to mark
    assert not any("For the assessor only" in p.read_text(encoding="utf-8") for p in pages)
    # and ccw report gathers them per learner (one page each, every learner with a written answer)
    facts = result.files["competency_csv"].parent / "benchmark_facts"
    exemplary = (facts / "exemplary.html").read_text(encoding="utf-8")
    assert "kpi_report" in exemplary and "service level (20 s, fraction)" in exemplary
    assert not (facts / "blank.html").exists()  # nothing answered: nothing to mark against
    assert any(str(result.files["report"]) in line for line in lines)
