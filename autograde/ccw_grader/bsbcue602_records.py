"""Trusted checks of BSBCUE602 element 1, ``01_records_and_measurements`` (grader side only).

Each check runs the formative check of :mod:`helpers.tasks.bsbcue602.records` first, then recomputes
the expected result from the learner's own data: the budget table, the journeys (what really happened),
the MIS records (``mis_events``) and the measurement faults injected into them (grader-only ground truth).
Messages never reveal the expected numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import measurement
from helpers.findings import Finding, Findings
from helpers.grading import check_table
from helpers.tasks.bsbcue602 import records as checks

from ccw_grader.learner_data import per_learner
from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE602")
REL_TOL = 0.005
MIN_PATHWAY_SHARE = 0.001  # pathways above this share of contacts must be listed
ANSWERED = ("resolved", "unresolved", "sale", "no_sale", "callback")

# The required measures of task 1.4, as the business defines them (the notebook states them in words).
REFERENCE_SPEC = {
    "voice_service_level": {"system": "acd", "event": "call_offered", "where": {"value": "answered"},
                            "aggregate": "share", "field": "duration_s", "threshold": 20, "by": "queue"},
    "voice_abandonment": {"system": "acd", "event": "call_offered", "aggregate": "share",
                          "match": {"value": "abandoned"}, "by": "queue"},
    "voice_aht_s": {"system": "crm", "event": "wrap_code", "where": {"channel": "voice"}, "aggregate": "mean",
                    "field": "duration_s", "by": "queue"},
    "chat_service_level": {"system": "chat", "event": "chat_session", "where": {"value": "answered"},
                           "aggregate": "share", "field": "duration_s", "threshold": 60, "by": "queue"},
    "email_within_24h": {"system": "ticketing", "event": "email_replied", "aggregate": "share",
                         "field": "duration_s", "threshold": 86400, "by": "queue"},
    "ivr_containment": {"system": "ivr", "event": "ivr_session", "aggregate": "share",
                        "match": {"value": "self_service_completed"}, "by": None},
    "callbacks_connected": {"system": "acd", "event": "outbound_call", "aggregate": "share",
                            "match": {"value": "connected"}, "by": None},
}


def _budget_lines(data) -> list[str]:
    return sorted(data.table("budget")["line"].astype(str).unique())


def expected_budget_variance(budget: pd.DataFrame) -> pd.DataFrame:
    """Budget, actual and variance (AUD) per line over the months with actuals so far, and over or under plan
    (beyond 1 % of the budget to date) or on plan."""
    closed = budget[budget["actual_aud"].notna()]
    out = closed.groupby("line")[["budget_aud", "actual_aud"]].sum()
    out["variance_aud"] = out["actual_aud"] - out["budget_aud"]
    margin = checks.MATERIALITY * out["budget_aud"]
    out["status"] = np.select([out["variance_aud"] > margin, out["variance_aud"] < -margin], ["over", "under"],
                              "on plan")
    out.index = out.index.astype(str)
    return out.rename_axis("line").reset_index()


def pathway_of(journeys: pd.DataFrame) -> pd.Series:
    """Each contact's pathway: its steps in ``step_no`` order joined with ' > ' (vectorised per step number)."""
    wide = journeys.pivot(index="contact_id", columns="step_no", values="step").astype(object)
    path = wide[wide.columns[0]]
    for n in wide.columns[1:]:
        path = path.where(wide[n].isna(), path + " > " + wide[n])
    return path.astype(str)


def expected_pathways(journeys: pd.DataFrame) -> pd.DataFrame:
    """Contacts and share of contacts per pathway (steps in step order joined with ' > ')."""
    out = pathway_of(journeys).value_counts().rename("contacts").rename_axis("pathway").reset_index()
    out["pathway"] = out["pathway"].astype(str)
    out["contacts"] = out["contacts"].astype("int64")
    out["share"] = out["contacts"] / out["contacts"].sum()
    return out


def expected_step_measurements(journeys: pd.DataFrame, mis: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Per measurement point (step, system, event): journey steps, records written for them (linked by contact
    and channel), and steps with no record of that event."""
    steps = journeys[["contact_id", "channel", "step"]]
    linked = mis.merge(steps, on=["contact_id", "channel"], how="inner")
    records = linked.groupby(["step", "system", "event"]).size()
    has = linked[["contact_id", "channel", "step", "event"]].drop_duplicates()
    rows = []
    for p in points.itertuples():
        kind = steps[steps["step"] == p.step]
        got = has[(has["step"] == p.step) & (has["event"] == p.event)]
        rows.append({"step": p.step, "system": p.system, "event": p.event, "method": p.method,
                     "steps": len(kind), "records": int(records.get((p.step, p.system, p.event), 0)),
                     "steps_without_record": len(kind) - len(got)})
    return pd.DataFrame(rows)


@per_learner
def pathways_of(data) -> pd.DataFrame:
    """:func:`expected_pathways` of the learner's journeys (a check and two benchmark facts need it)."""
    return expected_pathways(data.table("journeys"))


@per_learner
def step_measurements_of(data) -> pd.DataFrame:
    """:func:`expected_step_measurements` of the learner's journeys, MIS records and measurement points."""
    return expected_step_measurements(data.table("journeys"), data.table("mis_events"), data.table("measurement_points"))


def repaired_mis(mis: pd.DataFrame, faults: pd.DataFrame) -> pd.DataFrame:
    """The MIS records as they would be if every system were faithful: double counts dropped, true wrap
    codes restored, skewed clocks set right (from the ground truth of the faults)."""
    out = mis.copy()
    dup = faults.loc[faults["kind"] == "double_counted_transfer", "record_id"]
    codes = faults[faults["kind"].isin(["miscoded_disposition", "missing_wrap_code"])]
    true = codes["detail"].str.extract(r"true code (\w+)")[0]
    if true.isna().any():
        raise ValueError("grader: a wrap-code fault's detail does not name the true code: "
                         f"{codes.loc[true.isna(), 'detail'].iloc[0]!r}")
    fix = pd.Series(true.to_numpy(), index=codes["record_id"].to_numpy())
    idx = out["event_id"].isin(fix.index)
    out.loc[idx, "value"] = out.loc[idx, "event_id"].map(fix)
    skew = faults[faults["kind"] == "clock_skew"]
    offset = skew["detail"].str.extract(r"clock ([+-]?\d+(?:\.\d+)?) s")[0].astype(float)
    if offset.isna().any():
        raise ValueError("grader: a clock-skew fault's detail does not give the offset: "
                         f"{skew.loc[offset.isna(), 'detail'].iloc[0]!r}")
    shift = pd.Series(offset.to_numpy(), index=skew["record_id"].to_numpy())
    idx = out["event_id"].isin(shift.index)
    out.loc[idx, "recorded_at"] = out.loc[idx, "recorded_at"] - pd.to_timedelta(
        out.loc[idx, "event_id"].map(shift), unit="s")
    return out[~out["event_id"].isin(dup)].reset_index(drop=True)


def expected_tests(journeys: pd.DataFrame, mis: pd.DataFrame, contacts) -> pd.DataFrame:
    """For the given contacts: pathway, expected records and wrap codes (from the journeys, what really
    happened), recorded records and codes and the largest clock error (from the MIS), and pass/fail."""
    contacts = pd.Index(pd.unique(pd.Series(list(contacts), dtype=object).astype(str)))
    s = journeys[journeys["contact_id"].isin(contacts)].sort_values(["contact_id", "step_no"])
    main = ~((s["step"] == "queue_call") & (s["outcome"] == "lost"))
    reply = (s["step"] == "email") & (s["outcome"] != "open")
    wrap = (((s["step"] == "queue_call") & s["outcome"].isin(ANSWERED)) | ((s["step"] == "chat") & (s["outcome"] != "abandoned"))
            | reply | ((s["step"] == "outbound_call") & (s["outcome"] != "no_answer")))
    n = main.astype(int) + reply.astype(int) + wrap.astype(int)
    out = pd.DataFrame({"pathway": pathway_of(s),
                        "expected_records": n.groupby(s["contact_id"]).sum()})
    out["expected_codes"] = s[wrap].groupby("contact_id")["outcome"].agg(" > ".join).reindex(out.index).fillna("")
    m = mis[mis["contact_id"].isin(contacts)].merge(
        s[["contact_id", "channel", "step_no", "started_at", "ended_at"]], on=["contact_id", "channel"], how="left")
    w = m[m["event"] == "wrap_code"].sort_values(["contact_id", "step_no", "recorded_at"])
    out["recorded_records"] = m.groupby("contact_id").size().reindex(out.index).fillna(0).astype("int64")
    out["recorded_codes"] = (w["value"].astype(object).fillna("(empty)").groupby(w["contact_id"]).agg(" > ".join)
                             .reindex(out.index).fillna(""))
    true_at = m["ended_at"].where(m["event"] == "email_replied", m["started_at"])
    err = (m["recorded_at"] - true_at).dt.total_seconds().abs().where(m["event"] != "wrap_code")
    out["clock_error_s"] = err.groupby(m["contact_id"]).max().reindex(out.index).fillna(0.0).astype(float)
    out["passed"] = ((out["expected_records"] == out["recorded_records"])
                     & (out["expected_codes"] == out["recorded_codes"])
                     & (out["clock_error_s"] <= checks.CLOCK_TOLERANCE_S))
    return out.rename_axis("contact_id").reset_index()


def _pass(criterion, ok, good, bad, item=None, points=1.0) -> Finding:
    return Finding(criterion, bool(ok), points if ok else 0.0, points, good if ok else bad, item)


# ---------------------------------------------------------------------------------- task 1.1
@CHECKS.check("information_needs_check", "information_needs")
def information_needs_check(data, information_needs) -> Findings:
    """PC 1.1: every objective with a KPI is covered by a need on that KPI from a source that holds it, every
    budget line by a need read from the budget; names, sources, users from the case study and data."""
    lines = _budget_lines(data)
    fs = checks.information_needs(information_needs, data.cs, lines)
    if not fs.all_passed:
        return fs
    uncovered = [o.id for o in data.cs.objectives if o.kpi and not any(
        r["serves"] == o.id and r["measure"] == o.kpi for r in information_needs)]
    fs.append(_pass("1.1", not uncovered, "every objective with a KPI has a need on its KPI",
                    "no need on the objective's own KPI for: " + ", ".join(uncovered), "needs"))
    wrong_source = [f"{r['serves']} ({r['measure']})" for r in information_needs if r["measure"] in checks.KPI_SOURCES
                    and not set(checks._listed(r["source"])) & checks.KPI_SOURCES[r["measure"]]]
    fs.append(_pass("1.1", not wrong_source, "each KPI is read from a source that holds it",
                    "these sources do not hold the KPI: " + ", ".join(wrong_source[:3]), "source"))
    no_line = [line for line in lines if not any(r["serves"] == line and "budget" in checks._listed(r["source"])
                                                 for r in information_needs)]
    fs.append(_pass("1.1", not no_line, "every budget line has a need read from the budget",
                    "no need read from the budget for: " + ", ".join(no_line[:3]), "needs"))
    return fs


@CHECKS.check("budget_variance_check", "budget_variance")
def budget_variance_check(data, budget_variance) -> Findings:
    """PC 1.1: budget, actual and variance to date per budget line from the budget table, and which lines are
    over or under plan beyond 1 % of their budget to date, or on plan."""
    fs = checks.budget_variance(budget_variance)
    if not fs.all_passed:
        return fs
    answer = budget_variance.reset_index() if "line" in budget_variance.index.names else budget_variance
    answer = answer[["line", "budget_aud", "actual_aud", "variance_aud", "status"]].astype(
        {"line": str, "status": str, "budget_aud": float, "actual_aud": float, "variance_aud": float})
    expected = expected_budget_variance(data.table("budget"))
    fs.append(check_table("budget_variance", answer, expected, key="line",
                          columns=["budget_aud", "actual_aud", "variance_aud"], rel_tol=REL_TOL, abs_tol=1.0,
                          points=2, criterion="1.1"))
    fs.append(check_table("budget_variance", answer, expected, key="line", columns=["status"], points=1,
                          criterion="1.1"))
    return fs


# ---------------------------------------------------------------------------------- task 1.2
@CHECKS.check("pathways_check", "pathways")
def pathways_check(data, pathways) -> Findings:
    """PC 1.2: every pathway above 0.1% of contacts is listed, none that does not occur; contacts exact and
    share of contacts right, from the learner's journeys."""
    fs = checks.pathways(pathways)
    if not fs.all_passed:
        return fs
    answer = pathways.reset_index() if "pathway" in pathways.index.names else pathways
    answer = answer[["pathway", "contacts", "share"]].astype({"pathway": str})
    real = pathways_of(data)
    unknown = sorted(set(answer["pathway"]) - set(real["pathway"]))
    fs.append(_pass("1.2", not unknown, "every pathway listed occurs in the journeys",
                    "these pathways do not occur in your journeys: " + ", ".join(unknown[:3]), "pathway"))
    expected = real[(real["share"] >= MIN_PATHWAY_SHARE) | real["pathway"].isin(answer["pathway"])]
    fs.append(check_table("pathways", answer[answer["pathway"].isin(real["pathway"])], expected, key="pathway",
                          rel_tol=1e-6, abs_tol=1e-9, points=3, criterion="1.2"))
    return fs


# ---------------------------------------------------------------------------------- task 1.3
@CHECKS.check("step_measurements_check", "step_measurements")
def step_measurements_check(data, step_measurements) -> Findings:
    """PC 1.3: for every measurement point (step, system, record): its method, the journey steps, the records
    the MIS actually wrote for them and the steps it left without a record, from the learner's data."""
    fs = checks.step_measurements(step_measurements)
    if not fs.all_passed:
        return fs
    expected = step_measurements_of(data)
    key = ["step", "system", "event"]
    answer = step_measurements.reset_index() if set(key) & set(step_measurements.index.names) else step_measurements
    answer = answer[checks.STEP_COLUMNS].astype({"step": str, "system": str, "event": str, "method": str})
    fs.append(check_table("step_measurements", answer, expected, key=key, columns=["method"], points=1,
                          criterion="1.3"))
    fs.append(check_table("step_measurements", answer, expected, key=key,
                          columns=["steps", "records", "steps_without_record"], rel_tol=0, abs_tol=0, points=3,
                          criterion="1.3"))
    return fs


# ---------------------------------------------------------------------------------- task 1.4
@CHECKS.check("mis_spec_check", "mis_spec")
def mis_spec_check(data, mis_spec) -> Findings:
    """PC 1.4: the learner's measurement specification, applied (as data) to a faithful copy of the learner's
    MIS records, gives every required measure by day and group exactly as the business defines it."""
    fs = checks.mis_spec(mis_spec)
    if not fs.all_passed:
        return fs
    mis = repaired_mis(data.table("mis_events"), data.measurement_faults())
    spec = measurement.validate(mis_spec)
    answer = measurement.apply({k: v for k, v in spec.items() if k in REFERENCE_SPEC}, mis)
    expected = measurement.apply(REFERENCE_SPEC, mis)
    for name in REFERENCE_SPEC:
        a, e = answer[answer["measure"] == name], expected[expected["measure"] == name]
        grouping = set(e["group"]) == set(a["group"])
        f = check_table(name, a, e, key=["measure", "day", "group"], columns=["value", "records"], rel_tol=1e-9,
                        abs_tol=1e-9, points=1, criterion="1.4")
        ok = grouping and f.passed
        fs.append(_pass("1.4", ok, f"{name}: right by day and group", f"{name}: check its system, record, "
                        "filters, aggregate, threshold and grouping against the definition" if not grouping else
                        f"{name}: check its filters, aggregate and threshold against the definition", name))
    return fs


# ---------------------------------------------------------------------------------- task 1.5
@CHECKS.check("measurement_tests_check", "measurement_tests")
def measurement_tests_check(data, measurement_tests) -> Findings:
    """PC 1.5: test contacts cover every pathway; expected records and wrap codes right by the journeys
    (what happened), recorded figures and pass/fail right against the MIS records, each failing test
    attributed to a fault kind that the ground truth holds for that contact, and every fault kind the
    tests can reveal in the learner's data revealed by at least one test."""
    fs = checks.measurement_tests(measurement_tests)
    if not fs.all_passed:
        return fs
    journeys, mis = data.table("journeys"), data.table("mis_events")
    answer = measurement_tests.reset_index(drop="contact_id" not in measurement_tests.index.names)
    answer = answer[checks.TEST_COLUMNS].astype({"contact_id": str})
    unknown = sorted(set(answer["contact_id"]) - set(journeys["contact_id"].astype(str)))
    if unknown:
        return fs + [Finding.fail("1.5", "these contacts are not in your journeys: " + ", ".join(unknown[:3]),
                                  item="contact_id")]
    expected = expected_tests(journeys, mis, answer["contact_id"])
    real = pathways_of(data)
    needed = set(real.loc[real["share"] >= MIN_PATHWAY_SHARE, "pathway"])
    missing = sorted(needed - set(expected["pathway"]))
    fs.append(_pass("1.5", not missing, "every pathway has a test contact",
                    "no test contact for the pathway(s): " + ", ".join(missing[:3]), "pathway"))
    ans = answer.astype({"pathway": str, "expected_codes": str, "recorded_codes": str})
    ans[["expected_codes", "recorded_codes"]] = ans[["expected_codes", "recorded_codes"]].replace(
        {"None": "", "nan": "", "<NA>": ""})
    fs.append(check_table("measurement_tests", ans, expected, key="contact_id",
                          columns=["pathway", "expected_records", "expected_codes"], rel_tol=0, abs_tol=0, points=2,
                          criterion="1.5"))
    fs.append(check_table("measurement_tests", ans, expected, key="contact_id",
                          columns=["recorded_records", "recorded_codes", "clock_error_s", "passed"], rel_tol=0,
                          abs_tol=0.5, points=2, criterion="1.5"))
    faults = data.measurement_faults()
    linked = faults.merge(mis[["event_id", "contact_id", "event"]], left_on="record_id", right_on="event_id")
    failing = ans[~ans["passed"].astype(bool)]
    kinds = linked[linked["contact_id"].isin(failing["contact_id"])].groupby("contact_id")["kind"].agg(set)
    wrong = [c for c, k in zip(failing["contact_id"], failing["fault"]) if k not in kinds.get(c, set())]
    fs.append(_pass("1.5", not wrong, "each failing test names a fault kind the MIS really has for that contact",
                    "check the fault kind of the failing test(s): " + ", ".join(wrong[:3]), "fault"))
    # kinds the tests can reveal in this learner's data: a double count, a wrong or missing code always fails
    # its contact's test; a skewed clock only on records with a true time (not wrap codes) beyond the tolerance
    offset = linked["detail"].str.extract(r"clock ([+-]?\d+(?:\.\d+)?) s")[0].astype(float).abs()
    visible = (linked["kind"] != "clock_skew") | ((linked["event"] != "wrap_code")
                                                  & (offset > checks.CLOCK_TOLERANCE_S))
    revealable = set(linked.loc[visible, "kind"])
    shown = set(failing["fault"]) & revealable
    fs.append(_pass("1.5", shown == revealable, "the failing tests reveal every kind of fault in your MIS",
                    "no failing test reveals: " + ", ".join(sorted(revealable - shown)), "fault"))
    return fs
