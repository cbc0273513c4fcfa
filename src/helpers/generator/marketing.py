"""Products, campaigns (the case study's plus a year of earlier ones) and offers with responses.

Offers follow the rules a compliant marketing database enforces (defects are added separately):
an offer goes out on a channel only with express or inferred consent for it (or before the
customer withdrew it); phone offers never go to numbers on the Do Not Call Register (the centre's own
policy, stricter than the Act, which allows calls with consent) and are made within permitted calling hours in the customer's local time (weekdays 9am-8pm,
Saturdays 9am-5pm, not Sundays or national public holidays). A customer who withdrew consent on a
channel did so by answering the last offer on it (response ``opted_out``) when there was one; the
withdrawal date is then the response time.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.casestudy import CaseStudy
from helpers.generator.calendar import CENTRE_TZ, NATIONAL_HOLIDAYS, add_working_days, local_to_centre
from helpers.generator.frames import conform, encode_sorted, index_in, objects, set_strings

DAY_NS = np.timedelta64(86_400_000_000_000, "ns")
# Earlier campaigns: (name, kind, channel, product category or None, audience share of eligible customers)
HISTORY_TEMPLATES = (
    ("Refer a friend", "acquisition", "email", "electricity", 0.10),
    ("Broadband bundle", "cross-sell", "phone", "broadband", 0.04),
    ("Solar savings", "cross-sell", "post", "solar", 0.05),
    ("Go green", "cross-sell", "sms", "electricity", 0.06),
    ("Home Protect add-on", "cross-sell", "phone", "services", 0.04),
    ("We miss you", "win-back", "email", "electricity", 0.25),
    ("Loyalty check-in", "retention", "phone", "electricity", 0.04),
    ("Battery early bird", "cross-sell", "email", "battery", 0.08),
    ("Bill smoothing", "service", "sms", None, 0.06),
    ("Paperless billing", "service", "email", None, 0.10),
)
IN_PERIOD_SHARE = {"phone": 0.05, "email": 0.15, "sms": 0.10, "post": 0.05}
RESPONSE_P = {  # accepted, declined, no_response
    "phone": (0.12, 0.48, 0.40), "email": (0.03, 0.05, 0.92), "sms": (0.04, 0.06, 0.90), "post": (0.02, 0.02, 0.96)}
OPT_OUT_SOURCE = {"email": "email link", "sms": "SMS reply", "phone": "call recording", "post": "reply paid mail"}


def days(x) -> np.ndarray:
    return (np.asarray(x, dtype=np.float64) * 86_400e9).astype(np.int64).astype("timedelta64[ns]")


def make_products(cs: CaseStudy) -> pd.DataFrame:
    p = cs.products
    return conform("products", {
        "product_id": [x.id for x in p], "name": [x.name for x in p], "category": [x.category for x in p],
        "price_aud": [x.price_aud for x in p], "billing": [x.billing for x in p],
        "margin_pct": [x.margin_pct for x in p]})


def campaign_list(cs: CaseStudy, rng: np.random.Generator, t0: np.datetime64) -> list[dict]:
    """Earlier campaigns (three a month over ``history_months``) followed by the case study's."""
    by_cat: dict[str, list[str]] = {}
    for p in cs.products:
        by_cat.setdefault(p.category, []).append(p.id)
    out = []
    t0d = np.datetime64(t0, "D")
    for m in range(cs.history_months, 0, -1):
        for j in range(3):
            name, kind, channel, cat, share = HISTORY_TEMPLATES[(3 * m + j) % len(HISTORY_TEMPLATES)]
            start = t0d - 30 * m + int(rng.integers(0, 10))
            end = min(start + int(rng.integers(13, 28)), t0d - 1)
            cands = by_cat.get(cat, []) if cat else []
            product = cands[int(rng.integers(0, len(cands)))] if cands else None
            month = pd.Timestamp(start).strftime("%y%m")
            out.append(dict(id=f"CMP-{month}-{j + 1}", name=name, kind=kind, channel=channel, product_id=product,
                            start=start, end=end, budget_aud=float(np.round(rng.uniform(4, 40)) * 1000),
                            inbound_uplift=1.0, share=share))
    for c in cs.campaigns:
        out.append(dict(id=c.id, name=c.name, kind=c.kind, channel=c.channel, product_id=c.product_id,
                        start=np.datetime64(c.start), end=np.datetime64(c.end), budget_aud=c.budget_aud,
                        inbound_uplift=c.inbound_uplift, share=IN_PERIOD_SHARE[c.channel]))
    return out


def campaigns_frame(campaigns: list[dict]) -> pd.DataFrame:
    return conform("campaigns", {
        "campaign_id": [c["id"] for c in campaigns], "name": [c["name"] for c in campaigns],
        "kind": [c["kind"] for c in campaigns], "channel": [c["channel"] for c in campaigns],
        "product_id": [c["product_id"] for c in campaigns],
        "start": np.array([c["start"] for c in campaigns], dtype="datetime64[ns]"),
        "end": np.array([c["end"] for c in campaigns], dtype="datetime64[ns]"),
        "budget_aud": [c["budget_aud"] for c in campaigns],
        "inbound_uplift": [c["inbound_uplift"] for c in campaigns]})


_ZONE_OFFSETS: dict[str, tuple[int, np.ndarray]] = {}  # zone -> (first day, offsets per day from it)


def _zone_offsets(days_: np.ndarray, zones: list[str]) -> np.ndarray:
    """Per zone x day: centre time minus local time at local noon of that day (ns), from pandas' tz data.

    Kept per zone over a range of days (widened when a day outside it is asked for), so each zone is
    converted through pandas once per process, not once per campaign and learner."""
    out = np.zeros((len(zones), days_.size), dtype=np.int64)
    if days_.size == 0:
        return out
    day = days_.astype("datetime64[D]").astype(np.int64)
    lo, hi = int(day.min()), int(day.max())
    for k, tz in enumerate(zones):
        first, offsets = _ZONE_OFFSETS.get(tz, (lo, None))
        if offsets is None or lo < first or hi >= first + offsets.size:
            a = min(lo, first) if offsets is not None else lo
            b = max(hi, first + offsets.size - 1) if offsets is not None else hi
            span = np.arange(a, b + 1).astype("datetime64[D]")
            noon = span.astype("datetime64[ns]") + np.timedelta64(12, "h")
            idx = pd.DatetimeIndex(noon).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
            offsets = (idx.tz_convert(CENTRE_TZ).tz_localize(None).to_numpy(dtype="datetime64[ns]") - noon).astype(
                np.int64)
            first = a
            _ZONE_OFFSETS[tz] = (first, offsets)
        out[k] = offsets[day - first]
    return out


def phone_times(rng, dates: np.ndarray, timezones: np.ndarray, zone_codes: np.ndarray | None = None,
                zones: list[str] | None = None) -> np.ndarray:
    """Centre times of phone offers placed inside permitted hours of the customer's local day.

    With ``zone_codes`` (index into ``zones`` per row) the local times are converted with one offset
    per zone and day (taken at local noon: the offers fall between 9am and 8pm, far from a daylight-saving
    change at 2-3am), the same result as ``local_to_centre`` without converting every row through pandas.
    """
    d = np.busday_offset(dates.astype("datetime64[D]"), 0, roll="forward", weekmask="1111110",
                         holidays=NATIONAL_HOLIDAYS)
    saturday = ((d.astype(np.int64) - 4) % 7) == 5
    hours = np.where(saturday, 9.25 + rng.random(d.size) * 7.5, 9.25 + rng.random(d.size) * 10.5)
    local = d.astype("datetime64[ns]") + np.round(hours * 3600).astype(np.int64).astype("timedelta64[s]")
    if zone_codes is None or d.size == 0:
        return local_to_centre(local, timezones)
    uniq, inv = np.unique(d, return_inverse=True)
    off = _zone_offsets(uniq, zones)
    return local + off[zone_codes, inv.ravel()].astype("timedelta64[ns]")


class Consent:
    """Per channel, what ``legit`` needs, read from the customers frame once (not once per campaign)."""

    def __init__(self, customers: pd.DataFrame):
        self.ok, self.withdrawn, self.date = {}, {}, {}
        dncr = customers["dncr_registered"].to_numpy()
        for ch in ("email", "sms", "phone", "post"):
            level = index_in(customers[f"consent_{ch}"], ["express", "inferred", "withdrawn"])  # -1: none
            ok = (level == 0) | (level == 1)
            self.withdrawn[ch] = level == 2
            self.date[ch] = customers[f"consent_{ch}_date"].to_numpy()
            if ch == "phone":
                # conservative: never call a registered number (consent would allow it, but is easy to dispute)
                ok = ok & ~dncr
                self.withdrawn[ch] = self.withdrawn[ch] & ~dncr
            self.ok[ch] = ok

    def legit(self, idx: np.ndarray, channel: str, at: np.ndarray) -> np.ndarray:
        return self.ok[channel][idx] | (self.withdrawn[channel][idx] & (at < self.date[channel][idx]))


def legit(customers: pd.DataFrame, idx: np.ndarray, channel: str, at: np.ndarray) -> np.ndarray:
    """Whether offers to customers[idx] on ``channel`` at times ``at`` are allowed (see module doc)."""
    return Consent(customers).legit(idx, channel, at)


def make_offers(cs: CaseStudy, customers: pd.DataFrame, campaigns: list[dict], rng: np.random.Generator,
                t0: np.datetime64, period_end: np.datetime64) -> pd.DataFrame:
    """Offers without ids yet (assigned after defects are added): internal frame sorted later."""
    n = len(customers)
    joined = customers["joined_at"].to_numpy()
    churned = customers["churned_at"].to_numpy()
    encoded = encode_sorted(customers["timezone"])
    if encoded is None:  # a missing time zone: the slow, general way
        zones, zone_codes = np.unique(customers["timezone"].to_numpy(dtype=object).astype(str), return_inverse=True)
        zones = zones.tolist()
    else:
        zones, zone_codes = encoded
    tz = np.asarray(zones, dtype=object)[zone_codes]
    consent = Consent(customers)
    has = {"email": customers["email"].notna().to_numpy(), "sms": customers["mobile"].notna().to_numpy(),
           "phone": (customers["mobile"].notna() | customers["landline"].notna()).to_numpy(),
           "post": np.ones(n, bool)}
    price = {p.id: p.price_aud * (12 if p.billing == "monthly" else 1) for p in cs.products}
    end_of_period = np.datetime64(period_end, "ns")
    cols = {k: [] for k in ("cust", "campaign", "offered_at", "resp", "responded_at", "value_aud")}
    for ci, c in enumerate(campaigns):
        start = np.datetime64(c["start"], "ns")
        end = np.minimum(np.datetime64(c["end"], "ns"), end_of_period - DAY_NS)
        if c["kind"] == "win-back":
            pool = ~np.isnat(churned) & (churned < start)
        else:
            pool = (joined < start) & (np.isnat(churned) | (churned > start))
        pool &= has[c["channel"]]
        idx = np.flatnonzero(pool & (rng.random(n) < c["share"]))
        span = max((end - start) / DAY_NS, 0) + 1
        dates = start + days(np.floor(rng.random(idx.size) * span))
        if c["channel"] == "phone":
            at = phone_times(rng, dates, tz[idx], zone_codes[idx], zones)
        elif c["channel"] == "post":
            at = dates + np.timedelta64(9, "h")
        else:
            at = dates + days((8 + rng.random(idx.size) * 11) / 24)
        keep = consent.legit(idx, c["channel"], at) & (at < end_of_period)
        idx, at = idx[keep], at[keep]
        m = idx.size
        resp = rng.choice(3, m, p=RESPONSE_P[c["channel"]])
        lag = {"phone": rng.uniform(2, 15, m) / 1440, "email": rng.exponential(1.5, m),
               "sms": rng.exponential(0.5, m), "post": rng.uniform(3, 20, m)}[c["channel"]]
        cols["cust"].append(idx)
        cols["campaign"].append(np.full(m, ci))
        cols["offered_at"].append(at)
        cols["resp"].append(resp)
        cols["responded_at"].append(np.where(resp < 2, at + days(lag), np.datetime64("NaT", "ns")))
        cols["value_aud"].append(np.where(resp == 0, price.get(c["product_id"], 0.0), 0.0))
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    camp = cat["campaign"]
    field = lambda key: np.array([c[key] for c in campaigns], dtype=object)[camp]  # noqa: E731
    # an internal frame (ids and defects added later): strings kept as Python objects until ``conform``
    offers = pd.DataFrame({
        "cust": cat["cust"], "campaign_id": objects(field("id")), "product_id": objects(field("product_id")),
        "channel": objects(field("channel")), "offered_at": cat["offered_at"].astype("datetime64[ns]"),
        "response": objects(np.array(["accepted", "declined", "no_response"], dtype=object)[cat["resp"]]),
        "responded_at": cat["responded_at"].astype("datetime64[ns]"), "value_aud": cat["value_aud"].astype(float)})
    offers["defect"] = None
    return offers


def opt_outs(customers: pd.DataFrame, offers: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Withdrawals made by answering an offer: the customer's last earlier offer on that channel.

    Vectorised on numpy arrays (one sort per channel); the changed columns are written back once."""
    och = offers["channel"].to_numpy(dtype=object)
    ocust = offers["cust"].to_numpy()
    oat = offers["offered_at"].to_numpy()
    response = offers["response"].to_numpy(dtype=object).copy()
    responded = offers["responded_at"].to_numpy().copy()
    value = offers["value_aud"].to_numpy(dtype=float).copy()
    changed: dict[str, np.ndarray] = {}
    sources: dict[str, tuple] = {}  # string columns: (rows, value) set in pyarrow at the end

    def column(name: str) -> np.ndarray:
        if name not in changed:
            changed[name] = customers[name].to_numpy().copy()
        return changed[name]

    for ch in ("email", "sms", "phone", "post"):
        withdrawn = index_in(customers[f"consent_{ch}"], ["withdrawn"]) == 0
        wdate = customers[f"consent_{ch}_date"].to_numpy()
        pos = np.flatnonzero(och == ch)
        c = ocust[pos]
        pos = pos[withdrawn[c] & (oat[pos] < wdate[c])]
        if pos.size == 0:
            continue
        pos = pos[np.lexsort((pos, oat[pos], ocust[pos]))]  # by customer, then time (stable)
        last = np.r_[ocust[pos][1:] != ocust[pos][:-1], True]
        pos = pos[last]
        lag = {"phone": rng.uniform(2, 15, pos.size) / 1440}.get(ch, rng.exponential(1.0, pos.size))
        rows = ocust[pos]
        when = np.minimum(oat[pos] + days(lag), wdate[rows])
        response[pos] = "opted_out"
        responded[pos] = when
        value[pos] = 0.0
        column(f"consent_{ch}_date")[rows] = when
        sources[f"consent_{ch}_source"] = (rows, OPT_OUT_SOURCE[ch])
        if ch == "email":
            column("unsubscribed_at")[rows] = when
            column("unsubscribe_actioned_at")[rows] = (
                add_working_days(when, rng.integers(0, 4, rows.size)) + days(rng.random(rows.size) * 0.2))
    offers["response"] = objects(response, index=offers.index)
    offers["responded_at"] = responded
    offers["value_aud"] = value
    for name, arr in changed.items():
        customers[name] = arr
    for name, (rows, text) in sources.items():
        customers[name] = set_strings(customers[name], rows, text)
    return customers, offers
