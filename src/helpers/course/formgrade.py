"""What formgrader shows the assessor beside each written answer: the criteria it evidences and the
benchmark answer, read from the course's source notebook (the learner's notebook never holds the
benchmark; its rubric is already shown above the answer, see ``helpers.course.rubrics``).

:class:`AssessorNotes` is an nbconvert preprocessor that ``ccw lab --assessor`` lists in
``c.HTMLExporter.preprocessors``. It acts only when the exporter renders formgrader's ``formgrade``
template (the assessor's marking page), never for feedback or any other page a learner could see.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell

from helpers.course.feedback import readable_outputs
from helpers.course.notebooks import is_manual, nbg

MARK = "ccw"


def assessor_note(source_cell) -> str | None:
    """Markdown for the assessor under a written answer: criteria and benchmark (None if neither),
    as a block quote. The benchmark is the author's own markdown (``benchmark`` metadata)."""
    import re

    from helpers.workbook import banner

    comp = source_cell.metadata.get("competency") or {}
    benchmark = str(source_cell.metadata.get("benchmark") or "").strip()
    if not comp and not benchmark:
        return None
    lines = ["**For the assessor**" + (f" · {banner(comp.get('criteria', []), comp.get('evidence', []))}"
                                       if comp else "")]
    if benchmark:
        benchmark = re.sub(r"^\*\*Benchmark answer\.?\*\*\s*", "", benchmark)  # authors often start with it
        lines += ["", f"**Benchmark answer:** {benchmark}"]
    lines += ["", "*Satisfactory only when every point of the rubric above the answer is met.*"]
    return "\n".join(f"> {line}" if line else ">" for line in "\n".join(lines).split("\n"))


def add_assessor_notes(nb, source_nb) -> int:
    """Insert :func:`assessor_note` below each manually graded cell of ``nb`` (matched by grade id
    with ``source_nb``); returns how many were inserted. Notes inserted before are replaced."""
    by_id = {nbg(c).get("grade_id"): c for c in source_nb.cells if is_manual(c)}
    out, count = [], 0
    for cell in nb.cells:
        if "assessor_note_for" in cell.metadata.get(MARK, {}):
            continue
        out.append(cell)
        source = by_id.get(nbg(cell).get("grade_id")) if is_manual(cell) else None
        note = assessor_note(source) if source is not None else None
        if note:
            view = new_markdown_cell(note)
            view.metadata[MARK] = {"assessor_note_for": nbg(cell).get("grade_id")}
            out.append(view)
            count += 1
    nb.cells = out
    return count


class AssessorNotes(Preprocessor):
    """Readable outputs everywhere; on formgrader's marking page, the assessor's notes as well."""

    def preprocess(self, nb, resources):
        readable_outputs(nb)
        if getattr(self.parent, "template_name", None) != "formgrade":
            return nb, resources  # feedback and other pages: never a benchmark
        root = self.config.CourseDirectory.get("root") if "CourseDirectory" in self.config else None
        assignment, notebook = resources.get("assignment_id"), resources.get("notebook_id")
        path = Path(root or ".") / "source" / str(assignment) / f"{notebook}.ipynb"
        if assignment and notebook and path.is_file():
            add_assessor_notes(nb, nbformat.read(path, as_version=4))
        return nb, resources
