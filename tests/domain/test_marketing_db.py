import re
import sqlite3

import pandas as pd
import pytest

import factories as F
from helpers.marketing_db import (CHECKS, GROUPS, PROBES, check_design, check_query,
                                  default_as_of, expected_probe_ids, load_into_design, run_probe_queries)
from helpers.marketing_db.fields import channel_of, matches, normalise
from helpers.marketing_db.sandbox import Sandbox, run_script
from helpers.marketing_db.schema import inspect_schema
from ccw_grader.marketing_reference import REFERENCE_DDL, REFERENCE_MAPPING

TS = pd.Timestamp

POOR_DDL = """
CREATE TABLE customer (
    id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone INTEGER, address TEXT, postcode INTEGER,
    product1 TEXT, product2 TEXT, product3 TEXT, last_offer TEXT
);"""

WIDE_DDL = """
PRAGMA foreign_keys=ON;
CREATE TABLE Clients (ClientID TEXT PRIMARY KEY, GivenName TEXT NOT NULL, Surname TEXT NOT NULL, EmailAddress TEXT,
  MobileNumber TEXT, JobTitle TEXT, HomeAddress TEXT, MailingAddress TEXT, WorkAddress TEXT, TimeZone TEXT,
  DataSource TEXT,
  EmailConsent TEXT CHECK (EmailConsent IN ('express','inferred','none','withdrawn')),
  SmsConsent TEXT CHECK (SmsConsent IN ('express','inferred','none','withdrawn')),
  PhoneConsent TEXT CHECK (PhoneConsent IN ('express','inferred','none','withdrawn')),
  PostConsent TEXT CHECK (PostConsent IN ('express','inferred','none','withdrawn')),
  EmailConsentSource TEXT, EmailConsentDate DATE, OptOutReceivedDate DATE, OptOutActionedDate DATE,
  DoNotCallListed INTEGER, DncrWashDate DATE, DncrWashRef TEXT);
CREATE TABLE ProductsHeld (HoldingID INTEGER PRIMARY KEY, ClientID TEXT NOT NULL REFERENCES Clients(ClientID),
  Product TEXT, Status TEXT);
CREATE INDEX ix_held ON ProductsHeld(ClientID);
CREATE TABLE CampaignOffers (OfferID INTEGER PRIMARY KEY, ClientID TEXT NOT NULL REFERENCES Clients(ClientID),
  Campaign TEXT, SentOn DATE, Outcome TEXT);
CREATE INDEX ix_offers ON CampaignOffers(ClientID);
"""

# model answers to the probes against REFERENCE_DDL (kept in the tests, not shipped to learners)
REFERENCE_QUERIES = {
    "retention_email": """
        SELECT c.customer_id FROM customers c
        JOIN consents k ON k.customer_id = c.customer_id AND k.channel = 'email'
        WHERE c.status = 'active' AND c.email IS NOT NULL AND k.consent_type IN ('express', 'inferred')
          AND (c.unsubscribed_at IS NULL OR c.unsubscribed_at > :as_of)
          AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.customer_id = c.customer_id AND o.channel = 'email'
                          AND o.response = 'opted_out' AND o.offered_at <= :as_of)""",
    "callable_now": """
        SELECT DISTINCT c.customer_id FROM customers c
        JOIN consents k ON k.customer_id = c.customer_id AND k.channel = 'phone'
        JOIN probe_local_time t ON t.timezone = c.timezone
        WHERE c.status = 'active' AND (c.mobile IS NOT NULL OR c.landline IS NOT NULL)
          AND k.consent_type <> 'withdrawn'
          AND (k.consent_type = 'express' OR (c.dncr_registered = 0 AND c.dncr_washed_at <= :as_of
               AND julianday(:as_of) - julianday(c.dncr_washed_at) <= 30))
          AND ((strftime('%w', t.local_at) BETWEEN '1' AND '5' AND time(t.local_at) >= '09:00:00'
                AND time(t.local_at) < '20:00:00')
            OR (strftime('%w', t.local_at) = '6' AND time(t.local_at) >= '09:00:00'
                AND time(t.local_at) < '17:00:00'))""",
}


@pytest.fixture(scope="module")
def tables():
    c = F.customers(40)
    return {"customers": c, "holdings": F.holdings(c), "offers": F.offers(c), "products": F.products()}


# -- design checks ------------------------------------------------------------------------------
def test_reference_design_passes_everything():
    fs = check_design(REFERENCE_DDL)
    assert fs.all_passed, fs.summary()
    assert len(fs) == len(CHECKS) + 1
    assert set(fs.criteria()) == set(GROUPS)          # no criterion of its own: each group labels its findings


def test_design_findings_carry_the_callers_criteria():
    mapped = check_design(REFERENCE_DDL, criteria={"fields": "X.1", "structure": "X.2"})
    assert set(mapped.criteria()) == {"X.1", "X.2", "enhancement"}
    assert len(mapped.for_criterion("X.1")) == sum(group == "fields" for group, _, _ in CHECKS)
    broken = check_design("CREATE TABEL x (id INT);", criteria={"fields": "X.1", "structure": "X.2"})
    assert broken[0].criterion == "X.2" and broken[0].item == "ddl_runs"


def test_load_and_query_findings_carry_the_callers_criterion(tables):
    conn = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, tables, criterion="X.2")
    assert conn.findings.criteria() == ["X.2"]
    assert load_into_design("CREATE TABLE (", REFERENCE_MAPPING, tables, criterion="X.2").findings.criteria() == ["X.2"]
    assert check_query(conn, "SELECT customer_id FROM customers", set(), criterion="X.2").criterion == "X.2"
    assert set(run_probe_queries(conn, {}, criterion="X.2").criteria()) == {"X.2"}


def test_range_statement_fields_all_have_checks():
    from helpers.curriculum import load_unit
    from helpers.marketing_db.design import RANGE_STATEMENT_FIELDS
    rs = {c.key: c.items for c in load_unit("BSBCCO605A").range_statement}
    assert set(RANGE_STATEMENT_FIELDS) == set(rs["marketing_database_fields"])
    items = {item for _, item, _ in CHECKS}
    assert all(i in items for group in RANGE_STATEMENT_FIELDS.values() for i in group)
    assert all(group == "fields" for group, item, _ in CHECKS if any(item in g for g in RANGE_STATEMENT_FIELDS.values()))


def test_poor_flat_design_gets_specific_findings():
    fs = check_design(POOR_DDL)
    failed = {f.item: f.message for f in fs.failed()}
    for item in ("repeating_groups", "child_tables", "consent_channels", "consent_type", "dncr_status",
                 "unsubscribe_received", "current_products", "previous_offers", "codes_as_text", "foreign_keys_enforced",
                 "occupation", "postal_address", "business_address", "data_source", "state_or_timezone"):
        assert item in failed, item
    assert "product1, product2, product3" in failed["repeating_groups"]
    assert "leading zeros" in failed["codes_as_text"] and "customer.postcode" in failed["codes_as_text"]
    assert "5 working days" in failed["unsubscribe_received"]
    assert "Do Not Call Register Act 2006" in failed["dncr_status"]
    assert fs.fraction < 0.4
    assert fs.max_score == check_design(REFERENCE_DDL).max_score


def test_wide_design_with_other_names_is_recognised():
    fs = check_design(WIDE_DDL)
    assert fs.all_passed, fs.summary()
    msgs = {f.item: f.message for f in fs}
    assert "Clients.GivenName" in msgs["name"] and "Clients.JobTitle" in msgs["occupation"]
    assert "ProductsHeld" in msgs["current_products"] and "CampaignOffers" in msgs["previous_offers"]


def test_long_address_and_boolean_consent_designs():
    ddl = """
    CREATE TABLE people (person_id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, mobile TEXT,
        email_opt_in BOOLEAN, sms_opt_in BOOLEAN, phone_opt_in BOOLEAN, post_opt_in BOOLEAN);
    CREATE TABLE addresses (address_id INTEGER PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(person_id),
        address_type TEXT CHECK (address_type IN ('home', 'postal')), street TEXT, suburb TEXT, state TEXT,
        postcode TEXT);"""
    fs = {f.item: f for f in check_design(ddl)}
    assert fs["residential_address"].passed and fs["postal_address"].passed
    assert not fs["business_address"].passed and "does not allow a business" in fs["business_address"].message
    assert fs["state_or_timezone"].passed and "addresses.state" in fs["state_or_timezone"].message
    assert fs["consent_channels"].passed
    assert not fs["consent_type"].passed and "only records yes/no" in fs["consent_type"].message


def test_undeclared_references_and_missing_keys():
    ddl = """
    CREATE TABLE customers (customer_id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT);
    CREATE TABLE holdings (customer_id TEXT, product_id TEXT, status TEXT);"""
    fs = {f.item: f.message for f in check_design(ddl).failed()}
    assert "holdings.customer_id -> customers" in fs["foreign_keys"]
    assert "no primary key on holdings" in fs["primary_keys"]
    assert "no index" in fs["child_key_indexes"] and "allows NULL" in fs["child_key_indexes"]


@pytest.mark.parametrize("column, field", [
    ("firstName", "first_name"), ("Given Names", "first_name"), ("surname", "last_name"), ("e_mail", "email"),
    ("MobileNo", "phone"), ("contact_number", "phone"), ("Profession", "occupation"), ("po_box", "postal_address"),
    ("home_street", "residential_address"), ("work_address_line1", "business_address"), ("tz", "state_or_timezone"),
    ("lead_source", "data_source"), ("dnc_wash_date", "dncr_wash"), ("dncr_wash_ref", "dncr_ref"),
    ("opt_out_date", "withdrawal"), ("unsubscribe_processed_at", "actioned"),
])
def test_synonyms(column, field):
    assert matches(field, column)


def test_synonyms_do_not_overreach():
    assert not matches("data_source", "consent_email_source") or channel_of("consent_email_source") == "email"
    assert not matches("full_name", "campaign_name")
    assert normalise("EmailConsentDate") == "email_consent_date"
    assert channel_of("sms_opt_in") == "sms" and channel_of("PostConsent") == "post" and channel_of("dncr") is None


# -- malformed input and guards ----------------------------------------------------------------------
@pytest.mark.parametrize("ddl, fragment", [
    ("", "empty"), ("   \n", "empty"), (None, "should be SQL text"), ("this is not sql", 'near "this"'),
    ("SELECT 1;", "creates no tables"), ("ATTACH DATABASE '/tmp/x.db' AS x;", "ATTACH is not allowed"),
    ("SELECT load_extension('mod_spatialite');", "load_extension() is not allowed"),
])
def test_malformed_ddl_is_a_finding(ddl, fragment):
    fs = check_design(ddl)
    assert not fs[0].passed and fragment in fs[0].message
    assert fs.score == 0 and all("not checked" in f.message for f in fs[1:])


def test_syntax_error_reports_line_and_token():
    ddl = "CREATE TABLE a (x INTEGER PRIMARY KEY);\nCREATE TABLE b (\n  y INT,\n  z INT,,\n  w INT\n);"
    msg = check_design(ddl)[0].message
    assert "line 4" in msg and 'near ","' in msg
    msg2 = check_design("-- my design\n\nCREATE TABEL customers (id INT);")[0].message
    assert "line 3" in msg2 and 'near "TABEL"' in msg2


def test_runaway_recursive_cte_is_stopped_by_a_guard():
    # how soon it is stopped is a benchmark figure (benchmarks/bench_checks.py), not a test
    fs = check_design("CREATE TABLE t (n INTEGER PRIMARY KEY);\n"
                      "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) INSERT INTO t SELECT n FROM r;")
    assert not fs[0].passed
    assert "line 2" in fs[0].message and "recursive query without an end" in fs[0].message
    # the step budget or the deadline stopped it, and says which
    assert re.search(r"ran past the (work budget|[\d.]+ s time limit)", fs[0].message), fs[0].message


def test_check_constraints_are_parsed_with_quotes():
    box = Sandbox()
    assert run_script(box, """CREATE TABLE t (a TEXT CHECK (a IN ('x)', 'it''s', "b")),
                              b INT, c TEXT CHECK (length(c) = 4), CHECK (lower(b) IN (0, 1)));""") == []
    t = inspect_schema(box.conn).tables["t"]
    assert t.allowed_values("a") == frozenset({"x)", "it's"})
    assert t.allowed_values("B") == frozenset({"0", "1"})
    assert t.allowed_values("c") is None and t.has_check_on("c")


def test_schema_frame_describes_keys_and_constraints():
    box = Sandbox()
    assert run_script(box, REFERENCE_DDL) == []
    frame = inspect_schema(box.conn).to_frame().set_index(["table", "column"])
    assert frame.loc[("customers", "customer_id"), "pk"] and frame.loc[("customers", "first_name"), "not_null"]
    assert frame.loc[("holdings", "customer_id"), "references"] == "customers(customer_id)"
    assert frame.loc[("consents", "consent_type"), "checked"] and not frame.loc[("consents", "source"), "checked"]
    assert frame.loc[("offers", "offered_at"), "type"] == "TIMESTAMP"


# -- loading -------------------------------------------------------------------------------------------
def test_reference_design_loads(tables):
    conn = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, tables)
    assert conn.findings.all_passed, conn.findings.summary()
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == len(tables["customers"])
    assert conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 4 * len(tables["customers"])
    assert conn.execute("SELECT count(*) FROM holdings").fetchone()[0] == len(tables["holdings"])
    first = tables["customers"].iloc[0]
    row = conn.execute("SELECT dncr_registered, dncr_washed_at FROM customers WHERE customer_id = ?",
                       (first["customer_id"],)).fetchone()
    assert row == (int(first["dncr_registered"]), first["dncr_washed_at"].strftime("%Y-%m-%d %H:%M:%S"))


def test_mapping_errors_are_findings(tables):
    ddl = """PRAGMA foreign_keys = ON;
    CREATE TABLE cust (id TEXT PRIMARY KEY, email INTEGER, postcode INTEGER, occupation TEXT NOT NULL);
    CREATE TABLE held (hid TEXT PRIMARY KEY, cid TEXT NOT NULL REFERENCES cust(id));"""
    mapping = {
        "cust": {"id": "customers.customer_id", "email": "customers.email",
                 "postcode": "customers.residential_postcode", "occupation": "customers.occupation"},
        "held": {"hid": "holdings.holding_id", "cid": "holdings.customer_id", "nope": "holdings.status"},
        "ghost_table": {"x": "customers.email"},
        "cust2": "not a dict",
    }
    conn = load_into_design(ddl, mapping, tables)
    text = "\n".join(f.message for f in conn.findings.failed())
    assert "type mismatch: cust.email is INTEGER" in text
    n_zero = int(tables["customers"]["residential_postcode"].str.startswith("0").sum())
    assert n_zero > 0 and f"{n_zero} values start with 0" in text
    n_null = int(tables["customers"]["occupation"].isna().sum())
    assert f"{n_null} of {len(tables['customers'])} rows from customers rejected - NOT NULL constraint failed: " \
           "cust.occupation" in text
    assert "your table has no column 'nope'" in text
    assert "'ghost_table', which your DDL does not create" in text
    # the held block was not loaded (bad column) but the connection still answers queries
    assert conn.execute("SELECT count(*) FROM cust").fetchone()[0] == len(tables["customers"]) - n_null


def test_foreign_key_violations_counted(tables):
    ddl_on = """PRAGMA foreign_keys = ON;
    CREATE TABLE c (id TEXT PRIMARY KEY);
    CREATE TABLE h (hid TEXT PRIMARY KEY, cid TEXT REFERENCES c(id));"""
    mapping = {"h": {"hid": "holdings.holding_id", "cid": "holdings.customer_id"}}
    conn = load_into_design(ddl_on, mapping, tables)
    n = len(tables["holdings"])
    assert any(f"{n} of {n} rows from holdings rejected - FOREIGN KEY constraint failed" in f.message
               for f in conn.findings)
    conn_off = load_into_design(ddl_on.replace("PRAGMA foreign_keys = ON;", ""), mapping, tables)
    assert any(f"h: {n} rows reference a missing c row" in f.message for f in conn_off.findings)


@pytest.mark.parametrize("mapping, fragment", [
    ([], "should be a dict"),
    ({"customers": {"customer_id": "customers.customer_idd"}}, "did you mean 'customer_id'"),
    ({"customers": {"customer_id": "clients.customer_id"}}, "unknown source table 'clients'"),
    ({"customers": {"customer_id": "customers.customer_id", "first_name": "holdings.status"}}, "mixes source tables"),
    ({"customers": {"customer_id": "email"}}, "should be 'table.column'"),
    ({"customers": {"customer_id": {"value": "C1"}}}, "maps no source column"),
])
def test_bad_mappings(tables, mapping, fragment):
    conn = load_into_design(REFERENCE_DDL, mapping, tables)
    assert any(fragment in f.message for f in conn.findings.failed()), conn.findings.summary()


def test_load_with_broken_ddl_never_raises(tables):
    conn = load_into_design("CREATE TABLE (", REFERENCE_MAPPING, tables)
    assert len(conn.findings) == 1 and "cannot load data" in conn.findings[0].message
    assert conn.execute("SELECT 1").fetchone() == (1,)


def _dump(conn) -> list[str]:
    return list(conn.iterdump())


def test_a_repeated_load_is_a_database_of_its_own(tables):
    first = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, tables, criterion="A")
    again = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, tables, criterion="B")
    assert again is not first and _dump(again) == _dump(first)
    assert [f.message for f in again.findings] == [f.message for f in first.findings]
    assert first.findings.criteria() == ["A"] and again.findings.criteria() == ["B"]
    # the DDL's connection settings come with the copy, not only its tables
    assert again.execute("PRAGMA foreign_keys").fetchone() == (1,)
    first.execute("DELETE FROM consents")
    first.close()
    assert again.execute("SELECT count(*) FROM consents").fetchone()[0] == 4 * len(tables["customers"])
    third = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, tables)
    assert _dump(third) == _dump(again)
    plain = load_into_design(REFERENCE_DDL.replace("PRAGMA foreign_keys = ON;", ""), REFERENCE_MAPPING, tables)
    assert plain.execute("PRAGMA foreign_keys").fetchone() == (0,)


def test_a_table_changed_in_place_is_loaded_afresh(tables):
    own = {name: frame.copy() for name, frame in tables.items()}
    before = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, own)
    customer = own["customers"]["customer_id"].iloc[0]
    own["customers"].loc[own["customers"].index[0], "email"] = "changed.in.place@example.com.au"
    after = load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, own)
    query = "SELECT email FROM customers WHERE customer_id = ?"
    assert after.execute(query, (customer,)).fetchone() == ("changed.in.place@example.com.au",)
    assert before.execute(query, (customer,)).fetchone() != ("changed.in.place@example.com.au",)


def test_rows_after_a_rejected_row_still_load(tables):
    # every third customer is rejected by the design; the rows between them load, as a row-by-row load would
    ddl = "CREATE TABLE c (id TEXT PRIMARY KEY, n INTEGER CHECK (n % 3 <> 0));"
    ids = tables["customers"]["customer_id"]
    source = {"customers": pd.DataFrame({"customer_id": ids, "n": range(len(ids))})}
    conn = load_into_design(ddl, {"c": {"id": "customers.customer_id", "n": "customers.n"}}, source)
    loaded = [row[0] for row in conn.execute("SELECT n FROM c ORDER BY n")]
    assert loaded == [n for n in range(len(ids)) if n % 3]
    rejected = len(ids) - len(loaded)
    assert any(f"{rejected} of {len(ids)} rows from customers rejected - CHECK constraint failed" in f.message
               for f in conn.findings)


# -- queries ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loaded(tables):
    return load_into_design(REFERENCE_DDL, REFERENCE_MAPPING, tables)


def test_check_query_scores_by_ids(loaded, tables):
    active = set(tables["customers"].loc[tables["customers"]["status"] == "active", "customer_id"])
    assert check_query(loaded, "SELECT customer_id FROM customers WHERE status = 'active'", active).passed
    f = check_query(loaded, "SELECT first_name, customer_id FROM customers", active, points=2)
    extra = len(tables["customers"]) - len(active)
    assert not f.passed and f"{extra} should not be there" in f.message
    p, r = len(active) / len(tables["customers"]), 1.0
    assert f.points == pytest.approx(2 * 2 * p * r / (p + r))
    dup = check_query(loaded, "SELECT c.customer_id FROM customers c JOIN consents k USING (customer_id) "
                              "WHERE c.status = 'active'", active)
    assert dup.passed and "duplicate" in dup.message


@pytest.mark.parametrize("sql, fragment", [
    ("", "no SQL"), ("SELECT 1; SELECT 2;", "exactly one"), ("DELETE FROM customers", "may only read"),
    ("SELECT customer_id FROM customers WHERE created_at > :today", "available parameters"),
    ("SELECT customer_id FROM\ncustomers WHERE WHERE", "line 2"), ("SELECT * FROM nowhere", "no such table"),
    ("ATTACH DATABASE 'x.db' AS x", "ATTACH is not allowed"),
])
def test_check_query_failures(loaded, sql, fragment):
    f = check_query(loaded, sql, {"C0000001"}, params={"as_of": "2024-01-01"})
    assert not f.passed and fragment in f.message, f.message
    assert loaded.execute("SELECT count(*) FROM customers").fetchone()[0] == 40


def test_runaway_queries_are_stopped(loaded):
    # a small step budget: the work budget, not the deadline, must be what stops them
    f = check_query(loaded, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r "
                            "ORDER BY n DESC LIMIT 1", {"1"}, steps=5_000_000)
    g = check_query(loaded, "SELECT a.customer_id FROM consents a, consents b, consents c, consents d "
                            "ORDER BY random() LIMIT 1", {"1"}, steps=5_000_000)
    assert "work budget" in f.message and "work budget" in g.message
    assert check_query(loaded, "SELECT 1", {"1"}).passed   # guards reset afterwards


def test_check_query_on_a_plain_connection():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("a",), ("b",)])
    assert check_query(conn, "SELECT id FROM t", {"a", "b"}).passed
    assert "may only read" in check_query(conn, "DROP TABLE t", set()).message


# -- probes ----------------------------------------------------------------------------------------------
def test_probe_reference_answers_by_hand():
    c = F.customers(6)
    c["status"], c["consent_phone"], c["dncr_registered"] = "active", "inferred", False
    c["timezone"] = "Australia/Perth"
    c["dncr_washed_at"] = TS("2024-03-01")
    c.loc[0, "timezone"] = "Australia/Sydney"                           # 20:30 there: too late
    c.loc[1, ["dncr_registered", "consent_phone"]] = [True, "express"]  # listed but express consent: ok
    c.loc[2, "dncr_registered"] = True                                  # listed, inferred: no
    c.loc[3, "dncr_washed_at"] = TS("2024-01-15")                       # wash older than 30 days: no
    c.loc[4, "consent_phone"] = "withdrawn"                             # withdrawn: no
    # customer 5: Perth, inferred, washed recently -> callable
    as_of = TS("2024-03-05 20:30")                                      # Tuesday; Perth 17:30
    got = expected_probe_ids({"customers": c, "offers": F.offers(c)}, as_of)["callable_now"]
    assert got == {"C0000002", "C0000006"}
    email = c.assign(consent_email=["express", "inferred", "none", "withdrawn", "express", "express"],
                     unsubscribed_at=[pd.NaT, pd.NaT, pd.NaT, pd.NaT, TS("2024-03-01"), TS("2024-04-01")])
    offers = F.typed("offers", [dict(offer_id="O1", customer_id="C0000002", channel="email", response="opted_out",
                                     offered_at=TS("2024-02-01"))])
    got = expected_probe_ids({"customers": email, "offers": offers}, as_of)["retention_email"]
    assert got == {"C0000001", "C0000006"}


def test_default_as_of_is_a_working_day_evening(tables):
    as_of = default_as_of(tables)
    assert as_of.day_of_week < 5 and (as_of.hour, as_of.minute) == (20, 30)
    assert as_of > pd.to_datetime(tables["customers"]["updated_at"]).max()


def test_run_probe_queries_with_reference_answers(loaded):
    fs = run_probe_queries(loaded, REFERENCE_QUERIES)
    assert fs.all_passed and len(fs) == len(PROBES), fs.summary()
    partial = run_probe_queries(loaded, {"retention_email": "SELECT customer_id FROM customers", "typo": "SELECT 1"})
    by = {f.item: f for f in partial}
    assert not by["retention_email"].passed and 0 < by["retention_email"].points < 1
    assert not by["callable_now"].passed and "no query given" in by["callable_now"].message
    assert by["typo"].max_points == 0 and "unknown probe" in by["typo"].message
    assert not run_probe_queries(loaded, "SELECT 1")[0].passed


def test_columns_are_recognised_by_what_the_mapping_loads_into_them():
    """A column the synonym table does not know is recognised by the source column its mapping reads; literal
    values name a channel or an address kind; a column fed from unrelated sources with nothing telling the
    blocks apart, or from a source column that does not exist, is recognised by its name only."""
    ddl = """
    CREATE TABLE person (ref TEXT PRIMARY KEY, given TEXT, family TEXT, trade TEXT, zone TEXT, came_from TEXT);
    CREATE TABLE register_checks (id INTEGER PRIMARY KEY, ref TEXT NOT NULL REFERENCES person (ref),
                                  listed INTEGER, checked TIMESTAMP, receipt TEXT);
    CREATE TABLE permits (ref TEXT NOT NULL REFERENCES person (ref), route TEXT CHECK (route IN ('email', 'sms')),
                          grounds TEXT,
                          PRIMARY KEY (ref, route));
    """
    sources = {"customers": ["customer_id", "first_name", "last_name", "occupation", "timezone", "data_source",
                             "dncr_registered", "dncr_washed_at", "dncr_wash_ref", "email", "consent_email",
                             "consent_sms"]}
    key = {"ref": "customers.customer_id"}
    mapping = {"person": {**key, "given": "customers.first_name", "family": "customers.last_name",
                          "trade": "customers.occupation", "zone": "customers.timezone",
                          "came_from": "customers.data_source"},
               "register_checks": {**key, "listed": "customers.dncr_registered", "checked": "customers.dncr_washed_at",
                                   "receipt": "customers.dncr_wash_ref"},
               "permits": [{**key, "route": {"value": ch}, "grounds": f"customers.consent_{ch}"}
                           for ch in ("email", "sms")]}
    items = ("name", "occupation", "state_or_timezone", "data_source", "dncr_status", "dncr_wash_date",
             "dncr_wash_reference")
    by_name = {f.item: f.passed for f in check_design(ddl)}
    assert not any(by_name[i] for i in items)
    mapped = {f.item: f for f in check_design(ddl, mapping=mapping, sources=sources)}
    assert all(mapped[i].passed for i in items), {i: mapped[i].message for i in items if not mapped[i].passed}
    assert mapped["consent_type"].passed   # grounds, loaded from the consent columns (express, inferred ...)
    assert "no consent recorded for phone, post" in mapped["consent_channels"].message  # the CHECK allows 2
    mixed = dict(mapping, register_checks=[{**key, "listed": "customers.dncr_registered",
                                            "checked": "customers.dncr_washed_at", "receipt": src}
                                           for src in ("customers.dncr_wash_ref", "customers.email")])
    assert not {f.item: f.passed for f in check_design(ddl, mapping=mixed, sources=sources)}["dncr_wash_reference"]
    unknown = dict(mapping, person={**mapping["person"], "trade": "customers.job_title"})
    assert not {f.item: f.passed for f in check_design(ddl, mapping=unknown, sources=sources)}["occupation"]
