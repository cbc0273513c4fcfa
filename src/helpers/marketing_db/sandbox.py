"""Run a learner's SQL safely: one in-memory SQLite database per check, bounded work, no escapes.

Guards (why each exists):

* ``set_authorizer`` denies ``ATTACH`` (reaching files on disk), ``load_extension`` and
  ``PRAGMA writable_schema``; in read-only mode (learner queries) anything but reading is denied;
* ``set_progress_handler`` aborts a statement after :data:`DDL_STEPS`/:data:`QUERY_STEPS` virtual
  machine steps or a wall-clock deadline, so a recursive CTE without an end or a huge cartesian
  product becomes a finding instead of a hang;
* ``setlimit`` caps string/blob and SQL text sizes so a single expression cannot exhaust memory.

Statements are executed one at a time so an error can be reported with the line it starts on and
the token SQLite complains about (``near "TABEL": syntax error``).
"""
from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from helpers.errors import CCWError

DDL_STEPS = 20_000_000       # VM steps allowed per DDL statement (seed INSERTs included)
QUERY_STEPS = 400_000_000    # VM steps allowed per learner query (~40 M steps/s: about 10 s)
DEADLINE_S = 5.0             # wall-clock limit per DDL statement, seconds
QUERY_DEADLINE_S = 10.0      # wall-clock limit per learner query, seconds
MAX_SQL_CHARS = 200_000      # a marketing database DDL is a few kB
MAX_RESULT_ROWS = 1_000_000

_HANDLER_EVERY = 10_000      # progress handler granularity (VM steps)
_WRITE_ACTIONS = {  # authorizer action codes that change the database (denied when read-only)
    getattr(sqlite3, n) for n in dir(sqlite3)
    if n.startswith(("SQLITE_CREATE_", "SQLITE_DROP_")) or n in (
        "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_ALTER_TABLE", "SQLITE_REINDEX",
        "SQLITE_ANALYZE", "SQLITE_PRAGMA", "SQLITE_TRANSACTION", "SQLITE_SAVEPOINT", "SQLITE_DETACH")
}
_FUNCTION = getattr(sqlite3, "SQLITE_FUNCTION", 31)


class SQLGuardError(CCWError):
    """A statement was stopped by a guard (budget, deadline, or a forbidden action)."""


@dataclass
class _State:
    read_only: bool = False
    denied: str | None = None


class Sandbox:
    """An in-memory SQLite connection with the guards above. ``conn`` is the raw connection."""

    def __init__(self, factory=sqlite3.Connection, conn: sqlite3.Connection | None = None):
        """A fresh in-memory database, or guards installed on an existing ``conn``."""
        self.conn = conn if conn is not None else sqlite3.connect(
            ":memory:", isolation_level=None, factory=factory, check_same_thread=False)
        self._state = _State()
        self.conn.set_authorizer(self._authorize)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 20_000_000)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_CHARS)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)

    def _authorize(self, action, arg1, arg2, dbname, source):
        if action == sqlite3.SQLITE_ATTACH:
            self._state.denied = "ATTACH is not allowed: work inside the one database you are given"
            return sqlite3.SQLITE_DENY
        if action == _FUNCTION and (arg2 or "").lower() == "load_extension":
            self._state.denied = "load_extension() is not allowed"
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() == "writable_schema":
            self._state.denied = "PRAGMA writable_schema is not allowed"
            return sqlite3.SQLITE_DENY
        if self._state.read_only and action in _WRITE_ACTIONS:
            self._state.denied = "a query may only read (SELECT/WITH): it tried to change the database"
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    @contextmanager
    def guarded(self, steps: int, seconds: float = DEADLINE_S, read_only: bool = False) -> Iterator[None]:
        """Run the body with a step budget and deadline; raise :class:`SQLGuardError` on a trip."""
        calls = 0
        limit_calls = max(1, steps // _HANDLER_EVERY)
        deadline = time.monotonic() + seconds
        tripped: list[str] = []

        def handler():
            nonlocal calls
            calls += 1
            if calls > limit_calls:
                tripped.append(f"it ran past the work budget ({steps:,} steps)")
                return 1
            if time.monotonic() > deadline:
                tripped.append(f"it ran past the {seconds:g} s time limit")
                return 1
            return 0

        self._state.read_only, self._state.denied = read_only, None
        self.conn.set_progress_handler(handler, _HANDLER_EVERY)
        try:
            yield
        except sqlite3.Error as exc:
            if tripped:
                raise SQLGuardError(f"stopped: {tripped[0]} - look for a recursive query without an end "
                                    "or a join without a join condition") from exc
            if self._state.denied and "not authorized" in str(exc):
                raise SQLGuardError(self._state.denied) from exc
            raise
        finally:
            self.conn.set_progress_handler(None, 0)
            self._state.read_only = False


# ---------------------------------------------------------------------------------------------
_COMMENT_RE = re.compile(r"--[^\n]*|/\*.*?(\*/|$)", re.S)


def strip_comments(sql: str) -> str:
    """SQL with -- and /* */ comments blanked out (string literals are not special-cased: used
    only to decide whether a chunk holds any SQL and where it starts)."""
    return _COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), sql)


@dataclass(frozen=True)
class Statement:
    line: int        # 1-based line of the statement's first token in the whole script
    text: str        # the chunk as written (may start with blank lines or comments)
    chunk_line: int  # 1-based line where ``text`` starts

    def line_at(self, pos: int) -> int:
        """Script line of character ``pos`` of ``text``."""
        return self.chunk_line + self.text.count("\n", 0, pos)


def split_statements(sql: str) -> list[Statement]:
    """Split a script into complete statements (trigger bodies kept whole), with start lines."""
    out: list[Statement] = []
    start = 0
    for i, ch in enumerate(sql):
        if ch == ";" and sqlite3.complete_statement(sql[start:i + 1]):
            _add(out, sql, start, i + 1)
            start = i + 1
    _add(out, sql, start, len(sql))
    return out


def _add(out: list[Statement], sql: str, start: int, end: int) -> None:
    chunk = sql[start:end]
    bare = strip_comments(chunk)
    if not bare.strip(" \t\r\n;"):
        return
    chunk_line = sql.count("\n", 0, start) + 1
    first = len(bare) - len(bare.lstrip())
    out.append(Statement(chunk_line + chunk.count("\n", 0, first), chunk, chunk_line))


def locate_error(stmt: Statement, message: str) -> int:
    """Best line for an SQLite error.

    For ``near "X": syntax error`` the token may occur several times; the culprit is the first
    occurrence whose statement prefix (compiled with EXPLAIN, never run) raises the same error.
    Incomplete input points at the last line; anything else at the statement's first line.
    """
    bare = strip_comments(stmt.text)
    m = re.search(r'near "(.+?)"', message)
    if m:
        token, first = m.group(1), len(bare) - len(bare.lstrip())
        hits = [p.start() for p in re.finditer(re.escape(token), bare, re.I) if p.start() >= first][:50]
        scratch = Sandbox()
        try:
            for pos in hits:
                try:
                    with scratch.guarded(DDL_STEPS, 1.0):  # EXPLAIN compiles only
                        scratch.conn.execute("EXPLAIN " + stmt.text[:pos + len(token)])
                except SQLGuardError:
                    continue
                except sqlite3.Error as exc:
                    if str(exc) == message:
                        return stmt.line_at(pos)
        finally:
            scratch.conn.close()
        if hits:
            return stmt.line_at(hits[0])
    if "incomplete input" in message:
        return stmt.line_at(len(bare.rstrip()))
    return stmt.line


def run_script(box: Sandbox, sql: str, steps: int = DDL_STEPS, seconds: float = DEADLINE_S) -> list[str]:
    """Execute ``sql`` statement by statement; return error messages (with line numbers).

    Stops at the first error, like ``sqlite3`` does, because later statements usually depend on
    earlier ones (a table that failed to be created).
    """
    if len(sql) > MAX_SQL_CHARS:
        return [f"the SQL is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}"]
    for stmt in split_statements(sql):
        try:
            with box.guarded(steps, seconds):
                box.conn.execute(stmt.text)
        except SQLGuardError as exc:
            return [f"line {stmt.line}: {exc}"]
        except (sqlite3.Error, ValueError) as exc:  # ValueError: e.g. embedded NUL
            msg = str(exc)
            if "one statement at a time" in msg:
                msg = "could not split the script into statements: check for a missing ';'"
            return [f"line {locate_error(stmt, msg)}: {msg}"]
    return []
