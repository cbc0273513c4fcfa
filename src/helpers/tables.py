"""The data contract: every table the generator writes, its columns, types, units and meaning.

This module is the single source of truth for table layouts. The generator builds frames in
this column order and these dtypes (``helpers.generator.frames.conform`` checks every frame against it),
and the data dictionary that ships with each dataset is rendered from it. Conventions used throughout:

* durations are in **seconds** (``*_s`` columns), money in **Australian dollars** (``*_aud``);
* timestamps are naive local times of the contact centre (``Australia/Sydney`` wall clock), the
  customer's own time zone is in ``customers.timezone``;
* ids are strings with a prefix (``C0000001`` customers, ``A0001`` agents, ``K0000001`` calls ...);
* an abandoned call has ``abandoned == True``, no ``answered_at``/``agent_id`` and zero talk, hold
  and wrap; its ``wait_s`` is the time the caller waited before hanging up.

Safe synthetic identities: e-mail domains are the reserved names of RFC 2606/6761
(``example.com``, ``example.net``, ``example.org``); landlines use ACMA's fictitious ranges
(``0X 5550 xxxx``, ``0X 7010 xxxx``); mobiles use ACMA's fictitious mobile range ``0491 570 xxx``
(extended to ``0491 57x xxx`` to give enough distinct numbers: documented choice, never allocated
to a real service at the time of writing).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from helpers.datafile import read_mapping
from helpers.errors import UserFacingError

#: The contract as data: one entry per table (see the comment at the top of the file for its format).
CONTRACT_FILE = Path(__file__).with_name("tables.yaml")
DTYPES = ("string", "int64", "float64", "bool", "datetime64[ns]", "date", "category")


class ContractError(UserFacingError):
    """A data contract file that does not parse or does not describe tables."""


class _Model(BaseModel):
    # defer_build: the validators are built when the contract is first read (:data:`TABLES`), not on import
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Column(_Model):
    name: str = Field(min_length=1)
    dtype: Literal[DTYPES]  # type: ignore[valid-type]
    unit: str = ""
    meaning: str = Field(min_length=1)
    nullable: bool = False


class Table(_Model):
    name: str
    meaning: str = Field(min_length=1)
    key: str = Field(description="Key column, or the comma-separated columns that together identify a row")
    columns: tuple[Column, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        names = self.column_names
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"column(s) {twice} declared more than once")
        missing = [k for k in self.key.split(", ") if k not in names]
        if missing:
            raise ValueError(f"key column(s) {missing} are not columns of the table")
        return self

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _expand(entries: list) -> list:
    """The column entries with each ``for_each: {VAR: [values]}`` block repeated once per value, ``{VAR}`` in its
    names and meanings replaced by the value."""
    out = []
    for entry in entries:
        if not (isinstance(entry, dict) and "for_each" in entry):
            out.append(entry)
            continue
        each = entry["for_each"]
        if not (isinstance(each, dict) and len(each) == 1 and isinstance(next(iter(each.values())), list)):
            raise ValueError(f"for_each needs one {{VAR: [values]}} mapping, got {each!r}")
        (var, values), = each.items()
        for value in values:
            out += [{k: v.replace(f"{{{var}}}", value) if k in ("name", "meaning") else v for k, v in col.items()}
                    for col in entry.get("columns") or []]
    return out


def _problems(exc: ValidationError, columns: list) -> str:
    """Pydantic's errors as ``where: what`` (a column named by its name, not its position)."""
    out = []
    for err in exc.errors():
        loc, where = list(err["loc"]), []
        if loc[:1] == ["columns"] and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(columns):
            col = columns[loc[1]]
            where, loc = [f"column {col.get('name', loc[1]) if isinstance(col, dict) else loc[1]!r}"], loc[2:]
        if loc:
            where.append(".".join(map(str, loc)))
        out.append(": ".join([*where, err["msg"].removeprefix("Value error, ")]))
    return "; ".join(out)


def load_contract(path: Path = CONTRACT_FILE) -> dict[str, Table]:
    """The tables a contract file declares, by name, in the file's order (raises :class:`ContractError`)."""
    raw = read_mapping(path, "data contract", error=ContractError, shape="of tables")
    tables = {}
    for name, spec in raw.items():
        columns: list = []
        try:
            if not isinstance(spec, dict):
                raise ValueError("must be a mapping of meaning, key and columns")
            columns = _expand(spec.get("columns") or [])
            tables[name] = Table(name=name, **{**spec, "columns": columns})
        except ValidationError as exc:
            raise ContractError(f"data contract {path}, table {name!r}: {_problems(exc, columns)}") from None
        except (ValueError, TypeError, AttributeError) as exc:
            raise ContractError(f"data contract {path}, table {name!r}: {exc}") from None
    return tables


class _Contract(Mapping):
    """The contract's tables by name, read from ``path`` on first use.

    Why lazy: every workbook imports this module (through ``helpers.data``), but a setup cell reads no table;
    parsing and validating the contract there cost a twelfth of a second before the learner saw anything."""

    def __init__(self, path: Path):
        self._path, self._tables = path, None

    def _read(self) -> dict[str, Table]:
        if self._tables is None:
            self._tables = load_contract(self._path)
        return self._tables

    def __getitem__(self, name: str) -> Table:
        return self._read()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return f"TABLES({', '.join(self)})"


TABLES: Mapping[str, Table] = _Contract(CONTRACT_FILE)


def dictionary_frame() -> pd.DataFrame:
    """The data dictionary as one long frame: table, column, type, unit, nullable, meaning."""
    rows = [
        {"table": t.name, "column": c.name, "type": c.dtype, "unit": c.unit,
         "nullable": c.nullable, "meaning": c.meaning}
        for t in TABLES.values() for c in t.columns
    ]
    return pd.DataFrame(rows)


def dictionary_markdown() -> str:
    """The data dictionary rendered as Markdown (one section per table)."""
    out = ["# Data dictionary", "", __doc__.split("\n\n", 1)[1].strip(), ""]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", t.meaning, f"Key: `{t.key}`", "",
                "| column | type | unit | nullable | meaning |", "|---|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.dtype} | {c.unit} | {'yes' if c.nullable else 'no'} | {c.meaning} |"
                for c in t.columns]
        out.append("")
    return "\n".join(out)
