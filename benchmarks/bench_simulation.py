"""Benchmark: 1,000,000 calls through ``simulate_queue`` with realistic staffing, and the FCFS loop alone.

A year of one queue: weekday/weekend volumes and the intraday profile of ``helpers.simulation``, day
factors (cv 0.15), 8-hour shifts rostered greedily to square-root staffing (agents = a + sqrt(a) for
offered load a erlangs) on the forecast without the day shocks. Run:
    python benchmarks/bench_simulation.py [--calls 1000000] [--seed 2024]
Prints seconds and calls per second (warm process: a small run first), plus the queue's KPIs.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from helpers.simulation import (
    DEFAULTS, WEEKDAY_FACTORS, day_factors, intraday_profile, serve_fcfs, simulate_queue)

HALF_HOUR = 1800.0
SHIFT_INTERVALS = 16  # 8 hours


def roster(required: np.ndarray, open_interval: int, close_interval: int) -> list[int]:
    """Start intervals of 8-hour shifts covering ``required`` agents per interval of one day (greedy)."""
    cover = np.zeros(required.size, dtype=int)
    starts: list[int] = []
    last_start = close_interval - SHIFT_INTERVALS
    for k in range(open_interval, close_interval):
        short = required[k] - cover[k]
        if short > 0:
            s = min(k, last_start)
            cover[s:s + SHIFT_INTERVALS] += short
            starts += [s] * int(short)
    return starts


def scenario(calls: int, seed: int, n_days: int = 365):
    rng = np.random.default_rng(seed)
    handle = DEFAULTS["talk_mean_s"] + DEFAULTS["hold_prob"] * DEFAULTS["hold_mean_s"] + DEFAULTS["wrap_mean_s"]
    weekday = np.array(list(WEEKDAY_FACTORS.values()))[np.arange(n_days) % 7]  # day 0 is a Monday
    per_day = calls / weekday.sum() * weekday
    profile = intraday_profile(HALF_HOUR, 7.0, 21.0)
    forecast = per_day[:, None] * profile[None, :]
    expected = (forecast * day_factors(rng, n_days, 0.15)[:, None]).ravel()
    erlangs = forecast * handle / HALF_HOUR
    required = np.ceil(erlangs + np.sqrt(erlangs)).astype(int)
    start, end = [], []
    for d in range(n_days):
        for s in roster(required[d], 14, 42):
            start.append((d * 48 + s) * HALF_HOUR)
            end.append((d * 48 + s + SHIFT_INTERVALS) * HALF_HOUR)
    return rng, expected, np.array(start), np.array(end)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time simulate_queue and serve_fcfs on a year of calls.")
    parser.add_argument("--calls", type=int, default=1_000_000, help="expected calls offered in the year")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    rng, expected, start, end = scenario(args.calls, args.seed)
    simulate_queue(np.random.default_rng(0), expected[:48 * 7], HALF_HOUR, start, end, **DEFAULTS)  # warm-up

    t0 = time.perf_counter()
    out = simulate_queue(rng, expected, HALF_HOUR, start, end, **DEFAULTS)
    total = time.perf_counter() - t0
    n = out["arrival_s"].size

    busy = out["talk_s"] + out["hold_s"] + out["wrap_s"]
    patience = np.where(out["abandoned"], out["wait_s"], np.inf)  # replay: answered calls stay answered
    t0 = time.perf_counter()
    replay = serve_fcfs(out["arrival_s"], patience, busy, start, end)
    loop = time.perf_counter() - t0
    assert np.array_equal(replay.server, out["server"]), "replay of the FCFS queue disagrees"

    answered = ~out["abandoned"]
    print(f"calls offered        {n:,} over {expected.size // 48} days, {start.size:,} shifts")
    print(f"simulate_queue       {total:.2f} s  ({n / total:,.0f} calls/s)")
    print(f"serve_fcfs alone     {loop:.2f} s  ({n / loop:,.0f} calls/s)")
    print(f"abandonment rate     {out['abandoned'].mean():.1%} of calls offered")
    print(f"service level        {(answered & (out['wait_s'] <= 20)).sum() / n:.1%} answered within 20 s "
          f"(abandoned calls count as missed)")
    print(f"ASA                  {out['wait_s'][answered].mean():.1f} s; mean talk {out['talk_s'][answered].mean():.0f} s")
    if total > 10.0:
        print(f"WARNING: simulate_queue took {total:.1f} s, above the 10 s budget for 1M calls")


if __name__ == "__main__":
    main()
