"""Formative checks of BSBCUE602 element 2, *Collect data* (``notebooks/BSBCUE602/02_collect_data``).

They look at the shape and plausibility of an answer (columns, types, names that must come from the data,
the vocabulary of methods and fault classes) and at the content of free text (a collection problem names
the kind of problem that method really has, a strategy names a way of overcoming it); they never compute
the expected numbers. The trusted checks (``autograde/ccw_grader/bsbcue602_collection.py``) run these
first, then compare with a reference recomputed from the learner's own data and its ground truth.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from helpers.findings import Finding, Findings
from helpers.mis_accuracy import FAULT_KINDS

SOURCES = ("system", "agent", "customer")  # who supplies the content of a record
PROBLEM_METHODS = SOURCES + ("survey",)
CHANNELS = ("voice", "chat", "email", "callback")
RECONCILIATION_CHECKS = ("ivr_to_acd", "acd_to_calls", "handled_to_wrap", "received_to_replied")
CAUSES = ("none", "open_tickets") + FAULT_KINDS
EVENT_ID = re.compile(r"^E\d{6,}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What a real collection problem of each method is about, and what overcomes it (KE4). A problem or a
# strategy must name at least one of these (as a word stem), in a sentence of its own.
PROBLEM_WORDS = {
    "system": ("clock", "timestamp", "time stamp", "skew", "drift", "sync", "duplicat", "double", "twice",
                  "configur", "outage", "interface", "integration", "lost record", "not recorded"),
    "agent": ("miscod", "mis-cod", "wrong code", "wrong wrap", "incorrect", "missing", "skip", "blank",
                      "default", "inconsisten", "forget", "forgot", "not saved", "guess", "rush"),
    "customer": ("wrong option", "wrong key", "wrong menu", "misrout", "mis-rout", "press 0", "zero out",
                         "zero-out", "confus", "misunderst", "abandon", "first option", "speech recogni",
                         "hang up", "hang-up"),
    "survey": ("response rate", "non-response", "nonresponse", "bias", "few respond", "few customers respond",
               "unrepresentative", "not representative", "self-select", "extreme", "leading question",
               "low response"),
}
STRATEGY_WORDS = {
    "system": ("ntp", "network time", "synchron", "reconcil", "dedup", "de-dup", "unique", "audit", "test",
                  "monitor", "alert", "exception report"),
    "agent": ("audit", "mandatory", "required field", "compulsory", "training", "coach", "calibrat",
                      "validat", "drop-down", "dropdown", "pick list", "picklist", "fewer codes", "simplif",
                      "quality assurance", "qa "),
    "customer": ("menu design", "redesign", "simplif", "fewer options", "test", "usability", "speech",
                         "confirm", "plain language", "review", "analys"),
    "survey": ("remind", "follow-up", "follow up", "weight", "shorter", "short survey", "immediately", "incentive",
               "random", "representative", "stratif", "timing"),
}


_f = Finding.of  # one finding: full points when it passed


def _frame(name, value, columns, criterion) -> tuple[pd.DataFrame | None, Findings]:
    if not isinstance(value, pd.DataFrame):
        return None, Findings([_f(criterion, False, f"`{name}` should be a DataFrame, you gave a "
                                                    f"{type(value).__name__}", name)])
    frame = value.reset_index() if any(n is not None for n in value.index.names) else value
    missing = [c for c in columns if c not in frame.columns]
    return (None if missing else frame), Findings([_f(
        criterion, not missing, f"`{name}` has the columns {', '.join(columns)}" if not missing else
        f"`{name}` misses the column(s) {', '.join(missing)}", name)])


def _speaks(text, words) -> bool:
    t = f" {str(text).lower()} "
    return len(t.split()) >= 6 and any(w in t for w in words)


# ------------------------------------------------------------------------------------------ task 2.1
def collection_methods(answer, events: pd.DataFrame | None = None) -> Findings:
    """PC 2.1: one row per system and record type of the MIS, who supplies its content, how many records."""
    frame, fs = _frame("collection_methods", answer, ["system", "event", "content_source", "records"], "2.1")
    if frame is None:
        return fs
    bad = sorted({str(m) for m in frame["content_source"] if str(m) not in SOURCES})
    fs.append(_f("2.1", not bad, "every content source is one of " + ", ".join(SOURCES) if not bad else
                 f"unknown content source(s) {', '.join(bad[:3])}: use one of {', '.join(SOURCES)}",
                 "content_source"))
    counts = pd.to_numeric(frame["records"], errors="coerce")
    fs.append(_f("2.1", counts.notna().all() and (counts >= 0).all(), "record counts are numbers"
                 if counts.notna().all() else "`records` should hold whole numbers (counts)", "records"))
    if events is not None:
        want = set(map(tuple, events[["system", "event"]].drop_duplicates().astype(str).to_numpy()))
        got = set(map(tuple, frame[["system", "event"]].astype(str).to_numpy()))
        missing, extra = want - got, got - want
        fs.append(_f("2.1", not missing and not extra, "every record type of the MIS is listed once" if not
                     (missing or extra) else
                     (f"{len(missing)} record type(s) written by the systems are missing" if missing else "")
                     + ("; " if missing and extra else "")
                     + (f"{len(extra)} row(s) name no record type of mis_events" if extra else ""), "coverage"))
    return fs


def collection_problems(answer) -> Findings:
    """PC 2.1, KE4: for each way data is supplied (system, agent, customer, survey), its typical problem and a
    strategy that overcomes it."""
    if not isinstance(answer, Mapping):
        return Findings([_f("2.1", False, "`collection_problems` should be a dict: source -> {'problem', "
                                          "'strategy'}")])
    fs = Findings()
    missing = [m for m in PROBLEM_METHODS if not isinstance(answer.get(m), Mapping)]
    fs.append(_f("2.1", not missing, "system, agent, customer and survey each have a problem and a strategy" if not missing else
                 f"give a dict with 'problem' and 'strategy' for: {', '.join(missing)}"))
    for method in PROBLEM_METHODS:
        entry = answer.get(method)
        if not isinstance(entry, Mapping):
            continue
        fs.append(_f("2.1", _speaks(entry.get("problem"), PROBLEM_WORDS[method]),
                     f"{method}: the problem is one this way of collecting really has" if _speaks(
                         entry.get("problem"), PROBLEM_WORDS[method]) else
                     f"{method}: describe, in a sentence, a problem typical of data supplied this way "
                     "(what goes wrong with the records it produces)", method))
        fs.append(_f("2.1", _speaks(entry.get("strategy"), STRATEGY_WORDS[method]),
                     f"{method}: the strategy overcomes that kind of problem" if _speaks(
                         entry.get("strategy"), STRATEGY_WORDS[method]) else
                     f"{method}: describe, in a sentence, a control that prevents or detects that problem", method))
    return fs


# ------------------------------------------------------------------------------------------ task 2.2
def reconciliation(answer) -> Findings:
    """PC 2.2: the four reconciliations, counts from both systems, the gap and its cause."""
    frame, fs = _frame("reconciliation", answer, ["check", "count_a", "count_b", "gap", "cause"], "2.2")
    if frame is None:
        return fs
    checks = set(map(str, frame["check"]))
    missing = [c for c in RECONCILIATION_CHECKS if c not in checks]
    fs.append(_f("2.2", not missing, "every reconciliation is there" if not missing else
                 f"missing reconciliation(s): {', '.join(missing)}", "check"))
    bad = sorted({str(c) for c in frame["cause"] if str(c) not in CAUSES})
    fs.append(_f("2.2", not bad, "every cause is a known cause" if not bad else
                 f"cause(s) {', '.join(bad[:3])} are not one of {', '.join(CAUSES)}", "cause"))
    a, b, g = (pd.to_numeric(frame[c], errors="coerce") for c in ("count_a", "count_b", "gap"))
    ok = a.notna().all() and b.notna().all() and g.notna().all() and bool(((a - b) == g).all())
    fs.append(_f("2.2", ok, "gap = count_a - count_b on every row" if ok else
                 "`gap` should be count_a - count_b (numbers) on every row", "gap"))
    return fs


def flagged_records(answer) -> Findings:
    """PC 2.2: record ids (mis_events.event_id) flagged per fault class, every class present."""
    if not isinstance(answer, Mapping):
        return Findings([_f("2.2", False, "`flagged_records` should be a dict: fault class -> list of event ids")])
    fs = Findings()
    missing = [k for k in FAULT_KINDS if k not in answer]
    extra = [str(k) for k in answer if k not in FAULT_KINDS]
    fs.append(_f("2.2", not missing and not extra, "one list per fault class" if not (missing or extra) else
                 (f"missing fault class(es): {', '.join(missing)}" if missing else "")
                 + ("; " if missing and extra else "")
                 + (f"unknown class(es): {', '.join(extra[:3])} (use {', '.join(FAULT_KINDS)})" if extra else "")))
    for kind in FAULT_KINDS:
        ids = answer.get(kind)
        if ids is None:
            continue
        if isinstance(ids, (str, bytes, Mapping)) or not hasattr(ids, "__iter__"):
            fs.append(_f("2.2", False, f"{kind}: give a list of event ids", kind))
            continue
        ids = list(ids)
        odd = [i for i in ids if not EVENT_ID.match(str(i).strip())]
        fs.append(_f("2.2", not odd, f"{kind}: {len(ids)} event id(s)" if not odd else
                     f"{kind}: {len(odd)} item(s) are not event ids such as E00000001", kind))
    return fs


def clock_skew(answer) -> Findings:
    """PC 2.2: each skewed system clock, the days it was off, and its offset in seconds."""
    if not isinstance(answer, list) or not all(isinstance(r, Mapping) for r in answer):
        return Findings([_f("2.2", False, "`clock_skew` should be a list of dicts with 'system', 'days', "
                                          "'offset_s' (one per skewed system)")])
    fs = Findings()
    for i, r in enumerate(answer):
        days = r.get("days")
        good_days = isinstance(days, list) and days and all(DATE.match(str(d)) for d in days)
        off = r.get("offset_s")
        good_off = isinstance(off, (int, float)) and not isinstance(off, bool) and off == off
        fs.append(_f("2.2", isinstance(r.get("system"), str) and good_days and good_off,
                     f"row {i}: system, days and offset given" if good_days and good_off else
                     f"row {i}: give 'system', 'days' (a list of 'YYYY-MM-DD') and 'offset_s' (seconds, signed)",
                     "shape"))
    fs.append(_f("2.2", bool(answer), f"{len(answer)} skewed clock(s) reported" if answer else
                 "no skewed clock reported"))
    return fs


def wrap_code_quality(answer) -> Findings:
    """PC 2.2: completeness and accuracy of wrap codes (qualitative data) per channel, against the standard."""
    cols = ["channel", "records", "saved", "completeness", "correct", "accuracy", "meets_standard"]
    frame, fs = _frame("wrap_code_quality", answer, cols, "2.2")
    if frame is None:
        return fs
    odd = sorted({str(c) for c in frame["channel"] if str(c) not in CHANNELS})
    fs.append(_f("2.2", not odd, "channels are channels of handled contacts" if not odd else
                 f"unknown channel(s): {', '.join(odd)}", "channel"))
    shares = pd.concat([pd.to_numeric(frame[c], errors="coerce") for c in ("completeness", "accuracy")])
    fs.append(_f("2.2", shares.between(0, 1).all(), "completeness and accuracy are fractions" if
                 shares.between(0, 1).all() else "completeness and accuracy should be fractions between 0 and 1",
                 "fractions"))
    fs.append(_f("2.2", frame["meets_standard"].map(lambda v: isinstance(v, bool) or str(v) in ("True", "False"))
                 .all(), "meets_standard is True/False", "meets_standard"))
    return fs


# ------------------------------------------------------------------------------------------ task 2.3
SEGMENT_COLUMNS = {
    "wfm_intervals": ["interval", "queue", "offered", "answered", "abandoned"],
    "ops_daily": ["date", "channel", "offered", "handled", "resolved"],
    "sales_weekly": ["week", "queue", "sales", "no_sales", "conversion"],
}


def segmented(name: str, answer) -> Findings:
    """PC 2.3: one of the segmented tables with its columns, time keys as dates/times."""
    frame, fs = _frame(name, answer, SEGMENT_COLUMNS[name], "2.3")
    if frame is None:
        return fs
    key = SEGMENT_COLUMNS[name][0]
    ok = pd.api.types.is_datetime64_any_dtype(frame[key])
    fs.append(_f("2.3", ok, f"`{name}.{key}` holds dates/times" if ok else
                 f"`{name}.{key}` should hold dates/times (pandas datetime), not {frame[key].dtype}", key))
    dup = int(frame.duplicated(SEGMENT_COLUMNS[name][:2]).sum())
    fs.append(_f("2.3", dup == 0, f"`{name}`: one row per {key} and {SEGMENT_COLUMNS[name][1]}" if not dup else
                 f"`{name}`: {dup} duplicated {key}/{SEGMENT_COLUMNS[name][1]} row(s)", "rows"))
    return fs
