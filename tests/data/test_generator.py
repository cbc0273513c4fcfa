"""generate(): the tables follow the data contract and are internally consistent and deterministic."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from helpers.casestudy import load_case_study
from helpers.generator import STEPS, generate
from helpers.generator.calendar import NATIONAL_HOLIDAYS, working_days_between
from helpers.generator.outages import of_dataset
from helpers.providers.au_customer import state_of_postcode
from helpers.providers.au_customer.en_AU import Provider as AU
from helpers.tables import TABLES

DTYPES = {"string": "string", "float64": "float64", "bool": "bool", "datetime64[ns]": "datetime64[ns]",
          "date": "datetime64[ns]", "int64": "int64"}


@pytest.fixture(scope="module")
def ds():
    return generate("lyrebird-energy", seed=11, learner="tester")


def defect_ids(ds, kind=None, table=None) -> set:
    d = ds.defects
    if kind:
        d = d[d["kind"] == kind]
    if table:
        d = d[d["table"] == table]
    return set(d["record_id"])


def test_every_table_follows_the_contract(ds):
    assert list(ds.tables) == list(TABLES)
    for name, spec in TABLES.items():
        df = ds.tables[name]
        assert list(df.columns) == spec.column_names, name
        assert len(df) > 0, name
        for col in spec.columns:
            assert str(df[col.name].dtype) == DTYPES[col.dtype], (name, col.name, df[col.name].dtype)
            if not col.nullable:
                assert not df[col.name].isna().any(), (name, col.name)
        key = [k.strip() for k in spec.key.split(",")]  # a composite key is written "a, b, c"
        assert not df.duplicated(subset=key).any(), name


def test_keys_join_up(ds):
    c, calls = set(ds.customers.customer_id), ds.calls
    # callers come from all the organisation's accounts; the customers table is the extract of some of
    # them: ids outside it are account numbers of the same form that the extract does not use
    outside = calls.customer_id.dropna()[~calls.customer_id.dropna().isin(c)]
    assert outside.str.fullmatch(r"C\d{7}").all() and 0 < outside.nunique()
    assert calls.customer_id.isin(c).sum() > 500  # the extract's own customers call too
    assert set(calls.agent_id.dropna()) <= set(ds.agents.agent_id)
    assert set(ds.shifts.agent_id) <= set(ds.agents[ds.agents.role == "agent"].agent_id)
    assert set(ds.holdings.customer_id) <= c and set(ds.holdings.product_id) <= set(ds.products.product_id)
    assert set(ds.offers.campaign_id) <= set(ds.campaigns.campaign_id) and set(ds.offers.customer_id) <= c
    sold = calls.set_index("call_id").loc[ds.sales.call_id]
    assert (sold.outcome == "sale").all() and len(ds.sales) == (calls.outcome == "sale").sum()
    extract_sales = ds.sales[ds.sales.customer_id.isin(c)]
    assert extract_sales.sale_id.size and set(extract_sales.customer_id) <= set(ds.holdings.customer_id)
    assert (ds.sales.customer_id.to_numpy() == sold.customer_id.to_numpy()).all()
    surveyed = calls.set_index("call_id").loc[ds.surveys.call_id]
    assert surveyed.answered_at.notna().all()
    assert set(ds.complaints.call_id.dropna()) <= set(calls.call_id)
    assert set(calls.incident_id.dropna()) <= set(ds.incidents.incident_id)
    assert set(calls.campaign_id.dropna()) <= set(ds.campaigns.campaign_id)


def test_calls_are_internally_consistent(ds):
    bad = defect_ids(ds, table="calls")
    c = ds.calls[~ds.calls.call_id.isin(bad)]
    assert set(c.queue) == set(load_case_study().queue_names)
    lost, ab = c.outcome == "lost", c.abandoned
    ans = ~lost & ~ab
    assert (c.outcome[ab] == "abandoned").all() and not (lost & ab).any()
    for col in ("talk_s", "hold_s", "wrap_s"):
        assert (c.loc[~ans, col] == 0).all() and (c.loc[ans, col] >= 0).all()
    assert c.loc[~ans, "answered_at"].isna().all() and c.loc[~ans, "agent_id"].isna().all()
    assert c.loc[ans, "agent_id"].notna().all()
    wait = (c.answered_at - c.arrived_at).dt.total_seconds()
    assert np.allclose(wait[ans], c.wait_s[ans])
    assert (c.wait_s[lost] == 0).all() and (c.wait_s >= 0).all()
    end = c.answered_at + pd.to_timedelta(c.talk_s + c.hold_s, unit="s")
    assert (c.ended_at[ans] == end[ans]).all()
    assert (c.ended_at[ab] == c.arrived_at[ab] + pd.to_timedelta(c.wait_s[ab], unit="s")).all()
    assert c.outcome[ans].isin(["resolved", "unresolved", "sale", "no_sale", "callback"]).all()
    sales_q = c.queue == "sales"
    assert c.outcome[ans & sales_q].isin(["sale", "no_sale", "callback"]).all()
    assert not c.outcome[ans & ~sales_q].isin(["sale", "no_sale"]).any()
    assert (c.arrived_at.diff().dropna() >= pd.Timedelta(0)).all()  # call ids follow arrival order


def test_calls_answered_by_an_agent_on_shift(ds):
    c = ds.calls[ds.calls.answered_at.notna() & ~ds.calls.call_id.isin(defect_ids(ds, table="calls"))]
    s = ds.shifts[~ds.shifts.absent]
    m = c[["call_id", "agent_id", "answered_at"]].merge(s[["agent_id", "rostered_start", "rostered_end"]], on="agent_id")
    on = m[(m.answered_at >= m.rostered_start) & (m.answered_at < m.rostered_end)]
    assert set(on.call_id) == set(c.call_id)  # every answer falls in a (non-absent) shift of its agent


def test_is_repeat_means_same_customer_same_reason_within_7_days(ds):
    c = ds.calls[ds.calls.customer_id.notna()].sort_values(["customer_id", "reason", "arrived_at"])
    prev = c.groupby(["customer_id", "reason"]).arrived_at.shift()
    expected = (c.arrived_at - prev) <= pd.Timedelta(days=7)
    assert (expected == c.is_repeat).all()
    assert not ds.calls[ds.calls.customer_id.isna()].is_repeat.any()
    assert 0.03 < ds.calls.is_repeat.mean() < 0.3


def test_outages_change_what_happens(ds):
    c = ds.calls
    outages = of_dataset(ds)  # the learner's own outage times (helpers.generator.outages)
    assert {o.system for o in outages} == {o.system for o in load_case_study().outages}
    for o in outages:
        window = c[(c.arrived_at >= o.start) & (c.arrived_at < o.end)]
        if o.system == "telephony":
            assert len(window) and (window.outcome == "lost").all() and (window.incident_id == o.id).all()
        if o.system == "ivr":
            assert (window.outcome == "lost").mean() > 0.15 and (window.queue == "customer_service").mean() > 0.6
        if o.system == "crm":
            ans = window[window.answered_at.notna()]
            assert (ans.outcome == "callback").mean() > 0.15 and (window.incident_id == o.id).all()
    lost_in = [o.id for o in outages if o.system in ("telephony", "ivr")]
    assert (c.outcome == "lost").any() and (c.incident_id[c.outcome == "lost"].isin(lost_in)).all()


def test_safe_synthetic_identities(ds):
    bad = defect_ids(ds, table="customers")
    cu = ds.customers[~ds.customers.customer_id.isin(bad)]
    assert cu.email.dropna().str.fullmatch(r"[a-z0-9._]+@example\.(com|net|org)").all()
    assert cu.mobile.dropna().str.fullmatch(r"0491 57\d \d{3}").all()
    land = cu.landline.dropna().str.extract(r"^\((0[2378])\) (5550|7010) \d{4}$")
    assert land.notna().all().all()
    area = cu.loc[cu.landline.notna(), "residential_state"].map(AU.area_codes).to_numpy()
    assert (land[0].to_numpy() == area).all()
    assert cu.mobile.dropna().is_unique and cu.landline.dropna().is_unique and cu.email.dropna().is_unique


def test_customer_records_are_consistent(ds):
    bad = defect_ids(ds, table="customers")
    cu = ds.customers[~ds.customers.customer_id.isin(bad)]
    states = cu.residential_postcode.map(lambda p: state_of_postcode(p, AU.postcode_ranges))
    assert (states == cu.residential_state).all()
    assert (cu.timezone == cu.residential_state.map(AU.timezones)).all()
    for ch in ("email", "sms", "phone", "post"):
        none = cu[f"consent_{ch}"] == "none"
        assert cu.loc[none, f"consent_{ch}_date"].isna().all() and cu.loc[~none, f"consent_{ch}_date"].notna().all()
    assert (cu.consent_email[cu.email.isna()] == "none").all()
    unsub = cu[cu.unsubscribed_at.notna()]
    assert (unsub.consent_email == "withdrawn").all()
    assert (working_days_between(unsub.unsubscribed_at.to_numpy(), unsub.unsubscribe_actioned_at.to_numpy()) <= 5).all()
    assert ((cu.status == "churned") == cu.churned_at.notna()).all()
    assert (cu.updated_at >= cu.created_at).all()
    assert cu.dncr_registered.mean() > 0.05


def _permitted(centre_times: pd.Series, tz: pd.Series) -> np.ndarray:
    """Independent check with zoneinfo: local time in 9-20 weekdays, 9-17 Saturday, no Sunday/holiday."""
    holidays = set(pd.DatetimeIndex(NATIONAL_HOLIDAYS).date)
    out = []
    for t, z in zip(centre_times, tz):
        local = t.to_pydatetime().replace(tzinfo=ZoneInfo("Australia/Sydney")).astimezone(ZoneInfo(z))
        h = local.hour + local.minute / 60
        wd = local.weekday()
        ok = (wd < 5 and 9 <= h < 20) or (wd == 5 and 9 <= h < 17)
        out.append(ok and local.date() not in holidays)
    return np.array(out)


def test_offers_follow_marketing_rules_except_the_defects(ds):
    o = ds.offers.merge(ds.customers, on="customer_id", suffixes=("", "_c"))
    bad = defect_ids(ds, table="offers")
    ok = o[~o.offer_id.isin(bad)]
    phone = ok[ok.channel == "phone"]
    assert len(phone) > 100
    assert not phone.dncr_registered.any()
    assert _permitted(phone.offered_at, phone.timezone).all()
    for ch in ("email", "sms", "phone", "post"):
        x = ok[ok.channel == ch]
        assert x[f"consent_{ch}"].isin(["express", "inferred", "withdrawn"]).all()
        late = (x[f"consent_{ch}"] == "withdrawn") & (x.offered_at > x[f"consent_{ch}_date"])
        assert not late.any(), ch
    opted = ok[ok.response == "opted_out"]
    assert len(opted) and (opted.responded_at.notna()).all()
    flagged = o[o.offer_id.isin(defect_ids(ds, "offer_outside_hours"))]
    assert len(flagged) and not _permitted(flagged.offered_at, flagged.timezone).any()
    dncr = o[o.offer_id.isin(defect_ids(ds, "offer_to_dncr"))]
    assert len(dncr) and dncr.dncr_registered.all() and (dncr.consent_phone != "express").all()


def test_same_arguments_same_data_and_learners_differ(ds):
    again = generate("lyrebird-energy", seed=11, learner="tester", days=28)
    for name in ds.tables:
        pd.testing.assert_frame_equal(ds.tables[name], again.tables[name])
    pd.testing.assert_frame_equal(ds.defects, again.defects)
    other = generate("lyrebird-energy", seed=11, learner="someone-else", days=7)
    assert other.meta["organisation"] == ds.meta["organisation"]
    pd.testing.assert_frame_equal(other.products, ds.products)
    assert not other.customers.first_name.head(50).equals(ds.customers.first_name.head(50))
    assert other.calls.arrived_at.max() < pd.Timestamp("2025-05-12")


def test_progress_and_bad_arguments():
    steps = []
    generate(seed=1, days=1, progress=steps.append)
    assert steps == list(STEPS)
    for kwargs, says in [({"seed": -1}, "non-negative"), ({"seed": True}, "non-negative"), ({"seed": "7"}, "integer"),
                         ({"seed": 1, "days": 0}, "between 1 and 366"), ({"seed": 1, "days": 2.5}, "whole number"),
                         ({"seed": 1, "learner": "a/b"}, "learner id"), ({"seed": 1, "learner": ""}, "learner id"),
                         ({"seed": 1, "learner": "_practice"}, "starting with a letter or digit"),
                         ({"seed": 1, "learner": "a+b"}, "learner id"), ({"seed": 1, "learner": 7}, "learner id")]:
        with pytest.raises(ValueError, match=says):
            generate("lyrebird-energy", **kwargs)


def test_meta_has_no_wall_clock(ds):
    assert ds.meta["generated_at"].startswith(ds.meta["period_end"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", ds.meta["period_start"])
    assert ds.meta["learner"] == "tester" and ds.meta["seed"] == 11
