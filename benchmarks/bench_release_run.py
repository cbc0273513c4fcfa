"""How long each released BSBCUE605 notebook takes to run top to bottom before anything is answered,
as a learner's Run All does (a fresh kernel each, the practice dataset).

tests/test_workbook_bsbcue605_runs.py checks that the release runs without errors; it used to assert
each notebook ran in under 60 s, which failed on a loaded machine (128 s). The figure lives here.

Run: .venv/bin/python benchmarks/bench_release_run.py [--repeats N] [--notebooks DIR]

Prints, per notebook, the median wall seconds of N runs, from starting the kernel to the last cell,
and the sum over the assignment.
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
from nbclient import NotebookClient

from helpers.course.build import build_course
from helpers.paths import project_root


def run_once(path: Path) -> tuple[float, int]:
    """(wall seconds, cells that raised) for one top-to-bottom run of ``path`` in a fresh kernel."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    errors = sum(1 for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")
    return seconds, errors


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--notebooks", type=Path, default=project_root() / "notebooks",
                        help="source notebooks folder (default notebooks/)")
    args = parser.parse_args(argv)
    # kernels run as bare `python`: this interpreter first, as ccw lab does
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    with tempfile.TemporaryDirectory(prefix="ccw-bench-release-") as tmp:
        course, sources = Path(tmp) / "course", Path(tmp) / "notebooks"
        shutil.copytree(args.notebooks / "BSBCUE605", sources / "BSBCUE605")
        t0 = time.perf_counter()
        build_course(course, sources, assignments=["BSBCUE605"], check_solutions=False, progress=False)
        print(f"course build (release only): {time.perf_counter() - t0:.1f} s")
        total = 0.0
        for path in sorted((course / "release" / "BSBCUE605").glob("*.ipynb")):
            runs = [run_once(path) for _ in range(args.repeats)]
            median = statistics.median(s for s, _ in runs)
            total += median
            errors = max(e for _, e in runs)
            print(f"{path.name:32s} {median:6.1f} s{'' if not errors else f'  ({errors} cells raised)'}")
        print(f"{'all notebooks':32s} {total:6.1f} s (median of {args.repeats} run(s) each; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
