"""The working-day calendar: office hours, weekends and bank holidays.

Pure functions over aware datetimes; no database. Deadline rules (how many
working days or hours) live in `referrals.deadlines` and take a calendar.

Definitions used throughout:
- a *working day* is Monday to Friday and not a bank holiday of the region;
- *working time* is [opens, closes) on a working day, local time;
- a referral received on a working day before the cut-off counts as received
  that day; one received after the cut-off, or on a weekend or bank holiday,
  counts as received on the next working day (it "rolls").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ZERO = dt.timedelta(0)


@lru_cache(maxsize=8)
def _bank_holidays(region: str) -> holidays.HolidayBase:
    # England and Wales share one list; Scotland and Northern Ireland differ.
    return holidays.country_holidays("GB", subdiv=region)


@dataclass(frozen=True)
class WorkingCalendar:
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 0)
    cut_off: dt.time = dt.time(16, 0)
    region: str = "ENG"
    timezone: str = "Europe/London"
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("Office hours must open before they close")
        if not self.opens <= self.cut_off <= self.closes:
            raise ValueError("The cut-off must fall within office hours")
        object.__setattr__(self, "_tz", ZoneInfo(self.timezone))

    # --- days ---------------------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def is_bank_holiday(self, day: dt.date) -> bool:
        return day in _bank_holidays(self.region)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_bank_holiday(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """`count` working days after `day` (`day` itself when count is 0)."""
        if count < 0:
            raise ValueError("count must not be negative")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("Deadlines need aware datetimes")
        return moment.astimezone(self._tz)

    def opening_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.opens, tzinfo=self._tz)

    def close_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.closes, tzinfo=self._tz)

    def receipt_day(self, received_at: dt.datetime) -> dt.date:
        """The working day a referral counts as received on (see module docstring)."""
        local = self.local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.cut_off:
            return day
        return self.next_working_day(day)

    # --- hours ----------------------------------------------------------------
    def is_working_time(self, moment: dt.datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself if it is working time, else the next opening."""
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day):
            if local.time() < self.opens:
                return self.opening_of(day)
            if local.time() < self.closes:
                return local
        return self.opening_of(self.next_working_day(day))

    def add_working_time(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment `duration` of working time after `start`.

        1. Zero duration returns `start` unchanged.
        2. Move to the next working moment (start itself during office hours).
        3. Spend what is left of today's office hours; if the duration is not
           used up, jump to the next opening and repeat.
        """
        if duration < ZERO:
            raise ValueError("duration must not be negative")
        if duration == ZERO:
            return self.local(start)
        remaining = duration
        cursor = self.next_working_moment(start)
        while True:
            available = self.close_of(cursor.date()) - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(self._tz)
            remaining -= available
            cursor = self.opening_of(self.next_working_day(cursor.date()))

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """How much working time lies in [start, end); zero if end <= start."""
        if end <= start:
            return ZERO
        total = ZERO
        cursor = self.next_working_moment(start)
        end_local = self.local(end)
        while cursor < end_local:
            close = self.close_of(cursor.date())
            total += min(close, end_local) - cursor
            cursor = self.opening_of(self.next_working_day(cursor.date()))
        return total
