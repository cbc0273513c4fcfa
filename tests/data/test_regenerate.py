"""Trainers regenerate datasets: roster parsing, per-learner seeds from the secret, papermill run with data card."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from helpers import paths
from helpers.cli import main
from helpers.commands.regenerate import read_roster
from helpers.errors import UserFacingError
from helpers.generator import datacard
from helpers.generator.io import read_dataset
from helpers.paths import project_root
from helpers.variants import learner_seed, read_secret

REPO = Path(__file__).resolve().parents[2]
SLUG = "lyrebird-energy"


def _files(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project folder (``$CCW_ROOT``): the case study and regenerate.ipynb, the grader package and one
    tiny source notebook that loads the practice dataset, so the README's commands run there unchanged."""
    root = tmp_path / "project"
    (root / "casestudies").mkdir(parents=True)
    for name in ("regenerate.ipynb", SLUG):
        (root / "casestudies" / name).symlink_to(REPO / "casestudies" / name)
    (root / "autograde").mkdir()
    (root / "autograde" / "ccw_grader").symlink_to(REPO / "autograde" / "ccw_grader")
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny workbook"),
                nbformat.v4.new_code_cell("from helpers.data import load_dataset\nds = load_dataset()\nn = len(ds.calls)")]
    (root / "notebooks" / "BSBCUE605").mkdir(parents=True)
    nbformat.write(nb, root / "notebooks" / "BSBCUE605" / "00_tiny.ipynb")
    monkeypatch.setenv("CCW_ROOT", str(root))
    monkeypatch.chdir(root)
    return root


def test_roster_csv_and_plain_list(tmp_path):
    csv_file = tmp_path / "roster.csv"
    csv_file.write_text("name,learner,email\nAnn,ann01,a@x\nBo,bo02,b@x\n", encoding="utf-8")
    assert read_roster(csv_file) == ["ann01", "bo02"]
    plain = tmp_path / "roster.txt"
    plain.write_text("# cohort May\nann01\n\n  bo02  \n", encoding="utf-8")
    assert read_roster(plain) == ["ann01", "bo02"]


@pytest.mark.parametrize("text, says", [
    ("", "lists no learners"),
    ("name,email\nAnn,a@x\n", "no 'learner' column"),
    ("ann\nbo\nann\n", "more than once: ann"),
    ("learner\nann\n,\n", "has no learner id"),
    ("../etc\n", "line 1: learner id '../etc' is not valid"),
    ("ann\nbad id!\n", "line 2: learner id 'bad id!' is not valid \\(it contains a space\\)"),
    ("learner\tname\nann\tAnn\n", "line 1 is tab-separated"),
    ("learner\nann\n_hidden\n", "line 3: learner id '_hidden' is not valid"),
    ("ann\nbo\tBo\n", "line 2: learner id 'bo.tBo' is not valid \\(it contains a tab"),
    ("learner,name\nann,Ann\nbo\tBo,\n", "line 3: learner id 'bo.tBo' is not valid \\(it contains a tab"),
])
def test_bad_rosters(tmp_path, text, says):
    f = tmp_path / "r.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserFacingError, match=says):
        read_roster(f)
    with pytest.raises(UserFacingError, match="does not exist"):
        read_roster(tmp_path / "missing.csv")


def test_regenerate_all_seeds_learners_from_the_secret(tmp_path):
    secret_file = tmp_path / ".secret"
    records = datacard.regenerate_all("lyrebird-energy", 0, ["ann01", "bo02"], secret_file, out=tmp_path / "ds",
                                      days=2, grader_out=tmp_path / "manifests")
    secret = read_secret(secret_file)
    for r, who in zip(records, ("ann01", "bo02")):
        assert r["learner"] == who and r["seed"] == learner_seed(secret, who)
        ds = read_dataset(tmp_path / "ds" / "learners" / who)
        assert ds.meta["seed"] == r["seed"] and ds.meta["learner"] == who
        assert (tmp_path / "manifests" / who / "defects.parquet").is_file()
    a = read_dataset(tmp_path / "ds" / "learners" / "ann01").calls
    b = read_dataset(tmp_path / "ds" / "learners" / "bo02").calls
    assert not a["wait_s"].head(200).equals(b["wait_s"].head(200))
    practice = datacard.regenerate_all("lyrebird-energy", 9, [], secret_file, out=tmp_path / "p", days=1,
                                       grader_out=tmp_path / "m")
    assert practice[0]["learner"] == datacard.PRACTICE and (tmp_path / "m" / "_practice" / "manifest.json").is_file()
    assert (tmp_path / "p" / "practice" / "manifest.json").is_file()  # helpers.paths' layout under OUT
    with pytest.raises(UserFacingError, match="more than once"):
        datacard.regenerate_all("lyrebird-energy", 0, ["x", "x"], secret_file, out=tmp_path / "d")
    for bad, says in (("bad id!", "learner 2: learner id 'bad id!' is not valid"),
                      ("s2\tAnn", "learner 2: learner id 's2.tAnn' is not valid \\(it contains a tab")):
        with pytest.raises(UserFacingError, match=says):
            datacard.regenerate_all("lyrebird-energy", 0, ["s1", bad], secret_file, out=tmp_path / "d")
    assert not (tmp_path / "d").exists()  # refused before anything was written


def test_the_notebook_defaults_keep_every_learner_it_did_not_make(project):
    """regenerate.ipynb's own parameters (out=None, grader_out=None): existing learners are kept, byte for
    byte, with their grader manifests; ``replace`` is the only way to remake one; the practice dataset is
    written to practice/ beside them, never over them."""
    secret = project / "autograde" / ".secret"
    first = datacard.regenerate_all(SLUG, 605, ["ann01"], secret, days=1)
    ann = paths.learner_dataset("ann01", SLUG)
    grader = project / "autograde" / "manifests" / SLUG
    assert first[0]["path"] == str(ann) and (grader / "ann01" / "manifest.json").is_file()
    before = {**_files(ann), **{f"grader/{k}": v for k, v in _files(grader / "ann01").items()}}
    again = datacard.regenerate_all(SLUG, 605, ["ann01", "bo02"], secret, days=1)
    assert [(r["learner"], r["status"]) for r in again] == [("ann01", "kept"), ("bo02", "written")]
    assert datacard.first_written(again)["learner"] == "bo02"
    datacard.regenerate_all(SLUG, 7, [], secret, days=1)  # the practice dataset
    assert (paths.practice_dataset(SLUG) / "manifest.json").is_file()
    assert {**_files(ann), **{f"grader/{k}": v for k, v in _files(grader / "ann01").items()}} == before
    with pytest.raises(UserFacingError, match="not among the learners: zed"):
        datacard.regenerate_all(SLUG, 605, ["ann01"], secret, days=1, replace=["zed"])
    remade = datacard.regenerate_all(SLUG, 605, ["ann01", "bo02"], secret, days=2, replace=["ann01"])
    assert [(r["learner"], r["status"]) for r in remade] == [("ann01", "written"), ("bo02", "kept")]
    assert read_dataset(ann).meta["days"] == 2


def test_folders_holding_more_than_a_dataset_are_never_replaced(project):
    secret = project / "autograde" / ".secret"
    practice = paths.practice_dataset(SLUG)
    (practice / "learners" / "ann01").mkdir(parents=True)  # learners inside the practice data (the old layout)
    (practice / "learners" / "ann01" / "answers.txt").write_text("mine")
    with pytest.raises(UserFacingError, match="not a dataset folder"):
        datacard.regenerate_all(SLUG, 605, [], secret, days=1)
    ann = paths.learner_dataset("ann01", SLUG)
    ann.mkdir(parents=True)
    (ann / "answers.txt").write_text("mine")
    with pytest.raises(UserFacingError, match="not a dataset folder"):
        datacard.regenerate_all(SLUG, 605, ["ann01"], secret, days=1)
    stray = project / "autograde" / "manifests" / SLUG / "bo02"
    stray.mkdir(parents=True)
    (stray / "notes.md").write_text("assessor notes")
    with pytest.raises(UserFacingError, match="more than a grader manifest"):
        datacard.regenerate_all(SLUG, 605, ["bo02"], secret, days=1)
    assert (practice / "learners" / "ann01" / "answers.txt").read_text() == "mine" == (ann / "answers.txt").read_text()
    assert (stray / "notes.md").read_text() == "assessor notes" and not paths.learner_dataset("bo02", SLUG).exists()


def test_readme_trainer_sequence_keeps_every_learners_dataset(project, capsys):
    """The README's order on a fresh project: ``ccw regenerate --roster``, ``ccw course build`` (which makes
    the practice dataset on first use), then ``ccw regenerate`` again with one more learner on the roster.
    Every learner's dataset and grader manifest is byte-identical afterwards; only the newcomer's is new."""
    roster = project / "roster.csv"
    roster.write_text("learner,name\nann01,Ann\nbo02,Bo\n", encoding="utf-8")
    assert main(["regenerate", "--roster", str(roster), "--days", "1"]) == 0, capsys.readouterr().err
    learners = paths.learners_datasets(SLUG)
    grader = project / "autograde" / "manifests" / SLUG
    snapshot = {who: {**_files(learners / who), **{f"grader/{k}": v for k, v in _files(grader / who).items()}}
                for who in ("ann01", "bo02")}
    assert all(len(files) > 10 for files in snapshot.values())
    records = sorted(paths.case_study_data(SLUG).joinpath("records").glob("*.ipynb"))
    assert len(records) == 1
    record = records[0].read_bytes()

    assert main(["course", "build", "--workers", "1"]) == 0, capsys.readouterr().err
    assert (paths.practice_dataset(SLUG) / "manifest.json").is_file()

    roster.write_text("learner,name\nann01,Ann\nbo02,Bo\ncy03,Cy\n", encoding="utf-8")
    assert main(["regenerate", "--roster", str(roster), "--days", "1"]) == 0, capsys.readouterr().err
    assert "Keeping the existing datasets of 2 learner(s): ann01, bo02" in capsys.readouterr().err
    for who, files in snapshot.items():
        assert {**_files(learners / who), **{f"grader/{k}": v for k, v in _files(grader / who).items()}} == files, who
    assert (learners / "cy03" / "manifest.json").is_file() and (grader / "cy03" / "manifest.json").is_file()
    assert records[0].read_bytes() == record  # the first run's record is kept; the second has its own
    assert len(list(records[0].parent.glob("*.ipynb"))) == 2


def test_data_card_tables(tmp_path):
    from helpers.generator import generate
    ds = generate(seed=4, days=7)
    intraday = datacard.intraday_arrivals(ds.calls)
    assert set(intraday.columns) == set(ds.case_study.queue_names) and "10:00" in intraday.index
    handle = datacard.handle_times(ds.calls)
    assert (handle["median_s"] > 100).all() and handle["calls"].sum() == ds.calls["answered_at"].notna().sum()
    daily = datacard.daily_service(ds.calls)
    assert len(daily) == ds.calls["arrived_at"].dt.normalize().nunique()
    assert daily["service_level"].between(0, 1).all() and daily["abandonment_rate"].between(0, 1).all()
    table = datacard.kpis_against_targets(ds)
    assert set(table["kpi"]) >= {"service_level", "abandonment_rate", "fcr", "csat"}
    assert table["status"].isin(["met", "near", "missed", "no_data"]).all()


def test_notebook_has_a_parameters_cell():
    nb = nbformat.read(project_root() / "casestudies" / "regenerate.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("case_study", "seed", "days", "learners", "secret_file", "out", "fmt"):
        assert f"{name} =" in tagged[0].source


def test_ccw_regenerate_runs_the_notebook(tmp_path, capsys):
    roster = tmp_path / "roster.txt"
    roster.write_text("ann01\nbo02\n", encoding="utf-8")
    secret = tmp_path / "secret"
    code = main(["regenerate", "--roster", str(roster), "--secret-file", str(secret), "--days", "2",
                 "--out", str(tmp_path / "out"), "--grader-out", str(tmp_path / "grader")])
    assert code == 0, capsys.readouterr().err
    assert secret.is_file()
    for who in ("ann01", "bo02"):
        manifest = json.loads((tmp_path / "out" / "learners" / who / "manifest.json").read_text())
        assert manifest["seed"] == learner_seed(read_secret(secret), who)
    records = sorted((tmp_path / "out" / "records").glob("regenerate-*.ipynb"))
    assert len(records) == 1
    record = nbformat.read(records[0], as_version=4)
    outputs = [o for c in record.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in outputs)
    text = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "service_level" in text and "ann01" in text
    params = next(c for c in record.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "ann01" in params.source
    # the cohort summary covers every learner, not only the first dataset of the data card
    summary = str(record.cells[-1].outputs[0]["data"]["text/plain"])
    assert "ann01" in summary and "bo02" in summary and "cohort median" in summary
    assert "TCP" not in capsys.readouterr().err  # the kernel runs over Unix sockets


def test_ccw_regenerate_bad_input(tmp_path, capsys):
    assert main(["regenerate", "--roster", str(tmp_path / "none.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["regenerate", "--case-study", "nowhere"]) == 2
    assert "unknown case study" in capsys.readouterr().err
    blocker = tmp_path / "f"
    blocker.write_text("x")
    assert main(["regenerate", "--out", str(blocker / "sub")]) == 2
    assert "cannot create the output folder" in capsys.readouterr().err
