"""Feedback reaches the learner: `ccw grade` writes it in the layout nbgrader's exchange expects,
`ccw feedback release` (formgrader's Release Feedback) puts it in the exchange, and the learner's
Fetch Feedback (nbgrader's ExchangeFetchFeedback with the workspace's config) receives it."""
from __future__ import annotations

import shutil

import pytest

from browser_support import TINY_COURSE_ID, build_tiny_course, ensure_interpreter_on_path
from exchange_support import submit
from helpers.cli import main
from helpers.errors import UserFacingError
from helpers.lab import collect_submissions, fetch_feedback, prepare_workspace, release_feedback, submissions

ASSIGNMENT = "BSBCUE605"


def test_graded_feedback_is_released_and_fetched_by_that_learner_only(tmp_path, monkeypatch, capsys):
    from helpers.course.grade import grade

    ensure_interpreter_on_path()
    course = build_tiny_course(tmp_path / "course", ASSIGNMENT).parents[1]
    data = tmp_path / "data"
    for who in ("s1", "s2"):
        (data / who).mkdir(parents=True)
    ann = prepare_workspace("s1", workspace=tmp_path / "ws1", course_root=course, dataset=data / "s1")
    bob = prepare_workspace("s2", workspace=tmp_path / "ws2", course_root=course, dataset=data / "s2")
    answer = ann.root / ASSIGNMENT / "00_orientation.ipynb"
    answer.write_text(answer.read_text().replace("raise NotImplementedError()", "service_level_target = 0.8"))
    submit(ann, ASSIGNMENT, monkeypatch)
    submit(bob, ASSIGNMENT, monkeypatch)
    stamps = {s["learner"]: s["timestamp"] for s in submissions(course, TINY_COURSE_ID)}
    assert collect_submissions(course) == [("s1", ASSIGNMENT), ("s2", ASSIGNMENT)]

    # before grading there is nothing to release, and the assessor is told what to run
    with pytest.raises(UserFacingError, match="run `ccw grade`"):
        release_feedback(course)
    grade(course, datasets=data, workers=1, progress=False, reports_dir=tmp_path / "reports")
    folder = course / "feedback" / "s1" / ASSIGNMENT
    assert (folder / "timestamp.txt").read_text() == (course / "submitted" / "s1" / ASSIGNMENT / "timestamp.txt").read_text()
    assert (folder / "submission_secret.txt").is_file()

    assert main(["feedback", "release", "--course", str(course)]) == 0, capsys.readouterr().err
    assert "released 4 feedback page(s) of 2 learner(s)" in capsys.readouterr().out

    pages = fetch_feedback(ann, ASSIGNMENT)
    assert [p.relative_to(ann.root).as_posix() for p in pages] == [
        f"{ASSIGNMENT}/feedback/{stamps['s1']}/{name}.html" for name in ("00_orientation", "04_reporting")]
    assert pages[0].read_bytes() == (folder / "00_orientation.html").read_bytes()
    assert "BEGIN HIDDEN TESTS" not in pages[0].read_text()
    # each learner receives their own pages, never a classmate's
    theirs = fetch_feedback(bob, ASSIGNMENT)
    assert [p.parent.name for p in theirs] == [stamps["s2"]] * 2
    assert theirs[0].read_bytes() == (course / "feedback" / "s2" / ASSIGNMENT / "00_orientation.html").read_bytes()
    assert theirs[0].read_bytes() != pages[0].read_bytes()


def test_feedback_without_exchange_files_is_refused_with_the_fix(tmp_path):
    course = build_tiny_course(tmp_path / "course", ASSIGNMENT).parents[1]
    folder = course / "feedback" / "s1" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "00_orientation.html").write_text("<html></html>")
    with pytest.raises(UserFacingError, match="no timestamp.txt.*ccw grade --feedback-only"):
        release_feedback(course)
    assert not (course / "exchange" / TINY_COURSE_ID / "feedback").exists() or \
        not any((course / "exchange" / TINY_COURSE_ID / "feedback").iterdir())
    shutil.rmtree(folder)
    with pytest.raises(UserFacingError, match="no feedback"):
        release_feedback(course, learner="s1")
