"""``ccw lab``: a learner's JupyterLab (nbgrader's Assignment List and Validate, the course exchange,
this learner's dataset) and the assessor's formgrader, started on this machine.

* :mod:`helpers.lab.workspace`: learner ids, the workspace folder, the course exchange (release,
  fetch, collect, release and fetch feedback);
* :mod:`helpers.lab.server`: the JupyterLab server process (start, URL with token, clean stop);
* :func:`lab_command`: what ``ccw lab`` does, start to Ctrl-C.

See docs/lab.md.
"""
from helpers.lab.command import lab_command
from helpers.lab.server import LabServer, descendants, free_port, start_lab
from helpers.lab.workspace import (Workspace, check_no_leaks, collect_submissions, default_dataset,
                                   fetch_assignment, fetch_feedback, prepare_assessor, prepare_workspace,
                                   release_feedback, release_to_exchange, resolve_learner, submissions)

__all__ = ["LabServer", "Workspace", "check_no_leaks", "collect_submissions", "default_dataset", "descendants",
           "fetch_assignment", "fetch_feedback", "free_port", "lab_command", "prepare_assessor", "prepare_workspace",
           "release_feedback", "release_to_exchange", "resolve_learner", "start_lab", "submissions"]
