"""Contingency planning for failure of databases and systems (BSBCCO605A/BSBCUE605 PC 2.5).

``parse_plan`` validates a learner's plan (``plan``), ``check_plan`` judges it against the case
study (``check``) and ``simulate_plan`` replays an outage from the learner's call data under the
plan (``simulate``).
"""
from helpers.contingency.check import ACTION_FIT, check_plan
from helpers.contingency.plan import (ACTIONS, SCENARIO_SYSTEMS, Communication, ContingencyPlan, PlanError, Scenario,
                                      TestSchedule, parse_plan)
from helpers.contingency.simulate import CLEAR_WITHIN_HOURS, SimulationResult, simulate_plan

__all__ = ["ACTIONS", "ACTION_FIT", "CLEAR_WITHIN_HOURS", "SCENARIO_SYSTEMS", "Communication", "ContingencyPlan",
           "PlanError", "Scenario", "SimulationResult", "TestSchedule", "check_plan", "parse_plan", "simulate_plan"]
