"""``ccw mapping``: the mapping matrix of every unit item to the tasks that evidence it."""
from __future__ import annotations

import sys
from pathlib import Path

from helpers.paths import project_root


def register(sub) -> None:
    p = sub.add_parser(
        "mapping", help="write the mapping matrix (PC/PE/KE/AC/FS items -> tasks) from notebook tags",
        description="Read the competency tags of every source notebook under NOTEBOOKS and write one row per "
                    "performance criterion (PC), performance evidence (PE), knowledge evidence (KE) and "
                    "assessment condition (AC) and foundation-skill (FS) item of the five units, with the tasks (notebook:grade_id) that "
                    "evidence it. Items of BSBCCO605A are covered through its equivalence to BSBCUE605. "
                    "Uncovered items are listed as gaps at the end.")
    p.add_argument("--format", choices=["md", "csv", "html"], default="md", help="output format (default: md)")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.add_argument("--notebooks", type=Path, default=None,
                   help="folder of source notebooks (default: the project's notebooks/)")
    p.add_argument("--unit", action="append", metavar="CODE",
                   help="only this unit (repeatable), e.g. --unit BSBCUE605 --unit BSBCCO605A; default: all five")
    p.add_argument("--strict", action="store_true", help="exit with status 1 while any item is uncovered")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers import competency

    root = args.notebooks or project_root() / "notebooks"
    matrix = competency.build_matrix(competency.collect_tags(root), units=args.unit)
    text = competency.render(matrix, args.format)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"mapping matrix ({args.format}) written to {args.out}: "
              f"{len(matrix.rows) - len(matrix.gaps)}/{len(matrix.rows)} items covered", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.strict and matrix.gaps:
        print(f"ccw mapping --strict: {len(matrix.gaps)} item(s) not covered by any task", file=sys.stderr)
        return 1
    return 0
