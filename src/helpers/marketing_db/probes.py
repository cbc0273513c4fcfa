"""Probe queries: does the learner's design answer real marketing questions correctly?

Each probe in :data:`PROBES` is a question (shown to learners) with a reference answer computed in
pandas from the source tables; the learner answers it with SQL against their own loaded design
(:func:`~helpers.marketing_db.load.load_into_design`) and :func:`check_query` compares the customer
ids returned. Queries may use the named parameters ``:as_of`` (``YYYY-MM-DD HH:MM:SS``, centre time)
and ``:as_of_date``; for calling hours a temporary table ``probe_local_time(timezone, state,
local_at)`` gives each zone's (and state's) local time at ``as_of``.

Learner SQL is read-only, one statement, bounded by a step budget and a deadline (see
``sandbox``); failures become findings.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from helpers.findings import Finding, Findings
from helpers.maintenance import (DNCR_WASH_VALID_DAYS, STATE_TIMEZONES, national_public_holidays,
                                 permitted_call_time, to_local)
from helpers.marketing_db.fields import normalise
from helpers.marketing_db.sandbox import (MAX_RESULT_ROWS, QUERY_DEADLINE_S, QUERY_STEPS, Sandbox, SQLGuardError,
                                          locate_error, split_statements)

UNMAPPED = "query"   # the findings' label when the caller passes no criterion
_ID_COLUMN_RE = re.compile(r"^(customer|cust|client|contact|member|person|subscriber)?_?(id|key|no|number|ref)$")


@dataclass(frozen=True)
class Probe:
    name: str
    question: str
    reference: Callable[[dict, pd.Timestamp], set]


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _retention_email(tables: dict, as_of: pd.Timestamp) -> set:
    c = tables["customers"]
    unsub = pd.to_datetime(c["unsubscribed_at"])
    ok = ((c["status"] == "active") & ~_blank(c["email"])
          & c["consent_email"].isin(["express", "inferred"]) & ~(unsub <= as_of).fillna(False))
    offers = tables.get("offers")
    opted = set()
    if offers is not None and len(offers):
        o = offers[(offers["channel"] == "email") & (offers["response"] == "opted_out")
                   & (pd.to_datetime(offers["offered_at"]) <= as_of)]
        opted = set(o["customer_id"].astype(str))
    return set(c.loc[ok.fillna(False).astype(bool), "customer_id"].astype(str)) - opted


def _callable_now(tables: dict, as_of: pd.Timestamp) -> set:
    c = tables["customers"]
    washed = pd.to_datetime(c["dncr_washed_at"])
    fresh = (washed <= as_of) & (as_of - washed <= pd.Timedelta(days=DNCR_WASH_VALID_DAYS))
    express = c["consent_phone"] == "express"
    allowed = express | (~c["dncr_registered"].astype(bool) & fresh)
    local = to_local(pd.Series(as_of, index=c.index), c["timezone"])
    ok = ((c["status"] == "active") & (~_blank(c["mobile"]) | ~_blank(c["landline"]))
          & (c["consent_phone"] != "withdrawn") & allowed & permitted_call_time(local))
    return set(c.loc[ok.fillna(False).astype(bool), "customer_id"].astype(str))


PROBES: dict[str, Probe] = {p.name: p for p in (
    Probe("retention_email",
          "Active customers who can be sent a retention offer by e-mail at :as_of: they have an e-mail address, "
          "express or inferred e-mail consent, no unsubscribe received on or before :as_of, and never opted out "
          "in response to an e-mail offer made on or before :as_of. Return their customer ids.",
          _retention_email),
    Probe("callable_now",
          "Active customers who may be phoned for telemarketing at :as_of: they have a mobile or landline, have not "
          "withdrawn phone consent, either gave express phone consent or are not on the Do Not Call Register with a "
          f"wash no more than {DNCR_WASH_VALID_DAYS} days before :as_of, and it is a permitted calling time in their "
          "local time (Mon-Fri 9:00-20:00, Sat 9:00-17:00; see probe_local_time). Return their customer ids.",
          _callable_now),
)}


def _opted_out(tables: dict, channel: str, as_of: pd.Timestamp) -> set:
    offers = tables.get("offers")
    if offers is None or not len(offers):
        return set()
    o = offers[(offers["channel"] == channel) & (offers["response"] == "opted_out")
               & (pd.to_datetime(offers["offered_at"]) <= as_of)]
    return set(o["customer_id"].astype(str))


def lawful_contacts(tables: dict, as_of: pd.Timestamp) -> dict[str, set]:
    """Per regulated channel, the customers who may lawfully receive marketing on it at ``as_of`` (grader
    reference for a campaign-selection view; whether they are active or hold the contact detail is the
    marketing team's choice, not the law's):

    * ``email``/``sms`` (Spam Act 2003): express or inferred consent for the channel, no unsubscribe received on
      or before ``as_of``, never opted out in response to an offer on that channel made on or before ``as_of``;
    * ``phone`` (Do Not Call Register Act 2006): phone consent not withdrawn, and express phone consent or not
      on the Register with a wash no more than :data:`DNCR_WASH_VALID_DAYS` days before ``as_of``.
    """
    c = tables["customers"]
    ids = c["customer_id"].astype(str)
    unsub = pd.to_datetime(c["unsubscribed_at"])
    out = {}
    for ch in ("email", "sms"):
        ok = c[f"consent_{ch}"].isin(["express", "inferred"]) & ~(unsub <= as_of).fillna(False)
        out[ch] = set(ids[ok.fillna(False).astype(bool)]) - _opted_out(tables, ch, as_of)
    washed = pd.to_datetime(c["dncr_washed_at"])
    fresh = ((washed <= as_of) & (as_of - washed <= pd.Timedelta(days=DNCR_WASH_VALID_DAYS))).fillna(False)
    express = c["consent_phone"] == "express"
    ok = (c["consent_phone"] != "withdrawn") & (express | (~c["dncr_registered"].astype(bool) & fresh))
    out["phone"] = set(ids[ok.fillna(False).astype(bool)])
    return out


def default_as_of(tables: dict) -> pd.Timestamp:
    """20:30 centre time on the first working day after the latest customer update: late enough
    that calling hours differ between time zones."""
    last = pd.to_datetime(tables["customers"]["updated_at"]).max()
    day = (last if pd.notna(last) else pd.Timestamp("2024-01-01")).normalize() + pd.Timedelta(days=1)
    while day.day_of_week >= 5 or day.date() in national_public_holidays(day.year):
        day += pd.Timedelta(days=1)
    return day + pd.Timedelta(hours=20, minutes=30)


def probe_params(as_of: pd.Timestamp) -> dict:
    return {"as_of": as_of.strftime("%Y-%m-%d %H:%M:%S"), "as_of_date": as_of.strftime("%Y-%m-%d")}


def expected_probe_ids(tables: dict, as_of=None) -> dict[str, set]:
    """Reference answers (grader side) for every probe."""
    as_of = pd.Timestamp(as_of) if as_of is not None else default_as_of(tables)
    return {name: p.reference(tables, as_of) for name, p in PROBES.items()}


# ---------------------------------------------------------------------------------------------
def _guard(conn) -> Sandbox:
    box = getattr(conn, "sandbox", None)
    return box if isinstance(box, Sandbox) else Sandbox(conn=conn)


def check_query(conn: sqlite3.Connection, learner_sql: str, expected_ids, *, name: str = "query",
                criterion: str = UNMAPPED, points: float = 1.0, params: dict | None = None,
                steps: int = QUERY_STEPS, seconds: float = QUERY_DEADLINE_S) -> Finding:
    """Run one read-only learner query and compare the ids it returns with ``expected_ids``.

    The id column is the first column named like ``customer_id``/``id`` (else the first column).
    Partial credit ``points × F1``; passes only on the exact set. Messages give counts only. The finding is
    labelled ``criterion`` (the performance criterion of the caller's task).
    """
    def fail(msg: str) -> Finding:
        return Finding(criterion, False, 0.0, points, f"{name}: {msg}", item=name)

    if not isinstance(learner_sql, str) or not learner_sql.strip():
        return fail("no SQL given: write a SELECT statement")
    stmts = split_statements(learner_sql)
    if len(stmts) != 1:
        return fail(f"write exactly one SELECT statement (found {len(stmts)})")
    box = _guard(conn)
    try:
        with box.guarded(steps, seconds, read_only=True):
            cur = conn.execute(stmts[0].text, params or {})
            if cur.description is None:
                return fail("the SQL is not a query: it returned no columns (use SELECT)")
            rows = cur.fetchmany(MAX_RESULT_ROWS + 1)
    except SQLGuardError as exc:
        return fail(f"the query was {exc}")
    except sqlite3.ProgrammingError as exc:
        known = ", ".join(f":{k}" for k in (params or {})) or "none"
        return fail(f"the query's parameters do not match ({exc}); available parameters: {known}")
    except sqlite3.Error as exc:
        return fail(f"the query failed at line {locate_error(stmts[0], str(exc))}: {exc}")
    if len(rows) > MAX_RESULT_ROWS:
        return fail(f"the query returned more than {MAX_RESULT_ROWS:,} rows: check the join conditions")
    names = [normalise(d[0]) for d in cur.description]
    idx = next((i for i, n in enumerate(names) if _ID_COLUMN_RE.match(n)), 0)
    got_all = [r[idx] for r in rows]
    got = {str(v) for v in got_all if v is not None}
    want = {str(v) for v in expected_ids}
    hits = len(got & want)
    precision = hits / len(got) if got else (1.0 if not want else 0.0)
    recall = hits / len(want) if want else 1.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    passed = got == want
    notes = [f"{hits} of the {len(got)} customers your query returns are right",
             f"{len(got) - hits} should not be there" if len(got) - hits else "",
             f"{len(want) - hits} are missing" if len(want) - hits else "",
             f"{len(got_all) - len(got)} duplicate or empty ids ignored (use DISTINCT)"
             if len(got_all) - len(got) else ""]
    msg = ("correct: " if passed else "") + "; ".join(n for n in notes if n)
    return Finding(criterion, passed, points * f1, points, f"{name}: {msg}", item=name)


def _local_time_table(conn, box: Sandbox, tables: dict, as_of: pd.Timestamp) -> None:
    zones = sorted(set(STATE_TIMEZONES.values()) | set(tables["customers"]["timezone"].dropna().astype(str)))
    rows = [(tz, state) for state, tz in STATE_TIMEZONES.items()] + [
        (tz, None) for tz in zones if tz not in STATE_TIMEZONES.values()]
    local = to_local(pd.Series(as_of, index=range(len(rows))), pd.Series([tz for tz, _ in rows]))
    with box.guarded(QUERY_STEPS):
        conn.execute("DROP TABLE IF EXISTS temp.probe_local_time")
        conn.execute("CREATE TEMP TABLE probe_local_time (timezone TEXT, state TEXT, local_at TEXT)")
        conn.executemany("INSERT INTO temp.probe_local_time VALUES (?, ?, ?)",
                         [(tz, st, t.strftime("%Y-%m-%d %H:%M:%S") if pd.notna(t) else None)
                          for (tz, st), t in zip(rows, local)])


def run_probe_queries(conn: sqlite3.Connection, queries: dict, *, as_of=None, tables: dict | None = None,
                      points: float = 1.0, criterion: str = UNMAPPED) -> Findings:
    """Check the learner's SQL for every probe in :data:`PROBES` against the reference answers.

    ``conn`` is the connection from ``load_into_design`` (its ``sources`` are the reference data
    unless ``tables`` is given); ``queries`` maps probe name -> SQL. ``as_of`` defaults to
    :func:`default_as_of`. A missing query is a failed finding; an unknown probe name is a
    failed 0-point finding (a typo the learner should see). Findings are labelled ``criterion``.
    """
    tables = tables if tables is not None else getattr(conn, "sources", None)
    out = Findings()
    if not tables or "customers" not in tables:
        out.append(Finding.fail(criterion, "no source data to compute the probe answers from: load the design first",
                                max_points=points * len(PROBES), item="probes"))
        return out
    if not isinstance(queries, dict):
        out.extend(Finding.fail(criterion, f"{name}: queries should be a dict {{probe name: SQL}}, got "
                                f"{type(queries).__name__}", max_points=points, item=name) for name in PROBES)
        return out
    as_of = pd.Timestamp(as_of) if as_of is not None else default_as_of(tables)
    box = _guard(conn)
    _local_time_table(conn, box, tables, as_of)
    params = probe_params(as_of)
    for name, probe in PROBES.items():
        if name not in queries:
            out.append(Finding.fail(criterion, f"{name}: no query given ({probe.question})", max_points=points,
                                    item=name))
            continue
        out.append(check_query(conn, queries[name], probe.reference(tables, as_of), name=name, points=points,
                               params=params, criterion=criterion))
    for name in sorted(set(map(str, queries)) - set(PROBES)):
        out.append(Finding.fail(criterion, f"unknown probe '{name}' (probes: {', '.join(PROBES)})", max_points=0,
                                item=name))
    return out
