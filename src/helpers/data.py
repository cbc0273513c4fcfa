"""Getting your data in a notebook, with no path typed by hand.

    from helpers.data import load_dataset
    ds = load_dataset()          # your own dataset (or the practice dataset)
    ds.calls.head()              # every table as a DataFrame: ds.customers, ds.offers, ...
    ds.case_study.targets        # the organisation's targets, stakeholders, outages, ...
    ds.marketing_db_path         # the marketing database (SQLite) for the SQL tasks

Which dataset (first match wins):

1. ``CCW_DATASET``: a dataset folder (graders set it when they mark your notebook);
2. the ``dataset`` entry of a workspace file ``ccw.json`` in this folder or a parent
   (``{"learner": "jsmith", "dataset": "path/to/folder", "case_study": "lyrebird-energy"}``;
   a relative path is relative to the file);
3. your own dataset ``datasets/<case study>/learners/<learner>/`` if you have a learner id
   (``CCW_LEARNER``, else ``JUPYTERHUB_USER``, else ``learner`` in ``ccw.json``);
4. the practice dataset ``datasets/<case study>/practice/`` (made on first use if missing).

The folder layout is owned by ``helpers.paths``.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers.datafile import read_mapping
from helpers.errors import UserFacingError
from helpers.generator.dataset import Dataset
from helpers import paths
from helpers.paths import DEFAULT_CASE_STUDY

CONFIG_FILE = "ccw.json"
DEFAULT_SEED = 605  # the practice dataset's seed
DATASET_FILES = ("manifest.json",)


def find_config(start: str | Path | None = None) -> Path | None:
    """The nearest ``ccw.json`` in ``start`` (default: the current folder) or one of its parents."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def config(start: str | Path | None = None) -> dict:
    """The workspace settings from ``ccw.json`` (empty if there is none)."""
    path = find_config(start)
    if path is None:
        return {}
    data = read_mapping(path, "workspace settings", shape='like {"learner": "jsmith"}', advice="fix or delete it")
    data["_path"] = str(path)
    return data


def _learner_and_source() -> tuple[str | None, str | None]:
    for var in ("CCW_LEARNER", "JUPYTERHUB_USER"):
        if os.environ.get(var, "").strip():
            return os.environ[var].strip(), var
    learner = config().get("learner")
    if learner:
        return str(learner), CONFIG_FILE
    return None, None


def learner_id() -> str | None:
    """Your learner id: ``CCW_LEARNER``, else ``JUPYTERHUB_USER``, else ``ccw.json``'s learner, else None."""
    return _learner_and_source()[0]


def case_study_slug() -> str:
    return os.environ.get("CCW_CASE_STUDY") or config().get("case_study") or DEFAULT_CASE_STUDY


def datasets_root() -> Path:
    return paths.datasets_root()


def practice_dir(slug: str | None = None) -> Path:
    """The practice dataset's folder (``helpers.paths.practice_dataset``) of ``slug`` or this workspace's case study."""
    return paths.practice_dataset(slug or case_study_slug())


def learner_dir(learner: str, slug: str | None = None) -> Path:
    """``learner``'s own dataset folder (``helpers.paths.learner_dataset``)."""
    return paths.learner_dataset(learner, slug or case_study_slug())


def dataset_dir() -> Path:
    """The folder of the dataset this notebook should use (see the module docstring for the order)."""
    env = os.environ.get("CCW_DATASET", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    cfg = config()
    if cfg.get("dataset"):
        p = Path(cfg["dataset"]).expanduser()
        return (p if p.is_absolute() else Path(cfg["_path"]).parent / p).resolve()
    learner, source = _learner_and_source()
    if learner:
        mine = learner_dir(learner)
        if (mine / "manifest.json").is_file():
            return mine
        # An explicit learner id must find its own data; a hub user name may practise until the trainer
        # has generated anyone's data, but not after (it would look like their own, and fail grading).
        if source != "JUPYTERHUB_USER" or learners_with_data():
            raise UserFacingError(
                f"No dataset found for learner {learner!r} in {mine.parent}: check the id, or "
                f"ask your trainer to run `ccw regenerate --roster` with it on the roster")
    return practice_dir()


def learners_with_data(slug: str | None = None) -> list[str]:
    """Ids of the learners whose own dataset exists (``ccw regenerate --roster`` has run for them)."""
    folder = paths.learners_datasets(slug or case_study_slug())
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "manifest.json").is_file())


def ensure_practice_dataset(slug: str | None = None, quiet: bool = False) -> Path:
    """Make the practice dataset (default seed) if it is missing; add marketing.sqlite if missing.

    A stale practice dataset (made by another generator or case-study version) is replaced as a
    whole; only the practice folder is ever replaced (``helpers.paths``), never a learner's dataset."""
    from helpers.generator.fingerprint import generator_fingerprint
    slug = slug or case_study_slug()
    target = practice_dir(slug)
    manifest = target / "manifest.json"
    stale = False
    if manifest.is_file():
        made_by = json.loads(manifest.read_text(encoding="utf-8")).get("generator_fingerprint")
        stale = made_by != generator_fingerprint(paths.casestudies_dir() / slug / "casestudy.yaml")
    if not manifest.is_file() or stale:
        if not quiet:
            why = "the generator or case study changed since it was made" if stale else "first use"
            print(f"Making the practice dataset for {slug} in {target} ({why}; this takes a few seconds)...",
                  file=sys.stderr)
        from helpers.generator import generate, write_dataset  # the generator only when data is to be made

        write_dataset(generate(slug, seed=DEFAULT_SEED), target)
    elif not (target / "marketing.sqlite").is_file():
        if not quiet:
            print(f"Building the marketing database {target / 'marketing.sqlite'} from the tables (first use)...",
                  file=sys.stderr)
        from helpers.generator.io import read_dataset, write_marketing_db

        ds = read_dataset(target)
        tmp = target / ".marketing.sqlite.tmp"
        tmp.unlink(missing_ok=True)
        write_marketing_db(ds.tables, tmp)
        tmp.rename(target / "marketing.sqlite")
    return target


class _Tables(Mapping):
    """A dataset's tables, each read from disk the first time a notebook uses it (so a workbook's setup
    cell answers at once and a notebook pays only for the tables it uses). Reads are cached per process
    (:func:`_read`); each Dataset hands out its own shallow copies, so a notebook that edits a frame
    does not change the cache."""

    def __init__(self, folder: str, stamp: float, names: list[str]):
        self._folder, self._stamp, self._names, self._got = folder, stamp, names, {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._got:
            if name not in self._names:
                raise KeyError(name)
            self._got[name] = _read(self._folder, self._stamp, name).copy(deep=False)
        return self._got[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@lru_cache(maxsize=64)
def _read(folder: str, stamp: float, name: str) -> pd.DataFrame:
    from helpers.generator.io import read_dataset
    return read_dataset(folder, [name]).tables[name]


@lru_cache(maxsize=8)
def _manifest(folder: str, stamp: float) -> dict:
    return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))


def load_dataset(path: str | Path | None = None, tables: list[str] | None = None) -> Dataset:
    """Your dataset: every table as a DataFrame with attribute access (``ds.calls``), plus
    ``ds.case_study``, ``ds.manifest`` and ``ds.marketing_db_path``. ``path`` overrides the lookup.
    Tables are read when first used (``tables`` limits which exist in the returned dataset)."""
    if path is None:
        folder = dataset_dir()
        if folder == practice_dir().resolve() or folder == practice_dir():
            ensure_practice_dataset()
    else:
        folder = Path(path).expanduser().resolve()
    manifest_file = folder / "manifest.json"
    if not manifest_file.is_file():
        raise UserFacingError(f"No dataset in {folder} (no manifest.json): check the path, or ask your trainer")
    stamp = manifest_file.stat().st_mtime
    manifest = _manifest(str(folder), stamp)
    names = [n for n in manifest["tables"] if tables is None or n in tables]
    unknown = sorted(set(tables or ()) - set(manifest["tables"]))
    if unknown:
        raise UserFacingError(f"dataset {folder} has no table {unknown[0]!r}; tables: {', '.join(manifest['tables'])}")
    meta = {k: v for k, v in manifest.items()
            if k not in ("tables", "files", "package_versions", "format", "generator", "generator_fingerprint")}
    return Dataset(tables=_Tables(str(folder), stamp, names), meta=meta, path=folder, manifest=dict(manifest))


def preload(ds: Dataset) -> Dataset:
    """Read every table of ``ds`` and its case study now (the grader's kernel factory does, once per learner: the
    kernels it forks find both in memory)."""
    for name in ds.tables:
        ds.tables[name]
    ds.case_study.slug  # read on first use (helpers.lazy.Deferred): this is the use
    return ds


def load_table(name: str, path: str | Path | None = None) -> pd.DataFrame:
    """One table of your dataset, e.g. ``load_table("calls")``."""
    return load_dataset(path, tables=[name]).tables[name]
