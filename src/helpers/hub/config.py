"""``ccw hub config``: write the ``jupyterhub_config.py`` of a course.

The file is plain JupyterHub configuration (``jupyterhub -f <file>`` runs it), with every path
absolute, so the hub can be started from any folder. It names:

* the hub's state folder (its SQLite database, cookie secret, proxy pid file);
* the proxy: configurable-http-proxy installed by ``ccw hub install-proxy`` (the file refuses to start
  the hub, with the command to run, while it is missing);
* the spawner, :class:`helpers.hub.spawner.LearnerSpawner`: each learner's own JupyterLab in
  ``<workspaces>/<learner>/`` with their dataset and the course exchange, formgrader for assessors;
* who may log in: the roster's learners and the assessors (admins), and how. The authenticator is
  either ``shared-password`` (JupyterHub's SharedPasswordAuthenticator: one password for every learner
  and another for assessors, read from files at start; for tests and try-outs only, see docs/hub.md)
  or any JupyterHub authenticator class the site configures itself (``pam``, an LTI or OAuth one).

Learner ids must be lower case: JupyterHub lower-cases user names at login, and the id is the folder,
dataset and exchange name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from helpers.errors import UserFacingError
from helpers.hub.proxy import installed_version, proxy_executable
from helpers.lab import resolve_learner
from helpers.lab.workspace import course_id_of, released_assignments
from helpers.paths import project_root

SHARED_PASSWORD = "shared-password"


def min_password_chars(admin: bool) -> int:
    """The shortest password SharedPasswordAuthenticator accepts (JupyterHub 5/6: 8 for users, 32 for admins)."""
    try:
        from jupyterhub.authenticators.shared import SharedPasswordAuthenticator as spa
    except ImportError:  # pragma: no cover - jupyterhub is a dependency
        return 32 if admin else 8
    return int(getattr(spa, "_ADMIN_PASSWORD_MIN_LENGTH" if admin else "_USER_PASSWORD_MIN_LENGTH", 32 if admin else 8))


@dataclass
class HubSettings:
    """What a course's hub needs. Paths may be relative (to the current folder); ports are TCP ports
    on ``ip``; ``None`` folders default to the project's (``autograde/``, ``workspaces/``, ``hub/``)."""

    learners: list[str]
    assessors: list[str] = field(default_factory=list)
    course_root: Path | None = None
    exchange: Path | None = None
    workspaces: Path | None = None
    datasets: Path | None = None      # <datasets>/<learner>/ per learner; else as ccw lab
    state_dir: Path | None = None     # the hub's database, cookie secret, pid file
    proxy_dir: Path | None = None     # where `ccw hub install-proxy` installed the proxy
    authenticator: str = SHARED_PASSWORD
    password_file: Path | None = None           # shared-password: the learners' password
    assessor_password_file: Path | None = None  # shared-password: the assessors' password
    ip: str = "127.0.0.1"
    port: int = 8000                  # the address people open (the proxy's public side)
    hub_port: int = 8081              # the hub's own API, behind the proxy
    proxy_api_port: int = 8001        # the proxy's REST API, for the hub only
    fetch: bool = True                # fetch released assignments into a new workspace on its first start


def _check_password_file(path: Path | None, option: str, who: str, admin: bool = False) -> Path:
    least = min_password_chars(admin)
    if path is None:
        raise UserFacingError(f"--authenticator {SHARED_PASSWORD} needs {option} FILE: a file holding the password "
                              f"{who} type at login (at least {least} characters)")
    path = Path(path).resolve()
    if not path.is_file():
        raise UserFacingError(f"{option} {path} does not exist")
    got = len(path.read_text(encoding="utf-8").strip())
    if got < least:
        raise UserFacingError(f"{option} {path}: JupyterHub wants {who}' password at least {least} characters long; "
                              f"this one has {got}")
    return path


def _check_user(name: str, what: str) -> str:
    name = resolve_learner(name, env={})  # the roster's id rule (it becomes a folder and an exchange name)
    if name != name.lower():
        raise UserFacingError(f"{what} {name!r} has capital letters: JupyterHub lower-cases user names at login, so "
                              f"write it as {name.lower()!r} on the roster and in the datasets folder")
    return name


def _check_port(port: int, option: str) -> int:
    if not 0 < int(port) < 65536:
        raise UserFacingError(f"{option} must be between 1 and 65535; got {port}")
    return int(port)


def render_hub_config(s: HubSettings) -> str:
    """The text of ``jupyterhub_config.py`` for ``s`` (checked: see :func:`write_hub_config`)."""
    root = project_root()
    course_root = Path(s.course_root or root / "autograde").resolve()
    course_id = course_id_of(course_root)
    released = released_assignments(course_root)
    exchange = Path(s.exchange or course_root / "exchange").resolve()
    workspaces = Path(s.workspaces or root / "workspaces").resolve()
    state = Path(s.state_dir or root / "hub").resolve()
    proxy = proxy_executable(s.proxy_dir)
    if not s.learners:
        raise UserFacingError("no learners: give a roster (--roster FILE) or --learner ID")
    learners = [_check_user(x, "learner id") for x in s.learners]
    assessors = [_check_user(x, "assessor name") for x in s.assessors]
    both = sorted(set(learners) & set(assessors))
    if both:
        raise UserFacingError(f"{', '.join(both)} is both a learner and an assessor: give assessors names of their own")
    if workspaces == course_root or course_root in workspaces.parents:
        raise UserFacingError(f"workspaces {workspaces} are inside the course root {course_root}: learners must not see it")
    ports = {"--port": _check_port(s.port, "--port"), "--hub-port": _check_port(s.hub_port, "--hub-port"),
             "--proxy-api-port": _check_port(s.proxy_api_port, "--proxy-api-port")}
    if len(set(ports.values())) < 3:
        raise UserFacingError(f"the three ports must differ: {', '.join(f'{k} {v}' for k, v in ports.items())}")
    bind_url, api_url = f"http://{s.ip}:{ports['--port']}", f"http://{s.ip}:{ports['--proxy-api-port']}"
    datasets = Path(s.datasets).resolve() if s.datasets else None
    if datasets is not None and not datasets.is_dir():
        raise UserFacingError(f"datasets folder {datasets} does not exist")

    lines = [
        f'"""JupyterHub for course {course_id} ({course_root}): each learner logs in to their own JupyterLab',
        "in their own workspace, with their own dataset and the course's nbgrader exchange.",
        "",
        f"Written by `ccw hub config` on {datetime.now():%Y-%m-%d %H:%M}; run `ccw hub config` again rather than",
        "editing by hand. Start the hub with:  jupyterhub -f <this file>   (see docs/hub.md)",
        '"""',
        "from pathlib import Path",
        "",
        "c = get_config()  # noqa: F821",
        "",
        "# -- where people connect: the proxy's public side (put TLS in a reverse proxy in front of it)",
        f"c.JupyterHub.bind_url = {bind_url!r}",
        f"c.JupyterHub.hub_ip = {s.ip!r}",
        f"c.JupyterHub.hub_port = {ports['--hub-port']}",
        "",
        "# -- the hub's own state",
        f"STATE = Path({str(state)!r})",
        "STATE.mkdir(parents=True, exist_ok=True)",
        "c.JupyterHub.db_url = f\"sqlite:///{STATE / 'jupyterhub.sqlite'}\"",
        "c.JupyterHub.cookie_secret_file = str(STATE / 'jupyterhub_cookie_secret')",
        "c.JupyterHub.pid_file = str(STATE / 'jupyterhub.pid')",
        "c.ConfigurableHTTPProxy.pid_file = str(STATE / 'jupyterhub-proxy.pid')",
        "",
        "# -- the proxy: configurable-http-proxy from npm, in a project folder (`ccw hub install-proxy`)",
        f"PROXY = Path({str(proxy)!r})",
        "if not PROXY.is_file():",
        "    raise SystemExit(f'configurable-http-proxy is not installed at {PROXY}: run `ccw hub install-proxy`')",
        "c.ConfigurableHTTPProxy.command = [str(PROXY)]",
        f"c.ConfigurableHTTPProxy.api_url = {api_url!r}",
        "c.ConfigurableHTTPProxy.should_start = True",
        "",
        "# -- each learner's own JupyterLab (helpers.hub.spawner.LearnerSpawner; formgrader for assessors)",
        "c.JupyterHub.spawner_class = 'helpers.hub.spawner.LearnerSpawner'",
        f"c.LearnerSpawner.course_root = {str(course_root)!r}",
        f"c.LearnerSpawner.exchange = {str(exchange)!r}",
        f"c.LearnerSpawner.workspaces = {str(workspaces)!r}",
        f"c.LearnerSpawner.datasets = {str(datasets or '')!r}",
        f"c.LearnerSpawner.assessors = {assessors!r}",
        f"c.LearnerSpawner.fetch = {bool(s.fetch)!r}",
        "# stop every learner's server (and its kernels) when the hub stops",
        "c.JupyterHub.cleanup_servers = True",
        "",
        f"# -- who may log in: the roster ({len(learners)} learners) and the assessors (hub admins)",
        f"c.Authenticator.allowed_users = set({sorted(learners)!r})",
        f"c.Authenticator.admin_users = set({sorted(assessors)!r})",
    ]
    if s.authenticator == SHARED_PASSWORD:
        pw = _check_password_file(s.password_file, "--password-file", "learners")
        lines += [
            "# TEST AND TRY-OUT ONLY: every learner shares one password (and assessors another); anyone who",
            "# knows it can log in as any learner. Use your RTO's login (LTI, OAuth, PAM) for real cohorts.",
            f"c.JupyterHub.authenticator_class = {SHARED_PASSWORD!r}",
            f"c.SharedPasswordAuthenticator.user_password = Path({str(pw)!r}).read_text(encoding='utf-8').strip()",
        ]
        if assessors:
            apw = _check_password_file(s.assessor_password_file, "--assessor-password-file", "assessors",
                                       admin=True)
            if apw.read_text(encoding="utf-8").strip() == pw.read_text(encoding="utf-8").strip():
                raise UserFacingError("the assessors' password must differ from the learners' "
                                      "(JupyterHub refuses the same password for both)")
            lines.append("c.SharedPasswordAuthenticator.admin_password = "
                         f"Path({str(apw)!r}).read_text(encoding='utf-8').strip()")
    else:
        lines += ["# the site's own login; configure it below or in a file of your own (see docs/hub.md)",
                  f"c.JupyterHub.authenticator_class = {s.authenticator!r}"]
    lines += ["", f"# released assignments when this file was written: {', '.join(released)}", ""]
    return "\n".join(lines)


def write_hub_config(settings: HubSettings, out: Path | str | None = None) -> Path:
    """Check ``settings`` and write ``jupyterhub_config.py`` to ``out`` (a file, or a folder to put it in;
    default ``<state dir>/jupyterhub_config.py``); returns its path.

    Raises UserFacingError naming the problem: no course or release, a bad learner id, a password file
    missing or too short, ports that clash, the workspaces inside the course root.
    """
    text = render_hub_config(settings)
    state = Path(settings.state_dir or project_root() / "hub").resolve()
    path = Path(out).resolve() if out else state / "jupyterhub_config.py"
    if path.is_dir():
        path = path / "jupyterhub_config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def proxy_status(proxy_dir: Path | str | None = None) -> str:
    """One line: the proxy's version and path, or the command that installs it."""
    version = installed_version(proxy_dir)
    exe = proxy_executable(proxy_dir)
    return f"configurable-http-proxy {version} at {exe}" if version else \
        f"configurable-http-proxy is not installed at {exe}: run `ccw hub install-proxy`"
