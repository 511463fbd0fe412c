"""Showing stored UTC times in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_local(value: datetime) -> datetime:
    """``value`` in Shanghai time. A time too close to the ends of the calendar to shift (year 1
    or 9999, which only a faulty record holds) is returned in UTC instead of failing: it is
    shown as it is, never breaks the view showing it."""
    try:
        return value.astimezone(SHANGHAI)
    except (OverflowError, ValueError):
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def iso_local(value: datetime) -> str:
    """ISO 8601 with the +08:00 offset, seconds precision."""
    return to_local(value).isoformat(timespec="seconds")


def display(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if with_time else local.strftime("%Y-%m-%d")
