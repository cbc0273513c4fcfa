"""``ccw generate``: one synthetic dataset of a case study, for a seed and (optionally) a learner."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.errors import UserFacingError


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {value}")
    return value


def days_arg(text: str) -> int:
    value = non_negative_int(text)
    if not 1 <= value <= 366:
        raise argparse.ArgumentTypeError(f"expected between 1 and 366 days, got {value}")
    return value


def register(sub) -> None:
    p = sub.add_parser(
        "generate", help="generate one synthetic call-centre dataset",
        description="Generate the case study's synthetic data (customers, marketing database, offers, agents, "
                    "shifts, calls from the queue simulation, sales, surveys, complaints, incidents) for a seed "
                    "and optionally a learner, and write it to OUT as Parquet or CSV with marketing.sqlite, the "
                    "data dictionary and a manifest. Same arguments, identical files. The defects' ground truth "
                    "goes only to --grader-out.")
    p.add_argument("--case-study", default="lyrebird-energy", metavar="SLUG",
                   help="case study slug in casestudies/ (default: lyrebird-energy)")
    p.add_argument("--seed", type=non_negative_int, required=True, help="random seed (whole number >= 0)")
    p.add_argument("--learner", default=None, metavar="ID", help="learner id: their own variant of the data")
    p.add_argument("--days", type=days_arg, default=None, metavar="D", help="days to simulate (default: the case study's period)")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table file format (default parquet)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="dataset folder to write (a new or empty folder; see --replace)")
    p.add_argument("--replace", action="store_true",
                   help="overwrite OUT if it already holds a dataset (never a folder holding anything else)")
    p.add_argument("--grader-out", type=Path, default=None, metavar="DIR",
                   help="folder for the grader-side defects manifest (keep it away from learners)")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers.learners import check_learner_id
    from helpers.paths import check_dataset_target

    # checked before the heavy imports below, and before anything is generated
    if args.learner is not None:
        check_learner_id(args.learner, "--learner")
    check_dataset_target(args.out, replace=args.replace)
    if args.grader_out is not None and args.grader_out.is_dir():
        ours = ("defects.parquet", "measurement_faults.parquet", "manifest.json")
        others = sorted(p.name for p in args.grader_out.iterdir() if p.name not in ours)
        if others:
            raise UserFacingError(f"--grader-out {args.grader_out} holds other files ({', '.join(others[:5])}): "
                                  "writing the defects manifest there would delete them; choose another folder")

    from tqdm import tqdm

    from helpers.casestudy import load_case_study
    from helpers.generator import STEPS, generate, write_dataset

    cs = load_case_study(args.case_study)
    with tqdm(total=len(STEPS) + 1, desc="generate", unit="step", file=sys.stderr, leave=False) as bar:
        def tick(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)
        try:
            ds = generate(cs, seed=args.seed, learner=args.learner, days=args.days, progress=tick)
        except ValueError as exc:
            raise UserFacingError(str(exc)) from None
        bar.set_postfix_str("write")
        out = write_dataset(ds, args.out, fmt=args.format, grader_dir=args.grader_out)
        bar.update(1)
    counts = ", ".join(f"{k} {v:,}" for k, v in ds.row_counts().items() if k in ("customers", "calls", "offers"))
    print(f"Wrote {cs.slug} (seed {args.seed}{', learner ' + args.learner if args.learner else ''}) to {out}: {counts}")
    if args.grader_out:
        print(f"Defects manifest ({len(ds.defects)} defects) -> {args.grader_out.resolve()}")
    return 0
