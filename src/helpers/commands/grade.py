"""``ccw grade``: autograde the cohort's submissions in parallel, write feedback and grade CSVs."""
from __future__ import annotations

import sys
from pathlib import Path

from helpers.commands import options


def register(sub) -> None:
    p = sub.add_parser(
        "grade", help="autograde submissions in parallel; feedback HTML per learner; grades to CSV",
        description="Take submissions (nbgrader's submitted/ layout, or --submissions DIR holding one folder or zip "
                    "per learner), run every notebook with that learner's own dataset (CCW_LEARNER, CCW_DATASET) in "
                    "N parallel workers or on a Dask cluster, store the scores in the gradebook (SQLite, or "
                    "PostgreSQL with --db-url) from one coordinator, and write feedback/<learner>/<unit>/*.html and "
                    "reports/grades.csv and submissions.csv. Missing, damaged, hanging or crashing notebooks are "
                    "graded (zero where nothing was earned) with a note in that learner's feedback.")
    options.gradebook(p)
    p.add_argument("--submissions", type=Path, default=None,
                   help="folder with one sub-folder or zip per learner (default: ROOT/submitted/ as it is)")
    p.add_argument("--datasets", type=Path, default=None,
                   help="folder holding one dataset folder per learner, passed as CCW_DATASET "
                        "(default: datasets/<case study>/learners/, where `ccw regenerate --roster` writes them)")
    p.add_argument("--workers", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--timeout", type=int, default=None, help="per-cell time limit in seconds "
                   "(default: Execute.timeout in nbgrader_config.py)")
    p.add_argument("--notebook-timeout", type=float, default=None,
                   help="whole-notebook time limit in seconds (default: CCWGrade.notebook_timeout)")
    p.add_argument("--dask-scheduler", metavar="ADDRESS", default=None,
                   help="run the grading tasks on this Dask scheduler (e.g. tcp://10.0.0.5:8786); workers must "
                        "see the course and dataset folders at the same paths")
    p.add_argument("--learner", action="append", dest="learners", metavar="ID",
                   help="grade only this learner (repeatable)")
    p.add_argument("--feedback-only", action="store_true",
                   help="do not autograde: regenerate feedback and CSVs from the gradebook (after manual grading)")
    p.add_argument("--reports", type=Path, default=None, help="folder for the CSVs (default: reports/)")
    p.add_argument("--no-sandbox", dest="sandbox", action="store_false", default=None,
                   help="run learners' kernels without the bubblewrap sandbox (NOT safe: a learner's code can then "
                        "read grader files and other learners' work); recorded in grades.csv and the reports")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers.commands import checks
    from helpers.learners import check_learner_id

    # what was typed is checked before the heavy imports (nbgrader, pandas, dask) and before any grading
    checks.at_least(args.workers, 1, "--workers")
    checks.at_least(args.timeout, 1, "--timeout")
    checks.at_least(args.notebook_timeout, 1, "--notebook-timeout")
    checks.course_root(args.course)
    checks.existing_folder(args.submissions, "--submissions", "one folder or zip per learner")
    checks.existing_folder(args.datasets, "--datasets", "one dataset folder per learner")
    for learner in args.learners or []:
        check_learner_id(learner, "--learner")
    print("ccw grade: " + ("re-rendering feedback from the gradebook" if args.feedback_only else
                           "autograding every submission (a progress bar follows; about half a minute per "
                           "learner on 2 cores)") + "...", file=sys.stderr, flush=True)

    from helpers.course import grade as grading
    from helpers.course.config import load_course

    progress = True  # tqdm: a live bar on a terminal, one line per update in a log
    if args.feedback_only:
        course = load_course(args.course, args.notebooks, args.db_url)
        pairs = grading.submitted_pairs(course)
        pages = grading.write_feedback(course, pairs, workers=args.workers, dask_scheduler=args.dask_scheduler,
                                       progress=progress)
        grades_csv, _ = grading.export_csv(course, args.reports)
        print(f"feedback: {pages} pages in {course.dir('feedback')}; grades: {grades_csv}")
        return 0
    run_ = grading.grade(args.course, args.notebooks, submissions=args.submissions, db_url=args.db_url,
                         workers=args.workers, timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                         dask_scheduler=args.dask_scheduler, datasets=args.datasets, reports_dir=args.reports,
                         learners=args.learners, progress=progress, sandbox=args.sandbox)
    noted = sum(1 for n in run_.notes.values() if n)
    print(f"graded {run_.graded} notebooks of {len(run_.learners)} learners in {run_.seconds:.1f} s "
          f"({run_.missing} missing, {run_.unreadable} unreadable, {run_.errors} grader errors; "
          f"{noted} with notes in the feedback)")
    print(f"grades: {run_.grades_csv}; per notebook: {run_.submissions_csv}; learners' kernels ran in: {run_.sandbox}")
    for item in run_.refused:
        print(f"not graded: {item}", file=sys.stderr)
    for item in run_.ignored:
        print(f"ignored (no released notebook or assignment of that name): {item}", file=sys.stderr)
    return 0
