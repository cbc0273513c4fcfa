"""The business plan's money side as data: the budget by month with actuals, and the costs of options.

* ``budget``: every month of the financial year that contains the period (``financial_year_start_month``,
  July for Australian organisations), one row per budget line of the case study plus a marketing line.
  Actuals (AUD) exist for months that have ended by the end of the period. For months that overlap the
  period, agent wages follow the shifts actually rostered (paid hours x each agent's hourly cost x 1.25
  on-costs, scaled from the calendar days of the period in that month to the whole month, if at least 7), and marketing is the
  budgets of the campaigns that started in the month (``campaigns`` table). Other lines and months vary
  around the budget (sd 3%, winter months a little higher for labour: overtime in the billing peak).
* ``options``: the case study's ``options`` with the first year's cost (one-off + 12 x monthly).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.casestudy import CaseStudy
from helpers.generator.frames import conform, index_in

ON_COSTS = 1.25  # superannuation, payroll tax, workers' compensation, leave loading on top of wages


def _months(cs: CaseStudy, t0: np.datetime64) -> np.ndarray:
    start = pd.Timestamp(t0)
    fy = start.year if start.month >= cs.financial_year_start_month else start.year - 1
    first = pd.Timestamp(year=fy, month=cs.financial_year_start_month, day=1)
    return pd.date_range(first, periods=12, freq="MS").to_numpy(dtype="datetime64[ns]")


def make_budget(cs: CaseStudy, shifts: pd.DataFrame, agents: pd.DataFrame, campaigns: pd.DataFrame,
                rng: np.random.Generator, t0: np.datetime64, period_end: np.datetime64) -> pd.DataFrame:
    months = _months(cs, t0)
    month_end = (pd.DatetimeIndex(months) + pd.offsets.MonthBegin(1)).to_numpy(dtype="datetime64[ns]")
    closed = month_end <= np.datetime64(period_end, "ns") + np.timedelta64(1, "D")
    lines = [(b.line, b.category, b.amount_aud * {"month": 1, "quarter": 1 / 3, "year": 1 / 12, "period": 1}[b.period])
             for b in cs.budget]
    if cs.marketing_budget_aud_per_month:
        lines.append(("Marketing campaigns", "marketing", cs.marketing_budget_aud_per_month))
    winter = np.isin(pd.DatetimeIndex(months).month, [6, 7, 8])
    # paid agent hours in the period by month -> wages for the whole month
    month_of = lambda x: np.asarray(x, dtype="datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]")  # noqa: E731
    pos = index_in(shifts["agent_id"], agents["agent_id"])
    hours = (shifts["rostered_end"].to_numpy() - shifts["rostered_start"].to_numpy()) / np.timedelta64(3600, "s")
    wages = hours * agents["hourly_cost_aud"].to_numpy(dtype=float)[pos] * ON_COSTS
    paid = pd.Series(wages).groupby(month_of(shifts["date"])).sum()
    period_days = np.arange(np.datetime64(t0, "D"), np.datetime64(period_end, "D"))
    days_in = pd.Series(1, index=period_days).groupby(month_of(period_days)).sum()
    camp = campaigns["budget_aud"].groupby(month_of(campaigns["start"])).sum()
    month_index = pd.DatetimeIndex(months)
    keys = [f"B{m:%y%m}-" for m in month_index]
    wage_months = [(i, m) for i, m in enumerate(month_index) if m in paid.index]
    camp_months = np.array([float(camp.get(m, 0.0)) for m in month_index])
    cols = {"budget_id": [], "month": [], "line": [], "category": [], "budget_aud": [], "actual_aud": []}
    for k, (line, category, amount) in enumerate(lines, start=1):
        noise = 1 + rng.normal(0, 0.03, months.size)
        actual = amount * noise * np.where(winter & (category == "labour"), 1.03, 1.0)
        if line.lower().startswith("agent wages"):
            for i, m in wage_months:
                open_days = max(int(days_in.get(m, m.days_in_month)), 1)
                if open_days >= 7:
                    actual[i] = paid[m] * m.days_in_month / open_days
        if category == "marketing":
            actual = camp_months.copy()
        cols["budget_id"] += [f"{x}{k:02d}" for x in keys]
        cols["month"].append(months)
        cols["line"] += [line] * months.size
        cols["category"] += [category] * months.size
        cols["budget_aud"].append(np.round(np.full(months.size, amount), 2))
        cols["actual_aud"].append(np.where(closed, np.round(actual, 2), np.nan))
    out = pd.DataFrame({c: (np.concatenate(v) if isinstance(v[0], np.ndarray) else np.array(v, dtype=object))
                        for c, v in cols.items()}).sort_values(["month", "line"], kind="stable")
    return conform("budget", {c: out[c].to_numpy() for c in out.columns})


def options_frame(cs: CaseStudy) -> pd.DataFrame:
    o = cs.options
    return conform("options", {
        "option_id": [x.id for x in o], "name": [x.name for x in o],
        "one_off_aud": [x.one_off_aud for x in o], "monthly_aud": [x.monthly_aud for x in o],
        "annual_cost_aud": [x.one_off_aud + 12 * x.monthly_aud for x in o],
        "kpi": [x.kpi for x in o], "expected_effect": [x.expected_effect for x in o]})
