"""Where the learner's data is while grading, and grader-side secrets.

``CCW_DATASET`` is the learner's dataset folder (tables as ``<name>.parquet`` or ``<name>.csv``);
without it (e.g. ``ccw course build`` checking the reference solutions) tables come from
``helpers.data.load_dataset()``, the default case-study practice dataset.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

_COURSE_ROOT = Path(__file__).resolve().parents[1]


def learner() -> str | None:
    """The learner being graded (``$CCW_LEARNER``), or None for the reference run."""
    return os.environ.get("CCW_LEARNER") or None


def dataset_dir() -> Path | None:
    value = os.environ.get("CCW_DATASET")
    return Path(value) if value else None


@lru_cache(maxsize=None)
def _table(folder: str | None, name: str) -> pd.DataFrame:
    if folder is None:
        from helpers.data import load_dataset  # the practice dataset when no learner is set

        return load_dataset()[name]
    base = Path(folder)
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        if (base / f"{name}{suffix}").is_file():
            return reader(base / f"{name}{suffix}")
    raise FileNotFoundError(f"grader: table {name!r} not found in {base} (expected {name}.parquet or {name}.csv)")


def read_table(name: str) -> pd.DataFrame:
    """A table of the learner's dataset (a fresh copy: hidden tests may not alter the cache)."""
    folder = dataset_dir()
    return _table(str(folder) if folder else None, name).copy()


def defects() -> dict:
    """The generator's defect manifest of the learner's dataset (``defects.json``), {} if none."""
    folder = dataset_dir()
    path = folder / "defects.json" if folder else None
    return json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}


def secret() -> str:
    """The course secret (``<course root>/.secret``); raises if the course has none yet."""
    path = _COURSE_ROOT / ".secret"
    if not path.is_file():
        raise FileNotFoundError(f"grader: no course secret at {path} (created by `ccw course build`)")
    return path.read_text(encoding="utf-8").strip()
