"""configurable-http-proxy, JupyterHub's default proxy (a Node.js program), installed from the npm
registry into a folder of the project (``.cache/configurable-http-proxy/``, git-ignored), never
system-wide and never committed.

``ccw hub install-proxy`` (and the hub test, on first use) runs ``npm install`` there once; later
calls find it installed and return at once.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from helpers.errors import UserFacingError
from helpers.paths import project_root

PACKAGE = "configurable-http-proxy"
# 5.x: the proxy JupyterHub 5 and 6 are tested with (Node >= 20 for 5.2 and later)
VERSION_RANGE = "^5.0.0"
NPM_TIMEOUT_S = 600.0


def default_proxy_dir() -> Path:
    """Where ``ccw hub install-proxy`` puts the proxy: ``<project>/.cache/configurable-http-proxy``."""
    return project_root() / ".cache" / PACKAGE


def proxy_executable(folder: Path | str | None = None) -> Path:
    """The ``configurable-http-proxy`` command inside ``folder`` (installed or not)."""
    return Path(folder or default_proxy_dir()).resolve() / "node_modules" / ".bin" / PACKAGE


def installed_version(folder: Path | str | None = None) -> str | None:
    """The installed proxy's version, or None when ``folder`` holds no proxy."""
    folder = Path(folder or default_proxy_dir()).resolve()
    meta = folder / "node_modules" / PACKAGE / "package.json"
    if not (proxy_executable(folder).is_file() and meta.is_file()):
        return None
    try:
        return str(json.loads(meta.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def npm_missing_reason() -> str | None:
    """Why the proxy cannot be installed here (no npm or node on PATH), or None."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return (f"{tool} is not on PATH: install Node.js 20 or later with npm (Debian: apt-get install -y "
                    "nodejs npm) to install configurable-http-proxy")
    return None


def install_proxy(folder: Path | str | None = None, *, npm: str | None = None, out=None) -> Path:
    """Install configurable-http-proxy (``VERSION_RANGE``) into ``folder`` (default
    ``default_proxy_dir()``) with npm, unless it is there already; returns the executable's path.

    Raises UserFacingError when npm is missing or the install fails (npm's own output is quoted).
    """
    folder = Path(folder or default_proxy_dir()).resolve()
    if installed_version(folder):
        return proxy_executable(folder)
    npm = npm or shutil.which("npm")
    if npm is None:
        raise UserFacingError(npm_missing_reason() or "npm is not on PATH")
    folder.mkdir(parents=True, exist_ok=True)
    # its own package.json, so npm installs here and not into a package.json found further up
    manifest = folder / "package.json"
    if not manifest.is_file():
        manifest.write_text(json.dumps({"name": "ccw-hub-proxy", "private": True,
                                        "description": "configurable-http-proxy for `ccw hub` "
                                                       "(installed by `ccw hub install-proxy`)"}, indent=2) + "\n",
                            encoding="utf-8")
    cmd = [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--omit=dev", "--save-exact",
           f"{PACKAGE}@{VERSION_RANGE}"]
    if out is not None:
        print(f"Installing {PACKAGE}@{VERSION_RANGE} from the npm registry into {folder} ...", file=out, flush=True)
    try:
        run = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise UserFacingError(f"npm install {PACKAGE} did not finish within {NPM_TIMEOUT_S:g} s "
                              "(is the npm registry reachable?)") from None
    if run.returncode != 0 or not installed_version(folder):
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-20:])
        raise UserFacingError(f"npm install {PACKAGE}@{VERSION_RANGE} into {folder} failed "
                              f"(status {run.returncode}):\n{tail}")
    return proxy_executable(folder)
