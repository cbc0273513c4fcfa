"""Grading the real workbooks: our cost per notebook against nbgrader's own, in one run.

    .venv/bin/python benchmarks/bench_grading_workbook.py [--repeat N] [--scaling] [--out DIR] [--json FILE]

Set-up: the demo's cohort (``helpers.demo.pipeline``): four learners (exemplary, blank, partial,
copier), each with their own generated dataset, submit the notebooks of every workbook (BSBCUE605
and BSBCUE602). Then, on copies of that course, each figure per notebook:

* **floor**: start a kernel and run the exemplary learner's notebooks once (plain kernel, no grading);
* **nbgrader autograde, hidden tests**: nbgrader grading the way it is designed to, our trusted checks
  written into the gradebook's source cells as hidden tests (as ``generate_assignment`` stores them),
  so ``autograde`` restores them into each check cell and they run in the learner's kernel on the
  learner's live answers and data; serial, one learner at a time with that learner's
  ``CCW_LEARNER``/``CCW_DATASET``. The same grading work as ccw, nbgrader's way;
* **nbgrader autograde, run only**: the same without hidden tests (it runs the notebooks and awards
  the formative check cells that do not raise: no grading, a lower bound);
* **ccw grade, 1 worker**: sandboxed, trusted checks, kernels forked from a per-learner zygote;
* **ccw grade, 1 worker, no prefork**: the same with a fresh Python per notebook (``c.CCWGrade.prefork``);
* **ccw grade, 2 workers**.

Targets (issue "Speed and scale"): ccw at most 0.5 x nbgrader (hidden tests) per notebook on one
worker, and two workers at least 1.9 x one. Before each repeat the machine's own ceiling for two processes is
measured (:func:`machine_ceiling`: the same pure-Python, and array, work alone and two at once): on a machine
whose two CPUs slow each other down, no two-worker figure can reach 1.9 x, so the speed-up is also printed as
a share of that ceiling.

Noise: on a shared virtual machine the host takes CPU time from this one at will (``steal`` in
``/proc/stat``: 10% on average, in bursts, on the machine these figures were first taken on), and a
burst during one run and not another moves a ratio by more than the gap to its target. So with
``--repeat N`` (default 3) every run is made N times, *interleaved* (nbgrader, ccw, ccw 2 workers, then
again; the two runs that are context, not targets, once), and each figure is the median of its runs;
every run's wall time and the share of the machine's CPU time stolen during it are printed too, so a
reader sees the spread, not only the middle.
The machine's load average is printed with the figures: other jobs only ever slow a run down.
"""
from __future__ import annotations

import argparse
import atexit
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import nbgrader_baseline
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


class CpuMeter:
    """CPU seconds used by this process and everything it starts, sandboxed kernels included.

    Where this process may make a cgroup (root, cgroup v1 ``cpuacct`` or v2), it moves itself into a
    new one and reads the cgroup's counter: every descendant is counted, whatever else the machine is
    doing, so the figure is the run's own cost on a shared machine, which wall time is not. Elsewhere it
    falls back to ``getrusage`` of itself and its waited-for children, which misses processes reaped
    inside a sandbox's PID namespace (``method`` says which)."""

    def __init__(self):
        self.method, self._read = "getrusage (sandboxed kernels not counted)", self._rusage
        for make in (self._cgroup_v1, self._cgroup_v2):
            try:
                self._read, self.method = make()
                break
            except OSError:
                continue

    def seconds(self) -> float:
        return self._read()

    @staticmethod
    def _rusage() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    @staticmethod
    def _join(top: str) -> Path:
        """A new cgroup under ``top`` holding this process (its children follow); left and removed at exit."""
        group = Path(top) / f"ccw-bench-{os.getpid()}"
        group.mkdir()
        (group / "cgroup.procs").write_text(str(os.getpid()))

        def leave() -> None:
            try:
                (group.parent / "cgroup.procs").write_text(str(os.getpid()))
                group.rmdir()
            except OSError:  # a straggler still in it: the empty group goes when the machine restarts
                pass
        atexit.register(leave)
        return group

    @staticmethod
    def _cgroup_v1():
        usage = CpuMeter._join("/sys/fs/cgroup/cpuacct") / "cpuacct.usage"
        return (lambda: int(usage.read_text()) / 1e9), "cgroup v1 cpuacct"

    @staticmethod
    def _cgroup_v2():
        stat = CpuMeter._join("/sys/fs/cgroup") / "cpu.stat"

        def read() -> float:
            fields = dict(line.split() for line in stat.read_text().splitlines())
            return int(fields["usage_usec"]) / 1e6
        return read, "cgroup v2 cpu.stat"


METER: CpuMeter | None = None


def _cpu() -> float:
    global METER
    METER = METER or CpuMeter()
    return METER.seconds()


def _stolen() -> float:
    """CPU seconds the hypervisor has taken from this machine since boot, all CPUs (``steal`` in /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def timed(fn, *args, **kwargs) -> tuple[float, float, float]:
    """(wall s, CPU s, share of the machine's CPU time stolen by the host) of ``fn(*args, **kwargs)``."""
    wall, cpu, stolen = time.perf_counter(), _cpu(), _stolen()
    fn(*args, **kwargs)
    wall = time.perf_counter() - wall
    return wall, _cpu() - cpu, (_stolen() - stolen) / (wall * (os.cpu_count() or 1))


def _fresh(base: Path, name: str) -> Path:
    copy = base / name
    shutil.copytree(base / "pristine", copy, symlinks=True)
    for folder in ("autograded", "feedback"):
        shutil.rmtree(copy / "course" / folder, ignore_errors=True)
    return copy


def _ccw(copy: Path, workers: int, n: int, prefork: bool = True) -> None:
    if not prefork:
        with open(copy / "course" / "nbgrader_config.py", "a", encoding="utf-8") as cfg:
            cfg.write("\nc.CCWGrade.prefork = False\n")
    run = grade(copy / "course", copy / "notebooks", datasets=copy / "datasets" / "learners", workers=workers,
                feedback=False, reports_dir=copy / "reports", progress=False)
    assert run.errors == 0 and run.graded == n, run


def _nbgrader(copy: Path, hidden_tests: bool) -> None:
    """nbgrader's own autograde of the same submissions, every assignment, each learner with their data."""
    nbgrader_baseline.autograde(copy / "course", LEARNERS, lambda learner: copy / "datasets" / "learners" / learner,
                                hidden_tests)


def _scores(copy: Path) -> dict[str, float]:
    """Each learner's autograded score over every assignment, from the copy's gradebook."""
    from helpers.course.config import load_course
    from helpers.course.gradebook import open_gradebook

    course = load_course(copy / "course")
    gb = open_gradebook(course.db_url, course.course_id)
    try:
        return {s.id: round(sum(sub.score for sub in s.submissions), 2) for s in gb.students}
    finally:
        gb.close()


def _floor(copy: Path) -> int:
    """Start a kernel and run each of the exemplary learner's notebooks, every assignment, once (no grading)."""
    learner = copy / "course" / "submitted" / "exemplary"
    env = {**os.environ, **kernel_env("exemplary", copy / "datasets" / "learners" / "exemplary")}
    paths = sorted(learner.glob("*/*.ipynb"))
    for path in paths:
        execute_notebook(nbformat.read(path, as_version=4), env=env, cwd=str(path.parent), limits=Limits())
    return len(paths)


def _interpreter_work(_=None) -> float:
    """Seconds for a fixed piece of pure-Python work (grading is mostly interpreter time)."""
    started = time.perf_counter()
    total = 0
    for i in range(8_000_000):
        total += i * i % 7
    return time.perf_counter() - started


def _memory_work(_=None) -> float:
    """Seconds for a fixed piece of array arithmetic over 64 MB (memory-bound: pandas, numpy)."""
    import numpy as np

    started = time.perf_counter()
    a = np.linspace(0.0, 1.0, 8_000_000)
    for _ in range(30):
        a = a * 1.0001 + 1.0
    return time.perf_counter() - started


def machine_ceiling(rounds: int = 3) -> dict[str, float]:
    """What two processes gain over one on this machine for perfectly parallel work, measured now.

    The same work alone, then twice at once in two processes, ``rounds`` times alternately:
    ``2 x median(alone) / median(both at once)``. 2.0 on a machine whose two CPUs do not slow each other
    down; less where they share a physical core, caches, memory bandwidth or a busy host. No grading run on
    two workers can beat it, so the 2-worker speed-up is printed against it too."""
    import multiprocessing

    out = {}
    ctx = multiprocessing.get_context("fork")
    for name, work in (("interpreter", _interpreter_work), ("memory", _memory_work)):
        alone, both = [], []
        with ctx.Pool(2) as pool:
            for _ in range(rounds):
                alone.append(pool.apply(work))
                started = time.perf_counter()
                pool.map(work, [0, 1], chunksize=1)
                both.append(time.perf_counter() - started)
        out[name] = round(2 * statistics.median(alone) / statistics.median(both), 3)
    return out


ONCE = ("nbgrader_run_only", "ccw_1_worker_no_prefork")  # context, not targets: run in the first repeat only


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--scaling", action="store_true",
                        help="only ccw with 1 and 2 workers (the 2-worker target; a quiet machine's few minutes)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each kind, interleaved; each figure is their median (default 3)")
    args = parser.parse_args(argv)
    base = args.out or Path(tempfile.mkdtemp(prefix="ccw-bench-wb-"))
    try:
        _cpu()  # join the accounting group before anything starts
        n = _setup(base / "pristine")
        load = os.getloadavg()[0]
        plan = [("ccw_1_worker", _ccw, (1, n)), ("ccw_2_workers", _ccw, (2, n))]
        if not args.scaling:
            plan = [("nbgrader_hidden_tests", _nbgrader, (True,)), ("nbgrader_run_only", _nbgrader, (False,)),
                    plan[0], ("ccw_1_worker_no_prefork", _ccw, (1, n, False)), plan[1]]
        runs: dict[str, list[tuple[float, float, float]]] = {}  # name -> (wall s, CPU s, stolen share) per run
        ceilings: list[dict[str, float]] = []
        for rep in range(max(1, args.repeat)):
            ceilings.append(machine_ceiling())  # each repeat: the host's contention comes and goes
            if not args.scaling:
                copy = _fresh(base, f"floor_{rep}")
                floor_n = len(list((copy / "course" / "submitted" / "exemplary").glob("*/*.ipynb")))
                wall, cpu, stolen = timed(_floor, copy)
                runs.setdefault("floor", []).append((wall / floor_n, cpu / floor_n, stolen))
                shutil.rmtree(copy, ignore_errors=True)
            for name, fn, call in plan:
                if rep and name in ONCE:
                    continue
                copy = _fresh(base, f"{name}_{rep}")
                wall, cpu, stolen = timed(fn, copy, *call)
                runs.setdefault(name, []).append((wall / n, cpu / n, stolen))
                if rep < args.repeat - 1 and name not in ONCE:  # the last run of each kind is kept for the scores
                    shutil.rmtree(copy, ignore_errors=True)
        figures = {"cpus": os.cpu_count(), "cpu_measured_with": METER.method, "repeat": args.repeat,
                   "load_average_at_start": round(load, 2),
                   "load_average_at_end": round(os.getloadavg()[0], 2), "notebooks": n}
        median = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
                  for name, rs in runs.items()}
        for name, rs in runs.items():
            figures[f"{name}_wall_s_per_notebook"] = round(median[name][0], 3)
            figures[f"{name}_cpu_s_per_notebook"] = round(median[name][1], 3)
            figures[f"{name}_runs_wall_s_per_notebook"] = [round(r[0], 3) for r in rs]
            figures[f"{name}_runs_cpu_s_per_notebook"] = [round(r[1], 3) for r in rs]
            figures[f"{name}_runs_cpu_stolen_by_host"] = [f"{r[2]:.0%}" for r in rs]
        one = median["ccw_1_worker"]
        last = f"_{args.repeat - 1}"
        if not args.scaling:
            nbg = median["nbgrader_hidden_tests"]
            figures.update({
                "ccw_vs_nbgrader_wall": round(one[0] / nbg[0], 3),
                "ccw_vs_nbgrader_cpu": round(one[1] / nbg[1], 3),
                "ccw_vs_nbgrader_run_only_wall": round(one[0] / median["nbgrader_run_only"][0], 3),
                "ccw_vs_floor_wall": round(one[0] / median["floor"][0], 3),
                "autograded_scores_ccw": _scores(base / f"ccw_1_worker{last}"),
                "autograded_scores_nbgrader_hidden_tests": _scores(base / f"nbgrader_hidden_tests{last}"),
            })
        # one worker keeping more than one core busy would cap what two workers can gain on two cores
        per_repeat = [a[0] / b[0] for a, b in zip(runs["ccw_1_worker"], runs["ccw_2_workers"])]
        figures.update({"cores_used_by_1_worker": round(one[1] / one[0], 2),
                        "speedup_2_vs_1": round(one[0] / median["ccw_2_workers"][0], 3),
                        "speedup_2_vs_1_per_repeat": [round(x, 3) for x in per_repeat],
                        "machine_ceiling_2_vs_1_per_repeat": ceilings,
                        "speedup_2_vs_1_share_of_interpreter_ceiling": round(statistics.median(
                            x / c["interpreter"] for x, c in zip(per_repeat, ceilings)), 3)})
    finally:
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)
    report(figures, args.json)
    if args.scaling:
        return 0 if figures["speedup_2_vs_1"] >= 1.9 else 1
    ok = figures["ccw_vs_nbgrader_wall"] <= 0.5 and figures["speedup_2_vs_1"] >= 1.9
    print("targets met" if ok else "targets NOT met (ccw <= 0.5 x nbgrader, 2 workers >= 1.9 x 1)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
