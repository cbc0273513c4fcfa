"""A learner's JupyterLab workspace and the course exchange it fetches from and submits to.

Layout (``ccw lab`` creates it; ``workspaces/`` is not committed):

* ``<workspace>/ccw.json``: ``{"learner": ID, "dataset": DIR}`` so the workbooks (``helpers.data``)
  find this learner's data with no path typed by hand: their generated dataset, else the practice
  dataset (named explicitly: with ``CCW_LEARNER`` set and no dataset named, ``helpers.data`` would
  refuse to fall back to practice data).
* ``<workspace>/<ASSIGNMENT>/``: the released notebooks once fetched (from the Assignment List, or
  pre-fetched on the first start).
* ``<workspace>/.jupyter/``: the server's ``JUPYTER_CONFIG_DIR``: ``nbgrader_config.py`` (course id,
  student id, exchange root), the lab's page config (formgrader and the course-author tools are
  switched off for learners) and user settings (no news or update checks: the lab runs offline).

The exchange is nbgrader's default file exchange, one per course: ``<course root>/exchange/<course
id>/outbound/<ASSIGNMENT>`` (released notebooks) and ``.../inbound/<learner>+<ASSIGNMENT>+<time>+<key>``
(submissions). ``collect_submissions`` moves submissions into the course's ``submitted/`` folder,
where ``ccw grade`` (nbgrader's autograde) picks them up.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import UserFacingError
from helpers.learners import check_learner_id
from helpers.paths import path_with_interpreter, project_root

# nbgrader's ClearSolutions / ClearHiddenTests delimiters: any of them in a released notebook is a leak.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# Lab plugins a learner never needs (they edit the course, not their own work).
LEARNER_DISABLED_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                            "@jupyter/nbgrader:course-list")
ASSESSOR_DISABLED_PLUGINS = ("@jupyter/nbgrader:assignment-list",)
CONFIG_DIR = ".jupyter"


@dataclass(frozen=True)
class Workspace:
    """A prepared workspace: where the server runs and what it is configured with."""

    root: Path            # the server's root folder (learner: the workspace; assessor: the course root)
    config_dir: Path      # JUPYTER_CONFIG_DIR of the server
    learner: str | None   # None for the assessor
    course_root: Path
    course_id: str
    exchange: Path
    assignments: tuple[str, ...]
    dataset: Path | None = None
    practice: bool = False  # the dataset is the practice one (no dataset generated for this learner)

    def environment(self, base: dict | None = None) -> dict:
        """Environment for the server (and so its kernels and nbgrader's subprocesses)."""
        env = dict(os.environ if base is None else base)
        env["JUPYTER_CONFIG_DIR"] = str(self.config_dir)
        # nbgrader runs `alembic` and jupyter runs kernels as bare commands: this interpreter first.
        env["PATH"] = path_with_interpreter(env.get("PATH", ""))
        # a learner's notebooks draw inline in JupyterLab, whatever backend the shell that started it chose
        env.pop("MPLBACKEND", None)
        if self.learner:
            env["CCW_LEARNER"] = self.learner
            env.pop("CCW_DATASET", None)  # ccw.json names the dataset; a stale value here would win over it
        return env


def resolve_learner(explicit: str | None = None, env: dict | None = None) -> str:
    """The learner id: ``explicit`` (``--learner``), else ``$CCW_LEARNER``, else ``$JUPYTERHUB_USER``.

    Ids follow the one rule of ``helpers.learners`` (the roster's, the grader's and the generator's).
    """
    env = os.environ if env is None else env
    for source, value in (("--learner", explicit), ("CCW_LEARNER", env.get("CCW_LEARNER")),
                          ("JUPYTERHUB_USER", env.get("JUPYTERHUB_USER"))):
        if value is None or value == "":
            continue
        return check_learner_id(value, f"from {source}")
    raise UserFacingError("no learner id: pass --learner ID (your id on the course roster) or set CCW_LEARNER")


def course_id_of(course_root: Path) -> str:
    """``c.CourseDirectory.course_id`` from ``<course_root>/nbgrader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg_file = course_root / "nbgrader_config.py"
    if not cfg_file.is_file():
        raise UserFacingError(f"no course at {course_root}: nbgrader_config.py is missing "
                              "(run `ccw course build` first)")
    try:
        config = PyFileConfigLoader(cfg_file.name, path=str(course_root)).load_config()
    except Exception as exc:
        raise UserFacingError(f"{cfg_file}: cannot load nbgrader config ({exc.__class__.__name__}: {exc})") from None
    course_id = config.CourseDirectory.get("course_id", "") if "CourseDirectory" in config else ""
    if not course_id:
        raise UserFacingError(f"{cfg_file}: c.CourseDirectory.course_id is not set")
    return str(course_id)


def released_assignments(course_root: Path) -> list[str]:
    """Assignment ids with a student release (``<course_root>/release/<ASSIGNMENT>/*.ipynb``)."""
    release = course_root / "release"
    found = sorted(p.name for p in release.iterdir()
                   if p.is_dir() and not p.name.startswith(".") and any(p.rglob("*.ipynb"))) \
        if release.is_dir() else []
    if not found:
        raise UserFacingError(f"no released assignments in {release}: run `ccw course build` first")
    return found


def check_no_leaks(folder: Path) -> None:
    """Raise if any notebook under ``folder`` still holds a solution or hidden-test region."""
    import nbformat

    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            marker = next((m for m in LEAK_MARKERS if m in cell.source), None)
            if marker:
                raise UserFacingError(f"{path}: cell {index} still contains '{marker}': this release would show "
                                      "learners a solution or hidden test (rebuild it with `ccw course build`)")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def _config(course_root: Path, course_id: str, exchange: Path, assignment: str | None = None, **sections):
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.root = str(course_root)
    cfg.CourseDirectory.course_id = course_id
    if assignment:
        cfg.CourseDirectory.assignment_id = assignment
    cfg.Exchange.root = str(exchange)
    for section, values in sections.items():
        for key, value in values.items():
            cfg[section][key] = value
    return cfg


def release_to_exchange(course_root: Path, course_id: str, exchange: Path, assignment: str) -> bool:
    """Put ``release/<assignment>`` into the exchange's outbound folder (nbgrader release_assignment).

    Returns False when the exchange already holds exactly these files (learners' fetched copies and
    timestamps are left alone), True when it (re)released.
    """
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    source = course_root / "release" / assignment
    check_no_leaks(source)
    outbound = exchange / course_id / "outbound" / assignment
    if outbound.is_dir() and _tree(outbound) == _tree(source):
        return False
    cfg = _config(course_root, course_id, exchange, assignment, ExchangeReleaseAssignment={"force": True})
    release = ExchangeReleaseAssignment(coursedir=CourseDirectory(config=cfg),
                                        authenticator=Authenticator(config=cfg), config=cfg)
    _run_exchange(release, f"release {assignment} to {exchange}")
    return True


def _run_exchange(step, what: str) -> None:
    from nbgrader.exchange import ExchangeError

    try:
        step.start()
    except ExchangeError as exc:
        raise UserFacingError(f"could not {what}: {exc}") from None


def fetch_assignment(workspace: Workspace, assignment: str) -> Path:
    """What the Assignment List's Fetch does: copy the released assignment into the workspace."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment

    cfg = _config(workspace.course_root, workspace.course_id, workspace.exchange, assignment,
                  Exchange={"assignment_dir": str(workspace.root)})
    cfg.CourseDirectory.student_id = workspace.learner
    fetch = ExchangeFetchAssignment(coursedir=CourseDirectory(config=cfg),
                                    authenticator=Authenticator(config=cfg), config=cfg)
    _run_exchange(fetch, f"fetch {assignment}")
    return workspace.root / assignment


def submissions(course_root: Path, course_id: str, exchange: Path | None = None) -> list[dict]:
    """Submissions waiting in the exchange's inbound folder, oldest first.

    Each is ``{"learner", "assignment", "timestamp", "path"}`` (nbgrader's ``learner+assignment+time+key`` names).
    """
    inbound = Path(exchange or course_root / "exchange") / course_id / "inbound"
    found = []
    for path in sorted(inbound.glob("*+*+*")) if inbound.is_dir() else []:
        learner, assignment, timestamp = path.name.split("+")[:3]
        found.append({"learner": learner, "assignment": assignment, "timestamp": timestamp, "path": path})
    return sorted(found, key=lambda s: (s["timestamp"], s["learner"]))


def collect_submissions(course_root: Path | str | None = None, assignment: str | None = None,
                        exchange: Path | str | None = None) -> list[tuple[str, str]]:
    """nbgrader collect: copy each learner's latest submission from the exchange into
    ``<course_root>/submitted/<learner>/<assignment>/`` (newer submissions replace older ones).

    Returns the (learner, assignment) pairs found in the exchange, sorted.
    """
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeCollect

    course_root = Path(course_root or project_root() / "autograde").resolve()
    course_id = course_id_of(course_root)
    exchange = Path(exchange or course_root / "exchange").resolve()
    waiting = submissions(course_root, course_id, exchange)
    assignments = [assignment] if assignment else sorted({s["assignment"] for s in waiting})
    for name in assignments:
        # check_owner: every submission here belongs to this machine's user, not to the learner id
        cfg = _config(course_root, course_id, exchange, name, ExchangeCollect={"update": True, "check_owner": False})
        collect = ExchangeCollect(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg),
                                  config=cfg)
        _run_exchange(collect, f"collect {name} from {exchange}")
    return sorted({(s["learner"], s["assignment"]) for s in waiting if s["assignment"] in assignments})


def release_feedback(course_root: Path | str | None = None, assignment: str | None = None,
                     learner: str | None = None, exchange: Path | str | None = None) -> list[tuple[str, str, str]]:
    """What formgrader's *Release Feedback* does (nbgrader's ExchangeReleaseFeedback): put the feedback
    pages ``feedback/<learner>/<ASSIGNMENT>/<nb>.html`` (written by ``ccw grade``) into the exchange,
    where only the learner who made that submission can fetch them.

    ``assignment`` / ``learner`` limit what is released (default: everything with feedback). Returns
    the (learner, assignment, notebook) released, sorted. A feedback folder without ``timestamp.txt``
    and ``submission_secret.txt`` (feedback written before ``ccw grade`` wrote them) is refused with
    how to fix it, before anything is released.
    """
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    course_root = Path(course_root or project_root() / "autograde").resolve()
    course_id = course_id_of(course_root)
    exchange = Path(exchange or course_root / "exchange").resolve()
    feedback = course_root / "feedback"
    if learner is not None:
        check_learner_id(learner, "--learner")
    folders = sorted(p for p in feedback.glob(f"{learner or '*'}/{assignment or '*'}")
                     if p.is_dir() and any(p.glob("*.html"))) if feedback.is_dir() else []
    if not folders:
        what = " ".join(x for x in (f"of {learner}" if learner else "", f"for {assignment}" if assignment else "") if x)
        raise UserFacingError(f"no feedback {what} in {feedback}: run `ccw grade` (or `ccw grade --feedback-only` "
                              "after manual grading) first".replace("  ", " "))
    incomplete = [f"{p.parent.name}/{p.name}" for p in folders
                  if not ((p / "timestamp.txt").is_file() and (p / "submission_secret.txt").is_file())]
    if incomplete:
        raise UserFacingError(f"feedback of {', '.join(incomplete[:5])} has no timestamp.txt / submission_secret.txt "
                              "beside it: run `ccw grade --feedback-only` to rewrite it, then release again")
    released = []
    for name in sorted({p.name for p in folders}):
        cfg = _config(course_root, course_id, exchange, name)
        if learner:
            cfg.CourseDirectory.student_id = learner
        step = ExchangeReleaseFeedback(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg),
                                       config=cfg)
        _run_exchange(step, f"release feedback for {name} to {exchange}")
        released += [(p.parent.name, name, page.stem) for p in folders if p.name == name for page in p.glob("*.html")]
    return sorted(released)


def fetch_feedback(workspace: Workspace, assignment: str) -> list[Path]:
    """What the Assignment List's *Fetch Feedback* does (nbgrader's ExchangeFetchFeedback, with the
    workspace's exchange cache): copy the released feedback of each of this learner's submissions to
    ``<workspace>/<ASSIGNMENT>/feedback/<submission time>/<nb>.html``. Returns the pages there."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchFeedback

    cfg = _config(workspace.course_root, workspace.course_id, workspace.exchange, assignment,
                  Exchange={"assignment_dir": str(workspace.root),
                            "cache": str(workspace.config_dir / "nbgrader_cache")})
    cfg.CourseDirectory.student_id = workspace.learner
    step = ExchangeFetchFeedback(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg),
                                 config=cfg)
    _run_exchange(step, f"fetch feedback for {assignment}")
    return sorted((workspace.root / assignment / "feedback").glob("*/*.html"))


def default_dataset(learner: str) -> tuple[Path, bool]:
    """(folder, is_practice): the learner's generated dataset (``ccw regenerate --roster`` wrote
    ``datasets/<case study>/learners/<learner>/manifest.json``, layout in ``helpers.paths``).

    Before the trainer has generated any learner's data, everyone works on the practice dataset
    (``helpers.data`` makes it on first use) and the lab and the workbooks say so. Once datasets
    exist, an id without one is refused: it is most likely a typo, and practice data would look like
    the learner's own while every answer computed from it fails grading.
    """
    from helpers import data

    mine = data.learner_dir(learner)
    if (mine / "manifest.json").is_file():
        return mine.resolve(), False
    others = data.learners_with_data()
    if others:
        raise UserFacingError(
            f"no dataset for learner {learner!r}: {len(others)} learner(s) have one in {mine.parent}, but not this "
            "id. Check the id on your roster; if it is right, ask your trainer to add it to the roster and run "
            "`ccw regenerate --roster` (or pass --dataset DIR to use another dataset on purpose)")
    return data.practice_dir().resolve(), True


def reading_files(dataset: Path, slug: str | None = None) -> dict[str, Path]:
    """What the workbooks tell learners to read, as ``{path in the workspace: source}``: the case
    study's narrative (``casestudies/<slug>/README.md``), the compliance summary
    (``docs/compliance.md``) at the same paths as in the project, so the paths the workbooks and the
    README quote work in the workspace too, and the data dictionary of the learner's own dataset
    (``data_dictionary.md``). Sources that do not exist are left out."""
    from helpers import data

    slug = slug or data.case_study_slug()
    try:
        manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
        slug = manifest.get("case_study") or slug
    except (OSError, ValueError):
        pass
    root = project_root()
    wanted = {f"casestudies/{slug}/README.md": root / "casestudies" / slug / "README.md",
              "docs/compliance.md": root / "docs" / "compliance.md",
              "data_dictionary.md": dataset / "data_dictionary.md"}
    return {name: path for name, path in wanted.items() if path.is_file()}


def copy_reading(root: Path, dataset: Path) -> list[str]:
    """Copy :func:`reading_files` into the workspace ``root``, read-only (they are references, not
    answers: notes belong in the notebooks), refreshed when the source changed. Returns the copied
    paths, relative to ``root``."""
    copied = []
    sources: dict[str, Path | bytes] = dict(reading_files(dataset))
    if "data_dictionary.md" not in sources:  # practice data not made yet: the dictionary is the same for all
        from helpers.tables import dictionary_markdown
        sources["data_dictionary.md"] = (dictionary_markdown() + "\n").encode("utf-8")
    for name, source in sources.items():
        target = root / name
        text = source if isinstance(source, bytes) else source.read_bytes()
        if not target.is_file() or target.read_bytes() != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.chmod(0o644)
            target.write_bytes(text)
            target.chmod(0o444)
        copied.append(name)
    return copied


def _py(value) -> str:
    return repr(str(value))


def _write_lab_settings(config_dir: Path, disabled: tuple[str, ...], server_extensions: dict | None = None) -> None:
    if server_extensions:
        (config_dir / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": server_extensions}}, indent=2) + "\n", encoding="utf-8")
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {name: True for name in disabled}}, indent=2) + "\n", encoding="utf-8")
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    # offline machines: no news feed and no update check (both call out to the internet)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}, indent=2) + "\n", encoding="utf-8")


def prepare_workspace(learner: str, *, workspace: Path | str | None = None, course_root: Path | str | None = None,
                      exchange: Path | str | None = None, dataset: Path | str | None = None,
                      assignments: list[str] | None = None, fetch: bool = True) -> Workspace:
    """Set up ``learner``'s workspace (default ``workspaces/<learner>/``) for ``ccw lab``.

    Releases every assignment of ``<course_root>/release/`` (or ``assignments``) into the course
    exchange, writes ``ccw.json`` and the nbgrader/lab config, and with ``fetch=True`` fetches each
    assignment the workspace does not hold yet (a learner's earlier work is never overwritten).
    ``dataset`` defaults to the learner's generated dataset, else the practice dataset (``default_dataset``).
    """
    learner = resolve_learner(learner, env={})
    course_root = Path(course_root or project_root() / "autograde").resolve()
    course_id = course_id_of(course_root)
    exchange = Path(exchange or course_root / "exchange").resolve()
    names = assignments or released_assignments(course_root)
    for name in names:
        if not (course_root / "release" / name).is_dir():
            raise UserFacingError(f"assignment {name!r} has no release in {course_root / 'release'} "
                                  "(run `ccw course build` first)")
    practice = False
    if dataset is not None:
        dataset = Path(dataset).resolve()
        if not dataset.is_dir():
            raise UserFacingError(f"dataset folder {dataset} does not exist")
    else:
        dataset, practice = default_dataset(learner)
    root = Path(workspace or project_root() / "workspaces" / learner).resolve()
    if root == course_root or course_root in root.parents:
        raise UserFacingError(f"workspace {root} is inside the course root {course_root}: learners must not see it")
    config_dir = root / CONFIG_DIR
    config_dir.mkdir(parents=True, exist_ok=True)

    for name in names:
        release_to_exchange(course_root, course_id, exchange, name)

    reading = copy_reading(root, dataset)
    info = {"learner": learner, "dataset": str(dataset), "practice": practice, "reading": reading}
    (root / "ccw.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (config_dir / "nbgrader_config.py").write_text(
        '"""nbgrader settings of this learner workspace (written by `ccw lab`; rewritten at each start)."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {_py(course_id)}\n"
        f"c.CourseDirectory.student_id = {_py(learner)}\n"
        f"c.Exchange.root = {_py(exchange)}\n"
        f"c.Exchange.assignment_dir = {_py(root)}\n"
        f"c.Exchange.cache = {_py(config_dir / 'nbgrader_cache')}\n",
        encoding="utf-8")
    # formgrader would let a learner open the course root's gradebook views: off on the server too
    _write_lab_settings(config_dir, LEARNER_DISABLED_PLUGINS, {"nbgrader.server_extensions.formgrader": False})
    # Validate names each task that is not done yet (helpers.lab.validate); read by the server at start
    (config_dir / "jupyter_server_config.py").write_text(
        '"""Learner server settings (written by `ccw lab`; rewritten at each start)."""\n'
        "from helpers.lab.validate import install\n\n"
        "install()  # nbgrader's Validate lists every task whose checks do not all pass, by task name\n",
        encoding="utf-8")
    ws = Workspace(root=root, config_dir=config_dir, learner=learner, course_root=course_root, course_id=course_id,
                   exchange=exchange, assignments=tuple(names), dataset=dataset, practice=practice)
    if fetch:
        for name in names:
            if not (root / name).exists():
                fetch_assignment(ws, name)
    return ws


def prepare_assessor(*, course_root: Path | str | None = None, exchange: Path | str | None = None,
                     config_dir: Path | str | None = None) -> Workspace:
    """The assessor's server: root = the course root (formgrader needs it), a config folder outside it
    (default ``workspaces/.assessor/.jupyter``) pointing formgrader at the course and its exchange."""
    course_root = Path(course_root or project_root() / "autograde").resolve()
    course_id = course_id_of(course_root)
    exchange = Path(exchange or course_root / "exchange").resolve()
    config_dir = Path(config_dir or project_root() / "workspaces" / ".assessor" / CONFIG_DIR).resolve()
    config_dir.mkdir(parents=True, exist_ok=True)
    # The course's own nbgrader_config.py (the server's cwd) is read after this one and wins where both set a value.
    (config_dir / "nbgrader_config.py").write_text(
        '"""nbgrader settings of the assessor\'s formgrader (written by `ccw lab --assessor`)."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {_py(course_root)}\n"
        f"c.CourseDirectory.course_id = {_py(course_id)}\n"
        f"c.Exchange.root = {_py(exchange)}\n"
        "# submissions on one machine all belong to one OS user, not to the learner ids\n"
        "c.ExchangeCollect.check_owner = False\n"
        "# formgrader pages: widgets as a note instead of a raw VBox(...) repr, tables with padded cells,\n"
        "# and on the marking page, under each written answer, its criteria and benchmark answer\n"
        "c.HTMLExporter.preprocessors = ['helpers.course.formgrade.AssessorNotes']\n",
        encoding="utf-8")
    _write_lab_settings(config_dir, ASSESSOR_DISABLED_PLUGINS)
    return Workspace(root=course_root, config_dir=config_dir, learner=None, course_root=course_root,
                     course_id=course_id, exchange=exchange, assignments=())
