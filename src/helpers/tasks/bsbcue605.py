"""Formative checks of the BSBCUE605 workbook's structured answers (what a learner's visible tests call).

These checks look at the *shape and plausibility* of an answer (keys, types, names that must come
from the case study, choices from the unit's range statement); they never compute the expected
numbers. The assessor's hidden tests (``autograde/ccw_grader``) run these same checks and then
compare numbers with a reference recomputed from the learner's own data.
Each finding is tagged with the performance criterion it evidences.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from helpers.findings import Finding, Findings

KPI_NAMES = ("service_level", "abandonment_rate", "asa_s", "aht_s", "fcr", "csat", "nps", "conversion_rate",
             "retention_rate", "cost_per_contact_aud", "occupancy")
FRACTION_KPIS = {"service_level", "abandonment_rate", "fcr", "csat", "conversion_rate", "retention_rate", "occupancy"}
FREQUENCIES = ("per call", "daily", "weekly", "monthly")
_LOWER_IS_BETTER = {"abandonment_rate", "asa_s", "aht_s", "cost_per_contact_aud", "occupancy"}


def _range_items(key: str) -> tuple[str, ...]:
    from helpers.curriculum import load_unit  # read when first needed: the setup cell stays quick

    unit = load_unit("BSBCCO605A")
    return tuple(next(c for c in unit.range_statement if c.key == key).items)


@lru_cache(maxsize=None)
def strategy_range() -> tuple[str, ...]:
    """The range statement's after-sales and retention strategies (BSBCCO605A), read on first use."""
    return _range_items("after_sales_and_retention_strategies")


def __getattr__(name: str):
    """``RETENTION_STRATEGIES`` (:func:`strategy_range`), for notebooks that show the list."""
    if name == "RETENTION_STRATEGIES":
        return strategy_range()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# Words in a stakeholder's interests that make a KPI relevant to them (used for report criteria).
KPI_INTEREST_WORDS = {
    "service_level": ("service", "wait", "queue", "answer", "roster", "80/20", "overflow", "contract"),
    "abandonment_rate": ("wait", "queue", "abandon", "service", "lost", "overflow"),
    "asa_s": ("wait", "queue", "speed", "service"),
    "aht_s": ("handle", "productiv", "efficien", "system", "availability", "platform", "adherence", "licence"),
    "fcr": ("resol", "complain", "repeat", "quality", "first", "accuracy", "refund", "hardship", "payment",
            "appointment", "backlog", "booking", "cancellation", "drivers"),
    "csat": ("satisf", "experience", "quality", "complain", "service"),
    "nps": ("loyal", "advoca", "brand", "recommend", "reputation", "nps"),
    "conversion_rate": ("sales", "revenue", "campaign", "conversion", "marketing", "growth", "lead"),
    "retention_rate": ("retention", "churn", "loyal", "marketing"),
    "cost_per_contact_aud": ("cost", "budget", "efficien", "profit", "price", "debt", "recovery", "credit"),
    "occupancy": ("staff", "roster", "productiv", "hiring", "casual", "workload", "forecast", "engagement"),
}


# Recognised frameworks of sales and marketing principles (names and their usual abbreviations).
FRAMEWORKS = re.compile(r"marketing mix|\b[47] ?p'?s\b|relationship marketing|lifetime value|\bclv\b|\baida\b|"
                        r"attention.{0,20}interest.{0,20}desire|\bstp\b|segment\w*.{0,30}target\w*.{0,30}position|"
                        r"services? marketing|servqual|service.profit chain|customer journey|consultative sell|"
                        r"solution sell|spin sell|direct marketing|database marketing|loyalty marketing|"
                        r"customer.centric|ansoff|porter|marketing concept", re.I)

# Words an objective or retention offer uses when it speaks to a KPI or a range-statement strategy.
OBJECTIVE_WORDS = {
    "service_level": ("answer", "wait", "queue", "quick", "fast", "service level", "80/20", "within"),
    "abandonment_rate": ("abandon", "hang", "wait", "lost", "queue"),
    "asa_s": ("answer", "wait", "speed", "quick", "fast"),
    "aht_s": ("handle", "handling", "call length", "efficien", "shorter", "wrap"),
    "fcr": ("resol", "first", "repeat", "fix", "one call", "once"),
    "csat": ("satisf", "experience", "happy", "survey", "csat"),
    "nps": ("advoca", "recommend", "promot", "loyal", "nps", "net promoter"),
    "conversion_rate": ("convert", "conversion", "sale", "sell", "close", "offer"),
    "retention_rate": ("keep", "retain", "retention", "churn", "loyal", "leave", "stay"),
    "cost_per_contact_aud": ("cost", "budget", "efficien", "cheap", "spend"),
    "occupancy": ("occupan", "utilis", "busy", "roster", "staff", "workload"),
}
STRATEGY_WORDS = {
    "account management": ("account", "manager", "dedicated", "named", "relationship", "review"),
    "courtesy follow-up calls": ("call", "follow", "contact", "check"),
    "customer satisfaction surveying": ("survey", "feedback", "satisf", "rating", "csat", "nps"),
    "differentiated levels of customer service and support": ("priority", "dedicated", "tier", "queue", "line",
                                                              "premium", "faster", "vip", "specialist"),
    "discounts or special offers": ("discount", "rate", "price", "lock", "credit", "%", "off", "bonus", "free",
                                    "rebate", "waive", "offer", "cheaper"),
    "follow-up to ensure customer satisfaction and loyalty post sales experience": (
        "follow", "check", "call", "contact", "after", "satisf"),
    "loyalty programs": ("point", "reward", "loyal", "member", "tenure", "redeem", "tier", "bonus"),
    "offers of value added services or products": ("add-on", "bundle", "upgrade", "value", "service", "product",
                                                   "extra", "free", "plan"),
}


# A reason for an after-sales strategy cites what the data shows about the segment: a measure of the data
# (offer response, churn, tenure, complaints, satisfaction ...) and how the segment stands on it (a figure or a
# comparison).
REASON_MEASURES = (r"accept|respon|tak(?:e|es|en|ing).?up|uptake|conver|churn|leav|cancel|tenure|long.?standing|loyal|complain|"
                   r"satisf|csat|\bnps\b|promoter|detractor|spend|revenue|\bvalue\b|retention|retain|repeat|resol|"
                   r"\bfcr\b|declin|opt(ed)?.?out|no.?response|ignor|purchas|\bsales?\b|\bbuy|bought|\bcalls?\b|"
                   r"contact|survey|campaign|hardship|overdue|payment|bill")
REASON_STANDING = (r"\d|best|worst|better|worse|highest|lowest|most|least|fewest|fewer|\bmore\b|\bless\b|above|below|higher|"
                   r"lower|\btop\b|bottom|rising|falling|increas|decreas|double|\bhalf\b|majority|minority|only|"
                   r"weak|strong|poor|\bhigh\b|\blow\b|above average|below average")
# What starts a retention-process step: an event that can be seen in the data or the calendar.
TRIGGER_EVENTS = (r"\bcalls?\b|contact|reason|cancel|leav|transfer|switch|churn|complain|dispute|accept|declin|"
                  r"respon|\boffers?\b|survey|score|rating|csat|\bnps\b|flag|request|payment|\bbills?\b|billing|"
                  r"overdue|arrears|hardship|contract|renewal|tenure|anniversar|month|week|\bdays?\b|daily|\bend\b|"
                  r"\bstart|complet|closed|resolved|sign|\bjoin|\bmov|quote|price|review|quarter|period|threshold|"
                  r"\bdrop|\bfall|\brisk|alert|report|meeting|follow.?up|abandon|repeat|escalat|ticket|unsubscri|"
                  r"opt.?out|purchas|\bsale|order|install|connection|expir|detractor|promoter")


def _speaks(text, words) -> bool:
    t = str(text).lower()
    return len(t.split()) >= 3 and any(w in t for w in words)


_f = Finding.of  # one finding: full points when it passed


def _none(criterion, problems: list, good: str, problem: str) -> Finding:
    """Passes when ``problems`` is empty; otherwise names the first few: ``problem: a, b, c``."""
    return _f(criterion, not problems, good if not problems else f"{problem}: {', '.join(map(str, problems[:3]))}")


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x


def _records(name: str, value, keys: tuple[str, ...], criterion: str, minimum: int) -> tuple[list[dict], Findings]:
    """Validate a list of dicts with the given keys; returns the good records and findings."""
    fs = Findings()
    if not isinstance(value, (list, tuple)) or not all(isinstance(r, Mapping) for r in value):
        fs.append(_f(criterion, False, f"`{name}` should be a list of dicts (one per row), "
                                       f"you gave a {type(value).__name__}", name))
        return [], fs
    bad = [i for i, r in enumerate(value) if any(k not in r or r[k] in (None, "") for k in keys)]
    fs.append(_f(criterion, not bad, f"`{name}`: every row has {', '.join(keys)}" if not bad else
                 f"`{name}`: row(s) {', '.join(map(str, bad[:5]))} miss one of {', '.join(keys)}", name))
    fs.append(_f(criterion, len(value) >= minimum, f"`{name}` has {len(value)} rows (at least {minimum} needed)", name))
    return [dict(r) for i, r in enumerate(value) if i not in bad], fs


def _stakeholders(cs) -> dict[str, str]:
    return {s.name: s.level for s in cs.stakeholders}


# ---------------------------------------------------------------------------------- element 1
# A figure computed from data: a percentage, a decimal, or a count of 10 or more that is not a year ("in 2025",
# "3 teams" and "2 offers a month" are not figures of the data).
DATA_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|per ?cent)|\d*\.\d+|\b(?!(?:19|20)\d\d\b)\d{1,3}(?:,\d{3})+\b|"
                         r"\b(?!(?:19|20)\d\d\b)\d{2,}\b")


def framework(answer) -> Findings:
    """PC 1.1: a named framework with at least four principles, each applied with a fact from the data."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("principles"), Mapping):
        return Findings([_f("1.1", False, "`framework` should be a dict with 'name' and a 'principles' dict")])
    principles = answer["principles"]
    fs = Findings([
        _f("1.1", isinstance(answer.get("name"), str) and bool(FRAMEWORKS.search(answer["name"])),
           "the framework is a recognised framework of sales and marketing principles" if isinstance(
               answer.get("name"), str) and FRAMEWORKS.search(answer["name"]) else
           "name a recognised framework (for example the extended marketing mix, relationship marketing, "
           "customer lifetime value, AIDA, STP)"),
        _f("1.1", len(principles) >= 4, f"{len(principles)} principles given (at least 4 needed)"),
    ])
    thin = [p for p, why in principles.items() if not isinstance(why, str) or len(why.split()) < 10]
    no_fact = [p for p, why in principles.items() if isinstance(why, str) and not DATA_FIGURE.search(why)]
    fs.append(_none("1.1", thin, "each principle is explained in a sentence", "explain how these apply here in a full sentence"))
    fs.append(_none("1.1", no_fact, "each principle cites a figure of the data", "cite a figure you computed from "
                    "your data (a share, rate or count of calls, customers or offers; a year or a count of teams "
                    "is not one) for"))
    unapplied = [p for p, why in principles.items() if isinstance(why, str) and not _applied(p, why)]
    fs.append(_f("1.1", not unapplied, "each principle says what its figure means for the centre" if not unapplied
                 else "say what the figure means for the centre, in words about what the principle is about (for "
                 "example '... so retention offers are made on service calls') for: " + ", ".join(
                     map(str, unapplied[:3])), "applied"))
    return fs


# A principle applied to the centre: the figure leads somewhere (a consequence, a condition, a way of acting) ...
APPLY_LINK = re.compile(r"\bso\b|because|therefore|hence|\bthus\b|\bmeans?\b|meaning|\bshows?\b|\bmakes?\b|"
                        r"\bdrives?\b|since|as a result|given|\bmust\b|should|\bneeds?\b|\beach\b|\bevery\b|"
                        r"priorit|lever|matters|\bwhile\b|\bthen\b|\bby \w+ing\b|through|\bwhen\b|\bonce\b|"
                        r"\bbefore\b|\bafter\b|\bonly\b|\btarget(?:ed|s)?\b", re.I)


def _applied(name, text) -> bool:
    """... and the sentence speaks, in words, of what the principle is about (the topic its name has in
    :data:`PRINCIPLE_KPIS`) or of a KPI that measures it (:func:`principle_kpis`): a figure mentioned in
    unrelated words applies nothing."""
    low = text.lower()
    topics = [pattern for pattern, _ in PRINCIPLE_KPIS if re.search(pattern, str(name), re.I)]
    return bool(APPLY_LINK.search(text)) and (any(re.search(t, text, re.I) for t in topics) or any(
        w in low for k in principle_kpis(name, text) for w in OBJECTIVE_WORDS.get(k, ())))


def consultation(proposal, transcript, ds, framework_answer) -> Findings:
    """PC 1.2: the proposal agreed with the stakeholder panel (:mod:`helpers.consultation`).

    The panel is re-run on every round of the transcript (the replies recorded must be what the
    stakeholders said) and on the final proposal: every stakeholder must sign it off. The agreed
    principles come from the learner's framework. A supply-chain manager on the panel signs off only when
    the offer to their chain convinces them (that is their condition for consensus); promoting the centre to
    every supply chain is PC 1.5, assessed on its own in Task 1.5 (:func:`promotion`)."""
    from helpers import consultation as consult

    if not isinstance(proposal, Mapping):
        return Findings([_f("1.2", False, "`marketing_proposal` should be a dict (principles, targets, offers, "
                                          "calling_hours, timing, priority_queue, services)")])
    result = consult.verify(proposal, transcript, ds)
    fs = Findings([_f("1.2", result["authentic"], f"the transcript records your {result['rounds']} round(s) of "
                      "consultation" if result["authentic"] else "; ".join(result["problems"][:2]), "transcript")])
    names = set(framework_answer.get("principles", {})) if isinstance(framework_answer, Mapping) else set()
    agreed = proposal.get("principles") if isinstance(proposal.get("principles"), (list, tuple)) else []
    off = [p for p in agreed if p not in names]
    fs.append(_f("1.2", len(agreed) >= 4 and not off, "the agreed principles come from your framework" if not off
                 else f"agreed principles not in your framework: {', '.join(map(str, off[:3]))}", "principles"))
    for reply in result["final"]:  # consensus: every stakeholder signs off (a supply-chain manager too)
        fs.append(_f("1.2", reply.signs_off, f"{reply.stakeholder} ({reply.level}) signs off" if reply.signs_off else
                     f"{reply.stakeholder} ({reply.level}) has not signed off the final proposal", reply.stakeholder))
    return fs


def promotion(offers, cs, ds=None) -> Findings:
    """PC 1.5: the centre's offer to **every** supply chain of Task 1.4 (queue -> ``{"offer": text,
    "service_level": fraction}``). Each chain's customer accepts it only when the offer says what the centre
    will do for the calls that chain sends (its call reasons) and the service level quoted is the chain's own
    this period (20 s, lost calls excluded); with ``ds`` that is judged as the chain's manager would
    (:func:`helpers.consultation.offer_problem`), without it only the shape is checked."""
    queues = [q.name for q in cs.queues]
    if not isinstance(offers, Mapping):
        return Findings([_f("1.5", False, "`pitch_offers` should be a dict: queue -> {'offer': ..., "
                                          "'service_level': ...}", "pitch_offers")])
    missing = [q for q in queues if q not in offers]
    fs = Findings([_none("1.5", missing, "an offer for every supply chain", "no offer for the supply chain(s) of")])
    shape = [q for q in queues if q in offers and not (
        isinstance(offers[q], Mapping) and isinstance(offers[q].get("offer"), str)
        and len(offers[q]["offer"].split()) >= 8 and _is_number(offers[q].get("service_level"))
        and 0 <= offers[q]["service_level"] <= 1)]
    fs.append(_none("1.5", shape, "each offer is a sentence with the chain's service level as a fraction",
                    "give an offer of at least 8 words and the service level as a fraction (0.8 for 80%) for"))
    if ds is not None and not missing and not shape:
        from helpers import consultation as consult
        fx = consult.facts(ds)
        refused = [q for q in queues if consult.offer_problem(q, offers[q], fx)]
        fs.append(_none("1.5", refused, "each supply chain's customer accepts your offer and the evidence for it",
                        "the offer or the service level quoted does not convince the customer of"))
    return fs


def _agreed_targets(proposal) -> dict[str, float]:
    """KPI -> target agreed with the stakeholders in the final proposal (numbers only)."""
    targets = proposal.get("targets") if isinstance(proposal, Mapping) else None
    if not isinstance(targets, Mapping):
        return {}
    return {str(k): float(v) for k, v in targets.items() if _is_number(v)}


# PC 1.3: the KPIs that measure a principle, by what the principle is about (its name, or failing that its
# explanation in the framework). A principle about measurement itself fits any KPI.
_SERVICE = {"service_level", "asa_s", "abandonment_rate"}
PRINCIPLE_KPIS = (
    (r"segment|target|position|customer.?(?:focus|centr|need)|\bneeds?\b|experience|journey|servqual|"
     r"service quality|services? marketing", _SERVICE | {"fcr", "csat", "nps", "retention_rate"}),
    (r"retention|retain|loyal|lifetime|\bclv\b|relationship|churn|\bkeep", {"retention_rate", "nps", "csat", "fcr"}),
    (r"people|staff|agent|team|process|operation|efficien|productiv|resol", _SERVICE | {
        "fcr", "aht_s", "occupancy", "csat", "cost_per_contact_aud"}),
    (r"promot|cross.?sell|up.?sell|\bsell|sales|attention|interest|desire|action|convert|conversion|campaign|"
     r"acqui|\bwin", {"conversion_rate"}),
    (r"product|offer|proposition", {"conversion_rate", "retention_rate", "csat"}),
    (r"price|pricing|(?<!lifetime )value|cost|profit|budget", {"cost_per_contact_aud", "conversion_rate", "retention_rate"}),
    (r"place|channel|access|distribution|availab|convenien", _SERVICE | {"occupancy"}),
    (r"physical evidence|brand|reputation|advoca|word of mouth|recommend", {"nps", "csat"}),
    (r"measur|data|metric|\bkpi|performance|monitor|feedback|insight|evidence", set(KPI_NAMES)),
)


def principle_kpis(name, explanation="") -> set[str]:
    """The KPIs that measure a principle (:data:`PRINCIPLE_KPIS`): read from its name, or when the name says
    nothing the table knows, from its explanation; when neither does, the KPIs its explanation speaks of."""
    for text in (str(name), str(explanation)):
        fits = set().union(*[kpis for pattern, kpis in PRINCIPLE_KPIS if re.search(pattern, text, re.I)])
        if fits:
            return fits
    return {k for k, words in OBJECTIVE_WORDS.items() if any(w in str(explanation).lower() for w in words)}


def objectives(answer, cs, framework_answer, proposal=None, ds=None) -> Findings:
    """PC 1.3: objectives with a KPI and a target at least as demanding as the business plan's and as the
    target agreed with the stakeholders in the final consultation proposal (``proposal["targets"]``, Task 1.2):
    PC 1.3 integrates the principles *agreed* in 1.2, so an objective may not quietly undo what was agreed.
    Every agreed principle (``proposal["principles"]``; without a proposal, every principle of the framework)
    has an objective, and each objective's KPI measures its principle (:func:`principle_kpis`)."""
    rows, fs = _records("objectives", answer, ("principle", "objective", "kpi", "target"), "1.3", 4)
    bad_kpi = [r["kpi"] for r in rows if r["kpi"] not in KPI_NAMES]
    fs.append(_f("1.3", not bad_kpi, "every KPI is a known KPI name" if not bad_kpi else
                 f"unknown KPI names: {', '.join(map(str, bad_kpi[:3]))} (use {', '.join(KPI_NAMES)})"))
    names = set(framework_answer.get("principles", {})) if isinstance(framework_answer, Mapping) else set()
    off = [r["principle"] for r in rows if r["principle"] not in names]
    fs.append(_none("1.3", off, "every objective implements a principle of your framework", "principles not in your framework"))
    agreed_principles = proposal.get("principles") if isinstance(proposal, Mapping) else None
    own = list(framework_answer.get("principles", {})) if isinstance(framework_answer, Mapping) else []
    wanted = [p for p in (agreed_principles if isinstance(agreed_principles, (list, tuple)) else own)
              if isinstance(p, str)]
    uncovered = [p for p in wanted if not any(r["principle"] == p for r in rows)]
    fs.append(_f("1.3", bool(wanted) and not uncovered, "every principle agreed in your consultation has an objective"
                 if wanted and not uncovered else "give an objective for each principle agreed in your consultation "
                 "(`marketing_proposal['principles']`); none yet for: " + ", ".join(map(str, uncovered[:3])),
                 "coverage"))
    explain = framework_answer.get("principles", {}) if isinstance(framework_answer, Mapping) else {}
    misfit = [f"{r['kpi']} for '{r['principle']}'" for r in rows if r["principle"] in names
              and r["kpi"] in KPI_NAMES
              and r["kpi"] not in principle_kpis(r["principle"], explain.get(r["principle"], ""))]
    fs.append(_f("1.3", not misfit, "each objective's KPI measures the principle it puts into operation"
                 if not misfit else "choose a KPI that measures what the principle is about; it does not for: "
                 + "; ".join(misfit[:3]), "fit"))
    weak = []
    for r in rows:
        t = cs.targets.get(r["kpi"]) if r["kpi"] in KPI_NAMES else None
        if t is None:
            continue
        if not _is_number(r["target"]):
            weak.append(f"{r['kpi']} (target is not a number)")
        elif r["kpi"] in FRACTION_KPIS and not 0 <= r["target"] <= 1:
            weak.append(f"{r['kpi']} (give a fraction, e.g. 0.8 for 80%)")
        elif (r["target"] < t.target) if t.direction == "higher" else (r["target"] > t.target):
            weak.append(f"{r['kpi']} (less demanding than the business plan)")
    fs.append(_f("1.3", not weak, "targets are at least as demanding as the business plan" if not weak else
                 f"check these targets: {'; '.join(weak[:3])}"))
    if proposal is not None:
        agreed = _agreed_targets(proposal)
        below = []
        for r in rows:
            t = cs.targets.get(r["kpi"]) if r["kpi"] in KPI_NAMES else None
            if r["kpi"] not in agreed or not _is_number(r["target"]):
                continue
            higher = t.direction == "higher" if t is not None else r["kpi"] not in _LOWER_IS_BETTER
            if (r["target"] < agreed[r["kpi"]]) if higher else (r["target"] > agreed[r["kpi"]]):
                below.append(r["kpi"])
        fs.append(_f("1.3", bool(agreed) and not below,
                     "targets are at least as demanding as those agreed with your stakeholders" if agreed and not below
                     else "your final `marketing_proposal` (Task 1.2) has no KPI targets to build on" if not agreed
                     else "less demanding than the target your stakeholders agreed in Task 1.2: "
                     + ", ".join(map(str, below[:3])), "agreed_targets"))
    if ds is not None:  # a target may also break a stakeholder's condition (a floor, e.g. on handle time)
        from helpers import consultation as consult
        panel = consult.positions(ds)
        undone = [f"{r['kpi']} ({', '.join(who)})" for r in rows if r["kpi"] in KPI_NAMES
                  for who in [consult.target_objections(r["kpi"], r["target"], ds, panel)] if who]
        fs.append(_f("1.3", not undone, "no target breaks a condition your stakeholders set in the consultation"
                     if not undone else "these targets break a condition your stakeholders set (put the target to "
                     "them with `meeting.consult` to hear it): " + "; ".join(undone[:3]), "conditions"))
    vague = [r["objective"] for r in rows if r["kpi"] in OBJECTIVE_WORDS
             and not _speaks(r["objective"], OBJECTIVE_WORDS[r["kpi"]])]
    fs.append(_none("1.3", vague, "each objective says what the centre will do about its KPI",
                    "say what the centre will do about the objective's KPI in"))
    fs.append(_f("1.3", any(r["kpi"] == "retention_rate" for r in rows), "a retention objective is included"))
    return fs


def peak_staffing(peak_calls, peak_traffic, peak_agents) -> Findings:
    """PC 1.3: types and plausibility of the peak staffing calculation (Erlang C needs agents > traffic)."""
    fs = Findings([
        _f("1.3", isinstance(peak_calls, int) and not isinstance(peak_calls, bool) and peak_calls > 0,
           "`peak_calls` is a whole number of calls"),
        _f("1.3", _is_number(peak_traffic) and peak_traffic > 0, "`peak_traffic` is a positive number of Erlangs"),
        _f("1.3", isinstance(peak_agents, int) and not isinstance(peak_agents, bool),
           "`peak_agents` is a whole number of agents (use `.agents`)"),
    ])
    if fs.all_passed:
        fs.append(_f("1.3", peak_agents > peak_traffic, "more agents than Erlangs of traffic (needed for a stable queue)"))
    return fs


def supply_chains(table, cs) -> Findings:
    """PC 1.4: one row per queue with its supply chain, volume, share, AHT and service level."""
    cols = ["supply_chain", "calls_offered", "share", "aht_s", "service_level"]
    if not isinstance(table, pd.DataFrame):
        return Findings([_f("1.4", False, f"`supply_chains` should be a DataFrame, you gave a {type(table).__name__}")])
    missing = [c for c in cols if c not in table.columns]
    fs = Findings([_f("1.4", not missing, "all columns present" if not missing else f"missing columns: {', '.join(missing)}")])
    queues = {q.name: q.supply_chain for q in cs.queues}
    fs.append(_f("1.4", set(map(str, table.index)) == set(queues), "one row per queue, indexed by queue name"))
    if "supply_chain" in table.columns:
        wrong = [q for q in table.index if q in queues and table.loc[q, "supply_chain"] != queues[q]]
        fs.append(_f("1.4", not wrong, "each queue's supply chain is as in the case study" if not wrong else
                     f"check the supply chain of: {', '.join(map(str, wrong))}"))
    if "share" in table.columns and pd.api.types.is_numeric_dtype(table["share"]):
        fs.append(_f("1.4", abs(float(table["share"].sum()) - 1) < 1e-6, "shares add up to 1"))
    return fs


# ---------------------------------------------------------------------------------- element 3
def offer_response(table, ds) -> Findings:
    """PC 3.1 (shape): one row per segment of the data, one column per campaign kind, fractions 0..1."""
    if not isinstance(table, pd.DataFrame) or table.empty:
        return Findings([_f("3.1", False, "`offer_response` should be a DataFrame (segments × campaign kinds)")])
    segments = set(ds.customers["segment"].unique())
    kinds = set(ds.campaigns["kind"].unique())
    fs = Findings([
        _f("3.1", set(map(str, table.index)) == segments, "one row per segment of your data (the index)"),
        _f("3.1", set(map(str, table.columns)) == kinds, "one column per campaign kind of `ds.campaigns`")])
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float).ravel()
    fs.append(_f("3.1", bool(((values >= 0) & (values <= 1)).all()),
                 "acceptance rates are fractions between 0 and 1 (accepted ÷ offers made)"))
    return fs


# Claims a reason can make about a segment: the measure (acceptance from `offer_response`, churn, complaints)
# and whether the segment is the highest or the lowest on it. Claims are checked against the data.
_MEASURE = {"acceptance": r"accept|respon|tak(?:e|es|en|ing).?up|uptake|conver|\bbuys?\b",
            "churn": r"churn|\bleav|cancel|switch",
            "complaints": r"complain"}
_HIGHEST = r"\b(best|highest|most|top|strongest|greatest|largest)\b"
_LOWEST = r"\b(worst|lowest|fewest|least|weakest|bottom|smallest|poorest)\b"
# a rate quoted as a percentage; not a relative difference ("20% below average", "3 per cent more than")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent)(?!\s*(?:points?\s+)?(?:below|above|more|less|lower|higher|"
                      r"fewer|than|up|down))")
# a comparison ("higher than the other segments", "more offers than average", "below Renters"): its direction,
# what it compares with (a named segment, all the others, or the average of the segments) and a negation to skip
_MORE = r"\b(higher|more|above|better|stronger|greater|larger|exceeds?|outperforms?)\b"
_LESS = r"\b(lower|less|fewer|below|weaker|worse|smaller|poorer|under)\b"
_AGAINST = r"\bthan\b|average|\bmean\b|\bothers?\b|\brest\b|\bpeers\b|\bsegments\b"
_ALL_OTHERS = r"\b(?:all|any|every|each)\s+(?:of\s+the\s+)?other|\bthe other segments\b|\bthe others\b|\bthe rest\b"
_NEGATED = r"\bnot\b|\bno\b|n't\b|\bnever\b"


def _wrong_comparison(clause: str, seg: str, values: pd.Series, names: list[str]) -> str | None:
    """What is wrong with a comparison the clause makes about ``seg`` on ``values`` (None when it holds or the
    clause makes none). ``names`` are the segments in the order they were replaced by ``segment<i>``."""
    up, down = re.search(_MORE, clause), re.search(_LESS, clause)
    other = re.search(r"(?:than|below|above|under|over|behind|ahead of)\s+(?:that\s+of\s+|those\s+of\s+|the\s+)?"
                      r"segment(\d+)", clause)
    if bool(up) == bool(down) or not (other or re.search(_AGAINST, clause)) or re.search(_NEGATED, clause):
        return None
    own, word = float(values[seg]), "higher" if up else "lower"
    if other and names[int(other.group(1))] in values.index and names[int(other.group(1))] != seg:
        ref, against = float(values[names[int(other.group(1))]]), names[int(other.group(1))]
    elif re.search(_ALL_OTHERS, clause):
        ref, against = float((values.drop(seg).max() if up else values.drop(seg).min())), "every other segment"
    else:
        ref, against = float(values.mean()), "the average of the segments"
    return None if (own > ref if up else own < ref) else f"{seg} is not {word} than {against}"


_OTHER_KINDS = r"\bother (?:campaign |offer )?(?:kinds?|campaigns?|types?|offers?)\b"


def _wrong_kind_comparison(clause: str, seg: str, row: pd.Series) -> str | None:
    """A comparison of one segment's acceptance across campaign kinds ("responds better to retention offers than
    to acquisition offers", "... than to any other kind"): what is wrong with it, or None."""
    up, down = re.search(_MORE, clause), re.search(_LESS, clause)
    if bool(up) == bool(down) or re.search(_NEGATED, clause):
        return None
    named = [k for _, k in sorted((clause.find(str(k).lower()), k) for k in row.index if str(k).lower() in clause)]
    if len(named) >= 2:
        ref, against = float(row[named[1]]), f"{named[1]} offers"
    else:
        rest = row.drop(named[0]).astype(float)
        ref, against = float(rest.max() if up else rest.min()), "every other kind of offer"
    own = float(row[named[0]])
    return None if (own > ref if up else own < ref) else (
        f"{seg} does not accept {named[0]} offers {'more' if up else 'less'} than {against}")


def _segment_measures(ds, table) -> dict[str, pd.Series]:
    """Per segment: mean acceptance over campaign kinds (``table``), churn in the period, complaints (count)."""
    from helpers import kpi
    out = {"acceptance": table.apply(pd.to_numeric, errors="coerce").mean(axis=1)}
    start, end = ds.calls["arrived_at"].min().normalize(), ds.calls["arrived_at"].max()
    out["churn"] = kpi.churn_rate(ds.customers, start, end, by="segment")
    seg = ds.customers.set_index("customer_id")["segment"]
    out["complaints"] = ds.complaints["customer_id"].map(seg).value_counts().reindex(out["churn"].index, fill_value=0)
    out["complaint_rate"] = out["complaints"] / seg.value_counts().reindex(out["churn"].index)
    return out


def _false_claims(row, table, measures) -> list[str]:
    """The claims of one reason that the data contradict: "highest/lowest <measure>" for a segment that is not,
    or an acceptance percentage that is none of the segment's rates in ``table`` (nor their mean)."""
    seg, wrong = row["segment"], []
    text = str(row["reason"]).lower()
    names = sorted(map(str, table.index), key=len, reverse=True)
    for i, name in enumerate(names):  # names may hold "and"
        text = text.replace(name.lower(), f"segment{i}")
    for clause in re.split(r"[;,]|\.(?:\s|$)|\band\b|\bbut\b|\bso\b|\bwhile\b", text):
        kind = next((k for k in table.columns if str(k).lower() in clause), None)
        for measure, pattern in _MEASURE.items():
            if not re.search(pattern, clause):
                continue
            values = (table[kind].astype(float) if measure == "acceptance" and kind is not None
                      else measures[measure])
            alternatives = [values] + ([measures["complaint_rate"]] if measure == "complaints" else [])
            if seg not in values.index:
                continue
            if re.search(_HIGHEST, clause) and not any(v.idxmax() == seg for v in alternatives):
                wrong.append(f"{seg} is not the highest on {measure}")
            if re.search(_LOWEST, clause) and not any(v.idxmin() == seg for v in alternatives):
                wrong.append(f"{seg} is not the lowest on {measure}")
            kinds = [k for k in table.columns if str(k).lower() in clause] if measure == "acceptance" else []
            if len(kinds) >= 2 or (kinds and re.search(_OTHER_KINDS, clause)):  # across kinds, for this segment
                across = _wrong_kind_comparison(clause, seg, table.loc[seg])
                wrong += [across] if across else []
            else:
                compared = [_wrong_comparison(clause, seg, v, names) for v in alternatives]
                if all(compared):
                    wrong.append(f"{compared[0]} on {measure}")
            if measure == "acceptance" and not re.search(_MEASURE["churn"] + "|" + _MEASURE["complaints"], clause):
                rates = [float(v) for v in table.loc[seg]] + [float(measures["acceptance"][seg])]
                for pct in _PERCENT.findall(clause):
                    if not any(abs(float(pct) / 100 - r) <= 0.0051 for r in rates):
                        wrong.append(f"{pct}% is not an acceptance rate of {seg}")
    return wrong


def strategy_plan(plan, ds, name: str = "after_sales_plan", criterion: str = "3.1", table=None) -> Findings:
    """PC 3.1: at least three strategies from the range statement, each for a segment, with a reason; the plan
    reaches at least two segments and each strategy has its own reason (not one reason copied, even with the
    segment's name changed). With the acceptance table ``table`` (``offer_response``), each reason must cite the
    segment's acceptance (a rate of its row, or where it ranks) and every claim it makes about acceptance, churn
    or complaints must be true: highest/lowest, a percentage, and a comparison ("higher than the other
    segments", "more than average", "below Renters")."""
    rows, fs = _records(name, plan, ("strategy", "segment", "reason"), criterion, 3)
    bad = [r["strategy"] for r in rows if r["strategy"] not in strategy_range()]
    fs.append(_f(criterion, not bad, "strategies come from the range statement" if not bad else
                 f"not in the range statement: {', '.join(map(str, bad[:3]))}"))
    segments = set(ds.customers["segment"].unique())
    off = [r["segment"] for r in rows if r["segment"] not in segments]
    fs.append(_f(criterion, not off, "segments are segments of your data" if not off else
                 f"unknown segments: {', '.join(map(str, off[:3]))}"))
    fs.append(_f(criterion, len({r["strategy"] for r in rows}) >= 3, "at least three different strategies"))
    names = sorted(map(str, segments), key=len, reverse=True)

    def gist(reason) -> str:  # the reason with segment names blanked: a template copied per segment is one reason
        text = str(reason).lower()
        for name in names:
            text = text.replace(name.lower(), "segment")
        return " ".join(re.findall(r"[a-z0-9.%]+", text))
    copied = len({gist(r["reason"]) for r in rows}) < len(rows)
    few = len({r["segment"] for r in rows}) < 2
    fs.append(_f(criterion, not few and not copied,
                 "each strategy needs its own reason (why it suits that segment); some reasons are the same"
                 if copied else "aim the strategies at at least two segments" if few else
                 "the strategies reach at least two segments, each strategy with its own reason", "segments"))
    unfounded = [r["strategy"] for r in rows if not _cites_data(r["reason"])]
    fs.append(_none(criterion, unfounded, "each reason cites what your analysis shows about the segment",
                    "give a reason that cites your analysis (a measure such as offer acceptance, churn, tenure or "
                    "complaints, and the segment's figure or how it compares) for"))
    if isinstance(table, pd.DataFrame) and not table.empty and not off:
        measures = _segment_measures(ds, table)
        mute = [r["strategy"] for r in rows if not re.search(_MEASURE["acceptance"], str(r["reason"]).lower())]
        fs.append(_none(criterion, mute, "each reason cites the segment's offer acceptance from `offer_response`",
                        "cite the segment's acceptance from your `offer_response` (its rate, or where it ranks) for"))
        wrong = [w for r in rows for w in _false_claims(r, table, measures)]
        fs.append(_none(criterion, wrong, "every claim about a segment agrees with your analysis",
                        "reasons that your data contradict"))
    return fs


def _cites_data(reason) -> bool:
    """Whether a reason cites a measure of the data and how the segment stands on it (REASON_MEASURES/STANDING)."""
    text = str(reason).lower()
    return len(text.split()) >= 5 and bool(re.search(REASON_MEASURES, text)) and bool(re.search(REASON_STANDING, text))


def retention_strategies(strategies, churn_by_segment) -> Findings:
    """PC 3.2: strategies from the range, targets below current churn, the worst segment covered."""
    rows, fs = _records("retention_strategies", strategies, ("segment", "strategy", "offer", "target_churn"), "3.2", 2)
    bad = [r["strategy"] for r in rows if r["strategy"] not in strategy_range()]
    fs.append(_none("3.2", bad, "strategies come from the range statement", "not in the range statement"))
    vague = [r["segment"] for r in rows if r["strategy"] in STRATEGY_WORDS
             and not _speaks(r["offer"], STRATEGY_WORDS[r["strategy"]])]
    fs.append(_none("3.2", vague, "each offer says what the strategy does for the customer",
                    "describe the offer of the strategy (what the customer gets) for"))
    if not isinstance(churn_by_segment, pd.Series) or churn_by_segment.empty:
        fs.append(_f("3.2", False, "`churn_by_segment` should be a Series of churn rates by segment"))
        return fs
    off = [r["segment"] for r in rows if r["segment"] not in churn_by_segment.index]
    fs.append(_none("3.2", off, "each strategy is aimed at a segment of your data", "not segments of your data"))
    high = [r["segment"] for r in rows if r["segment"] in churn_by_segment.index
            and not (_is_number(r["target_churn"]) and r["target_churn"] < churn_by_segment[r["segment"]])]
    fs.append(_none("3.2", high, "each target is below the segment's current churn", "targets must be below current churn for"))
    fs.append(_f("3.2", churn_by_segment.idxmax() in {r["segment"] for r in rows},
                 "the segment with the highest churn has a strategy"))
    return fs


def retention_process(process, cs, ds=None, strategies=None, plan=None) -> Findings:
    """PC 3.3: at least four steps with stakeholder owners, triggers, KPIs, frequencies and a review step.
    Each step is a sentence saying what is done (STEP_ACTIONS, six words or more) and its KPI measures that
    step (STEP_KPI_WORDS: a csat on a rate-lock offer or a "Renters month rate" step fails).
    Each trigger is an event that can be observed (TRIGGER_EVENTS, or a call reason or complaint category of
    the learner's data ``ds`` when given). With the learner's ``retention_strategies`` (3.2) and
    ``after_sales_plan`` (3.1), the process must deliver them: each retention strategy has a step naming its
    segment and what the customer gets, at least one after-sales strategy has a step, and the steps differ
    (their own triggers)."""
    rows, fs = _records("retention_process", process, ("step", "owner", "trigger", "kpi", "frequency"), "3.3", 4)
    known = _stakeholders(cs)
    checks = [
        ([r["owner"] for r in rows if r["owner"] not in known], "owners are stakeholders of the case study",
         "owners not in the case study"),
        ([r["kpi"] for r in rows if r["kpi"] not in KPI_NAMES], "KPIs are known KPI names", "unknown KPIs"),
        ([r["frequency"] for r in rows if r["frequency"] not in FREQUENCIES], "frequencies are valid",
         f"frequencies must be one of {', '.join(FREQUENCIES)}; got"),
    ]
    for bad, good, problem in checks:
        fs.append(_f("3.3", not bad, good if not bad else f"{problem}: {', '.join(map(str, bad[:3]))}"))
    fs.append(_f("3.3", any(re.search(r"review|document", str(r["step"]), re.I) for r in rows),
                 "a step documents and reviews the process"))
    vague = [r["step"] for r in rows if len(str(r["step"]).split()) < 6 or not re.search(STEP_ACTIONS, str(r["step"]).lower())]
    fs.append(_none("3.3", vague, "each step says what is done for whom (a sentence with an action)",
                    "write each step as a sentence of at least six words saying what is done for whom (offer, call, "
                    "credit, assign, survey, review ...):"))
    misfit = [f"{r['kpi']} for '{r['step']}'" for r in rows if r["kpi"] in STEP_KPI_WORDS
              and not re.search(STEP_KPI_WORDS[r["kpi"]], str(r["step"]).lower())]
    fs.append(_none("3.3", misfit, "each step's KPI measures what that step does",
                    "choose a KPI that measures what the step does (retention_rate for a retention offer, csat for a "
                    "survey or follow-up, conversion_rate for an offer to buy, service_level for routing ...):"))
    events = _data_events(ds)
    unseen = [r["step"] for r in rows if not _observable(r["trigger"], events)]
    fs.append(_none("3.3", unseen, "every trigger is an event you can observe in the data or the calendar",
                    "give a trigger that is an observable event (a call reason such as a cancellation, an offer "
                    "accepted or declined, a complaint, a survey score, month end) for"))
    fs.append(_f("3.3", len({str(r["trigger"]).strip().lower() for r in rows}) >= 3
                 and len({str(r["step"]).strip().lower() for r in rows}) == len(rows),
                 "the steps are different steps, started by at least three different triggers"))
    if strategies is not None:
        linked = [r for r in strategies if isinstance(r, Mapping) and r.get("segment") and r.get("strategy")]
        missing = [f"{r['strategy']} for {r['segment']}" for r in linked
                   if not any(_delivers(step, r) for step in rows)]
        fs.append(_f("3.3", bool(linked) and not missing,
                     "each retention strategy of Task 3.2 has a step that names its segment and delivers it"
                     if linked and not missing else "add a step that delivers each retention strategy of Task 3.2 "
                     "(name its segment and what the customer gets): " + (", ".join(missing[:3]) or "none given")))
    if plan is not None:
        after = [r for r in plan if isinstance(r, Mapping) and r.get("strategy")]
        fs.append(_f("3.3", any(_delivers(step, r, segment=False) for r in after for step in rows),
                     "a step delivers one of your after-sales strategies of Task 3.1"))
    return fs


# A step is an action ("offer", "call", "credit" ...) and its KPI measures what that step does (words of the step).
STEP_ACTIONS = (r"\b(offer|give|assign|appoint|allocat|call|ring|phone|send|e-?mail|sms|text|credit|apply|add|award|"
                r"review|document|record|log|survey|ask|check|contact|follow|escalat|rout|transfer|book|schedul|hold|"
                r"meet|update|notify|tell|explain|confirm|resolv|refund|waive|enrol|invite|thank|measure|report|"
                r"analys|compare|train|brief|coach|monitor|track|flag|prioriti|welcome|remind|visit|present|discuss|"
                r"propose|publish|audit|provide|arrange|open|pay|redeem)")
_QUEUE_WORDS = r"queue|rout|answer|wait|callback|call.?back|priorit|staff|roster|transfer|abandon|hold"
STEP_KPI_WORDS = {
    "retention_rate": r"leav|cancel|churn|retain|retention|stay|lock|loyal|point|reward|tenure|renew|win.?back|"
                      r"account|discount|save|switch|contract",
    "nps": r"recommend|promoter|detractor|\bnps\b|relationship|account|loyal|review|survey|follow|advocat",
    "csat": r"satisf|csat|survey|feedback|follow|complain|courtesy|thank|check|welcome",
    "fcr": r"resol|first|fix|repeat|follow|issue|complain|call.?back|escalat",
    "conversion_rate": r"offer|sale|\bsell|accept|upgrade|bundle|cross|add-on|value|product|conver|plan",
    "service_level": _QUEUE_WORDS, "asa_s": _QUEUE_WORDS, "abandonment_rate": _QUEUE_WORDS,
    "aht_s": r"handl|script|guide|queue|call",
    "cost_per_contact_aud": r"cost|budget|self.?service|digital|sms|e-?mail|online|app\b",
    "occupancy": r"staff|roster|agent|schedul|workload",
}


def _delivers(step, strategy, segment: bool = True) -> bool:
    """Whether a process step (its ``step`` text) delivers a strategy: it names the strategy or, for a
    retention strategy with an ``offer``, shares two words with what the customer gets (without an offer: the
    strategy's words, STRATEGY_WORDS); with ``segment``, it names the strategy's segment (its first word is
    enough: "Renters")."""
    text = str(step.get("step", "")).lower()
    name = str(strategy["strategy"]).lower()
    if strategy.get("offer"):
        offer = set(re.findall(r"[a-z]{4,}", str(strategy["offer"]).lower())) - _COMMON
        does = name in text or sum(bool(re.search(rf"\b{w}", text)) for w in offer) >= 2
    else:
        does = name in text or any(w in text for w in STRATEGY_WORDS.get(strategy["strategy"], ()) if len(w) >= 4)
    seg = str(strategy.get("segment", "")).lower()
    return does and (not segment or (bool(seg) and (seg in text or seg.split()[0] in text)))


_COMMON = {"with", "when", "that", "this", "each", "their", "they", "from", "will", "your", "have", "customer",
           "customers", "what", "them", "then", "into", "over", "after", "before", "every", "more", "than", "call",
           "calls", "offer", "offers", "offered", "give", "gets", "segment"}


def _data_events(ds) -> list[str]:
    """Call reasons and complaint categories of the learner's data, as words ("high bill", "move home")."""
    out = []
    for table, column in (("calls", "reason"), ("complaints", "category")):
        frame = getattr(ds, "tables", {}).get(table) if ds is not None else None
        if frame is not None and column in frame:
            out += [str(v).replace("_", " ").lower() for v in frame[column].dropna().unique()]
    return out


def _observable(trigger, events) -> bool:
    text = str(trigger).lower()
    return len(text.split()) >= 2 and (bool(re.search(TRIGGER_EVENTS, text)) or any(e in text for e in events))


SIGNAL_CAUSES = ("monday_peak", "high_volume", "low_volume", "not_found")  # besides incident and campaign ids
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def weekly_monitor(table, days, causes, sigma_z, ds=None) -> Findings:
    """PC 3.4: the weekly monitoring table's shape; the Laney p' chart's ``sigma_z`` (a positive number), its
    out-of-control days as YYYY-MM-DD strings (not most of the period: a monitor that flags most days is not
    monitoring) and a cause for each: an incident id, a campaign id (of ``ds`` when given) or a named kind."""
    if not isinstance(table, pd.DataFrame):
        return Findings([_f("3.4", False, f"`weekly_monitor` should be a DataFrame, you gave a {type(table).__name__}")])
    missing = [c for c in ("csat", "nps", "fcr", "complaints") if c not in table.columns]
    fs = Findings([_f("3.4", not missing, "all columns present" if not missing else f"missing: {', '.join(missing)}"),
                   _f("3.4", isinstance(table.index, pd.DatetimeIndex), "indexed by the week's start date")])
    fs.append(_f("3.4", _is_number(sigma_z) and sigma_z > 0, "`sigma_z` is a positive number (the Laney chart's "
                 "overdispersion: how many times wider than the classic p chart's its limits are)", "sigma_z"))
    ok_days = isinstance(days, list) and all(isinstance(d, str) and _DAY.fullmatch(d) for d in days)
    fs.append(_f("3.4", ok_days, "`out_of_control_days` is a list of YYYY-MM-DD strings", "out_of_control_days"))
    if ok_days and ds is not None:
        n_days = ds.calls["arrived_at"].dt.normalize().nunique()
        many = len(set(days)) > n_days / 4
        fs.append(_f("3.4", not many, "a few signals, not most days" if not many else
                     f"{len(set(days))} of {n_days} days out of control: limits that flag that many days are too "
                     "narrow for this many calls a day (the classic p chart's?); use the Laney p' chart",
                     "out_of_control_days"))
    if not isinstance(causes, Mapping):
        fs.append(_f("3.4", False, "`signal_causes` should be a dict: out-of-control day -> cause", "signal_causes"))
        return fs
    known = set(SIGNAL_CAUSES)
    if ds is not None:
        known |= set(ds.incidents["incident_id"].astype(str)) | set(ds.campaigns["campaign_id"].astype(str))
    uncaused = [d for d in (days if ok_days else []) if d not in causes]
    fs.append(_none("3.4", uncaused, "a cause for every out-of-control day", "no cause given for"))
    bad = [f"{k}: {v}" for k, v in causes.items() if not (isinstance(k, str) and _DAY.fullmatch(k))
           or not isinstance(v, str) or (ds is not None and v not in known)]
    fs.append(_none("3.4", bad, "each cause is keyed by its day (YYYY-MM-DD) and is an incident id, a campaign id or "
                    "a named kind", f"use YYYY-MM-DD days and an incident id, a campaign id or one of "
                    f"{', '.join(SIGNAL_CAUSES)}"))
    return fs


def before_after(result, metric: str | None = None, name: str = "retention_change") -> Findings:
    """PC 3.5: a before/after comparison with an estimate and a confidence interval (of ``metric`` when given)."""
    has = all(hasattr(result, a) for a in ("estimate", "ci_low", "ci_high"))
    fs = Findings([_f("3.5", has, "the comparison has an estimate and a confidence interval"
                      if has else f"`{name}` should be the result of analysis.compare_before_after")])
    if has:
        fs.append(_f("3.5", result.ci_low <= result.estimate <= result.ci_high, "the estimate lies within its interval"))
        if metric is not None:
            fs.append(_f("3.5", getattr(result, "metric", None) == metric, f"the comparison is of {metric}"))
    return fs


def change_date(date, ds) -> Findings:
    """PC 3.5 (shape): the change's date is a campaign start of ``ds.campaigns`` inside the period."""
    try:
        day = pd.Timestamp(date)
    except (TypeError, ValueError):
        day = None
    starts = set(pd.to_datetime(ds.campaigns["start"]).dt.normalize())
    return Findings([_f("3.5", day is not None and day in starts,
                        "`change_date` is the start date of a campaign in `ds.campaigns`")])


# ---------------------------------------------------------------------------------- element 4
def _relevant(kpi: str, interests) -> bool:
    """Whether a KPI speaks to at least one of a stakeholder's interests (KPI_INTEREST_WORDS)."""
    text = " ".join(interests).lower()
    return any(w in text for w in KPI_INTEREST_WORDS.get(kpi, ()))


def _interview_findings(criteria: Mapping, interview_log, ds) -> tuple[Findings, dict[str, set[str]], set[str]]:
    """PC 4.1 / PE4: the learner asked the stakeholders what they need (``helpers.information_needs``) and the
    criteria carry what they said. Returns the findings, the KPIs each interviewed stakeholder named and the
    stakeholders who said they do not use the centre's reports."""
    from helpers import information_needs as info

    needs = info.needs(ds)
    replay = info.replay(interview_log, ds)

    def topic(question) -> str | None:  # what the interview recorded the question as being about
        found = info.topics_of(question)
        return found[0] if len(found) == 1 else None
    edited = [f"entry {i}: the topic recorded is not what the question asked" for i, e in
              enumerate(interview_log if isinstance(interview_log, (list, tuple)) else [], 1)
              if isinstance(e, Mapping) and "question" in e and e.get("topic") != topic(e["question"])]
    problems = replay["problems"] + edited
    fs = Findings([_f("4.1", not problems, "your interview transcript is your own interview" if not problems else
                      "`interview_log` must be `interview.transcript` from your own interview: "
                      + "; ".join(problems[:2]), "interview")])
    asked = {n: topics for n, topics in replay["revealed"].items() if "role" in topics}
    levels = {needs[n].level_of_organisation for n in asked}
    short = [lv for lv in ("centre", "enterprise", "external") if lv not in levels]
    fs.append(_f("4.1", not short, "you asked stakeholders at the centre, enterprise and external level about "
                 "their role" if not short else "ask at least one stakeholder at each level what their role is and "
                 "whether they use the centre's reports; none yet at the " + " or ".join(short) + " level",
                 "interview"))
    users = [n for n in asked if needs[n].uses]
    unasked = [n for n in users if not {"measures", "timing"} <= replay["revealed"][n]]
    fs.append(_none("4.1", unasked, "you asked each stakeholder who uses the reports which measures they need "
                    "and when", "ask which measures they need and when they need them"))
    named = {n: {m for m in needs[n].measures if m in KPI_NAMES} for n in users
             if "measures" in replay["revealed"][n]}
    left_out = [n for n, ms in named.items()
                if not isinstance(criteria.get(n), (list, tuple)) or not ms <= set(criteria[n])]
    fs.append(_none("4.1", left_out, "each interviewed stakeholder's criteria hold the KPIs they told you they "
                    "need", "criteria leave out KPIs these stakeholders told you they need"))
    not_users = {n for n in asked if not needs[n].uses}
    sent = [n for n in not_users if criteria.get(n)]
    fs.append(_none("4.1", sent, "no report criteria for stakeholders who told you they do not use the "
                    "centre's reports", "these stakeholders told you they do not use the centre's reports"))
    return fs, named, not_users


def report_criteria(criteria, cs, interview_log=None, ds=None) -> Findings:
    """PC 4.1: every centre and enterprise stakeholder (and an external one) gets KPIs matching their interests;
    with ``ds``, the interview (``interview_log``, :mod:`helpers.information_needs`) is part of the evidence:
    stakeholders at each level asked, the KPIs they named in their criteria, none for those who said they do
    not use the centre's reports."""
    if not isinstance(criteria, Mapping):
        return Findings([_f("4.1", False, "`report_criteria` should be a dict of stakeholder name → list of KPIs")])
    named: dict[str, set[str]] = {}
    not_users: set[str] = set()
    heard = Findings()
    if ds is not None:
        heard, named, not_users = _interview_findings(criteria, interview_log, ds)
    people = {s.name: s for s in cs.stakeholders}
    unknown = [n for n in criteria if n not in people]
    fs = Findings([_none("4.1", unknown, "names are stakeholders of the case study", "not stakeholders of the case study")])
    internal = [s.name for s in cs.stakeholders if s.level in ("centre", "enterprise") and s.name not in not_users]
    missing = [n for n in internal if n not in criteria]
    fs.append(_f("4.1", not missing, "every centre and enterprise stakeholder is covered" if not missing else
                 f"{len(missing)} centre/enterprise stakeholder(s) have no report criteria"))
    fs.append(_f("4.1", any(people[n].level == "external" for n in criteria if n in people and criteria[n]),
                 "at least one external stakeholder is covered"))
    bad = [k for ks in criteria.values() for k in (ks if isinstance(ks, (list, tuple)) else [ks]) if k not in KPI_NAMES]
    fs.append(_none("4.1", bad, "KPIs are known KPI names", "unknown KPIs"))

    def relevant(n: str, k: str) -> bool:  # what they told you they need, or what their interests speak to
        return k in named.get(n, ()) or _relevant(k, people[n].interests)
    irrelevant = [n for n, ks in criteria.items() if n in people and isinstance(ks, (list, tuple)) and ks
                  and not any(relevant(n, k) for k in ks)]
    fs.append(_f("4.1", not irrelevant, "each stakeholder gets at least one KPI matching their interests"
                 if not irrelevant else f"choose KPIs matching the interests of: {', '.join(irrelevant[:3])}"))
    # a report is for its reader: beyond one headline KPI, every KPI must speak to the stakeholder's interests
    padded = [n for n, ks in criteria.items() if n in people and isinstance(ks, (list, tuple))
              and sum(not relevant(n, k) for k in set(ks) if k in KPI_NAMES) > 1]
    fs.append(_f("4.1", not padded, "no stakeholder gets KPIs outside their interests (one headline KPI allowed)"
                 if not padded else "these stakeholders get KPIs that do not match their interests: "
                 + ", ".join(padded[:3])))
    return heard + fs


def kpi_status(status, results, cs) -> Findings:
    """PC 4.2: ``kpi_status`` is ``kpi.kpi_table`` of the learner's own ``kpi_results`` against the case study's
    targets: one row per target KPI, each status what those figures give (checks agreement with the learner's
    own figures, never the expected ones)."""
    from helpers import kpi

    if not isinstance(status, pd.DataFrame) or not {"kpi", "status"} <= set(status.columns):
        return Findings([_f("4.2", False, "`kpi_status` should be the table from kpi.kpi_table", "kpi_status")])
    if not isinstance(results, Mapping):
        return Findings([_f("4.2", False, "`kpi_status` is built from `kpi_results`: compute that first", "kpi_status")])
    targets = {k: v.model_dump() for k, v in cs.targets.items() if _is_number(results.get(k))}
    own = kpi.kpi_table(results, targets)
    missing = sorted(set(own["kpi"]) - set(status["kpi"]))
    fs = Findings([_none("4.2", missing, "`kpi_status` has a row for every KPI with a target",
                         "`kpi_status` has no row for")])
    given = dict(zip(status["kpi"], status["status"]))
    off = [k for k, v in zip(own["kpi"], own["status"]) if k in given and given[k] != v]
    fs.append(_none("4.2", off, "each status is what your own `kpi_results` give against cs.targets",
                    "the status does not follow from your own `kpi_results` and cs.targets for"))
    return fs


# How a headline may name a KPI, and words that say a result met or missed its target.
KPI_SYNONYMS = {
    "service_level": r"service[ -]level|\b80/20\b|grade of service", "asa_s": r"\basa\b|speed of answer",
    "aht_s": r"\baht\b|handl(e|ing) time", "abandonment_rate": r"abandon",
    "fcr": r"\bfcr\b|first[- ](contact|call)[- ]resolution|resolved first", "csat": r"\bcsat\b|satisfaction",
    "nps": r"\bnps\b|net promoter", "conversion_rate": r"conversion|convert",
    "retention_rate": r"retention|churn", "cost_per_contact_aud": r"cost per (contact|call)|cost to serve",
}
# Words that say a result met or missed its target whatever the KPI's direction, and words that say it
# finished above or below its target (met for a KPI where higher is better, missed where lower is better).
MISSED_WORDS = r"not met|not achiev|did not meet|didn't meet|\bmiss|short of|\bshort\b|behind|\bfail|off target|worse"
MET_WORDS = r"\bmet\b|achiev|\bbeat|ahead of|on target|better than|within target|\bhit\b"
ABOVE_WORDS = r"\babove\b|\bover\b|\bhigher\b|exceed|\brose\b|\bup\b"
BELOW_WORDS = r"\bbelow\b|\bunder\b|\blower\b|\bfell\b|\bdown\b"
# "N of M KPIs met": a count of KPIs or targets (an 80/20 service-level standard is not a count).
COUNT = re.compile(r"\b(\d+)\s*(?:of|out of|/)\s*(?:the\s+|our\s+|its\s+)?(\d+)\s+(?:\w+\s+)?(?:kpis?\b|"
                   r"key performance|targets\b|measures\b|indicators\b)")
_CONNECTOR = re.compile(r"[\s,&/]*(?:(?:and|or|plus|as well as|both)[\s,&/]*)?")


def _directions(text: str) -> list[tuple[int, int, str]]:
    """The direction words of ``text`` as (start, end, kind), kind "met", "missed", "above" or "below"; a
    negated met ("not met") is a miss, never also a met."""
    found, taken = [], []
    for kind, pattern in (("missed", MISSED_WORDS), ("met", MET_WORDS), ("above", ABOVE_WORDS),
                          ("below", BELOW_WORDS)):
        for m in re.finditer(pattern, text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                found.append((m.start(), m.end(), kind))
                taken.append((m.start(), m.end()))
    return sorted(found)


def _said(kind: str, kpi: str) -> str:
    """What a direction word says about ``kpi``: "met" or "missed"."""
    if kind in ("met", "missed"):
        return kind
    lower_better = kpi in _LOWER_IS_BETTER
    return "met" if (kind == "above") != lower_better else "missed"


def _mentions(clause: str, status: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """Where the clause names a KPI of ``status`` (start, end, kpi), in order, overlaps dropped."""
    def word_end(i: int) -> int:  # a mention runs to the end of its word ("abandon" in "abandonment_rate")
        return i + len(re.match(r"\w*", clause[i:]).group(0))
    spans = sorted((m.start(), -word_end(m.end()), k) for k, pattern in KPI_SYNONYMS.items() if k in status
                   for m in re.finditer(pattern + "|" + re.escape(k), clause))
    spans = [(a, -b, k) for a, b, k in spans]
    out: list[tuple[int, int, str]] = []
    for a, b, k in spans:
        if out and a < out[-1][1]:
            continue
        out.append((a, b, k))
    return out


def headline_says(text, status: Mapping[str, str]) -> dict[str, str]:
    """What a headline says about each KPI it names: "met", "missed" or "unclear" (both said of it, or
    neither). KPIs named together ("service level and CSAT met target") share the words that follow them, else
    the words before them in the clause; "above"/"below" read with the KPI's direction (AHT below target is met)."""
    said: dict[str, set[str]] = {}
    for clause in re.split(r"[;.]|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b", str(text).lower()):
        words = _directions(clause)
        groups: list[list[tuple[int, int, str]]] = []
        for mention in _mentions(clause, status):
            if groups and _CONNECTOR.fullmatch(clause[groups[-1][-1][1]:mention[0]]):
                groups[-1].append(mention)
            else:
                groups.append([mention])
        for i, group in enumerate(groups):
            after_end = groups[i + 1][0][0] if i + 1 < len(groups) else len(clause)
            before_start = groups[i - 1][-1][1] if i else 0
            after = [w for w in words if group[-1][1] <= w[0] < after_end]
            before = [w for w in words if before_start <= w[0] < group[0][0]]
            for _, _, k in group:
                kinds = {_said(w[2], k) for w in (after or before)}
                if kinds:
                    said.setdefault(k, set()).update(kinds if len(kinds) == 1 else {"unclear"})
    return {k: (next(iter(v)) if len(v) == 1 else "unclear") for k, v in said.items()}


def headline(text, status: Mapping[str, str]) -> Findings:
    """PC 4.3: the headline states this learner's results against targets: the count of KPIs met (``N of M``
    KPIs or targets) or service level and CSAT each named as met or missed, and no KPI it names with the wrong
    direction. ``status`` is KPI name -> "met" / "near" / "missed" (from the learner's own data)."""
    if not isinstance(text, str) or not text.strip():
        return Findings([_f("4.3", False, "write the headline as one sentence", "headline")])
    met = sum(v == "met" for v in status.values())
    # a count is N <= M (an 80/20 standard is not "80 of 20")
    count = next((m for m in COUNT.finditer(text.lower()) if int(m.group(1)) <= int(m.group(2))), None)
    counted = bool(count) and int(count.group(1)) == met and int(count.group(2)) == len(status)
    said = headline_says(text, status)
    # a "near" KPI (within tolerance of its target, on the wrong side) may be called met or missed
    wrong = [k for k, v in said.items() if v != "unclear" and status[k] in ("met", "missed") and v != status[k]]
    key_said = all(said.get(k) in ("met", "missed") for k in ("service_level", "csat") if k in status)
    ok = not wrong and (counted or key_said) and not (count and not counted)
    return Findings([_f("4.3", ok, "the headline states your KPI results against their targets" if ok else
                        "the headline must state your own KPI results against target (how many KPIs met, or "
                        "service level and CSAT each with met/above or missed/below), as your Task 4.2 table shows",
                        "headline")])


def kpi_results(results, keys) -> Findings:
    """PC 4.2: the named KPIs are present, numeric and in range (fractions 0..1, NPS -100..100, times > 0)."""
    if not isinstance(results, Mapping):
        return Findings([_f("4.2", False, "`kpi_results` should be a dict of KPI name → value")])
    fs = Findings()
    for k in keys:
        v = results.get(k)
        if not _is_number(v):
            fs.append(_f("4.2", False, f"`{k}` is missing or not a number", k))
        elif k in FRACTION_KPIS and not 0 <= v <= 1:
            fs.append(_f("4.2", False, f"`{k}` should be a fraction between 0 and 1 (0.8 means 80%)", k))
        elif k == "nps" and not -100 <= v <= 100:
            fs.append(_f("4.2", False, "`nps` is in points from -100 to 100", k))
        else:
            fs.append(_f("4.2", v >= 0 or k == "nps", f"`{k}` is a plausible value", k))
    return fs


def report(answer, cs) -> Findings:
    """PC 4.3: the report goes to stakeholders, on or before the deadline, with KPIs and at least one chart."""
    if not isinstance(answer, Mapping):
        return Findings([_f("4.3", False, "`report` should be a dict with to, sent_at, headline, kpis, figures")])
    people = _stakeholders(cs)
    to = answer.get("to") if isinstance(answer.get("to"), (list, tuple)) else []
    fs = Findings([_f("4.3", bool(to) and all(n in people for n in to), "sent to stakeholders of the case study")])
    try:
        sent = pd.Timestamp(str(answer.get("sent_at")))
        on_time = sent <= pd.Timestamp(cs.report_deadline)
    except (ValueError, TypeError):
        on_time = False
    fs.append(_f("4.3", on_time, "sent on or before the report deadline" if on_time else
                 "`sent_at` must be YYYY-MM-DD HH:MM on or before the case study's report deadline"))
    fs.append(_f("4.3", isinstance(answer.get("headline"), str) and len(answer["headline"].split()) >= 5,
                 "a one-sentence headline"))
    kpis = answer.get("kpis") if isinstance(answer.get("kpis"), (list, tuple)) else []
    fs.append(_f("4.3", len(kpis) >= 4 and all(k in KPI_NAMES for k in kpis), "at least four known KPIs reported"))
    fs.append(_f("4.3", _is_number(answer.get("figures")) and answer["figures"] >= 1, "at least one chart attached"))
    return fs


# ---------------------------------------------------------------------------------- element 2
def design(ddl, mapping=None, ds=None) -> Findings:
    """PC 2.1: the design holds the fields and functions the marketing operation needs (the ``fields`` group of
    :func:`helpers.marketing_db.check_design`) in a sound structure (its ``structure`` group: the DDL runs, every
    table has a primary key, no repeating groups, products held and offers in child tables whose references to the
    customer are declared FOREIGN KEYs, enforced, every column typed). A column is recognised by its name or by what the learner's
    ``COLUMN_MAPPING`` (Task 2.2) loads into it, so a sound design named differently is judged on what it holds;
    ``ds`` (the learner's dataset) limits the mapping to source columns that exist."""
    from helpers import marketing_db
    if not isinstance(ddl, str) or not ddl.strip():
        return Findings([_f("2.1", False, "`MARKETING_DDL` should be a string of SQL statements")])
    mapping = mapping if isinstance(mapping, Mapping) else None
    sources = None
    if ds is not None and mapping:   # only the source tables the mapping reads
        named = {spec.split(".")[0] for block in mapping.values()
                 for b in (block if isinstance(block, list) else [block]) if isinstance(b, Mapping)
                 for spec in b.values() if isinstance(spec, str) and spec.count(".") == 1}
        sources = {name: list(ds.tables[name].columns) for name in named if name in ds.tables}
    return marketing_db.check_design(ddl, criteria={"fields": "2.1", "structure": "2.1"}, mapping=mapping,
                                     sources=sources).for_criterion("2.1")


def loaded(ddl, mapping, query, ds, run: bool = True) -> Findings:
    """PC 2.2: the design, mapping and query are given; with ``run``, the data loads and the query runs."""
    fs = Findings([
        _f("2.2", isinstance(ddl, str) and "create table" in ddl.lower(), "`MARKETING_DDL` holds CREATE TABLE statements"),
        _f("2.2", isinstance(mapping, Mapping) and bool(mapping) and all(
            isinstance(v, Mapping) or (isinstance(v, list) and all(isinstance(b, Mapping) for b in v))
            for v in mapping.values()),
           "`COLUMN_MAPPING` is a dict of table → {column: source} (or a list of such blocks)"),
        _f("2.2", isinstance(query, str) and re.match(r"\s*(select|with)\b", query, re.I) is not None,
           "`ELIGIBLE_EMAIL_QUERY` is a SELECT query"),
    ])
    if not (run and fs.all_passed):
        return fs
    from helpers import marketing_db
    conn = marketing_db.load_into_design(ddl, mapping, ds.tables, criterion="2.2")
    fs.extend(conn.findings)
    params = marketing_db.probe_params(marketing_db.default_as_of(ds.tables))
    try:
        cur = conn.execute(query, params)
        rows = cur.fetchmany(5)
        columns = [c[0].lower() for c in cur.description or []]
        fs.append(_f("2.2", "customer_id" in columns, "the query runs and returns a customer_id column"
                     if "customer_id" in columns else "the query must return a customer_id column"))
        fs.append(_f("2.2", bool(rows), "the query returns customers" if rows else "the query returns no rows"))
    except Exception as exc:  # noqa: BLE001 - any SQL error is the learner's to fix
        fs.append(_f("2.2", False, f"the query does not run: {exc}"))
    return fs


SELECTION_MIN_SHARE = 0.05   # a selection view returns at least this share of the customers lawful on its channel
_CHANNEL_LABEL = {"email": "e-mail", "sms": "SMS", "phone": "phone"}


def enhancements(ddl, sql, mapping=None, ds=None, query=None) -> Findings:
    """PC 2.3: the enhancement SQL runs on the design and serves the marketing operation: at least one view the
    marketing team can select a campaign from, and at least one index that speeds a selection.

    * With the learner's data (``mapping`` and ``ds``), the design is loaded and each view that returns customer
      ids is tested as a campaign selection: every customer in it may lawfully be contacted on one regulated
      channel (e-mail, SMS or phone: consent, unsubscribes and opt-outs, Do Not Call Register with a wash no older
      than 30 days; :func:`helpers.marketing_db.lawful_contacts`) at the date of the data (its last update, or the
      ``:as_of`` of Task 2.2), and it returns at least :data:`SELECTION_MIN_SHARE` of those customers.
    * An index counts when it is on a column a view (or ``query``, Task 2.2's selection) uses, and is not already
      covered by the table's primary key or an index of the design.
    """
    if not isinstance(ddl, str) or not isinstance(sql, str) or not sql.strip():
        return Findings([_f("2.3", False, "`MARKETING_DDL` and `ENHANCEMENT_SQL` should both be SQL strings")])
    from helpers import marketing_db
    from helpers.marketing_db.sandbox import Sandbox, run_script
    with_data = ds is not None and isinstance(mapping, Mapping) and bool(mapping)
    if with_data:
        conn = marketing_db.load_into_design(ddl, mapping, ds.tables, criterion="2.3")
        box = conn.sandbox
        if conn.schema is None:
            conn.close()
            return Findings([_f("2.3", False, "fix the design first: it does not run")])
    else:
        box = Sandbox()
        errors = run_script(box, ddl)
        if errors:
            box.conn.close()
            return Findings([_f("2.3", False, f"fix the design first: {errors[0]}")])
    try:
        before = _objects(box.conn)
        covered = _indexed_leads(box.conn)
        errors = run_script(box, sql)
        fs = Findings([_f("2.3", not errors, "the enhancements run on your design" if not errors else
                          f"the enhancements do not run: {errors[0]}")])
        added = _objects(box.conn) - before
        views = sorted(name for kind, name in added if kind == "view")
        indexes = sorted(name for kind, name in added if kind == "index")
        broken = []
        for view in views:
            try:
                box.conn.execute(f'SELECT * FROM "{view}" LIMIT 1').fetchall()
            except Exception:  # noqa: BLE001
                broken.append(view)
        fs.append(_f("2.3", bool(views) and not broken,
                     "add at least one view" if not views else f"these views fail when queried: {', '.join(broken)}"
                     if broken else f"views added: {', '.join(views)}"))
        if with_data:
            selecting = _selection_views(box.conn, [v for v in views if v not in broken], ds.tables, fs)
        else:
            selecting = [v for v in views if v not in broken]
        used = " ".join(_view_sql(box.conn, v) for v in selecting) + " " + (query if isinstance(query, str) else "")
        useful, idle = [], []
        for name in indexes:
            table, cols = _index_columns(box.conn, name)
            if not cols or (table, cols[0]) in covered:
                idle.append(f"{name} (its first column is already indexed by the key or another index)")
            elif not any(re.search(rf"\b{re.escape(c)}\b", used, re.I) for c in cols):
                idle.append(f"{name} (no selection view uses {', '.join(cols)})")
            else:
                useful.append(name)
        fs.append(_f("2.3", bool(useful), f"indexes that speed your selections: {', '.join(useful)}" if useful else
                     "add at least one index on a column your selection view filters or joins on"
                     + (f"; not counted: {'; '.join(idle)}" if idle else "")))
        return fs
    finally:
        box.conn.close()


def _selection_views(conn, views: list[str], tables, fs: Findings) -> list[str]:
    """The views that are lawful campaign selections on a regulated channel (see :func:`enhancements`); appends
    one finding."""
    from helpers import marketing_db
    from helpers.marketing_db.probes import _ID_COLUMN_RE
    from helpers.marketing_db.fields import normalise
    as_ofs = [pd.to_datetime(tables["customers"]["updated_at"]).max(), marketing_db.default_as_of(tables)]
    lawful = [marketing_db.lawful_contacts(tables, a) for a in as_ofs if pd.notna(a)]
    channels = {ch: set().union(*(lw[ch] for lw in lawful)) for ch in lawful[0]}
    good, notes = [], []
    for view in views:
        cur = conn.execute(f'SELECT * FROM "{view}"')
        names = [normalise(d[0]) for d in cur.description or []]
        idx = next((i for i, n in enumerate(names) if _ID_COLUMN_RE.match(n)), None)
        if idx is None:
            notes.append(f"{view} returns no customer id")
            continue
        ids = {str(r[idx]) for r in cur.fetchall() if r[idx] is not None}
        if not ids:
            notes.append(f"{view} returns no customers")
            continue
        fits = [ch for ch, ok in channels.items() if ids <= ok]
        if not fits:
            worst = min(channels, key=lambda ch: len(ids - channels[ch]))
            notes.append(f"{view}: {len(ids - channels[worst])} of its {len(ids)} customers may not lawfully be "
                         f"contacted by {_CHANNEL_LABEL[worst]} at the date of your data (consent, unsubscribe, "
                         "opt-out or Do Not Call Register)")
            continue
        ch = max(fits, key=lambda c: len(ids) / max(1, len(channels[c])))
        if len(ids) < SELECTION_MIN_SHARE * len(channels[ch]):
            notes.append(f"{view} returns only {len(ids)} customers: too few of those who may be contacted by "
                         f"{_CHANNEL_LABEL[ch]} to select a campaign from")
            continue
        good.append(view)
        notes.append(f"{view} is a lawful {_CHANNEL_LABEL[ch]} selection of {len(ids)} customers")
    fs.append(_f("2.3", bool(good), "; ".join(notes) if good else
                 "no view is a lawful campaign selection (customer ids who may all be contacted on one channel: "
                 "e-mail, SMS or phone)" + (f": {'; '.join(notes)}" if notes else "")))
    return good


def _view_sql(conn, view: str) -> str:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (view,)).fetchone()
    return row[0] if row and row[0] else ""


def _index_columns(conn, index: str) -> tuple[str | None, list[str]]:
    row = conn.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)).fetchone()
    cols = [r[2] for r in conn.execute(f'PRAGMA index_info("{index}")').fetchall() if r[2] is not None]
    return (row[0] if row else None), cols


def _indexed_leads(conn) -> set[tuple[str, str]]:
    """(table, column) pairs already leading an index (primary keys and UNIQUE included) or a rowid key."""
    out = set()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        pk = [r for r in conn.execute(f'PRAGMA table_info("{table}")').fetchall() if r[5]]
        if len(pk) == 1 and pk[0][2].upper() == "INTEGER":
            out.add((table, pk[0][1]))
        for idx in conn.execute(f'PRAGMA index_list("{table}")').fetchall():
            cols = [r[2] for r in conn.execute(f'PRAGMA index_info("{idx[1]}")').fetchall()]
            if cols and cols[0] is not None:
                out.add((table, cols[0]))
    return out


def _objects(conn) -> set[tuple[str, str]]:
    return set(conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())


def defect_report(reported) -> Findings:
    """PC 2.4: the defect report is a dict of known defect kinds to lists of record ids."""
    from helpers.maintenance import DEFECT_KINDS
    if not isinstance(reported, Mapping):
        return Findings([_f("2.4", False, "`reported_defects` should be a dict of defect kind → list of record ids")])
    unknown = [k for k in reported if k not in DEFECT_KINDS]
    not_lists = [k for k, v in reported.items() if not isinstance(v, (list, tuple, set))]
    fs = Findings([
        _none("2.4", unknown, "every key is a known defect kind", "unknown kinds"),
        _none("2.4", not_lists, "every kind maps to a list of ids", "give a list of ids for"),
    ])
    fs.append(_f("2.4", len(reported) >= 6, f"{len(reported)} kinds reported (look for at least 6 kinds of defect)"))
    return fs


def maintenance_procedures(procedures, ds, defect_tables: Mapping[str, set] | None = None) -> Findings:
    """PC 2.4: maintenance procedures (:func:`helpers.maintenance.check_procedures`): coverage, rules that name
    a real check, records affected that name the learner's tables, frequencies, owners from the case study
    and legal basis. ``defect_tables`` (defect kind -> tables) is the grader's ground truth."""
    from helpers import maintenance
    return maintenance.check_procedures(procedures, [s.name for s in ds.case_study.stakeholders], criterion="2.4",
                                        tables=sorted(ds.tables), defect_tables=defect_tables)


def contingency_plan(text, ds) -> Findings:
    """PC 2.5: the plan parses, is checked against the case study, and is simulated on the CRM outage of the
    learner's data (its ``incidents`` table: each learner's outages fall on their own days and times)."""
    from helpers import contingency
    from helpers.generator.outages import of_dataset
    if not isinstance(text, (str, Mapping)) or not text:
        return Findings([_f("2.5", False, "`CONTINGENCY_PLAN` should be the plan as YAML text")])
    cs = ds.case_study
    outages = of_dataset(ds)
    systems = sorted({o.system for o in outages})
    fs = contingency.check_plan(text, [s.model_dump() for s in cs.stakeholders], systems, criterion="2.5")
    if not fs.all_passed:
        return fs
    outage = next((o for o in outages if o.system == "crm"), outages[0])
    result = contingency.simulate_plan(contingency.parse_plan(text), ds.calls, outage.model_dump(),
                                       cs.contingency.callback_capacity_per_hour,
                                       cs.contingency.records_per_hour_rekey, criterion="2.5")
    return fs + result.findings
