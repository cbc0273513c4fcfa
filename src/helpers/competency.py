"""Competency tags on notebook cells, and the mapping matrix generated from them.

The contract (documented for authors in ``notebooks/README.md``): every graded nbgrader cell
(an autograded test cell or a manually graded answer/task cell) carries cell metadata::

    "competency": {"unit": "BSBCUE605", "criteria": ["2.1"], "evidence": ["PE2", "KE7", "AC1"]}

``criteria`` are performance-criterion ids of that unit; ``evidence`` are its performance
evidence (PE), knowledge evidence (KE), assessment condition (AC) and foundation-skill (FS) ids
(``FS-OC1``: the unit's Oral Communication, first description; BSBCCO605A's required skills are
``FS-SK1``..; scheme in docs/grading.md, "Foundation skills"). An equivalent
predecessor unit (BSBCCO605A for BSBCUE605) is covered through the lineage in the unit data
(``curriculum/equivalence.yaml``), never by duplicated tags.

A task is named ``<notebook>:<grade_id>`` where ``<notebook>`` is the notebook's path under the
notebooks folder without ``.ipynb`` (e.g. ``BSBCUE605/02_database:design_ddl``).
"""
from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.curriculum import UnknownUnitError, all_units, load_unit
from helpers.curriculum.equivalence import equivalences
from helpers.errors import UserFacingError

ITEM_TYPES = ("PC", "PE", "KE", "AC", "FS")
MATRIX_COLUMNS = ("unit", "item_type", "item_id", "text", "tasks", "covered")
#: The CSV adds each unit's status, release and equivalence, quoted from its text, on every row of the unit.
CSV_COLUMNS = MATRIX_COLUMNS + ("unit_status",)
STATUS_COLUMNS = ("unit", "field", "statement", "quoted from the unit text", "source")


class TagError(UserFacingError):
    """A competency tag that names an unknown unit or item, or is malformed."""


@dataclass(frozen=True)
class Tag:
    notebook: str
    grade_id: str
    unit: str
    criteria: tuple[str, ...]
    evidence: tuple[str, ...]
    kind: str  # "autograded" | "manual" | "task"
    points: float = 0.0

    @property
    def task(self) -> str:
        return f"{self.notebook}:{self.grade_id}"

    @property
    def items(self) -> tuple[str, ...]:
        return self.criteria + self.evidence


@dataclass
class Matrix:
    rows: list[dict]
    tags: list[Tag] = field(default_factory=list)

    @property
    def gaps(self) -> list[dict]:
        return [r for r in self.rows if not r["covered"]]


def item_type(item_id: str) -> str:
    """'2.5' -> 'PC', 'PE3' -> 'PE', 'FS-OC1' -> 'FS', ..."""
    if item_id.startswith("FS-"):
        return "FS"
    return item_id[:2] if item_id[:2] in ("PE", "KE", "AC") else "PC"


def _graded_kind(nbg: dict) -> str | None:
    if nbg.get("task"):
        return "task"
    if nbg.get("grade") and nbg.get("solution"):
        return "manual"
    if nbg.get("grade"):
        return "autograded"
    return None


def read_tags(path: Path, root: Path) -> list[Tag]:
    """Competency tags of one source notebook; raises TagError naming notebook and cell."""
    name = path.relative_to(root).with_suffix("").as_posix()
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook
        raise TagError(f"{path}: not a readable notebook ({exc.__class__.__name__}: {exc})") from None
    tags = []
    for index, cell in enumerate(nb.cells):
        nbg = cell.metadata.get("nbgrader", {})
        comp = cell.metadata.get("competency")
        kind = _graded_kind(nbg)
        where = f"{name}, cell {index} (grade_id {nbg.get('grade_id', '?')!r})"
        if comp is None:
            if kind is not None:
                raise TagError(f"{where}: graded cell has no 'competency' metadata")
            continue
        if kind is None:
            raise TagError(f"{where}: 'competency' metadata on a cell that is not graded")
        tags.append(_parse_tag(comp, where, name, nbg, kind))
    return tags


def _parse_tag(comp, where: str, name: str, nbg: dict, kind: str) -> Tag:
    if not isinstance(comp, dict) or not isinstance(comp.get("unit"), str):
        raise TagError(f"{where}: 'competency' must be a mapping with a 'unit' string")
    try:
        unit = load_unit(comp["unit"])
    except UnknownUnitError as exc:
        raise TagError(f"{where}: {exc.args[0] if exc.args else exc}") from None
    criteria, evidence = comp.get("criteria", []), comp.get("evidence", [])
    for key, value in (("criteria", criteria), ("evidence", evidence)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TagError(f"{where}: '{key}' must be a list of item ids (strings)")
    if not criteria and not evidence:
        raise TagError(f"{where}: tag names no criteria and no evidence")
    known = {i.id for items in unit.items_by_type().values() for i in items}
    for item in criteria:
        if item_type(item) != "PC" or item not in known:
            raise TagError(f"{where}: {unit.code} has no performance criterion {item!r}")
    for item in evidence:
        if item_type(item) == "PC" or item not in known:
            raise TagError(f"{where}: {unit.code} has no evidence item {item!r} (expected PE/KE/AC/FS ids, e.g. PE2, FS-OC1)")
    return Tag(name, str(nbg.get("grade_id", "")), unit.code, tuple(criteria), tuple(evidence), kind,
               float(nbg.get("points", 0) or 0))


def collect_tags(root: Path) -> list[Tag]:
    """Tags of every source notebook under ``root`` (checkpoints skipped), in path order."""
    root = Path(root)
    if not root.is_dir():
        raise UserFacingError(f"notebooks folder not found: {root}")
    tags: list[Tag] = []
    for path in sorted(root.rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            tags += read_tags(path, root)
    return tags


def build_matrix(tags: list[Tag], units: list[str] | None = None) -> Matrix:
    """One row per PC, PE, KE and AC item of every unit, with the tasks that evidence it.

    Items of an equivalent predecessor unit are covered by the tasks of the items they are
    equivalent to (``equivalences()``: predecessor item -> current unit items), and only when
    every one of those items is covered. ``units`` limits the rows to those unit codes.
    """
    try:
        wanted = {load_unit(u).code for u in units} if units else None
    except UnknownUnitError as exc:
        raise UserFacingError(exc.args[0]) from None
    tasks: dict[tuple[str, str], list[str]] = {}
    for tag in tags:
        for item in tag.items:
            tasks.setdefault((tag.unit, item), []).append(tag.task)
    equiv = equivalences()
    rows = []
    for unit in all_units():
        if wanted and unit.code not in wanted:
            continue
        for itype, items in unit.items_by_type().items():
            for item in items:
                targets = equiv.get((unit.code, item.id))
                if targets:  # covered only when every equivalent item is
                    found = [t for target in targets for t in tasks.get(target, [])]
                    covered = all(tasks.get(target) for target in targets)
                elif getattr(item, "rto", None):  # decided by the RTO's record, not by tasks
                    setting = ("c.CCWReport.assessor + assessor_credentials" if item.rto == "assessor"
                               else "c.CCWReport.environment")
                    found, covered = [f"RTO record ({setting})"], True
                else:
                    found = tasks.get((unit.code, item.id), [])
                    covered = bool(found)
                rows.append({"unit": unit.code, "item_type": itype, "item_id": item.id, "text": item.text,
                             "tasks": list(dict.fromkeys(found)), "covered": covered})
    return Matrix(rows, tags)


def render(matrix: Matrix, fmt: str) -> str:
    """The matrix as ``md``, ``csv`` or ``html``; gaps are listed after the table."""
    codes = list(dict.fromkeys(r["unit"] for r in matrix.rows))
    status = [(code, row) for code in codes for row in load_unit(code).status_rows()]
    if fmt == "csv":
        summaries = {code: load_unit(code).status_summary() for code in codes}
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for r in matrix.rows:
            writer.writerow([r["unit"], r["item_type"], r["item_id"], r["text"], "; ".join(r["tasks"]),
                             "yes" if r["covered"] else "no", summaries[r["unit"]]])
        return buf.getvalue()
    if fmt == "md":
        out = ["# Mapping matrix", "", _summary(matrix), "", "## Unit status and equivalence (quoted from the unit texts)",
               "", "| " + " | ".join(STATUS_COLUMNS) + " |", "|" + "---|" * len(STATUS_COLUMNS)]
        out += [f"| {code} | {row['field']} | {_md(row['statement'])} | "
                f"{'“' + _md(row['quote']) + '”' if row['quote'] else '(not stated)'} | {row['source']} |"
                for code, row in status]
        out += ["", "## Items", "", "| " + " | ".join(MATRIX_COLUMNS) + " |", "|" + "---|" * len(MATRIX_COLUMNS)]
        for r in matrix.rows:
            out.append(f"| {r['unit']} | {r['item_type']} | {r['item_id']} | {_md(r['text'])} | "
                       f"{'<br>'.join(r['tasks'])} | {'yes' if r['covered'] else '**no**'} |")
        out += ["", f"## Gaps ({len(matrix.gaps)})", ""]
        out += [f"- {g['unit']} {g['item_id']}: {g['text']}" for g in matrix.gaps] or ["None."]
        return "\n".join(out) + "\n"
    if fmt == "html":
        esc = html.escape
        body = "".join(
            f"<tr class='{'ok' if r['covered'] else 'gap'}'>" + "".join(
                f"<td>{esc(str(v))}</td>" for v in (r["unit"], r["item_type"], r["item_id"], r["text"],
                                                  "; ".join(r["tasks"]), "yes" if r["covered"] else "no"))
            + "</tr>" for r in matrix.rows)
        gaps = "".join(f"<li>{esc(g['unit'])} {esc(g['item_id'])}: {esc(g['text'])}</li>" for g in matrix.gaps)
        return ("<!doctype html><meta charset='utf-8'><title>Mapping matrix</title><style>"
                "body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
                "table{border-collapse:collapse}tr.gap{background:#fde2e2}</style>"
                f"<h1>Mapping matrix</h1><p>{esc(_summary(matrix))}</p>"
                "<h2>Unit status and equivalence (quoted from the unit texts)</h2><table><tr>"
                + "".join(f"<th>{c}</th>" for c in STATUS_COLUMNS) + "</tr>"
                + "".join(f"<tr class='status'><td>{esc(code)}</td><td>{esc(row['field'])}</td>"
                          f"<td>{esc(row['statement'])}</td><td>"
                          + (f"<q>{esc(row['quote'])}</q>" if row["quote"] else "(not stated)")
                          + f"</td><td>{esc(row['source'])}</td></tr>" for code, row in status)
                + "</table><h2>Items</h2><table><tr>"
                + "".join(f"<th>{c}</th>" for c in MATRIX_COLUMNS) + f"</tr>{body}</table>"
                f"<h2>Gaps ({len(matrix.gaps)})</h2><ul>{gaps or '<li>None.</li>'}</ul>\n")
    raise UserFacingError(f"unknown format {fmt!r}: expected md, csv or html")


def _summary(matrix: Matrix) -> str:
    parts = []
    for code in dict.fromkeys(r["unit"] for r in matrix.rows):
        rows = [r for r in matrix.rows if r["unit"] == code]
        pcs = [r for r in rows if r["item_type"] == "PC"]
        parts.append(f"{code}: {sum(r['covered'] for r in pcs)}/{len(pcs)} PCs, "
                     f"{sum(r['covered'] for r in rows)}/{len(rows)} items covered")
    return "; ".join(parts)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
