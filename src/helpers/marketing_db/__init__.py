"""Marketing-database design checks (BSBCCO605A/BSBCUE605 element 2): a learner's SQLite DDL is run in
a guarded in-memory database, inspected, judged field by field, loaded with generated data and
queried. See the submodules: ``sandbox`` (guards), ``schema`` (inspection), ``fields`` (synonym
table), ``design`` (``check_design``), ``load`` (``load_into_design``), ``probes``
(``check_query``, ``run_probe_queries``) and ``reference`` (``REFERENCE_DDL``).
"""
from helpers.marketing_db.design import CHECKS, build_schema, check_design, describe_design
from helpers.marketing_db.reference import REFERENCE_DDL, REFERENCE_MAPPING
from helpers.marketing_db.schema import Schema, inspect_schema

__all__ = ["CHECKS", "REFERENCE_DDL", "REFERENCE_MAPPING", "Schema", "build_schema", "check_design",
           "describe_design", "inspect_schema"]
