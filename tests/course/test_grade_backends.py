"""``ccw grade`` against a real PostgreSQL gradebook, and on a Dask cluster of separate processes.

The PostgreSQL test starts a throwaway server (Debian's postgresql binaries: initdb/pg_ctl in a
temporary folder, on a free loopback port, as the ``postgres`` user when run as root) and skips
only where the binaries are missing.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from course_support import ASSIGNMENT, NOTEBOOKS, new_course

from helpers.cli import main
from helpers.demo import cohort
from helpers.course.config import load_course
from helpers.course.grade import grade
from helpers.course.gradebook import grades_frame

LEARNERS = ("exemplary", "blank")


def _submissions(course, folder: Path) -> Path:
    for name in NOTEBOOKS:
        release, source = course.release(name), course.source(name)
        cohort.write_submission(cohort.exemplary(release, source), folder / "exemplary", name)
        cohort.write_submission(cohort.blank(release, source), folder / "blank", name)
    for learner in LEARNERS:
        course.dataset(learner)
    return folder


def _check_scores(frame: pd.DataFrame) -> None:
    assert sorted(frame["learner"].unique()) == sorted(LEARNERS)
    auto = frame[frame["kind"] == "autograded"]
    ex, bl = auto[auto["learner"] == "exemplary"], auto[auto["learner"] == "blank"]
    assert len(ex) == len(bl) == 3
    assert (ex["score"] == ex["max_score"]).all() and (bl["score"] == 0).all()
    assert set(frame.loc[(frame["learner"] == "exemplary") & (frame["kind"] == "manual"), "status"]) == {"awaiting"}
    assert not frame.duplicated(["learner", "notebook", "cell"]).any()


# ------------------------------------------------------------------------------------ PostgreSQL
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else (Path(shutil.which("initdb")).parent if shutil.which("initdb") else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed: apt-get install postgresql")
    # root cannot run postgres: run the server as the postgres (or nobody) user from a folder it owns
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="ccw-pg-"))
    if os.geteuid() == 0:
        user = "postgres" if subprocess.run(["id", "postgres"], capture_output=True).returncode == 0 else "nobody"
        shutil.chown(folder, user=user)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()
    data = folder / "data"

    def pg(*cmd):
        subprocess.run(prefix + [str(bindir / cmd[0]), *cmd[1:]], check=True, capture_output=True, text=True)

    pg("initdb", "-D", str(data), "-U", "ccw", "--auth=trust", "-E", "UTF8")
    pg("pg_ctl", "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
       f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "ccw", "gradebook")
        yield f"postgresql://ccw@127.0.0.1:{port}/gradebook"
    finally:
        pg("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_grading_into_postgresql(postgres, tmp_path, capsys):
    import psycopg2

    course = new_course(tmp_path, check_solutions=False, db_url=postgres)
    subs = _submissions(course, tmp_path / "subs")
    run = grade(course.root, course.notebooks, submissions=subs, db_url=postgres, datasets=course.datasets,
                workers=2, reports_dir=course.reports, progress=False)
    assert run.graded == 4 and run.errors == 0
    assert not (course.root / "gradebook.db").exists()  # nothing went to SQLite
    c = load_course(course.root, course.notebooks, postgres)
    assert c.db_url.startswith("postgresql+psycopg2://")
    frame = grades_frame(c.db_url, c.course_id)
    _check_scores(frame)
    with psycopg2.connect(postgres) as conn, conn.cursor() as cur:
        cur.execute("SELECT s.student_id, sum(g.auto_score) FROM grade g JOIN submitted_notebook n "
                    "ON g.notebook_id = n.id JOIN submitted_assignment s ON n.assignment_id = s.id "
                    "GROUP BY s.student_id ORDER BY s.student_id")
        totals = dict(cur.fetchall())
    assert totals == {"blank": 0.0, "exemplary": 6.0}
    code = main(["report", "--course", str(course.root), "--notebooks", str(course.notebooks),
                 "--db-url", postgres, "--out", str(tmp_path / "report")])
    assert code == 0 and "2 learners" in capsys.readouterr().out
    assert (tmp_path / "report" / "competency.csv").is_file()


# ------------------------------------------------------------------------------------ Dask
@pytest.mark.slow
def test_grading_on_a_dask_cluster(tmp_path):
    from distributed import LocalCluster

    course = new_course(tmp_path, check_solutions=False)
    subs = _submissions(course, tmp_path / "subs")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run = grade(course.root, course.notebooks, submissions=subs, datasets=course.datasets,
                    dask_scheduler=cluster.scheduler_address, reports_dir=course.reports, progress=False)
    assert run.graded == 4 and run.errors == 0
    _check_scores(pd.read_csv(course.reports / "grades.csv"))
    for learner in LEARNERS:
        for name in NOTEBOOKS:
            assert (course.root / "feedback" / learner / ASSIGNMENT / f"{name}.html").is_file()
