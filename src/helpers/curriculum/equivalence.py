"""Item-level equivalence of predecessor units to current units (``equivalence.yaml``)."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import yaml

from helpers.curriculum import load_unit


@lru_cache(maxsize=1)
def equivalences() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """``{(old_unit, item_id): ((current_unit, item_id), ...)}`` for every item of every predecessor unit.

    Validated on load: every id named must exist in its unit, and every item of the predecessor
    must be mapped, so a predecessor can never be reported covered by accident.
    """
    data = yaml.safe_load(files("helpers.curriculum").joinpath("equivalence.yaml").read_text("utf-8"))
    out: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for old_code, spec in data.items():
        old, new = load_unit(old_code), load_unit(spec["equivalent_to"])
        new_ids = {i.id for items in new.items_by_type().values() for i in items}
        for itype, items in old.items_by_type().items():
            for item in items:
                if itype == "PC" and spec.get("pcs_by_id"):
                    targets = [item.id]
                else:
                    targets = spec["items"].get(item.id)
                if not targets:
                    raise ValueError(f"equivalence.yaml: {old.code} {item.id} is not mapped to {new.code}")
                unknown = [t for t in targets if t not in new_ids]
                if unknown:
                    raise ValueError(f"equivalence.yaml: {old.code} {item.id} maps to unknown {new.code} items {unknown}")
                out[(old.code, item.id)] = tuple((new.code, t) for t in targets)
    return out
