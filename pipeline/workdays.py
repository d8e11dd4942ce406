"""Working days in Vietnam (ngày làm việc): Monday to Friday, less the public holidays (Tết first of
all) and the government's substituted days off, plus the Saturdays it makes working days to make
up for them (ngày làm bù). The Party's time limits are counted in these days (`pipeline.charter`).

The public holidays come from the `holidays` package (`holidays.country_holidays("VN")`: the
lunar Tết days, the days off moved next to a holiday and the Saturdays worked for them); a
committee adds what the package does not know yet, or its own province's decisions, in the
configuration's [calendar] section (`config.CalendarSettings`): `days_off` and `working_days`.

Counting follows the Civil Code's rule for limits in days: the day of the event is not counted,
the first day is the one after it. "Within N working days of day E" therefore allows up to
`after(E, N)`, the N-th working day after E, and a day after that is late.

Every function takes and returns whole pandas Series (NaT in, NaT out); the holiday years are
built the first time a date needs them, and kept.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import holidays
import numpy as np
import pandas as pd

COUNTRY = "VN"
# Years the holiday package is asked for (before the Republic, weekends alone are off); the
# calendar covers the years a roster's dates can have (`normalize.parse_dates`: 1800–2200) and one more.
HOLIDAYS_FROM = 1945
FIRST_YEAR, LAST_YEAR = 1800, 2201
_EVERY_DAY = "1111111"   # the week mask: which days are off is said by the holidays array alone


class WorkCalendar:
    """Vietnam's working days, with a committee's own `days_off` and `working_days` on top."""

    def __init__(self, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()):
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        both = self.days_off & self.working_days
        if both:
            raise ValueError(f"days both off and working: {sorted(both)}")
        self._years: tuple[int, int] | None = None
        self._calendar: np.busdaycalendar | None = None

    # ---------- the days ----------

    def off_days(self, first_year: int, last_year: int) -> list[dt.date]:
        """Every day off from 1 January of `first_year` to 31 December of `last_year`: weekends
        that are not made working days, public holidays, the configured days off."""
        years = range(max(first_year, HOLIDAYS_FROM), last_year + 1)
        public = holidays.country_holidays(COUNTRY, years=years) if len(years) else {}
        substituted = getattr(public, "weekend_workdays", ())
        worked = {d for d in substituted if first_year <= d.year <= last_year} | self.working_days
        days = pd.date_range(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), freq="D")
        weekend = {d.date() for d in days[days.day_of_week >= 5]}
        off = (weekend | set(public) | self.days_off) - worked
        return sorted(d for d in off if first_year <= d.year <= last_year)

    def is_working_day(self, day: dt.date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._for([pd.Timestamp(day)])))

    # ---------- over Series ----------

    def after(self, start: pd.Series, days: int) -> pd.Series:
        """The `days`-th working day after each date (the date itself not counted); NaT stays NaT."""
        known = start.notna()
        out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
        if not known.any():
            return out
        begin = start[known].to_numpy().astype("datetime64[D]")
        # A margin of a year: `days` working days never reach further than that.
        calendar = self._for([start[known].min(), start[known].max() + pd.DateOffset(years=1)])
        # Rolling back to the last working day on or before the date, then `days` forward, lands on
        # the `days`-th working day after the date whether the date itself is a working day or not.
        out[known] = np.busday_offset(begin, days, roll="backward", busdaycal=calendar).astype("datetime64[ns]")
        return out

    def between(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Working days after each `start` up to and including its `end` (0 when `end` is not
        after `start`); missing where either date is."""
        known = start.notna() & end.notna()
        out = pd.Series(pd.NA, index=start.index, dtype="Int64")
        if not known.any():
            return out
        first = start[known].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        last = end[known].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        calendar = self._for([start[known].min(), end[known].max()])
        counted = np.busday_count(first, np.maximum(first, last), busdaycal=calendar)
        out[known] = counted
        return out

    # ---------- the busday calendar, built for the years the data needs ----------

    def _for(self, dates) -> np.busdaycalendar:
        """A calendar covering the years of `dates` (and every year built before)."""
        years = [pd.Timestamp(d).year for d in dates if pd.notna(d)]
        low = min(max(min(years), FIRST_YEAR), LAST_YEAR)
        high = max(min(max(years), LAST_YEAR), FIRST_YEAR)
        if self._years is not None:
            if self._years[0] <= low and high <= self._years[1]:
                return self._calendar
            low, high = min(low, self._years[0]), max(high, self._years[1])
        off = np.array(self.off_days(low, high), dtype="datetime64[D]")
        self._years, self._calendar = (low, high), np.busdaycalendar(weekmask=_EVERY_DAY, holidays=off)
        return self._calendar


@functools.cache
def vietnam() -> WorkCalendar:
    """Vietnam's working days with nothing configured, built once (for callers without a configuration)."""
    return WorkCalendar()
