"""What a learner's workbook calls: start-up, task banners, formative feedback and readable errors.

Conventions of every workbook (``notebooks/<UNIT>/``):

* The first code cell runs ``ds = workbook.start("<UNIT>")``: it loads *this learner's* dataset
  (``helpers.data``), sets display options and turns errors a learner causes (a typo in a column
  name, a wrong type, a missing answer) into a short message that names the task, instead of a
  traceback through our package. The message is still an error, so an autograded cell that fails
  this way earns nothing.
* Each task's instructions end with a banner generated from the competency tag of its graded cell,
  e.g. ``Assesses PC 2.5 · PE2 · KE2`` (``banner``); ``check_banners`` keeps the two from drifting.
* Visible tests give formative feedback with ``feedback(findings)`` (they print, never raise, so
  the released workbook runs top to bottom before anything is answered); hidden tests call
  ``helpers.grading.require`` and raise, so marks are only given when earned.
* A check that does not fully pass (or whose answer is still empty) also prints one line naming
  the task (``Task 4.2: 3 of 5 checks pass. Not yet: ...``). While nbgrader's Validate runs the
  notebook (``NBGRADER_VALIDATING`` is set in the kernel) that line goes to *stderr*: Validate
  counts a graded cell with stderr output as failed, so it lists every task whose checks do not all
  pass instead of "Success!" (``helpers.lab.validate`` adds each task's title). Working in the lab,
  the line goes to stdout: no red boxes before anything is answered, and Run All never stops.
"""
from __future__ import annotations

import difflib
import gc
import importlib.abc
import importlib.util
import re
import sys
import traceback

# The kernel's own objects (IPython, zmq, tornado: some 50,000) live as long as the kernel; frozen, the
# collector stops walking them. Otherwise the objects importing pandas creates make the next full collection
# walk all of them, and it lands in the setup cell (65 ms of a 90 ms cell, measured in a fresh kernel).
gc.freeze()

from helpers.errors import LearnerError  # noqa: E402
from helpers.findings import Finding, Findings

_current_task: list[str] = []


# ------------------------------------------------------------------------------------ banners
def banner(criteria=(), evidence=()) -> str:
    """``Assesses PC 2.1, 2.2 · PE2 · KE7`` for a competency tag's criteria and evidence ids."""
    parts = [f"PC {', '.join(criteria)}"] if criteria else []
    parts += list(evidence)
    return "Assesses " + " · ".join(parts)


def check_banners(nb) -> list[str]:
    """Problems where a graded cell's task text does not show the banner of its competency tag.

    The task text is the nearest untagged markdown cell above the graded cell (or the cell itself
    for an nbgrader task cell).
    """
    problems = []
    last_md = None
    for index, cell in enumerate(nb.cells):
        comp = cell.metadata.get("competency")
        if cell.cell_type == "markdown" and not comp:
            last_md = cell.source
        if not comp:
            continue
        is_task = cell.metadata.get("nbgrader", {}).get("task", False)
        text = cell.source if is_task else last_md
        wanted = banner(comp.get("criteria", []), comp.get("evidence", []))
        if text is None or wanted not in text:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            problems.append(f"cell {index} ({grade_id}): the task text above it should show '{wanted}'")
    return problems


# ----------------------------------------------------------------------------- start-up
CHART_STYLE = {"figure.figsize": (8, 3.5), "figure.dpi": 90, "axes.grid": True}  # inches, dots per inch


class _StyleCharts(importlib.abc.MetaPathFinder):
    """Applies :data:`CHART_STYLE` the moment matplotlib is first imported (then steps aside): importing
    matplotlib in the setup cell only to style it would add a sixth of a second to every notebook, most
    of whose cells draw nothing."""

    def find_spec(self, name, path=None, target=None):
        if name != "matplotlib":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            exec_module = spec.loader.exec_module

            def exec_and_style(module):
                exec_module(module)
                module.rcParams.update(CHART_STYLE)
            spec.loader.exec_module = exec_and_style
        return spec


def style_charts() -> None:
    """The workbook's chart defaults, now if matplotlib is loaded, else when it first is."""
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].rcParams.update(CHART_STYLE)
    elif not any(isinstance(f, _StyleCharts) for f in sys.meta_path):
        sys.meta_path.insert(0, _StyleCharts())


def start(unit: str, *, quiet: bool = False):
    """Load this learner's dataset, set display options and install readable errors; returns the dataset."""
    import pandas as pd

    from helpers import data

    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.float_format", lambda v: f"{v:,.3f}")
    style_charts()
    install_friendly_errors()
    ds = data.load_dataset()
    if not quiet:  # from the manifest: the banner shows before any table is read
        organisation = ds.meta.get("organisation") or ds.case_study.organisation.name
        calls = ds.manifest.get("tables", {}).get("calls", {}).get("rows", 0)
        start = pd.Timestamp(ds.meta["period_start"])
        end = pd.Timestamp(ds.meta["period_end"]) - pd.Timedelta(days=1)  # period_end is exclusive
        print(f"{unit} workbook · {organisation} · learner: {data.learner_id() or 'none set'} · "
              f"{calls:,} calls from {start:%d %b %Y} to {end:%d %b %Y}")
        if is_practice(ds):
            print(PRACTICE_NOTE)
        sys.stdout.flush()  # the banner shows now, not when the kernel next flushes the cell's output
        _show_reading()
    gc.freeze()  # pandas and the package, imported for good: later cells' collections walk only their own objects
    return ds


#: Printed under the banner whenever the data is the practice dataset, so nobody mistakes it for their own.
PRACTICE_NOTE = ("PRACTICE DATA: this is the practice dataset, not your own. Your assessment is marked on your own "
                 "dataset once your trainer has generated it; then run the notebook again from the top.")


def is_practice(ds) -> bool:
    """True for the practice dataset (its manifest names no learner), False for a learner's own."""
    return not (ds.meta or {}).get("learner")


def _show_reading() -> None:
    """Links to the case study, the data dictionary and the compliance summary that ``ccw lab`` put in
    the workspace (``ccw.json``'s ``reading``), relative to this notebook so they open in JupyterLab."""
    import os
    from pathlib import Path

    from helpers import data

    try:
        cfg = data.config()
    except Exception:  # a damaged ccw.json is reported by load_dataset; links are a convenience
        return
    root = Path(cfg["_path"]).parent if cfg.get("_path") else None
    labels = {"data_dictionary.md": "data dictionary (your dataset's tables and columns)",
              "docs/compliance.md": "compliance summary (Spam Act, DNCR, Privacy Act, calling hours)"}
    links = []
    for name in cfg.get("reading") or []:
        path = root / name if root else None
        if path is None or not path.is_file():
            continue
        label = labels.get(name, "case study (the organisation, its people and targets)" if name.startswith(
            "casestudies/") else name)
        links.append(f"[{label}]({Path(os.path.relpath(path, Path.cwd())).as_posix()})")
    if not links:
        return
    try:
        from IPython.display import Markdown, display
        display(Markdown("Read: " + " · ".join(links)))
    except ImportError:  # pragma: no cover - outside IPython
        print("Read: " + ", ".join(links))


def task(name: str) -> None:
    """Mark the task the following code belongs to, so an error message can name it."""
    _current_task[:] = [name]


# ------------------------------------------------------------------------- formative feedback
def feedback(findings: Finding | Findings | list, title: str = "Feedback") -> Findings:
    """Show findings to the learner as a short table (✔/✘, points, message). Never raises.

    When not every check passes, one line naming the task is printed too (to stderr under nbgrader's
    Validate, which is what makes Validate report the task: see the module docstring)."""
    fs = Findings([findings]) if isinstance(findings, Finding) else Findings(findings)
    try:
        from IPython.display import HTML, display
        display(HTML(f"<h4>{title}: {fs.score:g} / {fs.max_score:g}</h4>" + fs._repr_html_()))
    except ImportError:  # pragma: no cover - outside IPython
        print(f"{title}: {fs.summary()}")
    if not fs.all_passed:
        failed = fs.failed()
        todo = "; ".join(f.message for f in list(failed)[:3]) + (" ..." if len(failed) > 3 else "")
        _not_passed(f"{len(fs) - len(failed)} of {len(fs)} checks pass. Not yet: {todo}")
    return fs


def answered(name: str, value) -> bool:
    """False (and a friendly note naming the task) while an answer is still empty; used by visible
    tests. Under nbgrader's Validate the note goes to stderr, so Validate lists the task as not done."""
    empty = value is None or (isinstance(value, (str, list, dict, tuple, set)) and not value)
    if empty:
        _not_passed(f"✎ `{name}` is still empty: complete the task above, run its cell, then run this check again.")
    return not empty


def _running_task() -> str | None:
    """The task of the cell being run (its first line, ``# Check · Task 4.2``), else the one set with :func:`task`."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        inputs = (shell.user_ns.get("In") or [""]) if shell is not None else [""]
        found = task_of(inputs[-1])
    except ImportError:  # pragma: no cover - outside IPython
        found = None
    return found or (_current_task[0] if _current_task else None)


def _not_passed(message: str) -> None:
    """Print ``message`` with the task's number: to stderr under Validate (which then fails the cell),
    else to stdout."""
    import os
    import sys

    task = _running_task()
    stream = sys.stderr if os.environ.get("NBGRADER_VALIDATING") else sys.stdout
    print(f"Task {task}: {message}" if task else message, file=stream, flush=True)


# ----------------------------------------------------------------------------- readable errors
class AnswerError(LearnerError):
    """A learner's answer or code has a problem; the message says what and where."""


_TASK_RE = re.compile(r"#\s*(?:Check\s*·\s*)?Task\s+(\d+\.\d+)")


def task_of(cell_source: str) -> str | None:
    """The task a cell belongs to, from its first line (``# Task 2.5 · ...`` or ``# Check · Task 2.5``)."""
    match = _TASK_RE.search(cell_source.split("\n", 1)[0]) if cell_source else None
    return match.group(1) if match else None


def explain(exc: BaseException, task: str | None = None) -> str | None:
    """A one-paragraph explanation of an error a learner typically causes, or None if we have none.

    ``task`` names the task in the message (default: the one set with :func:`task`)."""
    task = task or (_current_task[0] if _current_task else None)
    where = f"Task {task}: " if task else ""
    if isinstance(exc, AnswerError):
        return f"{where}{exc}"
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        key = exc.args[0]
        frame_cols = _columns_in_traceback(exc)
        if frame_cols:
            near = difflib.get_close_matches(key, frame_cols, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            return (f"{where}there is no column '{key}'.{hint} "
                    f"The columns are: {', '.join(map(str, frame_cols[:25]))}.")
        return f"{where}'{key}' was not found (check the spelling of the name or column)."
    if isinstance(exc, NameError):
        name = re.findall(r"'(.+?)'", str(exc))
        return (f"{where}`{name[0] if name else '?'}` is not defined yet: run the cells above this one "
                f"(Run ▸ Run All Above), and check the spelling.")
    if isinstance(exc, TypeError) and "NoneType" in str(exc):
        return f"{where}an answer used here is still empty (None): complete the earlier task first."
    if isinstance(exc, (TypeError, ValueError)) and _from_helpers(exc):
        return f"{where}{exc}"
    return None


def _columns_in_traceback(exc: BaseException) -> list[str]:
    import pandas as pd
    tb = exc.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, pd.DataFrame):
            return [str(c) for c in obj.columns]
        tb = tb.tb_next
    return []


def _from_helpers(exc: BaseException) -> bool:
    return any("/helpers/" in frame.filename for frame in traceback.extract_tb(exc.__traceback__))


def install_friendly_errors() -> None:
    """Show explained errors as a short error output (still an error: nbgrader sees the failure)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        inputs = shell.user_ns.get("In") or [""]
        message = explain(value, task_of(inputs[-1]))  # In[-1] is the cell being run
        if message is None:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        # _showtraceback publishes an 'error' output with our short text as the whole traceback
        shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {message}"])
        return None

    shell.set_custom_exc((Exception,), handler)
