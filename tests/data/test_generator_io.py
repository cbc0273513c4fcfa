"""Writing, reading and loading datasets: byte-identical files, atomic writes, CLI errors, helpers.data."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import data as data_mod
from helpers.cli import main
from helpers.errors import UserFacingError
from helpers.generator import generate, read_dataset, write_dataset
from helpers.generator import io as gio
from helpers.tables import dictionary_markdown
from helpers.variants import learner_seed, read_secret

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small():
    return generate("lyrebird-energy", seed=3, learner="io-test", days=5)


@pytest.fixture(scope="module")
def written(small, tmp_path_factory):
    base = tmp_path_factory.mktemp("io")
    out = write_dataset(small, base / "ds", grader_dir=base / "grader")
    return base, out


def _hashes(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_folder_layout_and_manifest(small, written):
    base, out = written
    names = {p.name for p in out.iterdir()}
    assert names == {f"{t}.parquet" for t in small.tables} | {"marketing.sqlite", "data_dictionary.md", "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["learner"] == "io-test" and manifest["case_study"] == "lyrebird-energy"
    assert manifest["generated_at"].startswith(manifest["period_end"])
    assert {k: v["rows"] for k, v in manifest["tables"].items()} == small.row_counts()
    hashes = _hashes(out)
    assert all(hashes[f] == h for f, h in manifest["files"].items())
    assert "pandas" in manifest["package_versions"]
    assert (out / "data_dictionary.md").read_text() == dictionary_markdown() + "\n"
    assert not list(base.glob(".*tmp*"))  # no temp folders left behind


def test_defects_only_in_the_grader_folder(small, written):
    base, out = written
    grader = base / "grader"
    assert {p.name for p in grader.iterdir()} == {"defects.parquet", "measurement_faults.parquet", "manifest.json"}
    d = pd.read_parquet(grader / "defects.parquet")
    pd.testing.assert_frame_equal(d, small.defects)
    gm = json.loads((grader / "manifest.json").read_text())
    assert gm["defects"]["rows"] == len(d) and sum(gm["defects"]["by_kind"].values()) == len(d)
    for p in out.iterdir():
        if p.suffix != ".sqlite":
            assert b"duplicate_customer" not in p.read_bytes() and b"D00001" not in p.read_bytes(), p.name


def test_parquet_and_csv_read_back_identical(small, written, tmp_path):
    _, out = written
    back = read_dataset(out)
    for name, df in small.tables.items():
        pd.testing.assert_frame_equal(back.tables[name], df)
    csv_out = write_dataset(small, tmp_path / "csv", fmt="csv")
    back = read_dataset(csv_out)
    for name, df in small.tables.items():
        pd.testing.assert_frame_equal(back.tables[name], df, check_dtype=True)


def test_marketing_database_has_keys_and_rows(small, written):
    _, out = written
    con = sqlite3.connect(out / "marketing.sqlite")
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        assert tables == {"customers", "products", "holdings", "offers", "campaigns"}
        for t in tables:
            assert con.execute(f"select count(*) from {t}").fetchone()[0] == len(small.tables[t])
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {r[2] for r in con.execute("PRAGMA foreign_key_list(offers)")}
        assert fks == {"customers", "campaigns", "products"}
        pk = [r[1] for r in con.execute("PRAGMA table_info(customers)") if r[5]]
        assert pk == ["customer_id"]
        row = con.execute("select offered_at from offers limit 1").fetchone()[0]
        assert len(row) == 19 and row[4] == "-"
    finally:
        con.close()


def test_byte_identical_across_processes(tmp_path):
    script = ("import sys; from helpers.generator import generate, write_dataset; "
              "write_dataset(generate('lyrebird-energy', seed=5, learner='twin', days=3), sys.argv[1], "
              "grader_dir=sys.argv[2])")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / n), str(tmp_path / f"g{n}")],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True) for n in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b")
    assert _hashes(tmp_path / "ga") == _hashes(tmp_path / "gb")


def test_failed_write_leaves_nothing_and_keeps_the_old_folder(small, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(gio, "write_marketing_db", boom)
    with pytest.raises(OSError, match="disk full"):
        write_dataset(small, tmp_path / "new", grader_dir=tmp_path / "g")
    assert list(tmp_path.iterdir()) == []
    old = tmp_path / "old"
    old.mkdir()
    (old / "keep.txt").write_text("previous dataset")
    with pytest.raises(OSError):
        write_dataset(small, old)
    assert (old / "keep.txt").read_text() == "previous dataset"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


def test_unwritable_or_bad_output(small, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(UserFacingError, match="cannot"):
        write_dataset(small, blocker / "ds")
    with pytest.raises(UserFacingError, match="is a file"):
        write_dataset(small, blocker)
    with pytest.raises(UserFacingError, match="unknown format"):
        write_dataset(small, tmp_path / "x", fmt="xlsx")


@pytest.mark.parametrize("args, says", [
    (["--seed", "abc"], "expected a whole number"),
    (["--seed", "-3"], "0 or more"),
    (["--seed", "1", "--days", "-2"], "0 or more"),
    (["--seed", "1", "--days", "400"], "between 1 and 366"),
    (["--seed", "1", "--case-study", "nowhere"], "unknown case study 'nowhere'; known case studies: lyrebird-energy"),
    (["--seed", "1", "--learner", "a/b"], "learner id 'a/b' is not valid"),
])
def test_cli_rejects_bad_input_clearly(args, says, tmp_path, capsys):
    try:
        code = main(["generate", *args, "--out", str(tmp_path / "o")])
    except SystemExit as exc:  # argparse: bad option values
        code = exc.code
    assert code == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_writes_a_dataset(tmp_path, capsys):
    assert main(["generate", "--seed", "2", "--days", "2", "--format", "csv", "--out", str(tmp_path / "d"),
                 "--grader-out", str(tmp_path / "g")]) == 0
    out = capsys.readouterr().out
    assert "Wrote lyrebird-energy" in out and (tmp_path / "d" / "calls.csv").is_file()
    assert (tmp_path / "g" / "defects.parquet").is_file()


def test_learner_seed_is_keyed_and_stable(tmp_path):
    a = learner_seed("s3cret", "jsmith")
    assert a == learner_seed("s3cret", "jsmith") and 0 <= a < 2**63
    assert a != learner_seed("s3cret", "jdoe") and a != learner_seed("other", "jsmith")
    # HMAC-SHA256, first 63 bits: checked against an independent computation
    import hmac
    assert a == int(hmac.new(b"s3cret", b"jsmith", "sha256").hexdigest()[:16], 16) >> 1
    with pytest.raises(ValueError):
        learner_seed("", "x")
    secret_file = tmp_path / "autograde" / ".secret"
    with pytest.raises(UserFacingError, match="ccw regenerate"):
        read_secret(secret_file)
    s = read_secret(secret_file, create=True)
    assert len(s) == 64 and read_secret(secret_file) == s and (secret_file.stat().st_mode & 0o777) == 0o600


# -- helpers.data --------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("CCW_DATASET", "CCW_LEARNER", "JUPYTERHUB_USER", "CCW_CASE_STUDY"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "course"
    (root / "datasets").mkdir(parents=True)
    (root / "casestudies").symlink_to(ROOT / "casestudies")
    monkeypatch.setenv("CCW_ROOT", str(root))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return root


def test_dataset_lookup_order(clean_env, written, monkeypatch):
    _, out = written
    root = clean_env
    assert data_mod.learner_id() is None
    assert data_mod.dataset_dir() == root / "datasets" / "lyrebird-energy" / "practice"
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")  # no own dataset: practice, no error
    assert data_mod.dataset_dir() == root / "datasets" / "lyrebird-energy" / "practice"
    monkeypatch.setenv("CCW_LEARNER", "jsmith")
    with pytest.raises(UserFacingError) as exc:
        data_mod.dataset_dir()
    assert "No dataset found for learner 'jsmith'" in str(exc.value) and "ccw regenerate --roster" in str(exc.value)
    mine = root / "datasets" / "lyrebird-energy" / "learners" / "jsmith"
    mine.parent.mkdir(parents=True)
    mine.symlink_to(out)
    assert data_mod.dataset_dir() == mine
    monkeypatch.delenv("CCW_LEARNER")  # a hub user without data, once others have theirs: refused too
    with pytest.raises(UserFacingError, match="No dataset found for learner 'hubuser'"):
        data_mod.dataset_dir()
    monkeypatch.setenv("CCW_LEARNER", "jsmith")
    (Path.cwd() / "ccw.json").write_text(json.dumps({"learner": "x", "dataset": str(out)}))
    assert data_mod.dataset_dir() == out  # the workspace file's dataset wins over the learner's
    monkeypatch.setenv("CCW_DATASET", "/somewhere/else")
    assert data_mod.dataset_dir() == Path("/somewhere/else")


def test_load_dataset_and_table(clean_env, written, monkeypatch):
    _, out = written
    monkeypatch.setenv("CCW_DATASET", str(out))
    ds = data_mod.load_dataset()
    assert ds.calls.shape == ds.tables["calls"].shape and ds.meta["learner"] == "io-test"
    assert ds.marketing_db_path == out / "marketing.sqlite" and ds.case_study.slug == "lyrebird-energy"
    assert ds.manifest["tables"]["calls"]["rows"] == len(ds.calls) and ds.defects is None
    assert data_mod.load_table("products").equals(ds.products)
    with pytest.raises(AttributeError, match="no table 'callz'"):
        ds.callz
    with pytest.raises(UserFacingError, match="no manifest.json"):
        data_mod.load_dataset(out.parent)


def test_bad_workspace_file(clean_env):
    (Path.cwd() / "ccw.json").write_text("{not json")
    with pytest.raises(UserFacingError, match="not valid JSON"):
        data_mod.learner_id()


def test_practice_dataset_made_on_first_use(clean_env, monkeypatch, capsys):
    import helpers.generator as gen
    real = gen.generate
    monkeypatch.setattr(gen, "generate", lambda slug, seed: real(slug, seed=seed, days=2))
    ds = data_mod.load_dataset()
    assert "Making the practice dataset" in capsys.readouterr().err
    assert ds.meta["seed"] == data_mod.DEFAULT_SEED
    target = clean_env / "datasets" / "lyrebird-energy" / "practice"
    (target / "marketing.sqlite").unlink()
    data_mod.ensure_practice_dataset()
    assert "Building the marketing database" in capsys.readouterr().err
    assert (target / "marketing.sqlite").is_file()



def test_stale_practice_dataset_is_remade(clean_env, monkeypatch, capsys):
    import helpers.generator as gen
    real = gen.generate
    monkeypatch.setattr(gen, "generate", lambda slug, seed: real(slug, seed=seed, days=1))
    target = data_mod.ensure_practice_dataset()
    capsys.readouterr()
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["generator_fingerprint"] = "made-by-older-code"
    (target / "manifest.json").write_text(json.dumps(manifest))
    data_mod.ensure_practice_dataset()
    assert "the generator or case study changed" in capsys.readouterr().err
    assert json.loads((target / "manifest.json").read_text())["generator_fingerprint"] != "made-by-older-code"
    data_mod.ensure_practice_dataset()
    assert capsys.readouterr().err == ""  # up to date: nothing to do


def test_loaded_frames_are_independent_copies(clean_env, written, monkeypatch):
    _, out = written
    a = data_mod.load_dataset(out)
    a.calls["extra"] = 1
    b = data_mod.load_dataset(out)
    assert "extra" not in b.calls.columns


def test_the_fingerprint_covers_the_data_contract(tmp_path, monkeypatch):
    """A change to the data contract (column types) marks datasets as made by other code."""
    import shutil

    import helpers
    from helpers.generator.io import generator_fingerprint

    base = Path(helpers.__file__).resolve().parent
    copy = tmp_path / "helpers"
    for folder in ("generator", "providers", "simulation"):
        shutil.copytree(base / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("__init__.py", "tables.py", "tables.yaml"):
        shutil.copyfile(base / name, copy / name)
    monkeypatch.setattr(helpers, "__file__", str(copy / "__init__.py"))
    before = generator_fingerprint()
    assert generator_fingerprint() == before
    (copy / "tables.yaml").write_text((copy / "tables.yaml").read_text() + "\n# a changed contract\n")
    assert generator_fingerprint() != before
