"""The case study's fixed vocabulary: names of queues, day types, systems and defect kinds.

Kept apart from :mod:`helpers.casestudy` (which validates a case study with pydantic and re-exports these) so
that a workbook's task module can name them without importing pydantic in the setup cell.
"""

QUEUE_NAMES = ("sales", "customer_service", "billing", "collections", "fulfilment")
DAY_TYPES = ("weekday", "saturday", "sunday")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SYSTEMS = ("telephony", "ivr", "crm", "marketing_db", "power", "site")
DEFECT_KINDS = (
    "duplicate_customer", "malformed_email", "malformed_phone", "missing_postcode",
    "inconsistent_postcode", "impossible_duration", "out_of_order_timestamps", "offer_to_dncr",
    "offer_to_opted_out", "offer_outside_hours", "unsubscribe_late",
)
MEASUREMENT_FAULT_KINDS = ("miscoded_disposition", "missing_wrap_code", "clock_skew", "double_counted_transfer")
MIS_SYSTEMS = ("acd", "ivr", "chat", "ticketing", "crm")
INTERVALS_PER_DAY = 48
