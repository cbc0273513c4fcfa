"""The stakeholder interview of BSBCUE602 element 4 (helpers.information_needs): needs are drawn per learner
(deterministic, different between learners), revealed only by asking one clear question at a time, confirmed by
reading them back, and the transcript is evidence the grader replays (a doctored one is refused)."""
from __future__ import annotations

import copy

import pytest

from helpers import information_needs as info
from helpers.casestudy import load_case_study
from helpers.errors import LearnerError

QUESTIONS = {
    "role": "What is your role, and do you use the centre's reports?",
    "measures": "Which measures do you need to see?",
    "level": "What level of detail do you need?",
    "horizon": "What time horizon do you look at?",
    "segmentation": "How should the figures be split?",
    "format": "What format suits you best?",
    "timing": "How often, and by when, do you need it?",
}


class _Ds:
    """What the interview reads of a dataset: its case study and manifest (seed, learner)."""

    def __init__(self, seed, learner):
        self.case_study = load_case_study("lyrebird-energy")
        self.manifest = {"seed": seed, "learner": learner}


def _interview_everyone(ds) -> info.Interview:
    interview = info.Interview(ds)
    for name in interview.stakeholders:
        for q in QUESTIONS.values():
            interview._ask(name, q)
    return interview


def test_every_question_is_about_one_topic():
    for topic, q in QUESTIONS.items():
        assert info.topics_of(q) == [topic], q


def test_needs_are_deterministic_per_learner_and_differ_between_learners():
    a1, a2, b = info.needs(_Ds(7, "kim")), info.needs(_Ds(7, "kim")), info.needs(_Ds(7, "lee"))
    assert a1 == a2
    assert [e["says"] for e in _interview_everyone(_Ds(7, "kim")).transcript] == \
        [e["says"] for e in _interview_everyone(_Ds(7, "kim")).transcript]
    assert a1 != b
    learners = [info.needs(_Ds(7, f"learner{i}")) for i in range(8)]
    specs = {repr(sorted((n, need.uses, sorted(need.spec().items(), key=str)) for n, need in ns.items()))
             for ns in learners}
    assert len(specs) == 8  # every learner meets a different set of needs


def test_users_cover_every_level_and_some_stakeholders_do_not_use_the_information():
    cs = load_case_study("lyrebird-energy")
    levels = {s.name: s.level for s in cs.stakeholders}
    non_users = 0
    for i in range(10):
        needs = info.needs(_Ds(3, f"l{i}"))
        assert {levels[n] for n, need in needs.items() if need.uses} == {"centre", "enterprise", "external"}
        non_users += sum(not need.uses for need in needs.values())
        for need in needs.values():
            if need.uses:
                assert need.measures and all(m in info.MEASURES for m in need.measures)
                assert need.horizon == info.HORIZON_OF_LEVEL[need.level]
    assert non_users > 0


def test_unclear_or_compound_questions_get_a_clarifying_reply_and_reveal_nothing():
    ds = _Ds(7, "kim")
    interview = info.Interview(ds)
    for q in ("Hello?", "Tell me everything about yourself please", "Do you need service level?"):
        assert interview._ask("Priya Raman", q) == (info.CLARIFY, None)
    says, topic = interview._ask("Priya Raman", "Which measures do you need, and how often?")
    assert says == info.ONE_AT_A_TIME and topic is None
    assert info.replay(interview.transcript, ds)["revealed"] == {}
    says, topic = interview._ask("Priya Raman", QUESTIONS["measures"])
    need = info.needs(ds)["Priya Raman"]
    assert topic == "measures" and all(info.MEASURES[m] in says for m in need.measures)
    assert info.replay(interview.transcript, ds)["revealed"] == {"Priya Raman": {"measures"}}


def test_a_stakeholder_who_does_not_use_the_information_says_so_and_reveals_no_needs():
    ds = next(d for d in (_Ds(5, f"x{i}") for i in range(20))
              if any(not n.uses for n in info.needs(d).values()))
    name = next(n for n, need in info.needs(ds).items() if not need.uses)
    interview = info.Interview(ds)
    assert "don't use" in interview._ask(name, QUESTIONS["role"])[0]
    assert "don't use" in interview._ask(name, QUESTIONS["measures"])[0]
    assert interview._confirm(name, {"measures": ["service_level"]})[0] is False


def test_confirm_needs_the_topics_asked_and_agrees_only_with_what_was_said():
    ds = _Ds(7, "kim")
    interview = info.Interview(ds)
    spec = info.needs(ds)["Priya Raman"].spec()
    agreed, says = interview._confirm("Priya Raman", spec)
    assert not agreed and "haven't talked" in says
    for q in QUESTIONS.values():
        interview._ask("Priya Raman", q)
    wrong = dict(spec, format=next(f for f in info.FORMATS if f != spec["format"]))
    agreed, says = interview._confirm("Priya Raman", wrong)
    assert not agreed and "format" in says and spec["format"] not in says
    assert interview._confirm("Priya Raman", {k: spec[k] for k in ("level", "horizon")})[0] is False
    assert interview._confirm("Priya Raman", spec) == (True, "Yes, that's exactly what I need.")
    result = info.replay(info.as_data(interview.transcript), ds)
    assert result["authentic"] and result["confirmed"] == {"Priya Raman": info.as_data(spec)}


def test_replay_refuses_a_doctored_or_another_learners_transcript():
    ds = _Ds(7, "kim")
    interview = _interview_everyone(ds)
    assert info.replay(interview.transcript, ds)["authentic"]
    doctored = copy.deepcopy(interview.transcript)
    doctored[1]["says"] = "The measures I need are service level."
    assert not info.replay(doctored, ds)["authentic"]
    other = _interview_everyone(_Ds(7, "lee")).transcript
    assert not info.replay(other, ds)["authentic"]
    assert not info.replay([], ds)["authentic"]
    assert not info.replay("not a transcript", ds)["authentic"]


def test_an_unknown_stakeholder_is_a_readable_error():
    interview = info.Interview(_Ds(7, "kim"))
    with pytest.raises(LearnerError, match="Priya Raman"):
        interview.ask("Priya Ramen", QUESTIONS["role"])
