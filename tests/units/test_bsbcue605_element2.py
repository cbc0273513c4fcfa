"""BSBCUE605 element 2 (PCs 2.1-2.5): the trusted checks assess the performance each PC describes, on the
practice data with the notebook's reference answers (issue 13, validation findings F3, F4, F5, F7, F9).

Each test runs the exact input the independent validator used to show a check passing a non-answer (it must
now fail) and a sound answer written differently from the reference (it must pass)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from ccw_grader import all_checks
from placeholder_support import as_data, run_reference

ROOT = Path(__file__).resolve().parents[2]
NB02 = ROOT / "notebooks" / "BSBCUE605" / "02_marketing_database.ipynb"


@pytest.fixture(scope="module")
def ref():
    with contextlib.redirect_stdout(io.StringIO()):
        ns = run_reference(NB02)
    return as_data(ns, ["MARKETING_DDL", "COLUMN_MAPPING", "ELIGIBLE_EMAIL_QUERY", "ENHANCEMENT_SQL",
                        "reported_defects", "CONTINGENCY_PLAN"])


def _run(gid, data, **answers):
    return all_checks()[("BSBCUE605", gid)].run(data, **answers)


def _failed(fs) -> dict:
    return {f.item: f.message for f in fs if not f.passed}


# ------------------------------------------------------------------ 2.1 (F3): the structure is assessed too
def _flattened(ddl: str) -> str:
    """The validator's design: the reference with offers and contacts as numbered columns on the customer row
    and every FOREIGN KEY removed."""
    ddl = re.sub(r"\s+REFERENCES\s+\w+\s*\(\s*\w+\s*\)(\s+ON DELETE CASCADE)?", "", ddl)
    return ddl.replace("    created_at              TIMESTAMP NOT NULL,",
                       "    offer_1 TEXT, offer_2 TEXT, offer_3 TEXT, contact_1 TEXT, contact_2 TEXT,\n"
                       "    created_at              TIMESTAMP NOT NULL,")


def test_design_with_repeating_groups_and_no_foreign_keys_fails(data, ref):
    good = _run("ddl_check", data, MARKETING_DDL=ref["MARKETING_DDL"], COLUMN_MAPPING=ref["COLUMN_MAPPING"])
    assert good.all_passed, _failed(good)
    assert {"repeating_groups", "foreign_keys", "primary_keys"} <= {f.item for f in good}
    flat = _flattened(ref["MARKETING_DDL"])
    assert "offer_1" in flat and "REFERENCES" not in flat
    bad = _failed(_run("ddl_check", data, MARKETING_DDL=flat, COLUMN_MAPPING=ref["COLUMN_MAPPING"]))
    assert {"repeating_groups", "foreign_keys"} <= set(bad), bad


def test_ddl_check_claims_no_numeracy():   # F9: writing DDL evidences no numeracy
    nb = nbformat.read(NB02, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ddl_check")
    assert "FS-NU1" not in cell.metadata["competency"]["evidence"]


# ------------------------------------------------------------------ 2.3 (F3, F7): an enhancement that serves selection
OWN_EMAIL_VIEW = """
CREATE INDEX consent_kind ON consents (consent_type);
CREATE VIEW retention_mailing AS
    SELECT k.customer_id FROM consents AS k JOIN customers AS c USING (customer_id)
    WHERE k.channel = 'email' AND k.consent_type IN ('express', 'inferred') AND c.unsubscribed_at IS NULL
      AND k.customer_id NOT IN (SELECT customer_id FROM offers WHERE channel = 'email' AND response = 'opted_out');
"""


def _enhance(data, ref, sql):
    return _run("enhance_check", data, MARKETING_DDL=ref["MARKETING_DDL"], COLUMN_MAPPING=ref["COLUMN_MAPPING"],
                ELIGIBLE_EMAIL_QUERY=ref["ELIGIBLE_EMAIL_QUERY"], ENHANCEMENT_SQL=sql)


def test_reference_and_an_own_selection_view_pass(data, ref):
    fs = _enhance(data, ref, ref["ENHANCEMENT_SQL"])
    assert fs.all_passed, _failed(fs)
    own = _enhance(data, ref, OWN_EMAIL_VIEW)
    assert own.all_passed, _failed(own)


@pytest.mark.parametrize("sql", [
    "CREATE VIEW v AS SELECT 1 AS x; CREATE INDEX i ON customers (customer_id);",       # the validator's
    "CREATE VIEW everyone AS SELECT customer_id FROM customers; CREATE INDEX i ON customers (residential_state);",
    # phone selection that ignores the age of the Register wash: stale washes are not lawful at the data's date
    "CREATE INDEX i ON consents (consent_type); CREATE VIEW callable AS SELECT c.customer_id FROM customers c "
    "JOIN consents k ON k.customer_id = c.customer_id AND k.channel = 'phone' WHERE k.consent_type = 'express' "
    "OR (k.consent_type = 'inferred' AND c.dncr_registered = 0);",
    "CREATE INDEX i ON consents (consent_type); CREATE VIEW few AS SELECT customer_id FROM consents "
    "WHERE channel = 'phone' AND consent_type = 'express' LIMIT 3;",
])
def test_views_that_select_nothing_lawful_or_useful_fail(data, ref, sql):
    assert not _enhance(data, ref, sql).all_passed


def test_an_index_the_selection_does_not_use_is_not_counted(data, ref):
    sql = OWN_EMAIL_VIEW.replace("CREATE INDEX consent_kind ON consents (consent_type);",
                                 "CREATE INDEX state ON customers (residential_state);")
    fs = _enhance(data, ref, sql)
    assert not fs.all_passed and "no selection view uses residential_state" in " ".join(_failed(fs).values())


def test_reference_view_uses_the_date_of_the_data_not_the_clock(ref):
    assert "date('now'" not in ref["ENHANCEMENT_SQL"].lower()
    assert "max(updated_at)" in ref["ENHANCEMENT_SQL"]


# ------------------------------------------------------------------ 2.4 (F4): each defect under its own kind
def _by_kind(truth) -> dict:
    return {k: sorted(g["record_id"].astype(str)) for k, g in truth.groupby("kind")}


def test_defects_filed_under_the_wrong_kind_fail(data):
    truth = data.defects()
    right = _by_kind(truth)
    assert _run("defects_check", data, reported_defects=right).all_passed
    # the validator's: every id under malformed_email (the other kinds listed, empty, to pass the shape check)
    everything = sorted(truth["record_id"].astype(str).unique())
    lumped = {k: [] for k in right} | {"malformed_email": everything}
    bad = _failed(_run("defects_check", data, reported_defects=lumped))
    assert {"detection", "compliance"} <= set(bad), bad
    # compliance breaches swapped between their classes: each found, but not as what it is
    swapped = dict(right, offer_to_dncr=right["offer_to_opted_out"], offer_to_opted_out=right["offer_to_dncr"])
    assert "compliance" in _failed(_run("defects_check", data, reported_defects=swapped))


def test_a_sound_report_with_a_few_misses_passes(data):
    right = _by_kind(data.defects())
    sound = {k: list(reversed(v[: max(1, int(len(v) * 0.9))])) for k, v in right.items()}
    fs = _run("defects_check", data, reported_defects=sound)
    assert fs.all_passed, _failed(fs)


# ------------------------------------------------------------------ 2.5 (F5): the RTO from the business impact
def _with_crm_rto(plan: str, minutes: int) -> str:
    doc = yaml.safe_load(plan)
    next(s for s in doc["scenarios"] if s["kind"] == "crm_failure")["rto_minutes"] = minutes
    return yaml.safe_dump(doc, sort_keys=False)


def _crm_simulation(data, plan):
    from helpers import contingency
    from helpers.generator.outages import of_dataset
    cs = data.cs
    crm = next(o for o in of_dataset(data.ds) if o.system == "crm")
    return contingency.simulate_plan(plan, data.ds.calls, crm.model_dump(), cs.contingency.callback_capacity_per_hour,
                                     cs.contingency.records_per_hour_rekey)


def test_an_inflated_rto_fails_and_one_within_the_business_impact_passes(data, ref):
    assert _run("plan_check", data, CONTINGENCY_PLAN=ref["CONTINGENCY_PLAN"]).all_passed
    inflated = _with_crm_rto(ref["CONTINGENCY_PLAN"], 3 * 24 * 60)   # the validator's: up to MAX_RTO_MINUTES passed
    bad = _failed(_run("plan_check", data, CONTINGENCY_PLAN=inflated))
    assert set(bad) == {"rto"} and "business impact" in bad["rto"], bad
    sim = _crm_simulation(data, ref["CONTINGENCY_PLAN"])
    assert sim.duration_min < sim.max_outage_min
    just_fits = _with_crm_rto(ref["CONTINGENCY_PLAN"], int(sim.duration_min) + 5)   # a sound, different RTO
    fs = _run("plan_check", data, CONTINGENCY_PLAN=just_fits)
    assert fs.all_passed, _failed(fs)
    too_short = _with_crm_rto(ref["CONTINGENCY_PLAN"], int(sim.duration_min) - 30)
    assert "rto" in _failed(_run("plan_check", data, CONTINGENCY_PLAN=too_short))


def test_plan_principles_benchmark_states_the_business_impact_principle():
    nb = nbformat.read(NB02, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "plan_principles")
    assert "set from how long the CRM outage" not in cell.metadata["benchmark"]
    assert "business impact" in cell.metadata["benchmark"] and "working day" in cell.metadata["benchmark"]
