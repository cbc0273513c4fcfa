"""Small, deterministic frames with the exact columns and dtypes of ``helpers.tables`` (for tests
that must not wait for the generator)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.tables import TABLES

_DTYPES = {"string": "string", "int64": "int64", "float64": "float64", "bool": "bool",
           "datetime64[ns]": "datetime64[ns]", "date": "datetime64[ns]", "category": "string"}

PLACES = [  # state, postcode, suburb, IANA time zone
    ("NSW", "2000", "Sydney", "Australia/Sydney"), ("VIC", "3000", "Melbourne", "Australia/Melbourne"),
    ("QLD", "4000", "Brisbane", "Australia/Brisbane"), ("SA", "5000", "Adelaide", "Australia/Adelaide"),
    ("WA", "6000", "Perth", "Australia/Perth"), ("TAS", "7000", "Hobart", "Australia/Hobart"),
    ("NT", "0800", "Darwin", "Australia/Darwin"), ("ACT", "2600", "Canberra", "Australia/Sydney"),
]
FIRST = ["Olivia", "Jack", "Charlotte", "William", "Amelia", "Noah", "Isla", "Thomas", "Mia", "Lachlan"]
LAST = ["Smith", "Nguyen", "Brown", "Wilson", "Taylor", "Jones", "Williams", "Singh", "Chen", "Kelly"]


def typed(table: str, records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """A frame with every contract column of ``table`` (missing ones empty), in order, typed."""
    df = pd.DataFrame(records)
    out = {}
    for col in TABLES[table].columns:
        values = df[col.name] if col.name in df else pd.Series([None] * len(df))
        dtype = _DTYPES[col.dtype]
        if dtype == "bool":
            values = values.fillna(False).astype(bool)
        elif dtype == "datetime64[ns]":
            values = pd.to_datetime(values)
        out[col.name] = values.astype(dtype).reset_index(drop=True)
    return pd.DataFrame(out)


def customers(n: int = 40, seed: int = 0, start: str = "2024-01-01") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start)
    recs = []
    for i in range(n):
        state, pc, suburb, tz = PLACES[i % len(PLACES)]
        first, last = FIRST[i % 10], LAST[(i // 10 + i) % 10]
        joined = t0 - pd.Timedelta(days=int(rng.integers(30, 2000)))
        rec = dict(
            customer_id=f"C{i + 1:07d}", first_name=first, last_name=last,
            date_of_birth=pd.Timestamp("1950-01-01") + pd.Timedelta(days=int(rng.integers(0, 18000))),
            occupation=["Nurse", "Teacher", "Electrician", None][i % 4], segment=["value", "premium"][i % 2],
            email=f"{first.lower()}.{last.lower()}{i}@example.com", mobile=f"0491 57{i % 10} {100 + i:03d}",
            landline=f"(0{(2, 3, 7, 8)[i % 4]}) 5550 {1000 + i:04d}" if i % 3 == 0 else None,
            residential_street=f"{i + 1} Example St", residential_suburb=suburb, residential_state=state,
            residential_postcode=pc, postal_street=f"{i + 1} Example St", postal_suburb=suburb,
            postal_state=state, postal_postcode=pc, timezone=tz, joined_at=joined,
            status="active" if i % 7 else "churned", churned_at=None if i % 7 else t0 - pd.Timedelta(days=10),
            data_source=["web_form", "call", "branch"][i % 3],
            dncr_registered=bool(i % 5 == 0), dncr_washed_at=t0 - pd.Timedelta(days=int(rng.integers(1, 25))),
            dncr_wash_ref=f"W{i:05d}", created_at=joined, updated_at=t0 - pd.Timedelta(days=1),
        )
        for ch in ("email", "sms", "phone", "post"):
            kind = ["express", "inferred", "none", "withdrawn"][int(rng.integers(0, 4))]
            rec[f"consent_{ch}"] = kind
            rec[f"consent_{ch}_source"] = None if kind == "none" else "web_form"
            rec[f"consent_{ch}_date"] = None if kind == "none" else joined
        if i % 6 == 5:
            rec["unsubscribed_at"] = t0 - pd.Timedelta(days=20)
            rec["unsubscribe_actioned_at"] = t0 - pd.Timedelta(days=18)
        recs.append(rec)
    return typed("customers", recs)


def products() -> pd.DataFrame:
    return typed("products", [
        dict(product_id=f"P{k:03d}", name=name, category=cat, price_aud=price, billing="monthly", margin_pct=30.0)
        for k, (name, cat, price) in enumerate([("Home broadband", "internet", 79.0), ("Mobile plan", "mobile", 45.0),
                                                ("Streaming add-on", "entertainment", 12.0)], 1)])


def holdings(cust: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    recs = []
    for cid, joined in zip(cust["customer_id"], cust["joined_at"]):
        for k in range(int(rng.integers(1, 3))):
            ended = k == 1 and rng.random() < 0.5
            recs.append(dict(holding_id=f"H{len(recs) + 1:07d}", customer_id=cid, product_id=f"P{k + 1:03d}",
                             started_at=joined, ended_at=joined + pd.Timedelta(days=200) if ended else None,
                             status="ended" if ended else "current"))
    return typed("holdings", recs)


def offers(cust: pd.DataFrame, seed: int = 0, start: str = "2024-01-01") -> pd.DataFrame:
    rng = np.random.default_rng(seed + 2)
    t0 = pd.Timestamp(start)
    recs = []
    for cid in cust["customer_id"]:
        for _ in range(int(rng.integers(0, 3))):
            response = ["accepted", "declined", "no_response", "opted_out"][int(rng.integers(0, 4))]
            offered = t0 - pd.Timedelta(days=int(rng.integers(5, 300)), hours=int(rng.integers(0, 10)))
            recs.append(dict(offer_id=f"O{len(recs) + 1:07d}", customer_id=cid, campaign_id="CAM01", product_id="P002",
                             channel=["email", "phone", "sms", "post"][int(rng.integers(0, 4))], offered_at=offered,
                             response=response, responded_at=offered + pd.Timedelta(days=1),
                             value_aud=540.0 if response == "accepted" else 0.0))
    return typed("offers", recs)


def calls(n: int = 500, seed: int = 0, start: str = "2024-03-04 08:00",
          queues=("sales", "customer_service", "billing")) -> pd.DataFrame:
    """Inbound calls spread over one day from ``start`` (about one every 40 s on average)."""
    rng = np.random.default_rng(seed)
    arrived = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(0, n * 40, n)), unit="s")
    wait = rng.exponential(25, n).round(1)
    abandoned = rng.random(n) < 0.08
    talk = np.where(abandoned, 0.0, rng.gamma(4, 60, n).round(1))
    answered = pd.Series(arrived + pd.to_timedelta(wait, unit="s")).where(~abandoned)
    ended = (pd.Series(arrived) + pd.to_timedelta(wait + talk, unit="s"))
    return typed("calls", pd.DataFrame(dict(
        call_id=[f"K{i + 1:07d}" for i in range(n)], queue=[queues[i % len(queues)] for i in range(n)],
        customer_id=[f"C{(i % 40) + 1:07d}" for i in range(n)], arrived_at=arrived, answered_at=answered,
        ended_at=ended, wait_s=wait, abandoned=abandoned, talk_s=talk, hold_s=0.0,
        wrap_s=np.where(abandoned, 0.0, 30.0), agent_id=np.where(abandoned, None, "A0001"),
        reason="billing enquiry", outcome=np.where(abandoned, "abandoned", "resolved"), is_repeat=False)))
