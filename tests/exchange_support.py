"""What a learner's Assignment List does in the lab, run in-process: Submit is nbgrader's ExchangeSubmit
with the workspace's own config (found through JUPYTER_CONFIG_DIR, cwd = the workspace), as the lab
server runs it. Shared by the lab and feedback round-trip tests."""
from __future__ import annotations


def submit(ws, assignment: str, monkeypatch) -> None:
    """Submit ``assignment`` from workspace ``ws`` (a ``helpers.lab.prepare_workspace`` result) to its
    course exchange; the environment and working folder are restored afterwards."""
    from nbgrader.apps import NbGrader
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeSubmit

    with monkeypatch.context() as m:
        m.setenv("JUPYTER_CONFIG_DIR", str(ws.config_dir))
        m.chdir(ws.root)
        app = NbGrader()
        app.load_config_file()
        cfg = app.config
        cfg.CourseDirectory.assignment_id = assignment
        ExchangeSubmit(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg),
                       config=cfg).start()
