"""Options several commands share, declared once so each reads the same in every ``--help``
(what they mean is checked in :mod:`helpers.commands.checks`)."""
from __future__ import annotations

from pathlib import Path


def actions(sub, name: str, help: str, description: str):
    """Add command ``name`` whose work is split into actions (``ccw course build``, ``ccw feedback
    release``); returns the sub-parsers to add each action to."""
    p = sub.add_parser(name, help=help, description=description)
    return p.add_subparsers(dest="action", metavar="ACTION", required=True)


def course(p) -> None:
    p.add_argument("--course", type=Path, default=None, metavar="ROOT",
                   help="nbgrader course root (default: autograde/)")


def notebooks(p, help: str = "source notebooks root (default: notebooks/)") -> None:
    p.add_argument("--notebooks", type=Path, default=None, help=help)


def gradebook(p) -> None:
    """The three options of every command that reads the course and its gradebook: --course, --notebooks, --db-url."""
    course(p)
    notebooks(p)
    p.add_argument("--db-url", default=None, metavar="URL",
                   help="gradebook URL, e.g. postgresql://user@host:5432/db (default: $CCW_DB_URL, else ROOT/gradebook.db)")
