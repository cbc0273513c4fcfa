"""``REFERENCE_DDL``: a model marketing database that passes every design check.

Customers carry the range-statement fields and the compliance fields that belong to the person
(Do Not Call Register wash, unsubscribe dates, time zone, data source); consent is one row per
customer and channel; products held and previous offers are child tables. ``REFERENCE_MAPPING``
loads the generated tables into it (see :func:`helpers.marketing_db.load_into_design`). Grader-only: a trusted check refuses a
verbatim copy of it, and it never ships in the learners' ``helpers`` package.
"""
from __future__ import annotations

REFERENCE_DDL = """\
PRAGMA foreign_keys = ON;

CREATE TABLE customers (
    customer_id             TEXT PRIMARY KEY,
    first_name              TEXT NOT NULL,
    last_name               TEXT NOT NULL,
    date_of_birth           DATE,
    occupation              TEXT,
    email                   TEXT CHECK (email IS NULL OR email LIKE '%_@_%._%'),
    mobile                  TEXT,
    landline                TEXT,
    residential_street      TEXT,
    residential_suburb      TEXT,
    residential_state       TEXT CHECK (residential_state IN ('NSW', 'VIC', 'QLD', 'SA', 'WA', 'TAS', 'NT', 'ACT')),
    residential_postcode    TEXT CHECK (residential_postcode IS NULL OR length(residential_postcode) = 4),
    postal_street           TEXT,
    postal_suburb           TEXT,
    postal_state            TEXT,
    postal_postcode         TEXT,
    business_name           TEXT,
    business_street         TEXT,
    business_suburb         TEXT,
    business_state          TEXT,
    business_postcode       TEXT,
    timezone                TEXT NOT NULL,
    data_source             TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('active', 'churned')),
    joined_at               TIMESTAMP NOT NULL,
    churned_at              TIMESTAMP,
    dncr_registered         INTEGER NOT NULL DEFAULT 0 CHECK (dncr_registered IN (0, 1)),
    dncr_washed_at          TIMESTAMP,
    dncr_wash_ref           TEXT,
    unsubscribed_at         TIMESTAMP,
    unsubscribe_actioned_at TIMESTAMP,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);

CREATE TABLE consents (
    customer_id  TEXT NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'post')),
    consent_type TEXT NOT NULL CHECK (consent_type IN ('express', 'inferred', 'none', 'withdrawn')),
    source       TEXT,
    consented_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    PRIMARY KEY (customer_id, channel)
);

CREATE TABLE products (
    product_id TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    category   TEXT,
    price_aud  REAL CHECK (price_aud >= 0)
);

CREATE TABLE holdings (
    holding_id  TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
    product_id  TEXT NOT NULL REFERENCES products (product_id),
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,
    status      TEXT NOT NULL CHECK (status IN ('current', 'ended'))
);
CREATE INDEX holdings_customer ON holdings (customer_id);

CREATE TABLE offers (
    offer_id     TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
    campaign_id  TEXT NOT NULL,
    product_id   TEXT REFERENCES products (product_id),
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'post')),
    offered_at   TIMESTAMP NOT NULL,
    response     TEXT NOT NULL CHECK (response IN ('accepted', 'declined', 'no_response', 'opted_out')),
    responded_at TIMESTAMP,
    value_aud    REAL NOT NULL DEFAULT 0
);
CREATE INDEX offers_customer ON offers (customer_id, offered_at);
"""

_CUSTOMER_COLUMNS = (
    "customer_id", "first_name", "last_name", "date_of_birth", "occupation", "email", "mobile", "landline",
    "residential_street", "residential_suburb", "residential_state", "residential_postcode",
    "postal_street", "postal_suburb", "postal_state", "postal_postcode",
    "business_name", "business_street", "business_suburb", "business_state", "business_postcode",
    "timezone", "data_source", "status", "joined_at", "churned_at", "dncr_registered", "dncr_washed_at", "dncr_wash_ref",
    "unsubscribed_at", "unsubscribe_actioned_at", "created_at", "updated_at",
)

REFERENCE_MAPPING: dict = {
    "customers": {c: f"customers.{c}" for c in _CUSTOMER_COLUMNS},
    "consents": [
        {"customer_id": "customers.customer_id", "channel": {"value": ch},
         "consent_type": f"customers.consent_{ch}", "source": f"customers.consent_{ch}_source",
         "consented_at": f"customers.consent_{ch}_date"}
        for ch in ("email", "sms", "phone", "post")
    ],
    "products": {c: f"products.{c}" for c in ("product_id", "name", "category", "price_aud")},
    "holdings": {c: f"holdings.{c}" for c in ("holding_id", "customer_id", "product_id", "started_at",
                                              "ended_at", "status")},
    "offers": {c: f"offers.{c}" for c in ("offer_id", "customer_id", "campaign_id", "product_id", "channel",
                                          "offered_at", "response", "responded_at", "value_aud")},
}
