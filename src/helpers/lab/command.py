"""What ``ccw lab`` does: prepare the workspace, start the server, print its URL, wait for Ctrl-C."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import webbrowser
from pathlib import Path

from helpers.lab.server import start_lab
from helpers.lab.workspace import prepare_assessor, prepare_workspace, resolve_learner


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def lab_command(learner: str | None = None, *, port: int | None = None, assessor: bool = False,
                open_browser: bool = True, workspace: Path | str | None = None,
                course_root: Path | str | None = None, dataset: Path | str | None = None,
                exchange: Path | str | None = None, fetch: bool = True, out=None) -> int:
    """Run a learner's lab (or with ``assessor=True`` the formgrader on the course root) until Ctrl-C
    (or SIGTERM, or the user shutting the server down from the lab's File menu). Returns 0.

    Prints the URL with its token to ``out`` (default stdout) as soon as the server answers.
    """
    out = out or sys.stdout
    if assessor:
        ws = prepare_assessor(course_root=course_root, exchange=exchange,
                              config_dir=Path(workspace) / ".jupyter" if workspace else None)
    else:
        ws = prepare_workspace(resolve_learner(learner), workspace=workspace, course_root=course_root,
                               exchange=exchange, dataset=dataset, fetch=fetch)
    server = start_lab(ws, port=port)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if assessor:
            print(f"Formgrader for course {ws.course_id} ({ws.course_root}), exchange {ws.exchange}", file=out)
            print(f"  Formgrader: {server.url}", file=out)
            print(f"  JupyterLab: {server.lab_url}", file=out)
        else:
            fetched = [a for a in ws.assignments if (ws.root / a).is_dir()]
            print(f"JupyterLab for learner {ws.learner} in {ws.root}", file=out)
            print(f"  assignments: {', '.join(ws.assignments)} (fetched: {', '.join(fetched) or 'none yet'}; "
                  "Nbgrader > Assignment List to fetch and submit)", file=out)
            practice = " (PRACTICE DATA: no learner's own dataset has been generated yet)" if ws.practice else ""
            print(f"  data: {ws.dataset}{practice}", file=out)
            print(f"  URL: {server.url}", file=out)
        print("Press Ctrl-C to stop the server.", file=out, flush=True)
        if open_browser:
            webbrowser.open(server.url)
        while server.running():
            server.remember_processes()  # kernels started since, so that none outlives the server
            try:
                server.process.wait(2)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        print("\nStopping JupyterLab ...", file=out, flush=True)
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("JupyterLab stopped.", file=out, flush=True)
    return 0
