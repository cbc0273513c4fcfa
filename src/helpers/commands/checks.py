"""Checks of what a user typed, shared by the commands and run *before* their heavy imports
(pandas, nbgrader, papermill take seconds to load): a typo is reported at once, and nothing has
been written when it is."""
from __future__ import annotations

from pathlib import Path

from helpers.errors import UserFacingError


def at_least(value, minimum, option: str):
    """``value`` unless it is below ``minimum`` (None passes: the option was not given)."""
    if value is not None and value < minimum:
        raise UserFacingError(f"{option} must be at least {minimum:g}, got {value:g}")
    return value


def existing_folder(path: Path | None, option: str, what: str) -> Path | None:
    """``path`` if it is an existing folder (None passes), else an error naming the option."""
    if path is None:
        return None
    if not path.exists():
        raise UserFacingError(f"{option} {path}: no such folder ({what})")
    if not path.is_dir():
        raise UserFacingError(f"{option} {path} is a file, not a folder ({what})")
    return path


def course_root(path: Path | None, must_exist: bool = True) -> Path:
    """The nbgrader course root (default ``autograde/``); with ``must_exist`` it must hold nbgrader_config.py."""
    from helpers.paths import project_root

    root = path or project_root() / "autograde"
    if must_exist and not (root / "nbgrader_config.py").is_file():
        raise UserFacingError(f"no course at {root}: nbgrader_config.py is missing (run `ccw course build` first, "
                              "or pass --course ROOT)")
    if not must_exist and root.exists() and not root.is_dir():
        raise UserFacingError(f"--course {root} is a file, not a folder")
    return root


def dataset_folder(path: Path | None, option: str = "--dataset") -> Path | None:
    """A dataset folder (one with manifest.json, as ``ccw generate`` / ``ccw regenerate`` write)."""
    if existing_folder(path, option, "a dataset folder") is not None and not (path / "manifest.json").is_file():
        raise UserFacingError(f"{option} {path} is not a dataset folder (no manifest.json): "
                              "make one with `ccw generate` or `ccw regenerate`")
    return path
