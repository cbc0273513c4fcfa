"""KPI definitions checked on small hand-computed frames and on a larger random frame."""
import math

import numpy as np
import pandas as pd
import pytest

from helpers import kpi

T0 = pd.Timestamp("2024-03-04 09:00")  # a Monday


def make_calls(rows):
    """rows: dicts with any of the call columns; the rest get contract-shaped defaults."""
    out = []
    for i, r in enumerate(rows):
        abandoned = r.get("abandoned", False)
        lost = r.get("outcome") == "lost"
        arrived = r.get("arrived_at", T0 + pd.Timedelta(minutes=i))
        wait = float(r.get("wait_s", 0.0))
        answered = not abandoned and not lost
        out.append({
            "call_id": r.get("call_id", f"K{i:07d}"), "queue": r.get("queue", "service"),
            "customer_id": r.get("customer_id", f"C{i:07d}"), "arrived_at": arrived,
            "answered_at": arrived + pd.Timedelta(seconds=wait) if answered else pd.NaT,
            "ended_at": arrived + pd.Timedelta(seconds=wait + 60),
            "wait_s": wait, "abandoned": abandoned,
            "talk_s": float(r.get("talk_s", 120.0 if answered else 0.0)),
            "hold_s": float(r.get("hold_s", 0.0)), "wrap_s": float(r.get("wrap_s", 30.0 if answered else 0.0)),
            "agent_id": "A0001" if answered else None, "reason": r.get("reason", "billing"),
            "outcome": r.get("outcome", "abandoned" if abandoned else "resolved"),
            "campaign_id": None, "incident_id": None, "is_repeat": r.get("is_repeat", False),
        })
    df = pd.DataFrame(out)
    df["arrived_at"] = df["arrived_at"].astype("datetime64[ns]")
    return df


@pytest.fixture
def worked_example():
    # 1,000 answered (860 within 20 s), 60 abandoned (20 within 20 s, 10 of those within 5 s),
    # plus 30 lost calls that must not count anywhere.
    rows = ([{"wait_s": 12}] * 860 + [{"wait_s": 45}] * 140
            + [{"abandoned": True, "wait_s": 3}] * 10 + [{"abandoned": True, "wait_s": 15}] * 10
            + [{"abandoned": True, "wait_s": 60}] * 40 + [{"outcome": "lost", "wait_s": 0}] * 30)
    return make_calls(rows)


def test_service_level_variants_reproduce_the_worked_example(worked_example):
    sl = {v: kpi.service_level(worked_example, 20, variant=v) for v in kpi.SL_VARIANTS}
    assert round(sl["abandons_ignored"] * 100, 1) == 86.0        # 860 / 1000
    assert round(sl["abandons_bad"] * 100, 1) == 81.1            # 860 / 1060
    assert round(sl["abandons_bad_after_t"] * 100, 1) == 82.7    # 860 / (1000 + 40)
    assert round(sl["abandons_within_t_good"] * 100, 1) == 83.0  # (860 + 20) / 1060
    assert sl["short_abandons_excluded"] == pytest.approx(860 / 1050)  # 10 abandons within 5 s dropped
    assert kpi.service_level(worked_example) == sl[kpi.DEFAULT_SL_VARIANT]


def test_threshold_is_inclusive():
    calls = make_calls([{"wait_s": 20}, {"wait_s": 20.001}])
    assert kpi.service_level(calls, 20) == 0.5


def test_asa_aht_abandonment_on_hand_frame():
    calls = make_calls([
        {"wait_s": 10, "talk_s": 200, "hold_s": 20, "wrap_s": 30},   # handle 250
        {"wait_s": 30, "talk_s": 300, "hold_s": 0, "wrap_s": 50},    # handle 350
        {"wait_s": 50, "talk_s": 100, "hold_s": 10, "wrap_s": 40},   # handle 150
        {"abandoned": True, "wait_s": 100},
        {"outcome": "lost", "wait_s": 0},
    ])
    assert kpi.asa(calls) == pytest.approx(30.0)               # (10+30+50)/3, abandoned wait ignored
    assert kpi.aht(calls) == pytest.approx(250.0)              # (250+350+150)/3
    assert kpi.abandonment_rate(calls) == pytest.approx(0.25)  # 1 / (3 answered + 1 abandoned); lost excluded


def test_zero_denominator_gives_nan_not_error():
    calls = make_calls([{"abandoned": True, "wait_s": 40}, {"outcome": "lost"}])
    assert math.isnan(kpi.asa(calls))
    assert math.isnan(kpi.service_level(calls))
    assert kpi.abandonment_rate(calls) == 1.0


def test_fcr_from_timestamps_not_is_repeat():
    d = lambda days: T0 + pd.Timedelta(days=days)  # noqa: E731
    calls = make_calls([
        {"customer_id": "C1", "arrived_at": d(0)},                      # repeat on day 3 -> not FCR
        {"customer_id": "C1", "arrived_at": d(3), "is_repeat": True},   # next is day 12 -> FCR
        {"customer_id": "C1", "arrived_at": d(12)},                     # FCR
        {"customer_id": "C2", "arrived_at": d(0)},                      # FCR (next call is another reason)
        {"customer_id": "C2", "arrived_at": d(1), "reason": "tech"},    # FCR
        {"customer_id": "C3", "arrived_at": d(0), "is_repeat": True},   # next is 8 days later -> FCR
        {"customer_id": "C3", "arrived_at": d(8)},                      # FCR
        {"customer_id": "C4", "arrived_at": d(0), "abandoned": True, "wait_s": 30},  # not in denominator
        {"customer_id": "C4", "arrived_at": d(2)},                      # FCR
        {"customer_id": "C5", "arrived_at": d(0)},                      # retried (lost) next day -> not FCR
        {"customer_id": "C5", "arrived_at": d(1), "outcome": "lost"},
        {"customer_id": None, "arrived_at": d(0)},                      # unidentified: excluded
        {"customer_id": "", "arrived_at": d(0)},                        # unidentified: excluded
    ])
    assert kpi.fcr(calls) == pytest.approx(7 / 9)  # answered identified: C1x3, C2x2, C3x2, C4, C5 = 9
    assert kpi.fcr(calls, window_days=10) == pytest.approx(5 / 9)  # C1 day 3 and C3 day 0 now repeat too


def test_fcr_window_boundary_and_incomplete_window():
    calls = make_calls([{"customer_id": "C1", "arrived_at": T0},
                        {"customer_id": "C1", "arrived_at": T0 + pd.Timedelta(days=7)},
                        {"customer_id": "C2", "arrived_at": T0 + pd.Timedelta(days=8)}])
    assert kpi.fcr(calls) == pytest.approx(2 / 3)  # exactly 7 days later counts as a repeat
    # Only the first call's 7-day window ends by the last arrival (day 8); it was repeated.
    assert kpi.fcr(calls, exclude_incomplete_window=True) == 0.0


def test_survey_scores():
    s = pd.DataFrame({"responded": [True, True, True, False, True, True],
                      "csat": [5, 4, 3, np.nan, 2, 5.0], "nps": [10, 9, 8, np.nan, 6, 0.0]})
    assert kpi.csat(s) == pytest.approx(3 / 5)       # 5, 4, 5 of five responses
    assert kpi.nps(s) == pytest.approx(0.0)          # promoters 10, 9; detractors 6, 0: (2-2)/5
    assert kpi.survey_response_rate(s) == pytest.approx(5 / 6)
    s2 = pd.DataFrame({"responded": [True] * 4, "nps": [10, 10, 7, 3.0]})
    assert kpi.nps(s2) == pytest.approx(25.0)        # (2 - 1) / 4 * 100


def test_conversion_and_revenue():
    calls = make_calls([{"call_id": "K1", "queue": "sales"}, {"call_id": "K2", "queue": "sales"},
                        {"call_id": "K3", "queue": "sales"}, {"call_id": "K4", "queue": "sales"},
                        {"call_id": "K5", "queue": "sales", "abandoned": True},
                        {"call_id": "K6", "queue": "service"}])
    sales = pd.DataFrame({"call_id": ["K1", "K1", "K2", "K6"], "revenue_aud": [100.0, 50.0, 30.0, 20.0]})
    assert kpi.conversion_rate(calls, sales) == pytest.approx(2 / 4)  # K1 (two sales) and K2 of 4 answered
    assert kpi.conversion_rate(calls, sales, queue=None) == pytest.approx(3 / 5)
    assert kpi.revenue_per_call(calls, sales) == pytest.approx(200 / 5)
    assert kpi.revenue_per_call(calls, sales, queue="sales") == pytest.approx(180 / 4)


def test_retention_and_churn():
    ts = pd.Timestamp
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E"], "segment": ["x", "x", "y", "y", "y"],
        "joined_at": [ts("2023-01-01"), ts("2023-02-01"), ts("2023-01-01"), ts("2024-02-01"), ts("2023-05-01")],
        "churned_at": [pd.NaT, ts("2024-01-20"), ts("2023-12-01"), pd.NaT, ts("2024-03-01")],
    })
    start, end = "2024-01-01", "2024-01-31"
    # cohort at start: A, B, E (C left before start, D joined after); B churned inside the period
    assert kpi.retention_rate(customers, start, end) == pytest.approx(2 / 3)
    assert kpi.churn_rate(customers, start, end) == pytest.approx(1 / 3)
    by = kpi.retention_rate(customers, start, end, by="segment")
    assert by["x"] == 0.5 and by["y"] == 1.0


def shifts_frame():
    return pd.DataFrame({
        "agent_id": ["X", "Y"],
        "rostered_start": pd.to_datetime(["2024-03-04 08:00", "2024-03-04 12:00"]),
        "rostered_end": pd.to_datetime(["2024-03-04 16:00", "2024-03-04 16:00"]),
        "logged_in_s": [30000.0, 9000.0], "shrinkage_s": [4000.0, 2000.0],
    })


def test_shift_kpis_and_cost_per_contact():
    shifts = shifts_frame()  # rostered 8 h + 4 h = 43,200 s
    assert kpi.utilisation(shifts) == pytest.approx(39000 / 43200)
    assert kpi.shrinkage(shifts) == pytest.approx(6000 / 43200)
    agents = pd.DataFrame({"agent_id": ["X", "Y"], "hourly_cost_aud": [40.0, 50.0]})
    calls = make_calls([{"talk_s": 300, "wrap_s": 0}, {"talk_s": 500, "wrap_s": 100}, {},
                        {"abandoned": True}, {"outcome": "lost"}])
    # 8 h x $40 + 4 h x $50 + $80 other = $600 over 3 answered calls
    assert kpi.cost_per_contact(calls, shifts, agents, other_costs_aud=80) == pytest.approx(200.0)
    # handle 300 + 600 + 150 = 1050 s over 39,000 s logged in
    assert kpi.occupancy(calls, shifts) == pytest.approx(1050 / 39000)
    with pytest.raises(ValueError, match="Y"):
        kpi.cost_per_contact(calls, shifts, agents.iloc[:1])


def random_calls(n=6000, seed=7):
    rng = np.random.default_rng(seed)
    arrived = T0 + pd.to_timedelta(rng.uniform(0, 14 * 86400, n), unit="s")
    outcome = rng.choice(["resolved", "unresolved", "lost"], n, p=[0.7, 0.27, 0.03])
    abandoned = (rng.random(n) < 0.08) & (outcome != "lost")
    outcome = np.where(abandoned, "abandoned", outcome)
    rows = [{"arrived_at": a, "wait_s": w, "abandoned": ab, "outcome": o, "queue": q, "customer_id": c,
             "talk_s": t if not ab and o != "lost" else 0.0}
            for a, w, ab, o, q, c, t in zip(arrived, rng.exponential(25, n), abandoned, outcome,
                                            rng.choice(["sales", "service", "faults"], n),
                                            rng.choice([f"C{i}" for i in range(300)], n), rng.gamma(4, 60, n))]
    return make_calls(rows)


def test_by_groups_aggregate_back_to_whole_frame():
    calls = random_calls()
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(250)],  # C250.. are unknown
                              "segment": np.where(np.arange(250) % 2, "retail", "business")})
    offered = calls["outcome"] != "lost"
    answered = offered & ~calls["abandoned"]
    for by in ["day", "week", "interval", "hour", "queue", ["queue", "day"], "segment"]:
        sl = kpi.service_level(calls, by=by, customers=customers)
        keys = kpi.grouping_keys(calls, by, table="calls", customers=customers)
        weights = answered.groupby(keys, dropna=False).sum()
        assert (weights.reindex(sl.index) * sl).sum() / weights.sum() == pytest.approx(kpi.service_level(calls))
        ab = kpi.abandonment_rate(calls, by=by, customers=customers)
        w = offered.groupby(keys, dropna=False).sum().reindex(ab.index)
        assert (w * ab).sum() / w.sum() == pytest.approx(kpi.abandonment_rate(calls))
    # independent check of one group by plain pandas filtering
    day = T0.normalize() + pd.Timedelta(days=3)
    sub = calls[calls["arrived_at"].dt.normalize() == day]
    a = (sub["outcome"] != "lost") & ~sub["abandoned"]
    assert kpi.service_level(calls, by="day")[day] == pytest.approx((a & (sub["wait_s"] <= 20)).sum() / a.sum())
    seg = kpi.asa(calls, by="segment", customers=customers)
    assert set(seg.index) == {"retail", "business", "unidentified"}


def test_period_keys():
    calls = make_calls([{"arrived_at": pd.Timestamp("2024-03-06 09:44")},   # Wednesday
                        {"arrived_at": pd.Timestamp("2024-03-10 23:59")}])  # Sunday, same week
    keys = {b: kpi.grouping_keys(calls, b, table="calls")[0].tolist() for b in ("interval", "hour", "day", "week")}
    assert keys["interval"][0] == pd.Timestamp("2024-03-06 09:30")
    assert keys["hour"][0] == pd.Timestamp("2024-03-06 09:00")
    assert keys["day"][1] == pd.Timestamp("2024-03-10")
    assert keys["week"] == [pd.Timestamp("2024-03-04")] * 2


def test_errors_name_table_and_column():
    calls = make_calls([{}])
    with pytest.raises(ValueError, match=r"calls table has no column 'wait_s'"):
        kpi.asa(calls.drop(columns="wait_s"))
    with pytest.raises(ValueError, match="calls table is empty"):
        kpi.service_level(calls.iloc[:0])
    with pytest.raises(ValueError, match=r"'wait_s' of the calls table should be numeric"):
        kpi.asa(calls.assign(wait_s=calls["wait_s"].astype(str)))
    with pytest.raises(ValueError, match="variant must be one of"):
        kpi.service_level(calls, variant="abandons_good")
    with pytest.raises(ValueError, match="by='segment' needs the customers table"):
        kpi.service_level(calls, by="segment")
    with pytest.raises(ValueError, match="by='month'"):
        kpi.service_level(calls, by="month")
    with pytest.raises(ValueError, match="surveys table has no column 'csat'"):
        kpi.csat(pd.DataFrame({"responded": [True]}))


def test_kpi_table_statuses():
    targets = {"service_level": {"target": 0.80, "direction": "higher", "unit": "fraction"},
               "asa_s": {"target": 30, "direction": "lower", "unit": "s"},
               "nps": {"target": 40, "direction": "higher", "unit": "points"},
               "abandonment_rate": {"target": 0.05, "direction": "lower", "unit": "fraction"},
               "fcr": {"target": 0.7, "direction": "higher", "unit": "fraction"}}
    actuals = {"service_level": 0.81, "asa_s": 31.0, "nps": 30.0, "abandonment_rate": 0.05, "fcr": math.nan}
    t = kpi.kpi_table(actuals, targets).set_index("kpi")
    assert list(t.columns) == ["actual", "target", "unit", "direction", "gap", "status"]
    assert t.loc["service_level", "status"] == "met"
    assert t.loc["asa_s", "status"] == "near"          # 1 s over 30 s target, tolerance 1.5 s
    assert t.loc["nps", "status"] == "missed"          # 10 points short, tolerance 2
    assert t.loc["abandonment_rate", "status"] == "met"  # equal to target
    assert t.loc["fcr", "status"] == "no_data"
    assert t.loc["nps", "gap"] == -10.0
    with pytest.raises(ValueError, match="direction"):
        kpi.kpi_table({"x": 1}, {"x": {"target": 1, "direction": "up"}})
    with pytest.raises(ValueError, match="no actual value for KPI 'x'"):
        kpi.kpi_table({}, {"x": {"target": 1, "direction": "higher"}})


def test_compute_kpis_wires_every_key():
    calls = random_calls(800, seed=3)
    surveys = pd.DataFrame({"responded": [True, True, False], "csat": [5, 2, np.nan], "nps": [9, 3, np.nan]})
    sales = pd.DataFrame({"call_id": calls["call_id"].iloc[:5], "revenue_aud": 10.0})
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "joined_at": pd.to_datetime(["2020-01-01"] * 2),
                              "churned_at": pd.to_datetime([None, "2024-03-10"])})
    agents = pd.DataFrame({"agent_id": ["X", "Y"], "hourly_cost_aud": [40.0, 50.0]})
    tables = {"calls": calls, "surveys": surveys, "sales": sales, "customers": customers,
              "shifts": shifts_frame(), "agents": agents}
    out = kpi.compute_kpis(tables)
    assert tuple(out) == kpi.KPI_KEYS
    assert out["csat"] == 0.5 and out["nps"] == 0.0
    assert out["retention_rate"] == 0.5  # C2 churned inside the calls' fortnight
    assert out["service_level"] == kpi.service_level(calls)
    assert out["service_level"] != kpi.compute_kpis(tables, threshold_s=5)["service_level"]
    with pytest.raises(ValueError, match="needs the tables agents"):
        kpi.compute_kpis({k: v for k, v in tables.items() if k != "agents"})
