"""Learners at scale: the course on JupyterHub (``ccw hub``), in Debian's headless Chromium driven by Playwright.

Two learners log in to the hub, each to their own JupyterLab in their own workspace with their own
dataset; each fetches the BSBCUE605 workbook from the Assignment List, runs a notebook (the first also
answers Task 4.1) and submits. Then the assessor collects both submissions from the shared nbgrader
exchange (``helpers.lab.collect_submissions``), grades both in one run (``helpers.course.grade.grade``)
and finds both learners in formgrader on the hub.

The hub is the real thing: ``jupyterhub -f <the file ccw hub config wrote>``, configurable-http-proxy
from npm (installed on first use into .cache/configurable-http-proxy/ by ``ccw hub install-proxy``'s
function), the shared-password login (test-only). Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from browser_support import (Lab, Steps, bsbcue605_workbook, ensure_interpreter_on_path,
                             gradebook_scores)
from helpers.hub import HubSettings, install_proxy, installed_version, npm_missing_reason, write_hub_config
from helpers.lab import collect_submissions, descendants, free_port, submissions
from helpers.lab.server import alive
from helpers.lab.workspace import course_id_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # about 2-3 minutes: a hub, three servers, kernels, grading

LEARNERS = ("s1001", "s1002")
ASSESSOR = "assessor"
LEARNER_PASSWORD = "learners-test-only-pw"
ASSESSOR_PASSWORD = "assessor-test-only-password-0123456789"  # JupyterHub wants 32+ characters for admins
SETUP_LINE = re.compile(r"learner: (\S+) · ([\d,]+) calls")  # helpers.workbook.start's first output
HUB_READY_TIMEOUT_S = 90.0
SPAWN_TIMEOUT_MS = 240_000  # first start of a learner's server on a loaded 2-core machine


@pytest.fixture(scope="module")
def proxy() -> Path:
    """configurable-http-proxy from npm, installed into the project's .cache/ on first use."""
    if not installed_version():
        reason = npm_missing_reason()
        if reason:
            pytest.skip(reason)
        return install_proxy()
    return install_proxy()  # already there: returns its path at once


class Hub:
    """``jupyterhub -f config`` as a subprocess in its own session; ``stop()`` ends it and everything it started."""

    def __init__(self, config: Path, url: str):
        self.url, self.log_path = url.rstrip("/") + "/", config.parent / "hub.log"
        ensure_interpreter_on_path()  # the hub finds `jupyterhub-singleuser`'s interpreter and kernels first
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=config.parent,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.known: set[int] = set()
        deadline = time.monotonic() + HUB_READY_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyterhub exited at start ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "hub/api", timeout=2) as resp:
                    assert "version" in json.loads(resp.read())
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the hub did not answer within {HUB_READY_TIMEOUT_S:g} s:\n{self.log_tail()}")
            time.sleep(0.3)

    def remember_processes(self) -> set[int]:
        """The proxy, the learners' servers and their kernels (all below the hub process)."""
        if self.process.poll() is None:
            self.known.update(descendants(self.process.pid))
        return set(self.known)

    def stop(self, grace_s: float = 15.0) -> list[int]:
        """SIGTERM the hub, as Ctrl-C or systemd would; returns the pids that outlived it by ``grace_s``
        seconds (then kills them, so that a failed test leaves nothing running)."""
        self.remember_processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops every server (cleanup_servers) and the proxy
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        deadline = time.monotonic() + grace_s  # kernels end a moment after their server
        while (left := [p for p in self.known if alive(p)]) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return left

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def log_in(page, hub: Hub, user: str, password: str, landing: str) -> None:
    """The hub's login form, then wait until the user's own server has started and shows ``landing``."""
    page.goto(hub.url + "hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()
    # the hub shows "Your server is starting up" and redirects once the server answers
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/{landing}"), timeout=SPAWN_TIMEOUT_MS)


def fetch_from_assignment_list(page, assignment: str) -> None:
    Lab(page, None).menu("Nbgrader", "Assignment List")
    released = page.locator("#released_assignments_list .list_item", has_text=assignment)
    released.wait_for(timeout=60_000)
    released.get_by_role("button", name="Fetch").click()
    page.locator("#fetched_assignments_list .list_item", has_text=assignment).first.wait_for(timeout=60_000)


def submit_from_assignment_list(page, assignment: str) -> None:
    lab = Lab(page, None)
    lab.activate_tab("Assignments")
    page.locator("#refresh_assignments_list").click()
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=assignment).first
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list .list_item", has_text=assignment).first.wait_for(timeout=60_000)


def setup_output(lab: Lab) -> str:
    """The first code cell's output: ``workbook.start`` says whose data it loaded and how many calls."""
    return lab.notebook().locator(".jp-CodeCell").first.locator(".jp-OutputArea").text_content()


def calls_in(dataset: Path) -> int:
    from helpers.data import load_dataset

    return len(load_dataset(dataset, tables=["calls"]).calls)


def cell_index(path: Path, grade_id: str) -> int:
    nb = nbformat.read(path, as_version=4)
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_two_learners_on_the_hub_work_in_their_own_labs_and_are_graded(browser, proxy, tmp_path, request):
    book = bsbcue605_workbook()
    course = tmp_path / "course"
    book.build(course)
    # each learner's own dataset (a generated variant, as `ccw regenerate` makes), <datasets>/<learner>/
    datasets = tmp_path / "datasets"
    from helpers.cli import main as ccw

    for seed, learner in enumerate(LEARNERS, start=11):
        assert ccw(["generate", "--seed", str(seed), "--learner", learner, "--out", str(datasets / learner)]) == 0
    calls = {learner: calls_in(datasets / learner) for learner in LEARNERS}
    assert len(set(calls.values())) == 2, calls  # so the call counts tell whose data a notebook loaded

    (tmp_path / "learners.pw").write_text(LEARNER_PASSWORD + "\n")
    (tmp_path / "assessor.pw").write_text(ASSESSOR_PASSWORD + "\n")
    port = free_port()
    config = write_hub_config(HubSettings(
        learners=list(LEARNERS), assessors=[ASSESSOR], course_root=course, workspaces=tmp_path / "workspaces",
        datasets=datasets, state_dir=tmp_path / "hub", password_file=tmp_path / "learners.pw",
        assessor_password_file=tmp_path / "assessor.pw", port=port, hub_port=free_port(),
        proxy_api_port=free_port(), fetch=False))
    assert f"PROXY = Path({str(proxy)!r})" in config.read_text()

    hub = Hub(config, f"http://127.0.0.1:{port}/")
    steps = None
    try:
        # -- two learners, one after the other, each in a browser context of their own (own cookies)
        for learner in LEARNERS:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            if steps is None:
                steps = Steps(page, request.node.name)
            steps.page = page
            try:
                page.goto(hub.url + "hub/login")
                steps.shot(f"{learner}-hub-login")
                log_in(page, hub, learner, LEARNER_PASSWORD, "lab")
                page.wait_for_selector(".jp-DirListing-content", timeout=60_000)
                steps.shot(f"{learner}-own-lab")
                workspace = tmp_path / "workspaces" / learner
                named = json.loads((workspace / "ccw.json").read_text())  # what the workbooks read
                assert (named["learner"], named["dataset"]) == (learner, str((datasets / learner).resolve())), named

                fetch_from_assignment_list(page, book.assignment)
                steps.shot(f"{learner}-fetched")
                folder = workspace / book.assignment
                assert (folder / book.orientation).is_file() and (folder / book.reporting).is_file()

                lab = Lab(page, None)
                first = learner == LEARNERS[0]
                notebook = book.answer_notebook if first else book.orientation  # the first learner answers a task
                lab.open_from_assignment_list(book.assignment, notebook)
                lab.run_all()
                assert lab.errors() == [], lab.errors()
                seen = SETUP_LINE.search(setup_output(lab))
                # their own data: their id, and the number of calls in *their* dataset
                assert seen and seen.group(1) == learner, setup_output(lab)
                assert int(seen.group(2).replace(",", "")) == calls[learner], (seen.group(0), calls)
                lab.notebook().locator(".jp-CodeCell").first.scroll_into_view_if_needed()
                steps.shot(f"{learner}-ran-{Path(notebook).stem}")
                if first:
                    index = cell_index(folder / notebook, book.answer_grade_id)
                    check = cell_index(folder / notebook, book.check_grade_id)
                    lab.type_into_cell(index, book.answer)
                    lab.run_cells(check - index + 1)
                    lab.save()
                    assert nbformat.read(folder / notebook, as_version=4).cells[index].source == book.answer
                    steps.shot(f"{learner}-answered-task")
                submit_from_assignment_list(page, book.assignment)
                steps.shot(f"{learner}-submitted")
                hub.remember_processes()
            except BaseException:
                steps.shot(f"{learner}-failure")
                raise
            finally:
                context.close()

        # the submissions of both, in the one course exchange
        waiting = submissions(course, course_id_of(course))
        assert sorted((s["learner"], s["assignment"]) for s in waiting) == [(x, book.assignment) for x in LEARNERS]

        # -- the assessor: collect and grade both with the course's own API
        assert collect_submissions(course, book.assignment) == [(x, book.assignment) for x in LEARNERS]
        # both in one run, two workers, each on the dataset their lab used (<datasets>/<learner>/, as ccw grade wants)
        from helpers.course.grade import grade

        run = grade(course, learners=list(LEARNERS), datasets=datasets, feedback=False, progress=False, workers=2,
                    reports_dir=tmp_path / "reports")
        assert run.learners == list(LEARNERS), run
        scores = {x: gradebook_scores(course, x) for x in LEARNERS}
        key = f"{Path(book.answer_notebook).stem}:{book.check_grade_id}"
        answered, blank = scores[LEARNERS[0]][key], scores[LEARNERS[1]][key]
        assert answered[1] > 0 and answered[0] == answered[1], scores[LEARNERS[0]]  # full marks for the answer
        assert blank == (0, answered[1]), scores[LEARNERS[1]]  # the other learner did not answer it

        # -- and sees both learners in formgrader, on the hub (admin login; first page /formgrader)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        steps.page = page
        try:
            log_in(page, hub, ASSESSOR, ASSESSOR_PASSWORD, "formgrader")
            page.locator("tr", has_text=book.assignment).first.wait_for(timeout=60_000)
            steps.shot("assessor-formgrader")
            page.goto(hub.url + f"user/{ASSESSOR}/formgrader/manage_students")
            for learner in LEARNERS:
                page.locator("tr", has_text=learner).first.wait_for(timeout=60_000)
            steps.shot("assessor-students")
            rows = {x: page.locator("tr", has_text=x).first.inner_text() for x in LEARNERS}
            overall = {x: float(re.search(r"([\d.]+) / [\d.]+", rows[x]).group(1)) for x in LEARNERS}
            assert overall[LEARNERS[0]] >= answered[1] > 0 and overall[LEARNERS[1]] < overall[LEARNERS[0]], rows
            hub.remember_processes()
        except BaseException:
            steps.shot("assessor-failure")
            raise
        finally:
            context.close()
    finally:
        left = hub.stop()
    assert hub.process.returncode is not None and len(hub.known) >= 4  # proxy, 3 servers (and kernels)
    assert not left, f"processes outlived the hub: {left}"

