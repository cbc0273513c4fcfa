"""A workbook's setup cell binds ``cs = ds.case_study`` without reading the case study (issue 16: the setup cell
answers at once); the stand-in (:class:`helpers.lazy.Deferred`) behaves as the case study once used."""
from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.casestudy import CaseStudy, load_case_study
from helpers.data import load_dataset
from helpers.lazy import Deferred

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("BSB*/*.ipynb"))


def _setup_cell(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_setup_cell_defers_the_case_study_and_its_models(notebook):
    """After the setup cell neither pydantic nor Parquet reading is imported; the first use of ``cs`` reads the
    case study, which is then the real one."""
    probe = (_setup_cell(notebook) + "\nimport sys, json\n"
             "before = sorted(m for m in ('pydantic', 'helpers.casestudy', 'pyarrow.parquet') if m in sys.modules)\n"
             "import gc; frozen = gc.get_freeze_count()\n"
             "name = cs.organisation.name\n"
             "from helpers.casestudy import CaseStudy\n"
             "print('PROBE', json.dumps([before, name, isinstance(cs, CaseStudy), 'pydantic' in sys.modules, frozen]))\n")
    env = {**os.environ, "CCW_ROOT": str(ROOT)}
    env.pop("CCW_LEARNER", None)
    env.pop("CCW_DATASET", None)
    out = subprocess.run([sys.executable, "-c", probe], cwd=notebook.parent, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("PROBE "))
    before, name, is_case_study, loaded, frozen = json.loads(line.removeprefix("PROBE "))
    assert before == []
    assert frozen > 50_000  # pandas and the package frozen (gc.freeze): later collections do not walk them
    assert name == load_case_study().organisation.name and name in out.stdout  # the banner names it too
    assert is_case_study and loaded


def test_deferred_reads_once_on_first_use_and_behaves_as_the_case_study():
    calls = []

    def load():
        calls.append(1)
        return load_case_study()

    cs = Deferred(load)
    assert calls == []
    real = load_case_study()
    assert cs.organisation.name == real.organisation.name and calls == [1]
    assert cs.period.end == real.period.end  # properties of the model, through the stand-in
    assert isinstance(cs, CaseStudy) and type(cs) is Deferred
    assert cs == real and real == cs and not (cs != real)
    with pytest.raises(TypeError, match="unhashable"):  # as the case study itself (it holds lists)
        hash(real)
    with pytest.raises(TypeError, match="unhashable"):
        hash(cs)
    assert repr(cs) == repr(real) and str(cs) == str(real) and f"{cs}" == str(real)
    assert "organisation" in dir(cs) and list(cs) == list(real)
    assert calls == [1]
    for other in (pickle.loads(pickle.dumps(cs)), copy.copy(cs), copy.deepcopy(cs)):
        assert type(other) is CaseStudy and other == real
    with pytest.raises(Exception, match="frozen"):
        cs.slug = "other"  # the case study is frozen, with or without the stand-in
    with pytest.raises(AttributeError):
        cs.no_such_field


def test_a_dataset_keeps_one_case_study_and_reports_a_broken_one_on_use(tmp_path):
    ds = load_dataset()
    assert ds.case_study is ds.case_study
    assert ds.case_study.organisation.name == ds.meta["organisation"]
    broken = Deferred(lambda: load_case_study(tmp_path / "missing.yaml"))
    with pytest.raises(Exception, match="missing.yaml"):
        broken.organisation


def test_contingency_names_resolve_on_first_use():
    import helpers.contingency as contingency
    from helpers.contingency import parse_plan
    from helpers.contingency.plan import parse_plan as defined

    assert parse_plan is defined
    assert set(contingency.__all__) <= set(dir(contingency))
    assert all(getattr(contingency, name) is not None for name in contingency.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        contingency.nope


def test_preload_reads_the_case_study_a_forked_kernel_will_use():
    """The grader's kernel factory preloads the learner's data: the case study too, or every kernel it forks would
    read and validate the case study again when its notebook first uses ``cs``."""
    probe = ("import helpers.casestudy as c\nfrom helpers.data import load_dataset, preload\n"
             "preload(load_dataset())\nbefore = c._load_cached.cache_info().misses\n"
             "load_dataset().case_study.organisation\nprint('PROBE', before, c._load_cached.cache_info().misses)\n")
    env = {**os.environ, "CCW_ROOT": str(ROOT), "CCW_PARSE_CACHE": "off"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    before, after = out.stdout.split("PROBE ")[1].split()
    assert before == after == "1"
