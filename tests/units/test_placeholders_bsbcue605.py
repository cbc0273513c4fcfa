"""Placeholders earn nothing (issue 13, "Shape-only checks decide criteria").

For every autograded cell of every BSBCUE605 notebook, the reference answer is computed in-process
(the source notebook's code cells run with their solutions, no kernel) on the practice dataset and
passed through the grader's own answer encoding (``helpers.course.answers``). Then:

* the reference answer earns full marks from the trusted check;
* a *placeholder* of the same shape earns zero: every free text in the answer (dict values, list items,
  table cells, YAML values of the contingency plan) is replaced by meaningless words with the same number
  of words. Keys, list lengths and types stay; numbers stay (they are checked against the data where the
  cell checks numbers); names the learner must take from the case study or the data (stakeholders, KPIs,
  segments, queues, range-statement strategies, defect kinds, contingency kinds and actions, record ids,
  frequencies, dates) stay too, so the placeholder is the strongest fake a learner could type without
  doing the work. Variants: ``all`` (every free text at once) and ``field:<key>`` (only the texts under
  one key, e.g. only the ``rule`` of each maintenance procedure), and for report criteria ``all_kpis``
  (every KPI for every stakeholder).

Cells whose answers hold no free text (numbers and tables only) are listed in NO_FREE_TEXT and only get
the full-marks test.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from placeholder_support import References, free_fields, placeholder, words
from placeholder_support import graded_code_cells as _graded_cells

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks" / "BSBCUE605").glob("0[1-9]*.ipynb"))
NO_FREE_TEXT = {"peak_staffing_check", "supply_chains_check", "defects_check", "monitor_check", "adjust_check",
                "kpi_service_check", "kpi_customer_check", "kpi_commercial_check"}
# answers graded in their own cell: another cell that reads them (the retention process delivers the 3.1
# and 3.2 strategies) is not where their free text is judged
GRADED_IN = {"framework": "framework_check", "marketing_proposal": "consensus_check",
             "after_sales_plan": "offer_response_check", "retention_strategies": "churn_check"}


CELLS = [(p.stem, gid) for p in NOTEBOOKS for gid in _graded_cells(p)]


def _criteria(path) -> dict[str, set[str]]:
    nb = nbformat.read(path, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: set(c.metadata.get("competency", {}).get("criteria", []))
            for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


CRITERIA = {gid: crit for p in NOTEBOOKS for gid, crit in _criteria(p).items()}


@pytest.fixture(scope="module")
def reference():
    return References(ROOT / "notebooks", "BSBCUE605").get


def _vocabulary(data, ns) -> "_Names":
    """Names a learner takes from the case study or the data: kept in placeholders."""
    from helpers import contingency, maintenance
    from helpers.tasks import bsbcue605 as checks
    ds, cs = data.ds, data.cs
    names = set(checks.KPI_NAMES) | set(checks.RETENTION_STRATEGIES) | set(checks.FREQUENCIES)
    names |= {s.name for s in cs.stakeholders} | {q.name for q in cs.queues} | {q.supply_chain for q in cs.queues}
    names |= set(map(str, ds.customers["segment"].unique())) | set(maintenance.DEFECT_KINDS)
    names |= set(contingency.ACTIONS) | set(contingency.SCENARIO_SYSTEMS) | {o.system for o in cs.outages}
    names |= {"met", "missed", "fraction", "seconds", "points", "AUD", "higher", "lower"}
    framework = ns.get("framework")
    if isinstance(framework, dict):
        names |= set(framework.get("principles", {}))
    return _Names(names)


_DATA_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2}([ T][\d:.]+)?|[A-Z]\d{5,}|every \d+ (working )?days?|quarterly|"
                        r"fortnightly|hourly|include \w+|exclude \w+)$")


class _Names(set):
    """The names a BSBCUE605 learner takes from the case study or the data; ``free`` is this unit's rule."""

    def free(self, text: str) -> bool:
        return text.strip() not in self and not _DATA_TEXT.match(text.strip()) and bool(text.strip())


STICKY = ("principles",)  # the framework's principles are named by the learner: judged as one field


def _fields(value, vocab) -> set[str]:
    """Keys under which the answer holds free text (a bare string has none)."""
    return free_fields(value, vocab, sticky=STICKY) - {None}


def _yaml_plan(text, vocab, field):
    return yaml.safe_dump(placeholder(yaml.safe_load(text), vocab, field, sticky=STICKY), sort_keys=False)


def _fake(gid, answers, vocab, field, data):
    fake = {}
    for name, value in answers.items():
        if name == "CONTINGENCY_PLAN":
            fake[name] = _yaml_plan(value, vocab, field)
        elif name in ("MARKETING_DDL", "ENHANCEMENT_SQL", "ELIGIBLE_EMAIL_QUERY"):
            fake[name] = words(value) if field is None else value
        else:
            fake[name] = placeholder(copy.deepcopy(value), vocab, field, sticky=STICKY)
    if gid == "consensus_check":  # an authentic transcript of the placeholder proposal
        from helpers.consultation import Consultation
        meeting = Consultation(data.ds)
        meeting.consult(fake["marketing_proposal"])
        fake["consultation_log"] = meeting.transcript
    return fake


def _free_fields(gid, answers, vocab) -> set[str]:
    out = set()
    for name, value in answers.items():
        if name == "CONTINGENCY_PLAN":
            out |= _fields(yaml.safe_load(value), vocab)
        elif name in ("MARKETING_DDL", "ENHANCEMENT_SQL", "ELIGIBLE_EMAIL_QUERY", "COLUMN_MAPPING"):
            continue
        elif name == "consultation_log":
            continue
        elif name in GRADED_IN and gid != GRADED_IN[name]:
            continue  # judged in its own cell (objectives read only the proposal's agreed targets)
        else:
            out |= _fields(value, vocab)
    return out


@pytest.mark.parametrize("stem,gid", CELLS, ids=[g for _, g in CELLS])
def test_reference_answer_earns_full_marks(stem, gid, reference, data):
    check, answers, _ = reference(stem, gid)
    fs = check.run(data, **answers)
    assert fs.all_passed, [f.message for f in fs if not f.passed]
    # the criteria are written once, in the cell's tag: every finding shown under the cell is one of them
    assert set(fs.criteria()) <= CRITERIA[gid], (gid, fs.criteria(), CRITERIA[gid])


def _variants():
    """(cell, variant) pairs: computed from the reference answers' free-text fields, listed statically."""
    fields = {
        "framework_check": ["name", "principles"],
        "consensus_check": ["offer"],
        "promotion_check": ["offer"],
        "objectives_check": ["objective"],
        "ddl_check": [], "load_check": [], "enhance_check": [],
        "procedures_check": ["task", "rule", "records_affected", "legal_basis"],
        "plan_check": ["trigger", "detection", "audience", "channel", "timing"],
        "offer_response_check": ["reason"],
        "churn_check": ["offer"],
        "process_check": ["step", "trigger"],
        "report_criteria_check": ["question", "says", "topic"],  # the interview transcript
        "report_check": ["headline"],
    }
    out = []
    for stem, gid in CELLS:
        if gid in NO_FREE_TEXT:
            continue
        # report criteria hold names only (stakeholders, KPIs): their fake is every KPI for every stakeholder
        base = ["all_kpis"] if gid == "report_criteria_check" else ["all"]
        for variant in base + [f"field:{f}" for f in fields[gid]]:
            out.append(pytest.param(stem, gid, variant, id=f"{gid}-{variant}"))
    return out


def test_every_cell_with_free_text_has_placeholder_variants(reference, data):
    listed = {p.values[1]: set() for p in _variants()}
    for p in _variants():
        listed[p.values[1]].add(p.values[2])
    for stem, gid in CELLS:
        check, answers, ns = reference(stem, gid)
        found = _free_fields(gid, answers, _vocabulary(data, ns))
        if gid in NO_FREE_TEXT:
            assert not found, f"{gid} holds free text {found}: give it placeholder variants"
        else:
            assert {f"field:{f}" for f in found} <= listed[gid], (gid, found)


@pytest.mark.parametrize("stem,gid,variant", _variants())
def test_placeholder_earns_nothing(stem, gid, variant, reference, data):
    check, answers, ns = reference(stem, gid)
    vocab = _vocabulary(data, ns)
    if variant == "all_kpis":
        from helpers.tasks import bsbcue605 as checks
        fake = {**answers, "report_criteria": {n: list(checks.KPI_NAMES) for n in answers["report_criteria"]}}
    else:
        field = variant.split(":", 1)[1] if variant.startswith("field:") else None
        fake = _fake(gid, answers, vocab, field, data)
    fs = check.run(data, **fake)
    assert not fs.all_passed, f"{gid} ({variant}) gives full marks to a placeholder"
