"""Tests for helpers.curriculum: the unit data must match the source texts and the loader must validate."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from helpers.curriculum import (
    Criterion,
    Item,
    UnknownUnitError,
    _load_unit_file,
    all_units,
    load_unit,
)
from helpers.curriculum.model import expand_pc_refs

SOURCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "units"
PC_COUNTS = {"BSBCCO605A": 18, "BSBCUE602": 14, "BSBCUE605": 18, "BSBCUS401": 12, "BSBOPS505": 10}
CODES = sorted(PC_COUNTS)


def norm(text: str) -> str:
    """Collapse all whitespace (including NBSP) to single spaces."""
    return " ".join(text.split())


def source_text(code: str) -> str:
    path = SOURCE_DIR / load_unit(code).source_file
    if not path.is_file():
        pytest.skip(f"source text {path} not available (expected ../shared/units beside the repo root)")
    return path.read_text(encoding="utf-8")


def pc_section(text: str) -> str:
    """The "Elements and Performance Criteria" section of a source text."""
    section = text.split("Elements and Performance Criteria", 1)[1]
    return re.split(r"^(?:Foundation Skills|Required Skills)\s*$", section, maxsplit=1, flags=re.M)[0]


def transcribed_strings(value, key=None):
    """Every free-text string in a unit dump (ids, codes and enum-like fields excluded)."""
    skip = {"id", "element_id", "key", "code", "status", "relation", "equivalence", "criteria",
            "source_file", "release", "equivalent_to", "equivalent_predecessors", "ids", "rto",
            "quotes", "status_quote", "release_quote", "lineage_note"}  # checked by test_status_and_lineage_*
    if key in skip:
        return
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from transcribed_strings(v, k)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from transcribed_strings(v, key)


# --- data shape -------------------------------------------------------------------------

def test_pc_counts():
    assert {u.code: len(u.criteria) for u in all_units()} == PC_COUNTS
    assert sum(len(u.criteria) for u in all_units()) == 72


@pytest.mark.parametrize("code", CODES)
def test_ids_unique_and_sequential(code):
    unit = load_unit(code)
    by_type = unit.items_by_type()
    all_ids = [o.id for group in by_type.values() for o in group]
    assert len(all_ids) == len(set(all_ids))
    for prefix in ("PE", "KE", "AC"):
        assert [o.id for o in by_type[prefix]] == [f"{prefix}{n}" for n in range(1, len(by_type[prefix]) + 1)]
        assert by_type[prefix], f"{code} has no {prefix} items"
    for element in unit.elements:
        assert [c.id for c in element.criteria] == [f"{element.id}.{n}" for n in range(1, len(element.criteria) + 1)]
        assert all(c.element_id == element.id for c in element.criteria)


@pytest.mark.parametrize("code", CODES)
def test_foundation_skill_references_exist(code):
    unit = load_unit(code)
    pc_ids = {c.id for c in unit.criteria}
    for fs in unit.foundation_skills:
        assert set(fs.criteria) <= pc_ids, fs.skill
        if fs.criteria_text is not None:
            assert list(fs.criteria) == expand_pc_refs(fs.criteria_text)


FS_IDS = {
    "BSBCCO605A": [f"FS-SK{n}" for n in range(1, 11)],
    "BSBCUE605": ["FS-RD1", "FS-WR1", "FS-OC1", "FS-OC2", "FS-NU1", "FS-IO1", "FS-IO2",
                  "FS-GW1", "FS-GW2", "FS-GW3", "FS-GW4"],
}


@pytest.mark.parametrize("code", CODES)
def test_foundation_skills_are_items_with_documented_ids(code):
    """Every description of the Foundation Skills table (or BSBCCO605A's Required skills) is an FS item,
    ids FS-<skill code><n> in source order, its text quoted from the unit text."""
    unit, source = load_unit(code), norm(source_text(code))
    items = unit.items_by_type()["FS"]
    assert items and [i.id for i in items] == [i.id for i in unit.foundation_items]
    if code in FS_IDS:
        assert [i.id for i in items] == FS_IDS[code]
    for fs in unit.foundation_skills:
        assert len(fs.ids) == len(fs.descriptions)
        for description in fs.descriptions:
            assert norm(description) in source
    for item in unit.required_skills:
        assert norm(item.text) in source
    assert unit.item("fs-" + items[0].id[3:].lower()) == items[0]


def test_expand_pc_refs_handles_ranges():
    assert expand_pc_refs("1.1-1.3, 2.4") == ["1.1", "1.2", "1.3", "2.4"]
    assert expand_pc_refs("1.2, 3.1- 3.4") == ["1.2", "3.1", "3.2", "3.3", "3.4"]


def test_unit_specific_facts():
    assert load_unit("BSBCUE605").equivalent_predecessors == ("BSBCCO605A",)
    assert load_unit("BSBCCO605A").equivalent_to == ("BSBCUE605",)
    first = load_unit("BSBCUE605").lineage[0]
    assert (first.relation, first.code, first.equivalence) == ("supersedes", "BSBCCO605B", "equivalent")
    old = load_unit("BSBCCO605A")
    assert old.release == "A" and old.foundation_skills == () and len(old.required_skills) == 10
    assert [r.key for r in old.range_statement] == [
        "stakeholders", "supply_chains", "marketing_database_fields",
        "contingency_planning", "after_sales_and_retention_strategies",
    ]
    assert old.range_statement[-1].heading.startswith("Afteer-sales")
    assert [u.release for u in all_units()] == ["A", 1, 1, 2, 1]


# --- fidelity to the source texts ---------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_criteria_match_source(code):
    section = pc_section(source_text(code))
    source_pcs = re.findall(r"^\s*(\d+\.\d+)\.?\s+(.+?)\s*$", section, flags=re.M)
    assert [(c.id, c.text) for c in load_unit(code).criteria] == source_pcs


@pytest.mark.parametrize("code", CODES)
def test_element_titles_match_source(code):
    section = pc_section(source_text(code))
    source_elements = re.findall(r"^(\d+)\.?\s+(\S.*?)\s*$", section, flags=re.M)
    assert [(e.id, e.title) for e in load_unit(code).elements] == source_elements


@pytest.mark.parametrize("code", CODES)
def test_evidence_and_conditions_occur_in_source(code):
    source = norm(source_text(code))
    unit = load_unit(code)
    for item in unit.performance_evidence + unit.knowledge_evidence + unit.assessment_conditions:
        for text in (item.text, *item.subitems, *([item.lead_in] if item.lead_in else [])):
            assert norm(text) in source, f"{code} {item.id}: {text!r}"


NEW_FORMAT_SECTIONS = {
    "PE": ("Performance Evidence", "Knowledge Evidence"),
    "KE": ("Knowledge Evidence", "Assessment Conditions"),
    "AC": ("Assessment Conditions", "Links"),
}
OLD_FORMAT_SECTIONS = {  # BSBCCO605A, mapped as documented in its YAML
    "PE": ("Critical aspects for assessment and evidence required to demonstrate competency in this unit",
           "Context of and specific resources for assessment"),
    "KE": ("Required knowledge", "Evidence Required"),
    "AC": ("Context of and specific resources for assessment", "Method of assessment"),
}


def section_lines(text: str, start: str, end: str) -> list[str]:
    """Non-empty lines between two heading lines, with bullet glyphs and table bars removed."""
    match = re.search(rf"^{re.escape(start)}\s*$(.*?)^{re.escape(end)}\s*$", text, flags=re.M | re.S)
    assert match, f"section {start!r} not found"
    lines = (re.sub(r"^\s*(?:•|- )\s*", "", line).strip() for line in match.group(1).splitlines())
    return [line for line in lines if line and line != "|"]


@pytest.mark.parametrize("code", CODES)
def test_evidence_and_conditions_are_complete(code):
    """Reverse check: every line of the PE/KE/AC sections is accounted for, in order."""
    text, unit = source_text(code), load_unit(code)
    sections = OLD_FORMAT_SECTIONS if code == "BSBCCO605A" else NEW_FORMAT_SECTIONS
    parts = {
        "PE": (unit.performance_evidence_intro, unit.performance_evidence, unit.performance_evidence_note),
        "KE": (unit.knowledge_evidence_intro, unit.knowledge_evidence, None),
        "AC": (unit.assessment_conditions_intro, unit.assessment_conditions, None),
    }
    for kind, (intro, items, note) in parts.items():
        expected = [intro] if intro else []
        for item in items:
            expected += [item.lead_in] if item.lead_in else []
            expected += [item.text, *item.subitems]
        expected += [note] if note else []
        assert section_lines(text, *sections[kind]) == expected, f"{code} {kind}"


def test_old_format_lists_are_complete():
    text, unit = source_text("BSBCCO605A"), load_unit("BSBCCO605A")
    assert section_lines(text, "Required skills", "Required knowledge") == [s.text for s in unit.required_skills]
    range_lines = section_lines(text, "Range Statement", "Sectors")[1:]  # [0] is the explanatory paragraph
    assert range_lines == [s for r in unit.range_statement for s in (r.heading, *r.items)]


@pytest.mark.parametrize("code", CODES)
def test_every_transcribed_string_occurs_in_source(code):
    source = norm(source_text(code))
    dump = load_unit(code).model_dump()
    # a link quoted from another unit's text is checked against that text (test_status_and_lineage_quotes_*)
    dump["lineage"] = [link for link in dump["lineage"] if not link.get("source_file")]
    strings = list(transcribed_strings(dump))
    assert len(strings) > 20
    missing = [(k, s) for k, s in strings if norm(s) not in source]
    assert not missing


@pytest.mark.parametrize("code", CODES)
def test_status_matches_usage_recommendation(code):
    match = re.search(r"Usage recommendation:\s*(\w+)", source_text(code))
    expected = match.group(1).lower() if match else "superseded"  # BSBCCO605A states none
    assert load_unit(code).status == expected


def test_source_unicode_is_preserved():
    assert "\u2012" in load_unit("BSBCUE605").assessment_conditions[0].text  # figure dash
    assert "\u2013" in load_unit("BSBCUE602").unit_sector  # en dash
    assert "\u2019" in load_unit("BSBOPS505").item("1.2").text  # right single quote


# --- loader API ------------------------------------------------------------------------

def test_all_units_ordered_and_cached():
    units = all_units()
    assert [u.code for u in units] == CODES
    assert all(a is b for a, b in zip(units, all_units()))


def test_lookup_is_case_insensitive_and_cached():
    assert load_unit(" bsbcue605 ") is load_unit("BSBCUE605")


def test_unknown_code_lists_known_codes():
    with pytest.raises(UnknownUnitError) as info:
        load_unit("BSBXYZ999")
    assert isinstance(info.value, LookupError)
    message = str(info.value)
    assert "BSBXYZ999" in message
    assert all(code in message for code in CODES)


def test_item_lookup():
    unit = load_unit("BSBCUE605")
    pc = unit.item("2.5")
    assert isinstance(pc, Criterion) and pc.text == "Establish contingency planning for failure of databases and systems"
    assert pc.element_id == "2"
    pe = unit.item("pe3")
    assert isinstance(pe, Item) and pe.id == "PE3"
    assert unit.item("AC7").text == "Assessors must satisfy NVR/AQTF assessor requirements."
    with pytest.raises(KeyError, match=r"BSBCUE605 has no item 'KE99'.*KE7"):
        unit.item("KE99")


def test_items_by_type_counts():
    groups = load_unit("BSBCUS401").items_by_type()
    assert {k: len(v) for k, v in groups.items()} == {"PC": 12, "PE": 6, "KE": 4, "AC": 9, "FS": 11}
    assert groups["PE"][5].subitems == ("budgeting", "promotion to staff", "documentation and follow up.")


def test_units_are_immutable():
    unit = load_unit("BSBCUE602")
    with pytest.raises(Exception):
        unit.title = "changed"  # type: ignore[misc]
    assert isinstance(unit.elements, tuple) and isinstance(unit.criteria, tuple)


# --- validation of broken data ----------------------------------------------------------

def _valid_data() -> dict:
    return yaml.safe_load((files("helpers.curriculum") / "BSBCUE605.yaml").read_text(encoding="utf-8"))


def _bad_fs_ref(d):
    d["foundation_skills"][0]["criteria"] = ["1.4", "9.9"]


def _pc_in_wrong_element(d):
    d["elements"][0]["criteria"][0]["id"] = "2.9"


def _duplicate_pc(d):
    d["elements"][1]["criteria"][1]["id"] = "2.1"


def _gap_in_pe_ids(d):
    d["performance_evidence"][1]["id"] = "PE7"


def _unknown_field(d):
    d["elements"][0]["colour"] = "red"


@pytest.mark.parametrize(
    "breakage, problem",
    [
        (_bad_fs_ref, "unknown criteria"),
        (_pc_in_wrong_element, "does not belong to element 1"),
        (_duplicate_pc, "duplicate performance criteria ids"),
        (_gap_in_pe_ids, "PE ids must be sequential"),
        (_unknown_field, "colour"),
    ],
)
def test_loader_rejects_broken_data(tmp_path, breakage, problem):
    data = _valid_data()
    breakage(data)
    path = tmp_path / "broken_unit.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="broken_unit.yaml") as info:
        _load_unit_file(path)
    assert problem in str(info.value)


def test_loader_rejects_unparseable_yaml(tmp_path):
    path = tmp_path / "garbled.yaml"
    path.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="garbled.yaml"):
        _load_unit_file(path)


def test_loader_accepts_round_tripped_data(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(_valid_data(), allow_unicode=True), encoding="utf-8")
    assert _load_unit_file(path) == load_unit("BSBCUE605")


# --- status and equivalence, quoted from the texts ------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_status_and_lineage_quotes_occur_in_the_unit_texts(code):
    """Every sentence the matrix and the reports quote for a unit's status, release and links is in
    the text it is attributed to; every link quotes one; a unit whose text states no status says so."""
    unit = load_unit(code)
    source_text(code)  # skips when shared/units is absent
    rows = unit.status_rows()
    for row in rows:
        if not row["quote"]:
            continue
        text = norm((SOURCE_DIR / row["source"]).read_text(encoding="utf-8"))
        for sentence in row["quote"].split(" … "):
            assert norm(sentence) in text, (code, row["field"], sentence, row["source"])
    assert all(r["quote"] for r in rows if r["field"] in ("supersedes", "superseded_by")), code
    assert bool(unit.status_quote) == ("Usage recommendation" in source_text(code))
    if unit.status_quote:
        assert unit.status_quote.split(": ")[1].lower() == unit.status
    for link in unit.lineage:  # the equivalence recorded is the one the quote states
        said = " ".join(link.quotes)
        expected = ("not_equivalent" if "not equivalent" in said else "equivalent" if "equivalent" in said else None)
        assert link.equivalence == expected, (code, link.code)
        assert link.code in said or (link.source_file or "").startswith(link.code)  # BSBOPS505's own text


def test_unstated_links_are_said_plainly():
    old = load_unit("BSBCCO605A")
    assert old.lineage == () and old.status_quote is None and old.release_quote is None
    assert "no text we hold names BSBCCO605A's successor" in old.lineage_note
    assert "Supersedes and is equivalent to BSBCCO605B" in old.lineage_note
    assert "(not stated in the text)" in old.status_rows()[0]["statement"]
    cue = load_unit("BSBCUE605")
    assert "does not say whether BSBMKG621 is equivalent" in cue.lineage_note
    assert [r["statement"] for r in cue.status_rows() if r["field"] == "superseded_by"] == [
        "superseded by BSBMKG621 Develop organisational marketing strategy: equivalence not stated, 18/Oct/2020"]
    successor = [link for link in load_unit("BSBCUE602").lineage if link.relation == "superseded_by"]
    assert [(link.code, link.equivalence, link.source_file) for link in successor] == [
        ("BSBOPS505", "not_equivalent", "BSBOPS505_R1.txt")]
