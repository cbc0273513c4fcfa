"""The learner's data as the grader sees it: read from the grader's own copy, never from the kernel.

A grading worker builds one :class:`LearnerData` per learner (and keeps it while it grades that
learner's notebooks): ``dataset`` is the folder ``ccw regenerate`` wrote for the learner (a
generator dataset with ``manifest.json``) or a folder of ``<table>.csv`` / ``<table>.parquet`` (the
sample workbook); None means the practice dataset (``ccw course build`` checking the reference
solutions). The kernel only ever saw that folder read-only; nothing it did reaches this object.
"""
from __future__ import annotations

import copy
import functools
import json
from functools import cached_property
from pathlib import Path

import pandas as pd

from helpers.errors import UserFacingError
from helpers.generator.io import sha256


class DatasetAltered(UserFacingError):
    """The learner's dataset on disk is not the one issued to them: no data check can be trusted on it."""


class LearnerData:
    """``ds`` (the whole dataset), ``cs`` (its case study), :meth:`table` and :meth:`defects`."""

    def __init__(self, dataset: Path | str | None, learner: str | None, course_root: Path | str):
        self.dataset = Path(dataset) if dataset else None
        self.learner = learner
        self.course_root = Path(course_root)

    @cached_property
    def ds(self):
        from helpers.data import load_dataset

        ds = load_dataset(self.dataset)
        if self.dataset is not None:
            self._verify(ds.manifest)
        return ds

    def grader_manifest(self, slug: str) -> Path:
        """Where ``ccw regenerate`` wrote the grader's record of this learner's dataset."""
        from helpers.paths import grader_manifest

        return grader_manifest(slug, self.learner, self.course_root) / "manifest.json"

    def _verify(self, manifest: dict) -> None:
        """The dataset is the one issued to *this* learner, byte for byte: the grader's own record (written
        by ``ccw regenerate``, out of learners' reach) holds the SHA-256 of the dataset's manifest, which
        holds the SHA-256 of every file. Raises :class:`DatasetAltered` when anything differs; a dataset
        with no grader record (practice data, the sample workbook) is taken as it is."""
        record = self.grader_manifest(manifest.get("case_study"))
        if not record.is_file():
            return
        expected = json.loads(record.read_text(encoding="utf-8")).get("dataset_manifest_sha256")
        if expected and sha256(self.dataset / "manifest.json") != expected:
            raise DatasetAltered(f"the dataset in {self.dataset} is not the one issued to {self.learner} "
                                 "(its manifest changed)")
        for name, digest in sorted((manifest.get("files") or {}).items()):
            path = self.dataset / name
            if not path.is_file() or sha256(path) != digest:
                raise DatasetAltered(f"the dataset in {self.dataset} is not the one issued to {self.learner} "
                                     f"({name} changed)")

    @property
    def cs(self):
        return self.ds.case_study

    def table(self, name: str) -> pd.DataFrame:
        """One table, as a fresh copy (a check may not change what the next check reads)."""
        base = self.dataset
        if base is None or (base / "manifest.json").is_file():
            return self.ds[name].copy()
        for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
            if (base / f"{name}{suffix}").is_file():
                return reader(base / f"{name}{suffix}")
        raise FileNotFoundError(f"grader: table {name!r} not found in {base} (expected {name}.parquet or {name}.csv)")

    def defects(self) -> pd.DataFrame:
        """The defects injected into the learner's dataset (ground truth, never shipped with it).

        Read from the grader-side manifest ``<course root>/manifests/<case study>/<learner or
        _practice>/defects.parquet`` written by ``ccw regenerate``; where there is none, regenerated
        from the dataset manifest's case study, seed, learner and days (generation is deterministic).
        """
        return self._ground_truth("defects")

    def measurement_faults(self) -> pd.DataFrame:
        """The faults injected into the learner's MIS records (``mis_events``): ground truth with the
        columns ``fault_id, table, record_id, column, kind, detail`` (kinds: miscoded_disposition,
        missing_wrap_code, clock_skew, double_counted_transfer), never shipped with the dataset.
        Read or regenerated like :meth:`defects` (``measurement_faults.parquet``)."""
        return self._ground_truth("measurement_faults")

    def _ground_truth(self, name: str) -> pd.DataFrame:
        """Read (or regenerated) once per learner; each caller gets a copy."""
        kept = self.__dict__.setdefault("_truth", {})
        if name not in kept:
            kept[name] = self._read_ground_truth(name)
        return kept[name].copy()

    def _read_ground_truth(self, name: str) -> pd.DataFrame:
        manifest = self.ds.manifest
        slug, learner = manifest.get("case_study"), manifest.get("learner")
        path = self.grader_manifest(slug).with_name(f"{name}.parquet")
        if path.is_file():
            return pd.read_parquet(path)
        from helpers.casestudy import load_case_study
        from helpers.generator import generate

        days = manifest.get("days")
        if days == load_case_study(slug).period.days:
            days = None  # generated with the case study's own period
        regenerated = generate(slug, seed=manifest["seed"], learner=learner, days=days)
        if len(regenerated.tables["customers"]) != manifest["tables"]["customers"]["rows"]:
            raise RuntimeError("grader: regenerated data does not match the learner's dataset manifest")
        return getattr(regenerated, name)


def per_learner(fn):
    """For ``fn(data)``, a value derived from the learner's data alone (an expected answer, the corrected
    records): computed once per :class:`LearnerData`, since several checks and benchmark facts of one learner
    need the same one, and handed to each caller as a deep copy, so no check changes what the next reads."""
    @functools.wraps(fn)
    def once(data):
        kept = data.__dict__.setdefault("_derived", {})
        key = f"{fn.__module__}.{fn.__qualname__}"
        if key not in kept:
            kept[key] = fn(data)
        return copy.deepcopy(kept[key])
    return once
