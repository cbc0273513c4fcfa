"""The grading pipeline: the assessor's and trainer's side of the suite, built on nbgrader's Python API.

* :mod:`helpers.course.build`: ``ccw course build`` (check sources, release, leak check);
* :mod:`helpers.course.grade`: ``ccw grade`` (submissions, sandboxed parallel autograding with trusted
  checks, feedback, CSV export), with :mod:`~helpers.course.worker`, :mod:`~helpers.course.execute`,
  :mod:`~helpers.course.sandbox`, :mod:`~helpers.course.trusted` and :mod:`~helpers.course.answers`;
* :mod:`helpers.course.settings`: the course's traitlets settings (``nbgrader_config.py``).

What the pipeline's grades become (competency outcomes, reports, assessor guide, result sheets,
similarity) is :mod:`helpers.outcomes`; the simulated cohort of ``ccw demo`` is :mod:`helpers.demo`.

Every function takes the course root (nbgrader's root: ``nbgrader_config.py``, ``source/``,
``release/``, ``submitted/``, ``autograded/``, ``feedback/``, the gradebook and ``.secret``;
default ``<project>/autograde``) and the notebooks root (default ``<project>/notebooks``) as
parameters, so tests and demos never touch the project's own course folder.
"""
