"""The sandbox a learner's kernel runs in while it is graded (bubblewrap, from Debian's ``bubblewrap``).

Threat model: the learner knows Python. While their notebook is graded, their code must not reach the
course root (secret, grader package, gradebook, source notebooks), other learners' submissions,
datasets or feedback, the network, or anything that outlives grading, and must not exhaust the
machine. The kernel therefore runs as::

    prlimit <limits> bwrap <namespaces> <read-only system and Python> <own dataset, read-only>
        <scratch tmpfs> [setpriv <unprivileged uid>] python -m ipykernel_launcher -f <connection file>

* **namespaces**: new PID, network (loopback only), IPC and UTS namespaces; the kernel talks to the
  grader over Unix sockets (``transport="ipc"``) in a folder of its own; ``--die-with-parent`` and the
  PID namespace end every process the notebook started when grading ends or the kernel is killed;
* **file system**: ``/usr``, ``/etc``, the interpreter's prefixes and the folders on its ``sys.path``
  read-only; the learner's own dataset read-only at the path ``CCW_DATASET`` names; a size-limited
  tmpfs for ``/tmp``, the home folder and the working folder; nothing else of the host (no course
  root, no other learner);
* **identity**: run by root, each kernel drops to an unprivileged uid of its own (from ``uid_base``
  up) so the process limit applies and no file of the host's users is writable; run by
  another user, a user namespace keeps that user's own uid;
* **limits** (``prlimit``): address space, processes, CPU seconds, file size, open files, no core
  dumps; output size and wall-clock time are limited by the grader (``helpers.course.execute``).

Settings are traitlets on :class:`CCWSandbox` (``c.CCWSandbox.memory_mb = 4096`` in
``nbgrader_config.py``). :func:`check_sandbox` says why no sandbox can be made on this machine.
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool, Int
from traitlets.config import Configurable

from helpers.errors import UserFacingError
from helpers.paths import path_with_interpreter

HOME = "/tmp/home"  # the kernel's home and working folder inside the sandbox (on the scratch tmpfs)
_KEEP_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
_KEEP_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_")  # machine-specific numeric-library fixes stay in force


class CCWSandbox(Configurable):
    """The sandbox a learner's kernel is graded in, and its limits."""

    enabled = Bool(True, help="Grade in the bubblewrap sandbox. `ccw grade --no-sandbox` turns it off, "
                              "and grades.csv and the reports then say so.").tag(config=True)
    memory_mb = Int(4096, help="Address space of the kernel, MiB (RLIMIT_AS).").tag(config=True)
    processes = Int(256, help="Processes and threads the kernel's uid may have (RLIMIT_NPROC).").tag(config=True)
    cpu_seconds = Int(900, help="CPU seconds for the whole notebook (RLIMIT_CPU).").tag(config=True)
    file_size_mb = Int(64, help="Largest file the kernel may write, MiB (RLIMIT_FSIZE).").tag(config=True)
    scratch_mb = Int(256, help="Size of the kernel's writable scratch tmpfs (/tmp and home), MiB.").tag(config=True)
    open_files = Int(1024, help="Open file descriptors (RLIMIT_NOFILE).").tag(config=True)
    uid_base = Int(1_000_000_000, help="When grading as root, each kernel runs as an unprivileged uid of its "
                                       "own from uid_base upwards, which no host user has.").tag(config=True)

    def limits(self) -> dict:
        """The settings as a plain dict (what a grading task carries to its worker)."""
        return {name: getattr(self, name) for name in self.trait_names(config=True)}


@dataclass(frozen=True)
class SandboxSpec:
    """What one sandboxed kernel may see: ``dataset`` read-only, ``files`` copied read-only into its
    home (``{relative path: host path}``), ``ipc_dir`` (host folder for the kernel's sockets)."""

    ipc_dir: str
    limits: dict
    dataset: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    uid: int | None = None  # see allocate_uid


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def check_sandbox() -> str | None:
    """None when a sandbox can be made here, else what is missing and how to get it."""
    bwrap = bwrap_path()
    if bwrap is None:
        return ("bubblewrap is not installed: install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`), "
                "or grade without a sandbox with `ccw grade --no-sandbox` (recorded in grades.csv and the reports)")
    for tool in ("prlimit", "setpriv"):
        if shutil.which(tool) is None:
            return f"`{tool}` (util-linux) is not installed: install util-linux, or pass --no-sandbox"
    probe = [bwrap, *_system_binds(), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
             "--proc", "/proc", "--dev", "/dev", *([] if os.geteuid() == 0 else ["--unshare-user"]), "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start ({exc}); pass --no-sandbox to grade without one"
    if done.returncode != 0:
        return (f"bubblewrap cannot create namespaces here ({done.stderr.strip() or done.returncode}): enable "
                "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run `ccw grade` as "
                "root, or pass --no-sandbox")
    return None


def bwrap_version() -> str:
    try:
        out = subprocess.run([bwrap_path() or "bwrap", "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "bubblewrap"
    except OSError:
        return "bubblewrap"


def _system_binds() -> list[str]:
    """Read-only binds of the operating system (usr-merged or not)."""
    args: list[str] = []
    for top in ("/usr", "/etc", "/opt"):
        if os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


@functools.lru_cache(maxsize=4)
def python_paths(executable: str = sys.executable) -> tuple[str, ...]:
    """Folders a fresh interpreter needs: its prefixes and every ``sys.path`` folder (site-packages,
    editable installs), without the current directory, outermost first."""
    code = "import json, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]))"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    out = subprocess.run([executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd="/", timeout=60, check=True)
    found = {os.path.realpath(executable), os.path.abspath(executable)}
    folders: set[str] = set()
    for entry in json.loads(out.stdout):
        if entry and os.path.isdir(entry) and entry != "/":
            folders.add(os.path.realpath(entry))
            folders.add(os.path.abspath(entry))
    for exe in found:
        folders.add(os.path.dirname(os.path.dirname(exe)))  # the venv or prefix holding bin/python
    system = ("/usr", "/etc", "/opt", "/bin", "/lib", "/lib64", "/sbin")
    kept = sorted(f for f in folders if not any(f == s or f.startswith(s + "/") for s in system))
    # drop folders inside another kept folder: one bind covers them
    return tuple(f for f in kept if not any(f != o and f.startswith(o + "/") for o in kept))


def _parents(folder: str, made: set[str]) -> list[str]:
    """Traversable (0755) folders above a bind target: bwrap would copy a host parent's mode, and a
    parent such as root's home (0700) would lock the kernel's unprivileged uid out of the bind."""
    args: list[str] = []
    parts = Path(folder).parts
    for depth in range(2, len(parts)):
        parent = str(Path(*parts[:depth]))
        if parent not in made and parent not in ("/tmp", "/usr", "/etc", "/opt"):
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args


def _learner_visible() -> list[str]:
    from helpers.paths import casestudies_dir

    folder = casestudies_dir()
    return [str(folder)] if folder.is_dir() else []


def _rlimits(limits: dict) -> list[str]:
    mib = 1024 * 1024
    return [shutil.which("prlimit") or "prlimit", f"--as={limits['memory_mb'] * mib}", f"--nproc={limits['processes']}",
            f"--cpu={limits['cpu_seconds']}", f"--fsize={limits['file_size_mb'] * mib}",
            f"--nofile={limits['open_files']}", "--core=0", "--"]


_SEQUENCE = itertools.count()


def allocate_uid(limits: dict) -> int | None:
    """A uid for one kernel (root only drops privileges; other users keep their own and get None).

    A fresh uid per kernel: the process limit counts every process of a uid, so a notebook that
    used up its processes must not starve the next kernel of the same worker while its own are
    still being torn down. Unique among concurrent workers on one host (pid) and within a worker."""
    if os.geteuid() != 0:
        return None
    return int(limits["uid_base"]) + (os.getpid() % 4_000_000) * 64 + next(_SEQUENCE) % 64


def sandbox_env(env: dict[str, str]) -> dict[str, str]:
    """The whole environment of a sandboxed kernel: ``env`` (learner, dataset) plus what Python and
    the numeric libraries need; nothing else of the grader's environment (no paths, no secrets)."""
    out = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": f"{HOME}/.config/matplotlib", "IPYTHONDIR": f"{HOME}/.ipython",
           "NBGRADER_EXECUTION": "autograde", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    for key, value in os.environ.items():
        if key in _KEEP_ENV or key.startswith(_KEEP_PREFIXES):
            out[key] = value
    out.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    from helpers.paths import project_root

    out["CCW_ROOT"] = str(project_root())  # case studies are found from here (only they are bound, read-only)
    out["PATH"] = path_with_interpreter(out["PATH"])
    return out


def wrap_command(cmd: list[str], spec: SandboxSpec, env: dict[str, str]) -> list[str]:
    """``cmd`` (the kernel's argv) run inside the sandbox described by ``spec``, with exactly ``env``."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise UserFacingError(check_sandbox() or "bubblewrap is not installed")
    limits = spec.limits
    args = [*_rlimits(limits), bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--hostname", "grading", "--die-with-parent", "--new-session", *_system_binds()]
    # the scratch tmpfs first: a venv or project that lives under /tmp is bound on top of it, not hidden by it
    args += ["--proc", "/proc", "--dev", "/dev",
             # the tmpfs belongs to root: world-writable folders let the unprivileged kernel write there
             "--perms", "1777", "--size", str(limits["scratch_mb"] * 1024 * 1024), "--tmpfs", "/tmp"]
    made: set[str] = set()
    for folder in python_paths(sys.executable):
        args += [*_parents(folder, made), "--ro-bind", folder, folder]
    for folder in (HOME, f"{HOME}/.config", f"{HOME}/.config/matplotlib", f"{HOME}/.ipython"):
        args += ["--perms", "0777", "--dir", folder]
    for relpath, host in spec.files:
        args += ["--ro-bind", host, f"{HOME}/{relpath}"]
    font_cache = matplotlib_font_cache()
    if font_cache:  # a prebuilt font list: matplotlib would otherwise rebuild it in every kernel (~1 s)
        args += ["--ro-bind", font_cache, f"{HOME}/.config/matplotlib/{os.path.basename(font_cache)}"]
    for folder in _learner_visible():  # what learners have anyway: the case studies' data and narrative
        args += [*_parents(folder, made), "--ro-bind", folder, folder]
    if spec.dataset:
        args += [*_parents(spec.dataset, made), "--ro-bind", spec.dataset, spec.dataset]
    args += [*_parents(spec.ipc_dir, made), "--bind", spec.ipc_dir, spec.ipc_dir, "--chdir", HOME, "--clearenv"]
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    uid = spec.uid
    if uid is None:
        args += ["--unshare-user", "--disable-userns"]
    else:
        # bwrap as root keeps no capabilities but these two, which setpriv uses once to drop to the uid
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--", shutil.which("setpriv") or "setpriv",
                 f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all"]
    return [*args, "--", *cmd] if uid is None else [*args, *cmd]


@functools.lru_cache(maxsize=1)
def matplotlib_font_cache() -> str | None:
    """A matplotlib font list built once per process, bound read-only into every kernel (or None)."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="ccw-mpl-")
    os.chmod(folder, 0o755)
    code = "import matplotlib.font_manager"
    try:
        subprocess.run([sys.executable, "-c", code], env={**os.environ, "MPLCONFIGDIR": folder},
                       capture_output=True, timeout=120, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    found = sorted(Path(folder).glob("fontlist-*.json"))
    if not found:
        return None
    os.chmod(found[0], 0o644)
    return str(found[0])


def prepare_ipc_dir(folder: Path, uid: int | None) -> None:
    """The host folder for the kernel's sockets and connection file, writable by the kernel's uid."""
    folder.mkdir(parents=True, exist_ok=True)
    if uid is not None:
        os.chown(folder, uid, uid)
    os.chmod(folder, 0o700)


def seal_ipc_dir(folder: Path) -> None:
    """Once the kernel has bound its sockets it needs no new files there: take the folder back, so a
    notebook cannot fill the host's disk through the one host folder it can reach."""
    if os.geteuid() == 0:
        os.chown(folder, 0, 0)
        os.chmod(folder, 0o711)
    else:
        os.chmod(folder, 0o500)


def message_interrupts():
    """An ``AsyncKernelManager`` that interrupts its kernel over the control channel: a signal sent to
    bwrap (or to the zygote's host process) would not reach a kernel in a session of its own."""
    from jupyter_client.manager import AsyncKernelManager

    class MessageInterruptKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            spec = super().kernel_spec
            if spec is not None:
                spec.interrupt_mode = "message"
            return spec

    return MessageInterruptKernelManager


def kernel_manager_class():
    """An ``AsyncKernelManager`` that starts its kernel in the sandbox (built lazily: importing
    jupyter_client is not needed to read settings)."""

    class SandboxedKernelManager(message_interrupts()):
        """Kernel manager whose kernel runs inside :func:`wrap_command`; set ``sandbox_spec`` and
        ``sandbox_env`` before starting. Interrupts go over the control channel (a signal sent to
        bwrap would not reach the kernel in its own session)."""

        sandbox_spec: SandboxSpec | None = None
        sandbox_env: dict = {}

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            return wrap_command(cmd, self.sandbox_spec, self.sandbox_env)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            uid = self.sandbox_spec.uid
            if uid is not None:  # the kernel reads its connection file as its own uid
                os.chown(self.connection_file, uid, uid)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return SandboxedKernelManager
