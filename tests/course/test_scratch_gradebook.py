"""Throw-away gradebooks (template, a worker's private copy) skip waiting for the disk; the course's does not."""
from sqlalchemy import text

from helpers.course.gradebook import ensure_gradebook, open_gradebook, scratch_url


def _synchronous(url: str) -> int:
    with open_gradebook(url, "course") as gb:
        gb.update_or_create_student("learner1")   # a write, so the pooled connection is the one used
        return gb.db.execute(text("PRAGMA synchronous")).scalar()


def test_scratch_gradebook_skips_fsync_course_gradebook_does_not(tmp_path):
    course = f"sqlite:///{tmp_path / 'gradebook.db'}"
    ensure_gradebook(course)
    scratch = scratch_url(tmp_path / "template.db")
    ensure_gradebook(scratch)
    assert _synchronous(scratch) == 0            # OFF
    assert _synchronous(course) == 2             # SQLite's default, FULL
    with open_gradebook(scratch, "course") as gb:  # what was written is there
        assert [s.id for s in gb.students] == ["learner1"]
