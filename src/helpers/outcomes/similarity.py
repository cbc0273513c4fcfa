"""The similarity report of ``ccw report``: pairs of learners whose answers are unusually close.

For the assessor to review (authenticity, rules of evidence); it never changes a grade or an outcome.

What is compared: every answer cell (nbgrader ``solution`` cell) of ``autograded/<learner>/<assignment>/
*.ipynb``, markdown cells as **written** answers and code cells as **code** answers, cell by cell
between every two learners. Before comparing, each line that is also in the released cell (the task's
own text, a scaffold) and the placeholders (``YOUR ANSWER HERE``, ``# YOUR CODE HERE``,
``raise NotImplementedError()``) are removed, so only what the learner wrote is compared.

How: the answer is split into tokens (written: lower-case words; code: names, numbers and
punctuation), and into *shingles* of :data:`SHINGLE` consecutive tokens; two answers' similarity is
the Jaccard index of their shingle sets (shared shingles / all shingles of either). A pair is flagged
on a cell when the similarity is at least :data:`THRESHOLD` and both answers have at least
:data:`MIN_SHINGLES` shingles (shorter answers, a number or a word, say nothing about copying).
Independent answers to the same question share a few phrases (Jaccard well under 0.2 in practice);
a copied answer with light edits stays above 0.5 (each edited word breaks at most five shingles).

Writes ``similarity.csv`` (one row per flagged learner pair and cell: ``learner_a, learner_b,
assignment, notebook, cell, kind, similarity, shared_shingles, excerpt``) and ``similarity.html``.
"""
from __future__ import annotations

import csv
import html
import re
from itertools import combinations
from pathlib import Path

import nbformat

SHINGLE = 5
THRESHOLD = 0.5
MIN_SHINGLES = 5
PLACEHOLDERS = ("YOUR ANSWER HERE", "# YOUR CODE HERE", "raise NotImplementedError()", "raise NotImplementedError")
COLUMNS = ["learner_a", "learner_b", "assignment", "notebook", "cell", "kind", "similarity", "shared_shingles",
           "excerpt"]
_WORD = re.compile(r"\w+")
_CODE = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d+)?|[^\s\w]")


def _solution_cells(nb) -> dict[str, object]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution") and c.metadata["nbgrader"].get("grade_id")}


def learner_text(answer: str, released: str) -> str:
    """The lines of ``answer`` the learner wrote: lines of the released cell and placeholders removed."""
    given = {line.strip() for line in released.splitlines() if line.strip()}
    kept = [line for line in answer.splitlines()
            if line.strip() and line.strip() not in given and line.strip() not in PLACEHOLDERS]
    return "\n".join(kept)


def shingles(text: str, kind: str) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(text.lower()) if kind == "written" else _CODE.findall(text)
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def collect_answers(autograded: Path, release: Path) -> dict[tuple[str, str, str, str], dict[str, str]]:
    """``{(assignment, notebook, cell, kind): {learner: what the learner wrote}}``."""
    out: dict[tuple[str, str, str, str], dict[str, str]] = {}
    released: dict[tuple[str, str], dict] = {}
    for path in sorted(Path(autograded).glob("*/*/*.ipynb")):
        learner, assignment, notebook = path.parent.parent.name, path.parent.name, path.stem
        key = (assignment, notebook)
        if key not in released:
            source = Path(release) / assignment / path.name
            released[key] = _solution_cells(nbformat.read(source, as_version=4)) if source.is_file() else {}
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # a broken notebook was graded zero with a note; nothing to compare
            continue
        for grade_id, cell in _solution_cells(nb).items():
            given = released[key].get(grade_id)
            text = learner_text(cell.source, given.source if given is not None else "")
            if text:
                kind = "written" if cell.cell_type == "markdown" else "code"
                out.setdefault((assignment, notebook, grade_id, kind), {})[learner] = text
    return out


def similar_pairs(answers: dict[tuple[str, str, str, str], dict[str, str]]) -> list[dict]:
    """Flagged rows (:data:`COLUMNS`), most similar first."""
    rows = []
    for (assignment, notebook, cell, kind), by_learner in answers.items():
        sets = {lr: s for lr, text in by_learner.items() if len(s := shingles(text, kind)) >= MIN_SHINGLES}
        index: dict[tuple[str, ...], list[str]] = {}
        for learner, shingle_set in sets.items():
            for sh in shingle_set:
                index.setdefault(sh, []).append(learner)
        shared: dict[tuple[str, str], int] = {}
        for learners in index.values():
            for a, b in combinations(sorted(learners), 2):
                shared[(a, b)] = shared.get((a, b), 0) + 1
        for (a, b), both in shared.items():
            score = both / (len(sets[a]) + len(sets[b]) - both)
            if score >= THRESHOLD:
                excerpt = " ".join(by_learner[a].split())
                rows.append({"learner_a": a, "learner_b": b, "assignment": assignment, "notebook": notebook,
                             "cell": cell, "kind": kind, "similarity": round(score, 3), "shared_shingles": both,
                             "excerpt": excerpt[:120] + ("…" if len(excerpt) > 120 else "")})
    return sorted(rows, key=lambda r: (-r["similarity"], r["learner_a"], r["learner_b"], r["assignment"],
                                       r["notebook"], r["cell"]))


def render_html(rows: list[dict], learners: int) -> str:
    e = html.escape
    pairs: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        pairs.setdefault((r["learner_a"], r["learner_b"]), []).append(r)
    parts = ["<!doctype html><meta charset='utf-8'><title>Similarity report</title><style>body{font-family:sans-serif;"
             "max-width:1100px;margin:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;"
             "vertical-align:top;font-size:90%}</style><h1>Similarity report</h1>",
             f"<p>For the assessor to review: pairs of learners whose answers to the same cell are unusually close. "
             f"It never changes a grade or an outcome; a flagged pair is a question to ask (viva, the learners' own "
             f"drafts), not a finding. Compared: {learners} learners' written (markdown) and code answer cells, "
             f"after removing the released text and the placeholders. Method: Jaccard index of {SHINGLE}-token "
             f"shingles; flagged at {THRESHOLD:g} or more when both answers have at least {MIN_SHINGLES} shingles "
             "(docs/grading.md, \"Similarity report\").</p>"]
    if not rows:
        parts.append("<p><b>No pair of learners is above the threshold.</b></p>")
    else:
        parts.append("<h2>Pairs</h2><table><tr><th>learners</th><th>cells flagged</th><th>highest similarity</th></tr>"
                     + "".join(f"<tr><td>{e(a)} and {e(b)}</td><td>{len(rs)}</td>"
                               f"<td>{max(r['similarity'] for r in rs):.2f}</td></tr>"
                               for (a, b), rs in sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0])))
                     + "</table><h2>Cells</h2><table><tr>" + "".join(f"<th>{c}</th>" for c in COLUMNS) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td>{e(str(r[c]))}</td>" for c in COLUMNS) + "</tr>" for r in rows)
                     + "</table>")
    return "\n".join(parts) + "\n"


def write_similarity(autograded: Path, release: Path, out: Path) -> tuple[Path, Path, list[dict]]:
    """``out/similarity.csv`` and ``out/similarity.html``; returns both paths and the flagged rows."""
    answers = collect_answers(autograded, release)
    rows = similar_pairs(answers)
    learners = len({lr for by in answers.values() for lr in by})
    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / "similarity.csv", out / "similarity.html"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    html_path.write_text(render_html(rows, learners), encoding="utf-8")
    return csv_path, html_path, rows
