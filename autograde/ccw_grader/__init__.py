"""Grader-only package: the trusted checks of every workbook. Never released, never in a learner's kernel.

It lives in the course root (``autograde/``), which no learner can read: the sandbox a learner's
kernel is graded in does not contain it, and the learner's workspace is elsewhere. Each unit module
declares the checks of its graded cells in a :class:`~ccw_grader.registry.Registry` named
``CHECKS`` (see :mod:`ccw_grader.registry`); the grading worker runs them in its own process on
the learner's answers, handed over as data, and on that learner's data (:mod:`ccw_grader.learner_data`).
"""
from ccw_grader.learner_data import LearnerData
from ccw_grader.registry import BenchmarkFacts, Registry, TrustedCheck, all_checks, all_facts

__all__ = ["BenchmarkFacts", "LearnerData", "Registry", "TrustedCheck", "all_checks", "all_facts"]
