"""Helpers for the lab tests: a tiny nbgrader course, and Playwright steps in JupyterLab.

The tiny course stands in for the real BSBCUE605 workbook where that has not been built: an
orientation notebook with one autograded answer (hidden test included) and a reporting notebook
that shows ``helpers.widgets.KPIDashboard`` over a small synthetic calls table. It is built with
nbgrader's own API (generate_assignment), exactly as a trainer's course is.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google services on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
TINY_COURSE_ID = "ccw-lab-test"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ANSWER_GRADE_ID = "sl_target_answer"
ANSWER_TEST_ID = "sl_target_test"


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (a fresh temporary profile each launch), or a skip
    that says what is missing; shared by the lab and hub browser tests."""
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def ensure_interpreter_on_path() -> None:
    """nbgrader runs `alembic` and kernels as bare commands: this interpreter's bin folder first."""
    bindir = os.path.dirname(sys.executable)
    parts = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != bindir]
    os.environ["PATH"] = os.pathsep.join([bindir, *parts])


# ------------------------------------------------------------------------------- tiny course
def _nbg(grade_id: str, *, solution=False, grade=False, locked=False, points=0.0):
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if grade:
        meta["points"] = points
    return meta


def _cell(kind, source, **nbgrader):
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = _nbg(**nbgrader)
    return cell


def _notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


ORIENTATION = [
    ("markdown", "# Orientation\nWelcome to your workbook. Run every cell from the top (Run > Run All Cells)."),
    ("code", "import json, os\nfrom pathlib import Path\n\n"
             "here = Path.cwd()\n"
             "config = next(p / 'ccw.json' for p in [here, *here.parents] if (p / 'ccw.json').is_file())\n"
             "print('Learner:', os.environ.get('CCW_LEARNER'), '| workspace config:', json.loads(config.read_text()))"),
    ("markdown", "## Task 1\nA common service level target is 80/20: 80% of answered calls within 20 seconds. "
                 "Set `service_level_target` to that fraction (a float between 0 and 1)."),
    ("code", "### BEGIN SOLUTION\nservice_level_target = 0.8\n### END SOLUTION",
     dict(grade_id=ANSWER_GRADE_ID, solution=True)),
    ("code", "assert isinstance(service_level_target, float), 'service_level_target should be a float'\n"
             "### BEGIN HIDDEN TESTS\nassert abs(service_level_target - 0.8) < 1e-9\n### END HIDDEN TESTS",
     dict(grade_id=ANSWER_TEST_ID, grade=True, locked=True, points=1.0)),
]

REPORTING = [
    ("markdown", "# Element 4: reporting\nThe KPI dashboard shows service level, abandonment and volume by day."),
    ("code", "import numpy as np\nimport pandas as pd\nfrom helpers.widgets import KPIDashboard\n\n"
             "rng = np.random.default_rng(4)\nn = 1500\n"
             "queues = np.array(['billing', 'faults', 'sales'])\nqueue = queues[rng.integers(0, 3, n)]\n"
             "# each queue waits differently, so each queue's plot differs\n"
             "scale = np.select([queue == 'billing', queue == 'faults'], [8.0, 40.0], 20.0)\n"
             "wait = rng.exponential(scale).round(1)\nabandoned = rng.random(n) < np.where(queue == 'faults', 0.15, 0.04)\n"
             "talk = np.where(abandoned, 0.0, rng.gamma(4, 60, n).round(1))\n"
             "calls = pd.DataFrame({\n"
             "    'call_id': [f'K{i:07d}' for i in range(n)], 'queue': queue,\n"
             "    'arrived_at': pd.Timestamp('2024-03-04 08:00') + pd.to_timedelta(np.sort(rng.uniform(0, 14 * 86400, n)), unit='s'),\n"
             "    'wait_s': wait, 'abandoned': abandoned, 'talk_s': talk, 'hold_s': 0.0, 'wrap_s': np.where(abandoned, 0.0, 30.0),\n"
             "    'outcome': np.where(abandoned, 'abandoned', 'resolved')})\n"
             "calls.head()"),
    ("code", "dashboard = KPIDashboard(calls, targets={'service_level': {'target': 0.8}, "
             "'abandonment_rate': {'target': 0.05}})\ndashboard"),
]


def build_tiny_course(course_root: Path, assignment: str = "BSBCUE605", course_id: str = TINY_COURSE_ID) -> Path:
    """Write ``source/<assignment>/`` (00_orientation, 04_reporting) and generate ``release/<assignment>/``."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    ensure_interpreter_on_path()
    course_root.mkdir(parents=True, exist_ok=True)
    (course_root / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "{course_id}"\n'
        'c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}\n',
        encoding="utf-8")
    source = course_root / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    for name, cells in (("00_orientation", ORIENTATION), ("04_reporting", REPORTING)):
        nbformat.write(_notebook([_cell(kind, src, **(meta[0] if meta else {})) for kind, src, *meta in cells]),
                       source / f"{name}.ipynb")
    cfg = Config()
    cfg.CourseDirectory.root = str(course_root)
    cfg.CourseDirectory.course_id = course_id
    cfg.CourseDirectory.db_url = f"sqlite:///{course_root / 'gradebook.db'}"
    cfg.Exchange.root = str(course_root / "exchange")  # not nbgrader's system-wide default
    api = NbGraderAPI(CourseDirectory(config=cfg), config=cfg)
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.get('error') or result.get('log')}")
    return course_root / "release" / assignment


@dataclass(frozen=True)
class Workbook:
    """What the browser test needs to know about a workbook: where its notebooks are, which task
    cell the learner answers (and with what), and which graded cell checks that answer."""

    assignment: str
    orientation: str          # notebook file names inside the assignment folder
    reporting: str
    answer_notebook: str
    answer_grade_id: str      # the solution cell the learner types into
    answer: str
    check_grade_id: str       # the autograded cell that marks it
    build: Callable[[Path], object]  # builds and releases the course into an empty course root
    uses_data: bool = True    # loads the learner's dataset (else the lab is given an empty dataset folder)


def solution_text(path: Path, grade_id: str) -> str:
    """The reference solution of a source notebook's answer cell (its BEGIN/END SOLUTION region)."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    body = re.search(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", cell.source, re.S)
    if not body:
        raise ValueError(f"{path}: cell {grade_id} has no BEGIN/END SOLUTION region")
    return body.group(1)


def tiny_workbook(assignment: str = "BSBCUE605") -> Workbook:
    return Workbook(assignment, "00_orientation.ipynb", "04_reporting.ipynb", "00_orientation.ipynb",
                    ANSWER_GRADE_ID, "service_level_target = 0.8", ANSWER_TEST_ID,
                    lambda root: build_tiny_course(root, assignment), uses_data=False)


def bsbcue605_workbook(notebooks: Path | None = None) -> Workbook:
    """The real BSBCUE605 workbook, built with ``ccw course build`` (helpers.course.build); the learner
    answers Task 4.1 (report criteria per stakeholder) with the reference solution."""
    from helpers.paths import project_root

    notebooks = notebooks or project_root() / "notebooks"

    def build(root: Path):
        from helpers.course.build import build_course

        ensure_interpreter_on_path()
        # the reference solutions are run by the course-build tests; here only the release matters
        return build_course(root, notebooks, assignments=["BSBCUE605"], check_solutions=False, progress=False)

    answer = solution_text(notebooks / "BSBCUE605" / "04_reporting.ipynb", "report_criteria_answer")
    return Workbook("BSBCUE605", "00_orientation.ipynb", "04_reporting.ipynb", "04_reporting.ipynb",
                    "report_criteria_answer", answer, "report_criteria_check", build)


def grade_with_ccw(course_root: Path, learner: str, dataset: Path) -> dict:
    """``ccw grade`` (helpers.course.grade) for ``learner`` on the dataset their lab used;
    returns {"<notebook>:<grade_id>": (score, max_score)} from the course gradebook."""

    from helpers.course.grade import grade

    ensure_interpreter_on_path()
    datasets = course_root.parent / "graded-datasets"
    datasets.mkdir(exist_ok=True)
    (datasets / learner).symlink_to(dataset, target_is_directory=True)  # <datasets>/<learner>, as ccw grade wants
    run = grade(course_root, learners=[learner], datasets=datasets, feedback=False, progress=False, workers=1,
                reports_dir=course_root.parent / "reports")
    assert run.learners == [learner], run
    return gradebook_scores(course_root, learner)


def gradebook_scores(course_root: Path, learner: str) -> dict:
    """{"<notebook>:<grade_id>": (score, max_score)} of ``learner`` in the course gradebook (after grading)."""
    from nbgrader.api import Gradebook

    from helpers.course.config import load_course

    course = load_course(course_root)
    scores = {}
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for assignment in gb.assignments:
            try:
                submission = gb.find_submission(assignment.name, learner)
            except Exception:  # MissingEntry: nothing submitted for that assignment
                continue
            for nb in submission.notebooks:
                for g in nb.grades:
                    scores[f"{nb.name}:{g.name}"] = (g.score, g.max_score)
    return scores


# ---------------------------------------------------------------------------------- browser
def chromium_missing_reason() -> str | None:
    if not CHROMIUM.is_file():
        return (f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install -y chromium); "
                "Playwright cannot download a browser here")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed in this environment"
    return None


class Steps:
    """Numbered PNG screenshots of a test's steps in ``test-artifacts/browser/<test name>/``."""

    def __init__(self, page, name: str):
        self.page, self.n = page, 0
        self.folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.taken: list[Path] = []

    def shot(self, step: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', step)}.png"
        self.page.screenshot(path=str(path))
        self.taken.append(path)
        return path

    @contextmanager
    def session(self, server):
        """A browser session on ``server``: a screenshot of the failure if anything in it fails, and the page
        closed and the server stopped whatever happened."""
        try:
            yield
        except BaseException:
            self.shot("failure")
            raise
        finally:
            self.page.close()
            server.stop()


class Lab:
    """What a learner does in JupyterLab 4, as Playwright steps (menus, toolbar, keyboard)."""

    def __init__(self, page, server):
        self.page, self.server = page, server

    def open(self, path: str = "") -> None:
        url = f"{self.server.base_url}lab/tree/{path}?token={self.server.token}" if path else self.server.lab_url
        self.page.goto(url)
        self.page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
        self.page.wait_for_selector(".jp-DirListing-content", timeout=60_000)
        self.page.wait_for_timeout(500)

    def menu(self, *labels: str) -> None:
        """Click a main-menu path, e.g. ``menu("Run", "Run All Cells")``."""
        page = self.page
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(labels[0])}$")).click()
        for label in labels[1:]:
            page.locator(".lm-Menu:visible .lm-Menu-itemLabel",
                         has_text=re.compile(f"^{re.escape(label)}$")).first.click()

    def open_from_assignment_list(self, assignment: str, notebook: str) -> None:
        """Open ``notebook`` (file name) of a fetched assignment from the Assignment List, as a learner does."""
        self.activate_tab("Assignments")
        item = self.page.locator("#fetched_assignments_list > .list_item", has_text=assignment).first
        link = item.locator(".nested_list_item a", has_text=re.compile(f"^{re.escape(Path(notebook).stem)}$"))
        if not link.is_visible():
            item.locator(".assignment-notebooks-link").click()
        link.click()
        self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=notebook).wait_for()
        self.notebook().locator(".jp-Cell").first.wait_for()

    def activate_tab(self, label: str) -> None:
        """Bring the main-area tab titled ``label`` to the front."""
        self.page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=label).first.click()
        self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=label).wait_for()

    def notebook(self):
        """The visible notebook panel."""
        return self.page.locator(".jp-NotebookPanel:visible").first

    def wait_kernel_idle(self, timeout_s: float = 120) -> None:
        """Wait until the notebook's kernel is connected and idle (the status bar says ``| Idle``).

        Run All before that silently runs nothing: JupyterLab does not queue cells for a kernel
        that is still starting.
        """
        self.page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).wait_for(timeout=timeout_s * 1000)
        self.notebook().locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=timeout_s * 1000)

    def run_all(self, timeout_s: float = 180) -> list[str]:
        """Run > Run All Cells and wait until the run is over; returns the code cells' prompts.

        The run counts as over once it has started (a numbered prompt), nothing is running and the
        kernel is idle; JupyterLab stops a run at the first error, leaving ``[ ]:`` below it.
        """
        self.wait_kernel_idle()
        self.menu("Run", "Run All Cells")
        prompts = self.notebook().locator(".jp-CodeCell .jp-InputArea-prompt")
        idle = self.notebook().locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        deadline, settled = time.monotonic() + timeout_s, 0
        while settled < 3:  # the same finished state on three polls in a row
            self.page.wait_for_timeout(300)
            # text_content, not inner_text: cells scrolled out of view are not rendered (content-visibility)
            texts = [t.strip() for t in prompts.all_text_contents()]
            # started: a fresh notebook shows "[ ]:" everywhere and an idle kernel before the run begins
            started = any(re.fullmatch(r"\[\d+\]:", t) for t in texts)
            done = started and "[*]:" not in texts and idle.count() > 0
            settled = settled + 1 if done else 0
            if time.monotonic() > deadline:
                raise AssertionError(f"cells still running after {timeout_s} s: prompts {texts}")
        return texts

    def errors(self) -> list[str]:
        return self.notebook().locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                                       ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
                                       ).all_text_contents()

    def type_into_cell(self, index: int, text: str) -> None:
        """Replace the source of the ``index``-th cell (0-based) with ``text``, typed as a person would."""
        cell = self.notebook().locator(".jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        editor = cell.locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        if "\n" in text:
            # as if pasted: typed newlines would get the editor's auto-indent and closing brackets
            self.page.keyboard.insert_text(text)
        else:
            self.page.keyboard.type(text)

    def run_cells(self, count: int = 1) -> None:
        """Shift+Enter ``count`` times from the active cell (run it, move to the next), then wait for the kernel."""
        for _ in range(count):
            self.page.keyboard.press("Shift+Enter")
        self.page.wait_for_timeout(300)
        self.wait_kernel_idle()

    def save(self) -> None:
        self.page.keyboard.press("Control+s")
        tab = self.page.locator(".jp-mod-current.jp-mod-dirty")
        tab.wait_for(state="detached", timeout=20_000)

    def close_dialog(self) -> None:
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.locator(".jp-Dialog").wait_for(state="detached")
