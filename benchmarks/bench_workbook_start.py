"""How fast a workbook answers a learner: the setup cell against a bare ``import pandas``, and every check cell.

    .venv/bin/python benchmarks/bench_workbook_start.py [--notebooks notebooks/BSBCUE605]

For each notebook (run with its reference answers on the practice dataset, in a fresh kernel):

* ``floor``: seconds for ``import pandas`` in a fresh kernel (what any pandas notebook pays);
* ``setup``: seconds the workbook's setup cell takes in a fresh kernel (imports, dataset, banner);
* ``setup - floor``: the target is at most 0.2 s;
* the slowest check cell (a graded cell), target under 1 s.

Cell times are the kernel's own (``shell.execute_reply`` - ``iopub.execute_input``), so kernel start-up
is not counted in either figure.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def _seconds(cell) -> float:
    t = cell.metadata.get("execution", {})
    start, end = (dt.datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def _run(nb, cwd: Path):
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True, allow_errors=True).execute(
        cwd=str(cwd))
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks" / "BSBCUE605")
    parser.add_argument("--reps", type=int, default=2, help="fresh kernels per figure (the fastest is kept)")
    args = parser.parse_args(argv)
    floor = min(_seconds(_run(new_notebook(cells=[new_code_cell("import pandas")]), args.notebooks).cells[0])
                for _ in range(args.reps))
    ok = True
    print(f"floor (import pandas in a fresh kernel): {floor:.2f} s")
    for path in sorted(args.notebooks.glob("*.ipynb")):
        runs = [_run(nbformat.read(path, as_version=4), path.parent) for _ in range(args.reps)]
        setup = min(_seconds(next(c for c in nb.cells if c.cell_type == "code")) for nb in runs)
        checks = [statistics.median(_seconds(nb.cells[i]) for nb in runs)
                  for i, c in enumerate(runs[0].cells)
                  if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
        slowest = max(checks, default=0.0)
        ok &= setup - floor <= 0.2 and slowest < 1.0
        print(f"{path.stem:<34} setup {setup:.2f} s (floor + {setup - floor:.2f} s); "
              f"{len(checks)} check cells, slowest {slowest:.2f} s")
    print("targets met" if ok else "targets NOT met (setup <= floor + 0.2 s, every check cell < 1 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
