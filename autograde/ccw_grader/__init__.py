"""Grader-only helpers for nbgrader hidden tests: never importable from the learner's environment.

This package lives in the course root (``autograde/``), which the grader puts on the kernel's
``PYTHONPATH`` when it autogrades; learners' kernels only have ``helpers``. Hidden tests use it to
recompute the expected answer from *the learner's own* dataset, so no expected number is written
in any notebook and a learner who pastes another learner's numbers fails::

    ### BEGIN HIDDEN TESTS
    import ccw_grader
    _ = require(check_value("service_level", service_level, ccw_grader.expected("service_level"),
                            unit="fraction", criterion="4.2"))
    ### END HIDDEN TESTS

The grader sets ``CCW_LEARNER`` (learner id) and ``CCW_DATASET`` (that learner's dataset folder).
"""
from ccw_grader.data import dataset_dir, defects, defects_path, learner, read_table, secret
from ccw_grader.reference import REFERENCES, expected

__all__ = ["REFERENCES", "dataset_dir", "defects", "defects_path", "expected", "learner", "read_table", "secret"]
