"""BSBCUE602 element 3 (``03_analyse_mis``): the reference earns full marks from every trusted check on the
practice dataset; same-shape placeholders, wrong methods and conclusions the data does not support earn
nothing; the banners match the tags."""
from __future__ import annotations

import copy
import types
import warnings
from pathlib import Path

import nbformat
import pytest

from ccw_grader import LearnerData, all_checks
from placeholder_support import as_data as _as_data
from placeholder_support import run_reference
from placeholder_support import words as _lorem
from helpers.workbook import check_banners

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "BSBCUE602" / "03_analyse_mis.ipynb"
ORIENTATION = ROOT / "notebooks" / "BSBCUE602" / "00_orientation.ipynb"


def _graded(nb):
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return LearnerData(None, None, tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def ns(data):
    """The notebook's namespace after its code cells ran with their reference solutions (check cells skipped)."""
    data.ds  # the practice dataset, (re)made if stale, before the notebook loads it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_reference(NOTEBOOK)


def _run(data, ns, gid, **changes):
    check = all_checks()[("BSBCUE602", gid)]
    answers = _as_data(ns, check.answers)
    answers.update(changes)
    return check.run(data, **answers)


GRADE_IDS = ["patterns_profile_check", "patterns_trend_check", "forecast_check", "control_chart_check",
             "change_test_check", "claims_check"]


def test_notebook_structure(nb):
    assert _graded(nb) == GRADE_IDS
    assert check_banners(nb) == []
    assert nb.cells[0].source.startswith("# BSBCUE602 · Element 3: Analyse MIS resulting from customer contact")
    setup = nb.cells[1]
    assert setup.metadata["nbgrader"]["grade_id"] == "03_analyse_mis_setup" and setup.metadata["nbgrader"]["locked"]
    criteria = {c for cell in nb.cells for c in cell.metadata.get("competency", {}).get("criteria", [])}
    assert criteria == {"3.1", "3.2", "3.3"}
    evidence = {e for cell in nb.cells for e in cell.metadata.get("competency", {}).get("evidence", [])}
    assert {"PE5", "PE7", "AC3", "FS-NU1", "FS-NU2", "FS-GW2", "FS-RD1"} <= evidence
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade"):
            assert cell.metadata["rubric"] and cell.metadata["benchmark"]
            assert cell.metadata["nbgrader"]["points"] == len(cell.metadata["rubric"])


def test_orientation_is_not_assessed():
    nb = nbformat.read(ORIENTATION, as_version=4)
    assert not any(c.metadata.get("nbgrader", {}).get("grade") or c.metadata.get("competency") for c in nb.cells)
    text = "\n".join(c.source for c in nb.cells)
    for table in ("journeys", "mis_events", "measurement_points", "traffic_history"):
        assert table in text


@pytest.mark.parametrize("gid", GRADE_IDS)
def test_reference_earns_full_marks(data, ns, gid):
    fs = _run(data, ns, gid)
    assert fs.all_passed, fs.failed()


def test_placeholder_explanations_earn_nothing(data, ns):
    chart = copy.deepcopy(ns["control_chart"])
    for entry in chart["causes"].values():
        entry["explanation"] = _lorem(entry["explanation"])
    assert chart["causes"], "the practice data has days above the upper limit"
    assert not _run(data, ns, "control_chart_check", control_chart=chart).all_passed


def test_wrong_chart_for_a_proportion_fails(data, ns):
    for wrong in ("xbar", "individuals", "c"):
        chart = dict(ns["control_chart"], chart=wrong)
        fs = _run(data, ns, "control_chart_check", control_chart=chart)
        assert not fs.all_passed
        assert any(f.item == "chart" and not f.passed for f in fs)


def test_wrong_causes_fail(data, ns):
    chart = copy.deepcopy(ns["control_chart"])
    incident_days = [d for d, e in chart["causes"].items() if str(e["cause"]).startswith("INC-")]
    assert incident_days, "an incident day is above the limit in the practice data"
    chart["causes"][incident_days[0]] = {"cause": "common_cause", "explanation": "random variation between days "
                                         "made more callers abandon in the queue"}
    assert not _run(data, ns, "control_chart_check", control_chart=chart).all_passed
    chart = copy.deepcopy(ns["control_chart"])
    chart["days_above_ucl"] = chart["days_above_ucl"][:-1]
    assert not _run(data, ns, "control_chart_check", control_chart=chart).all_passed


def test_wrong_test_metric_fails(data, ns):
    from helpers import analysis
    from ccw_grader.bsbcue602_analysis import campaign
    ds = data.ds
    c = campaign(ds)
    sales = ds.calls[ds.calls["queue"] == c.queue]
    import pandas as pd
    t = sales["arrived_at"]
    start = pd.Timestamp(c.start)
    wrong = analysis.compare_before_after(sales[t < start], sales[t >= start], metric="aht_s")
    rec = types.SimpleNamespace(**wrong.__dict__)
    assert not _run(data, ns, "change_test_check", change_test=rec).all_passed
    # the right metric over the wrong days (the whole rest of the period) fails on the numbers
    loose = analysis.compare_before_after(sales[t < start], sales[t >= start], metric="abandonment_rate")
    assert not _run(data, ns, "change_test_check", change_test=types.SimpleNamespace(**loose.__dict__)).all_passed


def test_unsupported_claims_fail(data, ns):
    claims = copy.deepcopy(ns["claims"])
    # flip one conclusion consistently (direction, significance and interval agree with each other) but not
    # with the data: call the trend's interval shifted so it excludes or includes zero
    for c in claims:
        if c["question"] == "monday_service_level":
            c["size"], c["interval"] = -c["size"], [-c["interval"][1], -c["interval"][0]]
            c["direction"] = "increase" if c["size"] > 0 else "decrease"
    assert not _run(data, ns, "claims_check", claims=claims).all_passed
    # a non-significant change called significant fails already in the formative check
    claims = copy.deepcopy(ns["claims"])
    for c in claims:
        c["significant"], c["direction"] = True, "increase"
        c["interval"] = [min(c["interval"][0], -0.01), max(c["interval"][1], 0.01)]
    fs = _run(data, ns, "claims_check", claims=claims)
    assert not fs.all_passed


def test_forecast_choice_must_follow_the_holdout(data, ns):
    errors = ns["forecast_errors"]
    worst = errors["mape"].idxmax()
    choice = {"method": worst, "mape": float(errors.loc[worst, "mape"]), "beats_seasonal_naive": True}
    assert not _run(data, ns, "forecast_check", forecast_choice=choice).all_passed
    shifted = errors.copy()
    shifted["mape"] = shifted["mape"] * 1.1
    assert not _run(data, ns, "forecast_check", forecast_errors=shifted).all_passed


def test_forecast_series_has_missing_days_never_zeros(data):
    """Closed holidays and outage days are missing (NaN), Sundays (closed every week) are not in the series,
    and no day enters as a zero."""
    import pandas as pd
    from helpers.maintenance import observed_public_holidays
    from helpers.tasks.bsbcue602.analysis import DEMAND_LOST_SYSTEMS
    from ccw_grader.bsbcue602_analysis import forecast_series
    ds = data.ds
    s = forecast_series(ds)
    assert not (s.index.day_of_week == 6).any() and (s.dropna() > 0).all()
    holidays = {pd.Timestamp(d) for y in {s.index[0].year, s.index[-1].year} for d in observed_public_holidays(y)}
    inc = ds.incidents[ds.incidents["system"].isin(DEMAND_LOST_SYSTEMS)]
    lost = {pd.Timestamp(d).normalize() for d in inc["start"]}
    assert lost, "the practice data has an outage that lost calls"
    expected = {d for d in holidays | lost if s.index[0] <= d <= s.index[-1] and d.day_of_week != 6}
    assert set(s.index[s.isna()]) == expected
    assert any(d < pd.Timestamp(ds.case_study.period.start) for d in expected)  # holidays in the history


def test_forecast_choice_is_the_computed_winner(data, ns):
    from ccw_grader.bsbcue602_analysis import expected_forecast
    expected = expected_forecast(data.ds)
    best = expected["mape"].idxmin()
    assert ns["forecast_choice"]["method"] == best
    assert ns["forecast_choice"]["beats_seasonal_naive"] == (best != "seasonal_naive")


def test_holidays_as_zeros_earn_nothing(data, ns):
    """The old series (every calendar day, closed days and holidays as 0) is not the task's comparison."""
    import pandas as pd
    from helpers import analysis
    from ccw_grader.bsbcue602_analysis import forecast_series
    s = forecast_series(data.ds)
    days = pd.date_range(s.index[0], s.index[-1], freq="D")
    zeros = s.reindex(days).fillna(0.0)
    errors = analysis.forecasting.holdout_evaluation(zeros, horizon=int((days >= pd.Timestamp(
        data.ds.case_study.period.start)).sum()), season=7)
    best = errors["mape"].idxmin()
    choice = {"method": best, "mape": float(errors.loc[best, "mape"]), "beats_seasonal_naive": best != "seasonal_naive"}
    assert not _run(data, ns, "forecast_check", forecast_errors=errors, forecast_choice=choice).all_passed


@pytest.mark.parametrize("winner", ["seasonal_naive", "holt_winters"])
def test_forecast_check_follows_the_holdout_either_way(data, ns, monkeypatch, winner):
    """An honest "no method beats seasonal naive" passes where the hold-out says so, and a method that is not the
    hold-out's best fails, whichever method wins on a learner's data."""
    import ccw_grader.bsbcue602_analysis as grader
    table = ns["forecast_errors"].copy()
    table["mape"] = table["mape"].astype(float)
    other = "holt_winters" if winner == "seasonal_naive" else "seasonal_naive"
    table.loc[winner, "mape"], table.loc[other, "mape"] = 10.0, 12.0
    monkeypatch.setattr(grader, "expected_forecast", lambda ds: table)
    honest = {"method": winner, "mape": 10.0, "beats_seasonal_naive": winner != "seasonal_naive"}
    assert _run(data, ns, "forecast_check", forecast_errors=table, forecast_choice=honest).all_passed
    for method in (other, "moving_average"):
        wrong = {"method": method, "mape": float(table.loc[method, "mape"]),
                 "beats_seasonal_naive": method != "seasonal_naive"}
        assert not _run(data, ns, "forecast_check", forecast_errors=table, forecast_choice=wrong).all_passed
    overclaim = dict(honest, beats_seasonal_naive=not honest["beats_seasonal_naive"])
    assert not _run(data, ns, "forecast_check", forecast_errors=table, forecast_choice=overclaim).all_passed


def test_placeholder_claim_metrics_earn_nothing(data, ns):
    claims = copy.deepcopy(ns["claims"])
    for c in claims:
        c["metric"] = _lorem(c["metric"])
    assert not _run(data, ns, "claims_check", claims=claims).all_passed


def test_numpy_booleans_are_accepted_formatively(ns):
    import numpy as np
    from helpers.tasks.bsbcue602 import analysis as checks
    claims = copy.deepcopy(ns["claims"])
    for c in claims:
        c["significant"] = np.bool_(c["significant"])
    assert checks.claims(claims).all_passed
    choice = dict(ns["forecast_choice"], beats_seasonal_naive=np.bool_(ns["forecast_choice"]["beats_seasonal_naive"]))
    assert checks.forecast(ns["forecast_errors"], choice).all_passed


@pytest.mark.parametrize("seed,learner", [(7, "learner-a"), (8, "learner-b")])
def test_reference_earns_full_marks_on_other_learners_data(nb, seed, learner, tmp_path, monkeypatch):
    """The reference solution is right for any learner's variant, not only the practice data."""
    import matplotlib
    matplotlib.use("Agg")
    from helpers import workbook
    from helpers.generator.core import generate
    ds = generate(seed=seed, learner=learner)
    monkeypatch.setattr(workbook, "start", lambda *a, **k: ds)
    space = {"display": lambda *a, **k: None, "__name__": "__ccw_reference__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not meta.get("grade"):
                exec(compile(cell.source, "03_analyse_mis", "exec"), space)  # noqa: S102
    data = LearnerData(None, learner, tmp_path)
    data.__dict__["ds"] = ds  # the learner's dataset in memory (LearnerData.ds is a cached property)
    for gid in GRADE_IDS:
        fs = _run(data, space, gid)
        assert fs.all_passed, (gid, fs.failed())
