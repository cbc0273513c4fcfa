"""Writing and reading dataset folders, byte for byte reproducibly.

A dataset folder holds one file per table (Parquet by default, or CSV), ``marketing.sqlite`` (the
marketing database: customers, products, holdings, offers, campaigns with primary and foreign
keys), ``data_dictionary.md`` (rendered from ``helpers.tables``) and ``manifest.json`` (case study,
seed, learner, package versions, row counts, SHA-256 of every file, ``generated_at`` taken from the
case-study period: no wall-clock time anywhere, so the same arguments give identical bytes).
The ground truth goes only to ``grader_dir``: ``defects.parquet`` (data-quality defects),
``measurement_faults.parquet`` (faults in the MIS records) and ``manifest.json``.

Folders are written atomically: everything is built in a hidden temporary sibling and renamed into
place, so a failure never leaves a half-written folder that looks complete.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.errors import UserFacingError
from helpers.generator.dataset import Dataset
from helpers.generator.fingerprint import generator_fingerprint
from helpers.paths import casestudies_dir
from helpers.tables import TABLES, dictionary_markdown

FORMATS = ("parquet", "csv")
MARKETING_TABLES = ("customers", "products", "holdings", "campaigns", "offers")
FOREIGN_KEYS = {  # table: [(column, parent table, parent key)]
    "holdings": [("customer_id", "customers", "customer_id"), ("product_id", "products", "product_id")],
    "campaigns": [("product_id", "products", "product_id")],
    "offers": [("customer_id", "customers", "customer_id"), ("campaign_id", "campaigns", "campaign_id"),
               ("product_id", "products", "product_id")],
}
_SQL_TYPES = {"string": "TEXT", "float64": "REAL", "int64": "INTEGER", "bool": "INTEGER CHECK ({c} IN (0, 1))",
              "datetime64[ns]": "TEXT", "date": "TEXT", "category": "TEXT"}
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def package_versions() -> dict[str, str]:
    out = {}
    for dist in ("contact-centre-workbooks", "numpy", "pandas", "pyarrow", "faker", "pydantic"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Deterministic Parquet: pyarrow, zstd level 3, no index, pandas metadata kept (it restores dtypes)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, path, compression="zstd", compression_level=3, use_dictionary=True,
                   write_statistics=True, data_page_version="2.0")


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, date_format=DATETIME_FORMAT, lineterminator="\n", float_format="%.10g")


def _sql_values(df: pd.DataFrame) -> list[tuple]:
    cols = []
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            v = s.dt.strftime(DATETIME_FORMAT).astype(object)
            cols.append(np.where(s.isna().to_numpy(), None, v.to_numpy(dtype=object)))
        elif pd.api.types.is_bool_dtype(s):
            cols.append(s.to_numpy().astype(np.int64).astype(object))
        elif pd.api.types.is_float_dtype(s):
            a = s.to_numpy(dtype=float)
            cols.append(np.where(np.isnan(a), None, a.astype(object)))
        else:
            cols.append(s.astype(object).where(s.notna(), None).to_numpy(dtype=object))
    return list(zip(*cols))


def marketing_ddl() -> str:
    """SQLite DDL of the marketing database (keys from ``helpers.tables`` and FOREIGN_KEYS)."""
    stmts = []
    for name in MARKETING_TABLES:
        t = TABLES[name]
        lines = []
        for c in t.columns:
            sql_type = _SQL_TYPES[c.dtype].format(c=c.name)
            null = "" if c.nullable else " NOT NULL"
            pk = " PRIMARY KEY" if c.name == t.key else ""
            lines.append(f"  {c.name} {sql_type}{null}{pk}")
        for col, parent, key in FOREIGN_KEYS.get(name, []):
            lines.append(f"  FOREIGN KEY ({col}) REFERENCES {parent} ({key})")
        stmts.append(f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n);")
    stmts += ["CREATE INDEX offers_customer ON offers (customer_id);",
              "CREATE INDEX holdings_customer ON holdings (customer_id);"]
    return "\n".join(stmts)


def write_marketing_db(tables: dict[str, pd.DataFrame], path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA foreign_keys = ON")
        con.executescript(marketing_ddl())
        with con:
            for name in ("products", "customers", "campaigns", "holdings", "offers"):
                df = tables[name]
                marks = ", ".join("?" * df.shape[1])
                con.executemany(f"INSERT INTO {name} VALUES ({marks})", _sql_values(df))
    finally:
        con.close()


def _check_target(out_dir: Path) -> Path:
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise UserFacingError(f"cannot write the dataset to {out_dir}: it is a file, not a folder")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"cannot create the output folder {parent}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserFacingError(f"cannot write to {parent}: permission denied (choose another --out folder)")
    return out_dir.resolve()


def _replace(tmp: Path, final: Path) -> None:
    """Move a finished temp folder into place (the old folder, if any, is removed only after)."""
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700 folders
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_json(obj: dict, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def write_dataset(ds: Dataset, out_dir: str | Path, fmt: str = "parquet", grader_dir: str | Path | None = None) -> Path:
    """Write ``ds`` to ``out_dir`` (tables, marketing.sqlite, data dictionary, manifest.json).

    ``fmt`` is "parquet" (default) or "csv". With ``grader_dir`` the ground truth is written there
    (``defects.parquet``, ``measurement_faults.parquet`` and ``manifest.json``), never into ``out_dir``.
    Returns ``out_dir``.
    """
    if fmt not in FORMATS:
        raise UserFacingError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    final = _check_target(out_dir)
    grader_final = _check_target(grader_dir) if grader_dir is not None else None
    if grader_final is not None and ds.defects is None:
        raise UserFacingError("this dataset has no defects ground truth (was it loaded from disk?): "
                              "regenerate it to write the grader manifest")
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    gtmp = Path(tempfile.mkdtemp(prefix=f".{grader_final.name}.tmp-", dir=grader_final.parent)) if grader_final else None
    try:
        files = {}
        for name, df in ds.tables.items():
            path = tmp / f"{name}.{fmt}"
            (write_parquet if fmt == "parquet" else write_csv)(df, path)
            files[path.name] = sha256(path)
        write_marketing_db(ds.tables, tmp / "marketing.sqlite")
        (tmp / "data_dictionary.md").write_text(dictionary_markdown() + "\n", encoding="utf-8")
        for extra in ("marketing.sqlite", "data_dictionary.md"):
            files[extra] = sha256(tmp / extra)
        manifest = {**ds.meta, "format": fmt, "generator": "helpers.generator",
                    "generator_fingerprint": generator_fingerprint(casestudies_dir() / ds.meta["case_study"]
                                                                   / "casestudy.yaml"),
                    "package_versions": package_versions(),
                    "tables": {name: {"rows": len(df), "file": f"{name}.{fmt}"} for name, df in ds.tables.items()},
                    "files": files}
        _write_json(manifest, tmp / "manifest.json")
        if gtmp is not None:
            write_parquet(ds.defects, gtmp / "defects.parquet")
            counts = ds.defects["kind"].value_counts().sort_index()
            grader_manifest = {**{k: ds.meta[k] for k in ("case_study", "seed", "learner", "days")},
                               "dataset_manifest_sha256": sha256(tmp / "manifest.json"),
                               "defects": {"rows": len(ds.defects), "by_kind": {k: int(v) for k, v in counts.items()},
                                           "sha256": sha256(gtmp / "defects.parquet")}}
            if ds.measurement_faults is not None:
                faults = ds.measurement_faults.astype(object)
                write_parquet(faults, gtmp / "measurement_faults.parquet")
                counts = faults["kind"].value_counts().sort_index()
                grader_manifest["measurement_faults"] = {
                    "rows": len(faults), "by_kind": {k: int(v) for k, v in counts.items()},
                    "sha256": sha256(gtmp / "measurement_faults.parquet")}
            _write_json(grader_manifest, gtmp / "manifest.json")
            _replace(gtmp, grader_final)
        _replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if gtmp is not None:
            shutil.rmtree(gtmp, ignore_errors=True)
        raise
    ds.path = final
    ds.manifest = manifest
    return final


def read_dataset(path: str | Path, tables: list[str] | None = None) -> Dataset:
    """Load a dataset folder written by :func:`write_dataset` (all tables, or those named)."""
    path = Path(path)
    mf = path / "manifest.json"
    if not mf.is_file():
        raise UserFacingError(f"{path} is not a dataset folder (no manifest.json)")
    manifest = json.loads(mf.read_text(encoding="utf-8"))
    fmt = manifest.get("format", "parquet")
    wanted = tables or list(manifest["tables"])
    out = {}
    for name in wanted:
        if name not in manifest["tables"]:
            raise UserFacingError(f"dataset {path} has no table {name!r}; tables: {', '.join(manifest['tables'])}")
        file = path / manifest["tables"][name]["file"]
        if not file.is_file():
            raise UserFacingError(f"dataset {path} is incomplete: {file.name} is missing (regenerate it)")
        out[name] = pd.read_parquet(file) if fmt == "parquet" else read_csv_table(file, name)
    meta = {k: v for k, v in manifest.items()
            if k not in ("tables", "files", "package_versions", "format", "generator", "generator_fingerprint")}
    return Dataset(tables=out, meta=meta, defects=None, path=path.resolve(), manifest=manifest)


def read_csv_table(path: Path, name: str) -> pd.DataFrame:
    """A CSV table read back with the contract's dtypes."""
    spec = TABLES[name]
    dates = [c.name for c in spec.columns if c.dtype in ("datetime64[ns]", "date")]
    dtypes = {c.name: ("string" if c.dtype in ("string", "category") else c.dtype)
              for c in spec.columns if c.name not in dates}
    df = pd.read_csv(path, dtype=dtypes, keep_default_na=True, na_values=[""])
    for c in dates:
        df[c] = pd.to_datetime(df[c], format=DATETIME_FORMAT).astype("datetime64[ns]")
    return df[spec.column_names]
