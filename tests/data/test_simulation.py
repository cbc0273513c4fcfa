"""Queue-simulation engine: exactness of the FCFS queue, agreement with Erlang C, and the empirical
call-centre regularities it is meant to reproduce (Brown et al. 2005; Gans, Koole & Mandelbaum 2003).

Tolerances come from the standard error of each estimate (z = 4, or batch means for queue waits),
with fixed seeds so the suite is deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from helpers.simulation import (
    DEFAULTS, WEEKDAY_FACTORS, QueueResult, arrival_times, day_factors, intraday_profile, lognormal_mean_cv,
    patience_times, retrial_arrivals, serve_fcfs, simulate_queue)

Z = 4.0
HALF_HOUR = 1800.0


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def always_on(n_servers: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n_servers), np.full(n_servers, np.inf)


def log_normality(x: np.ndarray) -> tuple[float, float, float]:
    """Skewness, excess kurtosis and KS p-value of standardised log(x)."""
    logs = np.log(x)
    z = (logs - logs.mean()) / logs.std(ddof=1)
    return float(stats.skew(logs)), float(stats.kurtosis(logs)), float(stats.kstest(z, "norm").pvalue)


# --- distributions ---------------------------------------------------------------------------------

def test_lognormal_mean_cv_has_the_requested_mean_cv_and_normal_logs():
    n = 200_000
    x = lognormal_mean_cv(rng(1), 210.0, 1.0, n)
    assert abs(x.mean() - 210.0) < Z * 210.0 / math.sqrt(n)
    assert abs(x.std() / x.mean() - 1.0) < 0.03
    skew, kurt, p = log_normality(x)
    assert abs(skew) < Z * math.sqrt(6 / n) and abs(kurt) < Z * math.sqrt(24 / n) and p > 1e-3
    # The same check rejects exponential service times (the textbook assumption the data contradict).
    skew_e, kurt_e, p_e = log_normality(rng(1).exponential(210.0, n))
    assert abs(skew_e) > 10 * math.sqrt(6 / n) and p_e < 1e-6


def test_lognormal_mean_cv_broadcasts_per_call_means_and_handles_degenerate_cases():
    means = np.repeat([100.0, 300.0], 50_000)
    x = lognormal_mean_cv(rng(2), means, 0.5, means.size)
    for m in (100.0, 300.0):
        part = x[means == m]
        assert abs(part.mean() - m) < Z * 0.5 * m / math.sqrt(part.size)
    np.testing.assert_array_equal(lognormal_mean_cv(rng(2), means, 0.0, means.size), means)
    assert (lognormal_mean_cv(rng(2), 0.0, 1.0, 10) == 0).all()


def test_day_factors_have_mean_one_and_the_requested_cv():
    f = day_factors(rng(3), 20_000, cv=0.15)
    assert abs(f.mean() - 1) < Z * 0.15 / math.sqrt(f.size)
    assert abs(f.std() - 0.15) < 0.005
    assert (f > 0).all()
    np.testing.assert_array_equal(day_factors(rng(3), 5, cv=0.0), np.ones(5))


def test_patience_is_exponential_without_announcement_jump():
    t = patience_times(rng(4), 100_000, 300.0, hazard_jump=1.0)
    assert abs(t.mean() - 300.0) < Z * 300.0 / math.sqrt(t.size)
    assert stats.kstest(t, "expon", args=(0, 300.0)).pvalue > 1e-3


def _hazard(t: np.ndarray, lo: float, hi: float) -> tuple[float, int]:
    """Empirical hazard rate on [lo, hi): hang-ups there / caller-seconds at risk there."""
    deaths = int(((t >= lo) & (t < hi)).sum())
    exposure = float(np.clip(t - lo, 0.0, hi - lo).sum())
    return deaths / exposure, deaths


def test_patience_hazard_jumps_after_each_announcement():
    mean_s = 300.0
    t = patience_times(rng(5), 400_000, mean_s)  # announcements at 30 s and 90 s, x1.5 for 10 s
    for lo, hi, multiplier in ((30, 40, 1.5), (90, 100, 1.5), (0, 30, 1.0), (40, 90, 1.0), (100, 400, 1.0)):
        h, deaths = _hazard(t, lo, hi)
        assert abs(h * mean_s - multiplier) < Z * multiplier / math.sqrt(deaths), (lo, hi, h * mean_s)
    assert np.isinf(patience_times(rng(5), 3, np.inf)).all()
    per_call = patience_times(rng(5), 100_000, np.repeat([60.0, 600.0], 50_000), hazard_jump=1.0)
    assert abs(per_call[:50_000].mean() - 60) < Z * 60 / math.sqrt(50_000)
    assert abs(per_call[50_000:].mean() - 600) < Z * 600 / math.sqrt(50_000)


# --- arrivals --------------------------------------------------------------------------------------

def test_arrival_times_follow_the_piecewise_constant_rate():
    pattern = np.array([0.0, 50.0, 200.0, 0.0, 10.0])
    reps = 2000
    t = arrival_times(rng(6), np.tile(pattern, reps), HALF_HOUR)
    assert (np.diff(t) >= 0).all() and t.min() >= 0 and t.max() < pattern.size * reps * HALF_HOUR
    counts = np.bincount((t // HALF_HOUR).astype(int), minlength=pattern.size * reps).reshape(reps, -1)
    assert (counts[:, pattern == 0] == 0).all()
    for j in np.flatnonzero(pattern):
        assert abs(counts[:, j].mean() - pattern[j]) < Z * math.sqrt(pattern[j] / reps)
        assert abs(counts[:, j].var(ddof=1) / counts[:, j].mean() - 1) < Z * math.sqrt(2 / (reps - 1))
    offsets = (t % HALF_HOUR) / HALF_HOUR
    assert stats.kstest(offsets, "uniform").pvalue > 1e-3


def test_same_interval_counts_are_overdispersed_only_with_day_factors():
    n_days, per_day = 400, 1400.0
    profile = intraday_profile() * per_day
    peak = int(np.argmax(profile))
    assert 95 < profile[peak] < 105  # ~100 expected calls in the peak half hour

    def dispersion(factors: np.ndarray) -> float:
        t = arrival_times(rng(7), (factors[:, None] * profile[None, :]).ravel(), HALF_HOUR)
        counts = np.bincount((t // HALF_HOUR).astype(int), minlength=n_days * 48).reshape(n_days, 48)
        return counts[:, peak].var(ddof=1) / counts[:, peak].mean()

    assert abs(dispersion(np.ones(n_days)) - 1) < Z * math.sqrt(2 / (n_days - 1))
    assert dispersion(day_factors(rng(8), n_days, cv=0.15)) > 2  # theory: 1 + 100 * 0.15**2 = 3.25


def test_retrials_follow_lost_calls_with_exponential_delays():
    lost = np.sort(rng(9).uniform(0, 86400, 100_000))
    times, source = retrial_arrivals(rng(10), lost, retry_prob=0.6, mean_delay_s=900.0, return_index=True)
    p = times.size / lost.size
    assert abs(p - 0.6) < Z * math.sqrt(0.6 * 0.4 / lost.size)
    assert (np.diff(times) >= 0).all()
    delay = times - lost[source]
    assert (delay >= 0).all() and abs(delay.mean() - 900) < Z * 900 / math.sqrt(delay.size)
    assert stats.kstest(delay, "expon", args=(0, 900)).pvalue > 1e-3
    assert np.unique(source).size == source.size
    assert retrial_arrivals(rng(10), lost, retry_prob=0.0).size == 0
    np.testing.assert_array_equal(retrial_arrivals(rng(10), lost, 1.0, 0.0), lost)


# --- the FCFS queue --------------------------------------------------------------------------------

def test_hand_worked_queue_with_overtime_shift_change_and_exact_patience():
    # server 0 on duty [0, 50), server 1 on duty [60, 200)
    arrival = np.array([0.0, 10.0, 40.0, 45.0, 46.0])
    patience = np.array([5.0, 50.0, 10.0, 15.0, 13.0])
    busy = np.array([30.0, 100.0, 5.0, 20.0, 1.0])
    r = serve_fcfs(arrival, patience, busy, np.array([0.0, 60.0]), np.array([50.0, 200.0]))
    assert isinstance(r, QueueResult) and len(r) == 5
    # 0: answered at once by server 0 (free again at 30); 1: waits 20 -> s0 at 30, runs past shift end to 130
    # 2: s0 busy into overtime, s1 not on until 60 -> offered wait 20 > 10: abandons after 10 s
    # 3: s1 starts at 60, wait 15 == patience -> answered; 4: next free at 80, wait 34 > 13 -> abandons
    np.testing.assert_array_equal(r.server, [0, 0, -1, 1, -1])
    np.testing.assert_array_equal(r.abandoned, [False, False, True, False, True])
    np.testing.assert_array_equal(r.answered_s, [0.0, 30.0, np.nan, 60.0, np.nan])
    np.testing.assert_array_equal(r.wait_s, [0.0, 20.0, 10.0, 15.0, 13.0])


def test_nobody_is_answered_without_servers():
    r = serve_fcfs(np.array([1.0, 2.0]), np.array([30.0, np.inf]), np.array([10.0, 10.0]), [], [])
    assert r.abandoned.all() and (r.server == -1).all() and np.isnan(r.answered_s).all()
    np.testing.assert_array_equal(r.wait_s, [30.0, np.inf])


def _shifts(seed: int, n_shifts: int, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    g = rng(seed)
    start = g.uniform(-3600, horizon, n_shifts)
    return start, start + g.uniform(1800, 8 * 3600, n_shifts)


def _messy_inputs(seed: int, n_intervals: int = 96, n_shifts: int = 60):
    g = rng(seed)
    expected = g.uniform(0, 120, n_intervals) * (np.arange(n_intervals) % 48 >= 14)
    arrival = arrival_times(g, expected, HALF_HOUR)
    patience = patience_times(g, arrival.size, 240.0)
    busy = lognormal_mean_cv(g, 210.0, 1.0, arrival.size)
    start, end = _shifts(seed + 1, n_shifts, n_intervals * HALF_HOUR)
    return arrival, patience, busy, start, end


def test_fcfs_invariants_hold_on_a_messy_day():
    arrival, patience, busy, start, end = _messy_inputs(11)
    r = serve_fcfs(arrival, patience, busy, start, end)
    ans = ~r.abandoned
    assert 0.02 < r.abandoned.mean() < 0.9 and ans.sum() > 1000  # both outcomes well represented
    assert (np.diff(r.answered_s[ans]) >= 0).all()  # answered in arrival order
    assert (r.wait_s >= 0).all()
    np.testing.assert_array_equal(r.wait_s[r.abandoned], patience[r.abandoned])
    assert (r.wait_s[ans] <= patience[ans]).all()
    np.testing.assert_allclose(r.answered_s[ans], arrival[ans] + r.wait_s[ans], rtol=0, atol=1e-9)
    k = r.server[ans]
    assert (r.answered_s[ans] >= start[k]).all() and (r.answered_s[ans] < end[k]).all()
    for s in np.unique(k):  # a server never serves two calls at once
        mine = np.flatnonzero(r.server == s)
        assert (r.answered_s[mine][1:] >= r.answered_s[mine][:-1] + busy[mine][:-1]).all()
    assert np.isnan(r.answered_s[r.abandoned]).all() and (r.server[r.abandoned] == -1).all()


def _reference_fcfs(arrival, patience, busy, start, end):
    """Brute force: each caller in turn takes the server that can start soonest (ties: idle longest)."""
    key = start.astype(float).copy()  # when each server can next start a call
    ids = np.arange(start.size)
    answered = np.full(arrival.size, np.nan)
    server = np.full(arrival.size, -1)
    for i in range(arrival.size):
        can_start = np.maximum(arrival[i], key)
        valid = np.flatnonzero(can_start < end)
        if valid.size == 0:
            continue
        best = valid[np.lexsort((ids[valid], end[valid], key[valid]))[0]]
        if can_start[best] - arrival[i] <= patience[i]:
            answered[i], server[i] = can_start[best], best
            key[best] = can_start[best] + busy[i]
    return answered, server


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_heap_queue_matches_brute_force_reference(seed):
    arrival, patience, busy, start, end = _messy_inputs(seed, n_intervals=24, n_shifts=12)
    r = serve_fcfs(arrival, patience, busy, start, end)
    answered, server = _reference_fcfs(arrival, patience, busy, start, end)
    assert arrival.size > 300
    np.testing.assert_array_equal(r.server, server)
    np.testing.assert_array_equal(r.answered_s, answered)


def test_results_stay_aligned_with_unsorted_arrivals():
    arrival, patience, busy, start, end = _messy_inputs(12, n_intervals=24)
    perm = rng(13).permutation(arrival.size)
    sorted_run = serve_fcfs(arrival, patience, busy, start, end)
    shuffled = serve_fcfs(arrival[perm], patience[perm], busy[perm], start, end)
    for field in ("wait_s", "abandoned", "answered_s", "server"):
        np.testing.assert_array_equal(getattr(shuffled, field), getattr(sorted_run, field)[perm])


def erlang_c(c: int, offered_erlangs: float) -> float:
    """Probability of waiting in M/M/c (Erlang C), from the Erlang B recursion."""
    b = 1.0
    for k in range(1, c + 1):
        b = offered_erlangs * b / (k + offered_erlangs * b)
    rho = offered_erlangs / c
    return b / (1 - rho + rho * b)


def _mm_c_waits(c: int, offered: float, mean_service: float, seed: int = 14) -> np.ndarray:
    """Waits of ~200,000 calls in a steady M/M/c queue without abandonment, warm-up dropped."""
    g = rng(seed)
    rate = offered / mean_service  # calls per second
    arrival = arrival_times(g, np.full(2800, rate * HALF_HOUR), HALF_HOUR)
    busy = g.exponential(mean_service, arrival.size)
    r = serve_fcfs(arrival, np.full(arrival.size, np.inf), busy, *always_on(c))
    assert not r.abandoned.any()
    return r.wait_s[10_000:]


def _assert_batch_means_agree(wait: np.ndarray, p_wait: float, asa: float) -> None:
    """Batch means (20 batches of ~9,500 calls) give the standard error of P(wait > 0) and ASA."""
    batches = np.array_split(wait, 20)
    for estimate, theory in (([(b > 0).mean() for b in batches], p_wait), ([b.mean() for b in batches], asa)):
        means = np.array(estimate)
        se = means.std(ddof=1) / math.sqrt(means.size)
        assert se < 0.05 * theory  # the check is sharp, not a loose fudge
        assert abs(means.mean() - theory) < Z * se, (means.mean(), theory, se)


def test_steady_state_without_abandonment_agrees_with_erlang_c():
    c, mean_service, offered = 10, 200.0, 8.0
    p_wait = erlang_c(c, offered)
    _assert_batch_means_agree(_mm_c_waits(c, offered, mean_service), p_wait, p_wait * mean_service / (c - offered))


def test_steady_state_agrees_with_helpers_staffing():
    staffing = pytest.importorskip("helpers.staffing")
    c, mean_service, offered = 12, 180.0, 10.0
    _assert_batch_means_agree(_mm_c_waits(c, offered, mean_service, seed=24),
                              float(staffing.erlang_c(offered, c)), float(staffing.asa(offered, c, mean_service)))


def _steady_queue(n_servers: int, patience_mean_s: float, seed: int = 15) -> dict[str, np.ndarray]:
    handle = DEFAULTS["talk_mean_s"] + DEFAULTS["hold_prob"] * DEFAULTS["hold_mean_s"] + DEFAULTS["wrap_mean_s"]
    rate = 9.0 / handle  # 9 erlangs of handle time (talk + hold + wrap)
    kwargs = {**DEFAULTS, "patience_mean_s": patience_mean_s}
    return simulate_queue(rng(seed), np.full(400, rate * HALF_HOUR), HALF_HOUR, *always_on(n_servers), **kwargs)


def test_mean_wait_rises_with_utilisation():
    waits = [_steady_queue(n, np.inf)["wait_s"].mean() for n in (12, 11, 10)]  # occupancy 75%, 82%, 90%
    assert waits[0] < waits[1] < waits[2]
    assert waits[2] > 2 * waits[1] > 4 * waits[0] > 0


def test_abandonment_rises_when_servers_are_cut():
    rates = [_steady_queue(n, 180.0)["abandoned"].mean() for n in (11, 9, 7)]
    assert 0 < rates[0] < rates[1] < rates[2]
    assert rates[2] > 3 * rates[0]


def test_outage_window_without_agents_makes_its_callers_abandon():
    day = 86400.0
    outage = (11 * 3600.0, 12 * 3600.0)
    n = 14  # each agent: a shift up to the outage and one after it, nobody after 20:00
    start = np.concatenate([np.full(n, 8 * 3600.0), np.full(n, outage[1])])
    end = np.concatenate([np.full(n, outage[0]), np.full(n, 20 * 3600.0)])
    out = simulate_queue(rng(16), intraday_profile() * 2500, HALF_HOUR, start, end, **DEFAULTS)
    arrival, answered, abandoned = out["arrival_s"], out["answered_s"], out["abandoned"]
    patience = out["wait_s"]
    stranded = (arrival >= outage[0]) & (arrival + patience < outage[1])
    assert stranded.sum() > 20 and abandoned[stranded].all()
    ok = ~abandoned
    assert not ((answered[ok] >= outage[0]) & (answered[ok] < outage[1])).any()
    late = arrival >= 20 * 3600.0
    assert late.sum() > 10 and abandoned[late].all() and (arrival.max() < day)


# --- simulate_queue --------------------------------------------------------------------------------

def test_simulate_queue_returns_call_records_with_the_requested_durations():
    m = 480  # ten days of half hours
    hour = (np.arange(m) % 48) // 2
    talk_by_interval = np.where(hour < 12, 180.0, 240.0)
    crm_down = np.zeros(m, dtype=bool)
    crm_down[100:140] = True
    out = simulate_queue(rng(17), np.full(m, 60.0), HALF_HOUR, *always_on(40),
                         talk_mean_s=talk_by_interval, talk_cv=0.8, hold_prob=0.2, hold_mean_s=45.0,
                         wrap_mean_s=30.0, wrap_cv=0.5, patience_mean_s=300.0,
                         handle_multiplier=np.where(crm_down, 1.3, 1.0))
    keys = ["arrival_s", "wait_s", "abandoned", "answered_s", "server", "talk_s", "hold_s", "wrap_s"]
    assert list(out) == keys
    n = out["arrival_s"].size
    assert all(out[k].shape == (n,) for k in keys)
    assert out["abandoned"].dtype == bool and out["server"].dtype == np.int64
    lost = out["abandoned"]
    for k in ("talk_s", "hold_s", "wrap_s"):
        assert (out[k][lost] == 0).all() and (out[k] >= 0).all()
    k = (out["arrival_s"] // HALF_HOUR).astype(int)
    ok = ~lost
    talk = out["talk_s"]
    for mean, sel in ((180.0, ok & (hour[k] < 12) & ~crm_down[k]), (240.0, ok & (hour[k] >= 12) & ~crm_down[k])):
        assert abs(talk[sel].mean() - mean) < Z * 0.8 * mean / math.sqrt(sel.sum())
        skew, kurt, p = log_normality(talk[sel])
        assert abs(skew) < Z * math.sqrt(6 / sel.sum()) and p > 1e-3
    slow = ok & crm_down[k] & (hour[k] >= 12)
    assert abs(talk[slow].mean() - 1.3 * 240.0) < Z * 0.8 * 1.3 * 240.0 / math.sqrt(slow.sum())
    held = out["hold_s"][ok] > 0
    assert abs(held.mean() - 0.2) < Z * math.sqrt(0.2 * 0.8 / ok.sum())


def test_same_seed_gives_identical_output_and_another_seed_does_not():
    args = (intraday_profile() * 800, HALF_HOUR, *_shifts(18, 25, 86400.0))
    a = simulate_queue(rng(19), *args, **DEFAULTS)
    b = simulate_queue(rng(19), *args, **DEFAULTS)
    c = simulate_queue(rng(20), *args, **DEFAULTS)
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert a["arrival_s"].tobytes() != c["arrival_s"].tobytes()
    assert day_factors(rng(19), 50).tobytes() == day_factors(rng(19), 50).tobytes()


# --- reference profiles ----------------------------------------------------------------------------

def test_intraday_profile_peaks_mid_morning_with_a_lower_afternoon_peak():
    p = intraday_profile()
    hours = np.arange(48) / 2
    assert p.shape == (48,) and abs(p.sum() - 1) < 1e-12 and (p >= 0).all()
    assert 10 <= hours[np.argmax(p)] < 11
    assert (p[(hours < 7) | (hours >= 21)] == 0).all() and (p[(hours >= 7) & (hours < 21)] > 0).all()
    afternoon = (hours >= 13) & (hours < 17)
    second = np.flatnonzero(afternoon)[np.argmax(p[afternoon])]
    assert p[second - 1] < p[second] > p[second + 1]  # a genuine local peak
    lunch_dip = p[(hours >= 11) & (hours <= hours[second])].min()
    assert lunch_dip < p[second] < p.max()
    assert intraday_profile(900.0).shape == (96,)
    weekend = max(WEEKDAY_FACTORS["Sat"], WEEKDAY_FACTORS["Sun"])
    assert all(WEEKDAY_FACTORS[d] > 2 * weekend for d in ("Mon", "Tue", "Wed", "Thu", "Fri"))


# --- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: serve_fcfs([0.0, 1.0], [1.0], [1.0, 1.0], [0.0], [1.0]), "patience_s must have one value per call"),
    (lambda: serve_fcfs([0.0], [1.0], [-1.0], [0.0], [1.0]), "busy_s must be >= 0"),
    (lambda: serve_fcfs([np.nan], [1.0], [1.0], [0.0], [1.0]), "arrival_s contains NaN"),
    (lambda: serve_fcfs([0.0], [1.0], [1.0], [5.0], [1.0]), r"server 0: server_end_s \(1.0\) is before"),
    (lambda: serve_fcfs([0.0], [1.0], [1.0], [0.0, 1.0], [1.0]), "same length"),
    (lambda: arrival_times(rng(0), [10.0, -1.0]), "expected_per_interval must be >= 0"),
    (lambda: arrival_times(rng(0), [10.0], 0.0), "interval_s must be > 0"),
    (lambda: day_factors(rng(0), 3, cv=-0.1), "cv must be >= 0"),
    (lambda: day_factors(rng(0), 2.5), "n_days must be a whole number"),
    (lambda: lognormal_mean_cv(rng(0), [1.0, 2.0], 0.5, 3), "must broadcast to size"),
    (lambda: patience_times(rng(0), 3, 0.0), "mean_s must be > 0"),
    (lambda: retrial_arrivals(rng(0), [1.0], retry_prob=1.5), "retry_prob must be a probability"),
    (lambda: simulate_queue(rng(0), [1.0, 2.0], HALF_HOUR, [0.0], [1.0], **{**DEFAULTS, "talk_mean_s": [1, 2, 3]}),
     r"talk_mean_s must be a number or one value per interval \(length 2\)"),
    (lambda: simulate_queue(rng(0), [1.0], HALF_HOUR, [0.0], [1.0], **{**DEFAULTS, "hold_prob": 2.0}),
     "hold_prob must be a probability"),
    (lambda: intraday_profile(700.0), "interval_s must divide a day"),
])
def test_bad_input_is_rejected_with_a_specific_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        arrival_times(42, [1.0])


def test_empty_periods_and_overlapping_announcement_windows():
    empty = simulate_queue(rng(0), np.zeros(4), HALF_HOUR, [0.0], [HALF_HOUR], **DEFAULTS)
    assert all(v.size == 0 for v in empty.values()) and empty["server"].dtype == np.int64
    assert len(serve_fcfs([], [], [], [0.0], [1.0])) == 0
    # windows [20, 30) and [25, 35) merge into one doubled stretch [20, 35): not compounded to x4
    e = rng(1).standard_exponential(50_000) * 100.0
    t = patience_times(rng(1), 50_000, 100.0, announcement_s=(20.0, 25.0), hazard_jump=2.0, window_s=10.0)
    expected = np.where(e < 20, e, np.where(e < 50, 20 + (e - 20) / 2, e - 15))
    np.testing.assert_allclose(t, expected, rtol=1e-12)


# -- split shifts, retrials and agents who differ (issue 14) ----------------------------------
def test_split_shift_waits_for_the_call_running_into_the_break():
    from helpers.simulation import serve_fcfs
    # one agent: on duty [0, 100), break, then [130, 300) as the linked server 1
    arrival = np.array([90.0, 131.0])
    r = serve_fcfs(arrival, [1e9, 1e9], [80.0, 10.0], [0.0, 130.0], [100.0, 300.0], server_successor=[1, -1])
    assert r.answered_s.tolist() == [90.0, 170.0]  # the second call waits for the first to end (90 + 80)
    unlinked = serve_fcfs(arrival, [1e9, 1e9], [80.0, 10.0], [0.0, 130.0], [100.0, 300.0])
    assert unlinked.answered_s.tolist() == [90.0, 131.0]  # without the link: two calls at once


def test_retrials_happen_only_after_an_abandonment():
    from helpers.simulation import serve_fcfs
    # one server busy until 100 with call 0; call 1 (patience 5) abandons; its retrial 2 happens;
    # call 3 is answered, so its retrial 4 never happens
    arrival = np.array([0.0, 10.0, 200.0, 300.0, 400.0])
    r = serve_fcfs(arrival, [1e9, 5.0, 1e9, 1e9, 1e9], [100.0, 10.0, 10.0, 10.0, 10.0], [0.0], [1e6],
                   retrial_of=[-1, -1, 1, -1, 3])
    assert r.abandoned.tolist() == [False, True, False, False, False]
    assert r.made.tolist() == [True, True, True, True, False] and r.server.tolist()[4] == -2
    assert np.isnan(r.wait_s[4]) and r.answered_s[2] == 200.0
    with pytest.raises(ValueError, match="after the call"):
        serve_fcfs([5.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0], [10.0], retrial_of=[-1, 0])  # before its original


def test_server_speed_scales_busy_time_and_durations_add_up():
    from helpers.simulation import scaled_durations, serve_fcfs
    r = serve_fcfs([0.0, 1.0], [1e9, 1e9], [100.0, 100.0], [0.0], [1e6], server_speed=[1.5])
    assert r.answered_s.tolist() == [0.0, 150.0]
    t, h, w = scaled_durations([61.0, 7.0], [20.0, 0.0], [19.0, 3.0], [1.5, 1.37])
    assert (t + h + w).tolist() == [150.0, 14.0] and (w >= 0).all()
