"""Reference validation rules for the marketing database's records: customers, calls and offers.

Each validator returns one row per rule violation: the record's id column (``customer_id``,
``call_id`` or ``offer_id``), ``rule``, ``column`` and ``detail``, all strings, sorted by id, rule
and column. Durations are seconds; timestamps are naive centre wall-clock times and time rules use
:mod:`helpers.maintenance.timing`. Phone numbers are Australian (mobile 04xx xxx xxx / +614...,
landline (0X) xxxx xxxx / +61X...), postcodes 4 digits within their state's Australia Post ranges.
Wrong input (not a DataFrame, missing columns) raises ``UserFacingError``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.errors import UserFacingError
from helpers.maintenance.timing import (DNCR_WASH_VALID_DAYS, STATE_TIMEZONES, UNSUBSCRIBE_WORKING_DAYS,
                                        permitted_call_time, to_local, working_days_between)
from helpers.maintenance.locale_data import au_customer

# Australia Post postcode ranges per state (inclusive): one source, the en_AU locale data that the
# generator's customer provider uses.
POSTCODE_RANGES = au_customer("POSTCODE_RANGES")
MAX_DURATION_S = 24 * 3600
DURATION_SLACK_S = 60        # talk + hold may exceed ended_at - answered_at by this much (clock rounding)

EMAIL_RE = (r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
MOBILE_RE = r"(?:04\d{8}|\+?614\d{8})"          # after removing spaces, hyphens and brackets
LANDLINE_RE = r"(?:0[2378]\d{8}|\+?61[2378]\d{8})"
_PHONE_CHARS_RE = r"[\d\s()+-]+"

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
