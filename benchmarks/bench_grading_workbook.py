"""Grading the real BSBCUE605 workbook: our cost per notebook against nbgrader's own, in one run.

    .venv/bin/python benchmarks/bench_grading_workbook.py [--out DIR] [--json FILE]

Set-up: the demo's cohort (``helpers.demo.pipeline``): four learners (exemplary, blank, partial,
copier), each with their own generated dataset, submit the BSBCUE605 notebooks.
Then, on copies of that course, each figure per notebook:

* **floor**: start a kernel and run the exemplary learner's notebooks once (plain kernel, no grading);
* **nbgrader autograde**: nbgrader's own ``autograde`` (its API, in this process, one learner at a
  time with that learner's ``CCW_LEARNER``/``CCW_DATASET``), serial;
* **ccw grade, 1 worker**: sandboxed, trusted checks, kernels forked from a per-learner zygote;
* **ccw grade, 1 worker, no prefork**: the same with a fresh Python per notebook (``c.CCWGrade.prefork``);
* **ccw grade, 2 workers**.

Targets (issue "Speed and scale"): ccw at most 0.5 x nbgrader per notebook on one worker, and two
workers at least 1.9 x one. The machine's load average is printed with the figures: other jobs only
ever slow a run down.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from figures import report

from helpers.course.build import build_course
from helpers.course.config import default_notebooks_root
from helpers.demo.pipeline import LEARNERS, _data, _submissions
from helpers.course.execute import Limits, execute_notebook
from helpers.course.grade import grade
from helpers.course.submissions import import_submissions
from helpers.course.variants import SECRET_FILE, course_secret, kernel_env

SECRET = "b3nch" * 12 + "abcd"


def _setup(pristine: Path) -> int:
    """Course, each learner's dataset and their submissions (as the demo makes them); returns notebooks."""
    root = pristine / "course"
    root.mkdir(parents=True)
    (root / SECRET_FILE).write_text(SECRET + "\n")
    shutil.copytree(default_notebooks_root(), pristine / "notebooks")
    datasets, practice = _data("project", pristine / "datasets", root, course_secret(root))
    build_course(root, pristine / "notebooks", dataset=practice, workers=2, progress=False)
    _submissions(root, datasets, pristine / "submissions")
    imported = import_submissions(pristine / "submissions", root / "submitted", root / "release")
    return imported.notebooks


def _fresh(base: Path, name: str) -> Path:
    copy = base / name
    shutil.copytree(base / "pristine", copy, symlinks=True)
    for folder in ("autograded", "feedback"):
        shutil.rmtree(copy / "course" / folder, ignore_errors=True)
    return copy


def _ccw(copy: Path, workers: int, n: int, prefork: bool = True) -> float:
    if not prefork:
        with open(copy / "course" / "nbgrader_config.py", "a", encoding="utf-8") as cfg:
            cfg.write("\nc.CCWGrade.prefork = False\n")
    start = time.perf_counter()
    run = grade(copy / "course", copy / "notebooks", datasets=copy / "datasets" / "learners", workers=workers,
                feedback=False, reports_dir=copy / "reports", progress=False)
    elapsed = time.perf_counter() - start
    assert run.errors == 0 and run.graded == n, run
    return elapsed


def _nbgrader(copy: Path) -> float:
    """nbgrader's own autograde of the same submissions (its Python API; per learner, that learner's data)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from helpers.course.gradebook import quiet_nbgrader

    quiet_nbgrader()
    root = copy / "course"
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.merge(Config({"CourseDirectory": {"root": str(root)}}))
    api = NbGraderAPI(config=config)
    start = time.perf_counter()
    for learner in LEARNERS:
        os.environ.update(kernel_env(learner, copy / "datasets" / "learners" / learner))
        result = api.autograde("BSBCUE605", learner, force=True, create=True)
        assert result["success"], result.get("log", "")[-2000:]
    elapsed = time.perf_counter() - start
    for key in ("CCW_LEARNER", "CCW_DATASET"):
        os.environ.pop(key, None)
    return elapsed


def _floor(copy: Path) -> float:
    """Start a kernel and run each of the exemplary learner's notebooks once (no grading at all)."""
    folder = copy / "course" / "submitted" / "exemplary" / "BSBCUE605"
    env = {**os.environ, **kernel_env("exemplary", copy / "datasets" / "learners" / "exemplary")}
    start = time.perf_counter()
    paths = sorted(folder.glob("*.ipynb"))
    for path in paths:
        execute_notebook(nbformat.read(path, as_version=4), env=env, cwd=str(folder), limits=Limits())
    return (time.perf_counter() - start) / len(paths)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    base = args.out or Path(tempfile.mkdtemp(prefix="ccw-bench-wb-"))
    try:
        n = _setup(base / "pristine")
        load = os.getloadavg()[0]
        floor = _floor(_fresh(base, "floor"))
        nbg = _nbgrader(_fresh(base, "nbgrader")) / n
        one = _ccw(_fresh(base, "ccw1"), 1, n) / n
        plain = _ccw(_fresh(base, "ccw1-plain"), 1, n, prefork=False) / n
        two = _ccw(_fresh(base, "ccw2"), 2, n) / n
        figures = {
            "cpus": os.cpu_count(), "load_average_at_start": round(load, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2), "notebooks": n,
            "floor_kernel_plus_run_s": round(floor, 3),
            "nbgrader_autograde_per_notebook_s": round(nbg, 3),
            "ccw_1_worker_per_notebook_s": round(one, 3),
            "ccw_1_worker_no_prefork_per_notebook_s": round(plain, 3),
            "ccw_2_workers_per_notebook_s": round(two, 3),
            "ccw_vs_nbgrader": round(one / nbg, 3),
            "ccw_vs_floor": round(one / floor, 3),
            "speedup_2_vs_1": round(one / two, 3),
        }
    finally:
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)
    report(figures, args.json)
    ok = figures["ccw_vs_nbgrader"] <= 0.5 and figures["speedup_2_vs_1"] >= 1.9
    print("targets met" if ok else "targets NOT met (ccw <= 0.5 x nbgrader, 2 workers >= 1.9 x 1)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
