"""The trainer's cohort summary: one row per learner's dataset, so a trainer sees at a glance that
every variant is sound and how the variants differ (``ccw regenerate`` appends it to its record).

The single-dataset data card (row counts, arrivals, handle times, daily service, KPIs against
targets) is ``helpers.generator.datacard``; this adds the whole-cohort view on top of it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def cohort_summary(folders: list[str | Path]) -> pd.DataFrame:
    """One row per dataset folder: learner, seed, calls, customers, the actual value of every KPI the
    case study sets a target for (in that target's unit, as ``helpers.kpi.kpi_table`` reports it:
    rates are fractions 0-1, times in seconds), and how many of those targets the variant misses. Then three rows ``cohort min``, ``cohort median`` and
    ``cohort max`` over the learners. A folder without a dataset is listed with ``status`` saying so.
    """
    from helpers.data import load_dataset
    from helpers.generator.datacard import kpis_against_targets

    rows = []
    for folder in folders:
        folder = Path(folder)
        if not (folder / "manifest.json").is_file():
            rows.append({"learner": folder.name, "status": "no dataset"})
            continue
        ds = load_dataset(folder)
        table = kpis_against_targets(ds).set_index("kpi")
        row = {"learner": ds.meta.get("learner") or "practice", "seed": str(ds.meta.get("seed")),
               "calls": len(ds.calls), "customers": len(ds.customers)}
        for name, actual in table["actual"].items():
            row[str(name)] = float(actual)
        row["targets_missed"] = int((table["status"] == "missed").sum())
        row["status"] = "ok"
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("learner")
    numeric = frame.select_dtypes("number")
    if len(numeric) > 1:
        stats = pd.DataFrame({"cohort min": numeric.min(), "cohort median": numeric.median(),
                              "cohort max": numeric.max()}).T
        frame = pd.concat([frame, stats])
    return frame
