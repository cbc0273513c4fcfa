"""BSBCUE602 element 4 (04_present_information): marks are earned only by real interviewing and right reports.

The source notebook's code cells run in-process with their reference solutions on the practice dataset, and the
answers pass through the grader's own encoding (``helpers.course.answers``). Then:

* the reference earns full marks from every trusted check;
* placeholders earn nothing: meaningless words in place of the free text, a transcript of someone else's (or a
  doctored) interview, specs claiming needs the transcript never revealed, specs never confirmed;
* a report for the wrong audience, or at a level of detail its audience did not ask for, fails;
* the course builds (the reference scores full marks) and its release runs top to bottom before anything is
  answered, every check saying its answer is still empty.
"""
from __future__ import annotations

import copy
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from ccw_grader import LearnerData, all_checks
from helpers import information_needs as info
from placeholder_support import as_data as _as_data
from placeholder_support import run_reference as _run
from placeholder_support import words as _lorem

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "BSBCUE602" / "04_present_information.ipynb"
GRADED = ("information_users_check", "tailoring_check", "short_term_check", "long_term_check")


@pytest.fixture(scope="module")
def ns():
    return _run(NOTEBOOK)


def _answers(ns, gid) -> tuple:
    check = all_checks()[("BSBCUE602", gid)]
    return check, _as_data(ns, check.answers)


def _fails(check, data, answers, item=None) -> list[str]:
    fs = check.run(data, **answers)
    assert not fs.all_passed
    failed = [f.item for f in fs if not f.passed]
    if item is not None:
        assert item in failed, [f.message for f in fs if not f.passed]
    return failed


@pytest.mark.parametrize("gid", GRADED)
def test_reference_answer_earns_full_marks(gid, ns, data):
    check, answers = _answers(ns, gid)
    fs = check.run(data, **answers)
    assert fs.all_passed, [f.message for f in fs if not f.passed]


def test_every_graded_cell_of_the_notebook_has_a_trusted_check():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    graded = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
              if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert tuple(graded) == GRADED


class _OtherLearner:
    """The practice data with another learner's stakeholders (their needs are drawn from the manifest's learner)."""

    def __init__(self, ds, learner):
        self._ds, self.manifest = ds, dict(ds.manifest, learner=learner)

    def __getattr__(self, name):
        return getattr(self._ds, name)

    def __getitem__(self, name):
        return self._ds[name]


def test_the_reference_earns_full_marks_whatever_the_learners_stakeholders_need(tmp_path):
    """Other learners' stakeholders need other levels and splits (interval and daily, monthly and quarterly, by
    channel and by queue among these four): the reference method still earns every mark."""
    import contextlib
    import io

    import matplotlib
    import matplotlib.pyplot as plt
    matplotlib.use("Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("grade")]
    seen = set()
    for learner in ("learner0", "learner1", "learner2", "learner3"):
        ns = {"display": lambda *a, **k: None}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(cells[0], ns)  # noqa: S102
            ns["ds"] = _OtherLearner(ns["ds"], learner)
            for source in cells[1:]:
                exec(source, ns)  # noqa: S102
        plt.close("all")
        data = LearnerData(None, None, tmp_path)
        data.__dict__["ds"] = ns["ds"]
        for gid in GRADED:
            check = all_checks()[("BSBCUE602", gid)]
            fs = check.run(data, **_as_data(ns, check.answers))
            assert fs.all_passed, (learner, gid, [f.message for f in fs if not f.passed])
        seen |= {ns["short_term_report"]["level"], ns["long_term_report"]["level"], ns["long_term_report"]["by"]}
    assert seen == {"interval", "daily", "monthly", "quarterly", "channel", "queue"}


# ---------------------------------------------------------------------------------- placeholders
def test_placeholder_uses_earn_nothing(ns, data):
    check, answers = _answers(ns, "information_users_check")
    fake = copy.deepcopy(answers)
    for v in fake["information_users"].values():
        v["uses"] = _lorem(v["uses"])
    _fails(check, data, fake, "uses")


def test_every_user_must_be_found_and_no_one_else(ns, data):
    check, answers = _answers(ns, "information_users_check")
    needs = info.needs(data.ds)
    fake = copy.deepcopy(answers)
    fake["information_users"].pop(next(iter(fake["information_users"])))
    _fails(check, data, fake, "missed")
    non_users = [n for n, need in needs.items() if not need.uses]
    if non_users:  # a stakeholder who said they do not use the information is listed anyway
        fake = copy.deepcopy(answers)
        name = non_users[0]
        level = next(s.level for s in data.cs.stakeholders if s.name == name)
        fake["information_users"][name] = {"level": level, "uses": f"{name} uses the centre's information to "
                                           + needs[name].decisions, "measures": ["contacts_offered"]}
        _fails(check, data, fake, "extra")


def test_another_learners_or_a_doctored_transcript_earns_nothing(ns, data):
    class Other:
        case_study = data.cs
        manifest = {"seed": 99, "learner": "someone-else"}
    for gid in GRADED:
        check, answers = _answers(ns, gid)
        doctored = copy.deepcopy(answers)
        doctored["interview_log"][1]["says"] = "The measures I need are service level and cost per contact."
        _fails(check, data, doctored, "interview_log")
    other = info.Interview(Other())
    for name in other.stakeholders:
        other._ask(name, "What is your role, and do you use the centre's reports?")
        other._ask(name, "Which measures do you need to see?")
    check, answers = _answers(ns, "information_users_check")
    _fails(check, data, dict(answers, interview_log=info.as_data(other.transcript)), "interview_log")


def test_measures_the_transcript_never_revealed_cannot_be_claimed(ns, data):
    """The true measures, typed in without asking for them (role questions only), earn nothing."""
    check, answers = _answers(ns, "information_users_check")
    interview = info.Interview(data.ds)
    for name in interview.stakeholders:
        interview._ask(name, "What is your role, and do you use the centre's reports?")
    _fails(check, data, dict(answers, interview_log=info.as_data(interview.transcript)), "revealed")


def test_a_spec_claiming_a_need_the_transcript_never_revealed_fails(ns, data):
    check, answers = _answers(ns, "tailoring_check")
    # every topic but the format asked of every user; the true specs (read from the needs) claimed and confirmed
    needs = info.needs(data.ds)
    interview = info.Interview(data.ds)
    for name, need in needs.items():
        interview._ask(name, "What is your role, and do you use the centre's reports?")
        if need.uses:
            for q in ("Which measures do you need to see?", "What level of detail do you need?",
                      "What time horizon do you look at?", "How should the figures be split?",
                      "How often, and by when, do you need it?"):
                interview._ask(name, q)
    specs = {n: need.spec() for n, need in needs.items() if need.uses}
    failed = _fails(check, data, dict(answers, presentation_specs=specs,
                                      interview_log=info.as_data(interview.transcript)), "revealed")
    assert "match" not in failed


def test_a_spec_that_does_not_match_what_was_said_or_was_never_confirmed_fails(ns, data):
    check, answers = _answers(ns, "tailoring_check")
    name = next(iter(answers["presentation_specs"]))
    fake = copy.deepcopy(answers)
    spec = fake["presentation_specs"][name]
    spec["format"] = next(f for f in info.FORMATS if f != spec["format"])
    failed = _fails(check, data, fake, "match")
    assert "confirmed" in failed  # the stakeholder never agreed to it
    fake = copy.deepcopy(answers)
    fake["interview_log"] = [e for e in fake["interview_log"] if "confirm" not in e]
    assert _fails(check, data, fake, "confirmed") == ["confirmed"]


def test_a_spec_for_every_user_is_needed(ns, data):
    check, answers = _answers(ns, "tailoring_check")
    fake = copy.deepcopy(answers)
    fake["presentation_specs"].pop(next(iter(fake["presentation_specs"])))
    _fails(check, data, fake, "missing")


# ---------------------------------------------------------------------------------- reports
def _short_table(calls: pd.DataFrame, level: str) -> pd.DataFrame:
    from ccw_grader.bsbcue602_reporting import short_term_expected
    return short_term_expected(calls, level)


def test_a_short_term_report_at_the_wrong_level_fails_even_with_right_numbers(ns, data):
    check, answers = _answers(ns, "short_term_check")
    level = answers["short_term_report"]["level"]
    other = "daily" if level == "interval" else "interval"
    report = dict(answers["short_term_report"], level=other)
    fake = dict(answers, short_term_report=report, short_term_table=_short_table(data.table("calls"), other))
    _fails(check, data, fake, "level")
    # right level in the report, but the table at the other level of detail
    fake = dict(answers, short_term_table=_short_table(data.table("calls"), other))
    _fails(check, data, fake, "short_term_table")


def test_a_report_for_the_wrong_audience_fails(ns, data):
    check, answers = _answers(ns, "short_term_check")
    long_audience = _answers(ns, "long_term_check")[1]["long_term_report"]["audience"]
    fake = dict(answers, short_term_report=dict(answers["short_term_report"], audience=long_audience))
    _fails(check, data, fake, "fit")
    check, answers = _answers(ns, "long_term_check")
    short_audience = _answers(ns, "short_term_check")[1]["short_term_report"]["audience"]
    fake = dict(answers, long_term_report=dict(answers["long_term_report"], audience=short_audience))
    _fails(check, data, fake, "fit")


def test_a_long_term_report_at_the_wrong_level_or_split_fails(ns, data):
    from ccw_grader.bsbcue602_reporting import long_term_expected
    check, answers = _answers(ns, "long_term_check")
    report = answers["long_term_report"]
    other = "monthly" if report["level"] == "quarterly" else "quarterly"
    history = data.table("traffic_history")
    fake = dict(answers, long_term_report=dict(report, level=other),
                long_term_table=long_term_expected(history, other, report["by"]))
    _fails(check, data, fake, "level")
    split = "queue" if report["by"] == "channel" else "channel"
    fake = dict(answers, long_term_report=dict(report, by=split),
                long_term_table=long_term_expected(history, report["level"], split))
    _fails(check, data, fake, "by")


def test_report_numbers_are_checked_against_the_data(ns, data):
    check, answers = _answers(ns, "short_term_check")
    table = answers["short_term_table"].copy()
    table["service_level"] = table["service_level"] * 1.05
    _fails(check, data, dict(answers, short_term_table=table), "short_term_table")
    check, answers = _answers(ns, "long_term_check")
    for key, value in (("growth", answers["long_term_report"]["growth"] + 0.02),
                       ("peak_month", answers["long_term_report"]["peak_month"] % 12 + 1)):
        _fails(check, data, dict(answers, long_term_report=dict(answers["long_term_report"], **{key: value})), key)
    season = answers["seasonality"].copy()
    season["seasonal_index"] = 1.0
    _fails(check, data, dict(answers, seasonality=season), "seasonality")


# ---------------------------------------------------------------------------------- course build and release
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from helpers.course.build import build_course
    course = tmp_path_factory.mktemp("course")
    notebooks = tmp_path_factory.mktemp("notebooks")
    (notebooks / "BSBCUE602").mkdir()
    shutil.copy(NOTEBOOK, notebooks / "BSBCUE602" / NOTEBOOK.name)
    report = build_course(course, notebooks, workers=1, progress=False)  # raises on any problem
    return course, report


def test_course_builds_and_the_release_runs_before_anything_is_answered(built):
    from helpers.course.execute import SlicedNotebookClient

    from helpers import workbook
    course, report = built
    assert report.solution_scores and all(score == full > 0 for score, full in report.solution_scores.values())
    assert workbook.check_banners(nbformat.read(NOTEBOOK, as_version=4)) == []
    path = course / "release" / "BSBCUE602" / NOTEBOOK.name
    text = path.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and '"benchmark"' not in text
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    nb = nbformat.read(path, as_version=4)
    SlicedNotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [(i, o.ename, o.evalue[:200]) for i, c in enumerate(nb.cells)
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    checks = [c for c in nb.cells if c.source.startswith("# Check")]
    assert len(checks) == len(GRADED)
    assert all("still empty" in "".join(o.get("text", "") for o in c.outputs) for c in checks)
