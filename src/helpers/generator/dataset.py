"""A dataset in memory: its tables (``helpers.tables`` layout), grader-side defects and metadata."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from helpers.lazy import Deferred


@dataclass
class Dataset:
    """Tables by name with attribute access (``ds.calls``), the case study and the manifest.

    ``defects`` is the ground truth of injected data-quality defects: present right after
    ``generate()`` (for writing the grader manifest), never in a dataset loaded by learners; so is
    ``measurement_faults``, the ground truth of the faults in the MIS records (``mis_events``).
    """
    tables: dict[str, pd.DataFrame]
    meta: dict
    defects: pd.DataFrame | None = None
    path: Path | None = None
    manifest: dict = field(default_factory=dict)
    measurement_faults: pd.DataFrame | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"dataset has no table {name!r}; tables: {', '.join(tables)}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.__getattr__(name)

    @cached_property
    def case_study(self):
        """The case study the data was generated from (``helpers.casestudy.CaseStudy``), read on first use
        (:class:`helpers.lazy.Deferred`: a setup cell's ``cs = ds.case_study`` does not wait for it)."""
        slug = self.meta["case_study"]

        def load():
            from helpers.casestudy import load_case_study
            return load_case_study(slug)

        return Deferred(load)

    @property
    def targets(self) -> dict:
        """The case study's targets as plain dicts ``{kpi: {"target", "direction", "unit", ...}}``."""
        return {k: v.model_dump(exclude_none=True) for k, v in self.case_study.targets.items()}

    @property
    def marketing_db_path(self) -> Path:
        """The marketing database (SQLite: customers, products, holdings, offers, campaigns)."""
        if self.path is None:
            raise ValueError("this dataset is in memory only: write it with write_dataset() to get marketing.sqlite")
        return self.path / "marketing.sqlite"

    def row_counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v:,}" for k, v in self.row_counts().items())
        where = f" at {self.path}" if self.path else ""
        who = f", learner {self.meta.get('learner')!r}" if self.meta.get("learner") else ""
        return f"<Dataset {self.meta.get('case_study')} seed {self.meta.get('seed')}{who}{where}: {counts}>"

    def _repr_html_(self) -> str:
        from helpers.tables import TABLES

        rows = "".join(f"<tr><td><code>{k}</code></td><td style='text-align:right'>{v:,}</td>"
                       f"<td>{TABLES[k].meaning if k in TABLES else ''}</td></tr>" for k, v in self.row_counts().items())
        return (f"<p><b>{self.meta.get('title', self.meta.get('case_study'))}</b> "
                f"({self.meta.get('period_start')} to {self.meta.get('period_end')})</p>"
                f"<table><tr><th>table</th><th>rows</th><th>meaning</th></tr>{rows}</table>")
