"""Trainers regenerate datasets: roster parsing, per-learner seeds from the secret, papermill run with data card."""
from __future__ import annotations

import json

import nbformat
import pytest

from helpers.cli import main
from helpers.commands.regenerate import read_roster
from helpers.errors import UserFacingError
from helpers.generator import datacard
from helpers.generator.io import read_dataset
from helpers.paths import project_root
from helpers.variants import learner_seed, read_secret


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
    with pytest.raises(ValueError, match="more than once"):
        datacard.regenerate_all("lyrebird-energy", 0, ["x", "x"], secret_file, out=tmp_path / "d")


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
