"""The mapping matrix generated from competency tags (``ccw mapping``)."""
from __future__ import annotations

import csv
import io

import pytest

from helpers import competency
from helpers.cli import main
from helpers.curriculum import all_units
from notebook_factory import graded_cell, write_notebook

TOTAL_ITEMS = sum(len(items) for u in all_units() for items in u.items_by_type().values())


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_empty_notebooks_folder_shows_every_item_as_a_gap(tmp_path, capsys):
    assert main(["mapping", "--format", "csv", "--notebooks", str(tmp_path)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert len(rows) == TOTAL_ITEMS
    assert sum(r["item_type"] == "PC" for r in rows) == 72
    assert {r["covered"] for r in rows if not r["tasks"].startswith("RTO record")} == {"no"}
    # AC items describing the assessor or environment are decided by the RTO's records, not tasks
    rto = {(r["unit"], r["item_id"]): r["tasks"] for r in rows if r["tasks"].startswith("RTO record")}
    assert rto[("BSBCUE605", "AC7")] == "RTO record (c.CCWReport.assessor + assessor_credentials)"
    assert rto[("BSBCUE605", "AC1")] == "RTO record (c.CCWReport.environment)"
    assert list(rows[0]) == list(competency.CSV_COLUMNS)
    for code, count in {"BSBCUE605": 18, "BSBCCO605A": 18, "BSBCUE602": 14, "BSBCUS401": 12, "BSBOPS505": 10}.items():
        assert sum(r["unit"] == code and r["item_type"] == "PC" for r in rows) == count
    for itype in ("PE", "KE", "AC", "FS"):
        assert any(r["item_type"] == itype for r in rows)
    # foundation skills (and BSBCCO605A's required skills) are rows of their own
    assert sum(r["unit"] == "BSBCUE605" and r["item_type"] == "FS" for r in rows) == 11
    assert sum(r["unit"] == "BSBCCO605A" and r["item_type"] == "FS" for r in rows) == 10


def test_tags_cover_items_and_name_tasks(tmp_path, capsys):
    write_notebook(tmp_path / "BSBCUE605" / "02_database.ipynb", [
        graded_cell("design", {"unit": "BSBCUE605", "criteria": ["2.1"], "evidence": ["PE2", "KE7"]}),
        graded_cell("plan", {"unit": "BSBCUE605", "criteria": ["2.5", "2.1"], "evidence": []}, kind="manual"),
    ])
    assert main(["mapping", "--format", "csv", "--notebooks", str(tmp_path)]) == 0
    rows = {(r["unit"], r["item_id"]): r for r in _rows(capsys.readouterr().out)}
    assert rows[("BSBCUE605", "2.1")]["tasks"] == "BSBCUE605/02_database:design; BSBCUE605/02_database:plan"
    assert rows[("BSBCUE605", "2.1")]["covered"] == "yes"
    assert rows[("BSBCUE605", "2.5")]["tasks"] == "BSBCUE605/02_database:plan"
    assert rows[("BSBCUE605", "KE7")]["covered"] == "yes"
    assert rows[("BSBCUE605", "2.2")]["covered"] == "no"
    # the predecessor is covered through the lineage, not by its own tags
    assert rows[("BSBCCO605A", "2.1")]["covered"] == "yes"
    assert rows[("BSBCCO605A", "KE8")]["covered"] == "yes"  # KE8 use and development of databases -> KE7
    assert rows[("BSBCCO605A", "2.2")]["covered"] == "no"
    # PE1 of the predecessor maps to four current items: one is not enough
    assert rows[("BSBCCO605A", "PE1")]["covered"] == "no"
    assert rows[("BSBCUE602", "1.1")]["covered"] == "no"


def test_foundation_skill_tags_cover_fs_items_and_required_skills_follow(tmp_path, capsys):
    write_notebook(tmp_path / "BSBCUE605" / "04.ipynb", [
        graded_cell("talk", {"unit": "BSBCUE605", "criteria": ["4.3"], "evidence": ["FS-OC1", "FS-WR1"]},
                    kind="manual")])
    assert main(["mapping", "--format", "csv", "--notebooks", str(tmp_path)]) == 0
    rows = {(r["unit"], r["item_id"]): r for r in _rows(capsys.readouterr().out)}
    assert rows[("BSBCUE605", "FS-OC1")]["covered"] == "yes" and rows[("BSBCUE605", "FS-OC2")]["covered"] == "no"
    assert rows[("BSBCUE605", "FS-OC1")]["item_type"] == "FS"
    assert rows[("BSBCCO605A", "FS-SK7")]["covered"] == "yes"  # presentation -> FS-OC1 + FS-WR1
    assert rows[("BSBCCO605A", "FS-SK2")]["covered"] == "no"   # also needs FS-OC2 and FS-IO1


def test_strict_fails_while_gaps_remain_and_passes_when_all_covered(tmp_path, capsys):
    assert main(["mapping", "--strict", "--notebooks", str(tmp_path)]) == 1
    cells = []
    for unit in all_units():
        if unit.code == "BSBCCO605A":
            continue  # covered through BSBCUE605
        items = unit.items_by_type()
        cells.append(graded_cell(f"all_{unit.code}", {
            "unit": unit.code, "criteria": [i.id for i in items["PC"]],
            "evidence": [i.id for t in ("PE", "KE", "AC", "FS") for i in items[t]]}))
    write_notebook(tmp_path / "all.ipynb", cells)
    capsys.readouterr()
    assert main(["mapping", "--strict", "--format", "md", "--notebooks", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "## Gaps (0)" in out and "**no**" not in out


@pytest.mark.parametrize("tag, message", [
    ({"unit": "BSBXYZ999", "criteria": ["1.1"]}, "unknown unit code 'BSBXYZ999'"),
    ({"unit": "BSBCUE605", "criteria": ["9.9"]}, "no performance criterion '9.9'"),
    ({"unit": "BSBCUE605", "criteria": ["1.1"], "evidence": ["PE99"]}, "no evidence item 'PE99'"),
    ({"unit": "BSBCUE605", "criteria": "1.1"}, "'criteria' must be a list"),
    ({"unit": "BSBCUE605"}, "names no criteria and no evidence"),
    ("BSBCUE605", "must be a mapping"),
])
def test_bad_tags_are_errors_naming_notebook_and_cell(tmp_path, capsys, tag, message):
    write_notebook(tmp_path / "u" / "nb.ipynb", [graded_cell("ok", {"unit": "BSBCUE605", "criteria": ["1.1"]}),
                                                 graded_cell("bad_cell", tag)])
    assert main(["mapping", "--notebooks", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "u/nb, cell 2" in err and "'bad_cell'" in err


def test_graded_cell_without_tag_and_tag_on_ungraded_cell_are_errors(tmp_path):
    write_notebook(tmp_path / "a.ipynb", [graded_cell("untagged", None)])
    with pytest.raises(competency.TagError, match="graded cell has no 'competency' metadata"):
        competency.collect_tags(tmp_path)
    nb = tmp_path / "a.ipynb"
    nb.unlink()
    cell = graded_cell("x", {"unit": "BSBCUE605", "criteria": ["1.1"]})
    cell.metadata["nbgrader"] = {"grade_id": "x", "grade": False, "solution": False, "locked": True}
    write_notebook(nb, [cell])
    with pytest.raises(competency.TagError, match="not graded"):
        competency.collect_tags(tmp_path)


def test_broken_notebook_is_a_clear_error(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    with pytest.raises(competency.TagError, match="broken.ipynb: not a readable notebook"):
        competency.collect_tags(tmp_path)


def test_html_and_out_file(tmp_path):
    out = tmp_path / "m" / "mapping.html"
    assert main(["mapping", "--format", "html", "--out", str(out), "--notebooks", str(tmp_path)]) == 0
    text = out.read_text(encoding="utf-8")
    rto_items = sum(1 for u in all_units() for i in u.assessment_conditions if i.rto)
    assert text.count("<tr class='gap'>") == TOTAL_ITEMS - rto_items and text.count("<tr class='ok'>") == rto_items
    assert "Select a valid framework of sales and marketing principles" in text


def test_unit_filter_limits_rows_and_strictness(tmp_path, capsys):
    unit = next(u for u in all_units() if u.code == "BSBCUE605")
    items = unit.items_by_type()
    write_notebook(tmp_path / "cue605.ipynb", [graded_cell("all", {
        "unit": "BSBCUE605", "criteria": [i.id for i in items["PC"]],
        "evidence": [i.id for t in ("PE", "KE", "AC", "FS") for i in items[t]]})])
    args = ["mapping", "--strict", "--format", "csv", "--notebooks", str(tmp_path)]
    assert main(args + ["--unit", "BSBCUE605", "--unit", "bsbcco605a"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert {r["unit"] for r in rows} == {"BSBCUE605", "BSBCCO605A"}
    assert all(r["covered"] == "yes" for r in rows)
    assert main(args + ["--unit", "BSBCUE602"]) == 1
    assert main(args + ["--unit", "NOPE123"]) == 2
    assert "unknown unit code 'NOPE123'" in capsys.readouterr().err


def test_unit_status_and_equivalence_are_quoted_in_every_format(tmp_path, capsys):
    for fmt in ("csv", "md", "html"):
        assert main(["mapping", "--format", fmt, "--notebooks", str(tmp_path)]) == 0
        text = capsys.readouterr().out
        assert "Supersedes and is equivalent to BSBCCO605B - Develop and maintain a customer contact marketing" in text
        assert "Is superseded by BSBMKG621 - Develop organisational marketing strategy 18/Oct/2020" in text
        assert "equivalence not stated" in text and "Usage recommendation: Superseded" in text
        assert "no text we hold names BSBCCO605A" in text.replace("\\'", "'").replace("&#x27;", "'")
    rows = _rows(main(["mapping", "--format", "csv", "--notebooks", str(tmp_path)]) and "" or capsys.readouterr().out)
    cue = {r["unit_status"] for r in rows if r["unit"] == "BSBCUE605"}
    assert len(cue) == 1 and cue.pop().startswith("superseded [\"Usage recommendation: Superseded\", BSBCUE605_R1.txt]")
