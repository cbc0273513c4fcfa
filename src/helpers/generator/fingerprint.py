"""Which code and case study made a dataset: a SHA-256 recorded in its manifest (``generator_fingerprint``).

Its own module, apart from :mod:`helpers.generator.io`: a workbook's setup cell checks the practice
dataset's fingerprint, and must not pay for importing Parquet and the data contract to do it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path


def generator_fingerprint(case_study_file: Path | None = None) -> str:
    """SHA-256 over the code that decides the data (generator, providers, simulation, and the data contract
    that sets every column's type) and the case study's YAML: a dataset whose fingerprint differs was made
    by other code or another case study."""
    import helpers
    base = Path(helpers.__file__).resolve().parent
    h = hashlib.sha256()
    files = sorted([*base.glob("generator/*.py"), *base.glob("providers/**/*.py"), *base.glob("simulation/*.py"),
                    base / "tables.py", base / "tables.yaml"])
    if case_study_file is not None and Path(case_study_file).is_file():
        files.append(Path(case_study_file))
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()
