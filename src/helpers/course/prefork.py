"""Kernels forked from a pre-warmed zygote in the learner's sandbox (the grader's side).

One :class:`Zygote` per learner (and set of released files): a sandbox (:mod:`helpers.course.sandbox`, with that
learner's dataset) running :mod:`helpers.course.zygote`, which has imported ipykernel, pandas,
matplotlib and ``helpers`` and loaded the dataset, and forks a fresh kernel for each notebook.
:func:`kernel_manager_class` gives jupyter_client a kernel manager whose "process" is such a fork;
interrupts go over the control channel, kills and polls through the zygote. Between notebooks
:meth:`Zygote.reap` kills everything the previous kernel started.

Prior art: voila's pre-heated kernels and hotpot_km keep kernels ready; here each kernel is still
used once, for one notebook of one learner.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from helpers.course.sandbox import SandboxSpec, message_interrupts, sandbox_env, wrap_command


class ZygoteError(RuntimeError):
    """The zygote could not start or stopped answering (the caller falls back to a plain sandboxed kernel)."""


class Zygote:
    """The learner's kernel factory; ``spec.uid`` is the uid every kernel of this learner runs as."""

    def __init__(self, spec: SandboxSpec, env: dict[str, str], startup_timeout: float = 120):
        self.spec, self._lock = spec, threading.Lock()
        Path(spec.ipc_dir).mkdir(parents=True, exist_ok=True)
        os.chmod(spec.ipc_dir, 0o711)  # kernels reach their own socket folders, but create nothing here
        cmd = wrap_command([sys.executable, "-m", "helpers.course.zygote"], spec, sandbox_env(env))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, bufsize=1, cwd=spec.ipc_dir)
        reply = self._read(startup_timeout)
        if not reply.get("ready"):
            self.close()
            raise ZygoteError(f"the kernel factory did not start ({reply})")

    def _read(self, timeout: float) -> dict:
        result: dict = {}

        def read():
            line = self.proc.stdout.readline()
            result.update(json.loads(line) if line.strip() else {"eof": True})

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive() or result.get("eof"):
            raise ZygoteError("the kernel factory stopped answering")
        return result

    def ask(self, request: dict, timeout: float = 30) -> dict:
        with self._lock:
            if self.proc.poll() is not None:
                raise ZygoteError("the kernel factory has exited")
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise ZygoteError(f"the kernel factory has gone ({exc})") from None
            return self._read(timeout)

    def spawn(self, connection_file: str, argv: list[str]) -> int:
        return int(self.ask({"spawn": connection_file, "argv": argv})["pid"])

    def reap(self) -> None:
        """Kill every process the previous kernel (and anything it started) left in the sandbox."""
        self.ask({"reap": True})

    def close(self) -> None:
        """End the sandbox: its PID namespace takes every process in it along."""
        try:
            self.proc.kill()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass


class _ForkedProcess:
    """What jupyter_client's provisioner expects of a ``Popen``, for a kernel forked by the zygote."""

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self):
        if self.returncode is None:
            try:
                self.returncode = self.zygote.ask({"poll": self.pid}).get("status")
            except ZygoteError:
                self.returncode = -9
        return self.returncode

    def wait(self, timeout=None):
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            self.zygote.ask({"signal": [self.pid, int(signum)]})
        except ZygoteError:
            pass

    def kill(self) -> None:
        self.send_signal(9)

    def terminate(self) -> None:
        self.send_signal(15)

    stdin = stdout = stderr = None


def kernel_manager_class():
    """An ``AsyncKernelManager`` whose kernel is forked by ``km.zygote`` (set before starting)."""
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        zygote: Zygote | None = None

        async def launch_kernel(self, cmd, **kwargs):
            args = cmd[cmd.index("-f") + 2:] if "-f" in cmd else []
            pid = self.zygote.spawn(self.connection_info.get("connection_file") or self.parent.connection_file, args)
            self.process = _ForkedProcess(self.zygote, pid)
            self.pid, self.pgid = pid, None
            self.cwd = kwargs.get("cwd")
            return self.connection_info

    class ForkedKernelManager(message_interrupts()):
        """Kernel manager for kernels forked in the learner's sandbox; interrupts over the control channel."""

        zygote: Zygote | None = None

        async def _async_pre_start_kernel(self, **kw):
            import uuid

            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            provisioner = ZygoteProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            provisioner.zygote = self.zygote
            self.provisioner = provisioner
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            uid = self.zygote.spec.uid
            if uid is not None:  # the kernel reads its connection file as the sandbox's uid
                os.chown(self.connection_file, uid, uid)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return ForkedKernelManager
