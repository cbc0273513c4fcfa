"""Validate that names the task: nbgrader's Validate, listing every task whose checks do not all pass.

nbgrader's Validate (the toolbar button and the Assignment List) runs the notebook and lists the
graded cells that failed: cells with an error *or stderr* output, and written answers left as
released. The workbooks' check cells write a line to stderr whenever a check does not fully pass or
an answer is still empty (``helpers.workbook.feedback`` / ``answered``), so those cells are listed;
:class:`TaskValidator` adds to each listed cell the task it belongs to, with its title, e.g.
``Task 4.1 · Identify report criteria relevant to each stakeholder (written answer): You did not
provide a response.`` The task is the nearest heading above the cell that reads ``Task N.N · title``.

nbgrader builds its ``Validator`` directly in the lab's request handler (its preprocessors are not
configurable), so :func:`install` swaps the class in there; ``ccw lab`` calls it from the learner
server's ``jupyter_server_config.py``.
"""
from __future__ import annotations

import re

from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator
from traitlets import List

from helpers.course.execute import SlicedChannels

_HEADING = re.compile(r"^#+\s*Task\s+(\d+(?:\.\d+)?)\s*[·:\-–]?\s*(.*?)\s*$", re.MULTILINE)
_CODE_TASK = re.compile(r"#\s*(?:Check\s*·\s*)?Task\s+(\d+(?:\.\d+)?)")


def task_names(nb) -> dict[int, str]:
    """``{id(cell): "Task 4.1 · title"}`` for every graded cell of ``nb`` under a task heading
    (written answers get `` (written answer)``)."""
    titles: dict[str, str] = {}
    names: dict[int, str] = {}
    current: str | None = None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not meta.get("grade"):
            match = _HEADING.search(cell.source)
            if match:
                current = match.group(1)
                titles[current] = match.group(2)
        if not meta.get("grade"):
            continue
        number = current
        if cell.cell_type == "code":
            found = _CODE_TASK.search(cell.source.split("\n", 1)[0])
            number = found.group(1) if found else current
        if number is None:
            continue
        title = titles.get(number)
        name = f"Task {number} · {title}" if title else f"Task {number}"
        if cell.cell_type == "markdown" and meta.get("solution"):
            name += " (written answer)"
        names[id(cell)] = name
    return names


class SlicedExecute(SlicedChannels, Execute):
    """nbgrader's Execute whose channels wait in slices, as the grader's (a lost wake-up would otherwise hold
    the learner's Validate until the cell timeout)."""


class TaskValidator(Validator):
    """nbgrader's Validator whose failures start with the task's number and title."""

    preprocessors = List([CheckCellMetadata, ClearOutput, SlicedExecute])

    def _preprocess(self, nb):
        nb = super()._preprocess(nb)
        self._task_names = task_names(nb)
        return nb

    def _extract_error(self, cell) -> str:
        error = super()._extract_error(cell)
        name = getattr(self, "_task_names", {}).get(id(cell))
        if not name:
            return error
        number = name.split(" · ")[0]
        # the check's own stderr line starts "Task 4.2: ..."; keep one name, with the title
        if error.startswith(f"{number}:"):
            error = error[len(number) + 1:].lstrip()
        return f"{name}: {error}"


def install() -> None:
    """Make nbgrader's Validate (lab handler and ``nbgrader validate``) use :class:`TaskValidator`."""
    from nbgrader.apps import validateapp
    from nbgrader.server_extensions.validate_assignment import handlers

    handlers.Validator = TaskValidator
    validateapp.Validator = TaskValidator
