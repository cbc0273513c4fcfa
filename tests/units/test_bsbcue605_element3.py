"""BSBCUE605 element 3 (PCs 3.1, 3.2, 3.3, 3.5): the trusted checks judge content, on several learners' data.

* 3.1: an after-sales plan's reasons must cite the segment's offer acceptance and agree with the data (the
  validator's plan calling the best-accepting segment "accepts the fewest offers" fails; a sound plan in other
  words passes).
* 3.1 (re-review R4): comparisons ("higher than the other segments", "more than average") are checked too,
  and the plan reaches two segments with a reason per strategy (NEW5b/NEW5c fail).
* 3.3: the retention process must deliver the learner's own 3.1/3.2 strategies (a generic four steps fails);
  each step is a sentence with an action and its KPI measures that step (NEW6's word salad fails).
* 3.5: the evaluated change is the Winter Saver launch on the queue retention calls wait in, weeks chosen so no
  other campaign starts or ends between them, incident days left out; the interval is checked.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from unittest import mock

import nbformat
import pandas as pd
import pytest
from ccw_grader import LearnerData, all_checks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "BSBCUE605" / "03_service_and_retention.ipynb"
LEARNERS = [(None, None), (7, "learner-a"), (8, "learner-b"), (9, "learner-c")]
ANSWER_CELLS = ("03_service_and_retention_setup", "offer_response_answer", "churn_answer", "process_answer",
                "adjust_answer")


def _reference(ds) -> dict:
    """Element 3's reference answers on ``ds`` (the notebook's setup and answer cells run in-process)."""
    from helpers import workbook
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    ns = {"display": lambda *a, **k: None, "__name__": "__ccw_reference__"}
    with mock.patch.object(workbook, "start", lambda *a, **k: ds), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for gid in ANSWER_CELLS:
            exec(compile(cells[gid], gid, "exec"), ns)  # noqa: S102
    return ns


@pytest.fixture(scope="module", params=LEARNERS, ids=lambda p: p[1] or "practice")
def learner(request, tmp_path_factory):
    from helpers.generator.core import generate
    seed, name = request.param
    data = LearnerData(None, name, tmp_path_factory.mktemp("course"))
    if name:
        data.__dict__["ds"] = generate(seed=seed, learner=name)
    return data, _reference(data.ds)


def _run(grade_id, data, ns, **override):
    check = all_checks()[("BSBCUE605", grade_id)]
    answers = {a: ns[a] for a in check.answers}
    answers.update(override)
    return check.run(data, **answers)


@pytest.mark.parametrize("grade_id", ["offer_response_check", "churn_check", "process_check", "adjust_check"])
def test_the_reference_earns_full_marks_on_each_learners_data(learner, grade_id):
    data, ns = learner
    fs = _run(grade_id, data, ns)
    assert fs.all_passed, [str(f) for f in fs.failed()]


# ------------------------------------------------------------------------------------------------ 3.1
def test_false_reasons_for_the_best_accepting_segment_fail(learner):
    """The validator's input: the correct table, and a plan giving the best-accepting segment false reasons."""
    data, ns = learner
    table = ns["offer_response"]
    best = table.mean(axis=1).idxmax()
    plan = [{"strategy": s, "segment": best, "reason": r} for s, r in zip(
        ["courtesy follow-up calls", "customer satisfaction surveying", "offers of value added services or products"],
        [f"{best} accepts the fewest offers", f"{best} has the highest churn", f"{best} makes the most complaints"])]
    fs = _run("offer_response_check", data, ns, after_sales_plan=plan)
    assert not fs.all_passed
    assert any("contradict" in f.message or "acceptance" in f.message for f in fs.failed())


def test_a_wrong_percentage_fails_and_a_sound_plan_in_other_words_passes(learner):
    data, ns = learner
    table = ns["offer_response"]
    average = table.mean(axis=1)
    low, high = average.idxmin(), average.idxmax()
    kind = table.columns[0]
    top_in_kind = table[kind].astype(float).idxmax()
    sound = [
        {"strategy": "follow-up to ensure customer satisfaction and loyalty post sales experience", "segment": low,
         "reason": f"Only {average[low] * 100:.1f}% of offers to {low} are taken up, the lowest of our segments"},
        {"strategy": "customer satisfaction surveying", "segment": top_in_kind,
         "reason": f"{top_in_kind} takes up {table.loc[top_in_kind, kind] * 100:.1f} per cent of {kind} offers, "
                   f"the best of any segment"},
        {"strategy": "offers of value added services or products", "segment": high,
         "reason": f"{high} shows the strongest acceptance across campaign kinds"},
    ]
    assert _run("offer_response_check", data, ns, after_sales_plan=sound).all_passed
    churn = ns["churn_by_segment"]
    relative = [dict(sound[0], reason=f"{low} takes up {average[low] * 100:.1f}% of offers, 20% below the centre's "
                                      f"average, with churn of {churn[low] * 100:.1f}% in the period")] + sound[1:]
    assert _run("offer_response_check", data, ns, after_sales_plan=relative).all_passed
    wrong = [dict(sound[0], reason=f"Only {average[low] * 100 + 7:.1f}% of offers to {low} are taken up")] + sound[1:]
    assert not _run("offer_response_check", data, ns, after_sales_plan=wrong).all_passed


STRATEGIES = ["courtesy follow-up calls", "customer satisfaction surveying",
              "offers of value added services or products"]


@pytest.mark.parametrize("claim", ["{seg} shows offer acceptance higher than the other segments",  # NEW5b
                                   "{seg} accepts more offers than average"])                      # NEW5c
def test_a_false_comparison_for_the_lowest_accepting_segment_fails(learner, claim):
    """The validator's NEW5b/NEW5c: the lowest-accepting segment said to accept more than the others / the
    average, for all three strategies (one segment, one reason)."""
    data, ns = learner
    low = ns["offer_response"].mean(axis=1).idxmin()
    plan = [{"strategy": s, "segment": low, "reason": claim.format(seg=low)} for s in STRATEGIES]
    failed = " ".join(f.message for f in _run("offer_response_check", data, ns, after_sales_plan=plan).failed())
    assert "contradict" in failed and "own reason" in failed
    # one false comparison alone is enough: the two other strategies are sound and for other segments
    sound = ns["after_sales_plan"]
    one = [dict(sound[0], reason=claim.format(seg=sound[0]["segment"]))] + sound[1:]
    assert sound[0]["segment"] == low
    assert not _run("offer_response_check", data, ns, after_sales_plan=one).all_passed


def test_true_comparisons_in_other_words_pass_and_a_copied_reason_fails(learner):
    data, ns = learner
    table = ns["offer_response"]
    average = table.mean(axis=1)
    low, high = average.idxmin(), average.idxmax()
    middle = next((s for s in average.sort_values().index if s not in (low, high)), high)
    sound = [
        {"strategy": STRATEGIES[0], "segment": low,
         "reason": f"{low} takes up fewer offers than the other segments, so we follow up to build trust first"},
        {"strategy": STRATEGIES[1], "segment": middle,
         "reason": f"Offer acceptance for {middle} is below {high}'s; a survey finds out what holds it back"},
        {"strategy": STRATEGIES[2], "segment": high,
         "reason": f"{high} accepts more offers than average, so value-added products will be welcome"},
    ]
    assert _run("offer_response_check", data, ns, after_sales_plan=sound).all_passed
    template = [dict(r, reason=f"{r['segment']} responds to offers like the rest of the segments do, on 5 counts")
                for r in sound]
    failed = " ".join(f.message for f in _run("offer_response_check", data, ns, after_sales_plan=template).failed())
    assert "own reason" in failed


def test_a_comparison_across_campaign_kinds_is_checked_within_the_segment(learner):
    """"Responds better to X offers than to Y offers" compares the segment's own rates (not the segments)."""
    data, ns = learner
    table, sound = ns["offer_response"], ns["after_sales_plan"]
    seg = sound[1]["segment"]
    best, worst = table.loc[seg].astype(float).idxmax(), table.loc[seg].astype(float).idxmin()
    true = f"{seg} responds better to {best} offers than to {worst} offers, so a survey asks what worked"
    assert _run("offer_response_check", data, ns, after_sales_plan=[sound[0], dict(sound[1], reason=true),
                                                                    sound[2]]).all_passed
    false = f"{seg} responds better to {worst} offers than to any other kind"
    assert not _run("offer_response_check", data, ns, after_sales_plan=[sound[0], dict(sound[1], reason=false),
                                                                        sound[2]]).all_passed


def test_the_formative_check_looks_at_the_offer_response_table(learner):
    from helpers.tasks import bsbcue605 as checks
    data, ns = learner
    assert checks.offer_response(ns["offer_response"], data.ds).all_passed
    assert not checks.offer_response(ns["offer_response"] * 100, data.ds).all_passed  # percentages, not fractions
    assert not checks.offer_response(ns["offer_response"].iloc[:, :1], data.ds).all_passed  # a kind missing


# ------------------------------------------------------------------------------------------------ 3.3
def test_a_generic_process_fails(learner):
    """The validator's input: three 'do step' steps and 'Review it', all at month end, KPI csat, one owner."""
    data, ns = learner
    owner = data.cs.stakeholders[0].name
    generic = [{"step": s, "owner": owner, "trigger": "Month end", "kpi": "csat", "frequency": "monthly"}
               for s in ("Do step one", "Do step two", "Do step three", "Review it")]
    assert not _run("process_check", data, ns, retention_process=generic).all_passed


def test_word_salad_steps_fail(learner):
    """The validator's NEW6: each step only the segment's first word and two words of its offer, generic
    triggers, one owner, csat everywhere (the last step 'courtesy follow-up calls review')."""
    import re
    data, ns = learner
    owner = data.cs.stakeholders[0].name

    def two(r):
        words = [w for w in re.findall(r"[a-z]{4,}", r["offer"].lower())
                 if w not in ("with", "when", "that", "each", "customer", "offered")]
        return r["segment"].split()[0] + " " + " ".join(words[:2])
    salad = [{"step": two(r), "owner": owner, "trigger": t, "kpi": "csat", "frequency": "monthly"}
             for r, t in zip(ns["retention_strategies"], ["month end", "complaint received", "offer declined"])]
    salad.append({"step": "courtesy follow-up calls review", "owner": owner, "trigger": "survey score low",
                  "kpi": "csat", "frequency": "monthly"})
    failed = " ".join(f.message for f in _run("process_check", data, ns, retention_process=salad).failed())
    assert "what is done for whom" in failed and "measures what the step does" in failed


def test_a_kpi_that_does_not_fit_its_step_fails(learner):
    data, ns = learner
    process = ns["retention_process"]
    misfit = [dict(process[0], kpi="csat")] + process[1:]  # csat for a rate-lock offer to a customer leaving
    failed = " ".join(f.message for f in _run("process_check", data, ns, retention_process=misfit).failed())
    assert "measures what the step does" in failed
    refit = [dict(process[0], kpi="conversion_rate")] + process[1:]  # offers accepted: a fair measure of it too
    assert _run("process_check", data, ns, retention_process=refit).all_passed


def test_a_process_that_skips_a_retention_strategy_fails_and_one_in_other_words_passes(learner):
    data, ns = learner
    process = ns["retention_process"]
    missing = process[1:]  # the highest-churn segment's rate lock has no step
    assert not _run("process_check", data, ns, retention_process=missing).all_passed
    reworded = [dict(s, step=s["step"].replace("Offer", "On the call, give").replace("Assign", "Appoint"))
                for s in process]
    assert _run("process_check", data, ns, retention_process=reworded).all_passed


# ------------------------------------------------------------------------------------------------ 3.5
def test_the_weeks_compared_hold_no_other_campaign_change(learner):
    """Between the week before the change and its first week, no other campaign starts or ends (every learner
    has the same campaigns; outages differ and their days are left out)."""
    from ccw_grader.bsbcue605 import expected_retention_change
    data, _ = learner
    start, result = expected_retention_change(data.ds)
    lo, hi = start - pd.Timedelta(days=7), start + pd.Timedelta(days=7)
    for c in data.cs.campaigns:
        for edge in (pd.Timestamp(c.start), pd.Timestamp(c.end) + pd.Timedelta(days=1)):
            assert not (lo < edge < hi) or (c.inbound_uplift > 1 and edge == start), (c.id, edge)
    assert result.n_before >= 50 and result.n_after >= 50


def test_a_wrong_interval_or_the_old_mid_period_csat_fails(learner):
    from helpers import analysis
    data, ns = learner
    right = ns["retention_change"]
    wrong = right._replace(ci_low=-0.5, ci_high=0.4) if hasattr(right, "_replace") else None
    if wrong is None:
        import dataclasses
        wrong = dataclasses.replace(right, ci_low=-0.5, ci_high=0.4)
    assert not _run("adjust_check", data, ns, retention_change=wrong).all_passed
    surveys = data.ds.surveys
    cut = pd.Timestamp(data.cs.period.start) + pd.Timedelta(days=data.cs.period.days // 2)
    old = analysis.compare_before_after(surveys[surveys["sent_at"] < cut], surveys[surveys["sent_at"] >= cut],
                                        metric="csat")
    assert not _run("adjust_check", data, ns, retention_change=old).all_passed
    assert not _run("adjust_check", data, ns, change_date=cut).all_passed
