"""A learner's schema as SQLite itself sees it: tables, columns, keys, indexes and CHECKs.

Everything comes from SQLite (``PRAGMA table_info``, ``foreign_key_list``, ``index_list`` /
``index_info``) except CHECK constraints, which SQLite does not expose: they are parsed from the
``CREATE TABLE`` text in ``sqlite_master`` with a small tokenizer that respects quotes.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

_TOKEN_RE = re.compile(r"""
    '(?:[^']|'')*'            # string literal
  | "(?:[^"]|"")*"            # quoted identifier
  | `[^`]*` | \[[^\]]*\]      # other identifier quotes
  | --[^\n]* | /\*.*?\*/      # comments
  | [A-Za-z_][A-Za-z0-9_$]*   # word
  | \d+(?:\.\d*)?             # number
  | \S                        # punctuation
""", re.S | re.X)


def tokens(sql: str) -> list[tuple[str, int]]:
    """(token, position) pairs, comments dropped."""
    return [(m.group(0), m.start()) for m in _TOKEN_RE.finditer(sql)
            if not m.group(0).startswith(("--", "/*"))]


def unquote(tok: str) -> str:
    if len(tok) >= 2 and tok[0] in "\"`[" :
        return tok[1:-1].replace('""', '"')
    return tok


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def affinity(declared: str) -> str:
    """SQLite's type affinity rules (section 3.1 of the datatype docs)."""
    t = (declared or "").upper()
    if "INT" in t:
        return "INTEGER"
    if any(k in t for k in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not t or "BLOB" in t:
        return "BLOB"
    if any(k in t for k in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


@dataclass(frozen=True)
class Column:
    name: str
    type: str          # declared type as written ("" when none)
    notnull: bool
    default: str | None
    pk: int            # position in the primary key (0 = not part of it)
    aliases: tuple[str, ...] = ()  # what the column holds, from the learner's mapping (source column names)

    @property
    def affinity(self) -> str:
        return affinity(self.type)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str                  # referenced table
    ref_columns: tuple[str, ...]  # empty = the referenced table's primary key
    on_delete: str


@dataclass(frozen=True)
class Check:
    expression: str
    columns: tuple[str, ...]    # columns of the table the expression mentions
    allowed: dict = field(default_factory=dict)  # column -> frozenset of literals in "col IN (...)"


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool
    origin: str   # c = CREATE INDEX, u = UNIQUE constraint, pk = primary key


@dataclass
class Table:
    name: str
    columns: list[Column]
    foreign_keys: list[ForeignKey]
    indexes: list[Index]
    checks: list[Check]
    sql: str
    aliases: tuple[str, ...] = ()  # the source tables the learner's mapping loads into this table

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in sorted((c for c in self.columns if c.pk), key=lambda c: c.pk))

    @property
    def unique(self) -> list[tuple[str, ...]]:
        return [i.columns for i in self.indexes if i.unique]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        low = name.lower()
        return next((c for c in self.columns if c.name.lower() == low), None)

    def allowed_values(self, column: str) -> frozenset | None:
        """Literals a CHECK limits ``column`` to (``col IN ('a', 'b')``), or None."""
        low = column.lower()
        for chk in self.checks:
            for col, values in chk.allowed.items():
                if col.lower() == low:
                    return values
        return None

    def has_check_on(self, column: str) -> bool:
        return any(column.lower() in (c.lower() for c in chk.columns) for chk in self.checks)

    def references(self, other: str) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if fk.table.lower() == other.lower()]

    def is_indexed(self, columns: tuple[str, ...]) -> bool:
        """True when an index (or the PK) starts with these columns, so lookups on them are fast."""
        want = tuple(c.lower() for c in columns)
        leads = [tuple(c.lower() for c in i.columns[:len(want)]) for i in self.indexes]
        pk = tuple(c.lower() for c in self.primary_key[:len(want)])
        return want in leads or want == pk


@dataclass
class Schema:
    tables: dict[str, Table]
    foreign_keys_enforced: bool   # PRAGMA foreign_keys was ON after the script ran
    views: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        low = name.lower()
        return next((t for n, t in self.tables.items() if n.lower() == low), None)

    def children_of(self, parent: str) -> list[Table]:
        return [t for t in self.tables.values() if t.references(parent) and t.name.lower() != parent.lower()]

    def to_frame(self):
        """One row per column: table, column, type, pk, not_null, unique, references, checked."""
        import pandas as pd
        rows = []
        for t in self.tables.values():
            fks = {c.lower(): f"{fk.table}({', '.join(fk.ref_columns) or 'PK'})" for fk in t.foreign_keys
                   for c in fk.columns}
            single_unique = {u[0].lower() for u in t.unique if len(u) == 1}
            rows += [{"table": t.name, "column": c.name, "type": c.type, "pk": bool(c.pk), "not_null": c.notnull,
                      "unique": c.name.lower() in single_unique, "references": fks.get(c.name.lower()),
                      "checked": t.has_check_on(c.name)} for c in t.columns]
        return pd.DataFrame(rows, columns=["table", "column", "type", "pk", "not_null", "unique", "references",
                                           "checked"])


def inspect_schema(conn: sqlite3.Connection) -> Schema:
    """Describe every user table of ``conn`` (call after the learner's DDL ran)."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                        "ORDER BY rowid").fetchall()
    tables = {}
    for kind, name, sql in rows:
        if kind != "table":
            continue
        q = quote_ident(name)
        cols = [Column(r[1], r[2] or "", bool(r[3]), r[4], int(r[5]))
                for r in conn.execute(f"PRAGMA table_info({q})")]
        fk_rows = conn.execute(f"PRAGMA foreign_key_list({q})").fetchall()
        fks = []
        for fk_id in sorted({r[0] for r in fk_rows}):
            part = sorted((r for r in fk_rows if r[0] == fk_id), key=lambda r: r[1])
            fks.append(ForeignKey(tuple(r[3] for r in part), part[0][2],
                                  tuple(r[4] for r in part if r[4] is not None), part[0][6]))
        idx = []
        for r in conn.execute(f"PRAGMA index_list({q})").fetchall():
            icols = tuple(x[2] for x in conn.execute(f"PRAGMA index_info({quote_ident(r[1])})"))
            idx.append(Index(r[1], icols, bool(r[2]), r[3]))
        pk_cols = tuple(c.name for c in sorted((c for c in cols if c.pk), key=lambda c: c.pk))
        if pk_cols and not any(i.origin == "pk" for i in idx):  # INTEGER PRIMARY KEY: the rowid itself
            idx.append(Index("(rowid)", pk_cols, True, "pk"))
        tables[name] = Table(name, cols, fks, idx, parse_checks(sql or "", [c.name for c in cols]), sql or "")
    fk_on = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    return Schema(tables, fk_on,
                  views=[n for k, n, _ in rows if k == "view"],
                  triggers=[n for k, n, _ in rows if k == "trigger"])


def parse_checks(create_sql: str, column_names: list[str]) -> list[Check]:
    """CHECK constraints of a CREATE TABLE statement (column- and table-level)."""
    toks = tokens(create_sql)
    names = {c.lower(): c for c in column_names}
    checks = []
    i = 0
    while i < len(toks):
        if toks[i][0].upper() == "CHECK" and i + 1 < len(toks) and toks[i + 1][0] == "(":
            depth, j = 0, i + 1
            while j < len(toks):
                depth += toks[j][0] == "("
                depth -= toks[j][0] == ")"
                if depth == 0:
                    break
                j += 1
            inner = toks[i + 2:j]
            start = toks[i + 1][1] + 1
            end = toks[j][1] if j < len(toks) else len(create_sql)
            mentioned = tuple(dict.fromkeys(names[unquote(t).lower()] for t, _ in inner
                                            if unquote(t).lower() in names and not t.startswith("'")))
            checks.append(Check(create_sql[start:end].strip(), mentioned, _in_lists(inner, names)))
            i = j
        i += 1
    return checks


def _in_lists(inner: list[tuple[str, int]], names: dict[str, str]) -> dict:
    """``col IN ('a', 'b', ...)`` (also ``lower(col) IN``) -> {col: frozenset({'a', 'b'})}."""
    out = {}
    words = [t for t, _ in inner]
    for k, w in enumerate(words):
        if w.upper() != "IN" or k + 1 >= len(words) or words[k + 1] != "(":
            continue
        col = None
        back = k - 1
        while back >= 0 and words[back] == ")":
            back -= 1
        if back >= 0 and unquote(words[back]).lower() in names:
            col = names[unquote(words[back]).lower()]
        if col is None:
            continue
        values, m = set(), k + 2
        while m < len(words) and words[m] != ")":
            w2 = words[m]
            if w2.startswith("'"):
                values.add(w2[1:-1].replace("''", "'"))
            elif re.fullmatch(r"\d+(\.\d*)?", w2):
                values.add(w2)
            m += 1
        if values:
            out[col] = frozenset(values)
    return out
