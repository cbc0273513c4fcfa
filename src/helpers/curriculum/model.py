"""Typed, immutable model of a unit of competency (pydantic v2).

The YAML files next to this module are validated against :class:`Unit`; the
checks in :meth:`Unit._check` guard the invariants other code relies on
(unique ids, PC ids matching their element, sequential PE/KE/AC/RS ids,
foundation-skill references that point at real performance criteria, and foundation-skill item ids
that follow the documented scheme).

Foundation skills are assessable items (type ``FS``) like PC/PE/KE/AC items. Id scheme
(docs/grading.md, "Foundation skills"): ``FS-<skill code><n>``, one item per description line of the
unit's Foundation Skills table, ``n`` counting the descriptions of that skill from 1 in source order
(``FS-OC2`` = Oral Communication's second description); the skill codes are :data:`SKILL_CODES`.
BSBCCO605A (pre-2015 format) has no Foundation Skills table: its "Required skills" list plays that
part, ids ``FS-SK1``..``FS-SK10`` in source order.
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from helpers.errors import CCWError


class MessageKeyError(KeyError, CCWError):
    """KeyError whose ``str()`` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Frozen):
    """A performance criterion (PC), e.g. ``2.5``; ``element_id`` is filled from its element."""

    id: str = Field(pattern=r"^\d+\.\d+$")
    text: str
    element_id: str


class Element(_Frozen):
    """An element (``id`` "1", "2", ...) and its performance criteria in source order."""

    id: str = Field(pattern=r"^\d+$")
    title: str
    criteria: tuple[Criterion, ...]

    @model_validator(mode="before")
    @classmethod
    def _tag_criteria(cls, data):
        """Let the YAML omit ``element_id``: each criterion inherits its element's id."""
        if isinstance(data, dict) and isinstance(data.get("criteria"), list):
            tagged = [{"element_id": data.get("id"), **c} if isinstance(c, dict) else c for c in data["criteria"]]
            data = {**data, "criteria": tagged}
        return data


class Item(_Frozen):
    """A performance-evidence (PE), knowledge-evidence (KE) or assessment-condition (AC) item.

    ``subitems`` holds a nested list the source puts under the item (e.g. "... including:");
    ``lead_in`` is a source sentence that introduces this item mid-list
    (e.g. "In the course of the above, the candidate must:").
    """

    id: str
    text: str
    subitems: tuple[str, ...] = ()
    lead_in: str | None = None
    #: an AC item that describes the assessor or the environment: satisfied by the RTO's record in the
    #: course configuration (docs/outcome_model.md), never earned by a learner's task
    rto: Literal["assessor", "environment"] | None = None


#: Two-letter code of each foundation skill name (case-insensitive) used in ``FS-<code><n>`` ids.
SKILL_CODES = {
    "reading": "RD", "writing": "WR", "oral communication": "OC", "numeracy": "NU", "learning": "LE",
    "navigate the world of work": "NW", "interact with others": "IO", "get the work done": "GW",
    "planning and organising": "PO", "teamwork": "TW", "enterprise and initiative": "EI",
    "problem solving": "PS", "technology": "TE",
}
REQUIRED_SKILL_PREFIX = "FS-SK"


class FoundationSkill(_Frozen):
    """A foundation skill; ``criteria`` are expanded PC ids, ``criteria_text`` the source's wording;
    ``ids`` names each description as an assessable item (``FS-OC1``, ``FS-OC2``, ...)."""

    skill: str
    ids: tuple[str, ...]
    criteria: tuple[str, ...] = ()
    criteria_text: str | None = None
    descriptions: tuple[str, ...]

    @property
    def items(self) -> tuple["Item", ...]:
        """One item per description, text ``"<skill>: <description>"``."""
        return tuple(Item(id=i, text=f"{self.skill}: {d}") for i, d in zip(self.ids, self.descriptions))


class RangeCategory(_Frozen):
    """One range-statement category, e.g. heading "Stakeholders may include:"."""

    id: str
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    heading: str
    items: tuple[str, ...]


class LineageEntry(_Frozen):
    """A supersession link as a unit text states it: ``quotes`` are the sentences that state it, verbatim
    (whitespace aside), from the unit's own text or from ``source_file`` when another unit's text states it
    (``tests/domain/test_curriculum.py`` finds each one in ``shared/units``)."""

    relation: Literal["supersedes", "superseded_by"]
    code: str
    title: str
    equivalence: Literal["equivalent", "not_equivalent"] | None = None
    note: str | None = None
    date: str | None = None
    quotes: tuple[str, ...] = ()
    source_file: str | None = None


class MappingRow(_Frozen):
    """A row of the "Unit Mapping Information" table."""

    current: str
    previous: str
    current_release: int | None = None
    previous_release: int | None = None
    comments: tuple[str, ...] = ()
    equivalence_status: str


def expand_pc_refs(spec: str) -> list[str]:
    """Expand a source PC list such as ``"1.1-1.3, 2.4"`` into ``["1.1", "1.2", "1.3", "2.4"]``."""
    out: list[str] = []
    for part in spec.split(","):
        lo, _, hi = (p.strip() for p in part.partition("-"))
        if not hi:
            out.append(lo)
            continue
        (e1, n1), (e2, n2) = lo.split("."), hi.split(".")
        if e1 != e2:
            raise ValueError(f"range {part.strip()!r} spans elements")
        out += [f"{e1}.{n}" for n in range(int(n1), int(n2) + 1)]
    return out


def _require_unique(what: str, ids: list[str]) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate {what}: {dupes}")


class Unit(_Frozen):
    """A unit of competency transcribed from its training.gov.au text."""

    code: str
    title: str
    release: Union[int, str, None]  # BSBCCO605A has only a version letter
    release_date: str | None = None
    status: Literal["current", "superseded"]
    source_file: str
    descriptor: str | None = None
    application: str
    unit_sector: str | None = None
    competency_field: str | None = None
    lineage: tuple[LineageEntry, ...] = ()
    #: verbatim from the unit text: its usage recommendation and its release line (None: the text states none)
    status_quote: str | None = None
    release_quote: str | None = None
    #: plain words on what no text we hold states (a link the course relies on without a quotable source)
    lineage_note: str | None = None
    equivalent_predecessors: tuple[str, ...] = ()
    equivalent_to: tuple[str, ...] = ()
    elements: tuple[Element, ...]
    foundation_skills: tuple[FoundationSkill, ...] = ()
    required_skills: tuple[Item, ...] = ()  # old format only; ids FS-SK<n>
    performance_evidence_intro: str | None = None
    performance_evidence: tuple[Item, ...]
    performance_evidence_note: str | None = None
    knowledge_evidence_intro: str | None = None
    knowledge_evidence: tuple[Item, ...]
    assessment_conditions_intro: str | None = None
    assessment_conditions: tuple[Item, ...]
    range_statement: tuple[RangeCategory, ...] = ()
    unit_mapping: tuple[MappingRow, ...] = ()
    mapping_notes: tuple[str, ...] = ()

    def status_rows(self) -> list[dict]:
        """Status, release and each supersession/equivalence link with the quoted sentence and the file
        it is quoted from: ``[{"field", "statement", "quote", "source"}]``; an unstated link says so."""
        rows = [{"field": "status",
                 "statement": self.status + ("" if self.status_quote else " (not stated in the text)"),
                 "quote": self.status_quote or "", "source": self.source_file if self.status_quote else ""},
                {"field": "release",
                 "statement": f"release {self.release}" + (f", {self.release_date}" if self.release_date else
                                                           " (no release date in the text)"),
                 "quote": self.release_quote or "", "source": self.source_file if self.release_quote else ""}]
        for link in self.lineage:
            equivalence = {"equivalent": "equivalent", "not_equivalent": "not equivalent",
                           None: "equivalence not stated"}[link.equivalence]
            words = "supersedes" if link.relation == "supersedes" else "superseded by"
            rows.append({"field": link.relation, "statement": f"{words} {link.code} {link.title}: {equivalence}"
                         + (f", {link.date}" if link.date else ""),
                         "quote": " … ".join(link.quotes), "source": link.source_file or self.source_file})
        if self.lineage_note:
            rows.append({"field": "not stated", "statement": self.lineage_note, "quote": "", "source": ""})
        return rows

    def status_summary(self) -> str:
        """:meth:`status_rows` on one line (the mapping matrix's CSV column)."""
        return "; ".join(f"{r['statement']}" + (f" [\"{r['quote']}\", {r['source']}]" if r["quote"] else "")
                         for r in self.status_rows())

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """Every performance criterion, in source order."""
        return tuple(c for e in self.elements for c in e.criteria)

    @property
    def foundation_items(self) -> tuple[Item, ...]:
        """The unit's foundation-skill items (``FS``): one per Foundation Skills description, or
        BSBCCO605A's required skills."""
        return tuple(i for fs in self.foundation_skills for i in fs.items) + self.required_skills

    def items_by_type(self) -> dict[str, list]:
        """``{"PC": [...], "PE": [...], "KE": [...], "AC": [...], "FS": [...]}``; every entry has ``.id``
        and ``.text``."""
        return {
            "PC": list(self.criteria),
            "PE": list(self.performance_evidence),
            "KE": list(self.knowledge_evidence),
            "AC": list(self.assessment_conditions),
            "FS": list(self.foundation_items),
        }

    def item(self, item_id: str) -> Criterion | Item:
        """Look up a PC ("2.5") or PE/KE/AC/FS item ("PE3", "fs-oc1", case-insensitive); KeyError if absent."""
        key = str(item_id).strip().upper()
        groups = self.items_by_type().values()
        for obj in (o for group in groups for o in group):
            if obj.id == key:
                return obj
        known = ", ".join(o.id for group in groups for o in group)
        raise MessageKeyError(f"{self.code} has no item {item_id!r}; known ids: {known}")

    @model_validator(mode="after")
    def _check(self) -> Unit:
        """Cross-field invariants; raises ValueError describing the first problem found."""
        _require_unique("element ids", [e.id for e in self.elements])
        _require_unique("performance criteria ids", [c.id for c in self.criteria])
        for element in self.elements:
            for c in element.criteria:
                if c.element_id != element.id or c.id.split(".")[0] != element.id:
                    raise ValueError(f"criterion {c.id} does not belong to element {element.id}")
        for prefix, items in (
            ("PE", self.performance_evidence),
            ("KE", self.knowledge_evidence),
            ("AC", self.assessment_conditions),
            ("RS", self.range_statement),
        ):
            ids = [i.id for i in items]
            expected = [f"{prefix}{n}" for n in range(1, len(ids) + 1)]
            if ids != expected:
                raise ValueError(f"{prefix} ids must be sequential {expected}, got {ids}")
        _require_unique("range statement keys", [r.key for r in self.range_statement])
        known = {c.id for c in self.criteria}
        for fs in self.foundation_skills:
            missing = [ref for ref in fs.criteria if ref not in known]
            if missing:
                raise ValueError(f"foundation skill {fs.skill!r} references unknown criteria {missing}")
            if fs.criteria_text is not None and expand_pc_refs(fs.criteria_text) != list(fs.criteria):
                raise ValueError(
                    f"foundation skill {fs.skill!r}: criteria {list(fs.criteria)} "
                    f"do not match criteria_text {fs.criteria_text!r}"
                )
            code = SKILL_CODES.get(fs.skill.lower())
            if code is None:
                raise ValueError(f"foundation skill {fs.skill!r} has no code in SKILL_CODES")
            expected = [f"FS-{code}{n}" for n in range(1, len(fs.descriptions) + 1)]
            if list(fs.ids) != expected:
                raise ValueError(f"foundation skill {fs.skill!r}: ids must be {expected}, got {list(fs.ids)}")
        ids = [i.id for i in self.required_skills]
        expected = [f"{REQUIRED_SKILL_PREFIX}{n}" for n in range(1, len(ids) + 1)]
        if ids != expected:
            raise ValueError(f"required skill ids must be sequential {expected}, got {ids}")
        _require_unique("foundation skill ids", [i.id for i in self.foundation_items])
        return self
