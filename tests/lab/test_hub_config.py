"""``ccw hub config`` and ``install-proxy`` without a hub or a browser: what the written
jupyterhub_config.py sets, and the clear errors for rosters, passwords and ports (tests/lab/test_hub.py
runs the real hub)."""
from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from helpers.cli import main as ccw
from helpers.errors import UserFacingError
from helpers.hub import HubSettings, install_proxy, proxy_executable, write_hub_config
from browser_support import build_tiny_course

LEARNER_PW = "learners-pw-1"
ASSESSOR_PW = "a" * 32


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hubcourse") / "course"
    build_tiny_course(root)  # nbgrader_config.py and release/BSBCUE605/
    return root


def _settings(tmp_path: Path, course: Path, **changes) -> HubSettings:
    (tmp_path / "l.pw").write_text(LEARNER_PW)
    (tmp_path / "a.pw").write_text(ASSESSOR_PW)
    base = dict(learners=["s1001", "s1002"], assessors=["assessor"], course_root=course,
                workspaces=tmp_path / "ws", state_dir=tmp_path / "state", proxy_dir=tmp_path / "proxy",
                password_file=tmp_path / "l.pw", assessor_password_file=tmp_path / "a.pw", port=18000)
    base.update(changes)
    return HubSettings(**base)


def test_written_config_starts_each_learner_in_their_workspace_with_the_course_exchange(tmp_path, course):
    path = write_hub_config(_settings(tmp_path, course))
    assert path == (tmp_path / "state" / "jupyterhub_config.py").resolve()
    # the proxy is missing: loading the file stops the hub with the command that installs it
    with pytest.raises(SystemExit, match="run `ccw hub install-proxy`"):
        PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    proxy = proxy_executable(tmp_path / "proxy")
    proxy.parent.mkdir(parents=True)
    proxy.write_text("#!/bin/sh\n")
    c = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    assert c.JupyterHub.spawner_class == "helpers.hub.spawner.LearnerSpawner"
    assert c.LearnerSpawner.course_root == str(course.resolve())
    assert c.LearnerSpawner.exchange == str((course / "exchange").resolve())
    assert c.LearnerSpawner.workspaces == str((tmp_path / "ws").resolve())
    assert c.LearnerSpawner.assessors == ["assessor"]
    assert c.Authenticator.allowed_users == {"s1001", "s1002"} and c.Authenticator.admin_users == {"assessor"}
    assert c.JupyterHub.authenticator_class == "shared-password"
    # passwords are read from their files when the hub starts, never written into the config
    assert c.SharedPasswordAuthenticator.user_password == LEARNER_PW
    assert LEARNER_PW not in path.read_text() and ASSESSOR_PW not in path.read_text()
    assert c.ConfigurableHTTPProxy.command == [str(proxy)]
    assert c.JupyterHub.bind_url == "http://127.0.0.1:18000"
    assert c.JupyterHub.cookie_secret_file == str((tmp_path / "state" / "jupyterhub_cookie_secret").resolve())


@pytest.mark.parametrize("changes, message", [
    (dict(learners=["S1001"]), "capital letters: JupyterHub lower-cases user names"),
    (dict(learners=["s1001+x"]), "is not valid"),
    (dict(learners=[]), "no learners"),
    (dict(assessors=["s1001"]), "both a learner and an assessor"),
    (dict(password_file=None), "needs --password-file FILE"),
    (dict(hub_port=18000), "the three ports must differ"),
    (dict(port=70000), "--port must be between 1 and 65535"),
])
def test_config_refuses_what_would_break_the_hub_and_says_why(tmp_path, course, changes, message):
    with pytest.raises(UserFacingError, match=message):
        write_hub_config(_settings(tmp_path, course, **changes))


def test_passwords_jupyterhub_would_refuse_are_refused_here(tmp_path, course):
    (tmp_path / "short.pw").write_text("short")
    with pytest.raises(UserFacingError, match="at least 8 characters long; this one has 5"):
        write_hub_config(_settings(tmp_path, course, password_file=tmp_path / "short.pw"))
    with pytest.raises(UserFacingError, match="at least 32 characters long"):
        write_hub_config(_settings(tmp_path, course, assessor_password_file=tmp_path / "l.pw"))


def test_a_site_authenticator_needs_no_password_files(tmp_path, course):
    text = write_hub_config(_settings(tmp_path, course, authenticator="pam", password_file=None,
                                      assessor_password_file=None)).read_text()
    assert "c.JupyterHub.authenticator_class = 'pam'" in text and "SharedPassword" not in text


def test_ccw_hub_config_command_writes_the_file_and_install_proxy_reports_npm_problems(tmp_path, course, capsys):
    (tmp_path / "l.pw").write_text(LEARNER_PW)
    out = tmp_path / "hub.py"
    assert ccw(["hub", "config", "--learner", "s1001", "--course", str(course), "--workspaces", str(tmp_path / "ws"),
                "--state", str(tmp_path / "state"), "--password-file", str(tmp_path / "l.pw"),
                "--out", str(out), "--proxy-dir", str(tmp_path / "proxy")]) == 0
    said = capsys.readouterr().out
    assert f"Wrote {out.resolve()} for 1 learner(s)" in said and "run `ccw hub install-proxy`" in said
    assert ccw(["hub", "config", "--learner", "S1", "--course", str(course), "--password-file",
                str(tmp_path / "l.pw"), "--state", str(tmp_path / "state")]) == 2
    assert "capital letters" in capsys.readouterr().err
    with pytest.raises(UserFacingError, match="npm install configurable-http-proxy.* failed"):
        install_proxy(tmp_path / "proxy", npm="false")  # an npm that fails: its status is reported
