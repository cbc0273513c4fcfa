"""Formative checks of BSBCUE602 element 1 (``01_records_and_measurements``): the shape and plausibility of
each answer (columns, names that must come from the case study or the data, vocabularies). They never
compute the expected numbers; the trusted checks (``autograde/ccw_grader/bsbcue602_records.py``) run
them first and then compare with figures recomputed from the learner's own data.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from helpers import measurement
from helpers.vocabulary import MIS_SYSTEMS
from helpers.findings import Finding, Findings

KPI_NAMES = ("service_level", "abandonment_rate", "asa_s", "aht_s", "fcr", "csat", "nps", "conversion_rate",
             "retention_rate", "cost_per_contact_aud", "occupancy")
# cost and volume measures a budget line's need can name (besides the KPIs)
COST_MEASURES = ("spend_vs_budget_aud", "paid_hours", "agent_headcount", "contacts_handled", "calls_offered",
                 "overflow_calls", "licences_in_use", "training_hours", "surveys_completed", "campaign_spend_aud",
                 "cost_per_contact_aud")
MEASURES = tuple(dict.fromkeys(KPI_NAMES + COST_MEASURES))
FREQUENCIES = ("per contact", "intraday", "daily", "weekly", "monthly", "quarterly")


def sources_of_figures() -> tuple[str, ...]:
    """Where a need's figures can come from: the dataset's tables (the data contract) and the MIS systems. Read
    when a check needs it: the contract is read (and validated with pydantic) on first use, not on import."""
    from helpers.tables import TABLES

    return tuple(sorted(set(TABLES) | set(MIS_SYSTEMS)))


# where each KPI's figures come from (tables of the dataset or MIS systems)
KPI_SOURCES = {
    "service_level": {"calls", "mis_events", "journeys", "acd", "chat", "ticketing"},
    "abandonment_rate": {"calls", "mis_events", "journeys", "acd", "chat"},
    "asa_s": {"calls", "mis_events", "journeys", "acd"},
    "aht_s": {"calls", "mis_events", "acd", "crm"},
    "fcr": {"calls", "mis_events", "journeys", "crm"},
    "csat": {"surveys"}, "nps": {"surveys"},
    "conversion_rate": {"calls", "sales", "crm", "mis_events"},
    "retention_rate": {"customers", "crm"},
    "cost_per_contact_aud": {"budget", "shifts", "calls", "mis_events", "journeys"},
    "occupancy": {"shifts", "calls", "acd"},
}
# words a need's text uses when it says what decision the KPI informs
KPI_WORDS = {
    "service_level": ("answer", "wait", "queue", "within", "service level", "roster", "staff", "80"),
    "abandonment_rate": ("abandon", "hang", "wait", "queue", "lost", "staff", "roster"),
    "asa_s": ("answer", "wait", "speed"),
    "aht_s": ("handle", "handling", "wrap", "talk"),
    "fcr": ("resol", "first", "repeat", "coach", "fix"),
    "csat": ("satisf", "survey", "experience"),
    "nps": ("recommend", "promot", "loyal"),
    "conversion_rate": ("convert", "conversion", "sale", "sell", "cross-sell", "offer"),
    "retention_rate": ("retain", "retention", "churn", "keep", "leave"),
    "cost_per_contact_aud": ("cost", "spend", "budget", "efficien", "contact"),
    "occupancy": ("occupan", "busy", "roster", "staff"),
}
BUDGET_WORDS = ("budget", "spend", "cost", "forecast", "variance", "over", "under", "plan", "overrun", "saving")
STATUSES = ("over", "under", "on plan")
MATERIALITY = 0.01  # a variance within 1 % of the budget to date is on plan
PATHWAY_STEPS = ("ivr_menu", "ivr_self_service", "queue_call", "chat", "email", "outbound_call")
METHODS = ("automatic", "agent-entered")
FAULT_KINDS = ("miscoded_disposition", "missing_wrap_code", "clock_skew", "double_counted_transfer")
CLOCK_TOLERANCE_S = 5.0
TEST_COLUMNS = ["contact_id", "pathway", "expected_records", "recorded_records", "expected_codes",
                "recorded_codes", "clock_error_s", "passed", "fault"]
STEP_COLUMNS = ["step", "system", "event", "method", "steps", "records", "steps_without_record"]
REQUIRED_MEASURES = ("voice_service_level", "voice_abandonment", "voice_aht_s", "chat_service_level",
                     "email_within_24h", "ivr_containment", "callbacks_connected")


_f = Finding.of  # one finding: full points when it passed


def _none(criterion, problems: list, good: str, problem: str, item=None) -> Finding:
    return _f(criterion, not problems, good if not problems else f"{problem}: {', '.join(map(str, problems[:3]))}",
              item)


def _words(text) -> list[str]:
    return re.findall(r"[a-z][a-z'-]+", str(text).lower())


def speaks_of(text, words, minimum: int = 6) -> bool:
    """The text is a sentence (``minimum`` words or more) that uses at least one of ``words``."""
    t = str(text).lower()
    return len(_words(t)) >= minimum and any(w in t for w in words)


def _listed(x) -> list[str]:
    if isinstance(x, str):
        return [s.strip() for s in x.split(",") if s.strip()]
    if isinstance(x, (list, tuple)):
        return [str(s).strip() for s in x if str(s).strip()]
    return []


def _frame(name, value, columns, criterion) -> tuple[pd.DataFrame | None, Findings]:
    if not isinstance(value, pd.DataFrame):
        return None, Findings([_f(criterion, False, f"`{name}` should be a DataFrame, you gave a "
                                                    f"{type(value).__name__}", name)])
    df = value.reset_index() if any(n in columns for n in value.index.names if n) else value
    missing = [c for c in columns if c not in df.columns]
    return df, Findings([_f(criterion, not missing, f"`{name}` has the columns {', '.join(columns)}" if not missing
                            else f"`{name}` misses the column(s) {', '.join(missing)}", name)])


# ---------------------------------------------------------------------------------- task 1.1
def need_subject_words(serves: str, cs) -> tuple[str, ...]:
    """Words a need about ``serves`` (an objective id or a budget line) is expected to use."""
    obj = {o.id: o for o in cs.objectives}
    if serves in obj:
        o = obj[serves]
        own = tuple(w for w in _words(o.text) if len(w) >= 5)
        return own + KPI_WORDS.get(o.kpi or "", ())
    return tuple(w for w in _words(serves) if len(w) >= 4) + BUDGET_WORDS


def information_needs(needs, cs, budget_lines) -> Findings:
    """PC 1.1: one need per row (serves, need, measure, source, frequency, users); names from the case study,
    the data dictionary and the MIS; each need says in words what it informs."""
    keys = ("serves", "need", "measure", "source", "frequency", "users")
    if not isinstance(needs, (list, tuple)) or not all(isinstance(r, Mapping) for r in needs):
        return Findings([_f("1.1", False, "`information_needs` should be a list of dicts, one per need", "needs")])
    bad = [i for i, r in enumerate(needs) if any(r.get(k) in (None, "", []) for k in keys)
           or not all(isinstance(r.get(k), str) for k in ("serves", "need", "measure", "frequency"))]
    fs = Findings([_none("1.1", bad, f"every need has {', '.join(keys)}",
                         f"give every row {', '.join(keys)} (serves, need, measure and frequency as text; source "
                         "and users as text or a list); not yet in row(s)", "needs")])
    rows = [r for i, r in enumerate(needs) if i not in bad]
    known = {o.id for o in cs.objectives} | set(budget_lines)
    fs.append(_none("1.1", [r["serves"] for r in rows if r["serves"] not in known],
                    "each need serves an objective (OBJ-n) or a budget line of the budget table",
                    "not an objective id or budget line", "serves"))
    fs.append(_none("1.1", [r["measure"] for r in rows if r["measure"] not in MEASURES],
                    "measures are KPI names or cost/volume measures", f"unknown measures (use one of "
                    f"{', '.join(MEASURES)})", "measure"))
    sources = sources_of_figures()
    fs.append(_none("1.1", [s for r in rows for s in _listed(r["source"]) if s not in sources] +
                    [r["serves"] for r in rows if not _listed(r["source"])],
                    "sources are tables of the dataset or MIS systems",
                    "unknown sources (name tables of the data dictionary or the systems acd, ivr, chat, "
                    "ticketing, crm)", "source"))
    fs.append(_none("1.1", [r["frequency"] for r in rows if r["frequency"] not in FREQUENCIES],
                    "frequencies are from the list", f"use one of {', '.join(FREQUENCIES)}", "frequency"))
    people = {s.name for s in cs.stakeholders}
    fs.append(_none("1.1", [u for r in rows for u in _listed(r["users"]) if u not in people] +
                    [r["serves"] for r in rows if not _listed(r["users"])],
                    "users are stakeholders of the case study", "not stakeholders of the case study", "users"))
    vague = [r["serves"] for r in rows if str(r["serves"]) in known
             and not speaks_of(r["need"], need_subject_words(str(r["serves"]), cs))]
    fs.append(_none("1.1", vague, "each need says what decision it informs, in words about what it serves",
                    "say in a sentence what the need informs for", "need"))
    return fs


def budget_variance(table) -> Findings:
    """PC 1.1: one row per budget line with budget, actual and variance to date (AUD) and over/under/on plan."""
    df, fs = _frame("budget_variance", table, ["line", "budget_aud", "actual_aud", "variance_aud", "status"], "1.1")
    if df is None or not fs.all_passed:
        return fs
    fs.append(_none("1.1", sorted(set(map(str, df["status"])) - set(STATUSES)), "status is over, under or on plan",
                    "status should be 'over', 'under' or 'on plan', not", "status"))
    num = [c for c in ("budget_aud", "actual_aud", "variance_aud") if not pd.api.types.is_numeric_dtype(df[c])]
    fs.append(_none("1.1", num, "amounts are numbers (AUD)", "not numeric", "budget_variance"))
    return fs


# ---------------------------------------------------------------------------------- task 1.2
def pathways(table) -> Findings:
    """PC 1.2: one row per pathway (steps joined with ' > '), with contacts and share of contacts."""
    df, fs = _frame("pathways", table, ["pathway", "contacts", "share"], "1.2")
    if df is None or not fs.all_passed:
        return fs
    odd = [p for p in df["pathway"] if any(s not in PATHWAY_STEPS for s in str(p).split(" > "))]
    fs.append(_none("1.2", odd, "pathways are steps of journeys.step joined with ' > '",
                    "write pathways as steps joined with ' > ', e.g. 'ivr_menu > queue_call'", "pathway"))
    if pd.api.types.is_numeric_dtype(df["share"]):
        fs.append(_f("1.2", df["share"].between(0, 1).all() and float(df["share"].sum()) <= 1 + 1e-9,
                     "shares are fractions of all contacts (0-1)", "share"))
    return fs


# ---------------------------------------------------------------------------------- task 1.3
def step_measurements(table) -> Findings:
    """PC 1.3: one row per step × system × record, its method and the counts found in the data."""
    df, fs = _frame("step_measurements", table, STEP_COLUMNS, "1.3")
    if df is None or not fs.all_passed:
        return fs
    fs.append(_none("1.3", [s for s in df["system"] if s not in measurement.SYSTEMS], "systems are MIS systems",
                    "unknown systems", "system"))
    fs.append(_none("1.3", [m for m in df["method"] if m not in METHODS], "methods are automatic or agent-entered",
                    "unknown methods", "method"))
    return fs


# ---------------------------------------------------------------------------------- task 1.4
def mis_spec(spec) -> Findings:
    """PC 1.4: the specification is valid and defines every required measure."""
    try:
        valid = measurement.validate(spec)
    except measurement.MeasurementSpecError as exc:
        return Findings([_f("1.4", False, str(exc), "mis_spec")])
    missing = [m for m in REQUIRED_MEASURES if m not in valid]
    return Findings([_f("1.4", True, "the specification is valid", "mis_spec"),
                     _none("1.4", missing, "every required measure is specified", "not specified", "mis_spec")])


# ---------------------------------------------------------------------------------- task 1.5
def measurement_tests(table) -> Findings:
    """PC 1.5: one row per test contact with expected and recorded measurements, pass/fail and fault kind."""
    df, fs = _frame("measurement_tests", table, TEST_COLUMNS, "1.5")
    if df is None or not fs.all_passed:
        return fs
    fs.append(_f("1.5", pd.api.types.is_bool_dtype(df["passed"]), "`passed` is True/False", "passed"))
    faults = [x for x in df["fault"] if isinstance(x, str) and x and x not in FAULT_KINDS]
    fs.append(_none("1.5", faults, "fault kinds are from the list", f"use one of {', '.join(FAULT_KINDS)}",
                    "fault"))
    if pd.api.types.is_bool_dtype(df["passed"]):
        unexplained = df.loc[~df["passed"] & ~df["fault"].isin(FAULT_KINDS), "contact_id"].tolist()
        fs.append(_none("1.5", unexplained, "every failing test names the fault it reveals",
                        "failing tests without a fault kind", "fault"))
        fs.append(_f("1.5", (~df["passed"]).any(), "some tests fail (a test set that never fails tests nothing)",
                     "passed"))
    return fs
