"""Marketing-database maintenance (PC 2.4), one module per concern:

* :mod:`~helpers.maintenance.timing`: each customer's local time, permitted calling times, working days
  and the law's time limits (naive ``Australia/Sydney`` centre times; the project's one holiday calendar,
  ``helpers.generator.calendar``);
* :mod:`~helpers.maintenance.validators`: reference validation rules for customers, calls and offers;
* :mod:`~helpers.maintenance.duplicates`: name similarity and likely-duplicate customer records;
* :mod:`~helpers.maintenance.scoring`: the defects a learner reports, scored against the ground truth;
* :mod:`~helpers.maintenance.procedures`: written maintenance procedures, parsed and checked.

Rules and their sources: ``docs/compliance.md``. The public names are re-exported here, so callers use
``from helpers import maintenance; maintenance.validate_customers(...)``.
"""
from helpers import lazy_exports

# each submodule is imported when one of its names is first used (a setup cell that imports the package pays
# for none of them until a task uses one)
__getattr__, __dir__ = lazy_exports(__name__, {
    "duplicates": ("EMAIL_NAME_SIMILARITY_MIN", "NAME_SIMILARITY_MIN", "find_duplicates", "name_similarity"),
    "procedures": ("GROUP_TABLES", "PROCEDURE_COVERAGE", "RULE_WORDS", "Procedure", "check_procedures",
                   "frequency_working_days", "parse_procedures", "rule_checks", "tables_named"),
    "scoring": ("DEFECT_KINDS", "PRECISION_PASS", "RECALL_PASS", "UNMAPPED", "detection_scores", "score_reported"),
    "timing": ("CALLING_HOURS", "CENTRE_TZ", "DNCR_WASH_VALID_DAYS", "STATE_TIMEZONES", "UNSUBSCRIBE_WORKING_DAYS",
               "national_public_holidays", "observed_public_holidays", "permitted_call_time", "to_local",
               "working_days_between"),
    "validators": ("DURATION_SLACK_S", "EMAIL_RE", "LANDLINE_RE", "MAX_DURATION_S", "MOBILE_RE", "POSTCODE_RANGES",
                   "postcode_state_ok", "validate_calls", "validate_customers", "validate_offers"),
})
del lazy_exports

__all__ = [
    "CALLING_HOURS", "CENTRE_TZ", "DEFECT_KINDS", "DNCR_WASH_VALID_DAYS", "DURATION_SLACK_S",
    "EMAIL_NAME_SIMILARITY_MIN", "EMAIL_RE", "GROUP_TABLES", "LANDLINE_RE", "MAX_DURATION_S", "MOBILE_RE",
    "NAME_SIMILARITY_MIN", "POSTCODE_RANGES", "PRECISION_PASS", "PROCEDURE_COVERAGE", "RECALL_PASS", "RULE_WORDS",
    "STATE_TIMEZONES", "UNMAPPED", "UNSUBSCRIBE_WORKING_DAYS", "Procedure", "check_procedures", "detection_scores",
    "find_duplicates", "frequency_working_days", "name_similarity", "national_public_holidays",
    "observed_public_holidays", "parse_procedures", "permitted_call_time", "postcode_state_ok", "rule_checks",
    "score_reported", "tables_named", "to_local", "validate_calls", "validate_customers", "validate_offers",
    "working_days_between",
]
