"""Reading a settings or data file that holds one mapping (YAML or JSON), with errors a user can act on.

One reader for the case studies (``casestudy.yaml``), the workspace file (``ccw.json``) and the data
contract (``tables.yaml``): the error names what the file is, where it is and what is wrong with it
(the parser's own words and line), in the caller's error class.

The project's own YAML files (the case studies, the data contract) are parsed once per content: the
parsed mapping is kept in the user's cache folder (:func:`cached`), so a workbook's setup cell does not
parse the same YAML in every fresh kernel. The cache is keyed by the file's bytes, so an edited file
is parsed again.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

from helpers.errors import UserFacingError

CACHE_VERSION = 1  # bump when what the cache holds changes shape


def _yaml():
    """PyYAML and libyaml's loader where PyYAML was built with it (ten times faster, same documents), else
    PyYAML's own; imported on first use (a cached file needs neither)."""
    import yaml
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def cache_dir() -> Path:
    """The folder of parsed-file caches: ``$CCW_CACHE_DIR``, else ``$XDG_CACHE_HOME/ccw``, else ``~/.cache/ccw``."""
    if os.environ.get("CCW_CACHE_DIR"):
        return Path(os.environ["CCW_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ccw"


def cached(kind: str, source: Path, build: Callable[[bytes], object], *, key: str = ""):
    """``build(source's bytes)``, kept on disk (pickle) under the sha256 of ``kind``, ``key`` (e.g. the code
    that builds it) and the bytes; the next process with the same bytes loads it instead of building it.

    A cache that cannot be read (or written: a read-only home) is ignored; ``build``'s errors propagate and
    are not cached. The previous entry of the same ``kind`` and file is replaced. With ``CCW_PARSE_CACHE=off``
    (the grader's processes set it) nothing is read from or written to the cache: a pickle is code, and the
    grader does not load what a learner's process could have written."""
    data = source.read_bytes()
    if os.environ.get("CCW_PARSE_CACHE") == "off":
        return build(data)
    digest = hashlib.sha256(f"{kind}|{key}|{CACHE_VERSION}|{sys.version_info[:2]}|".encode() + data).hexdigest()
    where = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    folder = cache_dir()
    entry = folder / f"{kind}-{where}-{digest[:24]}.pickle"
    try:
        return pickle.loads(entry.read_bytes())
    except Exception:  # missing, or unreadable (another Python, a damaged file): build it again
        pass
    value = build(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{kind}-{where}-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, entry)
    except OSError:  # no writable cache folder: parse every time, as without a cache
        pass
    return value


def is_project_file(path: Path) -> bool:
    """True for a file of this project (the shipped case studies, the data contract): only those are cached,
    so a temporary or learner-edited copy elsewhere never leaves cache entries behind."""
    from helpers.paths import project_root
    path = path.resolve()
    return any(folder in path.parents for folder in (project_root(), Path(__file__).resolve().parent))


def read_mapping(path: Path, what: str, *, error: type[Exception] = UserFacingError, shape: str = "",
                 advice: str = "") -> dict:
    """The mapping a ``.json`` file (JSON) or any other file (YAML) holds.

    Raises ``error`` naming ``what`` (e.g. ``"case study"``) and ``path`` when the text does not parse
    (with the parser's message) or is not a mapping; ``shape`` describes the mapping expected (``"of
    fields"``, ``'like {"learner": "jsmith"}'``) and ``advice`` ends both messages (``"fix or delete it"``).
    """
    advice = f": {advice}" if advice else ""
    if path.suffix == ".json":
        kind = "a JSON object"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise error(f"{what} {path} is not valid JSON ({exc.msg} at line {exc.lineno}){advice}") from None
    else:
        kind = "a YAML mapping"
        try:
            data = cached("yaml", path, _parse_yaml) if is_project_file(path) else _parse_yaml(path.read_bytes())
        except Exception as exc:
            if not isinstance(exc, _yaml()[0].YAMLError):
                raise
            raise error(f"{what} {path} is not valid YAML ({_yaml_problem(exc)}){advice}") from None
    if not isinstance(data, dict):
        got = "nothing (the file is empty)" if data is None else type(data).__name__
        raise error(f"{what} {path} must hold {kind}{' ' + shape if shape else ''}, got {got}{advice}")
    return data


def _parse_yaml(data: bytes):
    yaml, loader = _yaml()
    return yaml.load(data.decode("utf-8"), Loader=loader)


def _yaml_problem(exc) -> str:
    """What the YAML parser found wrong and where, in the JSON parser's words: ``"<problem> at line <n>"``."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or not problem:
        return str(exc)
    return f"{problem} at line {mark.line + 1}"
