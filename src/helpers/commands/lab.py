"""``ccw lab``: a learner's JupyterLab with nbgrader's assignment tools, or the assessor's formgrader."""
from __future__ import annotations

from pathlib import Path

from helpers.commands import options


def register(sub) -> None:
    p = sub.add_parser(
        "lab", help="start JupyterLab for a learner (or formgrader for the assessor) on this machine",
        description="Learner mode: prepare the learner's workspace (default workspaces/<LEARNER>/): release the "
                    "course's assignments into the course exchange (<course root>/exchange), fetch those the "
                    "workspace does not hold yet, write ccw.json naming the learner and their dataset, and start "
                    "JupyterLab on 127.0.0.1 with nbgrader's Assignment List (fetch, submit) and Validate "
                    "button. Assessor mode (--assessor): start JupyterLab on the course root with formgrader. "
                    "Prints the URL with its token; Ctrl-C stops the server and its kernels.")
    p.add_argument("--learner", metavar="ID",
                   help="learner id on the roster (default: $CCW_LEARNER, else $JUPYTERHUB_USER)")
    p.add_argument("--port", type=int, default=0, metavar="P", help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--assessor", action="store_true", help="open the course root with formgrader instead")
    p.add_argument("--no-browser", action="store_true", help="only print the URL; do not open a web browser")
    p.add_argument("--workspace", type=Path, metavar="DIR",
                   help="learner workspace folder (default: workspaces/<LEARNER>/ in the project); with "
                        "--assessor, the folder for formgrader's settings (default: workspaces/.assessor/)")
    p.add_argument("--dataset", type=Path, metavar="DIR",
                   help="the learner's dataset folder (default: datasets/<case study>/learners/<LEARNER>/ if "
                        "generated, else the practice dataset)")
    options.course(p)
    p.add_argument("--no-fetch", action="store_true",
                   help="do not pre-fetch assignments: the learner fetches them from the Assignment List")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers.errors import UserFacingError
    from helpers.lab import lab_command

    if args.port and not 0 < args.port < 65536:
        raise UserFacingError(f"--port must be between 1 and 65535; got {args.port}")
    return lab_command(args.learner, port=args.port or None, assessor=args.assessor,
                       open_browser=not args.no_browser, workspace=args.workspace, course_root=args.course,
                       dataset=args.dataset, fetch=not args.no_fetch)
