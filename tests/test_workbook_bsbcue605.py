"""The BSBCUE605 workbook's source notebooks: coverage, task banners, rubrics and grader references."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers import competency, workbook
from helpers.cli import main
from helpers.curriculum import load_unit
from helpers.tasks import bsbcue605 as checks

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "notebooks" / "BSBCUE605"
NOTEBOOKS = sorted(WORKBOOK.glob("*.ipynb"))


def _graded(nb):
    return [c for c in nb.cells if c.metadata.get("competency")]


def test_workbook_has_orientation_and_one_notebook_per_element():
    names = [p.stem for p in NOTEBOOKS]
    assert names[0] == "00_orientation"
    assert len(names) == 1 + len(load_unit("BSBCUE605").elements)
    orientation = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert not _graded(orientation), "the orientation notebook is not assessed"


def test_mapping_is_strict_for_bsbcue605_and_its_predecessor(capsys):
    assert main(["mapping", "--strict", "--unit", "BSBCUE605", "--unit", "BSBCCO605A", "--format", "csv"]) == 0
    tags = competency.collect_tags(ROOT / "notebooks")
    criteria = {c for t in tags if t.unit == "BSBCUE605" for c in t.criteria}
    assert criteria == {c.id for c in load_unit("BSBCUE605").criteria}
    # every PC has an autograded or manually graded cell, not only an assessor task
    for pc in criteria:
        assert any(pc in t.criteria and t.kind in ("autograded", "manual") for t in tags), pc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_task_text_shows_the_criteria_of_its_graded_cells(path):
    assert workbook.check_banners(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_metadata_is_valid(path):
    from nbgrader.nbgraderformat import MetadataValidator
    MetadataValidator().validate_nb(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_manual_cells_carry_a_rubric_and_a_benchmark_answer(path):
    for cell in _graded(nbformat.read(path, as_version=4)):
        nbg = cell.metadata["nbgrader"]
        if cell.cell_type != "markdown":
            continue
        grade_id = nbg["grade_id"]
        rubric = cell.metadata.get("rubric", [])
        assert len(rubric) >= 3 and all(len(point.split()) >= 4 for point in rubric), grade_id
        benchmark = cell.metadata.get("benchmark", "")
        assert len(benchmark.split()) >= 15, grade_id
        assert not re.search(r"answers? (may|will) vary", benchmark + " ".join(rubric), re.I), grade_id


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.stem)
def test_every_check_cell_has_a_trusted_check_on_answers_the_notebook_assigns(path):
    """Formative checks call helpers.tasks.bsbcue605 (``checks.``); the marks come from the trusted check
    registered for the cell's grade id, which reads answers the notebook's answer cells assign."""
    from ccw_grader import all_checks

    registry = all_checks()
    nb = nbformat.read(path, as_version=4)
    tests = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("competency")]
    assert tests
    for cell in tests:
        gid = cell.metadata["nbgrader"]["grade_id"]
        assert "HIDDEN TESTS" not in cell.source and "ccw_grader" not in cell.source, gid
        for name in re.findall(r"\bchecks\.(\w+)\(", cell.source):
            assert hasattr(checks, name), name
        check = registry[("BSBCUE605", gid)]
        assert check.answers and check.run.__doc__, gid
        earlier = "\n".join(c.source for c in nb.cells[:nb.cells.index(cell)] if c.cell_type == "code")
        for name in check.answers:
            assert re.search(rf"\b{name}\s*=[^=]", earlier), (gid, name)  # assigned above the check
