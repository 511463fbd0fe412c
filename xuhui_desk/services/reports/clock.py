"""Working hours between two moments, fast: a copy of the calendar's arithmetic for the report's
thousands of intervals (a property test holds it equal to ``WorkCalendar.working_hours_between``)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from xuhui_desk.services.reports.week import SHANGHAI

if TYPE_CHECKING:

    from xuhui_desk.services.workdays import WorkCalendar


# --------------------------------------------------------------------------- working-hours clock


class WorkingClock:
    """Business time between moments, as ``WorkCalendar.working_hours_between`` computes it.

    The calendar walks day by day for every interval; a report measures tens of thousands of
    intervals, so this keeps a running total of business seconds per day (the calendar still
    decides which days are working days and the opening hours) and answers each interval with
    two look-ups. Shanghai has no daylight saving time, so wall-clock seconds are real seconds.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._opens = _seconds(calendar.opens_at)
        self._closes = _seconds(calendar.closes_at)
        self.day_seconds = self._closes - self._opens
        # Per day (ordinal): business seconds from the first day asked about to the start of that
        # day (negative before it), and whether it is a working day. Grown in both directions.
        self._low = self._high = 0
        self._before: dict[int, int] = {}
        self._workday: dict[int, bool] = {}

    def _day(self, ordinal: int) -> tuple[int, bool]:
        found = self._before.get(ordinal)
        if found is not None:
            return found, self._workday[ordinal]
        if not self._before:
            self._low = self._high = ordinal
            self._before[ordinal] = 0
            self._workday[ordinal] = self.calendar.is_workday(date.fromordinal(ordinal))
        while self._high < ordinal:
            previous = self._high
            self._high += 1
            self._before[self._high] = self._before[previous] + (self.day_seconds if self._workday[previous] else 0)
            self._workday[self._high] = self.calendar.is_workday(date.fromordinal(self._high))
        while self._low > ordinal:
            self._low -= 1
            works = self.calendar.is_workday(date.fromordinal(self._low))
            self._workday[self._low] = works
            self._before[self._low] = self._before[self._low + 1] - (self.day_seconds if works else 0)
        return self._before[ordinal], self._workday[ordinal]

    def seconds(self, moment: datetime) -> float:
        """Business seconds from the clock's origin to ``moment`` (only differences mean anything)."""
        local = moment.astimezone(SHANGHAI)
        total, works = self._day(local.toordinal())
        if works:
            of_day = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
            return total + min(max(of_day, self._opens), self._closes) - self._opens
        return total

    def hours_between(self, start: datetime, end: datetime) -> float:
        return (self.seconds(end) - self.seconds(start)) / 3600

    def overdue_workdays(self, due: datetime, now: datetime) -> float:
        """As ``WorkCalendar.overdue_workdays``: business time since ``due`` in working days."""
        if now <= due:
            return 0.0
        return (self.seconds(now) - self.seconds(due)) / self.day_seconds

    def escalation_level(self, due: datetime, now: datetime) -> int:
        """As ``WorkCalendar.escalation_level``."""
        if now <= due:
            return 0
        late = self.overdue_workdays(due, now)
        return 1 + sum(late > threshold for threshold in self.calendar.escalation_after)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second
