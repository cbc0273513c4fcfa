"""``ccw report``: competency outcomes per learner, criterion and unit, from tags and nbgrader scores.

Rules (docs/grading.md):

* a graded cell *earns* its evidence only with full marks (:data:`FULL_MARKS`, fixed: no setting or
  option lowers it; every report prints it);
* an AC item that describes the assessor or the environment (``rto`` in the unit data) is decided by
  the RTO's record in the course configuration (:class:`RTORecord`), not by tasks: Satisfactory when
  the record is there, else Not Yet Satisfactory naming the missing setting;
* an item (PC, PE, KE or AC) is **Awaiting assessor** while any manually graded cell tagged with
  it has no score yet, else **Satisfactory** when every graded cell tagged with it earned it, else
  **Not Yet Satisfactory** (also when no task evidences the item, or the notebook holding a tagged
  task was not submitted);
* a unit is **Competent** when every PC, PE, KE and AC item of the unit is Satisfactory, else
  **Not Yet Competent** (its row has ``criterion == "unit"``);
* an equivalent unit (BSBCCO605A) follows through ``helpers.curriculum.equivalence``: each of its
  items takes the combined outcome of the items it is equivalent to;
* the **learner declaration** (own work, date; :mod:`helpers.course.declaration`) of every assignment
  evidencing the unit is a row of its own (``criterion == "declaration"``): Satisfactory when signed,
  else Not Yet Satisfactory with the reason, so a missing or unsigned declaration makes the unit Not
  Yet Competent whatever the marks.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.curriculum import all_units, load_unit
from helpers.curriculum.equivalence import equivalences

SATISFACTORY, NOT_YET, AWAITING = "Satisfactory", "Not Yet Satisfactory", "Awaiting assessor"
COMPETENT, NOT_YET_COMPETENT = "Competent", "Not Yet Competent"
UNIT_ROW = "unit"
DECLARATION_ROW = "declaration"
COLUMNS = ["learner", "unit", "criterion", "outcome", "evidence"]
#: Fraction of a cell's points a learner must score for the cell to earn its evidence (fixed).
FULL_MARKS = 1.0
THRESHOLD_NOTE = "threshold: full marks on every tagged cell (fixed)"


@dataclass(frozen=True)
class RTORecord:
    """The RTO's records that satisfy AC items describing the assessor or the environment
    (``c.CCWReport.assessor``, ``assessor_credentials``, ``environment``)."""

    assessor: str = ""
    assessor_credentials: str = ""
    environment: str = ""

    def decide(self, kind: str) -> tuple[str, str]:
        """(outcome, evidence) of an AC item whose ``rto`` is ``kind``."""
        if kind == "assessor":
            missing = [f"c.CCWReport.{k}" for k in ("assessor", "assessor_credentials") if not getattr(self, k).strip()]
            if missing:
                return NOT_YET, f"no RTO record of the assessor: set {' and '.join(missing)} in the course's nbgrader_config.py"
            return SATISFACTORY, f"RTO record: assessor {self.assessor.strip()}; credentials: {self.assessor_credentials.strip()}"
        if not self.environment.strip():
            return NOT_YET, "no RTO record of the assessment environment: set c.CCWReport.environment in the course's nbgrader_config.py"
        return SATISFACTORY, f"RTO record: environment: {self.environment.strip()}"


def _items(unit_code: str) -> list[str]:
    unit = load_unit(unit_code)
    return [i.id for items in unit.items_by_type().values() for i in items]


def _combine(outcomes: pd.Series) -> str:
    if (outcomes == AWAITING).any():
        return AWAITING
    return SATISFACTORY if (outcomes == SATISFACTORY).all() and len(outcomes) else NOT_YET


def tag_frame(tags) -> pd.DataFrame:
    """One row per (task, unit, item) from ``helpers.competency`` tags."""
    rows = [{"task": t.task, "unit": t.unit, "criterion": item} for t in tags for item in t.items]
    return pd.DataFrame(rows, columns=["task", "unit", "criterion"]).drop_duplicates()


def _rto_items(unit_code: str) -> dict[str, str]:
    return {i.id: i.rto for i in load_unit(unit_code).assessment_conditions if i.rto}


def competency_frame(grades: pd.DataFrame, tags, rto: RTORecord | None = None,
                     declarations: dict[tuple[str, str], tuple[bool, str]] | None = None) -> pd.DataFrame:
    """Outcome rows (:data:`COLUMNS`) for every learner with grades in a tagged unit.

    ``grades`` is :func:`helpers.course.gradebook.grades_frame`; ``tags`` the competency tags of
    the source notebooks (tasks named ``<assignment>/<notebook>:<grade_id>``); ``rto`` the RTO's
    records (None: no record, so the assessor and environment AC items are Not Yet Satisfactory);
    ``declarations`` ``{(learner, assignment): (signed, reason)}`` (:func:`read_declarations`; a pair
    not in it, or None, counts as no declaration submitted).
    """
    rto = rto or RTORecord()
    tagged = tag_frame(tags)
    g = grades.assign(task=grades["assignment"] + "/" + grades["notebook"] + ":" + grades["cell"])
    # learners are assessed in a unit when they have any grade on a task tagged with that unit
    seen = g[["learner", "task"]].merge(tagged[["task", "unit"]], on="task")[["learner", "unit"]].drop_duplicates()
    if seen.empty:
        return pd.DataFrame(columns=COLUMNS)
    items = pd.DataFrame([(u, c) for u in sorted(seen["unit"].unique()) for c in _items(u)], columns=["unit", "criterion"])
    frame = seen.merge(items, on="unit").merge(tagged, on=["unit", "criterion"], how="left")
    frame = frame.merge(g[["learner", "task", "score", "max_score", "status"]], on=["learner", "task"], how="left")
    earned = frame["score"] >= FULL_MARKS * frame["max_score"] - 1e-9
    frame["cell_outcome"] = NOT_YET
    frame.loc[earned.to_numpy(), "cell_outcome"] = SATISFACTORY
    frame.loc[(frame["status"] == "awaiting").to_numpy(), "cell_outcome"] = AWAITING
    frame["evidence"] = _evidence(frame)
    keys = ["learner", "unit", "criterion"]
    out = frame.groupby(keys, sort=False).agg(outcome=("cell_outcome", _combine),
                                              evidence=("evidence", lambda e: "; ".join(x for x in e if x)))
    out = out.reset_index()
    none = out["evidence"] == ""
    out.loc[none, "outcome"] = NOT_YET
    out.loc[none, "evidence"] = "no task evidences this item"
    for unit_code in out["unit"].unique():
        for item_id, kind in _rto_items(unit_code).items():
            rows = ((out["unit"] == unit_code) & (out["criterion"] == item_id)).to_numpy()
            outcome, evidence = rto.decide(kind)
            out.loc[rows, "outcome"], out.loc[rows, "evidence"] = outcome, evidence
    out = pd.concat([out, _equivalent_units(out)], ignore_index=True)
    out = pd.concat([out, _declaration_rows(out, g, tagged, declarations or {})], ignore_index=True)
    return _with_unit_rows(out)


def read_declarations(submitted: Path, pairs) -> dict[tuple[str, str], tuple[bool, str]]:
    """``{(learner, assignment): (signed, reason)}`` from ``submitted/<learner>/<assignment>/``."""
    from helpers.course.declaration import read_declaration

    out = {}
    for learner, assignment in pairs:
        found = read_declaration(Path(submitted) / learner / assignment, learner, assignment)
        out[(learner, assignment)] = (found.signed, found.reason)
    return out


def _declaration_rows(out: pd.DataFrame, g: pd.DataFrame, tagged: pd.DataFrame, declarations) -> pd.DataFrame:
    """One ``declaration`` row per (learner, unit): Satisfactory only when every assignment the learner
    has grades in that evidences the unit (or the unit it follows through equivalence) is signed."""
    by_unit: dict[str, set[str]] = {}
    for task, unit in zip(tagged["task"], tagged["unit"]):
        by_unit.setdefault(unit, set()).add(task.split("/", 1)[0])
    for (old, _), targets in equivalences().items():
        for new, _ in targets:
            by_unit.setdefault(old, set()).update(by_unit.get(new, set()))
    graded = g.groupby("learner")["assignment"].agg(set).to_dict()
    rows = []
    for learner, unit in out[["learner", "unit"]].drop_duplicates().itertuples(index=False):
        wanted = sorted(by_unit.get(unit, set()) & graded.get(learner, set()))
        found = [declarations.get((learner, a), (False, f"no learner declaration submitted ({a}/declaration.md)"))
                 for a in wanted]
        signed = bool(found) and all(ok for ok, _ in found)
        reason = "; ".join(why for _, why in found) or "no assignment of this unit was submitted"
        rows.append((learner, unit, DECLARATION_ROW, SATISFACTORY if signed else NOT_YET, reason))
    return pd.DataFrame(rows, columns=COLUMNS)


def _evidence(frame: pd.DataFrame) -> pd.Series:
    task = frame["task"].fillna("")
    score = frame["score"].map(lambda v: f"{v:g}", na_action="ignore")
    points = frame["max_score"].map(lambda v: f"{v:g}", na_action="ignore")
    text = task + " " + score.fillna("") + "/" + points.fillna("")
    text = text.where(frame["status"] != "awaiting", task + " awaiting the assessor")
    text = text.where(frame["score"].notna() | (task == ""), task + " not submitted")
    return text.where(task != "", "")


def _equivalent_units(out: pd.DataFrame) -> pd.DataFrame:
    """Rows of units that follow from assessed ones through the equivalence lineage."""
    mapping = pd.DataFrame([(u, i, eu, ei) for (u, i), targets in equivalences().items() for eu, ei in targets],
                           columns=["unit", "criterion", "from_unit", "from_criterion"])
    assessed = set(out["unit"])
    rows = []
    for unit in all_units():
        if unit.code in assessed:
            continue
        links = mapping[mapping["unit"] == unit.code]
        sources = set(links["from_unit"]) & assessed
        if not sources:
            continue
        learners = sorted(set(out.loc[out["unit"].isin(sources), "learner"]))
        base = out.rename(columns={"unit": "from_unit", "criterion": "from_criterion"})
        grid = pd.DataFrame([(lr, unit.code, c) for lr in learners for c in _items(unit.code)],
                            columns=["learner", "unit", "criterion"])
        joined = grid.merge(links, on=["unit", "criterion"], how="left").merge(
            base, on=["learner", "from_unit", "from_criterion"], how="left")
        joined["via"] = (joined["from_unit"] + " " + joined["from_criterion"] + ": " + joined["outcome"]).fillna("")
        agg = joined.groupby(["learner", "unit", "criterion"], sort=False).agg(
            outcome=("outcome", lambda o: _combine(o.dropna()) if o.notna().any() else NOT_YET),
            evidence=("via", lambda v: "equivalent to " + "; ".join(x for x in v if x) if any(v) else
                      "no equivalent item in an assessed unit"))
        rows.append(agg.reset_index())
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)


def _with_unit_rows(out: pd.DataFrame) -> pd.DataFrame:
    order = {(u.code, i): n for n, (u, i) in enumerate((u, i) for u in all_units() for i in _items(u.code))}
    out = out.assign(_o=[order.get((u, c), 10**6) for u, c in zip(out["unit"], out["criterion"])])
    grp = out[out["criterion"] != DECLARATION_ROW].groupby(["learner", "unit"], sort=True)  # items only
    units = grp.agg(total=("outcome", "size"),
                    sat=("outcome", lambda o: int((o == SATISFACTORY).sum())),
                    awaiting=("outcome", lambda o: int((o == AWAITING).sum())),
                    failed=("criterion", lambda c: ", ".join(c[out.loc[c.index, "outcome"] == NOT_YET])))
    units = units.reset_index()
    units["criterion"] = UNIT_ROW
    unsigned = out[(out["criterion"] == DECLARATION_ROW) & (out["outcome"] != SATISFACTORY)]
    why = {(lr, u): e for lr, u, e in zip(unsigned["learner"], unsigned["unit"], unsigned["evidence"])}
    units["outcome"] = [COMPETENT if s == t and (lr, u) not in why else NOT_YET_COMPETENT
                        for s, t, lr, u in zip(units["sat"], units["total"], units["learner"], units["unit"])]
    units["evidence"] = [f"{s}/{t} items Satisfactory" + (f"; {a} awaiting the assessor" if a else "")
                         + (f"; not yet: {f}" if f else "") + f"; {THRESHOLD_NOTE}"
                         for s, t, a, f in zip(units["sat"], units["total"], units["awaiting"], units["failed"])]
    units["evidence"] = [(f"learner declaration not signed ({why[(lr, u)]}); " if (lr, u) in why else "") + e
                         for lr, u, e in zip(units["learner"], units["unit"], units["evidence"])]
    units["_o"] = 10**7
    both = pd.concat([out, units[COLUMNS + ["_o"]]], ignore_index=True)
    return both.sort_values(["learner", "unit", "_o"], kind="stable")[COLUMNS].reset_index(drop=True)


def write_competency_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path
