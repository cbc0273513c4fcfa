"""Keyword (lexicon) categorisation of survey and complaint verbatims, and its accuracy.

A category scores one point per keyword occurrence in a text; the highest score wins, ties go to
the category listed first, and a text with no keyword is "other". Keywords are lower-case words or
phrases matched as whole words, case-insensitively; a trailing ``*`` matches any word ending
("overcharg*" matches overcharged, overcharging). Sentiment does not matter: "the wait was short"
and "the wait was endless" are both about wait_time.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

OTHER = "other"

#: Default contact-centre topics (keys are the generator's ``surveys.topic`` labels), most specific first.
DEFAULT_LEXICON: dict[str, list[str]] = {
    "billing_error": ["bill", "bills", "billing", "billed", "invoice*", "overcharg*", "charged twice",
                      "double charg*", "refund*", "direct debit", "debited", "statement", "incorrect amount",
                      "wrong amount", "late fee", "fees", "credit note", "payment*"],
    "product_fault": ["faulty", "fault", "faults", "broken", "broke", "stopped working", "not working",
                      "doesn't work", "does not work", "defect*", "malfunction*", "keeps dropping", "drops out",
                      "dropout*", "warranty", "repair*", "replacement", "crash*", "modem", "router", "device",
                      "signal"],
    "delivery": ["deliver*", "shipping", "shipped", "courier", "parcel", "package", "tracking",
                 "dispatch*", "never arrived", "hasn't arrived", "has not arrived", "still waiting for the order",
                 "arrived late", "installation", "install*", "technician", "order*", "connection date"],
    "website_app": ["website", "web site", "online", "app", "apps", "login", "log in", "logging in", "password",
                    "portal", "webpage", "web page", "browser", "self-service", "self service", "error message",
                    "my account page", "site"],
    "complaint_handling": ["complain*", "escalat*", "ombudsman", "supervisor", "team leader", "case number",
                           "reference number", "follow up", "followed up", "follow-up", "called back",
                           "call back", "callback", "nobody got back", "never got back", "got back to me",
                           "ignored", "formal", "dispute"],
    "wait_time": ["wait*", "on hold", "hold music", "queue*", "minutes", "an hour", "hours", "took ages", "ages",
                  "forever", "answered quickly", "answered straight away", "straight through", "no wait",
                  "long time", "quick to answer", "speed"],
    "staff_attitude": ["rude", "rudely", "polite*", "friendly", "unfriendly", "attitude", "courteous",
                       "discourteous", "manner*", "tone", "patient", "impatient", "dismissive", "condescending",
                       "respect*", "disrespect*", "arrogant", "kind", "kindly", "empath*", "caring",
                       "professional*", "unprofessional", "listened", "didn't listen", "did not listen",
                       "cheerful", "lovely", "hung up on me"],
    "price_value": ["price*", "expensive", "cheap*", "value", "overpriced", "afford*", "cost*", "too much",
                    "rates", "discount*", "deal", "deals", "competitor*", "better offer", "worth", "money",
                    "plan price"],
    "resolution": ["resolved", "unresolved", "resolve", "fixed", "fix", "sorted", "sorted out", "solved",
                   "solution", "still not", "still no", "issue remains", "problem remains", "first time",
                   "first call", "outcome", "result"],
}

#: The topics a good categoriser distinguishes (the default lexicon's categories).
TOPICS = tuple(DEFAULT_LEXICON)


def _pattern(keywords: Sequence[str], category: str) -> str:
    parts = []
    for kw in keywords:
        kw = kw.strip().lower()
        if not kw or kw == "*":
            raise ValueError(f"category {category!r} has an empty keyword")
        stem = kw.endswith("*")
        body = re.escape(kw.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(body + (r"\w*" if stem else r"\b"))
    return r"(?<![\w])(?:" + "|".join(parts) + ")"


def categorise_verbatims(texts, categories: Mapping[str, Sequence[str]] | None = None) -> pd.Series:
    """Best-matching category for each text (Series aligned with ``texts``); "other" when nothing matches.

    ``categories`` = {category: [keywords]} (default ``DEFAULT_LEXICON``); order breaks ties.
    Missing texts are "other". Vectorised: one regular-expression count per category.
    """
    lexicon = DEFAULT_LEXICON if categories is None else categories
    if not lexicon:
        raise ValueError("categories must name at least one category with keywords")
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype="string")
    s = s.astype("string").fillna("").str.lower()
    scores = np.zeros((len(s), len(lexicon)), dtype=int)
    for j, (cat, words) in enumerate(lexicon.items()):
        if isinstance(words, str) or not words:
            raise ValueError(f"category {cat!r} needs a list of keywords")
        scores[:, j] = s.str.count(_pattern(words, cat)).to_numpy(dtype=int, na_value=0)
    names = np.array(list(lexicon) + [OTHER], dtype=object)
    best = np.where(scores.max(axis=1, initial=0) > 0, scores.argmax(axis=1), len(lexicon))
    return pd.Series(names[best], index=s.index, name="category", dtype=object)


def _aligned(pred, truth) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(pred, dtype=object)
    t = np.asarray(truth, dtype=object)
    if p.shape != t.shape:
        raise ValueError(f"pred has {p.size} labels but truth has {t.size}")
    if p.size == 0:
        raise ValueError("no labels to compare")
    return p, t


def categorisation_accuracy(pred, truth) -> float:
    """Share of texts whose predicted category equals the true one (fraction 0..1), matched by position."""
    p, t = _aligned(pred, truth)
    return float(np.mean(p == t))


def categorisation_report(pred, truth) -> pd.DataFrame:
    """Per-category precision, recall, F1 and support (number of true texts), by position."""
    p, t = _aligned(pred, truth)
    rows = {}
    for cat in sorted(set(t) | set(p), key=str):
        tp = int(np.sum((p == cat) & (t == cat)))
        npred, support = int(np.sum(p == cat)), int(np.sum(t == cat))
        precision = tp / npred if npred else np.nan
        recall = tp / support if support else np.nan
        f1 = 2 * precision * recall / (precision + recall) if npred and support and tp else 0.0
        rows[cat] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "category"
    return out
