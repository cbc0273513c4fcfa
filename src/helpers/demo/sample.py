"""A small, real sample workbook (two notebooks of BSBCUE605) and per-learner sample data.

Used by the tests and by the demo while the full BSBCUE605 workbook is not in ``notebooks/``.
The notebooks follow every authoring convention of docs/authoring.md: nbgrader cell metadata,
``### BEGIN SOLUTION`` regions, formative check cells whose marks come from trusted checks that
recompute the expected answer from the learner's own data in the grader (``ccw_grader.sample``; no
expected number in the notebook),
``competency`` tags, and ``rubric``/``benchmark`` metadata on the manually graded answers. Between
them the tags cover every PC, PE, KE and AC item of BSBCUE605, so a learner who earns every mark is
Competent.

The data is a small table of the ``calls`` contract (subset of columns) written to
``<dir>/calls.csv``; notebooks find it through ``$CCW_DATASET`` (the grader sets it per learner).
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

UNIT = "BSBCUE605"
NOTEBOOKS = ("01_kpis", "02_database_retention")
#: Service level threshold used by the sample tasks: answered within 20 s (the 80/20 convention).
THRESHOLD_S = 20


def _nbg(grade_id: str, *, grade=False, solution=False, locked=False, points=0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _tag(criteria, evidence) -> dict:
    return {"unit": UNIT, "criteria": list(criteria), "evidence": list(evidence)}


def _cell(new_cell, source: str, nbgrader: dict | None = None, **meta):
    """A cell made by ``new_cell`` (nbformat's code or markdown cell) with its nbgrader and other metadata."""
    cell = new_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    cell.metadata.update(meta)
    return cell


_code = partial(_cell, new_code_cell)
_markdown = partial(_cell, new_markdown_cell)


LOAD = ('import os\nfrom pathlib import Path\n\nimport pandas as pd\n\n'
        '# Your own dataset: the grader sets CCW_DATASET to your folder.\n'
        'calls = pd.read_csv(Path(os.environ.get("CCW_DATASET", ".")) / "calls.csv")\n'
        'print(len(calls), "calls offered")')


def _data_task(grade_id: str, variable: str, question: str, solution: str, kpi: str, unit: str,
               points: int, criteria, evidence) -> list:
    """Question, answer cell (solution region) and a formative check cell; the marks come from the
    trusted check registered for ``test_<grade_id>`` in ``ccw_grader.sample`` (answer ``variable``)."""
    test = (f'# Check (formative): the assessor check compares `{variable}` with your own data ({unit})\n'
            f'assert {variable} is not None, "assign your answer to `{variable}`"\n'
            f'print("`{variable}` =", {variable})')
    return [
        _markdown(question),
        _code(f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION", _nbg(f"{grade_id}_answer", solution=True)),
        _code(test, _nbg(f"test_{grade_id}", grade=True, locked=True, points=points),
              competency=_tag(criteria, evidence)),
    ]


def _written_task(grade_id: str, question: str, benchmark: str, rubric: list[str], points: int,
                  criteria, evidence) -> list:
    return [
        _markdown(question),
        _markdown(benchmark, _nbg(grade_id, grade=True, solution=True, points=points),
                  competency=_tag(criteria, evidence), rubric=rubric, benchmark=benchmark),
    ]


def kpis_notebook():
    cells = [
        _markdown("# Sample workbook: service level and abandonment\n\n"
                  "You are the operations analyst of the case-study contact centre. Every learner has "
                  "their own call data, so compute every answer from *your* dataset."),
        _code(LOAD, _nbg("load_data", locked=True)),
        *_data_task("service_level", "service_level",
                    f"## Task 1: service level\n\nCompute the share of **answered** calls that were answered "
                    f"within {THRESHOLD_S} seconds (`wait_s <= {THRESHOLD_S}`; abandoned calls are left out "
                    "of both counts). Assign it to `service_level` as a fraction between 0 and 1.",
                    f'answered = calls[~calls["abandoned"]]\nservice_level = float((answered["wait_s"] <= '
                    f'{THRESHOLD_S}).mean())',
                    "service_level", "fraction", 2, ["4.2"], ["PE5", "KE1", "AC2", "AC5"]),
        *_data_task("abandonment", "abandonment_rate",
                    "## Task 2: abandonment rate\n\nCompute abandoned calls divided by calls offered "
                    "(every abandoned call counts, however short the wait). Assign it to "
                    "`abandonment_rate` as a fraction.",
                    'abandonment_rate = float(calls["abandoned"].mean())',
                    "abandonment_rate", "fraction", 2, ["4.2"], ["PE5", "AC5"]),
        *_written_task(
            "kpi_report",
            "## Task 3: report to the operations manager\n\nIn three to five sentences, tell the "
            "operations manager how the centre performed against its 80/20 service-level target and "
            "its 5% abandonment target, and what you recommend.",
            "Service level was below the 80/20 target: fewer than 80% of answered calls were answered "
            "within 20 seconds, and abandonment was above 5%. Callers waited too long at peak times. "
            "I recommend re-forecasting the peak intervals, rostering more agents then, and reporting "
            "the two KPIs weekly to the operations manager.",
            ["States service level against the 80/20 target using the learner's own figure",
             "States abandonment against the 5% target",
             "Gives a recommendation that follows from the figures",
             "Addresses the stakeholder in plain business language"],
            3, ["4.1", "4.3"], ["PE4", "PE5", "AC4", "AC6"]),
    ]
    return _notebook(cells)


def database_retention_notebook():
    cells = [
        _markdown("# Sample workbook: handle time, the marketing database and retention"),
        _code(LOAD, _nbg("load_data", locked=True)),
        *_data_task("aht", "aht_s",
                    "## Task 1: average handle time\n\nCompute the average handle time in **seconds** of "
                    "answered calls (talk + hold + wrap). Assign it to `aht_s`.",
                    'answered = calls[~calls["abandoned"]]\n'
                    'aht_s = float((answered["talk_s"] + answered["hold_s"] + answered["wrap_s"]).mean())',
                    "aht", "seconds", 2, ["3.4"], ["PE3", "KE4"]),
        *_written_task(
            "marketing_database",
            "## Task 2: the marketing database\n\nName the fields the marketing database needs for "
            "the retention campaign, how you would test and maintain it, and your contingency plan "
            "if it fails.",
            "Fields: customer id, name, contact details with consent per channel, products held, "
            "segment, last contact and churn risk. Test with sample records and duplicate checks before "
            "go-live; maintain with a monthly de-duplication and consent audit. Contingency: nightly "
            "backups, a read-only copy for the floor, and a manual call list if the database is down.",
            ["Identifies fields and functions that serve the marketing operation",
             "Describes development testing and an enhancement",
             "Sets a maintenance procedure with a frequency and an owner",
             "Gives a contingency plan for database or system failure"],
            3, ["2.1", "2.2", "2.3", "2.4", "2.5"], ["PE2", "KE2", "KE7", "AC3"]),
        *_written_task(
            "retention_strategy",
            "## Task 3: principles and retention\n\nChoose a framework of sales and marketing principles "
            "for the centre, show how it shapes the operating objectives and supply chain, and design "
            "an after-sales and retention strategy with the process that monitors and adjusts it.",
            "Framework: the 7 Ps, agreed with the sales and service managers. Objectives: first-contact "
            "resolution and cross-sell on service calls. Supply chain: inbound service, outbound "
            "retention and the fulfilment partner. After-sales: a follow-up call within 7 days; "
            "retention: a loyalty offer for at-risk customers; monitored monthly on churn and CSAT "
            "and adjusted when churn rises.",
            ["Selects and justifies a framework of sales and marketing principles",
             "Integrates the principles into operating objectives and names supply-chain elements",
             "Designs after-sales support and retention strategies with a process",
             "Monitors, reviews and adjusts the process with measures"],
            4, ["1.1", "1.2", "1.3", "1.4", "1.5", "3.1", "3.2", "3.3", "3.5"],
            ["PE1", "PE3", "PE4", "KE3", "KE5", "KE6", "AC1", "AC7"]),
    ]
    return _notebook(cells)


def _notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: byte-identical files for the same input
        cell["id"] = f"cell-{i:02d}"
    return nb


def write_sample_notebooks(notebooks_root: Path | str) -> Path:
    """Write the sample workbook to ``<notebooks_root>/BSBCUE605/``; returns that folder."""
    folder = Path(notebooks_root) / UNIT
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in zip(NOTEBOOKS, (kpis_notebook, database_retention_notebook)):
        nbformat.write(build(), folder / f"{name}.ipynb")
    return folder


def sample_calls(seed: int, n_calls: int = 300) -> pd.DataFrame:
    """A small ``calls`` table (contract columns subset; seconds) whose KPIs vary with ``seed``.

    Each seed draws its own mean wait (8-60 s), caller patience (20-200 s) and handle times, so
    two learners' KPIs almost always differ by far more than the graders' 1% tolerance.
    """
    rng = np.random.default_rng(seed)
    mean_wait, patience, talk_mu = rng.uniform(8, 60), rng.uniform(20, 200), rng.uniform(4.8, 5.8)
    wait = rng.exponential(mean_wait, n_calls)
    gives_up = rng.exponential(patience, n_calls)
    abandoned = gives_up < wait
    wait = np.where(abandoned, gives_up, wait).round(1)
    answered = ~abandoned
    talk = np.where(answered, rng.lognormal(talk_mu, 0.4, n_calls), 0.0).round(1)
    hold = np.where(answered, rng.exponential(20, n_calls), 0.0).round(1)
    wrap = np.where(answered, rng.exponential(45, n_calls), 0.0).round(1)
    arrived = pd.Timestamp("2024-03-04 08:00") + pd.to_timedelta(np.cumsum(rng.exponential(60, n_calls)).round(), "s")
    resolved = rng.random(n_calls) < 0.8
    return pd.DataFrame({
        "call_id": [f"K{i:07d}" for i in range(1, n_calls + 1)],
        "queue": "service",
        "arrived_at": arrived,
        "wait_s": wait,
        "abandoned": abandoned,
        "talk_s": talk,
        "hold_s": hold,
        "wrap_s": wrap,
        "outcome": np.where(abandoned, "abandoned", np.where(resolved, "resolved", "unresolved")),
    })


def write_sample_dataset(directory: Path | str, seed: int, n_calls: int = 300) -> Path:
    """Write ``calls.csv`` for one learner into ``directory`` (created); returns the folder."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    sample_calls(seed, n_calls).to_csv(folder / "calls.csv", index=False, float_format="%.1f")
    return folder
