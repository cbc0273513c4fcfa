"""``load_into_design``: fill a learner's schema with the generated tables through their mapping.

The mapping says where each learner column comes from::

    {"customers": {"cust_id": "customers.customer_id", "email": "customers.email"},
     "consents": [   # a list: several blocks append rows to one table (wide -> long)
        {"cust_id": "customers.customer_id", "channel": {"value": "email"},
         "consent_type": "customers.consent_email"},
        {"cust_id": "customers.customer_id", "channel": {"value": "sms"},
         "consent_type": "customers.consent_sms"}]}

A spec is ``"<source table>.<column>"`` or a literal ``{"value": ...}``; each block reads one
source table (one learner row per source row). Values are stored as SQLite sees them: timestamps
as ISO text ``YYYY-MM-DD HH:MM:SS``, booleans as 0/1, missing values as NULL.

Problems never raise: they become findings (labelled with the caller's ``criterion``) on ``conn.findings`` - unknown tables or
columns, type mismatches (text into INTEGER, leading zeros lost), and rows rejected by the learner's
constraints, counted per constraint. Tables load parents first (foreign-key order) in one
transaction each; ``PRAGMA foreign_key_check`` counts orphans even when enforcement is off.
"""
from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import json
import sqlite3
from collections import Counter

import pandas as pd

from helpers.findings import Finding, Findings
from helpers.marketing_db.design import build_schema
from helpers.marketing_db.sandbox import QUERY_STEPS, Sandbox, SQLGuardError, split_statements, strip_comments
from helpers.marketing_db.schema import Schema, Table, quote_ident

UNMAPPED = "load"   # the findings' label when the caller passes no criterion
REJECT_TOLERANCE = 0.05  # share of a table's rows a design may reject as invalid (the trusted check loads >= 95%)
LOAD_SECONDS = 60.0


class DesignConnection(sqlite3.Connection):
    """A connection to the loaded learner design; carries ``findings``, ``schema``, ``sources``."""

    findings: Findings
    schema: Schema | None
    sources: dict
    sandbox: Sandbox


def load_into_design(ddl: str, mapping: dict, tables: dict[str, pd.DataFrame], *,
                     criterion: str = UNMAPPED) -> DesignConnection:
    """Create the learner's schema in memory and load ``tables`` into it through ``mapping``.

    Returns the open connection (the caller's own: closing or changing it touches nothing else); read
    ``conn.findings`` for what went wrong (never raises for learner mistakes). The findings are labelled
    ``criterion`` (the performance criterion of the caller's task).

    A workbook loads the same design several times (a look at the data, then the checks of Tasks 2.2
    and 2.3), and so does the grader for one learner; loading costs about a second. The last loads are
    kept (:data:`KEPT_LOADS`), keyed by the DDL, the mapping and the content of the source columns it
    reads, and a repeat gets a copy of the loaded database (SQLite's backup API, milliseconds).
    """
    key = _load_key(ddl, mapping, tables)
    master = _LOADS.pop(key, None) if key is not None else None
    if master is None:
        master = _load(ddl, mapping, tables)
        if key is None or master.schema is None or _has_temp_objects(master):
            return _relabel(master, criterion)
    _LOADS[key] = master    # most recently used last
    while len(_LOADS) > KEPT_LOADS:
        _LOADS.pop(next(iter(_LOADS))).close()
    try:
        return _copy(master, ddl, tables, criterion)
    except sqlite3.Error:   # the copy could not be made as the load was (never seen): load afresh
        _LOADS.pop(key).close()
        return _relabel(_load(ddl, mapping, tables), criterion)


KEPT_LOADS = 2
_LOADS: dict[tuple, DesignConnection] = {}   # key -> a loaded design, never handed out itself


def _load_key(ddl, mapping, tables) -> tuple | None:
    """What a load depends on, or None when it cannot be told cheaply (then nothing is kept)."""
    try:
        spec = json.dumps(mapping, default=repr)
        used: dict[str, set] = {}
        for block in (mapping or {}).values():
            for b in (block if isinstance(block, list) else [block]):
                for source in (b.values() if isinstance(b, dict) else ()):
                    if isinstance(source, str) and source.count(".") == 1:
                        name, column = source.split(".")
                        used.setdefault(name, set()).add(column)
        digest = hashlib.blake2b(spec.encode() + (ddl if isinstance(ddl, str) else repr(ddl)).encode())
        for name in sorted(used):
            frame = tables[name]
            columns = sorted(c for c in used[name] if c in frame.columns)
            digest.update(repr((name, len(frame), columns, [str(frame[c].dtype) for c in columns])).encode())
            # the content, not the object: a learner may change a table in place between two loads
            digest.update(pd.util.hash_pandas_object(frame[columns], index=False).to_numpy().tobytes())
    except Exception:  # noqa: BLE001 - an odd mapping or table: load it afresh, as always
        return None
    return (digest.hexdigest(),)


def _has_temp_objects(conn) -> bool:
    """TEMP tables, views or triggers live outside the main database, which is all a backup copies."""
    return bool(conn.execute("SELECT count(*) FROM sqlite_temp_master").fetchone()[0])


def _relabel(conn: DesignConnection, criterion: str) -> DesignConnection:
    conn.findings = Findings(dataclasses.replace(f, criterion=criterion) for f in conn.findings)
    return conn


def _copy(master: DesignConnection, ddl: str, tables, criterion: str) -> DesignConnection:
    """A connection of its own holding ``master``'s database, with the guards and the connection settings
    the learner's DDL made (its PRAGMA statements, replayed: they are not part of the database file)."""
    box = Sandbox(factory=DesignConnection)
    conn: DesignConnection = box.conn
    master.backup(conn)
    for stmt in split_statements(ddl):
        if strip_comments(stmt.text).lstrip().upper().startswith("PRAGMA"):
            with box.guarded(QUERY_STEPS, LOAD_SECONDS):
                conn.execute(stmt.text)
    conn.sandbox, conn.sources, conn.schema = box, dict(tables or {}), copy.deepcopy(master.schema)
    conn.findings = Findings(master.findings)
    return _relabel(conn, criterion)


def _load(ddl: str, mapping: dict, tables) -> DesignConnection:
    """Load afresh; findings are labelled :data:`UNMAPPED` (the caller relabels them)."""
    box = Sandbox(factory=DesignConnection)
    conn: DesignConnection = box.conn
    conn.sandbox, conn.sources, conn.findings, conn.schema = box, dict(tables or {}), Findings(), None
    schema, error = build_schema(ddl, box)
    if error:
        conn.findings.append(Finding.fail(UNMAPPED, f"cannot load data: {error}", item="load"))
        return conn
    conn.schema = schema
    blocks = _parse_mapping(mapping, schema, conn.sources, conn.findings)
    order = _load_order([b[0] for b in blocks], schema)
    for table_name in order:
        for tname, block, where in blocks:
            if tname == table_name:
                _load_block(box, schema.tables[tname], block, where, conn.sources, conn.findings)
    _orphans(conn, order, conn.findings)
    if not conn.findings.failed():
        kept_out = any("rejected" in f.message for f in conn.findings)
        conn.findings.append(Finding.ok(UNMAPPED, "the mapped data loaded; the rows your constraints kept out are listed "
                                                  "above" if kept_out else "all mapped data loaded without errors",
                                        item="load"))
    return conn


# ---------------------------------------------------------------------------------------------
def _fail(findings: Findings, message: str, item: str) -> None:
    findings.append(Finding.fail(UNMAPPED, message, item=item))


def _suggest(name: str, options) -> str:
    near = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""


def _parse_mapping(mapping, schema: Schema, sources: dict, findings: Findings) -> list[tuple[str, dict, str]]:
    """Validate the mapping; return (learner table, {learner column: spec}, label) blocks that can load."""
    if not isinstance(mapping, dict) or not mapping:
        _fail(findings, "the mapping should be a dict {your_table: {your_column: 'customers.column'}}", "mapping")
        return []
    blocks = []
    for ltable, spec in mapping.items():
        table = schema.table(str(ltable))
        if table is None:
            _fail(findings, f"mapping names table '{ltable}', which your DDL does not create"
                  f"{_suggest(str(ltable), schema.tables)}", str(ltable))
            continue
        parts = spec if isinstance(spec, list) else [spec]
        for k, block in enumerate(parts):
            where = f"{table.name}" + (f" (block {k + 1})" if len(parts) > 1 else "")
            ok = _check_block(table, block, sources, findings, where)
            if ok is not None:
                blocks.append((table.name, ok, where))
    return blocks


def _check_block(table: Table, block, sources: dict, findings: Findings, where: str) -> dict | None:
    if not isinstance(block, dict) or not block:
        _fail(findings, f"mapping for {where} should be a dict {{your_column: 'customers.column'}}", where)
        return None
    resolved, source_tables, good = {}, set(), True
    for lcol, spec in block.items():
        col = table.column(str(lcol))
        if col is None:
            _fail(findings, f"{where}: your table has no column '{lcol}'{_suggest(str(lcol), table.column_names)}",
                  where)
            good = False
            continue
        if isinstance(spec, dict) and set(spec) == {"value"}:
            resolved[col.name] = ("value", spec["value"])
        elif isinstance(spec, str) and spec.count(".") == 1:
            src_t, src_c = spec.split(".")
            if src_t not in sources:
                _fail(findings, f"{where}.{col.name}: unknown source table '{src_t}' (available: "
                      f"{', '.join(sorted(sources))})", where)
                good = False
            elif src_c not in sources[src_t].columns:
                _fail(findings, f"{where}.{col.name}: source table '{src_t}' has no column '{src_c}'"
                      f"{_suggest(src_c, sources[src_t].columns)}", where)
                good = False
            else:
                resolved[col.name] = ("source", src_t, src_c)
                source_tables.add(src_t)
        elif spec is None or isinstance(spec, (int, float, bool)):
            resolved[col.name] = ("value", spec)
        else:
            _fail(findings, f"{where}.{col.name}: {spec!r} should be 'table.column' (e.g. 'customers.email') "
                  "or {'value': ...}", where)
            good = False
    if len(source_tables) > 1:
        _fail(findings, f"{where} mixes source tables ({', '.join(sorted(source_tables))}): each block reads one "
              "table; use a separate block or table for the other", where)
        return None
    if not source_tables and good:
        _fail(findings, f"{where} maps no source column: at least one column must come from a source table", where)
        return None
    return resolved if good else None


def _load_order(names: list[str], schema: Schema) -> list[str]:
    """Learner tables, parents before children (cycles keep mapping order)."""
    names = list(dict.fromkeys(names))
    order: list[str] = []
    pending = list(names)
    while pending:
        for n in pending:
            parents = {fk.table.lower() for fk in schema.tables[n].foreign_keys} - {n.lower()}
            if not parents & {p.lower() for p in pending}:
                break
        else:
            n = pending[0]
        order.append(n)
        pending.remove(n)
    return order


# ---------------------------------------------------------------------------------------------
def _column_values(src: pd.Series, declared_affinity: str, where: str, findings: Findings) -> list:
    """Source column -> Python values for SQLite; type findings recorded (load continues)."""
    if pd.api.types.is_datetime64_any_dtype(src):
        if declared_affinity in ("INTEGER", "REAL"):
            _fail(findings, f"{where} is {declared_affinity} but receives dates/times: use a date/text type", where)
        text = src.dt.strftime("%Y-%m-%d %H:%M:%S")
        return text.astype(object).where(src.notna(), None).tolist()
    values = src.astype(object).where(src.notna(), None)  # Python scalars; bools bind as 0/1
    if pd.api.types.is_numeric_dtype(src) or pd.api.types.is_bool_dtype(src):
        return values.tolist()
    if declared_affinity in ("INTEGER", "REAL", "NUMERIC"):
        present = values.dropna().astype(str)
        numeric = pd.to_numeric(present.str.replace(" ", "", regex=False), errors="coerce")
        text_n = int(numeric.isna().sum())
        zeros = int((numeric.notna() & present.str.match(r"^\s*0\d")).sum())
        if text_n:
            _fail(findings, f"type mismatch: {where} is {declared_affinity} but {text_n} of {len(present)} source "
                  "values are text", where)
        if zeros:
            _fail(findings, f"{where} is {declared_affinity}: {zeros} values start with 0 and would lose the leading "
                  "zero (postcodes 08xx, phone numbers 04xx): store them as TEXT", where)
    return values.tolist()


def _load_block(box: Sandbox, table: Table, block: dict, label: str, sources: dict, findings: Findings) -> None:
    src_name = next(spec[1] for spec in block.values() if spec[0] == "source")
    src = sources[src_name]
    n = len(src)
    cols, data = [], []
    for lcol, spec in block.items():
        aff = table.column(lcol).affinity
        where = f"{table.name}.{lcol}"
        if spec[0] == "value":
            data.append([spec[1]] * n)
        else:
            data.append(_column_values(src[spec[2]], aff, where, findings))
        cols.append(lcol)
    rows = list(zip(*data)) if n else []
    sql = (f"INSERT INTO {quote_ident(table.name)} ({', '.join(map(quote_ident, cols))}) "
           f"VALUES ({', '.join('?' * len(cols))})")
    conn = box.conn
    errors: Counter = Counter()
    try:
        with box.guarded(QUERY_STEPS, LOAD_SECONDS):
            conn.execute("SAVEPOINT load_block")
            loaded = _insert_rows(conn, sql, rows, errors)
            conn.execute("RELEASE load_block")
    except SQLGuardError as exc:
        _fail(findings, f"loading {label} {exc}", table.name)
        _rollback(conn)
        return
    except sqlite3.Error as exc:
        _fail(findings, f"loading {label} failed: {exc}", table.name)
        _rollback(conn)
        return
    for msg, count in errors.most_common():
        # A constraint that keeps invalid records out (a malformed e-mail, an orphan) is good design, up to the
        # share of records the assessor's check lets a design reject; past it, the design rejects valid data.
        text = f"{label}: {count} of {n} rows from {src_name} rejected - {msg}"
        if count <= REJECT_TOLERANCE * n:
            findings.append(Finding.ok(UNMAPPED, f"{text} (within the {REJECT_TOLERANCE:.0%} a design may keep out as "
                                                 "invalid: list them as data-quality defects in Task 2.4)",
                                       item=table.name))
        else:
            _fail(findings, f"{text} (more than {REJECT_TOLERANCE:.0%}: the design rejects valid records)", table.name)
    if loaded == n:
        findings.append(Finding.ok(UNMAPPED, f"{label}: loaded {loaded} rows from {src_name}", item=table.name))


def _insert_rows(conn: sqlite3.Connection, sql: str, rows: list, errors: Counter) -> int:
    """Insert ``rows`` in order, one statement per row, as a loop of ``execute`` would; rows a constraint
    rejects are counted in ``errors`` by message. Returns the rows loaded.

    ``executemany`` reads its parameters lazily, one row per step, so the row it was binding when a
    constraint failed is the last one the generator handed out: the load resumes after it. This keeps
    the per-row semantics (a rejected row never stops the next) at ``executemany``'s speed, where
    ``execute`` per row cost ~10 us each (1 s for a design that rejects a few rows of every table)."""
    position = -1

    def from_(start: int):
        nonlocal position
        for position in range(start, len(rows)):
            yield rows[position]

    loaded, start = 0, 0
    while start < len(rows):
        try:
            conn.executemany(sql, from_(start))
        except sqlite3.IntegrityError as exc:
            errors[str(exc)] += 1
            loaded += position - start
            start = position + 1
            continue
        loaded += len(rows) - start
        break
    return loaded


def _rollback(conn) -> None:
    try:
        conn.execute("ROLLBACK TO load_block")
        conn.execute("RELEASE load_block")
    except sqlite3.Error:
        pass


def _orphans(conn, tables: list[str], findings: Findings) -> None:
    """Rows whose foreign keys point nowhere (counted even when PRAGMA foreign_keys is off)."""
    counts: Counter = Counter()
    for t in tables:
        for row in conn.execute(f"PRAGMA foreign_key_check({quote_ident(t)})"):
            counts[(row[0], row[2])] += 1
    for (child, parent), count in sorted(counts.items()):
        _fail(findings, f"{child}: {count} rows reference a missing {parent} row (referential integrity)", child)
