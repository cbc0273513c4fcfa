"""Australian customers: names, consistent addresses (suburb, state, postcode), phones, e-mail, DOB.

Safe synthetic identities only: e-mail on the reserved ``example.*`` domains (RFC 2606/6761),
landlines in ACMA's fictitious ``0X 5550 xxxx`` / ``0X 7010 xxxx`` ranges, mobiles in
``0491 57x xxx`` (ACMA's fictitious ``0491 570 xxx`` range extended; see ``helpers.tables``).
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
import re

from faker.providers import BaseProvider

localized = True
default_locale = "en_AU"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def email_local_part(first: str, last: str, fmt: str, nn: int) -> str:
    """The e-mail local part for a name and a format like ``{first}.{last}`` (ASCII, lower case)."""
    f = _NON_ALNUM.sub("", first.lower()) or "x"
    l_ = _NON_ALNUM.sub("", last.lower()) or "x"
    return fmt.format(first=f, last=l_, f=f[0], nn=f"{nn:02d}")


def state_of_postcode(postcode: str, postcode_ranges: dict) -> str | None:
    """The state or territory a 4-digit postcode belongs to, or None if none (or malformed)."""
    if not (isinstance(postcode, str) and len(postcode) == 4 and postcode.isdigit()):
        return None
    n = int(postcode)
    for state, ranges in postcode_ranges.items():
        if any(lo <= n <= hi for lo, hi in ranges):
            return state
    return None


class Provider(BaseProvider):
    """Logic only; the locale sub-package (``en_AU``) supplies suburbs, ranges and formats."""

    suburbs: dict = {}
    postcode_ranges: dict = {}
    timezones: dict = {}
    area_codes: dict = {}
    state_weights: dict = {}
    landline_exchanges: tuple = ()
    mobile_prefix = ""
    email_domains: tuple = ()
    email_formats: tuple = ()
    unit_share = 0.0
    po_box_share = 0.0
    data_sources: tuple = ()
    data_source_weights: tuple = ()
    consent_sources: tuple = ()
    street_suffixes: dict = {}
    business_trades: tuple = ()
    business_formats: tuple = ()

    def au_state(self) -> str:
        return self.random_elements(OrderedDict(self.state_weights), length=1, use_weighting=True)[0]

    def au_suburb_postcode(self, state: str | None = None) -> tuple[str, str, str]:
        """(suburb, state, postcode): a real locality with its own postcode."""
        state = state or self.au_state()
        suburb, postcode = self.random_element(self.suburbs[state])
        return suburb, state, postcode

    def au_street_name(self) -> str:
        """A street name with a common Australian suffix (Street, Road, Avenue, ...)."""
        suffix = self.random_elements(OrderedDict(self.street_suffixes), length=1, use_weighting=True)[0]
        return f"{self.generator.last_name()} {suffix}"

    def au_business_name(self) -> str:
        """A small-business trading name, e.g. "Nguyen Electrical Pty Ltd"."""
        trade = self.random_element(self.business_trades)
        pattern = self.random_element(self.business_formats)
        return pattern.format(last=self.generator.last_name(), other=self.generator.last_name(),
                              suburb=self.random_element(self.suburbs[self.au_state()])[0], trade=trade)

    def au_street_address(self) -> str:
        street = f"{self.random_int(1, 240)} {self.au_street_name()}"
        if self.generator.random.random() < self.unit_share:
            street = f"Unit {self.random_int(1, 40)}/{street}"
        return street

    def au_po_box(self) -> str:
        return f"PO Box {self.random_int(10, 9999)}"

    def au_timezone(self, state: str) -> str:
        return self.timezones[state]

    def au_mobile(self) -> str:
        """A mobile number in ACMA's fictitious range, formatted ``0491 57x xxx``."""
        return f"{self.mobile_prefix}{self.random_digit()} {self.random_int(0, 999):03d}"

    def au_landline(self, state: str | None = None) -> str:
        """A landline in a fictitious range for the state's area code, formatted ``(0X) 5550 xxxx``."""
        code = self.area_codes[state or self.au_state()]
        return f"({code}) {self.random_element(self.landline_exchanges)} {self.random_int(0, 9999):04d}"

    def au_email(self, first: str, last: str) -> str:
        local = email_local_part(first, last, self.random_element(self.email_formats), self.random_int(1, 99))
        return f"{local}@{self.random_element(self.email_domains)}"

    def au_date_of_birth(self, min_age: int = 18, max_age: int = 90, on: dt.date | None = None) -> dt.date:
        on = on or dt.date(2025, 5, 5)
        days = self.random_int(min_age * 365 + 1, max_age * 365 + 364)
        return on - dt.timedelta(days=days)

    def au_data_source(self) -> str:
        return self.random_elements(OrderedDict(zip(self.data_sources, self.data_source_weights)), length=1,
                                    use_weighting=True)[0]

    def au_customer(self, business: bool = False, min_age: int = 18, max_age: int = 90) -> dict:
        """One customer profile: the per-row way (the generator samples pools instead; see benchmark)."""
        first, last = self.generator.first_name(), self.generator.last_name()
        suburb, state, postcode = self.au_suburb_postcode()
        street = self.au_street_address()
        if self.generator.random.random() < self.po_box_share:
            postal = (self.au_po_box(), suburb, state, postcode)
        else:
            postal = (street, suburb, state, postcode)
        profile = {
            "first_name": first, "last_name": last,
            "date_of_birth": self.au_date_of_birth(min_age, max_age),
            "occupation": self.generator.job(),
            "email": self.au_email(first, last),
            "mobile": self.au_mobile(), "landline": self.au_landline(state),
            "residential_street": street, "residential_suburb": suburb,
            "residential_state": state, "residential_postcode": postcode,
            "postal_street": postal[0], "postal_suburb": postal[1],
            "postal_state": postal[2], "postal_postcode": postal[3],
            "business_name": None, "business_street": None, "business_suburb": None,
            "business_state": None, "business_postcode": None,
            "timezone": self.au_timezone(state),
            "data_source": self.au_data_source(),
        }
        if business:
            b_suburb, b_state, b_postcode = self.au_suburb_postcode(state)
            profile.update(business_name=self.au_business_name(), business_street=self.au_street_address(),
                           business_suburb=b_suburb, business_state=b_state, business_postcode=b_postcode)
        return profile
