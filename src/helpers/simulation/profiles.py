"""Reference demand shapes and service parameters, following the Anonymous Bank figures (see docs/simulation.md).

These are defaults a caller may use to build ``expected_per_interval`` and the ``simulate_queue``
keywords; the case study can override every one.
"""
from __future__ import annotations

from types import MappingProxyType

import numpy as np

from helpers.simulation._checks import float_array

# Relative daily volume Monday..Sunday (weekday mean 1): weekdays well above the weekend, Monday highest.
WEEKDAY_FACTORS = MappingProxyType({
    "Mon": 1.12, "Tue": 1.02, "Wed": 0.98, "Thu": 0.97, "Fri": 0.91, "Sat": 0.38, "Sun": 0.22})

# simulate_queue keywords for a regular-service queue (seconds). talk_mean_s follows the bank's mean
# service time of roughly 200-225 s for regular calls; the cvs, hold, wrap and patience are modelling
# choices documented in docs/simulation.md.
DEFAULTS = MappingProxyType({
    "talk_mean_s": 210.0, "talk_cv": 1.0,
    "hold_prob": 0.15, "hold_mean_s": 60.0,
    "wrap_mean_s": 30.0, "wrap_cv": 0.6,
    "patience_mean_s": 480.0,
})


def _bump(hour: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((hour - centre) / width) ** 2)


def intraday_profile(interval_s: float = 1800.0, open_hour: float = 7.0, close_hour: float = 21.0) -> np.ndarray:
    """Share of a day's calls in each interval of one day (sums to 1; zero while closed).

    Shape: a main peak between 10:00 and 11:00, a lunchtime dip, a second, lower peak mid-afternoon
    (about three quarters of the morning peak) and a tail into the evening, as in the Anonymous Bank's
    weekday arrival rates. ``interval_s`` must divide a day; hours are local wall-clock hours.
    """
    interval_s = float(float_array("interval_s", interval_s, ndim=0, strictly_above=0.0))
    n = 86400.0 / interval_s
    if abs(n - round(n)) > 1e-9:
        raise ValueError(f"interval_s must divide a day (86400 s) evenly, got {interval_s}")
    if not 0.0 <= open_hour < close_hour <= 24.0:
        raise ValueError(f"opening hours must satisfy 0 <= open_hour < close_hour <= 24, "
                         f"got open_hour={open_hour}, close_hour={close_hour}")
    edges = np.arange(int(round(n)) + 1) * interval_s / 3600.0
    mid = 0.5 * (edges[:-1] + edges[1:])
    open_fraction = np.clip(np.minimum(edges[1:], close_hour) - np.maximum(edges[:-1], open_hour), 0.0, None)
    open_fraction /= interval_s / 3600.0
    shape = 0.15 + _bump(mid, 10.5, 1.3) + 0.75 * _bump(mid, 14.75, 1.4)
    share = shape * open_fraction
    return share / share.sum()
