"""Per-learner variants on the grader's side: the course secret and each learner's environment.

Threat model: learners copy each other's answers. Each learner's dataset is generated from a seed
derived from a course secret and the learner id; the secret stays with the trainer and grader
(``<course root>/.secret``, created on first use with :func:`secrets.token_hex`, mode 0600, never
released). The derivation itself is public (``helpers.variants.learner_seed``).

When autograding, each notebook runs with ``CCW_LEARNER=<learner>``, ``CCW_DATASET=<that learner's
dataset folder>`` and the course root on ``PYTHONPATH`` (so hidden tests can ``import ccw_grader``).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from helpers.errors import UserFacingError

SECRET_FILE = ".secret"


def course_secret(course_root: Path | str, create: bool = True) -> str:
    """The course secret; created (64 hex characters, owner-only file) when missing and ``create``."""
    path = Path(course_root) / SECRET_FILE
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if not value:
            raise UserFacingError(f"{path} is empty: delete it to create a new course secret "
                                  "(every learner's dataset then changes)")
        return value
    if not create:
        raise UserFacingError(f"no course secret at {path}: run `ccw course build` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


def learner_seed(secret: str, learner: str) -> int:
    """Seed of a learner's variant: ``helpers.variants.learner_seed`` when that module is installed,
    else HMAC-SHA256(secret, learner) truncated to 63 bits (same idea, used by the sample data)."""
    try:
        from helpers.variants import learner_seed as shared
    except ImportError:
        digest = hmac.new(secret.encode(), learner.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") >> 1
    return int(shared(secret, learner))


def dataset_for(learner: str, datasets: Path | None) -> Path | None:
    """The learner's dataset folder ``<datasets>/<learner>``, or None when no datasets root is given."""
    if datasets is None:
        return None
    return Path(datasets).resolve() / learner


def kernel_env(learner: str, dataset: Path | None, grader_paths: list[Path]) -> dict[str, str]:
    """Environment variables a learner's notebook runs with while being autograded."""
    extra = [str(p) for p in grader_paths]
    current = os.environ.get("PYTHONPATH")
    env = {"CCW_LEARNER": learner, "PYTHONPATH": os.pathsep.join(extra + ([current] if current else []))}
    if dataset is not None:
        env["CCW_DATASET"] = str(dataset)
    return env
