"""Run one notebook in a fresh kernel with the guards autograding needs.

* per-cell timeout (seconds): the kernel is interrupted and the cell gets a ``CellTimeoutError``;
* per-notebook timeout (seconds): the kernel is killed and every cell not yet run is marked
  "not run", so it earns nothing;
* a kernel that dies (``os._exit``, ``os.kill(os.getpid(), 9)``, out of memory): the cells not
  yet run are marked "not run" and the rest of the cohort is unaffected;
* output cap per cell (bytes): further output is dropped and a note says how much.

nbgrader's ``determine_grade`` gives full marks to a test cell with *no* output, so a test cell
that never ran must carry an error output: :func:`execute_notebook` adds one.
"""
from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat import NotebookNode
from traitlets import Type, default
import zmq

from helpers.course.sandbox import SandboxSpec, allocate_uid, kernel_manager_class, sandbox_env, prepare_ipc_dir, seal_ipc_dir

_KERNELS = itertools.count(1)  # one socket folder per forked kernel
TIMEOUT_ERROR = {"ename": "CellTimeoutError", "evalue": "",
                 "traceback": ["CellTimeoutError: the cell ran longer than the time limit and was stopped"]}


@dataclass(frozen=True)
class Limits:
    """Execution limits: ``cell_timeout`` and ``notebook_timeout`` in seconds, output in bytes."""

    cell_timeout: int = 60
    notebook_timeout: float = 600
    max_output_bytes: int = 1_000_000


@dataclass
class Execution:
    """What happened while running a notebook; ``notes`` are written for the learner."""

    notes: list[str] = field(default_factory=list)
    cells_run: int = 0
    died: bool = False
    timed_out: bool = False
    seconds: float = 0.0


def _size(out: NotebookNode) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    if "data" in out:
        return sum(len(v) if isinstance(v, str) else len(str(v)) for v in out["data"].values())
    return sum(len(line) for line in out.get("traceback", []))


WAKE_UP_SLICE = 0.25  # seconds: the longest a reply can sit unnoticed on a socket (see sliced_get_msg)


def sliced_get_msg(get_msg, slice_s: float = WAKE_UP_SLICE):
    """``channel.get_msg`` waiting in slices of ``slice_s`` seconds instead of one wait of ``timeout``.

    Why: jupyter_client's asyncio channels wait with pyzmq's ``Socket.poll(timeout)``, which watches the
    socket's edge-triggered file descriptor. When the edge is consumed before the wait begins (a race
    between the socket's own bookkeeping and the event loop), the wait is not woken by a message that has
    arrived; pyzmq looks once more at the end of the timeout and returns it then. Seen while grading: a
    cell's execute reply noticed after the whole 60 s cell limit, the kernel idle all along (about one
    two-worker cohort run in five). A fresh poll looks at the socket first, so waiting in slices bounds
    such a delay to one slice; the caller's timeout and its Empty are kept."""
    async def get_msg_in_slices(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = slice_s if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(timeout=min(slice_s, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
    return get_msg_in_slices


class SlicedSocketChannel(AsyncZMQSocketChannel):
    """jupyter_client's asyncio channel whose ``get_msg`` waits in slices (:func:`sliced_get_msg`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.get_msg = sliced_get_msg(super().get_msg)


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's asyncio kernel client, with sliced waits on shell and IOPub, ready as soon as the kernel
    has answered.

    jupyter_client's ``wait_for_ready``, once the kernel has answered ``kernel_info`` on both channels, reads
    IOPub until it has been silent for 0.2 s: a fifth of a second idle at every kernel start (a tenth of
    grading a notebook). Here the wait ends at the kernel's own last word on that request, its ``idle`` status
    on IOPub: the proof that IOPub is connected, and that nothing of the start-up is left to read. And the
    client connects before a new kernel listens, so zmq retries; its default of every 100 ms cost most of a
    further tenth per kernel, here every 10 ms."""

    shell_channel_class = Type(SlicedSocketChannel)
    iopub_channel_class = Type(SlicedSocketChannel)

    @default("context")
    def _context_default(self):
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, 10)  # ms, for every socket this client opens; each retry
        context.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)  # waits twice as long, so a dead kernel costs little
        return context

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        from jupyter_client.manager import KernelManager

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        if not isinstance(self.parent, KernelManager):  # as jupyter_client: no manager, so wait for heartbeats
            while not await self._async_is_alive():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond to heartbeats in {timeout:g} seconds and timed out")
                await asyncio.sleep(0.2)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if (reply is not None and reply["msg_type"] == "kernel_info_reply"
                    and await self._iopub_done(reply["parent_header"].get("msg_id"))):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    wait_for_ready = _async_wait_for_ready

    async def _iopub_done(self, msg_id: str | None, patience: float = 0.2) -> bool:
        """Read IOPub up to the kernel's ``idle`` status for request ``msg_id``; False if it does not come within
        ``patience`` seconds (IOPub not connected yet: jupyter_client's own test, with its 0.2 s)."""
        until = time.monotonic() + patience
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=max(0.0, until - time.monotonic()))
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                return True


class SlicedChannels:
    """For an nbclient ``NotebookClient`` (nbgrader's ``Execute`` is one): its kernel client is a
    :class:`PromptKernelClient`, so its shell and IOPub channels cannot miss a message for longer than
    :data:`WAKE_UP_SLICE`, and a kernel is ready without an idle fifth of a second."""

    async def async_start_new_kernel_client(self):
        self.km.client_class = f"{PromptKernelClient.__module__}.{PromptKernelClient.__qualname__}"
        return await super().async_start_new_kernel_client()

    # nbclient binds its synchronous twin to its own coroutine (used by nbconvert's ExecutePreprocessor.preprocess)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class SlicedNotebookClient(SlicedChannels, NotebookClient):
    """nbclient's NotebookClient with sliced channels: for running a notebook anywhere else (tests, benchmarks),
    where a lost wake-up would otherwise hold a cell until its whole timeout."""


class GuardedClient(SlicedNotebookClient):
    """The sliced client with an output cap and a record of cell timeouts."""

    def __init__(self, nb, max_output_bytes: int, **kw):
        super().__init__(nb, on_cell_executed=self._keep_reply_error, **kw)
        self.max_output_bytes = max_output_bytes
        self.output_bytes: dict[int, int] = {}
        self.dropped_bytes: dict[int, int] = {}
        self.timed_out_cells: list[int] = []
        self.current_cell: int | None = None

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return None
        size = _size(out)
        used = self.output_bytes.get(cell_index, 0)
        if used + size > self.max_output_bytes:
            outs.remove(out)  # keep the worker's memory bounded whatever the learner prints
            self.dropped_bytes[cell_index] = self.dropped_bytes.get(cell_index, 0) + size
            return None
        self.output_bytes[cell_index] = used + size
        return out

    @staticmethod
    def _keep_reply_error(cell, cell_index, execute_reply) -> None:
        """As nbgrader's Execute: a failed cell whose error never reached IOPub (a timeout, a cell
        queued behind a stuck one) still gets an error output, so a test cell cannot pass by silence."""
        content = execute_reply["content"]
        if content.get("status") != "error":
            return
        if not any(o.get("output_type") == "error" and o.get("ename") == content.get("ename") for o in cell.outputs):
            cell.outputs.append(NotebookNode(output_type="error", ename=content.get("ename", "Error"),
                                             evalue=content.get("evalue", ""),
                                             traceback=content.get("traceback") or [content.get("ename", "Error")]))

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out_cells.append(self.current_cell)
        return await super()._async_handle_timeout(timeout, cell)


def _not_run_output(reason: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename="NotRun", evalue=reason, traceback=[f"NotRun: {reason}"])


async def _release(client: NotebookClient) -> None:
    """Close the client of a kernel the grader started itself (sandboxed or forked from a zygote).

    nbclient cleans up only after kernels whose manager it made; for these it left the client open: per
    notebook a heartbeat thread and a zmq context whose sockets kept retrying the dead kernel, every 10 ms
    (``PromptKernelClient``), so a worker spent more CPU with every notebook it graded (6 s over the demo's
    40); and a plain sandboxed kernel (no zygote) ran on, idle, until its worker ended."""
    if client.owns_km:
        return
    if client.kc is not None:
        await ensure_async(client.kc.stop_channels())
        client.kc = None
    km = client.km
    if km is None:
        return
    if getattr(km, "zygote", None) is None and await ensure_async(km.is_alive()):
        await ensure_async(km.shutdown_kernel(now=True))  # a plain sandboxed kernel: nothing else would end it
    else:
        await ensure_async(km.cleanup_resources())  # a forked kernel: the zygote's reap ends it


async def _run(client: GuardedClient, limits: Limits, run: Execution, env: dict, cwd: str,
               sealed: Path | None = None) -> None:
    deadline = time.monotonic() + limits.notebook_timeout
    killed_for_time = False

    async def watchdog():
        nonlocal killed_for_time
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        killed_for_time = True
        await client.km.signal_kernel(signal.SIGKILL)

    try:
        # The kernel's own stderr (ipykernel's start-up chatter, crash dumps) is not the learner's output.
        async with client.async_setup_kernel(env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            guard = asyncio.ensure_future(watchdog())
            try:
                await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
                if sealed is not None:
                    seal_ipc_dir(sealed)
                for index, cell in enumerate(client.nb.cells):
                    if cell.cell_type != "code":
                        continue
                    client.current_cell = index
                    try:
                        await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                        run.cells_run += 1
                    except DeadKernelError:
                        run.died, run.timed_out = True, killed_for_time
                        reason = (f"the notebook ran longer than {limits.notebook_timeout:g} s and was stopped"
                                  if killed_for_time else "the Python kernel died (crash, os._exit or out of memory)")
                        run.notes.append(f"Cell {index + 1}: {reason}; this cell and the cells after it were not run "
                                         "and earn no marks.")
                        cell.outputs = [*cell.get("outputs", []), _not_run_output(reason)]
                        for later in client.nb.cells[index + 1:]:
                            if later.cell_type == "code":
                                later.outputs = [_not_run_output(reason)]
                        break
            finally:
                guard.cancel()
    finally:
        await _release(client)


def execute_notebook(nb: NotebookNode, *, env: dict, cwd: str, limits: Limits = Limits(),
                     sandbox: SandboxSpec | None = None, zygote=None) -> Execution:
    """Execute ``nb`` in place in a new ``python3`` kernel started with ``env`` in ``cwd``.

    With ``sandbox`` the kernel runs in :mod:`helpers.course.sandbox` (its environment is then
    exactly ``env`` plus what Python needs, and its working folder the sandbox's home). With
    ``zygote`` (:class:`helpers.course.prefork.Zygote`) the kernel is forked, fresh, from that
    learner's pre-warmed sandbox instead (``env`` and ``sandbox`` are then the zygote's)."""
    from jupyter_client.manager import AsyncKernelManager

    run = Execution()
    km, sealed = None, None
    if zygote is not None:
        from helpers.course import prefork

        kdir = Path(zygote.spec.ipc_dir) / f"k{next(_KERNELS)}"
        prepare_ipc_dir(kdir, zygote.spec.uid)
        km = prefork.kernel_manager_class()(kernel_name="python3", transport="ipc", ip=str(kdir / "k"),
                                            connection_file=str(kdir / "kernel.json"))
        km.zygote = zygote
        env, cwd, sealed = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(kdir), kdir
    elif sandbox is not None:
        sandbox = dataclasses.replace(sandbox, uid=allocate_uid(sandbox.limits))
        ipc = Path(sandbox.ipc_dir)
        prepare_ipc_dir(ipc, sandbox.uid)
        km = kernel_manager_class()(kernel_name="python3", transport="ipc", ip=str(ipc / "k"),
                                    connection_file=str(ipc / "kernel.json"))
        km.sandbox_spec, km.sandbox_env = sandbox, sandbox_env(env)
        env, cwd, sealed = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(ipc), ipc
    client = GuardedClient(
        nb, limits.max_output_bytes, timeout=limits.cell_timeout, interrupt_on_timeout=True,
        error_on_timeout=TIMEOUT_ERROR, allow_errors=True, kernel_name="python3",
        kernel_manager_class=AsyncKernelManager, record_timing=False, startup_timeout=60,
        extra_arguments=["--HistoryManager.hist_file=:memory:"], raise_on_iopub_timeout=False,
        shutdown_kernel="immediate",  # nothing to save in a grading kernel: a graceful shutdown costs ~0.8 s
        iopub_timeout=5, **({"km": km} if km is not None else {}))
    start = time.monotonic()
    run_sync(_run)(client, limits, run, env, cwd, sealed)
    run.seconds = time.monotonic() - start
    for index in sorted(set(c for c in client.timed_out_cells if c is not None)):
        run.timed_out = True
        run.notes.append(f"Cell {index + 1}: ran longer than {limits.cell_timeout} s and was stopped "
                         "(check for an endless loop).")
    run.notes.sort(key=lambda note: int(note.split(":")[0].split()[1]))
    for index, dropped in sorted(client.dropped_bytes.items()):
        note = (f"Cell {index + 1}: printed more than {limits.max_output_bytes / 1e6:g} MB; "
                f"{dropped / 1e6:.1f} MB of output was dropped.")
        run.notes.append(note)
        nb.cells[index].outputs.append(NotebookNode(output_type="stream", name="stdout",
                                                    text=f"\n[{note}]\n"))
    return run
