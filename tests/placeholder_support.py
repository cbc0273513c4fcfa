"""Shared machinery of the "placeholders earn nothing" tests (issue 13, "Shape-only checks decide criteria").

The reference answers of a unit's source notebooks are computed in-process (the code cells run with their
solutions, no kernel) and passed through the grader's own answer encoding (``helpers.course.answers``).
A *placeholder* keeps an answer's shape (keys, list lengths, types, numbers, and the names a learner takes
from the case study or the data) and replaces every free text by meaningless words, the same number of
them: the strongest fake a learner could type without doing the work.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd

from helpers.course.answers import decode_answers, export_code

WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit vivamus lacinia odio vitae".split()


def graded_code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


def run_reference(path: Path) -> dict:
    """The notebook's namespace after its code cells ran with their reference solutions (check cells skipped)."""
    import matplotlib
    matplotlib.use("Agg")
    nb = nbformat.read(path, as_version=4)
    ns = {"display": lambda *a, **k: None, "__name__": "__ccw_reference__"}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade"):
            continue
        exec(compile(cell.source, f"{path.stem}:{meta.get('grade_id', 'cell')}", "exec"), ns)  # noqa: S102
    return ns


def as_data(ns: dict, names) -> dict:
    """The answers as the grader receives them (the export cell's encoding, decoded)."""
    sink = {}
    code = export_code(list(names)).replace("from IPython.display import publish_display_data",
                                            "publish_display_data = _ccw_sink")
    ns = dict(ns, _ccw_sink=lambda payload: sink.update(payload[next(iter(payload))]))
    exec(code, ns)  # noqa: S102
    decoded = decode_answers(sink, names)
    assert not decoded.problems, decoded.problems
    return decoded.values


class References:
    """The reference answers of one unit's notebooks, each notebook run once (in-process) on first use:
    ``get(stem, grade_id)`` is (the cell's trusted check, its answers as the grader receives them, the namespace)."""

    def __init__(self, notebooks: Path, unit: str):
        self.folder, self.unit, self.namespaces = Path(notebooks) / unit, unit, {}

    def get(self, stem: str, grade_id: str):
        from ccw_grader import all_checks

        if stem not in self.namespaces:
            self.namespaces[stem] = run_reference(self.folder / f"{stem}.ipynb")
        check = all_checks()[(self.unit, grade_id)]
        return check, as_data(self.namespaces[stem], check.answers), self.namespaces[stem]


def words(text: str) -> str:
    """Meaningless words, as many as ``text`` has."""
    return " ".join(WORDS[i % len(WORDS)] for i in range(max(1, len(text.split()))))


class Vocabulary:
    """Words a learner takes from the case study or the data rather than writes: names of stakeholders,
    queues, systems, events, KPIs, columns and category values. A text is *free* when it holds a word
    outside the vocabulary that is not a number, a date or an id."""

    TOKEN = re.compile(r"[A-Za-z][A-Za-z_'-]*")
    DATA_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2}([ T][\d:.]+)?|[A-Z]+-?\d{2,}[\w-]*)$")

    def __init__(self, words):
        self.words = {w.lower() for w in words if isinstance(w, str)}

    @classmethod
    def of(cls, data, extra=()) -> "Vocabulary":
        """From the learner's data: every column name, every value of every text column with few distinct
        values (categories, names), and every string of the case study."""
        found = set(extra)
        for name in data.ds.manifest.get("tables", {}):
            try:
                frame = data.table(name)
            except Exception:  # noqa: BLE001 - a non-table file of the dataset
                continue
            found |= set(map(str, frame.columns))
            for col in frame.columns:
                if frame[col].dtype == object or str(frame[col].dtype) in ("string", "category"):
                    values = frame[col].dropna().unique()
                    if len(values) <= 200:
                        found |= {str(v) for v in values}
        found |= set(_strings(data.cs.model_dump()))
        tokens = set()
        for text in found:
            tokens |= {t for t in cls.TOKEN.findall(text)}
        return cls(found | tokens)

    def free(self, text: str) -> bool:
        text = text.strip()
        if not text or text.lower() in self.words or self.DATA_TEXT.match(text):
            return False
        return any(t.lower() not in self.words for t in self.TOKEN.findall(text))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _inner_key(key, k, sticky):
    """The key a nested value is judged under: its own, or its parent's when the parent is ``sticky`` (a dict of
    named items under one answer field, e.g. a framework's ``principles``: the names are the learner's)."""
    return key if key in sticky else k


def placeholder(value, vocab, field=None, key=None, sticky=()):
    """``value`` with its free text replaced (all of it, or only under dict key / column ``field``).
    ``vocab`` is anything with ``free(text) -> bool`` (a :class:`Vocabulary`)."""
    if isinstance(value, str):
        if vocab.free(value) and (field is None or key == field):
            return words(value)
        return value
    if isinstance(value, dict):
        return {k: placeholder(v, vocab, field, _inner_key(key, k, sticky), sticky) for k, v in value.items()}
    if isinstance(value, list):
        return [placeholder(v, vocab, field, key, sticky) for v in value]
    if isinstance(value, pd.DataFrame):
        out = value.copy()
        for col in out.columns:
            if out[col].dtype == object:
                out[col] = [placeholder(v, vocab, field, str(col), sticky) for v in out[col]]
        return out
    return value


def free_fields(value, vocab, key=None, sticky=()) -> set:
    """Keys (dict keys or columns) under which the answer holds free text; None for a bare string."""
    if isinstance(value, str):
        return {key} if vocab.free(value) else set()
    if isinstance(value, dict):
        return set().union(*(free_fields(v, vocab, _inner_key(key, k, sticky), sticky)
                             for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(free_fields(v, vocab, key, sticky) for v in value)) if value else set()
    if isinstance(value, pd.DataFrame):
        return {str(c) for c in value.columns if value[c].dtype == object
                and any(isinstance(v, str) and vocab.free(v) for v in value[c])}
    return set()
