"""Start and stop the JupyterLab server of a workspace (``ccw lab``).

The server runs as ``python -m jupyterlab`` in its own process group, listening on 127.0.0.1 only,
with a random token. Stopping it sends SIGTERM (jupyter_server then shuts its kernels down), waits,
and only then kills what is left: the group and every process the server had started (kernels run in
sessions of their own, so they are tracked by pid).
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import UserFacingError
from helpers.lab.workspace import Workspace

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (Linux); empty elsewhere."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the ppid is the 2nd field after the last ')'
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...)."""
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return state[state.rindex(")") + 2] != "Z"


@dataclass
class LabServer:
    """A running JupyterLab server: ``url`` (with token) opens it; ``stop()`` ends it and its kernels."""

    process: subprocess.Popen
    host: str
    port: int
    token: str
    root: Path
    log_path: Path
    mode: str = "learner"
    _known: set[int] = field(default_factory=set, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def url(self) -> str:
        """Where a person starts: the lab for a learner, formgrader for the assessor."""
        page = "formgrader" if self.mode == "assessor" else "lab"
        return f"{self.base_url}{page}?token={self.token}"

    @property
    def lab_url(self) -> str:
        return f"{self.base_url}lab?token={self.token}"

    def running(self) -> bool:
        return self.process.poll() is None

    def api(self, path: str, method: str = "GET", body: bytes | None = None, timeout: float = 10.0) -> bytes:
        """A request to the server's REST API (``path`` without the leading slash), token-authenticated."""
        req = urllib.request.Request(self.base_url + path, data=body, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()

    def remember_processes(self) -> set[int]:
        """Record the server's current descendants (kernels) so ``stop`` can make sure they end."""
        if self.running():
            self._known.update(descendants(self.process.pid))
        return set(self._known)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """Stop the server and every process it started; returns the server's exit code."""
        self.remember_processes()
        if self.running():
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(10)
        # kernels live in sessions of their own; the server normally shut them down already
        deadline = time.monotonic() + 5
        left = [pid for pid in self._known if alive(pid)]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            while left and time.monotonic() < deadline:
                time.sleep(0.1)
                left = [pid for pid in left if alive(pid)]
            if not left:
                break
            deadline = time.monotonic() + 5
        return self.process.returncode

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def server_command(root: Path, port: int, token: str, host: str = "127.0.0.1") -> list[str]:
    """The ``python -m jupyterlab`` command line of a workspace server."""
    return [sys.executable, "-m", "jupyterlab", "--no-browser",
            f"--ServerApp.ip={host}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
            # no update check against PyPI (the news feed is off in the workspace's lab settings)
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            # learners install nothing from the lab; "readonly" also keeps it from querying PyPI
            "--LabApp.extension_manager=readonly",
            # containers and CI often run as root, which jupyter_server refuses without this
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]


def start_lab(workspace: Workspace, *, port: int | None = None, host: str = "127.0.0.1",
              mode: str | None = None, env: dict | None = None, log_path: Path | str | None = None,
              timeout: float = READY_TIMEOUT_S) -> LabServer:
    """Start JupyterLab on ``workspace`` and wait until it answers; returns the running server.

    ``port`` None or 0 picks a free port. The server's output goes to ``log_path`` (default
    ``<config dir>/server.log``). Raises UserFacingError if it does not come up within ``timeout`` seconds.
    """
    mode = mode or ("learner" if workspace.learner else "assessor")
    port = port or free_port(host)
    token = secrets.token_hex(24)
    log_path = Path(log_path or workspace.config_dir / "server.log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(server_command(workspace.root, port, token, host), cwd=workspace.root,
                                   env=workspace.environment(env), stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(process=process, host=host, port=port, token=token, root=workspace.root,
                       log_path=log_path, mode=mode)
    deadline = time.monotonic() + timeout
    while True:
        if not server.running():
            raise UserFacingError(f"JupyterLab exited at start (status {process.returncode}); "
                                  f"its log {log_path} ends:\n{server.log_tail()}")
        try:
            server.api("api/status", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise UserFacingError(f"JupyterLab did not answer on {server.base_url} within {timeout:g} s; "
                                  f"its log {log_path} ends:\n{server.log_tail()}")
        time.sleep(0.25)
