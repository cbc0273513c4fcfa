"""Shared helpers for the course/grade/report tests: a sample course built in a temporary folder.

Imported explicitly by the test modules (not an automatic conftest): every course lives under
pytest's tmp_path, never in the repository's autograde/.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from helpers.demo import sample
from helpers.course.build import build_course
from helpers.course.variants import SECRET_FILE, learner_seed

SECRET = "5eed" * 16  # fixed course secret: reproducible learner variants in tests
ASSIGNMENT = sample.UNIT
NOTEBOOKS = sample.NOTEBOOKS


@dataclass
class Course:
    root: Path
    notebooks: Path
    datasets: Path
    reports: Path
    db_url: str | None = None

    def release(self, name: str):
        return nbformat.read(self.root / "release" / ASSIGNMENT / f"{name}.ipynb", as_version=4)

    def source(self, name: str):
        return nbformat.read(self.root / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)

    def dataset(self, learner: str) -> Path:
        folder = self.datasets / learner
        if not folder.is_dir():
            sample.write_sample_dataset(folder, learner_seed(SECRET, learner))
        return folder


def new_course(base: Path, *, check_solutions: bool = True, db_url: str | None = None, workers: int = 2,
               notebooks: Path | None = None) -> Course:
    """Sample notebooks + fixed secret + practice dataset, built into ``base/course``."""
    base.mkdir(parents=True, exist_ok=True)
    if notebooks is None:
        notebooks = base / "notebooks"
        sample.write_sample_notebooks(notebooks)
    root = base / "course"
    root.mkdir(exist_ok=True)
    (root / SECRET_FILE).write_text(SECRET + "\n")
    course = Course(root, notebooks, base / "datasets", base / "reports", db_url)
    build_course(root, notebooks, db_url=db_url, dataset=course.dataset("practice"), workers=workers,
                 check_solutions=check_solutions, progress=False)
    return course


def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")}
