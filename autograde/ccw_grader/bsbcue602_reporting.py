"""Trusted checks of BSBCUE602 element 4, "Prepare and present information" (grader side only).

The learner's stakeholder interviews (:mod:`helpers.information_needs`) are replayed from their transcript:
only needs the transcript revealed may be claimed, and each claim is compared with the needs this learner's
stakeholders hold (drawn from their dataset). The report tables are recomputed from the learner's own data
(``calls`` for the short-term report, ``traffic_history`` for the long-term one) at the level of detail and
split the report's audience asked for. Messages never reveal the expected needs or numbers.
"""
from __future__ import annotations

import pandas as pd

from helpers import information_needs as info
from helpers.findings import Finding, Findings
from helpers.grading import check_table, check_value
from helpers.tasks.bsbcue602 import presentation as checks

from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE602")
REL_TOL = 0.005


_f = Finding.of  # one finding: full points when it passed


def _interview(data, log, criterion):
    """(findings about the transcript, replay result, this learner's needs)."""
    result = info.replay(log, data.ds)
    fs = Findings([_f(criterion, result["authentic"],
                      f"the transcript records your {result['entries']} question(s) and confirmation(s)"
                      if result["authentic"] else "; ".join(result["problems"][:2]), "interview_log")])
    return fs, result, info.needs(data.ds)


def _checked_interview(fs: Findings, data, log, criterion):
    """The answer's form first, then the transcript: (findings, replay result, needs); the result is None when
    either fails, and the check stops there."""
    if not fs.all_passed:
        return fs, None, None
    tf, result, needs = _interview(data, log, criterion)
    return fs + tf, (result if result["authentic"] else None), needs


def _names(items) -> str:
    items = list(items)
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


# ---------------------------------------------------------------------------------- task 4.1
@CHECKS.check("information_users_check", "information_users", "interview_log")
def information_users_check(data, information_users, interview_log) -> Findings:
    """PC 4.1: every stakeholder who uses the centre's information (found by interviewing) is identified, nobody
    who does not; each with their level, what they use it for (in their terms) and the measures they need, each
    measure revealed by the transcript and the same as that stakeholder holds."""
    fs, result, needs = _checked_interview(checks.users(information_users, data.cs), data, interview_log, "4.1")
    if result is None:
        return fs
    revealed = result["revealed"]
    claimed = set(information_users)
    users = {n for n, need in needs.items() if need.uses}
    unasked = [n for n in claimed if "role" not in revealed.get(n, set())]
    fs.append(_f("4.1", not unasked, "you asked each stakeholder you list about their role and use of the information"
                 if not unasked else f"the transcript never asks these stakeholders about their role and whether "
                 f"they use the centre's information: {_names(unasked)}", "role"))
    missed = sorted(users - claimed)
    fs.append(_f("4.1", not missed, "every stakeholder who uses the centre's information is identified" if not missed
                 else f"{len(missed)} stakeholder(s) who use the centre's information are missing: interview everyone "
                 "in interview.brief()", "missed"))
    extra = sorted((claimed & set(needs)) - users)
    fs.append(_f("4.1", not extra, "nobody is listed who does not use the centre's information" if not extra else
                 f"these stakeholders told you they do not use the centre's information: {_names(extra)}", "extra"))
    levels = {s.name: s.level for s in data.cs.stakeholders}
    wrong_level = [n for n, v in information_users.items() if levels.get(n) != v.get("level")]
    fs.append(_f("4.1", not wrong_level, "each stakeholder's level (centre, enterprise, external) is right"
                 if not wrong_level else f"check the level of: {_names(wrong_level)}", "level"))
    off = []
    for n, v in information_users.items():
        u = next((x for x in data.cs.information_needs.stakeholders if x.name == n), None)
        text = str(v.get("uses", "")).lower()
        if u is None or not any(w.lower() in text for w in u.words):
            off.append(n)
    fs.append(_f("4.1", not off, "each use is described in the stakeholder's own terms (the decisions they take)"
                 if not off else f"say what these stakeholders decide with the information, as they told you: "
                 f"{_names(off)}", "uses"))
    unrevealed = [n for n in claimed & users if "measures" not in revealed.get(n, set())]
    fs.append(_f("4.1", not unrevealed, "every measure you list was revealed in your interviews" if not unrevealed else
                 f"the transcript never reveals the measures of: {_names(unrevealed)} (ask them)", "revealed"))
    wrong = [n for n in claimed & users if n not in unrevealed
             and sorted(map(str, information_users[n].get("measures", []))) != sorted(needs[n].measures)]
    fs.append(_f("4.1", not wrong, "each stakeholder's measures are the ones they told you" if not wrong else
                 f"the measures are not what these stakeholders told you: {_names(wrong)}", "measures"))
    covered = {levels.get(n) for n in claimed & users}
    fs.append(_f("4.1", {"centre", "enterprise", "external"} <= covered,
                 "users at the centre, enterprise and external levels are identified", "levels"))
    return fs


# ---------------------------------------------------------------------------------- task 4.2
@CHECKS.check("tailoring_check", "presentation_specs", "interview_log")
def tailoring_check(data, presentation_specs, interview_log) -> Findings:
    """PC 4.2: a presentation spec for every user of the centre's information, every field of it revealed by the
    interview transcript and matching that stakeholder's needs (measures, level, horizon, segmentation, format,
    frequency), and each spec read back to the stakeholder and confirmed (active listening)."""
    fs, result, needs = _checked_interview(checks.specs(presentation_specs, data.cs), data, interview_log, "4.2")
    if result is None:
        return fs
    users = {n for n, need in needs.items() if need.uses}
    claimed = set(presentation_specs)
    missing = sorted(users - claimed)
    fs.append(_f("4.2", not missing, "every user of the centre's information has a presentation spec" if not missing
                 else f"{len(missing)} user(s) of the centre's information have no presentation spec", "missing"))
    extra = sorted(claimed - users)
    fs.append(_f("4.2", not extra, "no spec for anyone who does not use the centre's information" if not extra else
                 f"these stakeholders do not use the centre's information: {_names(extra)}", "extra"))
    unrevealed, wrong = [], []
    for n in sorted(claimed & users):
        asked = result["revealed"].get(n, set())
        spec, need = presentation_specs[n], needs[n].spec()
        for field in info.SPEC_FIELDS:
            if info.TOPIC_OF_FIELD[field] not in asked:
                unrevealed.append(f"{n} ({field})")
            elif info._normal(field, spec.get(field)) != info._normal(field, need[field]):
                wrong.append(f"{n} ({field})")
    fs.append(_f("4.2", not unrevealed, "every need in your specs was revealed in your interviews" if not unrevealed
                 else f"{len(unrevealed)} need(s) claimed that your interviews never revealed, e.g. "
                 f"{_names(unrevealed)}: ask before you claim", "revealed"))
    fs.append(_f("4.2", not wrong, "every spec matches what its stakeholder told you" if not wrong else
                 f"{len(wrong)} field(s) are not what the stakeholder told you, e.g. {_names(wrong)}", "match",
                 points=2.0))
    def same(confirmed, spec) -> bool:
        return isinstance(confirmed, dict) and set(confirmed) == set(spec) and all(
            info._normal(k, confirmed[k]) == info._normal(k, info.as_data(spec[k])) for k in spec)
    unconfirmed = [n for n in sorted(claimed & users) if not same(result["confirmed"].get(n), presentation_specs[n])]
    fs.append(_f("4.2", not unconfirmed, "each spec was read back to its stakeholder and confirmed" if not unconfirmed
                 else f"read these specs back with interview.confirm(name, spec) until the stakeholder agrees: "
                 f"{_names(unconfirmed)}", "confirmed"))
    return fs


# ---------------------------------------------------------------------------------- task 4.3
def short_term_expected(calls: pd.DataFrame, level: str, threshold_s: float = 20) -> pd.DataFrame:
    """The short-term report: the last day of the data by half-hour interval, or its last 7 days by day; per
    queue: offered (lost calls excluded), answered, abandoned, service level (answered within the threshold /
    answered) and AHT (talk + hold + wrap of answered calls)."""
    c = calls[calls["outcome"] != "lost"]
    last = c["arrived_at"].max().normalize()
    if level == "interval":
        c = c[c["arrived_at"] >= last]
        period = c["arrived_at"].dt.floor("30min")
    else:
        c = c[c["arrived_at"] >= last - pd.Timedelta(days=6)]
        period = c["arrived_at"].dt.normalize()
    answered = ~c["abandoned"].astype(bool)
    frame = pd.DataFrame({
        "period_start": period.to_numpy(), "queue": c["queue"].astype(str).to_numpy(), "offered": 1,
        "answered": answered.astype(int).to_numpy(), "abandoned": (~answered).astype(int).to_numpy(),
        "within": (answered & (c["wait_s"] <= threshold_s)).astype(int).to_numpy(),
        "handle": ((c["talk_s"] + c["hold_s"] + c["wrap_s"]).where(answered, 0.0)).to_numpy(dtype=float),
    })
    g = frame.groupby(["period_start", "queue"]).sum().reset_index()
    g["service_level"] = g["within"] / g["answered"].where(g["answered"] > 0)
    g["aht_s"] = g["handle"] / g["answered"].where(g["answered"] > 0)
    return g[list(checks.SHORT_TERM_COLUMNS)].astype({"offered": float, "answered": float, "abandoned": float})


def long_term_expected(history: pd.DataFrame, level: str, by: str) -> pd.DataFrame:
    """The long-term report over ``traffic_history``: per month (or quarter) and channel (or queue): offered,
    answered, abandoned, service level (answered within target / answered) and AHT (weighted by answered)."""
    h = history
    freq = "M" if level == "monthly" else "Q"
    period = h["date"].dt.to_period(freq).dt.start_time
    frame = pd.DataFrame({"period_start": period.to_numpy(), by: h[by].astype(str).to_numpy(),
                          "offered": h["offered"].to_numpy(dtype=float), "answered": h["answered"].to_numpy(dtype=float),
                          "abandoned": h["abandoned"].to_numpy(dtype=float),
                          "within": h["answered_within_target"].to_numpy(dtype=float),
                          "handle": (h["aht_s"].fillna(0.0) * h["answered"]).to_numpy(dtype=float)})
    g = frame.groupby(["period_start", by]).sum().reset_index()
    g["service_level"] = g["within"] / g["answered"].where(g["answered"] > 0)
    g["aht_s"] = g["handle"] / g["answered"].where(g["answered"] > 0)
    return g[["period_start", by, *checks.LONG_TERM_VALUES]]


def seasonality_expected(history: pd.DataFrame) -> pd.DataFrame:
    """Seasonal index per calendar month: mean contacts offered per open day in that month (all channels and
    queues) over the mean per open day of the whole history."""
    daily = history.groupby("date")["offered"].sum()
    by_month = daily.groupby(daily.index.month).mean()
    return pd.DataFrame({"month": by_month.index.astype(int), "seasonal_index": (by_month / daily.mean()).to_numpy()})


def growth_expected(history: pd.DataFrame, period_start) -> float:
    """Contacts offered in the 12 months before the period over the 12 months before those, minus 1."""
    cut = pd.Timestamp(period_start) - pd.DateOffset(years=1)
    first = history.loc[(history["date"] < cut) & (history["date"] >= cut - pd.DateOffset(years=1)), "offered"].sum()
    last = history.loc[history["date"] >= cut, "offered"].sum()
    return float(last / first - 1)


def _period_start(data):
    meta = getattr(data.ds, "meta", None) or {}
    return pd.Timestamp(meta.get("period_start") or data.cs.period.start)


def _audience(report, needs, revealed, horizon, levels, by_ok, criterion) -> tuple[Findings, object]:
    name = report.get("audience")
    need = needs.get(name)
    asked = revealed.get(name, set())
    ok_user = need is not None and need.uses
    fs = Findings([_f(criterion, ok_user, "the audience uses the centre's information" if ok_user else
                      "the audience must be a stakeholder who told you they use the centre's information", "audience")])
    if not ok_user:
        return fs, None
    known = {"level", "segmentation"} <= asked
    fs.append(_f(criterion, known, "you asked the audience for their level of detail and split" if known else
                 "ask the audience which level of detail and split they need before you report to them", "asked"))
    fits = need.horizon == horizon and need.level in levels and by_ok(need.segmentation)
    fs.append(_f(criterion, fits, f"the audience needs {horizon} information that this report gives" if fits else
                 f"this audience does not need a {horizon} report like this one: choose the stakeholder whose needs it "
                 "meets (their horizon, level and split)", "fit"))
    if not (known and fits):
        return fs, None
    same = report.get("level") == need.level
    fs.append(_f(criterion, same, "the report is at the level of detail its audience asked for" if same else
                 "the report's level of detail is not the one its audience asked for (check your interview)", "level"))
    return fs, (need if same else None)


@CHECKS.check("short_term_check", "short_term_report", "short_term_table", "interview_log")
def short_term_check(data, short_term_report, short_term_table, interview_log) -> Findings:
    """PC 4.3: a short-term report for a stakeholder who needs one (short-term, by queue) at the level of detail they
    asked for (the last day by half hour, or the last 7 days by day), its figures recomputed from the learner's
    calls, and the queue furthest behind on service level named."""
    form = checks.short_term(short_term_report, short_term_table, data.cs)
    fs, result, needs = _checked_interview(form, data, interview_log, "4.3")
    if result is None:
        return fs
    af, need = _audience(short_term_report, needs, result["revealed"], "short-term", checks.SHORT_TERM_LEVELS,
                         lambda s: s == "queue", "4.3")
    fs += af
    if need is None:
        return fs
    threshold = data.cs.targets["service_level"].threshold_s or 20
    expected = short_term_expected(data.table("calls"), need.level, threshold)
    answer = short_term_table.reset_index() if "period_start" not in short_term_table.columns else short_term_table
    answer = answer[[c for c in answer.columns if c in checks.SHORT_TERM_COLUMNS]].copy()
    answer["period_start"] = pd.to_datetime(answer["period_start"]).astype("datetime64[ns]")
    answer["queue"] = answer["queue"].astype(str)
    for c in ("offered", "answered", "abandoned"):
        answer[c] = pd.to_numeric(answer[c], errors="coerce").astype(float)
    fs.append(check_table("short_term_table", answer, expected, key=["period_start", "queue"], rel_tol=REL_TOL,
                          points=2, criterion="4.3"))
    c = data.table("calls")
    c = c[c["outcome"] != "lost"]
    last = c["arrived_at"].max().normalize()
    window = c[c["arrived_at"] >= (last if need.level == "interval" else last - pd.Timedelta(days=6))]
    answered = window[~window["abandoned"].astype(bool)]
    sl = (answered["wait_s"] <= threshold).groupby(answered["queue"].astype(str)).mean()
    worst = str(sl.idxmin())
    fs.append(_f("4.3", short_term_report.get("worst_queue") == worst,
                 "the queue furthest behind on service level in the report's window is named" if
                 short_term_report.get("worst_queue") == worst else
                 "`worst_queue` is not the queue with the lowest service level in the report's window", "worst_queue"))
    return fs


@CHECKS.check("long_term_check", "long_term_report", "long_term_table", "seasonality", "interview_log")
def long_term_check(data, long_term_report, long_term_table, seasonality, interview_log) -> Findings:
    """PC 4.3: a long-term report for a stakeholder who needs one (long-term, by channel or queue) at the level and
    split they asked for, over the 24 months of traffic_history: the table, the seasonal index per month, the
    busiest month and the year-on-year growth, each recomputed from the learner's own history."""
    form = checks.long_term(long_term_report, long_term_table, seasonality, data.cs)
    fs, result, needs = _checked_interview(form, data, interview_log, "4.3")
    if result is None:
        return fs
    af, need = _audience(long_term_report, needs, result["revealed"], "long-term", checks.LONG_TERM_LEVELS,
                         lambda s: s in ("channel", "queue"), "4.3")
    fs += af
    if need is None:
        return fs
    same_by = long_term_report.get("by") == need.segmentation
    fs.append(_f("4.3", same_by, "the report is split the way its audience asked" if same_by else
                 "the report is not split the way its audience asked (check your interview)", "by"))
    if not same_by:
        return fs
    history = data.table("traffic_history")
    by = need.segmentation
    expected = long_term_expected(history, need.level, by)
    answer = long_term_table.reset_index() if "period_start" not in long_term_table.columns else long_term_table
    answer = answer[[c for c in answer.columns if c in ("period_start", by, *checks.LONG_TERM_VALUES)]].copy()
    answer["period_start"] = pd.to_datetime(answer["period_start"]).astype("datetime64[ns]")
    answer[by] = answer[by].astype(str)
    for c in checks.LONG_TERM_VALUES:
        answer[c] = pd.to_numeric(answer[c], errors="coerce").astype(float)
    fs.append(check_table("long_term_table", answer, expected, key=["period_start", by], rel_tol=REL_TOL, points=2,
                          criterion="4.3"))
    season = seasonality_expected(history)
    s = seasonality.reset_index() if "month" not in seasonality.columns else seasonality
    s = s[[c for c in s.columns if c in ("month", "seasonal_index")]].copy()
    s["month"] = pd.to_numeric(s["month"], errors="coerce")
    s["seasonal_index"] = pd.to_numeric(s["seasonal_index"], errors="coerce").astype(float)
    fs.append(check_table("seasonality", s, season, key="month", rel_tol=REL_TOL, criterion="4.3"))
    peak = int(season.loc[season["seasonal_index"].idxmax(), "month"])
    fs.append(_f("4.3", long_term_report.get("peak_month") == peak, "the busiest month of the year is named" if
                 long_term_report.get("peak_month") == peak else "`peak_month` is not the month with the highest "
                 "seasonal index", "peak_month"))
    fs.append(check_value("growth", long_term_report.get("growth"), growth_expected(history, _period_start(data)),
                          rel_tol=0.01, abs_tol=0.0005, criterion="4.3"))
    return fs
