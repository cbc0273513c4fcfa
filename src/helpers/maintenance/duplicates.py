"""Duplicate customer records: name similarity and clusters of records that are likely one person.

Similarities are 0..1 (1 = the same normalised name); names are compared lower case, letters only,
common nicknames expanded. Ids are strings; a cluster is named by the smallest id in it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.maintenance.validators import _require_columns

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
