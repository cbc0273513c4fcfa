import copy

import numpy as np
import pandas as pd
import pytest
import yaml

import factories as F
from helpers.contingency import (ACTION_FIT, ACTIONS, CLEAR_WITHIN_HOURS, SCENARIO_SYSTEMS, PlanError, check_plan,
                                 parse_plan, simulate_plan)
from helpers.errors import UserFacingError
from helpers.kpi import service_level

STAKEHOLDERS = [
    {"name": "Priya Raman", "role": "Contact Centre Manager", "level": "centre", "interests": ["service"]},
    {"name": "Sandra Whitfield", "role": "General Manager Sales and Marketing", "level": "enterprise",
     "interests": ["campaigns"]},
    {"name": "Ken Ito", "role": "IT Service Desk Lead", "level": "enterprise", "interests": ["uptime"]},
]
SYSTEMS = ["crm", "telephony", "ivr", "marketing_db", "power", "site"]
COMMS = [{"audience": "agents and team leaders", "channel": "floor huddle", "timing": "within 10 minutes"},
         {"audience": "customers", "channel": "website banner", "timing": "while the outage lasts"}]

GOOD_PLAN = {
    "title": "Contact centre contingency plan",
    "test_schedule": {"frequency": "every 6 months", "last_test": "2024-02-10", "next_test": "2024-08-10"},
    "scenarios": [
        {"kind": "crm_failure", "trigger": "CRM unavailable for 5 minutes", "detection": "monitoring alert",
         "rto_minutes": 180, "rpo_minutes": 15, "owner": "Priya Raman", "communications": COMMS,
         "actions": ["manual_processes_or_recording", "take_messages_and_call_back", "ivr_reduced_service_message"]},
        {"kind": "telephony_failure", "trigger": "carrier SIP trunk down", "detection": "carrier alarm",
         "rto_minutes": 60, "owner": "Ken Ito", "communications": COMMS,
         "actions": ["temporary_redirection", "use of back-up systems or database"]},
        {"kind": "ivr_failure", "trigger": "IVR menu not answering", "detection": "IVR health check",
         "rto_minutes": 90, "owner": "Ken Ito", "communications": COMMS[:1],
         "actions": ["temporary_redirection", "ivr_reduced_service_message"]},
        {"kind": "marketing_db_failure", "trigger": "marketing database offline", "detection": "campaign tool error",
         "rto_minutes": 480, "rpo_minutes": 60, "owner": "Sandra Whitfield", "communications": COMMS[:1],
         "actions": ["backup_systems_or_database", "keep_business_running"]},
        {"kind": "power_or_site_loss", "trigger": "building power lost", "detection": "UPS alarm",
         "rto_minutes": 240, "rpo_minutes": 5, "owner": "Priya Raman", "communications": COMMS,
         "actions": ["temporary_redirection", "backup_systems_or_database"],
         "test_schedule": {"frequency": "annually", "last_test": "2024-01-20", "next_test": "2025-01-20"}},
    ],
}


# -- schema ----------------------------------------------------------------------------------------
def test_actions_are_the_range_statement():
    from helpers.curriculum import load_unit
    rs = {c.key: c.items for c in load_unit("BSBCCO605A").range_statement}
    assert set(ACTIONS.values()) == set(rs["contingency_planning"])
    assert set(ACTION_FIT) == set(SCENARIO_SYSTEMS)


def test_parse_plan_from_yaml_and_dict():
    plan = parse_plan(yaml.safe_dump(GOOD_PLAN))
    assert plan == parse_plan(GOOD_PLAN) and parse_plan(plan) is plan
    assert plan.scenarios[1].actions == ["temporary_redirection", "backup_systems_or_database"]  # text accepted
    assert plan.scenario_for("site").kind == "power_or_site_loss" and plan.scenario_for("nothing") is None
    assert plan.schedule_for(plan.scenarios[0]).frequency == "every 6 months"
    assert plan.schedule_for(plan.scenarios[4]).frequency == "annually"


@pytest.mark.parametrize("mutate, fragments", [
    (lambda p: p["scenarios"][1].update(rto_minutes="two hours"), ["scenarios[2] (telephony_failure).rto_minutes",
                                                                    "number of minutes", "'two hours'"]),
    (lambda p: p["scenarios"][0].update(actions=["panic"]), ["scenarios[1] (crm_failure).actions",
                                                             "unknown action 'panic'", "temporary_redirection"]),
    (lambda p: p["scenarios"][0].update(kind="alien_invasion"), ["unknown scenario kind 'alien_invasion'"]),
    (lambda p: p["scenarios"][0].update(colour="red"), ["scenarios[1] (crm_failure).colour: unknown field"]),
    (lambda p: p["scenarios"][0].pop("trigger"), ["trigger: Field required"]),
    (lambda p: p["scenarios"][0].update(rto_minutes=-5), ["rto_minutes", "greater than 0"]),
    (lambda p: p.update(scenarios=[]), ["scenarios", "at least 1"]),
    (lambda p: p["test_schedule"].update(next_test="2023-01-01"), ["next_test (2023-01-01) must be after"]),
    (lambda p: p["scenarios"][0]["communications"][0].pop("timing"), ["communications[1].timing: Field required"]),
])
def test_malformed_plans_name_the_field(mutate, fragments):
    plan = copy.deepcopy(GOOD_PLAN)
    mutate(plan)
    with pytest.raises(PlanError) as err:
        parse_plan(plan)
    for fragment in fragments:
        assert fragment in str(err.value)
    assert isinstance(err.value, UserFacingError)


@pytest.mark.parametrize("text, fragment", [
    ("scenarios: [\n  - kind: crm_failure\n  bad", "not valid YAML (line"), ("- just\n- a list", "got list"),
    ("", "got NoneType"), (42, "got int"),
])
def test_not_yaml_or_not_a_mapping(text, fragment):
    with pytest.raises(PlanError, match=None) as err:
        parse_plan(text)
    assert fragment in str(err.value)


# -- check_plan --------------------------------------------------------------------------------------
def test_good_plan_passes_every_check():
    outages = [{"id": "INC-1", "system": "crm"}, {"id": "INC-2", "system": "telephony"}]
    fs = check_plan(GOOD_PLAN, STAKEHOLDERS, SYSTEMS + outages, criterion="2.5")
    assert fs.all_passed, fs.summary()
    assert fs.criteria() == ["2.5"]
    assert [f.item for f in fs][:7] == ["schema"] + [f"covers_{s}" for s in SYSTEMS]
    assert check_plan(GOOD_PLAN, STAKEHOLDERS, SYSTEMS).criteria() == ["contingency_plan"]   # no criterion of its own


_LOREM = "lorem ipsum dolor sit amet consectetur adipiscing elit".split()


def _lorem(text):
    return " ".join(_LOREM[i % len(_LOREM)] for i in range(len(text.split())))


OTHER_WORDS = {  # the same plan written by someone else: every trigger, detection and message still says it
    "trigger": ["Agents cannot open customer accounts in the CRM", "No dial tone on the softphones",
                "Callers stuck in the IVR menu", "Campaign lists will not load", "Evacuation of the building"],
    "detection": ["Nagios page to the on-call engineer", "wallboard shows zero calls offered",
                  "customers tell agents they went round in circles", "overnight job e-mails a failure",
                  "fire warden"],
}


def test_triggers_and_detection_are_read_for_meaning():
    plan = copy.deepcopy(GOOD_PLAN)
    for field, texts in OTHER_WORDS.items():
        for sc, text in zip(plan["scenarios"], texts):
            sc[field] = text
    plan["scenarios"][0]["communications"] = [
        {"audience": "agents", "channel": "Teams message", "timing": "straight away, then every 30 min"},
        {"audience": "customers", "channel": "recorded announcement on the hotline", "timing": "until fixed, then"}]
    fs = check_plan(plan, STAKEHOLDERS, SYSTEMS)
    assert fs.all_passed, fs.summary()
    for field, item in (("trigger", "triggers"), ("detection", "detection")):
        fake = copy.deepcopy(GOOD_PLAN)
        for sc in fake["scenarios"]:
            sc[field] = _lorem(sc[field])
        assert item in {f.item for f in check_plan(fake, STAKEHOLDERS, SYSTEMS).failed()}
    wrong_system = copy.deepcopy(GOOD_PLAN)
    wrong_system["scenarios"][0]["trigger"] = "building power lost"          # a crm_failure scenario
    by = {f.item: f for f in check_plan(wrong_system, STAKEHOLDERS, SYSTEMS)}
    assert "does not name the failing system (crm)" in by["triggers"].message
    no_failure = copy.deepcopy(GOOD_PLAN)
    no_failure["scenarios"][1]["trigger"] = "the carrier SIP trunk"
    assert "no failure condition" in {f.item: f for f in check_plan(no_failure, STAKEHOLDERS, SYSTEMS)}["triggers"].message


@pytest.mark.parametrize("field, fragment", [("channel", "no channel we recognise"), ("timing", "no time or interval")])
def test_communication_channel_and_timing_are_read_for_meaning(field, fragment):
    plan = copy.deepcopy(GOOD_PLAN)
    for sc in plan["scenarios"]:
        sc["communications"] = [dict(c, **{field: _lorem(c[field])}) for c in sc["communications"]]
    by = {f.item: f for f in check_plan(plan, STAKEHOLDERS, SYSTEMS)}
    assert not by["communications"].passed and fragment in by["communications"].message


def test_poor_plan_gets_specific_findings_and_partial_credit():
    poor = {"scenarios": [
        {"kind": "telephony_failure", "trigger": "phones down", "detection": "agents notice", "rto_minutes": 30,
         "actions": ["manual_processes_or_recording", "take_messages_and_call_back"]},       # no owner, wrong actions
        {"kind": "crm_failure", "trigger": "CRM down", "detection": "agents notice", "rto_minutes": 10_000,
         "owner": "Contact Centre Manager", "actions": ["keep_business_running"],            # role, no RPO
         "communications": [{"audience": "agents", "channel": "email", "timing": "asap"}]},
    ]}
    fs = check_plan(poor, STAKEHOLDERS, ["crm", "telephony", "ivr"])
    by = {f.item: f for f in fs}
    assert not by["covers_ivr"].passed and "ivr_failure" in by["covers_ivr"].message
    assert by["covers_crm"].passed and by["covers_telephony"].passed
    assert "scenario 1 (telephony_failure) has no owner" in by["owners"].message
    assert "names a role ('Contact Centre Manager')" in by["owners"].message and by["owners"].points == 0
    assert "manual_processes_or_recording, take_messages_and_call_back" in by["actions"].message
    assert "needs one of backup_systems_or_database, manual_processes_or_recording" in by["actions"].message
    assert "has no RPO" in by["rto_rpo"].message and "over 3 days" in by["rto_rpo"].message
    assert by["rto_rpo"].points == pytest.approx(0.5)     # the telephony scenario's RTO is fine, no RPO needed
    assert "tells nobody" in by["communications"].message
    assert "does not tell them" in by["communications"].message
    assert "never tested" in by["test_schedule"].message
    assert fs.fraction <= 0.5


def test_unknown_owner_and_stakeholder_objects():
    class Person:
        def __init__(self, name, role):
            self.name, self.role = name, role
    plan = copy.deepcopy(GOOD_PLAN)
    plan["scenarios"][0]["owner"] = "Bob Nobody"
    fs = check_plan(plan, [Person(s["name"], s["role"]) for s in STAKEHOLDERS], ["crm"])
    owners = {f.item: f for f in fs}["owners"]
    assert not owners.passed and "'Bob Nobody', who is not a stakeholder" in owners.message
    assert owners.points == pytest.approx(4 / 5)


def test_malformed_plan_keeps_the_same_maximum():
    good = check_plan(GOOD_PLAN, STAKEHOLDERS, SYSTEMS)
    bad = check_plan("scenarios: 5", STAKEHOLDERS, SYSTEMS)
    assert bad.max_score == good.max_score and bad.score == 0
    assert "scenarios" in bad[0].message and all("not checked" in f.message for f in bad[1:])


# -- simulation -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def calls():
    k = F.calls(900, seed=3, start="2024-03-04 08:00")   # about 10 hours of calls on three queues
    rng = np.random.default_rng(7)
    answered = ~k["abandoned"]
    k.loc[answered, "outcome"] = rng.choice(["resolved", "unresolved", "sale", "callback"], answered.sum())
    return k


CRM_OUTAGE = {"id": "INC-CRM", "system": "crm", "start": "2024-03-04 10:00", "end": "2024-03-04 12:30",
              "planned": False, "queues": ["sales", "billing"]}


def _window(calls, outage, shift=pd.Timedelta(0)):
    s, e = pd.Timestamp(outage["start"]) + shift, pd.Timestamp(outage["end"]) + shift
    return calls[calls["queue"].isin(outage["queues"]) & (calls["arrived_at"] >= s) & (calls["arrived_at"] < e)]


def test_crm_outage_figures_follow_the_data(calls):
    r = simulate_plan(GOOD_PLAN, calls, CRM_OUTAGE, callback_capacity_per_hour=60, records_per_hour_rekey=40)
    hit = _window(calls, CRM_OUTAGE)
    answered = hit[~hit["abandoned"] & (hit["outcome"] != "lost")]
    assert r.affected_calls == len(hit) and r.duration_min == 150
    assert r.affected_by_queue == hit["queue"].value_counts().sort_index().to_dict()
    assert r.callbacks_needed == int((~answered["outcome"].isin(["resolved", "sale"])).sum())
    assert r.callback_hours == pytest.approx(r.callbacks_needed / 60)
    assert r.records_to_rekey == len(answered)
    rpo_start = pd.Timestamp(CRM_OUTAGE["start"]) - pd.Timedelta(minutes=15)
    at_risk = calls[calls["queue"].isin(CRM_OUTAGE["queues"]) & (calls["ended_at"] >= rpo_start)
                    & (calls["ended_at"] < pd.Timestamp(CRM_OUTAGE["start"])) & ~calls["abandoned"]]
    assert r.records_at_risk == len(at_risk) > 0
    assert r.rekey_hours == pytest.approx((len(answered) + len(at_risk)) / 40)
    assert r.service_level_during == pytest.approx(service_level(hit, threshold_s=20, variant="abandons_ignored"))
    after = _window(calls, CRM_OUTAGE, pd.Timedelta(minutes=150))
    assert r.service_level_after == pytest.approx(service_level(after, variant="abandons_ignored"))
    assert r.meets_rto is True and r.scenario_kind == "crm_failure"
    assert r.findings.all_passed and r.score == 1.0, r.findings.summary()
    assert "INC-CRM (crm, 150 min)" in r.summary()
    assert set(r.to_frame()["measure"]) >= {"callbacks_needed", "affected_calls[sales]"}


def test_rto_missed_and_capacity_overflow(calls):
    plan = copy.deepcopy(GOOD_PLAN)
    plan["scenarios"][0]["rto_minutes"] = 60
    plan["scenarios"][0]["actions"] = ["take_messages_and_call_back", "backup_systems_or_database"]
    r = simulate_plan(plan, calls, CRM_OUTAGE, callback_capacity_per_hour=5, records_per_hour_rekey=40)
    hit = _window(calls, CRM_OUTAGE)
    assert r.callbacks_needed == int((~hit["abandoned"] & (hit["outcome"] != "lost")).sum())   # every answered call
    assert r.records_to_rekey == 0                                                              # no paper records
    by = {f.item: f for f in r.findings}
    assert not by["rto"].passed and "longer than your RTO of 60 min" in by["rto"].message
    assert (r.callback_hours > CLEAR_WITHIN_HOURS) and not by["callbacks"].passed
    assert 0 < r.score < 1
    again = simulate_plan(plan, calls, CRM_OUTAGE, callback_capacity_per_hour=5, records_per_hour_rekey=40)
    assert again.to_frame().equals(r.to_frame()) and again.findings == r.findings   # deterministic


def test_telephony_outage_lost_calls_and_redirection(calls):
    k = calls.copy()
    outage = {"id": "INC-TEL", "system": "telephony", "start": "2024-03-04 13:00", "end": "2024-03-04 13:45",
              "queues": "sales, customer_service, billing"}
    window = (k["arrived_at"] >= "2024-03-04 13:00") & (k["arrived_at"] < "2024-03-04 13:45")
    k.loc[window, ["outcome", "abandoned"]] = ["lost", False]
    r = simulate_plan(GOOD_PLAN, k, outage, 60, 40)
    assert r.lost_calls == r.redirected_calls == int(window.sum()) > 0
    assert np.isnan(r.service_level_during) and r.records_at_risk == 0
    assert {f.item: f for f in r.findings}["lost_calls"].passed
    no_redirect = copy.deepcopy(GOOD_PLAN)
    no_redirect["scenarios"][1]["actions"] = ["backup_systems_or_database"]
    lost = {f.item: f for f in simulate_plan(no_redirect, k, outage, 60, 40).findings}["lost_calls"]
    assert not lost.passed and f"{int(window.sum())} calls were lost" in lost.message


def test_outage_without_scenario_or_rpo(calls):
    plan = {"scenarios": [dict(GOOD_PLAN["scenarios"][0], rpo_minutes=None)]}
    r = simulate_plan(plan, calls, dict(CRM_OUTAGE, system="marketing_db"), 60, 40)
    by = {f.item: f for f in r.findings}
    assert r.scenario_kind is None and not by["scenario"].passed and not by["rto"].passed
    assert r.records_at_risk is None and not by["data_loss"].passed
    r2 = simulate_plan(plan, calls, CRM_OUTAGE, 60, 40)
    assert not {f.item: f for f in r2.findings}["data_loss"].passed and "no RPO" in r2.findings.summary()


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(outage=dict(CRM_OUTAGE, end="2024-03-04 09:00")), "must be after its start"),
    (dict(outage={k: v for k, v in CRM_OUTAGE.items() if k != "queues"}), "no queues"),
    (dict(outage={"system": "crm"}), "missing start, end"),
    (dict(outage=["crm"]), "should be a dict"),
    (dict(callback_capacity_per_hour=0), "callback_capacity_per_hour should be a positive number"),
    (dict(records_per_hour_rekey="40"), "records_per_hour_rekey"),
    (dict(calls=pd.DataFrame({"queue": ["sales"]})), "missing column(s) arrived_at"),
    (dict(plan="scenarios: nope"), "scenarios"),
])
def test_simulation_input_errors(calls, kwargs, fragment):
    args = dict(plan=GOOD_PLAN, calls=calls, outage=CRM_OUTAGE, callback_capacity_per_hour=60,
                records_per_hour_rekey=40)
    args.update(kwargs)
    with pytest.raises(UserFacingError) as err:
        simulate_plan(**args)
    assert fragment in str(err.value)


def test_rto_is_judged_by_the_business_impact_of_an_outage_that_long(calls):
    """An RTO must fit the outage and be no longer than the outage whose call-backs and re-keying (at the rate
    this outage created them) the centre clears within a working day: inflating it to cover any outage fails."""
    r = simulate_plan(GOOD_PLAN, calls, CRM_OUTAGE, callback_capacity_per_hour=60, records_per_hour_rekey=40)
    per_min_cb = r.callbacks_needed / 60 / r.duration_min
    per_min_rk = r.records_to_rekey / 40 / r.duration_min
    fixed = r.records_at_risk / 40
    assert r.max_outage_min == pytest.approx(min(CLEAR_WITHIN_HOURS / per_min_cb,
                                                 (CLEAR_WITHIN_HOURS - fixed) / per_min_rk))
    assert r.duration_min <= 180 <= r.max_outage_min
    assert r.rto_rekey_hours == pytest.approx(per_min_rk * 180 + fixed)
    inflated = copy.deepcopy(GOOD_PLAN)
    inflated["scenarios"][0]["rto_minutes"] = 3 * 24 * 60
    big = {f.item: f for f in simulate_plan(inflated, calls, CRM_OUTAGE, 60, 40).findings}["rto"]
    assert not big.passed and "business impact" in big.message and "within your RTO" in big.message
    fits = copy.deepcopy(GOOD_PLAN)
    fits["scenarios"][0]["rto_minutes"] = int(r.max_outage_min)
    assert {f.item: f for f in simulate_plan(fits, calls, CRM_OUTAGE, 60, 40).findings}["rto"].passed
