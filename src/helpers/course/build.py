"""``ccw course build``: check every source notebook, release every assignment, check for leaks.

1. copy ``notebooks/<ASSIGNMENT>/`` to ``<course>/source/<ASSIGNMENT>/`` (notebooks/ stays the one
   source of truth) and the grader package ``ccw_grader`` into the course root if it is elsewhere;
2. check each source notebook: readable, nbgrader metadata valid, grade ids unique, solution and
   hidden-test regions balanced, competency tags valid (``helpers.competency.read_tags``), rubric
   and benchmark metadata on every manually graded cell (docs/authoring.md);
3. require a trusted check (``ccw_grader``'s registry) for every autograded cell, run each source
   notebook with its reference solutions and require full marks from those checks on every
   autograded cell;
4. generate the student release with nbgrader's GenerateAssignment (which also records the
   assignment in the gradebook), drop grader-only metadata (``benchmark``) from it and show each
   written answer's rubric above it (``helpers.course.rubrics``);
5. check that no solution, hidden-test or benchmark text remains in the release;
6. write the learner declaration form (``declaration.md``, :mod:`helpers.course.declaration`) into
   each released assignment: learners sign it and submit it with their notebooks.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.course.config import Course, load_course
from helpers.course.notebooks import grader_only_lines, leaked_lines, notebook_text, source_problems
from helpers.course.pool import run_tasks
from helpers.course.rubrics import show_rubrics
from helpers.course.variants import course_secret, kernel_env
from helpers.errors import UserFacingError
from helpers.paths import project_root

GRADER_ONLY_KEYS = ("benchmark",)


@dataclass
class BuildReport:
    assignments: list[str] = field(default_factory=list)
    notebooks: list[str] = field(default_factory=list)  # "<assignment>/<notebook>"
    tags: int = 0
    solution_scores: dict[str, tuple[float, float]] = field(default_factory=dict)  # notebook -> (score, max)


class BuildError(UserFacingError):
    """The course cannot be built: every problem found, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n  " + "\n  ".join(problems))


def _copy_sources(course: Course, assignment: str) -> list[Path]:
    src, dst = course.notebooks / assignment, course.dir("source") / assignment
    if not src.is_dir():
        raise UserFacingError(f"assignment {assignment!r}: no folder {src}")
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return sorted(dst.glob("*.ipynb"))


def install_grader(course_root: Path, package: Path | None = None) -> None:
    """Put ``ccw_grader`` in the course root (the kernel's PYTHONPATH when grading) if it is not there."""
    package = package or project_root() / "autograde" / "ccw_grader"
    target = course_root / "ccw_grader"
    if target.resolve() == package.resolve():
        return
    if not package.is_dir():
        raise UserFacingError(f"grader package not found: {package}")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(package, target, ignore=shutil.ignore_patterns("__pycache__"))


def solution_task(task: dict) -> dict:
    """Worker: run one source notebook (the trainer's own reference solutions) and score its autograded
    cells with the trusted checks, exactly as the grader would score a learner."""
    from helpers.course import trusted
    from helpers.course.config import ensure_interpreter_on_path
    from helpers.course.execute import Limits, execute_notebook

    ensure_interpreter_on_path()
    nb = nbformat.read(task["path"], as_version=4)
    assignment = Path(task["path"]).parent.name
    checks = trusted.registry(task["course_root"])
    graded = trusted.graded_code_cells(nb)
    trusted.insert_exports(nb, assignment, checks)
    run = execute_notebook(nb, env={**os.environ, **task["env"], "NBGRADER_EXECUTION": "validate"},
                           cwd=str(Path(task["path"]).parent), limits=Limits(*task["limits"]))
    verdict = trusted.score(nb, assignment, checks, trusted.learner_data(task["dataset"], None, task["course_root"]))
    cells = []
    for _, meta in graded:
        gid = meta["grade_id"]
        failed = [msg for ok, msg in verdict.findings.get(gid, []) if not ok]
        errors = [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.metadata.get("nbgrader", {}).get(
            "grade_id") == gid for o in c.outputs if o.get("output_type") == "error"]
        cells.append((gid, verdict.grades.get(gid, 0.0), float(meta.get("points", 0)), failed + errors))
    misfiled = [f"{gid}: its trusted check reports on {', '.join(c)}, which the cell's competency tag does not name"
                for gid, c in sorted(verdict.misfiled.items())]
    return {"name": task["name"], "cells": cells, "notes": run.notes + verdict.notes + misfiled}


def build_course(course_root: Path | str | None = None, notebooks_root: Path | str | None = None, *,
                 db_url: str | None = None, assignments: list[str] | None = None, workers: int | None = None,
                 dataset: Path | str | None = None, check_solutions: bool = True, progress: bool = True,
                 grader_package: Path | None = None) -> BuildReport:
    """Build the course; raises :class:`BuildError` listing every problem found.

    ``dataset`` is the dataset folder the reference solutions run against (``CCW_DATASET``);
    without it notebooks use the default practice dataset of ``helpers.data.load_dataset()``.
    """
    from helpers import competency

    course = load_course(course_root, notebooks_root, db_url, create=True)
    course_secret(course.root)  # created on first build, never released
    install_grader(course.root, grader_package)
    names = assignments or course.assignments()
    if not names:
        raise UserFacingError(f"no assignments: {course.notebooks} has no folder with notebooks")
    report = BuildReport(assignments=list(names))
    problems: list[str] = []
    sources: list[Path] = []
    from helpers.course import trusted

    checks = trusted.registry(course.root)
    for assignment in names:
        for path in _copy_sources(course, assignment):
            sources.append(path)
            name = f"{assignment}/{path.stem}"
            report.notebooks.append(name)
            problems += [f"{name}: {p}" for p in source_problems(path)]
            problems += [f"{name}:{gid}: autograded cell without a trusted check (register one in ccw_grader)"
                         for gid in trusted.unregistered(nbformat.read(path, as_version=4), assignment, checks)]
            try:
                report.tags += len(competency.read_tags(course.notebooks / assignment / path.name, course.notebooks))
            except competency.TagError as exc:
                problems.append(str(exc))
    if not sources:
        raise UserFacingError(f"no notebooks in {', '.join(str(course.notebooks / a) for a in names)}")
    if problems:
        raise BuildError(problems)
    if check_solutions:
        problems += _check_solutions(course, sources, report, workers, dataset, progress)
    if problems:
        raise BuildError(problems)
    from helpers.course.gradebook import ensure_gradebook

    ensure_gradebook(course.db_url)  # in-process schema: nbgrader would shell out to `alembic`
    for assignment in names:
        problems += _release(course, assignment)
    if problems:
        raise BuildError(problems)
    return report


def _check_solutions(course, sources, report, workers, dataset, progress) -> list[str]:
    env = kernel_env("", Path(dataset).resolve() if dataset else None)
    env.pop("CCW_LEARNER")
    tasks = [{"name": f"{p.parent.name}/{p.stem}", "path": str(p), "env": env, "course_root": str(course.root),
              "dataset": env.get("CCW_DATASET"),
              "limits": (course.cell_timeout, course.notebook_timeout, course.max_output_bytes)} for p in sources]
    problems = []

    def failed(task, message):
        return {"name": task["name"], "cells": [], "notes": [message]}

    for result in sorted(run_tasks(solution_task, tasks, workers=workers, progress=progress,
                                   desc="checking solutions", on_failure=failed), key=lambda r: r["name"]):
        score = sum(c[1] for c in result["cells"])
        report.solution_scores[result["name"]] = (score, sum(c[2] for c in result["cells"]))
        problems += [f"{result['name']}: {note}" for note in result["notes"]]
        for grade_id, got, full, errors in result["cells"]:
            if got < full:
                why = f" ({'; '.join(errors)})" if errors else ""
                problems.append(f"{result['name']}:{grade_id}: the solution scores {got:g}/{full:g}{why}")
    return problems


def _release(course: Course, assignment: str) -> list[str]:
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException

    from helpers.course.gradebook import quiet_nbgrader

    quiet_nbgrader()
    coursedir = course.coursedir()
    coursedir.assignment_id = assignment
    converter = GenerateAssignment(coursedir=coursedir, config=course.config)
    converter.force = True
    converter.log.setLevel(logging.ERROR)
    try:
        converter.start()
    except (NbGraderException, Exception) as exc:  # nbgrader reports details through its log
        return [f"{assignment}: nbgrader could not generate the release ({exc.__class__.__name__}: {exc})"]
    problems = []
    for src in sorted((course.dir("source") / assignment).glob("*.ipynb")):
        rel_path = course.dir("release") / assignment / src.name
        if not rel_path.is_file():
            problems.append(f"{assignment}/{src.stem}: no release notebook was generated")
            continue
        release = nbformat.read(rel_path, as_version=4)
        for cell in release.cells:
            for key in GRADER_ONLY_KEYS:
                cell.metadata.pop(key, None)
        show_rubrics(release)  # learners see how each written answer is marked, above it
        nbformat.write(release, rel_path)
        text = notebook_text(release)
        for line in leaked_lines(grader_only_lines(nbformat.read(src, as_version=4)), text):
            problems.append(f"{assignment}/{src.stem}: grader-only text left in the release: {line!r}")
    from helpers.course.declaration import write_form

    write_form(course.dir("release") / assignment, assignment)  # the learner signs it and submits it back
    return problems
