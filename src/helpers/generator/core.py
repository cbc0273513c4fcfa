"""``generate()``: one dataset of the case study for one seed and learner, in memory."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.casestudy import CaseStudy, load_case_study
from helpers.generator import calls as calls_mod
from helpers.generator import customers as cust_mod
from helpers.generator import defects as defects_mod
from helpers.generator import business, channels as channels_mod, marketing, outcomes
from helpers.generator import outages as outages_mod
from helpers.generator.dataset import Dataset
from helpers.generator.frames import arrow, conform, ids, rows_of, take
from helpers.generator.history import make_history
from helpers.generator.pools import build_pools
from helpers.generator.rng import check_seed, stream
from helpers.generator.workforce import make_roster
from helpers.learners import RULE as LEARNER_RULE, is_learner_id
from helpers.tables import TABLES

STEPS = ("pools", "customers", "offers", "roster", "calls", "channels", "history", "outcomes", "defects", "tables")


def _case_study(case_study) -> CaseStudy:
    return case_study if isinstance(case_study, CaseStudy) else load_case_study(case_study)


def check_days(days) -> int | None:
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or not 1 <= days <= 366:
        raise ValueError(f"days must be a whole number of days between 1 and 366, got {days!r}")
    return int(days)


def check_learner(learner) -> str | None:
    """``learner`` if it is None or a learner id by the one rule (``helpers.learners``), else a ValueError."""
    if learner is None or is_learner_id(learner):
        return learner
    raise ValueError(f"learner must be a learner id ({LEARNER_RULE}), got {learner!r}")


def generate(case_study: CaseStudy | str | Path = "lyrebird-energy", seed: int = 0, learner: str | None = None,
             days: int | None = None, progress: Callable[[str], None] | None = None) -> Dataset:
    """Generate every table of the case study's data for ``seed`` (and ``learner``), in memory.

    The same arguments give the same data in any process: every part draws from its own stream
    ``SeedSequence([seed, stable_hash(learner), stable_hash(part)])``. Each learner gets a variant of
    their own: same organisation, queues and story; different customers, calls and numbers.
    ``days`` shortens (or lengthens) the case study's period. ``progress`` is called with each step name.
    Returns a :class:`Dataset` with ``.tables``, ``.defects`` and ``.measurement_faults`` (grader-side
    ground truth) and ``.meta``.
    """
    cs = _case_study(case_study)
    seed = check_seed(seed)
    learner = check_learner(learner)
    cs = outages_mod.for_learner(cs, seed, learner)  # the learner's outage days and times, for every step
    n_days = check_days(days) or cs.period.days
    tick = progress or (lambda step: None)
    rng = lambda part: stream(seed, learner, part)  # noqa: E731
    t0 = np.datetime64(cs.period.start, "ns")
    period_end = t0 + np.timedelta64(n_days, "D")  # exclusive: midnight after the last day

    pools = build_pools(cs.slug)
    tick("pools")
    customers = cust_mod.make_customers(cs, pools, rng("customers"), cs.organisation.customers, t0)
    tick("customers")
    products = marketing.make_products(cs)
    campaigns = marketing.campaign_list(cs, rng("campaigns"), t0)
    r_offers = rng("offers")
    offers = marketing.make_offers(cs, customers, campaigns, r_offers, t0, period_end)
    customers, offers = marketing.opt_outs(customers, offers, r_offers)
    holdings = cust_mod.make_holdings(cs, customers, rng("holdings"), t0)
    tick("offers")
    roster = make_roster(cs, pools, rng("roster"), n_days, t0)
    tick("roster")
    grid = calls_mod.make_grid(cs, n_days, t0)
    calls, internal = calls_mod.make_calls(cs, customers, roster, grid, rng("calls"), rng("day_factors"))
    tick("calls")
    if cs.channels is not None:  # journeys and MIS records from the calls before their defects
        journeys, mis_events, points, faults = channels_mod.make_channels(cs, calls, internal, grid, rng("channels"),
                                                                          rng("measurement"))
        channel_tables = {"journeys": journeys, "mis_events": mis_events, "measurement_points": points}
    else:
        channel_tables, faults = channels_mod.empty_tables(), channels_mod.empty_faults()
    tick("channels")
    traffic_history = make_history(cs, calls, channel_tables["journeys"], rng("history"), t0, n_days)
    tick("history")
    sales = outcomes.make_sales(cs, calls, internal, rng("sales"))
    surveys = outcomes.make_surveys(cs, calls, internal, pools, rng("surveys"))
    complaints = outcomes.make_complaints(cs, calls, internal, customers, pools, rng("complaints"), t0, period_end)
    qa_evaluations = outcomes.make_qa_evaluations(cs, calls, internal, roster, rng("qa"), period_end)
    customers, holdings = outcomes.apply_churn(customers, holdings, calls, internal, rng("churn"), t0, period_end, cs)
    holdings = outcomes.holdings_from_sales(holdings, sales, customers)
    tick("outcomes")

    r_def = rng("defects")
    rates = cs.defect_rates
    offers = defects_mod.offer_defects(offers, customers, campaigns, rates, r_def, period_end)
    customers, cust_defects = defects_mod.customer_defects(customers, rates, r_def, period_end, t0=t0,
                                                           space=cust_mod.account_space(cs),
                                                           taken=internal["caller_numbers"])
    calls, call_defects = defects_mod.call_defects(calls, rates, r_def)
    customers = cust_mod.finish_customers(customers, r_def, period_end - np.timedelta64(1, "s"))
    offers, offer_defects = _finish_offers(offers, customers)
    defects = defects_mod.manifest_frame([cust_defects, call_defects, offer_defects])
    tick("defects")

    campaigns_table = marketing.campaigns_frame(campaigns)
    tables = {
        # the extract sorted by customer id (duplicates sit among the originals, not after them)
        "customers": conform("customers", customers.take(np.argsort(
            defects_mod.customer_numbers(customers["customer_id"]), kind="stable")).reset_index(drop=True)),
        "products": products, "holdings": holdings,
        "campaigns": campaigns_table, "offers": offers, "agents": roster.agents,
        "shifts": roster.shifts, "calls": calls, "sales": sales, "surveys": surveys, "complaints": complaints,
        "incidents": incidents_frame(cs), "qa_evaluations": qa_evaluations, **channel_tables,
        "budget": business.make_budget(cs, roster.shifts, roster.agents, campaigns_table,
                                       rng("budget"), t0, period_end),
        "options": business.options_frame(cs),
        "traffic_history": traffic_history,
    }
    # conform again: later steps edited some frames (whole seconds, contract dtypes)
    tables = {name: conform(name, tables[name]) for name in TABLES}
    tick("tables")
    start = cs.period.start
    end = start + dt.timedelta(days=n_days - 1)
    meta = {"case_study": cs.slug, "title": cs.title, "organisation": cs.organisation.name, "seed": seed,
            "learner": learner, "days": n_days, "period_start": start.isoformat(), "period_end": end.isoformat(),
            "generated_at": dt.datetime.combine(end, dt.time(23, 59, 59)).isoformat()}
    return Dataset(tables=tables, meta=meta, defects=defects, measurement_faults=faults)


def _finish_offers(offers: pd.DataFrame, customers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offers in time order with ids; the defect rows' ground truth split off."""
    offers = offers.sort_values(["offered_at", "cust", "campaign_id"], kind="stable").reset_index(drop=True)
    n = len(offers)
    offer_ids = ids("O", n, 7)
    cust_ids = take(arrow(customers["customer_id"]), offers["cust"].to_numpy())
    frame = conform("offers", {
        "offer_id": offer_ids, "customer_id": cust_ids, "campaign_id": offers["campaign_id"].to_numpy(dtype=object),
        "product_id": offers["product_id"].to_numpy(dtype=object), "channel": offers["channel"].to_numpy(dtype=object),
        "offered_at": offers["offered_at"].to_numpy(), "response": offers["response"].to_numpy(dtype=object),
        "responded_at": offers["responded_at"].to_numpy(), "value_aud": offers["value_aud"].to_numpy(dtype=float)})
    bad = offers["defect"].notna().to_numpy()
    column = np.where(offers["defect"].to_numpy(dtype=object)[bad] == "offer_outside_hours", "offered_at", "channel")
    rows = defects_mod._rows("offers", rows_of(frame["offer_id"], np.flatnonzero(bad)), column,
                             offers["defect"].to_numpy(dtype=object)[bad], offers["detail"].to_numpy(dtype=object)[bad])
    return frame, rows


def incidents_frame(cs: CaseStudy) -> pd.DataFrame:
    """The incidents table: ``cs.outages`` (in ``generate``, the learner's schedule from ``outages``)."""
    o = cs.outages
    return conform("incidents", {
        "incident_id": [x.id for x in o], "system": [x.system for x in o], "planned": [x.planned for x in o],
        "start": np.array([x.start for x in o], dtype="datetime64[ns]"),
        "end": np.array([x.end for x in o], dtype="datetime64[ns]"),
        "queues_affected": [",".join(x.queues) for x in o], "description": [x.description for x in o]})
