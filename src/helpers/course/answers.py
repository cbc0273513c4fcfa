"""Learners' answers handed from the sandboxed kernel to the grader **as data**.

After a graded check cell has run, the grader runs one more cell in the learner's kernel that
publishes the answers that check needs as a ``display_data`` output of type :data:`MIME`: JSON for
None, numbers, booleans, text, lists and dicts (dates as ISO text, dataclass results as records),
Parquet (base64) for DataFrames, Series and arrays. Nothing is pickled and nothing that runs code
when read is accepted. The grader (:func:`decode_answers`) reads that output only, within size
limits, and turns each answer back into a value or a note for the learner; an answer of another type
("`plan` must be ... ; it is a function") earns nothing. Learner code can only ever change *its own*
answers this way, which it could do anyway by writing them.
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import types
from dataclasses import dataclass, field

MIME = "application/vnd.ccw.answers+json"
MAX_ANSWER_BYTES = 20_000_000  # all answers of one check, encoded (a table of a few thousand rows fits easily)
ALLOWED = "a dict, a list, text, a number, True/False, a date, a table (DataFrame or Series) or an array"

# Runs in the learner's kernel (a fresh function each time: nothing of it is kept in the namespace).
_EXPORT = r'''
def _ccw_export(_names, _ns, _limit):
    import base64, dataclasses, datetime, io, json, math
    try:
        import numpy as np
        import pandas as pd
    except Exception:
        np = pd = None
    def table(x):
        frame, shape = x, "frame"
        if np is not None and isinstance(x, np.ndarray):
            frame, shape = pd.DataFrame({"value": np.asarray(x).ravel()}), "array"
        elif isinstance(x, pd.Series):
            frame, shape = x.to_frame("value" if x.name is None else str(x.name)), "series"
        frame = frame.copy()
        frame.columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in frame.columns]
        buf = io.BytesIO()
        try:
            frame.to_parquet(buf)
        except Exception:
            buf = io.BytesIO()
            frame.astype(str).to_parquet(buf)
        return {"kind": "table", "shape": shape, "parquet": base64.b64encode(buf.getvalue()).decode("ascii")}
    def plain(x, depth=0):
        if depth > 20:
            raise TypeError("nested more than 20 levels deep")
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, int):
            return x
        if isinstance(x, float):
            return x if math.isfinite(x) else {"__float__": repr(x)}
        if np is not None and isinstance(x, np.generic):
            return plain(x.item(), depth)
        if isinstance(x, (datetime.date, datetime.datetime)) or (pd is not None and isinstance(x, pd.Timestamp)):
            return {"__date__": x.isoformat()}
        if isinstance(x, dict):
            return {"__dict__": [[plain(k, depth + 1), plain(v, depth + 1)] for k, v in x.items()]}
        if isinstance(x, (list, tuple, set, frozenset)):
            return [plain(v, depth + 1) for v in (sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x)]
        if pd is not None and isinstance(x, (pd.DataFrame, pd.Series)) or np is not None and isinstance(x, np.ndarray):
            return {"__table__": table(x)}
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            return {"__record__": type(x).__name__,
                    "fields": {f.name: plain(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x)}}
        raise TypeError(type(x).__name__)
    out = {}
    for name in _names:
        if name not in _ns:
            out[name] = {"kind": "missing"}
            continue
        value = _ns[name]
        try:
            if pd is not None and isinstance(value, (pd.DataFrame, pd.Series)) or np is not None and isinstance(value, np.ndarray):
                out[name] = table(value)
            else:
                out[name] = {"kind": "json", "value": plain(value)}
        except Exception as exc:
            out[name] = {"kind": "refused", "type": str(exc) if isinstance(exc, TypeError) else type(value).__name__}
        if len(json.dumps(out[name])) > _limit:
            out[name] = {"kind": "refused", "type": "too large"}
    from IPython.display import publish_display_data
    publish_display_data({%(mime)r: {"answers": out}})
_ccw_export(%(names)r, globals(), %(limit)d)
del _ccw_export
'''


def export_code(names: list[str] | tuple[str, ...]) -> str:
    """The cell the grader runs in the learner's kernel to publish ``names`` (see module doc)."""
    return _EXPORT % {"mime": MIME, "names": list(names), "limit": MAX_ANSWER_BYTES}


@dataclass
class Answers:
    """Decoded answers: ``values`` by name, and ``problems`` (name -> note for the learner)."""

    values: dict = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def published(outputs: list) -> dict | None:
    """The last answers payload among a cell's outputs, or None when the cell published none."""
    found = None
    for out in outputs or []:
        data = out.get("data") if isinstance(out, dict) else None
        if isinstance(data, dict) and isinstance(data.get(MIME), dict):
            found = data[MIME]
    return found


def decode_answers(payload: dict | None, names: list[str] | tuple[str, ...]) -> Answers:
    """Turn a published payload back into values, refusing anything that is not plain data."""
    result = Answers()
    answers = payload.get("answers") if isinstance(payload, dict) else None
    if not isinstance(answers, dict):
        for name in names:
            result.problems[name] = f"`{name}` could not be read from your notebook (the cells above it did not finish)"
        return result
    for name in names:
        entry = answers.get(name)
        try:
            result.values[name] = _decode_entry(name, entry)
        except _Refused as exc:
            result.problems[name] = str(exc)
    return result


class _Refused(Exception):
    pass


def _decode_entry(name: str, entry):
    if not isinstance(entry, dict):
        raise _Refused(f"`{name}` could not be read from your notebook")
    kind = entry.get("kind")
    if kind == "missing":
        raise _Refused(f"`{name}` is not defined in your notebook: run the answer cell that assigns it")
    if kind == "refused":
        what = str(entry.get("type", "something else"))[:80]
        if what == "too large":
            raise _Refused(f"`{name}` is too large to grade (over {MAX_ANSWER_BYTES // 1_000_000} MB)")
        raise _Refused(f"`{name}` must be {ALLOWED}; it is {_article(what)}")
    if kind == "table":
        return _table(name, entry)
    if kind == "json":
        return _plain(name, entry.get("value"), 0)
    raise _Refused(f"`{name}` could not be read from your notebook")


def _article(what: str) -> str:
    return f"an {what}" if what[:1].lower() in "aeiou" else f"a {what}"


def _plain(name: str, x, depth: int):
    if depth > 22:
        raise _Refused(f"`{name}` is nested too deeply")
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, list):
        return [_plain(name, v, depth + 1) for v in x]
    if isinstance(x, dict):
        if "__dict__" in x and isinstance(x["__dict__"], list):
            pairs = [_plain(name, kv, depth + 1) for kv in x["__dict__"]]
            if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise _Refused(f"`{name}` could not be read from your notebook")
            try:
                return {(tuple(k) if isinstance(k, list) else k): v for k, v in pairs}
            except TypeError:
                raise _Refused(f"`{name}` has dict keys that are not text or numbers") from None
        if "__date__" in x:
            import pandas as pd
            try:
                return pd.Timestamp(str(x["__date__"]))
            except (ValueError, TypeError):
                raise _Refused(f"`{name}` holds a date that cannot be read") from None
        if "__float__" in x:
            return float(str(x["__float__"])) if str(x["__float__"]) in ("nan", "inf", "-inf") else float("nan")
        if "__table__" in x:
            return _table(name, x["__table__"])
        if "__record__" in x and isinstance(x.get("fields"), dict):
            return types.SimpleNamespace(**{str(k): _plain(name, v, depth + 1) for k, v in x["fields"].items()
                                            if str(k).isidentifier()})
    raise _Refused(f"`{name}` could not be read from your notebook")


def _table(name: str, entry):
    import pandas as pd

    if not isinstance(entry, dict) or not isinstance(entry.get("parquet"), str):
        raise _Refused(f"`{name}` could not be read from your notebook")
    try:
        raw = base64.b64decode(entry["parquet"], validate=True)
        frame = pd.read_parquet(io.BytesIO(raw))
    except (binascii.Error, ValueError, OSError, TypeError) as exc:
        raise _Refused(f"`{name}` could not be read as a table ({exc.__class__.__name__})") from None
    except Exception as exc:  # pyarrow raises its own error classes for a damaged file
        raise _Refused(f"`{name}` could not be read as a table ({exc.__class__.__name__})") from None
    shape = entry.get("shape")
    if shape == "series" and frame.shape[1] == 1:
        series = frame.iloc[:, 0]
        return series.rename(None) if series.name == "value" else series
    if shape == "array" and frame.shape[1] == 1:
        return frame.iloc[:, 0].to_numpy()
    return frame


def payload_size(payload) -> int:
    return len(json.dumps(payload, default=str))
