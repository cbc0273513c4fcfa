"""The learner declaration (own work, date) that must travel with each submission.

``ccw course build`` writes :data:`FILE` into every released assignment folder; nbgrader's exchange
carries it to the learner (Fetch), back with the notebooks (Submit) and into ``submitted/<learner>/
<assignment>/`` (Collect, or ``ccw grade --submissions`` through :mod:`helpers.course.submissions`).
The learner fills in three lines and ticks the box::

    - Name: Sam Citizen
    - Learner id: s1234
    - Date (DD/MM/YYYY): 14/03/2026
    - [x] I declare that this submission is my own work ...

``ccw report`` reads it (:func:`read_declaration`) and a learner whose declaration is missing, not
plain text, too large, or not signed (box unticked, a line empty, a learner id that is not theirs, a
date that is not a date, or the statement edited) is **Not Yet Competent** in every unit the
assignment evidences, with the reason (docs/grading.md, "Competency rules").
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

FILE = "declaration.md"
#: The filled-in form is a few hundred bytes; anything far larger is not the form.
MAX_BYTES = 8_000
STATEMENT = ("I declare that this submission is my own work: I have not copied another person's work or let "
             "anyone copy mine, and every source I used is acknowledged.")
_FIELDS = {"name": "Name", "learner": "Learner id", "date": "Date (DD/MM/YYYY)"}
_BOX = re.compile(r"^\s*-\s*\[(?P<tick>[ xX✓✔])\]\s*(?P<text>.*?)\s*$")


def form(assignment: str) -> str:
    """The blank form released with ``assignment``."""
    return (f"# Learner declaration: {assignment}\n\n"
            "Your results for this assignment count only once you have signed this declaration. Type after each\n"
            "colon, tick the box by changing `[ ]` to `[x]`, save this file, then submit it with your notebooks\n"
            "(it is submitted with them from the Assignment List).\n\n"
            + "".join(f"- {label}: \n" for label in _FIELDS.values())
            + f"- [ ] {STATEMENT}\n")


def signed_form(assignment: str, name: str, learner: str, date: dt.date) -> str:
    """The form as a learner who signed it on ``date`` saves it (the demo's simulated learners)."""
    values = {"name": name, "learner": learner, "date": f"{date:%d/%m/%Y}"}
    text = form(assignment)
    for key, label in _FIELDS.items():
        text = text.replace(f"- {label}: \n", f"- {label}: {values[key]}\n")
    return text.replace(f"- [ ] {STATEMENT}", f"- [x] {STATEMENT}")


def write_form(folder: Path, assignment: str) -> Path:
    path = Path(folder) / FILE
    path.write_text(form(assignment), encoding="utf-8")
    return path


def plain_text(data: bytes) -> str | None:
    """``data`` as text when it is small UTF-8 plain text (no NUL or other control characters but
    newline, carriage return and tab), else None."""
    if len(data) > MAX_BYTES:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\n\r\t" or ord(ch) == 127 for ch in text):
        return None
    return text


def _date(value: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Declaration:
    signed: bool
    reason: str  # the evidence line: who signed and when, or why it does not count


def parse(text: str, learner: str, assignment: str) -> Declaration:
    """Check one filled-in form for ``learner``; the reason names what is missing."""
    where = f"{assignment}/{FILE}"
    values: dict[str, str] = {}
    ticked = None
    for line in text.splitlines():
        box = _BOX.match(line)
        if box:
            if " ".join(box["text"].split()) == STATEMENT:
                ticked = box["tick"] != " "
            continue
        for key, label in _FIELDS.items():
            match = re.match(rf"^\s*-\s*{re.escape(label)}\s*:(.*)$", line)
            if match and key not in values:
                values[key] = match.group(1).strip()
    if ticked is None:
        return Declaration(False, f"{where}: the own-work statement is missing or was changed")
    if not ticked:
        return Declaration(False, f"{where} not signed: the own-work box is not ticked")
    empty = [label for key, label in _FIELDS.items() if not values.get(key)]
    if empty:
        return Declaration(False, f"{where} not signed: {', '.join(empty)} left empty")
    if values["learner"].casefold() != learner.casefold():
        return Declaration(False, f"{where} names learner id {values['learner'][:40]!r}, not {learner}")
    day = _date(values["date"])
    if day is None:
        return Declaration(False, f"{where}: the date {values['date'][:40]!r} is not a date (DD/MM/YYYY)")
    return Declaration(True, f"learner declaration signed by {values['name'][:80]} on {day:%d/%m/%Y} ({where})")


def read_declaration(folder: Path, learner: str, assignment: str) -> Declaration:
    """The declaration in a learner's ``submitted/<learner>/<assignment>/`` folder (missing, unreadable,
    too large or not plain text: not signed, with the reason)."""
    path = Path(folder) / FILE
    where = f"{assignment}/{FILE}"
    if path.is_symlink() or not path.is_file():
        return Declaration(False, f"no learner declaration submitted ({where}): sign it and submit it with the "
                                  "notebooks")
    if path.stat().st_size > MAX_BYTES:
        return Declaration(False, f"{where} is larger than {MAX_BYTES} bytes: not the declaration form")
    text = plain_text(path.read_bytes())
    if text is None:
        return Declaration(False, f"{where} is not plain text: not the declaration form")
    return parse(text, learner, assignment)
