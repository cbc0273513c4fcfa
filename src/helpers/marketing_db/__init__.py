"""Marketing-database design checks (BSBCCO605A/BSBCUE605 element 2): a learner's SQLite DDL is run in
a guarded in-memory database, inspected, judged field by field, loaded with generated data and
queried. See the submodules: ``sandbox`` (guards), ``schema`` (inspection), ``fields`` (synonym
table), ``design`` (``check_design``), ``load`` (``load_into_design``), ``probes``
(``check_query``, ``run_probe_queries``) and ``reference`` (``REFERENCE_DDL``).
"""
from helpers.marketing_db.design import CHECKS, GROUPS, build_schema, check_design, describe_design
from helpers.marketing_db.fields import FIELD_SYNONYMS
from helpers.marketing_db.load import DesignConnection, load_into_design
from helpers.marketing_db.probes import (PROBES, check_query, default_as_of, expected_probe_ids, lawful_contacts,
                                         probe_params, run_probe_queries)
from helpers.marketing_db.schema import Schema, inspect_schema

__all__ = ["CHECKS", "FIELD_SYNONYMS", "GROUPS", "PROBES", "probe_params", "DesignConnection", "Schema",
           "build_schema", "check_design", "check_query", "default_as_of", "describe_design", "expected_probe_ids",
           "inspect_schema", "lawful_contacts", "load_into_design", "run_probe_queries"]
