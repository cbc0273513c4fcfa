"""BSBCUE602 element 2, *Collect data*: the notebook's reference earns full marks from every trusted check,
and answers that did not do the work earn nothing (placeholder text, flagging every record or none, a fault
class left out, a wrong clock offset, uncorrected data in the segmented tables)."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from ccw_grader import LearnerData, all_checks
from ccw_grader import bsbcue602_collection as trusted
from helpers import mis_accuracy
from helpers.tasks.bsbcue602 import collection
from helpers.workbook import check_banners
from placeholder_support import as_data, graded_code_cells, run_reference, words

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "BSBCUE602" / "02_collect_data.ipynb"
CELLS = graded_code_cells(NOTEBOOK)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The practice dataset as the grader sees it, with the ground truth written once where ``ccw regenerate``
    puts it (else every check would regenerate the dataset to recover it)."""
    data = LearnerData(None, None, tmp_path_factory.mktemp("course"))
    faults = data.measurement_faults()
    path = data.grader_manifest(data.ds.manifest["case_study"]).with_name("measurement_faults.parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    faults.to_parquet(path)
    return data


@pytest.fixture(scope="module")
def ns():
    return run_reference(NOTEBOOK)


def _run(gid, data, **answers):
    return all_checks()[("BSBCUE602", gid)].run(data, **answers)


def _answers(ns, gid):
    return as_data(ns, all_checks()[("BSBCUE602", gid)].answers)


def _failed(fs):
    return [f.message for f in fs if not f.passed]


# ------------------------------------------------------------------------------------------ notebook
def test_notebook_structure():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].source.startswith("# BSBCUE602 · Element 2: Collect data")
    assert check_banners(nb) == []
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    tagged = [c.metadata["competency"] for c in nb.cells if "competency" in c.metadata]
    criteria = {pc for t in tagged for pc in t["criteria"]}
    evidence = {e for t in tagged for e in t["evidence"]}
    assert criteria == {"2.1", "2.2", "2.3"}
    assert {"PE2", "PE4", "PE7", "KE4", "KE6", "AC3", "AC4", "FS-RD2", "FS-NU2", "FS-GW3"} <= evidence
    assert not evidence & {"AC1", "AC8"}


@pytest.mark.parametrize("gid", CELLS)
def test_reference_earns_full_marks(gid, ns, data):
    fs = _run(gid, data, **_answers(ns, gid))
    assert fs.all_passed, _failed(fs)


# ------------------------------------------------------------------------------------------ task 2.1
@pytest.mark.parametrize("field", ["problem", "strategy"])
def test_placeholder_problems_and_strategies_earn_nothing(field, ns, data):
    answer = copy.deepcopy(_answers(ns, "collection_problems_check")["collection_problems"])
    for entry in answer.values():
        entry[field] = words(entry[field])
    fs = _run("collection_problems_check", data, collection_problems=answer)
    assert not fs.all_passed
    assert sum(not f.passed for f in fs) == 4  # one per source


def test_a_problem_of_another_method_earns_nothing(ns, data):
    answer = copy.deepcopy(_answers(ns, "collection_problems_check")["collection_problems"])
    answer["survey"] = answer["agent"]   # wrap-code problems are not survey problems
    assert not _run("collection_problems_check", data, collection_problems=answer).all_passed


def test_methods_and_counts_are_checked(ns, data):
    answer = _answers(ns, "collection_methods_check")["collection_methods"]
    wrong = answer.copy()
    wrong["content_source"] = "system"
    assert not _run("collection_methods_check", data, collection_methods=wrong).all_passed
    off = answer.copy()
    off.loc[0, "records"] += 1
    fs = _run("collection_methods_check", data, collection_methods=off)
    assert not fs.all_passed and any("records" in m or "values" in m for m in _failed(fs))


# ------------------------------------------------------------------------------------------ task 2.2
def test_reconciliation_causes_are_checked(ns, data):
    answer = _answers(ns, "reconciliation_check")["reconciliation"].copy()
    answer["cause"] = "clock_skew"
    fs = _run("reconciliation_check", data, reconciliation=answer)
    assert not fs.all_passed and any("cause" in m for m in _failed(fs))


def test_flagging_every_record_fails_on_precision(data):
    every = data.table("mis_events")["event_id"].astype(str).tolist()
    fs = _run("accuracy_check", data, flagged_records={k: every for k in mis_accuracy.FAULT_KINDS})
    assert not fs.all_passed
    assert all("precision" in m for m in _failed(fs))


def test_flagging_nothing_fails(data):
    fs = _run("accuracy_check", data, flagged_records={k: [] for k in mis_accuracy.FAULT_KINDS})
    assert not fs.all_passed and len(_failed(fs)) == len(mis_accuracy.FAULT_KINDS)


@pytest.mark.parametrize("kind", mis_accuracy.FAULT_KINDS)
def test_missing_one_fault_class_fails_and_says_which(kind, ns, data):
    answer = copy.deepcopy(_answers(ns, "accuracy_check")["flagged_records"])
    answer[kind] = []
    fs = _run("accuracy_check", data, flagged_records=answer)
    failed = [f for f in fs if not f.passed]
    assert [f.item for f in failed] == [kind]
    assert "missing" in failed[0].message
    truth = trusted._faults(data)
    assert not any(rid in failed[0].message for rid in truth["record_id"])  # counts, never ids
    del answer[kind]
    fs = _run("accuracy_check", data, flagged_records=answer)
    assert not fs.all_passed and any(kind in m for m in _failed(fs))


def test_clock_skew_estimates_are_checked(ns, data):
    ref = _answers(ns, "clock_skew_check")["clock_skew"]
    wrong_offset = copy.deepcopy(ref)
    wrong_offset[0]["offset_s"] += 30
    assert not _run("clock_skew_check", data, clock_skew=wrong_offset).all_passed
    wrong_days = copy.deepcopy(ref)
    wrong_days[0]["days"] = wrong_days[0]["days"][1:]
    assert not _run("clock_skew_check", data, clock_skew=wrong_days).all_passed
    extra = copy.deepcopy(ref) + [{"system": "acd", "days": ref[0]["days"], "offset_s": 10.0}]
    fs = _run("clock_skew_check", data, clock_skew=extra)
    assert not fs.all_passed and any("acd" in m for m in _failed(fs))
    assert not _run("clock_skew_check", data, clock_skew=ref[:1]).all_passed


def test_wrap_code_quality_judgement_is_checked(ns, data):
    answer = _answers(ns, "qualitative_check")["wrap_code_quality"].copy()
    answer["meets_standard"] = ~answer["meets_standard"].astype(bool)
    assert not _run("qualitative_check", data, wrap_code_quality=answer).all_passed


def _standard(data, **changes):
    """The learner's case study with another data standard (every other field as it was)."""
    cs = data.cs
    return cs.model_copy(update={"data_standards": cs.data_standards.model_copy(update=changes)})


def test_the_data_standard_comes_from_the_case_study(ns, data, monkeypatch):
    """The wrap-code verdict follows the organisation's stated standard: a case study with a stricter or looser
    standard changes the expected verdict, the reference answer recomputed with it passes, and the old verdict
    fails."""
    std = data.cs.data_standards
    assert std is not None and 0 < std.wrap_code_completeness <= 1 and 0 < std.wrap_code_accuracy <= 1
    quality = trusted.expected_wrap_quality(data)
    for changes, verdict in (({"wrap_code_completeness": 1.0}, False), ({"wrap_code_completeness": 0.5,
                                                                         "wrap_code_accuracy": 0.5}, True)):
        other = _standard(data, **changes)
        monkeypatch.setattr(type(data), "cs", property(lambda self, other=other: other))
        data = type(data)(data.dataset, data.learner, data.course_root)  # another learner's case study: new data
        expected = trusted.expected_wrap_quality(data)
        assert expected["meets_standard"].tolist() == [verdict] * len(expected)
        answer = _answers(ns, "qualitative_check")["wrap_code_quality"].copy()
        answer["meets_standard"] = mis_accuracy.meets_standard(answer["completeness"], answer["accuracy"], other)
        assert _run("qualitative_check", data, wrap_code_quality=answer).all_passed
        if expected["meets_standard"].tolist() != quality["meets_standard"].tolist():
            assert not _run("qualitative_check", data, wrap_code_quality=_answers(ns, "qualitative_check")[
                "wrap_code_quality"]).all_passed
        facts = trusted.monitoring_report_facts(data)
        assert f"{other.data_standards.wrap_code_completeness:.1%}" in facts["the centre's data standard (cs.data_standards)"]
        monkeypatch.undo()


def test_a_case_study_without_a_standard_or_with_invalid_values_says_so(tmp_path):
    import yaml
    from helpers.casestudy import DEFAULT_CASE_STUDY, CaseStudyError, case_study_dir, load_case_study
    from helpers.errors import UserFacingError
    cs = load_case_study(DEFAULT_CASE_STUDY)
    raw = yaml.safe_load((case_study_dir(cs) / "casestudy.yaml").read_text(encoding="utf-8"))
    assert set(raw["data_standards"]) == set(type(cs.data_standards).model_fields)
    with pytest.raises(UserFacingError, match="no data_standards"):
        mis_accuracy.standard(cs.model_copy(update={"data_standards": None}))
    for field, value, says in (("wrap_code_completeness", 98.5, "less than or equal to 1"),
                               ("wrap_code_accuracy", 0, "greater than 0"),
                               ("clock_tolerance_s", -5, "greater than or equal to 0"),
                               ("reconciliation_gap", -1, "greater than or equal to 0")):
        bad = copy.deepcopy(raw)
        bad["data_standards"][field] = value
        folder = tmp_path / field / raw["slug"]
        folder.mkdir(parents=True)
        (folder / "casestudy.yaml").write_text(yaml.safe_dump(bad, sort_keys=False), encoding="utf-8")
        with pytest.raises(CaseStudyError) as exc:
            load_case_study(folder)
        assert f"data_standards.{field}" in str(exc.value) and says in str(exc.value)


def test_the_readme_states_the_case_study_standard():
    """The policy in words (case study README) quotes the standard the case study states, not another."""
    from helpers.casestudy import DEFAULT_CASE_STUDY, case_study_dir, load_case_study
    cs = load_case_study(DEFAULT_CASE_STUDY)
    readme = (case_study_dir(cs) / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Data standards"):]
    std = cs.data_standards
    for share in (std.wrap_code_completeness, std.wrap_code_accuracy):
        assert f"{share * 100:g}%" in section
    assert f"{std.clock_tolerance_s:g} seconds" in section
    assert "DATA_STANDARDS" not in readme and not hasattr(mis_accuracy, "DATA_STANDARDS")


# ------------------------------------------------------------------------------------------ task 2.3
def test_uncorrected_data_fails_the_segmentation(data):
    raw = trusted.segment_tables(data.table("mis_events"))
    fs = _run("segmentation_check", data, **raw)
    assert not fs.all_passed
    corrected = trusted.segment_tables(trusted.corrected_events(data))
    assert _run("segmentation_check", data, **corrected).all_passed


def test_unsorted_tables_fail(data):
    tables = trusted.segment_tables(trusted.corrected_events(data))
    tables["ops_daily"] = tables["ops_daily"].sort_values("offered")
    fs = _run("segmentation_check", data, **tables)
    assert not fs.all_passed and any("sort" in m for m in _failed(fs))


# ------------------------------------------------------------------------------------------ helpers
def test_score_flags_uses_the_learners_own_labels():
    flagged = {"missing_wrap_code": ["E1", "E2", "E3"], "clock_skew": ["E9"]}
    labels = {"missing_wrap_code": ["E2", "E3", "E4", "E5"], "clock_skew": []}
    scores = mis_accuracy.score_flags(flagged, labels)
    row = scores.loc["missing_wrap_code"]
    assert (row["true_positives"], row["precision"], row["recall"]) == (2, 2 / 3, 0.5)
    assert pd.isna(scores.loc["clock_skew", "recall"])
    on_sample = mis_accuracy.score_flags(flagged, labels, population=["E1", "E2"])
    assert on_sample.loc["missing_wrap_code", "precision"] == 0.5


def test_reconcile_and_clock_offsets():
    r = mis_accuracy.reconcile(pd.Series({"a": 10, "b": 5}), pd.Series({"a": 9}), name_a="ivr", name_b="acd")
    assert r.loc["a", "gap"] == 1 and r.loc["b", "gap"] == 5 and r.loc["b", "acd"] == 0
    t = pd.Series(pd.to_datetime(["2025-05-05 09:00:00", "2025-05-05 10:00:00", "2025-05-06 09:00:00"]))
    off = mis_accuracy.clock_offsets(t + pd.to_timedelta([0, 0, 66], unit="s"), t, by=t.dt.date.rename("day"))
    assert off["median_s"].tolist() == [0.0, 66.0]


def test_audit_sample_is_reproducible_and_stratified():
    records = pd.DataFrame({"event_id": [f"E{i:08d}" for i in range(1000)], "channel": ["voice", "chat"] * 500})
    a = mis_accuracy.audit_sample(records, 100, seed=3, by="channel")
    assert a.equals(mis_accuracy.audit_sample(records, 100, seed=3, by="channel"))
    assert a["channel"].value_counts().to_dict() == {"voice": 50, "chat": 50}
    assert len(mis_accuracy.audit_sample(records, 20, seed=1)) == 20


def test_learner_modules_never_read_the_ground_truth():
    """The learner-side modules never read the ground truth (learners have no access to it)."""
    for module in (collection, mis_accuracy):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "measurement_faults(" not in source and "import ccw_grader" not in source
        assert "from ccw_grader" not in source


def test_benchmark_facts_are_plain_data(data):
    import json

    from ccw_grader import all_facts
    for gid in ("monitoring_report", "information_levels"):
        entry = all_facts()[("BSBCUE602", gid)]
        facts = entry.run(data)
        assert facts and entry.viva
        json.dumps(facts)


def test_another_learners_answers_earn_nothing(ns, tmp_path):
    """The flags and clock findings of the practice data do not pass on another learner's data."""
    from helpers.generator import generate
    from helpers.generator.io import write_dataset

    other = tmp_path / "s0002"
    write_dataset(generate("lyrebird-energy", seed=8, learner="s0002", days=7), other)
    theirs = LearnerData(other, "s0002", tmp_path)
    for gid in ("accuracy_check", "clock_skew_check", "reconciliation_check"):
        assert not _run(gid, theirs, **_answers(ns, gid)).all_passed, gid
