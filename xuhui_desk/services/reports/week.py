"""The report's week: an ISO week, Monday 00:00 to Sunday 24:00 Asia/Shanghai (stored times are
UTC), parsed from ``2026-W48`` or found for a moment; and :class:`ReportError`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from xuhui_desk.models import utcnow

if TYPE_CHECKING:

    pass


SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
LANGUAGES: Final = ("zh_CN", "en")


_WEEK_RE = re.compile(r"^\s*(\d{4})-[Ww](\d{1,2})\s*$")


class ReportError(ValueError):
    """The report cannot be made as asked (bad week, week not begun); the message says why."""


# --------------------------------------------------------------------------------------- the week


@dataclass(frozen=True, slots=True)
class ReportWeek:
    """An ISO week in Asia/Shanghai: ``start`` is Monday 00:00, ``end`` the next Monday 00:00."""

    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.monday + timedelta(days=i) for i in range(7))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(0), tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)

    def __str__(self) -> str:
        return self.label


def parse_week(text: str) -> ReportWeek:
    """``2026-W48`` → the ISO week; raises :class:`ReportError` with an example when it is not one."""
    match = _WEEK_RE.match(text or "")
    if not match:
        raise ReportError(f"{text!r} is not a week; write the ISO week as YYYY-Www, e.g. 2026-W48")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        weeks = date(year, 12, 28).isocalendar().week
        raise ReportError(
            f"{text.strip()} is not a week of {year}: {year} has weeks W01 to W{weeks:02d}"
        ) from None
    return ReportWeek(year, number)


def week_of(moment: datetime) -> ReportWeek:
    """The ISO week (Shanghai) that contains an aware ``moment``."""
    iso = moment.astimezone(SHANGHAI).isocalendar()
    return ReportWeek(iso.year, iso.week)


def last_complete_week(now: datetime | None = None) -> ReportWeek:
    """The week a lead reports on by default: the last one that has ended."""
    return week_of((now or utcnow()) - timedelta(days=7))
