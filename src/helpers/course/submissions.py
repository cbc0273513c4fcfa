"""Take submissions into nbgrader's ``submitted/<learner>/<assignment>/`` layout.

Accepted inputs (``ccw grade --submissions DIR``), one entry per learner, the learner id being the
folder or zip name:

* ``DIR/<learner>/<assignment>/<notebook>.ipynb`` (nbgrader's own layout),
* ``DIR/<learner>/<notebook>.ipynb`` (notebooks in any sub-folders),
* ``DIR/<learner>.zip`` holding either of the above (a single top folder inside is fine).

A notebook is matched to its assignment by the folder it sits in, else by its file name among the
released notebooks; a name a download or a copy changed (``01_kpis (1).ipynb``, ``01_KPIS.ipynb``,
``01_kpis - Copy.ipynb``) still matches, with a note. Files are copied byte for byte, so a damaged
notebook is graded (zero, with a note) rather than rejected here. An nbgrader ``timestamp.txt`` is
kept when present, and so is the learner declaration (``declaration.md``) when it is UTF-8 plain text of
at most ``helpers.course.declaration.MAX_BYTES`` (else dropped with a note to the learner; ``ccw report``
then finds no declaration).

One learner's problem is that learner's alone: an id that breaks the learner-id rule
(:mod:`helpers.learners`), a zip that cannot be read or holds an entry leaving its folder, a link, a
device file or a member over :data:`MAX_MEMBER_BYTES`, and a folder holding links or special files
are *refused*: listed in :attr:`Imported.refused` with the reason, that learner's earlier submission
(if any) left as it was, and everyone else imported. When a learner has both a folder and a zip, the
newer one is taken.
"""
from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from helpers.course.declaration import FILE as DECLARATION_FILE
from helpers.course.declaration import MAX_BYTES as DECLARATION_MAX_BYTES
from helpers.course.declaration import plain_text
from helpers.errors import UserFacingError
from helpers.learners import RULE, is_learner_id

MAX_MEMBER_BYTES = 50_000_000  # a workbook with outputs is a few MB; anything far bigger is not a notebook
MAX_RATIO = 200  # uncompressed / compressed size beyond which a zip member is treated as a zip bomb
_COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|\s*-\s*copy(\s*\(\d+\))?|\s+copy)$", re.I)


@dataclass
class Imported:
    learners: list[str] = field(default_factory=list)
    notebooks: int = 0
    ignored: list[str] = field(default_factory=list)  # files that match no released notebook
    refused: list[str] = field(default_factory=list)  # "<entry>: <reason>" for submissions not imported
    renamed: dict[str, list[str]] = field(default_factory=dict)  # learner -> notes on files matched by a near name


class _Refused(Exception):
    """This learner's submission cannot be taken; the message says why (for the run's summary)."""


def check_learner_id(learner: str, where: str) -> str:
    if not is_learner_id(learner):
        raise UserFacingError(f"{where}: {learner!r} is not a usable learner id ({RULE})")
    return learner


def released_notebooks(release_dir: Path) -> dict[str, list[str]]:
    """{notebook file name: [assignments releasing it]}."""
    found: dict[str, list[str]] = {}
    for path in sorted(release_dir.glob("*/*.ipynb")):
        found.setdefault(path.name, []).append(path.parent.name)
    return found


def _canonical(name: str, released: dict[str, list[str]]) -> str | None:
    """The released notebook name a submitted file name stands for (exact, or by case and copy suffix)."""
    if name in released:
        return name
    stem = _COPY_SUFFIX.sub("", name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name).strip()
    for candidate in released:
        if candidate[:-len(".ipynb")].casefold() == stem.casefold():
            return candidate
    return None


def _assignment_for(parts: tuple[str, ...], name: str, released: dict[str, list[str]],
                    assignments: set[str]) -> str | None:
    for folder in reversed(parts[:-1]):
        if folder in assignments and folder in released.get(name, []):
            return folder
    candidates = released.get(name, [])
    return candidates[0] if len(candidates) == 1 else None


def _folder_files(entry: Path):
    """(relative parts, reader) of every file of a learner's folder; links and special files refuse it."""
    files = []
    for path in sorted(entry.rglob("*")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            raise _Refused(f"it holds a link ({path.relative_to(entry)}); submit the files themselves")
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode):
            raise _Refused(f"it holds a special file ({path.relative_to(entry)})")
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise _Refused(f"{path.relative_to(entry)} is larger than {MAX_MEMBER_BYTES // 1_000_000} MB")
        files.append((path.relative_to(entry).parts, path.read_bytes))
    return files


def _zip_files(entry: Path):
    """(relative parts, reader) of every file in a learner's zip, after checking every member."""
    try:
        archive = zipfile.ZipFile(entry)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Refused(f"not a readable zip file ({exc.__class__.__name__})") from None
    files = []
    for info in infos:
        name = info.filename
        if name.endswith("/") or "__MACOSX" in name or ".ipynb_checkpoints" in name:
            continue
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if not parts or name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise _Refused(f"the entry {name!r} would be written outside the learner's folder")
        kind = (info.external_attr >> 16) & 0o170000
        if kind and kind != stat.S_IFREG:
            raise _Refused(f"the entry {name!r} is a link or special file, not a file")
        if info.file_size > MAX_MEMBER_BYTES:
            raise _Refused(f"the entry {name!r} is larger than {MAX_MEMBER_BYTES // 1_000_000} MB")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1_000_000:
            raise _Refused(f"the entry {name!r} expands {info.file_size // info.compress_size}-fold (a zip bomb?)")
        files.append((parts, lambda i=info, a=entry: zipfile.ZipFile(a).read(i)))
    archive.close()
    return files


def _newest(entry: Path) -> float:
    if entry.is_file():
        return entry.stat().st_mtime
    times = [p.lstat().st_mtime for p in entry.rglob("*") if p.is_file()]
    return max(times, default=entry.stat().st_mtime)


def _learner_entries(source: Path, result: Imported) -> dict[str, Path]:
    """{learner: the entry (folder or zip) to import}; bad ids refused, the newer of folder and zip kept."""
    chosen: dict[str, Path] = {}
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            result.refused.append(f"{entry.name}: a link, not a submission folder or zip")
            continue
        if entry.is_dir():
            learner = entry.name
        elif entry.suffix.lower() == ".zip":
            learner = entry.stem
        else:
            result.ignored.append(entry.name)
            continue
        if not is_learner_id(learner):
            result.refused.append(f"{entry.name}: {learner!r} is not a usable learner id ({RULE}); rename it to the "
                                  "learner's id from the roster")
            continue
        if learner in chosen:
            older, newer = sorted((chosen[learner], entry), key=_newest)
            result.ignored.append(f"{older.name} (an older submission of {learner} than {newer.name})")
            chosen[learner] = newer
        else:
            chosen[learner] = entry
    return chosen


def import_submissions(source: Path | str, submitted_dir: Path, release_dir: Path) -> Imported:
    """Copy every learner's notebooks from ``source`` into ``submitted_dir``; replaces earlier copies of
    the learners imported, never touches a learner whose submission was refused."""
    source = Path(source)
    if not source.is_dir():
        raise UserFacingError(f"submissions folder not found: {source}")
    released = released_notebooks(release_dir)
    if not released:
        raise UserFacingError(f"no released notebooks in {release_dir}: run `ccw course build` first")
    assignments = {a for names in released.values() for a in names}
    result = Imported()
    staged: dict[tuple[str, str], dict[str, bytes]] = {}
    for learner, entry in sorted(_learner_entries(source, result).items()):
        try:
            files = _zip_files(entry) if entry.is_file() else _folder_files(entry)
            mine: dict[tuple[str, str], dict[str, bytes]] = {}
            for parts, read in files:
                _stage(learner, parts, read, released, assignments, mine, result)
        except _Refused as exc:
            result.refused.append(f"{entry.name}: {exc}")
            continue
        staged.update(mine)
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


def _stage(learner, parts, read, released, assignments, staged, result: Imported) -> None:
    if parts[-1] == "timestamp.txt":
        assignment = next((p for p in reversed(parts[:-1]) if p in assignments), None)
        if assignment:
            staged.setdefault((learner, assignment), {})["timestamp.txt"] = read()
        return
    if parts[-1] == DECLARATION_FILE:  # the learner declaration: kept only as small plain text
        assignment = next((p for p in reversed(parts[:-1]) if p in assignments), None)
        if assignment is None and len(assignments) == 1:
            assignment = next(iter(assignments))
        if assignment:
            data = read()
            if plain_text(data) is None:
                result.renamed.setdefault(learner, []).append(
                    f"Your {DECLARATION_FILE} was not kept: it must be the plain-text form as released (at most "
                    f"{DECLARATION_MAX_BYTES} bytes); your results count only once it is signed.")
            else:
                staged.setdefault((learner, assignment), {})[DECLARATION_FILE] = data
        return
    if not parts[-1].lower().endswith(".ipynb"):
        return
    name = _canonical(parts[-1], released)
    assignment = _assignment_for(parts, name, released, assignments) if name else None
    if assignment is None:
        result.ignored.append(f"{learner}/{'/'.join(parts)}")
        result.renamed.setdefault(learner, []).append(
            f"Your file {'/'.join(parts)!r} matches no notebook of the assignment and was not graded; submit "
            "it under its original name.")
        return
    files = staged.setdefault((learner, assignment), {})
    if name != parts[-1]:
        if name in files:  # the exact name wins over a renamed copy
            return
        result.renamed.setdefault(learner, []).append(
            f"Your file {'/'.join(parts)!r} was graded as {name}.")
    files[name] = read()


def read_timestamp(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    return path.read_text(encoding="utf-8").strip() or None if path.is_file() else None
