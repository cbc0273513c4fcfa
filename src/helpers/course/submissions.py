"""Take submissions into nbgrader's ``submitted/<learner>/<assignment>/`` layout.

Accepted inputs (``ccw grade --submissions DIR``), one entry per learner, the learner id being the
folder or zip name:

* ``DIR/<learner>/<assignment>/<notebook>.ipynb`` (nbgrader's own layout),
* ``DIR/<learner>/<notebook>.ipynb`` (notebooks in any sub-folders),
* ``DIR/<learner>.zip`` holding either of the above (a single top folder inside is fine).

A notebook is matched to its assignment by the folder it sits in, else by its file name among the
released notebooks. Files are copied byte for byte, so a damaged notebook is graded (zero, with a
note) rather than rejected here. An nbgrader ``timestamp.txt`` is kept when present.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from helpers.errors import UserFacingError

LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")


@dataclass
class Imported:
    learners: list[str] = field(default_factory=list)
    notebooks: int = 0
    ignored: list[str] = field(default_factory=list)  # files that match no released notebook


def check_learner_id(learner: str, where: str) -> str:
    if not LEARNER_ID.match(learner):
        raise UserFacingError(f"{where}: {learner!r} is not a usable learner id (letters, digits, '_', '.', "
                              "'@', '-'; starting with a letter or digit)")
    return learner


def released_notebooks(release_dir: Path) -> dict[str, list[str]]:
    """{notebook file name: [assignments releasing it]}."""
    found: dict[str, list[str]] = {}
    for path in sorted(release_dir.glob("*/*.ipynb")):
        found.setdefault(path.name, []).append(path.parent.name)
    return found


def _assignment_for(parts: tuple[str, ...], released: dict[str, list[str]], assignments: set[str]) -> str | None:
    for folder in reversed(parts[:-1]):
        if folder in assignments and folder in released.get(parts[-1], []):
            return folder
    candidates = released.get(parts[-1], [])
    return candidates[0] if len(candidates) == 1 else None


def _entries(source: Path):
    """(learner, relative parts, reader) for every notebook or timestamp of every learner."""
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            learner = check_learner_id(entry.name, str(entry))
            for path in sorted(entry.rglob("*")):
                if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                    yield learner, path.relative_to(entry).parts, path.read_bytes
        elif entry.suffix.lower() == ".zip":
            learner = check_learner_id(entry.stem, str(entry))
            try:
                archive = zipfile.ZipFile(entry)
            except zipfile.BadZipFile:
                raise UserFacingError(f"{entry}: not a readable zip file") from None
            with archive:
                names = [n for n in archive.namelist() if not n.endswith("/") and "__MACOSX" not in n
                         and ".ipynb_checkpoints" not in n]
                for name in sorted(names):
                    parts = PurePosixPath(name).parts
                    if ".." in parts:
                        raise UserFacingError(f"{entry}: unsafe path {name!r} in the zip")
                    yield learner, parts, (lambda n=name, a=entry: zipfile.ZipFile(a).read(n))


def import_submissions(source: Path | str, submitted_dir: Path, release_dir: Path) -> Imported:
    """Copy every learner's notebooks from ``source`` into ``submitted_dir``; replaces earlier copies."""
    source = Path(source)
    if not source.is_dir():
        raise UserFacingError(f"submissions folder not found: {source}")
    released = released_notebooks(release_dir)
    if not released:
        raise UserFacingError(f"no released notebooks in {release_dir}: run `ccw course build` first")
    assignments = {a for names in released.values() for a in names}
    result = Imported()
    staged: dict[tuple[str, str], dict[str, bytes]] = {}
    for learner, parts, read in _entries(source):
        if parts[-1] == "timestamp.txt":
            assignment = next((p for p in reversed(parts[:-1]) if p in assignments), None)
            if assignment:
                staged.setdefault((learner, assignment), {})["timestamp.txt"] = read()
            continue
        if not parts[-1].endswith(".ipynb"):
            continue
        assignment = _assignment_for(parts, released, assignments)
        if assignment is None:
            result.ignored.append(f"{learner}/{'/'.join(parts)}")
            continue
        staged.setdefault((learner, assignment), {})[parts[-1]] = read()
    for (learner, assignment), files in sorted(staged.items()):
        if not any(n.endswith(".ipynb") for n in files):
            continue
        target = submitted_dir / learner / assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, data in sorted(files.items()):
            (target / name).write_bytes(data)
            result.notebooks += name.endswith(".ipynb")
        if learner not in result.learners:
            result.learners.append(learner)
    return result


def read_timestamp(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    return path.read_text(encoding="utf-8").strip() or None if path.is_file() else None
