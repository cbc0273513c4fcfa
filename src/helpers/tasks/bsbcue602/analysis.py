"""Formative checks of BSBCUE602 element 3 (``03_analyse_mis``): the shape and internal consistency of each
answer (columns, vocabularies, an interval that contains its estimate, a direction that agrees with the
interval). They never compute the expected numbers; the trusted checks
(``autograde/ccw_grader/bsbcue602_analysis.py``) run them first and then compare with figures recomputed
from the learner's own data.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.findings import Finding, Findings

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
PROFILE_CHANNELS = ("voice", "chat")
WEEKLY_CHANNELS = ("voice", "chat", "email")
FORECAST_METHODS = ("seasonal_naive", "moving_average", "holt_winters")
# outages that stop callers reaching the queues: the calls of those days understate demand (Task 3.2)
DEMAND_LOST_SYSTEMS = ("telephony", "ivr", "power", "site")
# control charts a learner can name: attribute charts (p, np for proportions; c, u for counts) and
# variables charts (xbar, individuals) for measurements
CHARTS = ("p", "np", "c", "u", "xbar", "individuals")
RATE_METRICS = ("abandonment_rate", "service_level")
CAUSE_KINDS = ("monday_peak", "high_volume", "common_cause")  # besides incident and campaign ids
DIRECTIONS = ("increase", "decrease", "no significant change")
QUESTIONS = {
    "volume_trend": "voice contacts offered per year (traffic_history, 24 months): growth per year",
    "campaign_abandonment": "sales-queue abandonment rate during the Winter Saver campaign minus the week before",
    "csat_change": "CSAT (top-two-box share) in the second half of the period minus the first half",
    "monday_service_level": "voice service level on Mondays minus Tuesday to Friday",
}
CLAIM_KEYS = ("question", "metric", "direction", "size", "interval", "significant")
# words the `metric` of each question's claim names it with
METRIC_WORDS = {
    "volume_trend": ("volume", "offered", "calls", "contacts", "growth", "trend", "demand"),
    "campaign_abandonment": ("abandon",),
    "csat_change": ("csat", "satisf", "top-two", "top two"),
    "monday_service_level": ("service level", "service_level", "answered within", "sl"),
}
_INTERVAL = re.compile(r"^([01]\d|2[0-3]):[03]0$")


_f = Finding.of  # one finding: full points when it passed


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _get(obj, key, default=None):
    """A field of a dict or of a record (``compare_before_after``'s ``Comparison``, or its decoded form)."""
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _is_bool(x) -> bool:
    return isinstance(x, (bool, np.bool_))


def _date(x) -> str | None:
    try:
        return pd.Timestamp(x).strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        return None


def _words(text) -> int:
    return len(str(text).split()) if isinstance(text, str) else 0


# ------------------------------------------------------------------------------------------- Task 3.1
def profiles(intraday, weekly) -> Findings:
    """``intraday``: mean arrivals per 30-minute interval (index ``HH:MM``) on open weekdays, columns voice and
    chat; ``weekly``: mean contacts per day, index Monday..Saturday, columns voice, chat and email."""
    fs = Findings()
    if not isinstance(intraday, pd.DataFrame):
        return Findings([_f("3.1", False, f"`intraday` should be a DataFrame, you gave a {type(intraday).__name__}",
                            "intraday")])
    missing = [c for c in PROFILE_CHANNELS if c not in intraday.columns]
    fs.append(_f("3.1", not missing, "`intraday` has a column per channel (voice, chat)" if not missing else
                 f"`intraday` misses column(s) {', '.join(missing)}", "intraday"))
    labels = [str(i) for i in intraday.index]
    bad = [x for x in labels if not _INTERVAL.match(x)]
    fs.append(_f("3.1", labels and not bad, "`intraday` is indexed by interval start (HH:MM, every 30 minutes)"
                 if labels and not bad else f"`intraday` index should be interval starts like '10:30', not "
                 f"{', '.join(bad[:3]) or 'empty'}", "intraday"))
    if not missing:
        values = intraday[list(PROFILE_CHANNELS)]
        ok = values.apply(pd.to_numeric, errors="coerce").ge(0).all().all()
        fs.append(_f("3.1", ok, "`intraday` holds non-negative mean counts" if ok else
                     "`intraday` should hold numbers (mean contacts per interval), none negative", "intraday"))
    if not isinstance(weekly, pd.DataFrame):
        fs.append(_f("3.1", False, f"`weekly` should be a DataFrame, you gave a {type(weekly).__name__}", "weekly"))
        return fs
    missing = [c for c in WEEKLY_CHANNELS if c not in weekly.columns]
    fs.append(_f("3.1", not missing, "`weekly` has a column per channel (voice, chat, email)" if not missing else
                 f"`weekly` misses column(s) {', '.join(missing)}", "weekly"))
    days = [str(d) for d in weekly.index]
    want = list(DAY_NAMES[:6])
    fs.append(_f("3.1", days == want, "`weekly` is indexed Monday to Saturday (the open days)" if days == want else
                 "`weekly` should be indexed by day name, Monday to Saturday in order", "weekly"))
    return fs


def patterns(traffic_patterns) -> Findings:
    """``traffic_patterns``: peak interval per channel (voice, chat), peak day per channel (voice, chat, email),
    busiest and quietest month of the year, trend per year with its confidence interval."""
    fs = Findings()
    if not isinstance(traffic_patterns, Mapping):
        return Findings([_f("3.1", False, "`traffic_patterns` should be a dict", "traffic_patterns")])
    keys = ("peak_interval", "peak_day", "busiest_month", "quietest_month", "trend_per_year", "trend_ci")
    missing = [k for k in keys if k not in traffic_patterns]
    fs.append(_f("3.1", not missing, "`traffic_patterns` has every key" if not missing else
                 f"`traffic_patterns` misses {', '.join(missing)}", "traffic_patterns"))
    if missing:
        return fs
    peak = traffic_patterns["peak_interval"]
    ok = isinstance(peak, Mapping) and all(_INTERVAL.match(str(peak.get(c, ""))) for c in PROFILE_CHANNELS)
    fs.append(_f("3.1", ok, "a peak interval (HH:MM) for voice and chat" if ok else
                 "`peak_interval` should map voice and chat to an interval start like '10:30'", "peak_interval"))
    day = traffic_patterns["peak_day"]
    ok = isinstance(day, Mapping) and all(str(day.get(c, "")).title() in DAY_NAMES for c in WEEKLY_CHANNELS)
    fs.append(_f("3.1", ok, "a peak day for voice, chat and e-mail" if ok else
                 "`peak_day` should map voice, chat and email to a day name", "peak_day"))
    months = [str(traffic_patterns[k]).title() for k in ("busiest_month", "quietest_month")]
    ok = all(m in MONTH_NAMES for m in months) and months[0] != months[1]
    fs.append(_f("3.1", ok, "busiest and quietest month named" if ok else
                 "`busiest_month` and `quietest_month` should be two different month names", "months"))
    t, ci = traffic_patterns["trend_per_year"], traffic_patterns["trend_ci"]
    ok = (_is_number(t) and isinstance(ci, (list, tuple)) and len(ci) == 2 and all(map(_is_number, ci))
          and ci[0] <= t <= ci[1])
    fs.append(_f("3.1", ok, "a trend per year inside its confidence interval" if ok else
                 "`trend_per_year` should be a number (a fraction per year, e.g. 0.05 for 5%) and `trend_ci` "
                 "[low, high] around it", "trend"))
    if ok:
        fs.append(_f("3.1", abs(t) < 1, "the trend is a fraction per year" if abs(t) < 1 else
                     "give the trend as a fraction of the level per year (0.05 = 5% a year), not calls per day",
                     "trend"))
    return fs


# ------------------------------------------------------------------------------------------- Task 3.2
def forecast(forecast_errors, forecast_choice) -> Findings:
    """The hold-out table of the three methods and the choice made from it."""
    fs = Findings()
    if not isinstance(forecast_errors, pd.DataFrame):
        return Findings([_f("3.2", False, "`forecast_errors` should be the DataFrame holdout_evaluation returns",
                            "forecast_errors")])
    names = [str(i) for i in forecast_errors.index]
    ok = set(FORECAST_METHODS) <= set(names) and "mape" in forecast_errors.columns
    fs.append(_f("3.2", ok, "hold-out errors of the three methods" if ok else
                 f"`forecast_errors` should have a row per method ({', '.join(FORECAST_METHODS)}) and a mape column",
                 "forecast_errors"))
    if ok and "n" in forecast_errors.columns:
        scored = forecast_errors["n"].astype(float)
        same = scored.nunique() == 1
        fs.append(_f("3.2", same, "every method is scored on the same hold-out days" if same else
                     "every method should be scored on the same hold-out days (column n differs)", "forecast_errors"))
    if not isinstance(forecast_choice, Mapping) or not {"method", "mape", "beats_seasonal_naive"} <= set(
            forecast_choice):
        fs.append(_f("3.2", False, "`forecast_choice` should be a dict with method, mape and beats_seasonal_naive",
                     "forecast_choice"))
        return fs
    if not ok:
        return fs
    mape = forecast_errors["mape"].astype(float)
    mape.index = names
    best = mape.idxmin()
    fs.append(_f("3.2", forecast_choice["method"] == best, "the method chosen has the lowest hold-out error"
                 if forecast_choice["method"] == best else
                 "choose the method with the lowest hold-out MAPE in your table", "forecast_choice"))
    beats = bool(best != "seasonal_naive" and mape[best] < mape["seasonal_naive"])
    said = forecast_choice["beats_seasonal_naive"]
    ok = _is_bool(said) and bool(said) == beats
    fs.append(_f("3.2", ok, "you say whether the chosen method beats the seasonal-naive benchmark" if ok else
                 "`beats_seasonal_naive` should say (True/False) whether your method's MAPE is below seasonal "
                 "naive's in your table", "forecast_choice"))
    return fs


def control_chart(chart, incident_ids=(), campaign_ids=()) -> Findings:
    """The chart named, its centre line, the days above its upper limit and a cause for each."""
    fs = Findings()
    keys = ("metric", "chart", "centre", "days_above_ucl", "causes")
    if not isinstance(chart, Mapping) or any(k not in chart for k in keys):
        return Findings([_f("3.2", False, f"`control_chart` should be a dict with {', '.join(keys)}",
                            "control_chart")])
    fs.append(_f("3.2", chart["metric"] in RATE_METRICS, "the metric is a daily rate" if
                 chart["metric"] in RATE_METRICS else f"`metric` should be one of {', '.join(RATE_METRICS)}",
                 "metric"))
    fs.append(_f("3.2", chart["chart"] in CHARTS, "a recognised control chart" if chart["chart"] in CHARTS else
                 f"`chart` should be one of {', '.join(CHARTS)}", "chart"))
    fs.append(_f("3.2", _is_number(chart["centre"]) and 0 <= chart["centre"] <= 1,
                 "the centre line is a fraction" if _is_number(chart["centre"]) and 0 <= chart["centre"] <= 1 else
                 "`centre` should be the centre line as a fraction (0..1)", "centre"))
    days = chart["days_above_ucl"]
    dates = [_date(d) for d in days] if isinstance(days, (list, tuple)) else [None]
    fs.append(_f("3.2", None not in dates, "days above the upper control limit listed as dates" if None not in dates
                 else "`days_above_ucl` should be a list of dates ('2025-05-14')", "days_above_ucl"))
    causes = chart["causes"]
    if not isinstance(causes, Mapping):
        fs.append(_f("3.2", False, "`causes` should map each day to {'cause': ..., 'explanation': ...}", "causes"))
        return fs
    by_day = {_date(k): v for k, v in causes.items()}
    missing = [d for d in dates if d is not None and d not in by_day]
    fs.append(_f("3.2", not missing, "a cause for every day above the limit" if not missing else
                 f"no cause given for {', '.join(missing[:3])}", "causes"))
    known = set(CAUSE_KINDS) | set(incident_ids) | set(campaign_ids)
    bad = [d for d, v in by_day.items() if not isinstance(v, Mapping) or (known and str(v.get("cause")) not in known)
           or _words(v.get("explanation")) < 6]
    fs.append(_f("3.2", not bad, "each cause is an incident id, a campaign id or a named kind, with an explanation"
                 if not bad else f"cause of {', '.join(map(str, bad[:3]))}: use an incident id, a campaign id, "
                 f"{', '.join(CAUSE_KINDS)}, and explain it in a sentence (at least 6 words)", "causes"))
    return fs


def change_test(result) -> Findings:
    """A before/after comparison (``analysis.compare_before_after``) with estimate, interval and significance."""
    fields = ("metric", "before", "after", "estimate", "ci_low", "ci_high", "significant", "n_before", "n_after")
    missing = [k for k in fields if _get(result, k) is None]
    if missing:
        return Findings([_f("3.2", False, "`change_test` should be the result of analysis.compare_before_after "
                                          f"(missing {', '.join(missing)})", "change_test")])
    lo, hi, est = _get(result, "ci_low"), _get(result, "ci_high"), _get(result, "estimate")
    ok = all(map(_is_number, (lo, hi, est))) and lo <= est <= hi
    return Findings([_f("3.2", ok, "a difference with its confidence interval" if ok else
                        "`change_test`'s estimate should lie inside its interval", "change_test")])


# ------------------------------------------------------------------------------------------- Task 3.3
def claims(items) -> Findings:
    """One structured claim per question: metric, direction, size and interval that agree with each other."""
    fs = Findings()
    if not isinstance(items, (list, tuple)) or not all(isinstance(c, Mapping) for c in items):
        return Findings([_f("3.3", False, "`claims` should be a list of dicts, one per question", "claims")])
    asked = [c.get("question") for c in items]
    missing = [q for q in QUESTIONS if q not in asked]
    fs.append(_f("3.3", not missing, "a claim for every question" if not missing else
                 f"no claim for {', '.join(missing)}", "claims"))
    for c in items:
        q = c.get("question")
        if any(k not in c for k in CLAIM_KEYS):
            fs.append(_f("3.3", False, f"claim {q!r} needs {', '.join(CLAIM_KEYS)}", str(q)))
            continue
        iv = c["interval"]
        ok = (_is_number(c["size"]) and isinstance(iv, (list, tuple)) and len(iv) == 2 and all(map(_is_number, iv))
              and iv[0] <= c["size"] <= iv[1] and _is_bool(c["significant"]) and c["direction"] in DIRECTIONS)
        if not ok:
            fs.append(_f("3.3", False, f"claim {q!r}: size a number inside its interval [low, high], significant "
                                       f"True/False, direction one of {', '.join(DIRECTIONS)}", str(q)))
            continue
        metric = str(c["metric"]).lower()
        words = METRIC_WORDS.get(q, ())
        named = any(re.search(rf"(?<![a-z]){re.escape(w)}", metric) for w in words) if words else True
        fs.append(_f("3.3", named, f"claim {q!r}: the metric is named" if named else
                     f"claim {q!r}: `metric` should say what was measured", str(q)))
        excludes_zero = bool(iv[0] > 0 or iv[1] < 0)
        expected = ("increase" if c["size"] > 0 else "decrease") if excludes_zero else "no significant change"
        agree = bool(c["significant"]) == excludes_zero and c["direction"] == expected
        fs.append(_f("3.3", agree, f"claim {q!r}: direction and significance agree with its interval" if agree else
                     f"claim {q!r}: the direction and significance must follow from the interval (does it "
                     "include 0?)", str(q)))
    return fs
