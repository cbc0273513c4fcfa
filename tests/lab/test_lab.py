"""``ccw lab`` without a browser: workspace preparation, the course exchange, the server's URL and a clean stop."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from browser_support import TINY_COURSE_ID, build_tiny_course
from exchange_support import submit
from helpers.errors import UserFacingError
from helpers.lab import (collect_submissions, default_dataset, descendants, prepare_assessor, prepare_workspace,
                         resolve_learner, start_lab, submissions)
from helpers.lab.server import alive
from helpers.lab.workspace import LEAK_MARKERS

ASSIGNMENT = "BSBCUE605"
NOTEBOOKS = {"00_orientation.ipynb", "04_reporting.ipynb"}


@pytest.fixture(scope="module")
def built_course(tmp_path_factory):
    return build_tiny_course(tmp_path_factory.mktemp("tiny") / "course", ASSIGNMENT).parents[1]


@pytest.fixture
def course(built_course, tmp_path):
    """A fresh copy of the tiny course (with its release and gradebook) for each test."""
    root = tmp_path / "course"
    shutil.copytree(built_course, root)
    return root


# ---------------------------------------------------------------------------- learner ids
def test_learner_id_comes_from_option_then_environment():
    env = {"CCW_LEARNER": "env-learner", "JUPYTERHUB_USER": "hub-user"}
    assert resolve_learner("s1234", env) == "s1234"
    assert resolve_learner(None, env) == "env-learner"
    assert resolve_learner(None, {"JUPYTERHUB_USER": "hub-user"}) == "hub-user"
    assert resolve_learner("", {"CCW_LEARNER": "env-learner"}) == "env-learner"


def test_missing_or_unusable_learner_ids_are_refused_with_the_reason():
    with pytest.raises(UserFacingError, match="--learner ID"):
        resolve_learner(None, {})
    for bad in ("a+b", "a*", "../etc", ".hidden", "-x", "with space", "x" * 65):
        with pytest.raises(UserFacingError, match="not valid"):
            resolve_learner(bad, {})
    with pytest.raises(UserFacingError, match="from CCW_LEARNER"):
        resolve_learner(None, {"CCW_LEARNER": "a+b"})


def test_cli_without_learner_says_how_to_give_one(monkeypatch, capsys, course):
    from helpers.cli import main

    monkeypatch.delenv("CCW_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert main(["lab", "--no-browser", "--course", str(course)]) == 2
    assert "no learner id: pass --learner ID" in capsys.readouterr().err


# ---------------------------------------------------------------------- workspace contents
def test_workspace_holds_config_and_fetched_release_but_no_solutions(course, tmp_path):
    ws = prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course)
    assert json.loads((ws.root / "ccw.json").read_text())["learner"] == "s1234"
    # the server's nbgrader config: this course, this learner, this course's exchange
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ws.config_dir)).load_config()
    assert cfg.CourseDirectory.course_id == TINY_COURSE_ID
    assert cfg.CourseDirectory.student_id == "s1234"
    assert cfg.Exchange.root == str(course / "exchange")
    assert cfg.Exchange.assignment_dir == str(ws.root)
    # exchange layout: outbound release and an inbound folder for submissions
    outbound = course / "exchange" / TINY_COURSE_ID / "outbound" / ASSIGNMENT
    assert {p.name for p in outbound.glob("*.ipynb")} == NOTEBOOKS
    assert (course / "exchange" / TINY_COURSE_ID / "inbound").is_dir()
    assert {p.name for p in (ws.root / ASSIGNMENT).glob("*.ipynb")} == NOTEBOOKS
    # nothing of the source: no solution, no hidden test, no gradebook
    hidden_test = "abs(service_level_target - 0.8)"
    assert hidden_test in (course / "source" / ASSIGNMENT / "00_orientation.ipynb").read_text()
    for path in ws.root.rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".py", ".json"):
            text = path.read_text()
            assert hidden_test not in text and not any(m in text for m in LEAK_MARKERS), path
    assert not list(ws.root.rglob("gradebook.db")) and not list(ws.root.rglob(".secret"))
    # learners get no formgrader (server or lab) and no course-authoring tools
    page_config = json.loads((ws.config_dir / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    assert page_config["disabledExtensions"]["@jupyter/nbgrader:create-assignment"] is True
    server_config = json.loads((ws.config_dir / "jupyter_server_config.json").read_text())
    assert server_config["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    env = ws.environment({"PATH": "/usr/bin", "CCW_DATASET": "/stale"})
    assert env["CCW_LEARNER"] == "s1234" and "CCW_DATASET" not in env
    assert env["JUPYTER_CONFIG_DIR"] == str(ws.config_dir)
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)


def test_dataset_is_named_in_ccw_json_for_the_notebooks(course, tmp_path):
    data = tmp_path / "elsewhere" / "s1234"
    data.mkdir(parents=True)
    ws = prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course, dataset=data, fetch=False)
    info = json.loads((ws.root / "ccw.json").read_text())
    assert (info["learner"], info["dataset"], info["practice"]) == ("s1234", str(data), False)
    assert not ws.practice
    assert not (ws.root / ASSIGNMENT).exists()  # fetch=False: the learner fetches from the Assignment List
    with pytest.raises(UserFacingError, match="does not exist"):
        prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course, dataset=tmp_path / "nope")


def test_default_dataset_is_the_learners_generated_one_else_practice(course, tmp_path, monkeypatch):
    from helpers import data

    monkeypatch.setenv("CCW_ROOT", str(tmp_path))
    monkeypatch.delenv("CCW_CASE_STUDY", raising=False)
    practice = data.practice_dir().resolve()
    assert practice == tmp_path / "datasets" / "lyrebird-energy" / "practice"
    ws = prepare_workspace("s1", workspace=tmp_path / "ws1", course_root=course, fetch=False)
    assert (ws.dataset, ws.practice) == (practice, True)
    info = json.loads((ws.root / "ccw.json").read_text())
    assert info["dataset"] == str(practice) and info["practice"] is True
    mine = tmp_path / "datasets" / "lyrebird-energy" / "learners" / "s2"
    mine.mkdir(parents=True)
    assert default_dataset("s2") == (practice, True)  # a folder without a manifest is not a dataset yet
    (mine / "manifest.json").write_text("{}")
    ws = prepare_workspace("s2", workspace=tmp_path / "ws2", course_root=course, fetch=False)
    assert (ws.dataset, ws.practice) == (mine, False)
    # once the trainer has generated learners' data, an id without any is refused, not given practice data
    with pytest.raises(UserFacingError, match="no dataset for learner 's1'.*Check the id"):
        prepare_workspace("s1", workspace=tmp_path / "ws1", course_root=course, fetch=False)
    # the notebooks' own lookup (helpers.data) agrees, from a folder below the workspace like a notebook's
    (ws.root / ASSIGNMENT).mkdir()
    monkeypatch.chdir(ws.root / ASSIGNMENT)
    monkeypatch.setenv("CCW_LEARNER", "s2")
    monkeypatch.delenv("CCW_DATASET", raising=False)
    assert data.dataset_dir() == mine


def test_restart_keeps_the_learners_work_and_rereleases_only_changes(course, tmp_path):
    ws = prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course)
    mine = ws.root / ASSIGNMENT / "00_orientation.ipynb"
    mine.write_text(mine.read_text().replace("raise NotImplementedError()", "service_level_target = 0.8"))
    outbound = course / "exchange" / TINY_COURSE_ID / "outbound" / ASSIGNMENT / "04_reporting.ipynb"
    released_at = outbound.stat().st_mtime_ns
    time.sleep(0.01)
    prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course)
    assert "service_level_target = 0.8" in mine.read_text()
    assert outbound.stat().st_mtime_ns == released_at  # same release: the exchange is left alone
    release = course / "release" / ASSIGNMENT / "04_reporting.ipynb"
    nb = nbformat.read(release, as_version=4)
    nb.cells[0].source += "\n\nUpdated by the trainer."
    nbformat.write(nb, release)
    prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course)
    assert "Updated by the trainer." in outbound.read_text()


def test_a_release_that_leaks_a_solution_is_refused(course, tmp_path):
    release = course / "release" / ASSIGNMENT / "00_orientation.ipynb"
    nb = nbformat.read(release, as_version=4)
    nb.cells[3].source = "### BEGIN SOLUTION\nservice_level_target = 0.8\n### END SOLUTION"
    nbformat.write(nb, release)
    with pytest.raises(UserFacingError, match=r"00_orientation.ipynb: cell 3 .*BEGIN SOLUTION"):
        prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course)
    assert not (course / "exchange" / TINY_COURSE_ID / "outbound" / ASSIGNMENT).exists()


def test_missing_course_or_release_and_workspace_inside_course_are_refused(course, tmp_path):
    with pytest.raises(UserFacingError, match="ccw course build"):
        prepare_workspace("s1", workspace=tmp_path / "ws", course_root=tmp_path / "no-course")
    with pytest.raises(UserFacingError, match="no release"):
        prepare_workspace("s1", workspace=tmp_path / "ws", course_root=course, assignments=["BSBOPS505"])
    with pytest.raises(UserFacingError, match="inside the course root"):
        prepare_workspace("s1", workspace=course / "learners" / "s1", course_root=course)
    shutil.rmtree(course / "release")
    with pytest.raises(UserFacingError, match="no released assignments"):
        prepare_workspace("s1", workspace=tmp_path / "ws", course_root=course)


def test_submission_goes_through_the_exchange_into_submitted(course, tmp_path, monkeypatch):
    """What the Assignment List's Submit button runs (nbgrader ExchangeSubmit with the workspace config),
    then the assessor's collect."""
    ws = prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course)
    submit(ws, ASSIGNMENT, monkeypatch)
    waiting = submissions(course, TINY_COURSE_ID)
    assert [(s["learner"], s["assignment"]) for s in waiting] == [("s1234", ASSIGNMENT)]
    assert collect_submissions(course) == [("s1234", ASSIGNMENT)]
    submitted = course / "submitted" / "s1234" / ASSIGNMENT
    assert {p.name for p in submitted.glob("*.ipynb")} == NOTEBOOKS
    assert (submitted / "timestamp.txt").read_text().strip() == waiting[0]["timestamp"]


# ----------------------------------------------------------------------------- the server
def _get(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _kernel_processes(server_pid: int) -> list[int]:
    """Live descendants of the server that are ipykernel processes."""
    found = []
    for pid in descendants(server_pid):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        except (ProcessLookupError, FileNotFoundError):
            continue
        if b"ipykernel" in cmdline:
            found.append(pid)
    return found


def test_learner_server_url_token_assignment_list_and_clean_stop(course, tmp_path):
    ws = prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course, fetch=False)
    server = start_lab(ws)
    try:
        assert re.fullmatch(rf"http://127\.0\.0\.1:{server.port}/lab\?token=[0-9a-f]{{48}}", server.url)
        assert _get(server.url) == 200
        assert _get(server.base_url + "api/status") == 403  # no token, no entry
        assert _get(server.base_url + f"formgrader?token={server.token}") == 404  # not for learners
        # nbgrader's assignment list server extension reads the workspace config: this course's exchange
        listing = json.loads(server.api(f"assignments?course_id={TINY_COURSE_ID}"))
        assert listing["success"], listing
        assert [(a["assignment_id"], a["status"]) for a in listing["value"]] == [(ASSIGNMENT, "released")]
        kernel = json.loads(server.api("api/kernels", method="POST", body=b"{}"))
        deadline = time.monotonic() + 30
        # the kernel process (short-lived helpers started while it launches may come and go first)
        while not (kernels := _kernel_processes(server.process.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        kids = descendants(server.process.pid)
        assert kernels, f"kernel {kernel['id']} has no process under the server"
        # the kernel inherits the learner's environment
        env = open(f"/proc/{kernels[0]}/environ", "rb").read().split(b"\0")
        assert b"CCW_LEARNER=s1234" in env
    finally:
        server.stop()
    assert not server.running() and not [pid for pid in kids if alive(pid)]


def test_a_taken_port_is_reported_with_the_servers_log(course, tmp_path):
    import socket

    ws = prepare_workspace("s1234", workspace=tmp_path / "ws", course_root=course, fetch=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserFacingError, match=rf"exited at start(.|\n)*{port}"):
            start_lab(ws, port=port)


def test_assessor_server_opens_formgrader_on_the_course(course, tmp_path):
    ws = prepare_assessor(course_root=course, config_dir=tmp_path / "assessor" / ".jupyter")
    assert ws.root == course and ws.learner is None
    with start_lab(ws) as server:
        assert re.fullmatch(rf"http://127\.0\.0\.1:{server.port}/formgrader\?token=[0-9a-f]{{48}}", server.url)
        assert _get(server.url) == 200
        assignments = json.loads(server.api("formgrader/api/assignments"))
        assert [a["name"] for a in assignments] == [ASSIGNMENT]
    assert not server.running()


def test_ccw_lab_prints_the_url_and_stops_cleanly_on_ctrl_c(course, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpers.cli", "lab", "--learner", "s1234", "--no-browser",
         "--workspace", str(tmp_path / "ws"), "--course", str(course)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, url = [], None
    try:
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if m := re.search(r"URL: (http://127\.0\.0\.1:\d+/lab\?token=[0-9a-f]{48})$", line.strip()):
                url = m.group(1)
        assert url, "".join(lines)
        assert _get(url) == 200
        started = descendants(proc.pid)
        assert started, "the server should run under ccw lab"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(lines) + out
    assert "JupyterLab stopped." in out
    assert not [pid for pid in started if alive(pid)]
    assert "learner s1234" in "".join(lines) and f"fetched: {ASSIGNMENT}" in "".join(lines)
