"""The report's figures (:class:`WeeklyReport`) from its rows: totals, the category × status
table, daily intake, response and resolution times in working hours, satisfaction, the request
list and the overdue list. Pure Python, no Excel; :func:`build_weekly_report` reads the rows of
the workstation database first."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Final

from xuhui_desk.models import Status, utcnow
from xuhui_desk.services.reports.clock import WorkingClock
from xuhui_desk.services.reports.rows import RESOLVED_STATUSES, UNRESOLVED_STATUSES, ReportRow, workstation_rows
from xuhui_desk.services.reports.week import SHANGHAI, ReportError, ReportWeek, parse_week

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xuhui_desk.services.workdays import WorkCalendar


SATISFIED_AT_LEAST: Final = 4
RATING_LEVELS: Final = (5, 4, 3, 2, 1)

#: ``progress(done, total, text)`` — the signature of :class:`xuhui_desk.ui.tasks.Progress`.
ProgressCallback = Callable[[int, int, str], None]


# ------------------------------------------------------------------------------ figures (output)


@dataclass(frozen=True, slots=True)
class Totals:
    new: int
    resolved: int
    open: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Timing:
    """Durations in working hours; ``median`` and ``mean`` are None when ``count`` is 0."""

    count: int
    median: float | None
    mean: float | None

    @classmethod
    def of(cls, hours: Sequence[float]) -> Timing:
        if not hours:
            return cls(0, None, None)
        return cls(len(hours), statistics.median(hours), statistics.fmean(hours))


@dataclass(frozen=True, slots=True)
class Satisfaction:
    count: int
    by_level: Mapping[int, int]  # 5..1 → count
    satisfied: int  # rated 4 or 5
    share: float | None  # satisfied / count, None without ratings


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    new: int
    resolved: int


@dataclass(frozen=True, slots=True)
class OverdueRow:
    row: ReportRow
    overdue_workdays: float
    escalation_level: int


@dataclass
class WeeklyReport:
    """Every figure of the weekly report, computed and ready to write (or to show, or to test)."""

    week: ReportWeek
    station_code: str | None  # None: the district roll-up of all stations
    station_name: str
    language: str
    unmasked: bool
    generated_at: datetime
    as_of: datetime  # the cut-off: the end of the week, or generated_at while the week runs
    totals: Totals
    categories: tuple[str, ...]  # category codes, in taxonomy order (unknown codes last)
    statuses: tuple[str, ...]
    by_category_status: Mapping[tuple[str, str], int]  # new in the week, by status at the cut-off
    daily: tuple[DayCount, ...]
    first_response: Timing
    resolution: Timing
    on_time: int  # resolved in the week no later than the due time
    on_time_base: int  # resolved in the week with a due time
    satisfaction: Satisfaction
    requests: list[ReportRow]  # received in the week, oldest first
    overdue: list[OverdueRow]  # overdue at the cut-off, earliest due first
    business_hours: tuple[time, time] = (time(9, 0), time(17, 30))
    show_station: bool = False
    category_labels: Mapping[str, str] = field(default_factory=dict)
    department_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        """The week had not ended when the report was made."""
        return self.as_of < self.week.end

    @property
    def provisional_due_dates(self) -> bool:
        """A listed request's due date was counted on a provisional calendar year."""
        return any(r.due_provisional for r in self.requests) or any(o.row.due_provisional for o in self.overdue)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.on_time_base if self.on_time_base else None

    def category_total(self, category: str) -> int:
        return sum(self.by_category_status.get((category, s), 0) for s in self.statuses)

    def status_total(self, status: str) -> int:
        return sum(self.by_category_status.get((c, status), 0) for c in self.categories)

    def summary_dict(self) -> dict[str, Any]:
        """The headline figures as plain JSON-able data (for ``report --json`` and the GUI)."""
        return {
            "week": self.week.label,
            "station": self.station_code,
            "start": self.week.start.isoformat(),
            "end": self.week.end.isoformat(),
            "as_of": self.as_of.astimezone(SHANGHAI).isoformat(timespec="seconds"),
            "partial": self.partial,
            "new": self.totals.new,
            "resolved": self.totals.resolved,
            "open": self.totals.open,
            "overdue": self.totals.overdue,
            "first_response_hours": {"count": self.first_response.count, "median": self.first_response.median,
                                     "mean": self.first_response.mean},
            "resolution_hours": {"count": self.resolution.count, "median": self.resolution.median,
                                 "mean": self.resolution.mean},
            "on_time": self.on_time,
            "ratings": self.satisfaction.count,
            "satisfied_share": self.satisfaction.share,
            "by_category": {c: self.category_total(c) for c in self.categories},
            "daily_new": [d.new for d in self.daily],
            "provisional_due_dates": self.provisional_due_dates,
        }


def report_language(language: str) -> str:
    """The report language for ``language``: "en" for any English, else Simplified Chinese."""
    if language.replace("-", "_").lower().startswith("en"):
        return "en"
    return "zh_CN"


def _taxonomy_labels(language: str) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    """Category order, category labels and department labels from the taxonomy."""
    from xuhui_desk.services.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    order = tuple(str(c.code) for c in taxonomy.categories)
    categories = {str(c.code): c.label(language) for c in taxonomy.categories}
    departments = {d.code: d.label(language) for d in taxonomy.departments}
    return order, categories, departments


def compute_weekly_report(
    rows: Iterable[ReportRow],
    week: ReportWeek | str,
    *,
    station_code: str | None,
    station_name: str = "",
    language: str = "zh_CN",
    unmasked: bool = False,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
    category_order: Sequence[str] | None = None,
    category_labels: Mapping[str, str] | None = None,
    department_labels: Mapping[str, str] | None = None,
) -> WeeklyReport:
    """Every figure of the report from ``rows`` (see :class:`ReportRow` for what they must hold).

    ``now`` (default: the current time) sets the cut-off when the week is still running and the
    "generated" time. Category order and labels default to the taxonomy's in ``language``.
    Raises :class:`ReportError` for a week that has not begun at ``now``.
    """
    from xuhui_desk.services.workdays import default_calendar

    week = parse_week(week) if isinstance(week, str) else week
    language = report_language(language)
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    start, end = week.start, week.end
    if now <= start:
        raise ReportError(f"week {week.label} has not begun yet (it starts {start:%Y-%m-%d} Shanghai time)")
    as_of = min(end, now)
    clock = WorkingClock(calendar or default_calendar())
    if category_order is None or category_labels is None or department_labels is None:
        tax_order, tax_categories, tax_departments = _taxonomy_labels(language)
        category_order = tax_order if category_order is None else category_order
        category_labels = tax_categories if category_labels is None else category_labels
        department_labels = tax_departments if department_labels is None else department_labels

    # Same-zone comparisons skip the offset look-ups: rows carry UTC, so do the bounds.
    lo, hi = start.astimezone(UTC), as_of.astimezone(UTC)
    rows = [r for r in rows if r.created_at < hi]
    received = sorted((r for r in rows if r.created_at >= lo), key=lambda r: (r.created_at, r.tracking_no))
    resolved = [r for r in rows if r.resolved_at is not None and lo <= r.resolved_at < hi
                and r.status in RESOLVED_STATUSES]
    still_open = [r for r in rows if r.status in UNRESOLVED_STATUSES]
    overdue_rows = sorted(
        (r for r in still_open if r.due_at is not None and r.due_at < hi),
        key=lambda r: (r.due_at, r.created_at, r.tracking_no),
    )
    responded = [r for r in rows if r.first_response_at is not None and lo <= r.first_response_at < hi]
    rated = [r for r in rows if r.rating is not None and r.rated_at is not None and lo <= r.rated_at < hi]

    extra = sorted({r.category for r in received} - set(category_order))
    categories = (*category_order, *extra)
    statuses = tuple(s.value for s in Status)
    by_category_status = Counter((r.category, r.status) for r in received)

    new_by_day = Counter(r.created_at.astimezone(SHANGHAI).date() for r in received)
    resolved_by_day = Counter(r.resolved_at.astimezone(SHANGHAI).date() for r in resolved if r.resolved_at)
    daily = tuple(DayCount(d, new_by_day[d], resolved_by_day[d]) for d in week.days)

    hours = clock.hours_between
    first_response = Timing.of([max(0.0, hours(r.created_at, r.first_response_at))  # type: ignore[arg-type]
                                for r in responded])
    resolution = Timing.of([max(0.0, hours(r.created_at, r.resolved_at))  # type: ignore[arg-type]
                            for r in resolved])
    with_due = [r for r in resolved if r.due_at is not None and r.resolved_at is not None]
    on_time = sum(1 for r in with_due if r.resolved_at <= r.due_at)  # type: ignore[operator]

    levels = Counter(r.rating for r in rated)
    satisfied = sum(n for level, n in levels.items() if level is not None and level >= SATISFIED_AT_LEAST)
    satisfaction = Satisfaction(
        count=len(rated),
        by_level={level: levels.get(level, 0) for level in RATING_LEVELS},
        satisfied=satisfied,
        share=satisfied / len(rated) if rated else None,
    )
    overdue = [
        OverdueRow(r, clock.overdue_workdays(r.due_at, as_of), clock.escalation_level(r.due_at, as_of))
        for r in overdue_rows
        if r.due_at is not None
    ]
    return WeeklyReport(
        week=week,
        station_code=station_code,
        station_name=station_name,
        language=language,
        unmasked=unmasked,
        generated_at=now,
        as_of=as_of,
        totals=Totals(new=len(received), resolved=len(resolved), open=len(still_open), overdue=len(overdue)),
        categories=categories,
        statuses=statuses,
        by_category_status=dict(by_category_status),
        daily=daily,
        first_response=first_response,
        resolution=resolution,
        on_time=on_time,
        on_time_base=len(with_due),
        satisfaction=satisfaction,
        requests=received,
        overdue=overdue,
        business_hours=(clock.calendar.opens_at, clock.calendar.closes_at),
        show_station=any(r.station for r in rows),
        category_labels=dict(category_labels),
        department_labels=dict(department_labels),
    )


def build_weekly_report(
    session: Session,
    week: ReportWeek | str,
    *,
    station_code: str | None = None,
    station_name: str | None = None,
    language: str = "zh_CN",
    unmasked: bool = False,
    now: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> WeeklyReport:
    """The weekly report of the workstation database (station code and name from its station row)."""
    from xuhui_desk.services.station import require_station

    week = parse_week(week) if isinstance(week, str) else week
    now = now or utcnow()
    if station_code is None or station_name is None:
        station = require_station(session)
        station_code = station.code if station_code is None else station_code
        station_name = station.name if station_name is None else station_name
    if now <= week.start:
        raise ReportError(f"week {week.label} has not begun yet (it starts {week.start:%Y-%m-%d} Shanghai time)")
    if progress:
        progress(0, 4, "query")
    rows = workstation_rows(session, week.start, min(week.end, now))
    if progress:
        progress(1, 4, "figures")
    from xuhui_desk.services.calendar_updates import station_calendar  # with its imported official years

    return compute_weekly_report(rows, week, station_code=station_code, station_name=station_name,
                                 language=language, unmasked=unmasked, now=now, calendar=station_calendar(session))
