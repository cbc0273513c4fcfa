"""Monitoring the accuracy of MIS data collection (BSBCUE602 element 2): reconciling counts between
systems, measuring clock offsets between linked records, auditing a sample, and scoring a set of flagged
records against labels **you** provide.

Nothing here knows where the faults of your data are. :func:`score_flags` compares the records your rules
flag with the records you labelled yourself (for example a random audit sample drawn with
:func:`audit_sample` and checked by hand against the journeys), so it tells you how good your rules are
on your own evidence, exactly as a quality analyst would test a detection rule before using it.

The centre's data standard is the organisational standard the collected data is monitored against. Its
one owner is the case study (``data_standards`` in ``casestudy.yaml``, ``cs.data_standards``, model
:class:`helpers.casestudy.DataStandards`, policy in the case study's README, section Data standards):
wrap-code completeness and accuracy (least shares), the clock tolerance (seconds) and the reconciliation
gap tolerated (contacts). :func:`standard` returns it and :func:`meets_standard` judges figures against it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.errors import UserFacingError
from helpers.vocabulary import MEASUREMENT_FAULT_KINDS

if TYPE_CHECKING:  # annotations only: a setup cell importing this module does not import the case-study models
    from helpers.casestudy import CaseStudy, DataStandards

#: Fault classes of MIS records (one owner: the case-study data contract).
FAULT_KINDS = tuple(MEASUREMENT_FAULT_KINDS)


def reconcile(count_a, count_b, *, name_a: str = "a", name_b: str = "b") -> pd.DataFrame:
    """Two counts of the same contacts from two systems, side by side, with ``gap = a - b`` and
    ``gap_rate = gap / a``. Counts may be numbers or Series with the same index (per queue, per day):
    one row per index value (missing counts are 0)."""
    a = count_a if isinstance(count_a, pd.Series) else pd.Series([count_a], index=["total"])
    b = count_b if isinstance(count_b, pd.Series) else pd.Series([count_b], index=["total"])
    out = pd.concat([a.rename(name_a), b.rename(name_b)], axis=1).fillna(0).astype("int64")
    out["gap"] = out[name_a] - out[name_b]
    out["gap_rate"] = np.where(out[name_a] != 0, out["gap"] / out[name_a].where(out[name_a] != 0, 1), np.nan)
    return out


def clock_offsets(recorded_at: pd.Series, reference_at: pd.Series, by: pd.Series | None = None) -> pd.DataFrame:
    """Offset of a system's timestamps from reference timestamps of the *same* events (linked records), in
    seconds: per group of ``by`` (e.g. the day), the median, smallest and largest offset and the number of
    pairs. A clock that is right shows a median near 0 (or near the usual lag between the two events)."""
    diff = (pd.to_datetime(recorded_at) - pd.to_datetime(reference_at)).dt.total_seconds()
    frame = pd.DataFrame({"offset_s": diff.to_numpy()})
    frame["group"] = "all" if by is None else pd.Series(by).to_numpy()
    frame = frame.dropna(subset=["offset_s"])
    return (frame.groupby("group")["offset_s"].agg(median_s="median", min_s="min", max_s="max", pairs="size")
            .rename_axis(by.name if isinstance(by, pd.Series) and by.name else "group"))


def audit_sample(records: pd.DataFrame, n: int = 200, *, seed: int = 0, by: str | None = None) -> pd.DataFrame:
    """A simple random sample of about ``n`` records to check by hand (stratified over ``by`` when given: the
    same share of every group). The same seed gives the same sample."""
    if by is None:
        return records.sample(n=min(n, len(records)), random_state=seed)
    share = min(1.0, n / max(len(records), 1))
    return records.groupby(by, observed=True).sample(frac=share, random_state=seed)


def _ids(values) -> set[str]:
    if values is None:
        return set()
    if isinstance(values, pd.DataFrame):
        values = values.iloc[:, 0]
    if isinstance(values, (str, bytes)):
        values = [values]
    return {str(v).strip() for v in values if v is not None and str(v).strip()}


def score_flags(flagged: Mapping[str, Iterable], labels: Mapping[str, Iterable],
                population: Iterable | None = None) -> pd.DataFrame:
    """Precision and recall of the records you flag, per fault class, against **your own** labels.

    ``flagged`` and ``labels`` map a fault class to record ids. With ``population`` (the ids you
    labelled, e.g. an audit sample), flags outside it are ignored, so a rule is scored on the records
    you actually checked. Returns one row per class: ``flagged``, ``labelled``, ``true_positives``,
    ``precision``, ``recall``, ``f1`` (NaN where undefined)."""
    pop = _ids(population) if population is not None else None
    rows = []
    for kind in sorted(set(flagged) | set(labels)):
        f, lab = _ids(flagged.get(kind)), _ids(labels.get(kind))
        if pop is not None:
            f, lab = f & pop, lab & pop
        tp = len(f & lab)
        p = tp / len(f) if f else np.nan
        r = tp / len(lab) if lab else np.nan
        f1 = 2 * p * r / (p + r) if p == p and r == r and p + r > 0 else np.nan
        rows.append({"kind": kind, "flagged": len(f), "labelled": len(lab), "true_positives": tp,
                     "precision": p, "recall": r, "f1": f1})
    return pd.DataFrame(rows, columns=["kind", "flagged", "labelled", "true_positives", "precision", "recall",
                                       "f1"]).set_index("kind")


def standard(cs: CaseStudy) -> DataStandards:
    """The centre's MIS data standard, from its case study (``cs.data_standards``). Raises a
    ``UserFacingError`` when the case study states none: data cannot be judged against a standard the
    organisation never set."""
    if getattr(cs, "data_standards", None) is None:
        raise UserFacingError(f"case study {getattr(cs, 'slug', '?')!r} has no data_standards section: add the "
                              "centre's data standard to its casestudy.yaml")
    return cs.data_standards


def meets_standard(completeness, accuracy, cs: CaseStudy):
    """Whether a wrap-code completeness and accuracy (fractions; numbers or Series) meet the centre's data standard
    (:func:`standard`): both at least the standard's least shares. Series give a Series of booleans."""
    std = standard(cs)
    return (completeness >= std.wrap_code_completeness) & (accuracy >= std.wrap_code_accuracy)
