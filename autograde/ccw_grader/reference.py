"""Reference answers, recomputed from the learner's own data with the definitions of ``helpers.kpi``.

``expected(name, **params)`` looks the name up in :data:`REFERENCES`; each entry documents its
convention (fractions 0..1, seconds; abandoned calls excluded from service level's denominator,
counted in abandonment's). Add an entry here for every new autograded data task.
"""
from __future__ import annotations

from collections.abc import Callable

from helpers import kpi

from ccw_grader.data import read_table


def _service_level(threshold_s: float = 20, variant: str = kpi.DEFAULT_SL_VARIANT) -> float:
    """Answered within ``threshold_s`` seconds / answered (default variant: abandons ignored)."""
    return float(kpi.service_level(read_table("calls"), threshold_s=threshold_s, variant=variant))


def _abandonment_rate() -> float:
    """Abandoned / offered (fraction); lost calls are not offered; every abandon counts."""
    return float(kpi.abandonment_rate(read_table("calls")))


def _aht() -> float:
    """Average handle time in seconds (talk + hold + wrap) over answered calls."""
    return float(kpi.aht(read_table("calls")))


def _asa() -> float:
    """Average speed of answer in seconds over answered calls."""
    return float(kpi.asa(read_table("calls")))


REFERENCES: dict[str, Callable[..., object]] = {
    "service_level": _service_level,
    "abandonment_rate": _abandonment_rate,
    "aht": _aht,
    "asa": _asa,
}


def expected(name: str, **params):
    """The expected answer of task ``name`` for the learner being graded."""
    try:
        fn = REFERENCES[name]
    except KeyError:
        raise KeyError(f"grader: no reference answer named {name!r}; known: {', '.join(sorted(REFERENCES))}") from None
    return fn(**params)
