"""``ccw report``: competency rules on synthetic gradebooks, and the written reports and guide."""
from __future__ import annotations

import datetime as dt

import nbformat
import pandas as pd
import pytest
from course_support import ASSIGNMENT, NOTEBOOKS, new_course

from helpers.cli import main
from helpers.competency import Tag, collect_tags
from helpers.course import declaration
from helpers.course import gradebook as gbm
from helpers.course.config import load_course
from helpers.outcomes.report import (AWAITING, COLUMNS, COMPETENT, DECLARATION_ROW, NOT_YET, NOT_YET_COMPETENT,
                                   SATISFACTORY, THRESHOLD_NOTE, UNIT_ROW, RTORecord)
from helpers.outcomes.report import competency_frame as _competency_frame
from helpers.outcomes.reports import write_reports
from helpers.curriculum import load_unit
from helpers.curriculum.equivalence import equivalences

UNIT = "BSBCUE605"
RTO = RTORecord("Alex Assessor", "TAE40122; BSB50620, industry currency 2025", "simulated contact centre, own datasets")


def competency_frame(grades, tags, rto=RTO, declarations=None):
    """Every learner has signed their declaration unless ``declarations`` says otherwise."""
    if declarations is None:
        declarations = {(lr, a): (True, f"signed by {lr}") for lr, a in
                        grades[["learner", "assignment"]].drop_duplicates().itertuples(index=False)}
    return _competency_frame(grades, tags, rto, declarations)
ALL_ITEMS = [i.id for items in load_unit(UNIT).items_by_type().values() for i in items]


def _tags():
    """A test task on 4.2 + PE5; a written task on everything else of BSBCUE605."""
    rest = [i for i in ALL_ITEMS if i not in ("4.2", "PE5")]
    return [Tag("A/nb", "test_kpi", UNIT, ("4.2",), ("PE5",), "autograded", 2.0),
            Tag("A/nb", "essay", UNIT, tuple(i for i in rest if "." in i), tuple(i for i in rest if "." not in i),
                "manual", 4.0)]


def _grades(rows):
    """rows: (learner, cell, kind, auto, manual, max)."""
    df = pd.DataFrame(rows, columns=["learner", "cell", "kind", "auto_score", "manual_score", "max_score"])
    df["assignment"], df["notebook"], df["extra_credit"] = "A", "nb", float("nan")
    df["score"] = df["manual_score"].where(df["manual_score"].notna(), df["auto_score"]).fillna(0.0)
    pending = (df["kind"] != "autograded") & df["manual_score"].isna() & df["auto_score"].isna()
    df["status"] = pending.map({True: "awaiting", False: "graded"})
    return df


def _outcome(frame, learner, criterion, unit=UNIT):
    row = frame[(frame["learner"] == learner) & (frame["unit"] == unit) & (frame["criterion"] == criterion)]
    assert len(row) == 1, (learner, unit, criterion)
    return row.iloc[0]


def test_full_marks_everywhere_is_competent_in_both_units():
    frame = competency_frame(_grades([("ann", "test_kpi", "autograded", 2.0, None, 2.0),
                                      ("ann", "essay", "manual", None, 4.0, 4.0)]), _tags())
    assert list(frame.columns) == COLUMNS
    items = frame[(frame["unit"] == UNIT) & (frame["criterion"] != UNIT_ROW)]
    assert list(items["criterion"]) == ALL_ITEMS + [DECLARATION_ROW]  # every item in the unit's order, then the declaration
    assert set(items["outcome"]) == {SATISFACTORY}
    assert _outcome(frame, "ann", UNIT_ROW)["outcome"] == COMPETENT
    assert _outcome(frame, "ann", "4.2")["evidence"] == "A/nb:test_kpi 2/2"
    equivalent_units = {u for (u, _) in equivalences()}
    for unit in equivalent_units:
        assert _outcome(frame, "ann", UNIT_ROW, unit)["outcome"] == COMPETENT


def test_one_failed_test_cell_makes_its_items_not_yet_satisfactory():
    frame = competency_frame(_grades([("bob", "test_kpi", "autograded", 0.0, None, 2.0),
                                      ("bob", "essay", "manual", None, 4.0, 4.0)]), _tags())
    assert _outcome(frame, "bob", "4.2")["outcome"] == NOT_YET
    assert _outcome(frame, "bob", "PE5")["outcome"] == NOT_YET
    assert _outcome(frame, "bob", "1.1")["outcome"] == SATISFACTORY
    unit = _outcome(frame, "bob", UNIT_ROW)
    assert unit["outcome"] == NOT_YET_COMPETENT
    assert unit["evidence"] == (f"{len(ALL_ITEMS) - 2}/{len(ALL_ITEMS)} items Satisfactory; not yet: 4.2, PE5; "
                                f"{THRESHOLD_NOTE}")
    via = _outcome(frame, "bob", "4.2", "BSBCCO605A")
    assert via["outcome"] == NOT_YET and "BSBCUE605 4.2: Not Yet Satisfactory" in via["evidence"]


def test_ungraded_written_answer_awaits_the_assessor():
    frame = competency_frame(_grades([("cat", "test_kpi", "autograded", 2.0, None, 2.0),
                                      ("cat", "essay", "manual", None, None, 4.0)]), _tags())
    assert _outcome(frame, "cat", "1.1")["outcome"] == AWAITING
    assert _outcome(frame, "cat", "1.1")["evidence"] == "A/nb:essay awaiting the assessor"
    assert _outcome(frame, "cat", "4.2")["outcome"] == SATISFACTORY
    unit = _outcome(frame, "cat", UNIT_ROW)
    assert unit["outcome"] == NOT_YET_COMPETENT and f"{len(ALL_ITEMS) - 4} awaiting the assessor" in unit["evidence"]  # 4.2, PE5 earned; AC1, AC7 by RTO record


def test_threshold_is_full_marks_fixed_and_printed():
    grades = _grades([("dan", "test_kpi", "autograded", 2.0, None, 2.0), ("dan", "essay", "manual", None, 3.9, 4.0)])
    frame = competency_frame(grades, _tags())
    assert _outcome(frame, "dan", "1.1")["outcome"] == NOT_YET
    assert THRESHOLD_NOTE in _outcome(frame, "dan", UNIT_ROW)["evidence"]
    with pytest.raises(TypeError):
        _competency_frame(grades, _tags(), threshold=0.5)  # no way to lower it


def test_assessor_and_environment_items_come_from_rto_records():
    grades = _grades([("gil", "test_kpi", "autograded", 2.0, None, 2.0), ("gil", "essay", "manual", None, 4.0, 4.0)])
    frame = competency_frame(grades, _tags())
    assert _outcome(frame, "gil", "AC7")["evidence"].startswith("RTO record: assessor Alex Assessor; credentials: TAE40122")
    assert _outcome(frame, "gil", "AC1")["outcome"] == SATISFACTORY
    bare = competency_frame(grades, _tags(), rto=RTORecord("Alex Assessor"))
    ac7, ac1 = _outcome(bare, "gil", "AC7"), _outcome(bare, "gil", "AC1")
    assert ac7["outcome"] == NOT_YET and "c.CCWReport.assessor_credentials" in ac7["evidence"]
    assert ac1["outcome"] == NOT_YET and "c.CCWReport.environment" in ac1["evidence"]
    assert _outcome(bare, "gil", UNIT_ROW)["outcome"] == NOT_YET_COMPETENT
    assert "not yet: AC1, AC7" in _outcome(bare, "gil", UNIT_ROW)["evidence"]


def test_untagged_item_and_unsubmitted_task_are_not_yet_satisfactory():
    tags = [_tags()[0]]  # nothing evidences the other items
    grades = _grades([("eve", "test_kpi", "autograded", 2.0, None, 2.0)])
    frame = competency_frame(grades, tags + [Tag("A/other", "q", UNIT, ("4.2",), (), "autograded", 1.0)])
    assert _outcome(frame, "eve", "1.1")["evidence"] == "no task evidences this item"
    kpi = _outcome(frame, "eve", "4.2")
    assert kpi["outcome"] == NOT_YET and kpi["evidence"] == "A/nb:test_kpi 2/2; A/other:q not submitted"


def test_missing_or_unsigned_declaration_makes_the_unit_not_yet_competent():
    rows = [(lr, "test_kpi", "autograded", 2.0, None, 2.0) for lr in ("ann", "ben", "cal")]
    rows += [(lr, "essay", "manual", None, 4.0, 4.0) for lr in ("ann", "ben", "cal")]
    frame = competency_frame(_grades(rows), _tags(), declarations={
        ("ann", "A"): (True, "learner declaration signed by Ann on 02/03/2026 (A/declaration.md)"),
        ("ben", "A"): (False, "A/declaration.md not signed: the own-work box is not ticked")})
    assert _outcome(frame, "ann", UNIT_ROW)["outcome"] == COMPETENT
    assert _outcome(frame, "ann", DECLARATION_ROW)["evidence"].startswith("learner declaration signed by Ann")
    for learner, why in (("ben", "the own-work box is not ticked"), ("cal", "no learner declaration submitted")):
        for unit in (UNIT, "BSBCCO605A"):  # the equivalent unit follows the same declaration
            assert _outcome(frame, learner, DECLARATION_ROW, unit)["outcome"] == NOT_YET
            assert why in _outcome(frame, learner, DECLARATION_ROW, unit)["evidence"]
            unit_row = _outcome(frame, learner, UNIT_ROW, unit)
            assert unit_row["outcome"] == NOT_YET_COMPETENT and why in unit_row["evidence"]
            assert unit_row["evidence"].startswith("learner declaration not signed")


def test_learners_without_grades_in_a_unit_are_not_reported():
    frame = competency_frame(_grades([("fay", "unrelated", "autograded", 1.0, None, 1.0)]), _tags())
    assert frame.empty and list(frame.columns) == COLUMNS


# ------------------------------------------------------------------------- reports on a real gradebook
@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """A built course whose gradebook is filled through nbgrader's API (no kernels): ann earns
    everything, ben nothing, cal awaits the assessor on written answers."""
    course = new_course(tmp_path_factory.mktemp("report"), check_solutions=False)
    c = load_course(course.root, course.notebooks)
    with gbm.open_gradebook(c.db_url, c.course_id) as gb:
        for learner in ("ann", "ben", "cal"):
            gbm.prepare_submission(gb, ASSIGNMENT, learner, None)
            for name in NOTEBOOKS:
                src = course.source(name)
                for cell in src.cells:
                    meta = cell.metadata.get("nbgrader", {})
                    if not meta.get("grade"):
                        continue
                    full, manual = float(meta["points"]), bool(meta.get("solution"))
                    auto = None if manual and learner != "ben" else (0.0 if learner == "ben" else full)
                    gbm.record_scores(gb, learner, ASSIGNMENT, name, {meta["grade_id"]: auto}, {})
                    if manual and learner == "ann":
                        gbm.set_manual_score(gb, learner, ASSIGNMENT, name, meta["grade_id"], full)
    for learner in ("ann", "cal"):  # ben never signed: his declaration is missing
        folder = c.dir("submitted") / learner / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        (folder / declaration.FILE).write_text(declaration.signed_form(ASSIGNMENT, learner.title(), learner,
                                                                       dt.date(2026, 3, 2)), encoding="utf-8")
    return course


def test_write_reports_outcomes_and_files(marked):
    files = write_reports(marked.root, marked.notebooks, reports_dir=marked.reports)
    frame = pd.read_csv(files.competency_csv)
    assert list(frame.columns) == COLUMNS
    # one result sheet per learner, HTML and PDF (content: tests/outcomes/test_result_sheet.py)
    assert sorted(p.name for p in files.result_sheets) == sorted(f"{who}.{ext}" for who in frame["learner"].unique()
                                                                 for ext in ("html", "pdf"))
    units = frame[frame["criterion"] == UNIT_ROW].set_index(["learner", "unit"])["outcome"].to_dict()
    # ann earns every mark, but the sample workbook tags no foundation-skill item yet: those (and only
    # those) are Not Yet Satisfactory, so she is honestly Not Yet Competent in both units
    assert units[("ann", UNIT)] == NOT_YET_COMPETENT and units[("ann", "BSBCCO605A")] == NOT_YET_COMPETENT
    ann = frame[(frame["learner"] == "ann") & (frame["criterion"] != UNIT_ROW)]
    assert _outcome(frame, "ann", DECLARATION_ROW)["outcome"] == SATISFACTORY
    assert "signed by Ann on 02/03/2026" in _outcome(frame, "ann", DECLARATION_ROW)["evidence"]
    fs = ann["criterion"].str.startswith("FS-")
    rto = ann["criterion"].isin(["AC1", "AC7"]) & (ann["unit"] == UNIT)  # the course config has no RTO record
    assert set(ann.loc[~fs & ~rto, "outcome"]) == {SATISFACTORY} and set(ann.loc[fs | rto, "outcome"]) == {NOT_YET}
    assert "set c.CCWReport.assessor and c.CCWReport.assessor_credentials" in _outcome(frame, "ann", "AC7")["evidence"]
    assert _outcome(frame, "ann", "FS-OC1")["evidence"] == "no task evidences this item"
    assert units[("ben", UNIT)] == NOT_YET_COMPETENT and units[("cal", UNIT)] == NOT_YET_COMPETENT
    ben = frame[(frame["learner"] == "ben") & (frame["criterion"] != UNIT_ROW)]
    assert set(ben["outcome"]) == {NOT_YET}  # blank: Satisfactory on none
    assert "no learner declaration submitted" in _outcome(frame, "ben", DECLARATION_ROW)["evidence"]
    assert "learner declaration not signed" in _outcome(frame, "ben", UNIT_ROW)["evidence"]
    assert "learner declaration not signed" in _outcome(frame, "ben", UNIT_ROW, "BSBCCO605A")["evidence"]
    cal = frame[(frame["learner"] == "cal") & (frame["unit"] == UNIT) & (frame["criterion"] != UNIT_ROW)]
    assert _outcome(frame, "cal", "4.2")["outcome"] == SATISFACTORY  # autograded only
    assert set(cal.loc[~cal["criterion"].str.startswith("FS-") & ~cal["criterion"].isin(["AC1", "AC7"]), "outcome"]) \
        == {SATISFACTORY, AWAITING}
    assert files.competent == {"BSBCCO605A": 0, UNIT: 0} and files.learners == 3
    html = files.report_html.read_text()
    assert html.count("data:image/png;base64,") >= 3 and "Not Yet Competent" in html
    assert "Learner declarations missing or unsigned" in html and "ben (BSBCCO605A, BSBCUE605): no learner declaration" in html
    assert "- [ ] I declare" in (marked.root / "release" / ASSIGNMENT / declaration.FILE).read_text()  # released form
    assert "Unit status and equivalence (quoted from the unit texts)" in html
    assert "Is superseded by BSBMKG621 - Develop organisational marketing strategy 18/Oct/2020" in html
    sheet = (marked.reports / "result_sheets" / "ben.html").read_text()
    assert "Unit status (quoted from the unit text): superseded" in sheet and "no text we hold names" in sheet
    assert "Learner declaration: this is my own work" in sheet and "no learner declaration submitted" in sheet


def test_reports_are_byte_identical_when_rerun(marked, tmp_path):
    first = write_reports(marked.root, marked.notebooks, reports_dir=tmp_path / "a")
    second = write_reports(marked.root, marked.notebooks, reports_dir=tmp_path / "b")
    for a, b in ((first.competency_csv, second.competency_csv), (first.report_html, second.report_html),
                 (first.guide_html, second.guide_html)):
        assert a.read_bytes() == b.read_bytes()


def test_assessor_guide_has_tasks_rubrics_and_benchmarks_per_item(marked, tmp_path):
    files = write_reports(marked.root, marked.notebooks, reports_dir=tmp_path)
    guide = files.guide_md.read_text()
    tags = collect_tags(marked.notebooks)
    for name in NOTEBOOKS:
        for cell in nbformat.read(marked.notebooks / ASSIGNMENT / f"{name}.ipynb", as_version=4).cells:
            for point in cell.metadata.get("rubric", []):
                assert f"- {point}" in guide
            if "benchmark" in cell.metadata:
                assert cell.metadata["benchmark"].split(". ")[0] in guide
    for item in ALL_ITEMS:
        assert f" {item}: " in guide
    section = guide.split("### PC 4.2:")[1].split("\n### ")[0]
    assert all(t.task in section for t in tags if "4.2" in t.criteria)
    assert "Reference solution:" in section and 'answered = calls[~calls["abandoned"]]' in section
    assert "<h3" in files.guide_html.read_text()


def test_cli_report_on_an_empty_gradebook_is_a_clear_error(tmp_path, capsys):
    course = new_course(tmp_path, check_solutions=False)
    code = main(["report", "--course", str(course.root), "--notebooks", str(course.notebooks),
                 "--out", str(tmp_path / "r")])
    assert code == 2
    assert "holds no grades yet: run `ccw grade` first" in capsys.readouterr().err
    try:  # the threshold is fixed: the option no longer exists
        code = main(["report", "--course", str(course.root), "--threshold", "0.5"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
