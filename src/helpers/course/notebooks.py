"""Reading source notebooks: authoring checks, grader-only text, rubrics and benchmark answers.

Conventions (docs/authoring.md): solution regions ``### BEGIN SOLUTION`` / ``### END SOLUTION``
(a solution cell without a region is a solution as a whole), hidden tests ``### BEGIN HIDDEN
TESTS`` / ``### END HIDDEN TESTS`` in autograded test cells only, and on every manually graded
cell (nbgrader ``grade`` + ``solution``, or a ``task`` cell) the cell metadata keys
``"rubric": ["point", ...]`` and ``"benchmark": "benchmark answer"`` next to ``"competency"``.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

MARKERS = {"solution": ("BEGIN SOLUTION", "END SOLUTION"),
           "hidden": ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
           "markscheme": ("BEGIN MARK SCHEME", "END MARK SCHEME")}
MIN_SECRET_LEN = 6  # shorter lines ("pass", ")") are too common to prove a leak


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_manual(cell) -> bool:
    meta = nbg(cell)
    return bool(meta.get("task") or (meta.get("grade") and meta.get("solution")))


def regions(source: str, kind: str) -> tuple[list[str], list[str]] | str:
    """(lines inside ``kind`` regions, lines outside) or an error message if unbalanced."""
    begin, end = MARKERS[kind]
    inside, outside, depth = [], [], False
    for line in source.split("\n"):
        if begin in line:
            if depth:
                return f"nested '{begin}'"
            depth = True
        elif end in line:
            if not depth:
                return f"'{end}' without '{begin}'"
            depth = False
        else:
            (inside if depth else outside).append(line)
    return f"'{begin}' without '{end}'" if depth else (inside, outside)


def source_problems(path: Path) -> list[str]:
    """Authoring problems of one source notebook (empty list when it is fine)."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return [f"not a readable notebook ({exc.__class__.__name__}: {str(exc).splitlines()[0][:200]})"]
    problems = []
    try:
        MetadataValidator().validate_nb(nb)
    except ValidationError as exc:
        problems.append(f"invalid nbgrader metadata: {exc}")
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        meta = nbg(cell)
        where = f"cell {index} (grade_id {meta.get('grade_id', '-')!r})"
        gid = meta.get("grade_id")
        if gid and (meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task")):
            if gid in seen:
                problems.append(f"{where}: grade_id used twice")
            seen.add(gid)
        for kind in MARKERS:
            found = regions(cell.source, kind)
            if isinstance(found, str):
                problems.append(f"{where}: {found}")
            elif found[0] or any(MARKERS[kind][0] in line for line in cell.source.split("\n")):
                if kind == "solution" and not meta.get("solution"):
                    problems.append(f"{where}: solution region in a cell that is not a solution cell")
                if kind == "hidden":
                    problems.append(f"{where}: hidden tests would run in the learner's kernel, where learner code "
                                    "can change them; register a trusted check in ccw_grader instead")
        problems += [f"{where}: {p}" for p in _rubric_problems(cell)]
    return problems


def _rubric_problems(cell) -> list[str]:
    rubric, benchmark = cell.metadata.get("rubric"), cell.metadata.get("benchmark")
    if not is_manual(cell):
        return ["'rubric'/'benchmark' on a cell that is not manually graded"] if (rubric or benchmark) else []
    out = []
    if not (isinstance(rubric, list) and rubric and all(isinstance(r, str) and r.strip() for r in rubric)):
        out.append("manually graded cell needs 'rubric': a non-empty list of marking points (strings)")
    if not (isinstance(benchmark, str) and benchmark.strip()):
        out.append("manually graded cell needs 'benchmark': the benchmark answer (a non-empty string)")
    return out


def _split_regions(source: str) -> tuple[list[str], list[str]]:
    """(lines inside any solution/hidden/mark-scheme region, lines outside every region)."""
    inside, outside, open_kind = [], [], None
    for line in source.split("\n"):
        begin = next((k for k, (b, _) in MARKERS.items() if b in line), None)
        if begin and open_kind is None:
            open_kind = begin
        elif open_kind and MARKERS[open_kind][1] in line:
            open_kind = None
        elif not any(m in line for pair in MARKERS.values() for m in pair):
            (inside if open_kind else outside).append(line)
    return inside, outside


def grader_only_lines(nb) -> set[str]:
    """Stripped lines that must never reach a learner: solutions, hidden tests, mark schemes and
    benchmark answers, minus lines that also appear in the notebook's learner-visible text."""
    secret, public = set(), set()
    for cell in nb.cells:
        inside, outside = _split_regions(cell.source)
        if nbg(cell).get("solution") and not inside:
            secret.update(outside)  # a solution cell without a region is all solution
        else:
            secret.update(inside)
            public.update(outside)
        benchmark = cell.metadata.get("benchmark")
        if isinstance(benchmark, str):
            secret.update(benchmark.split("\n"))
    public_stripped = {p.strip() for p in public}
    return {s.strip() for s in secret
            if len(s.strip()) >= MIN_SECRET_LEN and any(ch.isalnum() for ch in s) and s.strip() not in public_stripped}


def notebook_text(obj) -> str:
    """Every string anywhere in a notebook (sources, outputs, metadata), one per line."""
    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                out.append(str(k))
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)

    walk(obj)
    return "\n".join(out)


def leaked_lines(secret: set[str], text: str) -> list[str]:
    """Grader-only lines found as whole (stripped) lines of ``text``, and region markers anywhere in
    it, sorted. Whole lines: a solution line ``for s in cs.stakeholders`` is no leak when a visible
    line reads ``for s in cs.stakeholders])``."""
    found = secret & {line.strip() for line in text.split("\n")}
    found |= {m for pair in MARKERS.values() for m in pair if m in text}
    return sorted(found)
