"""Case studies as data: ``casestudies/<slug>/casestudy.yaml`` validated into a :class:`CaseStudy`.

A case study describes one fictional Australian organisation and its contact centre for one
period: queues (one per supply chain of the BSBCCO605A range statement), arrival profiles, the
staffing plan per half hour, service targets, budget, stakeholders, campaigns, outages and the
data-quality defect rates the generator injects. Learners read the narrative in ``README.md`` next
to the YAML; the generator and the graders read the YAML through :func:`load_case_study`.

Conventions: durations in seconds (``*_s``), money in AUD (``*_aud``), rates and shares as
fractions in 0..1, times as naive local times of the centre (``organisation.timezone``). Half-hour
lists (``intraday_profile``, ``staffing_plan``) have 48 entries, entry ``i`` covering
``[i*30 min, (i+1)*30 min)`` after midnight.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from helpers.datafile import cached, is_project_file, read_mapping
from helpers.errors import UserFacingError
# re-exported: callers import the layout's case-study names and the vocabulary from here too
from helpers.paths import DEFAULT_CASE_STUDY, casestudies_dir  # noqa: F401
from helpers.vocabulary import (DAY_TYPES, DEFECT_KINDS, INTERVALS_PER_DAY, MEASUREMENT_FAULT_KINDS,  # noqa: F401
                                MIS_SYSTEMS, QUEUE_NAMES, SYSTEMS, WEEKDAYS)


class CaseStudyError(UserFacingError):
    """A case study that cannot be found or does not validate."""


class _Model(BaseModel):
    # defer_build: a model's validator is built when it first validates, not when the module is imported (a
    # case study read from the cache, see load_case_study, is never validated again in that process)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Organisation(_Model):
    name: str
    trading_name: str
    industry: str
    city: str
    state: Literal["NSW", "VIC", "QLD", "SA", "WA", "TAS", "NT", "ACT"]
    fictional_abn: str = Field(description="ABN-shaped id that fails the ABN checksum on purpose")
    timezone: str = "Australia/Sydney"
    customers: int = Field(gt=0, description="Customers in the marketing-database extract")
    accounts: int | None = Field(None, gt=0, description="Accounts of the whole organisation (the extract is a "
                                 "sample of them; default 15 x customers)")
    weekday_calls: int | None = Field(None, gt=0, description="Calls offered on an average weekday, as the story "
                                      "tells it (checked against the data by the realism tests)")
    description: str = ""


class Period(_Model):
    start: dt.date
    days: int = Field(gt=0, le=366)

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)


class Hours(_Model):
    open: dt.time
    close: dt.time

    @model_validator(mode="after")
    def _ordered(self):
        if self.close <= self.open:
            raise ValueError(f"close ({self.close}) must be after open ({self.open})")
        for t in (self.open, self.close):
            if t.minute % 30 or t.second:
                raise ValueError(f"{t} is not on a half hour (the plan works in 30-minute intervals)")
        return self


class OpeningHours(_Model):
    weekday: Hours
    saturday: Hours | None = None
    sunday: Hours | None = None

    def for_day_type(self, day_type: str) -> Hours | None:
        return getattr(self, day_type)

    def open_mask(self, day_type: str) -> list[bool]:
        """48 booleans: which half hours of that day type the centre is open."""
        h = self.for_day_type(day_type)
        if h is None:
            return [False] * INTERVALS_PER_DAY
        lo = h.open.hour * 2 + h.open.minute // 30
        hi = h.close.hour * 2 + h.close.minute // 30
        return [lo <= i < hi for i in range(INTERVALS_PER_DAY)]


class Queue(_Model):
    name: Literal[QUEUE_NAMES]  # type: ignore[valid-type]
    supply_chain: str
    description: str = ""
    reasons: list[str] = Field(min_length=1)
    reason_weights: list[float] | None = None
    talk_mean_s: float = Field(gt=0)
    talk_cv: float = Field(gt=0)
    hold_prob: float = Field(ge=0, le=1)
    hold_mean_s: float = Field(ge=0)
    wrap_mean_s: float = Field(gt=0)
    wrap_cv: float = Field(gt=0)
    patience_mean_s: float = Field(gt=0)
    daily_volume: float = Field(gt=0, description="Mean calls offered per weekday")
    resolve_prob: float = Field(ge=0, le=1, description="P(resolved on an answered call)")
    repeat_prob: float = Field(ge=0, le=1, description="P(an unresolved caller calls again within 7 days)")
    identified_share: float = Field(0.95, ge=0, le=1, description="Share of callers identified as customers")
    sale_prob: float | None = Field(None, ge=0, le=1, description="Base P(sale) on an answered sales call")
    sale_products: dict[str, list[str]] | None = Field(None, description="Products sold per reason")

    @model_validator(mode="after")
    def _weights(self):
        if self.reason_weights is not None:
            if len(self.reason_weights) != len(self.reasons):
                raise ValueError(f"reason_weights has {len(self.reason_weights)} entries, "
                                 f"reasons has {len(self.reasons)}: they must match")
            if any(w < 0 for w in self.reason_weights) or sum(self.reason_weights) <= 0:
                raise ValueError("reason_weights must be non-negative with a positive sum")
        return self

    @property
    def weights(self) -> list[float]:
        """Reason probabilities (normalised)."""
        w = self.reason_weights or [1.0] * len(self.reasons)
        s = float(sum(w))
        return [x / s for x in w]


def _closed_by_default():
    """A day type left out of a half-hour list: all zeros (closed)."""
    return Field(default_factory=lambda: [0] * INTERVALS_PER_DAY, validate_default=True)


class HalfHoursByDayType(_Model):
    """One non-negative value per half hour (48 entries) for each day type (``DAY_TYPES``); a day type left out
    is all zeros (closed). The values are floats; a subclass of whole numbers (:class:`DayPlan`) annotates the
    three lists again. (Not a generic model: parametrising one builds its validator when the module is
    imported, which ``defer_build`` is there to avoid.)"""
    weekday: list[float]
    saturday: list[float] = _closed_by_default()
    sunday: list[float] = _closed_by_default()

    @field_validator(*DAY_TYPES)
    @classmethod
    def _half_hours(cls, v, info):
        if len(v) != INTERVALS_PER_DAY:
            raise ValueError(f"{info.field_name} needs {INTERVALS_PER_DAY} half-hour entries, got {len(v)}")
        if any(x < 0 for x in v):
            raise ValueError(f"{info.field_name} must not be negative")
        return v


class IntradayProfile(HalfHoursByDayType):
    """Relative arrival weight per half hour (normalised per day by the generator)."""


class WeeklyProfile(_Model):
    """Volume multiplier per day of week; the weekday (Mon-Fri) mean is normalised to 1."""
    mon: float = Field(ge=0)
    tue: float = Field(ge=0)
    wed: float = Field(ge=0)
    thu: float = Field(ge=0)
    fri: float = Field(ge=0)
    sat: float = Field(ge=0)
    sun: float = Field(ge=0)

    def factors(self) -> list[float]:
        raw = [getattr(self, d) for d in WEEKDAYS]
        m = sum(raw[:5]) / 5
        return [x / m for x in raw]


class DayPlan(HalfHoursByDayType):
    """Agents rostered per half hour (48 entries) for one queue and day type."""
    weekday: list[int]
    saturday: list[int] = _closed_by_default()
    sunday: list[int] = _closed_by_default()


class Target(_Model):
    target: float
    direction: Literal["higher", "lower"]
    unit: str
    threshold_s: int | None = None
    variant: str | None = None

    @model_validator(mode="after")
    def _check(self):
        # impossible values are refused here, not discovered as nonsense KPIs (800 meant 80%, or 0.8)
        kind = self.unit.split()[0] if self.unit.strip() else ""
        if kind == "fraction" and not 0 <= self.target <= 1:
            raise ValueError(f"target {self.target:g} is a fraction, so it must be between 0 and 1 (0.8 for 80%)")
        if kind == "points" and not -100 <= self.target <= 100:
            raise ValueError(f"target {self.target:g} is in points (like NPS), so it must be between -100 and 100")
        if kind in ("seconds", "AUD") and self.target < 0:
            raise ValueError(f"target {self.target:g} {self.unit} cannot be negative")
        if self.threshold_s is not None and self.threshold_s <= 0:
            raise ValueError(f"threshold_s must be a positive number of seconds, got {self.threshold_s}")
        return self


class Stakeholder(_Model):
    name: str
    role: str
    level: Literal["centre", "enterprise", "external"]
    interests: list[str] = Field(min_length=1)
    organisation: str | None = None


class Outage(_Model):
    """A system outage of the period as published (the practice dataset's schedule). Each learner's data has
    it on a day and at a time of their own (``helpers.generator.outages``; their ``incidents`` table)."""
    id: str
    system: Literal[SYSTEMS]  # type: ignore[valid-type]
    start: dt.datetime
    end: dt.datetime
    planned: bool
    queues: list[str] = Field(min_length=1)
    description: str

    @model_validator(mode="after")
    def _check(self):
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        bad = [q for q in self.queues if q not in QUEUE_NAMES]
        if bad:
            raise ValueError(f"unknown queue(s) {bad}; expected some of {list(QUEUE_NAMES)}")
        return self


class Contingency(_Model):
    callback_capacity_per_hour: int = Field(gt=0)
    records_per_hour_rekey: int = Field(gt=0)


class OutageEffects(_Model):
    """How outages change calls (see docs/data.md)."""
    crm_handle_multiplier: float = Field(1.35, ge=1)
    crm_callback_share: float = Field(0.3, ge=0, le=1)
    crm_resolve_factor: float = Field(0.7, ge=0, le=1)
    telephony_retry_prob: float = Field(0.65, ge=0, le=1)
    telephony_retry_delay_s: float = Field(900.0, gt=0)
    ivr_lost_share: float = Field(0.35, ge=0, le=1)
    ivr_redirect_queue: Literal[QUEUE_NAMES] = "customer_service"  # type: ignore[valid-type]


class Retrials(_Model):
    """Callers who abandon in the queue and call back (retrials; Gans, Koole and Mandelbaum 2003).

    After an abandonment the caller tries again with ``retry_prob`` (``again_prob`` after a second or
    later abandonment), after a delay that is a mixture of exponentials: ``quick_share`` within
    minutes (mean ``quick_mean_s``) and the rest within hours (mean ``slow_mean_s``). A retrial that
    would fall while the centre is closed comes in once it is open again. Retrials are offered calls,
    so poor service feeds back into the load.
    """
    retry_prob: float = Field(0.5, ge=0, le=1)
    again_prob: float = Field(0.35, ge=0, le=1)
    quick_share: float = Field(0.65, ge=0, le=1)
    quick_mean_s: float = Field(300.0, gt=0)
    slow_mean_s: float = Field(7200.0, gt=0)


class ShortCalls(_Model):
    """The spike of very short service times (Brown et al. 2005): hang-ups, misroutes, wrong numbers.

    A share ``share_of_unmet`` of answered calls whose need is *not* met is such a call: talk lognormal
    with mean ``talk_mean_s`` (cv 0.7, at least 1 s), no hold, wrap mean ``wrap_mean_s``.
    """
    share_of_unmet: float = Field(0.15, ge=0, le=1)
    talk_mean_s: float = Field(9.0, gt=0)
    wrap_mean_s: float = Field(8.0, gt=0)


class BudgetLine(_Model):
    line: str
    amount_aud: float = Field(ge=0)
    period: Literal["month", "quarter", "year", "period"]
    category: Literal["labour", "technology", "training", "marketing", "quality", "premises", "other"] = "other"


class CostOption(_Model):
    """An option a manager could choose, with its costs (AUD) and the effect the business case claims."""
    id: str
    name: str
    one_off_aud: float = Field(0.0, ge=0)
    monthly_aud: float = Field(0.0, ge=0)
    kpi: str = ""
    expected_effect: str = ""


class Objective(_Model):
    id: str
    text: str
    kpi: str | None = None
    target: float | None = None


class Campaign(_Model):
    id: str
    name: str
    kind: Literal["acquisition", "cross-sell", "retention", "win-back", "service"]
    channel: Literal["phone", "email", "sms", "post"]
    product_id: str | None = None
    start: dt.date
    end: dt.date
    budget_aud: float = Field(ge=0)
    inbound_uplift: float = Field(1.0, ge=1)
    queue: Literal[QUEUE_NAMES] = "sales"  # type: ignore[valid-type]
    sale_prob_factor: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _dates(self):
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class Product(_Model):
    id: str
    name: str
    category: str
    price_aud: float = Field(ge=0)
    billing: Literal["monthly", "once"]
    margin_pct: float
    take_up: float = Field(ge=0, le=1, description="Share of customers holding it")


class Segment(_Model):
    name: str
    share: float = Field(gt=0, le=1)
    description: str = ""
    business: bool = False
    age_range: tuple[int, int] = (18, 90)
    call_rate: float = Field(1.0, gt=0, description="Relative propensity to call")
    sale_factor: float = Field(1.0, gt=0, description="Multiplier on P(sale)")
    csat_shift: float = Field(0.0, description="Shift of the latent satisfaction score (CSAT points)")
    churn_factor: float = Field(1.0, ge=0, description="Multiplier on the case study's churn_annual_rate")


class Workforce(_Model):
    absence_rate: float = Field(0.05, ge=0, lt=1, description="P(whole-shift unplanned absence)")
    absence_day_cv: float = Field(0.5, ge=0, description="Day-to-day variation of absence (gamma CV)")
    break_s_per_hour: float = Field(225.0, ge=0, description="Paid breaks per rostered hour, seconds")
    other_shrinkage: float = Field(0.06, ge=0, lt=1, description="Meetings, coaching, training: share of time")
    hourly_cost_aud: float = Field(44.0, gt=0)
    team_leader_hourly_cost_aud: float = Field(58.0, gt=0)
    agents_per_team_leader: int = Field(12, gt=0)


class Surveys(_Model):
    invite_share: float = Field(0.4, ge=0, le=1, description="Share of answered identified calls surveyed")
    response_rate: float = Field(0.3, ge=0, le=1)
    verbatim_share: float = Field(0.6, ge=0, le=1)


class Complaints(_Model):
    base_rate: float = Field(0.004, ge=0, le=1, description="P(complaint) per answered call, good experience")
    bad_experience_factor: float = Field(8.0, ge=1)
    other_channel_share: float = Field(0.3, ge=0, lt=1, description="Complaints by email/web/letter")
    external_escalation: float = Field(0.05, ge=0, le=1)
    # the organisation's complaints policy (timeliness is measured against it)
    acknowledge_working_days: int = Field(1, ge=0, description="Acknowledge within this many working days")
    resolve_working_days: int = Field(10, ge=1, description="Resolve within this many working days, else "
                                      "escalate internally (internal dispute resolution)")
    final_response_working_days: int = Field(20, ge=1, description="Final response after internal escalation "
                                             "within this many working days of receipt")
    internal_escalation: float = Field(0.08, ge=0, le=1, description="Share escalated internally at the "
                                       "customer's request before the deadline")
    policy_breach_share: float = Field(0.08, ge=0, le=1, description="Share of acknowledgements sent late")


class QualityAssurance(_Model):
    """Quality-assurance evaluations: team leaders score sampled answered calls on a form."""
    evaluations_per_agent_week: float = Field(1.0, ge=0)
    items: list[str] = Field(default_factory=lambda: ["greeting", "verification", "needs_analysis", "resolution",
                                                      "compliance", "empathy", "wrap_notes"])


class IvrOption(_Model):
    """One option of the IVR's main menu: the queue it routes to and, optionally, a self-service task
    that completes some sessions without an agent (``containment``: share of the option's sessions)."""
    key: str
    label: str
    queue: Literal[QUEUE_NAMES]  # type: ignore[valid-type]
    self_service: str | None = None
    containment: float = Field(0.0, ge=0, lt=1)
    failed_share: float = Field(0.0, ge=0, le=1, description="Share of the option's routed callers who tried "
                                "self-service first and gave up (then routed to the queue)")

    @model_validator(mode="after")
    def _check(self):
        if self.containment > 0 and not self.self_service:
            raise ValueError(f"IVR option {self.key}: containment {self.containment} needs a self_service task")
        return self


class IvrChannel(_Model):
    """The IVR in front of every voice queue (a session precedes each queued call)."""
    menu_mean_s: float = Field(40.0, gt=0, description="Mean time in the menu before routing")
    menu_cv: float = Field(0.5, gt=0)
    self_service_mean_s: float = Field(120.0, gt=0, description="Mean length of a self-service session")
    abandon_share: float = Field(0.04, ge=0, lt=0.5, description="Sessions that hang up in the menu")
    options: list[IvrOption] = Field(min_length=1)


class ChatChannel(_Model):
    """Web chat: agents handle up to ``concurrency`` chats at once during opening hours."""
    daily_volume: float = Field(gt=0, description="Chats offered on an average weekday")
    queues: list[Literal[QUEUE_NAMES]] = Field(min_length=1, description="Queues whose reasons chat serves")  # type: ignore[valid-type]
    agents: dict[Literal["weekday", "saturday", "sunday"], int] = Field(description="Chat agents on duty "
                                                                        "through opening hours, per day type")
    concurrency: int = Field(3, ge=1, le=6)
    handle_mean_s: float = Field(600.0, gt=0, description="Mean length of an answered chat (elapsed)")
    handle_cv: float = Field(0.7, gt=0)
    patience_mean_s: float = Field(240.0, gt=0)
    resolve_prob: float = Field(0.75, ge=0, le=1)
    callback_share: float = Field(0.06, ge=0, le=1, description="Answered chats that end with a promised call")
    target_s: int = Field(60, gt=0, description="Service target: answered within this many seconds")
    target_share: float = Field(0.8, ge=0, le=1)


class EmailChannel(_Model):
    """E-mail (tickets): received around the clock, answered first-in-first-out during opening hours."""
    daily_volume: float = Field(gt=0, description="E-mails received on an average weekday")
    weekend_factor: float = Field(0.5, ge=0)
    queues: list[Literal[QUEUE_NAMES]] = Field(min_length=1)  # type: ignore[valid-type]
    agents: dict[Literal["weekday", "saturday", "sunday"], int]
    handle_mean_s: float = Field(420.0, gt=0)
    handle_cv: float = Field(0.6, gt=0)
    resolve_prob: float = Field(0.8, ge=0, le=1)
    callback_share: float = Field(0.08, ge=0, le=1, description="E-mails answered by phoning the customer")
    target_hours: float = Field(24.0, gt=0, description="Service target: replied within this many hours")
    target_share: float = Field(0.9, ge=0, le=1)


class CallbackChannel(_Model):
    """Outbound callbacks promised on a call (outcome 'callback'), a chat or an e-mail."""
    delay_mean_s: float = Field(7200.0, gt=0, description="Mean delay from the promise to the call (open hours)")
    connect_prob: float = Field(0.8, ge=0, le=1, description="Callbacks the customer answers")
    talk_mean_s: float = Field(300.0, gt=0)
    talk_cv: float = Field(0.8, gt=0)
    resolve_prob: float = Field(0.8, ge=0, le=1)
    target_hours: float = Field(24.0, gt=0, description="Service target: called back within this many hours")


class ClockSkew(_Model):
    """A system clock off by an offset (drawn in ``offset_s``) over ``days`` consecutive open days."""
    system: Literal[MIS_SYSTEMS]  # type: ignore[valid-type]
    offset_s: tuple[float, float]
    days: int = Field(gt=0, le=60)

    @model_validator(mode="after")
    def _check(self):
        lo, hi = self.offset_s
        if lo > hi or (lo <= 0 <= hi):
            raise ValueError(f"clock skew of {self.system}: offset_s {self.offset_s} must be an ordered range "
                             "that does not include 0")
        return self


class Measurement(_Model):
    """What the MIS records, and the measurement faults injected (ground truth to the grader only)."""
    systems: dict[Literal[MIS_SYSTEMS], str] = Field(description="Product name of each system")  # type: ignore[valid-type]
    fault_rates: dict[str, float] = Field(default_factory=dict)
    clock_skew: list[ClockSkew] = Field(default_factory=list)

    @field_validator("fault_rates")
    @classmethod
    def _rates(cls, v):
        for k, r in v.items():
            if k not in MEASUREMENT_FAULT_KINDS or k == "clock_skew":
                raise ValueError(f"unknown measurement fault {k!r}; expected one of "
                                 f"{', '.join(x for x in MEASUREMENT_FAULT_KINDS if x != 'clock_skew')} "
                                 "(clock skew is declared in clock_skew)")
            if not 0 <= r <= 0.2:
                raise ValueError(f"measurement fault rate for {k} must be between 0 and 0.2, got {r}")
        return v

    @model_validator(mode="after")
    def _check(self):
        missing = [s for s in MIS_SYSTEMS if s not in self.systems]
        if missing:
            raise ValueError(f"systems: name every system of the MIS, missing {missing}")
        return self


class Channels(_Model):
    """The contact channels besides the voice queues, and the MIS that measures them (docs/data.md)."""
    ivr: IvrChannel
    chat: ChatChannel | None = None
    email: EmailChannel | None = None
    callbacks: CallbackChannel = Field(default_factory=CallbackChannel)
    measurement: Measurement


class ConsultationDemand(_Model):
    """One thing a stakeholder needs before signing off the centre's marketing proposal
    (:mod:`helpers.consultation`). Values drawn from ``range`` (in steps of ``step``) or ``choices`` differ
    per learner (drawn from the dataset's seed and learner); ``probability`` is the chance that a learner's
    stakeholder holds the demand at all, so positions differ in kind as well as in value."""
    kind: Literal["target_at_least", "target_at_most", "offers_on", "no_offers_on", "flag", "calling_hours_end",
                  "notice_days", "retention_segment", "priority_queue", "service_evidence"]
    kpi: str | None = Field(None, description="target_at_least / target_at_most: the KPI of the target")
    field: str | None = Field(None, description="flag: the offers-policy field that must be true")
    queue: str | None = Field(None, description="service_evidence: the queue (supply chain) the stakeholder manages")
    range: tuple[float, float] | None = None
    step: float | None = Field(None, gt=0)
    choices: list[str] | None = None
    probability: float = Field(1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _check(self):
        needs = {"target_at_least": ("kpi", "range"), "target_at_most": ("kpi", "range"), "offers_on": ("choices",),
                 "no_offers_on": ("choices",), "flag": ("field",), "calling_hours_end": ("range",),
                 "notice_days": ("range",), "service_evidence": ("queue",)}
        missing = [k for k in needs.get(self.kind, ()) if getattr(self, k) is None]
        if missing:
            raise ValueError(f"consultation demand {self.kind} needs {', '.join(missing)}")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"consultation demand {self.kind}: range {self.range} is reversed")
        return self


class ConsultationStakeholder(_Model):
    """A stakeholder on the consultation panel: their concern (shown to the learner) and their demands
    (revealed only through their replies)."""
    name: str
    concern: str
    demands: list[ConsultationDemand] = Field(min_length=1)


class Consultation(_Model):
    """The stakeholders a learner consults on the centre's sales and marketing proposal (PC 1.2, 1.5)."""
    panel: list[ConsultationStakeholder] = Field(min_length=3)


class DataStandards(_Model):
    """The centre's MIS data standard: what the data its systems collect is monitored against (BSBCUE602
    PC 2.2, ``helpers.mis_accuracy``). Shares are fractions in (0, 1] (0.985 = 98.5 %); times in seconds."""
    wrap_code_completeness: float = Field(gt=0, le=1, description="Least share of handled contacts that carry a "
                                          "saved wrap code (fraction of handled contacts)")
    wrap_code_accuracy: float = Field(gt=0, le=1, description="Least share of saved wrap codes that match what "
                                      "happened in the contact (fraction of saved wrap codes)")
    clock_tolerance_s: float = Field(ge=0, description="Largest tolerated offset of a system's clock from the "
                                     "reference clock (NTP), seconds")
    reconciliation_gap: int = Field(ge=0, description="Largest gap tolerated between two systems' counts of the "
                                    "same contacts once known causes (open tickets, duplicates) are explained, "
                                    "contacts")


class CaseStudy(_Model):
    slug: str
    title: str
    organisation: Organisation
    period: Period
    opening_hours: OpeningHours
    queues: list[Queue] = Field(min_length=1)
    intraday_profile: IntradayProfile
    weekly_profile: WeeklyProfile
    talk_hour_factor: list[float] = Field(default_factory=lambda: [1.0] * 24)
    day_factor_cv: float = Field(0.15, ge=0)
    day_factor_carryover: float = Field(0.0, ge=0, lt=1, description="Lag-1 autocorrelation of the log day "
                                        "factor (busy spells last a few days)")
    seasonality: list[float] | None = Field(None, description="Volume multipliers for January..December (12 "
                                           "values; interpolated by day; normalised to 1 over the period)")
    volume_trend_per_year: float = Field(0.0, gt=-1, description="Growth of call volume per year from the "
                                         "start of the period (0.04 = 4% a year)")
    intraday_tilt_sd: float = Field(0.0, ge=0, description="Day-to-day random tilt of the intraday shape "
                                    "(share moved between morning and evening)")
    staffing_plan: dict[str, DayPlan]
    targets: dict[str, Target]
    stakeholders: list[Stakeholder] = Field(min_length=1)
    objectives: list[Objective] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)
    products: list[Product] = Field(min_length=1)
    segments: list[Segment] = Field(min_length=1)
    outages: list[Outage] = Field(default_factory=list)
    outage_effects: OutageEffects = Field(default_factory=OutageEffects)
    retrials: Retrials = Field(default_factory=Retrials)
    short_calls: ShortCalls = Field(default_factory=ShortCalls)
    contingency: Contingency
    budget: list[BudgetLine] = Field(default_factory=list)
    options: list[CostOption] = Field(default_factory=list)
    marketing_budget_aud_per_month: float = Field(0.0, ge=0, description="Marketing budget line (campaigns)")
    financial_year_start_month: int = Field(7, ge=1, le=12, description="First month of the financial year")
    defect_rates: dict[str, float] = Field(default_factory=dict)
    report_deadline: dt.datetime
    workforce: Workforce = Field(default_factory=Workforce)
    surveys: Surveys = Field(default_factory=Surveys)
    complaints: Complaints = Field(default_factory=Complaints)
    quality_assurance: QualityAssurance = Field(default_factory=QualityAssurance)
    history_months: int = Field(12, ge=1, le=60, description="Months of offer history before the period")
    churn_annual_rate: float = Field(0.05, ge=0, le=1, description="Share of customers leaving per year without "
                                     "a call that leads to it (switching retailer), before segment factors")
    channels: Channels | None = Field(None, description="IVR, chat, e-mail, callbacks and the MIS measuring them")
    consultation: Consultation | None = Field(None, description="Stakeholders' positions on the marketing "
                                              "proposal (helpers.consultation)")
    information_needs: InformationNeeds | None = Field(None, description="Who uses the centre's information and "
                                                       "what each may need (helpers.information_needs)")
    data_standards: DataStandards | None = Field(None, description="The centre's MIS data standard: what its "
                                                 "collected data is monitored against (helpers.mis_accuracy)")

    @field_validator("seasonality")
    @classmethod
    def _twelve(cls, v):
        if v is not None and (len(v) != 12 or min(v) <= 0):
            raise ValueError("seasonality needs 12 positive monthly multipliers (January..December)")
        return v

    @field_validator("talk_hour_factor")
    @classmethod
    def _hours(cls, v):
        if len(v) != 24 or any(x <= 0 for x in v):
            raise ValueError(f"talk_hour_factor needs 24 positive entries, got {len(v)}")
        return v

    @field_validator("defect_rates")
    @classmethod
    def _defects(cls, v):
        for k, r in v.items():
            if k not in DEFECT_KINDS:
                raise ValueError(f"unknown defect kind {k!r}; expected one of {', '.join(DEFECT_KINDS)}")
            if not 0 <= r <= 0.5:
                raise ValueError(f"defect rate for {k} must be between 0 and 0.5, got {r}")
        return v

    @model_validator(mode="after")
    def _consistency(self):
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise ValueError(f"queues: duplicate queue names in {names}")
        missing = [n for n in names if n not in self.staffing_plan]
        if missing:
            raise ValueError(f"staffing_plan: no plan for queue(s) {missing}")
        extra = [n for n in self.staffing_plan if n not in names]
        if extra:
            raise ValueError(f"staffing_plan: plan for unknown queue(s) {extra}")
        for q, plan in self.staffing_plan.items():
            for day_type in DAY_TYPES:
                mask = self.opening_hours.open_mask(day_type)
                staffed = [i for i, n in enumerate(getattr(plan, day_type)) if n and not mask[i]]
                if staffed:
                    raise ValueError(f"staffing_plan.{q}.{day_type}: agents rostered in half hour(s) "
                                     f"{staffed} while the centre is closed")
        for t in ("service_level",):
            if t not in self.targets:
                raise ValueError(f"targets: missing {t!r}")
        sl = self.targets["service_level"]
        if sl.threshold_s is None or sl.variant is None:
            raise ValueError("targets.service_level needs threshold_s and variant")
        shares = sum(s.share for s in self.segments)
        if abs(shares - 1) > 1e-6:
            raise ValueError(f"segments: shares must add up to 1, they add up to {shares:.4f}")
        product_ids = {p.id for p in self.products}
        for c in self.campaigns:
            if c.product_id is not None and c.product_id not in product_ids:
                raise ValueError(f"campaigns: {c.id} offers unknown product {c.product_id!r}")
        for q in self.queues:
            for reason, ids in (q.sale_products or {}).items():
                if reason not in q.reasons:
                    raise ValueError(f"queues: {q.name}.sale_products names unknown reason {reason!r}")
                unknown = [i for i in ids if i not in product_ids]
                if unknown or not ids:
                    raise ValueError(f"queues: {q.name}.sale_products.{reason} needs known product ids, got {ids}")
        for o in self.outages:
            bad = [q for q in o.queues if q not in names]
            if bad:
                raise ValueError(f"outages: {o.id} affects queue(s) {bad} that the case study does not have")
        if self.channels is not None:
            ch = self.channels
            keys = [o.key for o in ch.ivr.options]
            if len(set(keys)) != len(keys):
                raise ValueError(f"channels.ivr.options: duplicate keys in {keys}")
            routed = [o.queue for o in ch.ivr.options]
            unrouted = [n for n in names if n not in routed]
            if unrouted or len(set(routed)) != len(routed):
                raise ValueError(f"channels.ivr.options: every queue needs exactly one menu option "
                                 f"(unrouted {unrouted}, options route to {routed})")
            for what, c in (("chat", ch.chat), ("email", ch.email)):
                bad = [q for q in (c.queues if c else []) if q not in names]
                if bad:
                    raise ValueError(f"channels.{what}.queues: unknown queue(s) {bad}")
        return self

    @model_validator(mode="after")
    def _consultation_panel(self):
        if self.consultation is None:
            return self
        people = {s.name: s.level for s in self.stakeholders}
        unknown = [p.name for p in self.consultation.panel if p.name not in people]
        if unknown:
            raise ValueError(f"consultation.panel: not stakeholders of the case study: {unknown}")
        levels = {people[p.name] for p in self.consultation.panel}
        if not {"centre", "enterprise", "external"} <= levels:
            raise ValueError("consultation.panel needs at least one centre, enterprise and external stakeholder")
        for p in self.consultation.panel:
            for d in p.demands:
                if d.kpi is not None and d.kpi not in self.targets:
                    raise ValueError(f"consultation.panel: {p.name} demands a target for unknown KPI {d.kpi!r}")
                bad = [q for q in (d.choices or []) + ([d.queue] if d.queue else []) if d.kind != "flag"
                       and q not in QUEUE_NAMES]
                if bad:
                    raise ValueError(f"consultation.panel: {p.name} names unknown queue(s) {bad}")
        return self

    # -- conveniences -----------------------------------------------------------------------
    def queue(self, name: str) -> Queue:
        for q in self.queues:
            if q.name == name:
                return q
        raise KeyError(f"case study {self.slug!r} has no queue {name!r}; queues: {[q.name for q in self.queues]}")

    @property
    def queue_names(self) -> list[str]:
        return [q.name for q in self.queues]

    def stakeholders_at(self, level: str) -> list[Stakeholder]:
        return [s for s in self.stakeholders if s.level == level]


def list_case_studies() -> list[str]:
    """Slugs of the case studies shipped in ``casestudies/`` (sorted)."""
    root = casestudies_dir()
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob("*/casestudy.yaml"))


def _field_path(loc) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(top level)"


def _readable(exc: ValidationError, source: Path) -> str:
    lines = [f"case study {source} is not valid ({exc.error_count()} problem(s)):"]
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        if err["type"] == "missing":
            msg = "field required but missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif given is not None and not isinstance(given, (dict, list)):
            msg += f" (got {given!r})"
        lines.append(f"  - {_field_path(err['loc'])}: {msg}")
    return "\n".join(lines)


def _resolve(slug_or_path: str | Path) -> Path:
    p = Path(slug_or_path)
    if p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise CaseStudyError(f"case study file {p} does not exist")
        return p.resolve()
    if p.is_dir() and (p / "casestudy.yaml").is_file():
        return (p / "casestudy.yaml").resolve()
    candidate = casestudies_dir() / str(slug_or_path) / "casestudy.yaml"
    if candidate.is_file():
        return candidate.resolve()
    known = list_case_studies()
    raise CaseStudyError(f"unknown case study {str(slug_or_path)!r}; known case studies: "
                         f"{', '.join(known) if known else '(none in ' + str(casestudies_dir()) + ')'}")


def load_case_study(slug_or_path: str | Path = DEFAULT_CASE_STUDY) -> CaseStudy:
    """Load and validate a case study by slug (``casestudies/<slug>/``), folder or YAML path.

    Raises :class:`CaseStudyError` (a ``UserFacingError``) naming the file, each wrong field as a
    dotted path and what was expected.
    """
    return _load(_resolve(slug_or_path))


@lru_cache(maxsize=16)
def _load_cached(path: Path, mtime_ns: int) -> CaseStudy:
    """The validated case study; a shipped one comes from the user's cache when its YAML and this module are
    unchanged (``helpers.datafile.cached``: validating it costs a workbook's setup cell a tenth of a second)."""
    if not is_project_file(path):
        return _validated(path)
    import pydantic
    return cached("casestudy", path, lambda _: _validated(path),
                  key=f"{pydantic.VERSION}|{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}")


def _validated(path: Path) -> CaseStudy:
    raw = read_mapping(path, "case study", error=CaseStudyError, shape="of fields")
    try:
        cs = CaseStudy.model_validate(raw)
    except ValidationError as exc:
        raise CaseStudyError(_readable(exc, path)) from None
    if path.name == "casestudy.yaml" and cs.slug != path.parent.name:
        raise CaseStudyError(f"case study {path}: slug {cs.slug!r} does not match its folder {path.parent.name!r}")
    return cs


def _load(path: Path) -> CaseStudy:
    return _load_cached(path, path.stat().st_mtime_ns)


def case_study_dir(cs: CaseStudy) -> Path:
    """Folder of a shipped case study (for its README)."""
    return casestudies_dir() / cs.slug


# ---------------------------------------------------------------------------- information needs (BSBCUE602 element 4)
INFORMATION_LEVELS = ("interval", "daily", "weekly", "monthly", "quarterly")
INFORMATION_SEGMENTATIONS = ("queue", "channel", "segment", "none")
INFORMATION_FORMATS = ("table", "chart", "one-page summary", "dashboard")
INFORMATION_FREQUENCIES = ("every 30 minutes", "daily", "weekly", "monthly", "quarterly")


class InformationUser(_Model):
    """A stakeholder who may use the centre's information (:mod:`helpers.information_needs`): whether they use it
    at all (``probability``), and the ranges their needs are drawn from per learner (``measures_count`` of
    ``measures``, one level, segmentation, format and frequency). ``decisions`` is what they use it for (said in
    the interview); ``words`` are words a learner's account of that use names; ``not_used`` is what a stakeholder
    who does not use it says."""
    name: str
    decisions: str
    words: list[str] = Field(min_length=1)
    not_used: str = ""
    probability: float = Field(1.0, gt=0, le=1)
    measures: list[str] = Field(min_length=1)
    measures_count: int = Field(2, ge=1)
    level: list[Literal[INFORMATION_LEVELS]] = Field(min_length=1)  # type: ignore[valid-type]
    segmentation: list[Literal[INFORMATION_SEGMENTATIONS]] = Field(min_length=1)  # type: ignore[valid-type]
    format: list[Literal[INFORMATION_FORMATS]] = Field(min_length=1)  # type: ignore[valid-type]
    frequency: list[Literal[INFORMATION_FREQUENCIES]] = Field(min_length=1)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _check(self):
        if self.measures_count > len(self.measures):
            raise ValueError(f"{self.name}: measures_count {self.measures_count} is more than the "
                             f"{len(self.measures)} measures listed")
        if self.probability < 1 and not self.not_used.strip():
            raise ValueError(f"{self.name}: a stakeholder who may not use the information needs not_used")
        return self


class InformationNeeds(_Model):
    """Who uses the centre's information and the ranges of what each needs (BSBCUE602 PC 4.1-4.3)."""
    stakeholders: list[InformationUser] = Field(min_length=3)

