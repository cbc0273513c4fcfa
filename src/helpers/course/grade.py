"""``ccw grade``: autograde a cohort in parallel; one coordinator writes the gradebook.

Flow: take submissions (:mod:`helpers.course.submissions`) -> plan one task per submitted notebook
-> copy the assignments' structure into a template SQLite gradebook -> workers (local processes or
a Dask cluster) execute and score each notebook against a private copy of the template
(:mod:`helpers.course.worker`) -> this process stores every score in the course gradebook (SQLite
or PostgreSQL), writes ``autograded/`` -> feedback HTML per learner (:mod:`helpers.course.feedback`)
-> ``grades.csv`` and ``submissions.csv``.

A notebook that is missing, unreadable, hangs, exits, crashes its kernel or floods its output is
graded like any other (zero where nothing was earned) with a note in that learner's feedback; no
other learner's grades change.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.bytecode import ensure_compiled
from helpers.course import gradebook as gbm
from helpers.course import trusted
from helpers.course.config import load_course
from helpers.course.declaration import FILE as DECLARATION_FILE
from helpers.course.feedback import feedback_task, write_exchange_files
from helpers.course.pool import run_tasks
from helpers.course.sandbox import CCWSandbox, bwrap_version, check_sandbox
from helpers.course.settings import CCWGrade
from helpers.course.submissions import import_submissions, read_timestamp
from helpers.course.variants import dataset_for, kernel_env
from helpers.course.worker import NotebookResult, NotebookTask, autograde_learner, notes_cell
from helpers.errors import UserFacingError
from helpers.learners import RULE, is_learner_id
from helpers.paths import project_root

NOTES_FILE = "grading_notes.json"
NO_SANDBOX = "none (--no-sandbox)"


@dataclass
class GradeRun:
    """What a grading run did; ``notes`` maps (learner, assignment, notebook) to learner-facing notes."""

    learners: list[str] = field(default_factory=list)
    graded: int = 0
    missing: int = 0
    unreadable: int = 0
    errors: int = 0
    seconds: float = 0.0
    worker_seconds: list[float] = field(default_factory=list)
    kernel_seconds: list[float] = field(default_factory=list)
    notes: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    status: dict[tuple[str, str, str], str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # submissions not graded, with the reason
    sandbox: str = ""  # what learners' kernels ran in: "bubblewrap 0.8.0", or NO_SANDBOX
    grades_csv: Path | None = None
    submissions_csv: Path | None = None


def _failure(task: NotebookTask, message: str) -> NotebookResult:
    return NotebookResult.of(task, "error", [f"The autograder could not grade this notebook ({message}); "
                                             "an assessor will review it."])


def _extra_files(release: Path) -> list[dict]:
    """The files released beside the notebooks that a notebook may read (data files), for the sandbox. The
    learner declaration form is the learner's to sign, not something code reads: it is not among them."""
    return [{"path": str(p), "relpath": str(p.relative_to(release))} for p in sorted(release.rglob("*"))
            if p.is_file() and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts
            and p.relative_to(release) != Path(DECLARATION_FILE)]


def work_units(tasks: list[NotebookTask]) -> list[list[NotebookTask]]:
    """The notebooks grouped into units of work, largest first.

    A unit is one learner's notebooks of every assignment whose released files are the same (as a rule, all
    of them): one zygote and one dataset load serve them all, in assignment and notebook order. Units go
    longest first (by the size of what was submitted): a heavy learner started last would leave the other
    workers idle at the end of the run."""
    units: dict[tuple, list[NotebookTask]] = {}
    for task in tasks:
        files = tuple(sorted((f["relpath"], f["path"]) for f in task.files))
        units.setdefault((task.learner, files), []).append(task)
    for unit in units.values():
        unit.sort(key=lambda t: (t.assignment, t.notebook))
    return sorted(units.values(), key=lambda unit: -sum(Path(t.submitted).stat().st_size for t in unit))


def _write_autograded(folder: Path, notebook: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}.ipynb").write_text(text, encoding="utf-8")


def grade(course_root: Path | str | None = None, notebooks_root: Path | str | None = None, *,
          submissions: Path | str | None = None, db_url: str | None = None, workers: int | None = None,
          timeout: int | None = None, notebook_timeout: float | None = None, dask_scheduler: str | None = None,
          datasets: Path | str | None = None, reports_dir: Path | str | None = None,
          learners: list[str] | None = None, feedback: bool = True, progress: bool = True,
          sandbox: bool | None = None) -> GradeRun:
    """Autograde every submitted notebook (or only ``learners``) and write feedback and CSVs.

    ``timeout`` is the per-cell limit in seconds (default: the config's ``Execute.timeout``);
    ``notebook_timeout`` the whole-notebook limit in seconds; ``datasets`` a folder holding one
    dataset folder per learner (``<datasets>/<learner>``), passed to the notebook as ``CCW_DATASET``;
    default: where ``ccw regenerate`` writes them (``datasets/<case study>/learners/``).
    ``sandbox`` (default ``c.CCWSandbox.enabled``, True) runs every learner's kernel in the
    bubblewrap sandbox; without one the run stops with how to get it, unless ``sandbox=False``
    (``--no-sandbox``), which is recorded in grades.csv, submissions.csv and the reports.
    """
    started = time.monotonic()
    course = load_course(course_root, notebooks_root, db_url)
    settings = CCWSandbox(config=course.config)
    use_sandbox = settings.enabled if sandbox is None else sandbox
    if use_sandbox and (problem := check_sandbox()):
        raise UserFacingError(f"cannot grade safely: {problem}")
    run = GradeRun(sandbox=bwrap_version() if use_sandbox else NO_SANDBOX)
    submitted, release = course.dir("submitted"), course.dir("release")
    learner_notes: dict[str, list[str]] = {}
    if submissions is not None:
        imported = import_submissions(submissions, submitted, release)
        run.ignored, run.refused, learner_notes = imported.ignored, imported.refused, imported.renamed
    if not submitted.is_dir():
        raise UserFacingError(f"no submissions: {submitted} does not exist (pass --submissions DIR)")
    wanted = set(learners) if learners else None
    cohort = []
    for folder in sorted(submitted.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or (wanted is not None and folder.name not in wanted):
            continue
        if is_learner_id(folder.name) and not folder.is_symlink():
            cohort.append(folder.name)
        else:  # one odd folder in submitted/ must not stop the cohort
            run.refused.append(f"{folder.name}: not a usable learner id ({RULE}); not graded")
    if not cohort:
        raise UserFacingError(f"no learners' submissions found in {submitted}")
    datasets = Path(datasets) if datasets else default_datasets()
    if datasets is not None:
        lacking = [lr for lr in cohort if not dataset_for(lr, datasets).is_dir()]
        if lacking:
            raise UserFacingError(f"no dataset folder under {datasets} for: {', '.join(lacking)} "
                                  "(generate them with `ccw regenerate --roster FILE`)")
    limits = (int(timeout or course.cell_timeout), float(notebook_timeout or course.notebook_timeout),
              course.max_output_bytes)
    gb = gbm.open_gradebook(course.db_url, course.course_id)
    try:
        structure = gbm.assignment_notebooks(gb, [a.name for a in gb.assignments])
        if not structure:
            raise UserFacingError(f"the gradebook {course.db_url} has no assignments: run `ccw course build` first")
        tasks, missing, timestamps, files = [], [], {}, {}
        for learner in cohort:
            for folder in sorted(p for p in (submitted / learner).iterdir() if p.is_dir()):
                if folder.name not in structure:
                    run.ignored.append(f"{learner}/{folder.name}")
                    continue
                timestamps[(learner, folder.name)] = read_timestamp(folder)
                if folder.name not in files:  # once per assignment, not per task
                    files[folder.name] = _extra_files(release / folder.name)
                dataset = dataset_for(learner, datasets)
                env = kernel_env(learner, dataset)
                for notebook in structure[folder.name]:
                    path = folder / f"{notebook}.ipynb"
                    task = NotebookTask(
                        learner, folder.name, notebook, submitted=str(path),
                        release=str(release / folder.name / f"{notebook}.ipynb"), course_id=course.course_id,
                        course_root=str(course.root), env=env, limits=limits,
                        dataset=str(dataset) if dataset else None,
                        sandbox=settings.limits() if use_sandbox else None, files=files[folder.name],
                        preprocessors=course.preprocessor_config(), prefork=course.settings(CCWGrade).prefork)
                    (tasks if path.is_file() else missing).append(task)
        pairs = sorted(timestamps)
        run.learners = sorted({lr for lr, _ in pairs})
        for learner, assignment in pairs:  # fixed creation order: reproducible gradebooks
            gbm.prepare_submission(gb, assignment, learner, timestamps[(learner, assignment)])
        scratch = Path(tempfile.mkdtemp(prefix=".ccw-", dir=course.root))
        try:
            template = gbm.write_template(course.db_url, course.course_id, sorted({a for _, a in pairs}),
                                          scratch / "template.db")
            if dask_scheduler is None:   # local workers are forked from here: they inherit the checks, compiled
                ensure_compiled(course.root / "ccw_grader")
                try:
                    trusted.registry(course.root)
                except Exception:  # noqa: BLE001 - each notebook's result will say what is wrong with the checks
                    pass
            for task in tasks:
                task.template = str(template)
            work = work_units(tasks)
            for results in run_tasks(autograde_learner, work, workers=workers,
                                     dask_scheduler=dask_scheduler, progress=progress, desc="autograding",
                                     on_failure=lambda group, message: [_failure(t, message) for t in group]):
                for result in results:
                    _store(course, gb, run, result, release)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for task in missing:
            note = f"{task.notebook}.ipynb was not submitted; it earns no marks."
            _store(course, gb, run, NotebookResult.of(task, "missing", [note]), release)
        for (learner, assignment, notebook), notes in run.notes.items():
            notes.extend(learner_notes.get(learner, []))
        for learner, assignment in pairs:
            _write_notes(course, run, learner, assignment)
    finally:
        gb.close()
    if feedback:
        write_feedback(course, pairs, workers=workers, dask_scheduler=dask_scheduler, progress=progress)
    run.grades_csv, run.submissions_csv = export_csv(course, reports_dir)
    run.seconds = time.monotonic() - started
    return run


def default_datasets() -> Path:
    """Learners' dataset folders as ``ccw regenerate --roster`` writes them (layout: ``helpers.paths``)."""
    from helpers.data import case_study_slug
    from helpers.paths import learners_datasets

    return learners_datasets(case_study_slug())


def _store(course, gb, run: GradeRun, result: NotebookResult, release: Path) -> None:
    """Write one worker result: gradebook scores, autograded notebook, notes (coordinator only)."""
    learner, assignment, notebook = result.learner, result.assignment, result.notebook
    key = (learner, assignment, notebook)
    release_nb = None
    grades = result.grades
    if grades is None:  # missing, or the worker died: zero every graded cell, keep the release as evidence
        release_nb = nbformat.read(release / assignment / f"{notebook}.ipynb", as_version=4)
        grades = {c.metadata["nbgrader"]["grade_id"]: 0.0 for c in release_nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade") or c.metadata.get("nbgrader", {}).get("task")}
    gbm.record_scores(gb, learner, assignment, notebook, grades, result.comments)
    text = result.notebook_json
    if text is None:
        release_nb.cells.insert(0, notes_cell(result.notes))
        text = nbformat.writes(release_nb)
    _write_autograded(course.dir("autograded") / learner / assignment, notebook, text)
    run.notes[key], run.status[key] = list(result.notes), result.status
    run.graded += result.status == "graded"
    run.missing += result.status == "missing"
    run.unreadable += result.status == "unreadable"
    run.errors += result.status == "error"
    if result.status == "graded":
        run.worker_seconds.append(result.seconds)
        run.kernel_seconds.append(result.kernel_seconds)


def _write_notes(course, run: GradeRun, learner: str, assignment: str) -> None:
    folder = course.dir("autograded") / learner / assignment
    folder.mkdir(parents=True, exist_ok=True)
    stamp = course.dir("submitted") / learner / assignment / "timestamp.txt"
    if stamp.is_file():
        shutil.copyfile(stamp, folder / "timestamp.txt")
    entries = {nb: {"status": run.status[(lr, a, nb)], "notes": run.notes[(lr, a, nb)], "sandbox": run.sandbox}
               for (lr, a, nb) in sorted(run.status) if lr == learner and a == assignment}
    (folder / NOTES_FILE).write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_feedback(course, pairs: list[tuple[str, str]], *, workers: int | None = None,
                   dask_scheduler: str | None = None, progress: bool = True) -> int:
    """Feedback HTML for every (learner, assignment) from the gradebook; returns pages written.

    Run again after the assessor's manual grading so the pages show the final scores.
    """
    tasks = []
    for learner, assignment in pairs:
        folder = course.dir("autograded") / learner / assignment
        notebooks = sorted(p.stem for p in folder.glob("*.ipynb"))
        if notebooks:
            tasks.append({"learner": learner, "assignment": assignment, "notebooks": notebooks,
                          "autograded_dir": str(folder), "db_url": course.db_url})

    def failed(task, message):
        return {"learner": task["learner"], "assignment": task["assignment"], "html": {},
                "errors": {nb: message for nb in task["notebooks"]}}

    written = 0
    problems = []
    for result in run_tasks(feedback_task, tasks, workers=workers, dask_scheduler=dask_scheduler,
                            progress=progress, desc="feedback", on_failure=failed):
        folder = course.dir("feedback") / result["learner"] / result["assignment"]
        folder.mkdir(parents=True, exist_ok=True)
        for notebook, html in sorted(result["html"].items()):
            (folder / f"{notebook}.html").write_text(html, encoding="utf-8")
            written += 1
        # nbgrader's exchange releases feedback only with these beside the pages (formgrader, ccw feedback)
        write_exchange_files(course.dir("submitted") / result["learner"] / result["assignment"],
                             course.dir("autograded") / result["learner"] / result["assignment"], folder)
        problems += [f"{result['learner']}/{result['assignment']}/{nb}: {msg}" for nb, msg in result["errors"].items()]
    if problems:
        raise UserFacingError("feedback could not be written for: " + "; ".join(sorted(problems)))
    return written


def submitted_pairs(course) -> list[tuple[str, str]]:
    """(learner, assignment) of every autograded submission on disk."""
    root = course.dir("autograded")
    if not root.is_dir():
        return []
    return sorted((p.parent.name, p.name) for p in root.glob("*/*") if p.is_dir() and not p.parent.name.startswith("."))


def export_csv(course, reports_dir: Path | str | None = None) -> tuple[Path, Path]:
    """``grades.csv`` (one row per graded cell) and ``submissions.csv`` (one row per notebook)."""
    out = Path(reports_dir) if reports_dir else project_root() / "reports"
    out.mkdir(parents=True, exist_ok=True)
    grades = gbm.grades_frame(course.db_url, course.course_id)
    keys = ["learner", "assignment", "notebook"]
    per_nb = grades.assign(awaiting=(grades["status"] == "awaiting").astype(int)).groupby(keys, as_index=False).agg(
        score=("score", "sum"), max_score=("max_score", "sum"), awaiting=("awaiting", "sum"))
    status, notes, sandbox = [], [], []
    cache: dict[tuple[str, str], dict] = {}
    for learner, assignment, notebook in per_nb[keys].itertuples(index=False):
        if (learner, assignment) not in cache:
            path = course.dir("autograded") / learner / assignment / NOTES_FILE
            cache[(learner, assignment)] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        entry = cache[(learner, assignment)].get(notebook, {})
        status.append(entry.get("status", "not graded"))
        notes.append(" | ".join(entry.get("notes", [])))
        sandbox.append(entry.get("sandbox", "unknown"))
    per_nb["status"], per_nb["notes"], per_nb["sandbox"] = status, notes, sandbox
    # every mark says whether the learner's code ran sandboxed (an assessor's --no-sandbox stays on record)
    grades = grades.merge(per_nb[keys + ["sandbox"]], on=keys, how="left")
    grades.to_csv(out / "grades.csv", index=False, lineterminator="\n")
    per_nb.to_csv(out / "submissions.csv", index=False, lineterminator="\n")
    return out / "grades.csv", out / "submissions.csv"
