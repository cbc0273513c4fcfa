"""A pre-warmed kernel factory inside one learner's sandbox: ``python -m helpers.course.zygote``.

Why: most of what a workbook costs to grade is the same in every notebook: starting Python and
ipykernel, importing pandas, matplotlib and ``helpers``, and loading the learner's dataset. The
zygote does that once per learner (it never runs a line of learner code), then forks one fresh
kernel per notebook. Each kernel is a new process that has never run anything but this module's
preloading; it is never reused, and everything it started is killed before the next one is forked
(``kill(-1)`` from the zygote: every process of the sandbox but the zygote and the sandbox's init).

Protocol: one JSON object per line on stdin, one reply per line on stdout.

* ``{"spawn": <connection file>, "argv": [...]}`` -> ``{"pid": <pid in the sandbox>}``
* ``{"poll": pid}`` -> ``{"status": None | exit code}``
* ``{"signal": [pid, signum]}`` -> ``{"ok": true}``
* ``{"reap": true}`` -> ``{"ok": true}``: kill every process of the sandbox but the zygote
* ``{"exit": true}``: end

The zygote makes itself non-dumpable, so code in a kernel (the same uid) cannot attach to it or
read its memory to tamper with the next kernel.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys

_exited: dict[int, int] = {}


def _preload() -> None:
    import ipykernel.kernelapp  # noqa: F401  (IPython, zmq, tornado: imported, nothing started)
    # What IPKernelApp.initialize would import in every kernel (debugpy behind the debugger class, IPython's
    # debugger, completer and history store): a tenth of a second per notebook, paid here once per learner
    import ipykernel.debugger  # noqa: F401
    import IPython.core.completerlib  # noqa: F401
    import IPython.core.debugger  # noqa: F401
    import IPython.extensions.storemagic  # noqa: F401
    import sqlite3  # noqa: F401
    import IPython.core.oinspect  # noqa: F401
    import IPython.utils.wildcard  # noqa: F401
    import faulthandler  # noqa: F401
    import tornado.platform.asyncio  # noqa: F401
    import tornado.queues  # noqa: F401
    import ipywidgets  # noqa: F401  (the workbooks' dashboard and explorer; widgets are made per kernel)
    import matplotlib

    matplotlib.use("module://matplotlib_inline.backend_inline")
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401

    import helpers.analysis  # noqa: F401
    import helpers.kpi  # noqa: F401
    import helpers.staffing  # noqa: F401
    import helpers.widgets  # noqa: F401
    import helpers.workbook  # noqa: F401

    dataset = os.environ.get("CCW_DATASET")
    if dataset and os.path.isfile(os.path.join(dataset, "manifest.json")):
        try:
            from helpers.data import load_dataset, preload

            preload(load_dataset(dataset))  # fills the cache a workbook's setup cell reads from
        except Exception:  # the notebook will say what is wrong with the data, in the learner's words
            pass


def _non_dumpable() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def _child(connection_file: str, argv: list[str]) -> None:
    """Become a kernel: new session, no inherited pipes, default signals, then ipykernel."""
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = ["ipykernel_launcher", "-f", connection_file, *argv]
    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    app.start()
    os._exit(0)


def _status(pid: int):
    if pid in _exited:
        return _exited[pid]
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return _exited.setdefault(pid, -1)
    if done == 0:
        return None
    _exited[pid] = os.waitstatus_to_exitcode(status)
    return _exited[pid]


def _holds_mount(path: str) -> bool:
    for folder, dirs, files in os.walk(path):
        if any(os.path.ismount(os.path.join(folder, name)) for name in dirs + files):
            return True
    return False


def _clean_scratch() -> None:
    """Remove what the previous notebook wrote in the scratch tmpfs (its home and /tmp), so the next
    notebook starts as the first did; bound files and folders (release files, sockets) stay."""
    import shutil

    home = os.environ.get("HOME", "/tmp/home")
    for top in (home, "/tmp"):
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            path = entry.path
            if path == home or os.path.ismount(path) or _holds_mount(path):
                continue  # a bind mount, or a folder holding one (the sockets', the dataset's)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _reap() -> None:
    """Kill every process of the sandbox except this one (and the sandbox's init), collect them, and
    clear the scratch space."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        _exited[pid] = os.waitstatus_to_exitcode(status)
    _clean_scratch()


def in_sandbox() -> bool:
    """Whether this process is in a bubblewrap PID namespace of its own (bwrap, without ``--as-pid-1``, is its
    PID 1; a machine's PID 1 is its init). :func:`_reap` kills every process it can see and clears ``/tmp``
    and ``$HOME``: right in the learner's sandbox, ruinous outside it."""
    try:
        with open("/proc/1/comm", encoding="utf-8") as comm:
            return comm.read().strip() == "bwrap"
    except OSError:
        return False


def main() -> None:
    if not in_sandbox():
        sys.stderr.write("helpers.course.zygote runs only inside the grading sandbox (it kills every process it "
                         "can see between kernels); start it through helpers.course.prefork.Zygote\n")
        sys.exit(2)
    _preload()
    # Python's prefork recipe (gc.freeze): what the zygote holds is never collected in a kernel, so a kernel's
    # full collections neither walk it nor write to it (which would copy its pages out of the shared memory)
    gc.freeze()
    _non_dumpable()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if "spawn" in request:
            out.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    _child(request["spawn"], list(request.get("argv", [])))
                finally:
                    os._exit(1)
            reply = {"pid": pid}
        elif "poll" in request:
            reply = {"status": _status(int(request["poll"]))}
        elif "signal" in request:
            pid, signum = request["signal"]
            try:
                os.kill(int(pid), int(signum))
            except ProcessLookupError:
                pass
            reply = {"ok": True}
        elif "reap" in request:
            _reap()
            reply = {"ok": True}
        else:
            break
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
