"""``ccw hub``: the course on JupyterHub, for learners at scale. Each learner logs in to their own
single-user JupyterLab, started in their own workspace with their own dataset and the course's nbgrader
exchange (the same workspace ``ccw lab`` prepares); assessors get formgrader. ``ccw lab`` stays the
one-machine default.

* :mod:`helpers.hub.proxy`: configurable-http-proxy from npm, into a project folder (``install_proxy``);
* :mod:`helpers.hub.config`: the course's ``jupyterhub_config.py`` (``write_hub_config``);
* :mod:`helpers.hub.spawner`: ``LearnerSpawner``, loaded by the hub process only (it imports jupyterhub).

See docs/hub.md.
"""
from helpers.hub.config import SHARED_PASSWORD, HubSettings, proxy_status, render_hub_config, write_hub_config
from helpers.hub.proxy import default_proxy_dir, install_proxy, installed_version, npm_missing_reason, proxy_executable

__all__ = ["SHARED_PASSWORD", "HubSettings", "default_proxy_dir", "install_proxy", "installed_version",
           "npm_missing_reason", "proxy_executable", "proxy_status", "render_hub_config", "write_hub_config"]
