"""Seeds and random streams: same (seed, learner) gives the same numbers in any process.

Each part of the dataset draws from its own named stream,
``SeedSequence([seed, stable_hash(learner), stable_hash(stream)])``, so adding draws to one table
never shifts another. Python's ``hash()`` is salted per process and is never used.
"""
from __future__ import annotations

import hashlib

import numpy as np


def stable_hash(text: str | None) -> int:
    """A 63-bit integer from SHA-256 of ``text`` (0 for None): stable across processes and machines."""
    if text is None:
        return 0
    return int.from_bytes(hashlib.sha256(str(text).encode("utf-8")).digest()[:8], "big") >> 1


def check_seed(seed) -> int:
    """The seed as a non-negative int, or a ValueError naming it."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return int(seed)


def stream(seed: int, learner: str | None, name: str) -> np.random.Generator:
    """The random generator for one named part of the dataset."""
    return np.random.default_rng(np.random.SeedSequence([check_seed(seed), stable_hash(learner), stable_hash(name)]))


def learner_rng(seed: int, learner: str | None) -> np.random.Generator:
    """The dataset's root generator, ``default_rng(SeedSequence([seed, stable_hash(learner)]))``."""
    return np.random.default_rng(np.random.SeedSequence([check_seed(seed), stable_hash(learner)]))
