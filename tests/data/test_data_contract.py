"""The data contract as data (``helpers/tables.yaml`` read by ``helpers.tables``) and the one reader of
mapping files (``helpers.datafile.read_mapping``) behind it, the case studies and ``ccw.json``."""
from __future__ import annotations

import pytest

from helpers.datafile import read_mapping
from helpers.errors import UserFacingError
from helpers.tables import CONTRACT_FILE, DTYPES, TABLES, ContractError, dictionary_markdown, load_contract

GOOD = """\
people:
  meaning: "People."
  key: person_id
  columns:
    - {name: person_id, dtype: string, meaning: "Person key"}
    - for_each: {channel: [email, sms]}
      columns:
        - {name: "consent_{channel}", dtype: string, unit: "yes|no", meaning: "Consent for {channel}"}
        - {name: "consent_{channel}_date", dtype: "datetime64[ns]", nullable: true, meaning: "When ({channel})"}
    - {name: score, dtype: float64, unit: "1-5", nullable: true, meaning: "Score"}
"""


def _contract(tmp_path, text):
    path = tmp_path / "tables.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_for_each_repeats_its_columns_per_value_in_place(tmp_path):
    people = load_contract(_contract(tmp_path, GOOD))["people"]
    assert people.column_names == ["person_id", "consent_email", "consent_email_date", "consent_sms",
                                   "consent_sms_date", "score"]
    sms = people.columns[3]
    assert (sms.dtype, sms.unit, sms.meaning, sms.nullable) == ("string", "yes|no", "Consent for sms", False)
    assert people.columns[4].nullable and people.columns[4].dtype == "datetime64[ns]"
    assert people.columns[0].unit == "" and not people.columns[0].nullable  # the defaults


def test_shipped_contract_is_complete_and_expanded():
    assert load_contract() == TABLES and CONTRACT_FILE.is_file()
    for t in TABLES.values():
        assert t.columns and all(c.dtype in DTYPES and c.meaning for c in t.columns), t.name
        assert not any("{" in c.name or "{channel}" in c.meaning for c in t.columns), t.name
        for key in t.key.split(", "):
            assert key in t.column_names, t.name
    consent = [c for c in TABLES["customers"].column_names if c.startswith("consent_")]
    assert len(consent) == 12 and "consent_post_source" in consent
    md = dictionary_markdown()
    assert all(f"## `{name}`" in md for name in TABLES) and "| `consent_phone_date` |" in md


@pytest.mark.parametrize("edit, says", [
    (lambda s: s.replace("dtype: float64", "dtype: decimal"), "column 'score': dtype: Input should be"),
    (lambda s: s.replace("{channel: [email, sms]}", "[email, sms]"), "for_each needs one {VAR: [values]} mapping"),
    (lambda s: s.replace("name: score", "name: person_id"), "['person_id'] declared more than once"),
    (lambda s: s.replace("key: person_id", "key: person"), "key column(s) ['person']"),
    (lambda s: s.replace('meaning: "Score"', 'meaning: "Score", colour: red'), "column 'score': colour: Extra inputs"),
    (lambda s: s.replace('  meaning: "People."\n', ""), "table 'people': meaning: Field required"),
    (lambda s: "- people\n", "must hold a YAML mapping of tables, got list"),
    (lambda s: s.replace("columns:\n    -", "columns: [\n    -", 1), "not valid YAML"),
])
def test_a_wrong_contract_is_refused_with_what_is_wrong(tmp_path, edit, says):
    path = _contract(tmp_path, edit(GOOD))
    with pytest.raises(ContractError) as exc:
        load_contract(path)
    assert str(path) in str(exc.value) and says in str(exc.value)
    assert isinstance(exc.value, UserFacingError)


class _Mine(UserFacingError):
    pass


def test_read_mapping_names_the_file_the_problem_and_the_line(tmp_path):
    settings = tmp_path / "ccw.json"
    settings.write_text('{"learner": "jsmith",\n oops}', encoding="utf-8")
    with pytest.raises(_Mine) as exc:
        read_mapping(settings, "workspace settings", error=_Mine, advice="fix or delete it")
    assert str(exc.value) == (f"workspace settings {settings} is not valid JSON (Expecting property name enclosed "
                              "in double quotes at line 2): fix or delete it")
    settings.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(_Mine, match=r'must hold a JSON object like \{"learner": "jsmith"\}, got list'):
        read_mapping(settings, "workspace settings", error=_Mine, shape='like {"learner": "jsmith"}')
    settings.write_text('{"learner": "jsmith"}', encoding="utf-8")
    assert read_mapping(settings, "workspace settings") == {"learner": "jsmith"}

    case = tmp_path / "casestudy.yaml"
    case.write_text("slug: x\nqueues:\n  - [unclosed\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match=r"case study .*casestudy.yaml is not valid YAML \(.* at line \d+\)"):
        read_mapping(case, "case study")
    case.write_text("", encoding="utf-8")
    with pytest.raises(UserFacingError, match="got nothing"):
        read_mapping(case, "case study")
    case.write_text("slug: x\nstart: 2025-07-01\n", encoding="utf-8")
    got = read_mapping(case, "case study")
    assert got["slug"] == "x" and str(got["start"]) == "2025-07-01"  # YAML dates as the safe loader makes them
