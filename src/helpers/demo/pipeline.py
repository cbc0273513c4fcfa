"""The assessment part of ``ccw demo``: a small simulated cohort through the whole pipeline.

:func:`run_demo` generates per-learner data, builds the course, simulates four learners
(``exemplary`` submits the reference solutions, ``blank`` submits the release untouched,
``partial`` answers every other question, ``copier`` pastes the exemplary learner's numbers into
their own variant; each signs the learner declaration), grades them in parallel, plays the assessor for the written answers, writes
feedback and the competency reports, and says where to look. Everything goes under ``out_dir``
(its own course root, gradebook and secret); the project's ``autograde/`` is never touched.

The demo runs the project's workbooks (``notebooks/``) on generator datasets, one per learner
from the course secret (``helpers.generator.datacard.regenerate_all``, as ``ccw regenerate``), with
the grader manifests in the demo's course root. With ``workbook="sample"`` (or when ``notebooks/``
holds no assignment) it runs the small sample workbook of :mod:`helpers.demo.sample` on sample
call tables instead: the fast path the tests use.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from helpers.course import declaration
from helpers.demo import cohort, sample
from helpers.course import gradebook as gbm
from helpers.course.build import build_course
from helpers.course.config import default_notebooks_root, load_course
from helpers.course.grade import export_csv, grade, write_feedback
from helpers.outcomes.reports import write_reports
from helpers.course.variants import SECRET_FILE, course_secret, learner_seed

LEARNERS = ("exemplary", "blank", "partial", "copier")
PRACTICE = "practice"
CASE_STUDY = "lyrebird-energy"
DEMO_DATE = dt.date(2026, 3, 2)  # the simulated learners' declaration date (fixed: same seed, same outputs)


@dataclass
class DemoResult:
    out_dir: Path
    units: dict[str, dict[str, str]] = field(default_factory=dict)  # learner -> unit -> outcome
    satisfactory: dict[str, int] = field(default_factory=dict)  # learner -> items Satisfactory (all units)
    data_tasks: dict[str, tuple[float, float]] = field(default_factory=dict)  # learner -> (score, max) autograded
    files: dict[str, Path] = field(default_factory=dict)


def _data(kind: str, out: Path, course_root: Path, secret: str) -> tuple[Path, Path]:
    """Write the learners' datasets and the practice dataset under ``out``; returns the folder
    holding one dataset per learner, and the practice dataset's folder."""
    if kind == "sample":
        for learner in (*LEARNERS, PRACTICE):
            sample.write_sample_dataset(out / learner, learner_seed(secret, learner))
        return out, out / PRACTICE
    from helpers import paths
    from helpers.generator.datacard import regenerate_all

    grader = paths.grader_manifests(CASE_STUDY, course_root)  # where ccw_grader looks for its records
    secret_file = course_root / SECRET_FILE
    regenerate_all(CASE_STUDY, 605, [], secret_file, out=out, grader_out=grader)  # the practice dataset
    regenerate_all(CASE_STUDY, 605, list(LEARNERS), secret_file, out=out, grader_out=grader)
    return paths.learners_datasets(CASE_STUDY, root=out), paths.practice_dataset(CASE_STUDY, root=out)


def _submissions(course_root: Path, datasets: Path, out: Path) -> None:
    """Write the four learners' notebooks for every released notebook."""
    for release_path in sorted((course_root / "release").glob("*/*.ipynb")):
        assignment, name = release_path.parent.name, release_path.stem
        release = nbformat.read(release_path, as_version=4)
        source = nbformat.read(course_root / "source" / assignment / release_path.name, as_version=4)
        env = {"CCW_LEARNER": "exemplary", "CCW_DATASET": str(datasets / "exemplary"),
               "PYTHONPATH": str(course_root)}
        values = cohort.answer_values(release, source, env, cwd=str(release_path.parent))
        for learner, make in (("exemplary", cohort.exemplary), ("blank", cohort.blank), ("partial", cohort.partial)):
            cohort.write_submission(make(release, source), out / learner / assignment, name)
        cohort.write_submission(cohort.copier(release, source, values), out / "copier" / assignment, name)
    for assignment in sorted({p.parent.name for p in (course_root / "release").glob("*/*.ipynb")}):
        for learner in LEARNERS:  # every simulated learner signs the declaration released with the assignment
            (out / learner / assignment / declaration.FILE).write_text(
                declaration.signed_form(assignment, f"{learner.title()} (simulated learner)", learner, DEMO_DATE),
                encoding="utf-8")


def play_assessor(course) -> int:
    """Score every written answer still awaiting the assessor; returns how many were scored."""
    scored = 0
    with gbm.open_gradebook(course.db_url, course.course_id) as gb:
        for path in sorted(course.dir("autograded").glob("*/*/*.ipynb")):
            learner, assignment = path.parent.parent.name, path.parent.name
            source = nbformat.read(course.dir("source") / assignment / path.name, as_version=4)
            marks = cohort.assessor_scores(nbformat.read(path, as_version=4), source, learner)
            for cell, score in marks.items():
                grade = gb.find_grade(cell, path.stem, assignment, learner)
                if grade.manual_score is None and grade.auto_score is None:
                    gbm.set_manual_score(gb, learner, assignment, path.stem, cell, score,
                                         comment="Marked against the benchmark answer and rubric.")
                    scored += 1
    return scored


def run_demo(out_dir: Path | str, *, workbook: str = "project", notebooks_root: Path | str | None = None,
             workers: int | None = None, seed: int = 2024, db_url: str | None = None, progress: bool = True,
             echo=print) -> DemoResult:
    """Run the simulated cohort under ``out_dir`` (its demo folders are replaced); same ``seed``,
    same outputs. ``workbook``: "project" (``notebooks_root``, default notebooks/) or "sample"."""
    if workbook not in ("project", "sample"):
        raise ValueError(f"workbook must be 'project' or 'sample', got {workbook!r}")
    out = Path(out_dir).resolve()
    for sub in ("course", "notebooks", "datasets", "submissions", "reports"):
        shutil.rmtree(out / sub, ignore_errors=True)
    course_root = out / "course"
    course_root.mkdir(parents=True)
    # a demo secret derived from the seed: reproducible demos (a real course uses secrets.token_hex)
    (course_root / SECRET_FILE).write_text(hashlib.sha256(f"ccw-demo-{seed}".encode()).hexdigest() + "\n")
    secret = course_secret(course_root)
    notebooks = Path(notebooks_root or default_notebooks_root()).resolve()
    if workbook == "sample" or not load_course(course_root, notebooks, create=True).assignments():
        workbook, notebooks = "sample", out / "notebooks"
        sample.write_sample_notebooks(notebooks)
    datasets, practice = _data(workbook, out / "datasets", course_root, secret)
    echo(f"1/5 data: {len(LEARNERS)} learners' own datasets and the practice dataset in {out / 'datasets'}")
    build_course(course_root, notebooks, db_url=db_url, workers=workers, dataset=practice, progress=progress)
    echo(f"2/5 course built from {notebooks}: student release in {course_root / 'release'}")
    with (course_root / "nbgrader_config.py").open("a", encoding="utf-8") as config:  # the demo RTO's records
        config.write("\n# Demo RTO records (simulated): decide the AC items describing the assessor and environment\n"
                     "c.CCWReport.assessor = 'Demo Assessor (simulated)'\n"
                     "c.CCWReport.assessor_credentials = 'simulated: TAE40122 and vocational competency (demo only)'\n"
                     "c.CCWReport.environment = 'simulated contact centre: case study and per-learner datasets (demo)'\n")
    _submissions(course_root, datasets, out / "submissions")
    from helpers.course.sandbox import check_sandbox

    # the demo's learners are simulated (their code is the course's own), so without bubblewrap the demo
    # still runs, unsandboxed and saying so; real submissions are never graded that way unless asked
    missing = check_sandbox()
    if missing:
        echo(f"   note: grading the simulated learners without a sandbox ({missing})")
    run = grade(course_root, notebooks, submissions=out / "submissions", db_url=db_url, workers=workers,
                datasets=datasets, reports_dir=out / "reports", feedback=False, progress=progress,
                sandbox=False if missing else None)
    echo(f"3/5 graded {run.graded} notebooks in {run.seconds:.0f} s with {workers or 'all'} workers "
         f"(learners' kernels in: {run.sandbox})")
    course = load_course(course_root, notebooks, db_url)
    scored = play_assessor(course)
    write_feedback(course, sorted({(lr, a) for lr, a, _ in run.status}), workers=workers, progress=progress)
    grades_csv, submissions_csv = export_csv(course, out / "reports")
    echo(f"4/5 assessor marked {scored} written answers; feedback in {course.dir('feedback')}")
    files = write_reports(course_root, notebooks, db_url=db_url, reports_dir=out / "reports")
    grades = pd.read_csv(grades_csv)
    result = _summarise(out, pd.read_csv(files.competency_csv), grades)
    result.files = {"competency_csv": files.competency_csv, "report": files.report_html,
                    "guide": files.guide_html, "grades_csv": grades_csv, "submissions_csv": submissions_csv,
                    "feedback": course.dir("feedback")}
    echo(f"5/5 reports: {files.report_html} (competency.csv, assessor_guide.html alongside)")
    for learner in LEARNERS:
        units = ", ".join(f"{u} {o}" for u, o in sorted(result.units.get(learner, {}).items()))
        score, full = result.data_tasks.get(learner, (0.0, 0.0))
        echo(f"   {learner:<9} {units}; autograded data tasks {score:g}/{full:g}")
    short = grades[(grades["learner"] == "exemplary") & (grades["kind"] == "autograded")
                   & (grades["score"] < grades["max_score"])]
    if len(short):  # the reference solution itself fails on the exemplary learner's variant
        echo("   note: the reference solution misses marks on the exemplary learner's own data: "
             + ", ".join(f"{r.notebook}:{r.cell}" for r in short.itertuples()) + " (see feedback)")
    return result


def _summarise(out: Path, competency: pd.DataFrame, grades: pd.DataFrame) -> DemoResult:
    result = DemoResult(out)
    units = competency[competency["criterion"] == "unit"]
    for r in units.itertuples():
        result.units.setdefault(r.learner, {})[r.unit] = r.outcome
    items = competency[~competency["criterion"].isin(["unit", "declaration"])]  # unit items only
    result.satisfactory = items.assign(s=items["outcome"] == "Satisfactory").groupby("learner")["s"].sum().astype(int).to_dict()
    auto = grades[grades["kind"] == "autograded"].groupby("learner")[["score", "max_score"]].sum()
    result.data_tasks = {lr: (float(r.score), float(r.max_score)) for lr, r in auto.iterrows()}
    return result
