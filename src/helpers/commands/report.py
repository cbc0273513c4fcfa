"""``ccw report``: competency per learner, criterion and unit; HTML report; assessor guide; result sheets;
similarity report."""
from __future__ import annotations

from pathlib import Path

from helpers.commands import options


def register(sub) -> None:
    p = sub.add_parser(
        "report", help="competency outcomes (CSV and HTML with plots) and the assessor guide",
        description="From the competency tags of the source notebooks and the gradebook's scores, decide for every "
                    "learner each criterion and evidence item (Satisfactory / Not Yet Satisfactory / Awaiting "
                    "assessor) and each unit (Competent / Not Yet Competent; BSBCCO605A through its equivalence to "
                    "BSBCUE605). Writes reports/competency.csv (learner, unit, criterion, outcome, evidence), "
                    "reports/competency.html with plots, the assessor guide, and each learner's result sheet "
                    "(reports/result_sheets/<learner>.html and .pdf) with a sign-off block, and the similarity report "
                    "(reports/similarity.csv and .html: answers two learners share, for review, never a grade). A unit is "
                    "Competent only with the learner declaration (submitted/<learner>/<unit>/declaration.md) signed. "
                    "A cell earns its evidence "
                    "only with full marks (fixed, printed in every report). AC items describing the assessor or "
                    "the environment are decided by the RTO records c.CCWReport.assessor, assessor_credentials "
                    "and environment. Rules: docs/grading.md, docs/outcome_model.md.")
    options.gradebook(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    p.add_argument("--assessor", default=None, metavar="NAME",
                   help="assessor's name printed on each learner's result sheet (default: c.CCWReport.assessor "
                        "in the course config; else a blank line to write on)")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers.errors import UserFacingError
    from helpers.outcomes.reports import write_reports

    if args.assessor is not None and not args.assessor.strip():
        raise UserFacingError("--assessor needs a name (leave the option out to print a blank line to write on)")
    files = write_reports(args.course, args.notebooks, db_url=args.db_url, reports_dir=args.out,
                          assessor=args.assessor)
    competent = ", ".join(f"{u}: {n}/{files.learners} Competent" for u, n in sorted(files.competent.items()))
    print(f"{files.learners} learners ({competent}); a cell earns its evidence only with full marks (fixed)")
    print(f"competency: {files.competency_csv}; report: {files.report_html}; assessor guide: {files.guide_html}")
    if files.result_sheets:
        print(f"result sheets (HTML and PDF, one per learner): {files.result_sheets[0].parent}")
    if files.similarity_html:
        print(f"similarity (for review, never a grade): {files.similar_pairs} learner pair(s) flagged; "
              f"{files.similarity_html}")
    if files.facts_pages:
        print(f"benchmark facts and viva prompts (assessor only, one page per learner): {files.facts_pages[0].parent}")
    return 0
