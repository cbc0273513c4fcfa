"""Simulated learners and a simulated assessor, for the demo, the tests and the benchmark.

* ``exemplary``: the reference solutions in the release notebook, benchmark answers in the
  written cells;
* ``blank``: the release notebook untouched;
* ``partial``: every other answer filled in;
* ``copier``: another learner's *numbers* (captured by running that learner's notebook on that
  learner's data) pasted as literals into the answer cells, written answers copied too.

The assessor gives the exemplary learner the benchmark's marks on every written answer and task,
the blank learner nothing; anyone else full marks for a written answer that is the benchmark
answer, half marks for another non-empty answer or a task, nothing for a blank answer (nbgrader
already scores unchanged answer cells 0).
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat

from helpers.course.execute import Limits, execute_notebook
from helpers.course.notebooks import MARKERS, is_manual, nbg

# Run after each exemplary answer cell: prints the answer values a classmate could copy as literals -
# numbers, text, JSON-able dicts and lists, small tables (orient="table" keeps dtypes) and dataclass results.
_SNAPSHOT = """
def _ccw_snapshot():
    import dataclasses, json
    import pandas as pd
    out = {}
    for k, v in dict(globals()).items():
        if k.startswith("_") or k in ("In", "Out") or isinstance(v, bool) or callable(v) and not dataclasses.is_dataclass(v):
            continue
        if isinstance(v, (int, float)):
            out[k] = {"number": v}
        elif isinstance(v, (pd.DataFrame, pd.Series)) and len(v) <= 200:
            out[k] = {"table": v.to_json(orient="table", date_format="iso"), "series": isinstance(v, pd.Series)}
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            try:  # small results such as a before/after comparison; not datasets of tables
                fields = json.loads(json.dumps(dataclasses.asdict(v), default=float))
            except (TypeError, ValueError):
                continue
            out[k] = {"dataclass": f"{type(v).__module__}:{type(v).__qualname__}", "fields": fields}
        elif isinstance(v, (dict, list, str)):
            try:
                text = json.dumps(v, default=float)
            except (TypeError, ValueError):
                continue
            if len(text) < 50_000:  # answers are small; big intermediates are not what a copier pastes
                out[k] = {"json": json.loads(text)}
    print("__CCW__" + json.dumps(out, default=str))
_ccw_snapshot()
"""


def _literal(name: str, spec: dict) -> str:
    """Python that re-creates a snapshotted value as a literal (what a copier pastes)."""
    if "number" in spec:
        return f"{name} = {spec['number']!r}"
    if "table" in spec:
        read = f"pd.read_json(io.StringIO({spec['table']!r}), orient='table')"
        return f"{name} = {read}" + (".iloc[:, 0]" if spec.get("series") else "")
    if "dataclass" in spec:
        module, cls = spec["dataclass"].split(":")
        return f"{name} = importlib.import_module({module!r}).{cls}(**{spec['fields']!r})"
    return f"{name} = {spec['json']!r}"


def _solution_text(source_cell) -> str:
    begin, end = MARKERS["solution"]
    return "\n".join(line for line in source_cell.source.split("\n") if begin not in line and end not in line)


def _sources_by_id(source) -> dict:
    return {nbg(c)["grade_id"]: c for c in source.cells if nbg(c).get("grade_id")}


def exemplary(release, source):
    """The release notebook with every answer cell holding the reference solution / benchmark."""
    nb, by_id = copy.deepcopy(release), _sources_by_id(source)
    for cell in nb.cells:
        meta = nbg(cell)
        if meta.get("solution") and meta.get("grade_id") in by_id:
            src = by_id[meta["grade_id"]]
            cell.source = src.metadata.get("benchmark") or _solution_text(src) if is_manual(src) else _solution_text(src)
    return nb


def blank(release, source=None):
    return copy.deepcopy(release)


def partial(release, source):
    """Every other answer cell (in notebook order) filled in with the reference solution."""
    nb, full = copy.deepcopy(release), exemplary(release, source)
    answers = [i for i, c in enumerate(nb.cells) if nbg(c).get("solution")]
    for i in answers[::2]:
        nb.cells[i] = full.cells[i]
    return nb


def answer_values(release, source, env: dict, cwd: str) -> dict[str, dict]:
    """{answer grade_id: {variable: snapshot}} of the values the exemplary answers compute under ``env``
    (see ``_SNAPSHOT``); only values that changed since the previous answer cell."""
    nb = exemplary(release, source)
    probes = {}
    for cell in list(nb.cells):
        meta = nbg(cell)
        if meta.get("solution") and cell.cell_type == "code":
            probe = nbformat.v4.new_code_cell(_SNAPSHOT)
            nb.cells.insert(nb.cells.index(cell) + 1, probe)
            probes[meta["grade_id"]] = probe
    before = execute_notebook(nb, env={**os.environ, **env}, cwd=cwd, limits=Limits(cell_timeout=120))
    if before.died:
        raise RuntimeError(f"exemplary notebook failed while capturing answers: {before.notes}")
    values, seen = {}, {}
    for gid, probe in probes.items():
        text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
        line = next((ln for ln in text.splitlines() if ln.startswith("__CCW__")), "__CCW__{}")
        now = json.loads(line[len("__CCW__"):])
        values[gid] = {k: v for k, v in now.items() if seen.get(k) != v}
        seen = now
    return values


def copier(release, source, values: dict[str, dict]):
    """Answer cells replaced by literal numbers another learner computed (written answers copied)."""
    nb, full = copy.deepcopy(release), exemplary(release, source)
    for i, cell in enumerate(nb.cells):
        meta = nbg(cell)
        if not meta.get("solution"):
            continue
        pasted = values.get(meta["grade_id"])
        if cell.cell_type == "code" and pasted:
            cell.source = ("# answers from a classmate\nimport importlib, io\nimport pandas as pd\n"
                           + "\n".join(_literal(k, v) for k, v in sorted(pasted.items())))
        else:
            cell.source = full.cells[i].source
    return nb


def assessor_scores(autograded, source, learner: str = "") -> dict[str, float]:
    """{grade_id: score} the simulated assessor gives the written answers and tasks of one notebook."""
    by_id = _sources_by_id(source)
    scores = {}
    for cell in autograded.cells:
        meta = nbg(cell)
        src = by_id.get(meta.get("grade_id"))
        if src is None or not is_manual(src):
            continue
        points = float(nbg(src).get("points", 0))
        answer, bench = cell.source.strip(), str(src.metadata.get("benchmark", "")).strip()
        if learner in ("exemplary", "blank"):
            scores[meta["grade_id"]] = points if learner == "exemplary" else 0.0
        elif nbg(src).get("task"):  # the work is elsewhere in the notebook: the assessor judges it partly done
            scores[meta["grade_id"]] = points / 2
        elif answer == bench:
            scores[meta["grade_id"]] = points
        elif answer and answer != "YOUR ANSWER HERE":
            scores[meta["grade_id"]] = points / 2
        else:
            scores[meta["grade_id"]] = 0.0
    return scores


def write_submission(nb, folder: Path | str, name: str) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder / f"{name}.ipynb"
