"""Validate tells the truth: nbgrader's Validate lists every task whose checks do not all pass, by
task name, while the workbook still runs top to bottom (Run All stops on errors, not on stderr)."""
from __future__ import annotations

import os
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.lab.validate import TaskValidator, install

SETUP = "from helpers import workbook\nfrom helpers.findings import Finding, Findings\nanswer = None\nreasons = None"
FOUR_OF_FIVE = ("# Check · Task 1.1 (formative feedback; run it after your answer)\n"
                "workbook.feedback(Findings([Finding.ok('1.1', f'part {i} is right') for i in range(4)]\n"
                "                           + [Finding.fail('1.1', 'the totals do not add up')]))")
ALL_PASS = ("# Check · Task 1.2 (formative feedback; run it after your answer)\n"
            "workbook.feedback(Findings([Finding.ok('1.2', 'right')]))")
EMPTY = ("# Check · Task 1.3 (formative feedback; run it after your answer)\n"
         "if workbook.answered('answer', answer):\n    workbook.feedback(Findings([Finding.ok('1.3', 'ok')]))")


def _graded(cell, grade_id, *, grade=True, solution=False, locked=False, points=1):
    from nbgrader.utils import compute_checksum

    cell.metadata["nbgrader"] = {"grade": grade, "grade_id": grade_id, "locked": locked, "points": points,
                                 "schema_version": 3, "solution": solution, "task": False}
    cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)  # as nbgrader's release records it
    return cell


def released_notebook():
    """What a learner fetches: three tasks with checks (4/5, all pass, empty answer) and a written answer."""
    cells = [
        _graded(new_code_cell(SETUP), "setup", grade=False, locked=True),
        new_markdown_cell("## Task 1.1 · Reconcile the call volumes\n\nAdd them up."),
        _graded(new_code_cell(FOUR_OF_FIVE), "volumes_check", locked=True, points=2),
        new_markdown_cell("## Task 1.2 · Name the queues"),
        _graded(new_code_cell(ALL_PASS), "queues_check", locked=True),
        new_markdown_cell("## Task 1.3 · Choose the criteria\n\nSet `answer`."),
        _graded(new_code_cell(EMPTY), "criteria_check", locked=True),
        new_markdown_cell("**Written answer.** Explain your choice."),
        _graded(new_markdown_cell("YOUR ANSWER HERE"), "criteria_reasons", solution=True, points=2),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    path = tmp_path / "01_volumes.ipynb"
    nbformat.write(released_notebook(), path)
    return path


def test_validate_lists_every_unfinished_task_by_name(notebook):
    failed = TaskValidator().validate(str(notebook))["failed"]
    errors = [f["raw_error"] for f in failed]
    assert len(errors) == 3, errors
    assert errors[0].startswith("Task 1.1 · Reconcile the call volumes: 4 of 5 checks pass. "
                                "Not yet: the totals do not add up")
    assert errors[1].startswith("Task 1.3 · Choose the criteria: ✎ `answer` is still empty")
    assert errors[2] == "Task 1.3 · Choose the criteria (written answer): You did not provide a response."
    assert not any("Task 1.2" in e for e in errors)  # a task whose checks all pass is not listed


def test_plain_nbgrader_validate_no_longer_says_success(notebook):
    """Even without TaskValidator (e.g. `nbgrader validate` elsewhere), the stderr line fails the cell."""
    from nbgrader.validator import Validator

    failed = Validator().validate(str(notebook))["failed"]
    assert any(f["raw_error"].startswith("Task 1.1: 4 of 5 checks pass") for f in failed)


def test_run_all_still_runs_top_to_bottom_without_red_boxes(notebook):
    """Working in the lab (not validating), unfinished tasks are said on stdout: no error, no stderr."""
    from helpers.course.execute import SlicedNotebookClient

    nb = nbformat.read(notebook, as_version=4)
    SlicedNotebookClient(nb, timeout=120, kernel_name="python3").execute()  # raises on the first error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Task 1.1: 4 of 5 checks pass" in text and "Task 1.3: ✎ `answer` is still empty" in text


def test_install_swaps_the_lab_handlers_validator(monkeypatch):
    from nbgrader.server_extensions.validate_assignment import handlers

    monkeypatch.setattr(handlers, "Validator", handlers.Validator)  # restored after the test
    install()
    assert handlers.Validator is TaskValidator


def test_the_learners_lab_validate_button_names_the_task(tmp_path):
    """The request the Validate button sends, to a real learner server that `ccw lab` prepared."""
    import json
    import urllib.parse

    from browser_support import build_tiny_course
    from helpers.lab import prepare_workspace, start_lab

    course = build_tiny_course(tmp_path / "course", "BSBCUE605").parents[1]
    (tmp_path / "data").mkdir()
    ws = prepare_workspace("s1", workspace=tmp_path / "ws", course_root=course, dataset=tmp_path / "data")
    target = ws.root / "BSBCUE605" / "01_volumes.ipynb"
    nbformat.write(released_notebook(), target)
    server = start_lab(ws)
    try:
        body = urllib.parse.urlencode({"path": "BSBCUE605/01_volumes.ipynb"}).encode()
        reply = json.loads(server.api("assignments/validate", method="POST", body=body, timeout=120))
    finally:
        server.stop()
    assert reply["success"], reply
    errors = [f["raw_error"] for f in reply["value"]["failed"]]
    assert [e.split(":")[0] for e in errors] == [
        "Task 1.1 · Reconcile the call volumes", "Task 1.3 · Choose the criteria",
        "Task 1.3 · Choose the criteria (written answer)"]
