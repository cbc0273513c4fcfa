"""The grader's CheckCellMetadata (schema compiled once) accepts and refuses exactly what nbgrader's does."""
import copy

import nbformat
import pytest
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheck

from helpers.course.cellmeta import CheckCellMetadata
from helpers.course.config import default_notebooks_root


def _outcome(preprocessor, nb) -> str:
    try:
        preprocessor().preprocess(copy.deepcopy(nb), {})
    except Exception as exc:  # noqa: BLE001 - the outcome compared is the exception itself
        return f"{type(exc).__name__}: {exc}"
    return "valid"


@pytest.fixture(scope="module")
def workbook():
    return nbformat.read(default_notebooks_root() / "BSBCUE605" / "02_marketing_database.ipynb", as_version=4)


@pytest.mark.parametrize("damage", [
    {},                                   # intact
    {"points": "two"},                    # wrong type
    {"grade": "yes"},
    {"unknown_key": 1},                   # not in the schema
    {"grade_id": ""},                     # nbgrader's own rules after the schema
    {"schema_version": 1},                # another version: nbgrader's code path
    {"schema_version": 9},
])
def test_same_verdict_as_nbgrader(workbook, damage):
    nb = copy.deepcopy(workbook)
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    graded.metadata["nbgrader"].update(damage)
    ours, theirs = _outcome(CheckCellMetadata, nb), _outcome(NbgraderCheck, nb)
    assert ours == theirs
    assert (ours == "valid") == (not damage)
