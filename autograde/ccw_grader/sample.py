"""Trusted checks of the sample workbook (``helpers.demo.sample``: two notebooks of BSBCUE605).

Each recomputes the expected figure from the learner's own ``calls`` table with the definitions of
``helpers.kpi`` (fractions 0..1, seconds; abandoned calls are left out of service level's
denominator and counted in abandonment's).
"""
from __future__ import annotations

from helpers import kpi
from helpers.findings import Findings
from helpers.grading import check_value

from ccw_grader.registry import Registry

CHECKS = Registry("BSBCUE605")
THRESHOLD_S = 20  # the sample's service-level threshold (the 80/20 convention)


@CHECKS.check("test_service_level", "service_level")
def service_level(data, service_level) -> Findings:
    """Answered within 20 s / answered, within 1% of the learner's own figure."""
    expected = float(kpi.service_level(data.table("calls"), threshold_s=THRESHOLD_S))
    return Findings([check_value("service_level", service_level, expected, unit="fraction", criterion="4.2")])


@CHECKS.check("test_abandonment", "abandonment_rate")
def abandonment_rate(data, abandonment_rate) -> Findings:
    """Abandoned / offered, within 1% of the learner's own figure."""
    expected = float(kpi.abandonment_rate(data.table("calls")))
    return Findings([check_value("abandonment_rate", abandonment_rate, expected, unit="fraction", criterion="4.2")])


@CHECKS.check("test_aht", "aht_s")
def aht(data, aht_s) -> Findings:
    """Average handle time of answered calls (talk + hold + wrap), seconds, within 1%."""
    expected = float(kpi.aht(data.table("calls")))
    return Findings([check_value("aht_s", aht_s, expected, unit="seconds", criterion="3.4")])


@CHECKS.facts("kpi_report", viva=("Which of your figures is furthest from its target, and what would you do first?",))
def kpi_report_facts(data) -> dict:
    """The three KPIs the report must quote, from the learner's own calls (fractions and seconds)."""
    calls = data.table("calls")
    return {"service level (20 s, fraction)": round(float(kpi.service_level(calls, threshold_s=THRESHOLD_S)), 3),
            "abandonment rate (fraction)": round(float(kpi.abandonment_rate(calls)), 3),
            "AHT (seconds)": round(float(kpi.aht(calls)), 1)}
