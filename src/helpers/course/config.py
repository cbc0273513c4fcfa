"""Where a course lives and how it is configured (``<course root>/nbgrader_config.py``).

The config file is an ordinary nbgrader/traitlets config. Besides nbgrader's own sections it sets
the course's settings, declared as traitlets in :mod:`helpers.course.settings` (``CCWCourse``,
``CCWGrade``, ``CCWReport``, ``CCWSandbox``); loading a course refuses an unknown section or key.
``c.Execute.timeout`` is the per-cell timeout in seconds.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from helpers.course.settings import CCWCourse, CCWGrade, check_settings, settings_block
from helpers.errors import UserFacingError
from helpers.paths import ensure_interpreter_on_path, project_root  # noqa: F401 (re-exported)

COURSE_ID = "contact-centre-workbooks"
DEFAULT_CELL_TIMEOUT_S = 60
DB_URL_ENV = "CCW_DB_URL"

#: Written into a course root that has no config yet (tests and demos use temporary roots); the
#: repository's ``autograde/nbgrader_config.py`` is this text (a test keeps them equal).
DEFAULT_CONFIG = f'''"""nbgrader configuration of the Contact Centre Workbooks course (see docs/grading.md)."""
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "{COURSE_ID}"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".secret"]

# Per-cell timeout (seconds) when autograding; a cell that runs longer is interrupted and fails.
c.Execute.timeout = {DEFAULT_CELL_TIMEOUT_S}
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# No `raise NotImplementedError()`: the released workbook must run top to bottom before anything is
# answered; answer cells set their variables to None above the stub and checks say what is still empty.
c.ClearSolutions.code_stub = {{"python": "# YOUR ANSWER HERE"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Deleted or retyped cells, edited read-only cells and tampered tests are restored by `ccw grade`
# before grading (nbgrader's OverwriteCells plus helpers.course.worker.restore_cells), with a note.

# The course's own settings (helpers.course.settings; a misspelt one is an error).
{settings_block()}'''


def default_course_root() -> Path:
    return project_root() / "autograde"


def default_notebooks_root() -> Path:
    return project_root() / "notebooks"


@dataclass
class Course:
    """A course root with its loaded config; ``db_url`` is nbgrader's gradebook URL."""

    root: Path
    notebooks: Path
    db_url: str
    config: object = field(repr=False, default=None)  # traitlets Config

    @property
    def course_id(self) -> str:
        return str(self.config.CourseDirectory.get("course_id", COURSE_ID))

    def setting(self, section: str, key: str, default):
        value = self.config[section].get(key, default) if section in self.config else default
        return default if value is None else value

    @property
    def cell_timeout(self) -> int:
        return int(self.setting("Execute", "timeout", DEFAULT_CELL_TIMEOUT_S))

    def settings(self, cls):
        """The course's settings of one ``helpers.course.settings`` class (``course.settings(CCWGrade)``)."""
        return cls(config=self.config)

    @property
    def notebook_timeout(self) -> float:
        return self.settings(CCWGrade).notebook_timeout

    @property
    def max_output_bytes(self) -> int:
        return self.settings(CCWGrade).max_output_bytes

    def preprocessor_config(self) -> dict:
        """Plain-dict config sections of the nbgrader preprocessors a grading worker runs."""
        names = ("ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells", "CheckCellMetadata",
                 "LimitOutput", "SaveAutoGrades")
        return {n: dict(self.config[n]) for n in names if n in self.config}

    def dir(self, kind: str) -> Path:
        """``source``, ``release``, ``submitted``, ``autograded`` or ``feedback`` folder."""
        return self.root / kind

    def coursedir(self):
        """nbgrader's CourseDirectory for this root (used by the converters)."""
        from nbgrader.coursedir import CourseDirectory

        cd = CourseDirectory(config=self.config)
        cd.root = str(self.root)
        cd.db_url = self.db_url
        return cd

    def assignments(self) -> list[str]:
        """Assignment ids: the config's list, else every notebooks-root folder holding notebooks."""
        listed = list(self.settings(CCWCourse).assignments)
        if listed:
            return listed
        if not self.notebooks.is_dir():
            return []
        return sorted(p.name for p in self.notebooks.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))


def load_course(course_root: Path | str | None = None, notebooks_root: Path | str | None = None,
                db_url: str | None = None, create: bool = False) -> Course:
    """Load (or with ``create=True`` initialise) the course at ``course_root``.

    ``db_url`` defaults to ``$CCW_DB_URL``, else the SQLite gradebook ``<root>/gradebook.db``.
    """
    from traitlets.config.loader import PyFileConfigLoader

    ensure_interpreter_on_path()
    root = Path(course_root or default_course_root()).resolve()
    notebooks = Path(notebooks_root or default_notebooks_root()).resolve()
    cfg_file = root / "nbgrader_config.py"
    if not cfg_file.is_file():
        if not create:
            raise UserFacingError(f"no course at {root}: nbgrader_config.py is missing "
                                  "(run `ccw course build` first)")
        root.mkdir(parents=True, exist_ok=True)
        cfg_file.write_text(DEFAULT_CONFIG, encoding="utf-8")
    try:
        config = PyFileConfigLoader(cfg_file.name, path=str(root)).load_config()
    except Exception as exc:  # a syntax error in the config is the trainer's input
        raise UserFacingError(f"{cfg_file}: cannot load nbgrader config ({exc.__class__.__name__}: {exc})") from None
    check_settings(config, str(cfg_file))
    url = normalise_db_url(db_url or os.environ.get(DB_URL_ENV) or f"sqlite:///{root / 'gradebook.db'}")
    return Course(root=root, notebooks=notebooks, db_url=url, config=config)


def normalise_db_url(url: str) -> str:
    """SQLAlchemy 2.1 reads ``postgresql://`` as the psycopg 3 driver; the project ships psycopg2,
    so a bare PostgreSQL URL names it explicitly when psycopg 3 is not installed."""
    import importlib.util

    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix) and importlib.util.find_spec("psycopg") is None:
            return "postgresql+psycopg2://" + url[len(prefix):]
    if "://" not in url:
        raise UserFacingError(f"not a database URL: {url!r} (expected e.g. sqlite:///path/gradebook.db or "
                              "postgresql://user@host:5432/dbname)")
    return url
