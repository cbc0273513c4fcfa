"""Each learner's result sheet, the sign-off artefact an RTO files: HTML and PDF.

One sheet per learner (``reports/result_sheets/<learner>.html`` and ``.pdf``), one section per unit
the learner was assessed in: the unit's outcome (Competent / Not Yet Competent), then every item
(PC, PE, KE, AC, FS, as in ``competency.csv``) with its text, outcome and evidence (the tasks and their
scores), the learner declaration (signed by whom and when, or why it does not count), and a sign-off block: assessor name (``c.CCWReport.assessor`` or ``ccw report --assessor``;
a blank line to write on when not configured), assessor signature and date, learner signature and
date. The date printed at the top is when the sheet was generated, not a signature date.

The PDF is drawn with matplotlib's PdfPages (already a dependency: no browser or extra library
needed), A4 portrait, as many pages as the rows need; text is wrapped to fit the page.
"""
from __future__ import annotations

import datetime as dt
import html
import textwrap
from pathlib import Path

import pandas as pd

from helpers.outcomes.report import DECLARATION_ROW, UNIT_ROW

A4_INCHES = (8.27, 11.69)
#: Characters per line of each column in the PDF (monospace-free estimate for 7.5 pt text).
PDF_WRAP = {"item": 8, "text": 46, "outcome": 14, "evidence": 38}


def _item_texts(unit_code: str) -> dict[str, str]:
    from helpers.curriculum import load_unit

    try:
        unit = load_unit(unit_code)
    except Exception:  # an item list we cannot load still gets its outcomes printed
        return {}
    return {i.id: i.text for items in unit.items_by_type().values() for i in items}


def _unit_title(unit_code: str) -> str:
    from helpers.curriculum import load_unit

    try:
        return load_unit(unit_code).title
    except Exception:
        return ""


def _unit_status(unit_code: str) -> str:
    """Status, release and equivalence, quoted from the unit text (``Unit.status_summary``)."""
    from helpers.curriculum import load_unit

    try:
        return load_unit(unit_code).status_summary()
    except Exception:
        return ""


def learner_sections(frame: pd.DataFrame, learner: str) -> list[dict]:
    """The units of one learner: ``[{"unit", "title", "outcome", "summary", "items": DataFrame}]``
    (items: ``criterion, text, outcome, evidence`` in the curriculum's order)."""
    mine = frame[frame["learner"] == learner]
    sections = []
    for unit, part in mine.groupby("unit", sort=True):
        unit_row = part[part["criterion"] == UNIT_ROW]
        texts = _item_texts(unit)
        items = part[part["criterion"] != UNIT_ROW][["criterion", "outcome", "evidence"]].copy()
        texts[DECLARATION_ROW] = "Learner declaration: this is my own work, signed and dated by the learner"
        items.insert(1, "text", [texts.get(c, "") for c in items["criterion"]])
        sections.append({"unit": unit, "title": _unit_title(unit), "status": _unit_status(unit),
                         "outcome": unit_row["outcome"].iloc[0] if len(unit_row) else "",
                         "summary": unit_row["evidence"].iloc[0] if len(unit_row) else "",
                         "items": items.reset_index(drop=True)})
    return sections


def render_html(learner: str, sections: list[dict], *, assessor: str | None, rto: str | None,
                generated: dt.date, threshold: float) -> str:
    """The result sheet as a standalone HTML page (print it, or file the PDF)."""
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Result sheet: {e(learner)}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;font-size:14px}"
             "table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}"
             "th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}"
             "th{background:#eee}.S{color:#1a7f37}.N{color:#b42318}.A{color:#9a6700}"
             ".sign td{height:2.5em}</style></head><body>",
             f"<h1>Result sheet</h1><p>{e(rto) + ' · ' if rto else ''}Learner: <b>{e(learner)}</b> · "
             f"generated {generated:%d %B %Y} · a task earns its evidence at {threshold:.0%} of its points</p>"]
    for s in sections:
        parts.append(f"<h2>{e(s['unit'])} {e(s['title'])}: {e(s['outcome'])}</h2><p>{e(s['summary'])}</p>")
        if s.get("status"):
            parts.append(f"<p class='status'>Unit status (quoted from the unit text): {e(s['status'])}</p>")
        parts.append("<table><tr><th>Item</th><th>Requirement</th><th>Outcome</th><th>Evidence</th></tr>")
        for row in s["items"].itertuples(index=False):
            css = {"Satisfactory": "S", "Not Yet Satisfactory": "N"}.get(row.outcome, "A")
            parts.append(f"<tr><td>{e(row.criterion)}</td><td>{e(row.text)}</td>"
                         f"<td class='{css}'>{e(row.outcome)}</td><td>{e(row.evidence)}</td></tr>")
        parts.append("</table>")
    who = e(assessor) if assessor else ""
    parts.append("<h2>Sign-off</h2><table class='sign'>"
                 f"<tr><th style='width:25%'>Assessor name</th><td>{who}</td></tr>"
                 "<tr><th>Assessor signature</th><td></td></tr><tr><th>Date</th><td></td></tr>"
                 "<tr><th>Learner signature (results discussed and received)</th><td></td></tr>"
                 "<tr><th>Date</th><td></td></tr></table></body></html>")
    return "".join(parts)


def _wrap(value: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(value), width) or [""])


def write_pdf(path: Path, learner: str, sections: list[dict], *, assessor: str | None, rto: str | None,
              generated: dt.date, threshold: float) -> Path:
    """The same sheet as :func:`render_html`, as an A4 PDF (matplotlib PdfPages)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    lines: list[tuple[str, object]] = []  # ("title"|"text"|"row"|"header"|"gap", content)
    lines.append(("title", "Result sheet"))
    lines.append(("text", f"{rto + ' · ' if rto else ''}Learner: {learner} · generated {generated:%d %B %Y} · "
                          f"a task earns its evidence at {threshold:.0%} of its points"))
    for s in sections:
        lines.append(("gap", None))
        lines.append(("title2", f"{s['unit']} {s['title']}: {s['outcome']}"))
        lines.append(("text", s["summary"]))
        if s.get("status"):
            lines.append(("text", "Unit status (quoted from the unit text): " + s["status"]))
        lines.append(("header", ("Item", "Requirement", "Outcome", "Evidence")))
        for row in s["items"].itertuples(index=False):
            lines.append(("row", (row.criterion, row.text, row.outcome, row.evidence)))
    lines.append(("gap", None))
    lines.append(("title2", "Sign-off"))
    for label, value in (("Assessor name", assessor or "_" * 40), ("Assessor signature", "_" * 40),
                         ("Date", "_" * 20), ("Learner signature (results discussed and received)", "_" * 40),
                         ("Date", "_" * 20)):
        lines.append(("sign", (label, value)))

    x_cols = (0.06, 0.15, 0.55, 0.70)
    path.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(path) as pdf:
        fig, y = None, 0.0

        def new_page():
            nonlocal fig, y
            if fig is not None:
                pdf.savefig(fig)
                plt.close(fig)
            fig = plt.figure(figsize=A4_INCHES)
            y = 0.95

        new_page()
        for kind, content in lines:
            if kind == "row":
                cells = [_wrap(v, w) for v, w in zip(content, PDF_WRAP.values())]
                height = 0.0125 * max(c.count("\n") + 1 for c in cells) + 0.006
            else:
                height = {"title": 0.04, "title2": 0.03, "text": 0.03, "header": 0.02, "gap": 0.01,
                          "sign": 0.035}[kind]
            if kind == "text":  # a long paragraph (the unit's quoted status) takes as many lines as it wraps to
                height = max(height, 0.0125 * (_wrap(content, 110).count("\n") + 1) + 0.008)
            if y - height < 0.04:
                new_page()
            if kind == "title":
                fig.text(0.06, y, content, fontsize=16, weight="bold", va="top")
            elif kind == "title2":
                fig.text(0.06, y, _wrap(content, 80), fontsize=11, weight="bold", va="top")
            elif kind == "text":
                fig.text(0.06, y, _wrap(content, 110), fontsize=8, va="top")
            elif kind == "header":
                for x, label in zip(x_cols, content):
                    fig.text(x, y, label, fontsize=7.5, weight="bold", va="top")
            elif kind == "row":
                colour = {"Satisfactory": "#1a7f37", "Not Yet Satisfactory": "#b42318"}.get(content[2], "#9a6700")
                for i, (x, cell) in enumerate(zip(x_cols, cells)):
                    fig.text(x, y, cell, fontsize=7.5, va="top", color=colour if i == 2 else "black")
            elif kind == "sign":
                fig.text(0.06, y, content[0], fontsize=9, va="top")
                fig.text(0.55, y, content[1], fontsize=9, va="top")
            y -= height
        pdf.savefig(fig)
        plt.close(fig)
        info = pdf.infodict()
        info["Title"] = f"Result sheet: {learner}"
    return path


def write_result_sheets(frame: pd.DataFrame, out: Path, *, assessor: str | None = None, rto: str | None = None,
                        threshold: float = 1.0, generated: dt.date | None = None) -> list[Path]:
    """``<out>/<learner>.html`` and ``.pdf`` for every learner of ``frame`` (``competency_frame``).
    Returns the files written."""
    generated = generated or dt.date.today()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for learner in sorted(frame["learner"].unique()):
        sections = learner_sections(frame, learner)
        page = out / f"{learner}.html"
        page.write_text(render_html(learner, sections, assessor=assessor, rto=rto, generated=generated,
                                    threshold=threshold), encoding="utf-8")
        written += [page, write_pdf(out / f"{learner}.pdf", learner, sections, assessor=assessor, rto=rto,
                                    generated=generated, threshold=threshold)]
    return written
