"""No command deletes or overwrites data it did not make: the README's trainer sequence
(`ccw regenerate --roster`, then `ccw course build`) leaves every learner's dataset byte for byte."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import paths
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[2]
SLUG = "lyrebird-energy"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _workbook(folder: Path) -> None:
    """A workbook whose first code cell loads the practice dataset, as the real workbooks do when the
    course is built: this is what used to replace datasets/<slug>/ and the learners in it. (No graded
    cell: the solution check's rules are not what this test is about.)"""
    load = new_code_cell("from helpers.data import load_dataset\nds = load_dataset()\nassert len(ds.calls) > 0")
    nb = new_notebook(cells=[new_markdown_cell("# Data"), load])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "01_data.ipynb")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project checkout: case studies and grader package from the repository, nothing generated."""
    for var in ("CCW_DATASET", "CCW_LEARNER", "JUPYTERHUB_USER", "CCW_CASE_STUDY", "CCW_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "project"
    (root / "autograde").mkdir(parents=True)
    (root / "casestudies").symlink_to(ROOT / "casestudies")
    (root / "autograde" / "ccw_grader").symlink_to(ROOT / "autograde" / "ccw_grader")
    _workbook(root / "notebooks" / "BSBCUE605")
    monkeypatch.setenv("CCW_ROOT", str(root))
    monkeypatch.chdir(root)
    import helpers.generator as gen  # a short period keeps the practice dataset quick to make
    real = gen.generate
    monkeypatch.setattr(gen, "generate", lambda slug, seed: real(slug, seed=seed, days=2))
    return root


def test_trainer_sequence_keeps_every_learners_dataset(project, capsys):
    roster = project / "roster.csv"
    roster.write_text("name,learner\nAnn,ann01\nBo,bo02\n", encoding="utf-8")
    assert main(["regenerate", "--roster", str(roster), "--days", "1"]) == 0, capsys.readouterr().err
    learners = paths.learners_datasets(SLUG)
    assert learners == project / "datasets" / SLUG / "learners"
    before = _tree(project / "datasets")
    assert {p.split("/")[2] for p in before if p.startswith(f"{SLUG}/learners/")} == {"ann01", "bo02"}
    records = [p for p in before if p.startswith(f"{SLUG}/records/regenerate-")]
    assert len(records) == 1

    assert main(["course", "build", "--workers", "1"]) == 0, capsys.readouterr().err
    practice = paths.practice_dataset(SLUG)
    assert (practice / "manifest.json").is_file()  # the build made the practice dataset beside them
    after = _tree(project / "datasets")
    assert {k: v for k, v in after.items() if k in before} == before  # byte for byte
    assert set(before) <= set(after)

    # stale practice data (the generator changed) is remade, and still only the practice folder moves
    manifest = json.loads((practice / "manifest.json").read_text())
    manifest["generator_fingerprint"] = "made-by-older-code"
    (practice / "manifest.json").write_text(json.dumps(manifest))
    assert main(["course", "build", "--workers", "1"]) == 0, capsys.readouterr().err
    assert json.loads((practice / "manifest.json").read_text())["generator_fingerprint"] != "made-by-older-code"
    again = _tree(project / "datasets")
    assert {k: v for k, v in again.items() if not k.startswith(f"{SLUG}/practice/")} == \
        {k: v for k, v in before.items() if not k.startswith(f"{SLUG}/practice/")}


def test_regenerate_keeps_existing_learners_and_records(project, capsys):
    roster = project / "roster.txt"
    roster.write_text("ann01\n", encoding="utf-8")
    assert main(["regenerate", "--roster", str(roster), "--days", "1"]) == 0, capsys.readouterr().err
    first = _tree(project / "datasets")
    roster.write_text("ann01\nbo02\n", encoding="utf-8")
    assert main(["regenerate", "--roster", str(roster), "--days", "2"]) == 0
    captured = capsys.readouterr()
    assert "Keeping the existing datasets of 1 learner(s): ann01" in captured.err
    second = _tree(project / "datasets")
    assert {k: v for k, v in second.items() if k in first} == first  # ann01 and the first record untouched
    assert len([p for p in second if "/records/" in p]) == 2
    assert main(["regenerate", "--roster", str(roster), "--days", "1"]) == 0
    assert "nothing regenerated" in capsys.readouterr().out
    # on purpose: --replace rewrites exactly the learner named
    assert main(["regenerate", "--roster", str(roster), "--days", "1", "--replace", "bo02"]) == 0
    third = _tree(project / "datasets")
    ann = {k: v for k, v in third.items() if "/learners/ann01/" in k}
    assert ann == {k: v for k, v in first.items() if "/learners/ann01/" in k}
    assert third[f"{SLUG}/learners/bo02/manifest.json"] != second[f"{SLUG}/learners/bo02/manifest.json"]


def test_generate_refuses_to_replace_a_folder_it_did_not_make(tmp_path, capsys):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    assert main(["generate", "--seed", "1", "--days", "1", "--out", str(other)]) == 2
    assert "not a dataset folder" in capsys.readouterr().err
    assert (other / "notes.txt").read_text() == "keep me"
    out = tmp_path / "ds"
    assert main(["generate", "--seed", "1", "--days", "1", "--out", str(out)]) == 0
    assert main(["generate", "--seed", "2", "--days", "1", "--out", str(out)]) == 2
    assert "pass --replace" in capsys.readouterr().err
    (out / "learners").mkdir()  # the old layout: learners inside the practice dataset
    assert main(["generate", "--seed", "2", "--days", "1", "--out", str(out), "--replace"]) == 2
    assert "holds more than a dataset (learners)" in capsys.readouterr().err
    (out / "learners").rmdir()
    assert main(["generate", "--seed", "2", "--days", "1", "--out", str(out), "--replace"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


def test_regenerate_refuses_to_replace_a_learner_folder_holding_other_files(project, capsys):
    folder = paths.learner_dataset("cy03", SLUG)
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("the trainer's notes")
    roster = project / "roster.txt"
    roster.write_text("cy03\n", encoding="utf-8")
    assert main(["regenerate", "--roster", str(roster), "--days", "1"]) == 2
    assert "is not a dataset folder" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text() == "the trainer's notes"
    assert not paths.regenerate_record(SLUG).parent.exists()  # refused before anything ran
