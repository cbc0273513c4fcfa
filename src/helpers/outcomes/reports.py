"""Write everything ``ccw report`` produces into the reports folder."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.course.config import load_course
from helpers.course.gradebook import grades_frame
from helpers.outcomes.guide import write_guide
from helpers.outcomes.report import (FULL_MARKS, UNIT_ROW, RTORecord, competency_frame, read_declarations,
                                   write_competency_csv)
from helpers.course.settings import CCWReport
from helpers.outcomes.report_html import render_report
from helpers.errors import UserFacingError
from helpers.paths import project_root


@dataclass
class ReportFiles:
    competency_csv: Path
    report_html: Path
    guide_md: Path
    guide_html: Path
    learners: int
    competent: dict[str, int]  # unit -> learners Competent
    result_sheets: list[Path] = None  # reports/result_sheets/<learner>.html and .pdf
    similarity_csv: Path | None = None  # pairs of learners whose answers are unusually close (never a grade)
    similarity_html: Path | None = None
    similar_pairs: int = 0  # learner pairs flagged on at least one cell
    facts_pages: list[Path] = None  # reports/benchmark_facts/<learner>.html (assessor only)


def write_reports(course_root: Path | str | None = None, notebooks_root: Path | str | None = None, *,
                  db_url: str | None = None, reports_dir: Path | str | None = None,
                  assessor: str | None = None) -> ReportFiles:
    """``competency.csv``, ``competency.html``, the assessor guide (Markdown and HTML), each
    learner's result sheet (``result_sheets/<learner>.html`` and ``.pdf``) and the similarity report
    (``similarity.csv`` and ``.html``, :mod:`helpers.outcomes.similarity`: for review, never a grade) and each
    learner's benchmark facts and viva prompts (``benchmark_facts/<learner>.html``, assessor only).

    A cell earns its evidence only with full marks (``report.FULL_MARKS``, fixed). ``assessor`` (printed
    on the result sheets) defaults to ``c.CCWReport.assessor``; ``c.CCWReport.rto`` names the RTO on
    them; the assessor's name and ``assessor_credentials`` and the ``environment`` statement are the RTO
    records that decide the AC items describing the assessor or the environment. Each learner's
    declaration is read from ``submitted/<learner>/<assignment>/declaration.md``: missing or unsigned,
    the units it covers are Not Yet Competent.
    """
    from helpers.outcomes.facts_pages import write_facts_pages
    from helpers.outcomes.result_sheet import write_result_sheets
    from helpers.outcomes.similarity import write_similarity
    from helpers import competency

    course = load_course(course_root, notebooks_root, db_url)
    out = Path(reports_dir) if reports_dir else project_root() / "reports"
    settings = course.settings(CCWReport)
    name = assessor or settings.assessor or None
    rto = RTORecord(name or "", settings.assessor_credentials, settings.environment)
    grades = grades_frame(course.db_url, course.course_id)
    if grades.empty:
        raise UserFacingError(f"the gradebook {course.db_url} holds no grades yet: run `ccw grade` first")
    tags = competency.collect_tags(course.notebooks)
    pairs = grades[["learner", "assignment"]].drop_duplicates().itertuples(index=False)
    declarations = read_declarations(course.dir("submitted"), pairs)
    frame = competency_frame(grades, tags, rto, declarations)
    csv_path = write_competency_csv(frame, out / "competency.csv")
    html_path = out / "competency.html"
    html_path.write_text(render_report(frame, grades), encoding="utf-8")
    guide_md, guide_html = write_guide(course.notebooks, out)
    sheets = write_result_sheets(frame, out / "result_sheets", threshold=FULL_MARKS, assessor=name,
                                 rto=settings.rto or None)
    sim_csv, sim_html, similar = write_similarity(course.dir("autograded"), course.dir("release"), out)
    facts = write_facts_pages(course.dir("autograded"), out)
    units = frame[frame["criterion"] == UNIT_ROW]
    competent = {u: int((part["outcome"] == "Competent").sum()) for u, part in units.groupby("unit")}
    return ReportFiles(csv_path, html_path, guide_md, guide_html, int(frame["learner"].nunique()), competent, sheets,
                       sim_csv, sim_html, len({(r["learner_a"], r["learner_b"]) for r in similar}), facts)
