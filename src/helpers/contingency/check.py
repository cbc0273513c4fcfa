"""``check_plan``: judge a contingency plan against the case study (PC 2.5).

Findings (labelled with the ``criterion`` the caller passes: the unit's task knows which performance
criterion it evidences), the same list for every plan of a case study:

* ``schema`` - the plan parses (otherwise every other check is "not checked");
* ``covers_<system>`` - one per case-study system: some scenario covers it;
* ``triggers``, ``detection``, ``owners``, ``actions``, ``rto_rpo``, ``communications``,
  ``test_schedule`` - one each across all scenarios, with partial credit = share of scenarios that get
  it right; messages name the scenarios at fault. A trigger names the scenario's system and a failure
  condition (:data:`SYSTEM_WORDS`, :data:`FAILURE_WORDS`); detection says how the failure is noticed
  (:data:`DETECTION_WORDS`); each communication names a real channel (:data:`CHANNEL_WORDS`) and a time
  or interval (:data:`TIMING_WORDS`).

Action fit (:data:`ACTION_FIT`): each scenario kind has actions that help and at least one it
needs; an action that cannot work for that failure (e.g. manual recording when no calls arrive
because telephony is down) is a finding.
"""
from __future__ import annotations

import re

from helpers.contingency.plan import SCENARIO_SYSTEMS, ContingencyPlan, PlanError, Scenario, parse_plan
from helpers.findings import Finding, Findings
from helpers.maintenance import frequency_working_days

UNMAPPED = "contingency_plan"   # the findings' label when the caller passes no criterion
MAX_RTO_MINUTES = 3 * 24 * 60   # beyond 3 days a "recovery objective" is no plan for a contact centre
MAX_RPO_MINUTES = 24 * 60
MAX_TEST_INTERVAL_DAYS = 366    # test at least yearly
DATA_KINDS = {"crm_failure", "customer_database_failure", "marketing_db_failure", "power_or_site_loss"}
CUSTOMER_FACING = {"crm_failure", "customer_database_failure", "telephony_failure", "ivr_failure",
                   "power_or_site_loss"}

# kind -> (actions that fit, actions of which at least one is needed, why the others do not fit)
ACTION_FIT: dict[str, tuple[set, set, str]] = {
    "crm_failure": ({"manual_processes_or_recording", "take_messages_and_call_back", "backup_systems_or_database",
                     "ivr_reduced_service_message", "keep_business_running"},
                    {"manual_processes_or_recording", "backup_systems_or_database"},
                    "calls still arrive but agents cannot see accounts: record on paper or use a back-up, "
                    "redirecting calls does not help when the CRM is down everywhere"),
    "telephony_failure": ({"temporary_redirection", "backup_systems_or_database", "keep_business_running",
                           "ivr_reduced_service_message"},
                          {"temporary_redirection", "backup_systems_or_database"},
                          "no calls reach the agents: redirect them (another site, overflow partner, carrier "
                          "failover) or use a back-up path; messages and manual recording need calls to arrive"),
    "ivr_failure": ({"temporary_redirection", "backup_systems_or_database", "keep_business_running",
                     "take_messages_and_call_back", "ivr_reduced_service_message"},
                    {"temporary_redirection", "backup_systems_or_database"},
                    "callers cannot choose a queue: route them to one queue or a back-up IVR"),
    "power_or_site_loss": ({"temporary_redirection", "backup_systems_or_database", "keep_business_running",
                            "ivr_reduced_service_message", "take_messages_and_call_back"},
                           {"temporary_redirection", "backup_systems_or_database"},
                           "the site cannot work: redirect calls to another area or site, or run on back-up "
                           "power; manual recording on site is not possible"),
}
ACTION_FIT["customer_database_failure"] = ACTION_FIT["crm_failure"]
ACTION_FIT["marketing_db_failure"] = (
    {"backup_systems_or_database", "manual_processes_or_recording", "keep_business_running",
     "take_messages_and_call_back", "ivr_reduced_service_message"},
    {"backup_systems_or_database", "manual_processes_or_recording", "keep_business_running"},
    "inbound calls are unaffected but campaigns cannot check consent or the Do Not Call Register: pause "
    "outbound work, use a back-up copy or manual lists; redirecting calls does not help")

# How a trigger names each case-study system, and the words of a failure condition.
SYSTEM_WORDS = {
    "crm": r"\bcrm\b|customer (database|data ?base|record|system|account)|account(s)? system|salesforce|dynamics|"
           r"billing system|customer information",
    "telephony": r"telephon|phone|\bcalls?\b|carrier|trunk|\bsip\b|pbx|\bacd\b|dial|\blines?\b|voice|switch|"
                 r"contact.?centre platform|softphone|headset",
    "ivr": r"\bivr\b|menu|interactive voice|auto.?attendant|call flow|routing|self.?service",
    "marketing_db": r"marketing|campaign|database|\blists?\b|dialler",
    "power": r"power|electric|\bups\b|generator|blackout|mains",
    "site": r"\bsite\b|building|office|premises|floor|evacuat|fire|flood|access|storm",
}
FAILURE_WORDS = (r"unavailab|\bdown\b|fail|error|\blost\b|\bloss\b|outage|offline|off.?line|not (answer|respond|work|"
                 r"load|available|reach|connect|updat)|cannot|can't|unable|\bstop|drop|crash|slow|time.?out|degrad|"
                 r"busy|\bno (dial|calls|access|power|connection|response)|unreachable|corrupt|disconnect|interrupt|"
                 r"broken|evacuat|\bclosed\b|unusable|frozen|freez|\bhang|fault|breach|lock(ed)? out|out of service|stuck|"
                 r"\bloop|in circles|won't|will not|does(n't| not)|no longer|\bzero\b|\bnothing\b|\bfire\b|flood|"
                 r"\bnot? ")
DETECTION_WORDS = (r"monitor|alert|alarm|dashboard|report|notif|ticket|\blogs?\b|health.?check|\bcheck|ping|"
                   r"heartbeat|probe|watchdog|complain|escalat|detect|notice|error|fail|pag(e|er)|wallboard|threshold|"
                   r"synthetic|test call|status page|observ|team leader|supervisor|service desk|help ?desk|carrier|"
                   r"\bups\b|\bbms\b|building management|agents?|staff|customers? (call|tell|report)|sensor|"
                   r"nagios|zabbix|datadog|splunk|snmp|email from|vendor|warden|security|guard|smoke")
CHANNEL_WORDS = (r"\bsms\b|\btext|e-?mail|intranet|\bivr\b|phone|\bcall|chat|\bteams\b|slack|huddle|brief|"
                 r"meeting|web|banner|social|twitter|facebook|linkedin|radio|\bpa\b|public address|notice|letter|"
                 r"portal|\bapps?\b|push|broadcast|wallboard|bridge|message|announce|in person|face.to.face|verbal|"
                 r"\bfloor\b|pager|\bmail\b|media|newsletter|status page|conference|hotline|recorded|"
                 r"on.?hold|desk visit|word of mouth|two.way radio|walkie")
TIMING_WORDS = (r"\d|immediate|at once|as soon|\basap\b|\bat (detection|recovery|restor|the start|start|once|"
                r"invocation|activation)|\bon (detection|recovery|restor|activation|invocation|resolution)|hourly|"
                r"daily|every|until|while|during|before|after|when|within|throughout|end of|start of|shift|minute|"
                r"\bhours?\b|\bdays?\b|\bnow\b|lasts|ongoing|twice|then")


def _items(systems: list[str]) -> list[str]:
    return ["schema"] + [f"covers_{s}" for s in systems] + ["triggers", "detection", "owners", "actions", "rto_rpo",
                                                             "communications", "test_schedule"]


def _systems(systems_in_case_study) -> list[str]:
    out = []
    for s in systems_in_case_study or []:
        name = s.get("system") if isinstance(s, dict) else getattr(s, "system", s)
        if name not in out:
            out.append(str(name))
    return out


def _stakeholder_names(stakeholders) -> tuple[dict, dict]:
    names, roles = {}, {}
    for s in stakeholders or []:
        name = s.get("name") if isinstance(s, dict) else getattr(s, "name", s)
        role = s.get("role") if isinstance(s, dict) else getattr(s, "role", None)
        if name:
            names[str(name).strip().lower()] = str(name)
        if role:
            roles[str(role).strip().lower()] = str(name)
    return names, roles


def check_plan(plan, stakeholders, systems_in_case_study, *, criterion: str = UNMAPPED) -> Findings:
    """Check ``plan`` (a :class:`ContingencyPlan`, dict or YAML) against the case study's stakeholders
    (dicts/objects with ``name`` and ``role``) and systems (names, or outage dicts with ``system``); every
    finding is labelled ``criterion`` (the performance criterion of the caller's task)."""
    systems = _systems(systems_in_case_study)
    out = Findings()
    try:
        plan = parse_plan(plan)
    except PlanError as exc:
        out.append(Finding.fail(criterion, str(exc), item="schema"))
        out.extend(Finding.fail(criterion, "not checked: fix the plan's format first", item=i) for i in _items(systems)[1:])
        return out
    out.append(Finding.ok(criterion, f"the plan has {len(plan.scenarios)} scenario(s) in the expected format",
                          item="schema"))
    for system in systems:
        sc = plan.scenario_for(system)
        if sc:
            out.append(Finding.ok(criterion, f"{system} failure is covered ({sc.kind})", item=f"covers_{system}"))
        else:
            kinds = [k for k, v in SCENARIO_SYSTEMS.items() if system in v]
            out.append(Finding.fail(criterion, f"the case study's {system} can fail but no scenario covers it "
                                    f"(add a scenario of kind {' or '.join(kinds) or system})", item=f"covers_{system}"))
    names, roles = _stakeholder_names(stakeholders)
    checks = [("triggers", "every trigger names the failing system and the failure condition", _trigger_problems),
              ("detection", "every scenario says how the failure is detected", _detection_problems),
              ("owners", "every scenario has an accountable owner from the case study",
               lambda s: _owner_problems(s, names, roles)),
              ("actions", "every scenario's actions fit its failure", _action_problems),
              ("rto_rpo", "RTO and RPO set and sensible for every scenario", _rto_rpo_problems),
              ("communications", "every scenario says who is told, how and when", _communication_problems),
              ("test_schedule", "every scenario has a test schedule at least yearly",
               lambda s: _test_problems(s, plan))]
    for item, ok_msg, problems_of in checks:
        problems, bad = [], 0
        for i, sc in enumerate(plan.scenarios, 1):
            found = problems_of(sc)
            bad += bool(found)
            problems += [f"scenario {i} ({sc.kind}) {p}" for p in found]
        n = len(plan.scenarios)
        if not problems:
            out.append(Finding.ok(criterion, ok_msg, item=item))
        else:
            out.append(Finding.fail(criterion, "; ".join(problems[:4]) + (" ..." if len(problems) > 4 else ""),
                                    item=item, points=(n - bad) / n))
    return out


def _trigger_problems(s: Scenario) -> list[str]:
    text = s.trigger.lower()
    out = []
    if not any(re.search(SYSTEM_WORDS.get(system, re.escape(system)), text) for system in s.systems):
        out.append(f"has a trigger that does not name the failing system ({' or '.join(s.systems)})")
    if not re.search(FAILURE_WORDS, text):
        out.append("has a trigger with no failure condition (unavailable, down, errors, lost, more than N minutes ...)")
    return out


def _detection_problems(s: Scenario) -> list[str]:
    if re.search(DETECTION_WORDS, s.detection.lower()):
        return []
    return ["does not say how the failure is detected (a monitoring alert, an alarm, the dashboard, agents "
            "reporting to the team leader, a carrier notice ...)"]


def _owner_problems(s: Scenario, names: dict, roles: dict) -> list[str]:
    owner = (s.owner or "").strip().lower()
    if not owner:
        return ["has no owner: name the stakeholder accountable for invoking it"]
    if owner in names:
        return []
    if owner in roles:
        return [f"names a role ('{s.owner}'): name the stakeholder who holds it"]
    return [f"has owner '{s.owner}', who is not a stakeholder of the case study"]


def _action_problems(s: Scenario) -> list[str]:
    fits, needs, why = ACTION_FIT[s.kind]
    wrong = [a for a in s.actions if a not in fits]
    if wrong:
        return [f"uses {', '.join(wrong)}, which does not fit this failure - {why}"]
    if not set(s.actions) & needs:
        return [f"needs one of {', '.join(sorted(needs))} - {why}"]
    return []


def _rto_rpo_problems(s: Scenario) -> list[str]:
    out = []
    if s.rto_minutes is None:
        out.append("has no RTO (how long until the service is back)")
    elif s.rto_minutes > MAX_RTO_MINUTES:
        out.append(f"has an RTO of {s.rto_minutes:g} minutes, over {MAX_RTO_MINUTES // 1440} days: not a recovery "
                   "objective a contact centre can live with")
    if s.kind in DATA_KINDS:
        if s.rpo_minutes is None:
            out.append("has no RPO: how much recent customer data may be lost (and must be re-keyed)")
        elif s.rpo_minutes > MAX_RPO_MINUTES:
            out.append(f"has an RPO of {s.rpo_minutes:g} minutes: it risks losing more than a day of customer records")
    return out


def _communication_problems(s: Scenario) -> list[str]:
    if not s.communications:
        return ["tells nobody: list who is told, how and when"]
    out = []
    for i, c in enumerate(s.communications, 1):
        if not re.search(CHANNEL_WORDS, c.channel.lower()):
            out.append(f"communication {i} ({c.audience}) has no channel we recognise (SMS, e-mail, intranet, IVR "
                       "message, phone, team chat, huddle, website ...)")
        if not re.search(TIMING_WORDS, c.timing.lower()):
            out.append(f"communication {i} ({c.audience}) has no time or interval (within 10 minutes, at detection, "
                       "hourly until recovery ...)")
    if out:
        return out
    told = " ".join(c.audience.lower() for c in s.communications)
    if s.kind in CUSTOMER_FACING and "ivr_reduced_service_message" not in s.actions and not any(
            w in told for w in ("customer", "caller", "client", "public")):
        return ["affects customers but does not tell them (add them to communications or use an IVR "
                "reduced-service message)"]
    return []


def _test_problems(s: Scenario, plan: ContingencyPlan) -> list[str]:
    ts = plan.schedule_for(s)
    if ts is None:
        return ["is never tested: give a test schedule (frequency, last and next test)"]
    days = frequency_working_days(ts.frequency)
    if days is None:
        return [f"has a test frequency that cannot be read ('{ts.frequency}')"]
    if days * 7 / 5 > MAX_TEST_INTERVAL_DAYS + 1:
        return [f"is tested less than once a year ('{ts.frequency}')"]
    if ts.next_test is None:
        return ["has no date for the next test"]
    return []


__all__ = ["ACTION_FIT", "CHANNEL_WORDS", "DETECTION_WORDS", "FAILURE_WORDS", "SYSTEM_WORDS", "TIMING_WORDS",
           "check_plan"]
