"""Outages differ per learner (helpers.generator.outages): each learner's data has the case study's outages
on days and times of their own, every consumer (calls, incidents, the BSBCUE605 facts) follows that
learner's schedule, and the practice dataset keeps the published one."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.casestudy import load_case_study
from helpers.generator import generate
from helpers.generator.calendar import is_public_holiday
from helpers.generator.outages import DURATION_RANGE, day_type, for_learner, of_dataset, schedule

VARIANTS = [(s, learner) for s in (1, 7, 42) for learner in ("alice", "bob", "s0001", "s0002", "kim", "lee")]


@pytest.fixture(scope="module")
def cs():
    return load_case_study("lyrebird-energy")


@pytest.fixture(scope="module")
def pair():
    """Two learners' full datasets (same seed)."""
    return {name: generate("lyrebird-energy", seed=3, learner=name) for name in ("ana", "ben")}


def _minutes(o) -> float:
    return (o.end - o.start).total_seconds() / 60


def test_the_practice_dataset_keeps_the_published_schedule(cs):
    assert schedule(cs, 0, None) == cs.outages and for_learner(cs, 0, None) is cs


def test_learners_get_different_outage_days_and_times(cs):
    crm = {(s, learner): next(o for o in schedule(cs, s, learner) if o.system == "crm") for s, learner in VARIANTS}
    starts = {o.start for o in crm.values()}
    days = {o.start.date() for o in crm.values()}
    print(f"\n{len(VARIANTS)} learners: {len(starts)} different CRM outage starts on {len(days)} days")
    assert len(starts) >= 0.8 * len(VARIANTS) and len(days) >= 8
    published = {(o.system, o.start) for o in cs.outages}
    moved = sum((o.system, o.start) not in published for s, learner in VARIANTS for o in schedule(cs, s, learner))
    assert moved >= 0.8 * len(VARIANTS) * len(cs.outages)


@pytest.mark.parametrize("seed,learner", VARIANTS)
def test_each_outage_keeps_its_kind_of_day_hours_length_and_story(cs, seed, learner):
    got = schedule(cs, seed, learner)
    assert [o.system for o in got] == [o.system for o in cs.outages]
    period = (cs.period.start, cs.period.end)
    open_days = [d for d in (cs.period.start + dt.timedelta(days=i) for i in range(cs.period.days))
                 if day_type(d) != "holiday" and cs.opening_hours.for_day_type(day_type(d)) is not None]
    launches = {c.start for c in cs.campaigns}
    for template, o in zip(cs.outages, got):
        day = o.start.date()
        assert (o.planned, o.queues, o.description) == (template.planned, template.queues, template.description)
        assert o.id == f"INC-{day:%m%d}-{template.id.rsplit('-', 1)[1]}"  # re-dated id, same system suffix
        assert period[0] <= day <= period[1] and o.end.date() == day
        assert day_type(day) == day_type(template.start.date()) and not is_public_holiday(np.datetime64(day))
        assert o.start.minute % 15 == 0 and o.start.second == 0
        lo, hi = DURATION_RANGE
        assert lo * _minutes(template) - 2.5 <= _minutes(o) <= hi * _minutes(template) + 2.5, (o.id, _minutes(o))
        hours = cs.opening_hours.for_day_type(day_type(day))
        if hours is not None:  # an open day: inside the opening hours, clear of launches and the period's edges
            assert dt.datetime.combine(day, hours.open) <= o.start and o.end <= dt.datetime.combine(day, hours.close)
            assert day not in launches and day not in (open_days[0], open_days[-1])
            if not o.planned:
                assert day.weekday() != 0  # unplanned failures: Tuesday to Friday (docstring of outages)
        else:
            assert cs.opening_hours.for_day_type(day_type(template.start.date())) is None  # closed stays closed
    days = [o.start.date() for o in got]
    assert len(set(days)) == len(days)  # no two outages on one day
    open_ = sorted(o.start.date() for o in got if cs.opening_hours.for_day_type(day_type(o.start.date())))
    assert all((b - a).days >= 2 for a, b in zip(open_, open_[1:]))


def test_same_seed_and_learner_same_schedule_other_learner_other(cs):
    assert schedule(cs, 5, "kim") == schedule(cs, 5, "kim")
    assert schedule(cs, 5, "kim") != schedule(cs, 5, "lee") and schedule(cs, 5, "kim") != schedule(cs, 6, "kim")


def test_a_short_period_still_gets_a_valid_schedule(cs):
    """Three open weekdays and no weekend: the rules relax in order; outages with no day of their kind left
    keep their published day (outside this period, so not in its data)."""
    short = cs.model_copy(update={"period": cs.period.model_copy(update={"days": 3})})
    got = schedule(short, 1, "alice")
    inside = [o for o in got if short.period.start <= o.start.date() <= short.period.end]
    assert {o.system for o in inside} == {"crm", "telephony"}
    assert len({o.start.date() for o in inside}) == 2
    for template, o in zip(cs.outages, got):
        if o not in inside:
            assert (o.id, o.start, o.end) == (template.id, template.start, template.end)


def test_same_seed_and_learner_same_incidents_and_calls():
    a = generate("lyrebird-energy", seed=3, learner="ana", days=7)
    b = generate("lyrebird-energy", seed=3, learner="ana", days=7)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    pd.testing.assert_frame_equal(a.calls, b.calls)


def test_incidents_are_the_learners_schedule(pair, cs):
    for name, ds in pair.items():
        assert of_dataset(ds) == sorted(schedule(cs, 3, name), key=lambda o: o.start)
        # the schedule is the case study's, not generate(days=...)'s: a shortened dataset has the same incidents
    short = generate("lyrebird-energy", seed=3, learner="ana", days=2)
    pd.testing.assert_frame_equal(short.incidents, pair["ana"].incidents)
    assert not pair["ana"].incidents.equals(pair["ben"].incidents)


def _inside(calls: pd.DataFrame, outages) -> pd.Series:
    hit = pd.Series(False, index=calls.index)
    for o in outages:
        hit |= (calls["arrived_at"] >= pd.Timestamp(o.start)) & (calls["arrived_at"] < pd.Timestamp(o.end))
    return hit


def test_lost_calls_only_inside_that_learners_telephony_and_ivr_outages(pair):
    for name, ds in pair.items():
        own = [o for o in of_dataset(ds) if o.system in ("telephony", "ivr")]
        other = [o for o in of_dataset(pair["ben" if name == "ana" else "ana"]) if o.system in ("telephony", "ivr")]
        calls = ds.calls
        lost = calls[calls["outcome"] == "lost"]
        assert len(lost) > 20 and _inside(lost, own).all()
        assert lost["incident_id"].isin([o.id for o in own]).all()
        # in the other learner's windows (where they do not overlap this learner's) nothing is lost
        theirs = _inside(calls, other) & ~_inside(calls, own)
        assert theirs.sum() > 20 and (calls.loc[theirs, "outcome"] != "lost").all()
        tel = next(o for o in own if o.system == "telephony")
        window = calls[_inside(calls, [tel])]
        assert len(window) > 20 and (window["outcome"] == "lost").all()


def _handle(calls: pd.DataFrame) -> pd.Series:
    ans = calls[calls["answered_at"].notna()]
    return ans["talk_s"] + ans["hold_s"] + ans["wrap_s"]


def _same_hours_other_days(calls: pd.DataFrame, o, skip: set) -> pd.DataFrame:
    """Calls at the outage's hours on the other days of the same weekday (those without an outage)."""
    t = calls["arrived_at"]
    tod = t - t.dt.normalize()
    a = pd.Timestamp(o.start) - pd.Timestamp(o.start).normalize()
    b = pd.Timestamp(o.end) - pd.Timestamp(o.start).normalize()
    day = t.dt.normalize()
    return calls[(t.dt.day_of_week == o.start.weekday()) & (tod >= a) & (tod < b) & ~day.isin(skip)]


def test_crm_handle_time_effect_inside_that_learners_crm_window(pair, cs):
    multiplier = cs.outage_effects.crm_handle_multiplier
    for name, ds in pair.items():
        crm = next(o for o in of_dataset(ds) if o.system == "crm")
        other_crm = next(o for o in of_dataset(pair["ben" if name == "ana" else "ana"]) if o.system == "crm")
        calls = ds.calls
        skip = {pd.Timestamp(o.start).normalize() for o in of_dataset(ds)}
        during = _handle(calls[_inside(calls, [crm])]).mean()
        usual = _handle(_same_hours_other_days(calls, crm, skip)).mean()
        print(f"\n{name}: {crm.id} {crm.start:%a %d %b %H:%M}: handle {during:.0f} s against {usual:.0f} s")
        assert during > usual * (1 + (multiplier - 1) / 2)
        assert (calls.loc[_inside(calls, [crm]), "incident_id"] == crm.id).all()
        # at the other learner's CRM window this learner's calls take the usual time
        if other_crm.start.date() not in {o.start.date() for o in of_dataset(ds)}:
            there = _handle(calls[_inside(calls, [other_crm])]).mean()
            again = _handle(_same_hours_other_days(calls, other_crm, skip | {pd.Timestamp(other_crm.start).normalize()})).mean()
            print(f"{name} at the other learner's window: {there:.0f} s against {again:.0f} s")
            assert there < again * (1 + (multiplier - 1) / 2)
            assert calls.loc[_inside(calls, [other_crm]), "incident_id"].isna().all()


def test_bsbcue605_facts_name_each_learners_own_outage_times(pair, cs):
    from ccw_grader import all_facts

    entry = all_facts()[("BSBCUE605", "plan_principles")]
    facts = {name: entry.run(SimpleNamespace(ds=ds, cs=cs)) for name, ds in pair.items()}
    key = next(k for k in facts["ana"] if k.startswith("outages"))
    assert facts["ana"][key] != facts["ben"][key]
    for name, ds in pair.items():
        crm = next(o for o in of_dataset(ds) if o.system == "crm")
        assert any(line.startswith(crm.id) and f"{crm.start:%H:%M}" in line for line in facts[name][key])
