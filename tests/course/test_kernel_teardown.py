"""Each graded notebook's kernel and its client end with the notebook (``helpers.course.execute._release``).

nbclient closes only what it started; for the kernels the grader starts itself (sandboxed, or forked from a
learner's zygote) the client stayed open: a heartbeat thread and a zmq context per notebook whose sockets kept
retrying the dead kernel, so a worker's threads and CPU grew with every notebook; and a plain sandboxed kernel
ran on, idle, until its worker ended.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook

from helpers.course.execute import execute_notebook
from helpers.course.sandbox import CCWSandbox, SandboxSpec


def _heartbeats() -> int:
    return sum(type(t).__name__ == "HBChannel" and t.is_alive() for t in threading.enumerate())


def _our_sandboxes() -> list[int]:
    """bubblewrap processes this test process started (a sandboxed kernel's outermost process)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if comm == "bwrap" and int(rest[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def _notebook(n: int):
    return new_notebook(cells=[new_code_cell(f"answer = {n} * 7"), new_code_cell("print(answer)")])


def test_plain_sandboxed_kernels_and_clients_end_with_each_notebook(tmp_path):
    limits = CCWSandbox().limits()
    for n in range(3):
        nb = _notebook(n)
        spec = SandboxSpec(ipc_dir=str(tmp_path / f"ipc{n}"), limits=limits)
        run = execute_notebook(nb, env={}, cwd=str(tmp_path), sandbox=spec)
        assert run.cells_run == 2 and nb.cells[1].outputs[0]["text"] == f"{n * 7}\n"
        assert _heartbeats() == 0
        assert _our_sandboxes() == []


def test_forked_kernels_leave_no_client_behind():
    from helpers.course.prefork import Zygote

    spec = SandboxSpec(ipc_dir=tempfile.mkdtemp(prefix="ccw-z-"), limits=CCWSandbox().limits())
    zygote = Zygote(spec, {})
    threads = []
    try:
        for n in range(3):
            nb = _notebook(n)
            run = execute_notebook(nb, env={}, cwd=spec.ipc_dir, zygote=zygote)
            zygote.reap()
            assert run.cells_run == 2 and nb.cells[1].outputs[0]["text"] == f"{n * 7}\n"
            assert _heartbeats() == 0
            threads.append(len(os.listdir("/proc/self/task")))
    finally:
        zygote.close()
    # the leak added about five threads (heartbeat, zmq's) per notebook, ten over these; other libraries in the
    # test process may start one of their own meanwhile (a fresh-clone CI run saw one)
    assert threads[-1] - threads[0] <= 2, threads
