"""A learner's day in the real tools: ``ccw lab`` in headless Chromium (Debian's), driven by Playwright.

Fetch the BSBCUE605 workbook from the Assignment List, run the orientation and the element 4
(reporting) notebooks, use the KPI dashboard widget, answer a task, validate with nbgrader's toolbar
button, submit from the Assignment List; then the assessor's side: collect from the exchange, grade
with ``ccw grade`` and find the learner in formgrader (``ccw lab --assessor``), open the marking page
(rubric, criteria and benchmark beside the written answers), release the feedback
with formgrader's Release Feedback, and the learner fetches it (Fetch Feedback). Screenshots of every step: test-artifacts/browser/<test name>/NN-step.png.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from browser_support import Lab, Steps, bsbcue605_workbook, grade_with_ccw, tiny_workbook  # noqa: F401 (see WORKBOOK)
from helpers.course.config import load_course
from helpers.course.grade import write_feedback
from helpers.lab import collect_submissions, prepare_assessor, prepare_workspace, start_lab, submissions
from helpers.lab.server import alive

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a minute or two: a real lab, kernels and a browser

LEARNER = "learner-07"
# The workbook the learner works in. bsbcue605_workbook() is the real one (built with `ccw course build`
# from notebooks/BSBCUE605/); tiny_workbook() a two-notebook stand-in built with nbgrader's API.
WORKBOOK = bsbcue605_workbook
PROMPT_RUN = re.compile(r"\[\d+\]:")


def _cell_index(path, grade_id: str) -> int:
    nb = nbformat.read(path, as_version=4)
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_learner_fetches_works_validates_submits_and_is_graded(browser, tmp_path, request):
    book = WORKBOOK()
    course = tmp_path / "course"
    book.build(course)
    dataset = None  # the learner's own, else the practice dataset (made on first use)
    if not book.uses_data:
        dataset = tmp_path / "no-data"
        dataset.mkdir()
    ws = prepare_workspace(LEARNER, workspace=tmp_path / "workspace", course_root=course, dataset=dataset,
                           fetch=False)
    server = start_lab(ws)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    steps = Steps(page, request.node.name)
    lab = Lab(page, server)
    kernels: set[int] = set()
    with steps.session(server):
        # -- the lab opens on an empty workspace; the Assignment List offers the released workbook
        lab.open()
        steps.shot("lab-opened")
        # a learner's Nbgrader menu: the Assignment List only (no formgrader, no course list)
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        items = page.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
        assert [i for i in items if i.strip()] == ["Assignment List"], items
        page.keyboard.press("Escape")
        lab.menu("Nbgrader", "Assignment List")
        released = page.locator("#released_assignments_list .list_item", has_text=book.assignment)
        released.wait_for(timeout=30_000)
        steps.shot("assignment-list-released")
        released.get_by_role("button", name="Fetch").click()
        page.locator("#fetched_assignments_list .list_item", has_text=book.assignment).first.wait_for(timeout=30_000)
        steps.shot("assignment-fetched")
        folder = ws.root / book.assignment
        assert (folder / book.orientation).is_file() and (folder / book.reporting).is_file()

        # -- orientation: runs from the top and knows whose workbook (and data) this is
        lab.open_from_assignment_list(book.assignment, book.orientation)
        prompts = lab.run_all()
        steps.shot("orientation-run-all")
        assert PROMPT_RUN.fullmatch(prompts[0]), prompts
        first_output = lab.notebook().locator(".jp-CodeCell").first.locator(".jp-OutputArea").text_content()
        assert re.search(rf"learner: {re.escape(LEARNER)}\b", first_output, re.I), first_output

        # -- element 4: runs top to bottom; the KPI dashboard renders and redraws its plot per queue
        lab.open_from_assignment_list(book.assignment, book.reporting)
        lab.run_all()
        # the released workbook runs top to bottom before anything is answered (checks say what is empty)
        assert lab.errors() == [], lab.errors()
        dashboard = lab.notebook().locator(".ccw-kpi-dashboard")
        dashboard.scroll_into_view_if_needed()
        plot = dashboard.locator(".widget-output img").first
        plot.wait_for(timeout=30_000)
        before = plot.get_attribute("src")
        assert before and before.startswith("data:image/png;base64,")
        steps.shot("kpi-dashboard-all-queues")
        queue = dashboard.locator(".widget-dropdown select").first
        options = queue.locator("option").all_inner_texts()
        chosen = options[1]  # the first queue after "All queues"
        queue.select_option(label=chosen)
        page.wait_for_function(
            "([el, old]) => { const img = el.querySelector('.widget-output img'); return img && img.src !== old; }",
            arg=[dashboard.element_handle(), before], timeout=60_000)
        after = dashboard.locator(".widget-output img").first.get_attribute("src")
        assert after.startswith("data:image/png;base64,") and after != before
        steps.shot("kpi-dashboard-one-queue")

        # -- answer a task, save, validate with nbgrader's toolbar button
        lab.activate_tab(book.answer_notebook)
        index = _cell_index(folder / book.answer_notebook, book.answer_grade_id)
        lab.type_into_cell(index, book.answer)
        check_index = _cell_index(folder / book.answer_notebook, book.check_grade_id)
        lab.run_cells(check_index - index + 1)  # the answer, then down to its check cell (formative feedback)
        check_output = lab.notebook().locator(".jp-Cell").nth(check_index).locator(".jp-OutputArea").text_content()
        assert "Error" not in check_output, check_output
        lab.save()
        steps.shot("answer-run-checked-and-saved")
        assert nbformat.read(folder / book.answer_notebook, as_version=4).cells[index].source == book.answer
        lab.notebook().locator(".validate-button jp-button, .validate-button button").first.click()
        dialog = page.locator(".jp-Dialog", has_text="Validation Results")
        dialog.wait_for(timeout=180_000)
        steps.shot("validated")
        verdict = dialog.inner_text()
        assert "error running the validate command" not in verdict, verdict
        # every test passes, or only tasks still unanswered are listed: never the one just answered
        assert "Success! Your notebook passes all the tests." in verdict or "failed" in verdict, verdict
        check = nbformat.read(folder / book.answer_notebook, as_version=4).cells[check_index]
        assert check.source.splitlines()[0] not in verdict, verdict
        lab.close_dialog()

        # -- submit from the Assignment List: the submission lands in the course exchange's inbound
        lab.activate_tab("Assignments")
        page.locator("#refresh_assignments_list").click()
        fetched = page.locator("#fetched_assignments_list > .list_item", has_text=book.assignment).first
        fetched.get_by_role("button", name="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text=book.assignment).first.wait_for(timeout=60_000)
        steps.shot("submitted")
        waiting = submissions(course, ws.course_id)
        assert [(s["learner"], s["assignment"]) for s in waiting] == [(LEARNER, book.assignment)]
        kernels = server.remember_processes()
        assert kernels, "the notebooks' kernels should be running under the server"
    assert not [pid for pid in kernels | {server.process.pid} if alive(pid)], "processes outlived the lab"

    # -- the assessor's side: collect from the exchange, then ccw grade; the typed answer earns its marks
    assert collect_submissions(course, book.assignment) == [(LEARNER, book.assignment)]
    submitted = course / "submitted" / LEARNER / book.assignment / book.answer_notebook
    assert nbformat.read(submitted, as_version=4).cells[index].source == book.answer
    scores = grade_with_ccw(course, LEARNER, ws.dataset)
    score, max_score = scores[f"{book.answer_notebook.removesuffix('.ipynb')}:{book.check_grade_id}"]
    assert max_score > 0 and score == max_score, scores

    # -- and formgrader (ccw lab --assessor) shows the graded submission
    assessor = start_lab(prepare_assessor(course_root=course, config_dir=tmp_path / "assessor" / ".jupyter"))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    steps.page = page
    with steps.session(assessor):
        page.goto(assessor.url)
        row = page.locator("tr", has_text=book.assignment).first
        row.wait_for(timeout=60_000)
        steps.shot("formgrader-assignments")
        assert page.url.startswith(assessor.base_url + "formgrader")
        page.goto(f"{assessor.base_url}formgrader/manage_students")
        learner_row = page.locator("tr", has_text=LEARNER).first
        learner_row.wait_for(timeout=60_000)
        steps.shot("formgrader-students")
        overall = re.search(r"([\d.]+) / ([\d.]+)", learner_row.inner_text())
        assert overall and float(overall.group(1)) >= max_score > 0, learner_row.inner_text()  # the answer's marks count

        # -- the marking page: under each written answer, its rubric (from the release) and, for the
        #    assessor only, the criteria and benchmark answer; widgets and tables render cleanly
        from nbgrader.api import Gradebook

        with Gradebook(load_course(course).db_url, course_id=ws.course_id) as gb:
            marked = gb.find_submission_notebook(book.answer_notebook.removesuffix(".ipynb"), book.assignment, LEARNER)
            submission_id = marked.id
        page.goto(f"{assessor.base_url}formgrader/submissions/{submission_id}/")
        page.get_by_text("For the assessor").first.wait_for(timeout=60_000)
        page.get_by_text("For the assessor").first.scroll_into_view_if_needed()
        steps.shot("formgrader-marking-page")
        body = page.content()
        assert "Benchmark answer:" in body and "How this answer is marked" in body, "assessor notes missing"
        assert "VBox(children" not in body

        # -- feedback pages (what `ccw grade` / `--feedback-only` writes), released with formgrader's button
        assert write_feedback(load_course(course), [(LEARNER, book.assignment)], workers=1, progress=False) > 0
        page.goto(f"{assessor.base_url}formgrader/manage_assignments")
        row = page.locator("tr", has_text=book.assignment).first
        row.locator(".release-feedback a").click()
        page.locator("#success-modal", has_text="Successfully released feedback").wait_for(timeout=60_000)
        steps.shot("formgrader-feedback-released")
    assert list((course / "exchange" / ws.course_id / "feedback").glob("*.html"))

    # -- the learner's Fetch Feedback (Assignment List, submitted assignments) brings the pages home
    server = start_lab(ws)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    steps.page = page
    lab = Lab(page, server)
    feedback = ws.root / book.assignment / "feedback"
    with steps.session(server):
        lab.open()
        lab.menu("Nbgrader", "Assignment List")
        item = page.locator("#submitted_assignments_list .list_item", has_text=book.assignment).first
        item.wait_for(timeout=30_000)
        item.get_by_role("button", name="Fetch Feedback").click()
        for _ in range(120):
            if list(feedback.glob("*/*.html")):
                break
            page.wait_for_timeout(500)
        steps.shot("feedback-fetched")
    fetched = sorted(p.name for p in feedback.glob("*/*.html"))
    written = sorted(p.name for p in (course / "feedback" / LEARNER / book.assignment).glob("*.html"))
    assert fetched and fetched == written, (fetched, written)
    page_text = (next(feedback.glob(f"*/{book.answer_notebook.removesuffix('.ipynb')}.html"))).read_text()
    assert "HIDDEN TESTS" not in page_text and "VBox(children" not in page_text
