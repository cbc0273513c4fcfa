"""The assessor guide: for every unit item, the tasks that evidence it, with the question, the
rubric and the benchmark answer (written tasks) or the reference solution (autograded tasks).

Generated from the source notebooks (grader-only: it contains solutions and benchmark answers).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.course.notebooks import is_manual, nbg, regions
from helpers.curriculum import load_unit


@dataclass
class GuideTask:
    task: str
    kind: str
    points: float
    question: str
    rubric: list[str] = field(default_factory=list)
    benchmark: str = ""
    solution: str = ""


def _question(cells, index: int) -> str:
    """The nearest markdown cell before ``index`` that is not itself an answer."""
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown" and not nbg(cell).get("solution"):
            return cell.source
    return ""


def _solution(cells, index: int) -> str:
    """Reference code of the nearest solution cell before an autograded test cell."""
    for cell in reversed(cells[:index]):
        if nbg(cell).get("solution") and cell.cell_type == "code":
            found = regions(cell.source, "solution")
            return "\n".join(found[0]) if not isinstance(found, str) and found[0] else cell.source
    return ""


def guide_tasks(notebooks_root: Path) -> tuple[dict[str, GuideTask], list]:
    """({task name: GuideTask}, tags) for every tagged cell; names as in ``helpers.competency``."""
    from helpers import competency

    tasks: dict[str, GuideTask] = {}
    tags = competency.collect_tags(notebooks_root)
    for tag in tags:
        nb = nbformat.read(notebooks_root / f"{tag.notebook}.ipynb", as_version=4)
        index = next(i for i, c in enumerate(nb.cells) if nbg(c).get("grade_id") == tag.grade_id)
        cell = nb.cells[index]
        entry = GuideTask(tag.task, tag.kind, tag.points, _question(nb.cells, index))
        if is_manual(cell):
            entry.rubric = list(cell.metadata.get("rubric", []))
            entry.benchmark = str(cell.metadata.get("benchmark", ""))
        else:
            entry.solution = _solution(nb.cells, index)
            hidden = regions(cell.source, "hidden")
            entry.rubric = ["Autograded: hidden tests recompute the answer from the learner's own dataset "
                            "(grader-side reference in autograde/ccw_grader)."]
            if not isinstance(hidden, str) and hidden[0]:
                entry.rubric.append("Hidden check: " + " ".join(line.strip() for line in hidden[0] if line.strip()))
        tasks[tag.task] = entry
    return tasks, tags


def guide_markdown(notebooks_root: Path | str) -> str:
    """The guide as Markdown: one section per unit, one subsection per item with its tasks."""
    notebooks_root = Path(notebooks_root)
    tasks, tags = guide_tasks(notebooks_root)
    by_item: dict[tuple[str, str], list[str]] = {}
    for tag in tags:
        for item in tag.items:
            by_item.setdefault((tag.unit, item), []).append(tag.task)
    out = ["# Assessor guide", "",
           "Grader-only: contains reference solutions and benchmark answers. Generated from the source "
           "notebooks by `ccw report`; marking rules in docs/grading.md.", "",
           "Threshold: a task earns its evidence only with full marks on its cell (fixed). Foundation-skill (FS) "
           "items and AC items decided by RTO records: docs/outcome_model.md.", ""]
    for unit_code in sorted({u for u, _ in by_item}):
        unit = load_unit(unit_code)
        out += [f"## {unit.code} {unit.title}", ""]
        for itype, items in unit.items_by_type().items():
            for item in items:
                out += [f"### {itype} {item.id}: {item.text}", ""]
                names = list(dict.fromkeys(by_item.get((unit.code, item.id), [])))
                if not names:
                    out += ["*No task evidences this item yet (a mapping gap).*", ""]
                for name in names:
                    out += _task_markdown(tasks[name])
    return "\n".join(out) + "\n"


def _task_markdown(t: GuideTask) -> list[str]:
    out = [f"**{t.task}** ({t.kind}, {t.points:g} points)", ""]
    if t.question:
        out += ["> " + line for line in t.question.strip().split("\n")] + [""]
    if t.rubric:
        out += ["Rubric:", ""] + [f"- {r}" for r in t.rubric] + [""]
    if t.benchmark:
        out += ["Benchmark answer:", ""] + ["> " + line for line in t.benchmark.strip().split("\n")] + [""]
    if t.solution:
        out += ["Reference solution:", "", "```python", t.solution.strip(), "```", ""]
    return out


def guide_html(notebooks_root: Path | str) -> str:
    from nbconvert.filters import markdown2html

    body = markdown2html(guide_markdown(notebooks_root))
    return ("<!doctype html><meta charset='utf-8'><title>Assessor guide</title><style>body{font-family:sans-serif;"
            "max-width:900px;margin:auto}blockquote{color:#333;border-left:3px solid #999;margin-left:0;"
            "padding-left:10px}pre{background:#f5f5f5;padding:6px}</style>\n" + body + "\n")


def write_guide(notebooks_root: Path | str, out_dir: Path | str) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "assessor_guide.md").write_text(guide_markdown(notebooks_root), encoding="utf-8")
    (out / "assessor_guide.html").write_text(guide_html(notebooks_root), encoding="utf-8")
    return out / "assessor_guide.md", out / "assessor_guide.html"

