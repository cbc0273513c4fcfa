"""Erlang B/C/A against published worked examples and independent computations."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, special, stats
from scipy.sparse.linalg import expm_multiply, spsolve

from helpers import staffing as st


def test_published_erlang_c_examples():
    # Classic worked example (e.g. Koole 2013; callcentrehelper.com "Erlang C formula - made simple"):
    # 10 Erlangs, AHT 180 s, 80/20: 13 agents 79.6 %, 14 agents 88.8 % with ASA 7.8 s.
    assert round(st.service_level(10, 13, 180, 20) * 100, 1) == 79.6
    assert round(st.service_level(10, 14, 180, 20) * 100, 1) == 88.8
    assert round(st.asa(10, 14, 180), 1) == 7.8
    # 360 calls per 30 min at AHT 240 s = 48 Erlangs; 55 agents answer 84.6 % within 15 s (P(wait) 23.9 %).
    assert st.traffic_erlangs(360, 240, 1800) == 48
    assert round(st.service_level(48, 55, 240, 15) * 100, 1) == 84.6
    assert round(st.erlang_c(48, 55) * 100, 1) == 23.9
    assert st.occupancy(48, 55) == pytest.approx(48 / 55)


def test_agents_required_published_and_minimal():
    r = st.agents_required(10, 180, 20, 0.8)
    assert r.agents == 14
    assert r.service_level == pytest.approx(st.service_level(10, 14, 180, 20))
    assert r.asa_s == pytest.approx(st.asa(10, 14, 180))
    assert r.occupancy == pytest.approx(10 / 14) and r.p_wait == pytest.approx(st.erlang_c(10, 14))
    assert st.service_level(10, r.agents - 1, 180, 20) < 0.8 <= r.service_level
    # 48 Erlangs at 80/15: 54 agents give 79.3 %, 55 give 84.6 %
    assert st.agents_required(48, 240, 15, 0.8).agents == 55
    # shrinkage 30 %: 14 / 0.7 = 20 people exactly (no float round-up to 21), 35 % -> 21.54 -> 22
    assert st.agents_required(10, 180, 20, 0.8, shrinkage=0.3).staff_with_shrinkage == 20
    assert st.agents_required(10, 180, 20, 0.8, shrinkage=0.35).staff_with_shrinkage == 22
    # an occupancy cap binds when the SL target is loose: 10 / 0.6 -> at least 17 agents
    assert st.agents_required(10, 180, 20, 0.5).agents < 17
    assert st.agents_required(10, 180, 20, 0.5, max_occupancy=0.6).agents == 17
    assert st.agents_required(0, 180).agents == 0


def test_unstable_queue_conventions():
    assert st.erlang_c(10, 10) == 1.0 and st.erlang_c(10, 7) == 1.0
    assert st.service_level(10, 9, 180, 20) == 0.0
    assert st.asa(10, 10, 180) == math.inf
    assert st.occupancy(10, 8) == 1.0


def test_erlang_b_matches_poisson_ratio_even_for_large_traffic():
    # Independent identity: B(n, A) = P(N = n) / P(N <= n) for N ~ Poisson(A).
    a = np.array([0.5, 10, 48, 300, 5000, 5000])
    n = np.array([3, 14, 55, 320, 5000, 5150])
    expected = stats.poisson.pmf(n, a) / stats.poisson.cdf(n, a)
    assert np.allclose(st.erlang_b(a, n), expected, rtol=1e-9)
    assert st.erlang_b(10, 0) == 1.0


def test_large_traffic_is_sensible():
    # how long 5,000 Erlangs take is printed by benchmarks/bench_staffing.py
    r = st.agents_required(5000, 180, 20, 0.8)
    assert 5000 < r.agents < 5100 and r.service_level >= 0.8
    assert st.service_level(5000, r.agents - 1, 180, 20) < 0.8
    assert 0.97 < r.occupancy < 1 and math.isfinite(r.asa_s)
    c = st.erlang_c(5000, 5050)
    assert 0 < c < 1 and math.isfinite(c)


def test_vectorised_matches_scalar():
    a = np.array([2.0, 10, 48, 120])
    n = np.array([4, 14, 55, 130])
    assert np.allclose(st.service_level(a, n, 180, 20), [st.service_level(x, y, 180, 20) for x, y in zip(a, n)])
    assert np.allclose(st.asa(a, n, 180), [st.asa(x, y, 180) for x, y in zip(a, n)])


def test_interval_requirements_plan():
    forecast = pd.DataFrame({"interval": pd.date_range("2024-03-04 08:00", periods=4, freq="30min"),
                             "calls": [100, 360, 0, 200], "aht_s": [180, 240, 200, 270.0]})
    plan = st.interval_requirements(forecast, target_s=20, target_sl=0.8, shrinkage=0.3)
    assert list(plan["traffic_erlangs"]) == [10, 48, 0, 30]
    for _, row in plan.iterrows():
        assert row["agents"] == st.agents_required(row["traffic_erlangs"], row["aht_s"], 20, 0.8).agents
    assert plan.loc[0, "agents"] == 14 and plan.loc[0, "staff_with_shrinkage"] == 20
    assert plan.loc[2, "agents"] == 0 and plan.loc[2, "staff_with_shrinkage"] == 0
    # a per-row target column overrides the argument
    strict = st.interval_requirements(forecast.assign(target_sl=[0.95, 0.8, 0.8, 0.8]))
    assert strict.loc[0, "agents"] == st.agents_required(10, 180, 20, 0.95).agents > 14
    with pytest.raises(ValueError, match="forecast table has no column 'aht_s'"):
        st.interval_requirements(forecast.drop(columns="aht_s"))
    with pytest.raises(ValueError, match="aht_s"):
        st.interval_requirements(forecast.assign(aht_s=0.0))


def test_bad_inputs():
    with pytest.raises(ValueError, match="target_sl"):
        st.agents_required(10, 180, 20, 80)
    with pytest.raises(ValueError, match="shrinkage"):
        st.agents_required(10, 180, 20, 0.8, shrinkage=30)
    with pytest.raises(ValueError, match="aht_s"):
        st.service_level(10, 14, 0, 20)
    with pytest.raises(ValueError, match="agents"):
        st.erlang_c(10, 12.5)
    with pytest.raises(ValueError, match="traffic"):
        st.erlang_c(-1, 12)


# ----------------------------------------------------------------------------- Erlang A

def _stationary(a, n, aht, patience, kmax=3000):
    """Birth-death stationary distribution by plain products (independent of staffing's log-space code)."""
    lam, mu, th = a / aht, 1 / aht, 1 / patience
    logp = [0.0]
    for k in range(1, kmax):
        death = min(k, n) * mu + max(k - n, 0) * th
        logp.append(logp[-1] + math.log(lam / death))
    p = np.exp(np.array(logp) - max(logp))
    return p / p.sum()


def _tagged_chain(n, aht, patience, jmax):
    """Generator of a tagged waiting caller: states 0..jmax = callers ahead, then served, abandoned."""
    mu, th = 1 / aht, 1 / patience
    size = jmax + 3
    served, abandoned = jmax + 1, jmax + 2
    q = sparse.lil_matrix((size, size))
    for i in range(jmax + 1):
        out = n * mu + i * th
        q[i, i - 1 if i else served] = out
        q[i, abandoned] = th
        q[i, i] = -(out + th)
    return q.tocsc(), served


@pytest.mark.parametrize("a,n,aht,patience,t", [(10, 11, 180, 120, 20), (48, 50, 240, 300, 15),
                                                (20, 18, 200, 90, 30)])
def test_erlang_a_service_level_and_asa_independently(a, n, aht, patience, t):
    r = st.erlang_a(a, n, aht, patience, target_s=t)
    p = _stationary(a, n, aht, patience)
    q, served = _tagged_chain(n, aht, patience, jmax=p.size - n - 1)
    # P(served by t | j ahead) by the matrix exponential of the tagged caller's chain
    e = np.zeros(q.shape[0])
    e[served] = 1.0
    served_by_t = expm_multiply((q * t).tocsc(), e)[: p.size - n]
    sl = p[:n].sum() + (p[n:] * served_by_t).sum()
    assert r.service_level == pytest.approx(sl, rel=1e-7)
    # E[wait; answered | j ahead] = sum_i (expected time in state i) x P(answered from i), N = (-Q_TT)^-1
    m = p.size - n
    qtt = -q[:m, :m]
    p_serve_from = n / aht / (n / aht + np.arange(1, m + 1) / patience)
    wait_served = spsolve(qtt.tocsc(), p_serve_from)
    answered = p[:n].sum() + (p[n:] * p_serve_from).sum()
    assert r.asa_s == pytest.approx((p[n:] * wait_served).sum() / answered, rel=1e-7)
    assert r.p_abandon == pytest.approx(1 - answered, rel=1e-9)
    assert r.service_level_answered == pytest.approx(sl / answered, rel=1e-7)


def test_erlang_a_closed_forms_and_poisson_case():
    # Mandelbaum & Zeltyn (2007) closed forms with A(x, y) = x e^y y^-x gamma(x, y), x = n mu/theta, y = lam/theta:
    # P(W > 0) = A E / (1 + (A - 1) E),  P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho, rho = lam / (n mu).
    for a, n, aht, pat in [(10, 11, 180, 120), (48, 50, 240, 300), (100, 95, 300, 600)]:
        mu, th = 1 / aht, 1 / pat
        x, y, rho = n * mu / th, a * mu / th, a / n
        big_a = math.exp(math.log(x) + y - x * math.log(y) + special.gammaln(x) + math.log(special.gammainc(x, y)))
        e = st.erlang_b(a, n)
        r = st.erlang_a(a, n, aht, pat)
        assert r.p_wait == pytest.approx(big_a * e / (1 + (big_a - 1) * e), rel=1e-9)
        assert r.p_abandon / r.p_wait == pytest.approx(1 / (rho * big_a) + 1 - 1 / rho, rel=1e-9)
        # Little's law on the queue: P(abandon) = theta x mean time in queue
        assert r.p_abandon == pytest.approx(r.mean_wait_s / pat, rel=1e-9)
    # Patience mean = AHT: every call in the system leaves at rate mu, so N ~ Poisson(A).
    r = st.erlang_a(10, 12, 180, 180)
    k = np.arange(200)
    pk = stats.poisson.pmf(k, 10)
    assert r.p_wait == pytest.approx(stats.poisson.sf(11, 10), rel=1e-9)
    assert r.p_abandon == pytest.approx((np.maximum(k - 12, 0) * pk).sum() / 10, rel=1e-9)
    assert r.occupancy == pytest.approx((np.minimum(k, 12) * pk).sum() / 12, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c = st.erlang_a(10, 14, 180, math.inf)
    assert c.service_level == st.service_level(10, 14, 180, 20) and c.p_abandon == 0
    gaps = [abs(st.erlang_a(10, 14, 180, p).service_level - c.service_level) for p in (1e3, 1e5, 1e7)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-5
    r = st.erlang_a(10, 14, 180, 1e7)
    assert r.p_wait == pytest.approx(st.erlang_c(10, 14), rel=1e-5)
    assert r.asa_s == pytest.approx(st.asa(10, 14, 180), rel=1e-4)
    # abandonment makes an overloaded queue stable: fewer agents than Erlangs still gives finite results
    over = st.erlang_a(10, 8, 180, 120)
    assert 0 < over.p_abandon < 1 and over.p_wait > 0.5 and math.isfinite(over.asa_s)
    with pytest.raises(ValueError, match="agents must exceed traffic"):
        st.erlang_a(10, 8, 180, math.inf)


def test_erlang_a_large_traffic():
    # timed in benchmarks/bench_staffing.py
    r = st.erlang_a(5000, 4950, 180, 120)
    assert 0 < r.p_abandon < 0.05 and 0 <= r.service_level <= 1 and math.isfinite(r.asa_s)
