"""Showing stored UTC times in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


def iso_local(value: datetime) -> str:
    """ISO 8601 with the +08:00 offset, seconds precision."""
    return to_local(value).isoformat(timespec="seconds")


def display(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if with_time else local.strftime("%Y-%m-%d")
