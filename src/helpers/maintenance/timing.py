"""Time in marketing-database maintenance: each customer's local time, permitted calling times and
working days, and the time limits the law sets.

Conventions: timestamps in the tables are naive ``Australia/Sydney`` wall-clock times (the centre's
clock, :data:`CENTRE_TZ`); a customer's local time comes from ``customers.timezone`` (falling back to the
residential state, :data:`STATE_TIMEZONES`). Local times are naive too; hours are local clock hours,
durations are days. Working days are Mon-Fri, national public holidays excluded (observed dates with
substitute days), from the project's one holiday calendar, ``helpers.generator.calendar``.
Time limits and their sources (see ``docs/compliance.md``):

* Spam Act 2003: unsubscribe requests actioned within :data:`UNSUBSCRIBE_WORKING_DAYS` working days,
  counted from the day after the request;
* Do Not Call Register Act 2006: a wash is valid for :data:`DNCR_WASH_VALID_DAYS` calendar days;
* Telemarketing and Research Calls Industry Standard 2017: calls only 9:00-20:00 weekdays and
  9:00-17:00 Saturdays in the customer's local time (:data:`CALLING_HOURS`); none on Sundays or
  national public holidays.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# One calendar for the project: the generator's (any year; observed dates with substitute days).
from helpers.generator.calendar import national_public_holidays, observed_public_holidays  # noqa: F401
from helpers.maintenance.locale_data import au_customer

# State time zones: one source, the en_AU locale data that the generator's customer provider uses.
STATE_TIMEZONES = au_customer("TIMEZONES")

CENTRE_TZ = "Australia/Sydney"
UNSUBSCRIBE_WORKING_DAYS = 5
DNCR_WASH_VALID_DAYS = 30
CALLING_HOURS = {"weekday": (9, 20), "saturday": (9, 17)}   # local hours [start, end)


def _holidays_between(start: pd.Series, end: pd.Series | None = None) -> np.ndarray:
    stamps = pd.concat([start, end]) if end is not None else start
    years = pd.DatetimeIndex(stamps.dropna()).year.unique()
    days = [d for y in sorted(years) for d in observed_public_holidays(int(y))]
    return np.array(days, dtype="datetime64[D]")


def to_local(centre_times: pd.Series, timezones: pd.Series) -> pd.Series:
    """Centre wall-clock times (naive Australia/Sydney) -> each customer's naive local time.

    Times that do not exist or are ambiguous at a Sydney daylight-saving change (02:00-03:00) become
    NaT; they are outside calling hours everywhere anyway.
    """
    centre_times = pd.to_datetime(centre_times)
    tzs = timezones.astype("string").fillna(CENTRE_TZ)
    out = pd.Series(pd.NaT, index=centre_times.index, dtype="datetime64[ns]")
    aware = centre_times.dt.tz_localize(CENTRE_TZ, ambiguous="NaT", nonexistent="NaT")
    for tz in tzs.unique():
        rows = tzs == tz
        try:
            local = aware[rows].dt.tz_convert(str(tz)).dt.tz_localize(None)
        except Exception as exc:  # unknown zone name: a data problem the caller should see
            raise ValueError(f"unknown time zone {tz!r} in the timezone column (expected an IANA name such as "
                             "'Australia/Perth')") from exc
        out[rows] = local.astype("datetime64[ns]")
    return out


def permitted_call_time(local_times: pd.Series) -> np.ndarray:
    """True where a telemarketing call is allowed at these local times: Mon-Fri 9:00-20:00,
    Sat 9:00-17:00, never Sundays or national public holidays (NaT -> False)."""
    t = pd.to_datetime(local_times)
    hour = (t.dt.hour + t.dt.minute / 60 + t.dt.second / 3600).to_numpy(float, na_value=np.nan)
    dow = t.dt.day_of_week.to_numpy(float, na_value=np.nan)
    wk, sat = CALLING_HOURS["weekday"], CALLING_HOURS["saturday"]
    ok = ((dow < 5) & (hour >= wk[0]) & (hour < wk[1])) | ((dow == 5) & (hour >= sat[0]) & (hour < sat[1]))
    holidays = _holidays_between(t)
    days = t.dt.normalize().to_numpy("datetime64[D]") if len(t) else np.array([], "datetime64[D]")
    return ok & ~np.isin(days, holidays) & t.notna().to_numpy()


def working_days_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Working days (Mon-Fri, not national public holidays) after ``start``'s day up to and including
    ``end``'s day; NaN where either is missing."""
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    both = s.notna() & e.notna()
    out = np.full(len(s), np.nan)
    if both.any():
        sd = s[both].dt.normalize().to_numpy("datetime64[D]") + 1
        ed = e[both].dt.normalize().to_numpy("datetime64[D]") + 1
        out[both.to_numpy()] = np.busday_count(sd, ed, holidays=_holidays_between(s[both], e[both]))
    return out
