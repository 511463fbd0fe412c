"""The queue's "received" filter: its choices and the time bounds each stands for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from xuhui_desk.services.timefmt import SHANGHAI


class DateRange:
    """The choices of the "received" filter."""

    ANY = "any"
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"


def shanghai_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), SHANGHAI)


def received_bounds(key: str | None, first: date, last: date, today: date | None = None
                    ) -> tuple[datetime | None, datetime | None]:
    """(from, until) of a :class:`DateRange` choice in Shanghai days: ``from`` inclusive,
    ``until`` exclusive; ``first``/``last`` are the custom range's days (either order)."""
    today = today or datetime.now(SHANGHAI).date()
    if key == DateRange.TODAY:
        return shanghai_day_start(today), None
    if key == DateRange.WEEK:
        return shanghai_day_start(today - timedelta(days=6)), None
    if key == DateRange.MONTH:
        return shanghai_day_start(today - timedelta(days=29)), None
    if key == DateRange.CUSTOM:
        if first > last:
            first, last = last, first
        return shanghai_day_start(first), shanghai_day_start(last + timedelta(days=1))
    return None, None
