"""nbgrader's own ``autograde`` of a course's submissions: the baseline both grading benchmarks measure ccw
against, in the same run.

* :func:`hidden_tests` writes each autograded cell's trusted check into the gradebook's source cell as a
  hidden test, as ``generate_assignment`` stores one, so ``autograde`` restores it into the check cell and it
  runs in the learner's kernel on the learner's live answers and data: nbgrader grading the way it is
  designed to, the same grading work ccw does;
* :func:`autograde` runs nbgrader's ``autograde`` (its Python API), serially, one learner at a time with that
  learner's ``CCW_LEARNER``/``CCW_DATASET``.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from helpers.course.variants import kernel_env

AUTOGRADE = Path(__file__).resolve().parents[1] / "autograde"


HIDDEN_TEST = """
### the trusted check in the learner's kernel: nbgrader's hidden-test way (benchmark baseline only)
import os as _os, sys as _sys
_sys.path.insert(0, {autograde!r})
from ccw_grader import LearnerData as _LD, all_checks as _checks
_check = _checks()[({assignment!r}, {grade_id!r})]
_found = _check.run(_LD(_os.environ.get("CCW_DATASET"), _os.environ.get("CCW_LEARNER"), {root!r}),
                    **{{_n: globals().get(_n) for _n in _check.answers}})
assert _found.all_passed, "not yet"
"""


def hidden_tests(root: Path) -> int:
    """Append each autograded cell's trusted check, as a hidden test, to its source cell in the gradebook
    (source and checksum, as nbgrader's ``generate_assignment`` records a cell with hidden tests);
    returns how many cells got one."""
    from nbformat.v4 import new_code_cell
    from nbgrader.utils import compute_checksum

    sys.path.insert(0, str(AUTOGRADE))
    from ccw_grader import all_checks
    from helpers.course.config import load_course
    from helpers.course.gradebook import open_gradebook

    course = load_course(root)
    checks, n = all_checks(), 0
    gb = open_gradebook(course.db_url, course.course_id)
    try:
        for assignment in gb.assignments:
            for notebook in assignment.notebooks:
                for cell in notebook.source_cells:
                    check = checks.get((assignment.name, cell.name))
                    grade = next((g for g in notebook.grade_cells if g.name == cell.name), None)
                    if check is None or grade is None or cell.cell_type != "code":
                        continue
                    cell.source += HIDDEN_TEST.format(autograde=str(AUTOGRADE), assignment=assignment.name,
                                                      grade_id=cell.name, root=str(root))
                    node = new_code_cell(cell.source, metadata={"nbgrader": {
                        "grade": True, "solution": False, "locked": cell.locked, "grade_id": cell.name,
                        "points": grade.max_score}})
                    cell.checksum = compute_checksum(node)
                    n += 1
        gb.db.commit()
    finally:
        gb.close()
    return n


def autograde(root: Path, learners: list[str], dataset_of: Callable[[str], Path], with_hidden_tests: bool) -> None:
    """nbgrader's own autograde of every submitted assignment of ``learners`` in the course at ``root``, each
    with that learner's data (``dataset_of(learner)``)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from helpers.course.gradebook import quiet_nbgrader

    quiet_nbgrader()
    if with_hidden_tests:
        assert hidden_tests(root) > 0
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.merge(Config({"CourseDirectory": {"root": str(root)}}))
    api = NbGraderAPI(config=config)
    assignments = sorted(p.name for p in (root / "release").iterdir() if p.is_dir())
    try:
        for learner in learners:
            os.environ.update(kernel_env(learner, dataset_of(learner)))
            for assignment in assignments:
                if (root / "submitted" / learner / assignment).is_dir():
                    result = api.autograde(assignment, learner, force=True, create=True)
                    assert result["success"], result.get("log", "")[-2000:]
    finally:
        for key in ("CCW_LEARNER", "CCW_DATASET"):
            os.environ.pop(key, None)
