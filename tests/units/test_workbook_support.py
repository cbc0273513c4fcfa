"""Workbook support: task banners tied to tags, readable learner errors, and the two explorers."""
from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import staffing, workbook
from notebook_factory import graded_cell

matplotlib.use("agg")


def test_banner_text():
    assert workbook.banner(["2.5"], ["PE2", "KE2"]) == "Assesses PC 2.5 · PE2 · KE2"
    assert workbook.banner(["1.1", "1.2"], []) == "Assesses PC 1.1, 1.2"
    assert workbook.banner([], ["AC1", "AC7"]) == "Assesses AC1 · AC7"


def test_check_banners_finds_drift_between_task_text_and_tag():
    tag = {"unit": "BSBCUE605", "criteria": ["2.5"], "evidence": ["PE2"]}
    good = new_notebook(cells=[new_markdown_cell("Do it.\n\n*Assesses PC 2.5 · PE2*"), graded_cell("t", tag)])
    assert workbook.check_banners(good) == []
    drifted = new_notebook(cells=[new_markdown_cell("Do it.\n\n*Assesses PC 2.4 · PE2*"), graded_cell("t", tag)])
    problems = workbook.check_banners(drifted)
    assert len(problems) == 1 and "'Assesses PC 2.5 · PE2'" in problems[0] and "(t)" in problems[0]
    orphan = new_notebook(cells=[graded_cell("t", tag)])
    assert workbook.check_banners(orphan)


def _raise(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - we want the live exception with its traceback
        return exc
    raise AssertionError("expected an exception")


def test_explain_column_typo_names_the_task_and_suggests_the_column():
    calls = pd.DataFrame({"queue": ["sales"], "wait_s": [3.0]})
    workbook.task("1.4")
    try:
        msg = workbook.explain(_raise(lambda: calls["queu"]))
    finally:
        workbook._current_task.clear()
    assert msg.startswith("Task 1.4: there is no column 'queu'. Did you mean 'queue'?")
    assert "wait_s" in msg


def test_explain_other_learner_errors_and_leaves_unknown_ones_alone():
    assert "is not defined yet" in workbook.explain(_raise(lambda: undefined_answer))  # noqa: F821
    assert "still empty (None)" in workbook.explain(_raise(lambda: None + 1))
    assert workbook.explain(_raise(lambda: staffing.erlang_c(-1, 3))) is not None  # our ValueError, shown short
    assert workbook.explain(_raise(lambda: 1 / 0)) is None  # not ours to explain: full traceback


def test_answered_is_false_for_empty_answers(capsys):
    assert not workbook.answered("framework", None)
    assert "`framework` is still empty" in capsys.readouterr().out  # stdout while working; stderr under Validate
    assert not workbook.answered("log", [])
    assert workbook.answered("x", 0) and workbook.answered("y", {"a": 1})


def _calls(n=600, seed=1):
    rng = np.random.default_rng(seed)
    arrived = pd.Timestamp("2026-03-02 08:00") + pd.to_timedelta(rng.uniform(0, 14 * 86400, n), unit="s")
    abandoned = rng.random(n) < 0.08
    queue = rng.choice(["sales", "billing", "collections"], n)
    wait = np.where(queue == "collections", rng.exponential(60, n), rng.exponential(12, n))
    talk = np.where(abandoned, 0.0, rng.lognormal(5.3, 0.5, n))
    return pd.DataFrame({
        "queue": queue, "arrived_at": arrived, "wait_s": wait, "abandoned": abandoned,
        "outcome": np.where(abandoned, "abandoned", "resolved"), "talk_s": talk,
        "hold_s": np.where(abandoned, 0.0, 10.0), "wrap_s": np.where(abandoned, 0.0, 30.0),
    })


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    matplotlib.pyplot.close(fig)
    return buf.getvalue()


def test_kpi_dashboard_plot_and_summary_follow_the_chosen_queue():
    from helpers.widgets import KPIDashboard
    calls = _calls()
    dash = KPIDashboard(calls, targets={"service_level": {"target": 0.8}})
    all_png, all_summary = _png(dash.figure()), dash.summary()
    assert all_summary.loc["calls offered", "value"] == len(calls)
    dash.queue.value = "collections"
    coll = calls[calls["queue"] == "collections"]
    assert dash.summary().loc["calls offered", "value"] == len(coll)
    assert _png(dash.figure()) != all_png
    week = dash.week.options[1]
    dash.week.value = week
    assert dash.summary().loc["calls offered", "value"] < len(coll)


def test_staffing_explorer_reports_erlang_c_for_the_sliders():
    from helpers.widgets import StaffingExplorer
    ex = StaffingExplorer(traffic_erlangs=10, aht_s=180, target_s=20, agents=14)
    v = ex.values()
    assert v["service_level"] == pytest.approx(float(staffing.service_level(10, 14, 180, 20)))
    assert round(v["service_level"], 3) == 0.888 and round(v["asa_s"], 1) == 7.8
    assert "14 agents" in ex.result.value
    ex.agents.value = 13
    assert round(ex.values()["service_level"], 3) == 0.796
    assert _png(ex.figure())[:4] == b"\x89PNG"


def test_kpi_dashboard_summary_is_formatted_for_people():
    from helpers.widgets import KPIDashboard
    calls = _calls()
    text = KPIDashboard(calls).summary_text()
    assert text["calls offered"] == f"{len(calls):,}"
    assert text["service level (20 s)"].endswith("%") and text["ASA (s)"].endswith(" s")


def test_task_is_read_from_the_cells_first_line():
    assert workbook.task_of("# Task 2.5 · type your answer below, replacing None\nplan = None") == "2.5"
    assert workbook.task_of("# Check · Task 4.2 (formative feedback)\nx") == "4.2"
    assert workbook.task_of("x = 1\n# Task 1.1") is None
    calls = pd.DataFrame({"queue": ["sales"]})
    assert workbook.explain(_raise(lambda: calls["queu"]), task="3.4").startswith("Task 3.4: there is no column")


def test_in_a_kernel_a_learner_error_is_a_short_error_output_naming_the_task():
    """Still an ``error`` output (so an autograded cell earns nothing), but one readable line."""
    from helpers.course.execute import SlicedNotebookClient
    nb = new_notebook(cells=[
        new_code_cell("import pandas as pd\nfrom helpers import workbook\nworkbook.install_friendly_errors()\n"
                      "calls = pd.DataFrame({'queue': ['sales'], 'wait_s': [3.0]})"),
        new_code_cell("# Task 1.4 · type your answer below, replacing None\nshare = calls['queu'].value_counts()"),
        new_code_cell("1 / 0"),
    ])
    SlicedNotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    (err,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert err.ename == "KeyError"
    assert len(err.traceback) == 1
    assert "Task 1.4: there is no column 'queu'. Did you mean 'queue'?" in err.traceback[0]
    (other,) = [o for o in nb.cells[2].outputs if o.output_type == "error"]
    assert other.ename == "ZeroDivisionError" and len(other.traceback) > 1  # not ours: the full traceback


def test_the_setup_cell_imports_nothing_it_does_not_need():
    """Issue 16: a workbook's setup cell costs pandas plus little. Its imports must not pull in scipy, Faker,
    the data generator or the queue simulation (seconds on a loaded machine), only used by some tasks."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from helpers import workbook, kpi, staffing, analysis, grading, data\n"
            "from helpers.tasks.bsbcue602 import records, collection, analysis, presentation\n"
            "heavy = ('scipy', 'faker', 'helpers.generator.core', 'helpers.simulation', 'matplotlib.pyplot')\n"
            "print(','.join(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"the setup imports load {out}"


def test_the_setup_cell_on_the_practice_data_loads_no_charting_or_generator(tmp_path):
    """Issue 16: the whole setup cell of a BSBCUE605 notebook, ``workbook.start`` included, on an up-to-date
    practice dataset: no matplotlib (charts are styled when first imported), no generator (only when the
    practice data has to be made), no curriculum (read when a check first needs the range statement)."""
    import subprocess
    import sys

    from helpers.data import ensure_practice_dataset

    ensure_practice_dataset(quiet=True)  # made or refreshed here, so the cell below only reads it
    code = ("import sys\n"
            "from helpers import workbook, kpi, staffing, analysis, grading\n"
            "from helpers.tasks import bsbcue605 as checks\n"
            "ds = workbook.start('BSBCUE605', quiet=True)\n"
            "heavy = ('matplotlib', 'helpers.generator.core', 'helpers.curriculum', 'scipy', 'faker')\n"
            "print(','.join(m for m in heavy if m in sys.modules))\n"
            "import matplotlib\n"
            "print(matplotlib.rcParams['figure.dpi'], list(matplotlib.rcParams['figure.figsize']))\n"
            "print(len(checks.RETENTION_STRATEGIES) > 0)")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("CCW_DATASET", "CCW_LEARNER")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                         cwd=tmp_path).stdout.splitlines()
    assert out[0] == "", f"the setup cell loads {out[0]}"
    assert out[1] == "90.0 [8.0, 3.5]"  # workbook.CHART_STYLE, applied when matplotlib arrived
    assert out[2] == "True"
