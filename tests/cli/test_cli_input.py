"""Commands check what was typed before loading heavy modules and before writing anything."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("nbgrader", "papermill", "pandas")


def _run(args: list[str], cwd) -> tuple[int, str, list[str]]:
    """Run ``ccw ARGS`` in a fresh interpreter; returns (exit code, stderr, heavy modules loaded)."""
    code = ("import json, sys\nfrom helpers.cli import main\nrc = main(json.loads(sys.argv[1]))\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\nsys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stderr, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args, says", [
    (["grade", "--workers", "0"], "--workers must be at least 1, got 0"),
    (["grade", "--learner", "bad id!"], "--learner: learner id 'bad id!' is not valid"),
    (["grade", "--course", "{tmp}/nowhere"], "no course at"),
    (["grade", "--submissions", "{tmp}/nowhere"], "--submissions {tmp}/nowhere: no such folder"),
    (["course", "build", "--workers", "0"], "--workers must be at least 1"),
    (["course", "build", "--dataset", "{tmp}"], "is not a dataset folder (no manifest.json)"),
    (["course", "build", "--assignment", "NOPE605"], "--assignment NOPE605: no folder"),
    (["regenerate", "--roster", "{tmp}/roster.tsv"], "line 1 is tab-separated"),
    (["regenerate", "--roster", "{tmp}/bad.txt"], "line 2: learner id 'bad id!' is not valid"),
    (["regenerate", "--roster", "{tmp}/tab_row.csv"], "tab_row.csv line 3: learner id 's2\\tBo' is not valid (it contains a tab"),
    (["regenerate", "--roster", "{tmp}/bad.txt", "--replace", "s1"], "line 2: learner id 'bad id!' is not valid"),
    (["regenerate", "--replace", "s1"], "--replace needs --roster"),
])
def test_bad_input_is_refused_before_heavy_imports(tmp_path, args, says):
    (tmp_path / "roster.tsv").write_text("learner\tname\ns1\tAnn\n")
    (tmp_path / "bad.txt").write_text("s1\nbad id!\n")
    (tmp_path / "tab_row.csv").write_text("learner,name\ns1,Ann\ns2\tBo,x\n")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, err, loaded = _run(args, tmp_path)
    assert code == 2 and says.replace("{tmp}", str(tmp_path)) in err, err
    assert loaded == [], f"{loaded} imported before the input was checked"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "roster.tsv", "tab_row.csv"]  # nothing written
