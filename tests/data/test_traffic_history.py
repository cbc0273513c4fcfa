"""traffic_history: the 24 months before the period (helpers.generator.history): contract, realism, determinism."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.generator.calendar import is_public_holiday
from helpers.generator.calls import seasonal_factor
from helpers.generator.core import generate
from helpers.generator.history import make_history
from helpers.generator.rng import stream
from helpers.tables import TABLES


@pytest.fixture(scope="module")
def ds():
    return generate(seed=11, learner="history-test")


@pytest.fixture(scope="module")
def hist(ds):
    return ds.traffic_history


@pytest.fixture(scope="module")
def cs(ds):
    return ds.case_study


def _voice_daily(hist):
    v = hist[hist["channel"] == "voice"]
    return v.groupby("date")[["offered", "answered", "abandoned", "answered_within_target"]].sum()


def test_contract_and_open_days(hist, cs):
    assert list(hist.columns) == TABLES["traffic_history"].column_names
    assert str(hist["date"].dtype) == "datetime64[ns]"
    for c in ("offered", "answered", "abandoned", "answered_within_target"):
        assert hist[c].dtype == np.int64
    assert (hist["answered"] + hist["abandoned"] == hist["offered"]).all()
    assert (hist["answered_within_target"] <= hist["answered"]).all()
    assert (hist.loc[hist["channel"] == "email", "abandoned"] == 0).all()
    days = hist["date"].drop_duplicates()
    start = pd.Timestamp(cs.period.start)
    first = (start - pd.DateOffset(months=24)).to_period("M").start_time
    assert days.min() >= first and days.max() < start
    assert days.min() <= first + pd.Timedelta(days=3)
    assert days.dt.to_period("M").nunique() >= 24
    assert (days.dt.day_of_week != 6).all(), "Sundays are closed"
    assert not is_public_holiday(days.to_numpy("datetime64[D]")).any(), "public holidays are closed"
    assert (days.dt.day_of_week == 5).any(), "Saturdays are open"
    # every open day has every channel x queue
    assert hist.groupby("date").size().nunique() == 1
    assert set(hist["channel"]) == {"voice", "chat", "email"}
    assert set(hist.loc[hist["channel"] == "voice", "queue"]) == set(cs.queue_names)
    assert set(hist.loc[hist["channel"] == "chat", "queue"]) == set(cs.channels.chat.queues)
    assert set(hist.loc[hist["channel"] == "email", "queue"]) == set(cs.channels.email.queues)


def test_deterministic_and_per_learner(ds, cs):
    t0 = np.datetime64(cs.period.start, "ns")
    a = make_history(cs, ds.calls, ds.journeys, stream(11, "history-test", "history"), t0, 28)
    b = make_history(cs, ds.calls, ds.journeys, stream(11, "history-test", "history"), t0, 28)
    pd.testing.assert_frame_equal(a, b)
    c = make_history(cs, ds.calls, ds.journeys, stream(11, "someone-else", "history"), t0, 28)
    assert not a["offered"].equals(c["offered"])


def test_weekly_profile(hist, cs):
    d = _voice_daily(hist)["offered"]
    dow = d.index.day_of_week
    w = cs.weekly_profile.factors()
    by = d.groupby(dow).mean()
    assert by[0] / by[2] == pytest.approx(w[0] / w[2], rel=0.06)
    assert by[5] / by[:5].mean() == pytest.approx(w[5], rel=0.08)


def test_seasonality_trend_and_noise(hist, cs):
    d = _voice_daily(hist)["offered"]
    wk = d[d.index.day_of_week < 5]
    w = np.array(cs.weekly_profile.factors())
    season = seasonal_factor(cs, wk.index.to_numpy("datetime64[D]"))
    # winter above late spring and summer-holiday December below winter, as the case study's seasonality says
    month = wk.groupby(wk.index.month).mean()
    assert month[7] > month[11] * 1.12
    # trend per year from the de-weekly-ed, de-seasonalised series (regression on log)
    s = np.array(cs.seasonality)
    base = wk / w[wk.index.day_of_week] / np.interp(wk.index.day_of_year, [15.5 + 30.44 * k for k in range(12)], s,
                                                     period=365.25)
    years = (wk.index - wk.index[0]).days / 365.25
    slope = np.polyfit(years, np.log(base.to_numpy()), 1)[0]
    assert slope == pytest.approx(np.log1p(cs.volume_trend_per_year), abs=0.03)
    # day-to-day noise: the case study's day_factor_cv (plus Poisson), not smooth, not wild
    resid = wk / (w[wk.index.day_of_week] * season)
    cv = float((resid / resid.rolling(21, center=True, min_periods=5).mean()).std())
    assert cs.day_factor_cv * 0.6 < cv < cs.day_factor_cv * 1.6


def test_queue_mix_and_channel_volumes(hist, cs):
    v = hist[hist["channel"] == "voice"].groupby("queue")["offered"].sum()
    design = pd.Series({q.name: q.daily_volume for q in cs.queues})
    assert (v / v.sum() - design / design.sum()).abs().max() < 0.04
    weekdays = hist[hist["date"].dt.day_of_week < 5]
    n = weekdays["date"].nunique()
    chat = weekdays.loc[weekdays["channel"] == "chat", "offered"].sum() / n
    assert chat == pytest.approx(cs.channels.chat.daily_volume, rel=0.12)
    email = hist.loc[hist["channel"] == "email", "offered"].sum() / hist["date"].nunique()
    # e-mails arrive seven days a week and are counted on open days: more per open day than the weekday volume x 6/7
    e = cs.channels.email
    per_week = e.daily_volume * (5 + 2 * e.weekend_factor)
    assert email == pytest.approx(per_week / 6, rel=0.15)


def test_service_responds_to_pressure(hist):
    d = _voice_daily(hist)
    d = d[d.index.day_of_week < 5]
    sl = d["answered_within_target"] / d["answered"]
    ab = d["abandoned"] / d["offered"]
    # busy days (against the same month's weekday mean) have lower service level and more abandonment
    rel = d["offered"] / d["offered"].groupby([d.index.year, d.index.month]).transform("mean")
    assert np.corrcoef(rel, sl)[0, 1] < -0.5
    assert np.corrcoef(rel, ab)[0, 1] > 0.5
    by = sl.groupby(sl.index.day_of_week).mean()
    assert by[0] < by[4] - 0.05, "Mondays (under-staffed) have the lowest service level"
    assert 0.55 < sl.mean() < 0.95 and 0.02 < ab.mean() < 0.2


def test_aht_near_the_queues(hist, ds, cs):
    v = hist[hist["channel"] == "voice"].groupby("queue")["aht_s"].mean()
    a = ds.calls[ds.calls["answered_at"].notna()]
    period = (a["talk_s"] + a["hold_s"] + a["wrap_s"]).groupby(a["queue"]).mean()
    for q in cs.queue_names:
        assert v[q] == pytest.approx(period[q], rel=0.1)
    chat = hist[hist["channel"] == "chat"]["aht_s"].mean()
    assert chat == pytest.approx(cs.channels.chat.handle_mean_s, rel=0.2)


def test_history_joins_the_period_without_a_step(hist, ds, cs):
    """Mean daily voice offered of the last 4 history weeks within 10% of the period's first weeks, both
    de-weekly-ed and de-seasonalised."""
    w = np.array(cs.weekly_profile.factors())
    calls = ds.calls[(ds.calls["outcome"] != "lost")]
    period = calls.groupby(calls["arrived_at"].dt.normalize()).size()
    period = period[period.index < period.index[0] + pd.Timedelta(days=14)]
    d = _voice_daily(hist)["offered"]
    last = d[d.index >= d.index.max() - pd.Timedelta(days=27)]
    both = pd.concat([last, period])
    days = both.index.to_numpy("datetime64[D]")
    adj = both / (w[both.index.day_of_week] * seasonal_factor(cs, days))
    assert adj[period.index].mean() == pytest.approx(adj[last.index].mean(), rel=0.10)


def test_service_joins_the_period(hist, ds):
    """Voice service level and abandonment over the history's weekdays are the period's weekday rates."""
    calls = ds.calls[ds.calls["outcome"] != "lost"]
    calls = calls[calls["arrived_at"].dt.day_of_week < 5]
    answered = calls[calls["answered_at"].notna()]
    period_sl = (answered["wait_s"] <= 20).mean()
    period_ab = calls["abandoned"].mean()
    d = _voice_daily(hist)
    d = d[d.index.day_of_week < 5].sum()
    assert d["answered_within_target"] / d["answered"] == pytest.approx(period_sl, abs=0.02)
    assert d["abandoned"] / d["offered"] == pytest.approx(period_ab, abs=0.015)


def test_generate_twice_gives_the_identical_frame():
    a = generate(seed=5, learner="twice", days=7).traffic_history
    b = generate(seed=5, learner="twice", days=7).traffic_history
    pd.testing.assert_frame_equal(a, b)
    assert len(a) > 0
