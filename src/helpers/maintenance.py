"""Marketing-database maintenance (PC 2.4): reference validation rules, duplicate detection, scoring
of the defects a learner reports, and a checker for written maintenance procedures.

Conventions: timestamps in the tables are naive ``Australia/Sydney`` wall-clock times (the centre's
clock); a customer's local time comes from ``customers.timezone`` (falling back to the residential
state). Rules and their sources (see ``docs/compliance.md``):

* Spam Act 2003: unsubscribe requests actioned within :data:`UNSUBSCRIBE_WORKING_DAYS` working days
  (Mon-Fri, national public holidays excluded), counted from the day after the request;
* Do Not Call Register Act 2006: a wash is valid for :data:`DNCR_WASH_VALID_DAYS` days; a phone
  offer to a Register-listed number needs express consent;
* Telemarketing and Research Calls Industry Standard 2017: calls only 9:00-20:00 weekdays and
  9:00-17:00 Saturdays in the customer's local time; none on Sundays or national public holidays.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from helpers.casestudy import DEFECT_KINDS  # one owner: the case-study data contract  # noqa: F401
from helpers.errors import UserFacingError
from helpers.findings import Finding, Findings
# Australia Post postcode ranges per state (inclusive) and state time zones: one source, the en_AU
# locale data that the generator's customer provider uses.
from helpers.providers.au_customer.en_AU import POSTCODE_RANGES
from helpers.providers.au_customer.en_AU import TIMEZONES as STATE_TIMEZONES

CENTRE_TZ = "Australia/Sydney"
UNSUBSCRIBE_WORKING_DAYS = 5
DNCR_WASH_VALID_DAYS = 30
MAX_DURATION_S = 24 * 3600
DURATION_SLACK_S = 60        # talk + hold may exceed ended_at - answered_at by this much (clock rounding)
CALLING_HOURS = {"weekday": (9, 20), "saturday": (9, 17)}   # local hours [start, end)

PRECISION_PASS = 0.8   # score_reported passes when precision >= this ...
RECALL_PASS = 0.7      # ... and recall >= this; points = max_points x F1
# Findings are labelled with the criterion the caller passes (the unit's task module knows which
# performance criterion its task evidences; this library does not). Without one they carry this label.
UNMAPPED = "maintenance"

EMAIL_RE = (r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
MOBILE_RE = r"(?:04\d{8}|\+?614\d{8})"          # after removing spaces, hyphens and brackets
LANDLINE_RE = r"(?:0[2378]\d{8}|\+?61[2378]\d{8})"
_PHONE_CHARS_RE = r"[\d\s()+-]+"


# ---------------------------------------------------------------------------------------------
# calendar: national public holidays and permitted calling times
# One calendar for the project: the generator's (any year; observed dates with substitute days).
from helpers.generator.calendar import national_public_holidays, observed_public_holidays  # noqa: E402,F401


def _holidays_between(start: pd.Series, end: pd.Series | None = None) -> np.ndarray:
    stamps = pd.concat([start, end]) if end is not None else start
    years = pd.DatetimeIndex(stamps.dropna()).year.unique()
    days = [d for y in sorted(years) for d in observed_public_holidays(int(y))]
    return np.array(days, dtype="datetime64[D]")


def to_local(centre_times: pd.Series, timezones: pd.Series) -> pd.Series:
    """Centre wall-clock times (naive Australia/Sydney) -> each customer's naive local time.

    Times that do not exist or are ambiguous at a Sydney daylight-saving change (02:00-03:00) become
    NaT; they are outside calling hours everywhere anyway.
    """
    centre_times = pd.to_datetime(centre_times)
    tzs = timezones.astype("string").fillna(CENTRE_TZ)
    out = pd.Series(pd.NaT, index=centre_times.index, dtype="datetime64[ns]")
    aware = centre_times.dt.tz_localize(CENTRE_TZ, ambiguous="NaT", nonexistent="NaT")
    for tz in tzs.unique():
        rows = tzs == tz
        try:
            local = aware[rows].dt.tz_convert(str(tz)).dt.tz_localize(None)
        except Exception as exc:  # unknown zone name: a data problem the caller should see
            raise ValueError(f"unknown time zone {tz!r} in the timezone column (expected an IANA name such as "
                             "'Australia/Perth')") from exc
        out[rows] = local.astype("datetime64[ns]")
    return out


def permitted_call_time(local_times: pd.Series) -> np.ndarray:
    """True where a telemarketing call is allowed at these local times: Mon-Fri 9:00-20:00,
    Sat 9:00-17:00, never Sundays or national public holidays (NaT -> False)."""
    t = pd.to_datetime(local_times)
    hour = (t.dt.hour + t.dt.minute / 60 + t.dt.second / 3600).to_numpy(float, na_value=np.nan)
    dow = t.dt.day_of_week.to_numpy(float, na_value=np.nan)
    wk, sat = CALLING_HOURS["weekday"], CALLING_HOURS["saturday"]
    ok = ((dow < 5) & (hour >= wk[0]) & (hour < wk[1])) | ((dow == 5) & (hour >= sat[0]) & (hour < sat[1]))
    holidays = _holidays_between(t)
    days = t.dt.normalize().to_numpy("datetime64[D]") if len(t) else np.array([], "datetime64[D]")
    return ok & ~np.isin(days, holidays) & t.notna().to_numpy()


def working_days_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Working days (Mon-Fri, not national public holidays) after ``start``'s day up to and including
    ``end``'s day; NaN where either is missing."""
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    both = s.notna() & e.notna()
    out = np.full(len(s), np.nan)
    if both.any():
        sd = s[both].dt.normalize().to_numpy("datetime64[D]") + 1
        ed = e[both].dt.normalize().to_numpy("datetime64[D]") + 1
        out[both.to_numpy()] = np.busday_count(sd, ed, holidays=_holidays_between(s[both], e[both]))
    return out


# ---------------------------------------------------------------------------------------------
# validation rules
_RULE_COLUMNS = ["rule", "column", "detail"]


def _require_columns(df, name: str, columns: list[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise UserFacingError(f"{name} should be a DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UserFacingError(f"{name} is missing column(s) {', '.join(missing)}")


def _rows(df: pd.DataFrame, key: str, mask, rule: str, column: str, detail) -> pd.DataFrame:
    mask = np.asarray(mask, bool)
    sub = df.loc[mask, [key]].copy()
    sub["rule"], sub["column"] = rule, column
    sub["detail"] = detail[mask] if isinstance(detail, (pd.Series, np.ndarray)) else detail
    return sub


def _collect(parts: list[pd.DataFrame], key: str) -> pd.DataFrame:
    cols = [key] + _RULE_COLUMNS
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})
    out = pd.concat(parts, ignore_index=True)[cols].astype("string")
    return out.sort_values([key, "rule", "column"], kind="stable").reset_index(drop=True)


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _bad_phone(s: pd.Series, pattern: str) -> pd.Series:
    text = s.astype("string")
    digits = text.str.replace(r"[\s()-]", "", regex=True)
    ok = text.str.fullmatch(_PHONE_CHARS_RE) & digits.str.fullmatch(pattern)
    return s.notna() & ~ok.fillna(False).astype(bool)


def postcode_state_ok(postcodes: pd.Series, states: pd.Series) -> pd.Series:
    """True where a 4-digit postcode lies in its state's ranges (:data:`POSTCODE_RANGES`)."""
    pc = pd.to_numeric(postcodes.astype("string").str.strip().where(
        postcodes.astype("string").str.strip().str.fullmatch(r"\d{4}").fillna(False)), errors="coerce")
    st = states.astype("string").str.strip().str.upper()
    ok = pd.Series(False, index=postcodes.index)
    for state, ranges in POSTCODE_RANGES.items():
        in_state = st == state
        for lo, hi in ranges:
            ok |= (in_state & pc.between(lo, hi)).fillna(False).astype(bool)
    return ok


def validate_customers(customers: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Rule violations in the customers table: one row (customer_id, rule, column, detail) each.

    Rules: ``malformed_email``; ``malformed_phone`` (mobile 04xx xxx xxx / +614..., landline
    (0X) xxxx xxxx / +61X...); ``missing_postcode`` (residential and postal always, business when a
    business street is given); ``inconsistent_postcode`` (not 4 digits, or outside the state's
    ranges); ``unsubscribe_late`` (actioned more than 5 working days after the request, or still not
    actioned at ``as_of``); ``dncr_wash_stale`` (phone consent express/inferred with a number whose
    last wash is missing or more than 30 days before ``as_of``). ``as_of`` defaults to the latest
    ``updated_at``.
    """
    _require_columns(customers, "customers", ["customer_id", "email", "mobile", "landline", "residential_state",
                                              "residential_postcode", "postal_state", "postal_postcode",
                                              "unsubscribed_at", "unsubscribe_actioned_at", "consent_phone",
                                              "dncr_washed_at"])
    c = customers
    if as_of is not None:
        as_of = pd.Timestamp(as_of)
    else:   # without a date, unactioned requests and wash age cannot be judged (NaT compares False)
        as_of = pd.to_datetime(c["updated_at"]).max() if "updated_at" in c else pd.NaT
    parts = []
    email = c["email"].astype("string").str.strip()
    bad_email = c["email"].notna() & ~email.str.fullmatch(EMAIL_RE).fillna(False).astype(bool)
    parts.append(_rows(c, "customer_id", bad_email, "malformed_email", "email", "not a valid e-mail address"))
    parts.append(_rows(c, "customer_id", _bad_phone(c["mobile"], MOBILE_RE), "malformed_phone", "mobile",
                       "not an Australian mobile number (04xx xxx xxx)"))
    parts.append(_rows(c, "customer_id", _bad_phone(c["landline"], LANDLINE_RE), "malformed_phone", "landline",
                       "not an Australian landline number ((0X) xxxx xxxx)"))
    for kind in ("residential", "postal", "business"):
        pc_col, st_col = f"{kind}_postcode", f"{kind}_state"
        if pc_col not in c:
            continue
        needed = pd.Series(True, index=c.index) if kind != "business" else ~_blank(c.get("business_street", c[pc_col]))
        missing = needed & _blank(c[pc_col])
        parts.append(_rows(c, "customer_id", missing, "missing_postcode", pc_col, f"{kind} postcode missing"))
        present = needed & ~_blank(c[pc_col])
        bad = present & ~postcode_state_ok(c[pc_col], c[st_col] if st_col in c else pd.Series("", index=c.index))
        parts.append(_rows(c, "customer_id", bad, "inconsistent_postcode", pc_col,
                           f"{kind} postcode does not match the {kind} state"))
    received, actioned = pd.to_datetime(c["unsubscribed_at"]), pd.to_datetime(c["unsubscribe_actioned_at"])
    done = working_days_between(received, actioned)
    waiting = working_days_between(received, pd.Series(as_of, index=c.index)) if pd.notna(as_of) else np.nan
    late = (received.notna() & (done > UNSUBSCRIBE_WORKING_DAYS)) | (
        received.notna() & actioned.isna() & (np.asarray(waiting) > UNSUBSCRIBE_WORKING_DAYS))
    parts.append(_rows(c, "customer_id", late.to_numpy(), "unsubscribe_late", "unsubscribe_actioned_at",
                       f"unsubscribe not actioned within {UNSUBSCRIBE_WORKING_DAYS} working days"))
    has_number = ~_blank(c["mobile"]) | ~_blank(c["landline"])
    consented = c["consent_phone"].astype("string").isin(["express", "inferred"]).fillna(False).astype(bool)
    washed = pd.to_datetime(c["dncr_washed_at"])
    stale = has_number & consented & (washed.isna() | ((as_of - washed) > pd.Timedelta(days=DNCR_WASH_VALID_DAYS)))
    parts.append(_rows(c, "customer_id", stale, "dncr_wash_stale", "dncr_washed_at",
                       f"Do Not Call Register wash missing or older than {DNCR_WASH_VALID_DAYS} days"))
    return _collect(parts, "customer_id")


def validate_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """``impossible_duration`` (a negative duration or one over 24 h in wait/talk/hold/wrap, or talk + hold
    longer than the call lasted between answer and hang-up) and
    ``out_of_order_timestamps`` (answered before arrival, ended before answer or arrival)."""
    _require_columns(calls, "calls", ["call_id", "arrived_at", "answered_at", "ended_at",
                                      "wait_s", "talk_s", "hold_s", "wrap_s"])
    parts = []
    for col in ("wait_s", "talk_s", "hold_s", "wrap_s"):
        v = pd.to_numeric(calls[col], errors="coerce")
        bad = ((v < 0) | (v > MAX_DURATION_S)).fillna(False).to_numpy(bool)
        parts.append(_rows(calls, "call_id", bad, "impossible_duration", col, "negative or longer than 24 hours"))
    arr, ans, end = (pd.to_datetime(calls[c]) for c in ("arrived_at", "answered_at", "ended_at"))
    # talk + hold happen between answer and hang-up: more than that (plus rounding) cannot have happened
    connected_s = (end - ans).dt.total_seconds()
    in_call = pd.to_numeric(calls["talk_s"], errors="coerce") + pd.to_numeric(calls["hold_s"], errors="coerce")
    too_long = ((in_call - connected_s > DURATION_SLACK_S) & (end >= ans)).fillna(False).to_numpy(bool)
    parts.append(_rows(calls, "call_id", too_long, "impossible_duration", "talk_s",
                       "talk and hold longer than the call lasted (ended_at - answered_at)"))
    parts.append(_rows(calls, "call_id", (ans < arr).to_numpy(bool), "out_of_order_timestamps", "answered_at",
                       "answered before it arrived"))
    parts.append(_rows(calls, "call_id", (end < ans).to_numpy(bool), "out_of_order_timestamps", "ended_at",
                       "ended before it was answered"))
    parts.append(_rows(calls, "call_id", (ans.isna() & (end < arr)).to_numpy(bool), "out_of_order_timestamps",
                       "ended_at", "ended before it arrived"))
    return _collect(parts, "call_id")


def validate_offers(offers: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Offers that broke marketing rules, from the customer's record:

    * ``offer_to_dncr``: phone offer to a Register-listed number without express phone consent;
    * ``offer_to_opted_out``: an offer on a channel whose consent had been ``withdrawn`` before the offer
      (``consent_<channel>_date`` on or before ``offered_at``; without a date, any offer on it);
    * ``offer_outside_hours``: phone offer outside permitted calling hours in the customer's local
      time (see :func:`permitted_call_time`).
    """
    _require_columns(offers, "offers", ["offer_id", "customer_id", "channel", "offered_at"])
    _require_columns(customers, "customers", ["customer_id", "dncr_registered", "consent_phone", "timezone"])
    consent_cols = [f"consent_{ch}" for ch in ("email", "sms", "phone", "post") if f"consent_{ch}" in customers]
    date_cols = [f"{c}_date" for c in consent_cols if f"{c}_date" in customers]
    extra = [c for c in ("residential_state",) if c in customers]
    o = offers[["offer_id", "customer_id", "channel", "offered_at"]].merge(
        customers[["customer_id", "dncr_registered", "timezone", *consent_cols, *date_cols, *extra]],
        on="customer_id", how="left")
    channel = o["channel"].astype("string").str.lower()
    phone = (channel == "phone").fillna(False).to_numpy(bool)
    consent = pd.Series(pd.NA, index=o.index, dtype="string")
    since = pd.Series(pd.NaT, index=o.index, dtype="datetime64[ns]")
    for col in consent_cols:
        on_channel = channel == col.removeprefix("consent_")
        consent = consent.mask(on_channel, o[col].astype("string"))
        if f"{col}_date" in o:
            since = since.mask(on_channel.fillna(False), pd.to_datetime(o[f"{col}_date"]))
    # withdrawn before the offer; with no withdrawal date recorded, any offer on that channel counts
    withdrawn_first = (since.isna() | (since <= pd.to_datetime(o["offered_at"]))).to_numpy(bool)
    dncr = o["dncr_registered"].fillna(False).astype(bool).to_numpy()
    express_phone = (o["consent_phone"].astype("string") == "express").fillna(False).to_numpy(bool)
    parts = [_rows(o, "offer_id", phone & dncr & ~express_phone, "offer_to_dncr", "channel",
                   "phone offer to a number on the Do Not Call Register without express consent"),
             _rows(o, "offer_id", (consent == "withdrawn").fillna(False).to_numpy(bool) & withdrawn_first,
                   "offer_to_opted_out", "channel", "offer on a channel the customer had withdrawn consent for")]
    tz = o["timezone"].astype("string")
    if "residential_state" in o:
        tz = tz.fillna(o["residential_state"].astype("string").str.upper().map(STATE_TIMEZONES))
    local = to_local(o["offered_at"], tz)
    outside = phone & ~permitted_call_time(local)
    parts.append(_rows(o, "offer_id", outside, "offer_outside_hours", "offered_at",
                       "phone offer outside permitted calling hours in the customer's local time"))
    return _collect(parts, "offer_id")


# ---------------------------------------------------------------------------------------------
# duplicates
_NICKNAMES = {"bill": "william", "will": "william", "liz": "elizabeth", "beth": "elizabeth", "bob": "robert",
              "rob": "robert", "jim": "james", "jimmy": "james", "kate": "katherine", "katie": "katherine",
              "tom": "thomas", "tommy": "thomas", "mike": "michael", "matt": "matthew", "nick": "nicholas",
              "chris": "christopher", "dave": "david", "dan": "daniel", "sam": "samuel", "alex": "alexander",
              "jen": "jennifer", "jenny": "jennifer", "steve": "stephen", "tony": "anthony", "andy": "andrew",
              "pat": "patrick", "ben": "benjamin", "joe": "joseph", "maggie": "margaret", "meg": "margaret"}
NAME_SIMILARITY_MIN = 0.75    # bigram-Jaccard/Levenshtein similarity for a duplicate (same DOB + place/phone)
EMAIL_NAME_SIMILARITY_MIN = 0.6
_MAX_BLOCK = 200              # blocks larger than this are data errors (e.g. a default DOB), not people


def _norm_name(first: pd.Series, last: pd.Series) -> pd.Series:
    f = first.astype("string").str.lower().str.replace(r"[^a-z]", "", regex=True).fillna("")
    f = f.map(lambda x: _NICKNAMES.get(x, x))
    ln = last.astype("string").str.lower().str.replace(r"[^a-z]", "", regex=True).fillna("")
    return (f + " " + ln).astype(object)


def _bigrams(s: str) -> set:
    s = f" {s} "
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def name_similarity(a: str, b: str) -> float:
    """max(bigram Jaccard, 1 - Levenshtein/longer length), also trying first/last swapped (0..1)."""
    def one(x, y):
        if not x or not y:
            return 0.0
        ga, gb = _bigrams(x), _bigrams(y)
        jac = len(ga & gb) / len(ga | gb)
        lev = 1 - _levenshtein(x, y) / max(len(x), len(y))
        return max(jac, lev)
    swapped = " ".join(reversed(b.split(" ", 1))) if " " in b else b
    return max(one(a, b), one(a, swapped))


def find_duplicates(customers: pd.DataFrame) -> pd.DataFrame:
    """Pairs of customer records that are likely the same person.

    Candidate pairs share a blocking key - date of birth plus residential postcode, date of birth
    plus phone digits, or the same normalised e-mail - and are kept when their normalised names
    (lower case, letters only, common nicknames expanded) are similar enough
    (:data:`NAME_SIMILARITY_MIN`, :data:`EMAIL_NAME_SIMILARITY_MIN` for e-mail matches). Returns
    ``customer_id``, ``duplicate_of`` (the lower id of the pair), ``matched_on``, ``name_similarity``
    and ``cluster`` (smallest id of the connected group).
    """
    _require_columns(customers, "customers", ["customer_id", "first_name", "last_name", "date_of_birth"])
    c = customers.reset_index(drop=True)
    base = pd.DataFrame({"id": c["customer_id"].astype("string"), "name": _norm_name(c["first_name"], c["last_name"])})
    dob = pd.to_datetime(c["date_of_birth"]).dt.strftime("%Y-%m-%d")
    keys = {}
    if "residential_postcode" in c:
        keys["date_of_birth+postcode"] = dob + "|" + c["residential_postcode"].astype("string").str.strip()
    phone = pd.Series(pd.NA, index=c.index, dtype="string")
    for col in ("mobile", "landline"):
        if col in c:
            digits = c[col].astype("string").str.replace(r"\D", "", regex=True).str[-8:]
            phone = phone.fillna(digits.where(digits.str.len() == 8))
    keys["date_of_birth+phone"] = dob + "|" + phone
    if "email" in c:
        keys["email"] = c["email"].astype("string").str.strip().str.lower()
    pairs = []
    for label, key in keys.items():
        b = base.assign(key=key.astype("string")).dropna(subset=["key"])
        b = b[b["key"].str.len() > 0]
        sizes = b.groupby("key")["id"].transform("size")
        b = b[(sizes > 1) & (sizes <= _MAX_BLOCK)]
        m = b.merge(b, on="key", suffixes=("_a", "_b"))
        m = m[m["id_a"] < m["id_b"]]
        if m.empty:
            continue
        sim = np.array([name_similarity(x, y) for x, y in zip(m["name_a"], m["name_b"])])  # small candidate set
        need = EMAIL_NAME_SIMILARITY_MIN if label == "email" else NAME_SIMILARITY_MIN
        keep = m.loc[sim >= need, ["id_a", "id_b"]].assign(name_similarity=sim[sim >= need], matched_on=label)
        pairs.append(keep)
    cols = ["customer_id", "duplicate_of", "matched_on", "name_similarity", "cluster"]
    if not pairs:
        return pd.DataFrame({"customer_id": pd.Series(dtype="string"), "duplicate_of": pd.Series(dtype="string"),
                             "matched_on": pd.Series(dtype="string"), "name_similarity": pd.Series(dtype=float),
                             "cluster": pd.Series(dtype="string")})
    allp = pd.concat(pairs, ignore_index=True)
    allp = allp.groupby(["id_a", "id_b"], as_index=False).agg(
        name_similarity=("name_similarity", "max"), matched_on=("matched_on", lambda s: ", ".join(sorted(set(s)))))
    cluster = _clusters(allp["id_a"].tolist(), allp["id_b"].tolist())
    out = pd.DataFrame({"customer_id": allp["id_b"], "duplicate_of": allp["id_a"], "matched_on": allp["matched_on"],
                        "name_similarity": allp["name_similarity"].round(3),
                        "cluster": allp["id_a"].map(cluster)})
    return out[cols].astype({"customer_id": "string", "duplicate_of": "string", "matched_on": "string",
                             "cluster": "string"}).sort_values(["cluster", "customer_id", "duplicate_of"]
                                                               ).reset_index(drop=True)


def _clusters(a: list[str], b: list[str]) -> dict[str, str]:
    """Union-find over pairs; each id maps to the smallest id of its group."""
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for x, y in zip(a, b):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return {x: find(x) for x in parent}


# ---------------------------------------------------------------------------------------------
# scoring a learner's reported defects
def detection_scores(reported: set, truth: set) -> dict:
    """Precision, recall and F1 of reported ids against true defect ids (empty sets score 1.0)."""
    tp = len(reported & truth)
    precision = tp / len(reported) if reported else (1.0 if not truth else 0.0)
    recall = tp / len(truth) if truth else 1.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"tp": tp, "fp": len(reported - truth), "fn": len(truth - reported),
            "precision": precision, "recall": recall, "f1": f1}


def score_reported(reported_ids, defects: pd.DataFrame, table: str | None = None, kinds=None, *,
                   known_ids=None, points: float = 1.0, criterion: str = UNMAPPED) -> Findings:
    """Score the record ids a learner reports as defective against the defect manifest.

    ``defects`` has columns defect_id, table, record_id, column, kind, detail; ``table``/``kinds``
    restrict which defects count. Points = ``points`` x F1; the detection finding passes when
    precision >= :data:`PRECISION_PASS` and recall >= :data:`RECALL_PASS`. Messages give counts per
    kind found/missed, never the missed ids. ``known_ids`` (all ids of the table) lets ids that do
    not exist at all be reported as such. Malformed input gives failed findings, not exceptions.
    ``criterion`` labels the findings (the performance criterion of the caller's task).
    """
    _require_columns(defects, "defects", ["record_id", "kind", "table"])
    d = defects
    if table is not None:
        d = d[d["table"] == table]
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        unknown = sorted(set(kinds) - set(DEFECT_KINDS))
        if unknown:
            raise ValueError(f"unknown defect kind(s) {', '.join(unknown)}; known: {', '.join(DEFECT_KINDS)}")
        d = d[d["kind"].isin(kinds)]
    out = Findings()
    what = f"{table} " if table else ""
    if isinstance(reported_ids, pd.DataFrame):
        col = next((c for c in ("record_id", "customer_id", "call_id", "offer_id", "id") if c in reported_ids), None)
        if col is None:
            out.append(Finding.fail(criterion, "reported defects should be a list of record ids (or a DataFrame with "
                                    "a record_id column)", max_points=points, item="input"))
            return out
        reported_ids = reported_ids[col]
    if reported_ids is None or isinstance(reported_ids, (str, bytes, dict)) or not hasattr(reported_ids, "__iter__"):
        hint = " (wrap a single id in a list)" if isinstance(reported_ids, str) else ""
        out.append(Finding.fail(criterion, f"reported defects should be a list of record ids, got "
                                f"{type(reported_ids).__name__}{hint}", max_points=points, item="input"))
        return out
    items = [x.item() if isinstance(x, np.generic) else x for x in reported_ids]
    wrong_type = [x for x in items if not isinstance(x, str)]
    if wrong_type:
        out.append(Finding.fail(criterion, f"{len(wrong_type)} reported id(s) are not text ({type(wrong_type[0]).__name__}):"
                                " record ids are strings such as the ones in the id column", max_points=0, item="input"))
    ids = [x.strip() for x in items if isinstance(x, str)]
    reported = set(ids)
    if len(ids) != len(reported):
        out.append(Finding.fail(criterion, f"{len(ids) - len(reported)} duplicate id(s) in your list were counted "
                                "once", max_points=0, item="input"))
    if known_ids is not None:
        ghosts = reported - set(map(str, known_ids))
        if ghosts:
            out.append(Finding.fail(criterion, f"{len(ghosts)} reported id(s) do not exist in the {what}table "
                                    "(typos?)", max_points=0, item="input"))
    truth = set(d["record_id"].astype(str))
    s = detection_scores(reported, truth)
    per_kind = []
    for kind, grp in d.groupby("kind", sort=True):
        k_ids = set(grp["record_id"].astype(str))
        per_kind.append(f"{kind}: found {len(k_ids & reported)} of {len(k_ids)}")
    passed = s["precision"] >= PRECISION_PASS and s["recall"] >= RECALL_PASS
    msg = (f"{what}defects: {s['tp']} of your {len(reported)} reported records are real defects "
           f"(precision {s['precision']:.0%}), you found {s['tp']} of {len(truth)} defective records "
           f"(recall {s['recall']:.0%}); " + ("; ".join(per_kind) if per_kind else "no defects of these kinds"))
    if not passed:
        msg += f". Needed: precision {PRECISION_PASS:.0%} and recall {RECALL_PASS:.0%}"
    out.append(Finding(criterion, passed, points * s["f1"], points, msg, item="detection"))
    return out


# ---------------------------------------------------------------------------------------------
# written maintenance procedures
class Procedure(BaseModel):
    """One maintenance procedure as a learner writes it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    task: str = Field(min_length=3)
    frequency: str = Field(min_length=3)
    owner: str = Field(min_length=2)
    rule: str = Field(min_length=3, description="rule applied or tool used")
    records_affected: str = Field(min_length=2)
    legal_basis: str | None = None

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, v: str) -> str:
        if frequency_working_days(v) is None:
            raise ValueError(f"cannot read frequency {v!r}: use e.g. 'daily', 'weekly', 'every 30 days', "
                             "'within 5 working days', 'monthly', 'before each campaign'")
        return v


_FREQ_WORDS = {"real time": 0, "realtime": 0, "immediately": 0, "continuous": 0, "on receipt": 0,
               "same day": 1, "daily": 1, "nightly": 1, "every day": 1, "weekly": 5, "fortnightly": 10,
               "monthly": 31 * 5 / 7, "quarterly": 92 * 5 / 7, "annually": 366 * 5 / 7, "yearly": 366 * 5 / 7,
               "before each campaign": 0, "before every campaign": 0, "before each call": 0, "per campaign": 0}
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 31, "months": 31}


def frequency_working_days(text: str) -> float | None:
    """Longest gap a frequency allows, in working days ('weekly' -> 5, 'every 30 days' -> 21.4,
    'within 5 working days' -> 5, 'monthly' -> 22.1 i.e. 31 calendar days); None if unreadable."""
    t = re.sub(r"\s+", " ", str(text).lower()).strip()
    m = re.search(r"(\d+(?:\.\d+)?) (working|business) days?", t)
    if m:
        return float(m.group(1))
    m = re.search(r"(\d+(?:\.\d+)?) (days?|weeks?|months?)", t)
    if m:
        return float(m.group(1)) * _UNIT_DAYS[m.group(2)] * 5 / 7
    for word in sorted(_FREQ_WORDS, key=len, reverse=True):   # "fortnightly" before "nightly"
        if re.search(rf"\b{word}\b", t):
            return float(_FREQ_WORDS[word])
    return None


_CHECKED = r"(valid|format|check|correct|verif|clean|standardi|bounce|fix)"
# coverage groups: (item, keywords that show the procedure addresses it, defect kinds it prevents)
PROCEDURE_COVERAGE = [
    ("duplicates", r"duplicat|de-?dup|merge|match", ("duplicate_customer",)),
    ("contact_details", _CHECKED + r".{0,40}(e-?mail|phone|mobile|contact)|(e-?mail|phone|mobile|contact).{0,40}"
     + _CHECKED, ("malformed_email", "malformed_phone")),
    ("addresses", _CHECKED + r".{0,40}(postcode|address)|(postcode|address).{0,40}" + _CHECKED,
     ("missing_postcode", "inconsistent_postcode")),
    ("call_records", r"call (record|detail|data)|duration|timestamp|cdr", ("impossible_duration",
                                                                         "out_of_order_timestamps")),
    ("dncr_wash", r"dncr|do not call|wash", ("offer_to_dncr",)),
    ("unsubscribes", r"unsubscri|opt.?out|withdraw", ("offer_to_opted_out", "unsubscribe_late")),
    ("calling_hours", r"calling hours|call(ing)? window|permitted hours|time ?zone|dialler", ("offer_outside_hours",)),
]
_LEGAL_RE = {"dncr_wash": r"do not call register act|dncr act|dnc act",
             "unsubscribes": r"spam act",
             "calling_hours": r"industry standard|telemarketing"}
_DEADLINES = {"dncr_wash": (DNCR_WASH_VALID_DAYS * 5 / 7,
                            f"a wash is valid for {DNCR_WASH_VALID_DAYS} days (Do Not Call Register Act 2006): wash at "
                            f"least every {DNCR_WASH_VALID_DAYS} days - 'monthly' can leave a 31-day gap"),
              "unsubscribes": (UNSUBSCRIBE_WORKING_DAYS,
                               f"unsubscribes must be actioned within {UNSUBSCRIBE_WORKING_DAYS} working days "
                               "(Spam Act 2003)")}
# What a rule states when it names a real check, per coverage group: the field checked, the condition
# applied, or the law the check enforces (a rule of meaningless words names none of them).
RULE_WORDS = {
    "duplicates": r"date of birth|\bdob\b|birth|\bname|postcode|phone|mobile|e-?mail|address|same|match|similar|"
                  r"fuzzy|identical|merge|master|surviv|app 10|privacy act",
    "contact_details": r"format|pattern|regex|valid|@|\b04|\+61|digits?|domain|bounce|syntax|mobile|landline|"
                       r"e-?mail|phone|app 10|privacy act",
    "addresses": r"postcode|post code|\bstate|range|australia post|\b4.digit|four.digit|suburb|address|paf\b|"
                 r"app 10|privacy act",
    "call_records": r"duration|timestamp|\border|\b24 ?h|hours?\b|negative|answer|arriv|ended|hang|talk|hold|"
                    r"wrap|sequence|seconds",
    "dncr_wash": r"wash|register|dncr|do not call|\b30 days|listed|acma|express consent|consent",
    "unsubscribes": r"working days?|business days?|within|suppress|consent|request|receipt|action|opt.?out|remove|"
                    r"unsubscri|spam act",
    "calling_hours": r"\d{1,2} ?(am|pm|:\d\d)|\b20:00|\bhours?\b|local time|time ?zone|weekday|saturday|sunday|"
                     r"public holiday|window|industry standard|telemarketing",
}
# Tables a coverage group's records live in (where its defects are found); the records_affected of a
# procedure covering the group must name one of them (the learner's own defects may add tables).
GROUP_TABLES = {"duplicates": ("customers",), "contact_details": ("customers",), "addresses": ("customers",),
                "call_records": ("calls",), "dncr_wash": ("customers", "offers"),
                "unsubscribes": ("customers", "offers"), "calling_hours": ("offers", "calls")}
_TABLE_SYNONYMS = {"customers": (r"client", r"subscriber", r"contact (details|records|list)", r"marketing (list|database)"),
                   "calls": (r"call detail", r"\bcdrs?\b", r"call logs?"),
                   "offers": (r"campaign (list|contact|call)s?", r"telemarketing", r"outbound")}
_VAGUE_OWNERS = {"tbd", "tba", "n/a", "na", "someone", "staff", "everyone", "team", "all", "unknown", "admin"}


def parse_procedures(procedures) -> list[Procedure]:
    """A list of procedure dicts, a dict with a ``procedures`` list, or the same as YAML text."""
    data = procedures
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise UserFacingError(f"maintenance procedures are not valid YAML: {str(exc).splitlines()[0]}") from exc
    if isinstance(data, dict) and "procedures" in data:
        data = data["procedures"]
    if not isinstance(data, list) or not data:
        raise UserFacingError("maintenance procedures should be a non-empty list of procedures, each with task, "
                              "frequency, owner, rule, records_affected (and legal_basis where the law applies)")
    out, problems = [], []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            problems.append(f"procedure {i}: should be a mapping of fields, got {type(item).__name__}")
            continue
        try:
            out.append(Procedure.model_validate(item))
        except ValidationError as exc:
            for e in exc.errors():
                field = ".".join(str(p) for p in e["loc"]) or "procedure"
                msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
                problems.append(f"procedure {i} ({item.get('task', '?')}): {field}: {msg}")
    if problems:
        raise UserFacingError("; ".join(problems))
    return out


def _table_words(tables) -> dict[str, str]:
    """Table name -> a regex recognising it in plain words ("customer records", "phone offers")."""
    out = {}
    for t in tables:
        stem = re.escape(str(t).lower().rstrip("s"))
        extra = _TABLE_SYNONYMS.get(str(t), ())
        out[str(t)] = r"\b(" + "|".join([stem + r"(s|es)?\b"] + list(extra)) + ")"
    return out


def tables_named(text: str, tables) -> set[str]:
    """The data tables (of ``tables``) that ``text`` names, by name or usual wording."""
    low = str(text).lower()
    return {t for t, pattern in _table_words(tables).items() if re.search(pattern, low)}


def rule_checks(procedure: Procedure) -> tuple[list[str], bool]:
    """(coverage groups the procedure addresses, whether its rule names a real check for them).

    A rule names a real check when it states the field, the condition or the law the check applies for
    what the procedure addresses (:data:`RULE_WORDS`; a procedure addressing none of the groups must
    still state a field or condition of one of them)."""
    text = f"{procedure.task} | {procedure.rule}".lower()
    groups = [item for item, pattern, _ in PROCEDURE_COVERAGE if re.search(pattern, text)]
    rule = procedure.rule.lower()
    wanted = groups or list(RULE_WORDS)
    return groups, any(re.search(RULE_WORDS[g], rule) for g in wanted)


def check_procedures(procedures, owners: list[str] | None = None, *, criterion: str = UNMAPPED,
                     tables=None, defect_tables: dict[str, set[str]] | None = None) -> Findings:
    """Check written maintenance procedures; every finding is labelled ``criterion``.

    Findings: the input is well formed; each :data:`PROCEDURE_COVERAGE` group is covered by some
    procedure; each procedure's ``rule`` names a real check for what it addresses (a field, condition or
    the law it enforces, :data:`RULE_WORDS`); each procedure's ``records_affected`` names tables of the
    data (``tables``: the names of the learner's tables, default those of :data:`GROUP_TABLES`) and, for
    each group, a procedure covering it names the table its records live in (:data:`GROUP_TABLES`, plus
    the tables where the data's defects of that group's kinds are, ``defect_tables``: kind -> tables);
    DNCR washing is at least every 30 days and unsubscribe processing within 5 working days; every
    procedure names a real owner (one of ``owners`` when given); compliance procedures cite their legal
    basis.
    """
    out = Findings()
    try:
        procs = parse_procedures(procedures)
    except UserFacingError as exc:
        out.append(Finding.fail(criterion, str(exc), item="schema"))
        out.extend(Finding.fail(criterion, "not checked: fix the procedure list first", item=item)
                   for item in _procedure_items())
        return out
    out.append(Finding.ok(criterion, f"{len(procs)} procedures, all fields present", item="schema"))
    texts = [f"{p.task} | {p.rule}".lower() for p in procs]  # what is done, not which records it touches
    covering: dict[str, list[Procedure]] = {}
    for item, pattern, kinds in PROCEDURE_COVERAGE:
        covering[item] = [p for p, t in zip(procs, texts) if re.search(pattern, t)]
        if covering[item]:
            out.append(Finding.ok(criterion, f"{item.replace('_', ' ')} covered by: "
                                  f"{', '.join(p.task for p in covering[item][:2])}", item=item))
        else:
            out.append(Finding.fail(criterion, f"no procedure addresses {item.replace('_', ' ')} "
                                    f"(prevents {', '.join(kinds)})", item=item))
    vague_rules = [p.task for p in procs if not rule_checks(p)[1]]
    out.append(Finding(criterion, not vague_rules, 0.0 if vague_rules else 1.0, 1.0,
                       "every rule names the check it applies (field, condition or law)" if not vague_rules else
                       f"{len(vague_rules)} rule(s) do not name a real check on the data (the field checked, the "
                       "condition, e.g. 'same date of birth and postcode', 'valid 30 days', '9:00-20:00 local time', "
                       f"or the law enforced): {', '.join(vague_rules[:3])}", item="rules"))
    out.append(_records_finding(procs, covering, tables, defect_tables, criterion))
    for item, (limit, why) in _DEADLINES.items():
        procs_i = covering[item]
        if not procs_i:
            out.append(Finding.fail(criterion, f"no {item.replace('_', ' ')} procedure, so no frequency: {why}",
                                    item=f"{item}_frequency"))
            continue
        gap = min(frequency_working_days(p.frequency) for p in procs_i)
        if gap <= limit + 1e-9:
            out.append(Finding.ok(criterion, f"{item.replace('_', ' ')} frequency meets the rule", item=f"{item}_frequency"))
        else:
            out.append(Finding.fail(criterion, f"{item.replace('_', ' ')} '{procs_i[0].frequency}' is not often "
                                    f"enough: {why}", item=f"{item}_frequency"))
    allowed = {o.strip().lower() for o in owners} if owners else None
    bad = [p.task for p in procs if p.owner.lower() in _VAGUE_OWNERS or (allowed is not None and
                                                                         p.owner.lower() not in allowed)]
    if bad:
        extra = " (owners must be people or roles named in the case study)" if allowed is not None else ""
        out.append(Finding.fail(criterion, f"{len(bad)} procedure(s) have no accountable owner{extra}: "
                                f"{', '.join(bad[:3])}", item="owners"))
    else:
        out.append(Finding.ok(criterion, "every procedure has a named owner", item="owners"))
    missing = [item for item, pattern in _LEGAL_RE.items() for p in covering[item]
               if not re.search(pattern, (p.legal_basis or "").lower())]
    if missing:
        out.append(Finding.fail(criterion, "the legal basis is missing or does not name the law for: "
                                f"{', '.join(sorted(set(missing)))} (Do Not Call Register Act 2006, Spam Act 2003, "
                                "Telemarketing and Research Calls Industry Standard 2017)", item="legal_basis"))
    else:
        out.append(Finding.ok(criterion, "compliance procedures cite their legal basis", item="legal_basis"))
    return out


def _records_finding(procs, covering, tables, defect_tables, criterion) -> Finding:
    """Each procedure names tables of the data; each group's procedures name the table its records are in."""
    known = sorted(set(tables) if tables is not None else {t for ts in GROUP_TABLES.values() for t in ts})
    unnamed = [p.task for p in procs if not tables_named(p.records_affected, known)]
    wrong = []
    for item, _, kinds in PROCEDURE_COVERAGE:
        where = set(GROUP_TABLES[item]) | {t for k in kinds for t in (defect_tables or {}).get(k, ())}
        if covering[item] and not any(tables_named(p.records_affected, known) & where for p in covering[item]):
            wrong.append(f"{item.replace('_', ' ')} (its records are in {' or '.join(sorted(where & set(known)) or sorted(where))})")
    problems = ([f"{len(unnamed)} procedure(s) name no table of your data in records_affected ("
                 f"{', '.join(unnamed[:3])}); your tables: {', '.join(known)}"] if unnamed else []) + (
        [f"records_affected does not name where the records are for: {'; '.join(wrong[:3])}"] if wrong else [])
    return Finding(criterion, not problems, 0.0 if problems else 1.0, 1.0,
                   "every procedure names the tables of your data it maintains" if not problems else
                   "; ".join(problems), item="records_affected")


def _procedure_items() -> list[str]:
    return ([item for item, _, _ in PROCEDURE_COVERAGE] + ["rules", "records_affected"]
            + [f"{i}_frequency" for i in _DEADLINES] + ["owners", "legal_basis"])
