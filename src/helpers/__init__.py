"""Contact Centre Workbooks: the importable library behind the workbooks, the generator and the grader.

Learners use ``helpers.data`` (their own dataset), ``helpers.kpi``, ``helpers.staffing`` and
``helpers.analysis``; the grader side builds on the same functions. Criteria of the five units live
once, as data, in ``helpers.curriculum``.
"""
__version__ = "0.1.0"
