"""Faker providers for the case-study data, one per domain concept, written like Faker's own.

Each provider is a package ``helpers.providers.<name>`` whose ``Provider(BaseProvider)`` holds the
logic; localised data (suburbs and postcodes, phrases) lives in a locale sub-package such as
``au_customer/en_AU``, as in ``faker/providers/<name>/<locale>``. Use them with Faker directly::

    fake = make_faker(seed=1)
    fake.au_customer()          # one whole customer profile (a dict)
    fake.verbatim("wait_time", "negative")

The generator never calls Faker per row: it builds pools of values with these providers (see
``helpers.generator.pools``) and samples the pools with numpy.
"""
from __future__ import annotations

from faker import Faker

PROVIDERS = (
    "helpers.providers.au_customer",
    "helpers.providers.au_agent",
    "helpers.providers.products_held",
    "helpers.providers.verbatims",
)


def make_faker(seed: int, locale: str = "en_AU") -> Faker:
    """A Faker with our providers, seeded for reproducible output (Faker's own seeding)."""
    fake = Faker(locale, includes=list(PROVIDERS))
    fake.seed_instance(int(seed))
    return fake
