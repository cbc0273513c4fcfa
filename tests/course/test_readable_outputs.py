"""Feedback pages and formgrader show widgets and tables cleanly: no raw ``VBox(...)`` repr, and
table cells with padding so headers do not run together."""
from __future__ import annotations

import pandas as pd
from nbformat.v4 import new_code_cell, new_notebook, new_output

from browser_support import build_tiny_course
from helpers.course.feedback import WIDGET_NOTE, readable_outputs
from helpers.findings import Finding, Findings
from helpers.lab import prepare_assessor

VBOX = "VBox(children=(HBox(children=(Dropdown(description='Queue', options=('all', 'billing')),)),))"


def _notebook():
    widget = new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": VBOX})
    frame = pd.DataFrame({"queue": ["billing"], "service_level": [0.81]})
    table = new_output("execute_result", data={"text/html": frame.to_html(), "text/plain": str(frame)},
                       execution_count=1)
    findings = new_output("display_data", data={"text/html": Findings([Finding.ok("4.2", "right")])._repr_html_()})
    return new_notebook(cells=[new_code_cell("dashboard", outputs=[widget]),
                               new_code_cell("frame", outputs=[table], execution_count=1),
                               new_code_cell("check", outputs=[findings])])


def test_widgets_become_a_note_and_tables_get_padding():
    nb = _notebook()
    assert readable_outputs(nb) == 3  # the widget, the DataFrame and the Findings table
    widget = nb.cells[0].outputs[0]["data"]
    assert widget["text/html"] == WIDGET_NOTE and "VBox" not in str(widget)
    assert 'class="ccw-out"' in nb.cells[1].outputs[0]["data"]["text/html"]
    assert "padding:3px 8px" in nb.cells[2].outputs[0]["data"]["text/html"]
    assert readable_outputs(nb) == 0  # idempotent


def test_formgrader_exporter_uses_it_through_the_assessors_config(tmp_path):
    """formgrader renders submissions with HTMLExporter(config=<its nbgrader config>)."""
    from nbconvert.exporters import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    course = build_tiny_course(tmp_path / "course", "BSBCUE605").parents[1]
    ws = prepare_assessor(course_root=course, config_dir=tmp_path / "assessor" / ".jupyter")
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ws.config_dir)).load_config()
    html, _ = HTMLExporter(config=cfg).from_notebook_node(_notebook())
    assert "VBox(children" not in html and "An interactive widget was shown here" in html
    assert ".ccw-out th" in html


def test_formgrader_marking_page_shows_criteria_and_benchmark_but_feedback_never_does(tmp_path):
    from nbconvert.exporters import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    from course_support import NOTEBOOKS, new_course
    from helpers.course.formgrade import AssessorNotes
    from helpers.course.notebooks import is_manual, nbg

    course = new_course(tmp_path, check_solutions=False)
    ws = prepare_assessor(course_root=course.root, config_dir=tmp_path / "assessor" / ".jupyter")
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ws.config_dir)).load_config()
    assert cfg.HTMLExporter.preprocessors == ["helpers.course.formgrade.AssessorNotes"]
    name = next(n for n in NOTEBOOKS if any(is_manual(c) and c.metadata.get("benchmark")
                                            for c in course.source(n).cells))
    written = [c for c in course.source(name).cells if is_manual(c) and c.metadata.get("benchmark")]
    resources = {"assignment_id": "BSBCUE605", "notebook_id": name}

    marking = HTMLExporter(config=cfg)
    marking.template_name = "formgrade"  # what formgrader's exporter renders
    nb, _ = AssessorNotes(parent=marking).preprocess(course.release(name), dict(resources))
    for source in written:
        gid = nbg(source)["grade_id"]
        index = next(i for i, c in enumerate(nb.cells) if nbg(c).get("grade_id") == gid)
        note = nb.cells[index + 1]
        assert note.metadata["ccw"] == {"assessor_note_for": gid}
        assert "For the assessor" in note.source and "Benchmark answer:" in note.source
        assert note.source.startswith("> **For the assessor** · Assesses ")
        last_line = source.metadata["benchmark"].strip().split("\n")[-1]
        assert last_line in note.source  # the whole benchmark, to its last line
        assert all(line.startswith(">") for line in note.source.split("\n"))  # one block quote

    feedback = HTMLExporter(config=cfg)
    feedback.template_name = "feedback"
    nb, _ = AssessorNotes(parent=feedback).preprocess(course.release(name), dict(resources))
    assert not any("For the assessor" in c.source for c in nb.cells)
