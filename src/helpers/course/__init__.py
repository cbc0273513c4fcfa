"""The assessor's and trainer's side of the suite, built on nbgrader's Python API.

* :mod:`helpers.course.build`: ``ccw course build`` (check sources, release, leak check);
* :mod:`helpers.course.grade`: ``ccw grade`` (parallel autograding, feedback, CSV export);
* :mod:`helpers.course.report`: ``ccw report`` (competency outcomes, HTML report);
* :mod:`helpers.course.guide`: the assessor guide (tasks, rubrics, benchmark answers);
* :mod:`helpers.course.demo`: the simulated cohort behind ``ccw demo``.

Every function takes the course root (nbgrader's root: ``nbgrader_config.py``, ``source/``,
``release/``, ``submitted/``, ``autograded/``, ``feedback/``, the gradebook and ``.secret``;
default ``<project>/autograde``) and the notebooks root (default ``<project>/notebooks``) as
parameters, so tests and demos never touch the project's own course folder.
"""
