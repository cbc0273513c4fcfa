"""A measurement specification for the centre's MIS, and the MIS table it produces.

A *measurement specification* says, for each measure the business needs, which record of which system
to read (``mis_events``), which records count, and how to aggregate them. It is plain data (a dict, or
the same as YAML), so it can be reviewed, versioned and checked like any other configuration::

    voice_service_level:          # the measure's name
      system: acd                 # acd | ivr | chat | ticketing | crm  (mis_events.system)
      event: call_offered         # a record that system writes (mis_events.event)
      where: {value: answered}    # which records form the population (field: value or [values])
      aggregate: share            # count | share | mean | sum
      field: duration_s           # numeric field for share-with-threshold, mean and sum (seconds)
      threshold: 20               # share: records with field <= threshold (same unit as field)
      by: queue                   # queue | channel | null (one group, "all")

``aggregate``:

* ``count``: number of records in the population (records);
* ``share``: fraction (0-1) of the population meeting ``match`` (field: value or [values]) and, when
  ``threshold`` is given, ``field <= threshold``;
* ``mean`` / ``sum``: of ``field`` over the population (the field's unit: seconds for ``duration_s``).

:func:`apply` returns the MIS table: one row per measure × day × group with ``value`` and ``records``
(the population's size). Days are the calendar days of the system's own timestamp (``recorded_at``).
A malformed specification raises :class:`MeasurementSpecError` naming what is wrong and the valid choices.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.errors import LearnerError

# the records each system writes (mis_events.system -> event -> values the ``value`` field can hold)
SYSTEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "acd": {"call_offered": ("answered", "abandoned"), "outbound_call": ("connected", "no_answer")},
    "ivr": {"ivr_session": ("routed", "self_service_completed", "self_service_failed", "abandoned_in_ivr",
                            "hung_up_on_message", "redirected_no_menu")},
    "chat": {"chat_session": ("answered", "abandoned")},
    "ticketing": {"email_received": (), "email_replied": ("reply_sent",)},
    "crm": {"wrap_code": ("resolved", "unresolved", "sale", "no_sale", "callback")},
}
FILTER_FIELDS = ("channel", "queue", "value")
NUMERIC_FIELDS = ("duration_s",)
GROUPS = ("queue", "channel")
AGGREGATES = ("count", "share", "mean", "sum")
KEYS = ("system", "event", "where", "match", "aggregate", "field", "threshold", "by")
COLUMNS = ["measure", "day", "group", "value", "records"]


class MeasurementSpecError(LearnerError):
    """The measurement specification cannot be applied: the message says what and lists the valid choices."""


def _choices(xs) -> str:
    return ", ".join(map(str, xs)) if xs else "(none)"


def load_spec(spec) -> dict:
    """The specification as a dict: ``spec`` itself, or parsed from a YAML string."""
    if isinstance(spec, str):
        import yaml

        spec = yaml.safe_load(spec)
    if not isinstance(spec, Mapping) or not spec:
        raise MeasurementSpecError("the measurement specification should be a non-empty dict (or YAML) of "
                                   "measure name -> settings")
    return {str(k): v for k, v in spec.items()}


def _filters(name: str, key: str, filt, system: str, event: str) -> dict[str, list]:
    if filt is None:
        return {}
    if not isinstance(filt, Mapping):
        raise MeasurementSpecError(f"{name}: '{key}' should be a dict of field: value or [values]")
    out = {}
    for field, wanted in filt.items():
        if field not in FILTER_FIELDS:
            raise MeasurementSpecError(f"{name}: unknown field {field!r} in '{key}' (valid: {_choices(FILTER_FIELDS)})")
        values = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
        if field == "value":
            valid = SYSTEMS[system][event]
            bad = [v for v in values if v not in valid]
            if bad:
                raise MeasurementSpecError(f"{name}: {event} records never hold the value {bad[0]!r} "
                                           f"(valid: {_choices(valid)})")
        out[field] = values
    return out


def validate(spec) -> dict[str, dict]:
    """The specification with every measure checked and its defaults filled in (raises
    :class:`MeasurementSpecError` on the first problem)."""
    spec = load_spec(spec)
    out = {}
    for name, m in spec.items():
        if not isinstance(m, Mapping):
            raise MeasurementSpecError(f"{name}: settings should be a dict with {_choices(KEYS)}")
        extra = [k for k in m if k not in KEYS]
        if extra:
            raise MeasurementSpecError(f"{name}: unknown setting {extra[0]!r} (valid: {_choices(KEYS)})")
        system, event = m.get("system"), m.get("event")
        if system not in SYSTEMS:
            raise MeasurementSpecError(f"{name}: unknown system {system!r} (valid: {_choices(SYSTEMS)})")
        if event not in SYSTEMS[system]:
            raise MeasurementSpecError(f"{name}: system {system!r} writes no {event!r} record "
                                       f"(valid: {_choices(SYSTEMS[system])})")
        aggregate = m.get("aggregate")
        if aggregate not in AGGREGATES:
            raise MeasurementSpecError(f"{name}: unknown aggregate {aggregate!r} (valid: {_choices(AGGREGATES)})")
        field, threshold = m.get("field"), m.get("threshold")
        if field is not None and field not in NUMERIC_FIELDS:
            raise MeasurementSpecError(f"{name}: unknown field {field!r} (valid: {_choices(NUMERIC_FIELDS)})")
        if aggregate in ("mean", "sum") and field is None:
            raise MeasurementSpecError(f"{name}: aggregate {aggregate!r} needs a 'field' "
                                       f"(valid: {_choices(NUMERIC_FIELDS)})")
        if threshold is not None and (field is None or aggregate != "share"
                                      or isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
            raise MeasurementSpecError(f"{name}: 'threshold' is a number of the field's unit and goes with "
                                       "aggregate 'share' and a 'field'")
        if aggregate == "share" and m.get("match") is None and threshold is None:
            raise MeasurementSpecError(f"{name}: aggregate 'share' needs 'match' or a 'field' and 'threshold'")
        by = m.get("by")
        if by is not None and by not in GROUPS:
            raise MeasurementSpecError(f"{name}: unknown 'by' {by!r} (valid: {_choices(GROUPS)} or null)")
        out[name] = {"system": system, "event": event, "aggregate": aggregate, "field": field,
                     "threshold": None if threshold is None else float(threshold), "by": by,
                     "where": _filters(name, "where", m.get("where"), system, event),
                     "match": _filters(name, "match", m.get("match"), system, event)}
    return out


def _mask(events: pd.DataFrame, filt: dict[str, list]) -> np.ndarray:
    mask = np.ones(len(events), dtype=bool)
    for field, values in filt.items():
        mask &= events[field].isin(values).fillna(False).to_numpy(dtype=bool)
    return mask


def apply(spec, mis_events: pd.DataFrame) -> pd.DataFrame:
    """The MIS table of ``spec`` on ``mis_events``: columns ``measure, day, group, value, records``
    (``value`` in the measure's unit: a fraction for ``share``, seconds for ``mean``/``sum`` of
    ``duration_s``, records for ``count``; ``records`` the population counted), sorted by measure, day, group."""
    spec = validate(spec)
    frames = []
    day = mis_events["recorded_at"].dt.normalize()
    for name, m in spec.items():
        rows = _mask(mis_events, {"system": [m["system"]], "event": [m["event"]]} | m["where"])
        ev = mis_events.loc[rows]
        group = ev[m["by"]].astype(object).fillna("(none)") if m["by"] else pd.Series("all", index=ev.index)
        if m["aggregate"] == "share":
            hit = _mask(ev, m["match"])
            if m["threshold"] is not None:
                hit &= (ev[m["field"]] <= m["threshold"]).fillna(False).to_numpy(dtype=bool)
            x = pd.Series(hit.astype(float), index=ev.index)
        elif m["aggregate"] == "count":
            x = pd.Series(1.0, index=ev.index)
        else:
            x = ev[m["field"]].astype(float)
        g = x.groupby([day.loc[ev.index].rename("day"), group.rename("group")])
        how = {"share": "mean", "count": "sum", "mean": "mean", "sum": "sum"}[m["aggregate"]]
        out = g.agg(how).rename("value").to_frame()
        out["records"] = g.size().astype("int64")
        frames.append(out.reset_index().assign(measure=name))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(frames, ignore_index=True)[COLUMNS]
    table["group"] = table["group"].astype(str)
    return table.sort_values(["measure", "day", "group"], ignore_index=True)


def totals(table: pd.DataFrame) -> pd.Series:
    """Each ``share`` or ``mean`` measure of an :func:`apply` table over the whole period: the mean of its
    daily values weighted by their records (a fraction, or seconds for a mean of ``duration_s``)."""
    w = table["value"] * table["records"]
    return w.groupby(table["measure"]).sum() / table.groupby("measure")["records"].sum()
