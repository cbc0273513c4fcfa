"""What nbgrader test cells call: compare a learner's answer with the hidden expected one.

Each ``check_*`` returns a :class:`~helpers.findings.Finding` whose message guides the learner
without giving the expected value away: it names the variable, says what kind of thing was expected
("a number between 0 and 1"), spots common slips (a percentage given as 85 instead of 0.85, minutes
instead of seconds, a one-row Series instead of a number) and, only when ``reveal_direction=True``,
whether the answer is too high or too low.

Partial credit with nbgrader: an autograded test cell is all-or-nothing (it passes unless it
raises). To award part marks, split a task into several small graded test cells, each checking one
part and calling :func:`require` on its own findings::

    # cell "sl_value" (1 point)
    require(check_value("service_level", service_level, _expected_sl, criterion="4.2"))
    # cell "sl_by_queue" (2 points)
    require(check_table("sl_by_queue", sl_by_queue, _expected_table, key="queue", criterion="4.2"),
            min_fraction=0.9)

``require(findings, min_fraction=f)`` raises ``AssertionError`` (nbgrader marks the cell failed and
shows the message) unless the findings score at least ``f`` of their maximum; with the default 1.0
every finding must pass.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.findings import Finding, Findings

DEFAULT_CRITERION = "general"
TIME_UNITS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0}


# ---------------------------------------------------------------------------------------------
# helpers
def _type_name(x) -> str:
    if x is None:
        return "None (no value)"
    if isinstance(x, (bool, np.bool_)):
        return "True/False value"
    if isinstance(x, str):
        return "string"
    if isinstance(x, pd.DataFrame):
        return "DataFrame"
    if isinstance(x, pd.Series):
        return f"Series of {len(x)} value{'s' if len(x) != 1 else ''}"
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape}"
    if isinstance(x, (list, tuple, set, dict)):
        return type(x).__name__
    return type(x).__name__


def _is_number(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, (bool, np.bool_)) and not isinstance(x, complex)


def _as_scalar(x):
    """numpy scalars and 0-d arrays -> Python scalars; anything else unchanged."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return x.item()
    if isinstance(x, np.generic):
        return x.item()
    return x


def _describe_expected(expected, unit: str | None) -> str:
    if unit == "fraction":
        return "a number between 0 and 1 (a fraction: 0.8 means 80%)"
    if unit == "percent":
        return "a percentage between 0 and 100 (80 means 80%)"
    if unit:
        return f"a number (in {unit})"
    return "a number"


def _close(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def _infer_unit(expected, unit: str | None) -> str | None:
    if unit is not None:
        return unit
    if isinstance(expected, float) and 0.0 <= expected <= 1.0:
        return "fraction"
    return None


def _tol_text(rel_tol: float, abs_tol: float) -> str:
    parts = []
    if rel_tol:
        parts.append(f"±{rel_tol:.3g} relative ({rel_tol * 100:.3g}%)")
    if abs_tol:
        parts.append(f"±{abs_tol:g} absolute")
    return " or ".join(parts) or "exact"


# ---------------------------------------------------------------------------------------------
def check_value(name: str, answer, expected, *, rel_tol: float = 0.01, abs_tol: float = 0.0,
                points: float = 1.0, criterion: str = DEFAULT_CRITERION, unit: str | None = None,
                reveal_direction: bool = False, case_sensitive: bool = False) -> Finding:
    """Check one value.

    Numbers pass when ``math.isclose(answer, expected, rel_tol, abs_tol)``; ``unit`` ("fraction",
    "percent", "seconds", "minutes", "hours", "AUD", ...) shapes the messages and enables unit-slip
    hints; a float expected between 0 and 1 is treated as a fraction unless ``unit`` says otherwise.
    Strings compare after stripping whitespace (case-insensitive unless ``case_sensitive``).
    ``reveal_direction`` allows "too high"/"too low" feedback (off by default).
    """
    answer, expected = _as_scalar(answer), _as_scalar(expected)

    def fail(msg: str) -> Finding:
        return Finding(criterion, False, 0.0, points, msg, item=name)

    def ok(msg: str = "correct") -> Finding:
        return Finding(criterion, True, points, points, f"`{name}`: {msg}", item=name)

    if _is_number(expected):
        return _check_number(name, answer, float(expected), rel_tol, abs_tol, _infer_unit(expected, unit),
                             reveal_direction, ok, fail)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(answer, (bool, np.bool_)):
            return fail(f"`{name}` should be True or False, you gave a {_type_name(answer)}")
        return ok() if bool(answer) == bool(expected) else fail(f"`{name}` is not right: re-check your reasoning")
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return fail(f"`{name}` should be text (a string), you gave a {_type_name(answer)}")
        a, e = answer.strip(), expected.strip()
        if not case_sensitive:
            a, e = a.casefold(), e.casefold()
        return ok() if a == e else fail(f"`{name}` is not the expected text")
    if answer is None and expected is not None:
        return fail(f"`{name}` has no value yet (None): assign your answer to it")
    try:
        equal = bool(answer == expected)
    except (ValueError, TypeError):
        equal = False
    return ok() if equal else fail(f"`{name}` is not right (you gave a {_type_name(answer)})")


def _check_number(name, answer, expected, rel_tol, abs_tol, unit, reveal_direction, ok, fail) -> Finding:
    want = _describe_expected(expected, unit)
    if isinstance(answer, pd.Series) and len(answer) == 1:
        return fail(f"`{name}` should be {want}, you gave a Series with one value: take the value out "
                    "with `.iloc[0]` or `.item()`")
    if isinstance(answer, pd.DataFrame) and answer.size == 1:
        return fail(f"`{name}` should be {want}, you gave a one-cell DataFrame: take the value out with `.iloc[0, 0]`")
    if isinstance(answer, str):
        hint = ""
        text = answer.strip().rstrip("%").replace(",", "").strip()
        try:
            float(text)
            hint = f" ({answer!r} looks like a number written as text: remove the quotes and any % sign)"
        except ValueError:
            pass
        return fail(f"`{name}` should be {want}, you gave a string{hint}")
    if not _is_number(answer):
        return fail(f"`{name}` should be {want}, you gave a {_type_name(answer)}")
    answer = float(answer)
    if math.isnan(expected):
        return ok() if math.isnan(answer) else fail(f"`{name}` should be undefined (NaN) here: think about "
                                                     "what happens when there is nothing to divide by")
    if math.isnan(answer):
        return fail(f"`{name}` is NaN (not a number): check for a division by zero, an empty selection "
                    "or missing values in your calculation")
    if math.isinf(answer):
        return fail(f"`{name}` is infinite: check for a division by zero")
    if _close(answer, expected, rel_tol, abs_tol):
        return ok()
    # Unit slips: detect before generic feedback, they are the commonest cause of a wrong number.
    if expected != 0 and _close(answer, expected * 100, rel_tol, abs_tol * 100):
        return fail(f"`{name}` looks like a percentage: give it as a fraction between 0 and 1 "
                    "(e.g. 0.8, not 80)")
    if expected != 0 and _close(answer, expected / 100, rel_tol, abs_tol / 100):
        return fail(f"`{name}` looks like a fraction: this answer is a percentage (e.g. 80, not 0.8)")
    if unit in TIME_UNITS and expected != 0:
        for other, factor in TIME_UNITS.items():
            ratio = TIME_UNITS[unit] / factor  # answer in `other` units = expected * ratio
            if other != unit and _close(answer, expected * ratio, rel_tol, abs_tol * ratio):
                return fail(f"`{name}` looks like it is in {other}: give it in {unit}")
    tol = _tol_text(rel_tol, abs_tol)
    if reveal_direction:
        if expected != 0 and _close(answer, -expected, rel_tol, abs_tol):
            return fail(f"`{name}` has the wrong sign")
        direction = "too high" if answer > expected else "too low"
        return fail(f"`{name}` is {direction} (outside the tolerance of {tol})")
    return fail(f"`{name}` is not within the tolerance ({tol}) of the expected value: re-check your calculation")


# ---------------------------------------------------------------------------------------------
def check_choice(name: str, answer, expected, *, options: Iterable | None = None, points: float = 1.0,
                 criterion: str = DEFAULT_CRITERION) -> Finding:
    """Multiple choice: ``expected`` is the right option (or a collection of acceptable ones).

    Options compare as stripped, case-insensitive strings (so "b", "B " and "B" match); with
    ``options`` an answer outside the list gets a message listing the valid options.
    """
    def norm(x) -> str:
        return str(_as_scalar(x)).strip().casefold()

    acceptable = {norm(e) for e in ([expected] if isinstance(expected, (str, int)) else expected)}
    if answer is None:
        return Finding(criterion, False, 0, points, f"`{name}`: no option chosen yet (None)", item=name)
    if isinstance(answer, (list, tuple, set)):
        return Finding(criterion, False, 0, points, f"`{name}`: choose one option, you gave a {_type_name(answer)}",
                       item=name)
    if options is not None:
        opts = [str(o) for o in options]
        if norm(answer) not in {norm(o) for o in opts}:
            return Finding(criterion, False, 0, points,
                           f"`{name}`: {answer!r} is not one of the options ({', '.join(opts)})", item=name)
    if norm(answer) in acceptable:
        return Finding(criterion, True, points, points, f"`{name}`: correct", item=name)
    return Finding(criterion, False, 0, points, f"`{name}`: not the best option, re-read the scenario", item=name)


# ---------------------------------------------------------------------------------------------
def check_set(name: str, answer, expected, *, points: float = 1.0, criterion: str = DEFAULT_CRITERION,
              min_precision: float = 1.0, min_recall: float = 1.0, case_sensitive: bool = True) -> Finding:
    """An unordered collection (ids, names): partial credit ``points × F1``.

    Passes when precision ≥ ``min_precision`` and recall ≥ ``min_recall`` (both 1.0 by default: the
    exact set). The message gives counts (correct, wrong, missing), never the missing items.
    """
    if answer is None:
        return Finding(criterion, False, 0, points, f"`{name}` has no value yet (None): give a list", item=name)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable) or isinstance(answer, dict):
        hint = " (wrap a single item in a list: [\"...\"])" if isinstance(answer, str) else ""
        return Finding(criterion, False, 0, points,
                       f"`{name}` should be a list (or set) of items, you gave a {_type_name(answer)}{hint}",
                       item=name)
    if isinstance(answer, pd.DataFrame):
        return Finding(criterion, False, 0, points,
                       f"`{name}` should be a list of items, you gave a DataFrame: select one column", item=name)

    def norm(x):
        x = _as_scalar(x)
        if isinstance(x, str):
            x = x.strip()
            return x if case_sensitive else x.casefold()
        return x

    items = [norm(a) for a in answer]
    try:
        given = set(items)
    except TypeError:
        return Finding(criterion, False, 0, points, f"`{name}` holds items that cannot be compared "
                       "(lists or dicts inside the list): give a flat list", item=name)
    want = {norm(e) for e in expected}
    hits = len(given & want)
    precision = hits / len(given) if given else (1.0 if not want else 0.0)
    recall = hits / len(want) if want else 1.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    passed = precision >= min_precision - 1e-12 and recall >= min_recall - 1e-12
    dup = len(items) - len(given)
    parts = [f"{hits} of your {len(given)} item{'s' if len(given) != 1 else ''} are correct"]
    if len(given) - hits:
        parts.append(f"{len(given) - hits} should not be there")
    if len(want) - hits:
        parts.append(f"{len(want) - hits} are missing")
    if dup:
        parts.append(f"{dup} duplicate{'s' if dup != 1 else ''} ignored")
    msg = f"`{name}`: " + ", ".join(parts) + f" (precision {precision:.0%}, recall {recall:.0%})"
    return Finding(criterion, passed, points * f1, points, msg, item=name)


# ---------------------------------------------------------------------------------------------
def check_table(name: str, answer, expected: pd.DataFrame, *, key: str | list[str] | None = None,
                columns: list[str] | None = None, rel_tol: float = 1e-6, abs_tol: float = 1e-9,
                points: float = 1.0, criterion: str = DEFAULT_CRITERION) -> Finding:
    """Compare a learner's table with the expected one; partial credit = fraction of cells correct.

    A named index on either frame is turned into columns first, so ``groupby("queue")`` output and
    a frame with a ``queue`` column compare alike. With ``key`` rows are matched on those columns;
    without it, by position. ``columns`` limits the comparison (default: every expected column
    other than the key). Numeric cells match within ``rel_tol``/``abs_tol`` (NaN matches NaN);
    others must be equal. Cells of missing rows or columns count as wrong, and each extra row adds
    its cells to the denominator. Passes only when every cell matches and nothing is extra.
    """
    def fail(msg, frac=0.0):
        return Finding(criterion, False, points * frac, points, f"`{name}`: {msg}", item=name)

    if isinstance(answer, pd.Series):
        return fail("should be a DataFrame, you gave a Series: use `.reset_index()` or `.to_frame()`")
    if not isinstance(answer, pd.DataFrame):
        return fail(f"should be a DataFrame, you gave a {_type_name(answer)}")
    ans, exp = _index_to_columns(answer), _index_to_columns(expected)
    keys = [key] if isinstance(key, str) else list(key or [])
    cols = list(columns) if columns is not None else [c for c in exp.columns if c not in keys]
    notes: list[str] = []

    missing_cols = [c for c in cols + keys if c not in ans.columns]
    for c in missing_cols:
        near = [a for a in ans.columns if str(a).strip().casefold() == str(c).casefold()]
        notes.append(f"column '{c}' is missing" + (f" (you have '{near[0]}': names are case-sensitive)" if near else ""))
    if any(k in missing_cols for k in keys):
        return fail("; ".join(notes) + ": rows cannot be matched without it")
    extra_cols = [c for c in ans.columns if c not in exp.columns]
    if extra_cols:
        notes.append(f"{len(extra_cols)} extra column(s) ignored ({', '.join(map(str, extra_cols[:5]))})")

    if keys:
        dup = int(ans.duplicated(keys).sum())
        if dup:
            return fail(f"{dup} duplicated value(s) in the key {', '.join(keys)}: each row should appear once")
        ans_i, exp_i = ans.set_index(keys), exp.set_index(keys)
    else:
        ans_i, exp_i = ans.reset_index(drop=True), exp.reset_index(drop=True)
    common = exp_i.index.intersection(ans_i.index)
    n_missing_rows = len(exp_i.index) - len(common)
    n_extra_rows = len(ans_i.index.difference(exp_i.index))
    if n_missing_rows:
        notes.append(f"{n_missing_rows} expected row(s) are missing")
    if n_extra_rows:
        notes.append(f"{n_extra_rows} row(s) should not be there")

    correct = 0
    for c in cols:
        if c not in ans_i.columns:
            continue
        e, a = exp_i.loc[common, c], ans_i.loc[common, c]
        ok, note = _compare_column(c, a, e, rel_tol, abs_tol)
        correct += int(ok.sum())
        if note:
            notes.append(note)
        elif (~ok).any():
            notes.append(f"column '{c}': {int((~ok).sum())} of {len(ok)} values are not right")
    total = len(exp_i.index) * len(cols) + n_extra_rows * len(cols)
    frac = correct / total if total else 1.0
    passed = frac == 1.0 and not n_extra_rows and not missing_cols
    if passed:
        msg = "correct" + (f" ({notes[0]})" if extra_cols else "")
        return Finding(criterion, True, points, points, f"`{name}`: {msg}", item=name)
    return fail(f"{frac:.0%} of the values are right; " + "; ".join(notes), frac)


def _index_to_columns(df: pd.DataFrame) -> pd.DataFrame:
    named = any(n is not None for n in df.index.names)
    return df.reset_index() if named else df


def _compare_column(col, a: pd.Series, e: pd.Series, rel_tol, abs_tol) -> tuple[np.ndarray, str | None]:
    """Boolean array of matching cells, plus a note when the column has the wrong kind of values."""
    if pd.api.types.is_numeric_dtype(e) and not pd.api.types.is_bool_dtype(e):
        if not pd.api.types.is_numeric_dtype(a) or pd.api.types.is_bool_dtype(a):
            return np.zeros(len(e), bool), f"column '{col}' should hold numbers, it holds {a.dtype} values"
        ev, av = e.to_numpy(float, na_value=np.nan), a.to_numpy(float, na_value=np.nan)
        return np.isclose(av, ev, rtol=rel_tol, atol=abs_tol, equal_nan=True), None
    if pd.api.types.is_datetime64_any_dtype(e) and not pd.api.types.is_datetime64_any_dtype(a):
        return np.zeros(len(e), bool), f"column '{col}' should hold dates/times, it holds {a.dtype} values"
    both_na = (e.isna() & a.isna()).to_numpy()
    eq = (e.astype(object) == a.astype(object)).fillna(False).to_numpy(bool)
    return eq | both_na, None


# ---------------------------------------------------------------------------------------------
def require(findings: Finding | Iterable[Finding], min_fraction: float = 1.0) -> Findings:
    """Raise ``AssertionError`` with a readable summary unless the findings are good enough.

    With ``min_fraction=1.0`` (default) every finding must pass; otherwise the score must reach
    ``min_fraction`` of the maximum. Returns the findings so a cell can display them.
    """
    fs = Findings([findings]) if isinstance(findings, Finding) else Findings(findings)
    if not 0 <= min_fraction <= 1:
        raise ValueError(f"min_fraction must be between 0 and 1, got {min_fraction}")
    good = fs.all_passed if min_fraction >= 1.0 else fs.fraction >= min_fraction - 1e-12
    if not good:
        need = "every check must pass" if min_fraction >= 1.0 else f"{min_fraction:.0%} needed"
        raise AssertionError(f"Not yet: {need}.\n{fs.summary()}")
    return fs
