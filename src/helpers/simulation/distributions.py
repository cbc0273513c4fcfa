"""Random variates for the queue model: day-level volume shocks, lognormal durations, caller patience.

All durations are in seconds. Every function takes a ``numpy.random.Generator`` so one seed fixes a
whole dataset; each call consumes a fixed number of draws for given sizes (determinism).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from helpers.simulation._checks import check_rng, count, float_array


def day_factors(rng: np.random.Generator, n_days: int, cv: float = 0.15) -> np.ndarray:
    """Random day-level volume multipliers: gamma distributed with mean 1 and coefficient of variation ``cv``.

    Multiplying a day's expected calls per interval by its factor makes counts for the same half hour
    across days overdispersed (a Poisson-gamma mixture): variance = mean + (cv * mean)**2, e.g. about
    3.25 times the mean at 100 calls per interval and cv = 0.15. Real arrival rates are themselves
    random from day to day (Brown et al. 2005; Jongbloed & Koole 2001 on overdispersion relative to
    Poisson). ``cv = 0`` gives all ones.
    """
    check_rng(rng)
    n_days = count("n_days", n_days)
    cv = float(float_array("cv", cv, ndim=0, minimum=0.0))
    if cv == 0.0:
        return np.ones(n_days)
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, size=n_days)


def lognormal_mean_cv(rng: np.random.Generator, mean, cv, size: int) -> np.ndarray:
    """``size`` lognormal variates with the given mean and coefficient of variation (sd / mean).

    ``mean`` and ``cv`` may be scalars or arrays broadcastable to ``size`` (e.g. per-call means by queue
    and hour). Parameterised on the natural scale: sigma**2 = log(1 + cv**2), mu = log(mean) - sigma**2/2,
    so the sample mean converges to ``mean``. A mean of 0 gives 0; a cv of 0 gives exactly ``mean``.
    """
    check_rng(rng)
    size = count("size", size)
    mean = float_array("mean", mean, ndim=np.ndim(mean), minimum=0.0)
    cv = float_array("cv", cv, ndim=np.ndim(cv), minimum=0.0)
    try:
        if np.broadcast_shapes(mean.shape, cv.shape, (size,)) != (size,):
            raise ValueError
    except ValueError as exc:
        raise ValueError(f"mean {mean.shape} and cv {cv.shape} must broadcast to size ({size},)") from exc
    # element-wise on the arrays as given (a scalar cv is not expanded to ``size`` first): same values
    sigma2 = np.log1p(cv * cv)
    with np.errstate(divide="ignore"):
        mu = np.log(mean) - 0.5 * sigma2
    draws = np.exp(mu + np.sqrt(sigma2) * rng.standard_normal(size))
    if cv.ndim == 0 and mean.ndim == 0 and size:
        return np.full(size, float(mean)) if cv == 0.0 else draws
    if cv.ndim == 0:
        return np.broadcast_to(mean, (size,)).copy() if cv == 0.0 else draws
    return np.where(cv == 0.0, mean, draws)  # exact, free of exp(log(x)) rounding


@lru_cache(maxsize=32)
def _hazard_table(starts: tuple, jump: float, window: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breakpoints of the hazard multiplier, the multiplier on each segment (the last one, after every
    window, is 1) and its integral at the breakpoints (kept per announcement schedule)."""
    starts = np.array(starts, dtype=np.float64)
    points = np.unique(np.concatenate([[0.0], starts, starts + window]))
    mids = points[:-1] + 0.5 * np.diff(points)
    in_window = ((mids[:, None] >= starts[None, :]) & (mids[:, None] < starts[None, :] + window)).any(axis=1)
    mult = np.append(np.where(in_window, jump, 1.0), 1.0)
    cum = np.concatenate([[0.0], np.cumsum(mult[:-1] * np.diff(points))])  # integral of the multiplier
    for a in (points, mult, cum):
        a.flags.writeable = False
    return points, mult, cum


def patience_times(rng: np.random.Generator, n: int, mean_s, announcement_s: Sequence[float] = (30.0, 90.0),
                   hazard_jump: float = 1.5, *, window_s: float = 10.0) -> np.ndarray:
    """Caller patience (seconds a caller is willing to wait before hanging up).

    Base hazard is constant, 1 / ``mean_s`` (exponential patience); for ``window_s`` seconds after each
    time in ``announcement_s`` it is multiplied by ``hazard_jump``: callers who hear "your call is
    important, you are number N in the queue" hang up more, which gives the hazard spikes Brown et al.
    (2005, sec. 5) found near the bank's 60-second announcement. Overlapping windows are not compounded.
    With the jump the mean patience is slightly below ``mean_s``. ``mean_s`` may be a scalar or an array
    of length ``n``; ``inf`` means a caller who never hangs up. Sampled exactly by inverting the
    piecewise-linear cumulative hazard at a standard exponential variate (vectorised).
    """
    check_rng(rng)
    n = count("n", n)
    mean_s = float_array("mean_s", mean_s, ndim=np.ndim(mean_s), allow_inf=True, strictly_above=0.0)
    if mean_s.ndim and mean_s.shape != (n,):
        raise ValueError(f"mean_s must be a number or an array of length n={n}, got shape {mean_s.shape}")
    starts = float_array("announcement_s", list(announcement_s), minimum=0.0)
    jump = float(float_array("hazard_jump", hazard_jump, ndim=0, strictly_above=0.0))
    window = float(float_array("window_s", window_s, ndim=0, minimum=0.0))
    points, mult, cum = _hazard_table(tuple(starts.tolist()), jump, window)

    # Cumulative hazard H(t) = cum(t) / mean_s; solve H(T) = E with E ~ Exp(1).
    e = rng.standard_exponential(n)
    target = np.where(np.isinf(mean_s), np.inf, e * np.where(np.isinf(mean_s), 1.0, mean_s))
    seg = np.searchsorted(cum, target, side="right") - 1
    return points[seg] + (target - cum[seg]) / mult[seg]
