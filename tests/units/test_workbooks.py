"""Every unit's workbook (each folder of ``notebooks/``): structure, coverage, banners, rubrics and the trusted
check behind every autograded cell. The same rules for every unit: adding a unit's folder adds its cases."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

from helpers import competency, workbook
from helpers.cli import main
from helpers.curriculum import load_unit

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir() and list(p.glob("*.ipynb")))
NOTEBOOKS = [p for unit in UNITS for p in sorted((ROOT / "notebooks" / unit).glob("*.ipynb"))]


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _graded(nb):
    return [c for c in nb.cells if c.metadata.get("competency")]


def test_there_are_workbooks():
    assert "BSBCUE605" in UNITS


@pytest.mark.parametrize("unit", UNITS)
def test_workbook_has_orientation_and_one_notebook_per_element(unit):
    names = [p.stem for p in sorted((ROOT / "notebooks" / unit).glob("*.ipynb"))]
    assert names[0] == "00_orientation"
    elements = load_unit(unit).elements
    assert len(names) == 1 + len(elements)
    for name, element in zip(names[1:], elements):  # 01_... is element 1, in order
        assert int(name[:2]) == int(element.id), name
    assert not _graded(_read(ROOT / "notebooks" / unit / "00_orientation.ipynb")), "orientation is not assessed"


@pytest.mark.parametrize("unit", UNITS)
def test_mapping_is_strict_for_the_unit_and_its_equivalents(unit):
    from helpers.curriculum.equivalence import equivalences

    predecessors = sorted({old for (old, _), targets in equivalences().items() if any(u == unit for u, _ in targets)})
    args = ["mapping", "--strict", "--unit", unit, "--format", "csv"]
    for code in predecessors:
        args += ["--unit", code]
    assert main(args) == 0
    tags = competency.collect_tags(ROOT / "notebooks")
    criteria = {c for t in tags if t.unit == unit for c in t.criteria}
    assert criteria == {c.id for c in load_unit(unit).criteria}
    # every PC has an autograded or manually graded cell, not only an assessor task
    for pc in criteria:
        assert any(pc in t.criteria and t.unit == unit and t.kind in ("autograded", "manual") for t in tags), pc


@pytest.mark.parametrize("unit", UNITS)
def test_grade_ids_are_unique_across_the_unit(unit):
    """The trusted-check registry is keyed by (unit, grade id): two notebooks of one unit cannot share one."""
    seen: dict[str, str] = {}
    for path in sorted((ROOT / "notebooks" / unit).glob("*.ipynb")):
        for cell in _read(path).cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                assert gid not in seen, f"{gid} in {path.stem} and {seen[gid]}"
                seen[gid] = path.stem


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_task_text_shows_the_criteria_of_its_graded_cells(path):
    assert workbook.check_banners(_read(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_nbgrader_metadata_is_valid(path):
    from nbgrader.nbgraderformat import MetadataValidator
    MetadataValidator().validate_nb(_read(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_manual_cells_carry_a_rubric_and_a_benchmark_answer(path):
    for cell in _graded(_read(path)):
        if cell.cell_type != "markdown":
            continue
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        rubric = cell.metadata.get("rubric", [])
        assert len(rubric) >= 3 and all(len(point.split()) >= 4 for point in rubric), grade_id
        benchmark = cell.metadata.get("benchmark", "")
        assert len(benchmark.split()) >= 15, grade_id
        assert not re.search(r"answers? (may|will) vary", benchmark + " ".join(rubric), re.I), grade_id


def _checks_module(nb):
    """The formative-check module the notebook's setup cell imports as ``checks``."""
    for cell in nb.cells:
        found = re.search(r"from (helpers\.tasks(?:\.\w+)?) import (\w+) as checks", cell.source)
        if found:
            return importlib.import_module(f"{found[1]}.{found[2]}")
    return None


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem != "00_orientation"], ids=_id)
def test_every_check_cell_has_a_trusted_check_on_answers_the_notebook_assigns(path):
    """Formative checks call the unit's task module (``checks.``); the marks come from the trusted check
    registered for the cell's grade id, which reads answers the notebook's answer cells assign."""
    from ccw_grader import all_checks

    registry = all_checks()
    nb = _read(path)
    unit = path.parent.name
    tests = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("competency")]
    assert tests
    checks = _checks_module(nb)
    for cell in tests:
        gid = cell.metadata["nbgrader"]["grade_id"]
        assert "HIDDEN TESTS" not in cell.source and "ccw_grader" not in cell.source, gid
        for name in re.findall(r"\bchecks\.(\w+)\(", cell.source):
            assert checks is not None and hasattr(checks, name), name
        check = registry[(unit, gid)]
        assert check.answers and check.run.__doc__, gid
        earlier = "\n".join(c.source for c in nb.cells[:nb.cells.index(cell)] if c.cell_type == "code")
        for name in check.answers:
            assert re.search(rf"\b{name}\s*=[^=]", earlier), (gid, name)  # assigned above the check


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem != "00_orientation"], ids=_id)
def test_every_written_answer_has_benchmark_facts_and_viva_prompts(path):
    """The assessor marks a written answer against that learner's own figures (``@CHECKS.facts``), shown
    under the answer in formgrader, with viva prompts for when authenticity is in doubt."""
    from ccw_grader import all_facts

    facts = all_facts()
    unit = path.parent.name
    for cell in _graded(_read(path)):
        meta = cell.metadata["nbgrader"]
        if cell.cell_type == "markdown" and meta.get("solution"):
            entry = facts.get((unit, meta["grade_id"]))
            assert entry is not None and entry.run.__doc__ and entry.viva, meta["grade_id"]


def test_benchmark_facts_come_from_the_learners_own_data(tmp_path):
    """Two learners' datasets give two sets of facts (the facts are computed, not written once)."""
    from ccw_grader import LearnerData, all_facts
    from helpers.generator import generate
    from helpers.generator.io import write_dataset

    entry = all_facts()[("BSBCUE605", "framework_justification")]
    a, b = (tmp_path / "a", tmp_path / "b")
    write_dataset(generate("lyrebird-energy", seed=7, learner="s0001", days=7), a)
    write_dataset(generate("lyrebird-energy", seed=8, learner="s0002", days=7), b)
    facts_a = entry.run(LearnerData(a, "s0001", tmp_path))
    facts_b = entry.run(LearnerData(b, "s0002", tmp_path))
    assert facts_a.keys() == facts_b.keys() and facts_a != facts_b


def test_viva_prompts_ask_about_the_learners_own_facts(tmp_path):
    """A ``{label}`` in a viva prompt is that learner's fact of that label: every label named in a prompt is a
    fact the entry computes (a typo would leave the braces in front of the assessor)."""
    import re as _re

    from ccw_grader import LearnerData, all_facts
    from helpers.course.trusted import _personal

    data = LearnerData(None, None, tmp_path)
    personal = 0
    for key, entry in sorted(all_facts().items()):
        labels = {label for q in entry.viva for label in _re.findall(r"\{([^{}]+)\}", q)}
        if not labels:
            continue
        values = entry.run(data)
        assert labels <= set(values), (key, labels - set(values))
        for q in entry.viva:
            assert "{" not in _personal(q, values), (key, q)
        personal += 1
    assert personal >= 6
