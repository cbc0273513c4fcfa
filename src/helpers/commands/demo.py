"""``ccw demo``: the README's main job, end to end on this machine."""
from __future__ import annotations

import os
from pathlib import Path

from helpers.paths import project_root


def register(sub) -> None:
    p = sub.add_parser(
        "demo", help="run the whole pipeline once on a simulated cohort and print where to look",
        description="The README's main job. Writes the mapping matrix (Markdown, CSV, HTML) from the source "
                    "notebooks' competency tags; generates each demo learner's own dataset; builds the nbgrader "
                    "course (checks the sources, releases the workbooks); simulates four learners (exemplary, "
                    "blank, partial, and copier who pastes the exemplary learner's numbers into their own "
                    "variant); autogrades them in parallel; plays the assessor for the written answers; writes "
                    "feedback, grades CSV, the competency report (Satisfactory per criterion, Competent per unit) "
                    "and the assessor guide under OUT. The project's own autograde/ is not touched.")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: demo/ in the project)")
    p.add_argument("--workers", type=int, default=None,
                   help="parallel grading workers (default: the number of CPUs)")
    p.add_argument("--seed", type=int, default=2024, help="seed of the demo course (default: 2024)")
    p.add_argument("--sample", action="store_true",
                   help="use the small built-in sample workbook instead of notebooks/ (a quick smoke run)")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers import competency
    from helpers.curriculum.equivalence import equivalences
    from helpers.demo.pipeline import run_demo

    root = project_root()
    out = (args.out or root / "demo").resolve()
    out.mkdir(parents=True, exist_ok=True)
    matrix = competency.build_matrix(competency.collect_tags(root / "notebooks"))
    for fmt in ("md", "csv", "html"):
        (out / f"mapping.{fmt}").write_text(competency.render(matrix, fmt), encoding="utf-8")
    covered = len(matrix.rows) - len(matrix.gaps)
    print(f"0/5 mapping matrix: {covered}/{len(matrix.rows)} unit items covered by "
          f"{len(matrix.tags)} tagged cells -> {out / 'mapping.html'}")
    workbooks = {p.name for p in (root / "notebooks").iterdir() if p.is_dir() and any(p.glob("*.ipynb"))}
    equivalent = {old for (old, _), to in equivalences().items() if any(u in workbooks for u, _ in to)}
    for unit in sorted(workbooks | equivalent):
        gaps = [g["item_id"] for g in matrix.gaps if g["unit"] == unit]
        if gaps:  # a learner earning every mark is still Not Yet Competent on these (docs/outcome_model.md)
            print(f"    {unit} items no task evidences yet (Not Yet Satisfactory for everyone): {', '.join(gaps)}")
    workers = args.workers or os.cpu_count() or 1
    result = run_demo(out, workbook="sample" if args.sample else "project", notebooks_root=root / "notebooks",
                      workers=workers, seed=args.seed)
    print(f"\nWhere to look (all under {out}):")
    for label, key in (("competency report", "report"), ("assessor guide", "guide"),
                       ("competency CSV", "competency_csv"), ("grades CSV", "grades_csv"),
                       ("learners' feedback", "feedback")):
        if key in result.files:
            print(f"  {label:<19} {result.files[key]}")
    print(f"  {'mapping matrix':<19} {out / 'mapping.html'}")
    return 0
