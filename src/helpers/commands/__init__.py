"""Subcommands of ``ccw``; each module has ``register(subparsers)``."""
