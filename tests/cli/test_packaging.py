"""Packaging: pyproject.toml and environment.yml agree; the README's two commands are what CI runs."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / ".ci"))
from readme_command import quick_start_blocks  # noqa: E402


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", requirement).groups()
    name = re.sub(r"\[.*\]", "", name)
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def test_environment_yml_lists_the_same_packages_and_pins_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.update(_split(r) for r in dep["pip"] if not r.startswith("-e"))
        elif not dep.startswith(("python", "pip")) or dep.startswith("python-"):
            conda.update([_split(dep)])
    listed = {**conda, **pip}
    assert set(listed) == set(wanted), (
        f"only in pyproject: {sorted(set(wanted) - set(listed))}; only in environment.yml: {sorted(set(listed) - set(wanted))}")
    assert {n: s for n, s in listed.items() if s != wanted[n]} == {}
    assert "conda-forge" in env["channels"]
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_readme_quick_start_has_two_commands_and_ci_runs_exactly_them():
    blocks = quick_start_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 2
    install, tests = blocks[:2]
    assert "python3 -m venv" in install and "pip install" in install and "ccw demo" in install
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_command.py 1" in ci and "readme_command.py 2" in ci
    for cmd in (1, 2):
        out = subprocess.run([sys.executable, str(ROOT / ".ci" / "readme_command.py"), str(cmd)],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == blocks[cmd - 1]


def test_readme_has_sections_for_each_audience():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for heading in ("## Quick start", "## For learners", "## For assessors", "## For trainers"):
        assert heading in text


def test_gitignore_covers_generated_course_folders_and_venvs():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for entry in (".venv/", "__pycache__/", "autograde/release/", "autograde/submitted/",
                  "autograde/autograded/", "autograde/feedback/", "autograde/gradebook.db"):
        assert entry in ignored


@pytest.mark.parametrize("argv", [[], ["mapping"], ["demo"]])
def test_every_subcommand_has_specific_help(argv, capsys):
    from helpers.cli import COMMANDS, main
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: ccw")
    if not argv:
        for name in COMMANDS:
            assert name in out


def test_all_registered_subcommands_have_help(capsys):
    from helpers.cli import COMMANDS, build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in COMMANDS:
        p = sub.choices[name]
        assert p.description and len(p.description) > 60, f"ccw {name} needs a real description"
        assert p.format_help().startswith(f"usage: ccw {name}")


def test_ccw_console_script_is_installed_and_runs():
    exe = Path(sys.executable).with_name("ccw")
    assert exe.exists(), "the `ccw` console script is missing: install the suite with pip install -e ."
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0 and "Contact Centre Workbooks" in out.stdout


def test_package_data_ships_the_files_the_code_reads():
    """The data contract (helpers/tables.yaml) and the curriculum are package data: an installed ``helpers``
    without them cannot import (helpers.tables reads tables.yaml at import)."""
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["*"]
    shipped = [ROOT / "src" / "helpers" / "tables.yaml", *sorted((ROOT / "src" / "helpers" / "curriculum").glob("*.yaml"))]
    assert len(shipped) > 1 and all(p.is_file() for p in shipped)
    assert [p.name for p in shipped if not any(fnmatch(p.name, pat) for pat in patterns)] == []
