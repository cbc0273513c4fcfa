"""A workbook's setup cell answers at once (issue 16): it imports only what it uses (no Faker, no data
generator), and the shipped case study and data contract are parsed once per content (``helpers.datafile``'s
cache), giving the same objects as parsing them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import casestudy, datafile, maintenance

ROOT = Path(__file__).resolve().parents[2]
#: modules a setup cell must not load: the generator and Faker are for making data, not reading it
NOT_IN_SETUP = ("faker", "helpers.generator.core", "helpers.providers", "helpers.simulation")


def _setup_source(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


@pytest.mark.parametrize("notebook", ["BSBCUE605/02_marketing_database.ipynb",
                                      "BSBCUE602/01_records_and_measurements.ipynb"])
def test_setup_cell_loads_neither_faker_nor_the_generator(notebook, tmp_path):
    path = ROOT / "notebooks" / notebook
    probe = (f"import sys\nexec(compile({_setup_source(path)!r}, 'setup', 'exec'))\n"
             f"print('LOADED', [m for m in {NOT_IN_SETUP!r} if m in sys.modules])")
    env = {**os.environ, "CCW_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the cache, the second reads it
        out = subprocess.run([sys.executable, "-c", probe], cwd=path.parent, env=env, capture_output=True,
                             text=True, check=True).stdout
        assert "workbook · " in out  # the banner
        assert out.strip().splitlines()[-1] == "LOADED []"


def test_maintenance_locale_constants_are_the_providers():
    from helpers.maintenance import locale_data
    from helpers.providers.au_customer import en_AU

    assert maintenance.STATE_TIMEZONES == en_AU.TIMEZONES
    assert maintenance.POSTCODE_RANGES == en_AU.POSTCODE_RANGES
    assert locale_data._literals()["POSTCODE_RANGES"] == en_AU.POSTCODE_RANGES  # read from the source too


def test_cached_builds_once_per_content(tmp_path, monkeypatch):
    monkeypatch.setenv("CCW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CCW_PARSE_CACHE", raising=False)
    source = tmp_path / "thing.txt"
    source.write_text("one")
    built = []

    def build(data: bytes):
        built.append(data)
        return {"text": data.decode()}

    assert datafile.cached("t", source, build) == {"text": "one"}
    assert datafile.cached("t", source, build) == {"text": "one"}
    assert built == [b"one"]
    source.write_text("two")  # new bytes: built again, the old entry replaced
    assert datafile.cached("t", source, build) == {"text": "two"}
    assert built == [b"one", b"two"]
    assert len(list((tmp_path / "cache").glob("t-*.pickle"))) == 1
    next((tmp_path / "cache").glob("t-*.pickle")).write_bytes(b"damaged")
    assert datafile.cached("t", source, build) == {"text": "two"}
    assert len(built) == 3


def test_the_grader_never_reads_the_parse_cache(tmp_path, monkeypatch):
    """A pickle is code: grading processes (CCW_PARSE_CACHE=off, set by the grading worker's start-up) parse
    for themselves and never load an entry another process wrote, however it got there."""
    from helpers.course.pool import _start_worker

    monkeypatch.setenv("CCW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CCW_PARSE_CACHE", "on")
    source = tmp_path / "casestudy.yaml"
    source.write_text("name: real")
    assert datafile.cached("t", source, lambda data: "planted") == "planted"   # an entry is on disk
    assert datafile.cached("t", source, lambda data: "parsed") == "planted"    # and an ordinary process reads it
    _start_worker()   # what every grading worker process runs first
    assert os.environ["CCW_PARSE_CACHE"] == "off"
    assert datafile.cached("t", source, lambda data: "parsed") == "parsed"


def test_cached_without_a_writable_cache_folder_builds_every_time(tmp_path, monkeypatch):
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("CCW_CACHE_DIR", str(tmp_path / "not-a-folder"))
    source = tmp_path / "thing.txt"
    source.write_text("one")
    assert datafile.cached("t", source, lambda data: data) == b"one"
    assert datafile.cached("t", source, lambda data: data + b"!") == b"one!"


def test_cached_case_study_and_contract_equal_parsed_ones(tmp_path, monkeypatch):
    import yaml

    monkeypatch.setenv("CCW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CCW_PARSE_CACHE", raising=False)
    path = casestudy._resolve("lyrebird-energy")
    fresh = casestudy._validated(path)
    for _ in range(2):  # built and kept, then read back
        assert casestudy._load_cached.__wrapped__(path, path.stat().st_mtime_ns) == fresh
    assert {p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()} == {"casestudy", "yaml"}
    contract = ROOT / "src" / "helpers" / "tables.yaml"
    for _ in range(2):
        assert datafile.read_mapping(contract, "data contract") == yaml.safe_load(contract.read_text())


def test_a_case_study_outside_the_project_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("CCW_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "lyrebird-energy" / "casestudy.yaml"
    copy.parent.mkdir()
    copy.write_bytes(casestudy._resolve("lyrebird-energy").read_bytes())
    assert casestudy.load_case_study(copy).slug == "lyrebird-energy"
    assert not (tmp_path / "cache").exists()
