"""The learner-id rule, in one place: the roster (``ccw regenerate``), the lab (``ccw lab``), the
grader (``ccw grade`` submissions) and the data generator all accept exactly the same ids.

An id is what the course roster uses, e.g. ``s1234`` or ``jane.smith``: 1 to 64 characters, letters,
digits, ``.``, ``_``, ``-`` and ``@`` (JupyterHub user names can be e-mail addresses), starting with a
letter or digit. Why so strict: the id becomes a folder name (``datasets/<slug>/learners/<id>/``,
``submitted/<id>/``), nbgrader's exchange joins fields with ``+`` (so ``+`` and ``*`` are out), and a
leading ``.`` or ``_`` would hide the folder or clash with ``_practice``.

This module imports nothing heavy, so commands can check their input before loading pandas.
"""
from __future__ import annotations

import re

from helpers.errors import UserFacingError

MAX_LENGTH = 64
LEARNER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,%d}" % (MAX_LENGTH - 1))
RULE = ("letters, digits, '.', '_', '-' or '@', starting with a letter or digit, "
        f"at most {MAX_LENGTH} characters")


def is_learner_id(value) -> bool:
    """True when ``value`` is a usable learner id (see the module docstring)."""
    return isinstance(value, str) and LEARNER_ID.fullmatch(value) is not None


def check_learner_id(value, where: str = "") -> str:
    """``value`` if it is a usable learner id, else a :class:`UserFacingError` naming ``where`` it came
    from (e.g. ``"roster.csv line 3"`` or ``"--learner"``) and the rule."""
    if is_learner_id(value):
        return value
    prefix = f"{where}: " if where else ""
    hint = ""
    if isinstance(value, str) and "\t" in value:
        hint = " (it contains a tab: is the roster tab-separated? Use commas, or one id per line)"
    elif isinstance(value, str) and value != value.strip():
        hint = " (it has spaces around it)"
    elif isinstance(value, str) and " " in value:
        hint = " (it contains a space)"
    raise UserFacingError(f"{prefix}learner id {value!r} is not valid{hint}: use {RULE}")
