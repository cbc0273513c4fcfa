"""The contingency-plan schema learners fill in (YAML or a dict), validated with pydantic.

Example (YAML)::

    title: Lyrebird contact centre contingency plan
    test_schedule: {frequency: every 6 months, last_test: 2025-02-10, next_test: 2025-08-10}
    scenarios:
      - kind: crm_failure
        trigger: CRM unavailable to agents for more than 5 minutes
        detection: monitoring alert and agents reporting to the team leader
        rto_minutes: 120
        rpo_minutes: 15
        actions: [manual_processes_or_recording, take_messages_and_call_back, ivr_reduced_service_message]
        owner: Priya Raman
        communications:
          - {audience: agents and team leaders, channel: floor huddle and Teams, timing: within 10 minutes}
          - {audience: customers, channel: IVR message, timing: while the CRM is down}

``actions`` are the BSBCCO605A range-statement items (:data:`ACTIONS`; the range-statement text
itself is accepted too). ``owner``, ``rpo_minutes`` and ``test_schedule`` may be left out here so
that :func:`~helpers.contingency.check_plan` can explain why they matter.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from helpers.errors import UserFacingError

# BSBCCO605A range statement, "Contingency planning may include"
ACTIONS: dict[str, str] = {
    "keep_business_running": "activities to keep business running",
    "ivr_reduced_service_message": "Interactive Voice Response (IVR) message re reduced level of service",
    "take_messages_and_call_back": "taking messages and calling customers back when systems are back in operation",
    "temporary_redirection": "temporary redirection of calls to another area",
    "backup_systems_or_database": "use of back-up systems or database",
    "manual_processes_or_recording": "use of manual processes or recording",
}
# scenario kind -> the case-study systems (helpers.casestudy.SYSTEMS) it covers
SCENARIO_SYSTEMS: dict[str, tuple[str, ...]] = {
    "crm_failure": ("crm",),
    "customer_database_failure": ("crm",),
    "telephony_failure": ("telephony",),
    "ivr_failure": ("ivr",),
    "power_or_site_loss": ("power", "site"),
    "marketing_db_failure": ("marketing_db",),
}
ScenarioKind = Literal["crm_failure", "customer_database_failure", "telephony_failure", "ivr_failure",
                       "power_or_site_loss", "marketing_db_failure"]


class PlanError(UserFacingError):
    """A contingency plan that does not match the schema; the message names every bad field."""


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


_ACTION_LOOKUP = {**{_norm(k): k for k in ACTIONS}, **{_norm(v): k for k, v in ACTIONS.items()}}


class _Model(BaseModel):
    # defer_build: validators are built on the first plan parsed, not in every setup cell that imports this
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Communication(_Model):
    audience: str = Field(min_length=2, description="who is told")
    channel: str = Field(min_length=2, description="how (IVR, SMS, email, huddle, intranet ...)")
    timing: str = Field(min_length=2, description="when (within 10 minutes, at recovery ...)")


class TestSchedule(_Model):
    frequency: str = Field(min_length=3)
    last_test: dt.date | None = None
    next_test: dt.date | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.last_test and self.next_test and self.next_test <= self.last_test:
            raise ValueError(f"next_test ({self.next_test}) must be after last_test ({self.last_test})")
        return self


class Scenario(_Model):
    kind: ScenarioKind
    trigger: str = Field(min_length=3)
    detection: str = Field(min_length=3)
    rto_minutes: float | None = Field(None, gt=0, description="recovery time objective, minutes")
    rpo_minutes: float | None = Field(None, ge=0, description="recovery point objective, minutes of data")
    actions: list[str] = Field(min_length=1)
    owner: str | None = None
    communications: list[Communication] = Field(default_factory=list)
    test_schedule: TestSchedule | None = None

    @field_validator("actions", mode="before")
    @classmethod
    def _known_actions(cls, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ValueError("should be a list of actions")
        out = []
        for a in value:
            key = _ACTION_LOOKUP.get(_norm(a)) if isinstance(a, str) else None
            if key is None:
                raise ValueError(f"unknown action {a!r}; choose from: {', '.join(ACTIONS)}")
            out.append(key)
        return list(dict.fromkeys(out))

    @property
    def systems(self) -> tuple[str, ...]:
        return SCENARIO_SYSTEMS[self.kind]


class ContingencyPlan(_Model):
    title: str | None = None
    scenarios: list[Scenario] = Field(min_length=1)
    test_schedule: TestSchedule | None = None   # default for scenarios without their own

    def schedule_for(self, scenario: Scenario) -> TestSchedule | None:
        return scenario.test_schedule or self.test_schedule

    def scenario_for(self, system: str) -> Scenario | None:
        """The first scenario covering a case-study system ("crm", "telephony", ...)."""
        return next((s for s in self.scenarios if system in s.systems), None)


def _where(loc: tuple, data) -> str:
    parts = []
    node = data
    for p in loc:
        if isinstance(p, int):
            label = ""
            if isinstance(node, list) and p < len(node) and isinstance(node[p], dict) and node[p].get("kind"):
                label = f" ({node[p]['kind']})"
            parts[-1] = f"{parts[-1]}[{p + 1}]{label}" if parts else f"[{p + 1}]"
        else:
            parts.append(str(p))
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "plan"


def parse_plan(text_or_dict) -> ContingencyPlan:
    """A :class:`ContingencyPlan` from YAML text, a dict or a plan; :class:`PlanError` names each
    problem (``scenarios[2] (telephony_failure).rto_minutes: ...``)."""
    if isinstance(text_or_dict, ContingencyPlan):
        return text_or_dict
    data = text_or_dict
    if isinstance(data, str):
        import yaml   # only a plan written as text needs the parser

        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise PlanError(f"the plan is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(data, dict):
        raise PlanError("the plan should be a mapping with a 'scenarios' list (and optionally 'title' and "
                        f"'test_schedule'), got {type(data).__name__}")
    try:
        return ContingencyPlan.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = "unknown field"
            elif e["type"] == "literal_error" and e["loc"][-1] == "kind":
                msg = f"unknown scenario kind {e.get('input')!r}; choose from: {', '.join(SCENARIO_SYSTEMS)}"
            elif e["type"] in ("float_parsing", "float_type"):
                msg = f"should be a number of minutes, got {e.get('input')!r}"
            lines.append(f"{_where(e['loc'], data)}: {msg}")
        raise PlanError("; ".join(lines)) from exc
