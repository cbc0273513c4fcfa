"""Stakeholder interviews: who uses the contact centre's information, and what each of them needs.

The case study lists the stakeholders who may use the centre's information and the ranges of what each
may need (``information_needs`` in ``casestudy.yaml``). *Whether* a stakeholder uses the centre's reports
at all, and which measures, level of detail, segmentation, format and frequency they need, is drawn from
the learner's dataset (its seed and learner id), so two learners meet different needs and a sentence copied
from another learner's interview is wrong. The needs come out only by asking::

    interview = Interview(ds)
    interview.brief()                                    # whom you may interview (name, role, level)
    interview.ask("Priya Raman", "What is your role, and do you use the centre's reports?")
    interview.ask("Priya Raman", "Which measures do you need to see?")
    interview.confirm("Priya Raman", {"measures": [...], "level": "daily", ...})   # read back what you heard
    interview.log()                                      # the transcript as a table

A question is answered when it is about one thing: the stakeholder's **role** (what they use the
information for), the **measures** (KPIs), the **level** of detail (interval, daily, weekly, monthly,
quarterly), the **horizon** (short-term: today and this week; long-term: months, quarters, trends), the
**segmentation** (by queue, channel, customer segment, or totals), the **format** (table, chart, one-page
summary, dashboard) or the **timing** (how often and when). An unclear question, or several at once, gets a
clarifying reply instead of an answer. Answers are plain sentences that use the words of :data:`MEASURES`,
:data:`LEVELS`, :data:`SEGMENTATIONS`, :data:`FORMATS` and :data:`FREQUENCIES`. ``confirm`` reads a summary back
to the stakeholder (active listening): they agree, or say which parts are not what they said.

Every question and confirmation is kept in ``transcript`` (plain data), which is part of the evidence: the
grader replays it (:func:`replay`) and accepts only needs the transcript revealed.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from helpers.errors import LearnerError

#: Measures a stakeholder may need, with the words they use for them.
MEASURES = {
    "contacts_offered": "contacts offered (volumes)",
    "service_level": "service level",
    "abandonment_rate": "abandonment rate",
    "asa_s": "average speed of answer",
    "aht_s": "average handle time",
    "occupancy": "agent occupancy",
    "forecast_accuracy": "forecast accuracy",
    "fcr": "first-contact resolution",
    "csat": "customer satisfaction (CSAT)",
    "nps": "net promoter score",
    "conversion_rate": "sales conversion",
    "retention_rate": "customer retention",
    "cost_per_contact_aud": "cost per contact",
}
LEVELS = {"interval": "half-hour interval figures", "daily": "daily figures", "weekly": "weekly figures",
          "monthly": "monthly figures", "quarterly": "quarterly figures"}
#: The horizon follows the level: short-term figures run today's and this week's operation, long-term ones
#: show months, quarters and trends.
HORIZON_OF_LEVEL = {"interval": "short-term", "daily": "short-term", "weekly": "short-term",
                    "monthly": "long-term", "quarterly": "long-term"}
HORIZONS = ("short-term", "long-term")
SEGMENTATIONS = {"queue": "split by queue", "channel": "split by channel (voice, chat, e-mail)",
                 "segment": "split by customer segment", "none": "the centre's totals, no split"}
FORMATS = {"table": "a table", "chart": "a chart", "one-page summary": "a one-page summary",
           "dashboard": "a dashboard"}
FREQUENCIES = {"every 30 minutes": "every 30 minutes, refreshed through the day",
               "daily": "daily, by 8:30 each morning", "weekly": "weekly, every Monday by 10:00",
               "monthly": "monthly, by the fifth working day of the month",
               "quarterly": "quarterly, a week before each board meeting"}
SPEC_FIELDS = ("measures", "level", "horizon", "segmentation", "format", "frequency")
TOPIC_OF_FIELD = {"measures": "measures", "level": "level", "horizon": "horizon", "segmentation": "segmentation",
                  "format": "format", "frequency": "timing"}
TOPICS = ("role", "measures", "level", "horizon", "segmentation", "format", "timing")

# Words that make a question about one topic (matched as word starts, after "service level" is set aside).
TOPIC_WORDS = {
    "role": ("role", "job", "responsib", "do you use", "use the centre", "use our", "use any", "decision",
             "decide", "who are you", "what do you do", "rely on"),
    "measures": ("measure", "kpi", "metric", "indicator", "which figures", "what figures", "which numbers",
                 "what numbers", "what data"),
    "level": ("level of detail", "detail", "granular", "aggregat", "how fine", "interval", "level"),
    "horizon": ("horizon", "time frame", "timeframe", "how far back", "short term", "long term", "short-term",
                "long-term", "trend", "history", "time span", "period"),
    "segmentation": ("segment", "split", "break down", "broken down", "breakdown", "by queue", "by channel",
                     "group"),
    "format": ("format", "layout", "table", "chart", "dashboard", "summary", "present", "look like"),
    "timing": ("when", "how often", "frequen", "deadline", "schedule", "timing", "by what time"),
}
CLARIFY = ("Sorry, I'm not sure what you're asking. Could you be more specific: my role and what I use the "
           "centre's information for, the measures I need, the level of detail, the time horizon, how the figures "
           "should be split, the format, or when I need them?")
ONE_AT_A_TIME = "That's a few questions at once. Can you take them one at a time?"


def topics_of(question) -> list[str]:
    """The topics a question is about (empty when unclear)."""
    if not isinstance(question, str) or len(question.split()) < 3:
        return []
    q = " " + re.sub(r"\s+", " ", question.lower()) + " "
    q = q.replace("service level", "servicelevel").replace("service-level", "servicelevel")
    found = []
    for topic, words in TOPIC_WORDS.items():
        if any(re.search(r"(?<![a-z])" + re.escape(w), q) for w in words):
            found.append(topic)
    if "level" in found and "horizon" in found and not re.search(r"level|detail|granular|aggregat|interval", q):
        found.remove("level")
    return found


# ------------------------------------------------------------------------------ needs
@dataclass(frozen=True)
class Need:
    """One stakeholder's needs for this learner (``uses`` False: they do not use the centre's information)."""
    name: str
    role: str
    level_of_organisation: str
    uses: bool
    decisions: str
    not_used: str
    measures: tuple[str, ...] = ()
    level: str | None = None
    segmentation: str | None = None
    format: str | None = None
    frequency: str | None = None

    @property
    def horizon(self) -> str | None:
        return HORIZON_OF_LEVEL.get(self.level) if self.level else None

    def spec(self) -> dict:
        """The needs as a presentation spec (what a learner's spec must say)."""
        return {"measures": sorted(self.measures), "level": self.level, "horizon": self.horizon,
                "segmentation": self.segmentation, "format": self.format, "frequency": self.frequency}


def _seed(ds) -> tuple[int, str | None]:
    manifest = getattr(ds, "manifest", None) or {}
    return int(manifest.get("seed", 0) or 0), manifest.get("learner")


def needs(ds) -> dict[str, Need]:
    """Every interviewable stakeholder's needs for the learner whose dataset ``ds`` is (deterministic)."""
    from helpers.generator.rng import stream

    cs = ds.case_study
    if getattr(cs, "information_needs", None) is None:
        raise ValueError(f"case study {cs.slug!r} has no information_needs")
    people = {s.name: s for s in cs.stakeholders}
    unknown = [u.name for u in cs.information_needs.stakeholders if u.name not in people]
    if unknown:
        raise ValueError(f"information_needs: not stakeholders of the case study: {unknown}")
    bad = sorted({m for u in cs.information_needs.stakeholders for m in u.measures if m not in MEASURES})
    if bad:
        raise ValueError(f"information_needs: unknown measures {bad}; expected some of {list(MEASURES)}")
    seed, learner = _seed(ds)
    out = {}
    for u in cs.information_needs.stakeholders:
        rng = stream(seed, learner, f"information_needs:{u.name}")
        uses = bool(rng.random() < u.probability)
        picked = rng.permutation(len(u.measures))[:u.measures_count]
        choose = {k: getattr(u, k)[int(rng.integers(0, len(getattr(u, k))))]
                  for k in ("level", "segmentation", "format", "frequency")}
        s = people[u.name]
        role = s.role + (f", {s.organisation}" if s.organisation else "")
        if uses:
            out[u.name] = Need(u.name, role, s.level, True, u.decisions, u.not_used,
                               tuple(u.measures[i] for i in sorted(picked)), **choose)
        else:
            out[u.name] = Need(u.name, role, s.level, False, u.decisions, u.not_used)
    return out


def users(ds) -> list[str]:
    """The names of the stakeholders who use the centre's information (for this learner)."""
    return [n for n, need in needs(ds).items() if need.uses]


# ------------------------------------------------------------------------------ replies
#: What a stakeholder who uses the centre's information says about each topic but their role: ``{}`` is their
#: need in the words of :data:`MEASURES` (joined), :data:`LEVELS`, :data:`HORIZON_WORDS`, :data:`SEGMENTATIONS`,
#: :data:`FORMATS` or :data:`FREQUENCIES` (:data:`WORDS_OF_FIELD`, by field).
REPLIES = {
    "measures": "The measures I need are {}.",
    "level": "Give me {}: that is the level of detail I work at.",
    "horizon": "I look at the {}.",
    "segmentation": "I need the figures {}.",
    "format": "Send it as {}: that is what I can read quickly.",
    "timing": "I need it {}.",
}
HORIZON_WORDS = {"short-term": "short-term: today and this week, to act on it straight away",
                 "long-term": "long-term: months and quarters, the trend and the seasons, to plan ahead"}
WORDS_OF_FIELD = {"level": LEVELS, "horizon": HORIZON_WORDS, "segmentation": SEGMENTATIONS, "format": FORMATS,
         "frequency": FREQUENCIES}
FIELD_OF_TOPIC = {topic: field for field, topic in TOPIC_OF_FIELD.items()}


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def answer(need: Need, topic: str) -> str:
    """What the stakeholder says about ``topic``."""
    if topic == "role":
        if not need.uses:
            return f"I'm the {need.role}. I don't use the contact centre's reports: {need.not_used}."
        return f"I'm the {need.role}. I use the centre's information to {need.decisions}."
    if not need.uses:
        return "As I said, I don't use the centre's reports, so I don't need anything from them."
    if topic not in REPLIES:
        raise ValueError(topic)
    field = FIELD_OF_TOPIC[topic]
    value = getattr(need, field)
    words = _join([MEASURES[m] for m in value]) if field == "measures" else WORDS_OF_FIELD[field][value]
    return REPLIES[topic].format(words)


def _normal(field: str, value):
    if field == "measures":
        return sorted(str(v) for v in value) if isinstance(value, (list, tuple)) else value
    return value.strip().lower() if isinstance(value, str) else value


def _confirm_reply(need: Need, summary, asked: set[str]) -> tuple[bool, str]:
    if not need.uses:
        return False, "There is nothing to confirm: I don't use the centre's reports."
    if not isinstance(summary, Mapping) or not summary:
        return False, ("What would you like me to confirm? Read back what you heard as a dict: measures, level, "
                       "horizon, segmentation, format, frequency.")
    unknown = [k for k in summary if k not in SPEC_FIELDS]
    if unknown:
        return False, f"I'm not sure what you mean by {', '.join(map(str, unknown))}."
    untalked = [k for k in SPEC_FIELDS if k in summary and TOPIC_OF_FIELD[k] not in asked]
    if untalked:
        return False, f"We haven't talked about the {_join(untalked)} yet: ask me first."
    missing = [k for k in SPEC_FIELDS if k not in summary]
    spec = need.spec()
    wrong = [k for k in SPEC_FIELDS if k in summary and _normal(k, summary[k]) != _normal(k, spec[k])]
    if wrong:
        return False, f"Not quite: the {_join(wrong)} is not what I said."
    if missing:
        return False, f"That is right so far; we still need to settle the {_join(missing)}."
    return True, "Yes, that's exactly what I need."


def as_data(value):
    """``value`` as the grader receives it (JSON round trip: tuples become lists, keys text)."""
    return json.loads(json.dumps(value, default=str))


class Reply(str):
    """What a stakeholder said: the text itself, with ``stakeholder`` and, for a confirmation, ``agreed``."""

    def __new__(cls, text: str, stakeholder: str, agreed: bool | None = None):
        obj = super().__new__(cls, text)
        obj.stakeholder, obj.agreed = stakeholder, agreed
        return obj

    def _ipython_display_(self):
        print(f"{self.stakeholder}: {self}")


class Interview:
    """The learner's interviews with the centre's stakeholders: ``ask`` and ``confirm``, ``transcript`` kept."""

    def __init__(self, ds):
        self.ds = ds
        self._needs = needs(ds)
        self.transcript: list[dict] = []

    @property
    def stakeholders(self) -> list[str]:
        return list(self._needs)

    def brief(self) -> pd.DataFrame:
        """Whom you may interview: name, role and level (what they need comes out when you ask)."""
        return pd.DataFrame([{"stakeholder": n.name, "role": n.role, "level": n.level_of_organisation}
                             for n in self._needs.values()])

    def _need(self, stakeholder) -> Need:
        if stakeholder not in self._needs:
            near = difflib.get_close_matches(str(stakeholder), list(self._needs), n=1)
            raise LearnerError(f"{stakeholder!r} is not one of the stakeholders you can interview"
                               + (f" (did you mean {near[0]!r}?)" if near else "; see interview.brief()"))
        return self._needs[stakeholder]

    def _asked(self, stakeholder: str) -> set[str]:
        return {e["topic"] for e in self.transcript if e.get("stakeholder") == stakeholder and e.get("topic")}

    def ask(self, stakeholder: str, question: str) -> "Reply":
        """Ask one stakeholder one question; returns their reply (text; shown with their name when it is the
        cell's result) and keeps it in the transcript."""
        says, topic = self._ask(stakeholder, question)
        return Reply(says, stakeholder)

    def _ask(self, stakeholder, question) -> tuple[str, str | None]:
        need = self._need(stakeholder)
        found = topics_of(question)
        topic = found[0] if len(found) == 1 else None
        says = answer(need, topic) if topic else (ONE_AT_A_TIME if len(found) > 1 else CLARIFY)
        self.transcript.append({"stakeholder": stakeholder, "question": str(question), "topic": topic,
                                "says": says})
        return says, topic

    def confirm(self, stakeholder: str, summary: dict) -> "Reply":
        """Read back what you heard (a dict of spec fields); the stakeholder agrees (``.agreed``) or says what is
        not right."""
        agreed, says = self._confirm(stakeholder, summary)
        return Reply(says, stakeholder, agreed)

    def _confirm(self, stakeholder, summary) -> tuple[bool, str]:
        need = self._need(stakeholder)
        data = as_data(summary)
        agreed, says = _confirm_reply(need, data, self._asked(stakeholder))
        self.transcript.append({"stakeholder": stakeholder, "confirm": data, "topic": None, "says": says,
                                "agreed": agreed})
        return agreed, says

    def log(self):
        """The transcript as a table (one row per question or confirmation)."""
        frame = pd.DataFrame([{"stakeholder": e["stakeholder"],
                               "you": e.get("question") or f"(confirm) {e.get('confirm')}", "they said": e["says"]}
                              for e in self.transcript], columns=["stakeholder", "you", "they said"])
        return frame.style.set_properties(**{"text-align": "left", "white-space": "pre-wrap"})


# ------------------------------------------------------------------------------ the grader's replay
def replay(transcript, ds) -> dict:
    """Replay ``transcript`` on a fresh interview of this learner's stakeholders.

    Returns ``{"authentic": bool, "problems": [...], "revealed": {name: set of topics}, "confirmed": {name: spec
    dict of the last agreed confirmation}, "entries": n}``. ``authentic`` when every entry's recorded reply is
    what the stakeholder says to that question (or confirmation) at that point of the interview."""
    fresh = Interview(ds)
    problems: list[str] = []
    revealed: dict[str, set[str]] = {}
    confirmed: dict[str, dict] = {}
    if not isinstance(transcript, (list, tuple)) or not transcript:
        problems.append("the transcript is empty: interview the stakeholders with `interview.ask(name, question)`")
        return {"authentic": False, "problems": problems, "revealed": revealed, "confirmed": confirmed, "entries": 0}
    for i, entry in enumerate(transcript, 1):
        if not isinstance(entry, Mapping) or entry.get("stakeholder") not in fresh._needs:
            problems.append(f"entry {i} of the transcript is not an interview question")
            continue
        name = entry["stakeholder"]
        if "confirm" in entry:
            agreed, says = fresh._confirm(name, entry["confirm"])
            if agreed:
                confirmed[name] = as_data(entry["confirm"])
        else:
            says, topic = fresh._ask(name, entry.get("question"))
            if topic:
                revealed.setdefault(name, set()).add(topic)
        if entry.get("says") != says:
            problems.append(f"entry {i}: the reply recorded is not what {name} said")
    return {"authentic": not problems, "problems": problems, "revealed": revealed, "confirmed": confirmed,
            "entries": len(transcript)}
