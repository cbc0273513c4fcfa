"""nbgrader's ``CheckCellMetadata`` with its JSON schema compiled once per process.

nbgrader validates each cell's ``nbgrader`` metadata with ``jsonschema.validate(meta, schema)``, which
checks the schema itself before every cell: about 4 ms a cell, twice per graded notebook, a tenth of a
second per notebook of grading for a schema that never changes. Here the validator is built once; the
checks, their order and the errors raised are nbgrader's own (metadata of another schema version goes
through nbgrader's code unchanged, so its "outdated schema" errors stay as they are).
"""
from __future__ import annotations

from functools import lru_cache

from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata


@lru_cache(maxsize=None)
def _compiled(schema_version: int):
    import json
    import os

    import jsonschema
    from nbgrader.nbgraderformat import common

    with open(os.path.join(common.root, f"v{schema_version:d}.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    return jsonschema.validators.validator_for(schema)(schema)


class _CompiledSchema(BaseMetadataValidator):
    """Sits between nbgrader's versioned validator and its base class: only the schema check changes."""

    def validate_cell(self, cell) -> None:
        meta = cell.metadata.get("nbgrader") if "nbgrader" in cell.metadata else None
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)
        import jsonschema

        error = jsonschema.exceptions.best_match(_compiled(self.schema_version).iter_errors(meta))
        if error is not None:   # what jsonschema.validate raises: the best match among the errors
            raise error


class _Validator(MetadataValidator, _CompiledSchema):
    pass


class CheckCellMetadata(NbgraderCheckCellMetadata):
    """nbgrader's preprocessor (same name, so ``c.CheckCellMetadata`` settings apply), compiled schema."""

    def preprocess(self, nb, resources):
        import traceback

        try:
            _Validator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources
