"""Contingency planning for failure of databases and systems (BSBCCO605A/BSBCUE605 PC 2.5).

``parse_plan`` validates a learner's plan (``plan``), ``check_plan`` judges it against the case
study (``check``) and ``simulate_plan`` replays an outage from the learner's call data under the
plan (``simulate``). Pass the learner's own outage, from their ``incidents`` table
(``helpers.generator.outages.of_dataset(ds)``): each learner's outages fall on days and at times of
their own, so the case study's ``outages`` (the practice schedule) do not match their calls.
"""
from helpers.contingency.check import ACTION_FIT, check_plan
from helpers.contingency.plan import (ACTIONS, SCENARIO_SYSTEMS, Communication, ContingencyPlan, PlanError, Scenario,
                                      TestSchedule, parse_plan)
from helpers.contingency.simulate import CLEAR_WITHIN_HOURS, SimulationResult, simulate_plan

__all__ = ["ACTIONS", "ACTION_FIT", "CLEAR_WITHIN_HOURS", "SCENARIO_SYSTEMS", "Communication", "ContingencyPlan",
           "PlanError", "Scenario", "SimulationResult", "TestSchedule", "check_plan", "parse_plan", "simulate_plan"]
