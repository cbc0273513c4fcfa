"""Build small nbgrader-style source notebooks for tests (nbformat, written to a temp folder)."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def graded_cell(grade_id: str, competency: dict | None, *, kind: str = "autograded", source: str = "assert True",
                points: float = 1.0):
    """A graded cell: ``kind`` is 'autograded' (test cell), 'manual' (answer cell) or 'task' (markdown task)."""
    nbg = {"grade_id": grade_id, "locked": kind != "manual", "schema_version": 3, "points": points,
           "grade": kind != "task", "solution": kind == "manual", "task": kind == "task"}
    cell = new_markdown_cell(source) if kind == "task" else new_code_cell(source)
    cell.metadata["nbgrader"] = nbg
    if competency is not None:
        cell.metadata["competency"] = competency
    return cell


def write_notebook(path: Path, cells) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_markdown_cell("# A task"), *cells])
    nbformat.write(nb, path)
    return path
