"""A learner's day in the real tools: ``ccw lab`` in headless Chromium (Debian's), driven by Playwright.

Fetch the BSBCUE605 workbook from the Assignment List, run the orientation and the element 4
(reporting) notebooks, use the KPI dashboard widget, answer a task, validate with nbgrader's toolbar
button, submit from the Assignment List, then collect and autograde the submission as the assessor
would. Screenshots of every step: test-artifacts/browser/<test name>/NN-step.png.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from browser_support import (ANSWER_GRADE_ID, ANSWER_TEST_ID, CHROMIUM, CHROMIUM_ARGS, Lab, Steps, autograde,
                             build_tiny_course, chromium_missing_reason)
from helpers.lab import collect_submissions, descendants, prepare_workspace, start_lab, submissions

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # about a minute: a real lab, kernels and a browser

ASSIGNMENT = "BSBCUE605"
ORIENTATION = f"{ASSIGNMENT}/00_orientation.ipynb"
REPORTING = f"{ASSIGNMENT}/04_reporting.ipynb"
LEARNER = "learner-07"
ANSWER = "service_level_target = 0.8"


@pytest.fixture(scope="module")
def browser():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # a fresh profile each run: Playwright gives a persistent-free context in a temporary user-data-dir
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    build_tiny_course(root, ASSIGNMENT)
    return root


def _answer_cell_index(path, grade_id: str) -> int:
    nb = nbformat.read(path, as_version=4)
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_learner_fetches_works_validates_and_submits(browser, course, tmp_path, request):
    ws = prepare_workspace(LEARNER, workspace=tmp_path / "workspace", course_root=course, fetch=False)
    server = start_lab(ws)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    steps = Steps(page, request.node.name)
    lab = Lab(page, server)
    try:
        # -- the lab opens on an empty workspace; the Assignment List offers the released workbook
        lab.open()
        steps.shot("lab-opened")
        lab.menu("Nbgrader", "Assignment List")
        released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.wait_for(timeout=30_000)
        steps.shot("assignment-list-released")
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.wait_for(timeout=30_000)
        steps.shot("assignment-fetched")
        assert (ws.root / ORIENTATION).is_file() and (ws.root / REPORTING).is_file()

        # -- orientation: runs top to bottom up to the first unanswered task; knows who the learner is
        lab.open_from_assignment_list(ASSIGNMENT, "00_orientation.ipynb")
        prompts = lab.run_all()
        steps.shot("orientation-run-all")
        index = _answer_cell_index(ws.root / ORIENTATION, ANSWER_GRADE_ID)
        assert re.fullmatch(r"\[\d+\]:", prompts[0]), prompts  # ran, then stopped at the unanswered task
        assert "NotImplementedError" in lab.notebook().locator(".jp-Cell").nth(index).inner_text()
        first_output = lab.notebook().locator(".jp-CodeCell").first.locator(".jp-OutputArea-output").inner_text()
        assert f"Learner: {LEARNER}" in first_output and f"'learner': '{LEARNER}'" in first_output

        # -- element 4: the KPI dashboard renders, and choosing a queue redraws its plot
        lab.open_from_assignment_list(ASSIGNMENT, "04_reporting.ipynb")
        prompts = lab.run_all()
        assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts
        assert not lab.errors(), lab.errors()
        dashboard = lab.notebook().locator(".ccw-kpi-dashboard")
        dashboard.scroll_into_view_if_needed()
        plot = dashboard.locator(".widget-output img").first
        plot.wait_for(timeout=30_000)
        before = plot.get_attribute("src")
        assert before and before.startswith("data:image/png;base64,")
        steps.shot("kpi-dashboard-all-queues")
        queue = dashboard.locator(".widget-dropdown select").first
        assert "faults" in queue.locator("option").all_inner_texts()
        queue.select_option(label="faults")
        page.wait_for_function(
            "([el, old]) => { const img = el.querySelector('.widget-output img'); return img && img.src !== old; }",
            arg=[dashboard.element_handle(), before], timeout=30_000)
        after = dashboard.locator(".widget-output img").first.get_attribute("src")
        assert after.startswith("data:image/png;base64,") and after != before
        assert "faults" in dashboard.inner_text()  # the plot title and the summary follow the queue
        steps.shot("kpi-dashboard-queue-faults")

        # -- answer the orientation task, save, validate with nbgrader's toolbar button
        lab.activate_tab("00_orientation.ipynb")
        lab.type_into_cell(index, ANSWER)
        lab.save()
        steps.shot("answer-typed-and-saved")
        saved = nbformat.read(ws.root / ORIENTATION, as_version=4)
        assert saved.cells[index].source == ANSWER
        lab.notebook().locator(".validate-button button, .validate-button jp-button").first.click()
        dialog = page.locator(".jp-Dialog", has_text="Validation Results")
        dialog.wait_for(timeout=120_000)
        steps.shot("validated")
        assert "Success! Your notebook passes all the tests." in dialog.inner_text()
        lab.close_dialog()

        # -- submit from the Assignment List; the submission lands in the course exchange's inbound
        lab.activate_tab("Assignments")
        page.locator("#refresh_assignments_list").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.get_by_role("button", name="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        steps.shot("submitted")
        waiting = submissions(course, ws.course_id)
        assert [(s["learner"], s["assignment"]) for s in waiting] == [(LEARNER, ASSIGNMENT)]
        kernels = server.remember_processes()
        assert kernels, "the notebooks' kernels should be running under the server"
    except BaseException:
        steps.shot("failure")
        raise
    finally:
        page.close()
        server.stop()
    assert not [pid for pid in kernels | {server.process.pid} if _alive(pid)]

    # -- the assessor's side: collect from the exchange, autograde; the typed answer earns its mark
    assert collect_submissions(course, ASSIGNMENT) == [(LEARNER, ASSIGNMENT)]
    submitted = course / "submitted" / LEARNER / ASSIGNMENT / "00_orientation.ipynb"
    assert nbformat.read(submitted, as_version=4).cells[index].source == ANSWER
    scores = autograde(course, ASSIGNMENT, LEARNER)
    assert scores[f"00_orientation:{ANSWER_TEST_ID}"] == (1.0, 1.0)


def _alive(pid: int) -> bool:
    from helpers.lab.server import alive

    return alive(pid)
