"""Learners see the rubric of every written answer in the release, above the answer; the sources
keep it as metadata only, and grading ignores the inserted cells."""
from __future__ import annotations

from course_support import ASSIGNMENT, NOTEBOOKS, new_course
from helpers.course.notebooks import is_manual, nbg
from helpers.course.rubrics import MARK, show_rubrics


def test_release_shows_each_written_answers_rubric_above_it(tmp_path):
    course = new_course(tmp_path, check_solutions=False)
    seen = 0
    for name in NOTEBOOKS:
        source, release = course.source(name), course.release(name)
        assert not any(MARK in c.metadata for c in source.cells)  # sources are not edited
        manual = [c for c in source.cells if is_manual(c) and c.metadata.get("rubric")]
        for cell in manual:
            gid = nbg(cell)["grade_id"]
            index = next(i for i, c in enumerate(release.cells) if nbg(c).get("grade_id") == gid)
            view = release.cells[index - 1]
            assert view.cell_type == "markdown" and view.metadata[MARK] == {"rubric_for": gid}
            assert "nbgrader" not in view.metadata  # plain markdown: nothing for the grader
            assert view.source.startswith(f"**How this answer is marked** ({nbg(cell)['points']:g} mark")
            for point in cell.metadata["rubric"]:
                assert f"- {point.strip()}" in view.source
            seen += 1
        assert len([c for c in release.cells if MARK in c.metadata]) == len(manual)
        assert "benchmark" not in str([c.metadata for c in release.cells])
    assert seen >= 1, f"the sample {ASSIGNMENT} workbook has written answers with rubrics"


def test_showing_rubrics_twice_does_not_double_them(tmp_path):
    course = new_course(tmp_path, check_solutions=False)
    release = course.release(NOTEBOOKS[0])
    before = [c.source for c in release.cells]
    show_rubrics(release)
    assert [c.source for c in release.cells] == before
