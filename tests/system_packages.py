"""Debian packages the test suite uses for real (no mocks), installed when missing, as CI does.

A newcomer's ``pytest`` on a fresh Debian machine then runs every test CI runs instead of skipping the
browser, PostgreSQL, sandbox and hub tests: ``pytest_configure`` (``conftest.py``) calls
:func:`ensure` once, in the main process, before xdist starts its workers. It installs only what is
missing, only as root with apt-get, and never when ``CCW_NO_APT=1``; otherwise the tests that need a
package skip and say which package and why.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess

# package -> how to tell it is installed
PACKAGES = {
    "postgresql": lambda: bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or bool(shutil.which("initdb")),
    "chromium": lambda: os.path.isfile("/usr/bin/chromium"),
    "bubblewrap": lambda: bool(shutil.which("bwrap")),
    "npm": lambda: bool(shutil.which("npm")),  # Node.js with npm: the hub test's configurable-http-proxy
}


def missing() -> list[str]:
    return [name for name, present in PACKAGES.items() if not present()]


def ensure() -> str | None:
    """Install the missing packages; returns None when all are present, else why some are not."""
    need = missing()
    if not need:
        return None
    if os.environ.get("CCW_NO_APT") == "1":
        return f"not installing {', '.join(need)} (CCW_NO_APT=1): the tests that need them skip"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return (f"missing {', '.join(need)} and cannot install them here (needs root and apt-get): "
                f"apt-get install -y {' '.join(need)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    apt = ["nodejs" if name == "npm" else name for name in need] + (["npm"] if "npm" in need else [])
    print(f"\ntests: installing Debian packages the suite uses for real: {' '.join(apt)} ...", flush=True)
    done = subprocess.run(f"apt-get update -qq && apt-get install -y -qq {' '.join(apt)}", shell=True, env=env,
                          capture_output=True, text=True)
    still = missing()
    if done.returncode != 0 or still:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"could not install {', '.join(still or need)} ({tail[0]}): the tests that need them skip"
    return None
