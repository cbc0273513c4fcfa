"""Stakeholder consultation: a simulated panel the learner negotiates the centre's marketing proposal with.

The case study names the panel and what each stakeholder may demand (``consultation`` in
``casestudy.yaml``); *which* demands a stakeholder holds, and with which values, is drawn from the
learner's dataset (its seed and learner id), so two learners meet different positions and a sentence
copied from another learner's consultation is wrong. Some demands are grounded in the learner's own
data (the segment whose churn is highest, the queue furthest behind its service level, each supply
chain's service level), so a stakeholder objects when the proposal misreads the data.

The learner writes a proposal as plain data::

    proposal = {
        "principles": ["customer focus", ...],                 # from the learner's framework
        "targets": {"retention_rate": 0.99, "aht_s": 450, ...},  # KPI targets (the KPI's own unit)
        "offers": {"queues": ["sales", "billing"], "exclude_hardship": True, "consent_checked": True,
                   "retention_segment": "residential_renter"},
        "calling_hours": {"start": 9, "end": 19},               # outbound calls, local hour
        "timing": {"launch": "2025-06-20", "notice_days": 14},  # launch, and notice given to partners
        "priority_queue": "billing",                            # the queue the centre improves first
        "services": {"billing": {"offer": "...", "service_level": 0.74}},  # per supply chain: offer, evidence
    }

and consults the panel (:class:`Consultation`): every stakeholder replies (signs off, or objects with
the reasons, questions and conditions); the learner revises and consults again until every stakeholder
signs off. Each round is kept in ``transcript`` (plain data), which is part of the evidence: the grader
re-runs the panel on every round of the transcript and on the final proposal (:func:`verify`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

PROPOSAL_KEYS = ("principles", "targets", "offers", "calling_hours", "timing", "priority_queue", "services")
LOWER_IS_BETTER = {"abandonment_rate", "asa_s", "aht_s", "cost_per_contact_aud", "occupancy"}
SERVICE_TOLERANCE = 0.01  # a quoted service level is accepted within one percentage point


@dataclass(frozen=True)
class Demand:
    """A demand a learner's stakeholder holds: ``kind`` and its drawn ``value`` (None when from the data)."""
    kind: str
    value: object = None
    kpi: str | None = None
    field: str | None = None
    queue: str | None = None


@dataclass(frozen=True)
class Position:
    """One stakeholder's position for this learner."""
    name: str
    role: str
    level: str
    concern: str
    demands: tuple[Demand, ...]


@dataclass
class Reply:
    """One stakeholder's reply to one proposal."""
    stakeholder: str
    level: str
    signs_off: bool
    says: list[str] = field(default_factory=list)
    asks: dict = field(default_factory=dict)  # conditions stated with a value: "targets.aht_s" -> 450
    unmet: list[str] = field(default_factory=list)  # kinds of the demands the proposal does not meet

    def as_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------------------ positions
def _draw(rng: np.random.Generator, lo: float, hi: float, step: float | None) -> float:
    if step:
        n = int(round((hi - lo) / step))
        return round(lo + step * int(rng.integers(0, n + 1)), 6)
    return float(rng.uniform(lo, hi))


def positions(ds) -> list[Position]:
    """The panel's positions for the learner whose dataset ``ds`` is (deterministic per seed and learner)."""
    from helpers.generator.rng import stream

    cs = ds.case_study
    if getattr(cs, "consultation", None) is None:
        raise ValueError(f"case study {cs.slug!r} has no consultation panel")
    manifest = getattr(ds, "manifest", None) or {}
    people = {s.name: s for s in cs.stakeholders}
    out = []
    for member in cs.consultation.panel:
        rng = stream(int(manifest.get("seed", 0) or 0), manifest.get("learner"), f"consultation:{member.name}")
        demands = []
        for d in member.demands:
            held = rng.random() < d.probability
            value = None
            if d.range is not None:
                value = _draw(rng, d.range[0], d.range[1], d.step)
            elif d.choices:
                value = d.choices[int(rng.integers(0, len(d.choices)))]
            if held:
                demands.append(Demand(d.kind, value, d.kpi, d.field, d.queue))
        s = people[member.name]
        role = s.role + (f", {s.organisation}" if s.organisation else "")
        out.append(Position(member.name, role, s.level, member.concern, tuple(demands)))
    return out


# ------------------------------------------------------------------------------ facts from the data
@dataclass(frozen=True)
class Facts:
    """What the stakeholders know from the learner's data."""
    worst_churn_segment: str
    worst_service_queue: str
    service_level: dict
    call_words: dict  # queue -> words of its call reasons (what an offer for that supply chain speaks to)
    period_start: pd.Timestamp
    period_end: pd.Timestamp

    @property
    def today(self) -> pd.Timestamp:
        """The day of the consultation: the day after the learner's data ends."""
        return self.period_end.normalize() + pd.Timedelta(days=1)


def facts(ds) -> Facts:
    from helpers import kpi

    calls = ds.calls
    start, end = calls["arrived_at"].min().normalize(), calls["arrived_at"].max()
    churn = kpi.churn_rate(ds.customers, start, end, by="segment")
    offered = calls[calls["outcome"] != "lost"]
    sl = kpi.service_level(offered, threshold_s=20, by="queue")
    words = {q.name: {w for reason in q.reasons for w in reason.split("_") if len(w) >= 4} for q in ds.case_study.queues}
    return Facts(str(churn.idxmax()), str(sl.idxmin()), {str(k): float(v) for k, v in sl.items()}, words,
                 start, end)


def _speaks_to(text, words: set[str]) -> bool:
    """Whether ``text`` names one of ``words`` (as a word start: "refund" matches "refunds")."""
    found = set(re.findall(r"[a-z]+", str(text).lower()))
    return any(f.startswith(w) for f in found for w in words)


# ------------------------------------------------------------------------------ replies
def offer_problem(queue: str, item, fx: Facts, where: str = "") -> str | None:
    """What a supply chain's manager says against the centre's offer to their chain (``{"offer": text,
    "service_level": fraction}``), or None when they accept it: the offer says what the centre will do for the
    calls that chain sends (its call reasons), and the service level quoted is the chain's own this period
    (20 s, lost calls excluded, within one percentage point)."""
    quoted = _number(item.get("service_level")) if isinstance(item, Mapping) else None
    offer = item.get("offer") if isinstance(item, Mapping) else None
    if quoted is None or _words(offer) < 8:
        return (f"What will the centre do for the {queue} supply chain next quarter, and how is it performing "
                f"for us now? Put an offer and our service level {where or 'for ' + queue}.")
    if not _speaks_to(offer, fx.call_words.get(queue, set())):
        return (f"Your offer for {queue} does not say what it does for the calls we send you: name the call "
                "reasons or customers it helps.")
    if not abs(quoted - fx.service_level.get(queue, np.nan)) <= SERVICE_TOLERANCE:
        return (f"The service level you quote for {queue} does not match what our dashboards show for this "
                "period: check your figures.")
    return None


def target_objections(kpi_name: str, target, ds, panel: list[Position] | None = None) -> list[str]:
    """The stakeholders of the learner's panel who would no longer sign off if the ``kpi_name`` target were
    ``target``: a condition they hold on that KPI's target (a floor such as "no handle-time target under
    445 seconds", or a ceiling) that the target breaks. An operating objective that breaks one undoes what
    was agreed in the consultation."""
    target = _number(target)
    if target is None:
        return []
    out = []
    for p in panel if panel is not None else positions(ds):
        for d in p.demands:
            if d.kpi != kpi_name or d.kind not in ("target_at_least", "target_at_most"):
                continue
            need = float(d.value)
            if (target < need - 1e-9) if d.kind == "target_at_least" else (target > need + 1e-9):
                out.append(p.name)
    return out


def _get(proposal, path: str):
    value = proposal
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _number(x) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and x == x else None


def _words(text) -> int:
    return len(str(text).split()) if isinstance(text, str) else 0


def _reply(position: Position, proposal, fx: Facts) -> Reply:
    r = Reply(position.name, position.level, True)

    def object_(text, ask=None, kind="proposal"):
        r.signs_off = False
        r.says.append(text)
        r.unmet.append(kind)
        if ask:
            r.asks.update(ask)

    if not isinstance(proposal, Mapping):
        object_("I need the proposal as a dict (principles, targets, offers, calling_hours, timing, "
                "priority_queue, services) before I can comment.")
        return r
    names = proposal.get("principles")
    if not isinstance(names, (list, tuple)) or len(names) < 4:
        object_("Which principles are we agreeing to? List at least four from your framework.")
    queues = _get(proposal, "offers.queues")
    queues = set(queues) if isinstance(queues, (list, tuple)) else set()
    for d in position.demands:
        if d.kind in ("target_at_least", "target_at_most"):
            got = _number(_get(proposal, f"targets.{d.kpi}"))
            need = float(d.value)
            low_better = d.kpi in LOWER_IS_BETTER
            ok = got is not None and (got >= need - 1e-9 if d.kind == "target_at_least" else got <= need + 1e-9)
            if not ok:
                if d.kpi == "aht_s":
                    why = (f"Offers add time to every call: I can't commit my teams to a handle-time target "
                           f"under {need:g} seconds.")
                elif low_better:
                    why = f"I can only back this if the {d.kpi} target is at most {need:g}."
                else:
                    why = f"I can't support a {d.kpi} target below {need:g}; that is what I have committed to."
                if got is None:
                    why = f"What is the {d.kpi} target? " + why
                object_(why, {f"targets.{d.kpi}": need}, kind=d.kind)
        elif d.kind == "offers_on" and d.value not in queues:
            object_(f"Service calls are where our customers are: I want offers made on the {d.value} queue "
                    "too, once the customer's issue is resolved.", {"offers.queues": f"include {d.value}"}, kind=d.kind)
        elif d.kind == "no_offers_on" and d.value in queues:
            object_(f"No offers on the {d.value} queue: those customers are often in financial difficulty.",
                    {"offers.queues": f"exclude {d.value}"}, kind=d.kind)
        elif d.kind == "flag" and _get(proposal, f"offers.{d.field}") is not True:
            text = {"exclude_hardship": "Customers in a hardship arrangement must be excluded from every offer.",
                    "consent_checked": "Every offer must check the customer's consent for the channel first "
                                       "(Spam Act, Do Not Call Register)."}.get(d.field, f"I need {d.field}.")
            object_(text, {f"offers.{d.field}": True}, kind=d.kind)
        elif d.kind == "calling_hours_end":
            end = _number(_get(proposal, "calling_hours.end"))
            start = _number(_get(proposal, "calling_hours.start"))
            if end is None or start is None or end > d.value or start < 9 or start >= end:
                object_(f"Outbound calls start no earlier than 9 and end by {int(d.value)}:00 under our "
                        "compliance policy. What hours do you propose?", {"calling_hours.end": int(d.value)}, kind=d.kind)
        elif d.kind == "notice_days":
            notice = _number(_get(proposal, "timing.notice_days"))
            try:
                launch = pd.Timestamp(str(_get(proposal, "timing.launch")))
            except (ValueError, TypeError):
                launch = None
            if notice is None or notice < d.value:
                object_(f"I need at least {int(d.value)} days' notice of a campaign launch to roster our "
                        "overflow agents.", {"timing.notice_days": int(d.value)}, kind=d.kind)
            elif launch is None or not (fx.today + pd.Timedelta(days=notice) <= launch
                                        <= fx.today + pd.Timedelta(days=120)):
                object_("When is the launch? Give a date (YYYY-MM-DD) within the next four months that leaves "
                        "the notice you promised from today (the day after your data ends).", kind=d.kind)
        elif d.kind == "retention_segment":
            seg = _get(proposal, "offers.retention_segment")
            if seg != fx.worst_churn_segment:
                object_("Which segment does the retention offer go to? It should go where churn is highest in "
                        "this period, and that is not what you propose: check churn by segment.", kind=d.kind)
        elif d.kind == "priority_queue":
            if proposal.get("priority_queue") != fx.worst_service_queue:
                object_("Which queue do we fix first? It should be the one furthest behind on service level this "
                        "period (20 seconds, lost calls excluded), and your choice is not it.", kind=d.kind)
        elif d.kind == "service_evidence":
            problem = offer_problem(d.queue, _get(proposal, f"services.{d.queue}"), fx, f"under services.{d.queue}")
            if problem:
                object_(problem, kind=d.kind)
    if r.signs_off:
        r.says.append(f"Agreed: I sign off. ({position.concern})")
    return r


def replies(proposal, ds, *, panel: list[Position] | None = None, fx: Facts | None = None) -> list[Reply]:
    """Every panel member's reply to ``proposal``."""
    panel = panel if panel is not None else positions(ds)
    fx = fx if fx is not None else facts(ds)
    return [_reply(p, proposal, fx) for p in panel]


def as_data(value):
    """``value`` as the grader receives it (JSON round trip: tuples become lists, keys text)."""
    return json.loads(json.dumps(value, default=str))


class Consultation:
    """The learner's consultation with the panel: ``consult(proposal)`` per round, ``transcript`` kept."""

    def __init__(self, ds):
        self.ds = ds
        self.panel = positions(ds)
        self._facts = facts(ds)
        self.transcript: list[dict] = []

    def brief(self) -> pd.DataFrame:
        """Who is on the panel and what each cares about (their demands come out in their replies)."""
        return pd.DataFrame([{"stakeholder": p.name, "role": p.role, "level": p.level, "concern": p.concern}
                             for p in self.panel])

    def consult(self, proposal) -> pd.DataFrame:
        """Put ``proposal`` to every stakeholder; returns their replies (and keeps the round)."""
        data = as_data(proposal)
        rs = replies(data, self.ds, panel=self.panel, fx=self._facts)
        self.transcript.append({"round": len(self.transcript) + 1, "proposal": data,
                                "replies": [r.as_dict() for r in rs]})
        return self.table(rs)

    @staticmethod
    def table(rs: list[Reply]) -> pd.DataFrame:
        return pd.DataFrame([{"stakeholder": r.stakeholder, "level": r.level,
                              "signs off": "yes" if r.signs_off else "no", "says": " ".join(r.says)}
                             for r in rs]).style.set_properties(**{"text-align": "left", "white-space": "pre-wrap"})

    @property
    def conditions(self) -> dict:
        """The conditions stated with a value in the last round (``"targets.aht_s": 450``)."""
        if not self.transcript:
            return {}
        return {k: v for r in self.transcript[-1]["replies"] for k, v in r["asks"].items()}

    @property
    def signed_off(self) -> bool:
        return bool(self.transcript) and all(r["signs_off"] for r in self.transcript[-1]["replies"])


def verify(proposal, transcript, ds) -> dict:
    """Re-run the panel on ``transcript`` (each round) and on the final ``proposal``.

    Returns ``{"final": [Reply...], "authentic": bool, "problems": [...], "rounds": n}``: ``authentic``
    when every round's recorded replies are what the panel says to that round's proposal and the last
    round's proposal is the final one."""
    panel, fx = positions(ds), facts(ds)
    final = replies(as_data(proposal), ds, panel=panel, fx=fx)
    problems = []
    if not isinstance(transcript, (list, tuple)) or not transcript:
        problems.append("the transcript is empty: consult the stakeholders with `meeting.consult(proposal)`")
    else:
        for i, rnd in enumerate(transcript, 1):
            if not isinstance(rnd, Mapping) or "proposal" not in rnd or not isinstance(rnd.get("replies"), list):
                problems.append(f"round {i} of the transcript is not a consultation round")
                continue
            again = [r.as_dict() for r in replies(rnd["proposal"], ds, panel=panel, fx=fx)]
            recorded = [{k: r.get(k) for k in ("stakeholder", "signs_off")} for r in rnd["replies"]
                        if isinstance(r, Mapping)]
            if recorded != [{k: r[k] for k in ("stakeholder", "signs_off")} for r in again]:
                problems.append(f"round {i}: the replies recorded are not what your stakeholders said")
        last = transcript[-1] if isinstance(transcript[-1], Mapping) else {}
        if as_data(last.get("proposal")) != as_data(proposal):
            problems.append("the final proposal is not the one last put to the stakeholders")
    return {"final": final, "authentic": not problems, "problems": problems,
            "rounds": len(transcript) if isinstance(transcript, (list, tuple)) else 0}
