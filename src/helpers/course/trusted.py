"""Trusted checks, run in the grading process: the only code that awards marks to autograded cells.

The learner's notebook runs in a sandboxed kernel (:mod:`helpers.course.sandbox`). After each
graded check cell, one more cell publishes the answers that cell's trusted check reads
(:mod:`helpers.course.answers`). This module then, in the grader's own process, which has never
run a line of learner code:

1. finds each graded code cell's check in the course's registry (``<course root>/ccw_grader``,
   :mod:`ccw_grader.registry`), by assignment and grade id;
2. decodes the answers as data, refusing anything that is not plain data;
3. runs the check on those answers and on the learner's data read from the grader's own copy;
4. scores the cell (its full points when every finding passed, else 0) and shows the findings
   under the cell, never the check's code;
5. puts under each written answer with registered benchmark facts a cell for the assessor only
   (:func:`insert_facts`: that learner's facts and the viva prompts, shown in formgrader, removed from
   the learner's feedback).

A graded code cell without a registered check earns nothing (``ccw course build`` refuses such a
notebook), and a check that cannot judge an answer (a table without the columns it needs) scores 0
with a note, so no grader error ever turns into marks.
"""
from __future__ import annotations

import html
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from helpers.course.answers import decode_answers, export_code, published
from helpers.course.notebooks import nbg
from helpers.errors import CCWError

EXPORT_FLAG = "ccw_answers_export"
FINDINGS_FLAG = "ccw_trusted_findings"
ASSESSOR_ONLY = "ccw_assessor_only"  # cell metadata flag: shown in formgrader, never in the learner's feedback


def registry(course_root: Path | str) -> dict:
    """Every trusted check of the course, by (assignment, grade id)."""
    root = str(Path(course_root).resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    import ccw_grader

    return ccw_grader.all_checks()


def facts_registry(course_root: Path | str) -> dict:
    """Every written answer's benchmark facts, by (assignment, grade id)."""
    registry(course_root)
    import ccw_grader

    return ccw_grader.all_facts()


def learner_data(dataset: str | None, learner: str | None, course_root: Path | str):
    """The grader's view of one learner's data (cached per process: a worker grades a learner's
    notebooks one after another, and loading a dataset costs more than checking one cell)."""
    key = (dataset, learner, str(course_root))
    if _DATA.get("key") != key:
        registry(course_root)
        from ccw_grader import LearnerData

        _DATA.clear()
        _DATA.update(key=key, value=LearnerData(dataset, learner, course_root))
    return _DATA["value"]


_DATA: dict = {}


def graded_code_cells(nb) -> list[tuple[int, dict]]:
    """(index, nbgrader metadata) of every autograded code cell."""
    return [(i, nbg(c)) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and nbg(c).get("grade") and not nbg(c).get("solution")]


def insert_exports(nb, assignment: str, checks: dict) -> None:
    """After every autograded cell with a registered check, a cell that publishes its answers."""
    for index, meta in reversed(graded_code_cells(nb)):
        check = checks.get((assignment, meta.get("grade_id")))
        if check is not None:
            cell = nbformat.v4.new_code_cell(export_code(check.answers))
            cell.metadata[EXPORT_FLAG] = meta["grade_id"]
            nb.cells.insert(index + 1, cell)


@dataclass
class TrustedResult:
    """Scores of the autograded cells (grade id -> points) and notes for the learner."""

    grades: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    findings: dict[str, list[tuple[bool, str]]] = field(default_factory=dict)  # grade id -> (passed, message)
    # grade id -> criteria of findings shown under a cell that its competency tag does not name
    misfiled: dict[str, list[str]] = field(default_factory=dict)


def score(nb, assignment: str, checks: dict, data, release=None) -> TrustedResult:
    """Run the trusted checks on the answers the export cells published, remove the export cells and
    put each check's findings under its cell. ``release`` (the released notebook) says which cells
    are graded and their points, whatever the submission's metadata claims."""
    reference = release if release is not None else nb
    points = {m["grade_id"]: float(m.get("points", 0) or 0) for _, m in graded_code_cells(reference)}
    tags = {m["grade_id"]: (reference.cells[i].metadata.get("competency") or {}).get("criteria", [])
            for i, m in graded_code_cells(reference)}
    payloads, kept = {}, []
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get(EXPORT_FLAG)
        if gid is None:
            kept.append(cell)
        else:
            payloads[gid] = published(cell.get("outputs", []))
    nb.cells = kept
    result = TrustedResult()
    cells = {nbg(c).get("grade_id"): c for c in nb.cells if nbg(c).get("grade_id")}
    for gid, max_points in points.items():
        check = checks.get((assignment, gid))
        if check is None:
            result.grades[gid] = 0.0
            result.notes.append(f"Cell '{gid}' has no trusted check; it earns no marks (the assessor is told).")
            result.findings[gid] = [(False, "no trusted check is registered for this cell")]
            continue
        earned, shown, criteria = _run(check, payloads.get(gid), data)
        result.grades[gid] = max_points if earned else 0.0
        result.findings[gid] = shown
        tagged = set(tags.get(gid, ()))
        if criteria - tagged:
            result.misfiled[gid] = sorted(criteria - tagged)
        cell = cells.get(gid)
        if cell is not None:
            cell.outputs = [*cell.get("outputs", []), _findings_output(shown, earned, max_points)]
    return result


def _run(check, payload, data) -> tuple[bool, list[tuple[bool, str]], set[str]]:
    """(earned, [(passed, message)], criteria of the findings) of one check; never raises."""
    answers = decode_answers(payload, check.answers)
    if answers.problems:
        return False, [(False, msg) for msg in answers.problems.values()], set()
    try:
        findings = check.run(data, **answers.values)
        return (bool(findings.all_passed) and len(findings) > 0, [(f.passed, str(f.message)) for f in findings],
                {f.criterion for f in findings})
    except CCWError as exc:  # the data itself cannot be trusted (an altered dataset): say so plainly
        names = ", ".join(f"`{n}`" for n in check.answers)
        return False, [(False, f"{names} could not be checked: {exc}. Your assessor has been told.")], set()
    except Exception as exc:  # an answer the check cannot judge: no marks, and say what went wrong
        where = traceback.extract_tb(exc.__traceback__)[-1]
        detail = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:160]}" if str(exc) else exc.__class__.__name__
        names = ", ".join(f"`{n}`" for n in check.answers)
        return False, [(False, f"{names} could not be checked ({detail}; at {Path(where.filename).name}:"
                               f"{where.lineno}). Compare your answer with what the task asks for.")], set()


def _findings_output(shown: list[tuple[bool, str]], earned: bool, max_points: float) -> NotebookNode:
    passed = sum(1 for ok, _ in shown if ok)
    head = (f"Assessor's check: {'all' if earned else passed} of {len(shown)} passed, "
            f"{max_points if earned else 0:g} of {max_points:g} points")
    text = head + "\n" + "\n".join(f"  {'✔' if ok else '✘'} {msg}" for ok, msg in shown)
    rows = "".join(f"<tr><td>{'✔' if ok else '✘'}</td><td style='text-align:left'>{html.escape(msg)}</td></tr>"
                   for ok, msg in shown)
    page = (f"<div class='ccw-trusted'><p><strong>{html.escape(head)}</strong></p>"
            f"<table><thead><tr><th>passed</th><th style='text-align:left'>finding</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")
    out = nbformat.v4.new_output("display_data", data={"text/plain": text, "text/html": page})
    out.metadata[FINDINGS_FLAG] = True
    return out


FACTS_HEADING = "**For the assessor only**"


def insert_facts(nb, assignment: str, facts: dict, data, release=None) -> list[str]:
    """Under every graded cell with registered benchmark facts, a markdown cell for the assessor: the facts
    computed from this learner's data (what the rubric's "the learner's own figure" means for them) and the
    viva prompts; a facts function that fails says so in the cell. An answer left as released gets none
    (nothing to mark against them). Cells of the submission that imitate one (the flag, or the heading)
    are removed first; returns the grading notes saying so."""
    untouched = {nbg(c).get("grade_id"): c.source for c in (release.cells if release is not None else [])
                 if nbg(c).get("grade_id")}
    notes = []
    kept = []
    for cell in nb.cells:
        if ASSESSOR_ONLY in cell.get("metadata", {}) or cell.get("source", "").lstrip().startswith(FACTS_HEADING):
            notes.append("A cell imitating the assessor's benchmark facts was removed before grading.")
        else:
            kept.append(cell)
    nb.cells = kept
    for index in reversed(range(len(nb.cells))):
        gid = nbg(nb.cells[index]).get("grade_id")
        entry = facts.get((assignment, gid)) if gid else None
        if entry is None or untouched.get(gid) == nb.cells[index].source:
            continue
        values = {}
        try:
            values = entry.run(data)
            lines = [f"- {html.escape(str(label))}: **{html.escape(_fact(value))}**" for label, value in values.items()]
        except Exception as exc:  # noqa: BLE001 - the assessor still marks, against the rubric alone
            lines = [f"- the facts could not be computed ({exc.__class__.__name__}: {str(exc)[:160]})"]
        text = (f"{FACTS_HEADING} (not in the learner's feedback) · benchmark facts from this learner's "
                "own data:\n\n" + "\n".join(lines))
        if entry.viva:
            text += "\n\n*Viva prompts* (ask when the answer's authenticity is in doubt):\n\n" + "\n".join(
                f"- {html.escape(_personal(q, values))}" for q in entry.viva)
        cell = nbformat.v4.new_markdown_cell(text)
        cell.metadata[ASSESSOR_ONLY] = gid
        nb.cells.insert(index + 1, cell)
    return notes


def _personal(prompt: str, values: dict) -> str:
    """A viva prompt with ``{label}`` replaced by this learner's fact of that label (left as is if absent), so
    the question is about the learner's own figures: "Your highest-churn segment is {highest-churn segment}"."""
    return re.sub(r"\{([^{}]+)\}", lambda m: _fact(values[m[1]]) if m[1] in values else m[0], prompt)


def _fact(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_fact(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {_fact(v)}" for k, v in value.items())
    return str(value)


def strip_assessor_only(nb) -> int:
    """Remove the assessor-only cells (before rendering the learner's feedback); returns how many."""
    before = len(nb.cells)
    nb.cells = [c for c in nb.cells if ASSESSOR_ONLY not in c.get("metadata", {})]
    return before - len(nb.cells)


def unregistered(nb, assignment: str, checks: dict) -> list[str]:
    """Grade ids of autograded cells that have no trusted check (``ccw course build`` refuses them)."""
    return [m.get("grade_id") for _, m in graded_code_cells(nb) if (assignment, m.get("grade_id")) not in checks]
