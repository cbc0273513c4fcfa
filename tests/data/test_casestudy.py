"""Case studies as data: the default case study's content and validation errors people can act on."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from helpers.casestudy import (DEFAULT_CASE_STUDY, QUEUE_NAMES, CaseStudyError, case_study_dir, list_case_studies,
                               load_case_study)
from helpers.errors import UserFacingError

DEFAULT_YAML = Path(__file__).resolve().parents[2] / "casestudies" / DEFAULT_CASE_STUDY / "casestudy.yaml"


@pytest.fixture(scope="module")
def cs():
    return load_case_study(DEFAULT_CASE_STUDY)


def test_default_is_listed_and_loads_by_slug_folder_and_path(cs):
    assert DEFAULT_CASE_STUDY in list_case_studies()
    assert load_case_study(DEFAULT_YAML).slug == cs.slug
    assert load_case_study(DEFAULT_YAML.parent).slug == cs.slug


def test_queues_follow_the_supply_chains(cs):
    assert sorted(cs.queue_names) == sorted(QUEUE_NAMES)
    chains = " ".join(q.supply_chain.lower() for q in cs.queues)
    for words in ("sales", "customer service", "billing", "credit and collections", "fulfilment"):
        assert words in chains
    for q in cs.queues:
        assert q.reasons and abs(sum(q.weights) - 1) < 1e-9
        assert q.talk_mean_s > 0 and q.daily_volume > 0


def test_targets_have_the_keys_other_modules_use(cs):
    for key in ("service_level", "abandonment_rate", "asa_s", "aht_s", "fcr", "csat", "nps", "conversion_rate",
                "retention_rate", "cost_per_contact_aud", "occupancy"):
        t = cs.targets[key]
        assert t.direction in ("higher", "lower") and t.unit
    assert cs.targets["service_level"].threshold_s == 20
    assert cs.targets["service_level"].variant


def test_stakeholders_cover_the_range_statement_levels(cs):
    roles = {lvl: " ".join((s.role + " " + (s.organisation or "") + " " + s.name).lower() for s in cs.stakeholders_at(lvl))
             for lvl in ("centre", "enterprise", "external")}
    assert "team leader" in roles["centre"] and "direct team" in roles["centre"] and "senior centre" in roles["centre"]
    for words in ("sales and marketing", "credit and collections", "billing"):
        assert words in roles["enterprise"]
    for words in ("contracting organisation", "recruitment", "software"):
        assert words in roles["external"]
    assert all(s.interests for s in cs.stakeholders)


def test_outages_in_period_include_crm_and_telephony_or_ivr(cs):
    start = dt.datetime.combine(cs.period.start, dt.time())
    end = dt.datetime.combine(cs.period.end, dt.time(23, 59))
    inside = [o for o in cs.outages if start <= o.start < end]
    systems = {o.system for o in inside}
    assert "crm" in systems and systems & {"telephony", "ivr"}
    assert any(o.planned for o in inside) and any(not o.planned for o in inside)
    assert cs.report_deadline.date() > cs.period.end


def test_staffing_plan_only_when_open_and_readme_tells_the_story(cs):
    for q, plan in cs.staffing_plan.items():
        open_ = cs.opening_hours.open_mask("weekday")
        assert all(n == 0 or open_[i] for i, n in enumerate(plan.weekday))
        assert sum(plan.weekday) > 0
    readme = (case_study_dir(cs) / "README.md").read_text(encoding="utf-8")
    assert cs.organisation.trading_name in readme and "fictional" in readme.lower()


def test_unknown_slug_lists_known_ones():
    with pytest.raises(UserFacingError) as exc:
        load_case_study("no-such-centre")
    assert "no-such-centre" in str(exc.value) and DEFAULT_CASE_STUDY in str(exc.value)


def _variant(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8"))
    edit(data)
    folder = tmp_path / data["slug"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "casestudy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit, field, says", [
    (lambda d: d["queues"][1].update(talk_mean_s=-5), "queues[1].talk_mean_s", "greater than 0"),
    (lambda d: d["queues"][0].pop("daily_volume"), "queues[0].daily_volume", "field required"),
    (lambda d: d["organisation"].update(citty="Newcastle"), "organisation.citty", "unknown field"),
    (lambda d: d["defect_rates"].update(typo_defect=0.1), "defect_rates", "unknown defect kind"),
    (lambda d: d["targets"]["fcr"].update(direction="up"), "targets.fcr.direction", "'higher' or 'lower'"),
    (lambda d: d["outages"][0].update(end="2025-05-14T09:00:00"), "outages[0]", "must be after start"),
    (lambda d: d["staffing_plan"]["sales"]["weekday"].__setitem__(2, 3), "staffing_plan.sales.weekday",
     "while the centre is closed"),
    (lambda d: d["segments"][0].update(share=0.5), "segments", "add up to 1"),
    (lambda d: d["intraday_profile"].update(weekday=[1, 2, 3]), "intraday_profile.weekday", "48 half-hour"),
    (lambda d: d["channels"]["ivr"]["options"][0].update(containment=0.2), "channels.ivr.options[0]",
     "needs a self_service task"),
    (lambda d: d["channels"]["ivr"]["options"].pop(), "channels", "every queue needs exactly one menu option"),
    (lambda d: d["channels"]["chat"].update(queues=["sales", "marketing"]), "channels.chat.queues[1]",
     "Input should be"),
    (lambda d: d["channels"]["measurement"]["fault_rates"].update(typo=0.1), "channels.measurement.fault_rates",
     "unknown measurement fault"),
    (lambda d: d["channels"]["measurement"]["clock_skew"][0].update(offset_s=[-10, 10]),
     "channels.measurement.clock_skew[0]", "does not include 0"),
    (lambda d: d["channels"]["measurement"]["systems"].pop("crm"), "channels.measurement", "name every system"),
])
def test_invalid_case_study_names_file_field_and_expectation(tmp_path, edit, field, says):
    path = _variant(tmp_path, edit)
    with pytest.raises(CaseStudyError) as exc:
        load_case_study(path)
    msg = str(exc.value)
    assert str(path) in msg and field in msg and says in msg


def test_not_yaml_and_not_a_mapping(tmp_path):
    bad = tmp_path / "x" / "casestudy.yaml"
    bad.parent.mkdir()
    bad.write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(CaseStudyError, match="not valid YAML"):
        load_case_study(bad)
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(CaseStudyError, match="mapping"):
        load_case_study(bad)


def test_slug_must_match_folder(tmp_path):
    path = _variant(tmp_path, lambda d: None)
    moved = tmp_path / "other" / "casestudy.yaml"
    moved.parent.mkdir()
    moved.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CaseStudyError, match="does not match its folder"):
        load_case_study(moved)
