"""``ccw regenerate``: rewrite the practice dataset or write one dataset per learner, via papermill.

Folder layout (``helpers.paths``): ``OUT/practice/``, ``OUT/learners/<id>/`` and one executed notebook
per run in ``OUT/records/``, OUT being ``datasets/<case study>/`` unless ``--out`` says otherwise.
A learner who already has a dataset keeps it (``--replace ID`` rewrites it on purpose), so adding
learners to the roster and running again never changes anyone's data mid-course.
"""
from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

from helpers.commands.generate import days_arg, non_negative_int
from helpers.errors import UserFacingError
from helpers.learners import check_learner_id


def register(sub) -> None:
    p = sub.add_parser(
        "regenerate", help="regenerate the practice dataset or every learner's dataset (papermill)",
        description="Execute casestudies/regenerate.ipynb with papermill: without --roster it rewrites the practice "
                    "dataset OUT/practice/; with --roster it writes OUT/learners/ID/ for every learner who has no "
                    "dataset yet, each seeded from the course secret (HMAC-SHA256), with grader manifests under "
                    "autograde/manifests/SLUG/. Learners who already have a dataset keep it unless named with "
                    "--replace. Each run's executed notebook, with a data card and a cohort summary, is kept as "
                    "OUT/records/regenerate-<UTC time>.ipynb. OUT is datasets/SLUG unless --out says otherwise.")
    p.add_argument("--case-study", default="lyrebird-energy", metavar="SLUG", help="case study slug (default lyrebird-energy)")
    p.add_argument("--seed", type=non_negative_int, default=None,
                   help="seed of the practice dataset (default 605); learners' seeds come from the secret")
    p.add_argument("--roster", type=Path, default=None, metavar="FILE",
                   help="CSV (comma-separated) with a 'learner' column, or one learner id per line")
    p.add_argument("--replace", action="append", default=[], metavar="ID",
                   help="rewrite this learner's existing dataset (repeatable; 'all' for everyone on the roster). "
                        "Their answers may then no longer match their data")
    p.add_argument("--secret-file", type=Path, default=None, metavar="PATH",
                   help="course secret (default autograde/.secret, created if missing)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="the case study's data folder holding practice/, learners/ and records/ (default datasets/SLUG)")
    p.add_argument("--grader-out", type=Path, default=None, metavar="DIR",
                   help="grader manifests root (default autograde/manifests/SLUG)")
    p.add_argument("--days", type=days_arg, default=None, metavar="D", help="days to simulate (default: the period)")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.set_defaults(func=run)


def read_roster(path: Path) -> list[str]:
    """Learner ids from a CSV (comma-separated) with a ``learner`` column, or a file of one id per line
    (``#`` starts a comment line). Every id must follow ``helpers.learners``' rule, the one ``ccw lab``
    and ``ccw grade`` apply, so a roster is refused here rather than a learner later."""
    if not path.is_file():
        raise UserFacingError(f"roster {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserFacingError(f"roster {path} is not a UTF-8 text file (save it as CSV, UTF-8)") from None
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), start=1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise UserFacingError(f"roster {path} lists no learners")
    first_no, first = lines[0]
    if "\t" in first.strip() and "," not in first:
        raise UserFacingError(f"roster {path} line {first_no} is tab-separated: save the roster as CSV "
                              "(comma-separated) with a 'learner' column, or list one id per line")
    header = [h.strip().lower() for h in next(csv.reader([first]))]
    if "learner" in header:
        col = header.index("learner")
        entries = []
        for n, ln in lines[1:]:
            row = next(csv.reader([ln]))
            value = row[col].strip() if col < len(row) else ""
            if not value:
                raise UserFacingError(f"roster {path} line {n} has no learner id")
            entries.append((n, value))
    elif len(header) > 1:
        raise UserFacingError(f"roster {path} looks like a CSV but has no 'learner' column (columns: {', '.join(header)})")
    else:
        entries = [(n, ln.strip()) for n, ln in lines]
    ids = [check_learner_id(value, f"roster {path} line {n}") for n, value in entries]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise UserFacingError(f"roster {path} lists learners more than once: {', '.join(dupes[:5])}")
    if not ids:
        raise UserFacingError(f"roster {path} lists no learners")
    return ids


def _watch(folders: list[Path], since: float, bar, stop) -> None:
    """Tick ``bar`` as each folder's ``manifest.json`` appears (newer than ``since``): the notebook
    writes each dataset atomically, manifest included, so a new manifest means one learner is done."""
    done: set[Path] = set()
    while not stop.wait(0.5):
        for folder in folders:
            manifest = folder / "manifest.json"
            if folder not in done and manifest.is_file() and manifest.stat().st_mtime >= since:
                done.add(folder)
                bar.update(1)


def _with_cohort_summary(notebook: Path, folders: list[Path], target: Path) -> Path:
    """A copy of the regeneration notebook with a cohort-summary section appended (the notebook itself
    stays the generator's; the record then shows every learner, not only the first dataset)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "## Cohort summary\n\nEvery learner on the roster (including those whose dataset was kept): calls, "
        "customers, each targeted KPI (rates as fractions, times in seconds) and the number of targets missed; "
        "the last rows give the cohort's minimum, median and maximum."))
    nb.cells.append(nbformat.v4.new_code_cell(
        "from helpers.cohort_card import cohort_summary\n"
        f"cohort_summary({[str(f) for f in folders]!r}).round(3)"))
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def run(args) -> int:
    import tempfile
    import threading
    import time

    from helpers import paths
    from helpers.course.config import default_course_root
    from helpers.course.variants import SECRET_FILE

    # Everything the trainer typed is checked before the heavy imports (papermill, pandas) below.
    slug = args.case_study
    if not (paths.project_root() / "casestudies" / slug / "casestudy.yaml").is_file():
        from helpers.casestudy import load_case_study  # says which case studies exist
        load_case_study(slug)
    learners = read_roster(args.roster) if args.roster else []
    replace_all = "all" in args.replace
    replace = set() if replace_all else {check_learner_id(x, "--replace") for x in args.replace}
    if args.replace and not learners:
        raise UserFacingError("--replace needs --roster: it names learners whose dataset is rewritten")
    not_listed = sorted(replace - set(learners))
    if not_listed:
        raise UserFacingError(f"--replace names learners who are not on the roster: {', '.join(not_listed)}")
    root = paths.case_study_data(slug, args.out.resolve() if args.out else None)
    grader_out = args.grader_out.resolve() if args.grader_out else None  # None: datacard.default_grader_out
    secret_file = (args.secret_file or default_course_root() / SECRET_FILE).resolve()  # what ccw grade reads
    notebook = paths.project_root() / "casestudies" / "regenerate.ipynb"
    if not notebook.is_file():
        raise UserFacingError(f"the regeneration notebook {notebook} is missing")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"cannot create the output folder {root}: {exc.strerror or exc}") from None
    if not os.access(root, os.W_OK):
        raise UserFacingError(f"cannot write to {root}: permission denied")

    kept, todo = [], []
    for learner in learners:
        folder = paths.learner_dataset(learner, slug, root)
        exists = (folder / "manifest.json").is_file()
        if not exists or replace_all or learner in replace:
            if folder.exists():  # about to be replaced as a whole: it must hold nothing but a dataset
                paths.check_dataset_target(folder, replace=True)
            todo.append(learner)
        else:
            kept.append(learner)
    if learners and not todo:
        print(f"Every learner on the roster already has a dataset under {paths.learners_datasets(slug, root)}; "
              "nothing regenerated (--replace ID rewrites one on purpose).")
        return 0
    if not learners:
        paths.check_dataset_target(paths.practice_dataset(slug, root), replace=True)
    if kept:
        print(f"Keeping the existing datasets of {len(kept)} learner(s): {', '.join(kept[:10])}"
              f"{' ...' if len(kept) > 10 else ''} (--replace ID rewrites one on purpose)", file=sys.stderr)

    print(f"ccw regenerate: writing {len(todo) or 1} dataset(s) through {notebook.name} (a few seconds each)...",
          file=sys.stderr, flush=True)
    import papermill
    from tqdm import tqdm

    from helpers.data import DEFAULT_SEED

    paths.ensure_interpreter_on_path()  # the kernel is started as `python`: this interpreter's
    from helpers.generator.datacard import default_grader_out

    grader_out = grader_out or default_grader_out(slug)
    record = paths.regenerate_record(slug, root)
    record.parent.mkdir(parents=True, exist_ok=True)
    # the whole roster goes to the notebook: regenerate_all keeps every existing dataset not named in
    # `replace` (the same rule as above, applied again where the data is written)
    params = {"case_study": slug, "seed": args.seed if args.seed is not None else DEFAULT_SEED,
              "days": args.days, "learners": learners, "replace": ["all"] if replace_all else sorted(replace),
              "secret_file": str(secret_file), "out": str(root), "grader_out": str(grader_out),
              "fmt": args.format}
    folders = [paths.learner_dataset(x, slug, root) for x in learners] or [paths.practice_dataset(slug, root)]
    fresh = [paths.learner_dataset(x, slug, root) for x in todo] or folders
    started = time.time()
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="ccw-regenerate-") as tmp, \
            tqdm(total=len(fresh), desc="datasets", unit="dataset", file=sys.stderr) as bar:
        source = _with_cohort_summary(notebook, folders, Path(tmp) / "regenerate.ipynb")
        watcher = threading.Thread(target=_watch, args=(fresh, started - 1, bar, stop), daemon=True)
        watcher.start()
        # Unix-socket transport: no ports, and no kernel warning that TCP is unencrypted
        from jupyter_client.manager import KernelManager
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(tmp) / "kernel"),
                           connection_file=str(Path(tmp) / "kernel.json"))
        try:
            papermill.execute_notebook(str(source), str(record), parameters=params, kernel_name="python3",
                                       progress_bar=False, cwd=str(paths.project_root()),
                                       log_output=False, km=km)
        except papermill.PapermillExecutionError as exc:
            raise UserFacingError(f"regeneration failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                                  f"(executed notebook kept at {record})") from None
        finally:
            stop.set()
            watcher.join()
            if km.has_kernel:  # nbclient leaves a kernel it did not start running
                km.shutdown_kernel(now=True)
        bar.n = sum((f / "manifest.json").is_file() for f in fresh)
        bar.refresh()
    missing = [str(f) for f in fresh if not (f / "manifest.json").is_file()]
    if missing:  # the notebook and helpers.paths must agree on the layout
        raise UserFacingError(f"regeneration finished but these datasets are missing: {', '.join(missing[:5])} "
                              f"(record: {record})")
    what = (f"{len(todo)} learner dataset(s) under {paths.learners_datasets(slug, root)}"
            + (f" ({len(kept)} kept as they were)" if kept else "")) if learners \
        else f"the practice dataset {paths.practice_dataset(slug, root)}"
    print(f"Regenerated {what}; grader manifests under {grader_out}; record with the data card and cohort "
          f"summary: {record}")
    return 0
