"""Where things live: the project checkout (notebooks, case studies, course root) and data folders.

This module is the one owner of the datasets' folder layout; every reader and writer asks it::

    datasets/                           datasets_root()
      <case study>/                     case_study_data(slug): a container, never written as a whole
        practice/                       practice_dataset(slug): the practice dataset (made on first use)
        learners/<learner>/             learner_dataset(learner, slug): each learner's own variant
        records/regenerate-<time>.ipynb regenerate_record(slug): one executed notebook per `ccw regenerate`
    casestudies/<slug>/casestudy.yaml   casestudies_dir(): the case studies (DEFAULT_CASE_STUDY unless configured)
    <course root>/manifests/<case study>/   grader_manifests(slug, course_root): the grader's records
        <learner> or _practice/         grader_manifest(slug, learner, course_root): manifest, ground truth

The practice dataset and the learners' datasets are siblings, so remaking the practice dataset (it is
replaced as a whole when the generator changes) can never touch a learner's data. Before this layout
the practice dataset *was* ``datasets/<case study>/`` and learners' datasets lived inside it.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

PRACTICE = "practice"
LEARNERS = "learners"
RECORDS = "records"
GRADER_PRACTICE = "_practice"  # grader-manifest folder of the practice dataset (no learner id starts with "_")


def project_root() -> Path:
    """The project checkout: ``$CCW_ROOT`` if set, else the folder above ``src/`` (editable install),
    else the current directory."""
    if os.environ.get("CCW_ROOT"):
        return Path(os.environ["CCW_ROOT"]).resolve()
    here = Path(__file__).resolve()
    candidate = here.parents[2]
    if (candidate / "pyproject.toml").is_file() and (candidate / "notebooks").is_dir():
        return candidate
    return Path.cwd()


DEFAULT_CASE_STUDY = "lyrebird-energy"


def casestudies_dir() -> Path:
    """Folder holding one sub-folder per case study (``<project>/casestudies``)."""
    return project_root() / "casestudies"


def datasets_root() -> Path:
    """``<project>/datasets``: every case study's data."""
    return project_root() / "datasets"


def case_study_data(slug: str, root: Path | str | None = None) -> Path:
    """The folder holding one case study's practice, learners' datasets and regenerate records
    (``root`` overrides it, as ``ccw regenerate --out`` does)."""
    return Path(root) if root is not None else datasets_root() / slug


def practice_dataset(slug: str, root: Path | str | None = None) -> Path:
    """The practice dataset of case study ``slug`` (default seed, no learner)."""
    return case_study_data(slug, root) / PRACTICE


def learners_datasets(slug: str, root: Path | str | None = None) -> Path:
    """The folder holding one dataset folder per learner (what ``ccw grade --datasets`` takes)."""
    return case_study_data(slug, root) / LEARNERS


def learner_dataset(learner: str, slug: str, root: Path | str | None = None) -> Path:
    """Learner ``learner``'s own dataset of case study ``slug``."""
    return learners_datasets(slug, root) / learner


def grader_manifests(slug: str, course_root: Path | str) -> Path:
    """The grader's records of case study ``slug`` in a course root (``<course root>/manifests/<slug>``):
    out of learners' reach, written by ``ccw regenerate``, read by ``ccw_grader``."""
    return Path(course_root) / "manifests" / str(slug)


def grader_manifest(slug: str, learner: str | None, course_root: Path | str) -> Path:
    """The folder of one dataset's grader records (``manifest.json``, ``defects.parquet``,
    ``measurement_faults.parquet``): the learner's, or the practice dataset's when ``learner`` is None."""
    return grader_manifests(slug, course_root) / str(learner or GRADER_PRACTICE)


def regenerate_record(slug: str, root: Path | str | None = None, when: datetime | None = None) -> Path:
    """A new, unique path for the executed notebook of one ``ccw regenerate`` run (UTC time in the
    name, so an earlier run's record is never overwritten)."""
    when = when or datetime.now(timezone.utc)
    folder = case_study_data(slug, root) / RECORDS
    stem = f"regenerate-{when:%Y%m%dT%H%M%SZ}"
    path, n = folder / f"{stem}.ipynb", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.ipynb"
    return path


def check_dataset_target(folder: Path | str, replace: bool = False) -> None:
    """Refuse (``UserFacingError``) to write a dataset to ``folder`` when that would lose data.

    Writing a dataset replaces its folder as a whole, so the folder must be missing, empty, or (with
    ``replace``) a dataset folder holding nothing but the files its ``manifest.json`` lists: never
    sub-folders (a learners' folder of the old layout, say) or files someone else put there.
    """
    import json

    from helpers.errors import UserFacingError

    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise UserFacingError(f"cannot write the dataset to {folder}: it is a file, not a folder")
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise UserFacingError(f"{folder} is not empty and is not a dataset folder (no manifest.json): writing a "
                              f"dataset there would delete {', '.join(entries[:5])}; choose another folder")
    try:
        listed = set(json.loads(manifest.read_text(encoding="utf-8")).get("files", {})) | {"manifest.json"}
    except (ValueError, OSError, AttributeError):
        listed = {"manifest.json"}
    others = [name for name in entries if name not in listed]
    if others:
        raise UserFacingError(f"{folder} holds more than a dataset ({', '.join(others[:5])}): writing a dataset "
                              "there would delete it; move those elsewhere or choose another folder")
    if not replace:
        raise UserFacingError(f"{folder} already holds a dataset: pass --replace to overwrite it, "
                              "or choose another folder")


def path_with_interpreter(path: str | None = None) -> str:
    """``path`` (default ``$PATH``) with this interpreter's bin folder first: nbgrader runs ``alembic``
    and jupyter starts kernels as bare ``python``, which must be this venv's even when it is not activated."""
    import sys

    bindir = os.path.dirname(sys.executable)
    parts = [p for p in (os.environ.get("PATH", "") if path is None else path).split(os.pathsep) if p]
    return os.pathsep.join([bindir, *[p for p in parts if p != bindir]])


def ensure_interpreter_on_path() -> None:
    """Put this interpreter's bin folder first on this process's ``PATH`` (see :func:`path_with_interpreter`)."""
    os.environ["PATH"] = path_with_interpreter()
