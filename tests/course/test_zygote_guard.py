"""The kernel factory refuses to run outside the grading sandbox: between kernels it kills every process it can
see and clears /tmp and $HOME, which is right only in the learner's own PID namespace and scratch space."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from helpers.course.zygote import in_sandbox

BWRAP = shutil.which("bwrap")
pytestmark = pytest.mark.skipif(BWRAP is None, reason="bubblewrap is not installed")


def _bwrap(*extra: str) -> list[str]:
    # a PID namespace of its own and a read-only file system: were the guard ever to fail, its reap could kill
    # nothing outside and delete nothing (the checkout, its venv, may itself be under /tmp)
    return [BWRAP, "--unshare-pid", *extra, "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
            "--dev", "/dev"]


def test_in_sandbox_only_in_bubblewraps_pid_namespace():
    assert not in_sandbox()  # here PID 1 is the machine's init
    probe = [sys.executable, "-c", "from helpers.course.zygote import in_sandbox; print(in_sandbox())"]
    inside = subprocess.run(_bwrap() + probe, capture_output=True, text=True, timeout=120)
    assert inside.stdout.strip() == "True", inside.stderr
    own_init = subprocess.run(_bwrap("--as-pid-1") + probe, capture_output=True, text=True, timeout=120)
    assert own_init.stdout.strip() == "False", own_init.stderr  # a namespace whose PID 1 is not bwrap


def test_the_zygote_started_by_hand_refuses_before_reading_any_request():
    out = subprocess.run(_bwrap("--as-pid-1") + [sys.executable, "-m", "helpers.course.zygote"],
                         input='{"reap": true}\n', capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "only inside the grading sandbox" in out.stderr
    assert "ready" not in out.stdout
