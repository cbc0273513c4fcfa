"""``ccw hub``: the course on JupyterHub (each learner's own JupyterLab, workspace, dataset; the
nbgrader exchange shared). ``ccw hub install-proxy`` installs configurable-http-proxy from npm into the
project; ``ccw hub config`` writes the course's ``jupyterhub_config.py``. See docs/hub.md."""
from __future__ import annotations

from pathlib import Path

from helpers.commands import options


def register(sub) -> None:
    p = sub.add_parser(
        "hub", help="JupyterHub for a cohort: each learner logs in to their own JupyterLab (see docs/hub.md)",
        description="Run the course on JupyterHub: every learner logs in to their own JupyterLab, started in their "
                    "own workspace (workspaces/<LEARNER>/, as `ccw lab` makes it) with their own dataset and the "
                    "course's nbgrader exchange; assessors get formgrader. `ccw lab` stays the one-machine default.")
    hub = p.add_subparsers(dest="hub_command", metavar="STEP")

    proxy = hub.add_parser(
        "install-proxy", help="install configurable-http-proxy from npm into .cache/ of the project",
        description="Install JupyterHub's proxy, configurable-http-proxy (Node.js), from the npm registry into "
                    ".cache/configurable-http-proxy/ of the project (git-ignored), unless it is there already. "
                    "Needs node 20 or later and npm on PATH.")
    proxy.add_argument("--dir", type=Path, metavar="DIR", help="install here instead (default: .cache/configurable-http-proxy)")
    proxy.set_defaults(func=run_install_proxy)

    cfg = hub.add_parser(
        "config", help="write the course's jupyterhub_config.py",
        description="Write jupyterhub_config.py for the course (default hub/jupyterhub_config.py; the hub's "
                    "database and cookie secret go to hub/ too), then start the hub with "
                    "`jupyterhub -f hub/jupyterhub_config.py`. Learner ids must be lower case (JupyterHub "
                    "lower-cases user names at login).")
    who = cfg.add_mutually_exclusive_group(required=True)
    who.add_argument("--roster", type=Path, metavar="FILE",
                     help="the learners who may log in: a CSV with a 'learner' column, or one id per line")
    who.add_argument("--learner", action="append", metavar="ID", help="a learner who may log in (repeatable)")
    cfg.add_argument("--assessor", action="append", default=[], metavar="NAME",
                     help="a user name that logs in as assessor (hub admin, formgrader); repeatable")
    cfg.add_argument("--authenticator", default="shared-password", metavar="CLASS",
                     help="how people log in: 'shared-password' (TEST AND TRY-OUT ONLY: one password for all "
                          "learners, --password-file; another for assessors, --assessor-password-file) or a "
                          "JupyterHub authenticator ('pam', an LTI or OAuth class) that you configure yourself")
    cfg.add_argument("--password-file", type=Path, metavar="FILE",
                     help="shared-password: file holding the learners' password (8 characters or more)")
    cfg.add_argument("--assessor-password-file", type=Path, metavar="FILE",
                     help="shared-password: file holding the assessors' password (32 characters or more)")
    options.course(cfg)
    cfg.add_argument("--workspaces", type=Path, metavar="DIR",
                     help="folder of the learners' workspaces (default: workspaces/, shared with `ccw lab`)")
    cfg.add_argument("--datasets", type=Path, metavar="DIR",
                     help="folder of learners' datasets, DIR/<LEARNER>/ (default: each learner's generated "
                          "dataset, else the practice dataset, as `ccw lab`)")
    cfg.add_argument("--state", type=Path, metavar="DIR", help="the hub's own files (default: hub/)")
    cfg.add_argument("--out", type=Path, metavar="FILE", help="where to write the config (default: <state>/jupyterhub_config.py)")
    cfg.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    cfg.add_argument("--port", type=int, default=8000, help="port people connect to (default 8000)")
    cfg.add_argument("--hub-port", type=int, default=8081, help="the hub's internal API port (default 8081)")
    cfg.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's internal API port (default 8001)")
    cfg.add_argument("--proxy-dir", type=Path, metavar="DIR",
                     help="where `ccw hub install-proxy` put the proxy (default: .cache/configurable-http-proxy)")
    cfg.add_argument("--no-fetch", action="store_true",
                     help="do not pre-fetch assignments into new workspaces: learners fetch from the Assignment List")
    cfg.set_defaults(func=run_config)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_install_proxy(args) -> int:
    import sys

    from helpers.hub import install_proxy, installed_version

    exe = install_proxy(args.dir, out=sys.stdout)
    print(f"configurable-http-proxy {installed_version(args.dir)} at {exe}")
    return 0


def run_config(args) -> int:
    from helpers.commands.regenerate import read_roster
    from helpers.hub import HubSettings, proxy_status, write_hub_config

    learners = read_roster(args.roster) if args.roster else args.learner
    settings = HubSettings(learners=learners, assessors=args.assessor, course_root=args.course,
                           workspaces=args.workspaces, datasets=args.datasets, state_dir=args.state,
                           proxy_dir=args.proxy_dir, authenticator=args.authenticator,
                           password_file=args.password_file, assessor_password_file=args.assessor_password_file,
                           ip=args.ip, port=args.port, hub_port=args.hub_port, proxy_api_port=args.proxy_api_port,
                           fetch=not args.no_fetch)
    path = write_hub_config(settings, args.out)
    print(f"Wrote {path} for {len(learners)} learner(s) and {len(args.assessor)} assessor(s).")
    print(f"  {proxy_status(args.proxy_dir)}")
    if args.authenticator == "shared-password":
        print("  login: one shared password for learners (test and try-out only; see docs/hub.md)")
    print(f"Start the hub:  jupyterhub -f {path}\nthen open http://{args.ip}:{args.port}/")
    return 0
