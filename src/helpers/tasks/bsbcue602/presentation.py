"""Formative checks of BSBCUE602 element 4 (``04_present_information``): prepare and present information.

They look at the shape of an answer (keys, types, names from the case study, words of the interview's
vocabulary) and whether the interview transcript is a real one; they never compute the expected needs or
numbers. The trusted checks (``autograde/ccw_grader/bsbcue602_reporting.py``) run these first, then compare
the answer with the needs the learner's own interview revealed and with their own data.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers import information_needs as info
from helpers.findings import Finding, Findings

LEVELS = tuple(info.LEVELS)
SHORT_TERM_LEVELS = ("interval", "daily")
LONG_TERM_LEVELS = ("monthly", "quarterly")
SHORT_TERM_COLUMNS = ("period_start", "queue", "offered", "answered", "abandoned", "service_level", "aht_s")
LONG_TERM_VALUES = ("offered", "answered", "abandoned", "service_level", "aht_s")


_f = Finding.of  # one finding: full points when it passed


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x


def _words(text) -> int:
    return len(text.split()) if isinstance(text, str) else 0


def transcript(log, ds, criterion: str) -> Findings:
    """The interview transcript is the one the stakeholders gave (replayed on a fresh interview)."""
    result = info.replay(log, ds)
    return Findings([_f(criterion, result["authentic"],
                        f"the transcript records your {result['entries']} question(s) and confirmation(s)"
                        if result["authentic"] else "; ".join(result["problems"][:2]), "interview_log")])


# ---------------------------------------------------------------------------------- task 4.1
def users(answer, cs) -> Findings:
    """PC 4.1: a dict of stakeholder name -> {"level", "uses", "measures"} with names, levels and measures known."""
    if not isinstance(answer, Mapping) or not answer or not all(isinstance(v, Mapping) for v in answer.values()):
        return Findings([_f("4.1", False, "`information_users` should be a dict: stakeholder name -> "
                                          "{'level': ..., 'uses': ..., 'measures': [...]}")])
    people = {s.name: s.level for s in cs.stakeholders}
    unknown = [n for n in answer if n not in people]
    fs = Findings([_f("4.1", not unknown, "names are stakeholders of the case study" if not unknown else
                      f"not stakeholders of the case study: {', '.join(map(str, unknown[:3]))}", "names")])
    bad_level = [n for n, v in answer.items() if v.get("level") not in ("centre", "enterprise", "external")]
    fs.append(_f("4.1", not bad_level, "each level is centre, enterprise or external" if not bad_level else
                 f"give the level (centre, enterprise or external) of: {', '.join(map(str, bad_level[:3]))}", "level"))
    thin = [n for n, v in answer.items() if _words(v.get("uses")) < 6]
    fs.append(_f("4.1", not thin, "each stakeholder's use of the information is described in a sentence" if not thin
                 else f"say in a sentence what these stakeholders use the information for: {', '.join(thin[:3])}",
                 "uses"))
    bad = sorted({str(m) for v in answer.values() for m in (v.get("measures") if isinstance(v.get("measures"),
                  (list, tuple)) else ["(not a list)"]) if m not in info.MEASURES})
    fs.append(_f("4.1", not bad, "measures are names from information_needs.MEASURES" if not bad else
                 f"unknown measures: {', '.join(bad[:3])} (use the names in information_needs.MEASURES)", "measures"))
    return fs


# ---------------------------------------------------------------------------------- task 4.2
def specs(answer, cs) -> Findings:
    """PC 4.2: a dict of stakeholder name -> presentation spec with every field from the vocabulary."""
    if not isinstance(answer, Mapping) or not answer or not all(isinstance(v, Mapping) for v in answer.values()):
        return Findings([_f("4.2", False, "`presentation_specs` should be a dict: stakeholder name -> {'measures', "
                                          "'level', 'horizon', 'segmentation', 'format', 'frequency'}")])
    people = {s.name for s in cs.stakeholders}
    unknown = [n for n in answer if n not in people]
    fs = Findings([_f("4.2", not unknown, "names are stakeholders of the case study" if not unknown else
                      f"not stakeholders of the case study: {', '.join(map(str, unknown[:3]))}", "names")])
    missing = [n for n, v in answer.items() if any(k not in v for k in info.SPEC_FIELDS)]
    fs.append(_f("4.2", not missing, "every spec has measures, level, horizon, segmentation, format and frequency"
                 if not missing else f"specs missing a field: {', '.join(map(str, missing[:3]))}", "fields"))
    vocab = {"level": info.LEVELS, "horizon": info.HORIZONS, "segmentation": info.SEGMENTATIONS,
             "format": info.FORMATS, "frequency": info.FREQUENCIES}
    wrong = []
    for n, v in answer.items():
        for k, allowed in vocab.items():
            if k in v and v[k] not in allowed:
                wrong.append(f"{n}: {k}")
        ms = v.get("measures")
        if "measures" in v and (not isinstance(ms, (list, tuple)) or not ms or any(m not in info.MEASURES for m in ms)):
            wrong.append(f"{n}: measures")
    fs.append(_f("4.2", not wrong, "every value is from the interview's vocabulary" if not wrong else
                 "use the vocabulary of information_needs (LEVELS, HORIZONS, SEGMENTATIONS, FORMATS, FREQUENCIES, "
                 f"MEASURES) for: {'; '.join(wrong[:3])}", "vocabulary"))
    odd = [n for n, v in answer.items() if v.get("level") in info.HORIZON_OF_LEVEL and v.get("horizon") in info.HORIZONS
           and info.HORIZON_OF_LEVEL[v["level"]] != v["horizon"]]
    fs.append(_f("4.2", not odd, "each horizon suits its level of detail" if not odd else
                 f"the horizon does not suit the level of detail for: {', '.join(odd[:3])}", "horizon"))
    return fs


# ---------------------------------------------------------------------------------- task 4.3
def _frame(name, table, needed, criterion) -> Findings:
    if not isinstance(table, pd.DataFrame):
        return Findings([_f(criterion, False, f"`{name}` should be a DataFrame, you gave a {type(table).__name__}",
                            name)])
    cols = set(map(str, table.columns)) | {str(n) for n in table.index.names if n is not None}
    missing = [c for c in needed if c not in cols]
    return Findings([_f(criterion, not missing, f"`{name}` has the columns needed" if not missing else
                        f"`{name}` is missing: {', '.join(missing)}", name)])


def short_term(report, table, cs) -> Findings:
    """PC 4.3: the short-term report names its audience and level; the table has the report's columns."""
    if not isinstance(report, Mapping):
        return Findings([_f("4.3", False, "`short_term_report` should be a dict with audience, level, worst_queue")])
    people = {s.name for s in cs.stakeholders}
    fs = Findings([
        _f("4.3", report.get("audience") in people, "the audience is a stakeholder of the case study", "audience"),
        _f("4.3", report.get("level") in SHORT_TERM_LEVELS, "the level is interval or daily (a short-term report)",
           "level"),
        _f("4.3", report.get("worst_queue") in cs.queue_names, "the queue furthest behind is a queue of the case study",
           "worst_queue"),
    ])
    return fs + _frame("short_term_table", table, SHORT_TERM_COLUMNS, "4.3")


def long_term(report, table, seasonality, cs) -> Findings:
    """PC 4.3: the long-term report names its audience, level and split; tables have the report's columns."""
    if not isinstance(report, Mapping):
        return Findings([_f("4.3", False, "`long_term_report` should be a dict with audience, level, by, growth, "
                                          "peak_month")])
    people = {s.name for s in cs.stakeholders}
    by = report.get("by")
    fs = Findings([
        _f("4.3", report.get("audience") in people, "the audience is a stakeholder of the case study", "audience"),
        _f("4.3", report.get("level") in LONG_TERM_LEVELS, "the level is monthly or quarterly (a long-term report)",
           "level"),
        _f("4.3", by in ("channel", "queue"), "the report is split by channel or by queue", "by"),
        _f("4.3", _is_number(report.get("growth")) and -1 < report["growth"] < 1,
           "`growth` is a fraction (0.04 for 4% more contacts than the year before)", "growth"),
        _f("4.3", isinstance(report.get("peak_month"), int) and 1 <= report["peak_month"] <= 12,
           "`peak_month` is a month number (1-12)", "peak_month"),
    ])
    fs += _frame("long_term_table", table, ("period_start", by if by in ("channel", "queue") else "channel")
                 + LONG_TERM_VALUES, "4.3")
    return fs + _frame("seasonality", seasonality, ("month", "seasonal_index"), "4.3")
