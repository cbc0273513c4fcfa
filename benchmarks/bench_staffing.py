"""Time Erlang C staffing over 10,000 half-hour intervals (vectorised plan vs one call per interval),
and Erlang C and Erlang A at 5,000 Erlangs (tests/domain/test_staffing.py checks their results, not their speed).

Run: .venv/bin/python benchmarks/bench_staffing.py [--intervals N]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers import staffing


def forecast(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"interval": pd.date_range("2024-01-01", periods=n, freq="30min"),
                         "calls": rng.poisson(rng.uniform(0, 400, n)).astype(float),
                         "aht_s": rng.uniform(150, 420, n)})


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--intervals", type=int, default=10_000)
    n = args.parse_args(argv).intervals
    fc = forecast(n)
    t0 = time.perf_counter()
    plan = staffing.interval_requirements(fc, target_s=20, target_sl=0.8, shrinkage=0.3)
    vec = time.perf_counter() - t0
    traffic = plan["traffic_erlangs"].to_numpy()
    t0 = time.perf_counter()
    loop = [staffing.agents_required(a, h, 20, 0.8, shrinkage=0.3).agents for a, h in zip(traffic, fc["aht_s"])]
    one = time.perf_counter() - t0
    assert loop == plan["agents"].tolist(), "vectorised and per-interval results differ"
    print(f"intervals: {n:,}  traffic: mean {traffic.mean():.1f} Erlangs, max {traffic.max():.1f}")
    print(f"interval_requirements (vectorised): {vec:.3f} s  ({vec / n * 1e6:.1f} us/interval)")
    print(f"agents_required in a Python loop:   {one:.3f} s  ({one / n * 1e6:.1f} us/interval)")
    t0 = time.perf_counter()
    big = staffing.agents_required(5000, 180, 20, 0.8)
    print(f"agents_required(5,000 Erlangs): {big.agents} agents in {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    a = staffing.erlang_a(5000, 4950, 180, 120)
    print(f"erlang_a(5,000 Erlangs, 4,950 agents, patience 120 s): P(abandon) {a.p_abandon:.4f} "
          f"in {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
