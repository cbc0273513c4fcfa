"""The synonym table: which column names count as which marketing-database field.

Names are normalised first (``firstName``/``First Name`` -> ``first_name``), then matched with the
regular expressions below (``re.search``; ``_`` separates words). A field is found when a matching
column sits in the customer table or in one of its child tables (tables holding the customer key),
so both "wide" designs (``consent_email`` on the customer) and "long" designs (a ``consents`` table
with a ``channel`` column) are recognised. Patterns are deliberately generous: the checker judges
whether a field exists, a person reviewing the design judges how well it is named.
"""
from __future__ import annotations

import re

B = r"(?:^|_)"   # word start
E = r"(?:_|$)"   # word end


def normalise(name: str) -> str:
    """``firstName`` / ``First Name`` / ``first-name`` -> ``first_name``."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


# BSBCCO605A range statement, "Marketing database fields may include", and what recognises each.
FIELD_SYNONYMS: dict[str, list[str]] = {
    "first_name": [B + r"(first|given|fore|christian)_?names?" + E, B + r"f_?name" + E],
    "last_name": [B + r"(last|family|sur)_?names?" + E, B + r"l_?name" + E],
    "full_name": [r"^(customer_|contact_|full_|client_|person_)?name$"],
    "email": [B + r"e_?mail" + E, B + r"e_?mail_?(address|addr)" + E, B + "emails" + E],
    "phone": [B + r"(phone|telephone|tel|mobile|landline|cell|cellphone|fax)" + E,
              B + r"(phone|contact|telephone|mobile)_?(numbers?|no|num)" + E],
    "occupation": [B + r"(occupation|profession|job|job_title|job_role|employment|industry_role)" + E],
    "residential_address": [B + r"(residential|residence|home|res|physical|street)_(address|addr|street|suburb|line|postcode)",
                            r"^(address|street|street_address|address_line_?1)$"],
    "postal_address": [B + r"(postal|mailing|mail|post|po_box)_(address|addr|street|suburb|line|postcode|box)", B + r"po_box" + E],
    "business_address": [B + r"(business|work|office|company|employer|trading)_(address|addr|street|suburb|line|postcode)"],
    "state_or_timezone": [B + r"(state|territory|timezone|time_zone|tz|utc_offset|tz_name)" + E],
    "data_source": [r"^(data_|record_|lead_|acquisition_|customer_|info_|information_)?source$",
                    B + r"(origin|collected_from|obtained_from|source_of_data|data_origin|list_source)" + E],
    "product_ref": [B + r"(product|products|service|plan|sku|offering)(_id|_code|_name|_key)?$"],
    "holding_state": [B + r"(status|state|active|is_current|current|ended|end|cancelled|closed|end_date|ended_at|ended_on|until|to_date|expires?)" + E],
    "offer_ref": [B + r"(offer|offers|campaign|promotion|promo)(_id|_code|_name|_key)?" + E],
    "response": [B + r"(response|outcome|result|accepted|declined|responded|disposition|status)" + E],
    "date": [B + r"(date|dt|at|on|time|timestamp|when)$", r"_(date|at|on)_", r"^(date|when|dt)"],
    # compliance
    "consent": [B + r"(consent|consents|opt_?in|optin|permission|permissions|marketing_ok|can_contact)" + E],
    "consent_type": [B + r"(consent_)?(type|basis|kind|level|status)" + E],
    "source": [B + r"(source|captured_via|obtained_via|collected_via|captured_by|channel_captured|how_obtained)" + E],
    "withdrawal": [B + r"(withdr\w*|revok\w*|revoc\w*|opt_?out\w*|optout\w*|unsubscrib\w*|unsub\w*|suppress\w*)"],
    "actioned": [B + r"(action|actioned|processed|completed|effective|applied|done|suppressed)" + E],
    "dncr": [B + r"(dncr|dnc|do_not_call|donotcall|dnc_register|do_not_call_register)"],
    "dncr_wash": [B + r"wash" , B + r"(dncr|dnc|do_not_call)\w*_(date|checked|check|at|on|verified)" + E],
    "dncr_ref": [B + r"(wash|dncr|dnc|do_not_call)\w*_(ref|reference|receipt|id|no|number|batch)" + E],
    "channel": [B + r"(channel|medium|method|via)" + E],
    "address_type": [B + r"(address_)?(type|kind|purpose|usage|use)" + E],
}
CHANNEL_SYNONYMS: dict[str, list[str]] = {
    "email": [B + r"e_?mail" + E, B + "edm" + E],
    "sms": [B + r"(sms|text|texts|mms|txt)" + E],
    "phone": [B + r"(phone|telephone|tele|call|calls|voice|telemarketing|outbound_call)" + E],
    "post": [B + r"(post|postal|mail|letter|direct_mail|dm)" + E],
}
ADDRESS_KIND_VALUES = {
    "residential_address": {"residential", "home", "physical", "residence", "street"},
    "postal_address": {"postal", "mailing", "post", "mail", "po_box"},
    "business_address": {"business", "work", "office", "company"},
}
CONSENT_TYPES = {"express", "inferred"}

_COMPILED = {k: [re.compile(p) for p in v] for k, v in {**FIELD_SYNONYMS, **{
    f"channel:{c}": p for c, p in CHANNEL_SYNONYMS.items()}}.items()}


def matches(field: str, column: str) -> bool:
    """Does ``column`` (any spelling) name ``field`` of :data:`FIELD_SYNONYMS`?"""
    n = normalise(column)
    return any(p.search(n) for p in _COMPILED[field])


def channel_of(column: str) -> str | None:
    """Which marketing channel a column name mentions (``email_opt_in`` -> ``email``), if any."""
    n = normalise(column)
    for ch in CHANNEL_SYNONYMS:
        if any(p.search(n) for p in _COMPILED[f"channel:{ch}"]):
            return ch
    return None
