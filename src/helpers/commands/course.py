"""``ccw course``: build the nbgrader course (check sources, release, leak check) and the assessor guide."""
from __future__ import annotations

import sys
from pathlib import Path

from helpers.commands import options
from helpers.errors import UserFacingError


def register(sub) -> None:
    action = options.actions(
        sub, "course", help="build the nbgrader course from notebooks/ (checks, student release, leak check)",
        description="Trainer's side of the course. `build` copies notebooks/<UNIT>/ into the nbgrader course root "
                    "(source/<UNIT>/), checks every source notebook (nbgrader metadata, competency tags, rubric "
                    "and benchmark answers on manually graded cells, and that the reference solution earns full "
                    "marks on every autograded cell), generates the student release with nbgrader, and checks that "
                    "no solution, hidden test or benchmark answer remains in it. `guide` writes the assessor guide "
                    "(tasks, rubrics and benchmark answers per criterion).")
    build = action.add_parser("build", help="check the source notebooks and generate the student release",
                              description="Check every source notebook and generate the student release of every "
                                          "assignment (unit code) into ROOT/release/.")
    options.gradebook(build)
    build.add_argument("--assignment", action="append", dest="assignments", metavar="UNIT",
                       help="build only this assignment (repeatable; default: every folder of NOTEBOOKS)")
    build.add_argument("--workers", type=int, default=None, help="parallel kernels for the solution check "
                       "(default: CPU count)")
    build.add_argument("--dataset", type=Path, default=None,
                       help="dataset folder the reference solutions run against (CCW_DATASET; default: the "
                            "practice dataset)")
    build.add_argument("--skip-solution-check", action="store_true",
                       help="do not run the reference solutions (faster; not for a release to learners)")
    build.set_defaults(func=run_build)
    guide = action.add_parser("guide", help="write the assessor guide (grader-only)",
                              description="Write assessor_guide.md and assessor_guide.html (tasks, rubrics, benchmark "
                                          "answers and reference solutions per unit item) from the source notebooks.")
    options.notebooks(guide)
    guide.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    guide.set_defaults(func=run_guide)


def run_build(args) -> int:
    from helpers.commands import checks
    from helpers.paths import project_root

    # what was typed is checked before the heavy imports (nbgrader, pandas) and before anything is written
    checks.at_least(args.workers, 1, "--workers")
    checks.course_root(args.course, must_exist=False)
    notebooks = checks.existing_folder(args.notebooks or project_root() / "notebooks", "--notebooks",
                                       "the source notebooks, one folder per unit")
    known = sorted(p.name for p in notebooks.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    if not known:
        raise UserFacingError(f"no assignments: {notebooks.resolve()} has no folder with notebooks")
    for unit in args.assignments or []:
        if not (notebooks / unit).is_dir():
            raise UserFacingError(f"--assignment {unit}: no folder {notebooks / unit} (units: {', '.join(known)})")
    checks.dataset_folder(args.dataset)
    steps = "check the source notebooks, " + ("" if args.skip_solution_check else
                                               "run the reference solutions (progress bar below), ") + "release"
    print(f"ccw course build: {steps}; this takes about a minute...", file=sys.stderr, flush=True)

    from helpers.course.build import build_course

    if args.dataset is None and not args.skip_solution_check:
        # made (or remade when stale) here, once, with a message, rather than inside the first kernel
        # that loads it; only the practice folder is ever replaced (helpers.paths), never learners' data
        from helpers.data import ensure_practice_dataset
        ensure_practice_dataset()
    report = build_course(args.course, args.notebooks, db_url=args.db_url, assignments=args.assignments,
                          workers=args.workers, dataset=args.dataset,
                          check_solutions=not args.skip_solution_check, progress=True)
    checked = "" if args.skip_solution_check else (
        f"; reference solutions earn {sum(s for s, _ in report.solution_scores.values()):g}/"
        f"{sum(m for _, m in report.solution_scores.values()):g} autograded points")
    print(f"built {', '.join(report.assignments)}: {len(report.notebooks)} notebooks, {report.tags} tagged cells"
          f"{checked}; release has no solutions, hidden tests or benchmark answers")
    return 0


def run_guide(args) -> int:
    from helpers.course.config import default_notebooks_root
    from helpers.outcomes.guide import write_guide
    from helpers.paths import project_root

    md, html = write_guide(args.notebooks or default_notebooks_root(), args.out or project_root() / "reports")
    print(f"assessor guide: {html} (and {md.name})")
    return 0
