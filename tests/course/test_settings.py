"""Course settings are declared once as traitlets; the config file is generated from them and checked."""
from __future__ import annotations

import pytest

from helpers.cli import main
from helpers.course.config import DEFAULT_CONFIG, load_course
from helpers.course.sandbox import CCWSandbox
from helpers.course.settings import CCWGrade, settings_block
from helpers.errors import CCWError, LearnerError, UserFacingError


def _course(tmp_path, extra: str):
    (tmp_path / "nbgrader_config.py").write_text(DEFAULT_CONFIG + extra)
    return load_course(tmp_path, tmp_path / "notebooks")


def test_every_setting_is_in_the_generated_config_with_its_help():
    block = settings_block()
    for name in CCWSandbox.class_trait_names(config=True):
        assert f"c.CCWSandbox.{name} = " in block
    assert "c.CCWGrade.notebook_timeout = 600.0" in DEFAULT_CONFIG
    assert CCWGrade.class_traits()["notebook_timeout"].help.split()[0] in block


def test_settings_are_read_from_the_course_config(tmp_path):
    course = _course(tmp_path, "c.CCWGrade.notebook_timeout = 42\nc.CCWSandbox.memory_mb = 1024\n")
    assert course.notebook_timeout == 42.0
    assert course.settings(CCWSandbox).memory_mb == 1024


@pytest.mark.parametrize("line, words", [
    ("c.CCWGrade.notebok_timeout = 5", "c.CCWGrade.notebok_timeout is not a setting of CCWGrade"),
    ("c.CCWGrad.notebook_timeout = 5", "c.CCWGrad is not a section of the course settings"),
    ("c.CCWSandbox.memory_mb = 'lots'", "c.CCWSandbox:"),
])
def test_a_misspelt_or_mistyped_setting_is_an_error_naming_it(tmp_path, line, words):
    with pytest.raises(UserFacingError, match="nbgrader_config.py") as err:
        _course(tmp_path, line + "\n")
    assert words in str(err.value)


def test_one_exception_root_and_the_cli_turns_it_into_one_line(tmp_path, capsys):
    assert issubclass(UserFacingError, CCWError) and issubclass(LearnerError, CCWError)
    from helpers.curriculum import UnknownUnitError
    from helpers.marketing_db.sandbox import SQLGuardError
    from helpers.workbook import AnswerError
    assert all(issubclass(cls, CCWError) for cls in (UnknownUnitError, SQLGuardError, AnswerError))
    (tmp_path / "nbgrader_config.py").write_text(DEFAULT_CONFIG + "c.CCWGrade.notebok_timeout = 5\n")
    code = main(["grade", "--course", str(tmp_path), "--feedback-only"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Traceback" not in err and "Warning" not in err
    assert err.splitlines()[-1].startswith("ccw grade: error: ") and "notebok_timeout is not a setting" in err
