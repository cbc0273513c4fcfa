"""The ``ccw`` command: one subcommand per job, each defined in ``helpers.commands.<name>``.

Each command module exposes ``register(subparsers)`` which adds its parser and sets ``func``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from helpers.bytecode import ensure_compiled
from helpers.errors import CCWError
from helpers.paths import ensure_interpreter_on_path

# Order is the order shown in ``ccw --help``.
COMMANDS = ["demo", "mapping", "lab", "hub", "course", "grade", "feedback", "report", "generate", "regenerate"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccw",
        description="Contact Centre Workbooks: generate case-study data, build and grade the course, "
                    "and report competency for BSBCUE605/BSBCCO605A, BSBCUE602, BSBCUS401 and BSBOPS505.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"helpers.commands.{name}").register(sub)
    return parser


def _version() -> str:
    from helpers import __version__
    return __version__


def main(argv: list[str] | None = None) -> int:
    ensure_interpreter_on_path()
    ensure_compiled()  # kernels and workers started by any command import the package compiled
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CCWError as exc:  # every error the package raises on purpose: one line, no traceback
        print(f"ccw {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
