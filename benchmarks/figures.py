"""Printing a benchmark's figures: one aligned line each, and optionally a JSON file beside them."""
from __future__ import annotations

import json
from pathlib import Path


def report(figures: dict, json_path: Path | None = None) -> None:
    """Print ``figures`` (name -> value) aligned, and write them to ``json_path`` when given."""
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(figures, indent=1) + "\n")
