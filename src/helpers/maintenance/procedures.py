"""Written maintenance procedures: parse a learner's procedures (task, frequency, owner, rule,
records_affected, legal_basis) and check them, as ``Findings``.

Frequencies are read as the longest gap they allow, in working days (Mon-Fri; calendar days x 5/7);
the deadlines come from :mod:`helpers.maintenance.timing` (DNCR wash every
:data:`~helpers.maintenance.timing.DNCR_WASH_VALID_DAYS` days, unsubscribes within
:data:`~helpers.maintenance.timing.UNSUBSCRIBE_WORKING_DAYS` working days). Text is matched lower case.
Findings carry the criterion the caller passes (default ``UNMAPPED``, see :mod:`helpers.maintenance.scoring`).
"""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from helpers.errors import UserFacingError
from helpers.findings import Finding, Findings
from helpers.maintenance.scoring import UNMAPPED
from helpers.maintenance.timing import DNCR_WASH_VALID_DAYS, UNSUBSCRIBE_WORKING_DAYS

class Procedure(BaseModel):
    """One maintenance procedure as a learner writes it."""

    # defer_build: the validator is built on the first procedure parsed, not in every setup cell that imports this
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    task: str = Field(min_length=3)
    frequency: str = Field(min_length=3)
    owner: str = Field(min_length=2)
    rule: str = Field(min_length=3, description="rule applied or tool used")
    records_affected: str = Field(min_length=2)
    legal_basis: str | None = None

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, v: str) -> str:
        if frequency_working_days(v) is None:
            raise ValueError(f"cannot read frequency {v!r}: use e.g. 'daily', 'weekly', 'every 30 days', "
                             "'within 5 working days', 'monthly', 'before each campaign'")
        return v


_FREQ_WORDS = {"real time": 0, "realtime": 0, "immediately": 0, "continuous": 0, "on receipt": 0,
               "same day": 1, "daily": 1, "nightly": 1, "every day": 1, "weekly": 5, "fortnightly": 10,
               "monthly": 31 * 5 / 7, "quarterly": 92 * 5 / 7, "annually": 366 * 5 / 7, "yearly": 366 * 5 / 7,
               "before each campaign": 0, "before every campaign": 0, "before each call": 0, "per campaign": 0}
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 31, "months": 31}


def frequency_working_days(text: str) -> float | None:
    """Longest gap a frequency allows, in working days ('weekly' -> 5, 'every 30 days' -> 21.4,
    'within 5 working days' -> 5, 'monthly' -> 22.1 i.e. 31 calendar days); None if unreadable."""
    t = re.sub(r"\s+", " ", str(text).lower()).strip()
    m = re.search(r"(\d+(?:\.\d+)?) (working|business) days?", t)
    if m:
        return float(m.group(1))
    m = re.search(r"(\d+(?:\.\d+)?) (days?|weeks?|months?)", t)
    if m:
        return float(m.group(1)) * _UNIT_DAYS[m.group(2)] * 5 / 7
    for word in sorted(_FREQ_WORDS, key=len, reverse=True):   # "fortnightly" before "nightly"
        if re.search(rf"\b{word}\b", t):
            return float(_FREQ_WORDS[word])
    return None


_CHECKED = r"(valid|format|check|correct|verif|clean|standardi|bounce|fix)"
# coverage groups: (item, keywords that show the procedure addresses it, defect kinds it prevents)
PROCEDURE_COVERAGE = [
    ("duplicates", r"duplicat|de-?dup|merge|match", ("duplicate_customer",)),
    ("contact_details", _CHECKED + r".{0,40}(e-?mail|phone|mobile|contact)|(e-?mail|phone|mobile|contact).{0,40}"
     + _CHECKED, ("malformed_email", "malformed_phone")),
    ("addresses", _CHECKED + r".{0,40}(postcode|address)|(postcode|address).{0,40}" + _CHECKED,
     ("missing_postcode", "inconsistent_postcode")),
    ("call_records", r"call (record|detail|data)|duration|timestamp|cdr", ("impossible_duration",
                                                                         "out_of_order_timestamps")),
    ("dncr_wash", r"dncr|do not call|wash", ("offer_to_dncr",)),
    ("unsubscribes", r"unsubscri|opt.?out|withdraw", ("offer_to_opted_out", "unsubscribe_late")),
    ("calling_hours", r"calling hours|call(ing)? window|permitted hours|time ?zone|dialler", ("offer_outside_hours",)),
]
_LEGAL_RE = {"dncr_wash": r"do not call register act|dncr act|dnc act",
             "unsubscribes": r"spam act",
             "calling_hours": r"industry standard|telemarketing"}
_DEADLINES = {"dncr_wash": (DNCR_WASH_VALID_DAYS * 5 / 7,
                            f"a wash is valid for {DNCR_WASH_VALID_DAYS} days (Do Not Call Register Act 2006): wash at "
                            f"least every {DNCR_WASH_VALID_DAYS} days - 'monthly' can leave a 31-day gap"),
              "unsubscribes": (UNSUBSCRIBE_WORKING_DAYS,
                               f"unsubscribes must be actioned within {UNSUBSCRIBE_WORKING_DAYS} working days "
                               "(Spam Act 2003)")}
# What a rule states when it names a real check, per coverage group: the field checked, the condition
# applied, or the law the check enforces (a rule of meaningless words names none of them).
RULE_WORDS = {
    "duplicates": r"date of birth|\bdob\b|birth|\bname|postcode|phone|mobile|e-?mail|address|same|match|similar|"
                  r"fuzzy|identical|merge|master|surviv|app 10|privacy act",
    "contact_details": r"format|pattern|regex|valid|@|\b04|\+61|digits?|domain|bounce|syntax|mobile|landline|"
                       r"e-?mail|phone|app 10|privacy act",
    "addresses": r"postcode|post code|\bstate|range|australia post|\b4.digit|four.digit|suburb|address|paf\b|"
                 r"app 10|privacy act",
    "call_records": r"duration|timestamp|\border|\b24 ?h|hours?\b|negative|answer|arriv|ended|hang|talk|hold|"
                    r"wrap|sequence|seconds",
    "dncr_wash": r"wash|register|dncr|do not call|\b30 days|listed|acma|express consent|consent",
    "unsubscribes": r"working days?|business days?|within|suppress|consent|request|receipt|action|opt.?out|remove|"
                    r"unsubscri|spam act",
    "calling_hours": r"\d{1,2} ?(am|pm|:\d\d)|\b20:00|\bhours?\b|local time|time ?zone|weekday|saturday|sunday|"
                     r"public holiday|window|industry standard|telemarketing",
}
# Tables a coverage group's records live in (where its defects are found); the records_affected of a
# procedure covering the group must name one of them (the learner's own defects may add tables).
GROUP_TABLES = {"duplicates": ("customers",), "contact_details": ("customers",), "addresses": ("customers",),
                "call_records": ("calls",), "dncr_wash": ("customers", "offers"),
                "unsubscribes": ("customers", "offers"), "calling_hours": ("offers", "calls")}
_TABLE_SYNONYMS = {"customers": (r"client", r"subscriber", r"contact (details|records|list)", r"marketing (list|database)"),
                   "calls": (r"call detail", r"\bcdrs?\b", r"call logs?"),
                   "offers": (r"campaign (list|contact|call)s?", r"telemarketing", r"outbound")}
_VAGUE_OWNERS = {"tbd", "tba", "n/a", "na", "someone", "staff", "everyone", "team", "all", "unknown", "admin"}


def parse_procedures(procedures) -> list[Procedure]:
    """A list of procedure dicts, a dict with a ``procedures`` list, or the same as YAML text."""
    data = procedures
    if isinstance(data, str):
        import yaml  # on first use: a setup cell that imports this module reads no YAML
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise UserFacingError(f"maintenance procedures are not valid YAML: {str(exc).splitlines()[0]}") from exc
    if isinstance(data, dict) and "procedures" in data:
        data = data["procedures"]
    if not isinstance(data, list) or not data:
        raise UserFacingError("maintenance procedures should be a non-empty list of procedures, each with task, "
                              "frequency, owner, rule, records_affected (and legal_basis where the law applies)")
    out, problems = [], []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            problems.append(f"procedure {i}: should be a mapping of fields, got {type(item).__name__}")
            continue
        try:
            out.append(Procedure.model_validate(item))
        except ValidationError as exc:
            for e in exc.errors():
                field = ".".join(str(p) for p in e["loc"]) or "procedure"
                msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
                problems.append(f"procedure {i} ({item.get('task', '?')}): {field}: {msg}")
    if problems:
        raise UserFacingError("; ".join(problems))
    return out


def _table_words(tables) -> dict[str, str]:
    """Table name -> a regex recognising it in plain words ("customer records", "phone offers")."""
    out = {}
    for t in tables:
        stem = re.escape(str(t).lower().rstrip("s"))
        extra = _TABLE_SYNONYMS.get(str(t), ())
        out[str(t)] = r"\b(" + "|".join([stem + r"(s|es)?\b"] + list(extra)) + ")"
    return out


def tables_named(text: str, tables) -> set[str]:
    """The data tables (of ``tables``) that ``text`` names, by name or usual wording."""
    low = str(text).lower()
    return {t for t, pattern in _table_words(tables).items() if re.search(pattern, low)}


def rule_checks(procedure: Procedure) -> tuple[list[str], bool]:
    """(coverage groups the procedure addresses, whether its rule names a real check for them).

    A rule names a real check when it states the field, the condition or the law the check applies for
    what the procedure addresses (:data:`RULE_WORDS`; a procedure addressing none of the groups must
    still state a field or condition of one of them)."""
    text = f"{procedure.task} | {procedure.rule}".lower()
    groups = [item for item, pattern, _ in PROCEDURE_COVERAGE if re.search(pattern, text)]
    rule = procedure.rule.lower()
    wanted = groups or list(RULE_WORDS)
    return groups, any(re.search(RULE_WORDS[g], rule) for g in wanted)


def check_procedures(procedures, owners: list[str] | None = None, *, criterion: str = UNMAPPED,
                     tables=None, defect_tables: dict[str, set[str]] | None = None) -> Findings:
    """Check written maintenance procedures; every finding is labelled ``criterion``.

    Findings: the input is well formed; each :data:`PROCEDURE_COVERAGE` group is covered by some
    procedure; each procedure's ``rule`` names a real check for what it addresses (a field, condition or
    the law it enforces, :data:`RULE_WORDS`); each procedure's ``records_affected`` names tables of the
    data (``tables``: the names of the learner's tables, default those of :data:`GROUP_TABLES`) and, for
    each group, a procedure covering it names the table its records live in (:data:`GROUP_TABLES`, plus
    the tables where the data's defects of that group's kinds are, ``defect_tables``: kind -> tables);
    DNCR washing is at least every 30 days and unsubscribe processing within 5 working days; every
    procedure names a real owner (one of ``owners`` when given); compliance procedures cite their legal
    basis.
    """
    out = Findings()
    try:
        procs = parse_procedures(procedures)
    except UserFacingError as exc:
        out.append(Finding.fail(criterion, str(exc), item="schema"))
        out.extend(Finding.fail(criterion, "not checked: fix the procedure list first", item=item)
                   for item in _procedure_items())
        return out
    out.append(Finding.ok(criterion, f"{len(procs)} procedures, all fields present", item="schema"))
    texts = [f"{p.task} | {p.rule}".lower() for p in procs]  # what is done, not which records it touches
    covering: dict[str, list[Procedure]] = {}
    for item, pattern, kinds in PROCEDURE_COVERAGE:
        covering[item] = [p for p, t in zip(procs, texts) if re.search(pattern, t)]
        if covering[item]:
            out.append(Finding.ok(criterion, f"{item.replace('_', ' ')} covered by: "
                                  f"{', '.join(p.task for p in covering[item][:2])}", item=item))
        else:
            out.append(Finding.fail(criterion, f"no procedure addresses {item.replace('_', ' ')} "
                                    f"(prevents {', '.join(kinds)})", item=item))
    vague_rules = [p.task for p in procs if not rule_checks(p)[1]]
    out.append(Finding(criterion, not vague_rules, 0.0 if vague_rules else 1.0, 1.0,
                       "every rule names the check it applies (field, condition or law)" if not vague_rules else
                       f"{len(vague_rules)} rule(s) do not name a real check on the data (the field checked, the "
                       "condition, e.g. 'same date of birth and postcode', 'valid 30 days', '9:00-20:00 local time', "
                       f"or the law enforced): {', '.join(vague_rules[:3])}", item="rules"))
    out.append(_records_finding(procs, covering, tables, defect_tables, criterion))
    for item, (limit, why) in _DEADLINES.items():
        procs_i = covering[item]
        if not procs_i:
            out.append(Finding.fail(criterion, f"no {item.replace('_', ' ')} procedure, so no frequency: {why}",
                                    item=f"{item}_frequency"))
            continue
        gap = min(frequency_working_days(p.frequency) for p in procs_i)
        if gap <= limit + 1e-9:
            out.append(Finding.ok(criterion, f"{item.replace('_', ' ')} frequency meets the rule", item=f"{item}_frequency"))
        else:
            out.append(Finding.fail(criterion, f"{item.replace('_', ' ')} '{procs_i[0].frequency}' is not often "
                                    f"enough: {why}", item=f"{item}_frequency"))
    allowed = {o.strip().lower() for o in owners} if owners else None
    bad = [p.task for p in procs if p.owner.lower() in _VAGUE_OWNERS or (allowed is not None and
                                                                         p.owner.lower() not in allowed)]
    if bad:
        extra = " (owners must be people or roles named in the case study)" if allowed is not None else ""
        out.append(Finding.fail(criterion, f"{len(bad)} procedure(s) have no accountable owner{extra}: "
                                f"{', '.join(bad[:3])}", item="owners"))
    else:
        out.append(Finding.ok(criterion, "every procedure has a named owner", item="owners"))
    missing = [item for item, pattern in _LEGAL_RE.items() for p in covering[item]
               if not re.search(pattern, (p.legal_basis or "").lower())]
    if missing:
        out.append(Finding.fail(criterion, "the legal basis is missing or does not name the law for: "
                                f"{', '.join(sorted(set(missing)))} (Do Not Call Register Act 2006, Spam Act 2003, "
                                "Telemarketing and Research Calls Industry Standard 2017)", item="legal_basis"))
    else:
        out.append(Finding.ok(criterion, "compliance procedures cite their legal basis", item="legal_basis"))
    return out


def _records_finding(procs, covering, tables, defect_tables, criterion) -> Finding:
    """Each procedure names tables of the data; each group's procedures name the table its records are in."""
    known = sorted(set(tables) if tables is not None else {t for ts in GROUP_TABLES.values() for t in ts})
    unnamed = [p.task for p in procs if not tables_named(p.records_affected, known)]
    wrong = []
    for item, _, kinds in PROCEDURE_COVERAGE:
        where = set(GROUP_TABLES[item]) | {t for k in kinds for t in (defect_tables or {}).get(k, ())}
        if covering[item] and not any(tables_named(p.records_affected, known) & where for p in covering[item]):
            wrong.append(f"{item.replace('_', ' ')} (its records are in {' or '.join(sorted(where & set(known)) or sorted(where))})")
    problems = ([f"{len(unnamed)} procedure(s) name no table of your data in records_affected ("
                 f"{', '.join(unnamed[:3])}); your tables: {', '.join(known)}"] if unnamed else []) + (
        [f"records_affected does not name where the records are for: {'; '.join(wrong[:3])}"] if wrong else [])
    return Finding(criterion, not problems, 0.0 if problems else 1.0, 1.0,
                   "every procedure names the tables of your data it maintains" if not problems else
                   "; ".join(problems), item="records_affected")


def _procedure_items() -> list[str]:
    return ([item for item, _, _ in PROCEDURE_COVERAGE] + ["rules", "records_affected"]
            + [f"{i}_frequency" for i in _DEADLINES] + ["owners", "legal_basis"])
