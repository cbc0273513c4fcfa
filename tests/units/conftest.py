"""Fixtures shared by the unit workbooks' tests."""
from __future__ import annotations

import pytest

from ccw_grader import LearnerData


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The practice dataset as the grader sees it (``ccw_grader.LearnerData``), with a course folder of its own
    per test module."""
    return LearnerData(None, None, tmp_path_factory.mktemp("course"))
