"""Benchmark of ``ccw grade``: cost per submission, parallel speed-up, gradebook integrity.

    .venv/bin/python benchmarks/bench_grading.py [--learners 8] [--json benchmarks/results/grading.json]

Measures, on the sample workbook (two notebooks) with one exemplary submission per learner:

* **baseline**: start a kernel and run the reference (source) notebook, sequentially, per notebook;
* **nbgrader's own autograde** of the same submissions, serial, with each autograded cell's trusted check as
  a hidden test in the learner's kernel (``nbgrader_baseline``), and ``ccw_vs_nbgrader``, ccw's one-worker
  time over nbgrader's, measured in the same run (target <= 0.5);
* **autograding cost per submission** with 1 worker (the whole ``grade()`` call without feedback,
  divided by the number of notebooks: import, template, execution, scoring, gradebook writes,
  autograded files) and its ratio to the baseline (target <= 1.5);
* **speed-up** of 2 workers over 1 on identical copies of the course (target >= 1.7 on 2 cores);
  runs alternate 1 and 2 workers ``--rounds`` times and keep each one's fastest (other processes on
  the machine only ever slow a run down); the load average is reported with the figures;
* **gradebook intact**: both runs give identical scores, one row per learner and graded cell,
  every exemplary autograded cell at full marks;
* feedback rendering cost per notebook (2 workers);
* **what the sandbox costs**: the same 1-worker run with ``sandbox=False`` (``--no-sandbox``),
  alternated with the others, and the ratio of the two.

Figures and the 2,000-learner estimate are written up in docs/grading.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import nbgrader_baseline
from figures import report

from helpers.demo import cohort, sample
from helpers.course.build import build_course
from helpers.course.config import load_course
from helpers.course.execute import Limits, execute_notebook
from helpers.course.grade import grade, submitted_pairs, write_feedback
from helpers.course.submissions import import_submissions
from helpers.course.gradebook import grades_frame
from helpers.course.variants import SECRET_FILE, kernel_env, learner_seed

SECRET = "b3nch" * 12 + "abcd"


def _setup(base: Path, learners: list[str]) -> tuple[Path, Path, Path, Path]:
    """Sample course, one dataset and one exemplary submission (both notebooks) per learner."""
    notebooks, root, datasets, subs = base / "notebooks", base / "course", base / "datasets", base / "subs"
    sample.write_sample_notebooks(notebooks)
    root.mkdir(parents=True)
    (root / SECRET_FILE).write_text(SECRET + "\n")
    for learner in learners:
        sample.write_sample_dataset(datasets / learner, learner_seed(SECRET, learner))
    build_course(root, notebooks, check_solutions=False, progress=False)
    for path in sorted((root / "release" / sample.UNIT).glob("*.ipynb")):
        release = nbformat.read(path, as_version=4)
        source = nbformat.read(root / "source" / sample.UNIT / path.name, as_version=4)
        for learner in learners:
            cohort.write_submission(cohort.exemplary(release, source), subs / learner / sample.UNIT, path.stem)
    return notebooks, root, datasets, subs


def baseline(root: Path, datasets: Path, learner: str, reps: int) -> float:
    """Mean seconds to start a kernel and run one reference notebook (sequential)."""
    times = []
    for path in sorted((root / "source" / sample.UNIT).glob("*.ipynb")):
        for _ in range(reps):
            nb = nbformat.read(path, as_version=4)
            env = {**os.environ, **kernel_env(learner, datasets / learner)}
            start = time.perf_counter()
            run = execute_notebook(nb, env=env, cwd=str(path.parent), limits=Limits())
            times.append(time.perf_counter() - start)
            assert not run.notes, run.notes
    return statistics.mean(times)


def timed_grade(root: Path, notebooks: Path, subs: Path, datasets: Path, workers: int, reports: Path,
                sandbox: bool = True) -> float:
    start = time.perf_counter()
    run = grade(root, notebooks, submissions=subs, datasets=datasets, workers=workers, feedback=False,
                reports_dir=reports, progress=False, sandbox=sandbox)
    elapsed = time.perf_counter() - start
    assert run.errors == 0 and run.unreadable == 0 and run.missing == 0, run
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=8, help="learners (each submits 2 notebooks)")
    parser.add_argument("--reps", type=int, default=3, help="baseline repetitions per notebook")
    parser.add_argument("--rounds", type=int, default=2, help="alternating 1-/2-worker rounds (fastest kept)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    learners = [f"learner{i:03d}" for i in range(args.learners)]
    base = Path(tempfile.mkdtemp(prefix="ccw-bench-"))
    try:
        pristine = base / "pristine"
        _setup(pristine, learners)
        n = len(learners) * len(sample.NOTEBOOKS)
        load_before = os.getloadavg()[0]
        base_s = baseline(pristine / "course", pristine / "datasets", learners[0], args.reps)
        times: dict[int, list[float]] = {1: [], 2: []}
        unsandboxed: list[float] = []
        frames = {}
        for rnd in range(args.rounds):
            plain = base / f"plain-r{rnd}"  # the same work without the sandbox: what the sandbox costs
            shutil.copytree(pristine, plain, symlinks=True)
            unsandboxed.append(timed_grade(plain / "course", plain / "notebooks", plain / "subs", plain / "datasets",
                                           1, plain / "reports", sandbox=False))
            for workers in (1, 2):
                copy = base / f"w{workers}-r{rnd}"
                shutil.copytree(pristine, copy, symlinks=True)
                times[workers].append(timed_grade(copy / "course", copy / "notebooks", copy / "subs",
                                                  copy / "datasets", workers, copy / "reports"))
                frames[workers] = grades_frame(load_course(copy / "course", copy / "notebooks").db_url,
                                               "contact-centre-workbooks")
        nbg = base / "nbgrader"  # nbgrader's own autograde of the same submissions, hidden tests, same run
        shutil.copytree(pristine, nbg, symlinks=True)
        import_submissions(nbg / "subs", nbg / "course" / "submitted", nbg / "course" / "release")
        start = time.perf_counter()
        nbgrader_baseline.autograde(nbg / "course", learners, lambda learner: nbg / "datasets" / learner, True)
        nbgrader_s = time.perf_counter() - start
        t1, t2 = min(times[1]), min(times[2])
        g1, g2 = frames[1], frames[2]
        root2, twin = copy / "course", copy
        cols = ["learner", "assignment", "notebook", "cell", "kind", "auto_score", "score", "max_score", "status"]
        auto = g1[g1["kind"] == "autograded"]
        cells_per_learner = sum(1 for nb in sample.NOTEBOOKS for c in nbformat.read(
            pristine / "course" / "source" / sample.UNIT / f"{nb}.ipynb", as_version=4).cells
            if c.metadata.get("nbgrader", {}).get("grade"))
        intact = bool(g1[cols].equals(g2[cols]) and not g1.duplicated(["learner", "notebook", "cell"]).any()
                      and len(g1) == len(learners) * cells_per_learner
                      and (auto["score"] == auto["max_score"]).all())
        course2 = load_course(root2, twin / "notebooks")
        start = time.perf_counter()
        pages = write_feedback(course2, submitted_pairs(course2), workers=2, progress=False)
        feedback_s = (time.perf_counter() - start) / pages
        figures = {
            "cpus": os.cpu_count(), "load_average_at_start": round(load_before, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2), "learners": len(learners), "notebooks": n,
            "baseline_kernel_plus_reference_s": round(base_s, 3),
            "grade_1_worker_s": round(t1, 2), "grade_2_workers_s": round(t2, 2),
            "grade_runs_s": {str(k): [round(v, 2) for v in vs] for k, vs in times.items()},
            "per_submission_1_worker_s": round(t1 / n, 3),
            "per_submission_1_worker_no_sandbox_s": round(min(unsandboxed) / n, 3),
            "sandbox_cost_ratio": round(t1 / min(unsandboxed), 3),
            "cost_ratio_vs_baseline": round(t1 / n / base_s, 3),
            "per_submission_nbgrader_hidden_tests_s": round(nbgrader_s / n, 3),
            "ccw_vs_nbgrader": round(t1 / nbgrader_s, 3),
            "speedup_2_vs_1": round(t1 / t2, 3),
            "per_submission_2_workers_s": round(t2 / n, 3),
            "feedback_per_notebook_2_workers_s": round(feedback_s, 3),
            "gradebook_intact": intact,
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)
    report(figures, args.json)
    ok = figures["cost_ratio_vs_baseline"] <= 1.5 and figures["speedup_2_vs_1"] >= 1.7 and intact
    print("targets met" if ok else "targets NOT met (cost ratio <= 1.5, speed-up >= 1.7, gradebook intact)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
