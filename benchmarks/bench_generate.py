"""Generator speed: the default dataset per learner, customers vs a per-row Faker loop, 1,000,000 calls.

    python benchmarks/bench_generate.py            # all three
    python benchmarks/bench_generate.py --quick    # smaller samples
    python benchmarks/bench_generate.py --default-only   # the default dataset only (with CPU by step)

Targets (2-core machine, warm process): default dataset for one learner <= 1 s; customers >= 100x
faster per record than calling Faker per row; 1,000,000 calls <= 10 s. Wall and CPU seconds are
printed: on a shared machine CPU time shows the cost without other people's load.
"""
from __future__ import annotations

import argparse
import math
from collections import OrderedDict
import time

import numpy as np

from helpers.casestudy import load_case_study
from helpers.generator import generate
from helpers.generator.customers import CHANNELS, CONSENT_LEVELS, CONSENT_P, make_customers
from helpers.generator.pools import build_pools
from helpers.providers import make_faker


def timed(fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, time.process_time() - c


def faker_customer_row(fake, segment) -> dict:
    """One customer record the per-row way: every field from Faker calls (the slow baseline)."""
    row = fake.au_customer(business=segment.business, min_age=segment.age_range[0], max_age=segment.age_range[1])
    row["segment"] = segment.name
    for ch in CHANNELS:
        level = fake.random_elements(OrderedDict(zip(CONSENT_LEVELS, CONSENT_P[ch])), length=1, use_weighting=True)[0]
        row[f"consent_{ch}"] = level
        row[f"consent_{ch}_source"] = None if level == "none" else fake.random_element(("web form", "call recording"))
        row[f"consent_{ch}_date"] = None if level == "none" else fake.date_time_between("-10y", "-1d")
    row["dncr_registered"] = fake.random.random() < 0.2
    row["joined_at"] = fake.date_time_between("-15y", "-20d")
    return row


def bench_default(repeats: int) -> None:
    cs = load_case_study()
    _, cold, cold_cpu = timed(generate, cs, seed=1, learner="warm-up")
    walls, cpus, calls = [], [], 0
    steps: dict[str, list[float]] = {}
    for i in range(repeats):
        last = [time.process_time()]

        def tick(step: str) -> None:
            now = time.process_time()
            steps.setdefault(step, []).append(now - last[0])
            last[0] = now
        ds, w, c = timed(generate, cs, seed=1, learner=f"learner-{i}", progress=tick)
        walls.append(w), cpus.append(c)
        calls = len(ds.calls)
    print(f"default dataset, first call in process (builds Faker pools): {cold:.2f} s wall, {cold_cpu:.2f} s CPU")
    extra = ", ".join(f"{len(ds.tables[t]):,} {t}" for t in ("journeys", "mis_events") if t in ds.tables)
    print(f"default dataset per learner (warm, {repeats} learners, {calls:,} calls, "
          f"{len(ds.customers):,} customers{', ' + extra if extra else ''}): median {np.median(walls):.2f} s wall "
          f"(min {min(walls):.2f}), median {np.median(cpus):.2f} s CPU (min {min(cpus):.2f})   [target <= 1 s]")
    print("  CPU by step (median s): " + ", ".join(f"{k} {np.median(v):.3f}" for k, v in steps.items()))
    if "history" in steps:  # traffic_history (24 months of daily summaries) apart from the period's own tables
        rest = [c - h for c, h in zip(cpus, steps["history"])]
        print(f"  without the history step: median {np.median(rest):.2f} s CPU (min {min(rest):.2f})")


def bench_customers(n_vec: int, n_row: int) -> None:
    cs = load_case_study()
    pools = build_pools(cs.slug)
    t0 = np.datetime64(cs.period.start)
    make_customers(cs, pools, np.random.default_rng(0), 1000, t0)  # warm
    _, w_vec, c_vec = timed(make_customers, cs, pools, np.random.default_rng(1), n_vec, t0)
    fake = make_faker(1)
    segs = cs.segments
    picks = np.random.default_rng(2).choice(len(segs), n_row, p=[s.share for s in segs])
    _, w_row, c_row = timed(lambda: [faker_customer_row(fake, segs[i]) for i in picks])
    per_vec, per_row = w_vec / n_vec * 1e6, w_row / n_row * 1e6
    print(f"customers, pooled + numpy/pyarrow: {n_vec:,} in {w_vec:.3f} s = {per_vec:.2f} us/record "
          f"({c_vec / n_vec * 1e6:.2f} us CPU)")
    print(f"customers, Faker per row:          {n_row:,} in {w_row:.3f} s = {per_row:.1f} us/record "
          f"({c_row / n_row * 1e6:.1f} us CPU)")
    print(f"speed-up per record: {per_row / per_vec:.0f}x wall, {(c_row / n_row) / (c_vec / n_vec):.0f}x CPU   "
          f"[target >= 100x]")


def scaled_case_study(calls_target: int):
    """The default case study with volume, staffing and customers scaled to about ``calls_target`` calls."""
    cs = load_case_study()
    per_day = 30_500 / cs.period.days
    days = 112
    k = calls_target / (per_day * days)
    queues = [q.model_copy(update={"daily_volume": q.daily_volume * k}) for q in cs.queues]
    plan = {q: p.model_copy(update={t: [math.ceil(x * k) for x in getattr(p, t)] for t in ("weekday", "saturday")})
            for q, p in cs.staffing_plan.items()}
    org = cs.organisation.model_copy(update={"customers": int(cs.organisation.customers * 4)})
    return cs.model_copy(update={"queues": queues, "staffing_plan": plan, "organisation": org}), days


def bench_million() -> None:
    cs, days = scaled_case_study(1_000_000)
    generate(cs, seed=1, days=2)  # warm
    ds, w, c = timed(generate, cs, seed=1, days=days)
    n = len(ds.calls)
    print(f"{n:,} calls ({days} days, {len(ds.agents):,} agents, {len(ds.customers):,} customers, "
          f"{len(ds.surveys):,} surveys): {w:.1f} s wall, {c:.1f} s CPU = {n / w:,.0f} calls/s   [target <= 10 s]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller samples")
    ap.add_argument("--default-only", action="store_true", help="only the default dataset per learner")
    args = ap.parse_args()
    bench_default(3 if args.quick else 5)
    if args.default_only:
        return
    bench_customers(50_000 if args.quick else 200_000, 1_000 if args.quick else 3_000)
    bench_million()


if __name__ == "__main__":
    main()
