"""Compiled modules on disk for every process that imports ``helpers``.

An editable install (``pip install -e .``) writes no ``.pyc`` files, and where
``PYTHONDONTWRITEBYTECODE`` is set (CI images, some hubs) or the package folder is read-only to the
user running it (a learner's kernel, a sandboxed grading kernel), Python never writes them either: every
kernel, kernel factory and command then compiles the package from source again, about 0.13 s a process
(a quarter of a workbook's start). ``ccw`` writes them once, at the start of each command, as a
normal ``pip install`` would; when they are up to date this costs a few milliseconds of ``stat``.
"""
from __future__ import annotations

from pathlib import Path


def ensure_compiled(*folders: Path | str) -> None:
    """Write missing or stale ``.pyc`` files for the ``helpers`` package and ``folders``; never fails."""
    import compileall

    import helpers

    for folder in (Path(helpers.__file__).parent, *folders):
        try:
            compileall.compile_dir(str(folder), quiet=2)
        except OSError:  # a read-only install: imports compile in memory, as before
            pass
