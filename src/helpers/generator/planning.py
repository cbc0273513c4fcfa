"""The staffing plan a workforce planner would make from the data: Erlang C for 80/20 on the average
offered load, grossed up for the case study's stated shrinkage. Used to check the story (the roster
was cut about 10% below such a plan), by the data card and by the realism tests; generation itself
never calls it.

Conventions: half-hour intervals ``HH:MM`` of the centre's clock; calls offered = calls not lost
(lost calls were never offered to a queue); AHT = talk + hold + wrap of answered calls in seconds;
*agents* are on the phones, *staff* are rostered (agents / (1 - shrinkage), rounded up).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.casestudy import CaseStudy
from helpers.generator.calendar import is_public_holiday


def stated_shrinkage(cs: CaseStudy) -> float:
    """Share of rostered time not on the phones, as the case study states it: breaks
    (``break_s_per_hour``), meetings and coaching (``other_shrinkage``, on average; the roster gives
    half the shifts twice that) and unplanned absence (``absence_rate``)."""
    wf = cs.workforce
    return wf.break_s_per_hour / 3600 + wf.other_shrinkage + wf.absence_rate


def clean_answered(calls: pd.DataFrame) -> pd.DataFrame:
    """Answered calls with plausible durations (0 <= talk < 4 h, answered after arrival)."""
    a = calls[calls["answered_at"].notna()]
    return a[(a["talk_s"] >= 0) & (a["talk_s"] < 4 * 3600) & (a["answered_at"] >= a["arrived_at"])]


def average_load(calls: pd.DataFrame, day: str = "weekday") -> pd.DataFrame:
    """Mean calls offered per half hour and queue on the open days of one type ('weekday' Mon-Fri or
    'saturday'; public holidays excluded), with each queue's AHT (s). Columns queue, interval, calls, aht_s."""
    off = calls[calls["outcome"] != "lost"]
    t = off["arrived_at"]
    dow = t.dt.day_of_week
    keep = ((dow < 5) if day == "weekday" else (dow == 5)) & ~is_public_holiday(t.to_numpy("datetime64[D]"))
    off = off[keep]
    n_days = max(off["arrived_at"].dt.normalize().nunique(), 1)
    slot = off["arrived_at"].dt.strftime("%H:") + np.where(off["arrived_at"].dt.minute < 30, "00", "30")
    load = (off.groupby([off["queue"], slot.rename("interval")]).size() / n_days).rename("calls").reset_index()
    a = clean_answered(calls)
    aht = (a["talk_s"] + a["hold_s"] + a["wrap_s"]).groupby(a["queue"]).mean().rename("aht_s")
    return load.merge(aht, left_on="queue", right_index=True, how="left")


def erlang_plan(calls: pd.DataFrame, cs: CaseStudy, day: str = "weekday") -> pd.DataFrame:
    """Erlang C plan for the case study's service-level target on the average load of ``day``:
    columns queue, interval, calls, aht_s, agents, staff (agents grossed up for ``stated_shrinkage``)."""
    from helpers import staffing
    sl = cs.targets["service_level"]
    load = average_load(calls, day)
    req = staffing.interval_requirements(load[["interval", "calls", "aht_s"]], target_s=sl.threshold_s or 20,
                                         target_sl=sl.target, shrinkage=stated_shrinkage(cs))
    load["agents"] = req["agents"].to_numpy()
    load["staff"] = req["staff_with_shrinkage"].to_numpy()
    return load


def rostered(cs: CaseStudy, day: str = "weekday") -> pd.DataFrame:
    """The case study's staffing plan as rows queue, interval, rostered (agents rostered)."""
    rows = []
    for q, plan in cs.staffing_plan.items():
        for i, n in enumerate(getattr(plan, day)):
            if n:
                rows.append((q, f"{i // 2:02d}:{'30' if i % 2 else '00'}", int(n)))
    return pd.DataFrame(rows, columns=["queue", "interval", "rostered"])


def roster_against_plan(calls: pd.DataFrame, cs: CaseStudy, day: str = "weekday") -> pd.DataFrame:
    """Per queue: rostered agent half-hours, the Erlang C plan's staff half-hours and their ratio
    (below 1: the roster is cut below the plan). A last row 'all' sums the queues."""
    plan = erlang_plan(calls, cs, day).groupby("queue")["staff"].sum()
    rost = rostered(cs, day).groupby("queue")["rostered"].sum()
    out = pd.DataFrame({"rostered": rost, "erlang_c_plan": plan}).fillna(0)
    out.loc["all"] = out.sum()
    out["ratio"] = out["rostered"] / out["erlang_c_plan"]
    return out
