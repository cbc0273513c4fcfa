"""The course's own settings, declared where they are used, as traitlets (``c.<Class>.<name>``).

Each class is a :class:`traitlets.config.Configurable` with help text; ``nbgrader_config.py`` sets
them beside nbgrader's own sections, and :func:`check_settings` refuses a section or key that does not
exist (a misspelt ``c.CCWGrade.notebok_timeout`` would otherwise be ignored in silence) and a value
of the wrong type. :func:`default_config` writes the course's config file from these declarations.
"""
from __future__ import annotations

import textwrap

from traitlets import Bool, Float, Int, List, TraitError, Unicode
from traitlets.config import Configurable

from helpers.course.sandbox import CCWSandbox
from helpers.errors import UserFacingError


class CCWCourse(Configurable):
    """Which assignments the course holds."""

    assignments = List(Unicode(), default_value=[],
                       help="Assignment ids (unit codes) of the course; empty: every folder of the notebooks root "
                            "that holds notebooks.").tag(config=True)


class CCWGrade(Configurable):
    """Limits of one autograding run (the per-cell timeout is nbgrader's c.Execute.timeout)."""

    notebook_timeout = Float(600, help="Whole-notebook limit (seconds): past it the kernel is stopped and the "
                                       "remaining cells earn nothing.").tag(config=True)
    max_output_bytes = Int(1_000_000, help="Output kept per cell (bytes); the rest is dropped with a note in the "
                                           "learner's feedback.").tag(config=True)
    prefork = Bool(True, help="In the sandbox, fork each notebook's fresh kernel from a zygote that imported the "
                              "packages and loaded the learner's dataset once (much faster); False starts a new "
                              "Python for every notebook.").tag(config=True)


class CCWReport(Configurable):
    """What the competency reports and result sheets say."""

    # No threshold setting: a cell earns its evidence only with full marks (helpers.outcomes.report.FULL_MARKS).
    assessor = Unicode("", help="Assessor's name printed on each learner's result sheet; with "
                                "assessor_credentials, the RTO record that satisfies the units' assessor "
                                "requirement (e.g. BSBCUE605 AC7).").tag(config=True)
    assessor_credentials = Unicode("", help="RTO record of the assessor's credentials (e.g. 'TAE40122 Certificate IV "
                                            "in Training and Assessment; vocational competency BSB50620, current "
                                            "industry skills verified 2025-01'): satisfies the AC items that describe "
                                            "the assessor; empty: those items are Not Yet Satisfactory.").tag(config=True)
    environment = Unicode("", help="RTO record of the assessment environment (e.g. 'simulated contact centre: "
                                   "Lyrebird Energy case study, per-learner datasets, safe online environment'): "
                                   "satisfies the AC items that describe the environment; empty: those items are "
                                   "Not Yet Satisfactory.").tag(config=True)
    rto = Unicode("", help="Registered training organisation named on the result sheets.").tag(config=True)


SETTINGS: tuple[type[Configurable], ...] = (CCWCourse, CCWGrade, CCWReport, CCWSandbox)


def check_settings(config, where: str) -> None:
    """Raise :class:`UserFacingError` for an unknown ``CCW*`` section or key, or a value of the wrong type."""
    known = {cls.__name__: cls for cls in SETTINGS}
    problems = []
    for section in sorted(k for k in config if k.startswith("CCW")):
        cls = known.get(section)
        if cls is None:
            problems.append(f"c.{section} is not a section of the course settings (known: {', '.join(sorted(known))})")
            continue
        names = cls.class_trait_names(config=True)
        unknown = [f"c.{section}.{key} is not a setting of {section} (known: {', '.join(sorted(names))})"
                   for key in sorted(config[section]) if key not in names]
        problems += unknown
        if unknown:
            continue  # traitlets would only warn about them
        try:
            cls(config=config)
        except TraitError as exc:
            problems.append(f"c.{section}: {str(exc).splitlines()[0]}")
    if problems:
        raise UserFacingError(f"{where}: " + "; ".join(problems))


def settings_block() -> str:
    """The ``CCW*`` part of a course config: every setting with its help text and default."""
    lines = []
    for cls in SETTINGS:
        lines.append(f"# --- {cls.__name__}: {(cls.__doc__ or '').strip().splitlines()[0]}")
        defaults = cls()
        for name in cls.class_trait_names(config=True):
            lines += textwrap.wrap(cls.class_traits()[name].help, 98, initial_indent="# ", subsequent_indent="# ")
            lines.append(f"c.{cls.__name__}.{name} = {getattr(defaults, name)!r}")
        lines.append("")
    return "\n".join(lines)
