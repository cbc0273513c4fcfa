"""Our Faker providers: consistent Australian identities, safe synthetic contact details, verbatims."""
from __future__ import annotations

import re

import numpy as np
import pytest

from helpers.providers import make_faker
from helpers.providers.au_customer import state_of_postcode
from helpers.providers.au_agent.en_AU import Provider as AgentData
from helpers.providers.au_customer.en_AU import Provider as AU
from helpers.providers.products_held import sample_holdings
from helpers.providers.verbatims import SENTIMENTS, TOPICS

MOBILE = re.compile(r"^0491 57\d \d{3}$")
LANDLINE = re.compile(r"^\((0[2378])\) (5550|7010) \d{4}$")
EMAIL = re.compile(r"^[a-z0-9._]+@example\.(com|net|org)$")
# Words a keyword categoriser can key on, per topic (every phrase must contain one).
TOPIC_WORDS = {
    "wait_time": ("wait", "hold", "queue", "answered", "quick"), "staff_attitude": ("agent", "staff", "consultant", "person"),
    "billing_error": ("bill", "charge", "invoice", "overcharged"), "product_fault": ("fault", "faulty", "broken", "dropping"),
    "delivery_fulfilment": ("install", "delivery", "appointment"), "complaint_handling": ("complaint",),
    "price_value": ("price", "value", "rate", "expensive", "cheaper"), "website_app": ("app", "website", "online"),
    "resolution": ("resolve", "sorted", "solved", "fixed"),
}


@pytest.fixture(scope="module")
def fake():
    return make_faker(42)


def test_same_seed_same_customers():
    a = [make_faker(7).au_customer() for _ in range(1)]
    b = [make_faker(7).au_customer() for _ in range(1)]
    assert a == b
    assert make_faker(8).au_customer() != a[0]


def test_customer_profile_is_consistent_and_safe(fake):
    for _ in range(300):
        c = fake.au_customer(business=True)
        state = c["residential_state"]
        assert state_of_postcode(c["residential_postcode"], AU.postcode_ranges) == state
        assert (c["residential_suburb"], c["residential_postcode"]) in AU.suburbs[state]
        assert c["timezone"] == AU.timezones[state]
        assert MOBILE.match(c["mobile"]), c["mobile"]
        m = LANDLINE.match(c["landline"])
        assert m and m.group(1) == AU.area_codes[state], c["landline"]
        assert EMAIL.match(c["email"]), c["email"]
        first = re.sub(r"[^a-z]", "", c["first_name"].lower())
        last = re.sub(r"[^a-z]", "", c["last_name"].lower())
        assert last in c["email"] and (first in c["email"] or first[0] in c["email"]), c
        assert c["business_state"] == state and c["business_name"]


def test_every_suburb_postcode_belongs_to_its_state():
    for state, suburbs in AU.suburbs.items():
        assert len(suburbs) >= 8
        for suburb, postcode in suburbs:
            assert state_of_postcode(postcode, AU.postcode_ranges) == state, (suburb, postcode, state)
    assert set(AU.suburbs) == set(AU.timezones) == set(AU.area_codes) == set(AU.state_weights)
    assert abs(sum(AU.state_weights.values()) - 1) < 1e-9


def test_state_of_postcode_rejects_malformed():
    for bad in ("", "200", "20000", "2a00", None, 2000):
        assert state_of_postcode(bad, AU.postcode_ranges) is None
    assert state_of_postcode("0800", AU.postcode_ranges) == "NT"
    assert state_of_postcode("2600", AU.postcode_ranges) == "ACT"


def test_verbatims_carry_their_topic_and_sentiment(fake):
    for topic in TOPICS:
        for sentiment in SENTIMENTS:
            for _ in range(15):
                text = fake.verbatim(topic, sentiment)
                assert any(w in text.lower() for w in TOPIC_WORDS[topic]), (topic, text)
        complaint = fake.verbatim(topic, "negative", kind="complaint")
        assert complaint.endswith(".") and any(w in complaint.lower() for w in TOPIC_WORDS[topic])
    with pytest.raises(ValueError, match="unknown verbatim topic"):
        fake.verbatim("weather", "negative")
    with pytest.raises(ValueError, match="unknown sentiment"):
        fake.verbatim("wait_time", "furious")


PRODUCTS = [{"id": "E1", "category": "electricity", "take_up": 0.5}, {"id": "E2", "category": "electricity", "take_up": 0.3},
            {"id": "B1", "category": "broadband", "take_up": 0.2}, {"id": "S1", "category": "solar", "take_up": 0.1}]


def test_holdings_follow_take_up_and_exclusivity():
    held = sample_holdings(np.random.default_rng(3), PRODUCTS, 40_000)
    assert not (held[:, 0] & held[:, 1]).any()  # never two electricity plans
    rates = held.mean(axis=0)
    expected = np.array([p["take_up"] for p in PRODUCTS])
    se = np.sqrt(expected * (1 - expected) / held.shape[0])
    assert (np.abs(rates - expected) < 4 * se).all(), rates


def test_holdings_reject_impossible_take_up(fake):
    bad = [{"id": "A", "category": "electricity", "take_up": 0.7}, {"id": "B", "category": "electricity", "take_up": 0.6}]
    with pytest.raises(ValueError, match="adds up to 1.30"):
        sample_holdings(np.random.default_rng(0), bad, 10)
    for _ in range(200):
        ids = fake.products_held(PRODUCTS)
        assert not {"E1", "E2"} <= set(ids)


def test_agents(fake):
    for _ in range(100):
        a = fake.agent("collections", base_aud=40.0)
        assert a["team"] == "Credit and Collections"
        lo, hi = AgentData.hourly_cost_spread[a["employment"]]
        assert 40 * lo - 0.01 <= a["hourly_cost_aud"] <= 40 * hi + 0.01
