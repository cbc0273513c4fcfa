"""Each learner's result sheet (HTML and PDF): outcome per unit item, evidence, assessor, date, sign-off."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from helpers.outcomes.report import COLUMNS, UNIT_ROW
from helpers.outcomes.result_sheet import write_result_sheets
from helpers.curriculum import load_unit


def _frame() -> pd.DataFrame:
    unit = load_unit("BSBCUE605")
    items = [i.id for group in unit.items_by_type().values() for i in group]
    rows = [("s1", "BSBCUE605", item, "Satisfactory", f"BSBCUE605/01_x:check_{n} 2/2") for n, item in enumerate(items)]
    rows[0] = ("s1", "BSBCUE605", items[0], "Not Yet Satisfactory", "BSBCUE605/01_x:framework_check 1/2")
    rows.append(("s1", "BSBCUE605", UNIT_ROW, "Not Yet Competent", f"{len(items) - 1}/{len(items)} items Satisfactory"))
    rows.append(("s2", "BSBCUE605", items[0], "Awaiting assessor", "BSBCUE605/04_r:report awaiting"))
    rows.append(("s2", "BSBCUE605", UNIT_ROW, "Not Yet Competent", f"0/{len(items)} items Satisfactory"))
    return pd.DataFrame(rows, columns=COLUMNS), items


def test_result_sheets_hold_outcomes_evidence_and_sign_off(tmp_path):
    frame, items = _frame()
    files = write_result_sheets(frame, tmp_path, assessor="Jo Assessor", rto="Example RTO 12345",
                                generated=dt.date(2026, 3, 4))
    assert sorted(p.name for p in files) == ["s1.html", "s1.pdf", "s2.html", "s2.pdf"]
    page = (tmp_path / "s1.html").read_text()
    assert "BSBCUE605 Develop and maintain a customer engagement marketing strategy: Not Yet Competent" in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td><td class='\w'>([^<]+)</td><td>([^<]+)</td></tr>", page)
    assert [r[0] for r in rows] == items  # every item of the unit, in the curriculum's order
    assert rows[0][2:] == ("Not Yet Satisfactory", "BSBCUE605/01_x:framework_check 1/2")
    assert rows[0][1] == load_unit("BSBCUE605").items_by_type()["PC"][0].text
    assert "Jo Assessor" in page and "Example RTO 12345" in page and "04 March 2026" in page
    for label in ("Assessor signature", "Learner signature", "Date"):
        assert label in page
    assert "Awaiting assessor" in (tmp_path / "s2.html").read_text() and "s1" not in (tmp_path / "s2.html").read_text()
    pdf = (tmp_path / "s1.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"Result sheet: s1" in pdf
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2  # the whole unit does not fit on one page


def test_without_an_assessor_name_the_sheet_leaves_a_line_to_write_on(tmp_path):
    frame, _ = _frame()
    write_result_sheets(frame, tmp_path)
    page = (tmp_path / "s1.html").read_text()
    assert "<th style='width:25%'>Assessor name</th><td></td>" in page
