"""Every unit's workbook runs: the reference solutions score full marks on every autograded cell (checked by
``ccw course build``), and the release runs top to bottom before a learner writes anything.

How long a notebook takes is not asserted here (a loaded machine made it fail): see
benchmarks/bench_release_run.py."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from helpers.course.execute import SlicedNotebookClient

from helpers.course.build import build_course

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir() and list(p.glob("*.ipynb")))


@pytest.fixture(scope="module", params=UNITS)
def built(request, tmp_path_factory):
    unit = request.param
    course = tmp_path_factory.mktemp(f"course-{unit}")
    notebooks = tmp_path_factory.mktemp(f"notebooks-{unit}")
    shutil.copytree(ROOT / "notebooks" / unit, notebooks / unit)
    report = build_course(course, notebooks, workers=2, progress=False)  # raises on any problem
    return unit, course, report


def test_reference_solutions_score_full_marks_and_the_release_is_generated(built):
    unit, course, report = built
    released = sorted(p.name for p in (course / "release" / unit).glob("*.ipynb"))
    assert released == sorted(p.name for p in (ROOT / "notebooks" / unit).glob("*.ipynb"))
    from helpers import competency
    assert report.tags == len([t for t in competency.collect_tags(ROOT / "notebooks") if t.notebook.startswith(f"{unit}/")])
    assert report.solution_scores and all(score == full > 0 for score, full in report.solution_scores.values() if full)


def test_release_runs_top_to_bottom_before_anything_is_answered(built):
    unit, course, _ = built
    env_path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env_path])
    for path in sorted((course / "release" / unit).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and '"benchmark"' not in text
        # the cell timeout only stops a hang (seconds per cell); speed is measured by the benchmark
        SlicedNotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        errors = [(i, o.ename, o.evalue[:200]) for i, c in enumerate(nb.cells)
                  for o in c.get("outputs", []) if o.output_type == "error"]
        assert errors == [], f"{path.name}: {errors}"
        checks = [c for c in nb.cells if c.source.startswith("# Check")]
        if checks:  # every check cell says, politely, that its answer is still empty
            assert all("still empty" in "".join(o.get("text", "") for o in c.outputs) for c in checks), path.name
