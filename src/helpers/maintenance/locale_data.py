"""The en_AU customer locale data (``helpers.providers.au_customer.en_AU``: postcode ranges, state time zones)
without importing Faker.

That module is the one source of these facts, but it defines a Faker provider, so importing it imports Faker
(a tenth of a second in every workbook that checks a customer record). Unless it is loaded already, a
constant is read from the module's source instead: a literal, evaluated with :func:`ast.literal_eval`.
"""
from __future__ import annotations

import ast
import sys
from functools import lru_cache
from pathlib import Path

MODULE = "helpers.providers.au_customer.en_AU"
SOURCE = Path(__file__).resolve().parents[1] / "providers" / "au_customer" / "en_AU" / "__init__.py"


def au_customer(name: str):
    """The constant ``name`` of the en_AU customer locale data (e.g. ``"TIMEZONES"``)."""
    module = sys.modules.get(MODULE)
    if module is not None:
        return getattr(module, name)
    literals = _literals()
    if name not in literals:
        raise ImportError(f"no constant {name} in {SOURCE}")
    return literals[name]


@lru_cache(maxsize=1)
def _literals() -> dict:
    found = {}
    for node in ast.parse(SOURCE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:  # not a literal (a class, a computed value): not locale data
                pass
    return found
