"""The course gradebook (nbgrader's ``Gradebook``, SQLite or PostgreSQL): written by one coordinator.

Workers never write it: they grade against a private SQLite *template* holding only the
assignments' structure (notebooks, cells, checksums, hidden-test sources), made here, and send
their scores back; :func:`record_scores` stores them in one transaction per notebook.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pandas as pd

GRADE_COLUMNS = ("learner", "assignment", "notebook", "cell", "kind", "auto_score", "manual_score",
                 "extra_credit", "score", "max_score", "status")


def quiet_nbgrader() -> None:
    """nbgrader logs every database step at INFO/WARNING: keep the assessor's terminal readable."""
    import warnings

    from sqlalchemy.exc import SAWarning

    for name in ("nbgrader", "alembic", "traitlets", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; harmless, and not the user's concern
    warnings.filterwarnings("ignore", category=SAWarning)


def ensure_gradebook(db_url: str) -> None:
    """Create nbgrader's tables and alembic version stamp in-process if the database is empty.

    nbgrader's ``Gradebook()`` does this by running ``alembic heads`` as a subprocess: seconds per
    new database, and it fails when the venv's bin is not on PATH. The stamp is the same revision.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(db_url)
    try:
        if inspect(engine).get_table_names():
            return
        cfg = Config()
        cfg.set_main_option("script_location", ALEMBIC_DIR)
        head = ScriptDirectory.from_config(cfg).get_current_head()
        Base.metadata.create_all(bind=engine)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    finally:
        engine.dispose()


def open_gradebook(db_url: str, course_id: str):
    """nbgrader's Gradebook on an existing database (new ones: :func:`ensure_gradebook` first)."""
    from nbgrader.api import Gradebook

    quiet_nbgrader()
    return Gradebook(db_url, course_id)


_SCRATCH: set[str] = set()   # real paths of throw-away SQLite gradebooks (see scratch_url)


def scratch_url(path: Path | str) -> str:
    """The URL of a throw-away SQLite gradebook (the template, a worker's private copy).

    nbgrader commits after nearly every call, and each commit waits for the disk (fsync): tens of
    commits per graded notebook. A scratch gradebook is remade whenever it is lost, so its connections
    skip the wait (``PRAGMA synchronous = OFF``, journal in memory); the course gradebook keeps
    SQLite's defaults."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _scratch_pragmas):
        event.listen(Engine, "connect", _scratch_pragmas)
    _SCRATCH.add(os.path.realpath(path))
    return f"sqlite:///{path}"


def _scratch_pragmas(dbapi_conn, _record) -> None:
    if isinstance(dbapi_conn, sqlite3.Connection):
        file = dbapi_conn.execute("PRAGMA database_list").fetchone()[2]
        if file and os.path.realpath(file) in _SCRATCH:
            dbapi_conn.execute("PRAGMA synchronous = OFF")
            dbapi_conn.execute("PRAGMA journal_mode = MEMORY")


def write_template(db_url: str, course_id: str, assignments: list[str], path: Path) -> Path:
    """Copy the structure of ``assignments`` (no students, no grades) into a new SQLite file.

    nbgrader's ``update_or_create_*`` look each object up and commit it on its own: about a second for two
    workbooks, paid before any worker starts. The template is new and empty, so the same nbgrader models
    are added in one transaction instead (the structure is the same; only the row ids differ)."""
    from nbgrader.api import Assignment, GradeCell, MissingEntry, Notebook, SolutionCell, SourceCell, TaskCell

    path = Path(path)
    path.unlink(missing_ok=True)
    url = scratch_url(path)
    ensure_gradebook(url)
    with open_gradebook(db_url, course_id) as src, open_gradebook(url, course_id) as dst:
        rows = []
        for name in assignments:
            try:
                assignment = src.find_assignment(name)
            except MissingEntry:
                from helpers.errors import UserFacingError

                raise UserFacingError(f"assignment {name!r} is not in the gradebook: run `ccw course build` "
                                      "(with the same --db-url) first") from None
            copied = Assignment(name=name, duedate=assignment.duedate, course_id=dst.course_id)
            rows.append(copied)
            for nb in assignment.notebooks:
                book = Notebook(name=nb.name, assignment=copied, kernelspec=nb.kernelspec)
                rows.append(book)
                rows += [GradeCell(name=c.name, notebook=book, max_score=c.max_score, cell_type=c.cell_type)
                         for c in nb.grade_cells]
                rows += [SolutionCell(name=c.name, notebook=book) for c in nb.solution_cells]
                rows += [TaskCell(name=c.name, notebook=book, max_score=c.max_score, cell_type=c.cell_type)
                         for c in nb.task_cells]
                rows += [SourceCell(name=c.name, notebook=book, cell_type=c.cell_type, locked=c.locked,
                                    source=c.source, checksum=c.checksum) for c in nb.source_cells]
        dst.db.add_all(rows)
        dst.db.commit()
    return path


def assignment_notebooks(gb, assignments: list[str]) -> dict[str, list[str]]:
    """{assignment: [notebook names]} as recorded by ``ccw course build``."""
    return {a.name: sorted(nb.name for nb in a.notebooks) for a in gb.assignments if a.name in assignments}


def prepare_submission(gb, assignment: str, learner: str, timestamp: str | None) -> None:
    """Create the learner and the submission (all notebooks, grades, comments) if missing."""
    gb.update_or_create_student(learner)
    kwargs = {"timestamp": timestamp} if timestamp else {}
    gb.update_or_create_submission(assignment, learner, **kwargs)


def record_scores(gb, learner: str, assignment: str, notebook: str, grades: dict, comments: dict) -> None:
    """Store autograder scores for one submitted notebook, keeping any assessor's manual scores.

    ``grades``: {grade_id: auto_score or None}; ``comments``: {grade_id: auto_comment or None}. As
    in nbgrader, a cell needs the assessor when it has a manual score already (review) or the
    autograder could not score it (written answers).
    """
    sub = gb.find_submission_notebook(notebook, assignment, learner)
    for grade in sub.grades:
        if grade.cell.name in grades:
            grade.auto_score = grades[grade.cell.name]
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    for comment in sub.comments:
        if comment.cell.name in comments:
            comment.auto_comment = comments[comment.cell.name]
    gb.db.commit()


def set_manual_score(gb, learner: str, assignment: str, notebook: str, cell: str, score: float,
                     comment: str | None = None) -> None:
    """What the assessor does in formgrader: a manual score (and comment) for one cell."""
    grade = gb.find_grade(cell, notebook, assignment, learner)
    if not 0 <= score <= grade.max_score:
        raise ValueError(f"score for {notebook}:{cell} must be between 0 and {grade.max_score}, got {score}")
    grade.manual_score = float(score)
    grade.needs_manual_grade = False
    if comment is not None:
        gb.find_comment(cell, notebook, assignment, learner).manual_comment = comment
    gb.db.commit()


def grades_frame(db_url: str, course_id: str) -> pd.DataFrame:
    """Every grade of every submission as one row (columns :data:`GRADE_COLUMNS`), sorted.

    ``kind`` is "autograded" (test cell), "manual" (written answer: grade + solution cell) or
    "task"; ``score`` follows nbgrader (manual score if any, else auto score, plus extra credit,
    else 0); ``status`` is "awaiting" for a manual/task cell nobody has scored yet, else "graded".
    """
    from nbgrader.api import (Assignment, BaseCell, Grade, Notebook, SolutionCell, SubmittedAssignment,
                              SubmittedNotebook)
    from sqlalchemy import select

    with open_gradebook(db_url, course_id) as gb:
        q = (select(SubmittedAssignment.student_id, Assignment.name, Notebook.name, BaseCell.name, BaseCell.type,
                    Notebook.id, Grade.auto_score, Grade.manual_score, Grade.extra_credit, Grade.max_score)
             .select_from(Grade)
             .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
             .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
             .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
             .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
             .join(BaseCell, Grade.cell_id == BaseCell.id))
        rows = gb.db.execute(q).all()
        solutions = {(nb_id, name) for name, nb_id in
                     gb.db.execute(select(SolutionCell.name, SolutionCell.notebook_id)).all()}
    df = pd.DataFrame(rows, columns=["learner", "assignment", "notebook", "cell", "type", "nb_id", "auto_score",
                                     "manual_score", "extra_credit", "max_score"])
    if df.empty:
        return pd.DataFrame(columns=GRADE_COLUMNS)
    is_solution = pd.Series([(n, c) in solutions for n, c in zip(df["nb_id"], df["cell"])], index=df.index)
    df["kind"] = "autograded"
    df.loc[is_solution.to_numpy(), "kind"] = "manual"
    df.loc[(df["type"] == "TaskCell").to_numpy(), "kind"] = "task"
    for col in ("auto_score", "manual_score", "extra_credit", "max_score"):
        df[col] = df[col].astype("float64")
    extra = df["extra_credit"].fillna(0.0)
    df["score"] = df["manual_score"].where(df["manual_score"].notna(), df["auto_score"]).add(extra).fillna(0.0)
    pending = (df["kind"] != "autograded") & df["manual_score"].isna() & df["auto_score"].isna()
    df["status"] = pending.map({True: "awaiting", False: "graded"})
    return df[list(GRADE_COLUMNS)].sort_values(["learner", "assignment", "notebook", "cell"]).reset_index(drop=True)
