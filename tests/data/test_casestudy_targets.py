"""Impossible case-study targets are refused with the field and the fix, not turned into nonsense KPIs."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers.casestudy import CaseStudyError, load_case_study

SOURCE = Path(__file__).resolve().parents[2] / "casestudies" / "lyrebird-energy" / "casestudy.yaml"


@pytest.mark.parametrize("target, value, says", [
    ("service_level", 800, "targets.service_level: .*target 800 is a fraction, so it must be between 0 and 1"),
    ("abandonment_rate", -0.1, "targets.abandonment_rate: .*between 0 and 1"),
    ("nps", 250, "targets.nps: .*between -100 and 100"),
    ("aht_s", -5, "targets.aht_s: .*cannot be negative"),
])
def test_impossible_targets_are_refused(tmp_path, target, value, says):
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    raw["targets"][target]["target"] = value
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CaseStudyError, match=says):
        load_case_study(path)


def test_the_shipped_case_study_is_accepted():
    assert load_case_study("lyrebird-energy").targets["service_level"].target == pytest.approx(0.8)
