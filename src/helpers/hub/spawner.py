"""The JupyterHub spawner of ``ccw hub``: each learner's own single-user JupyterLab, started in their
own workspace with their own dataset and the course's nbgrader exchange; formgrader for assessors.

Loaded by the hub process only (it imports jupyterhub). The workspace is prepared with
:func:`helpers.lab.prepare_workspace` exactly as ``ccw lab`` does, so a learner's folder, ``ccw.json``,
nbgrader settings and the exchange are the same whichever way they start: ``CCW_LEARNER`` is set in the
server's environment and ``ccw.json`` names the dataset, which is how ``helpers.workbook.start`` finds it.

Every server runs as the hub's own OS user (JupyterHub's ``SimpleLocalProcessSpawner``): learners are
kept apart by folders, not by the operating system. See docs/hub.md for what that means.
"""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Bool, List, Unicode, default

from helpers.lab import Workspace, prepare_assessor, prepare_workspace, resolve_learner

# JupyterLab settings that ``ccw lab`` passes too (helpers.lab.server.server_command): no update check
# against PyPI, and the extension manager read-only (learners install nothing; it also stops PyPI queries)
LAB_ARGS = ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly"]


class LearnerSpawner(SimpleLocalProcessSpawner):
    """A learner's (or an assessor's) JupyterLab, as a local process of the hub's OS user.

    Learners: root folder ``<workspaces>/<name>/`` (prepared by ``prepare_workspace``), HOME there too,
    first page ``/lab``. Assessors (``assessors``): root folder the course root with formgrader, first
    page ``/formgrader``, settings in ``<workspaces>/.assessors/<name>/``.
    """

    course_root = Unicode(config=True, help="the nbgrader course root (holds nbgrader_config.py and release/)")
    exchange = Unicode("", config=True, help="the nbgrader exchange folder (default: <course_root>/exchange)")
    workspaces = Unicode(config=True, help="folder of the learners' workspaces, one sub-folder per learner")
    datasets = Unicode("", config=True,
                       help="folder of learners' datasets, <datasets>/<learner>/manifest.json; a learner without "
                            "one there gets their generated dataset, else the practice dataset (as ccw lab)")
    assessors = List(Unicode(), config=True, help="user names that get formgrader on the course root")
    fetch = Bool(True, config=True, help="fetch every released assignment into a new workspace on its first start")

    # a loaded machine: preparing the workspace and starting JupyterLab can take a while
    start_timeout = 180
    http_timeout = 120

    _prepare_lock = asyncio.Lock()  # one release into the exchange at a time (two learners starting at once)

    _workspace: Workspace | None = None

    @default("cmd")
    def _default_cmd(self):
        return [sys.executable, "-m", "jupyterhub.singleuser"]  # this interpreter, whatever is first on PATH

    @property
    def is_assessor(self) -> bool:
        return self.user.name in self.assessors

    def _prepare(self) -> Workspace:
        course_root = Path(self.course_root)
        exchange = Path(self.exchange) if self.exchange else None
        workspaces = Path(self.workspaces)
        if self.is_assessor:
            return prepare_assessor(course_root=course_root, exchange=exchange,
                                    config_dir=workspaces / ".assessors" / self.user.name / ".jupyter")
        learner = resolve_learner(self.user.name, env={})
        dataset = None
        if self.datasets and (Path(self.datasets) / learner / "manifest.json").is_file():
            dataset = Path(self.datasets) / learner
        return prepare_workspace(learner, workspace=workspaces / learner, course_root=course_root,
                                 exchange=exchange, dataset=dataset, fetch=self.fetch)

    @default("home_dir")
    def _default_home_dir(self) -> str:  # HOME of the server and its kernels
        if self.is_assessor:
            return str(Path(self.workspaces) / ".assessors" / self.user.name)
        return str(Path(self.workspaces) / self.user.name)

    def make_preexec_fn(self, name):
        root = str(self._workspace.root)  # the assessor's server must start in the course root (formgrader)
        home = self.home_dir

        def preexec():
            os.makedirs(home, 0o755, exist_ok=True)
            os.chdir(root)

        return preexec

    def get_env(self):
        env = super().get_env()
        # JUPYTER_CONFIG_DIR, this interpreter first on PATH, CCW_LEARNER set and CCW_DATASET cleared
        return self._workspace.environment(env)

    def get_args(self):
        args = super().get_args() + LAB_ARGS
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")  # containers and CI run as root; jupyter_server refuses it otherwise
        return args

    async def start(self):
        async with self._prepare_lock:
            # prepare_workspace releases into the exchange and may fetch: blocking file work, off the event loop
            self._workspace = await asyncio.to_thread(self._prepare)
        self.notebook_dir = str(self._workspace.root)
        self.default_url = "/formgrader" if self.is_assessor else "/lab"
        self.log.info("ccw: %s %s in %s", "assessor" if self.is_assessor else "learner", self.user.name,
                      self._workspace.root)
        return await super().start()
