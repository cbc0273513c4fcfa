"""``simulate_plan``: replay one outage from the learner's own call data under their plan.

Model (deterministic, every figure from the calls table; times are centre wall-clock):

* **affected calls** arrive on an affected queue in ``[start, end)``; ``lost`` calls (telephony/IVR
  down) are the ones that never reached an agent;
* **redirected**: with ``temporary_redirection`` the lost calls are taken by another area instead;
* **callbacks needed**: with ``take_messages_and_call_back`` every answered affected call becomes a
  message, except - when ``manual_processes_or_recording`` is also used - calls the agent could still
  finish on paper (outcome resolved or sale); hours to clear = callbacks / callback capacity per hour;
* **records to re-key**: for CRM/customer-database failures handled with manual recording, one paper
  record per answered affected call; **records at risk** (data-bearing systems) = answered calls on
  the affected queues that ended in the RPO window before the failure; both are re-keyed at
  ``records_per_hour_rekey``;
* **service level** before (the same length of time before the outage), during and after (the same
  length after) - share answered within ``threshold_s`` with abandons ignored and lost calls
  excluded, as ``helpers.kpi.service_level(variant="abandons_ignored")``;
* **meets RTO**: the outage lasted no longer than the scenario's ``rto_minutes``;
* **business impact of the RTO**: an outage as long as the RTO creates call-backs and re-keying at the rate this
  outage created them (per minute of outage; the records at risk in the RPO window do not grow with it), so it
  leaves ``rto_callback_hours`` of call-backs and ``rto_rekey_hours`` of re-keying; ``max_outage_min`` is the
  longest outage whose backlog the centre clears within :data:`CLEAR_WITHIN_HOURS` (the maximum tolerable
  outage). An RTO is set from the business impact when the outage in the data fits in it and it is no longer
  than the business can bear (``duration <= rto <= max_outage_min``): an RTO inflated to "cover" any outage fails.

Findings (labelled with the caller's ``criterion``) judge whether the plan copes: scenario present, RTO met and
within the business impact, callback backlog
and re-keying cleared within :data:`CLEAR_WITHIN_HOURS`, RPO set for data systems, no calls left lost.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from helpers.contingency.plan import ContingencyPlan, parse_plan
from helpers.errors import UserFacingError
from helpers.findings import Finding, Findings
from helpers.kpi import service_level

UNMAPPED = "contingency_simulation"   # the findings' label when the caller passes no criterion
CLEAR_WITHIN_HOURS = 8.0     # backlog (callbacks, re-keying) cleared within one working day
DATA_SYSTEMS = {"crm", "marketing_db", "power", "site"}
REKEY_SYSTEMS = {"crm"}
_CALL_COLUMNS = ("queue", "arrived_at", "wait_s", "abandoned", "outcome", "ended_at")


@dataclass
class SimulationResult:
    outage_id: str
    system: str
    scenario_kind: str | None
    start: pd.Timestamp
    end: pd.Timestamp
    duration_min: float
    affected_calls: int
    affected_by_queue: dict
    lost_calls: int
    redirected_calls: int
    callbacks_needed: int
    callback_hours: float
    records_to_rekey: int
    records_at_risk: int | None
    rekey_hours: float
    service_level_before: float
    service_level_during: float
    service_level_after: float
    meets_rto: bool | None
    max_outage_min: float | None = None     # longest outage whose backlog clears within CLEAR_WITHIN_HOURS
    rto_callback_hours: float | None = None  # call-backs an outage as long as the RTO would leave (hours)
    rto_rekey_hours: float | None = None     # re-keying an outage as long as the RTO would leave (hours)
    findings: Findings = field(default_factory=Findings)

    @property
    def score(self) -> float:
        """Fraction of the simulation findings' points earned (0..1)."""
        return self.findings.fraction

    def to_frame(self) -> pd.DataFrame:
        """The figures as a two-column table (measure, value) for a notebook."""
        skip = {"findings", "affected_by_queue"}
        rows = [(k, v) for k, v in self.__dict__.items() if k not in skip]
        rows += [(f"affected_calls[{q}]", n) for q, n in self.affected_by_queue.items()]
        return pd.DataFrame(rows, columns=["measure", "value"])

    def summary(self) -> str:
        sl = lambda x: "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"  # noqa: E731
        return (f"{self.outage_id} ({self.system}, {self.duration_min:g} min): {self.affected_calls} calls affected, "
                f"{self.lost_calls} lost ({self.redirected_calls} redirected), {self.callbacks_needed} callbacks "
                f"({self.callback_hours:.1f} h), {self.records_to_rekey} records to re-key + "
                f"{self.records_at_risk if self.records_at_risk is not None else '?'} at risk "
                f"({self.rekey_hours:.1f} h); service level before/during/after {sl(self.service_level_before)}/"
                f"{sl(self.service_level_during)}/{sl(self.service_level_after)}; score {self.score:.0%}")


def _outage(outage: dict) -> tuple[str, str, pd.Timestamp, pd.Timestamp, list[str]]:
    if not isinstance(outage, dict):
        raise UserFacingError(f"the outage should be a dict with id, system, start, end and queues, got "
                              f"{type(outage).__name__}")
    missing = [k for k in ("system", "start", "end") if k not in outage]
    if missing:
        raise UserFacingError(f"the outage is missing {', '.join(missing)}")
    try:
        start, end = pd.Timestamp(outage["start"]), pd.Timestamp(outage["end"])
    except (ValueError, TypeError) as exc:
        raise UserFacingError(f"the outage start/end should be date-times: {exc}") from exc
    if end <= start:
        raise UserFacingError(f"the outage end ({end}) must be after its start ({start})")
    queues = outage.get("queues", outage.get("queues_affected"))
    if isinstance(queues, str):
        queues = [q.strip() for q in queues.split(",") if q.strip()]
    if not queues:
        raise UserFacingError("the outage has no queues (list the queues it affected)")
    return str(outage.get("id", "outage")), str(outage["system"]), start, end, list(queues)


def _sl(calls: pd.DataFrame, threshold_s: float) -> float:
    if calls.empty or not (calls["outcome"] != "lost").any():
        return float("nan")
    return float(service_level(calls, threshold_s=threshold_s, variant="abandons_ignored"))


def simulate_plan(plan, calls: pd.DataFrame, outage: dict, callback_capacity_per_hour: float,
                  records_per_hour_rekey: float, threshold_s: float = 20, *,
                  criterion: str = UNMAPPED) -> SimulationResult:
    """Replay ``outage`` on ``calls`` under ``plan``; see the module docstring for the model. The findings
    are labelled ``criterion`` (the performance criterion of the caller's task)."""
    plan: ContingencyPlan = parse_plan(plan)
    if not isinstance(calls, pd.DataFrame):
        raise UserFacingError(f"calls should be a DataFrame, got {type(calls).__name__}")
    missing = [c for c in _CALL_COLUMNS if c not in calls.columns]
    if missing:
        raise UserFacingError(f"the calls table is missing column(s) {', '.join(missing)}")
    for name, value in (("callback_capacity_per_hour", callback_capacity_per_hour),
                        ("records_per_hour_rekey", records_per_hour_rekey)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise UserFacingError(f"{name} should be a positive number per hour, got {value!r}")
    oid, system, start, end, queues = _outage(outage)
    scenario = plan.scenario_for(system)
    actions = set(scenario.actions) if scenario else set()
    duration = (end - start).total_seconds() / 60

    arrived = pd.to_datetime(calls["arrived_at"])
    on_queue = calls["queue"].isin(queues).to_numpy(bool)
    during = on_queue & ((arrived >= start) & (arrived < end)).to_numpy(bool)
    span = end - start
    before = on_queue & ((arrived >= start - span) & (arrived < start)).to_numpy(bool)
    after = on_queue & ((arrived >= end) & (arrived < end + span)).to_numpy(bool)
    hit = calls[during]
    lost = (hit["outcome"] == "lost").to_numpy(bool)
    answered = ~lost & ~hit["abandoned"].to_numpy(bool, na_value=False)
    by_queue = {q: int(n) for q, n in hit["queue"].value_counts().sort_index().items()}

    redirected = int(lost.sum()) if "temporary_redirection" in actions else 0
    callbacks = 0
    if "take_messages_and_call_back" in actions:
        finished = hit["outcome"].isin(["resolved", "sale"]).to_numpy(bool)
        callbacks = int((answered & ~(finished if "manual_processes_or_recording" in actions else False)).sum())
    rekey = int(answered.sum()) if system in REKEY_SYSTEMS and "manual_processes_or_recording" in actions else 0
    at_risk = None
    if system not in DATA_SYSTEMS:
        at_risk = 0
    elif scenario is not None and scenario.rpo_minutes is not None:
        ended = pd.to_datetime(calls["ended_at"])
        window = on_queue & ((ended >= start - pd.Timedelta(minutes=scenario.rpo_minutes)) & (ended < start)
                             ).to_numpy(bool)
        ok = (calls["outcome"] != "lost").to_numpy(bool) & ~calls["abandoned"].to_numpy(bool, na_value=False)
        at_risk = int((window & ok).sum())
    rekey_hours = (rekey + (at_risk or 0)) / records_per_hour_rekey
    result = SimulationResult(
        outage_id=oid, system=system, scenario_kind=scenario.kind if scenario else None, start=start, end=end,
        duration_min=duration, affected_calls=int(during.sum()), affected_by_queue=by_queue,
        lost_calls=int(lost.sum()), redirected_calls=redirected, callbacks_needed=callbacks,
        callback_hours=callbacks / callback_capacity_per_hour, records_to_rekey=rekey, records_at_risk=at_risk,
        rekey_hours=rekey_hours, service_level_before=_sl(calls[before], threshold_s),
        service_level_during=_sl(hit, threshold_s), service_level_after=_sl(calls[after], threshold_s),
        meets_rto=None if scenario is None or scenario.rto_minutes is None else bool(duration <= scenario.rto_minutes))
    _impact(result, scenario, callback_capacity_per_hour, records_per_hour_rekey)
    result.findings = _findings(result, scenario, criterion)
    return result


def _impact(r: SimulationResult, scenario, callback_capacity_per_hour: float, records_per_hour_rekey: float) -> None:
    """The business impact of an outage as long as the scenario's RTO, and the longest tolerable outage (see the
    module docstring), at the rate this outage created call-backs and re-keying."""
    per_min_cb = r.callbacks_needed / callback_capacity_per_hour / r.duration_min      # hours per minute of outage
    per_min_rk = r.records_to_rekey / records_per_hour_rekey / r.duration_min
    fixed = (r.records_at_risk or 0) / records_per_hour_rekey
    limits = [CLEAR_WITHIN_HOURS / per_min_cb] if per_min_cb > 0 else []
    if per_min_rk > 0:
        limits.append(max(0.0, CLEAR_WITHIN_HOURS - fixed) / per_min_rk)
    r.max_outage_min = float(min(limits)) if limits else None
    if scenario is not None and scenario.rto_minutes is not None:
        r.rto_callback_hours = per_min_cb * scenario.rto_minutes
        r.rto_rekey_hours = per_min_rk * scenario.rto_minutes + fixed


def _findings(r: SimulationResult, scenario, criterion: str) -> Findings:
    out = Findings()
    add = lambda ok, msg, item: out.append(Finding(criterion, ok, 1.0 if ok else 0.0, 1.0, msg, item))  # noqa: E731
    add(scenario is not None, f"the plan covers {r.system} failures ({r.scenario_kind})" if scenario else
        f"the plan has no scenario for a {r.system} failure: {r.affected_calls} calls were affected with no plan",
        "scenario")
    if r.meets_rto is None:
        add(False, "no RTO to compare the outage with", "rto")
    else:
        bearable = r.max_outage_min is None or scenario.rto_minutes <= r.max_outage_min
        impact = (f"an outage as long as your RTO would leave {r.rto_callback_hours:.1f} h of call-backs and "
                  f"{r.rto_rekey_hours:.1f} h of re-keying")
        add(r.meets_rto and bearable, f"the outage lasted {r.duration_min:g} min, " + (
            f"longer than your RTO of {scenario.rto_minutes:g} min: recovery needs a faster path (back-up) or the "
            "RTO is not realistic" if not r.meets_rto else
            f"within your RTO of {scenario.rto_minutes:g} min; {impact}" + (
                ", cleared within a working day" if bearable else
                f", more than the {CLEAR_WITHIN_HOURS:g} h of a working day: set the RTO from the business impact "
                "(no longer than the outage whose backlog you can clear in a day)")), "rto")
    add(r.callback_hours <= CLEAR_WITHIN_HOURS,
        f"{r.callbacks_needed} callbacks at {r.callback_hours:.1f} h of callback capacity" + (
            "" if r.callback_hours <= CLEAR_WITHIN_HOURS else
            f": more than {CLEAR_WITHIN_HOURS:g} h, so customers wait over a working day - plan extra capacity"),
        "callbacks")
    add(r.rekey_hours <= CLEAR_WITHIN_HOURS,
        f"{r.records_to_rekey} paper records and {r.records_at_risk or 0} records at risk take {r.rekey_hours:.1f} h "
        "to re-key" + ("" if r.rekey_hours <= CLEAR_WITHIN_HOURS else
                       f": more than {CLEAR_WITHIN_HOURS:g} h - the CRM stays out of date into the next day"), "rekey")
    if r.records_at_risk is None:
        add(False, f"no RPO for this {r.system} failure, so the records that could be lost cannot be bounded",
            "data_loss")
    else:
        add(True, f"{r.records_at_risk} records created in the RPO window before the failure are at risk", "data_loss")
    unrecovered = r.lost_calls - r.redirected_calls
    add(unrecovered == 0, "no calls left lost" if unrecovered == 0 else
        f"{unrecovered} calls were lost and the plan does not redirect them", "lost_calls")
    return out
