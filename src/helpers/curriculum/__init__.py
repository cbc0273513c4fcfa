"""The course's units of competency as typed, validated data.

Each unit lives in ``<CODE>.yaml`` next to this module (package data), transcribed
verbatim from the training.gov.au text in ``shared/units``::

    from helpers.curriculum import load_unit, all_units
    unit = load_unit("bsbcue605")        # case-insensitive, cached per process
    unit.item("2.5").text, unit.items_by_type()["PE"]
"""

from __future__ import annotations

import re

from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import ValidationError

from .model import (
    Criterion,
    Element,
    FoundationSkill,
    Item,
    LineageEntry,
    MappingRow,
    MessageKeyError,
    RangeCategory,
    Unit,
)

__all__ = [
    "Criterion",
    "Element",
    "FoundationSkill",
    "Item",
    "LineageEntry",
    "MappingRow",
    "RangeCategory",
    "Unit",
    "UnknownUnitError",
    "all_units",
    "known_codes",
    "load_unit",
]


class UnknownUnitError(MessageKeyError):
    """Raised by :func:`load_unit` for a code with no data file; the message lists the known codes."""

    def __init__(self, code: str, known: tuple[str, ...]):
        super().__init__(f"unknown unit code {code!r}; known codes: {', '.join(known)}")
        self.code, self.known = code, known


_UNIT_FILE = re.compile(r"[A-Z]{6}\d{3}[A-Z]?\.yaml")


@lru_cache(maxsize=None)
def known_codes() -> tuple[str, ...]:
    """Codes of all units shipped as package data, sorted (files named like a unit code, e.g. BSBCUE605.yaml;
    other data files such as equivalence.yaml are not units)."""
    return tuple(sorted(p.name[: -len(".yaml")] for p in files(__name__).iterdir()
                        if _UNIT_FILE.fullmatch(p.name)))


def _load_unit_file(source: Path | Traversable) -> Unit:
    """Parse and validate one unit YAML file; any problem becomes a ValueError naming the file."""
    try:
        return Unit.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'unit'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{source}: invalid unit data: {problems}") from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{source}: invalid unit data: {exc}") from exc


@lru_cache(maxsize=None)
def _load_known(code: str) -> Unit:
    unit = _load_unit_file(files(__name__) / f"{code}.yaml")
    if unit.code != code:
        raise ValueError(f"{code}.yaml: code field is {unit.code!r}, expected {code!r}")
    return unit


def load_unit(code: str) -> Unit:
    """Return the unit with this code (case-insensitive); raises :class:`UnknownUnitError`."""
    key = str(code).strip().upper()
    if key not in known_codes():
        raise UnknownUnitError(code, known_codes())
    return _load_known(key)


def all_units() -> tuple[Unit, ...]:
    """All units, ordered by code."""
    return tuple(load_unit(c) for c in known_codes())
