"""Structured results of every checker: one :class:`Finding` per thing checked, in :class:`Findings`.

A finding is tied to the performance criterion it evidences (``criterion="2.1"``), carries the
points it earned out of its ``max_points``, and a message written for the learner: it says what is
wrong (or right) and why, never the hidden expected answer. ``item`` optionally names the thing
checked (a column, a scenario, a defect kind) so feedback can be grouped.

Scoring convention: ``Findings.score`` is the sum of points, ``max_score`` the sum of max points,
``fraction`` their ratio; a container whose findings are all worth 0 points has fraction 1.0 when
everything passed and 0.0 otherwise (so informational checks still fail a ``require``).
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

FRAME_COLUMNS = ("criterion", "item", "passed", "points", "max_points", "message")


@dataclass(frozen=True)
class Finding:
    """One checked thing: which criterion it evidences, pass/fail, points earned of ``max_points``."""

    criterion: str
    passed: bool
    points: float
    max_points: float
    message: str
    item: str | None = None

    def __post_init__(self):
        if not isinstance(self.criterion, str) or not self.criterion:
            raise ValueError(f"Finding.criterion must be a non-empty string such as '2.1', got {self.criterion!r}")
        for name in ("points", "max_points"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Finding.{name} must be a finite number, got {value!r}")
        if self.max_points < 0:
            raise ValueError(f"Finding.max_points must be >= 0, got {self.max_points}")
        if not 0 <= self.points <= self.max_points + 1e-9:
            raise ValueError(f"Finding.points must be between 0 and max_points ({self.max_points}), got {self.points}")
        object.__setattr__(self, "passed", bool(self.passed))
        object.__setattr__(self, "points", float(self.points))
        object.__setattr__(self, "max_points", float(self.max_points))

    @classmethod
    def ok(cls, criterion: str, message: str, points: float = 1.0, item: str | None = None) -> "Finding":
        """A passed finding worth full ``points``."""
        return cls(criterion, True, points, points, message, item)

    @classmethod
    def of(cls, criterion: str, passed, message: str, item: str | None = None, points: float = 1.0) -> "Finding":
        """A finding that earns its full ``points`` when ``passed`` is true, else none."""
        return cls(criterion, bool(passed), points if passed else 0.0, points, message, item)

    @classmethod
    def fail(cls, criterion: str, message: str, max_points: float = 1.0, item: str | None = None,
             points: float = 0.0) -> "Finding":
        """A failed finding (``points`` partial credit, 0 by default)."""
        return cls(criterion, False, points, max_points, message, item)

    def __str__(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        where = f" [{self.item}]" if self.item else ""
        return f"{mark} {self.criterion}{where} ({_num(self.points)}/{_num(self.max_points)}): {self.message}"


class Findings(Sequence):
    """An ordered, list-like collection of :class:`Finding` with scores and renderings."""

    def __init__(self, findings: Iterable[Finding] = ()):
        self._items: list[Finding] = []
        self.extend(findings)

    # -- list behaviour ------------------------------------------------------------------
    def __getitem__(self, index):
        if isinstance(index, slice):
            return Findings(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._items)

    def __add__(self, other: Iterable[Finding]) -> "Findings":
        return Findings([*self._items, *other])

    def __eq__(self, other) -> bool:
        if isinstance(other, Findings):
            return self._items == other._items
        return NotImplemented

    def append(self, finding: Finding) -> None:
        if not isinstance(finding, Finding):
            raise TypeError(f"Findings holds Finding objects, got {type(finding).__name__}")
        self._items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.append(f)

    # -- scores ---------------------------------------------------------------------------
    @property
    def score(self) -> float:
        return float(sum(f.points for f in self._items))

    @property
    def max_score(self) -> float:
        return float(sum(f.max_points for f in self._items))

    @property
    def fraction(self) -> float:
        """Score as a fraction of the maximum (0..1); see the module docstring for 0-point sets."""
        if self.max_score > 0:
            return min(1.0, self.score / self.max_score)
        return 1.0 if self.all_passed else 0.0

    @property
    def all_passed(self) -> bool:
        return all(f.passed for f in self._items)

    def failed(self) -> "Findings":
        return Findings(f for f in self._items if not f.passed)

    def passed(self) -> "Findings":
        return Findings(f for f in self._items if f.passed)

    def for_criterion(self, *criteria: str) -> "Findings":
        return Findings(f for f in self._items if f.criterion in criteria)

    def criteria(self) -> list[str]:
        """Criteria evidenced, in first-seen order."""
        return list(dict.fromkeys(f.criterion for f in self._items))

    def by_criterion(self) -> pd.DataFrame:
        """Score, max score and pass count per criterion."""
        frame = self.to_frame()
        if frame.empty:
            return pd.DataFrame(columns=["criterion", "score", "max_score", "passed", "checked"])
        grouped = frame.groupby("criterion", sort=False).agg(
            score=("points", "sum"), max_score=("max_points", "sum"),
            passed=("passed", "sum"), checked=("passed", "size"))
        return grouped.reset_index()

    # -- renderings ----------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        if not self._items:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
                FRAME_COLUMNS, ("string", "string", "bool", "float64", "float64", "string"))})
        rows = [asdict(f) for f in self._items]
        frame = pd.DataFrame(rows)[list(FRAME_COLUMNS)]
        return frame.astype({"criterion": "string", "item": "string", "message": "string"})

    def summary(self) -> str:
        """One headline line plus one line per failed finding (what a learner reads first)."""
        head = (f"{_num(self.score)}/{_num(self.max_score)} points ({self.fraction:.0%}); "
                f"{len(self) - len(self.failed())} of {len(self)} checks passed")
        lines = [head] + [f"  - {f}" for f in self.failed()]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        out = [f"**{_num(self.score)}/{_num(self.max_score)} points ({self.fraction:.0%})**", "",
               "| | criterion | item | points | message |", "|---|---|---|---|---|"]
        for f in self._items:
            msg = f.message.replace("|", "\\|").replace("\n", " ")
            out.append(f"| {'✔' if f.passed else '✘'} | {f.criterion} | {f.item or ''} | "
                       f"{_num(f.points)}/{_num(f.max_points)} | {msg} |")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        # inline styles: feedback pages and formgrader render outputs without JupyterLab's table CSS,
        # where unpadded headers ran together ("criterionitempointsmessage")
        cell = "padding:3px 8px;border:1px solid #d0d7de;text-align:left;vertical-align:top"
        rows = "".join(
            f"<tr style='color:{'#1a7f37' if f.passed else '#b42318'}'><td style='{cell}'>{'✔' if f.passed else '✘'}</td>"
            f"<td style='{cell}'>{html.escape(f.criterion)}</td><td style='{cell}'>{html.escape(f.item or '')}</td>"
            f"<td style='{cell}'>{_num(f.points)}/{_num(f.max_points)}</td>"
            f"<td style='{cell}'>{html.escape(f.message)}</td></tr>"
            for f in self._items)
        head = "".join(f"<th style='{cell};background:#f6f8fa'>{h}</th>"
                       for h in ("", "criterion", "item", "points", "message"))
        return (f"<p><b>{_num(self.score)}/{_num(self.max_score)} points ({self.fraction:.0%})</b></p>"
                f"<table style='border-collapse:collapse'><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def __repr__(self) -> str:
        return f"Findings({len(self)} findings, {_num(self.score)}/{_num(self.max_score)} points)"

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self._items)


def _num(x: float) -> str:
    return f"{round(float(x), 2):g}"
