"""Forecasting, patterns, control charts, survey statistics and verbatim categorisation."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import analysis as an
from test_kpi import make_calls

# ----------------------------------------------------------------------------- forecasting


def test_seasonal_naive_and_moving_average_by_hand():
    y = pd.Series([1, 2, 3, 4, 5, 6, 7.0])
    assert an.seasonal_naive(y, 3, horizon=4).tolist() == [5, 6, 7, 5]   # last season 5, 6, 7 repeated
    assert an.moving_average(y, 3, horizon=2).tolist() == [6, 6]         # (5 + 6 + 7) / 3
    assert list(an.seasonal_naive(y, 3).index) == [7, 8, 9]
    daily = pd.Series(np.arange(14.0), index=pd.date_range("2024-03-04", periods=14, freq="D"))
    fc = an.seasonal_naive(daily, 7)
    assert fc.index[0] == pd.Timestamp("2024-03-18") and fc.tolist() == list(np.arange(7.0, 14.0))


def test_holt_winters_hand_computed():
    # season 2, alpha = beta = gamma = 0.5, y = 10, 20, 12, 22, 16
    # start: mean1 = 15, mean2 = 17, trend = 1, level(t=1) = 15.5, s = [-4.5, 4.5]
    # t=2,3 fit exactly (level 16.5, 17.5; trend 1); t=4 (y=16, s0=-4.5):
    #   level = .5(16 + 4.5) + .5(17.5 + 1) = 19.5; trend = .5(19.5 - 17.5) + .5(1) = 1.5
    #   s0 = .5(16 - 17.5 - 1) + .5(-4.5) = -3.5
    # forecasts: h=1 19.5 + 1.5 + 4.5 = 25.5; h=2 19.5 + 3 - 3.5 = 19; h=3 19.5 + 4.5 + 4.5 = 28.5
    fc = an.holt_winters([10, 20, 12, 22, 16.0], season=2, alpha=0.5, beta=0.5, gamma=0.5, horizon=3)
    assert fc.tolist() == pytest.approx([25.5, 19.0, 28.5])


@pytest.mark.parametrize("alpha,beta,gamma", [(0.0, 0.0, 0.0), (0.2, 0.1, 0.3), (1.0, 1.0, 1.0)])
def test_holt_winters_reproduces_exact_trend_plus_season(alpha, beta, gamma):
    pattern = np.array([-30.0, 5, 10, 20, 15, -5, -15])
    t = np.arange(8 * 7)
    y = 200 + 1.5 * t + pattern[t % 7]
    fc = an.holt_winters(y[:42], 7, alpha, beta, gamma, horizon=14)
    assert fc.to_numpy() == pytest.approx(y[42:])


def test_forecast_accuracy_skips_zero_actuals_for_mape():
    acc = an.forecast_accuracy([100, 0, 50], [110, 5, 40])
    assert acc["mape"] == pytest.approx(15.0)            # (10/100 + 10/50) / 2, the zero actual skipped
    assert acc["mae"] == pytest.approx(25 / 3)           # (10 + 5 + 10) / 3
    assert acc["rmse"] == pytest.approx(math.sqrt(75))   # sqrt((100 + 25 + 100) / 3)
    assert acc["bias"] == pytest.approx(5 / 3)           # (10 + 5 - 10) / 3
    assert acc["zeros_skipped"] == 1 and acc["n"] == 3
    assert math.isnan(an.forecast_accuracy([0, 0], [1, 2])["mape"])
    with pytest.raises(ValueError, match="actual has 2 values but predicted has 3"):
        an.forecast_accuracy([1, 2], [1, 2, 3])


def test_holdout_evaluation_ranks_seasonal_methods_on_weekly_data():
    rng = np.random.default_rng(5)
    t = np.arange(12 * 7)
    weekly = np.array([1.3, 1.1, 1.0, 1.0, 1.2, 0.6, 0.3])
    y = pd.Series(1000 * weekly[t % 7] * (1 + t / 400) + rng.normal(0, 15, t.size),
                  index=pd.date_range("2024-01-01", periods=t.size, freq="D"))
    table = an.holdout_evaluation(y, horizon=14, season=7)
    assert list(table.index) == ["seasonal_naive", "moving_average", "holt_winters"]
    assert table.loc["moving_average", "mape"] > 3 * max(table.loc["seasonal_naive", "mape"],
                                                          table.loc["holt_winters", "mape"])
    direct = an.forecast_accuracy(y.iloc[-14:], an.seasonal_naive(y.iloc[:-14], 7, 14))
    assert table.loc["seasonal_naive", "mape"] == pytest.approx(direct["mape"])
    only = an.holdout_evaluation(y, 7, methods={"last": lambda h, n: pd.Series([h.iloc[-1]] * n)})
    assert list(only.index) == ["last"]
    with pytest.raises(ValueError, match="unknown method"):
        an.holdout_evaluation(y, 7, methods=["arima"])


def test_seasonal_impute_fills_from_the_same_point_of_the_cycles_either_side():
    y = pd.Series([10.0, 1, 20, 2, np.nan, 3, 40, np.nan, np.nan, 5])
    filled = an.forecasting.seasonal_impute(y, 2)
    # position 4 (phase 0): between 20 (pos 2) and 40 (pos 6); 7 (phase 1): between 3 and 5;
    # 8 (phase 0, the last of its phase): the nearest observed, 40
    assert filled.tolist() == [10, 1, 20, 2, 30, 3, 40, 4, 40, 5]
    assert y.isna().sum() == 3  # the input is left as it was
    with pytest.raises(ValueError, match="every value at position 1"):
        an.forecasting.seasonal_impute([1.0, np.nan, 2, np.nan], 2)


def _weekly_with_holidays(seed=3, weeks=20):
    """Open-day series (6 a week) with a level, a weekly shape and noise; three holiday days near the end."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 6)
    y = pd.Series(1000 * np.array([1.3, 1.1, 1.0, 1.0, 1.2, 0.6])[t % 6] + rng.normal(0, 20, t.size))
    holidays = [len(y) - 30, len(y) - 24, len(y) - 21]  # two Fridays and a Monday, inside the history
    return y, holidays


def test_holdout_evaluation_never_fits_through_a_missing_day():
    y, holidays = _weekly_with_holidays()
    missing = y.copy()
    missing.iloc[holidays] = np.nan
    seen = {}

    def spy(history, horizon):
        seen["history"] = history.copy()
        return an.seasonal_naive(history, 6, horizon)

    an.holdout_evaluation(missing, horizon=12, methods={"spy": spy}, season=6)
    history = seen["history"]
    assert not history.isna().any() and (history > 0).all()  # no gap and no stand-in zero reach a method
    expected = an.forecasting.seasonal_impute(missing.iloc[:-12], 6)
    assert history.iloc[holidays].tolist() == pytest.approx(expected.iloc[holidays].tolist())
    # the imputed days sit at their weekday's level, the way a zero never would
    for i in holidays:
        assert abs(history.iloc[i] - y.iloc[i]) < 0.2 * y.iloc[i]


def test_holdout_scores_only_observed_days_and_holidays_as_zero_mislead_holt_winters():
    y, holidays = _weekly_with_holidays()
    zeros, missing = y.copy(), y.copy()
    zeros.iloc[holidays], missing.iloc[holidays] = 0.0, np.nan
    missing.iloc[-3] = np.nan  # an outage day in the hold-out: not scored
    by_missing = an.holdout_evaluation(missing, horizon=12, season=6)
    assert (by_missing["n"] == 11).all()
    direct = an.forecast_accuracy(y.iloc[-12:].drop(y.index[-3]),
                                  an.holt_winters(an.forecasting.seasonal_impute(missing.iloc[:-12], 6), 6,
                                                  horizon=12).drop(index=len(y) - 3))
    assert by_missing.loc["holt_winters", "mape"] == pytest.approx(direct["mape"])
    by_zeros = an.holdout_evaluation(zeros, horizon=12, season=6)
    # the zeros drag Holt-Winters' level and weekly pattern down; the seasonal naive of the last week never sees them
    assert by_zeros.loc["holt_winters", "mape"] > 2 * by_missing.loc["holt_winters", "mape"]
    with pytest.raises(ValueError, match="every value of the hold-out is missing"):
        an.holdout_evaluation(pd.Series([1.0] * 12 + [np.nan] * 6), horizon=6, season=6)


def test_forecasting_input_errors():
    with pytest.raises(ValueError, match="two seasons"):
        an.holt_winters([1.0, 2, 3], season=2)
    with pytest.raises(ValueError, match="missing"):
        an.moving_average([1.0, np.nan, 3], 2)
    with pytest.raises(ValueError, match="alpha"):
        an.holt_winters(np.ones(10), 2, alpha=1.5)

# ----------------------------------------------------------------------------- patterns


def _calls_at(times, queues=None):
    rows = [{"arrived_at": pd.Timestamp(t), "queue": q} for t, q in zip(times, queues or ["a"] * len(times))]
    return make_calls(rows)


def test_daily_weekly_and_intraday_profiles_by_hand():
    calls = _calls_at(["2024-03-04 09:05", "2024-03-04 09:20", "2024-03-04 09:40", "2024-03-04 10:10",
                       "2024-03-06 09:10", "2024-03-11 09:00"],
                      ["a", "a", "a", "b", "a", "a"])
    daily = an.daily_volume(calls)
    assert len(daily) == 8 and daily[pd.Timestamp("2024-03-05")] == 0 and daily.sum() == 6
    assert an.daily_volume(calls, by="queue").loc[pd.Timestamp("2024-03-04")].tolist() == [3, 1]
    week = an.weekly_profile(calls)
    assert week["Monday"] == pytest.approx((4 + 1) / 2)   # two Mondays in range: 4 and 1 calls
    assert week["Wednesday"] == 1 and week["Sunday"] == 0
    week_q = an.weekly_profile(calls, by="queue")
    assert week_q.loc["Monday", "a"] == pytest.approx((3 + 1) / 2) and week_q.loc["Monday", "b"] == 0.5
    prof = an.intraday_profile(calls, 30, by="queue")     # 3 open days: 4, 6 and 11 March
    assert list(prof.index) == ["09:00", "09:30", "10:00"]
    assert prof.loc["09:00", "a"] == pytest.approx(4 / 3)  # 09:05, 09:20, 09:10, 09:00
    assert prof.loc["09:30", "a"] == pytest.approx(1 / 3)
    assert prof.loc["10:00", "b"] == pytest.approx(1 / 3) and prof.loc["10:00", "a"] == 0
    hourly = an.intraday_profile(calls, 60, by=None)
    assert hourly["09:00"] == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="divide"):
        an.intraday_profile(calls, 7)


def test_lost_calls_optional_in_volume():
    calls = make_calls([{"arrived_at": pd.Timestamp("2024-03-04 09:00")},
                        {"arrived_at": pd.Timestamp("2024-03-04 09:01"), "outcome": "lost"}])
    assert an.daily_volume(calls).iloc[0] == 2
    assert an.daily_volume(calls, include_lost=False).iloc[0] == 1


def test_trend_slope_and_interval():
    idx = pd.date_range("2024-01-01", periods=30, freq="D")
    exact = an.trend(pd.Series(3 + 2.0 * np.arange(30), index=idx))
    assert exact.slope_per_day == pytest.approx(2.0) and exact.r_squared == pytest.approx(1.0)
    hourly = an.trend(pd.Series(np.arange(48.0), index=pd.date_range("2024-01-01", periods=48, freq="h")))
    assert hourly.slope_per_day == pytest.approx(24.0)
    rng = np.random.default_rng(2)
    y = pd.Series(500 + 1.5 * np.arange(60) + rng.normal(0, 20, 60), index=pd.date_range("2024-01-01", periods=60))
    tr = an.trend(y)
    assert tr.slope_per_day == pytest.approx(np.polyfit(np.arange(60), y.to_numpy(), 1)[0])
    se = stats.linregress(np.arange(60), y.to_numpy()).stderr
    assert tr.ci_high - tr.ci_low == pytest.approx(2 * stats.t.ppf(0.975, 58) * se)
    assert tr.ci_low < 1.5 < tr.ci_high and tr.p_value < 1e-6

# ----------------------------------------------------------------------------- control charts


def test_rules_on_constructed_series():
    rules = lambda v: an.western_electric_rules(np.array(v, dtype=float), 0.0, 1.0).tolist()  # noqa: E731
    assert rules([0, 0, 3.2, 0, -3.1]) == ["", "", "1", "", "1"]
    run = rules([-0.5] + [0.5] * 10)                    # points 1..10 above the centre
    assert run[:9] == [""] * 9 and run[9:] == ["2", "2"]  # the 9th in a row and the one extending it
    up = rules([-1, -0.8, -0.6, -0.4, -0.2, 0.1, -0.5])  # six rising points end at index 5
    assert up == ["", "", "", "", "", "3", ""]
    down = rules([0.5, 0.4, 0.3, 0.2, 0.1, -0.1])
    assert down[-1] == "3"
    assert rules([0, 2.5, 0, 2.5, 0]) == ["", "", "", "4", ""]     # 2 of 3 beyond +2 sigma
    assert rules([0, 2.5, -2.5, 0, 0]) == [""] * 5                 # opposite sides do not count
    assert rules([0, 2.5, 3.5]) == ["", "", "1,4"]


def test_individuals_chart_limits_and_signal():
    x = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12.0]
    ch = an.individuals_chart(x)
    # mean 11.4; moving ranges 2,1,2,3,2,1,2,3,2 -> MR-bar 2; sigma = 2 / 1.128
    assert ch["centre"].iloc[0] == pytest.approx(11.4)
    assert ch["ucl"].iloc[0] == pytest.approx(11.4 + 3 * 2 / 1.128)
    assert ch["lcl"].iloc[0] == pytest.approx(11.4 - 3 * 2 / 1.128)
    assert ch["mr_ucl"].iloc[0] == pytest.approx(3.267 * 2)
    assert not ch["signal"].any()
    spike = an.individuals_chart([10, 11] * 5 + [18] + [10, 11] * 5)
    # mean 228/21 = 10.857; MR-bar = (18 ones + 7 + 8) / 20 = 1.65 -> UCL 10.857 + 3 x 1.4628 = 15.25
    assert spike["ucl"].iloc[0] == pytest.approx(228 / 21 + 3 * 1.65 / 1.128)
    assert spike.index[spike["signal"]].tolist() == [10] and spike["rules"].iloc[10] == "1"
    flat = an.individuals_chart([300.0] * 12)  # sigma 0: nothing to signal, not a run of 12
    assert not flat["signal"].any()


def test_p_chart_by_hand():
    rows = []
    for day, n, x in [(0, 100, 5), (1, 200, 10), (2, 100, 26), (3, 10, 0)]:
        t = pd.Timestamp("2024-03-04 09:00") + pd.Timedelta(days=day)
        rows += [{"arrived_at": t, "abandoned": i < x, "wait_s": 30} for i in range(n)]
        rows += [{"arrived_at": t, "outcome": "lost"}] * 7  # never offered: not in n
    ch = an.p_chart(make_calls(rows))
    # p-bar = 41 / 410 = 0.1; sigma = sqrt(0.09 / n): 0.03 (n=100), 0.02121 (n=200), 0.09487 (n=10)
    assert ch["n"].tolist() == [100, 200, 100, 10]
    assert ch["centre"].iloc[0] == pytest.approx(0.1)
    assert ch["ucl"].tolist()[:3] == pytest.approx([0.19, 0.1 + 3 * math.sqrt(0.09 / 200), 0.19])
    assert ch["lcl"].iloc[0] == pytest.approx(0.01) and ch["lcl"].iloc[3] == 0.0   # clipped at 0
    assert ch["rules"].tolist() == ["", "", "1", ""]                                # 0.26 > 0.19
    with pytest.raises(ValueError, match="no offered calls"):
        an.p_chart(make_calls([{"outcome": "lost"}]))


def _daily_abandons(rates, n=1000):
    rows = []
    for day, rate in enumerate(rates):
        t = pd.Timestamp("2024-03-04 09:00") + pd.Timedelta(days=day)
        rows += [{"arrived_at": t, "abandoned": i < round(rate * n), "wait_s": 30} for i in range(n)]
    return make_calls(rows)


def test_laney_p_chart_widens_limits_by_the_variation_between_days():
    # binomial-looking days (rates within the p chart's sigma of 0.0069 at n=1000): sigma_z stays near 1
    calm = an.laney_p_chart(_daily_abandons([0.050, 0.054, 0.047, 0.052, 0.049, 0.051, 0.048, 0.053]))
    assert calm["sigma_z"].iloc[0] == pytest.approx(
        np.mean(np.abs(np.diff((np.array([50, 54, 47, 52, 49, 51, 48, 53]) / 1000 - 0.05050)
                               / math.sqrt(0.0505 * 0.9495 / 1000)))) / 1.128, rel=1e-6)
    assert calm["sigma_z"].iloc[0] < 1.2
    # overdispersed days (real contact-centre days: 3% to 9%): the p chart flags most days, Laney's only the outlier
    rates = [0.03, 0.06, 0.04, 0.07, 0.05, 0.035, 0.065, 0.045, 0.25]
    p = an.p_chart(_daily_abandons(rates))
    laney = an.laney_p_chart(_daily_abandons(rates))
    assert laney["sigma_z"].iloc[0] > 3
    assert (laney["ucl"] > p["ucl"]).all() and (laney["centre"] == p["centre"]).all()
    beyond = lambda c: int(((c["value"] > c["ucl"]) | (c["value"] < c["lcl"])).sum())  # noqa: E731
    assert beyond(p) >= 5 and beyond(laney) == 1 and laney["value"].iloc[-1] > laney["ucl"].iloc[-1]


def test_xbar_chart_s_and_r_methods():
    groups = {0: [100, 200, 300], 1: [150, 250], 2: [400, 500, 600, 700]}
    rows = [{"arrived_at": pd.Timestamp("2024-03-04 10:00") + pd.Timedelta(days=d), "talk_s": h, "wrap_s": 0}
            for d, hs in groups.items() for h in hs]
    calls = make_calls(rows + [{"abandoned": True, "wait_s": 50}])
    ch = an.xbar_chart(calls, method="s")
    assert ch["value"].tolist() == [200, 200, 550]
    assert ch["centre"].iloc[0] == pytest.approx(3200 / 9)       # (600 + 400 + 2200) / 9
    s_bar = math.sqrt((2 * 100 ** 2 + 1 * 50 ** 2 * 2 + 3 * np.var([400, 500, 600, 700], ddof=1)) / 6)
    assert ch["sigma"].iloc[0] == pytest.approx(s_bar / (0.8862 * math.sqrt(3)), rel=1e-4)  # c4(3) = 0.8862
    r = an.xbar_chart(calls, method="R")
    sigma_hat = np.mean([200 / 1.693, 100 / 1.128, 300 / 2.059])  # d2(3), d2(2), d2(4) from the tables
    assert r["sigma"].tolist() == pytest.approx(sigma_hat / np.sqrt([3, 2, 4]), rel=1e-3)


def test_bias_constants_match_tables():
    assert [round(an.c4(n), 4) for n in (2, 5, 10, 25)] == [0.7979, 0.9400, 0.9727, 0.9896]
    assert [round(an.d2(n), 3) for n in (2, 3, 5, 10)] == [1.128, 1.693, 2.326, 3.078]

# ----------------------------------------------------------------------------- surveys


def test_newcombe_published_example():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 - 48/80 = 0.2, method 10: 0.0524 to 0.3339
    before = pd.Series([True] * 48 + [False] * 32)
    after = pd.Series([True] * 56 + [False] * 14)
    c = an.compare_before_after(before, after, metric="proportion")
    assert c.estimate == pytest.approx(0.2)
    assert (round(c.ci_low, 4), round(c.ci_high, 4)) == (0.0524, 0.3339)
    assert c.significant and c.n_before == 80 and c.n_after == 70


def test_welch_interval_matches_scipy():
    rng = np.random.default_rng(4)
    b, a = rng.normal(300, 60, 40), rng.normal(280, 90, 55)
    c = an.compare_before_after(pd.Series(b), pd.Series(a), metric="mean", confidence=0.9)
    ref = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.9)
    assert (c.ci_low, c.ci_high) == pytest.approx((ref.low, ref.high))
    calls_b = make_calls([{"talk_s": v, "wrap_s": 0} for v in b])
    calls_a = make_calls([{"talk_s": v, "wrap_s": 0} for v in a] + [{"abandoned": True}])
    aht = an.compare_before_after(calls_b, calls_a, metric="aht_s", confidence=0.9)
    assert (aht.estimate, aht.ci_low) == pytest.approx((a.mean() - b.mean(), ref.low))


def test_nps_and_csat_comparisons():
    def surveys(promoters, passives, detractors):
        scores = [10] * promoters + [8] * passives + [3] * detractors
        return pd.DataFrame({"responded": True, "nps": np.array(scores, dtype=float),
                             "csat": np.array([5 if s >= 9 else 3 for s in scores], dtype=float)})
    # before: NPS 40 - 20 = 20, Var = 1e4 (0.6 - 0.04) / 100 = 56; after: 50 - 10 = 40, Var = 44
    c = an.compare_before_after(surveys(40, 40, 20), surveys(50, 40, 10), metric="nps")
    z = stats.norm.ppf(0.975)
    assert (c.before, c.after, c.estimate) == pytest.approx((20, 40, 20))
    assert (c.ci_low, c.ci_high) == pytest.approx((20 - z * 10, 20 + z * 10)) and c.significant
    t2b = an.compare_before_after(surveys(40, 40, 20), surveys(50, 40, 10), metric="csat")
    assert t2b.estimate == pytest.approx(0.1) and t2b.method.startswith("Newcombe")
    assert not t2b.significant  # 40 % vs 50 % on 100 each is within noise
    with pytest.raises(ValueError, match="metric must be one of"):
        an.compare_before_after(surveys(1, 1, 1), surveys(1, 1, 1), metric="happiness")


def test_sampling_error_textbook_values():
    assert an.sample_size_for(0.05) == 385                      # 1.96^2 x 0.25 / 0.05^2 = 384.16
    assert an.sample_size_for(0.03) == 1068
    assert an.sample_size_for(0.05, confidence=0.99) == 664
    assert an.sample_size_for(0.05, population=1000) == 278     # 384.16 / (1 + 383.16 / 1000)
    assert an.margin_of_error(0.5, 1000) == pytest.approx(0.031, abs=5e-4)
    assert an.margin_of_error(0.5, 385) <= 0.05 < an.margin_of_error(0.5, 384)
    assert an.margin_of_error(0.5, 278, population=1000) <= 0.05
    with pytest.raises(ValueError, match="population"):
        an.margin_of_error(0.5, 100, population=50)
    s = pd.DataFrame({"responded": [True, False, False, True]})
    assert an.response_rate(s) == 0.5

# ----------------------------------------------------------------------------- verbatims


VERBATIMS = [
    ("I waited on hold for forty minutes before anyone answered", "wait_time"),
    ("Calls were answered quickly, no wait at all", "wait_time"),
    ("The queue was ridiculous, I gave up after an hour", "wait_time"),
    ("The agent was rude and dismissive", "staff_attitude"),
    ("Lovely, friendly and very polite consultant", "staff_attitude"),
    ("She was patient and respectful the whole time", "staff_attitude"),
    ("I was overcharged on my last bill", "billing_error"),
    ("My invoice shows the wrong amount and I want a refund", "billing_error"),
    ("You debited my account twice for the same payment", "billing_error"),
    ("The modem is faulty and keeps dropping out", "product_fault"),
    ("My phone stopped working after two days", "product_fault"),
    ("Device is broken, need a replacement under warranty", "product_fault"),
    ("My parcel never arrived and the courier has no tracking", "delivery"),
    ("Delivery was fast and the technician did a neat installation", "delivery"),
    ("The order was dispatched a week late", "delivery"),
    ("I complained three times and nobody got back to me", "complaint_handling"),
    ("My complaint was escalated to a supervisor promptly", "complaint_handling"),
    ("I will be taking this to the ombudsman", "complaint_handling"),
    ("Far too expensive compared with competitors", "price_value"),
    ("Great value for money", "price_value"),
    ("The price went up again, I can't afford it", "price_value"),
    ("The website keeps logging me out", "website_app"),
    ("Your app crashes on login and the password reset fails", "website_app"),
    ("The online portal was easy to use", "website_app"),
    ("Problem resolved on the first call, thanks", "resolution"),
    ("Still not fixed after all this", "resolution"),
    ("The issue was sorted out straight away", "resolution"),
]


def test_default_lexicon_categorises_written_sentences():
    texts, truth = zip(*VERBATIMS)
    pred = an.categorise_verbatims(pd.Series(texts))
    assert set(truth) == set(an.TOPICS)
    misses = [(t, p, g) for t, p, g in zip(texts, pred, truth) if p != g]
    assert an.categorisation_accuracy(pred, truth) >= 0.9, misses
    assert an.categorise_verbatims(["Nothing to add.", None]).tolist() == ["other", "other"]


def test_custom_categories_ties_and_word_boundaries():
    cats = {"noise": ["loud", "noisy*"], "quiet": ["silent", "quiet"]}
    out = an.categorise_verbatims(["so loud and noisy", "silent", "loud but quiet", "cloudy day"], cats)
    assert out.tolist() == ["noise", "quiet", "noise", "other"]  # tie goes to the first; 'cloudy' is not 'loud'
    with pytest.raises(ValueError, match="needs a list of keywords"):
        an.categorise_verbatims(["x"], {"bad": "loud"})


def test_accuracy_and_report_by_hand():
    pred, truth = ["a", "b", "c", "a"], ["a", "b", "b", "b"]
    assert an.categorisation_accuracy(pred, truth) == 0.5
    rep = an.categorisation_report(pred, truth)
    assert rep.loc["a", "precision"] == 0.5 and rep.loc["a", "recall"] == 1.0
    assert rep.loc["b", "recall"] == pytest.approx(1 / 3) and rep.loc["b", "support"] == 3
    assert rep.loc["c", "precision"] == 0.0
    with pytest.raises(ValueError, match="pred has 1 labels but truth has 2"):
        an.categorisation_accuracy(["a"], ["a", "b"])


def test_trend_is_scipys_least_squares_fit():
    """trend() computes linregress's fit without importing scipy.stats (a second in a learner's kernel): the
    same slope, intercept, r, p-value and standard error, and the same t-based interval."""
    from helpers.analysis.patterns import _linregress, trend

    rng = np.random.default_rng(7)
    cases = [rng.normal(0, 3, 40) + 0.2 * np.arange(40), np.full(12, 5.0), 2.0 * np.arange(9) + 1.0,
             rng.normal(100, 1, 3)]
    for y in cases:
        x = np.arange(len(y), dtype=float)
        fit = stats.linregress(x, y)
        assert np.allclose(_linregress(x, y), (fit.slope, fit.intercept, fit.rvalue, fit.pvalue, fit.stderr),
                           rtol=1e-12, atol=1e-12, equal_nan=True)
        got = trend(pd.Series(y), confidence=0.9)
        half = stats.t.ppf(0.95, len(y) - 2) * fit.stderr
        assert np.allclose([got.ci_low, got.ci_high], [fit.slope - half, fit.slope + half], equal_nan=True)
