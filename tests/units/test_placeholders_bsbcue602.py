"""Placeholders earn nothing in the BSBCUE602 workbook (issue 13; see ``placeholder_support``).

For every autograded cell the reference answer earns full marks from its trusted check on the practice
dataset; a placeholder of the same shape, with every free text replaced by as many meaningless words
(``all``), or only the texts under one key or column (``field:<key>``, each key that holds free text),
earns nothing. The vocabulary a placeholder keeps comes from the learner's own data and case study, so
names, categories and ids stay. Transcripts of the simulated stakeholders stay authentic.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from placeholder_support import References, Vocabulary, free_fields, graded_code_cells, placeholder

ROOT = Path(__file__).resolve().parents[2]
UNIT = "BSBCUE602"
NOTEBOOKS = sorted((ROOT / "notebooks" / UNIT).glob("0[1-9]*.ipynb"))
CELLS = [(p.stem, gid) for p in NOTEBOOKS for gid in graded_code_cells(p)]
TRANSCRIPTS = ("transcript", "_log", "interview")  # answer names of instrument records, kept authentic
# cells whose answers hold numbers and names from the data only: the full-marks test and the element's own
# tests check them against the learner's data (an invented number or name fails there)
NO_FREE_TEXT = {"clock_skew_check", "qualitative_check", "segmentation_check", "patterns_profile_check",
                "change_test_check", "short_term_check", "long_term_check", "budget_variance_check",
                "pathways_check", "step_measurements_check", "collection_methods_check", "reconciliation_check",
                "accuracy_check", "measurement_tests_check"}


@pytest.fixture(scope="module")
def vocab(data):
    return Vocabulary.of(data)


@pytest.fixture(scope="module")
def reference():
    return References(ROOT / "notebooks", UNIT).get


def _authentic(name: str) -> bool:
    return any(t in name for t in TRANSCRIPTS)


def _structured(value):
    """A YAML or JSON text answer as data (so its own free texts can be replaced), else None."""
    if isinstance(value, str) and "\n" in value:
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return None
        return parsed if isinstance(parsed, (dict, list)) else None
    return None


def _fake(answers, vocab, field):
    fake = {}
    for name, value in answers.items():
        structured = _structured(value)
        if _authentic(name):
            fake[name] = value
        elif structured is not None:
            fake[name] = yaml.safe_dump(placeholder(structured, vocab, field), sort_keys=False)
        else:
            fake[name] = placeholder(copy.deepcopy(value), vocab, field)
    return fake


def _fields(answers, vocab) -> set:
    out = set()
    for name, value in answers.items():
        if not _authentic(name):
            structured = _structured(value)
            out |= free_fields(structured if structured is not None else value, vocab, key=name)
    return out


def test_the_workbook_has_autograded_cells():
    assert len(CELLS) >= 8, CELLS


@pytest.mark.parametrize("stem,gid", CELLS, ids=[g for _, g in CELLS])
def test_reference_answer_earns_full_marks(stem, gid, reference, data):
    check, answers, _ = reference(stem, gid)
    fs = check.run(data, **answers)
    assert fs.all_passed, [f.message for f in fs if not f.passed]


@pytest.mark.parametrize("stem,gid", CELLS, ids=[g for _, g in CELLS])
def test_placeholder_earns_nothing(stem, gid, reference, data, vocab):
    check, answers, _ = reference(stem, gid)
    fields = _fields(answers, vocab)
    if gid in NO_FREE_TEXT:
        assert not fields, f"{gid} holds free text under {fields}: take it out of NO_FREE_TEXT"
        return
    assert fields, f"{gid} holds no free text: list it in NO_FREE_TEXT"
    granted = [variant for variant in [None, *sorted(fields, key=str)]
               if check.run(data, **_fake(answers, vocab, variant)).all_passed]
    assert granted == [], f"{gid} gives full marks to placeholders: {['all' if v is None else f'field:{v}' for v in granted]}"
