"""Contingency planning for failure of databases and systems (BSBCCO605A/BSBCUE605 PC 2.5).

``parse_plan`` validates a learner's plan (``plan``), ``check_plan`` judges it against the case
study (``check``) and ``simulate_plan`` replays an outage from the learner's call data under the
plan (``simulate``). Pass the learner's own outage, from their ``incidents`` table
(``helpers.generator.outages.of_dataset(ds)``): each learner's outages fall on days and at times of
their own, so the case study's ``outages`` (the practice schedule) do not match their calls.
"""
from importlib import import_module

_WHERE = {"ACTION_FIT": "check", "check_plan": "check",
          "ACTIONS": "plan", "SCENARIO_SYSTEMS": "plan", "Communication": "plan", "ContingencyPlan": "plan",
          "PlanError": "plan", "Scenario": "plan", "TestSchedule": "plan", "parse_plan": "plan",
          "CLEAR_WITHIN_HOURS": "simulate", "SimulationResult": "simulate", "simulate_plan": "simulate"}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    """The package's names, imported on first use (PEP 562): the plan schema needs pydantic, which a workbook's
    setup cell importing ``helpers.contingency`` should not wait for."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
