"""Trusted checks of BSBCUE602 element 3, ``03_analyse_mis`` (grader side only; see :mod:`ccw_grader.registry`).

Each check runs the formative check of :mod:`helpers.tasks.bsbcue602.analysis` first (a malformed answer
fails with the message the learner already saw), then recomputes the expected result from *that
learner's* dataset with the method the task prescribes and compares. Messages never reveal the expected
numbers. The ``expected_*`` functions are the reference (the tests use them too).
"""
from __future__ import annotations

import pandas as pd

from helpers import analysis
from helpers.findings import Finding, Findings
from helpers.grading import check_table, check_value
from helpers.maintenance import observed_public_holidays
from helpers.tasks.bsbcue602 import analysis as checks

from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE602")
REL_TOL = 0.01        # tables computed from the data agree within 1 %
PROP_TOL = 0.002      # proportions and differences of proportions (fractions)
GROWTH_TOL = 0.002    # growth per year (fraction)
PEAK_TIE = 0.98       # an interval within 2 % of the peak's mean is statistically tied with it
FORECAST_HISTORY_DAYS = 182
# words an explanation of each kind of cause uses (the mechanism, not just the label)
CAUSE_WORDS = {
    "telephony": ("telephon", "carrier", "trunk", "sip", "lost", "retri", "busy tone", "outage", "call back",
                  "called back", "surge"),
    "crm": ("crm", "system", "handle", "paper", "account", "outage", "re-key", "rekey", "longer", "slow"),
    "ivr": ("ivr", "menu", "message", "redirect", "routed", "outage", "upgrade"),
    "marketing_db": ("database", "marketing", "maintenance", "outage", "wash"),
    "power": ("power", "outage", "electric"), "site": ("site", "building", "outage", "evacuat"),
    "campaign": ("campaign", "offer", "promotion", "uplift", "demand", "extra calls", "more calls", "switch",
                 "upgrade", "volume", "response"),
    "monday_peak": ("monday", "roster", "under-staff", "understaff", "start of the week", "weekend", "staff"),
    "high_volume": ("volume", "busy", "busier", "demand", "more calls", "offered", "peak", "workload"),
    "common_cause": ("common", "random", "chance", "variation", "binomial", "noise", "overdispers", "no assignable",
                     "no special"),
}
RATE_WORDS = ("abandon", "wait", "queue", "answer", "hung up", "hang up", "service level", "staff", "capacity",
              "agents")


_f = Finding.of  # one finding: full points when it passed


def _number(name, answer, expected, criterion, *, abs_tol, unit="fraction", points=1.0) -> Finding:
    return check_value(name, answer, expected, rel_tol=0.0, abs_tol=abs_tol, points=points, criterion=criterion,
                       unit=unit)


# ------------------------------------------------------------------------------------------- references
def offered_calls(ds) -> pd.DataFrame:
    return ds.calls[ds.calls["outcome"] != "lost"]


def _contacts(ds) -> dict[str, pd.Series]:
    """Arrival times per channel in the period: voice = calls offered (not lost), chat and e-mail = journeys."""
    j = ds.journeys
    return {"voice": offered_calls(ds)["arrived_at"], "chat": j.loc[j["channel"] == "chat", "started_at"],
            "email": j.loc[j["channel"] == "email", "started_at"]}


def expected_intraday(ds) -> pd.DataFrame:
    """Mean arrivals per 30-minute interval over the period's open weekdays (Mon-Fri with calls)."""
    arrivals = _contacts(ds)
    voice_days = arrivals["voice"].dt.normalize()
    n_days = voice_days[voice_days.dt.day_of_week < 5].nunique()
    cs = ds.case_study
    mask = cs.opening_hours.open_mask("weekday")
    labels = [f"{i // 2:02d}:{'30' if i % 2 else '00'}" for i in range(48) if mask[i]]
    out = {}
    for ch in checks.PROFILE_CHANNELS:
        t = arrivals[ch][arrivals[ch].dt.day_of_week < 5]
        slot = t.dt.strftime("%H:") + t.dt.minute.map(lambda m: "30" if m >= 30 else "00")
        out[ch] = slot.value_counts().reindex(labels, fill_value=0) / n_days
    return pd.DataFrame(out).rename_axis("interval")


def expected_weekly(ds) -> pd.DataFrame:
    """Mean contacts per calendar day of each weekday (Monday..Saturday) over the period's days."""
    calls = offered_calls(ds)
    first = calls["arrived_at"].min().normalize()
    days = pd.date_range(first, periods=int(ds.meta.get("days") or ds.case_study.period.days), freq="D")
    out = {}
    for ch, t in _contacts(ds).items():
        daily = t.dt.normalize().value_counts().reindex(days, fill_value=0)
        out[ch] = daily.groupby(daily.index.day_of_week).mean()
    frame = pd.DataFrame(out).loc[range(6)]
    frame.index = pd.Index(checks.DAY_NAMES[:6], name="day")
    return frame


def expected_trend(ds) -> dict:
    """Seasonality and trend of voice offered from ``traffic_history``: monthly means of weekday (Mon-Fri) daily
    voice offered over the complete months, seasonal index per calendar month (month mean / overall mean),
    OLS trend (``analysis.patterns.trend``) of the de-seasonalised monthly series, as a fraction of its mean
    per year."""
    h = ds.traffic_history
    daily = h[h["channel"] == "voice"].groupby("date")["offered"].sum()
    weekdays = daily[daily.index.day_of_week < 5]
    monthly = weekdays.resample("MS").mean()
    start = pd.Timestamp(ds.meta["period_start"])
    monthly = monthly[monthly.index < start.to_period("M").start_time]
    index = monthly.groupby(monthly.index.month).mean() / monthly.mean()
    deseasonalised = monthly / index.reindex(monthly.index.month).to_numpy()
    tr = analysis.patterns.trend(deseasonalised)
    scale = 365.25 / deseasonalised.mean()
    return {"seasonal_index": index, "busiest_month": checks.MONTH_NAMES[int(index.idxmax()) - 1],
            "quietest_month": checks.MONTH_NAMES[int(index.idxmin()) - 1],
            "growth": tr.slope_per_day * scale, "ci": (tr.ci_low * scale, tr.ci_high * scale), "p_value": tr.p_value}


def _closed_weekdays(cs) -> list[int]:
    """Weekdays (0 = Monday) the centre never opens, from the case study's opening hours."""
    hours = cs.opening_hours
    return [d for d, day in ((5, hours.saturday), (6, hours.sunday)) if day is None]


def forecast_series(ds) -> pd.Series:
    """Daily voice calls offered on the centre's open days (its weekly cycle of open days): the 26 weeks of
    ``traffic_history`` before the period, then the period's own calls offered. Days whose demand was not
    observed are missing (NaN), never 0: observed national public holidays (the centre was closed) and
    days an outage of a system callers go through (``checks.DEMAND_LOST_SYSTEMS``, read from the learner's
    ``incidents``) lost or turned away calls."""
    cs = ds.case_study
    h = ds.traffic_history
    hist = h[h["channel"] == "voice"].groupby("date")["offered"].sum()
    calls = offered_calls(ds)
    period = calls.groupby(calls["arrived_at"].dt.normalize()).size()
    start = pd.Timestamp(ds.meta.get("period_start") or cs.period.start).normalize()
    n = int(ds.meta.get("days") or cs.period.days)
    days = pd.date_range(start - pd.Timedelta(days=FORECAST_HISTORY_DAYS), periods=FORECAST_HISTORY_DAYS + n,
                         freq="D")
    series = pd.concat([hist, period]).groupby(level=0).sum().reindex(days).astype(float)
    holidays = {d for y in range(days[0].year, days[-1].year + 1) for d in observed_public_holidays(y)}
    inc = ds.incidents[ds.incidents["system"].isin(checks.DEMAND_LOST_SYSTEMS)]
    lost = {d for s, e in zip(inc["start"], inc["end"])
            for d in pd.date_range(pd.Timestamp(s).normalize(), pd.Timestamp(e).normalize(), freq="D")}
    series[days.isin(pd.DatetimeIndex(sorted(holidays))) | days.isin(pd.DatetimeIndex(sorted(lost)))] = float("nan")
    return series[~days.day_of_week.isin(_closed_weekdays(cs))]


def forecast_season(ds) -> int:
    """Open days per week: the forecast's seasonal cycle."""
    return 7 - len(_closed_weekdays(ds.case_study))


def expected_forecast(ds) -> pd.DataFrame:
    series = forecast_series(ds)
    start = pd.Timestamp(ds.meta.get("period_start") or ds.case_study.period.start).normalize()
    return analysis.forecasting.holdout_evaluation(series, horizon=int((series.index >= start).sum()),
                                                   season=forecast_season(ds))


def expected_chart(ds) -> tuple[float, list[str]]:
    chart = analysis.control_charts.p_chart(ds.calls, by="day")
    above = chart.index[chart["value"] > chart["ucl"]]
    return float(chart["centre"].iloc[0]), [pd.Timestamp(d).strftime("%Y-%m-%d") for d in above]


def campaign(ds):
    """The case study's first campaign in the period that drives inbound calls (the Winter Saver offer)."""
    cs = ds.case_study
    inbound = [c for c in cs.campaigns if c.inbound_uplift > 1]
    return min(inbound, key=lambda c: c.start)


def expected_change(ds):
    """Sales-queue abandonment: the campaign's days against the days of the period before it (Newcombe)."""
    c = campaign(ds)
    sales = ds.calls[ds.calls["queue"] == c.queue]
    t = sales["arrived_at"]
    start, end = pd.Timestamp(c.start), pd.Timestamp(c.end) + pd.Timedelta(days=1)
    return analysis.compare_before_after(sales[t < start], sales[(t >= start) & (t < end)],
                                         metric="abandonment_rate")


def expected_claims(ds) -> dict[str, dict]:
    """The reference claim of each question: size, interval, significant."""
    trend = expected_trend(ds)
    out = {"volume_trend": {"size": trend["growth"], "interval": trend["ci"],
                            "significant": trend["ci"][0] > 0 or trend["ci"][1] < 0}}
    cmp_ = expected_change(ds)
    surveys = ds.surveys
    cs = ds.case_study
    cut = pd.Timestamp(ds.meta["period_start"]) + pd.Timedelta(days=int(ds.meta.get("days") or cs.period.days) // 2)
    csat = analysis.compare_before_after(surveys[surveys["sent_at"] < cut], surveys[surveys["sent_at"] >= cut],
                                         metric="csat")
    calls = ds.calls
    dow = calls["arrived_at"].dt.day_of_week
    monday = analysis.compare_before_after(calls[(dow >= 1) & (dow <= 4)], calls[dow == 0], metric="service_level",
                                           threshold_s=20)
    for q, c in (("campaign_abandonment", cmp_), ("csat_change", csat), ("monday_service_level", monday)):
        out[q] = {"size": c.estimate, "interval": (c.ci_low, c.ci_high), "significant": c.significant}
    for ref in out.values():
        ref["direction"] = (("increase" if ref["size"] > 0 else "decrease") if ref["significant"]
                            else "no significant change")
    return out


def valid_causes(ds, day: str) -> tuple[set[str], str | None]:
    """Causes true for ``day``: incident ids in force that day, inbound campaigns running, monday_peak on a
    Monday, high_volume when more calls than the mean of its weekday were offered, and common_cause; plus
    the incident that must be named (an incident in force that day), if any."""
    d = pd.Timestamp(day)
    inc = ds.incidents
    hit = inc[(inc["start"].dt.normalize() <= d) & (inc["end"].dt.normalize() >= d)]
    camps = ds.campaigns
    running = camps[(camps["inbound_uplift"] > 1) & (camps["start"].dt.normalize() <= d)
                    & (camps["end"].dt.normalize() >= d)]
    ok = set(hit["incident_id"].astype(str)) | set(running["campaign_id"].astype(str)) | {"common_cause"}
    if d.day_of_week == 0:
        ok.add("monday_peak")
    calls = offered_calls(ds)
    daily = calls.groupby(calls["arrived_at"].dt.normalize()).size()
    same = daily[daily.index.day_of_week == d.day_of_week]
    if d in daily.index and daily[d] > same.mean():
        ok.add("high_volume")
    must = str(hit["incident_id"].iloc[0]) if len(hit) else None
    if must:
        ok.discard("common_cause")
    return ok, must


def _cause_words(ds, cause: str) -> tuple[str, ...]:
    inc = ds.incidents
    systems = dict(zip(inc["incident_id"].astype(str), inc["system"].astype(str)))
    if cause in systems:
        return CAUSE_WORDS.get(systems[cause], ("outage",))
    if cause in set(ds.campaigns["campaign_id"].astype(str)):
        return CAUSE_WORDS["campaign"]
    return CAUSE_WORDS.get(cause, ())


# --------------------------------------------------------------------------------------------- Task 3.1
@CHECKS.check("patterns_profile_check", "intraday", "weekly")
def patterns_profile_check(data, intraday, weekly) -> Findings:
    """PC 3.1: the intraday (30-minute, open weekdays) profile of voice and chat and the weekly profile of voice,
    chat and e-mail, recomputed from the learner's period records (calls, journeys)."""
    fs = checks.profiles(intraday, weekly)
    if not fs.all_passed:
        return fs
    ds = data.ds
    exp_i, exp_w = expected_intraday(ds), expected_weekly(ds)
    ans_i = intraday[list(exp_i.columns)].astype(float).set_axis([str(i) for i in intraday.index]).rename_axis(
        "interval")
    ans_w = weekly[list(exp_w.columns)].astype(float).set_axis([str(i) for i in weekly.index]).rename_axis("day")
    fs.append(check_table("intraday", ans_i, exp_i, key="interval", rel_tol=REL_TOL, abs_tol=0.05, points=2,
                          criterion="3.1"))
    fs.append(check_table("weekly", ans_w, exp_w, key="day", rel_tol=REL_TOL, abs_tol=0.05, criterion="3.1"))
    return fs


@CHECKS.check("patterns_trend_check", "traffic_patterns")
def patterns_trend_check(data, traffic_patterns) -> Findings:
    """PC 3.1: the peak interval and day per channel, the busiest and quietest month of the year and the
    volume trend per year with its confidence interval (de-seasonalised monthly trend of traffic_history)."""
    fs = checks.patterns(traffic_patterns)
    if not fs.all_passed:
        return fs
    ds = data.ds
    intraday, weekly, trend = expected_intraday(ds), expected_weekly(ds), expected_trend(ds)
    for ch in checks.PROFILE_CHANNELS:
        named = str(traffic_patterns["peak_interval"][ch])
        prof = intraday[ch]
        ok = named in prof.index and prof[named] >= PEAK_TIE * prof.max()
        fs.append(_f("3.1", ok, f"peak interval of {ch}" + ("" if ok else ": check the intraday profile on open "
                                                            "weekdays"), f"peak_interval.{ch}"))
    for ch in checks.WEEKLY_CHANNELS:
        named = str(traffic_patterns["peak_day"][ch]).title()
        ok = named == weekly[ch].idxmax()
        fs.append(_f("3.1", ok, f"peak day of {ch}" + ("" if ok else ": check the weekly profile"), f"peak_day.{ch}"))
    for key in ("busiest_month", "quietest_month"):
        ok = str(traffic_patterns[key]).title() == trend[key]
        fs.append(_f("3.1", ok, key.replace("_", " ") + ("" if ok else ": check the seasonal index of traffic_history"),
                     key))
    fs.append(_number("trend_per_year", traffic_patterns["trend_per_year"], trend["growth"], "3.1",
                      abs_tol=GROWTH_TOL))
    lo, hi = traffic_patterns["trend_ci"]
    fs.append(_number("trend_ci (low)", lo, trend["ci"][0], "3.1", abs_tol=GROWTH_TOL))
    fs.append(_number("trend_ci (high)", hi, trend["ci"][1], "3.1", abs_tol=GROWTH_TOL))
    return fs


# --------------------------------------------------------------------------------------------- Task 3.2
@CHECKS.check("forecast_check", "forecast_errors", "forecast_choice")
def forecast_check(data, forecast_errors, forecast_choice) -> Findings:
    """PC 3.2: the hold-out errors of seasonal naive, moving average and Holt-Winters on the learner's daily voice
    series of open days (26 weeks of history, the period held out; closed holidays and outage days missing,
    imputed in the history and not scored), the method with the lowest error chosen, and whether it beats the
    seasonal-naive benchmark said truly (an honest "no method does" passes where that is the hold-out's
    result)."""
    fs = checks.forecast(forecast_errors, forecast_choice)
    if not fs.all_passed:
        return fs
    expected = expected_forecast(data.ds)
    answer = forecast_errors.copy()
    answer.index = [str(i) for i in answer.index]
    cols = ["mape", "mae", "rmse", "bias"]
    fs.append(check_table("forecast_errors", answer.loc[list(expected.index), cols].astype(float).rename_axis("method"),
                          expected[cols].rename_axis("method"), key="method", rel_tol=REL_TOL, abs_tol=0.01, points=2,
                          criterion="3.2"))
    best = expected["mape"].idxmin()
    fs.append(_f("3.2", forecast_choice["method"] == best, "the method chosen is the most accurate on the hold-out"
                 if forecast_choice["method"] == best else "the method chosen is not the most accurate on your data's "
                 "hold-out", "forecast_choice"))
    return fs


@CHECKS.check("control_chart_check", "control_chart")
def control_chart_check(data, control_chart) -> Findings:
    """PC 3.2: a p chart (the chart for a daily proportion with varying daily calls) of the daily abandonment
    rate, its centre line, every day above the upper limit, and for each a cause true on that day (the
    incident in force is named when there was one) with an explanation of how it raised abandonment."""
    ds = data.ds
    fs = checks.control_chart(control_chart, ds.incidents["incident_id"].astype(str).tolist(),
                              ds.campaigns["campaign_id"].astype(str).tolist())
    if not fs.all_passed:
        return fs
    ok = control_chart["metric"] == "abandonment_rate"
    fs.append(_f("3.2", ok, "the metric is the abandonment rate" if ok else "the task charts the daily abandonment "
                 "rate", "metric"))
    ok = control_chart["chart"] == "p"
    fs.append(_f("3.2", ok, "the chart fits the data: a proportion with a different number of calls each day" if ok
                 else "this chart does not fit a daily proportion whose number of calls changes from day to day",
                 "chart"))
    if not ok:
        return fs
    centre, days = expected_chart(ds)
    fs.append(_number("centre", control_chart["centre"], centre, "3.2", abs_tol=1e-4))
    answered = sorted({checks._date(d) for d in control_chart["days_above_ucl"]})
    ok = answered == sorted(days)
    fs.append(_f("3.2", ok, "every day above the upper control limit, and no other" if ok else
                 "the days above the upper control limit differ from your data's p chart", "days_above_ucl"))
    causes = {checks._date(k): v for k, v in control_chart["causes"].items()}
    wrong, unexplained = [], []
    for day in answered:
        entry = causes.get(day) or {}
        cause = str(entry.get("cause"))
        valid, must = valid_causes(ds, day)
        if cause not in valid or (must and cause != must):
            wrong.append(day)
            continue
        text = str(entry.get("explanation", "")).lower()
        if not (any(w in text for w in _cause_words(ds, cause)) and any(w in text for w in RATE_WORDS)):
            unexplained.append(day)
    fs.append(_f("3.2", not wrong, "each cause was in force on its day (incidents named where there was one)"
                 if not wrong else f"the cause given for {', '.join(wrong[:3])} does not fit that day "
                 "(what was in force? was it a Monday? busier than usual?)", "causes", points=2))
    fs.append(_f("3.2", not unexplained, "each explanation says how the cause raised abandonment" if not unexplained
                 else f"explain for {', '.join(unexplained[:3])} how the cause made callers abandon", "causes"))
    return fs


@CHECKS.check("change_test_check", "change_test")
def change_test_check(data, change_test) -> Findings:
    """PC 3.2: the change in the sales queue's abandonment rate from the week before the campaign to the
    campaign's days tested as a difference of two proportions (interval and significance), on the learner's
    calls."""
    fs = checks.change_test(change_test)
    if not fs.all_passed:
        return fs
    ok = checks._get(change_test, "metric") == "abandonment_rate"
    fs.append(_f("3.2", ok, "a comparison of two proportions (abandoned / offered)" if ok else
                 "abandonment is a proportion of calls offered: compare it as a proportion, not a mean or another "
                 "metric", "change_test.metric"))
    if not ok:
        return fs
    ref = expected_change(data.ds)
    for key in ("n_before", "n_after"):
        fs.append(check_value(f"change_test.{key}", checks._get(change_test, key), getattr(ref, key), rel_tol=0,
                              criterion="3.2"))
    for key in ("estimate", "ci_low", "ci_high"):
        fs.append(_number(f"change_test.{key}", checks._get(change_test, key), getattr(ref, key), "3.2",
                          abs_tol=PROP_TOL))
    return fs


# --------------------------------------------------------------------------------------------- Task 3.3
@CHECKS.check("claims_check", "claims")
def claims_check(data, claims) -> Findings:
    """PC 3.3: each claim's size and interval match the learner's data and its direction and significance are
    what the data supports (a non-significant change called significant fails)."""
    fs = checks.claims(claims)
    if not fs.all_passed:
        return fs
    refs = expected_claims(data.ds)
    for c in claims:
        q = c["question"]
        if q not in refs:
            continue
        ref = refs[q]
        tol = GROWTH_TOL if q == "volume_trend" else PROP_TOL
        fs.append(_number(f"{q}.size", c["size"], ref["size"], "3.3", abs_tol=tol))
        fs.append(_number(f"{q}.interval (low)", c["interval"][0], ref["interval"][0], "3.3", abs_tol=tol))
        fs.append(_number(f"{q}.interval (high)", c["interval"][1], ref["interval"][1], "3.3", abs_tol=tol))
        ok = c["direction"] == ref["direction"] and bool(c["significant"]) == bool(ref["significant"])
        fs.append(_f("3.3", ok, f"{q}: the conclusion is what the data supports" if ok else
                     f"{q}: the data does not support this conclusion", q))
    return fs
