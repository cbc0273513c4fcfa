"""Each learner's benchmark facts and viva prompts on one page for the assessor
(``reports/benchmark_facts/<learner>.html``).

``ccw grade`` computes them from the learner's own data and puts them under each written answer in the
autograded notebook, for the assessor only (:func:`helpers.course.trusted.insert_facts`); formgrader shows
them there. This page gathers them per learner, task by task, for marking outside formgrader, for sampled
oral questioning (the viva prompts) and for the validator. Never released to learners.
"""
from __future__ import annotations

import html
from pathlib import Path

import nbformat

from helpers.course.trusted import ASSESSOR_ONLY

STYLE = ("body{font-family:sans-serif;max-width:960px;margin:auto}h2{border-bottom:1px solid #ccc}"
         "section{margin:0 0 1.2em}small{color:#555}")


def collect(autograded: Path | str) -> dict[str, list[tuple[str, str, str, str]]]:
    """``{learner: [(assignment, notebook, grade id, facts markdown), ...]}`` from the autograded notebooks."""
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for path in sorted(Path(autograded).glob("*/*/*.ipynb")):
        learner, assignment = path.parent.parent.name, path.parent.name
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - a notebook graded zero as unreadable has no facts
            continue
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get(ASSESSOR_ONLY)
            if gid:
                out.setdefault(learner, []).append((assignment, path.stem, str(gid), cell.source))
    return out


def write_facts_pages(autograded: Path | str, out_dir: Path | str) -> list[Path]:
    """One HTML page per learner with facts; returns the pages written."""
    from nbconvert.filters import markdown2html

    folder = Path(out_dir) / "benchmark_facts"
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for learner, entries in sorted(collect(autograded).items()):
        parts = [f"<!doctype html><meta charset='utf-8'><title>Benchmark facts: {html.escape(learner)}</title>"
                 f"<style>{STYLE}</style><h1>Benchmark facts and viva prompts: {html.escape(learner)}</h1>"
                 "<p><small>For the assessor only. Computed by the grader from this learner's own dataset; "
                 "mark each written answer against its rubric and these facts.</small></p>"]
        for assignment, notebook, gid, text in entries:
            parts.append(f"<section><h2>{html.escape(assignment)} · {html.escape(notebook)} · "
                         f"<code>{html.escape(gid)}</code></h2>{markdown2html(text)}</section>")
        page = folder / f"{learner}.html"
        page.write_text("\n".join(parts) + "\n", encoding="utf-8")
        pages.append(page)
    return pages
