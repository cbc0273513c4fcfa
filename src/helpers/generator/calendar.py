"""Australian calendar rules the data follows: national public holidays, working days, and the
permitted hours for telemarketing calls (Telemarketing and Research Calls Industry Standard 2017:
9am-8pm on weekdays, 9am-5pm on Saturdays, no calls on Sundays or national public holidays, in the
called person's local time). Working days for the Spam Act's 5-working-day unsubscribe rule are
Monday-Friday excluding national public holidays. Checking times against the permitted hours is
``helpers.maintenance.permitted_call_time`` (with ``to_local``), which the data's tests use too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CENTRE_TZ = "Australia/Sydney"

# National public holidays (observed dates), 2023-2026.
NATIONAL_HOLIDAYS = np.array([
    "2023-01-02", "2023-01-26", "2023-04-07", "2023-04-10", "2023-04-25", "2023-12-25", "2023-12-26",
    "2024-01-01", "2024-01-26", "2024-03-29", "2024-04-01", "2024-04-25", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-01-26", "2025-01-27", "2025-04-18", "2025-04-21", "2025-04-25", "2025-12-25",
    "2025-12-26",
    "2026-01-01", "2026-01-26", "2026-04-03", "2026-04-06", "2026-04-25", "2026-12-25", "2026-12-26",
], dtype="datetime64[D]")

def add_working_days(start: np.ndarray, days: np.ndarray) -> np.ndarray:
    """datetime64[ns] ``start`` moved forward by ``days`` working days, keeping the time of day."""
    start = np.asarray(start, dtype="datetime64[ns]")
    d = start.astype("datetime64[D]")
    tod = start - d.astype("datetime64[ns]")
    moved = np.busday_offset(d, np.asarray(days, dtype=np.int64), roll="forward", holidays=NATIONAL_HOLIDAYS)
    return moved.astype("datetime64[ns]") + tod


def working_days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from the day of ``start`` (excluded) to the day of ``end`` (included)."""
    a = np.asarray(start, dtype="datetime64[ns]").astype("datetime64[D]")
    b = np.asarray(end, dtype="datetime64[ns]").astype("datetime64[D]")
    return np.busday_count(a + 1, b + 1, holidays=NATIONAL_HOLIDAYS)


def local_to_centre(local: np.ndarray, timezones: np.ndarray) -> np.ndarray:
    """Naive local times in each row's time zone -> naive centre (Australia/Sydney) wall-clock times."""
    local = np.asarray(local, dtype="datetime64[ns]")
    out = np.empty_like(local)
    tzs = np.asarray(timezones, dtype=object)
    for tz in sorted(set(tzs.tolist())):
        m = tzs == tz
        idx = pd.DatetimeIndex(local[m]).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
        out[m] = idx.tz_convert(CENTRE_TZ).tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return out
