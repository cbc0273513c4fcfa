"""Contact-centre KPIs computed from the generator's tables (see ``helpers.tables``).

Learners' answers are judged against these functions, so every definition is spelt out here and in
docs/formulas.md. Conventions that apply to all of them:

* **Rates are fractions in 0..1** (service level, abandonment, FCR, CSAT top-two-box, occupancy ...);
  NPS is in points (-100..100); times are in seconds; money in AUD.
* **Offered calls exclude 'lost' calls.** A call with ``outcome == 'lost'`` was rejected while the
  telephony/IVR was down and never reached the queue, so it is left out of service level, ASA,
  abandonment and every other "offered"/"answered" count. Answered = offered and not abandoned.
* **"Within T" is inclusive** (``wait_s <= T``); "after T" is ``wait_s > T``.
* A KPI whose denominator is zero (e.g. no answered calls) is **NaN**, not an error. A table with no
  rows at all, a missing column or a column of the wrong type raises ``ValueError`` naming both.
* Every KPI is a ratio of sums, so ``by=`` results aggregate back to the whole-frame value when
  weighted by their denominators. ``by=`` accepts a column name or list of names, or the special
  values "interval" (30-minute interval of the table's time column, e.g. ``arrived_at``), "hour",
  "day", "week" (Monday start) and "segment" (the caller's ``customers.segment``; pass
  ``customers=``; unidentified callers fall in "unidentified").
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Service-level variant used when an exercise does not say otherwise. Each exercise pins its own.
DEFAULT_SL_VARIANT = "abandons_ignored"
SL_VARIANTS = ("abandons_ignored", "abandons_bad", "abandons_bad_after_t", "abandons_within_t_good",
               "short_abandons_excluded")
INTERVAL_MIN = 30
#: ``kpi_table`` calls a missed target "near" when the shortfall is within this fraction of |target|.
NEAR_TOLERANCE = 0.05
#: The time column used by the period groupings ("interval", "hour", "day", "week") per table.
TIME_COLUMNS = {"calls": "arrived_at", "surveys": "sent_at", "sales": "sold_at",
                "shifts": "rostered_start", "customers": "joined_at"}
_PERIODS = ("interval", "hour", "day", "week")
_UNIDENTIFIED = "unidentified"


# ----------------------------------------------------------------------------- validation

def require(df, table: str, columns: Mapping[str, str]) -> None:
    """Check that ``df`` is a non-empty DataFrame with ``columns`` ({name: kind}) of the right kind.

    Kinds: "numeric", "bool", "datetime", "any". Raises ValueError naming the table and column.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"the {table} table must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"the {table} table has no column {', '.join(map(repr, missing))} "
                         f"(see helpers.tables.TABLES['{table}'])")
    if len(df) == 0:
        raise ValueError(f"the {table} table is empty (0 rows)")
    for name, kind in columns.items():
        dtype = df[name].dtype
        ok = {"numeric": pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype),
              "bool": pd.api.types.is_bool_dtype(dtype),
              "datetime": pd.api.types.is_datetime64_any_dtype(dtype),
              "any": True}.get(kind)
        if ok is None:
            raise AssertionError(f"unknown column kind {kind!r}")
        if not ok:
            raise ValueError(f"column {name!r} of the {table} table should be {kind}, got dtype {dtype}")


def _flag(s: pd.Series) -> np.ndarray:
    """A boolean column as a numpy bool array (missing counts as False)."""
    return s.to_numpy(dtype=bool, na_value=False)


def _equals(s: pd.Series, value) -> np.ndarray:
    return _flag(s.eq(value))


def _identified(customer_id: pd.Series) -> np.ndarray:
    return _flag(customer_id.notna() & customer_id.astype("string").str.strip().ne(""))


def _offered(calls: pd.DataFrame) -> np.ndarray:
    return ~_equals(calls["outcome"], "lost")


def _answered(calls: pd.DataFrame) -> np.ndarray:
    return _offered(calls) & ~_flag(calls["abandoned"])


# ----------------------------------------------------------------------------- grouping

def grouping_keys(df: pd.DataFrame, by, *, table: str, customers: pd.DataFrame | None = None) -> list[pd.Series]:
    """Turn a ``by=`` argument into groupby keys aligned with ``df`` (shared by every KPI).

    A name that is a column of ``df`` is used as is; otherwise "interval" (30-min floor of the
    table's time column), "hour" (floor to the hour), "day" (midnight), "week" (Monday midnight)
    or "segment" (looked up in ``customers`` on ``customer_id``).
    """
    names = [by] if isinstance(by, str) else list(by)
    if not names:
        raise ValueError("by= must name at least one column or period")
    keys = []
    for name in names:
        if name in df.columns:
            keys.append(df[name])
        elif name in _PERIODS:
            tcol = TIME_COLUMNS.get(table)
            if tcol is None:
                raise ValueError(f"by={name!r} needs a time column, and the {table} table has none")
            require(df, table, {tcol: "datetime"})
            t = df[tcol]
            key = {"interval": lambda: t.dt.floor(f"{INTERVAL_MIN}min"),
                   "hour": lambda: t.dt.floor("h"),
                   "day": lambda: t.dt.normalize(),
                   "week": lambda: (t - pd.to_timedelta(t.dt.day_of_week, unit="D")).dt.normalize()}[name]()
            keys.append(key.rename(name))
        elif name == "segment":
            if customers is None:
                raise ValueError("by='segment' needs the customers table: pass customers=")
            require(customers, "customers", {"customer_id": "any", "segment": "any"})
            require(df, table, {"customer_id": "any"})
            if customers["customer_id"].duplicated().any():
                raise ValueError("the customers table has duplicate customer_id values")
            lookup = customers.set_index("customer_id")["segment"]
            seg = df["customer_id"].map(lookup).astype("string").fillna(_UNIDENTIFIED)
            keys.append(seg.rename("segment"))
        else:
            raise ValueError(f"by={name!r} is neither a column of the {table} table nor one of "
                             f"{', '.join(_PERIODS)}, segment")
    return keys


def _ratio(num, den, df: pd.DataFrame, by, *, table: str, name: str, customers=None, scale: float = 1.0):
    """sum(num) / sum(den) for the whole frame (float) or per group (Series); NaN when den sums to 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    if by is None:
        d = den.sum()
        return float(scale * num.sum() / d) if d else math.nan
    keys = grouping_keys(df, by, table=table, customers=customers)
    parts = pd.DataFrame({"num": num, "den": den}, index=df.index)
    sums = parts.groupby(keys, sort=True, dropna=False, observed=True).sum()
    out = scale * sums["num"] / sums["den"].where(sums["den"] != 0)
    return out.rename(name)


# ----------------------------------------------------------------------------- calls

_CALL_COLS = {"wait_s": "numeric", "abandoned": "bool", "outcome": "any"}


def service_level(calls: pd.DataFrame, threshold_s: float = 20, variant: str = DEFAULT_SL_VARIANT,
                  short_abandon_s: float = 5, by=None, customers: pd.DataFrame | None = None):
    """Share of calls answered within ``threshold_s`` seconds (fraction 0..1), per ``variant``.

    With A = answered calls, A_T = answered with ``wait_s <= T``, X = abandoned calls,
    X_T = abandoned with ``wait_s <= T``, X_S = abandoned with ``wait_s <= short_abandon_s``:

    * "abandons_ignored" (default, ``DEFAULT_SL_VARIANT``): A_T / A
    * "abandons_bad": A_T / (A + X)
    * "abandons_bad_after_t": A_T / (A + X - X_T)   (callers who hung up within T are not counted)
    * "abandons_within_t_good": (A_T + X_T) / (A + X)
    * "short_abandons_excluded": A_T / (A + X - X_S)

    Lost calls (telephony down) are never offered and never counted. Each exercise pins its variant.
    """
    require(calls, "calls", _CALL_COLS)
    if variant not in SL_VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(SL_VARIANTS)}; got {variant!r}")
    if threshold_s < 0 or short_abandon_s < 0:
        raise ValueError("threshold_s and short_abandon_s must be >= 0 seconds")
    wait = calls["wait_s"].to_numpy(dtype=float)
    answered = _answered(calls)
    abandoned = _offered(calls) & _flag(calls["abandoned"])
    ans_t = answered & (wait <= threshold_s)
    ab_t = abandoned & (wait <= threshold_s)
    ab_short = abandoned & (wait <= short_abandon_s)
    num, den = {
        "abandons_ignored": (ans_t, answered),
        "abandons_bad": (ans_t, answered | abandoned),
        "abandons_bad_after_t": (ans_t, answered | (abandoned & ~ab_t)),
        "abandons_within_t_good": (ans_t | ab_t, answered | abandoned),
        "short_abandons_excluded": (ans_t, answered | (abandoned & ~ab_short)),
    }[variant]
    return _ratio(num, den, calls, by, table="calls", name="service_level", customers=customers)


def asa(calls: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """Average speed of answer, seconds: mean ``wait_s`` of answered calls (abandoned and lost excluded)."""
    require(calls, "calls", _CALL_COLS)
    answered = _answered(calls)
    return _ratio(np.where(answered, calls["wait_s"].to_numpy(dtype=float), 0.0), answered, calls, by,
                  table="calls", name="asa_s", customers=customers)


def _handle_s(calls: pd.DataFrame) -> np.ndarray:
    return sum(calls[c].to_numpy(dtype=float) for c in ("talk_s", "hold_s", "wrap_s"))


def aht(calls: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """Average handle time, seconds: mean of ``talk_s + hold_s + wrap_s`` over answered calls."""
    require(calls, "calls", {**_CALL_COLS, "talk_s": "numeric", "hold_s": "numeric", "wrap_s": "numeric"})
    answered = _answered(calls)
    return _ratio(np.where(answered, _handle_s(calls), 0.0), answered, calls, by,
                  table="calls", name="aht_s", customers=customers)


def abandonment_rate(calls: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """Abandoned / offered (fraction), offered = answered + abandoned; lost calls excluded.

    All abandons count, however short the wait (no short-abandon exclusion here).
    """
    require(calls, "calls", _CALL_COLS)
    offered = _offered(calls)
    return _ratio(offered & _flag(calls["abandoned"]), offered, calls, by,
                  table="calls", name="abandonment_rate", customers=customers)


def fcr(calls: pd.DataFrame, window_days: float = 7, by=None, customers: pd.DataFrame | None = None,
        exclude_incomplete_window: bool = False):
    """First-contact resolution (fraction): answered calls not followed by a repeat call.

    Denominator: answered calls from identified callers (non-empty ``customer_id``). A call counts
    as resolved at first contact unless the same customer calls again about the same ``reason``
    with the next call arriving at most ``window_days`` days after this call's ``arrived_at``. Any
    later call counts as a repeat (answered, abandoned or lost: the customer had to try again).
    Computed from the timestamps; ``is_repeat`` is not used. With ``exclude_incomplete_window``,
    calls within ``window_days`` of the last arrival in the frame are dropped (their window is not
    fully observed); by default they are kept, which slightly overstates FCR at the end of the data.
    """
    require(calls, "calls", {**_CALL_COLS, "customer_id": "any", "reason": "any", "arrived_at": "datetime"})
    if window_days <= 0:
        raise ValueError("window_days must be > 0")
    ident = _identified(calls["customer_id"])
    arrived = calls["arrived_at"]
    frame = pd.DataFrame({"cust": calls["customer_id"].to_numpy(), "reason": calls["reason"].to_numpy(),
                          "t": arrived.to_numpy(), "pos": np.arange(len(calls))})[ident]
    frame = frame.sort_values(["cust", "reason", "t", "pos"], kind="mergesort")
    nxt = frame.groupby(["cust", "reason"], sort=False, dropna=False)["t"].shift(-1)
    window = pd.Timedelta(days=window_days)
    repeated = np.zeros(len(calls), dtype=bool)
    repeated[frame["pos"].to_numpy()] = _flag((nxt - frame["t"]) <= window)
    den = _answered(calls) & ident
    if exclude_incomplete_window:
        den &= _flag(arrived + window <= arrived.max())
    return _ratio(den & ~repeated, den, calls, by, table="calls", name="fcr", customers=customers)


def occupancy(calls: pd.DataFrame, shifts: pd.DataFrame) -> float:
    """Handle time of answered calls / logged-in time (fraction). Pass both tables for the same period."""
    require(calls, "calls", {**_CALL_COLS, "talk_s": "numeric", "hold_s": "numeric", "wrap_s": "numeric"})
    require(shifts, "shifts", {"logged_in_s": "numeric"})
    handle = np.where(_answered(calls), _handle_s(calls), 0.0).sum()
    logged = shifts["logged_in_s"].to_numpy(dtype=float).sum()
    return float(handle / logged) if logged else math.nan


# ----------------------------------------------------------------------------- shifts

def _rostered_s(shifts: pd.DataFrame) -> np.ndarray:
    require(shifts, "shifts", {"rostered_start": "datetime", "rostered_end": "datetime"})
    secs = (shifts["rostered_end"] - shifts["rostered_start"]).dt.total_seconds().to_numpy(dtype=float)
    if (secs < 0).any():
        raise ValueError("the shifts table has rows with rostered_end before rostered_start")
    return secs


def utilisation(shifts: pd.DataFrame, by=None):
    """Logged-in time / rostered (paid) time, fraction; rostered time = rostered_end - rostered_start."""
    require(shifts, "shifts", {"logged_in_s": "numeric"})
    return _ratio(shifts["logged_in_s"], _rostered_s(shifts), shifts, by, table="shifts", name="utilisation")


def shrinkage(shifts: pd.DataFrame, by=None):
    """``shrinkage_s`` / rostered time, fraction (breaks, training, meetings and absence)."""
    require(shifts, "shifts", {"shrinkage_s": "numeric"})
    return _ratio(shifts["shrinkage_s"], _rostered_s(shifts), shifts, by, table="shifts", name="shrinkage")


# ----------------------------------------------------------------------------- surveys

def _responses(surveys: pd.DataFrame, score: str) -> tuple[np.ndarray, np.ndarray]:
    require(surveys, "surveys", {"responded": "bool", score: "numeric"})
    values = surveys[score].to_numpy(dtype=float, na_value=np.nan)
    return _flag(surveys["responded"]) & ~np.isnan(values), values


def csat(surveys: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """CSAT top-two-box (fraction): responses scoring 4 or 5 / responses with a CSAT score."""
    resp, score = _responses(surveys, "csat")
    return _ratio(resp & (score >= 4), resp, surveys, by, table="surveys", name="csat", customers=customers)


def nps(surveys: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """Net Promoter Score in points (-100..100): 100 x (promoters 9-10 - detractors 0-6) / responses."""
    resp, score = _responses(surveys, "nps")
    net = np.where(resp & (score >= 9), 1.0, 0.0) - np.where(resp & (score <= 6), 1.0, 0.0)
    return _ratio(net, resp, surveys, by, table="surveys", name="nps", customers=customers, scale=100.0)


def survey_response_rate(surveys: pd.DataFrame, by=None, customers: pd.DataFrame | None = None):
    """Surveys answered / surveys sent (fraction)."""
    require(surveys, "surveys", {"responded": "bool"})
    return _ratio(_flag(surveys["responded"]), np.ones(len(surveys)), surveys, by, table="surveys",
                  name="survey_response_rate", customers=customers)


# ----------------------------------------------------------------------------- sales

def _sales_by_call(sales: pd.DataFrame) -> pd.Series:
    require(sales, "sales", {"call_id": "any", "revenue_aud": "numeric"})
    return sales.groupby("call_id")["revenue_aud"].sum()


def conversion_rate(calls: pd.DataFrame, sales: pd.DataFrame, queue: str | None = "sales", by=None,
                    customers: pd.DataFrame | None = None):
    """Answered calls on ``queue`` with at least one sale / answered calls on ``queue`` (fraction).

    A call with two sales converts once, so the rate stays in 0..1. ``queue=None`` uses every queue.
    """
    require(calls, "calls", {**_CALL_COLS, "call_id": "any", "queue": "any"})
    base = _answered(calls) & (True if queue is None else _equals(calls["queue"], queue))
    converted = _flag(calls["call_id"].isin(_sales_by_call(sales).index))
    return _ratio(base & converted, base, calls, by, table="calls", name="conversion_rate", customers=customers)


def revenue_per_call(calls: pd.DataFrame, sales: pd.DataFrame, queue: str | None = None, by=None,
                     customers: pd.DataFrame | None = None):
    """AUD of sales made on answered calls / answered calls (optionally on one ``queue``)."""
    require(calls, "calls", {**_CALL_COLS, "call_id": "any", "queue": "any"})
    base = _answered(calls) & (True if queue is None else _equals(calls["queue"], queue))
    revenue = calls["call_id"].map(_sales_by_call(sales)).to_numpy(dtype=float, na_value=0.0)
    return _ratio(np.where(base, revenue, 0.0), base, calls, by, table="calls", name="revenue_per_call_aud",
                  customers=customers)


def cost_per_contact(calls: pd.DataFrame, shifts: pd.DataFrame, agents: pd.DataFrame,
                     other_costs_aud: float = 0.0) -> float:
    """(Paid agent cost + ``other_costs_aud``) / answered calls, AUD per handled contact.

    Paid agent cost = sum over shifts of rostered hours x the agent's ``hourly_cost_aud`` (fully
    loaded), so shrinkage and absence are paid for. Pass calls and shifts for the same period.
    """
    require(calls, "calls", _CALL_COLS)
    require(shifts, "shifts", {"agent_id": "any"})
    require(agents, "agents", {"agent_id": "any", "hourly_cost_aud": "numeric"})
    if agents["agent_id"].duplicated().any():
        raise ValueError("the agents table has duplicate agent_id values")
    rate = shifts["agent_id"].map(agents.set_index("agent_id")["hourly_cost_aud"])
    unknown = shifts.loc[rate.isna().to_numpy(), "agent_id"].unique()
    if len(unknown):
        raise ValueError(f"shifts refer to agents missing from the agents table (or without hourly_cost_aud): "
                         f"{', '.join(map(str, unknown[:5]))}")
    cost = float((_rostered_s(shifts) / 3600 * rate.to_numpy(dtype=float)).sum()) + float(other_costs_aud)
    handled = int(_answered(calls).sum())
    return cost / handled if handled else math.nan


# ----------------------------------------------------------------------------- customers

def _cohort(customers: pd.DataFrame, start, end) -> tuple[np.ndarray, np.ndarray]:
    require(customers, "customers", {"joined_at": "datetime", "churned_at": "datetime"})
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    churned = customers["churned_at"]
    at_start = _flag((customers["joined_at"] <= start) & (churned.isna() | (churned > start)))
    left = at_start & _flag(churned.notna() & (churned <= end))
    return at_start, left


def retention_rate(customers: pd.DataFrame, start, end, by=None):
    """Customers active at ``start`` still active at ``end`` / customers active at ``start`` (fraction).

    Active at t: ``joined_at <= t`` and (no ``churned_at`` or ``churned_at > t``). Customers who
    join during the period are outside the cohort. ``by="segment"`` uses the customers' own segment.
    """
    at_start, left = _cohort(customers, start, end)
    return _ratio(at_start & ~left, at_start, customers, by, table="customers", name="retention_rate")


def churn_rate(customers: pd.DataFrame, start, end, by=None):
    """Customers active at ``start`` who churned by ``end`` / customers active at ``start`` = 1 - retention."""
    at_start, left = _cohort(customers, start, end)
    return _ratio(left, at_start, customers, by, table="customers", name="churn_rate")


# ----------------------------------------------------------------------------- roll-ups

KPI_KEYS = ("service_level", "asa_s", "aht_s", "abandonment_rate", "fcr", "csat", "nps", "conversion_rate",
            "retention_rate", "cost_per_contact_aud", "occupancy", "shrinkage")
_NEEDS = ("calls", "surveys", "sales", "customers", "shifts", "agents")


def compute_kpis(tables: Mapping[str, pd.DataFrame], threshold_s: float = 20,
                 sl_variant: str = DEFAULT_SL_VARIANT) -> dict[str, float]:
    """Every headline KPI (keys ``KPI_KEYS``) from a dict of the generator's tables.

    Retention runs from midnight of the first call's day to the last call's ``arrived_at``.
    """
    missing = [t for t in _NEEDS if t not in tables]
    if missing:
        raise ValueError(f"compute_kpis needs the tables {', '.join(missing)}")
    calls, shifts = tables["calls"], tables["shifts"]
    require(calls, "calls", {"arrived_at": "datetime"})
    start, end = calls["arrived_at"].min().normalize(), calls["arrived_at"].max()
    return {
        "service_level": service_level(calls, threshold_s, sl_variant),
        "asa_s": asa(calls),
        "aht_s": aht(calls),
        "abandonment_rate": abandonment_rate(calls),
        "fcr": fcr(calls),
        "csat": csat(tables["surveys"]),
        "nps": nps(tables["surveys"]),
        "conversion_rate": conversion_rate(calls, tables["sales"]),
        "retention_rate": retention_rate(tables["customers"], start, end),
        "cost_per_contact_aud": cost_per_contact(calls, shifts, tables["agents"]),
        "occupancy": occupancy(calls, shifts),
        "shrinkage": shrinkage(shifts),
    }


def kpi_table(actuals: Mapping[str, float], targets: Mapping[str, Mapping], near_tolerance: float = NEAR_TOLERANCE
              ) -> pd.DataFrame:
    """Actuals against the case study's targets, one row per target KPI.

    ``targets`` = {kpi: {"target": float, "direction": "higher"|"lower", "unit": str}}. Columns:
    kpi, actual, target, unit, direction, gap (= actual - target), status: "met" (at or better than
    target), "near" (worse by at most ``near_tolerance`` x |target|, or by ``near_tolerance`` itself
    when the target is 0), "missed", or "no_data" when the actual is NaN.
    """
    rows = []
    for kpi, spec in targets.items():
        if kpi not in actuals:
            raise ValueError(f"no actual value for KPI {kpi!r} (actuals has {', '.join(actuals) or 'nothing'})")
        if not isinstance(spec, Mapping) or "target" not in spec or "direction" not in spec:
            raise ValueError(f"target for {kpi!r} must be a dict with 'target' and 'direction'")
        direction = spec["direction"]
        if direction not in ("higher", "lower"):
            raise ValueError(f"direction for {kpi!r} must be 'higher' or 'lower', got {direction!r}")
        target, actual = float(spec["target"]), float(actuals[kpi])
        shortfall = (target - actual) if direction == "higher" else (actual - target)
        tol = near_tolerance * abs(target) if target else near_tolerance
        status = ("no_data" if math.isnan(actual) else "met" if shortfall <= 0
                  else "near" if shortfall <= tol else "missed")
        rows.append({"kpi": kpi, "actual": actual, "target": target, "unit": str(spec.get("unit", "")),
                     "direction": direction, "gap": actual - target, "status": status})
    return pd.DataFrame(rows, columns=["kpi", "actual", "target", "unit", "direction", "gap", "status"])
