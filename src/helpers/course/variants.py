"""Per-learner variants on the grader's side: the course secret and each learner's environment.

Threat model: learners copy each other's answers. Each learner's dataset is generated from a seed
derived from a course secret and the learner id; the secret stays with the trainer and grader
(``<course root>/.secret``, created on first use with :func:`secrets.token_hex`, mode 0600, never
released). The derivation itself is public (``helpers.variants.learner_seed``).

When autograding, each notebook runs with ``CCW_LEARNER=<learner>`` and ``CCW_DATASET=<that learner's
dataset folder>`` (read-only in the sandbox); the grader's checks read the same folder themselves.
"""
from __future__ import annotations

from pathlib import Path

SECRET_FILE = ".secret"


def course_secret(course_root: Path | str, create: bool = True) -> str:
    """The course secret ``<course root>/.secret``; created (``secrets.token_hex(32)``, mode 0600)
    when missing and ``create`` (``helpers.variants.read_secret``, shared with ``ccw regenerate``)."""
    from helpers.variants import read_secret

    return read_secret(Path(course_root) / SECRET_FILE, create=create)


def learner_seed(secret: str, learner: str) -> int:
    """Seed of a learner's variant (``helpers.variants.learner_seed``: HMAC-SHA256 of the secret)."""
    from helpers.variants import learner_seed as shared

    return shared(secret, learner)


def dataset_for(learner: str, datasets: Path | None) -> Path | None:
    """The learner's dataset folder ``<datasets>/<learner>``, or None when no datasets root is given."""
    if datasets is None:
        return None
    return Path(datasets).resolve() / learner


def kernel_env(learner: str, dataset: Path | None) -> dict[str, str]:
    """Environment variables a learner's notebook runs with while being autograded (never the course
    root: no grader code is importable in a learner's kernel)."""
    env = {"CCW_LEARNER": learner}
    if dataset is not None:
        env["CCW_DATASET"] = str(dataset)
    return env
