"""Graded as a learner who knows Python would attack it: one cohort of hostile submissions, one per attack.

The cohort holds an exemplary and a blank learner plus one learner per attack (each submits the sample
workbook's ``01_kpis`` with blank answers and the attack in a cell of its own, or a hostile file). The
same exemplary and blank submissions are also graded alone, in a course of their own. Every attack
must leave:

* the attacker with no more autograded marks than the blank learner (the honest-work cases at the end
  earn exactly what their honest answers earn);
* the exemplary and blank learners' grades identical to the run without attackers;
* no course secret, trusted-check code, reference solution or other learner's data in any feedback
  page or autograded notebook;
* the host untouched: no file written outside the attacker's own sandbox, no process left running,
  nothing sent over the network, every dataset byte for byte as generated;
* a finished run that graded every learner it could take, and refused the rest by name.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import socket
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from course_support import ASSIGNMENT, NOTEBOOKS, SECRET, cells_by_id, new_course

from helpers.demo import cohort
from helpers.course.answers import MIME
from helpers.course.grade import grade
from helpers.course.notebooks import grader_only_lines
from helpers.course.sandbox import check_sandbox

pytestmark = pytest.mark.skipif(check_sandbox() is not None, reason=f"no sandbox here: {check_sandbox()}")

KPIS = NOTEBOOKS[0]
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 5, 25
MARKER = "sleep 4242"  # processes the attacks start: none may outlive grading


def attacks(p: dict) -> dict[str, str]:
    """{learner id: code of the attacking cell}; ``p`` holds the paths an attacker would guess."""
    answers = "service_level = 0.123\nabandonment_rate = 0.456\n"
    return {
        # --- disabling or faking checks from learner code
        "rebind-require": "import helpers.grading as g\ng.require = lambda *a, **k: None\n"
                          "g.check_value = lambda *a, **k: None\n" + answers,
        "fake-module": "import sys, types\nm = types.ModuleType('ccw_grader')\nm.all_checks = lambda: {}\n"
                       "sys.modules['ccw_grader'] = m\nsys.modules['helpers.grading'] = m\n" + answers,
        "import-hook": "import sys\nclass F:\n    def find_spec(self, name, path=None, target=None):\n"
                       "        raise ImportError('blocked')\nsys.meta_path.insert(0, F())\n" + answers,
        "custom-exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
                      "raise RuntimeError('hidden')\n",
        "post-run-hook": "ip = get_ipython()\nip.events.register('post_run_cell', "
                         "lambda r: setattr(r, 'error_in_exec', None))\nassert False\n",
        "showtraceback": "get_ipython().showtraceback = lambda *a, **k: None\nassert False\n",
        "len-publishes": "from IPython.display import display\nclass A:\n    def __len__(self):\n"
                         "        display({'text/plain': '2'}, raw=True)\n        return 1\n"
                         "service_level = A()\nabandonment_rate = A()\n",
        "silent-print": "import builtins\nbuiltins.print = lambda *a, **k: None\n" + answers,
        "fake-isinstance": "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0\n",
        "fake-payload": f"from IPython.display import publish_display_data\n"
                        f"publish_display_data({{{MIME!r}: {{'answers': {{'service_level': "
                        f"{{'kind': 'json', 'value': {p['exemplary_sl']!r}}}}}}}}})\n",
        "hijack-export": "import IPython.display as d\n_real = d.publish_display_data\n"
                         f"def fake(data, *a, **k):\n    data = {{{MIME!r}: {{'answers': {{n: {{'kind': 'json', "
                         f"'value': v}} for n, v in {{'service_level': {p['exemplary_sl']!r}, 'abandonment_rate': "
                         f"{p['exemplary_ab']!r}}}.items()}}}}}}\n    _real(data, *a, **k)\n"
                         "d.publish_display_data = fake\n",
        "float-eq": "class F(float):\n    __eq__ = lambda s, o: True\n    __le__ = __ge__ = __lt__ = __gt__ = __eq__\n"
                    "    def __sub__(s, o): return 0.0\n    def __rsub__(s, o): return 0.0\n"
                    "    def __abs__(s): return 0.0\nservice_level = F(-1.0)\nabandonment_rate = F(-1.0)\n",
        "function-answer": "service_level = lambda: 0.8\nabandonment_rate = print\n",
        "excepthook": "import sys\nsys.excepthook = lambda *a: None\nsys.displayhook = lambda *a: None\n" + answers,
        # --- reading grader-only material or other learners' work
        "read-secret": f"print(open({p['secret']!r}).read())\n",
        "read-grader": f"print(open({p['grader']!r}).read())\n",
        "import-grader": f"import sys\nsys.path.insert(0, {p['root']!r})\nimport ccw_grader\n"
                         "print(ccw_grader.all_checks())\n",
        "read-source": f"print(open({p['source']!r}).read())\n",
        "read-gradebook": f"import sqlite3\nprint(sqlite3.connect({p['gradebook']!r}).execute('select * from grade')"
                          ".fetchall())\n",
        "read-other-submission": f"print(open({p['exemplary_sub']!r}).read())\n",
        "read-other-dataset": f"print(open({p['exemplary_calls']!r}).read())\n",
        "walk-host": f"import os\nfor d, _, fs in os.walk({p['base']!r}):\n"
                     "    for f in fs:\n        try:\n            print(open(os.path.join(d, f)).read()[:2000])\n"
                     "        except Exception as e:\n            print(e)\n",
        "proc-snoop": "import os\nfor pid in os.listdir('/proc'):\n    try:\n"
                      "        print(pid, open(f'/proc/{pid}/cmdline').read(), open(f'/proc/{pid}/environ').read())\n"
                      "    except Exception as e:\n        pass\n",
        "network": f"import socket\ns = socket.create_connection(('127.0.0.1', {p['port']}), timeout=2)\n"
                   "s.sendall(b'pwned')\n",
        # --- changing the data the expected answers come from
        "overwrite-dataset": f"open({p['own_calls']!r}, 'w').write('call_id\\n')\n",
        "swap-dataset": f"import os, shutil\nos.environ['CCW_DATASET'] = {p['exemplary_ds']!r}\n"
                        f"shutil.rmtree(os.path.dirname({p['own_calls']!r}))\n",
        "copy-exemplary-numbers": f"service_level = {p['exemplary_sl']!r}\nabandonment_rate = {p['exemplary_ab']!r}\n",
        # --- writing outside one's own submission
        "write-other-submission": f"open({p['exemplary_sub']!r}, 'w').write('{{}}')\n",
        "write-gradebook": f"import sqlite3\nc = sqlite3.connect({p['gradebook']!r})\n"
                           "c.execute('update grade set auto_score = 100')\nc.commit()\n",
        "write-course": f"open({p['root']!r} + '/pwned.txt', 'w').write('x')\n",
        "write-host-tmp": f"open({p['host_marker']!r}, 'w').write('x')\n",
        "write-ipc": "import glob, os\nfor d in glob.glob('/tmp/ccw-run-*/ipc'):\n"
                     "    open(os.path.join(d, 'fill'), 'wb').write(b'x' * 10_000_000)\n",
        # --- resource abuse
        "memory": "x = bytearray(64 * 1024 ** 3)\n",
        "processes": f"import subprocess\nps = []\nfor _ in range(2000):\n    try:\n"
                     f"        ps.append(subprocess.Popen({MARKER.split()!r}))\n    except OSError:\n        break\n"
                     "print(len(ps), 'started')\n",
        "detached": f"import subprocess\nsubprocess.Popen(['setsid', 'sh', '-c', '{MARKER}; echo late'], "
                    "start_new_session=True)\nimport os\nif os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', ['sleep', '4242'])\n",
        "disk": "with open('/tmp/big', 'wb') as f:\n    for _ in range(1000):\n        f.write(b'x' * 1_000_000)\n",
        "output-flood": "print('x' * 5_000_000)\n",
        "endless-loop": "while True:\n    pass\n",
        "ignore-interrupts": "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n"
                             "        pass\n",
        "crash": "import os\nos._exit(3)\n",
        "kill9": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "cpu-subprocess": "import subprocess\nsubprocess.Popen(['python3', '-c', 'while True: pass'])\n",
    }


def _attacker_notebook(release, code: str):
    nb = copy.deepcopy(release)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    return nb


def _sha(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


class _Listener:
    """A TCP listener on the host's loopback: nothing from a graded notebook may reach it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port, self.received, self.stop = self.sock.getsockname()[1], [], False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.received.append(conn.recv(100))
            except OSError:
                continue


def _hostile_files(subs: Path, release, exemplary_nb) -> dict[str, str]:
    """Malformed and hostile files and archives: {entry: what the run must do with it}."""
    (subs / "not-json").mkdir()
    (subs / "not-json" / f"{KPIS}.ipynb").write_text("{ this is not a notebook")
    (subs / "deep-json").mkdir()
    (subs / "deep-json" / f"{KPIS}.ipynb").write_text('{"cells": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with zipfile.ZipFile(subs / "zip-escape.zip", "w") as zf:
        zf.writestr(f"../../{KPIS}.ipynb", nbformat.writes(release))
    with zipfile.ZipFile(subs / "zip-link.zip", "w") as zf:
        info = zipfile.ZipInfo(f"{KPIS}.ipynb")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with zipfile.ZipFile(subs / "zip-bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{KPIS}.ipynb", b"\0" * 60_000_000)
    (subs / "zip-broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    for odd in ("bad id", "zoë", "_hidden"):
        (subs / odd).mkdir()
        nbformat.write(exemplary_nb, subs / odd / f"{KPIS}.ipynb")
    (subs / "link-folder").mkdir()
    (subs / "link-folder" / f"{KPIS}.ipynb").symlink_to(subs / "not-json" / f"{KPIS}.ipynb")
    return {"zip-escape.zip": "refused", "zip-link.zip": "refused", "zip-bomb.zip": "refused",
            "zip-broken.zip": "refused", "bad id": "refused", "zoë": "refused", "link-folder": "refused",
            "not-json": "graded", "deep-json": "graded"}


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks")
    course = new_course(base / "cohort", check_solutions=False)
    alone = new_course(base / "alone", check_solutions=False)
    release, source = course.release(KPIS), course.source(KPIS)
    env = {"CCW_DATASET": str(course.dataset("exemplary"))}
    values = cohort.answer_values(release, source, env, cwd=str(base))
    host_marker = base / "written-from-a-kernel"
    listener = _Listener()
    p = {"secret": str(course.root / ".secret"), "grader": str(course.root / "ccw_grader" / "sample.py"),
         "root": str(course.root), "source": str(course.root / "source" / ASSIGNMENT / f"{KPIS}.ipynb"),
         "gradebook": str(course.root / "gradebook.db"), "base": str(base),
         "exemplary_sub": str(course.root / "submitted" / "exemplary" / ASSIGNMENT / f"{KPIS}.ipynb"),
         "exemplary_calls": str(course.dataset("exemplary") / "calls.csv"),
         "exemplary_ds": str(course.dataset("exemplary")),
         "exemplary_sl": values["service_level_answer"]["service_level"]["number"],
         "exemplary_ab": values["abandonment_answer"]["abandonment_rate"]["number"],
         "port": listener.port, "host_marker": str(host_marker)}
    honest = {name: cohort.exemplary(course.release(name), course.source(name)) for name in NOTEBOOKS}
    plain = {name: cohort.blank(course.release(name)) for name in NOTEBOOKS}
    runs = {}
    for label, target in (("alone", alone), ("cohort", course)):
        subs = base / f"subs-{label}"
        for name in NOTEBOOKS:
            nbformat.write(honest[name], _mk(subs / "exemplary" / ASSIGNMENT) / f"{name}.ipynb")
            nbformat.write(plain[name], _mk(subs / "blank" / ASSIGNMENT) / f"{name}.ipynb")
        expected = {}
        if label == "cohort":
            for learner, code in attacks({**p, "own_calls": str(course.dataset("placeholder") / "calls.csv")}).items():
                own = course.dataset(learner) / "calls.csv"
                code = code.replace(str(course.dataset("placeholder") / "calls.csv"), str(own))
                nbformat.write(_attacker_notebook(plain[KPIS], code), _mk(subs / learner) / f"{KPIS}.ipynb")
            expected = _hostile_files(subs, release, honest[KPIS])
            _honest_cases(subs, honest, course)
        for learner in [d.name for d in subs.iterdir()]:
            name = learner[:-4] if learner.endswith(".zip") else learner
            if name.isascii() and " " not in name and not name.startswith("_"):
                target.dataset(name)
        digests = {d.name: _sha(d) for d in target.datasets.iterdir()}
        run = grade(target.root, target.notebooks, submissions=subs, datasets=target.datasets, workers=2,
                    timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT, reports_dir=target.reports,
                    progress=False)
        runs[label] = {"run": run, "course": target, "grades": pd.read_csv(target.reports / "grades.csv"),
                       "digests": digests, "expected": expected}
    time.sleep(1)
    listener.stop = True
    return {**runs, "listener": listener, "host_marker": host_marker, "values": values}


def _mk(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _honest_cases(subs: Path, honest: dict, course) -> None:
    """Honest learners whose files are odd: they must earn what their answers earn."""
    nb = copy.deepcopy(honest[KPIS])  # a copy-pasted check cell
    test = cells_by_id(nb)["test_service_level"]
    nb.cells.insert(nb.cells.index(test) + 1, copy.deepcopy(test))
    nbformat.write(nb, _mk(subs / "honest-duplicate-cell") / f"{KPIS}.ipynb")
    nbformat.write(honest[KPIS], _mk(subs / "honest-renamed") / f"{KPIS} (1).ipynb")
    old = subs / "honest-newest.zip"  # an older zip and a newer folder: the folder wins
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr(f"{KPIS}.ipynb", nbformat.writes(cohort.blank(course.release(KPIS))))
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    nbformat.write(honest[KPIS], _mk(subs / "honest-newest") / f"{KPIS}.ipynb")


def _auto(grades: pd.DataFrame, learner: str, notebook: str = KPIS) -> float:
    rows = grades[(grades["learner"] == learner) & (grades["notebook"] == notebook) & (grades["kind"] == "autograded")]
    return float(rows["score"].sum())


ATTACKERS = sorted(attacks({k: "" for k in ("secret", "grader", "root", "source", "gradebook", "base",
                                            "exemplary_sub", "exemplary_calls", "exemplary_ds", "exemplary_sl",
                                            "exemplary_ab", "port", "host_marker", "own_calls")}))


def test_there_are_at_least_forty_attacks(cohorts):
    hostile = cohorts["cohort"]["expected"]
    assert len(ATTACKERS) + len(hostile) >= 40


@pytest.mark.parametrize("learner", ATTACKERS)
def test_attacker_earns_no_more_than_the_blank_learner(cohorts, learner):
    grades = cohorts["cohort"]["grades"]
    assert learner in set(grades["learner"]), f"{learner} was not graded"
    assert _auto(grades, learner) <= _auto(grades, "blank") == 0.0


def test_exemplary_and_blank_grades_are_those_of_a_run_without_attackers(cohorts):
    cols = ["learner", "notebook", "cell", "kind", "auto_score", "score", "max_score"]
    alone, mixed = cohorts["alone"]["grades"], cohorts["cohort"]["grades"]
    mine = mixed[mixed["learner"].isin(["exemplary", "blank"])][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone[cols].reset_index(drop=True))
    assert _auto(alone, "exemplary") == alone[(alone["learner"] == "exemplary") & (alone["kind"] == "autograded")
                                              & (alone["notebook"] == KPIS)]["max_score"].sum() > 0


def _forbidden(course) -> set[str]:
    root = course.root
    lines = {line.strip() for path in (root / "ccw_grader").glob("*.py")
             for line in path.read_text().splitlines() if len(line.strip()) >= 16}
    for name in NOTEBOOKS:
        lines |= grader_only_lines(nbformat.read(root / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4))
    calls = (course.datasets / "exemplary" / "calls.csv").read_text().splitlines()
    return lines | set(calls[1:6]) | {SECRET}


def test_no_secret_check_solution_or_other_learners_data_reaches_any_learner_facing_file(cohorts):
    course = cohorts["cohort"]["course"]
    forbidden = _forbidden(course)
    assert SECRET in forbidden and len(forbidden) > 30
    checked = 0
    for learner in ATTACKERS:
        for folder in (course.root / "feedback" / learner, course.root / "autograded" / learner):
            for path in folder.rglob("*"):
                if path.suffix not in (".html", ".ipynb"):
                    continue
                text = path.read_text(errors="replace")
                checked += 1
                assert SECRET not in text, path
                leaked = forbidden & {line.strip() for line in text.replace("\\n", "\n").splitlines()}
                assert not leaked, (path, sorted(leaked)[:3])
    assert checked >= 2 * len(ATTACKERS)


def _attack_processes() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if MARKER in cmd or "while True: pass" in cmd:
            found.append(cmd)
    return found


def test_the_host_is_untouched(cohorts):
    run = cohorts["cohort"]
    course = run["course"]
    assert not cohorts["host_marker"].exists()
    assert not (course.root / "pwned.txt").exists()
    assert cohorts["listener"].received == []
    assert {d.name: _sha(d) for d in course.datasets.iterdir() if d.name in run["digests"]} == run["digests"]
    # every process the attacks started was sent SIGKILL when its sandbox ended; on a busy machine the kernel
    # may take a moment to finish them, so look again for a few seconds before calling one a survivor
    deadline = time.monotonic() + 10
    while (leftovers := _attack_processes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert leftovers == []
    with_sub = json.loads((course.root / "autograded" / "write-gradebook" / ASSIGNMENT / "grading_notes.json").read_text())
    assert with_sub[KPIS]["status"] == "graded"
    grades = run["grades"]
    assert (grades["score"] <= grades["max_score"]).all()


def test_hostile_files_are_refused_or_graded_by_name_and_the_cohort_finishes(cohorts):
    run = cohorts["cohort"]["run"]
    grades = cohorts["cohort"]["grades"]
    for entry, fate in cohorts["cohort"]["expected"].items():
        if fate == "refused":
            assert any(r.startswith(f"{entry}:") for r in run.refused), (entry, run.refused)
            assert entry.removesuffix(".zip") not in set(grades["learner"])
        else:
            assert _auto(grades, entry) == 0.0 and run.status[(entry, ASSIGNMENT, KPIS)] == "unreadable"
    assert {"exemplary", "blank", *ATTACKERS} <= set(grades["learner"])
    assert run.errors == 0


def test_honest_work_in_odd_files_earns_its_marks(cohorts):
    grades, run = cohorts["cohort"]["grades"], cohorts["cohort"]["run"]
    full = _auto(grades, "exemplary")
    for learner in ("honest-duplicate-cell", "honest-renamed", "honest-newest"):
        assert _auto(grades, learner) == full > 0, learner
    assert "appears more than once" in " ".join(run.notes[("honest-duplicate-cell", ASSIGNMENT, KPIS)])
    assert "was graded as" in " ".join(run.notes[("honest-renamed", ASSIGNMENT, KPIS)])


def test_attackers_are_told_what_happened(cohorts):
    course = cohorts["cohort"]["course"]
    page = (course.root / "feedback" / "function-answer" / ASSIGNMENT / f"{KPIS}.html").read_text()
    assert "`service_level` must be a dict, a list, text, a number" in page and "it is a function" in page
    notes = cohorts["cohort"]["run"].notes
    assert "longer than" in " ".join(notes[("endless-loop", ASSIGNMENT, KPIS)])
    assert "kernel died" in " ".join(notes[("crash", ASSIGNMENT, KPIS)])
