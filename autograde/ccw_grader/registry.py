"""The registry of trusted checks: which check awards the marks of which graded cell.

Every autograded cell of every workbook has exactly one entry, keyed by assignment (the unit code)
and grade id, naming the answers (variables of the learner's notebook) it checks::

    CHECKS = Registry("BSBCUE605")

    @CHECKS.check("framework_check", "framework")
    def framework_check(data, framework) -> Findings:
        ...

The grading worker asks the learner's kernel for those answers *as data*
(``helpers.course.answers``) and calls the function in its own process, which never runs learner
code, with ``data`` (:class:`ccw_grader.learner_data.LearnerData`: that learner's dataset read from
the grader's copy) and the answers as keyword arguments. The cell earns its points when every
finding passed. Checks are never written into notebooks, so learners can neither read nor change them.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TrustedCheck:
    """One graded cell's check: ``run(data, **answers) -> Findings``."""

    assignment: str
    grade_id: str
    answers: tuple[str, ...]
    run: Callable

    @property
    def key(self) -> tuple[str, str]:
        return self.assignment, self.grade_id


@dataclass(frozen=True)
class BenchmarkFacts:
    """What the assessor checks one written answer against: ``run(data) -> {label: value}`` computed from
    *that* learner's data (labels state units), and ``viva`` prompts to ask when authenticity is in doubt."""

    assignment: str
    grade_id: str
    run: Callable
    viva: tuple[str, ...] = ()


class Registry:
    """The trusted checks of one assignment (unit), declared with :meth:`check`, and the benchmark facts
    of its written answers, declared with :meth:`facts`."""

    def __init__(self, assignment: str):
        self.assignment = assignment
        self.checks: dict[str, TrustedCheck] = {}
        self.benchmark_facts: dict[str, BenchmarkFacts] = {}

    def facts(self, grade_id: str, *, viva: tuple[str, ...] | list[str] = ()):
        """Register the decorated ``fn(data) -> dict`` as the benchmark facts of written answer ``grade_id``:
        shown to the assessor beside that learner's answer (never in the learner's feedback)."""
        def register(fn: Callable) -> Callable:
            if grade_id in self.benchmark_facts:
                raise ValueError(f"{self.assignment}: two sets of benchmark facts for grade id {grade_id!r}")
            self.benchmark_facts[grade_id] = BenchmarkFacts(self.assignment, grade_id, fn, tuple(viva))
            return fn
        return register

    def check(self, grade_id: str, *answers: str):
        """Register the decorated function as the trusted check of cell ``grade_id``."""
        def register(fn: Callable) -> Callable:
            if grade_id in self.checks:
                raise ValueError(f"{self.assignment}: two trusted checks for grade id {grade_id!r}")
            if not fn.__doc__:
                raise ValueError(f"{self.assignment}/{grade_id}: a trusted check states what it awards marks for")
            self.checks[grade_id] = TrustedCheck(self.assignment, grade_id, tuple(answers), fn)
            return fn
        return register


def _registries():
    import ccw_grader

    for info in pkgutil.iter_modules(ccw_grader.__path__):
        module = importlib.import_module(f"ccw_grader.{info.name}")
        registry = getattr(module, "CHECKS", None)
        if isinstance(registry, Registry):
            yield registry


def all_checks() -> dict[tuple[str, str], TrustedCheck]:
    """Every registered check of every module of this package, by (assignment, grade id)."""
    found: dict[tuple[str, str], TrustedCheck] = {}
    for registry in _registries():
        for check in registry.checks.values():
            if check.key in found:
                raise ValueError(f"two trusted checks for {check.key}")
            found[check.key] = check
    return found


def all_facts() -> dict[tuple[str, str], BenchmarkFacts]:
    """Every written answer's benchmark facts, by (assignment, grade id)."""
    found: dict[tuple[str, str], BenchmarkFacts] = {}
    for registry in _registries():
        for facts in registry.benchmark_facts.values():
            key = (facts.assignment, facts.grade_id)
            if key in found:
                raise ValueError(f"two sets of benchmark facts for {key}")
            found[key] = facts
    return found
