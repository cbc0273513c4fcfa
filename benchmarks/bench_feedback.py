"""Feedback pages: seconds to render one, ours against nbconvert's exporter made per page (before).

    .venv/bin/python benchmarks/bench_feedback.py [--repeat N] [--out DIR] [--json FILE]

Set-up as ``bench_grading_workbook.py``: the demo's cohort (four learners, every notebook of BSBCUE605 and
BSBCUE602), autograded once with two workers and no feedback. Then every page is rendered, in one process:

* **before**: nbconvert's ``HTMLExporter`` with nbgrader's feedback template, a new one per page (its Jinja
  templates compiled each time) and its BeautifulSoup pass over the finished page, as ``ccw grade`` did;
* **ccw**: ``helpers.course.feedback.render_feedback`` as it is (one exporter per thread, no soup pass).

Each figure is the median of ``--repeat`` passes over all pages, interleaved. Pages are also checked to say
the same (text and tags, by BeautifulSoup) both ways; the run stops if they do not.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from figures import report

from bench_grading_workbook import _setup
from helpers.course import feedback
from helpers.course.config import load_course
from helpers.course.grade import grade
from helpers.course.pool import _start_worker


def _before(nb, learner: str, assignment: str, notebook: str, db_url: str) -> str:
    """render_feedback with nbconvert's own exporter made for the page (the code before this benchmark's change)."""
    from nbconvert.exporters import HTMLExporter

    return feedback.render_feedback(nb, learner, assignment, notebook, db_url,
                                    exporter=HTMLExporter(config=feedback._exporter().config))


def _pages(course) -> list[tuple[str, str, str, Path]]:
    root = course.dir("autograded")
    return [(p.parent.parent.name, p.parent.name, p.stem, p) for p in sorted(root.glob("*/*/*.ipynb"))]


def _render_all(render, pages, db_url) -> tuple[float, dict]:
    start, html = time.perf_counter(), {}
    for learner, assignment, notebook, path in pages:
        html[path] = render(nbformat.read(path, as_version=4), learner, assignment, notebook, db_url)
    return (time.perf_counter() - start) / len(pages), html


def _same(a: str, b: str) -> bool:
    def shape(html):
        soup = BeautifulSoup(html, "html.parser")
        return soup.get_text(), [(t.name, sorted((k, str(v)) for k, v in t.attrs.items() if k != "alt"))
                                 for t in soup.find_all(True)]
    return shape(a) == shape(b)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--repeat", type=int, default=3, help="passes over all pages each way (default 3)")
    args = parser.parse_args(argv)
    base = args.out or Path(tempfile.mkdtemp(prefix="ccw-bench-fb-"))
    try:
        _setup(base / "pristine")
        root = base / "pristine" / "course"
        grade(root, base / "pristine" / "notebooks", datasets=base / "pristine" / "datasets" / "learners", workers=2,
              feedback=False, reports_dir=base / "reports", progress=False)
        course = load_course(root)
        pages = _pages(course)
        _start_worker()
        times: dict[str, list[float]] = {"before": [], "ccw": []}
        for _ in range(max(1, args.repeat)):
            for name, render in (("before", _before), ("ccw", feedback.render_feedback)):
                seconds, html = _render_all(render, pages, course.db_url)
                times[name].append(seconds)
                if name == "before":
                    reference = html
            if not all(_same(reference[p[3]], html[p[3]]) for p in pages):
                raise SystemExit("the pages differ between the two ways: the figures would compare different work")
        before, ours = statistics.median(times["before"]), statistics.median(times["ccw"])
        report({"pages": len(pages), "page_kb_mean": round(sum(len(h) for h in html.values()) / len(pages) / 1e3),
                "before_s_per_page": round(before, 3), "before_runs": [round(t, 3) for t in times["before"]],
                "ccw_s_per_page": round(ours, 3), "ccw_runs": [round(t, 3) for t in times["ccw"]],
                "ccw_vs_before": round(ours / before, 3)}, args.json)
        return 0
    finally:
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
