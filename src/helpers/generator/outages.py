"""The learner's outage schedule: the one owner of when each of the case study's outages happened.

The case study's ``outages`` are *templates*. The practice dataset (no learner) keeps them as
published; each learner's dataset moves every outage to another day of the period of the same kind,
drawn from the stream ``helpers.generator.rng.stream(seed, learner, "outages")``, so a sentence copied
from someone else about "the CRM outage on Wednesday morning" is wrong for the copier. Each outage
keeps its system, planned flag, queues and description; its id is re-dated (``INC-0514-CRM`` on
another day becomes ``INC-<mmdd>-CRM``) and its length is 85-105% of the published one (whole 5
minutes: never much longer, so a plan sized on the published outage, such as a 3-hour RTO for the CRM,
stays realistic for every learner). Rules (holidays from ``helpers.generator.calendar``, hours from the
case study's ``opening_hours``):

* **the same kind of day**: an outage on an open weekday moves to an open weekday, a planned job on a
  closed Sunday to a closed Sunday, a Saturday job to a Saturday; never to a public holiday. An
  unplanned weekday failure falls Tuesday to Friday: on the Monday peak (the weekend's demand
  arriving at once) a CRM failure leaves more paper records than the case study's re-keying capacity
  clears in a working day, so learners' contingency findings would differ by luck, not by plan;
* **inside the opening hours** on an open day, starting on a quarter hour and ending before close:
  an unplanned failure starts in the first six open hours (when the load is there), a planned job in
  the first hour (maintenance in the quiet start of the day); on a closed day the start moves up to
  two hours either way within the day;
* **clear of other story events**: an open-day outage is neither on the period's first or last open
  day (its before and after are in the data) nor on a campaign's launch day, and no two outages share
  a day; two open-day outages are at least two days apart (the retrials and repeat calls of one do
  not run into the other).

If the period is too short for all rules, the adjacency rule goes first, then the launch and edge
rules; an outage with no day of its kind left keeps its published day. The schedule depends on the
case study's period, not on ``generate(days=...)``: a shortened dataset has the same outages (those
after its end are simply not in the data).

The learner's data is the source of their outage times: consumers of a dataset read
:func:`of_dataset` (the ``incidents`` table as ``Outage`` objects), never ``cs.outages``.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from helpers.casestudy import CaseStudy, Outage
from helpers.generator.calendar import is_public_holiday
from helpers.generator.rng import stream

STEP = dt.timedelta(minutes=15)
DURATION_STEP = dt.timedelta(minutes=5)
DURATION_RANGE = (0.85, 1.05)       # length as a share of the template's
UNPLANNED_START_WINDOW = dt.timedelta(hours=6)
PLANNED_START_WINDOW = dt.timedelta(hours=1)
CLOSED_DAY_SHIFT = dt.timedelta(hours=2)
_ID = re.compile(r"INC-\d{4}-(\w+)")


def day_type(day: dt.date) -> str:
    """'weekday', 'saturday', 'sunday' or 'holiday' (an observed national public holiday)."""
    if is_public_holiday(np.datetime64(day, "D")):
        return "holiday"
    return "weekday" if day.weekday() < 5 else ("saturday" if day.weekday() == 5 else "sunday")


def _hours(cs: CaseStudy, day: dt.date):
    kind = day_type(day)
    return None if kind == "holiday" else cs.opening_hours.for_day_type(kind)


def _at(day: dt.date, t: dt.time | dt.timedelta) -> dt.datetime:
    base = dt.datetime.combine(day, dt.time())
    return base + (t if isinstance(t, dt.timedelta) else dt.timedelta(hours=t.hour, minutes=t.minute))


def _days(cs: CaseStudy, template: Outage, taken: list[dt.date], level: int) -> list[dt.date]:
    """Candidate days for ``template`` (rules relaxed as ``level`` grows: 0 all, 1 no adjacency, 2 only
    the kind of day and a free day)."""
    kind, is_open = day_type(template.start.date()), _hours(cs, template.start.date()) is not None
    period = [cs.period.start + dt.timedelta(days=i) for i in range(cs.period.days)]
    open_days = [d for d in period if _hours(cs, d) is not None]
    launches = {c.start for c in cs.campaigns}
    out = []
    for d in period:
        if day_type(d) != kind or (_hours(cs, d) is not None) != is_open or d in taken:
            continue
        if is_open and kind == "weekday" and not template.planned and d.weekday() == 0 and level < 2:
            continue
        if is_open and level < 2 and (d in launches or d in (open_days[0], open_days[-1])):
            continue
        if is_open and level < 1 and any(abs((d - t).days) < 2 for t in taken if _hours(cs, t) is not None):
            continue
        out.append(d)
    return out


def _duration(template: Outage, rng: np.random.Generator) -> dt.timedelta:
    length = (template.end - template.start) * float(rng.uniform(*DURATION_RANGE))
    return max(DURATION_STEP, round(length / DURATION_STEP) * DURATION_STEP)


def _start(cs: CaseStudy, template: Outage, day: dt.date, length: dt.timedelta,
           rng: np.random.Generator) -> dt.datetime:
    hours = _hours(cs, day)
    if hours is None:  # a closed day: the published time of day, moved up to two hours within the day
        tod = template.start - dt.datetime.combine(template.start.date(), dt.time())
        lo, hi = max(dt.timedelta(0), tod - CLOSED_DAY_SHIFT), min(tod + CLOSED_DAY_SHIFT, dt.timedelta(days=1) - length)
        lo, hi = _at(day, lo), _at(day, max(lo, hi))
    else:
        lo, close = _at(day, hours.open), _at(day, hours.close)
        window = PLANNED_START_WINDOW if template.planned else UNPLANNED_START_WINDOW
        hi = max(lo, min(lo + window, close - length))
    steps = int((hi - lo) // STEP)
    return lo + STEP * int(rng.integers(0, steps + 1))


def _id(template: Outage, day: dt.date) -> str:
    m = _ID.fullmatch(template.id)
    return f"INC-{day:%m%d}-{m.group(1)}" if m else template.id


def schedule(cs: CaseStudy, seed: int, learner: str | None) -> list[Outage]:
    """The outages of ``learner``'s data (the case study's as published when ``learner`` is None)."""
    if learner is None:
        return list(cs.outages)
    rng = stream(seed, learner, "outages")
    taken: list[dt.date] = []
    out = []
    for o in cs.outages:
        days = next((d for level in range(3) if (d := _days(cs, o, taken, level))), None)
        day = days[int(rng.integers(0, len(days)))] if days else o.start.date()
        length = _duration(o, rng)
        hours = _hours(cs, day)
        if hours is not None:  # never longer than the day is open
            length = min(length, _at(day, hours.close) - _at(day, hours.open))
        start = _start(cs, o, day, length, rng) if days else o.start
        taken.append(day)
        out.append(o.model_copy(update={"id": _id(o, day) if days else o.id, "start": start,
                                        "end": start + (length if days else o.end - o.start)}))
    return out


def for_learner(cs: CaseStudy, seed: int, learner: str | None) -> CaseStudy:
    """``cs`` with the learner's outages in place of the templates (``cs`` itself for the practice data)."""
    return cs if learner is None else cs.model_copy(update={"outages": schedule(cs, seed, learner)})


def from_incidents(incidents: pd.DataFrame) -> list[Outage]:
    """The outages of a dataset's ``incidents`` table, in time order."""
    rows = incidents.sort_values("start", kind="stable")
    return [Outage(id=str(r.incident_id), system=str(r.system), planned=bool(r.planned),
                   start=pd.Timestamp(r.start).to_pydatetime(), end=pd.Timestamp(r.end).to_pydatetime(),
                   queues=[q for q in str(r.queues_affected).split(",") if q], description=str(r.description))
            for r in rows.itertuples(index=False)]


def of_dataset(ds) -> list[Outage]:
    """The outages of the learner's dataset (its ``incidents`` table): the learner's own times."""
    return from_incidents(ds.incidents)
