"""How soon the SQL guards stop runaway learner SQL, and how long the customer-data checks take on
10,000 customers. These were wall-clock assertions in tests/domain/test_marketing_db.py and
tests/domain/test_maintenance.py; the tests now assert what happens, this prints how long it takes.

Run: .venv/bin/python benchmarks/bench_checks.py [--repeats N]

Figures are wall and CPU seconds, the median of N runs (on a shared machine CPU time shows the cost
without other people's load). The guards' limits are in helpers.marketing_db.sandbox: 20,000,000 VM
steps or 5 s per DDL statement; the query below is given a 5,000,000-step budget, as in the test.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/factories.py: the test's customers

import factories as F  # noqa: E402

from helpers.maintenance import find_duplicates, validate_customers  # noqa: E402
from helpers.marketing_db import check_design, check_query  # noqa: E402

RUNAWAY_DDL = ("CREATE TABLE t (n INTEGER PRIMARY KEY);\n"
               "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) INSERT INTO t SELECT n FROM r;")
RUNAWAY_QUERY = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r ORDER BY n DESC LIMIT 1"
CARTESIAN_QUERY = "SELECT a.id FROM t a, t b, t c, t d ORDER BY random() LIMIT 1"


def timed(fn, repeats: int):
    """(last result, median wall s, median CPU s) of ``repeats`` calls of ``fn()``."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return out, statistics.median(walls), statistics.median(cpus)


def ten_thousand_customers() -> pd.DataFrame:
    """The test's table: 250 copies of 40 customers, made different people (birth date, e-mail)."""
    big = pd.concat([F.customers(40)] * 250, ignore_index=True)
    big["customer_id"] = "C" + big.index.astype(str).str.zfill(7)
    big["date_of_birth"] += pd.to_timedelta(big.index // 40, unit="D")
    big["email"] = big["customer_id"].str.lower() + "@example.org"
    return big


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args(argv).repeats

    fs, wall, cpu = timed(lambda: check_design(RUNAWAY_DDL), repeats)
    print(f"runaway recursive CTE in DDL stopped in {wall:.2f} s wall, {cpu:.2f} s CPU: {fs[0].message[:90]}")

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"C{i:07d}",) for i in range(200)])
    for label, sql in (("recursive query", RUNAWAY_QUERY), ("4-way cartesian query", CARTESIAN_QUERY)):
        f, wall, cpu = timed(lambda: check_query(conn, sql, {"1"}, steps=5_000_000), repeats)
        print(f"runaway {label} stopped in {wall:.2f} s wall, {cpu:.2f} s CPU: {f.message[:90]}")

    big = ten_thousand_customers()
    dups, wall, cpu = timed(lambda: find_duplicates(big), repeats)
    print(f"find_duplicates on {len(big):,} customers: {wall:.2f} s wall, {cpu:.2f} s CPU ({len(dups)} clusters)")
    problems, wall, cpu = timed(lambda: validate_customers(big), repeats)
    print(f"validate_customers on {len(big):,} customers: {wall:.2f} s wall, {cpu:.2f} s CPU ({len(problems)} problems)")


if __name__ == "__main__":
    main()
