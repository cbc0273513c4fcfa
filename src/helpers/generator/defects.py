"""Data-quality defects injected at the case study's rates, with their ground truth.

The learner's dataset carries the defects; the ground truth goes only to the grader-side manifest
(a ``defects`` frame: defect_id, table, record_id, column, kind, detail). Kinds and what they mean:

=========================  ====================================================================
duplicate_customer         a later record of an existing customer, name or street spelt
                           differently (record_id = the later record; detail names the original)
malformed_email            e-mail that is not a valid address (two @, none, no dot, a space)
malformed_phone            mobile or landline with a digit missing or extra, or a letter O for 0
missing_postcode           residential postcode empty
inconsistent_postcode      residential postcode of another state than residential_state
impossible_duration        talk_s negative or longer than any shift (5-12 hours)
out_of_order_timestamps    answered before arrival, or ended before answered
offer_to_dncr              phone offer to a number on the Do Not Call Register without express consent
offer_to_opted_out         offer on a channel after the customer withdrew consent for it
offer_outside_hours        phone offer outside 9am-8pm weekdays / 9am-5pm Saturday (or on a Sunday
                           or national public holiday) in the customer's local time
unsubscribe_late           unsubscribe actioned more than 5 working days after it was received
=========================  ====================================================================

Rates are fractions of: customers (customer kinds), calls (call kinds), phone offers
(``offer_to_dncr``, ``offer_outside_hours``), all offers (``offer_to_opted_out``), unsubscribe
requests (``unsubscribe_late``). Each defective record has one defect of one kind.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.generator.calendar import NATIONAL_HOLIDAYS, add_working_days, local_to_centre, working_days_between
from helpers.generator.frames import index_in, objects, rows_of
from helpers.providers.au_customer.en_AU import Provider as AU

DEFECT_COLUMNS = ["defect_id", "table", "record_id", "column", "kind", "detail"]
DAY_NS = np.timedelta64(86_400_000_000_000, "ns")
STREET_ABBREV = {" Street": " St", " Road": " Rd", " Avenue": " Ave", " Drive": " Dr", " Crescent": " Cres",
                 " Place": " Pl", " Court": " Ct", " Parade": " Pde", " Lane": " Ln", " Close": " Cl"}


def _count(rate: float, n: int) -> int:
    return int(round(rate * n))


def _rows(table, record_ids, column, kind, details) -> pd.DataFrame:
    """Ground-truth rows (strings kept as Python objects: ``manifest_frame`` converts them once)."""
    record_ids = np.asarray(record_ids, dtype=object)
    block = np.empty((record_ids.shape[0], 5), dtype=object)  # one object block: no Series per column
    for i, v in enumerate((table, record_ids, column, kind, details)):
        block[:, i] = np.asarray(v, dtype=object) if np.ndim(v) else v
    return pd.DataFrame(block, columns=["table", "record_id", "column", "kind", "detail"], dtype=object, copy=False)


def _choose(how: np.ndarray, variants) -> np.ndarray:
    """Per row, ``variants[how[i]][i]`` (object arrays; no per-mask Series assignment)."""
    return np.choose(np.asarray(how, dtype=np.int64), [np.asarray(v.to_numpy(dtype=object)) for v in variants])


def _misspell(s: pd.Series, how: np.ndarray) -> pd.Series:
    """Spelling variants: swapped letters (how 0), a dropped letter (1), a doubled letter (2), all
    capitals (3); names under four letters get the doubled letter instead of 0-2; a variant that spells
    the same (swapping "nn") falls back to capitals. A few hundred names: plain Python per name, capitals
    from pyarrow (the same as pandas' ``str.upper``)."""
    arr = pa.array(s.astype("string").array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    out = []
    for v, h, up in zip(arr.to_pylist(), np.asarray(how).tolist(), pc.utf8_upper(arr).to_pylist()):
        if v is None:
            out.append(None)
            continue
        if len(v) < 4 and h < 3:
            o = v[:2] + v[1:]
        elif h == 0:
            o = v[0] + v[2] + v[1] + v[3:]
        elif h == 1:
            o = v[:2] + v[3:]
        elif h == 2:
            o = v[:2] + v[1:]
        else:
            o = up
        out.append(up if o == v else o)
    return pd.Series(np.array(out, dtype=object), index=s.index, dtype="string")


def customer_numbers(customer_id: pd.Series) -> np.ndarray:
    """Account numbers (int64) of customer ids ``C`` + digits (vectorised with pyarrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = pa.array(customer_id.array) if isinstance(customer_id.dtype, pd.StringDtype) else \
        pa.array(customer_id.to_numpy(dtype=object), pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.cast(pc.utf8_slice_codeunits(arr, 1), pa.int64()).to_numpy(zero_copy_only=False)


def duplicate_ids(numbers: np.ndarray, created: np.ndarray, dup_created: np.ndarray, space: int,
                  rng: np.random.Generator, taken: np.ndarray | None = None) -> np.ndarray:
    """Account numbers for duplicate records, interleaved with the originals: a free number between the
    numbers of the records created just before and just after each duplicate (numbers rise with
    creation time), so a duplicate's id does not give it away. Vectorised; a few rounds resolve clashes.
    """
    order = np.argsort(created, kind="stable")
    by_time, nums = created[order], numbers[order]
    chosen = set()  # filled only with the duplicates' own numbers (at most a few hundred)
    out = np.zeros(dup_created.size, dtype=np.int64)
    todo = np.arange(dup_created.size)
    top_number = int(max(space, numbers.max(initial=0), 0 if taken is None or not len(taken) else np.max(taken)))
    occupied = np.zeros(top_number + 2, dtype=bool)  # one flag per account number: O(n), no sorting
    occupied[numbers] = True
    if taken is not None:
        occupied[np.asarray(taken, dtype=np.int64)] = True
    for round_ in range(12):
        if todo.size == 0:
            break
        pos = np.searchsorted(by_time, dup_created[todo], side="right") + round_ // 2  # widen on later rounds
        lo = np.where(pos - 1 - round_ // 2 >= 0, nums[np.clip(pos - 1 - round_ // 2, 0, nums.size - 1)], 0)
        hi = np.where(pos < nums.size, nums[np.clip(pos, 0, nums.size - 1)], space + 1)
        lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
        cand = lo + 1 + np.floor(rng.random(todo.size) * np.maximum(hi - lo - 1, 0)).astype(np.int64)
        free = (hi - lo > 1) & ~occupied[np.clip(cand, 0, occupied.size - 1)] & (cand <= space)
        _, first = np.unique(cand, return_index=True)
        unique = np.zeros(todo.size, bool)
        unique[first] = True
        ok = free & unique & ~np.isin(cand, np.fromiter(chosen, dtype=np.int64, count=len(chosen)))
        out[todo[ok]] = cand[ok]
        chosen.update(cand[ok].tolist())
        todo = todo[~ok]
    if todo.size:  # no gap anywhere near: numbers above every other (rare)
        top = max(int(np.flatnonzero(occupied).max(initial=0)), max(chosen, default=0))
        out[todo] = top + 1 + np.arange(todo.size)
    return out


def customer_defects(customers: pd.DataFrame, rates: dict, rng: np.random.Generator,
                     period_end: np.datetime64, t0: np.datetime64 | None = None,
                     space: int | None = None, taken: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer defects (module doc). Duplicates are created before ``t0`` (the start of the period)
    and numbered among the originals (``duplicate_ids``; account numbers up to ``space``, never one in
    ``taken``: the accounts outside the extract that called)."""
    n = len(customers)
    out = []
    order = rng.permutation(n)
    cursor = 0

    def take(k, mask=None):
        nonlocal cursor
        if mask is None:
            sel = order[cursor:cursor + k]
            cursor += k
            return sel
        cand = order[cursor:][mask[order[cursor:]]][:k]
        used = np.isin(order[cursor:], cand)
        rest = order[cursor:][~used]
        order[cursor:cursor + cand.size] = cand
        order[cursor + cand.size:] = rest
        cursor += cand.size
        return cand

    cid = customers["customer_id"]  # ids of the rows taken are converted with rows_of(cid, rows)
    col = customers.columns.get_loc

    k = _count(rates.get("malformed_email", 0), n)
    sel = take(k, customers["email"].notna().to_numpy())
    how = rng.integers(0, 4, sel.size)
    e = customers["email"].iloc[sel].astype("string")
    variants = (e.str.replace("@", "@@", regex=False), e.str.replace("@", " at ", regex=False),
                e.str.replace(r"\.(com|net|org)$", "", regex=True), e.str.replace(".", " .", n=1, regex=False))
    labels = np.array(["two @ signs", "no @ sign", "domain without a dot", "contains a space"], dtype=object)
    customers.iloc[sel, col("email")] = _choose(how, variants)
    out.append(_rows("customers", rows_of(cid, sel), "email", "malformed_email", labels[how]))

    k = _count(rates.get("malformed_phone", 0), n)
    sel = take(k, customers["mobile"].notna().to_numpy())
    how = rng.integers(0, 3, sel.size)
    p = customers["mobile"].iloc[sel].astype("string")
    variants = (p.str[:-1], p + pd.Series(rng.integers(0, 10, sel.size).astype(str), index=p.index),
                p.str.replace("0", "O", n=1, regex=False))
    labels = np.array(["a digit missing", "an extra digit", "letter O instead of zero"], dtype=object)
    customers.iloc[sel, col("mobile")] = _choose(how, variants)
    out.append(_rows("customers", rows_of(cid, sel), "mobile", "malformed_phone", labels[how]))

    k = _count(rates.get("missing_postcode", 0), n)
    sel = take(k)
    customers.iloc[sel, col("residential_postcode")] = None
    out.append(_rows("customers", rows_of(cid, sel), "residential_postcode", "missing_postcode", "residential postcode empty"))

    k = _count(rates.get("inconsistent_postcode", 0), n)
    sel = take(k)
    states = rows_of(customers["residential_state"], sel)
    all_states = list(AU.suburbs)
    other = np.array(all_states, dtype=object)[(np.array([all_states.index(s) for s in states]) + 1
                                                + rng.integers(0, len(all_states) - 1, sel.size)) % len(all_states)]
    codes = np.array([AU.suburbs[s][int(u * len(AU.suburbs[s]))][1] for s, u in zip(other, rng.random(sel.size))],
                     dtype=object)
    customers.iloc[sel, col("residential_postcode")] = codes
    out.append(_rows("customers", rows_of(cid, sel), "residential_postcode", "inconsistent_postcode",
                     [f"postcode {c} is in {o}, state is {s}" for c, o, s in zip(codes, other, states)]))

    # Unsubscribes actioned late (more than 5 working days).
    unsub = customers["unsubscribed_at"].notna().to_numpy()
    k = _count(rates.get("unsubscribe_late", 0), int(unsub.sum()))
    sel = take(k, unsub)
    late = rng.integers(6, 16, sel.size)
    got = customers["unsubscribed_at"].to_numpy()[sel]
    customers.iloc[sel, col("unsubscribe_actioned_at")] = add_working_days(got, late) + np.timedelta64(2, "h")
    wd = working_days_between(got, customers["unsubscribe_actioned_at"].to_numpy()[sel])
    out.append(_rows("customers", rows_of(cid, sel), "unsubscribe_actioned_at", "unsubscribe_late",
                     [f"actioned after {d} working days" for d in wd]))

    # Duplicates: copies of other customers with a spelling variant, created later.
    k = _count(rates.get("duplicate_customer", 0), n)
    sel = take(k)
    dup = customers.iloc[sel]  # a new frame already (copy-on-write): its columns are replaced below
    field = rng.integers(0, 3, sel.size)  # first name, last name, street
    how = rng.integers(0, 4, sel.size)
    fn, ln, st = dup["first_name"], dup["last_name"], dup["residential_street"].astype("string")
    abbrev = st.to_numpy(dtype=object).copy()  # each abbreviation of a trailing word in turn, a few hundred streets
    for i, v in enumerate(abbrev):
        if isinstance(v, str):
            for long, short in STREET_ABBREV.items():
                if v.endswith(long):
                    v = v[:-len(long)] + short
            abbrev[i] = v
    changed_first = _misspell(fn, how)
    changed_last = _misspell(ln, how)
    dup["first_name"] = np.where(field == 0, changed_first.to_numpy(), fn.to_numpy())
    dup["last_name"] = np.where(field == 1, changed_last.to_numpy(), ln.to_numpy())
    street_changed = np.where(abbrev != st.to_numpy(), abbrev, _misspell(st, how).to_numpy())
    dup["residential_street"] = np.where(field == 2, street_changed, st.to_numpy())
    dup["postal_street"] = np.where(field == 2, street_changed, dup["postal_street"].to_numpy())
    created = dup["created_at"].to_numpy()
    until = np.datetime64(t0 if t0 is not None else period_end, "ns")
    span = np.maximum((until - created) / DAY_NS - 1, 0)
    dup["created_at"] = created + (rng.random(sel.size) * span * 86_400e9).astype(np.int64).astype("timedelta64[ns]")
    dup["updated_at"] = dup["created_at"]
    numbers = customer_numbers(customers["customer_id"])
    space = space or int(numbers.max(initial=0) * 1.05) + 10
    dup_numbers = duplicate_ids(numbers, customers["created_at"].to_numpy(), dup["created_at"].to_numpy(), space, rng,
                                taken=taken)
    new_ids = np.char.add("C", np.char.zfill(dup_numbers.astype(str), 7)).astype(object)
    dup["customer_id"] = new_ids
    dup["data_source"] = np.array(["phone sale", "online sign-up", "retail partner"], dtype=object)[rng.integers(0, 3, sel.size)]
    what = np.array(["first name", "last name", "street"], dtype=object)[field]
    out.append(_rows("customers", new_ids, "customer_id", "duplicate_customer",
                     [f"duplicate of {o} ({w} spelt differently)" for o, w in zip(rows_of(cid, sel), what)]))
    customers = pd.concat([customers, dup], ignore_index=True)
    return customers, pd.concat(out, ignore_index=True)


def call_defects(calls: pd.DataFrame, rates: dict, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(calls)
    answered = np.flatnonzero(calls["answered_at"].notna().to_numpy())
    pick = rng.permutation(answered)
    k1 = min(_count(rates.get("impossible_duration", 0), n), pick.size)
    k2 = min(_count(rates.get("out_of_order_timestamps", 0), n), pick.size - k1)
    a, b = pick[:k1], pick[k1:k1 + k2]
    col = calls.columns.get_loc
    talk = calls["talk_s"].to_numpy()
    negative = rng.random(a.size) < 0.6
    # a clock fault: negative, or longer than any shift (5-12 hours)
    calls.iloc[a, col("talk_s")] = np.where(negative, -talk[a], np.round(rng.uniform(5, 12, a.size) * 3600))
    rows = [_rows("calls", rows_of(calls["call_id"], a), "talk_s", "impossible_duration",
                  np.where(negative, "negative talk time", "talk time longer than a shift (over 5 hours)"))]
    before_arrival = rng.random(b.size) < 0.5
    arrived = calls["arrived_at"].to_numpy()[b]
    answered_at = calls["answered_at"].to_numpy()[b]
    shift = (rng.integers(30, 600, b.size) * 1e9).astype(np.int64).astype("timedelta64[ns]")
    calls.iloc[b[before_arrival], col("answered_at")] = (arrived - shift)[before_arrival]
    calls.iloc[b[~before_arrival], col("ended_at")] = (answered_at - shift)[~before_arrival]
    rows.append(_rows("calls", rows_of(calls["call_id"], b), np.where(before_arrival, "answered_at", "ended_at"), "out_of_order_timestamps",
                      np.where(before_arrival, "answered before it arrived", "ended before it was answered")))
    return calls, pd.concat(rows, ignore_index=True)


def _outside_hours_local(rng, n: int, start: np.ndarray, span_days: np.ndarray) -> np.ndarray:
    """Naive local times outside permitted calling hours: evenings, early mornings, Saturday
    afternoons after 5pm, Sundays and national public holidays."""
    day = (start + (np.floor(rng.random(n) * span_days) * 86_400e9).astype(np.int64).astype("timedelta64[ns]")
           ).astype("datetime64[D]")
    how = rng.integers(0, 4, n)
    dow = (day.astype(np.int64) - 4) % 7
    weekday = np.busday_offset(day, 0, roll="forward", holidays=NATIONAL_HOLIDAYS)  # Mon-Fri, not a holiday
    saturday = day + ((5 - dow) % 7)
    sunday = day + ((6 - dow) % 7)
    hours = np.select([how == 0, how == 1, how == 2],
                      [20.1 + rng.random(n) * 1.5, 7.0 + rng.random(n) * 1.8, 17.1 + rng.random(n) * 2.0],
                      10 + rng.random(n) * 5)
    base = np.select([how <= 1, how == 2], [weekday, saturday], sunday)
    return base.astype("datetime64[ns]") + (hours * 3600e9).astype(np.int64).astype("timedelta64[ns]")


def offer_defects(offers: pd.DataFrame, customers: pd.DataFrame, campaigns: list[dict], rates: dict,
                  rng: np.random.Generator, period_end: np.datetime64) -> pd.DataFrame:
    """Adds illegal offers (rows with ``defect`` set to the kind and ``detail``)."""
    n_phone = int((offers["channel"] == "phone").sum())
    n_all = len(offers)
    phone_camps = [c for c in campaigns if c["channel"] == "phone"]
    other_camps = [c for c in campaigns if c["channel"] != "phone"]
    # consent levels as codes: 0 express, 1 inferred, 2 none (also when empty), 3 withdrawn
    levels = ["express", "inferred", "none", "withdrawn"]
    level = {}
    for ch in ("email", "sms", "phone", "post"):
        code = index_in(customers[f"consent_{ch}"], levels)
        level[ch] = np.where(code < 0, 2, code)
    dncr = customers["dncr_registered"].to_numpy()
    has_phone = (customers["mobile"].notna() | customers["landline"].notna()).to_numpy()
    active = index_in(customers["status"], ["active"]) == 0
    parts = []

    def offers_for(cust, camp_idx, camps, at, kind, detail):
        c = [camps[i] for i in camp_idx]
        m = cust.size
        resp = rng.choice(3, m, p=(0.05, 0.45, 0.5))
        return pd.DataFrame({  # like the internal offers frame of ``make_offers`` (strings as objects)
            "cust": cust, "campaign_id": objects([x["id"] for x in c]),
            "product_id": objects([x["product_id"] for x in c]), "channel": objects([x["channel"] for x in c]),
            "offered_at": at, "response": objects(np.array(["accepted", "declined", "no_response"], dtype=object)[resp]),
            "responded_at": np.where(resp < 2, at + np.timedelta64(5, "m"), np.datetime64("NaT", "ns")),
            "value_aud": 0.0, "defect": objects(np.broadcast_to(np.asarray(kind, dtype=object), cust.shape)),
            "detail": objects(np.broadcast_to(np.asarray(detail, dtype=object), cust.shape))})

    def camp_window(camps, idx):
        start = np.array([camps[i]["start"] for i in idx], dtype="datetime64[ns]")
        end = np.array([camps[i]["end"] for i in idx], dtype="datetime64[ns]")
        end = np.minimum(end, np.datetime64(period_end, "ns") - DAY_NS)
        return start, np.maximum((end - start) / DAY_NS, 0) + 1

    # Phone offers to numbers on the Do Not Call Register without express consent.
    k = _count(rates.get("offer_to_dncr", 0), n_phone)
    pool = np.flatnonzero(dncr & has_phone & active & np.isin(level["phone"], [1, 2]))
    if k and pool.size and phone_camps:
        cust = pool[rng.integers(0, pool.size, k)]
        ci = rng.integers(0, len(phone_camps), k)
        start, span = camp_window(phone_camps, ci)
        from helpers.generator.marketing import phone_times
        at = phone_times(rng, start + (np.floor(rng.random(k) * span) * 86_400e9).astype(np.int64).astype("timedelta64[ns]"),
                         rows_of(customers["timezone"], cust))
        parts.append(offers_for(cust, ci, phone_camps, at, "offer_to_dncr",
                                np.where(level["phone"][cust] == 2, "on the DNCR, no phone consent",
                                         "on the DNCR, only inferred phone consent")))

    # Offers after consent for that channel was withdrawn (e-mail, SMS, post).
    k = _count(rates.get("offer_to_opted_out", 0), n_all)
    if k and other_camps:
        ci = rng.integers(0, len(other_camps), k * 3)
        chans = np.array([other_camps[i]["channel"] for i in ci], dtype=object)
        start, span = camp_window(other_camps, ci)
        at = start + ((np.floor(rng.random(ci.size) * span) + 8 / 24 + rng.random(ci.size) * 0.4) * 86_400e9
                      ).astype(np.int64).astype("timedelta64[ns]")
        cust = np.empty(ci.size, dtype=np.int64)
        ok = np.zeros(ci.size, dtype=bool)
        for ch in np.unique(chans):
            m = chans == ch
            wdate = customers[f"consent_{ch}_date"].to_numpy()
            pool = np.flatnonzero(level[ch] == 3)
            if pool.size == 0:
                continue
            cust[m] = pool[rng.integers(0, pool.size, int(m.sum()))]
            ok[m] = at[m] > wdate[cust[m]] + DAY_NS
        sel = np.flatnonzero(ok)[:k]
        if sel.size:
            parts.append(offers_for(cust[sel], ci[sel], other_camps, at[sel], "offer_to_opted_out",
                                    [f"{c} consent withdrawn before the offer" for c in chans[sel]]))

    # Phone offers outside permitted hours in the customer's local time.
    k = _count(rates.get("offer_outside_hours", 0), n_phone)
    pool = np.flatnonzero(~dncr & has_phone & active & np.isin(level["phone"], [0, 1]))
    if k and pool.size and phone_camps:
        cust = pool[rng.integers(0, pool.size, k)]
        ci = rng.integers(0, len(phone_camps), k)
        start, span = camp_window(phone_camps, ci)
        local = _outside_hours_local(rng, k, start, span)
        zone = rows_of(customers["timezone"], cust)
        at = local_to_centre(local, zone)
        fmt = pd.DatetimeIndex(local).strftime("%a %H:%M").to_numpy(dtype=object)
        parts.append(offers_for(cust, ci, phone_camps, at, "offer_outside_hours",
                                [f"called at {f} local time ({z})" for f, z in zip(fmt, zone)]))
    if not parts:
        return offers
    extra = pd.concat(parts, ignore_index=True)
    extra = extra[extra["offered_at"] < np.datetime64(period_end, "ns")]
    return pd.concat([offers, extra], ignore_index=True)


def manifest_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The grader-side defects frame with ids D00001..., ordered by table and record."""
    d = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else \
        pd.DataFrame(columns=DEFECT_COLUMNS[1:])
    d = d.sort_values(["table", "record_id", "kind"], kind="stable").reset_index(drop=True)
    d.insert(0, "defect_id", [f"D{i:05d}" for i in range(1, len(d) + 1)])
    return d[DEFECT_COLUMNS].astype("string")
