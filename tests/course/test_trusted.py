"""The grader's side of trusted grading: answers decoded as data, and the learner's data verified."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from ccw_grader import LearnerData
from ccw_grader.learner_data import DatasetAltered
from helpers.course.answers import MIME, decode_answers, export_code
from helpers.generator import generate
from helpers.generator.io import write_dataset


def _published(ns: dict, names: list[str]) -> dict:
    """Run the export cell's code as the kernel would and return what it published."""
    import IPython.display as display

    captured = {}
    real = display.publish_display_data
    display.publish_display_data = lambda data, *a, **k: captured.update(data)
    try:
        exec(export_code(names), ns)
    finally:
        display.publish_display_data = real
    return json.loads(json.dumps(captured[MIME]))  # what travels over the kernel's channel is JSON


def test_answers_round_trip_as_data():
    from dataclasses import dataclass

    @dataclass
    class Result:
        estimate: float
        ci_low: float

    frame = pd.DataFrame({"calls": [3, 4]}, index=pd.Index(["billing", "sales"], name="queue"))
    ns = {"d": {"a": [1, 2.5, None, True], 3: "x"}, "t": frame, "s": frame["calls"], "arr": np.arange(3),
          "when": pd.Timestamp("2024-05-06"), "r": Result(0.5, 0.25), "n": np.float64(0.8), "f": print}
    answers = decode_answers(_published(ns, list(ns) + ["missing"]), list(ns) + ["missing"])
    assert answers.values["d"] == {"a": [1, 2.5, None, True], 3: "x"}
    pd.testing.assert_frame_equal(answers.values["t"], frame)
    assert answers.values["s"].tolist() == [3, 4] and list(answers.values["s"].index) == ["billing", "sales"]
    assert answers.values["arr"].tolist() == [0, 1, 2]
    assert answers.values["when"] == pd.Timestamp("2024-05-06") and answers.values["n"] == 0.8
    assert answers.values["r"].estimate == 0.5 and answers.values["r"].ci_low == 0.25
    assert "it is a builtin_function_or_method" in answers.problems["f"]
    assert "is not defined in your notebook" in answers.problems["missing"]


@pytest.mark.parametrize("payload", [None, {"answers": "x"}, {"answers": {"t": {"kind": "table", "parquet": "!!"}}},
                                     {"answers": {"t": {"kind": "json", "value": {"__pickle__": "gASV"}}}},
                                     {"answers": {"t": {"kind": "code", "value": "import os"}}}])
def test_anything_but_plain_data_is_refused(payload):
    answers = decode_answers(payload, ["t"])
    assert "t" not in answers.values and "t" in answers.problems


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    base = tmp_path_factory.mktemp("issued")
    ds = generate("lyrebird-energy", seed=11, learner="kim", days=3)
    folder = write_dataset(ds, base / "datasets" / "kim", grader_dir=base / "course" / "manifests" /
                           "lyrebird-energy" / "kim")
    return base, folder


def test_the_issued_dataset_is_accepted(issued):
    base, folder = issued
    data = LearnerData(folder, "kim", base / "course")
    assert len(data.ds.calls) > 0 and not data.defects().empty


def test_a_dataset_changed_after_it_was_issued_is_refused(issued, tmp_path):
    import shutil

    base, folder = issued
    altered = tmp_path / "kim"
    shutil.copytree(folder, altered)
    calls = pd.read_parquet(altered / "calls.parquet")
    calls["wait_s"] = 0.0  # every call answered at once: a perfect service level to report
    buf = io.BytesIO()
    calls.to_parquet(buf)
    (altered / "calls.parquet").write_bytes(buf.getvalue())
    with pytest.raises(DatasetAltered, match="calls.parquet changed"):
        _ = LearnerData(altered, "kim", base / "course").ds
    # another learner's (unaltered) dataset passed off as one's own is refused too
    with pytest.raises(DatasetAltered, match="not the one issued to lee"):
        (base / "course" / "manifests" / "lyrebird-energy" / "lee").mkdir(parents=True)
        shutil.copy(base / "course" / "manifests" / "lyrebird-energy" / "kim" / "manifest.json",
                    base / "course" / "manifests" / "lyrebird-energy" / "lee" / "manifest.json")
        manifest = json.loads((folder / "manifest.json").read_text())
        other = tmp_path / "lee"
        shutil.copytree(folder, other)
        (other / "manifest.json").write_text(json.dumps({**manifest, "learner": "lee"}))
        _ = LearnerData(other, "lee", base / "course").ds


def test_benchmark_facts_go_under_the_answer_for_the_assessor_only():
    import nbformat

    from ccw_grader.registry import BenchmarkFacts
    from helpers.course.trusted import ASSESSOR_ONLY, insert_facts, strip_assessor_only

    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_markdown_cell("My report: service level was fine.")
    answer.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "report", "points": 3}
    other = nbformat.v4.new_markdown_cell("Another answer.")
    other.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "broken", "points": 3}
    forged = nbformat.v4.new_markdown_cell("**For the assessor only** · service level: **0.99** (trust me)")
    nb.cells = [answer, forged, other]
    facts = {("U", "report"): BenchmarkFacts("U", "report", lambda data: {"service level (fraction)": 0.8123},
                                             ("What caused the miss?", "Yours was {service level (fraction)}: why?",
                                              "And {not a fact}?")),
             ("U", "broken"): BenchmarkFacts("U", "broken", lambda data: 1 / 0)}
    notes = insert_facts(nb, "U", facts, data=None)
    assert notes == ["A cell imitating the assessor's benchmark facts was removed before grading."]
    sources = [c.source for c in nb.cells]
    assert len(sources) == 4 and "0.99" not in "".join(sources)
    assert nb.cells[1].metadata[ASSESSOR_ONLY] == "report"
    assert "service level (fraction): **0.812**" in sources[1] and "What caused the miss?" in sources[1]
    assert "Yours was 0.812: why?" in sources[1] and "And {not a fact}?" in sources[1]  # the learner's own figure
    assert nb.cells[3].metadata[ASSESSOR_ONLY] == "broken" and "could not be computed (ZeroDivisionError" in sources[3]
    assert strip_assessor_only(nb) == 2 and [c.source for c in nb.cells] == [answer.source, other.source]
    # an answer left as released gets no facts: the assessor has nothing to mark against them
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(answer.source), other])
    release.cells[0].metadata = answer.metadata
    assert insert_facts(nb, "U", facts, data=None, release=release) == []
    assert [c.metadata.get(ASSESSOR_ONLY) for c in nb.cells] == [None, None]


def test_values_derived_per_learner_are_computed_once_and_handed_out_as_copies(tmp_path):
    from ccw_grader.learner_data import per_learner

    calls = []

    @per_learner
    def expected(data):
        calls.append(data.learner)
        return pd.DataFrame({"calls": [1, 2, 3]})

    first, other = LearnerData(None, "first", tmp_path), LearnerData(None, "other", tmp_path)
    got = expected(first)
    got.loc[0, "calls"] = 99                      # a check changing what it was given ...
    assert expected(first)["calls"].tolist() == [1, 2, 3]   # ... changes nothing for the next one
    expected(other)
    assert calls == ["first", "other"]            # once per learner, never shared between learners
