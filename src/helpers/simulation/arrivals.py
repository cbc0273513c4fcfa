"""Call arrivals: an inhomogeneous Poisson process with piecewise-constant rate, and retrials after outages.

Times are seconds from the start of the simulated period (t = 0 is midnight of day 0, local time).
"""
from __future__ import annotations

import numpy as np

from helpers.simulation._checks import check_rng, float_array


def _arrivals_with_interval(rng: np.random.Generator, expected_per_interval,
                            interval_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times and the index of the interval each falls in (non-decreasing)."""
    check_rng(rng)
    expected = float_array("expected_per_interval", expected_per_interval, minimum=0.0)
    interval_s = float(float_array("interval_s", interval_s, ndim=0, strictly_above=0.0))
    counts = rng.poisson(expected)
    interval = np.repeat(np.arange(expected.size, dtype=np.int64), counts)
    # (i + u) * interval_s is monotone in (i, u), so sorting the times keeps `interval` aligned.
    times = np.sort((interval + rng.random(interval.size)) * interval_s)
    return times, interval


def arrival_times(rng: np.random.Generator, expected_per_interval, interval_s: float = 1800.0) -> np.ndarray:
    """Arrival times (s, sorted float64) of an inhomogeneous Poisson process with piecewise-constant rate.

    Interval i covers [i * interval_s, (i + 1) * interval_s) and has ``expected_per_interval[i]`` expected
    calls (not a rate per second). The count in each interval is Poisson, the times within it uniform,
    which is exactly the Poisson process with that constant rate over the interval. Brown et al. (2005)
    found arrivals at the Anonymous Bank consistent with such a process. For day-to-day variation
    multiply the expectations by ``day_factors`` first.
    """
    return _arrivals_with_interval(rng, expected_per_interval, interval_s)[0]


def retrial_arrivals(rng: np.random.Generator, lost_arrival_s, retry_prob: float = 0.6,
                     mean_delay_s: float = 900.0, *, return_index: bool = False):
    """Retrial times (s, sorted) of callers whose call was lost (e.g. rejected while telephony was down).

    Each lost caller retries once with probability ``retry_prob`` after an exponential delay with mean
    ``mean_delay_s``: the surge of calls after an outage. With ``return_index=True`` also returns, for
    each retrial, the position in ``lost_arrival_s`` of the call it repeats (to carry the caller over).
    Retrials that are lost again can be passed back in for a second round.
    """
    check_rng(rng)
    lost = float_array("lost_arrival_s", lost_arrival_s)
    p = float(float_array("retry_prob", retry_prob, ndim=0, minimum=0.0))
    if p > 1.0:
        raise ValueError(f"retry_prob must be a probability in [0, 1], got {p}")
    mean_delay_s = float(float_array("mean_delay_s", mean_delay_s, ndim=0, minimum=0.0))
    source = np.flatnonzero(rng.random(lost.size) < p)
    times = lost[source] + rng.exponential(mean_delay_s, source.size)
    order = np.argsort(times, kind="stable")
    return (times[order], source[order]) if return_index else times[order]
