"""Australian calendar rules the data follows: national public holidays, working days, and the
permitted hours for telemarketing calls (Telemarketing and Research Calls Industry Standard 2017:
9am-8pm on weekdays, 9am-5pm on Saturdays, no calls on Sundays or national public holidays, in the
called person's local time). Working days for the Spam Act's 5-working-day unsubscribe rule are
Monday-Friday excluding observed national public holidays. Checking times against the permitted hours is
``helpers.maintenance.permitted_call_time`` (with ``to_local``), which the data's tests use too.

This module is the project's one holiday calendar (``helpers.maintenance`` imports it). It computes
any year (Gregorian; Easter by the anonymous algorithm):

* ``national_public_holidays(year)``: the seven days every state and territory observes, on their
  actual dates: New Year's Day (1 Jan), Australia Day (26 Jan), Good Friday, Easter Monday, Anzac Day
  (25 Apr), Christmas Day (25 Dec) and Boxing Day (26 Dec).
* ``observed_public_holidays(year)``: those days plus the national substitute days (Fair Work Act
  s 115 and the states' holiday acts, common to all states): New Year's Day or Australia Day on a
  Saturday or Sunday -> the following Monday; Christmas Day on a Saturday -> Monday 27 Dec, on a
  Sunday -> Tuesday 27 Dec (Boxing Day keeps Monday 26); Boxing Day on a Saturday -> Monday 28 Dec,
  on a Sunday after a Saturday Christmas -> Tuesday 28 Dec. Anzac Day has no national substitute (only WA and the ACT add one), so
  none is added. The centre is closed and no working day falls on an observed holiday.

State-only holidays (King's Birthday, Labour Day, show days, Melbourne Cup) are not national and are
ignored: the data's rules are national.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

CENTRE_TZ = "Australia/Sydney"
FIRST_YEAR, LAST_YEAR = 1990, 2100  # range of NATIONAL_HOLIDAYS (np.busday_* need an explicit list)


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)


@lru_cache(maxsize=None)
def national_public_holidays(year: int) -> tuple[date, ...]:
    """The seven national public holidays of ``year`` on their actual dates (substitutes: see
    ``observed_public_holidays``)."""
    easter = easter_sunday(year)
    return tuple(sorted({date(year, 1, 1), date(year, 1, 26), easter - timedelta(days=2),
                         easter + timedelta(days=1), date(year, 4, 25), date(year, 12, 25), date(year, 12, 26)}))


def _next_monday(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7 or 7) if d.weekday() >= 5 else d


@lru_cache(maxsize=None)
def observed_public_holidays(year: int) -> tuple[date, ...]:
    """National public holidays of ``year`` plus their national substitute days (module doc)."""
    days = set(national_public_holidays(year))
    for d in (date(year, 1, 1), date(year, 1, 26)):
        if d.weekday() >= 5:
            days.add(_next_monday(d))
    xmas = date(year, 12, 25)
    if xmas.weekday() == 5:      # Sat 25, Sun 26 -> Mon 27 and Tue 28
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif xmas.weekday() == 6:    # Sun 25, Mon 26 (Boxing Day) -> Tue 27 for Christmas
        days.add(date(year, 12, 27))
    elif xmas.weekday() == 4:    # Fri 25, Sat 26 -> Mon 28 for Boxing Day
        days.add(date(year, 12, 28))
    return tuple(sorted(days))


def holidays_array(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> np.ndarray:
    """Observed national public holidays of the years given, as sorted ``datetime64[D]``."""
    return np.array([d for y in range(first_year, last_year + 1) for d in observed_public_holidays(y)],
                    dtype="datetime64[D]")


# Observed national public holidays 1990-2100 (for np.busday_offset / busday_count).
NATIONAL_HOLIDAYS = holidays_array()


_HOLIDAY_DAYS = frozenset(NATIONAL_HOLIDAYS.astype(np.int64).tolist())


def is_public_holiday(dates) -> np.ndarray | bool:
    """True where a date (anything numpy reads as ``datetime64[D]``) is an observed national public holiday
    (a single date gives a bool)."""
    d = np.asarray(dates).astype("datetime64[D]")
    if d.ndim == 0:
        return int(d.astype(np.int64)) in _HOLIDAY_DAYS
    return np.isin(d, NATIONAL_HOLIDAYS)


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
