"""Where the learner's data is while grading, and grader-side secrets.

``CCW_DATASET`` is the learner's dataset folder: a generator dataset (``manifest.json``, read with
``helpers.data.load_dataset``) or a folder of ``<name>.parquet`` / ``<name>.csv`` tables (the
sample workbook and the tests). Without it (e.g. ``ccw course build`` checking the reference
solutions) tables come from ``helpers.data.load_dataset()``: the learner's own dataset when
``CCW_LEARNER`` is set, else the practice dataset.
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
    from helpers.data import load_dataset

    if folder is None:
        return load_dataset()[name]
    base = Path(folder)
    if (base / "manifest.json").is_file():
        return load_dataset(base)[name]
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        if (base / f"{name}{suffix}").is_file():
            return reader(base / f"{name}{suffix}")
    raise FileNotFoundError(f"grader: table {name!r} not found in {base} (expected {name}.parquet or {name}.csv)")


def read_table(name: str) -> pd.DataFrame:
    """A table of the learner's dataset (a fresh copy: hidden tests may not alter the cache)."""
    folder = dataset_dir()
    return _table(str(folder) if folder else None, name).copy()


def defects_path() -> Path | None:
    """The grader-side defect manifest of the learner's dataset, written by ``ccw regenerate``:
    ``$CCW_DEFECTS``, else ``<course root>/manifests/<case study>/<learner or _practice>/defects.parquet``
    (case study and learner from the dataset's ``manifest.json``); None when there is none."""
    if os.environ.get("CCW_DEFECTS"):
        return Path(os.environ["CCW_DEFECTS"])
    folder = dataset_dir()
    manifest = folder / "manifest.json" if folder else None
    if manifest is None or not manifest.is_file():
        return None
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    path = _COURSE_ROOT / "manifests" / str(meta.get("case_study")) / str(meta.get("learner") or "_practice") / "defects.parquet"
    return path if path.is_file() else None


def defects() -> pd.DataFrame:
    """The defects injected into the learner's dataset (empty frame when there is no manifest)."""
    path = defects_path()
    return pd.read_parquet(path) if path else pd.DataFrame()


def secret() -> str:
    """The course secret (``<course root>/.secret``); raises if the course has none yet."""
    path = _COURSE_ROOT / ".secret"
    if not path.is_file():
        raise FileNotFoundError(f"grader: no course secret at {path} (created by `ccw course build`)")
    return path.read_text(encoding="utf-8").strip()
