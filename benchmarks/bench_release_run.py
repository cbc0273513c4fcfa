"""How long each workbook notebook of every unit takes to run top to bottom in a fresh kernel on the
practice dataset: the *release* before anything is answered (a learner's first Run All) and the
*reference* (the source notebook with its solutions: what a learner who has done every task waits for;
issue 15 asks for under 20 s per notebook).

tests/units/test_workbook_runs.py checks that both run without errors; timing assertions failed on a loaded
machine, so the figures live here.

Run: .venv/bin/python benchmarks/bench_release_run.py [--repeats N] [--notebooks DIR] [--unit CODE] [--json F]

Prints, per notebook, the median wall seconds of N runs, from starting the kernel to the last cell,
and the slowest reference run.
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
from helpers.course.execute import SlicedNotebookClient

from helpers.course.build import build_course
from helpers.paths import project_root

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import report  # noqa: E402


def run_once(path: Path) -> tuple[float, int]:
    """(wall seconds, cells that raised) for one top-to-bottom run of ``path`` in a fresh kernel."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    SlicedNotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    errors = sum(1 for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")
    return seconds, errors


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--notebooks", type=Path, default=project_root() / "notebooks",
                        help="source notebooks folder (default notebooks/)")
    parser.add_argument("--unit", action="append", help="only this unit (repeatable; default: every unit folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    units = args.unit or sorted(p.name for p in args.notebooks.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    # kernels run as bare `python`: this interpreter first, as ccw lab does
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="ccw-bench-release-") as tmp:
        course, sources = Path(tmp) / "course", Path(tmp) / "notebooks"
        for unit in units:
            shutil.copytree(args.notebooks / unit, sources / unit)
        t0 = time.perf_counter()
        build_course(course, sources, assignments=units, check_solutions=False, progress=False)
        figures["course build (release only), s"] = round(time.perf_counter() - t0, 1)
        slowest = 0.0
        for unit in units:
            for kind, folder in (("release", course / "release" / unit), ("reference", sources / unit)):
                for path in sorted(folder.glob("*.ipynb")):
                    runs = [run_once(path) for _ in range(args.repeats)]
                    median = statistics.median(s for s, _ in runs)
                    errors = max(e for _, e in runs)
                    figures[f"{unit}/{path.stem} {kind}, s"] = round(median, 1) if not errors else \
                        f"{median:.1f} ({errors} cells raised)"
                    if kind == "reference":
                        slowest = max(slowest, median)
        figures["slowest reference run, s (target < 20)"] = round(slowest, 1)
    figures["repeats (median)"] = args.repeats
    figures["CPUs, load average"] = f"{os.cpu_count()}, {os.getloadavg()[0]:.1f}"
    report(figures, args.json)


if __name__ == "__main__":
    main()
