"""Pools of realistic values built once with Faker, then sampled with numpy for every row.

Calling Faker per row costs about 250 microseconds per customer; sampling pools costs a few
microseconds (see benchmarks/bench_generate.py). Pools depend only on the case study (its slug
seeds Faker), so every learner's dataset draws from the same vocabulary with different numbers;
they are cached per process.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from helpers.generator.rng import stable_hash
from helpers.providers import make_faker
from helpers.providers.verbatims import KINDS, SENTIMENTS, TOPICS

# Name origins of the pool, roughly in line with Australia's population by ancestry.
NAME_LOCALES = (("en_AU", 1000), ("en_GB", 260), ("en_IE", 140), ("en_IN", 180), ("it_IT", 140),
                ("vi_VN", 110), ("zh_CN", 170))
STREETS, OCCUPATIONS, COMPANIES, VERBATIMS_PER_CELL = 1000, 400, 500, 30


@dataclass(frozen=True)
class Pools:
    """pyarrow string arrays (taken by index for every row)."""
    first_names: pa.Array
    last_names: pa.Array
    first_names_ascii: pa.Array  # lower case letters and digits only, for e-mail addresses
    last_names_ascii: pa.Array
    # ids of the ASCII forms of first names, their initials and last names in one vocabulary
    # (equal strings, equal ids): used to find e-mail addresses that would clash
    first_vid: np.ndarray
    initial_vid: np.ndarray
    last_vid: np.ndarray
    streets: pa.Array
    occupations: pa.Array
    companies: pa.Array
    verbatims: dict              # {(kind, topic, sentiment): pa.Array}


def _lower_alnum(a: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(pc.utf8_lower(a), r"[^a-z0-9]", "")


def ascii_name(name: str) -> str:
    """Names as most Australian CRMs store them: diacritics dropped (Nguyễn -> Nguyen)."""
    name = name.replace("Đ", "D").replace("đ", "d").replace("\u2019", "'")
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def _names(seed: int) -> tuple[list[str], list[str]]:
    firsts, lasts = [], []
    for i, (locale, n) in enumerate(NAME_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        if locale == "zh_CN":
            first, last = fake.first_romanized_name, fake.last_romanized_name
        else:
            first, last = fake.first_name, fake.last_name
        firsts += [ascii_name(first()) for _ in range(n)]
        lasts += [ascii_name(last()) for _ in range(n)]
    return firsts, lasts


def _vocabulary(first: pa.Array, last: pa.Array) -> dict:
    f, l_ = first.to_pylist(), last.to_pylist()
    initials = [x[:1] for x in f]
    vocab = np.unique(np.array(f + l_ + initials, dtype=object), return_inverse=True)[1]
    nf, nl = len(f), len(l_)
    return {"first_vid": vocab[:nf], "last_vid": vocab[nf:nf + nl], "initial_vid": vocab[nf + nl:]}


@lru_cache(maxsize=8)
def build_pools(slug: str) -> Pools:
    """The pools for one case study (deterministic: Faker seeded from the slug)."""
    seed = stable_hash(f"pools:{slug}") % (2**31)
    firsts, lasts = _names(seed)
    fake = make_faker(seed)
    verbatims = {}
    for kind in KINDS:
        for topic in TOPICS:
            for sentiment in (SENTIMENTS if kind == "survey" else ("negative",)):
                verbatims[(kind, topic, sentiment)] = pa.array(
                    [fake.verbatim(topic, sentiment, kind) for _ in range(VERBATIMS_PER_CELL)], type=pa.string())
    first, last = pa.array(firsts, type=pa.string()), pa.array(lasts, type=pa.string())
    fa, la = _lower_alnum(first), _lower_alnum(last)
    return Pools(
        first_names=first, last_names=last, first_names_ascii=fa, last_names_ascii=la,
        **_vocabulary(fa, la),
        streets=pa.array([fake.au_street_name() for _ in range(STREETS)], type=pa.string()),
        occupations=pa.array([fake.job() for _ in range(OCCUPATIONS)], type=pa.string()),
        companies=pa.array([fake.au_business_name() for _ in range(COMPANIES)], type=pa.string()),
        verbatims=verbatims,
    )
