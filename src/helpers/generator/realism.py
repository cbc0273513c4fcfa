"""Figures that show whether a dataset is believable (issue 14), for the data card of ``ccw regenerate``.

``realism_figures(ds)`` measures, from the learner-visible tables and the case study only (no grader
ground truth), each fact a statistician would check, next to what the story or the literature says.
Units are in the figure names; shares are fractions 0-1. ``tests/data/test_realism_facts.py`` checks the
same facts independently on several seeds and learners.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.generator.calendar import NATIONAL_HOLIDAYS
from helpers.generator.planning import roster_against_plan


def agent_overlaps(calls: pd.DataFrame) -> int:
    """Answered calls that start while the same agent is still busy (talk + hold + wrap) with the
    previous one; calls with impossible durations or out-of-order timestamps are left out."""
    a = calls[calls["answered_at"].notna() & (calls["talk_s"] >= 0) & (calls["talk_s"] < 4 * 3600)
              & (calls["answered_at"] >= calls["arrived_at"]) & (calls["ended_at"] >= calls["answered_at"])]
    a = a.sort_values(["agent_id", "answered_at"])
    busy_until = a["answered_at"] + pd.to_timedelta(a["talk_s"] + a["hold_s"] + a["wrap_s"], unit="s")
    same = a["agent_id"].to_numpy()[1:] == a["agent_id"].to_numpy()[:-1]
    return int((same & (a["answered_at"].to_numpy()[1:] < busy_until.to_numpy()[:-1])).sum())


def callbacks_after_abandoning(calls: pd.DataFrame) -> tuple[float, float]:
    """Share of abandoned calls by identified callers followed by another call of the same customer
    about the same reason within 1 hour, and within 7 days."""
    c = calls[calls["customer_id"].notna() & (calls["outcome"] != "lost")].sort_values("arrived_at")
    nxt = c.groupby(["customer_id", "reason"])["arrived_at"].shift(-1)
    gap = (nxt - c["arrived_at"]).dt.total_seconds()[c["abandoned"]]
    return float((gap <= 3600).mean()), float((gap <= 7 * 86400).mean())


def fcr_spread_by_agent(calls: pd.DataFrame, min_calls: int = 30) -> float | None:
    """p90 - p10 of the agents' first-contact resolution (answered service calls of identified callers
    not followed by a call about the same reason within 7 days), agents with ``min_calls`` such calls."""
    ident = calls[calls["customer_id"].notna()].sort_values(["customer_id", "reason", "arrived_at"], kind="stable")
    nxt = ident.groupby(["customer_id", "reason"])["arrived_at"].shift(-1)
    resolved = ~((nxt - ident["arrived_at"]) <= pd.Timedelta(days=7))
    served = ident["answered_at"].notna() & ident["outcome"].isin(["resolved", "unresolved"])
    by = resolved[served].groupby(ident.loc[served, "agent_id"]).agg(["mean", "size"])
    rates = by.loc[by["size"] >= min_calls, "mean"]
    return float(rates.quantile(0.9) - rates.quantile(0.1)) if len(rates) >= 5 else None


def realism_figures(ds) -> pd.DataFrame:
    """One row per fact: figure, value, expected (what story or literature says)."""
    cs = ds.case_study
    calls, cust = ds.calls, ds.customers
    off = calls[calls["outcome"] != "lost"]
    t = off["arrived_at"]
    weekday = off[(t.dt.day_of_week < 5)]
    wd_days = max(weekday["arrived_at"].dt.normalize().nunique(), 1)
    first_hour = weekday["arrived_at"].dt.hour == 8
    profile = np.array(cs.intraday_profile.weekday, dtype=float)
    designed = profile[16:18].sum() / profile.sum()
    ans = calls[calls["answered_at"].notna() & (calls["talk_s"] >= 0)]
    one_hour, week = callbacks_after_abandoning(calls)
    csat = ds.surveys["csat"].dropna().value_counts()
    days = (ds.meta.get("days") or cs.period.days)
    in_extract = calls["customer_id"].isin(cust["customer_id"])
    accounts = cs.organisation.accounts or 15 * cs.organisation.customers
    complaints_year = len(ds.complaints) * 365 / days / accounts
    plan = roster_against_plan(calls, cs)
    on_holiday = np.isin(t.to_numpy("datetime64[D]"), NATIONAL_HOLIDAYS).sum()
    rows = [
        ("agents on two calls at once (calls)", agent_overlaps(calls), "0"),
        ("weekday calls offered per day", len(weekday) / wd_days,
         f"about {cs.organisation.weekday_calls:,} (story)" if cs.organisation.weekday_calls else "story"),
        ("share of weekday calls in 08:00-09:00 / designed share", first_hour.mean() / designed, "about 1"),
        ("repeat share 08:00-09:00 / repeat share other hours",
         weekday["is_repeat"][first_hour].mean() / max(weekday["is_repeat"][~first_hour].mean(), 1e-9),
         "at most about 1 (repeats no longer pile into the first hour)"),
        ("abandoned callers calling back within 1 h", one_hour, "substantial (Gans et al. 2003)"),
        ("abandoned callers calling back within 7 days", week, "substantial"),
        ("answered calls with talk under 20 s", float((ans["talk_s"] < 20).mean()),
         "a spike of a few % (Brown et al. 2005)"),
        ("calls on national public holidays", int(on_holiday), "0"),
        ("rostered / Erlang C plan with stated shrinkage (weekday)", float(plan.loc["all", "ratio"]),
         "about 0.9 (cut 10%)"),
        ("share of the extract's customers who called", calls.loc[in_extract, "customer_id"].nunique() / len(cust),
         f"well below half for a {accounts:,}-account retailer"),
        ("complaints per 1,000 calls offered", 1000 * len(ds.complaints) / max(len(off), 1), "about 5-12"),
        ("complaints per account per year", complaints_year,
         "1%-3.2% of customers (AER retail performance data 2016-17)"),
        ("CSAT 1s / CSAT 2s", csat.get(1.0, 0) / max(csat.get(2.0, 0), 1), "> 1 (J-shape)"),
    ]
    if "qa_evaluations" in ds.tables and len(ds.qa_evaluations):
        qa = ds.qa_evaluations
        by_agent = qa.groupby("agent_id")["score"].mean()
        rows.append(("QA score: spread of agent means (sd, points)", float(by_agent.std()), "agents differ"))
    spread = fcr_spread_by_agent(calls)
    if spread is not None:
        rows.append(("FCR by agent (no repeat in 7 days): p90 - p10 of agents' rates", spread,
                     "agents differ (skill, tenure; new starters lower)"))
    if "complaints" in ds.tables and "acknowledged_at" in ds.complaints:
        c = ds.complaints
        wd = np.busday_count(c["received_at"].to_numpy("datetime64[D]"), c["acknowledged_at"].to_numpy("datetime64[D]"),
                             holidays=NATIONAL_HOLIDAYS)
        rows.append(("complaints acknowledged within policy", float((wd <= cs.complaints.acknowledge_working_days).mean()),
                     f"policy: {cs.complaints.acknowledge_working_days} working day(s)"))
    return pd.DataFrame(rows, columns=["figure", "value", "expected"])
