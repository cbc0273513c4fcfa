"""Scoring the records a learner reports as defective against the data's defect manifest (grader-only
ground truth): precision, recall and F1 of record ids, as ``Findings``.

Ids are compared as strings; rates are 0..1 and messages show them as percentages. Messages give
counts per defect kind, never the missed ids. Findings carry the criterion the caller passes
(default :data:`UNMAPPED`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.casestudy import DEFECT_KINDS  # one owner: the case-study data contract
from helpers.findings import Finding, Findings
from helpers.maintenance.validators import _require_columns

PRECISION_PASS = 0.8   # score_reported passes when precision >= this ...
RECALL_PASS = 0.7      # ... and recall >= this; points = max_points x F1
# Findings are labelled with the criterion the caller passes (the unit's task module knows which
# performance criterion its task evidences; this library does not). Without one they carry this label.
UNMAPPED = "maintenance"


def detection_scores(reported: set, truth: set) -> dict:
    """Precision, recall and F1 of reported ids against true defect ids (empty sets score 1.0)."""
    tp = len(reported & truth)
    precision = tp / len(reported) if reported else (1.0 if not truth else 0.0)
    recall = tp / len(truth) if truth else 1.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"tp": tp, "fp": len(reported - truth), "fn": len(truth - reported),
            "precision": precision, "recall": recall, "f1": f1}


def score_reported(reported_ids, defects: pd.DataFrame, table: str | None = None, kinds=None, *,
                   known_ids=None, points: float = 1.0, criterion: str = UNMAPPED) -> Findings:
    """Score the record ids a learner reports as defective against the defect manifest.

    ``defects`` has columns defect_id, table, record_id, column, kind, detail; ``table``/``kinds``
    restrict which defects count. Points = ``points`` x F1; the detection finding passes when
    precision >= :data:`PRECISION_PASS` and recall >= :data:`RECALL_PASS`. Messages give counts per
    kind found/missed, never the missed ids. ``known_ids`` (all ids of the table) lets ids that do
    not exist at all be reported as such. Malformed input gives failed findings, not exceptions.
    ``criterion`` labels the findings (the performance criterion of the caller's task).
    """
    _require_columns(defects, "defects", ["record_id", "kind", "table"])
    d = defects
    if table is not None:
        d = d[d["table"] == table]
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        unknown = sorted(set(kinds) - set(DEFECT_KINDS))
        if unknown:
            raise ValueError(f"unknown defect kind(s) {', '.join(unknown)}; known: {', '.join(DEFECT_KINDS)}")
        d = d[d["kind"].isin(kinds)]
    out = Findings()
    what = f"{table} " if table else ""
    if isinstance(reported_ids, pd.DataFrame):
        col = next((c for c in ("record_id", "customer_id", "call_id", "offer_id", "id") if c in reported_ids), None)
        if col is None:
            out.append(Finding.fail(criterion, "reported defects should be a list of record ids (or a DataFrame with "
                                    "a record_id column)", max_points=points, item="input"))
            return out
        reported_ids = reported_ids[col]
    if reported_ids is None or isinstance(reported_ids, (str, bytes, dict)) or not hasattr(reported_ids, "__iter__"):
        hint = " (wrap a single id in a list)" if isinstance(reported_ids, str) else ""
        out.append(Finding.fail(criterion, f"reported defects should be a list of record ids, got "
                                f"{type(reported_ids).__name__}{hint}", max_points=points, item="input"))
        return out
    items = [x.item() if isinstance(x, np.generic) else x for x in reported_ids]
    wrong_type = [x for x in items if not isinstance(x, str)]
    if wrong_type:
        out.append(Finding.fail(criterion, f"{len(wrong_type)} reported id(s) are not text ({type(wrong_type[0]).__name__}):"
                                " record ids are strings such as the ones in the id column", max_points=0, item="input"))
    ids = [x.strip() for x in items if isinstance(x, str)]
    reported = set(ids)
    if len(ids) != len(reported):
        out.append(Finding.fail(criterion, f"{len(ids) - len(reported)} duplicate id(s) in your list were counted "
                                "once", max_points=0, item="input"))
    if known_ids is not None:
        ghosts = reported - set(map(str, known_ids))
        if ghosts:
            out.append(Finding.fail(criterion, f"{len(ghosts)} reported id(s) do not exist in the {what}table "
                                    "(typos?)", max_points=0, item="input"))
    truth = set(d["record_id"].astype(str))
    s = detection_scores(reported, truth)
    per_kind = []
    for kind, grp in d.groupby("kind", sort=True):
        k_ids = set(grp["record_id"].astype(str))
        per_kind.append(f"{kind}: found {len(k_ids & reported)} of {len(k_ids)}")
    passed = s["precision"] >= PRECISION_PASS and s["recall"] >= RECALL_PASS
    msg = (f"{what}defects: {s['tp']} of your {len(reported)} reported records are real defects "
           f"(precision {s['precision']:.0%}), you found {s['tp']} of {len(truth)} defective records "
           f"(recall {s['recall']:.0%}); " + ("; ".join(per_kind) if per_kind else "no defects of these kinds"))
    if not passed:
        msg += f". Needed: precision {PRECISION_PASS:.0%} and recall {RECALL_PASS:.0%}"
    out.append(Finding(criterion, passed, points * s["f1"], points, msg, item="detection"))
    return out
