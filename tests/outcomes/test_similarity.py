"""The similarity report: flags learners who share an answer, never those who wrote their own."""
from __future__ import annotations

import csv

import nbformat

from helpers.outcomes.similarity import MIN_SHINGLES, THRESHOLD, learner_text, write_similarity

SCAFFOLD = "# Load your dataset first\ncalls = load_calls()\n"
PLACEHOLDER_CODE = SCAFFOLD + "# YOUR CODE HERE\nraise NotImplementedError()"
SHARED = ("Service level fell below target on the outage days because abandoned calls rose while the "
          "IVR was down, so I recommend a callback option and extra staff on Monday mornings.")
OWN = {
    "cal": "Our churn is concentrated in the residential segment; retention offers should target customers whose "
           "contract ends within sixty days, measured by the monthly save rate.",
    "dan": "I would ask the billing team and the marketing lead to agree the offer budget first, then pilot the "
           "campaign with one supply chain and review complaints weekly.",
}
CODE = {
    "ann": SCAFFOLD + "answered = calls[~calls['abandoned']]\nsl = (answered['wait'] <= 20).mean()\nprint(sl)",
    "ben": SCAFFOLD + "answered = calls[~calls['abandoned']]\nsl = (answered['wait'] <= 20).mean()\nprint(sl)",
    "cal": SCAFFOLD + "ok = calls.query('not abandoned')\nservice_level = ok.wait.le(20).sum() / len(ok)",
    "dan": SCAFFOLD + "within = calls.loc[calls.wait <= 20 & ~calls.abandoned]\nresult = len(within) / len(calls)",
}


def _nb(written: str, code: str):
    cells = [nbformat.v4.new_markdown_cell(written), nbformat.v4.new_code_cell(code)]
    for cell, gid in zip(cells, ("why", "sl")):
        cell.metadata["nbgrader"] = {"solution": True, "grade": cell.cell_type == "markdown", "grade_id": gid,
                                     "points": 2, "schema_version": 3}
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Task 1")] + cells)


def test_pairs_sharing_an_answer_are_flagged_and_others_are_not(tmp_path):
    (tmp_path / "release" / "A").mkdir(parents=True)
    nbformat.write(_nb("YOUR ANSWER HERE", PLACEHOLDER_CODE), tmp_path / "release" / "A" / "01.ipynb")
    written = {"ann": SHARED, "ben": SHARED.replace("I recommend", "we recommend"), **OWN}
    for learner in ("ann", "ben", "cal", "dan", "eve"):
        folder = tmp_path / "autograded" / learner / "A"
        folder.mkdir(parents=True)
        # eve left both answers as released: the placeholder and the scaffold are nobody's words
        nb = _nb(written.get(learner, "YOUR ANSWER HERE"), CODE.get(learner, PLACEHOLDER_CODE))
        nbformat.write(nb, folder / "01.ipynb")
    csv_path, html_path, rows = write_similarity(tmp_path / "autograded", tmp_path / "release", tmp_path / "reports")
    flagged = {(r["learner_a"], r["learner_b"], r["cell"], r["kind"]) for r in rows}
    assert flagged == {("ann", "ben", "why", "written"), ("ann", "ben", "sl", "code")}
    assert all(r["similarity"] >= THRESHOLD for r in rows)
    assert [r["cell"] for r in csv.DictReader(csv_path.open())] == [r["cell"] for r in rows]
    page = html_path.read_text()
    assert "ann and ben" in page and "never changes a grade" in page and "cal and dan" not in page


def test_released_text_and_placeholders_are_removed_before_comparing():
    assert learner_text(PLACEHOLDER_CODE, PLACEHOLDER_CODE) == ""
    assert learner_text(CODE["cal"], PLACEHOLDER_CODE) == CODE["cal"][len(SCAFFOLD):]
    assert MIN_SHINGLES >= 1


def test_no_autograded_notebooks_is_an_empty_report(tmp_path):
    csv_path, html_path, rows = write_similarity(tmp_path / "none", tmp_path / "release", tmp_path / "r")
    assert rows == [] and csv_path.read_text().startswith("learner_a,learner_b")
    assert "No pair of learners is above the threshold" in html_path.read_text()
