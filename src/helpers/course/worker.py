"""One grading task: autograde one learner's notebooks (every assignment that releases the same files), in a
worker process (local pool or Dask).

A task is a :class:`NotebookTask` and its result a :class:`NotebookResult` (plain dataclasses,
picklable for both executors). The worker runs nbgrader's own preprocessors (sanitise: ClearOutput,
DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata; then LimitOutput,
SaveAutoGrades, CheckCellMetadata, whose schema is compiled once: :mod:`helpers.course.cellmeta`) against a
*private* copy of the template gradebook, runs the notebook with :mod:`helpers.course.execute`,
and returns scores, the autograded notebook and notes for the learner. It never touches the
course gradebook, and it never raises: whatever the submission does, the result says what happened.
"""
from __future__ import annotations

import copy
import functools
import logging
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.course import trusted
from helpers.course.config import ensure_interpreter_on_path
from helpers.course.execute import Limits, execute_notebook
from helpers.course.gradebook import open_gradebook, quiet_nbgrader, scratch_url
from helpers.course.sandbox import SandboxSpec

_PRIVATE: dict[str, str] = {}  # template path -> this process's private gradebook copy


@dataclass
class NotebookTask:
    """One submitted notebook to grade (plain data: it travels to local and Dask workers alike).

    ``limits`` is (cell timeout s, notebook timeout s, output bytes per cell); ``sandbox`` the
    ``CCWSandbox`` limits, or None for ``--no-sandbox``; ``files`` the release's extra files as
    {"path", "relpath"}; ``template`` the template gradebook every worker copies once."""

    learner: str
    assignment: str
    notebook: str
    submitted: str
    release: str
    course_id: str
    course_root: str
    env: dict
    limits: tuple
    dataset: str | None = None
    sandbox: dict | None = None
    files: list = field(default_factory=list)
    preprocessors: dict = field(default_factory=dict)
    template: str | None = None
    prefork: bool = True  # sandboxed kernels forked from a pre-warmed zygote (c.CCWGrade.prefork)


@dataclass
class NotebookResult:
    """What grading one notebook gave: ``grades`` (grade id -> points; None: zero every graded cell),
    ``notes`` for the learner, the autograded notebook, and timings in seconds."""

    learner: str
    assignment: str
    notebook: str
    status: str  # graded | unreadable | missing | error
    notes: list[str]
    grades: dict | None = None
    comments: dict = field(default_factory=dict)
    notebook_json: str | None = None
    seconds: float = 0.0
    kernel_seconds: float = 0.0
    traceback: str | None = None

    @classmethod
    def of(cls, task: NotebookTask, status: str, notes: list[str], **kw) -> "NotebookResult":
        return cls(task.learner, task.assignment, task.notebook, status, notes, **kw)


def _private_db(template: str) -> str:
    if template not in _PRIVATE:
        folder = tempfile.mkdtemp(prefix="ccw-worker-")
        shutil.copyfile(template, os.path.join(folder, "gradebook.db"))
        _PRIVATE[template] = os.path.join(folder, "gradebook.db")
    return scratch_url(_PRIVATE[template])


NOT_ASSESSED = ("Nothing in this notebook is assessed (no graded or assessor cells), so it was not run when "
                "grading; your code is kept as you submitted it.")


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_graded(cell) -> bool:
    meta = _nbg(cell)
    return bool(meta.get("grade") or meta.get("task"))


def notes_cell(notes: list[str]):
    text = "**Grading notes** (from the autograder)\n\n" + "\n".join(f"- {n}" for n in notes)
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["ccw_grading_notes"] = True
    return cell


def drop_foreign_cells(nb, release, notes: list[str]):
    """Cells claiming grading metadata the release does not give them (a copy-pasted cell, a renamed
    or invented grade id) become ordinary cells: their code still runs, they earn nothing, and the
    rest of the notebook is graded as usual."""
    known = {_nbg(c).get("grade_id") for c in release.cells if _nbg(c).get("grade_id")}
    seen: set[str] = set()
    for cell in nb.cells:
        meta = _nbg(cell)
        if not meta:
            continue
        gid = meta.get("grade_id")
        duplicate = gid in seen
        if gid in known and not duplicate:
            seen.add(gid)
            continue
        cell["metadata"].pop("nbgrader", None)
        cell["metadata"].pop("competency", None)
        if duplicate:
            notes.append(f"Cell '{gid}' appears more than once; the copy was kept as an ordinary cell and earns "
                         "nothing (the first one is graded).")
        elif gid:
            notes.append(f"A cell claims grade id '{gid}', which is not part of the assignment; it was kept as an "
                         "ordinary cell and earns nothing.")
    return nb


def restore_cells(nb, release, notes: list[str]):
    """Put back graded, answer and read-only cells the learner deleted, in their release position,
    and note edits to read-only cells and cell types (nbgrader's OverwriteCells then restores those)."""
    nb = drop_foreign_cells(nb, release, notes)
    present = {}
    for cell in nb.cells:
        gid = _nbg(cell).get("grade_id")
        if gid and gid not in present:
            present[gid] = cell
    after = None  # the cell of the submission after which a missing cell goes back
    for rel in release.cells:
        meta = _nbg(rel)
        gid = meta.get("grade_id")
        if not gid:
            continue
        sub = present.get(gid)
        if sub is None:
            sub = copy.deepcopy(rel)
            position = 0 if after is None else next(i for i, c in enumerate(nb.cells) if c is after) + 1
            nb.cells.insert(position, sub)
            what = "an answer cell" if meta.get("solution") else "a read-only cell"
            notes.append(f"Cell '{gid}' ({what}) was deleted; it was put back from the assignment before grading"
                         + (" and its answer earns no marks." if meta.get("solution") else "."))
        else:
            if sub.get("cell_type") != rel.cell_type:
                notes.append(f"Cell '{gid}' was changed from {rel.cell_type} to {sub.get('cell_type')}; "
                             "its type was restored before grading.")
            elif meta.get("locked") and sub.get("source") != rel.source:
                notes.append(f"Cell '{gid}' is read-only but was edited; the original was restored before grading.")
            if meta.get("grade") and _nbg(sub).get("points") != meta.get("points"):
                notes.append(f"The points of cell '{gid}' were edited; the assignment's points were restored.")
        after = sub
    return nb


_SUBMISSION: dict = {}   # the one submission open in this process's private gradebook: url, course, learner, assignment


def _open_submission(db_url: str, course_id: str, learner: str, assignment: str) -> None:
    """Make sure the private gradebook holds this learner's submission of ``assignment`` (and no other).

    nbgrader creates a submission with rows for every notebook and cell of the assignment, as its own
    autograde does once per submission: here too it is made once for a learner's notebooks of one
    assignment, not once per notebook, and removed when the worker moves on (keeping the copy small)."""
    wanted = {"url": db_url, "course": course_id, "learner": learner, "assignment": assignment}
    if _SUBMISSION == wanted:
        return
    _close_submission()
    with open_gradebook(db_url, course_id) as gb:
        gb.update_or_create_student(learner)
        gb.update_or_create_submission(assignment, learner)
    _SUBMISSION.update(wanted)


def _close_submission() -> None:
    if not _SUBMISSION:
        return
    held = dict(_SUBMISSION)
    _SUBMISSION.clear()
    try:
        with open_gradebook(held["url"], held["course"]) as gb:
            gb.remove_submission(held["assignment"], held["learner"])
    except Exception:  # noqa: BLE001 - a private scratch copy: a leftover row costs nothing but space
        pass


def _zero_result(task: NotebookTask, release, notes: list[str], status: str, started: float) -> NotebookResult:
    nb = copy.deepcopy(release)
    nb.cells.insert(0, notes_cell(notes))
    return NotebookResult.of(task, status, notes, seconds=time.monotonic() - started,
                             grades={_nbg(c)["grade_id"]: 0.0 for c in release.cells if _is_graded(c)},
                             notebook_json=nbformat.writes(nb))


def _run_preprocessors(classes, nb, resources, log, settings: dict):
    from traitlets.config import Config

    config = Config(settings)
    for cls in classes:
        nb, resources = cls(log=log, config=config)(nb, resources)
    return nb, resources


def _release(path: str):
    """The released notebook at ``path``, a copy of this process's parsed one: every notebook of a cohort
    reads the same few releases, and parsing and validating one costs more than copying it."""
    stat = os.stat(path)
    return copy.deepcopy(_parsed_release(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _parsed_release(path: str, _mtime_ns: int, _size: int):
    return nbformat.read(path, as_version=4)


def _assessed(release) -> bool:
    """Whether the released notebook (or its path) has anything to grade; if not, it is not run (NOT_ASSESSED)."""
    if isinstance(release, str):
        try:
            release = _release(release)
        except Exception:  # the release is the course's own file; if it cannot be read, grading says why
            return True
    return any(_is_graded(c) for c in release.cells)


def autograde_learner(tasks: list[NotebookTask]) -> list[NotebookResult]:
    """Grade one learner's notebooks (of one or more assignments that release the same files: the zygote's
    sandbox holds those files and the learner's dataset), in order; never raises.

    Sandboxed, the kernels are forked one per notebook from a zygote (:mod:`helpers.course.prefork`)
    that has imported the packages and loaded this learner's dataset once; everything a notebook
    started is killed and its scratch space cleared before the next kernel is forked. If the zygote
    cannot be had, each notebook gets a plain sandboxed kernel of its own."""
    zygote = None
    first = tasks[0] if tasks else None
    to_run = sum(_assessed(t.release) for t in tasks)
    if first is not None and first.sandbox is not None and first.prefork and to_run > 1:
        # a zygote pays for itself from the second notebook on; one notebook gets a plain sandboxed kernel
        from helpers.course.prefork import Zygote, ZygoteError
        from helpers.course.sandbox import allocate_uid

        spec = SandboxSpec(ipc_dir=tempfile.mkdtemp(prefix="ccw-z-"), limits=first.sandbox, dataset=first.dataset,
                           files=tuple((f["relpath"], f["path"]) for f in first.files),
                           uid=allocate_uid(first.sandbox))
        try:
            zygote = Zygote(spec, first.env)
        except (ZygoteError, OSError):
            shutil.rmtree(spec.ipc_dir, ignore_errors=True)
            zygote = None
    results = []
    try:
        for task in tasks:
            results.append(autograde_task(task, zygote))
            if zygote is not None:
                try:
                    zygote.reap()
                except Exception:  # the zygote died (the notebook could not reach it): plain kernels from now on
                    zygote.close()
                    zygote = None
    finally:
        _close_submission()
        if zygote is not None:
            zygote.close()
            shutil.rmtree(zygote.spec.ipc_dir, ignore_errors=True)
    return results


def _execute(nb, task: NotebookTask, workdir: str, zygote=None):
    """Run the learner's notebook: in the sandbox (its environment is only the task's), or, when the
    assessor chose ``--no-sandbox``, in a plain kernel with the grader's environment."""
    limits = Limits(*task.limits)
    if zygote is not None:
        return execute_notebook(nb, env=task.env, cwd=workdir, limits=limits, zygote=zygote)
    if task.sandbox is None:
        env = {**os.environ, **task.env, "NBGRADER_EXECUTION": "autograde"}
        return execute_notebook(nb, env=env, cwd=workdir, limits=limits)
    for attempt in (1, 2):  # a kernel that dies before running any cell is the machine's fault: once more
        spec = SandboxSpec(ipc_dir=os.path.join(workdir, f"ipc{attempt}"), limits=task.sandbox,
                           dataset=task.dataset, files=tuple((f["relpath"], f["path"]) for f in task.files))
        try:
            return execute_notebook(nb, env=task.env, cwd=workdir, limits=limits, sandbox=spec)
        except RuntimeError as exc:
            if attempt == 2 or "before replying to kernel_info" not in str(exc):
                raise


def autograde_task(task: NotebookTask, zygote=None) -> NotebookResult:
    """Grade ``task.submitted`` (path) for ``task.learner``; never raises (see the module doc)."""
    started = time.monotonic()
    try:
        return _autograde(task, started, zygote)
    except Exception as exc:  # a grader bug must not stop the cohort: zero with a note, traceback kept
        release = _release(task.release)
        result = _zero_result(task, release, [f"The autograder could not grade this notebook "
                                              f"({exc.__class__.__name__}: {exc}); an assessor will review it."],
                              "error", started)
        result.traceback = traceback.format_exc()
        return result


def _autograde(task: NotebookTask, started: float, zygote=None) -> NotebookResult:
    from nbgrader.preprocessors import (ClearOutput, DeduplicateIds, LimitOutput, OverwriteCells,
                                        OverwriteKernelspec, SaveAutoGrades)

    from helpers.course.cellmeta import CheckCellMetadata

    ensure_interpreter_on_path()
    quiet_nbgrader()
    log = logging.getLogger("nbgrader.ccw")
    release = _release(task.release)
    name = f"{task.notebook}.ipynb"
    notes: list[str] = []
    try:
        nb = nbformat.read(task.submitted, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
        notes.append(f"{name} could not be read as a Jupyter notebook ({reason}); it earns no marks. "
                     "Re-download the assignment and copy your answers into it.")
        return _zero_result(task, release, notes, "unreadable", started)

    nb = restore_cells(nb, release, notes)
    db_url = _private_db(task.template)
    learner, assignment, notebook = task.learner, task.assignment, task.notebook
    _open_submission(db_url, task.course_id, learner, assignment)
    workdir = tempfile.mkdtemp(prefix="ccw-run-")
    try:
        if task.sandbox is None:
            for extra in task.files:  # data files released with the assignment
                target = Path(workdir) / extra["relpath"]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(extra["path"], target)
        resources = {"nbgrader": {"student": learner, "assignment": assignment, "notebook": notebook,
                                  "db_url": db_url}, "metadata": {"path": workdir}}
        try:
            nb, resources = _run_preprocessors(
                (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata), nb, resources, log,
                task.preprocessors)
        except Exception as exc:
            notes.append(f"{name}: the grading information in the notebook is damaged ({exc}); it earns no marks. "
                         "Re-download the assignment and copy your answers into it.")
            return _zero_result(task, release, notes, "unreadable", started)
        if not _assessed(release):
            # nothing in it earns marks or awaits an assessor (an orientation): running it would cost a
            # kernel and the learner's code for no evidence; its outputs were cleared above
            notes.append(NOT_ASSESSED)
            run, verdict = None, trusted.TrustedResult()
        else:
            checks = trusted.registry(task.course_root)
            trusted.insert_exports(nb, assignment, checks)
            run = _execute(nb, task, workdir, zygote)
            notes += run.notes
            data = trusted.learner_data(task.dataset, learner, task.course_root)
            verdict = trusted.score(nb, assignment, checks, data, release)
            notes += verdict.notes
            notes += trusted.insert_facts(nb, assignment, trusted.facts_registry(task.course_root), data, release)
        nb, resources = _run_preprocessors((LimitOutput, SaveAutoGrades, CheckCellMetadata), nb, resources, log,
                task.preprocessors)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    with open_gradebook(db_url, task.course_id) as gb:
        sub = gb.find_submission_notebook(notebook, assignment, learner)
        grades = {g.cell.name: g.auto_score for g in sub.grades}
        grades.update(verdict.grades)  # autograded cells: the trusted checks' scores, never the notebook's outputs
        comments = {c.cell.name: c.auto_comment for c in sub.comments}
    if notes:
        nb.cells.insert(0, notes_cell(notes))
    return NotebookResult.of(task, "graded", notes, grades=grades, comments=comments,
                             notebook_json=nbformat.writes(nb), seconds=time.monotonic() - started,
                             kernel_seconds=run.seconds if run else 0.0)
