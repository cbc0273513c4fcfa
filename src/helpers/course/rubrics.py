"""Rubrics in sight: the release shows learners, just above each written answer, how it is marked.

Authors keep each manually graded cell's marking points in its ``rubric`` metadata (docs/authoring.md),
where learners never look. ``ccw course build`` calls :func:`show_rubrics` on every released notebook:
above each manually graded cell with a rubric it inserts a plain markdown cell (no nbgrader metadata,
so grading ignores it) listing the points, the marks and the criteria the answer evidences. The
source notebooks are not changed; building again regenerates the release, so the cells never double.
"""
from __future__ import annotations

from nbformat.v4 import new_markdown_cell

from helpers.course.notebooks import is_manual, nbg

#: Metadata marking an inserted rubric cell (``{"ccw": {"rubric_for": <grade_id>}}``).
MARK = "ccw"


def rubric_markdown(cell) -> str:
    """The learner-facing text of ``cell``'s rubric: marks, criteria banner and one bullet per point."""
    from helpers.workbook import banner

    points = float(nbg(cell).get("points") or 0)
    comp = cell.metadata.get("competency") or {}
    assesses = banner(comp.get("criteria", []), comp.get("evidence", [])) if comp else ""
    head = f"**How this answer is marked** ({points:g} mark{'s' if points != 1 else ''}"
    head += f"; {assesses})" if assesses else ")"
    bullets = "\n".join(f"- {point.strip()}" for point in cell.metadata["rubric"])
    return f"{head}. Your assessor checks each point:\n\n{bullets}"


def show_rubrics(nb) -> int:
    """Insert the rubric cell above every manually graded cell of ``nb`` that has a ``rubric``
    (in place; any rubric cell inserted before is replaced). Returns how many were inserted."""
    nb.cells = [c for c in nb.cells if "rubric_for" not in c.metadata.get(MARK, {})]
    out, count = [], 0
    for cell in nb.cells:
        rubric = cell.metadata.get("rubric")
        if is_manual(cell) and isinstance(rubric, list) and rubric:
            view = new_markdown_cell(rubric_markdown(cell))
            grade_id = nbg(cell).get("grade_id", "")
            view.metadata[MARK] = {"rubric_for": grade_id}
            view["id"] = f"rubric-{grade_id}"[:64]  # stable: the same source gives the same release
            out.append(view)
            count += 1
        out.append(cell)
    nb.cells = out
    return count
