"""``ccw grade`` on a cohort with every kind of bad submission, graded once in 2 parallel workers.

One module-scoped cohort: exemplary, blank, partial and copier learners plus learners with bad
input: not JSON, missing notebook, deleted + retyped cells + an added ``sys.exit`` cell ("edited"),
tampered tests, an endless loop + huge output ("loop_huge"), a loop that ignores interrupts,
``os._exit`` and kill -9. Each bad learner submits only 01_kpis (02 is then missing, graded zero
with a note). Kernel runs are the cost here, so compatible bad inputs share a notebook.
"""
from __future__ import annotations

import copy
import json
import zipfile

import nbformat
import pandas as pd
import pytest
from course_support import ASSIGNMENT, NOTEBOOKS, cells_by_id, new_course

from helpers import kpi
from helpers.demo import cohort
from helpers.course import gradebook as gbm
from helpers.course.config import load_course
from helpers.course.grade import export_csv, grade
from helpers.demo.sample import sample_calls
from helpers.course.submissions import import_submissions
from helpers.errors import UserFacingError

CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 5, 20  # generous: the machine may be busy
KPIS = "01_kpis"
TESTS = ("test_service_level", "test_abandonment")


def _answer(nb, grade_id: str, source: str):
    cells_by_id(nb)[f"{grade_id}_answer"].source = source
    return nb


def _bad_kpis(course) -> dict:
    """{learner: 01_kpis notebook (or raw bytes)} for every bad-input learner."""
    release, source = course.release(KPIS), course.source(KPIS)
    good = cohort.exemplary(release, source)

    def variant(fn):
        nb = copy.deepcopy(good)
        fn(nb)
        return nb

    def edit(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in
                    ("test_service_level", "load_data")]
        cell = cells_by_id(nb)["test_abandonment"]
        cell.cell_type = "markdown"
        del cell["outputs"], cell["execution_count"]
        nb.cells.insert(1, nbformat.v4.new_code_cell("import sys\nsys.exit(0)  # the learner's own cell"))

    def loop_huge(nb):
        _answer(nb, "service_level", "while True:\n    pass")
        cell = cells_by_id(nb)["abandonment_answer"]
        cell.source = 'print("x" * 3_000_000)\n' + cell.source

    tampered = cohort.blank(release)
    for gid in TESTS:
        cells_by_id(tampered)[gid].source = "assert True  # the test is fine, honest"
    return {
        "notjson": b"{ this is not a notebook",
        "edited": variant(edit),
        "tampered": tampered,
        "loop_huge": variant(loop_huge),
        "stubborn": variant(lambda nb: _answer(nb, "service_level", "import time\nwhile True:\n    try:\n"
                                               "        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass")),
        "crash": variant(lambda nb: _answer(nb, "service_level", "import os\nos._exit(1)")),
        "kill9": variant(lambda nb: _answer(nb, "abandonment", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")),
    }


def _write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    else:
        nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grade")
    course = new_course(base, check_solutions=False)  # test_course_build checks the solutions
    subs = base / "submissions"
    exemplary_values = {}
    for name in NOTEBOOKS:
        release, source = course.release(name), course.source(name)
        env = {"CCW_DATASET": str(course.dataset("exemplary")), "PYTHONPATH": str(course.root)}
        exemplary_values[name] = cohort.answer_values(release, source, env, cwd=str(base))
        _write(cohort.exemplary(release, source), subs / "exemplary" / ASSIGNMENT / f"{name}.ipynb")  # nbgrader layout
        _write(cohort.partial(release, source), subs / "partial" / f"{name}.ipynb")  # flat folder
        _write(cohort.copier(release, source, exemplary_values[name]), subs / "copier" / "work" / f"{name}.ipynb")
        with zipfile.ZipFile(subs / "blank.zip", "a") as zf:  # a zip with one top folder
            zf.writestr(f"blank/{name}.ipynb", nbformat.writes(cohort.blank(release, source)))
    _write(cohort.exemplary(course.release(NOTEBOOKS[1]), course.source(NOTEBOOKS[1])),
           subs / "missing" / f"{NOTEBOOKS[1]}.ipynb")
    for learner, nb in _bad_kpis(course).items():
        _write(nb, subs / learner / f"{KPIS}.ipynb")
    (subs / "partial" / "scratch.ipynb").write_text("{}")  # not part of the assignment: ignored
    learners = sorted(p.stem for p in subs.iterdir())
    for learner in learners:
        course.dataset(learner)
    run = grade(course.root, course.notebooks, submissions=subs, datasets=course.datasets, workers=2,
                timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT, reports_dir=course.reports, progress=False)
    grades = pd.read_csv(course.reports / "grades.csv")
    return course, run, grades, exemplary_values


def _scores(grades, learner, notebook=KPIS) -> dict[str, float]:
    rows = grades[(grades["learner"] == learner) & (grades["notebook"] == notebook)]
    return dict(zip(rows["cell"], rows["score"]))


def _notes(run, learner, notebook=KPIS) -> str:
    return " ".join(run.notes[(learner, ASSIGNMENT, notebook)])


def test_every_learner_and_notebook_is_graded(graded):
    course, run, grades, _ = graded
    learners = sorted(p.name for p in (course.root / "submitted").iterdir())
    assert run.learners == learners and len(learners) == 12
    assert run.ignored == ["partial/scratch.ipynb"]
    for learner in learners:
        for name in NOTEBOOKS:
            rows = grades[(grades["learner"] == learner) & (grades["notebook"] == name)]
            src = course.source(name)
            assert sorted(rows["cell"]) == sorted(g for g, c in cells_by_id(src).items() if c.metadata["nbgrader"]["grade"])
            assert (course.root / "autograded" / learner / ASSIGNMENT / f"{name}.ipynb").is_file()
            assert (course.root / "feedback" / learner / ASSIGNMENT / f"{name}.html").is_file()
    assert run.graded + run.missing + run.unreadable == len(learners) * len(NOTEBOOKS) and run.errors == 0


def test_exemplary_earns_every_autograded_mark_and_written_answers_await(graded):
    _, run, grades, _ = graded
    rows = grades[grades["learner"] == "exemplary"]
    auto = rows[rows["kind"] == "autograded"]
    assert (auto["score"] == auto["max_score"]).all() and len(auto) == 3
    assert set(rows.loc[rows["kind"] == "manual", "status"]) == {"awaiting"}
    assert all(not n for (lr, _, _), n in run.notes.items() if lr == "exemplary")


def test_blank_earns_nothing_and_needs_no_assessor(graded):
    _, _, grades, _ = graded
    rows = grades[grades["learner"] == "blank"]
    assert rows["score"].sum() == 0 and set(rows["status"]) == {"graded"}


def test_partial_earns_what_was_answered(graded):
    _, _, grades, _ = graded
    assert _scores(grades, "partial") == {"test_service_level": 2.0, "test_abandonment": 0.0, "kpi_report": 0.0}


def test_copier_fails_the_data_tasks_with_the_exemplary_numbers(graded):
    course, _, grades, values = graded
    copied = values[KPIS]["service_level_answer"]["service_level"]["number"]
    assert copied == pytest.approx(kpi.service_level(pd.read_csv(course.dataset("exemplary") / "calls.csv")))
    own = kpi.service_level(pd.read_csv(course.dataset("copier") / "calls.csv"))
    assert abs(own - copied) > 0.01 * own  # the two variants really differ
    rows = grades[(grades["learner"] == "copier") & (grades["kind"] == "autograded")]
    assert len(rows) == 3 and rows["score"].sum() == 0
    pasted = nbformat.read(course.root / "autograded" / "copier" / ASSIGNMENT / f"{KPIS}.ipynb", as_version=4)
    assert f"service_level = {copied!r}" in cells_by_id(pasted)["service_level_answer"].source


FULL, NOTHING = {"test_service_level": 2, "test_abandonment": 2}, {"test_service_level": 0, "test_abandonment": 0}


@pytest.mark.parametrize("learner, expected, notes", [
    ("notjson", NOTHING, ["could not be read as a Jupyter notebook"]),
    ("edited", FULL, ["Cell 'test_service_level' (a read-only cell) was deleted; it was put back",
                      "Cell 'load_data' (a read-only cell) was deleted",
                      "Cell 'test_abandonment' was changed from code to markdown; its type was restored"]),
    ("tampered", NOTHING, ["Cell 'test_service_level' is read-only but was edited; the original was restored",
                           "Cell 'test_abandonment' is read-only but was edited"]),
    ("loop_huge", {"test_service_level": 0, "test_abandonment": 2},
     [f"ran longer than {CELL_TIMEOUT} s and was stopped", "MB of output was dropped"]),
    ("stubborn", NOTHING, [f"the notebook ran longer than {NOTEBOOK_TIMEOUT:g} s and was stopped"]),
    ("crash", NOTHING, ["the Python kernel died"]),
    ("kill9", {"test_service_level": 2, "test_abandonment": 0}, ["the Python kernel died"]),
])
def test_bad_submission_is_graded_with_a_note(graded, learner, expected, notes):
    course, run, grades, _ = graded
    got = _scores(grades, learner)
    manual = grades[(grades["learner"] == learner) & (grades["cell"] == "kpi_report")].iloc[0]
    # their written answer (the benchmark) is still there for the assessor, whatever the code did
    answered = learner in ("edited", "loop_huge", "kill9", "stubborn", "crash")
    assert manual["status"] == ("awaiting" if answered else "graded")
    assert {k: v for k, v in got.items() if k != "kpi_report"} == expected
    page = (course.root / "feedback" / learner / ASSIGNMENT / f"{KPIS}.html").read_text()
    for note in notes:
        assert note in _notes(run, learner)
        assert max(note.split("'"), key=len).strip() in page  # the note reaches the learner's feedback
    assert f"{NOTEBOOKS[1]}.ipynb was not submitted" in _notes(run, learner, NOTEBOOKS[1])


def test_the_run_goes_on_after_sys_exit_in_a_learner_cell(graded):
    course, run, grades, _ = graded
    graded_nb = nbformat.read(course.root / "autograded" / "edited" / ASSIGNMENT / f"{KPIS}.ipynb", as_version=4)
    errors = [o.get("ename") for c in graded_nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert errors == ["SystemExit"] and _scores(grades, "edited")["test_abandonment"] == 2


def test_huge_output_is_cut_in_the_autograded_notebook(graded):
    course = graded[0]
    path = course.root / "autograded" / "loop_huge" / ASSIGNMENT / f"{KPIS}.ipynb"
    assert path.stat().st_size < 1_500_000


def test_feedback_never_shows_the_trusted_checks(graded):
    """The checks that award marks live in the grader package; no line of their code reaches feedback,
    only their findings (the copier's check says why the pasted number fails)."""
    course = graded[0]
    grader_lines = {line.strip() for path in (course.root / "ccw_grader").glob("*.py")
                    for line in path.read_text().splitlines() if len(line.strip()) >= 12}
    assert any("data.table(" in line for line in grader_lines)
    pages = sorted((course.root / "feedback").rglob("*.html"))
    assert len(pages) == 24
    for page in pages:
        text = page.read_text()
        assert "HIDDEN TESTS" not in text and "ccw_grader" not in text, page
        assert not grader_lines & {line.strip() for line in text.splitlines()}, page
    copier = (course.root / "feedback" / "copier" / ASSIGNMENT / f"{KPIS}.html").read_text()
    assert "is not within the tolerance" in copier  # the check's message still explains the failure


def test_csv_exports(graded):
    course, run, grades, _ = graded
    assert list(grades.columns) == [*gbm.GRADE_COLUMNS, "sandbox"]
    assert grades["sandbox"].str.startswith("bubblewrap").all()  # every mark: the learner's code ran sandboxed
    per_nb = pd.read_csv(course.reports / "submissions.csv").fillna("")
    assert per_nb["sandbox"].str.startswith("bubblewrap").all()
    crash = per_nb[(per_nb["learner"] == "crash") & (per_nb["notebook"] == KPIS)].iloc[0]
    assert crash["status"] == "graded" and "kernel died" in crash["notes"] and crash["score"] == 0
    notjson = per_nb[(per_nb["learner"] == "notjson") & (per_nb["notebook"] == KPIS)].iloc[0]
    assert notjson["status"] == "unreadable"
    totals = grades.groupby(["learner", "notebook"])["score"].sum()
    assert per_nb.set_index(["learner", "notebook"])["score"].to_dict() == totals.to_dict()
    notes = json.loads((course.root / "autograded" / "missing" / ASSIGNMENT / "grading_notes.json").read_text())
    assert notes[KPIS]["status"] == "missing"


def test_regrading_some_learners_leaves_everyone_else_and_manual_scores_alone(graded):
    course, _, before, _ = graded
    c = load_course(course.root, course.notebooks)
    with gbm.open_gradebook(c.db_url, c.course_id) as gb:
        gbm.set_manual_score(gb, "exemplary", ASSIGNMENT, KPIS, "kpi_report", 2.5, comment="good")
        with pytest.raises(ValueError, match="between 0 and 3"):
            gbm.set_manual_score(gb, "exemplary", ASSIGNMENT, KPIS, "kpi_report", 4)
    out = course.reports / "again"
    grade(course.root, course.notebooks, datasets=course.datasets, workers=2, learners=["kill9", "exemplary"],
          timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT, reports_dir=out, progress=False)
    after = pd.read_csv(out / "grades.csv")
    others = ~before["learner"].isin(["exemplary"])
    pd.testing.assert_frame_equal(after[others].reset_index(drop=True), before[others].reset_index(drop=True))
    row = after[(after["learner"] == "exemplary") & (after["cell"] == "kpi_report")].iloc[0]
    assert row["manual_score"] == 2.5 and row["score"] == 2.5 and row["status"] == "graded"
    auto = after[(after["learner"] == "exemplary") & (after["kind"] == "autograded")]
    assert (auto["score"] == auto["max_score"]).all()


def test_import_refuses_one_learners_bad_id_or_zip_and_takes_the_rest(tmp_path):
    release = tmp_path / "release" / ASSIGNMENT
    release.mkdir(parents=True)
    (release / f"{KPIS}.ipynb").write_text("{}")
    for learner in ("bad id", "good"):
        (tmp_path / "in" / learner).mkdir(parents=True)
        (tmp_path / "in" / learner / f"{KPIS}.ipynb").write_text("{}")
    (tmp_path / "in" / "x.zip").write_text("not a zip")
    imported = import_submissions(tmp_path / "in", tmp_path / "submitted", tmp_path / "release")
    assert imported.learners == ["good"]
    assert sorted(r.split(":")[0] for r in imported.refused) == ["bad id", "x.zip"]
    assert any("'bad id' is not a usable learner id" in r for r in imported.refused)
    assert any("not a readable zip file" in r for r in imported.refused)
    assert not (tmp_path / "submitted" / "bad id").exists()
    with pytest.raises(UserFacingError, match="submissions folder not found"):
        import_submissions(tmp_path / "nowhere", tmp_path / "submitted", tmp_path / "release")


def test_missing_dataset_is_a_clear_error(graded, tmp_path):
    course = graded[0]
    with pytest.raises(UserFacingError, match="no dataset folder under .* for: blank"):
        grade(course.root, course.notebooks, datasets=tmp_path, learners=["blank"], progress=False,
              reports_dir=tmp_path / "r")
    assert sample_calls(1).equals(sample_calls(1))  # variants are reproducible from their seed


def test_cli_feedback_only_and_bad_arguments(graded, tmp_path, capsys):
    from helpers.cli import main

    course = graded[0]
    page = course.root / "feedback" / "crash" / ASSIGNMENT / f"{KPIS}.html"
    page.unlink()
    code = main(["grade", "--course", str(course.root), "--notebooks", str(course.notebooks), "--feedback-only",
                 "--workers", "2", "--reports", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "feedback: 24 pages" in out and page.is_file()
    fresh = export_csv(load_course(course.root, course.notebooks), tmp_path / "fresh")[0]
    assert (tmp_path / "grades.csv").read_bytes() == fresh.read_bytes()
    assert main(["grade", "--course", str(course.root), "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert main(["grade", "--course", str(tmp_path / "nowhere")]) == 2
    assert "nbgrader_config.py is missing" in capsys.readouterr().err


def test_a_learner_is_one_unit_of_work_across_assignments(tmp_path):
    """One zygote and one dataset load serve all of a learner's notebooks; only assignments that release
    different files (a data file a notebook reads) need a unit of their own."""
    from helpers.course.grade import work_units
    from helpers.course.worker import NotebookTask

    def task(learner, assignment, notebook, files=()):
        path = tmp_path / f"{learner}-{assignment}-{notebook}.ipynb"
        path.write_text("x" * (10 if learner == "small" else 1000))
        return NotebookTask(learner, assignment, notebook, str(path), "", "course", str(tmp_path), {}, (60, 600, 1000),
                            files=[{"relpath": r, "path": p} for r, p in files])

    data = [("data.csv", "/release/B/data.csv")]
    tasks = [task("big", "B", "02"), task("small", "A", "01"), task("big", "A", "01"), task("big", "B", "01"),
             task("small", "C", "01", data), task("small", "A", "02")]
    units = work_units(tasks)
    assert [[(t.learner, t.assignment, t.notebook) for t in u] for u in units] == [
        [("big", "A", "01"), ("big", "B", "01"), ("big", "B", "02")],   # largest first, in order within
        [("small", "A", "01"), ("small", "A", "02")],
        [("small", "C", "01")],                                       # other files: another sandbox
    ]
