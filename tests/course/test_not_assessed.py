"""A notebook with nothing to assess (an orientation) is not run when grading; the others are.

Running it would cost a kernel and the learner's code and could earn nothing: its outputs are cleared,
its code kept, and the learner is told why.
"""
from __future__ import annotations

import nbformat
from course_support import ASSIGNMENT, NOTEBOOKS, new_course
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.course.grade import grade
from helpers.course.worker import NOT_ASSESSED
from helpers.demo import cohort

READ_ME = "00_read_me"


def test_a_notebook_with_nothing_to_assess_is_not_run(tmp_path):
    from helpers.demo import sample

    notebooks = tmp_path / "notebooks"
    sample.write_sample_notebooks(notebooks)
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Read me: how the workbook works"),
                                       new_code_cell('print("ran")\nraise RuntimeError("this cell ran")')]),
                   notebooks / ASSIGNMENT / f"{READ_ME}.ipynb")
    course = new_course(tmp_path, check_solutions=False, notebooks=notebooks, workers=1)
    subs = tmp_path / "submissions" / "learner1" / ASSIGNMENT
    subs.mkdir(parents=True)
    read_me = course.release(READ_ME)
    read_me.cells[1].outputs = [new_output("display_data", data={"text/html": "<script>alert('x')</script>"})]
    nbformat.write(read_me, subs / f"{READ_ME}.ipynb")
    for name in NOTEBOOKS:
        nbformat.write(cohort.blank(course.release(name), course.source(name)), subs / f"{name}.ipynb")
    course.dataset("learner1")

    run = grade(course.root, course.notebooks, submissions=tmp_path / "submissions", datasets=course.datasets,
                workers=1, feedback=False, reports_dir=course.reports, progress=False)

    assert run.status[("learner1", ASSIGNMENT, READ_ME)] == "graded"
    assert NOT_ASSESSED in run.notes[("learner1", ASSIGNMENT, READ_ME)]
    autograded = course.root / "autograded" / "learner1" / ASSIGNMENT
    kept = nbformat.read(autograded / f"{READ_ME}.ipynb", as_version=4)
    code = [c for c in kept.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ['print("ran")\nraise RuntimeError("this cell ran")']
    assert code[0].outputs == []  # neither the learner's outputs nor a run's
    for name in NOTEBOOKS:  # the assessed notebooks were run as usual
        assert run.status[("learner1", ASSIGNMENT, name)] == "graded"
        ran = nbformat.read(autograded / f"{name}.ipynb", as_version=4)
        assert any(c.get("outputs") for c in ran.cells if c.cell_type == "code")
