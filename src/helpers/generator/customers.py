"""The customers table (the marketing database's master records) and holdings, sampled from pools.

Everything is vectorised over customers: Faker is only used to build the pools. Consent per channel
(express | inferred | none | withdrawn, with source and date), Do Not Call Register status at the last
wash, unsubscribe received/actioned, and the customer's time zone (from the residential state, for
permitted calling hours). For a withdrawn consent, ``consent_<ch>_date`` is the withdrawal date.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

import pyarrow as pa
import pyarrow.compute as pc

from helpers.casestudy import CaseStudy
from helpers.generator.calendar import add_working_days
from helpers.generator.frames import (arrow, cat, conform, digits, ids, nat_where, number_pool, pick, strings, take,
                                      where, with_nulls)
from helpers.generator.pools import Pools
from helpers.providers.au_customer.en_AU import Provider as AU
from helpers.providers.products_held import sample_holdings

DAY_NS = np.timedelta64(86_400_000_000_000, "ns")
CHANNELS = ("email", "sms", "phone", "post")
CONSENT_LEVELS = np.array(["express", "inferred", "none", "withdrawn"], dtype=object)
# P(express, inferred, none, withdrawn) per channel among customers who have that contact detail.
CONSENT_P = {"email": (0.52, 0.26, 0.13, 0.09), "sms": (0.38, 0.22, 0.32, 0.08),
             "phone": (0.30, 0.36, 0.27, 0.07), "post": (0.20, 0.62, 0.14, 0.04)}
DNCR_SHARE = 0.2


def days(x) -> np.ndarray:
    return (np.asarray(x, dtype=np.float64) * 86_400e9).astype(np.int64).astype("timedelta64[ns]")


@lru_cache(maxsize=1)
def _suburb_table():
    states = list(AU.state_weights)
    weights = np.array([AU.state_weights[s] for s in states])
    sub, pc, st, start, count = [], [], [], [], []
    for s in states:
        start.append(len(sub))
        count.append(len(AU.suburbs[s]))
        for name, code in AU.suburbs[s]:
            sub.append(name), pc.append(code), st.append(s)
    return (np.array(states, dtype=object), weights / weights.sum(), strings(sub), strings(pc),
            strings(st), np.array(start), np.array(count))


def _suburbs(rng, state_idx):
    _, _, sub, pc, _, start, count = _suburb_table()
    k = start[state_idx] + (rng.random(state_idx.size) * count[state_idx]).astype(np.int64)
    return take(sub, k), take(pc, k)


@lru_cache(maxsize=1)
def _unit_pool() -> pa.Array:
    return strings([""] + [f"Unit {i}/" for i in range(1, 41)])


@lru_cache(maxsize=4)
def _landline_pool(codes: tuple) -> pa.Array:
    """Every fictitious landline per area code: (0X) 5550 0000-9999 then (0X) 7010 0000-9999."""
    parts = [digits(f"({c}) {ex} ####", np.arange(10_000)) for c in codes for ex in AU.landline_exchanges]
    return pa.concat_arrays(parts)


# E-mail local parts as A + separator + B + suffix: first.last, firstlast, f.last, first_last,
# first.lastNN, last.first, flastNN.
_EMAIL_A = np.array([0, 0, 1, 0, 0, 2, 1])      # 0 first, 1 initial, 2 last
_EMAIL_B_FIRST = np.array([0, 0, 0, 0, 0, 1, 0], dtype=bool)
_EMAIL_SEP = np.array([1, 0, 1, 2, 1, 1, 0])    # "", ".", "_"
_EMAIL_NN = np.array([0, 0, 0, 0, 1, 0, 1], dtype=bool)


def _emails(rng, pools: Pools, fi: np.ndarray, li: np.ndarray):
    """E-mail addresses derived from the names on reserved example domains, unique per customer."""
    n = fi.size
    form = rng.integers(0, len(_EMAIL_A), n)
    nn = rng.integers(1, 100, n)
    first, last = take(pools.first_names_ascii, fi), take(pools.last_names_ascii, li)
    initial = take(pc.utf8_slice_codeunits(pools.first_names_ascii, 0, 1), fi)
    a = pc.choose(pa.array(_EMAIL_A[form].astype(np.int8)), first, initial, last)
    b = where(_EMAIL_B_FIRST[form], first, last)
    sep = take(strings(["", ".", "_"]), _EMAIL_SEP[form])
    suffix = take(number_pool(0, 100, width=2), np.where(_EMAIL_NN[form], nn, 0))
    suffix = where(_EMAIL_NN[form], suffix, "")
    # Same name, form and number -> same address: make the later ones unique with a number.
    ids_a = np.stack([pools.first_vid[fi], pools.initial_vid[fi], pools.last_vid[li]])
    a_id = np.take_along_axis(ids_a, _EMAIL_A[form][None, :], axis=0)[0]
    b_id = np.where(_EMAIL_B_FIRST[form], pools.first_vid[fi], pools.last_vid[li])
    v = int(max(pools.first_vid.max(), pools.last_vid.max(), pools.initial_vid.max())) + 1
    key = ((a_id * v + b_id) * 3 + _EMAIL_SEP[form]) * 100 + np.where(_EMAIL_NN[form], nn, 0)
    order = np.argsort(key, kind="stable")
    dup = np.zeros(n, dtype=bool)
    dup[order[1:]] = key[order[1:]] == key[order[:-1]]
    suffix = where(dup, take(number_pool(100, 100 + n), np.arange(n)), suffix)
    domain = pick(rng, strings(["@" + d for d in AU.email_domains]), n)
    return cat(a, sep, b, suffix, domain), key


def _unique_numbers(rng, n: int, space: int) -> np.ndarray:
    """n distinct integers from range(space) while possible (numbers are not shared by customers)."""
    if n <= space:
        return rng.permutation(space)[:n]
    return np.concatenate([rng.permutation(space), rng.integers(0, space, n - space)])


def account_space(cs: CaseStudy) -> int:
    """Account numbers run from 1 to this (every account ever opened, not just the extract's)."""
    accounts = cs.organisation.accounts or 15 * cs.organisation.customers
    return int(round(max(accounts, cs.organisation.customers) * 1.4))


def id_strings(numbers: np.ndarray) -> pa.Array:
    """Account numbers -> customer ids ``C`` + 7 digits."""
    return digits("C#######", np.asarray(numbers, dtype=np.int64))


def account_ids(cs: CaseStudy, rng: np.random.Generator, joined: np.ndarray) -> pa.Array:
    """Customer ids of the extract: a sample of the organisation's account numbers, issued in order of
    joining (an older customer has a lower number), so ids are sparse and not in row order."""
    n = joined.size
    numbers = np.sort(rng.choice(account_space(cs), n, replace=False) + 1)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(joined, kind="stable")] = np.arange(n)
    return id_strings(numbers[rank])


def make_customers(cs: CaseStudy, pools: Pools, rng: np.random.Generator, n: int, t0: np.datetime64) -> pd.DataFrame:
    """n customers as a frame with the contract's columns (consents, DNCR, unsubscribes included)."""
    t0 = np.datetime64(t0, "ns")
    segs = cs.segments
    seg = rng.choice(len(segs), n, p=np.array([s.share for s in segs]) / sum(s.share for s in segs))
    seg_names_all = [s.name for s in segs]
    business = np.array([s.business for s in segs])[seg]
    lo = np.array([s.age_range[0] for s in segs])[seg]
    hi = np.array([s.age_range[1] for s in segs])[seg]
    age = lo + rng.random(n) * (hi - lo + 1)
    senior = age >= 65

    fi = rng.integers(0, len(pools.first_names), n)
    li = rng.integers(0, len(pools.last_names), n)
    first, last = take(pools.first_names, fi), take(pools.last_names, li)
    dob = (t0 - days(np.floor(age * 365.25))).astype("datetime64[D]").astype("datetime64[ns]")

    occupation = pick(rng, pools.occupations, n)
    u = rng.random(n)
    occupation = where((age >= 66) & (u < 0.85), "Retired", occupation)
    occupation = where((age < 22) & (u < 0.6), "Student", occupation)
    occupation = where(business & (u < 0.5), "Business owner", occupation)

    states, state_w, *_ = _suburb_table()
    state_idx = rng.choice(len(states), n, p=state_w)
    state = take(strings(states), state_idx)
    suburb, postcode = _suburbs(rng, state_idx)
    # Addresses are joined once from pre-formatted pools ("Unit 4/", "17 ", street name).
    unit_idx = np.where(rng.random(n) < AU.unit_share, rng.integers(1, 41, n), 0)
    units = _unit_pool()
    street = cat(take(units, unit_idx), take(number_pool(1, 241, suffix=" "), rng.integers(0, 240, n)),
                 pick(rng, pools.streets, n))
    po_box = rng.random(n) < AU.po_box_share
    postal_street = where(po_box, pick(rng, number_pool(10, 10000, prefix="PO Box "), n), street)

    b_same = rng.random(n) < 0.6
    b_suburb, b_postcode = _suburbs(rng, state_idx)
    b_street = cat(take(number_pool(1, 241, suffix=" "), rng.integers(0, 240, n)), pick(rng, pools.streets, n))
    nb = ~business
    business_name = with_nulls(pick(rng, pools.companies, n), nb)
    business_street = with_nulls(where(b_same, street, b_street), nb)
    business_suburb = with_nulls(where(b_same, suburb, b_suburb), nb)
    business_state = with_nulls(state, nb)
    business_postcode = with_nulls(where(b_same, postcode, b_postcode), nb)

    email, dup_key = _emails(rng, pools, fi, li)
    has_email = rng.random(n) < np.where(senior, 0.72, 0.93)

    has_mobile = rng.random(n) < np.where(senior, 0.75, 0.93)
    k = np.zeros(n, dtype=np.int64)
    k[has_mobile] = _unique_numbers(rng, int(has_mobile.sum()), 10_000)
    mob = digits(AU.mobile_prefix + "# ###", k)
    has_land = rng.random(n) < np.where(senior, 0.7, np.where(business, 0.8, 0.28))
    area_codes = np.array([AU.area_codes[s] for s in states], dtype=object)
    codes = sorted(set(area_codes.tolist()))
    area_pos = np.array([codes.index(c) for c in area_codes])[state_idx]
    land_no = np.zeros(n, dtype=np.int64)
    for j in range(len(codes)):
        m = has_land & (area_pos == j)
        land_no[m] = _unique_numbers(rng, int(m.sum()), 20_000)
    land = take(_landline_pool(tuple(codes)), area_pos * 20_000 + land_no)
    tz = take(strings([AU.timezones[s] for s in states]), state_idx)

    # Relationship: joined up to 15 years ago (more recent more likely); some left before the period.
    tenure_days = np.minimum(rng.exponential(3.5 * 365, n), 15 * 365) + 20
    joined = (t0 - days(tenure_days)).astype("datetime64[s]").astype("datetime64[ns]")
    churned_before = rng.random(n) < 0.07
    churned_at = nat_where(joined + days(rng.random(n) * (tenure_days - 10)), ~churned_before)
    status = where(churned_before, "churned", "active")
    src_w = np.array(AU.data_source_weights) / sum(AU.data_source_weights)
    data_source = take(strings(AU.data_sources), rng.choice(len(src_w), n, p=src_w))

    cols: dict[str, np.ndarray] = {
        "customer_id": account_ids(cs, rng, joined), "first_name": first, "last_name": last,
        "date_of_birth": nat_where(dob, rng.random(n) < 0.02),
        "occupation": with_nulls(occupation, rng.random(n) < 0.06), "segment": take(strings(seg_names_all), seg),
        "email": with_nulls(email, ~has_email), "mobile": with_nulls(mob, ~has_mobile),
        "landline": with_nulls(land, ~has_land),
        "residential_street": street, "residential_suburb": suburb, "residential_state": state,
        "residential_postcode": postcode, "postal_street": postal_street, "postal_suburb": suburb,
        "postal_state": state, "postal_postcode": postcode, "business_name": business_name,
        "business_street": business_street, "business_suburb": business_suburb,
        "business_state": business_state, "business_postcode": business_postcode, "timezone": tz,
        "joined_at": joined, "status": status, "churned_at": churned_at, "data_source": data_source,
    }
    has = {"email": has_email, "sms": has_mobile, "phone": has_mobile | has_land, "post": np.ones(n, bool)}
    sources = strings(AU.consent_sources)
    levels = strings(CONSENT_LEVELS)
    horizon = (t0 - joined) / DAY_NS
    for ch in CHANNELS:
        level_idx = np.where(has[ch], rng.choice(4, n, p=CONSENT_P[ch]), 2)
        given = joined + days(rng.random(n) * np.minimum(horizon, 30))
        withdrawn_at = joined + days(horizon * (0.2 + 0.8 * rng.random(n)))
        date = np.where(level_idx == 3, withdrawn_at, given)
        none = level_idx == 2
        cols[f"consent_{ch}"] = take(levels, level_idx)
        cols[f"_consent_{ch}_idx"] = level_idx
        cols[f"consent_{ch}_source"] = with_nulls(pick(rng, sources, n), none)
        cols[f"consent_{ch}_date"] = nat_where(date, none)

    any_phone = has_mobile | has_land
    wash = (t0 - 7 * DAY_NS).astype("datetime64[D]").astype("datetime64[ns]") + np.timedelta64(90, "m")
    washed = np.where(joined > wash, joined + np.timedelta64(1, "h"), wash)
    cols["dncr_registered"] = any_phone & (rng.random(n) < DNCR_SHARE)
    cols["dncr_washed_at"] = nat_where(washed, ~any_phone)
    wash_days, inverse = np.unique(washed.astype("datetime64[D]"), return_inverse=True)
    ref = take(strings([f"WR-{d.astype(object):%Y%m%d}" for d in wash_days]), inverse)
    cols["dncr_wash_ref"] = with_nulls(ref, ~any_phone)
    unsub = cols.pop("_consent_email_idx") == 3
    for ch in CHANNELS[1:]:
        cols.pop(f"_consent_{ch}_idx")
    cols["unsubscribed_at"] = nat_where(cols["consent_email_date"], ~unsub)
    cols["unsubscribe_actioned_at"] = nat_where(
        add_working_days(cols["consent_email_date"], rng.integers(0, 4, n)) + days(rng.random(n) * 0.2), ~unsub)
    cols["created_at"] = joined
    cols["updated_at"] = joined  # set by finish_customers once every change is known
    return conform("customers", cols)


def finish_customers(customers: pd.DataFrame, rng: np.random.Generator, period_end: np.datetime64) -> pd.DataFrame:
    """``updated_at`` = the latest change to each record (consents, unsubscribe, churn), before the end."""
    change_cols = ["created_at", "churned_at", "unsubscribe_actioned_at"] + [f"consent_{c}_date" for c in CHANNELS]
    latest = customers[change_cols].max(axis=1).to_numpy(dtype="datetime64[ns]")
    bump = days(rng.random(len(customers)) * 2)
    upd = np.minimum(latest + bump, np.datetime64(period_end, "ns"))
    customers["updated_at"] = np.maximum(upd, customers["created_at"].to_numpy())
    return customers


def make_holdings(cs: CaseStudy, customers: pd.DataFrame, rng: np.random.Generator, t0: np.datetime64) -> pd.DataFrame:
    """Current and previous products per customer (take-up and exclusivity rules of ``products_held``)."""
    products = [p.model_dump() for p in cs.products]
    n = len(customers)
    held = sample_holdings(rng, products, n)
    cust_idx, prod_idx = np.nonzero(held)
    m = cust_idx.size
    joined = customers["joined_at"].to_numpy()[cust_idx]
    churned = customers["churned_at"].to_numpy()[cust_idx]
    t0 = np.datetime64(t0, "ns")
    end_ref = np.where(np.isnat(churned), t0, churned)
    span = (end_ref - joined) / DAY_NS
    started = joined + days(rng.random(m) * np.maximum(span, 0) * 0.5)
    ended_early = rng.random(m) < 0.1
    ended = np.where(ended_early, started + days(rng.random(m) * np.maximum((end_ref - started) / DAY_NS, 0)),
                     np.datetime64("NaT", "ns"))
    ended = np.where(~np.isnat(churned), churned, ended)
    return conform("holdings", {
        "holding_id": ids("H", m, 7),
        "customer_id": take(arrow(customers["customer_id"]), cust_idx),
        "product_id": take(strings([p["id"] for p in products]), prod_idx),
        "started_at": started, "ended_at": ended,
        "status": where(np.isnat(ended), "current", "ended"),
    })
