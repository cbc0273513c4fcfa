"""``ccw regenerate``: rewrite the practice dataset or one dataset per learner, via papermill."""
from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

from helpers.commands.generate import days_arg, non_negative_int
from helpers.errors import UserFacingError


def register(sub) -> None:
    p = sub.add_parser(
        "regenerate", help="regenerate the practice dataset or every learner's dataset (papermill)",
        description="Execute casestudies/regenerate.ipynb with papermill: without --roster it rewrites the practice "
                    "dataset datasets/SLUG/; with --roster it writes datasets/SLUG/learners/ID/ for every learner, "
                    "each seeded from the course secret (HMAC-SHA256), with grader manifests under "
                    "autograde/manifests/SLUG/. The executed notebook, ending with a data card, is kept as "
                    "OUT/regenerate-executed.ipynb.")
    p.add_argument("--case-study", default="lyrebird-energy", metavar="SLUG", help="case study slug (default lyrebird-energy)")
    p.add_argument("--seed", type=non_negative_int, default=None,
                   help="seed of the practice dataset (default 605); learners' seeds come from the secret")
    p.add_argument("--roster", type=Path, default=None, metavar="FILE",
                   help="CSV with a 'learner' column, or one learner id per line")
    p.add_argument("--secret-file", type=Path, default=None, metavar="PATH",
                   help="course secret (default autograde/.secret, created if missing)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="dataset root (default datasets/SLUG)")
    p.add_argument("--grader-out", type=Path, default=None, metavar="DIR",
                   help="grader manifests root (default autograde/manifests/SLUG)")
    p.add_argument("--days", type=days_arg, default=None, metavar="D", help="days to simulate (default: the period)")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.set_defaults(func=run)


def read_roster(path: Path) -> list[str]:
    """Learner ids from a CSV with a ``learner`` column or a file of one id per line (# comments)."""
    if not path.is_file():
        raise UserFacingError(f"roster {path} does not exist")
    text = path.read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise UserFacingError(f"roster {path} lists no learners")
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    if "learner" in header:
        col = header.index("learner")
        rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
        ids = [r[col].strip() if col < len(r) else "" for r in rows]
        if any(not x for x in ids):
            raise UserFacingError(f"roster {path}: row {ids.index('') + 2} has no learner id")
    elif len(header) > 1:
        raise UserFacingError(f"roster {path} looks like a CSV but has no 'learner' column (columns: {', '.join(header)})")
    else:
        ids = [ln.strip() for ln in lines]
    bad = [x for x in ids if any(c in x for c in "/\\") or x.startswith(("_", "."))]
    if bad:
        raise UserFacingError(f"roster {path}: learner ids cannot contain slashes or start with '_' or '.': "
                              f"{', '.join(bad[:5])}")
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise UserFacingError(f"roster {path} lists learners more than once: {', '.join(dupes[:5])}")
    if not ids:
        raise UserFacingError(f"roster {path} lists no learners")
    return ids


def run(args) -> int:
    import papermill

    from helpers.casestudy import load_case_study
    from helpers.data import DEFAULT_SEED
    from helpers.generator.datacard import default_grader_out, default_out
    from helpers.paths import project_root

    cs = load_case_study(args.case_study)
    learners = read_roster(args.roster) if args.roster else []
    out = (args.out or default_out(cs.slug)).resolve()
    grader_out = (args.grader_out or default_grader_out(cs.slug)).resolve()
    secret_file = (args.secret_file or project_root() / "autograde" / ".secret").resolve()
    notebook = project_root() / "casestudies" / "regenerate.ipynb"
    if not notebook.is_file():
        raise UserFacingError(f"the regeneration notebook {notebook} is missing")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise UserFacingError(f"cannot write to {out}: permission denied")
    bindir = os.path.dirname(sys.executable)  # the kernel is started as `python`: use this interpreter's
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
    record = out / "regenerate-executed.ipynb"
    params = {"case_study": cs.slug, "seed": args.seed if args.seed is not None else DEFAULT_SEED,
              "days": args.days, "learners": learners, "secret_file": str(secret_file), "out": str(out),
              "grader_out": str(grader_out), "fmt": args.format}
    try:
        papermill.execute_notebook(str(notebook), str(record), parameters=params, kernel_name="python3",
                                   progress_bar={"file": sys.stderr, "leave": False}, cwd=str(project_root()))
    except papermill.PapermillExecutionError as exc:
        raise UserFacingError(f"regeneration failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                              f"(executed notebook kept at {record})") from None
    what = f"{len(learners)} learner dataset(s) under {out / 'learners'}" if learners else f"the practice dataset {out}"
    print(f"Regenerated {what}; grader manifests under {grader_out}; record: {record}")
    return 0
