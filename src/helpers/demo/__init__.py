"""The simulated cohort behind ``ccw demo``: :mod:`helpers.demo.pipeline` (the whole pipeline once),
:mod:`helpers.demo.cohort` (the simulated learners and assessor) and :mod:`helpers.demo.sample` (the small
sample workbook the tests and ``ccw demo --sample`` use)."""
