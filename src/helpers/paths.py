"""Where things live: the project checkout (notebooks, case studies, course root) and data folders."""
from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The project checkout: ``$CCW_ROOT`` if set, else the folder above ``src/`` (editable install),
    else the current directory."""
    if os.environ.get("CCW_ROOT"):
        return Path(os.environ["CCW_ROOT"]).resolve()
    here = Path(__file__).resolve()
    candidate = here.parents[2]
    if (candidate / "pyproject.toml").is_file() and (candidate / "notebooks").is_dir():
        return candidate
    return Path.cwd()
