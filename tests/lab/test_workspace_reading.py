"""The learner's workspace holds what the tasks point to (case study, data dictionary, compliance
summary), linked from the workbook's banner; practice data is labelled as practice."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from browser_support import build_tiny_course
from helpers import workbook
from helpers.lab import prepare_workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """A practice dataset (no learner) and a learner's own, one simulated day each."""
    from helpers.generator import generate, write_dataset

    base = tmp_path_factory.mktemp("data")
    return {"practice": write_dataset(generate(seed=1, days=1), base / "practice"),
            "own": write_dataset(generate(seed=2, learner="s1", days=1), base / "s1")}


def test_workspace_holds_the_reading_the_tasks_point_to(tmp_path, datasets, monkeypatch):
    monkeypatch.delenv("CCW_CASE_STUDY", raising=False)
    course = build_tiny_course(tmp_path / "course", "BSBCUE605").parents[1]
    ws = prepare_workspace("s1", workspace=tmp_path / "ws", course_root=course, dataset=datasets["own"], fetch=False)
    expected = {"casestudies/lyrebird-energy/README.md": ROOT / "casestudies" / "lyrebird-energy" / "README.md",
                "docs/compliance.md": ROOT / "docs" / "compliance.md",
                "data_dictionary.md": datasets["own"] / "data_dictionary.md"}
    for name, source in expected.items():
        copy = ws.root / name
        assert copy.read_bytes() == source.read_bytes(), name
        assert not copy.stat().st_mode & stat.S_IWUSR  # a reference, not a place for answers
    assert sorted(json.loads((ws.root / "ccw.json").read_text())["reading"]) == sorted(expected)
    prepare_workspace("s1", workspace=tmp_path / "ws", course_root=course, dataset=datasets["own"], fetch=False)


def _start(monkeypatch, capsys, dataset: Path, folder: Path):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    monkeypatch.setenv("CCW_DATASET", str(dataset))
    monkeypatch.chdir(folder)
    workbook.start("BSBCUE605")
    return capsys.readouterr().out, [getattr(o, "data", str(o)) for o in shown]


def test_banner_labels_practice_data_and_links_the_reading(tmp_path, datasets, monkeypatch, capsys):
    monkeypatch.delenv("CCW_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    course = build_tiny_course(tmp_path / "course", "BSBCUE605").parents[1]
    ws = prepare_workspace("s1", workspace=tmp_path / "ws", course_root=course, dataset=datasets["own"], fetch=False)
    folder = ws.root / "BSBCUE605"
    folder.mkdir()
    out, shown = _start(monkeypatch, capsys, datasets["practice"], folder)
    assert "PRACTICE DATA" in out
    links = " ".join(shown)
    for target in ("../casestudies/lyrebird-energy/README.md", "../data_dictionary.md", "../docs/compliance.md"):
        assert f"]({target})" in links and (folder / target).resolve().is_file()
    out, _ = _start(monkeypatch, capsys, datasets["own"], folder)
    assert "PRACTICE DATA" not in out and "learner: s1" in out
