"""One queue end to end: arrivals, patience, lognormal talk/hold/wrap, then the FCFS queue."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers.simulation._checks import check_rng, float_array, per_interval
from helpers.simulation.arrivals import _arrivals_with_interval
from helpers.simulation.distributions import lognormal_mean_cv, patience_times
from helpers.simulation.queue import serve_fcfs


def simulate_queue(rng: np.random.Generator, expected_per_interval, interval_s: float,
                   server_start_s, server_end_s, *, talk_mean_s, talk_cv, hold_prob, hold_mean_s,
                   wrap_mean_s, wrap_cv, patience_mean_s, handle_multiplier=None,
                   hold_cv: float = 1.0, announcement_s: Sequence[float] = (30.0, 90.0),
                   hazard_jump: float = 1.5) -> dict[str, np.ndarray]:
    """Simulate one queue over consecutive intervals; returns call detail arrays sorted by arrival.

    expected_per_interval  expected calls offered in each interval (len m; multiply by ``day_factors``
                           and campaign uplifts beforehand).
    interval_s             interval length in seconds (1800 = half hours).
    server_start_s/_end_s  one entry per shift (see ``serve_fcfs``); the ``server`` output indexes them.
    talk_mean_s, talk_cv   lognormal talk time: mean (s) and coefficient of variation.
    hold_prob              probability an answered call has any hold; hold_mean_s / hold_cv then give the
                           lognormal hold duration (s) of those calls.
    wrap_mean_s, wrap_cv   lognormal after-call work (s).
    patience_mean_s        mean caller patience (s), ``inf`` for no abandonment; see ``patience_times``
                           (``announcement_s``, ``hazard_jump``).
    handle_multiplier      per-interval factor on talk, hold and wrap (e.g. 1.3 while the CRM is down).

    Every duration parameter, ``hold_prob`` and ``handle_multiplier`` may be a number or one value per
    interval (e.g. talk time by hour); a call takes the values of the interval it arrives in.
    Returns arrays of length n (calls offered): arrival_s, wait_s, abandoned, answered_s (NaN if
    abandoned), server (-1 if abandoned), talk_s, hold_s, wrap_s (zeros for abandoned calls).
    The agent is busy for talk + hold + wrap; the caller is on the line for talk + hold.
    """
    check_rng(rng)
    expected = float_array("expected_per_interval", expected_per_interval, minimum=0.0)
    m = expected.size
    talk_mean = per_interval("talk_mean_s", talk_mean_s, m, minimum=0.0)
    talk_cv = per_interval("talk_cv", talk_cv, m, minimum=0.0)
    hold_p = per_interval("hold_prob", hold_prob, m, minimum=0.0)
    if (hold_p > 1).any():
        raise ValueError(f"hold_prob must be a probability in [0, 1], found {hold_p.max()}")
    hold_mean = per_interval("hold_mean_s", hold_mean_s, m, minimum=0.0)
    hold_cv = per_interval("hold_cv", hold_cv, m, minimum=0.0)
    wrap_mean = per_interval("wrap_mean_s", wrap_mean_s, m, minimum=0.0)
    wrap_cv = per_interval("wrap_cv", wrap_cv, m, minimum=0.0)
    patience_mean = per_interval("patience_mean_s", patience_mean_s, m, allow_inf=True, strictly_above=0.0)
    multiplier = (np.ones(m) if handle_multiplier is None
                  else per_interval("handle_multiplier", handle_multiplier, m, minimum=0.0))

    arrival, k = _arrivals_with_interval(rng, expected, interval_s)
    n = arrival.size
    patience = patience_times(rng, n, patience_mean[k], announcement_s, hazard_jump)
    scale = multiplier[k]
    talk = lognormal_mean_cv(rng, talk_mean[k], talk_cv[k], n) * scale
    held = rng.random(n) < hold_p[k]
    hold = np.where(held, lognormal_mean_cv(rng, hold_mean[k], hold_cv[k], n), 0.0) * scale
    wrap = lognormal_mean_cv(rng, wrap_mean[k], wrap_cv[k], n) * scale

    result = serve_fcfs(arrival, patience, talk + hold + wrap, server_start_s, server_end_s)
    lost = result.abandoned
    return {
        "arrival_s": arrival,
        "wait_s": result.wait_s,
        "abandoned": lost,
        "answered_s": result.answered_s,
        "server": result.server,
        "talk_s": np.where(lost, 0.0, talk),
        "hold_s": np.where(lost, 0.0, hold),
        "wrap_s": np.where(lost, 0.0, wrap),
    }
