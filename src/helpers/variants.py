"""Per-learner dataset variants: the seed of a learner's data comes from a course secret.

``learner_seed(secret, learner)`` = the first 63 bits of HMAC-SHA256(secret, learner). The function is
public; the secret is not: it stays with trainers and graders (``autograde/.secret``, created by
``ccw regenerate`` on first use and never committed). Without the secret a learner cannot work out
anyone's seed, so copying another learner's numbers fails the data tasks, while graders can rebuild
any learner's dataset exactly.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
from pathlib import Path

from helpers.errors import UserFacingError

SECRET_BYTES = 32


def learner_seed(secret: str, learner: str) -> int:
    """A 63-bit non-negative seed for ``learner`` derived from the course ``secret`` (HMAC-SHA256)."""
    if not isinstance(secret, str) or not secret:
        raise ValueError("secret must be a non-empty string")
    if not isinstance(learner, str) or not learner.strip():
        raise ValueError(f"learner must be a non-empty string, got {learner!r}")
    digest = hmac.new(secret.encode("utf-8"), learner.strip().encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def read_secret(path: str | Path, create: bool = False) -> str:
    """The course secret in ``path`` (one line of hex). With ``create``, a new one is made if missing
    (``secrets.token_hex(32)``, file mode 0600)."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise UserFacingError(f"no course secret at {path}: run `ccw regenerate` once to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_secrets.token_hex(SECRET_BYTES) + "\n", encoding="utf-8")
        path.chmod(0o600)
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise UserFacingError(f"the course secret file {path} is empty: delete it to create a new one")
    return secret
