"""Products and services a customer holds, following each product's take-up in the case study.

Rules: at most one plan per *exclusive* category (one electricity plan, one broadband plan): the
category's take-ups are the probabilities of holding each of its products; other products are held
independently with their take-up. ``sample_holdings`` applies the same rules to many customers at
once with numpy (the generator's hot path); ``Provider.products_held`` is the per-customer form.
"""
from __future__ import annotations

import numpy as np
from faker.providers import BaseProvider

EXCLUSIVE_CATEGORIES = ("electricity", "gas", "broadband")


def _groups(products: list[dict]) -> list[list[int]]:
    """Product positions grouped: one group per exclusive category, singletons for the rest."""
    groups: dict[str, list[int]] = {}
    out: list[list[int]] = []
    for i, p in enumerate(products):
        if p["category"] in EXCLUSIVE_CATEGORIES:
            groups.setdefault(p["category"], []).append(i)
        else:
            out.append([i])
    return list(groups.values()) + out


def sample_holdings(rng: np.random.Generator, products: list[dict], n: int) -> np.ndarray:
    """Boolean matrix (n customers x len(products)): who holds what, vectorised."""
    held = np.zeros((n, len(products)), dtype=bool)
    for group in _groups(products):
        take = np.array([products[i]["take_up"] for i in group], dtype=float)
        if take.sum() > 1:
            raise ValueError(f"take-up of exclusive category {products[group[0]]['category']!r} "
                             f"adds up to {take.sum():.2f} (> 1)")
        u = rng.random(n)
        edges = np.cumsum(take)
        pick = np.searchsorted(edges, u, side="right")  # == len(group) means none of the group
        for j, i in enumerate(group):
            held[:, i] = pick == j
    return held


class Provider(BaseProvider):
    def products_held(self, products: list[dict]) -> list[str]:
        """Product ids one customer holds (same rules as ``sample_holdings``)."""
        out = []
        for group in _groups(products):
            u, acc = self.generator.random.random(), 0.0
            for i in group:
                acc += products[i]["take_up"]
                if u < acc:
                    out.append(products[i]["id"])
                    break
        return out
