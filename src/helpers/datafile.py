"""Reading a settings or data file that holds one mapping (YAML or JSON), with errors a user can act on.

One reader for the case studies (``casestudy.yaml``), the workspace file (``ccw.json``) and the data
contract (``tables.yaml``): the error names what the file is, where it is and what is wrong with it
(the parser's own words and line), in the caller's error class.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from helpers.errors import UserFacingError

#: libyaml's loader where PyYAML was built with it (ten times faster, same documents), else PyYAML's own.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, what: str, *, error: type[Exception] = UserFacingError, shape: str = "",
                 advice: str = "") -> dict:
    """The mapping a ``.json`` file (JSON) or any other file (YAML) holds.

    Raises ``error`` naming ``what`` (e.g. ``"case study"``) and ``path`` when the text does not parse
    (with the parser's message) or is not a mapping; ``shape`` describes the mapping expected (``"of
    fields"``, ``'like {"learner": "jsmith"}'``) and ``advice`` ends both messages (``"fix or delete it"``).
    """
    text = path.read_text(encoding="utf-8")
    advice = f": {advice}" if advice else ""
    if path.suffix == ".json":
        kind = "a JSON object"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"{what} {path} is not valid JSON ({exc.msg} at line {exc.lineno}){advice}") from None
    else:
        kind = "a YAML mapping"
        try:
            data = yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            raise error(f"{what} {path} is not valid YAML ({_yaml_problem(exc)}){advice}") from None
    if not isinstance(data, dict):
        got = "nothing (the file is empty)" if data is None else type(data).__name__
        raise error(f"{what} {path} must hold {kind}{' ' + shape if shape else ''}, got {got}{advice}")
    return data


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What the YAML parser found wrong and where, in the JSON parser's words: ``"<problem> at line <n>"``."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or not problem:
        return str(exc)
    return f"{problem} at line {mark.line + 1}"
