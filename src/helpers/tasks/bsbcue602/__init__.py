"""Formative checks of the BSBCUE602 workbook (Manage customer engagement information), one module per
notebook (element): :mod:`records` (element 1), :mod:`collection` (2), :mod:`analysis` (3),
:mod:`presentation` (4).

Like :mod:`helpers.tasks.bsbcue605`, they look at the shape and plausibility of an answer and never
compute the expected numbers; the marks come from the trusted checks in ``autograde/ccw_grader``
(``bsbcue602_*.py``), which recompute the expected results from the learner's own data.
"""
