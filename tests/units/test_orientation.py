"""Each unit's orientation notebook teaches every technique its tasks need (issue 17: "a manager who has never
coded must be able to finish each workbook"), and runs top to bottom on the practice dataset.

The techniques are read from the element notebooks' code (reference solutions, and the given cells the learner
runs and reads; not the check cells), so a task that starts using a technique the orientation does not teach
fails here:

* ``TECHNIQUES``: named techniques (SQL DDL and named parameters, YAML, merges, pivots, intervals, the interview
  and consultation APIs, charts ...), each a pattern over the task code and the pattern the orientation's
  **code** must contain (a worked example that runs, not only a mention);
* every pandas / Python method a task calls or its text names (``.idxmax(``, ``.to_period(`` ...) appears in the
  orientation as ``.name(``, in a worked example or in the text that explains it;
* every helper a task uses or names (``kpi.fcr``, ``measurement.apply``, ``analysis.patterns.trend`` ...), every
  module a reference solution imports, every table (``ds.x``) and every case-study field (``cs.x``) appears in
  the orientation.

How long the orientation takes is not asserted here (a loaded machine made such limits flaky); it is printed.
"""
from __future__ import annotations

import os
import re
import sys
import time
from functools import cache
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pandas.core.groupby import DataFrameGroupBy, SeriesGroupBy

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted(p.name for p in (ROOT / "notebooks").iterdir()
               if p.is_dir() and (p / "00_orientation.ipynb").exists() and list(p.glob("0[1-9]*.ipynb")))

# (technique, pattern in the tasks' code, pattern the orientation's code must contain)
_SAME = None
TECHNIQUES: list[tuple[str, str, str | None]] = [
    # pandas
    ("merge two tables on a key", r"\.merge\(|pd\.merge\(", _SAME),
    ("group and aggregate", r"\.groupby\(", _SAME),
    ("named aggregation", r"\.agg\(\s*\w+=\(", _SAME),
    ("join a group's values into a sequence", r"\.agg\(\s*\"[^\"]*\"\.join\s*\)", _SAME),
    ("pivot table", r"\.pivot_table\(", _SAME),
    ("pivot long to wide", r"\.pivot\(", _SAME),
    ("stack a cross-table", r"\.stack\(", _SAME),
    ("stack tables", r"pd\.concat\(", _SAME),
    ("resample a time series", r"\.resample\(", _SAME),
    ("30-minute intervals", r"floor\(\s*\"30min\"\s*\)", _SAME),
    ("weeks, months, quarters", r"\.to_period\(", _SAME),
    ("start of a period", r"\.start_time\b", _SAME),
    ("day of the week", r"\.day_of_week\b", _SAME),
    ("every calendar day", r"pd\.date_range\(", _SAME),
    ("lengths of time", r"pd\.Timedelta\(|pd\.to_timedelta\(", r"pd\.Timedelta\("),
    ("seconds to a length of time", r"pd\.to_timedelta\(", _SAME),
    ("calendar steps", r"pd\.DateOffset\(", _SAME),
    ("seconds of a time difference", r"\.total_seconds\(", _SAME),
    ("time as text", r"\.strftime\(", _SAME),
    ("text columns", r"\.str\.", _SAME),
    ("select by label", r"\.loc\[", _SAME),
    ("select by position", r"\.iloc\[", _SAME),
    ("model fields as a dict", r"\.model_dump\(", _SAME),
    # SQL
    ("SQL CREATE TABLE", r"CREATE TABLE", _SAME),
    ("SQL primary key", r"PRIMARY KEY", _SAME),
    ("SQL foreign key", r"REFERENCES", _SAME),
    ("SQL CHECK constraint", r"CHECK \(", _SAME),
    ("SQL NOT NULL", r"NOT NULL", _SAME),
    ("SQL foreign keys enforced", r"PRAGMA foreign_keys", _SAME),
    ("SQL index", r"CREATE INDEX", _SAME),
    ("SQL view", r"CREATE VIEW", _SAME),
    ("SQL join", r"\bJOIN\b", _SAME),
    ("SQL sub-query", r"NOT IN \(\s*SELECT", _SAME),
    ("SQL named parameter", r"[\s(=<>]:[a-z_]\w*\b", _SAME),
    ("SQL query into a DataFrame with parameters", r"read_sql_query\(", r"read_sql_query\([^)]*params="),
    # YAML
    ("YAML list of mappings", r"^\s*- \w+: \S", _SAME),
    ("YAML read back", r"^\s*- \w+: \S|mis_spec|measurement\.", r"yaml\.safe_load\("),
    ("YAML flow mapping inside an f-string", r"\{\{\w+: ", _SAME),
    # Python
    ("list comprehension", r"\[[^\[\]\n]*\bfor\b[^\[\]\n]*\bin\b", _SAME),
    ("dict comprehension", r"\{[^{}\n]*:[^{}\n]*\bfor\b[^{}\n]*\bin\b", _SAME),
    ("first match with next()", r"\bnext\(", _SAME),
    ("f-string percentages", r":\.\d%\}", _SAME),
    ("functions", r"^def \w+\(", _SAME),
    ("lambda", r"\blambda\b", _SAME),
    ("drop repeats keeping the order", r"dict\.fromkeys\(", _SAME),
    ("independent copy to revise", r"copy\.deepcopy\(", _SAME),
    # the unit's instruments and charts
    ("stakeholder consultation", r"Consultation\(", _SAME),
    ("consult the panel", r"\.consult\(", _SAME),
    ("panel's conditions", r"\.conditions\b", r"\.conditions\b|\bconditions\b"),
    ("stakeholder interview", r"Interview\(", _SAME),
    ("ask a stakeholder", r"\.ask\(", _SAME),
    ("read back to a stakeholder", r"\.confirm\(", _SAME),
    ("interview transcript", r"\.log\(\)", _SAME),
    ("chart area", r"plt\.subplots\(", _SAME),
    ("target line on a chart", r"\.ax[hv]line\(", _SAME),
]

HELPER_MODULES = ("kpi", "staffing", "analysis", "maintenance", "contingency", "marketing_db", "measurement",
                  "mis_accuracy", "info", "workbook")  # as the notebooks import them (info: information_needs)
_HELPER = re.compile(r"(?<![\w.])(analysis\.(?:patterns|forecasting|control_charts)\.\w+|(?:%s)\.\w+)"
                     % "|".join(HELPER_MODULES))
_PANDAS_NAMES = (set(dir(pd.DataFrame)) | set(dir(pd.Series)) | set(dir(pd.Series.dt)) | set(dir(pd.Series.str))
                 | set(dir(DataFrameGroupBy)) | set(dir(SeriesGroupBy)) | set(dir(pd.Timestamp)) | set(dir(pd))
                 | set(dir(pd.Index)) | set(dir(str)) | set(dir(dict)) | set(dir(list)))


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _is_check(cell) -> bool:
    grading = cell.metadata.get("nbgrader", {})
    return bool(grading.get("grade")) and not grading.get("solution")


@cache
def task_code(unit: str, solutions_only: bool = False) -> str:
    """The code of the unit's element notebooks the learner writes or reads: reference solutions and given
    cells, never the check cells."""
    parts = []
    for path in sorted((ROOT / "notebooks" / unit).glob("0[1-9]*.ipynb")):
        for cell in _read(path).cells:
            if cell.cell_type != "code" or _is_check(cell):
                continue
            if solutions_only and not cell.metadata.get("nbgrader", {}).get("solution"):
                continue
            parts.append(cell.source)
    return "\n".join(parts)


@cache
def task_text(unit: str) -> str:
    """The task texts of the unit's element notebooks (markdown the learner reads, not rubrics or benchmarks):
    a helper, table or method a task tells the learner to use counts as used."""
    return "\n".join(cell.source for path in sorted((ROOT / "notebooks" / unit).glob("0[1-9]*.ipynb"))
                     for cell in _read(path).cells
                     if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("grade"))


@cache
def orientation(unit: str) -> tuple[str, str]:
    """(code, all text: code and markdown) of the unit's orientation notebook."""
    nb = _read(ROOT / "notebooks" / unit / "00_orientation.ipynb")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return code, "\n".join(c.source for c in nb.cells)


def technique_gaps(tasks: str, code: str) -> list[str]:
    """The named techniques the tasks' code uses that the orientation's code never works through."""
    return [name for name, used, taught in TECHNIQUES
            if re.search(used, tasks, re.M) and not re.search(taught or used, code, re.M)]


def method_gaps(tasks: str, text: str) -> list[str]:
    """The pandas / Python methods the tasks call that the orientation never shows as ``.name(``."""
    called = {m for m in re.findall(r"\.([a-z_]\w*)\(", tasks) if m in _PANDAS_NAMES}
    return sorted(m for m in called if not re.search(r"\.%s\(" % re.escape(m), text))


def helpers_used(unit: str) -> set[str]:
    return set(_HELPER.findall(task_code(unit) + "\n" + task_text(unit)))


def imports_used(unit: str) -> set[str]:
    code = task_code(unit, solutions_only=True)
    modules = set(re.findall(r"^\s*import ([\w.]+)", code, re.M)) | set(re.findall(r"^\s*from ([\w.]+) import", code, re.M))
    return {m for m in modules if m != "__future__"}


@pytest.mark.parametrize("unit", UNITS)
def test_every_named_technique_of_the_tasks_is_worked_in_the_orientation(unit):
    assert task_code(unit), f"{unit}: no element notebooks read"
    gaps = technique_gaps(task_code(unit), orientation(unit)[0])
    assert gaps == [], f"{unit}: the tasks use these techniques but 00_orientation.ipynb has no worked example: {gaps}"


@pytest.mark.parametrize("unit", UNITS)
def test_every_method_the_tasks_call_is_taught(unit):
    missing = method_gaps(task_code(unit) + "\n" + task_text(unit), orientation(unit)[1])
    assert missing == [], f"{unit}: tasks call these methods that the orientation never shows: {missing}"


@pytest.mark.parametrize("unit", UNITS)
def test_every_helper_import_table_and_case_study_field_the_tasks_use_is_in_the_orientation(unit):
    code, text = orientation(unit)
    tasks = task_code(unit) + "\n" + task_text(unit)
    missing_helpers = sorted(h for h in helpers_used(unit) if not re.search(r"(?<![\w])%s\b" % re.escape(h), text))
    missing_imports = sorted(m for m in imports_used(unit) if not re.search(
        r"^\s*(import %s\b|from %s import)" % (re.escape(m), re.escape(m)), code, re.M))
    tables = {t for t in re.findall(r"\bds\.(\w+)", tasks)}
    fields = {f for f in re.findall(r"\bcs\.(\w+)", tasks)}
    missing_tables = sorted(t for t in tables if not re.search(r"\bds\.%s\b" % t, text))
    missing_fields = sorted(f for f in fields if not re.search(r"\bcs\.%s\b" % f, text))
    assert (missing_helpers, missing_imports, missing_tables, missing_fields) == ([], [], [], []), (
        f"{unit}: used by tasks, absent from the orientation: helpers {missing_helpers}, imports {missing_imports}, "
        f"tables {missing_tables}, case-study fields {missing_fields}")


def test_a_new_technique_in_a_task_without_orientation_fails():
    """A task that starts using something the orientation does not teach is caught."""
    unit = UNITS[0]
    code, text = orientation(unit)
    new_task = task_code(unit) + (
        "\nweekly = ds.calls.set_index('arrived_at').resample('W').size().rolling(3).mean()\n"
        "SQL = \"SELECT * FROM a LEFT JOIN b ON a.k = b.k WHERE a.t < :cutoff\"\n")
    assert method_gaps(new_task, text) == ["rolling"]
    assert technique_gaps("DDL = 'CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; CREATE VIEW v AS SELECT 1'",
                          "") == ["SQL view"]
    assert technique_gaps("x = {{channel: SMS}}", "x = 1") == ["YAML flow mapping inside an f-string"]


@pytest.mark.parametrize("unit", UNITS)
def test_the_orientation_is_not_assessed(unit):
    nb = _read(ROOT / "notebooks" / unit / "00_orientation.ipynb")
    assert all("nbgrader" not in c.metadata for c in nb.cells)
    assert not any("BEGIN SOLUTION" in c.source or c.source.startswith("# Check") for c in nb.cells)
    sections = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("### ")]
    assert sections and all(re.match(r"### \d+\.\d+ · How to ", s) for s in sections), sections
    tries = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("**Try it**")]
    assert len(tries) == len(sections), "every 'How to' section ends with a Try it exercise"


@pytest.mark.parametrize("unit", UNITS)
def test_the_orientation_runs_top_to_bottom_on_the_practice_dataset(unit):
    from helpers.course.execute import SlicedNotebookClient

    path = ROOT / "notebooks" / unit / "00_orientation.ipynb"
    nb = _read(path)
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    started = time.perf_counter()
    SlicedNotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    print(f"{unit} orientation ran in {time.perf_counter() - started:.1f} s")
    errors = [(i, o.ename, o.evalue[:300]) for i, c in enumerate(nb.cells)
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == [], errors
    stderr = [(i, o.text[:300]) for i, c in enumerate(nb.cells)
              for o in c.get("outputs", []) if o.output_type == "stream" and o.name == "stderr"
              and not o.text.startswith("Making the practice dataset")]  # workbook.start's own progress note
    assert stderr == [], f"warnings a learner would see: {stderr}"
