"""``check_design(ddl)``: judge a learner's marketing-database DDL (SQLite) and explain why.

Three groups of checks (:data:`GROUPS`), each one :class:`~helpers.findings.Finding` worth 1 point.
The library does not know which performance criterion a group evidences: the caller passes
``criteria`` (group -> criterion), and a group left out labels its findings with its own name.

* **fields** (fields and functions) - the BSBCCO605A range-statement fields (name; residential, postal
  and business address; contact numbers; email; occupation; current products and services;
  previous offers) and the fields Australian direct-marketing law needs (consent per channel with
  type, source and date; unsubscribe received and actioned dates; Do Not Call Register status,
  wash date and reference; state or time zone; data source). See ``docs/compliance.md``.
* **structure** (development and testing) - the DDL runs, every table has a primary key, no repeating
  groups, products and offers live in child tables, references are declared as foreign keys and
  enforced (``PRAGMA foreign_keys = ON``), every column has a type.
* **enhancement** (evaluate and enhance) - CHECK constraints on consent types, postcodes and phone numbers
  stored as text (leading zeros), indexes and NOT NULL on the customer key of child tables.

Every submission gets the same list of checks (same maximum score per criterion); when the DDL
does not run the other checks fail with "not checked".

A column is recognised by what it holds, not only by what it is called: by its name (the synonym table of
:mod:`helpers.marketing_db.fields`) or, given the learner's ``COLUMN_MAPPING`` (``check_design(ddl,
mapping=...)``), by the source column the mapping loads into it (:func:`with_mapping`). A sound design with
its own names (``client.given`` loaded from ``customers.first_name``, ``marketing_permissions.grounds`` from
``customers.consent_email``) earns the same marks as one named like the source data.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from helpers.findings import Finding, Findings
from helpers.marketing_db.fields import (ADDRESS_KIND_VALUES, CHANNEL_SYNONYMS, CONSENT_TYPES, channel_of,
                                         matches, normalise)
from helpers.marketing_db.sandbox import Sandbox, run_script
from helpers.marketing_db.schema import Column, Schema, Table, inspect_schema

CHANNELS = tuple(CHANNEL_SYNONYMS)
_CUSTOMER_TABLE_RE = re.compile(r"(customer|client|contact|member|person|people|subscriber|prospect|lead)")
_CUSTOMER_KEY_RE = re.compile(r"^(customer|cust|client|contact|member|person|subscriber)_?(id|key|no|number|ref)$")
_COMPLIANCE = ("consent", "dncr", "withdrawal", "dncr_wash", "dncr_ref", "source", "actioned")
_BOOL_VALUES = {"0", "1", "y", "n", "yes", "no", "true", "false", "t", "f"}


# ---------------------------------------------------------------------------------------------
# What a column does, not only what it is called: a column (or table) is recognised by its own name and by its
# aliases, the source columns (tables) the learner's COLUMN_MAPPING loads into it (``client.given`` loaded from
# ``customers.first_name`` holds the first name, whatever it is called).
def _names_of(x) -> tuple[str, ...]:
    return (x.name, *getattr(x, "aliases", ()))


def _norms(x) -> list[str]:
    return [normalise(n) for n in _names_of(x)]


def _is(field: str, x) -> bool:
    """Does the column or table ``x`` (by its name or by what the mapping loads into it) hold ``field``?"""
    return any(matches(field, n) for n in _names_of(x))


def _channels(c) -> list[str]:
    return list(dict.fromkeys(ch for n in _names_of(c) if (ch := channel_of(n))))


def _channel(c) -> str | None:
    chs = _channels(c)
    return chs[0] if chs else None


_KIND_WORDS = re.compile(r"(^|_)(email|sms|phone|post|residential|postal|business|mobile|landline)(?=_|$)")


def with_mapping(schema: Schema, mapping, sources=None) -> Schema:
    """``schema`` with each column's and table's aliases taken from the learner's ``mapping`` (the
    ``COLUMN_MAPPING`` of :func:`helpers.marketing_db.load_into_design`): a column loaded from
    ``customers.consent_email`` holds e-mail consent, a column loaded with the literal ``{"value": "sms"}``
    names a channel, one loaded with ``{"value": "postal"}`` an address kind. ``sources`` (source table ->
    DataFrame or column names) limits the aliases to columns that exist. A column loaded from sources of
    different kinds (``customers.email`` in one block, ``customers.mobile`` in another) keeps those aliases
    only when a literal column of its table tells the blocks apart (a long table such as ``contact_details``
    with ``kind``); otherwise it holds a mixture nobody can query, and is recognised by its name alone."""
    import dataclasses
    if not isinstance(mapping, dict) or not mapping:
        return schema
    known = {str(t): set(map(str, getattr(v, "columns", v))) for t, v in (sources or {}).items()}
    tables = dict(schema.tables)
    for ltable, spec in mapping.items():
        table = schema.table(str(ltable))
        if table is None:
            continue
        blocks = [b for b in (spec if isinstance(spec, list) else [spec]) if isinstance(b, dict)]
        per_col: dict[str, list[tuple[int, str]]] = {}
        literals: dict[str, set] = {}
        source_tables = []
        for k, block in enumerate(blocks):
            for lcol, src in block.items():
                col = table.column(str(lcol))
                if col is None:
                    continue
                if isinstance(src, str) and src.count(".") == 1:
                    src_t, src_c = src.split(".")
                    if sources is not None and src_c not in known.get(src_t, ()):
                        continue
                    per_col.setdefault(col.name, []).append((k, src_c))
                    source_tables.append(src_t)
                elif isinstance(src, dict) and set(src) == {"value"}:
                    value = str(src["value"]).strip().lower()
                    literals.setdefault(col.name, set()).add(value)
                    role = ("channel" if channel_of(value) and value in {"email", "sms", "phone", "post", "mail",
                                                                         "text", "call", "telephone", "letter"}
                            else "address_type" if any(value in v for v in ADDRESS_KIND_VALUES.values()) else None)
                    if role:
                        per_col.setdefault(col.name, []).append((k, role))
        told_apart = any(len(v) > 1 for v in literals.values())
        columns = []
        for c in table.columns:
            found = per_col.get(c.name, [])
            kinds = {_KIND_WORDS.sub(r"\1", normalise(a)).strip("_") or normalise(a) for _, a in found}
            aliases = tuple(dict.fromkeys(a for _, a in found)) if len(kinds) <= 1 or told_apart else ()
            columns.append(dataclasses.replace(c, aliases=tuple(dict.fromkeys((*c.aliases, *aliases)))))
        tables[table.name] = dataclasses.replace(
            table, columns=columns, aliases=tuple(dict.fromkeys((*table.aliases, *source_tables))))
    return dataclasses.replace(schema, tables=tables)


@dataclass
class Design:
    """A schema plus what the checker worked out about it."""

    schema: Schema
    customer: Table | None
    related: list[Table]          # the customer table and tables that hang off it (2 levels)

    def columns(self, tables: list[Table] | None = None) -> list[tuple[Table, Column]]:
        return [(t, c) for t in (self.related if tables is None else tables) for c in t.columns]

    def find(self, field: str, tables: list[Table] | None = None, *, plain: bool = False) -> list[tuple[Table, Column]]:
        """Columns naming ``field``; ``plain`` skips compliance columns (``consent_email`` is not an email)."""
        return [(t, c) for t, c in self.columns(tables) if _is(field, c)
                and not (plain and any(_is(k, c) for k in _COMPLIANCE))]

    @property
    def children(self) -> list[Table]:
        return [t for t in self.related if t is not self.customer]

    def consent_tables(self) -> list[Table]:
        return [t for t in self.children if any(re.search(r"consent|permission|preference|opt|subscri|suppress|privacy",
                                                         n) for n in _norms(t))
                or (any(_is("consent", c) for c in t.columns) and any(_is("channel", c) for c in t.columns))]


def describe_design(schema: Schema, mapping=None, sources=None) -> Design:
    """Identify the customer table (most person fields, then a customer-like name) and its children; with the
    learner's ``mapping``, columns are also recognised by what it loads into them (:func:`with_mapping`)."""
    schema = with_mapping(schema, mapping, sources)
    def person_score(t: Table) -> tuple:
        hits = sum(any(_is(f, c) for c in t.columns)
                   for f in ("first_name", "last_name", "full_name", "email", "phone", "occupation"))
        return hits, any(_CUSTOMER_TABLE_RE.search(n) for n in _norms(t)), -len(t.columns)

    ranked = sorted(schema.tables.values(), key=person_score, reverse=True)
    customer = ranked[0] if ranked and person_score(ranked[0])[0] >= 2 else None
    if customer is None:
        return Design(schema, None, [])
    related, frontier = [customer], [customer]
    for _ in range(2):
        nxt = []
        for parent in frontier:
            for t in schema.tables.values():
                if t not in related and (t.references(parent.name) or _undeclared_ref(t, parent)):
                    related.append(t)
                    nxt.append(t)
        frontier = nxt
    return Design(schema, customer, related)


def _undeclared_ref(child: Table, parent: Table) -> bool:
    return bool(_ref_columns(child, parent, declared=False))


def _ref_columns(child: Table, parent: Table, declared: bool = True) -> tuple[str, ...]:
    """Columns of ``child`` that point at ``parent``: its declared foreign keys, else columns named
    like the parent's key (``customer_id``) that were never declared."""
    if declared:
        for fk in child.references(parent.name):
            return fk.columns
    pk = [normalise(c) for c in parent.primary_key]
    for c in child.columns:
        n = normalise(c.name)
        if (len(pk) == 1 and n == pk[0] and n != "id") or (
                _CUSTOMER_KEY_RE.match(n) and any(_CUSTOMER_TABLE_RE.search(m) for m in _norms(parent))):
            return (c.name,)
    return ()


def _names(hits: list[tuple[Table, Column]], limit: int = 3) -> str:
    return ", ".join(f"{t.name}.{c.name}" for t, c in hits[:limit]) + (" ..." if len(hits) > limit else "")


def _dateish(c: Column) -> bool:
    return _is("date", c) or any(k in c.type.upper() for k in ("DATE", "TIME"))


# ---------------------------------------------------------------------------------------------
# 2.1 range-statement fields. Each returns (passed, message).
Check = Callable[[Design], tuple[bool, str]]


def _field(field: str, label: str, why: str) -> Check:
    def check(d: Design) -> tuple[bool, str]:
        hits = d.find(field, plain=True)
        return (True, f"{label}: {_names(hits)}") if hits else (False, f"no {label} field: {why}")
    return check


def _name(d: Design):
    full, first, last = (d.find(f, [d.customer]) for f in ("full_name", "first_name", "last_name"))
    if first and last:
        return True, f"name: {_names(first + last)}"
    if full:
        return True, (f"name: {_names(full)} (separate given and family names make personalised "
                      "greetings and duplicate matching easier)")
    return False, "the customer table has no name field (given and family name)"


def _address(kind: str, label: str) -> Check:
    def check(d: Design):
        hits = d.find(kind, plain=True)
        if hits:
            return True, f"{label}: {_names(hits)}"
        for t in d.children:
            if not any("address" in n for n in _norms(t)) and not any(
                    re.search(r"street|suburb|postcode|line_?1", n) for c in t.columns for n in _norms(c)):
                continue
            kinds = [c for c in t.columns if _is("address_type", c)]
            if kinds:
                allowed = t.allowed_values(kinds[0].name)
                if allowed is None or {v.lower() for v in allowed} & ADDRESS_KIND_VALUES[kind]:
                    return True, f"{label}: rows of {t.name} with {kinds[0].name} = {label.split()[0]}"
                return False, (f"{t.name}.{kinds[0].name} does not allow a {label.split()[0]} address "
                               "(its CHECK lists other kinds)")
        return False, f"no {label} field: the range statement lists postal, business and residential addresses"
    return check


def _products(d: Design):
    offer_tables = {id(t) for t in _offer_tables(d)}
    for t in d.children:
        if id(t) in offer_tables:
            continue
        refs = [c for c in t.columns if _is("product_ref", c) and not _is("date", c)]
        if refs:
            state = [c for c in t.columns if _is("holding_state", c)]
            if state:
                return True, f"current products and services: {t.name} ({refs[0].name}, {state[0].name})"
            return False, (f"{t.name} links customers to products but cannot tell current products from ones the "
                           "customer no longer holds: add a status or an end date")
    on_row = [c for c in (d.customer.columns if d.customer else []) if _is("product_ref", c)]
    if on_row:
        return False, ("products are stored on the customer row: keep each product or service a customer holds as a "
                       "row of a child table (customer, product, start, status)")
    return False, "no table of the products and services each customer holds"


def _offer_tables(d: Design) -> list[Table]:
    return [t for t in d.children if _is("offer_ref", t) or
            (any(_is("offer_ref", c) for c in t.columns) and any(_is("response", c) for c in t.columns))]


def _offers(d: Design):
    for t in _offer_tables(d):
        missing = [w for w, ok in (("when the offer was made", any(_dateish(c) for c in t.columns)),
                                   ("the customer's response", any(_is("response", c) for c in t.columns)))
                   if not ok]
        if not missing:
            return True, f"previous offers: {t.name}"
        return False, f"{t.name} records offers but not {' or '.join(missing)}"
    return False, ("no table of previous offers per customer (offer, date, response): needed to avoid re-offering "
                   "and to respect opt-outs")


# 2.1 compliance fields -------------------------------------------------------------------------
def _consent_columns(d: Design) -> dict[str, list[tuple[Table, Column]]]:
    """Per-channel consent columns of a wide design (``consent_email``, ``sms_opt_in`` ...)."""
    out: dict[str, list] = {ch: [] for ch in CHANNELS}
    for t, c in d.find("consent"):
        for ch in _channels(c):
            if not any(_is(k, c) for k in ("source", "withdrawal", "actioned")) and not _dateish(c):
                out[ch].append((t, c))
    return out


def _long_consent(d: Design) -> list[tuple[Table, Column]]:
    """(consent table, channel column) of a long design."""
    return [(t, c) for t in d.consent_tables() for c in t.columns if _is("channel", c)]


def _consent_channels(d: Design):
    wide = _consent_columns(d)
    covered = {ch for ch, cols in wide.items() if cols}
    for t, ch_col in _long_consent(d):
        allowed = t.allowed_values(ch_col.name)
        covered |= set(CHANNELS) if allowed is None else {channel_of(v) for v in allowed} - {None}
    missing = [ch for ch in CHANNELS if ch not in covered]
    if not missing:
        return True, "consent recorded for each channel (email, sms, phone, post)"
    return False, (f"no consent recorded for {', '.join(missing)}: consent is given per channel (Spam Act 2003 for "
                   "email/SMS; phone and post marketing need their own opt-in or opt-out record)")


def _consent_type(d: Design):
    wide = [tc for cols in _consent_columns(d).values() for tc in cols]
    candidates = wide + [(t, c) for t in d.consent_tables() for c in t.columns
                         if _is("consent_type", c) or any(n in ("consent", "consent_given") for n in _norms(c))]
    if not candidates:
        return False, ("no consent type: the Spam Act 2003 distinguishes express consent (opt-in) from inferred "
                       "consent (existing relationship)")
    for t, c in candidates:
        allowed = t.allowed_values(c.name)
        boolean = "BOOL" in c.type.upper() or (allowed is not None and {v.lower() for v in allowed} <= _BOOL_VALUES)
        if boolean:
            return False, (f"{t.name}.{c.name} only records yes/no: record the consent type (express or inferred, "
                           "and withdrawn) - the Spam Act 2003 treats them differently")
        if allowed is not None and not CONSENT_TYPES <= {v.lower() for v in allowed}:
            return False, f"{t.name}.{c.name} does not allow both 'express' and 'inferred' consent"
    return True, f"consent type: {_names(candidates)}"


def _consent_detail(kind: str, label: str, why: str) -> Check:
    def check(d: Design):
        tables = d.consent_tables()
        if kind == "source":
            hits = [(t, c) for t, c in d.columns() if _is("source", c)
                    and (t in tables or _is("consent", c) or _channel(c))]
        else:
            hits = [(t, c) for t, c in d.columns() if _dateish(c) and (t in tables or _is("consent", c))
                    and not any(_is(k, c) for k in ("withdrawal", "actioned"))]
        return (True, f"{label}: {_names(hits)}") if hits else (False, f"no {label}: {why}")
    return check


def _withdrawal_cols(d: Design) -> list[tuple[Table, Column]]:
    return [(t, c) for t, c in d.find("withdrawal") if _dateish(c)]


def _unsub_received(d: Design):
    hits = [(t, c) for t, c in _withdrawal_cols(d) if not _is("actioned", c)]
    if hits:
        return True, f"unsubscribe/withdrawal received date: {_names(hits)}"
    flags = d.find("withdrawal")
    where = f" ({_names(flags)} records that, but not when)" if flags else ""
    return False, (f"no withdrawal (unsubscribe) date{where}: the Spam Act 2003 requires a functional unsubscribe "
                   "actioned within 5 working days, so record when the request was received")


def _unsub_actioned(d: Design):
    hits = [(t, c) for t, c in d.columns() if _is("actioned", c) and _dateish(c)
            and (_is("withdrawal", c) or t in d.consent_tables())]
    if hits:
        return True, f"unsubscribe actioned date: {_names(hits)}"
    return False, ("no date the unsubscribe was actioned: without it you cannot show requests were actioned within "
                   "5 working days (Spam Act 2003)")


def _dncr(part: str) -> Check:
    def check(d: Design):
        if part == "status":
            hits = [(t, c) for t, c in d.find("dncr") if not any(_is(k, c) for k in ("dncr_wash", "dncr_ref"))
                    and not _dateish(c)]
            why = ("no Do Not Call Register status: numbers on the Register must not receive telemarketing calls "
                   "without express consent (Do Not Call Register Act 2006)")
        elif part == "wash":
            hits = [(t, c) for t, c in d.find("dncr_wash") if _dateish(c) and not _is("dncr_ref", c)]
            why = ("no Do Not Call Register wash date: a wash result is valid for 30 days, so record when each "
                   "number was washed (Do Not Call Register Act 2006)")
        else:
            hits = d.find("dncr_ref")
            why = "no wash reference: keep the Register's wash reference as evidence of the check"
        label = {"status": "Do Not Call Register status", "wash": "Register wash date", "ref": "wash reference"}[part]
        return (True, f"{label}: {_names(hits)}") if hits else (False, why)
    return check


def _state_tz(d: Design):
    hits = [(t, c) for t, c in d.find("state_or_timezone") if not _is("consent", c)
            and normalise(c.name) not in ("status",)]
    if hits:
        return True, f"state or time zone: {_names(hits)}"
    return False, ("no state or time zone: telemarketing calls are allowed only 9am-8pm weekdays and 9am-5pm "
                   "Saturdays in the customer's local time (Telemarketing and Research Calls Industry Standard 2017)")


def _data_source(d: Design):
    hits = [(t, c) for t, c in d.find("data_source", [d.customer])
            if not any(_is(k, c) for k in ("consent", "withdrawal")) and not _channel(c)]
    if hits:
        return True, f"data source: {_names(hits)}"
    return False, ("no data source on the customer record: APP 5 and APP 7.6 require you to know, and tell people, "
                   "where their personal information came from")


# ---------------------------------------------------------------------------------------------
# 2.2 development / 2.3 enhancement (schema-wide)
def _primary_keys(d: Design):
    missing = [t.name for t in d.schema.tables.values() if not t.primary_key]
    if not missing:
        return True, "every table has a primary key"
    return False, f"no primary key on {', '.join(missing)}: each row needs a unique identifier"


_REPEAT_OK = re.compile(r"(address|addr|street)_?line|^line$|^street$")


def _repeating_groups(d: Design):
    groups = []
    for t in d.schema.tables.values():
        stems: dict[str, list[str]] = {}
        for c in t.columns:
            m = re.match(r"^(.*?)_?(\d+)(_.*)?$", normalise(c.name))
            if m and m.group(1) and not _REPEAT_OK.search(m.group(1)):
                stems.setdefault(m.group(1) + (m.group(3) or ""), []).append(c.name)
        groups += [f"{t.name}.{', '.join(cols)}" for cols in stems.values() if len(cols) >= 2]
    if not groups:
        return True, "no repeating groups of columns"
    return False, (f"repeating group of columns ({'; '.join(groups[:3])}): a numbered list of columns limits how "
                   "many items fit and makes queries awkward; use a child table with one row per item")


def _no_lists_on_customer(d: Design):
    if d.customer is None:
        return False, "no customer table found"
    cols = [c.name for c in d.customer.columns if _is("product_ref", c) or _is("offer_ref", c)]
    if not cols:
        return True, "products held and offers are kept out of the customer row"
    return False, (f"{d.customer.name} stores {', '.join(cols[:4])} on the customer row: put products held and offers "
                   "in child tables with a foreign key to the customer")


def _fks_declared(d: Design):
    undeclared = []
    for t in d.schema.tables.values():
        declared = {c.lower() for fk in t.foreign_keys for c in fk.columns}
        for parent in d.schema.tables.values():
            if parent is t or len(parent.primary_key) != 1:
                continue
            pk = normalise(parent.primary_key[0])
            for c in t.columns:
                n = normalise(c.name)
                if c.name.lower() not in declared and not c.pk and n != "id" and (
                        n == pk or (n == f"{normalise(parent.name).rstrip('s')}_id" and pk == "id")):
                    undeclared.append(f"{t.name}.{c.name} -> {parent.name}")
    if not d.schema.tables or not any(t.foreign_keys for t in d.schema.tables.values()) and not undeclared:
        return False, "no foreign keys: child tables (products held, offers, consents) should reference the customer"
    if undeclared:
        return False, (f"references without a FOREIGN KEY ({'; '.join(undeclared[:3])}): declare them so the "
                       "database rejects orphan rows")
    return True, "references are declared as foreign keys"


def _fks_enforced(d: Design):
    if d.schema.foreign_keys_enforced:
        return True, "PRAGMA foreign_keys = ON: references are enforced"
    return False, ("SQLite only enforces foreign keys after PRAGMA foreign_keys = ON; add it to the top of the "
                   "script and test that an orphan row is rejected")


def _types(d: Design):
    untyped = [f"{t.name}.{c.name}" for t in d.schema.tables.values() for c in t.columns if not c.type.strip()]
    odd = [f"{t.name}.{c.name} ({c.type})" for t in d.schema.tables.values() for c in t.columns
           if len(c.type.split()) > 2]
    if untyped:
        return False, f"columns without a type ({', '.join(untyped[:4])}): declare TEXT, INTEGER, REAL or a date type"
    if odd:
        return False, f"unusual declared types ({', '.join(odd[:3])}): check for a missing comma between columns"
    return True, "every column has a declared type"


def _consent_check(d: Design):
    cols = [tc for cols in _consent_columns(d).values() for tc in cols] + [
        (t, c) for t in d.consent_tables() for c in t.columns if _is("consent_type", c)]
    if not cols:
        return False, "no consent type column to constrain"
    free = [f"{t.name}.{c.name}" for t, c in cols if t.allowed_values(c.name) is None]
    if free:
        return False, (f"{', '.join(free[:4])} accept any text: add CHECK ({cols[0][1].name} IN ('express', "
                       "'inferred', ...)) so typos cannot become consent")
    return True, "consent types are limited by CHECK constraints"


def _codes_as_text(d: Design):
    bad = [f"{t.name}.{c.name}" for t in d.schema.tables.values() for c in t.columns
           if (any(re.search(r"post_?code|zip", n) for n in _norms(c)) or _is("phone", c))
           and not any(_is(k, c) for k in _COMPLIANCE) and c.affinity in ("INTEGER", "REAL", "NUMERIC")]
    if bad:
        return False, (f"{', '.join(bad[:4])} stored as numbers: leading zeros are lost (NT postcodes 08xx, phone "
                       "numbers 04xx): store postcodes and phone numbers as TEXT")
    return True, "postcodes and phone numbers are stored as text"


def _child_keys(d: Design):
    if d.customer is None or not d.children:
        return False, "no child tables of the customer to check"
    issues = []
    for t in d.children:
        cols = _ref_columns(t, d.customer)
        if not cols:
            continue
        if not t.is_indexed(cols):
            issues.append(f"{t.name}.{', '.join(cols)} has no index (lookups per customer scan the table)")
        nullable = [c for c in cols if (col := t.column(c)) and not col.notnull and not col.pk]
        if nullable:
            issues.append(f"{t.name}.{', '.join(nullable)} allows NULL (a row with no customer)")
    if issues:
        return False, "; ".join(issues[:3])
    return True, "child tables' customer keys are NOT NULL and indexed"


# BSBCCO605A range statement "Marketing database fields may include" -> the checks that look for them
RANGE_STATEMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "address (postal, business, residential)": ("postal_address", "business_address", "residential_address"),
    "contact number/s": ("contact_numbers",),
    "current products and services": ("current_products",),
    "email address": ("email",),
    "name": ("name",),
    "occupation": ("occupation",),
    "previous offers": ("previous_offers",),
}

GROUPS = ("fields", "structure", "enhancement")
CHECKS: list[tuple[str, str, Check]] = [   # (group, item, check)
    ("fields", "name", _name),
    ("fields", "residential_address", _address("residential_address", "residential address")),
    ("fields", "postal_address", _address("postal_address", "postal address")),
    ("fields", "business_address", _address("business_address", "business address")),
    ("fields", "contact_numbers", _field("phone", "contact number", "the range statement lists contact numbers")),
    ("fields", "email", _field("email", "email address", "the range statement lists the email address")),
    ("fields", "occupation", _field("occupation", "occupation", "the range statement lists occupation")),
    ("fields", "current_products", _products),
    ("fields", "previous_offers", _offers),
    ("fields", "consent_channels", _consent_channels),
    ("fields", "consent_type", _consent_type),
    ("fields", "consent_source", _consent_detail("source", "consent source",
                                              "record where each consent was captured (form, call, branch) as evidence")),
    ("fields", "consent_date", _consent_detail("date", "consent date",
                                            "record when consent was given: inferred consent and evidence depend on it")),
    ("fields", "unsubscribe_received", _unsub_received),
    ("fields", "unsubscribe_actioned", _unsub_actioned),
    ("fields", "dncr_status", _dncr("status")),
    ("fields", "dncr_wash_date", _dncr("wash")),
    ("fields", "dncr_wash_reference", _dncr("ref")),
    ("fields", "state_or_timezone", _state_tz),
    ("fields", "data_source", _data_source),
    ("structure", "primary_keys", _primary_keys),
    ("structure", "repeating_groups", _repeating_groups),
    ("structure", "child_tables", _no_lists_on_customer),
    ("structure", "foreign_keys", _fks_declared),
    ("structure", "foreign_keys_enforced", _fks_enforced),
    ("structure", "column_types", _types),
    ("enhancement", "consent_check_constraint", _consent_check),
    ("enhancement", "codes_as_text", _codes_as_text),
    ("enhancement", "child_key_indexes", _child_keys),
]


def build_schema(ddl: str, box: Sandbox | None = None) -> tuple[Schema | None, str | None]:
    """Run ``ddl`` in ``box`` (default: a fresh sandbox, closed afterwards); return (schema, None) or
    (None, error message)."""
    if not isinstance(ddl, str):
        return None, f"the design should be SQL text (a string), got {type(ddl).__name__}"
    if not ddl.strip():
        return None, "the DDL is empty: write CREATE TABLE statements for your design"
    own = box is None
    box = box or Sandbox()
    try:
        errors = run_script(box, ddl)
        if errors:
            return None, f"the DDL does not run: {errors[0]}"
        schema = inspect_schema(box.conn)
    finally:
        if own:
            box.conn.close()
    if not schema.tables:
        return None, "the DDL creates no tables: a design needs CREATE TABLE statements"
    return schema, None


def check_design(ddl: str, criteria: dict[str, str] | None = None, mapping=None, sources=None) -> Findings:
    """All design checks on the learner's DDL (SQLite dialect); see the module docstring. ``criteria`` maps
    each group of :data:`GROUPS` to the performance criterion its findings evidence (the caller's task
    knows it); a group left out labels its findings with the group's name. With the learner's ``mapping``
    (``COLUMN_MAPPING``; ``sources`` the tables it reads), a column is recognised by what the mapping loads
    into it as well as by its name, so a sound design is judged on what it holds, not on what it is called."""
    label = lambda group: (criteria or {}).get(group, group)  # noqa: E731
    schema, error = build_schema(ddl)
    out = Findings()
    if error:
        out.append(Finding.fail(label("structure"), error, item="ddl_runs"))
        out.extend(Finding.fail(label(group), "not checked: fix the DDL error first", item=item)
                   for group, item, _ in CHECKS)
        return out
    out.append(Finding.ok(label("structure"), f"the DDL runs and creates {len(schema.tables)} table(s)", item="ddl_runs"))
    design = describe_design(schema, mapping, sources)
    for group, item, check in CHECKS:
        if design.customer is None and group == "fields":
            out.append(Finding.fail(label(group), "no customer table found (a table with names and contact details)",
                                    item=item))
            continue
        passed, msg = check(design)
        out.append(Finding(label(group), passed, 1.0 if passed else 0.0, 1.0, msg, item))
    return out
