"""The generated default dataset looks like real call-centre data (Brown et al. 2005; Gans, Koole &
Mandelbaum 2003): lognormal service times, intraday peaks, overdispersed arrivals, abandonment that
responds to staffing and outages, retrial surges, surveys that feel the wait, FCR that matches repeats.
Each test compares against a contrast (another queue, another day, a changed case study) so it can fail.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import kpi
from helpers.casestudy import load_case_study
from helpers.data import DEFAULT_SEED
from helpers.generator import generate


@pytest.fixture(scope="module")
def cs():
    return load_case_study("lyrebird-energy")


@pytest.fixture(scope="module")
def ds():
    return generate("lyrebird-energy", seed=DEFAULT_SEED)  # the practice dataset


@pytest.fixture(scope="module")
def clean_calls(ds):
    bad = set(ds.defects[ds.defects["table"] == "calls"]["record_id"])
    return ds.calls[~ds.calls["call_id"].isin(bad)]


def offered(calls):
    return calls[calls["outcome"] != "lost"]


def test_log_talk_time_close_to_normal(clean_calls):
    ans = clean_calls[clean_calls["answered_at"].notna() & clean_calls["incident_id"].isna()]
    for queue, g in ans.groupby("queue"):
        # one hour of the day and one queue, so means do not mix (talk means vary by queue and hour);
        # like Brown et al. (2005), apart from the spike of very short calls (hang-ups, misroutes)
        t = g.loc[g["arrived_at"].dt.hour.between(13, 15), "talk_s"]
        x = np.log(t[t >= 30])
        # |skew| < 0.3: sampling error (sd about 0.08 at 1,000 calls) plus a mild mixture of agents who differ
        assert abs(stats.skew(x)) < 0.3, queue
        assert abs(stats.kurtosis(x)) < 0.4, queue
        raw = g["talk_s"]
        assert stats.skew(raw) > 1.0  # the raw times are strongly right-skewed, unlike their logs


def test_service_times_vary_by_queue_and_hour(clean_calls):
    ans = clean_calls[clean_calls["answered_at"].notna() & clean_calls["incident_id"].isna()]
    by_queue = ans.groupby("queue")["talk_s"].mean()
    assert by_queue["sales"] > 1.3 * by_queue["fulfilment"]
    cs_q = ans[ans["queue"] == "customer_service"]
    by_hour = cs_q.groupby(cs_q["arrived_at"].dt.hour)["talk_s"].mean()
    assert by_hour[11] > 1.08 * by_hour[19]


def test_intraday_profile_has_a_morning_peak_and_an_afternoon_peak(clean_calls):
    c = clean_calls[clean_calls["arrived_at"].dt.day_of_week < 5]
    slot = c["arrived_at"].dt.hour * 2 + c["arrived_at"].dt.minute // 30
    prof = slot.value_counts().sort_index()
    peak = prof.idxmax()
    assert 19 <= peak <= 22  # 09:30-11:30, as the bank's 10-11 peak
    lunch = prof.loc[24:26].min()
    afternoon = prof.loc[27:30].max()
    assert afternoon > 1.05 * lunch and prof.loc[36:39].mean() < 0.4 * prof.max()


def test_weekdays_well_above_weekends(clean_calls):
    day = clean_calls.groupby(clean_calls["arrived_at"].dt.normalize()).size()
    dow = day.index.day_of_week
    assert day[dow < 5].mean() > 2 * day[dow == 5].mean()
    assert (dow == 6).sum() == 0  # closed on Sundays
    assert day[dow == 0].mean() > day[dow == 4].mean()  # Mondays busiest


def _dispersion(calls) -> tuple[float, float]:
    """Variance/mean of same-half-hour counts across Tue-Thu (peak hours) and of daily totals."""
    c = calls[calls["arrived_at"].dt.day_of_week.isin([1, 2, 3])]
    outage_days = calls.loc[calls["incident_id"].notna(), "arrived_at"].dt.normalize().unique()
    c = c[~c["arrived_at"].dt.normalize().isin(outage_days) & (c["arrived_at"].dt.hour.between(9, 15))]
    slot = c["arrived_at"].dt.hour * 2 + c["arrived_at"].dt.minute // 30
    counts = c.groupby([c["arrived_at"].dt.normalize(), slot]).size().unstack(fill_value=0)
    per_slot = (counts.var(ddof=1) / counts.mean()).mean()
    daily = counts.sum(axis=1)
    return float(per_slot), float(daily.var(ddof=1) / daily.mean())


def test_same_interval_counts_are_overdispersed(ds, cs):
    slot_ratio, daily_ratio = _dispersion(offered(ds.calls))
    assert slot_ratio > 3 and daily_ratio > 10  # variance several times the mean
    # without the random day factor only Poisson noise, day-of-week and repeat calls remain
    flat = generate(cs.model_copy(update={"day_factor_cv": 0.0, "campaigns": []}), seed=DEFAULT_SEED)
    slot_flat, daily_flat = _dispersion(offered(flat.calls))
    assert slot_flat < 0.6 * slot_ratio and daily_flat < 0.25 * daily_ratio


def test_abandonment_realistic_and_higher_around_outages(clean_calls, cs):
    off = offered(clean_calls)
    assert 0.02 < off["abandoned"].mean() < 0.15
    for o in cs.outages:
        if o.system not in ("crm", "ivr"):  # capacity outages; telephony: see the retrial test
            continue
        # the outage window and the two hours after it, against the same window of the same learner's data
        # generated without this outage (same day factors and arrivals: the random busy or quiet day does
        # not decide the comparison)
        start, end = pd.Timestamp(o.start), pd.Timestamp(o.end) + pd.Timedelta(hours=2)
        without = generate(cs.model_copy(update={"outages": [x for x in cs.outages if x.id != o.id]}),
                           seed=DEFAULT_SEED)
        base = offered(without.calls)

        def window(calls):
            w = calls[(calls["arrived_at"] >= start) & (calls["arrived_at"] < end)]
            if o.system == "ivr":  # the IVR outage sends callers to one queue, which is overloaded
                w = w[w["queue"] == cs.outage_effects.ivr_redirect_queue]
            return w["abandoned"].mean()

        hit, calm = window(off), window(base)
        print(f"{o.id}: abandonment {hit:.3f} in the window, {calm:.3f} without the outage")
        assert hit > 1.5 * calm, (o.id, hit, calm)


def test_understaffing_raises_abandonment(ds, cs):
    plan = {q: p.model_copy(update={"weekday": [int(x * 0.75) for x in p.weekday],
                                    "saturday": [int(x * 0.75) for x in p.saturday]})
            for q, p in cs.staffing_plan.items()}
    short = generate(cs.model_copy(update={"staffing_plan": plan}), seed=DEFAULT_SEED, days=14)
    base = offered(ds.calls[ds.calls["arrived_at"] < pd.Timestamp(cs.period.start) + pd.Timedelta(days=14)])
    assert offered(short.calls)["abandoned"].mean() > 1.5 * base["abandoned"].mean()
    assert kpi.service_level(short.calls) < kpi.service_level(base) - 0.1


def test_retrial_surge_after_the_telephony_outage(ds, cs):
    tel = next(o for o in cs.outages if o.system == "telephony")
    c = ds.calls
    during = c[(c["arrived_at"] >= tel.start) & (c["arrived_at"] < tel.end)]
    assert len(during) > 50 and (during["outcome"] == "lost").all()
    after = (pd.Timestamp(tel.end), pd.Timestamp(tel.end) + pd.Timedelta(minutes=90))
    off = offered(c)

    def share_of_day(start):  # offered calls in the 90 minutes from start, as a share of that day's offered calls
        in_window = (off["arrived_at"] >= start) & (off["arrived_at"] < start + pd.Timedelta(minutes=90))
        return in_window.sum() / (off["arrived_at"].dt.normalize() == start.normalize()).sum()

    surge = share_of_day(after[0])
    # the same time on other Wednesdays without an incident (not the CRM-outage day); shares of the
    # day's volume, so the random day factor does not decide the comparison
    other = [share_of_day(after[0] + pd.Timedelta(weeks=w)) for w in (-2, 1)]
    print(f"share of the day's calls in the 90 min after the telephony outage {surge:.3f}, other Wednesdays {other}")
    assert surge > 1.2 * np.mean(other)
    retried = c[(c["arrived_at"] >= after[0]) & c["customer_id"].isin(during["customer_id"].dropna())]
    # callers, not calls: a caller lost twice during the outage still counts once
    lost_callers = during["customer_id"].dropna().nunique()
    print(f"{retried['customer_id'].nunique()} of {lost_callers} lost callers got through after the outage")
    assert retried["customer_id"].nunique() > 0.3 * lost_callers


def test_surveys_worse_after_long_waits_and_unresolved_calls(ds):
    s = ds.surveys[ds.surveys["responded"]].merge(ds.calls[["call_id", "wait_s", "outcome"]], on="call_id")
    short, long_ = s[s["wait_s"] <= 20], s[s["wait_s"] > 120]
    assert len(long_) > 30
    assert kpi.csat(short) - kpi.csat(long_) > 0.1
    assert kpi.nps(short) - kpi.nps(long_) > 10
    resolved, unresolved = s[s["outcome"] == "resolved"], s[s["outcome"] == "unresolved"]
    assert kpi.csat(resolved) - kpi.csat(unresolved) > 0.2
    neg = s[s["sentiment"] == "negative"]
    assert (neg["topic"] == "wait_time").mean() > (s[s["sentiment"] == "positive"]["topic"] == "wait_time").mean()


def test_fcr_consistent_with_repeat_calls(clean_calls, cs):
    c = clean_calls
    fcr = kpi.fcr(c)
    assert 0.6 < fcr < 0.95
    # forward view (no repeat in the next 7 days) must agree with the backward is_repeat flags
    ident = c[c["customer_id"].notna()].sort_values(["customer_id", "reason", "arrived_at"])
    nxt_repeat = ident.groupby(["customer_id", "reason"])["is_repeat"].shift(-1).fillna(False).astype(bool)
    answered = ident["answered_at"].notna()
    assert fcr == pytest.approx(1 - nxt_repeat[answered].mean(), abs=0.01)
    # queues with a lower first-contact resolution probability in the case study show lower FCR
    per_queue = {q: kpi.fcr(c[c["queue"] == q]) for q in ("collections", "fulfilment")}
    resolve = {q.name: q.resolve_prob * (1 - q.repeat_prob) for q in cs.queues}
    assert (per_queue["collections"] > per_queue["fulfilment"]) == (resolve["collections"] > resolve["fulfilment"])


def test_patience_hazard_rises_at_the_first_announcement(clean_calls):
    off = offered(clean_calls)
    w = off["wait_s"].to_numpy()
    ab = off["abandoned"].to_numpy()

    def hazard(a, b):
        at_risk = (w >= a).sum()
        return ((w >= a) & (w < b) & ab).sum() / at_risk
    assert hazard(60, 70) > 1.2 * np.mean([hazard(40, 50), hazard(80, 90)])
