"""China's official working-day calendar, and the SLA arithmetic built on it.

Which days are working days
    A date is a working day when it is Monday–Friday and not a public holiday,
    or when it is one of the weekend days the State Council turns into working
    days to make up for a holiday (调休). A year's *official* calendar comes, first
    found wins, from the station's own official years (imported with
    ``xuhui-desk calendar import`` or published by the district through the hub;
    passed in as ``official``), from ``resources/calendar/<year>.toml`` (it replaces
    the package's data for the whole year), or from the ``chinesecalendar`` package.

Provisional years
    A year from 2025 on that none of those knows yet (the State Council publishes
    its notice in November or December of the year before) gets a *provisional*
    calendar (:func:`provisional_holidays`): weekends, plus the statutory holidays
    of the rules in force (《全国年节及纪念日放假办法》 as revised in 2024, in force
    from 2025), the lunar dates and 清明 computed by :mod:`.lunisolar`, plus the
    weekday off the same rules give for a holiday falling on a Saturday or Sunday
    (补假). It cannot know the notice's bridging swaps (调休: weekdays off, weekend
    days worked), so a due time computed on it is flagged provisional
    (:meth:`WorkCalendar.due`) and recomputed when the official year arrives
    (:mod:`xuhui_desk.services.calendar_updates`). A year before 2025 that no source
    knows raises :class:`CalendarYearUnknown` (the old rules differ).

Time
    Every datetime going in must be timezone-aware (any zone; naive ones raise
    ``ValueError``). Computations happen in Asia/Shanghai; datetimes coming out
    are in UTC, as the database stores them. Business hours default to
    09:00–17:30 Shanghai time.

SLA due time (:meth:`WorkCalendar.add_workdays`)
    A request received on a working day before the close of business counts
    that day as day 0; one received at or after the close, or on a non-working
    day, starts its clock on the next working day (that day is day 0). It is
    due at the close of business of the N-th working day after day 0 — so
    N = 0 means "by close of business on day 0". Received Friday 10:00 with
    N = 1: due Monday 17:30. Received Friday 18:00 with N = 1: due Tuesday 17:30.

Escalation (:meth:`WorkCalendar.escalation_level`)
    0 while not overdue. Once overdue, lateness is measured in working days of
    business hours elapsed since the due time (see :meth:`overdue_workdays`):
    level 1 up to and including 2 working days late, level 2 up to and
    including 5, level 3 beyond (thresholds are a constructor parameter).
    A request due Monday 17:30 is level 1 from Monday 17:30:00.000001 until
    Wednesday 17:30, level 2 until the following Monday 17:30, then level 3.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from xuhui_desk.resources import resource_path

SHANGHAI = ZoneInfo("Asia/Shanghai")

DEFAULT_OPENS_AT = time(9, 0)
DEFAULT_CLOSES_AT = time(17, 30)
#: Working days late after which the escalation level steps up (level 1 → 2 → 3).
DEFAULT_ESCALATION_AFTER: tuple[float, ...] = (2, 5)

_ONE_DAY = timedelta(days=1)
_OVERRIDE_KEYS = frozenset({"year", "source", "holidays", "workdays"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: The first year of the statutory rules the provisional calendar applies (the 2024 revision of
#: 《全国年节及纪念日放假办法》, in force from 1 January 2025). Earlier years are never provisional.
PROVISIONAL_RULES_SINCE = 2025

#: A year's official data: ``(holidays, workdays)`` as :func:`load_override` returns them.
YearData = tuple[frozenset[date], frozenset[date]]


class SlaDue(NamedTuple):
    """A due time and whether any day counted to reach it lies in a provisional year."""

    at: datetime
    provisional: bool


def provisional_holidays(year: int) -> dict[date, str]:
    """The days off of ``year`` by the statutory rules alone, with the holiday's name.

    《全国年节及纪念日放假办法》 (2024 revision, articles 2 and 6): 元旦 1 day (1 January); 春节
    4 days (农历除夕, 正月初一 to 初三); 清明节 1 day (the solar term); 劳动节 2 days (1–2 May);
    端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (1–3 October). A holiday day
    falling on a Saturday or Sunday is made up on the next weekday that is not already a holiday
    (补假: "适逢星期六、星期日，应当在工作日补假"). The State Council's yearly notice usually also moves
    working days around the long holidays (调休); no rule fixes those, so they are not here.
    """
    from xuhui_desk.services import lunisolar

    new_year = lunisolar.spring_festival(year)
    statutory: list[tuple[date, str]] = [
        (date(year, 1, 1), "元旦"),
        *((new_year + timedelta(days=offset), "春节") for offset in (-1, 0, 1, 2)),
        (lunisolar.qingming(year), "清明节"),
        (date(year, 5, 1), "劳动节"),
        (date(year, 5, 2), "劳动节"),
        (lunisolar.dragon_boat(year), "端午节"),
        (lunisolar.mid_autumn(year), "中秋节"),
        *((date(year, 10, day), "国庆节") for day in (1, 2, 3)),
    ]
    days: dict[date, str] = {}
    for day, name in sorted(statutory):
        days.setdefault(day, name)  # 中秋 can fall within 国庆: one day off, not two
    for day, name in list(days.items()):
        if day.weekday() >= 5:
            extra = day + _ONE_DAY
            while extra.weekday() >= 5 or extra in days:
                extra += _ONE_DAY
            if extra.year == year:
                days[extra] = f"{name}补假"
    return dict(sorted(days.items()))


class CalendarYearUnknown(LookupError):
    """Neither an override file nor the chinesecalendar package knows this year's holidays."""

    def __init__(self, year: int, override_file: Path, detail: str = "") -> None:
        self.year = year
        self.override_file = override_file
        message = (
            f"China's official working-day calendar for {year} is not known: there is no override file "
            f"{override_file} and the chinesecalendar package does not cover {year}"
            + (f" ({detail})" if detail else "")
            + f". Add {override_file.name} from the State Council's holiday notice for {year} "
            f"(see README.md in {override_file.parent}), or upgrade chinesecalendar."
        )
        super().__init__(message)


class CalendarDataError(ValueError):
    """An override file in ``resources/calendar/`` is malformed."""


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def _require_date(value: date, name: str) -> date:
    # A datetime is a date too, but its .date() is in its own zone, not Shanghai's: refuse it
    # rather than quietly shift a request received at 01:00 Shanghai time onto the previous day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{name} must be a datetime.date, not {type(value).__name__}; "
            "for a moment use .astimezone(SHANGHAI).date()"
        )
    return value


@dataclass(frozen=True)
class OfficialYear:
    """One year of the State Council's holiday notice: days off and weekend days worked."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    @property
    def data(self) -> YearData:
        return self.holidays, self.workdays

    def to_wire(self) -> dict[str, Any]:
        """The year as plain JSON data (the hub's feed, the station's table): sorted ISO dates."""
        return {"year": self.year, "source": self.source,
                "holidays": sorted(d.isoformat() for d in self.holidays),
                "workdays": sorted(d.isoformat() for d in self.workdays)}

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_wire`: equal content, equal digest."""
        import hashlib
        import json

        text = json.dumps(self.to_wire(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_official_year(data: object, *, where: str, expected_year: int | None = None) -> OfficialYear:
    """Validate one year's calendar given as a mapping (decoded TOML or JSON) and return it.

    Keys exactly ``year``, ``source``, ``holidays``, ``workdays``; ``year`` an integer (equal to
    ``expected_year`` when given) from 2000 to 2199; ``source`` the notice's title; both lists of
    dates (TOML dates or ISO ``YYYY-MM-DD`` strings) in that year, none twice, none in both lists;
    ``holidays`` not empty; ``workdays`` only Saturdays and Sundays. Raises
    :class:`CalendarDataError` starting with ``where`` and naming the problem.
    """

    def fail(problem: str) -> CalendarDataError:
        return CalendarDataError(f"{where}: {problem}")

    if not isinstance(data, Mapping):
        raise fail("expected a table with year, source, holidays and workdays")
    unknown = sorted(str(k) for k in set(data) - _OVERRIDE_KEYS)
    missing = sorted(_OVERRIDE_KEYS - set(data))
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_OVERRIDE_KEYS))}")
    if missing:
        raise fail(f"missing key(s) {', '.join(missing)}")
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2199:
        raise fail(f"year = {year!r} is not a year from 2000 to 2199")
    if expected_year is not None and year != expected_year:
        raise fail(f"year = {year!r} does not match the file name ({expected_year})")
    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise fail("source must name the official notice the dates come from")
    if len(source) > 500:
        raise fail("source is longer than 500 characters")

    def dates(key: str) -> frozenset[date]:
        values = data[key]
        if not isinstance(values, list):
            raise fail(f"{key} must be a list of dates")
        if len(values) > 366:
            raise fail(f"{key} lists more days than a year has")
        found: set[date] = set()
        for value in values:
            if isinstance(value, str):
                text = value
                try:
                    value = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
                except ValueError:
                    value = None
                if value is None:
                    raise fail(f"{key}: {text[:40]!r} is not a date (write {year}-10-01)") from None
            if isinstance(value, datetime) or not isinstance(value, date):
                raise fail(f"{key}: {value!r} is not a date (write {year}-10-01)")
            if value.year != year:
                raise fail(f"{key}: {value.isoformat()} is not in {year}")
            if value in found:
                raise fail(f"{key}: {value.isoformat()} is listed twice")
            found.add(value)
        return frozenset(found)

    holidays, workdays = dates("holidays"), dates("workdays")
    if not holidays:
        raise fail("holidays is empty; every year has public holidays")
    both = sorted(holidays & workdays)
    if both:
        raise fail(f"{', '.join(d.isoformat() for d in both)} listed both as holiday and as working day")
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        raise fail(
            f"workdays lists only weekend days worked to make up for a holiday; "
            f"{', '.join(d.isoformat() for d in weekdays)} is Monday–Friday"
        )
    return OfficialYear(year, source.strip(), holidays, workdays)


#: A calendar file is a few kilobytes; anything much larger is not one.
MAX_CALENDAR_FILE_BYTES = 64 * 1024


def read_calendar_file(path: Path, *, name_is_year: bool = False) -> OfficialYear:
    """Read and validate a calendar TOML file (the format of ``resources/calendar/YYYY.toml``).

    With ``name_is_year`` the file must be named ``YYYY.toml`` for its year (the resources
    folder); an imported or published file may have any name. Raises :class:`CalendarDataError`
    naming the file and the problem (also for a missing, unreadable or oversized file).
    """
    import tomllib  # deferred with the rest of the calendar data: not needed at start-up

    def fail(problem: str) -> CalendarDataError:
        return CalendarDataError(f"{path}: {problem}")

    expected = None
    if name_is_year:
        try:
            expected = int(path.name.removesuffix(".toml"))
        except ValueError:
            raise fail("the file name must be the year, e.g. 2027.toml") from None
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CALENDAR_FILE_BYTES + 1)
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a folder, not a calendar file") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_CALENDAR_FILE_BYTES:
        raise fail(f"larger than {MAX_CALENDAR_FILE_BYTES // 1024} KB; a calendar file is a few KB of TOML")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise fail("not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML: {exc}") from exc
    return parse_official_year(data, where=str(path), expected_year=expected)


def load_override(path: Path) -> tuple[frozenset[date], frozenset[date]]:
    """Read and validate one ``<year>.toml`` override file; return ``(holidays, workdays)``.

    Raises :class:`CalendarDataError` naming the file and the problem.
    """
    return read_calendar_file(path, name_is_year=True).data


class WorkCalendar:
    """Working days on China's official calendar, business hours, SLA due times and escalation.

    Thread-safe; year data is loaded on first use and cached. ``chinesecalendar`` is imported
    only when a year without an override file is first asked about.
    """

    def __init__(
        self,
        *,
        override_dir: Path | None = None,
        opens_at: time = DEFAULT_OPENS_AT,
        closes_at: time = DEFAULT_CLOSES_AT,
        escalation_after: Sequence[float] = DEFAULT_ESCALATION_AFTER,
        official: Mapping[int, YearData] | None = None,
    ) -> None:
        """``override_dir`` defaults to ``resources/calendar``; times are Shanghai wall-clock times.

        ``escalation_after`` holds the working days late past which each further level starts:
        the default ``(2, 5)`` gives levels 1, 2 and 3. ``official`` maps a year to its
        ``(holidays, workdays)`` from a source that wins over the files and the package (the
        station's imported or district-published years).
        """
        if opens_at.tzinfo is not None or closes_at.tzinfo is not None:
            raise ValueError("opens_at and closes_at are Shanghai wall-clock times; give them without tzinfo")
        if not opens_at < closes_at:
            raise ValueError(f"opens_at ({opens_at}) must be before closes_at ({closes_at})")
        thresholds = tuple(float(t) for t in escalation_after)
        if any(t <= 0 for t in thresholds) or any(a >= b for a, b in pairwise(thresholds)):
            raise ValueError(f"escalation_after must be positive and increasing, got {escalation_after!r}")
        self.override_dir = Path(override_dir) if override_dir is not None else resource_path("calendar")
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.escalation_after = thresholds
        day = date(2000, 1, 1)
        self._day_length = datetime.combine(day, closes_at) - datetime.combine(day, opens_at)
        self._official = dict(official or {})
        self._years: dict[int, frozenset[date]] = {}
        self._provisional: set[int] = set()
        self._lock = threading.Lock()

    # -- which days are working days -------------------------------------------------------------

    def _workdays_of(self, year: int) -> frozenset[date]:
        known = self._years.get(year)
        if known is not None:
            return known
        with self._lock:
            known = self._years.get(year)
            if known is None:
                known = self._load_year(year)
                self._years[year] = known
        return known

    def _load_year(self, year: int) -> frozenset[date]:
        first, last = date(year, 1, 1), date(year, 12, 31)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        override = self.override_dir / f"{year}.toml"
        official = self._official.get(year)
        if official is None and override.is_file():
            official = load_override(override)
        if official is not None:
            holidays, workdays = official
            return frozenset(d for d in days if d in workdays or (d.weekday() < 5 and d not in holidays))

        import chinese_calendar  # deferred: only needed when a year is first asked about

        try:
            return frozenset(d for d in days if chinese_calendar.is_workday(d))
        except NotImplementedError as exc:
            if year < PROVISIONAL_RULES_SINCE:
                raise CalendarYearUnknown(year, override, detail=f"chinesecalendar: {exc}") from exc
        from xuhui_desk.services.lunisolar import OutOfRange

        try:
            off = provisional_holidays(year)
        except OutOfRange as exc:
            raise CalendarYearUnknown(year, override, detail=str(exc)) from exc
        self._provisional.add(year)
        return frozenset(d for d in days if d.weekday() < 5 and d not in off)

    def covers(self, year: int) -> bool:
        """Whether this year's *official* working days are known (lets the UI warn that due dates
        in it are provisional). A malformed override file still raises :class:`CalendarDataError`.
        """
        try:
            self._workdays_of(year)
        except CalendarYearUnknown:
            return False
        return year not in self._provisional

    def is_provisional(self, year: int) -> bool:
        """Whether ``year`` is counted on the provisional calendar (no official source knows it)."""
        try:
            self._workdays_of(year)
        except CalendarYearUnknown:
            return False
        return year in self._provisional

    def official_years(self) -> dict[int, YearData]:
        """The years given to this calendar as ``official`` (the station's own)."""
        return dict(self._official)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises :class:`CalendarYearUnknown` for an unknown year."""
        day = _require_date(day, "day")
        return day in self._workdays_of(day.year)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day = _require_date(day, "day") + _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; negative (``-workdays_between(end, start)``)
        when ``end`` is before ``start``.

        So for a request whose day 0 is ``start``, the due date ``add_workdays(..., n)`` falls on
        the date ``end`` with ``workdays_between(start, end) == n``.
        """
        start, end = _require_date(start, "start"), _require_date(end, "end")
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start + _ONE_DAY
        while day <= end:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count

    # -- business hours and SLA ------------------------------------------------------------------

    def close_of_business(self, day: date) -> datetime:
        """The closing time of ``day`` (Shanghai), in UTC."""
        day = _require_date(day, "day")
        return datetime.combine(day, self.closes_at, tzinfo=SHANGHAI).astimezone(UTC)

    def sla_day_zero(self, received: datetime) -> date:
        """The working day a request's clock starts on (see the module docstring)."""
        local = _require_aware(received, "received").astimezone(SHANGHAI)
        day = local.date()
        if self.is_workday(day) and local.time() < self.closes_at:
            return day
        return self.next_workday(day)

    def add_workdays(self, start: datetime, days: int) -> datetime:
        """SLA due time, in UTC: close of business of the ``days``-th working day after day 0.

        Day 0 is the day of ``start`` if that is a working day and ``start`` is before the close of
        business, otherwise the next working day. ``days = 0`` means by close of business on day 0.
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, not {type(days).__name__}")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        day = self.sla_day_zero(start)
        for _ in range(days):
            day = self.next_workday(day)
        return self.close_of_business(day)

    def due(self, start: datetime, days: int) -> SlaDue:
        """:meth:`add_workdays`, and whether the result is provisional: True when any year from
        ``start``'s (Shanghai) to the due time's is on the provisional calendar."""
        at = self.add_workdays(start, days)
        first = _require_aware(start, "start").astimezone(SHANGHAI).year
        last = at.astimezone(SHANGHAI).year
        return SlaDue(at, any(self.is_provisional(y) for y in range(first, last + 1)))

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Hours of business time (working days, opening to closing, Shanghai) from ``start`` to ``end``.

        Negative (``-working_hours_between(end, start)``) when ``end`` is before ``start``, so sums
        over consecutive intervals add up; clamp at the call site if a report wants no negatives.
        """
        start, end = _require_aware(start, "start"), _require_aware(end, "end")
        if end < start:
            return -self.working_hours_between(end, start)
        return self._business_time(start, end).total_seconds() / 3600

    def _business_time(self, start: datetime, end: datetime) -> timedelta:
        local_start, local_end = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        total = timedelta()
        day = local_start.date()
        while day <= local_end.date():
            if self.is_workday(day):
                opens = datetime.combine(day, self.opens_at, tzinfo=SHANGHAI)
                closes = datetime.combine(day, self.closes_at, tzinfo=SHANGHAI)
                begin, finish = max(opens, local_start), min(closes, local_end)
                if finish > begin:
                    total += finish - begin
            day += _ONE_DAY
        return total

    # -- overdue and escalation ------------------------------------------------------------------

    def is_overdue(self, due: datetime, now: datetime) -> bool:
        """Whether ``now`` is past ``due`` (a request due at 17:30 is on time at 17:30:00 exactly)."""
        return _require_aware(now, "now") > _require_aware(due, "due")

    def overdue_workdays(self, due: datetime, now: datetime) -> float:
        """How late, in working days of business hours since ``due`` (0.0 when not overdue).

        Due Monday 17:30: Tuesday 13:15 is 0.5, Wednesday 17:30 is 2.0, nights and weekends add nothing.
        """
        if not self.is_overdue(due, now):
            return 0.0
        return self._business_time(due, now) / self._day_length

    def escalation_level(self, due: datetime, now: datetime) -> int:
        """0 not overdue; 1 overdue by at most 2 working days; 2 by at most 5; 3 beyond.

        (With the default ``escalation_after=(2, 5)``; one level more per threshold exceeded.)
        """
        if not self.is_overdue(due, now):
            return 0
        late = self.overdue_workdays(due, now)
        return 1 + sum(late > threshold for threshold in self.escalation_after)


@cache
def default_calendar() -> WorkCalendar:
    """The program's shared calendar: overrides from ``resources/calendar``, 09:00–17:30, (2, 5)."""
    return WorkCalendar()
