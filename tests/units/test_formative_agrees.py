"""The learner's formative checks tell the truth (issue 17, "Validate tells the truth"): on the reference
answers, which the trusted checks give full marks (``test_placeholders_*``), every check cell of every
workbook shows every finding passed; a formative check that says "Not yet" to a full-marks answer would
send a learner chasing a problem that does not exist."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat
import pytest

from placeholder_support import run_reference

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [p for unit in sorted((ROOT / "notebooks").iterdir()) if unit.is_dir()
             for p in sorted(unit.glob("0[1-9]*.ipynb"))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_check_cell_passes_the_reference_answer(path, monkeypatch):
    from helpers import workbook
    from helpers.findings import Findings

    with contextlib.redirect_stdout(io.StringIO()):
        ns = run_reference(path)
    shown: list[tuple[str, Findings]] = []
    real = workbook.feedback

    def record(findings, title="Feedback"):
        fs = real(findings, title)
        shown.append((current, fs))
        return fs

    monkeypatch.setattr(workbook, "feedback", record)
    checked = []
    for cell in nbformat.read(path, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            current = meta["grade_id"]
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, f"{path.stem}:{current}", "exec"), ns)  # noqa: S102
            checked.append(current)
    assert checked and {gid for gid, _ in shown} == set(checked), "every check cell shows its findings"
    failing = {gid: [f.message for f in fs if not f.passed] for gid, fs in shown if not fs.all_passed}
    assert failing == {}
