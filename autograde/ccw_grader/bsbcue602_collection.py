"""Trusted checks of BSBCUE602 element 2, *Collect data* (grader side only; see :mod:`ccw_grader.registry`).

Each check runs the formative check of :mod:`helpers.tasks.bsbcue602.collection` first (a malformed answer
fails with the message the learner already saw), then recomputes the expected result from the learner's
own ``mis_events``, ``journeys`` and ``calls`` and from the ground truth of the faults injected into that
learner's MIS records (``data.measurement_faults()``). Messages never reveal expected numbers or ids.
"""
from __future__ import annotations

import re

import pandas as pd

from helpers.findings import Finding, Findings
from helpers.grading import check_set, check_table
from helpers.mis_accuracy import FAULT_KINDS, meets_standard, standard
from helpers.tasks.bsbcue602 import collection as checks

from ccw_grader.learner_data import per_learner
from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE602")
MIN_PRECISION = 0.9   # per fault class: at least 90 % of the records flagged are faulty ...
MIN_RECALL = 0.9      # ... and at least 90 % of the faulty records are flagged
OFFSET_TOL_S = 5.0    # a clock offset estimate within 5 s (or 5 %) of the real one
TABLE_REL_TOL = 0.002  # segmented counts within 0.2 % (the faults left in move them by more)
SKEW = re.compile(r"^(\w+) clock ([+-]?\d+(?:\.\d+)?) s")


_f = Finding.of  # one finding: full points when it passed


# ------------------------------------------------------------------------------ ground truth helpers
@per_learner
def _faults(data) -> pd.DataFrame:
    f = data.measurement_faults()
    return f[f["table"] == "mis_events"]


@per_learner
def skews(data) -> list[dict]:
    """The skewed clocks of the learner's MIS: system, the days with skewed records, offset in seconds."""
    f = _faults(data)
    f = f[f["kind"] == "clock_skew"]
    if f.empty:
        return []
    ev = data.table("mis_events").set_index("event_id")
    out = []
    for detail, group in f.groupby("detail"):
        m = SKEW.match(str(detail))
        system, offset = m.group(1), float(m.group(2))
        true_time = ev.loc[group["record_id"], "recorded_at"] - pd.Timedelta(seconds=offset)
        out.append({"system": system, "offset_s": offset,
                    "days": sorted({d.strftime("%Y-%m-%d") for d in true_time})})
    return out


@per_learner
def corrected_events(data) -> pd.DataFrame:
    """``mis_events`` with every injected fault corrected: duplicates dropped, clocks set right, the true wrap
    code restored."""
    ev = data.table("mis_events")
    f = _faults(data)
    ev = ev[~ev["event_id"].isin(f.loc[f["kind"] == "double_counted_transfer", "record_id"])].copy()
    skew = f[f["kind"] == "clock_skew"]
    offsets = skew["detail"].map(lambda d: float(SKEW.match(str(d)).group(2)))
    shift = pd.to_timedelta(ev["event_id"].map(dict(zip(skew["record_id"], offsets))).fillna(0.0).astype(float),
                            unit="s")
    ev["recorded_at"] = ev["recorded_at"] - shift.to_numpy()
    codes = f[f["kind"].isin(["miscoded_disposition", "missing_wrap_code"])]
    true_code = dict(zip(codes["record_id"], codes["detail"].str.extract(r"true code (\w+)")[0]))
    fix = ev["event_id"].isin(true_code.keys())
    ev.loc[fix, "value"] = ev.loc[fix, "event_id"].map(true_code)
    return ev


def segment_tables(ev: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three segmented tables of Task 2.3 from (corrected) MIS records."""
    off = ev[ev["event"] == "call_offered"].copy()
    off["interval"] = off["recorded_at"].dt.floor("30min")
    off["offered"] = 1
    off["answered"] = (off["value"] == "answered").astype("int64")
    off["abandoned"] = (off["value"] == "abandoned").astype("int64")
    wfm = off.groupby(["interval", "queue"])[["offered", "answered", "abandoned"]].sum().reset_index()

    c = ev[ev["channel"] != "ivr"].copy()
    c["date"] = c["recorded_at"].dt.normalize()
    event, value = c["event"].astype(str), c["value"].astype(object)
    c["offered"] = event.isin(["call_offered", "chat_session", "email_received", "outbound_call"]).astype("int64")
    c["handled"] = ((event.isin(["call_offered", "chat_session"]) & (value == "answered"))
                    | (event == "email_replied") | ((event == "outbound_call") & (value == "connected"))).astype("int64")
    c["resolved"] = ((event == "wrap_code") & (value == "resolved")).astype("int64")
    ops = c.groupby(["date", "channel"])[["offered", "handled", "resolved"]].sum().reset_index()

    w = ev[(ev["event"] == "wrap_code") & ev["value"].isin(["sale", "no_sale"])].copy()
    w["week"] = w["recorded_at"].dt.to_period("W-SUN").dt.start_time
    w["sales"] = (w["value"] == "sale").astype("int64")
    w["no_sales"] = (w["value"] == "no_sale").astype("int64")
    sales = w.groupby(["week", "queue"])[["sales", "no_sales"]].sum().reset_index()
    sales["conversion"] = sales["sales"] / (sales["sales"] + sales["no_sales"])
    for t in (wfm, ops, sales):
        for col in ("queue", "channel"):
            if col in t:
                t[col] = t[col].astype(str)
    return {"wfm_intervals": wfm, "ops_daily": ops, "sales_weekly": sales}


def _text_keys(frame: pd.DataFrame, cols) -> pd.DataFrame:
    frame = frame.reset_index() if any(n is not None for n in frame.index.names) else frame.copy()
    for c in cols:
        if c in frame:
            frame[c] = frame[c].astype(str)
    return frame


# ------------------------------------------------------------------------------------------ task 2.1
@CHECKS.check("collection_methods_check", "collection_methods")
def collection_methods_check(data, collection_methods) -> Findings:
    """PC 2.1: every record type of the MIS (system, event) with who supplies its content (the agent for wrap codes,
    the customer's choices for IVR sessions, the system otherwise) and its record count in the learner's
    mis_events."""
    ev = data.table("mis_events")
    fs = checks.collection_methods(collection_methods, ev)
    if not fs.all_passed:
        return fs
    expected = ev.groupby(["system", "event"]).size().rename("records").reset_index()
    expected["system"], expected["event"] = expected["system"].astype(str), expected["event"].astype(str)
    expected["content_source"] = expected["event"].map({"wrap_code": "agent",
                                                        "ivr_session": "customer"}).fillna("system")
    answer = _text_keys(collection_methods, ["system", "event", "content_source"])
    answer["content_source"] = answer["content_source"].str.strip().str.lower()
    return fs + [check_table("collection_methods", answer, expected, key=["system", "event"],
                             columns=["content_source"], criterion="2.1"),
                 check_table("collection_methods", answer, expected, key=["system", "event"], columns=["records"],
                             rel_tol=0, abs_tol=0, criterion="2.1")]


@CHECKS.check("collection_problems_check", "collection_problems")
def collection_problems_check(data, collection_problems) -> Findings:
    """PC 2.1, KE4: for data supplied by the system, agents, customers and surveys, a typical collection problem
    and a strategy that overcomes it, judged by content."""
    return checks.collection_problems(collection_problems)


# ------------------------------------------------------------------------------------------ task 2.2
@per_learner
def expected_reconciliation(data) -> pd.DataFrame:
    ev, calls = data.table("mis_events"), data.table("calls")
    event, value = ev["event"].astype(str), ev["value"].astype(object)
    offered = ev[event == "call_offered"]
    unique = offered.drop_duplicates("call_id")
    rows = [
        ("ivr_to_acd", int(((event == "ivr_session")
                            & value.isin(["routed", "redirected_no_menu", "self_service_failed"])).sum()), len(offered)),
        ("acd_to_calls", len(offered), int((calls["outcome"] != "lost").sum())),
        ("handled_to_wrap", int((unique["value"] == "answered").sum()
                                + ((event == "chat_session") & (value == "answered")).sum()
                                + (event == "email_replied").sum()
                                + ((event == "outbound_call") & (value == "connected")).sum()),
         int(((event == "wrap_code") & ev["value"].notna()).sum())),
        ("received_to_replied", int((event == "email_received").sum()), int((event == "email_replied").sum())),
    ]
    out = pd.DataFrame(rows, columns=["check", "count_a", "count_b"])
    out["gap"] = out["count_a"] - out["count_b"]
    cause = {"ivr_to_acd": "double_counted_transfer", "acd_to_calls": "double_counted_transfer",
             "handled_to_wrap": "missing_wrap_code", "received_to_replied": "open_tickets"}
    out["cause"] = [cause[c] if g else "none" for c, g in zip(out["check"], out["gap"])]
    return out


@CHECKS.check("reconciliation_check", "reconciliation")
def reconciliation_check(data, reconciliation) -> Findings:
    """PC 2.2: the four reconciliations (IVR to ACD, ACD to calls, handled contacts to wrap codes, e-mails received
    to replied) counted exactly from the learner's data, each gap put down to its real cause."""
    fs = checks.reconciliation(reconciliation)
    if not fs.all_passed:
        return fs
    expected = expected_reconciliation(data)
    answer = _text_keys(reconciliation, ["check", "cause"])
    answer = answer[answer["check"].isin(expected["check"])]
    fs.append(check_table("reconciliation", answer, expected, key="check", columns=["count_a", "count_b", "gap"],
                          rel_tol=0, abs_tol=0, criterion="2.2"))
    got = dict(zip(answer["check"], answer["cause"].str.strip()))
    wrong = [c for c, cause in zip(expected["check"], expected["cause"]) if got.get(c) != cause]
    fs.append(_f("2.2", not wrong, "every gap is put down to its cause" if not wrong else
                 f"the cause of the gap is not right for: {', '.join(wrong)}", "cause"))
    return fs


@CHECKS.check("accuracy_check", "flagged_records")
def accuracy_check(data, flagged_records) -> Findings:
    """PC 2.2: the MIS records flagged per fault class (mis-coded and missing wrap codes, clock skew, double-counted
    transfers) against the faults injected into the learner's records: precision and recall of at least 90 %
    in every class."""
    fs = checks.flagged_records(flagged_records)
    if not fs.all_passed:
        return fs
    truth = _faults(data)
    for kind in FAULT_KINDS:
        want = truth.loc[truth["kind"] == kind, "record_id"].astype(str)
        fs.append(check_set(kind, [str(i).strip() for i in flagged_records[kind]], want, criterion="2.2",
                            min_precision=MIN_PRECISION, min_recall=MIN_RECALL))
    return fs


@CHECKS.check("clock_skew_check", "clock_skew")
def clock_skew_check(data, clock_skew) -> Findings:
    """PC 2.2: every skewed system clock named, with the days it was off and its offset (within 5 s or 5 %),
    estimated from the learner's own linked records."""
    fs = checks.clock_skew(clock_skew)
    if not fs.all_passed:
        return fs
    expected = {s["system"]: s for s in skews(data)}
    given = {str(r["system"]).strip().lower(): r for r in clock_skew}
    extra = sorted(set(given) - set(expected))
    missing = sorted(set(expected) - set(given))
    fs.append(_f("2.2", not extra and not missing, "the skewed systems are the right ones" if not (extra or missing)
                 else (f"{len(missing)} skewed system(s) not reported" if missing else "")
                 + ("; " if missing and extra else "")
                 + (f"the clock of {', '.join(extra)} was right" if extra else ""), "systems"))
    for system in sorted(set(expected) & set(given)):
        e, g = expected[system], given[system]
        days = {str(d)[:10] for d in g["days"]}
        fs.append(_f("2.2", days == set(e["days"]), f"{system}: the skewed days are right" if days == set(e["days"])
                     else f"{system}: the days with a skewed clock are not right (check each day's offset)", system))
        off = float(g["offset_s"])
        ok = abs(off - e["offset_s"]) <= max(OFFSET_TOL_S, 0.05 * abs(e["offset_s"]))
        fs.append(_f("2.2", ok, f"{system}: the offset is right" if ok else
                     f"{system}: the offset is not right: compare its timestamps with those of the same contacts "
                     "in the journeys (sign: system clock minus true time)", system))
    return fs


@per_learner
def expected_wrap_quality(data) -> pd.DataFrame:
    ev = data.table("mis_events")
    wraps = ev[ev["event"] == "wrap_code"]
    f = _faults(data)
    missing = wraps["event_id"].isin(f.loc[f["kind"] == "missing_wrap_code", "record_id"])
    miscoded = wraps["event_id"].isin(f.loc[f["kind"] == "miscoded_disposition", "record_id"])
    frame = pd.DataFrame({"channel": wraps["channel"].astype(str), "records": 1, "saved": (~missing).astype(int),
                          "correct": (~missing & ~miscoded).astype(int)})
    q = frame.groupby("channel")[["records", "saved", "correct"]].sum().reset_index()
    q["completeness"] = q["saved"] / q["records"]
    q["accuracy"] = q["correct"] / q["saved"]
    q["meets_standard"] = meets_standard(q["completeness"], q["accuracy"], data.cs)
    return q


@CHECKS.check("qualitative_check", "wrap_code_quality")
def qualitative_check(data, wrap_code_quality) -> Findings:
    """PC 2.2: completeness and accuracy of the wrap codes (qualitative, categorical data entered by agents) per
    channel, from the learner's data, and whether each channel meets the centre's data standard."""
    fs = checks.wrap_code_quality(wrap_code_quality)
    if not fs.all_passed:
        return fs
    expected = expected_wrap_quality(data)
    answer = _text_keys(wrap_code_quality, ["channel"])
    fs.append(check_table("wrap_code_quality", answer, expected, key="channel",
                          columns=["records", "saved", "correct"], rel_tol=0, abs_tol=0, criterion="2.2"))
    fs.append(check_table("wrap_code_quality", answer, expected, key="channel", columns=["completeness", "accuracy"],
                          rel_tol=0.001, abs_tol=1e-4, criterion="2.2"))
    meets = answer.set_index("channel")["meets_standard"].map(lambda v: str(v) == "True")
    wrong = [c for c, m in zip(expected["channel"], expected["meets_standard"]) if meets.get(c) != bool(m)]
    fs.append(_f("2.2", not wrong, "each channel is judged against the standard correctly" if not wrong else
                 f"re-check the judgement against the standard for: {', '.join(wrong)}", "meets_standard"))
    return fs


# ------------------------------------------------------------------------------------------ task 2.3
@CHECKS.check("segmentation_check", "wfm_intervals", "ops_daily", "sales_weekly")
def segmentation_check(data, wfm_intervals, ops_daily, sales_weekly) -> Findings:
    """PC 2.3: the corrected MIS data segmented and sorted to each user's level (30-minute intervals by queue,
    days by channel, weeks by queue), matching the same tables built from the learner's records with every
    injected fault corrected."""
    answers = {"wfm_intervals": wfm_intervals, "ops_daily": ops_daily, "sales_weekly": sales_weekly}
    fs = Findings()
    for name, value in answers.items():
        fs = fs + checks.segmented(name, value)
    if not fs.all_passed:
        return fs
    expected = segment_tables(corrected_events(data))
    for name, exp in expected.items():
        key = checks.SEGMENT_COLUMNS[name][:2]
        answer = _text_keys(answers[name], [key[1]])
        answer[key[0]] = pd.to_datetime(answer[key[0]])
        fs.append(check_table(name, answer, exp, key=key, rel_tol=TABLE_REL_TOL, abs_tol=0, criterion="2.3"))
        order = answer[key].reset_index(drop=True)
        is_sorted = order.equals(order.sort_values(key).reset_index(drop=True))
        fs.append(_f("2.3", is_sorted, f"`{name}` is sorted by {' then '.join(key)}" if is_sorted else
                     f"`{name}`: sort the rows by {' then '.join(key)}", name))
    return fs


# ---------------------------------------------------------------------------- benchmark facts (assessor)
@per_learner
def _fault_counts(data) -> dict:
    f = _faults(data)
    ev = data.table("mis_events").set_index("event_id")
    systems = ev.loc[f["record_id"], "system"].astype(str).to_numpy()
    return {f"{kind} records (by system)": {str(s): int(n) for s, n in
                                              pd.Series(systems[(f["kind"] == kind).to_numpy()]).value_counts().items()}
            for kind in FAULT_KINDS}


@CHECKS.facts("monitoring_report", viva=(
        "How did you work out which days the clock was off, and how did you estimate its offset?",
        "Which reconciliation first told you the ACD was double counting, and by how many calls?"))
def monitoring_report_facts(data) -> dict:
    """The faults of the learner's MIS per class and system, the skewed clocks, the wrap-code figures per channel
    against the standard, and the four reconciliation gaps."""
    q = expected_wrap_quality(data).set_index("channel")
    rec = expected_reconciliation(data)
    std = standard(data.cs)
    return {**_fault_counts(data),
            "skewed clocks (system, days, offset s)": [f"{s['system']}: {', '.join(s['days'])}, {s['offset_s']:+.0f} s"
                                                       for s in skews(data)],
            "the centre's data standard (cs.data_standards)": (
                f"wrap codes complete {std.wrap_code_completeness:.1%} and accurate {std.wrap_code_accuracy:.1%} "
                f"at least; clocks within {std.clock_tolerance_s:g} s; unexplained count gap at most "
                f"{std.reconciliation_gap} contacts"),
            "wrap codes per channel (completeness, accuracy; against the standard)": {
                c: f"{r.completeness:.3f}, {r.accuracy:.3f}, {'meets' if r.meets_standard else 'fails'}"
                for c, r in q.iterrows()},
            "reconciliation gaps (a - b)": {str(c): int(g) for c, g in zip(rec["check"], rec["gap"])}}


@CHECKS.facts("information_levels", viva=(
        "Which user would have been misled most by the uncorrected data, and by how much?",
        "Where are the raw records kept, and how would an auditor see what you changed and why?"))
def information_levels_facts(data) -> dict:
    """What correcting the data changed in the learner's segmented figures (the effect a true answer can quote)."""
    raw = segment_tables(data.table("mis_events"))
    fixed = segment_tables(corrected_events(data))

    def conversion(t):
        return round(float(t["sales"].sum() / (t["sales"].sum() + t["no_sales"].sum())), 4)

    def both(name, col):
        return f"raw {int(raw[name][col].sum())}, corrected {int(fixed[name][col].sum())}"

    return {"voice calls offered": both("wfm_intervals", "offered"),
            "contacts resolved by wrap code": both("ops_daily", "resolved"),
            "conversion over the period (fraction)": f"raw {conversion(raw['sales_weekly'])}, "
                                                     f"corrected {conversion(fixed['sales_weekly'])}",
            **_fault_counts(data)}
