"""The stakeholder panel of BSBCUE605 Task 1.2 (helpers.consultation): positions differ per learner, replies
are grounded in the learner's data, a revised proposal reaches sign-off, and the transcript is evidence
the grader re-runs (a fabricated or another learner's consultation earns nothing)."""
from __future__ import annotations

import copy

import pandas as pd
import pytest

from helpers import consultation as consult
from helpers import kpi
from helpers.generator import generate
from helpers.tasks import bsbcue605 as checks

FRAMEWORK = {"name": "Relationship marketing", "principles": {p: "x" for p in ("segmentation", "retention",
                                                                               "people and process", "promotion")}}


class _Ds:
    """A generated dataset as a learner's kernel sees it (tables, case study, manifest)."""

    def __init__(self, seed, learner):
        g = generate("lyrebird-energy", seed=seed, learner=learner, days=7)
        self.tables, self.case_study = g.tables, g.case_study
        self.manifest = {"seed": seed, "learner": learner}

    def __getattr__(self, name):
        return self.__dict__["tables"][name]


@pytest.fixture(scope="module")
def two():
    return _Ds(11, "kim"), _Ds(11, "lee")


def negotiate(ds) -> tuple[dict, list]:
    """What a diligent learner does: propose from the data, then meet every condition stated."""
    offered = ds.calls[ds.calls["outcome"] != "lost"]
    sl = kpi.service_level(offered, threshold_s=20, by="queue")
    churn = kpi.churn_rate(ds.customers, ds.calls["arrived_at"].min().normalize(), ds.calls["arrived_at"].max(),
                           by="segment")
    cs = ds.case_study
    words = {"sales": "new connection and plan change calls", "billing": "high bill and refund calls",
             "collections": "hardship and payment plan calls", "fulfilment": "installation booking calls"}
    proposal = {"principles": list(FRAMEWORK["principles"]),
                "targets": {k: cs.targets[k].target for k in ("retention_rate", "fcr", "conversion_rate", "nps",
                                                              "aht_s", "cost_per_contact_aud")},
                "offers": {"queues": ["sales"], "exclude_hardship": True, "consent_checked": True,
                           "retention_segment": str(churn.idxmax())},
                "calling_hours": {"start": 9, "end": 20}, "timing": {"launch": None, "notice_days": 7},
                "priority_queue": str(sl.idxmin()),
                "services": {q: {"offer": f"We will answer your {w} faster with a dedicated skill group",
                                 "service_level": float(sl[q])} for q, w in words.items()}}
    meeting = consult.Consultation(ds)
    today = ds.calls["arrived_at"].max().normalize() + pd.Timedelta(days=1)
    for _ in range(4):
        proposal["timing"]["launch"] = str(today + pd.Timedelta(days=proposal["timing"]["notice_days"]))[:10]
        meeting.consult(proposal)
        if meeting.signed_off:
            break
        proposal = copy.deepcopy(proposal)
        for where, value in meeting.conditions.items():
            section, key = where.split(".")
            if key == "queues":
                verb, queue = value.split(" ", 1)
                qs = [q for q in proposal["offers"]["queues"] if q != queue]
                proposal["offers"]["queues"] = qs + [queue] if verb == "include" else qs
            else:
                proposal[section][key] = value
    return proposal, meeting.transcript


def test_positions_differ_between_learners_and_are_stable(two):
    kim, lee = two
    a, b = consult.positions(kim), consult.positions(lee)
    assert a == consult.positions(kim)
    assert [(p.name, p.demands) for p in a] != [(p.name, p.demands) for p in b]
    levels = {p.level for p in a}
    assert levels == {"centre", "enterprise", "external"}


def test_a_revised_proposal_reaches_sign_off_and_the_check_passes(two):
    kim, _ = two
    proposal, transcript = negotiate(kim)
    assert transcript[-1]["proposal"] == consult.as_data(proposal)
    assert all(r["signs_off"] for r in transcript[-1]["replies"])
    assert checks.consultation(consult.as_data(proposal), consult.as_data(transcript), kim, FRAMEWORK).all_passed


def test_first_proposal_draws_objections_grounded_in_the_data(two):
    kim, _ = two
    proposal, _ = negotiate(kim)
    wrong = copy.deepcopy(proposal)
    segments = sorted(set(kim.customers["segment"]) - {proposal["offers"]["retention_segment"]})
    wrong["offers"]["retention_segment"] = segments[0]
    wrong["services"]["billing"]["service_level"] += 0.05
    said = " ".join(s for r in consult.replies(wrong, kim) for s in r.says)
    assert "churn is highest" in said and "does not match what our dashboards show" in said


def test_a_copied_consultation_fails_for_the_copier(two):
    kim, lee = two
    proposal, transcript = negotiate(kim)
    fs = checks.consultation(proposal, transcript, lee, FRAMEWORK)
    assert not fs.all_passed


def test_a_fabricated_transcript_or_placeholder_proposal_earns_nothing(two):
    kim, _ = two
    proposal, transcript = negotiate(kim)
    forged = copy.deepcopy(transcript)
    forged[0]["replies"] = [{**r, "signs_off": True} for r in forged[0]["replies"]]
    if len(forged) > 1:
        assert not checks.consultation(proposal, forged, kim, FRAMEWORK).all_passed
    assert not checks.consultation(proposal, [], kim, FRAMEWORK).all_passed
    placeholder = copy.deepcopy(proposal)
    placeholder["offers"]["retention_segment"] = "lorem ipsum"
    placeholder["priority_queue"] = "dolor sit"
    for item in placeholder["services"].values():
        item["offer"] = "lorem ipsum dolor sit amet consectetur adipiscing elit sed"
    meeting = consult.Consultation(kim)
    meeting.consult(placeholder)
    fs = checks.consultation(placeholder, meeting.transcript, kim, FRAMEWORK)
    assert not fs.all_passed
    assert {f.criterion for f in fs.failed()} == {"1.2"}  # consensus is PC 1.2; the offers are judged for 1.5
    promoted = checks.promotion(placeholder["services"], kim.case_study, kim)
    assert not promoted.all_passed and set(promoted.criteria()) == {"1.5"}


def test_target_objections_name_whoever_holds_a_condition_the_target_breaks(two):
    kim, _ = two
    for p in consult.positions(kim):
        for d in p.demands:
            if d.kind not in ("target_at_least", "target_at_most"):
                continue
            step = 1 if d.kind == "target_at_least" else -1
            assert p.name not in consult.target_objections(d.kpi, d.value, kim)          # the condition itself
            assert p.name not in consult.target_objections(d.kpi, d.value + step, kim)   # beyond it
            assert p.name in consult.target_objections(d.kpi, d.value - step, kim)       # short of it
    assert consult.target_objections("aht_s", "soon", kim) == []


def test_offer_problem_accepts_an_offer_on_the_chains_calls_with_its_own_service_level(two):
    kim, _ = two
    fx = consult.facts(kim)
    for q in kim.case_study.queues:
        reason = q.reasons[0].replace("_", " ")
        good = {"offer": f"A specialist group will take every {reason} call for you next quarter",
                "service_level": fx.service_level[q.name]}
        assert consult.offer_problem(q.name, good, fx) is None
        assert consult.offer_problem(q.name, dict(good, service_level=fx.service_level[q.name] + 0.03), fx)
        assert consult.offer_problem(q.name, dict(good, offer="We will do much better for you next quarter, "
                                                              "promise"), fx)
        assert consult.offer_problem(q.name, None, fx)
