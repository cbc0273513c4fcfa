"""Marketing-database design checks (BSBCCO605A/BSBCUE605 element 2): a learner's SQLite DDL is run in
a guarded in-memory database, inspected, judged field by field, loaded with generated data and
queried. See the submodules: ``sandbox`` (guards), ``schema`` (inspection), ``fields`` (synonym
table), ``design`` (``check_design``), ``load`` (``load_into_design``), ``probes``
(``check_query``, ``run_probe_queries``) and ``reference`` (``REFERENCE_DDL``).
"""
from helpers import lazy_exports

# each submodule is imported when one of its names is first used: a setup cell that imports the package
# pays nothing for the SQL checks until a task runs one
__getattr__, __dir__ = lazy_exports(__name__, {
    "design": ("CHECKS", "GROUPS", "build_schema", "check_design", "describe_design"),
    "fields": ("FIELD_SYNONYMS",),
    "load": ("DesignConnection", "load_into_design"),
    "probes": ("PROBES", "check_query", "default_as_of", "expected_probe_ids", "lawful_contacts", "probe_params",
               "run_probe_queries"),
    "schema": ("Schema", "inspect_schema"),
})
del lazy_exports

__all__ = ["CHECKS", "FIELD_SYNONYMS", "GROUPS", "PROBES", "probe_params", "DesignConnection", "Schema",
           "build_schema", "check_design", "check_query", "default_as_of", "describe_design", "expected_probe_ids",
           "inspect_schema", "lawful_contacts", "load_into_design", "run_probe_queries"]
