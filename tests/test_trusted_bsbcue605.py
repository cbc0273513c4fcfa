"""The trusted checks of BSBCUE605 run in-process on the practice dataset (no kernel): a learner who misses
every compliance breach is Not Yet Satisfactory on 2.4, whatever else they found."""
from __future__ import annotations

from pathlib import Path

import pytest

from ccw_grader import LearnerData, all_checks

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return LearnerData(None, None, tmp_path_factory.mktemp("course"))


def _by_kind(truth):
    return {k: sorted(g["record_id"].astype(str)) for k, g in truth.groupby("kind")}


def test_all_defects_reported_passes_and_missing_every_compliance_breach_fails(data):
    check = all_checks()[("BSBCUE605", "defects_check")]
    truth = data.defects()
    everything = _by_kind(truth)
    assert check.run(data, reported_defects=everything).all_passed
    compliance = {"offer_to_dncr", "offer_to_opted_out", "offer_outside_hours", "unsubscribe_late"}
    assert compliance & set(everything), "the practice data holds compliance breaches"
    no_breaches = {k: v for k, v in everything.items() if k not in compliance}
    fs = check.run(data, reported_defects=no_breaches)
    assert not fs.all_passed
    assert any(f.item == "compliance" and not f.passed for f in fs)


def _status(data):
    from ccw_grader.bsbcue605 import expected_kpis
    from helpers import kpi
    kpis = expected_kpis(data)
    table = kpi.kpi_table(kpis, {k: v.model_dump() for k, v in data.cs.targets.items() if k in kpis})
    return dict(zip(table["kpi"], table["status"]))


def test_headline_in_other_words_passes_and_the_wrong_direction_fails(data):
    from helpers.tasks import bsbcue605 as checks
    status = _status(data)
    word = {"met": "above", "missed": "below"}
    other = {"met": "below", "missed": "above"}
    sound = (f"Service level finished {word[status['service_level']]} its target; "
             f"customer satisfaction finished {word[status['csat']]} target.")
    assert checks.headline(sound, status).all_passed, sound
    wrong = (f"Service level finished {other[status['service_level']]} its target; "
             f"customer satisfaction finished {other[status['csat']]} target.")
    assert not checks.headline(wrong, status).all_passed
    assert not checks.headline("A strong period for the centre with good results overall.", status).all_passed


def test_every_kpi_for_every_stakeholder_fails_report_criteria(data):
    from helpers.tasks import bsbcue605 as checks
    cs = data.cs
    assert not checks.report_criteria({s.name: list(checks.KPI_NAMES) for s in cs.stakeholders}, cs).all_passed


OTHER_WORDS_PROCEDURES = [  # independently written sound procedures (owners filled in from the case study)
    dict(task="De-duplicate the customer master", frequency="daily",
         rule="fuzzy match of surname and DOB within the same suburb", records_affected="client records"),
    dict(task="Check contact details", frequency="on receipt",
         rule="mobile must be 04 plus 8 digits; e-mail must contain @ and a domain", records_affected="customer table"),
    dict(task="Verify addresses", frequency="weekly",
         rule="postcode within the state's Australia Post range", records_affected="customers"),
    dict(task="Audit call detail records", frequency="daily",
         rule="no negative talk or wrap seconds; answered after it arrived", records_affected="calls"),
    dict(task="DNCR wash of the outbound list", frequency="every 2 weeks",
         rule="remove Register-listed numbers without express consent", records_affected="offers",
         legal_basis="Do Not Call Register Act 2006"),
    dict(task="Process opt-outs", frequency="same day",
         rule="suppress the channel on the day the request is received", records_affected="customers and offers",
         legal_basis="Spam Act 2003 s18"),
    dict(task="Dialler calling window", frequency="before every campaign",
         rule="only 9am-8pm weekdays, 9am-5pm Saturday, customer's local time zone", records_affected="offers",
         legal_basis="Telemarketing and Research Calls Industry Standard 2017"),
]


def test_procedures_in_other_words_pass_and_every_finding_is_the_cells_criterion(data):
    check = all_checks()[("BSBCUE605", "procedures_check")]
    owner = data.cs.stakeholders[0].name
    procs = [dict(p, owner=owner) for p in OTHER_WORDS_PROCEDURES]
    fs = check.run(data, maintenance_procedures=procs)
    assert fs.all_passed, fs.summary()
    assert fs.criteria() == ["2.4"]
    wrong_table = [dict(p) for p in procs]
    wrong_table[3]["records_affected"] = "surveys"     # a table of the data, not where the call defects are
    failed = {f.item for f in check.run(data, maintenance_procedures=wrong_table).failed()}
    assert failed == {"records_affected"}


def test_contingency_and_design_findings_are_the_cells_criteria(data):
    from ccw_grader.marketing_reference import REFERENCE_DDL
    plan = all_checks()[("BSBCUE605", "plan_check")].run(data, CONTINGENCY_PLAN="scenarios: 5")
    assert plan.criteria() == ["2.5"]
    ddl = all_checks()[("BSBCUE605", "ddl_check")].run(data, MARKETING_DDL=REFERENCE_DDL)
    assert ddl.criteria() == ["2.1"]


# ------------------------------------------------------------------ Task 1.3 builds on the agreed consultation
def _objectives_reference():
    """The reference framework, final proposal and objectives of notebook 01 (run in-process)."""
    from test_placeholders_bsbcue605 import _run
    return _run(ROOT / "notebooks" / "BSBCUE605" / "01_sales_marketing_principles.ipynb")


@pytest.fixture(scope="module")
def nb01():
    return _objectives_reference()


def test_an_objective_weaker_than_the_agreed_target_fails(data, nb01):
    check = all_checks()[("BSBCUE605", "objectives_check")]
    framework, proposal, objectives = nb01["framework"], nb01["marketing_proposal"], nb01["objectives"]
    assert check.run(data, objectives=objectives, framework=framework, marketing_proposal=proposal).all_passed
    # the stakeholders agreed a retention target more demanding than the business plan's; the objective keeps
    # the plan's: it meets the plan but undoes what was agreed
    plan = data.cs.targets["retention_rate"].target
    agreed = dict(proposal, targets=dict(proposal["targets"], retention_rate=min(0.9999, plan + 0.005)))
    weaker = [dict(o, target=plan) if o["kpi"] == "retention_rate" else o for o in objectives]
    assert check.run(data, objectives=weaker, framework=framework,
                     marketing_proposal=dict(proposal, targets=dict(proposal["targets"], retention_rate=plan))
                     ).all_passed
    fs = check.run(data, objectives=weaker, framework=framework, marketing_proposal=agreed)
    assert [f.item for f in fs.failed()] == ["agreed_targets"], fs.summary()
    # lower-is-better KPIs too: an AHT objective longer than the agreed AHT fails
    aht = [*objectives, {"principle": objectives[0]["principle"], "objective": "Shorter handle time on every call",
                         "kpi": "aht_s", "target": proposal["targets"]["aht_s"] + 30}]
    assert not check.run(data, objectives=aht, framework=framework, marketing_proposal=proposal).all_passed
    # no proposal at all: nothing agreed to build on
    assert not check.run(data, objectives=objectives, framework=framework, marketing_proposal=None).all_passed


# ------------------------------------------------------------------ Task 1.1 figures are the learner's own
def test_framework_figures_must_be_the_learners_own(data, nb01):
    check = all_checks()[("BSBCUE605", "framework_check")]
    framework = nb01["framework"]
    assert check.run(data, framework=framework).all_passed
    ds = data.ds
    share = (ds.calls["queue"] == "billing").mean()
    churned = (ds.customers["status"] == "churned").groupby(ds.customers["segment"]).mean()
    own = {"name": "Services marketing (7Ps)", "principles": {
        "people": f"Billing carries {share:.1%} of all calls, so billing agents are trained to sell well.",
        "process": f"The worst segment loses {churned.max():.0%} of its customers, so retention calls come first.",
        "promotion": f"Only {(ds.offers['response'] == 'accepted').mean() * 100:.1f} per cent of offers were "
                     "accepted, so offers must be targeted by segment.",
        "physical evidence": "We aim for a 90% service level target and a 10% discount for loyal customers "
                             "in every segment.",
    }}
    assert check.run(data, framework=own).all_passed, check.run(data, framework=own).summary()
    for key, text in [("people", "Billing carries 71.3% of all calls, so billing agents are trained to sell well."),
                      ("process", "The worst segment loses 45% of its customers, so retention calls come first."),
                      ("promotion", "Only 38.0 per cent of offers were accepted, so offers must be targeted.")]:
        invented = {"name": own["name"], "principles": dict(own["principles"], **{key: text})}
        fs = check.run(data, framework=invented)
        assert [f.item for f in fs.failed()] == ["figures"], (key, fs.summary())
