"""Queue-simulation engine behind the synthetic call detail records (pure numerics, no DataFrames).

Time is in seconds from the start of the simulated period (t = 0 is midnight of day 0, local time);
the caller turns seconds into timestamps and server indices into agents. Modelled on the empirical
call-centre findings of Brown et al. (2005, JASA 100) and Gans, Koole & Mandelbaum (2003, MSOM 5):
Poisson arrivals with a random daily rate, lognormal service times, patience with hazard spikes at
announcements, FCFS multi-server queue with abandonment. See docs/simulation.md.
"""
from helpers.simulation.arrivals import arrival_times, retrial_arrivals
from helpers.simulation.distributions import day_factors, lognormal_mean_cv, patience_times
from helpers.simulation.profiles import DEFAULTS, WEEKDAY_FACTORS, intraday_profile
from helpers.simulation.queue import QueueResult, scaled_durations, serve_fcfs
from helpers.simulation.simulate import simulate_queue

__all__ = [
    "day_factors", "arrival_times", "lognormal_mean_cv", "patience_times", "serve_fcfs", "QueueResult",
    "scaled_durations",
    "simulate_queue", "retrial_arrivals", "intraday_profile", "WEEKDAY_FACTORS", "DEFAULTS",
]
