"""The weekly Excel report: what a station lead sends every Monday, and the district's roll-up.

Three steps, each usable on its own:

1. **Rows** — one :class:`ReportRow` per request that matters for the week, as it stood at the
   report's cut-off (the end of the week, or now while the week is still running). On the
   workstation :func:`workstation_rows` reads them from SQLite in two bulk statements. The district
   hub provides its own rows (see :class:`ReportRow` for exactly what each field must mean, and
   :func:`timeline_facts` to derive the timeline fields from a request's events).
2. **Figures** — :func:`compute_weekly_report` turns rows into a :class:`WeeklyReport`: totals,
   the category × status table, daily intake, response and resolution times in working hours,
   satisfaction, the request list and the overdue list. Pure Python, no Excel, no database.
3. **Workbook** — :func:`write_weekly_report` writes the report as .xlsx: openpyxl in write-only
   mode makes the workbook (the summary with native charts whose data ranges point at its cells,
   the styles, each sheet's set-up and header row); the rows of the two big sheets are then
   streamed as worksheet XML into the saved file (:func:`_rows_xml`), several times faster than
   openpyxl's per-cell objects (see benchmarks/README.md, "Weekly report").

:func:`build_weekly_report` does 1 and 2 for the workstation database, and
:func:`export_weekly_report` all three. The wording of the workbook (sheet names, headers, the
definitions printed under the figures) lives in ``resources/reports/labels.toml``; category and
department labels come from the taxonomy.

Definitions (also printed in the workbook):

* The week is an ISO week, Monday 00:00 to Sunday 24:00 Asia/Shanghai; stored times are UTC.
* *New*: received during the week.
* *Resolved*: a request reaches ``replied`` or ``closed``. Resolved in the week = its status at
  the cut-off is replied/closed and it last entered that state (from an unresolved one) during
  the week — so a rectification after a bad rating followed by a new reply counts at the new reply.
* *Open* at the cut-off: ``new``, ``routed`` or ``in_progress`` (cancelled and resolved are not).
* *Overdue* at the cut-off: open, with an SLA due time before the cut-off.
* *First response*: the first status change after intake (routed, in progress, replied — or
  cancelled: telling the company its request is withdrawn or not ours is an answer too), as the
  workflow records it in ``Request.first_response_at``. Counted for requests first responded to
  during the week.
* Times are in working hours: business hours of :func:`~xuhui_desk.services.workdays.default_calendar`
  (09:00–17:30 Shanghai on official working days), identical to
  ``WorkCalendar.working_hours_between``.
* *Satisfaction*: ratings received during the week (the last one per request), 1–5 with 5 very
  satisfied; "satisfied or better" is 4 or 5.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from xuhui_desk.models import Status, utcnow
from xuhui_desk.resources import resource_path

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xuhui_desk.db import Database
    from xuhui_desk.services.workdays import WorkCalendar

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
LANGUAGES: Final = ("zh_CN", "en")

#: Statuses of a request the department has answered.
RESOLVED_STATUSES: Final = frozenset({Status.REPLIED.value, Status.CLOSED.value})
#: Statuses of a request still being worked on (cancelled and resolved ones are not open).
UNRESOLVED_STATUSES: Final = (Status.NEW.value, Status.ROUTED.value, Status.IN_PROGRESS.value)
SATISFIED_AT_LEAST: Final = 4
RATING_LEVELS: Final = (5, 4, 3, 2, 1)

#: ``progress(done, total, text)`` — the signature of :class:`xuhui_desk.ui.tasks.Progress`.
ProgressCallback = Callable[[int, int, str], None]

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


# ------------------------------------------------------------------------------- rows (the input)


@dataclass(slots=True)
class ReportRow:
    """One request as the report sees it at the cut-off. All datetimes are timezone-aware.

    What a row provider (the workstation's :func:`workstation_rows`, or the hub's own) must give:

    * one row for every request received before the cut-off that was received during the week,
      was first responded to, resolved or rated during the week, or is open at the cut-off
      (extra rows are harmless: :func:`compute_weekly_report` filters by the times below);
    * ``status``: the status at the cut-off (the target of the last status-setting timeline
      event at or before it), not the current one;
    * ``first_response_at``: the first status change after intake (whatever the new status, as
      ``Request.first_response_at``), if it happened before the cut-off;
    * ``resolved_at``: when ``status`` is replied or closed, the latest moment before the cut-off
      the request entered replied/closed from another status; otherwise None;
    * ``rating`` / ``rated_at``: the last rating given before the cut-off;
    * ``due_at``: the SLA due time; ``category`` / ``department``: taxonomy codes;
    * ``station``: the station code, for the district roll-up ("" on a workstation);
    * ``due_provisional``: ``due_at`` was counted on a provisional calendar year (the workbook
      marks it; see services/workdays.py).

    :func:`timeline_facts` computes the timeline fields from a request's events.
    """

    tracking_no: str
    created_at: datetime
    enterprise_name: str
    uscc: str
    contact_name: str
    phone: str
    category: str
    department: str
    status: str
    due_at: datetime | None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    station: str = ""
    due_provisional: bool = False


@dataclass(frozen=True, slots=True)
class TimelineFacts:
    """The timeline-derived fields of a :class:`ReportRow` (see there for their meaning)."""

    status: str
    first_response_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    rated_at: datetime | None
    #: Events left out because their data cannot be used (an unknown status, a rating that is
    #: not 1–5): what each was, for the caller to flag. They never reach the figures.
    ignored: tuple[str, ...] = ()


_KNOWN_STATUSES = frozenset(s.value for s in Status)


def timeline_facts(events: Iterable[tuple[datetime, str, Mapping[str, Any]]], as_of: datetime) -> TimelineFacts:
    """Status, first response, resolution and rating at ``as_of`` from ``(occurred_at, kind, data)``.

    ``events`` are a request's timeline events in the order they were recorded (the order breaks
    ties between equal times); events at or after ``as_of`` are ignored. A status-setting event is
    one whose ``data`` has a ``status`` key (with the previous status in ``from``); a rating is a
    ``rated`` event with ``data["rating"]``. This is the rule :func:`workstation_rows` applies in SQL.
    An event whose status is not a known one, or whose rating is not an integer 1–5, is left out
    and named in ``ignored`` (one faulty record never breaks or skews a report).
    """
    status = Status.NEW.value
    first_response: datetime | None = None
    resolved: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    ignored: list[str] = []
    ordered = sorted(enumerate(events), key=lambda item: (item[1][0], item[0]))
    for _, (occurred, kind, data) in ordered:
        if occurred >= as_of:
            continue
        target = data.get("status")
        value = data.get("rating") if kind == "rated" else None
        if target is not None and (not isinstance(target, str) or target not in _KNOWN_STATUSES):
            ignored.append(f"{kind} event with status {str(target)[:40]!r}")
            continue
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
            ignored.append(f"{kind} event with rating {str(value)[:20]!r}")
            continue
        if target is not None:
            if kind != "created" and first_response is None:
                first_response = occurred
            if target in RESOLVED_STATUSES and str(data.get("from") or "") not in RESOLVED_STATUSES:
                resolved = occurred
            status = target
        if value is not None:
            rating, rated_at = value, occurred
    return TimelineFacts(status, first_response, resolved if status in RESOLVED_STATUSES else None,
                         rating, rated_at, tuple(ignored))


def _db_time(moment: datetime) -> str:
    """A bound in the form SQLAlchemy stores UTC datetimes in SQLite (naive, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _from_db(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value + "+00:00")


_UNRESOLVED_IN = ", ".join(f"'{s}'" for s in UNRESOLVED_STATUSES)
_RESOLVED_IN = ", ".join(f"'{s}'" for s in sorted(RESOLVED_STATUSES))

# Candidates with their own columns: received in the week, open now, or touched since the week
# began. The workflow keeps status, first_response_at, resolved_at and rating equal to what the
# timeline says and moves updated_at with every event, so a request untouched since the cut-off
# is described by its columns as it stood then — except for when it was rated. The timeline is
# read only for requests touched after the cut-off, or rated and touched since the week began.
_ROWS_SQL = f"""
SELECT r.id, r.tracking_no, r.created_at, ent.name, ent.uscc, ent.contact_name, ent.phone,
       r.category, r.department, r.sla_due_at, r.status, r.first_response_at, r.resolved_at, r.rating,
       r.updated_at >= :as_of OR (r.rating IS NOT NULL AND r.updated_at >= :start) AS needs_timeline,
       r.sla_provisional
FROM requests r JOIN enterprises ent ON ent.id = r.enterprise_id
WHERE r.id IN (
    SELECT id FROM requests WHERE created_at >= :start AND created_at < :as_of
    UNION ALL
    SELECT id FROM requests WHERE status IN ({_UNRESOLVED_IN}) AND created_at < :start
    UNION ALL
    SELECT id FROM requests WHERE updated_at >= :start AND created_at < :start
)
"""

# One grouped pass over the timelines of the touched requests gives, as at the cut-off: the first
# status change after intake, the status (latest status-setting event, ties by id), the latest
# entry into a resolved status from an unresolved one, and the latest rating. "time|id|value"
# strings make MAX pick the latest event's value: stored times are fixed-width, so they sort as
# they compare. This is :func:`timeline_facts` in SQL.
_TIMELINE_SQL = f"""
SELECT rid,
       MIN(CASE WHEN kind <> 'created' AND st IS NOT NULL THEN at END),
       MAX(CASE WHEN st IS NOT NULL THEN at || '|' || printf('%012d', eid) || '|' || st END),
       MAX(CASE WHEN st IN ({_RESOLVED_IN}) AND coalesce(fr, '') NOT IN ({_RESOLVED_IN}) THEN at END),
       MAX(CASE WHEN kind = 'rated' AND rating IS NOT NULL
                THEN at || '|' || printf('%012d', eid) || '|' || rating END)
FROM (
    SELECT e.request_id AS rid, e.id AS eid, e.kind AS kind, e.occurred_at AS at,
           json_extract(e.data, '$.status') AS st, json_extract(e.data, '$.from') AS fr,
           json_extract(e.data, '$.rating') AS rating
    FROM json_each(:ids) AS wanted JOIN request_events e ON e.request_id = wanted.value
    WHERE e.occurred_at < :as_of
)
GROUP BY rid
"""


def workstation_rows(session: Session, start: datetime, as_of: datetime) -> list[ReportRow]:
    """The :class:`ReportRow` s of the workstation database for a week starting at ``start``.

    Candidates are the requests received in ``[start, as_of)``, those open now (which covers
    those open at the cut-off and untouched since), and those touched since ``start`` (by
    ``updated_at``, which every timeline event moves). Two statements, however many requests
    there are: the candidates with their columns, then one grouped pass over the timelines of
    those whose columns may describe a later state or miss when they were rated.
    """
    from sqlalchemy import text

    params = {"start": _db_time(start), "as_of": _db_time(as_of)}
    candidates = session.execute(text(_ROWS_SQL), params).all()
    touched = [c[0] for c in candidates if c[14]]  # needs_timeline
    facts: dict[int, tuple[Any, ...]] = {}
    if touched:
        params["ids"] = "[" + ",".join(map(str, touched)) + "]"
        facts = {f[0]: f for f in session.execute(text(_TIMELINE_SQL), params)}
    parse = _from_db
    rows: list[ReportRow] = []
    append = rows.append
    for (rid, tracking_no, created, name, uscc, contact, phone, category, department, due, status,
         first_response, resolved, rating, _touched, provisional) in candidates:
        rated_at = None
        fact = facts.get(rid)
        if fact is not None:
            _rid, first_response, status_key, resolved, rating_key = fact
            if status_key:
                status = status_key.rsplit("|", 1)[1]
            rating = None
            if rating_key:
                at, _eid, value = rating_key.split("|")
                rating, rated_at = int(float(value)), parse(at)
        append(ReportRow(
            tracking_no, parse(created), name, uscc or "", contact or "", phone or "", category, department or "",
            status, parse(due), parse(first_response),
            parse(resolved) if status in RESOLVED_STATUSES else None, rating, rated_at,
            due_provisional=bool(provisional),
        ))
    return rows


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


def _language(language: str) -> str:
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
    language = _language(language)
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


# -------------------------------------------------------------------------------------- privacy

_MOBILE = re.compile(r"^(\+?86)?(1\d{2})\d{4}(\d{4})$")
_AREA = re.compile(r"^(\+?[\d ]{2,6}-)(\d+)$")


def mask_name(name: str) -> str:
    """``王小明`` → ``王**``: the first character, then two asterisks whatever the length.

    A one-character name is all asterisks (``x`` → ``**``): its first character is the whole name.
    """
    name = name.strip()
    if len(name) <= 1:
        return "**" if name else ""
    return name[0] + "**"


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; ``021-64871234`` → ``021-****1234``; an extension is hidden.

    Anything else keeps only its last four digits.
    """
    phone = phone.strip()
    if not phone:
        return ""
    main, sep, extension = phone.partition("转")
    compact = main.replace(" ", "")
    if m := _MOBILE.match(compact):
        masked = f"{m.group(2)}****{m.group(3)}"
    elif (m := _AREA.match(compact)) and len(m.group(2)) > 4:
        masked = f"{m.group(1)}****{m.group(2)[-4:]}"
    else:
        digits = sum(ch.isdigit() for ch in main)
        seen, out = 0, []
        for ch in main:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen > digits - 4 else "*")
            else:
                out.append(ch)
        masked = "".join(out)
    return masked + (sep + "*" * len(extension) if sep else "")


# ------------------------------------------------------------------------------------- workbook


@cache
def _load_labels() -> Mapping[str, Mapping[str, Any]]:
    with resource_path("reports", "labels.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    missing = [lang for lang in LANGUAGES if lang not in raw]
    if missing:
        raise ValueError(f"resources/reports/labels.toml has no table for {', '.join(missing)}")
    return raw


def report_labels(language: str) -> Mapping[str, Any]:
    """The report's wording in ``language`` (from ``resources/reports/labels.toml``)."""
    return _load_labels()[_language(language)]


def default_filename(station_code: str | None, week: ReportWeek | str) -> str:
    """``XH03-2026-W48.xlsx`` (``district-…`` for the roll-up)."""
    label = week.label if isinstance(week, ReportWeek) else parse_week(week).label
    return f"{station_code or 'district'}-{label}.xlsx"


_EXCEL_EPOCH: Final = datetime(1899, 12, 30)
_EXCEL_EPOCH_ORDINAL: Final = _EXCEL_EPOCH.toordinal()
_DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm"
_DATE_FORMAT: Final = "yyyy-mm-dd"
_HOURS_FORMAT: Final = "0.0"
_PERCENT_FORMAT: Final = "0.0%"
_COUNT_FORMAT: Final = "#,##0"
_MAX_WIDTH: Final = 60
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _serial(moment: datetime) -> float:
    """Excel's serial number of ``moment``'s Shanghai wall-clock time (a real date cell with a format)."""
    local = moment.astimezone(SHANGHAI)
    return (local.toordinal() - _EXCEL_EPOCH_ORDINAL
            + (local.hour * 3600 + local.minute * 60 + local.second) / 86400)


def _day_serial(moment: datetime) -> int:
    return moment.astimezone(SHANGHAI).toordinal() - _EXCEL_EPOCH_ORDINAL


def text_width(value: str) -> int:
    """Display width: East Asian (3-byte UTF-8) characters count double, the rest single."""
    return len(value) + (len(value.encode("utf-8")) - len(value)) // 2


def _column_width(header: str, values: Iterable[Any], floor: int = 0) -> float:
    widest = max((text_width(v if isinstance(v, str) else str(v)) for v in set(values) if v is not None),
                 default=0)
    return min(_MAX_WIDTH, max(widest, text_width(header), floor) * 1.1 + 2.5)


def _clean(value: str) -> str:
    return _ILLEGAL.sub("", value) if value else ""


_FONT: Final = "Calibri"


class _Styles:
    """The few cell looks of the workbook, as openpyxl style objects (created once)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="A6A6A6")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        # The workbook's default font (openpyxl's Calibri 11) for every styled cell too; Excel and
        # LibreOffice fall back to a CJK font for Chinese text on their own.
        self.normal = Font(name=_FONT, size=11)
        self.title = Font(name=_FONT, bold=True, size=16, color="1F3864")
        self.section = Font(name=_FONT, bold=True, size=12, color="1F3864")
        self.bold = Font(name=_FONT, bold=True, size=11)
        self.muted = Font(name=_FONT, size=9, color="595959")
        self.header_fill = PatternFill("solid", fgColor="D9E1F2")
        self.total_fill = PatternFill("solid", fgColor="F2F2F2")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center")
        self.wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)


class _SummarySheet:
    """Appends styled rows to the write-only summary sheet and remembers where things went."""

    def __init__(self, ws: Any, styles: _Styles) -> None:
        self.ws = ws
        self.s = styles
        self.row = 0

    def cell(self, value: Any, *, font: Any = None, fill: Any = None, fmt: str | None = None,
             border: bool = False, align: Any = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = font if font is not None else self.s.normal
        if fill is not None:
            cell.fill = fill
        if fmt is not None:
            cell.number_format = fmt
        if border:
            cell.border = self.s.border
        if align is not None:
            cell.alignment = align
        return cell

    def append(self, values: Sequence[Any] = (), height: float | None = None) -> int:
        self.row += 1
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(list(values))
        return self.row

    def header(self, labels: Sequence[str], height: float | None = None) -> int:
        return self.append([self.cell(v, font=self.s.bold, fill=self.s.header_fill, border=True,
                                      align=self.s.center) for v in labels], height=height)

    def section(self, text: str) -> int:
        self.append()
        return self.append([self.cell(text, font=self.s.section)])

    def label(self, text: str, *, total: bool = False) -> Any:
        return self.cell(text, border=True, font=self.s.bold if total else None,
                         fill=self.s.total_fill if total else None, align=self.s.left)

    def number(self, value: float | None, fmt: str = _COUNT_FORMAT, *, total: bool = False, none: str = "—") -> Any:
        if value is None:
            return self.cell(none, border=True, align=self.s.center)
        return self.cell(value, fmt=fmt, border=True, font=self.s.bold if total else None,
                         fill=self.s.total_fill if total else None)


# The summary's layout: labels in A, figures in B..I (the category table is the widest), the two
# charts side by side under the category table. The charts' references and the tests rely on it.
SUMMARY_LABEL_WIDTH: Final = 30
SUMMARY_VALUE_WIDTH: Final = 11
CHART_ROWS: Final = 17


def _write_summary(wb: Any, report: WeeklyReport, labels: Mapping[str, Any], styles: _Styles) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    from xuhui_desk.services.labels import rating_label, status_label

    ws = wb.create_sheet(labels["sheet_summary"])
    _print_setup(ws, landscape=False)  # before the first row: openpyxl writes the sheet's properties with it
    table_columns = 2 + len(report.statuses)  # category + statuses + total
    last_column = get_column_letter(table_columns)
    ws.column_dimensions["A"].width = SUMMARY_LABEL_WIDTH
    for index in range(2, table_columns + 1):
        ws.column_dimensions[get_column_letter(index)].width = SUMMARY_VALUE_WIDTH
    sheet = _SummarySheet(ws, styles)
    s = styles
    none = labels["none"]
    station = _clean(f"{report.station_code} {report.station_name}".strip() if report.station_code
                     else report.station_name or labels["all_stations"])

    def info(label: str, value: Any, fmt: str | None = None, note: str = "") -> None:
        row = sheet.append([sheet.cell(label, font=s.bold), sheet.cell(value, fmt=fmt, align=s.left),
                            None, None, None, sheet.cell(note, font=s.muted) if note else None])
        ws.merged_cells.add(f"B{row}:E{row}")

    sheet.append([sheet.cell(f"{station} {labels['title']}", font=s.title)], height=24)
    info(labels["week"], labels["week_value"].format(
        week=report.week.label, start=report.week.days[0].isoformat(), end=report.week.days[-1].isoformat()))
    info(labels["as_of"], _serial(report.as_of), _DATETIME_FORMAT, labels["as_of_partial"] if report.partial else "")
    info(labels["generated_at"], _serial(report.generated_at), _DATETIME_FORMAT)
    sheet.append([sheet.cell(labels["privacy_unmasked" if report.unmasked else "privacy_masked"], font=s.muted)])

    # 1. totals
    sheet.section(labels["totals_title"])
    sheet.header([labels["metric"], labels["count"]])
    for key, value in (("total_new", report.totals.new), ("total_resolved", report.totals.resolved),
                       ("total_open", report.totals.open), ("total_overdue", report.totals.overdue)):
        sheet.append([sheet.label(labels[key]), sheet.number(value)])

    # 2. category × status (requests received in the week, by status at the cut-off)
    sheet.section(labels["category_title"])
    category_header = sheet.header([labels["category"], *(status_label(st, report.language) for st in report.statuses),
                                    labels["total"]])
    for code in report.categories:
        counts = [report.by_category_status.get((code, st), 0) for st in report.statuses]
        sheet.append([sheet.label(report.category_labels.get(code, code)),
                      *(sheet.number(n) for n in counts), sheet.number(sum(counts), total=True)])
    last_category = sheet.row
    sheet.append([sheet.label(labels["total"], total=True),
                  *(sheet.number(report.status_total(st), total=True) for st in report.statuses),
                  sheet.number(report.totals.new, total=True)])

    # Room for the two charts (drawn over these empty rows, side by side).
    sheet.append()
    chart_row = sheet.row + 1
    for _ in range(CHART_ROWS):
        sheet.append()

    # 3. daily intake and resolutions
    sheet.section(labels["daily_title"])
    daily_header = sheet.header([labels["day"], labels["daily_new"], labels["daily_resolved"]])
    for day in report.daily:
        text = labels["day_label"].format(weekday=labels["weekdays"][day.day.weekday()], month=day.day.month,
                                          day=day.day.day)
        sheet.append([sheet.label(text), sheet.number(day.new), sheet.number(day.resolved)])
    last_day = sheet.row

    # 4. response times in working hours (on a new page when printed: the figures above and the
    # charts fill the first)
    ws.row_breaks.append(Break(id=sheet.row + 1))
    sheet.section(labels["timing_title"])
    sheet.header([labels["metric"], labels["count"], labels["median"], labels["mean"]], height=30)
    for key, timing in (("timing_first_response", report.first_response), ("timing_resolution", report.resolution)):
        sheet.append([sheet.label(labels[key]), sheet.number(timing.count),
                      sheet.number(timing.median, _HOURS_FORMAT, none=none),
                      sheet.number(timing.mean, _HOURS_FORMAT, none=none)])
    sheet.append()
    sheet.header([labels["metric"], labels["count"], labels["share"]])
    sheet.append([sheet.label(labels["on_time"]), sheet.number(report.on_time),
                  sheet.number(report.on_time_share, _PERCENT_FORMAT, none=none)])

    # 5. satisfaction
    sheet.section(labels["satisfaction_title"])
    sheet.header([labels["metric"], labels["count"], labels["share"]])
    sat = report.satisfaction
    for level in RATING_LEVELS:
        n = sat.by_level.get(level, 0)
        text = labels["rating_level"].format(label=rating_label(level, report.language), score=level)
        sheet.append([sheet.label(text), sheet.number(n),
                      sheet.number(n / sat.count if sat.count else None, _PERCENT_FORMAT, none=none)])
    sheet.append([sheet.label(labels["rating_total"], total=True), sheet.number(sat.count, total=True),
                  sheet.number(1.0 if sat.count else None, _PERCENT_FORMAT, total=True, none=none)])
    sheet.append([sheet.label(labels["satisfied"], total=True), sheet.number(sat.satisfied, total=True),
                  sheet.number(sat.share, _PERCENT_FORMAT, total=True, none=none)])

    # Definitions: merged across the page's width, wrapped, with room for every line.
    sheet.section(labels["notes_title"])
    capacity = SUMMARY_LABEL_WIDTH + SUMMARY_VALUE_WIDTH * (table_columns - 1)
    opens, closes = (t.strftime("%H:%M") for t in report.business_hours)
    notes = [*labels["notes"], *([labels["note_provisional"]] if report.provisional_due_dates else [])]
    for number, note in enumerate(notes, start=1):
        text = f"{number}. " + note.format(opens=opens, closes=closes)
        lines = max(1, math.ceil(text_width(text) * 1.25 / capacity))
        row = sheet.append([sheet.cell(text, align=s.wrap, font=s.muted)], height=12.5 * lines + 3)
        ws.merged_cells.add(f"A{row}:{last_column}{row}")

    # Native charts over the reserved rows (anchored to cells, so they fit whatever the fonts);
    # their data are the cells written above.
    split = 4  # the bar chart spans A..D, the line chart E..I

    def anchor(first_col: int, last_col: int, gap_cm: float) -> Any:
        from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
        from openpyxl.utils.units import cm_to_EMU

        return TwoCellAnchor(
            _from=AnchorMarker(col=first_col, row=chart_row - 1, colOff=cm_to_EMU(gap_cm), rowOff=cm_to_EMU(0.1)),
            to=AnchorMarker(col=last_col, row=chart_row - 1 + CHART_ROWS, colOff=0, rowOff=0),
        )

    bar = BarChart()
    bar.type = "bar"
    bar.style = 10
    bar.title = labels["chart_category_title"]
    bar.add_data(Reference(ws, min_col=table_columns, min_row=category_header, max_row=last_category),
                 titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=category_header + 1, max_row=last_category))
    bar.legend = None
    bar.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
    bar.y_axis.crosses = "max"  # …with the value axis still at the bottom
    bar.y_axis.title = labels["chart_axis_count"]
    bar.y_axis.majorGridlines = None
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.series[0].graphicalProperties = GraphicalProperties(solidFill="2F5597")
    ws.add_chart(bar, anchor(0, split, 0.0))

    line = LineChart()
    line.title = labels["chart_daily_title"]
    line.style = 12
    line.add_data(Reference(ws, min_col=2, max_col=3, min_row=daily_header, max_row=last_day),
                  titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=daily_header + 1, max_row=last_day))
    for series, color in zip(line.series, ("2F5597", "ED7D31"), strict=False):
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.marker.graphicalProperties = GraphicalProperties(solidFill=color)
        series.marker.graphicalProperties.line.solidFill = color
        series.graphicalProperties.line.solidFill = color
        series.graphicalProperties.line.width = 28575  # 2.25 pt
        series.smooth = False
    line.y_axis.title = labels["chart_axis_count"]
    line.y_axis.scaling.min = 0
    line.x_axis.delete = False
    line.y_axis.delete = False
    line.legend.position = "b"
    ws.add_chart(line, anchor(split, table_columns, 0.3))


def _print_setup(ws: Any, *, header_row: bool = False, fit_height: bool = False, landscape: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&A — &P / &N"
    if header_row:
        ws.print_title_rows = "1:1"


# The request table's columns: (key in labels.columns, number format or None, minimum width).
_REQUEST_COLUMNS: Final = (
    ("tracking_no", None, 0), ("created_at", _DATETIME_FORMAT, 16), ("enterprise", None, 0), ("uscc", None, 0),
    ("contact", None, 0), ("phone", None, 0), ("category", None, 0), ("department", None, 0),
    ("status", None, 0), ("due", _DATE_FORMAT, 10), ("resolved", _DATE_FORMAT, 10), ("rating", None, 0),
)
_OVERDUE_COLUMNS: Final = (
    ("tracking_no", None, 0), ("created_at", _DATETIME_FORMAT, 16), ("enterprise", None, 0), ("contact", None, 0),
    ("phone", None, 0), ("category", None, 0), ("department", None, 0), ("status", None, 0),
    ("due", _DATE_FORMAT, 10), ("overdue_days", _HOURS_FORMAT, 0), ("escalation", None, 0),
)


@dataclass
class _StreamedTable:
    """A data sheet whose rows are streamed into the saved workbook (see :func:`_stream_rows`)."""

    ws: Any
    records: list[list[Any]]
    style_attrs: list[str]  # ' s="N"' for a formatted column, else ""


def _table(wb: Any, title: str, columns: Sequence[tuple[str, str | None, int]], records: list[list[Any]],
           labels: Mapping[str, Any], styles: _Styles, *, station: bool) -> _StreamedTable:
    """A write-only sheet for ``records`` (lists in ``columns`` order; dates as serial numbers).

    openpyxl writes the sheet itself — column widths fitted to the records, the styled header
    row, the frozen header, the auto-filter over every row, landscape print fitted to the page
    width with the header on every page — and registers the date formats' styles; the data
    rows follow in :func:`_stream_rows`.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    _print_setup(ws, header_row=True)  # before the first row: openpyxl writes the sheet's properties with it
    if station:
        columns = (("station", None, 0), *columns)
    headers = [labels["columns"][key] for key, _fmt, _floor in columns]
    for index, (_key, fmt, floor) in enumerate(columns):
        if fmt is None:
            width = _column_width(headers[index], (r[index] for r in records), floor)
        else:
            width = min(_MAX_WIDTH, max(text_width(headers[index]), floor) * 1.1 + 2.5)
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "B2"
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill, cell.alignment, cell.border = (styles.bold, styles.header_fill, styles.center,
                                                             styles.border)
        header_cells.append(cell)
    ws.append(header_cells)
    style_attrs = []
    for _key, fmt, _floor in columns:
        if fmt is None:
            style_attrs.append("")
            continue
        cell = WriteOnlyCell(ws)
        cell.number_format = fmt
        style_attrs.append(f' s="{cell.style_id}"')  # registers the format in the workbook's styles
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(records) + 1}"
    return _StreamedTable(ws, records, style_attrs)


# Characters a cell's text may not carry into XML 1.0 as they are, and outer whitespace (which
# needs xml:space="preserve"): the rare strings that take the slow path.
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|^\s|\s$")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text_cell(ref: str, value: str, style: str) -> str:
    value = _XML_INVALID.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{value}</t></is></c>'


def _rows_xml(table: _StreamedTable, first_row: int = 2, chunk: int = 1000) -> Iterator[str]:
    """``<row>`` elements for the table's records, ``chunk`` rows per string.

    The same cells openpyxl writes in write-only mode (inline strings, numbers, the date format's
    style on date columns), built directly: openpyxl spends ~7 µs on each cell's objects, this
    under 1 µs, and a week's request sheet has over 100,000 cells.
    """
    from openpyxl.utils import get_column_letter

    width = max((len(r) for r in table.records), default=0)
    letters = [get_column_letter(i + 1) for i in range(width)]
    styles = table.style_attrs + [""] * (width - len(table.style_attrs))
    special = _XML_SPECIAL.search
    parts: list[str] = []
    add = parts.append
    for number, record in enumerate(table.records, start=first_row):
        add(f'<row r="{number}">')
        for letter, style, value in zip(letters, styles, record, strict=False):
            if value is None or value == "":
                continue
            if value.__class__ is str:
                if special(value):
                    add(_text_cell(f"{letter}{number}", value, style))
                else:
                    add(f'<c r="{letter}{number}" t="inlineStr"{style}><is><t>{value}</t></is></c>')
            elif isinstance(value, bool):
                add(f'<c r="{letter}{number}" t="b"{style}><v>{int(value)}</v></c>')
            elif isinstance(value, int | float) and math.isfinite(value):
                add(f'<c r="{letter}{number}"{style}><v>{value!r}</v></c>')
            else:
                add(_text_cell(f"{letter}{number}", str(value), style))
        add("</row>")
        if len(parts) > chunk * 12:
            yield "".join(parts)
            parts.clear()
    yield "".join(parts)


def _stream_rows(source: Path, target: Path, tables: Sequence[_StreamedTable]) -> None:
    """Copy the workbook openpyxl saved at ``source`` to ``target``, adding each table's rows.

    openpyxl has written each data sheet with its header row only; its rows go in just before
    ``</sheetData>``, straight into the compressed stream.
    """
    import zipfile

    by_path = {t.ws.path.lstrip("/"): t for t in tables}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            table = by_path.pop(info.filename, None)
            if table is None:
                zout.writestr(info, data)
                continue
            xml = data.decode("utf-8")
            head, found, tail = xml.partition("</sheetData>")
            if not found:
                raise RuntimeError(f"{info.filename}: openpyxl wrote no sheet data to add the rows to")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(entry, "w") as out:
                out.write(head.encode("utf-8"))
                for chunk in _rows_xml(table):
                    out.write(chunk.encode("utf-8"))
                out.write((found + tail).encode("utf-8"))
    if by_path:
        raise RuntimeError(f"sheets missing from the saved workbook: {', '.join(sorted(by_path))}")


def _status_labels(language: str) -> dict[str, str]:
    from xuhui_desk.services.labels import status_label

    return {s.value: status_label(s.value, language) for s in Status}


def _request_records(report: WeeklyReport, labels: Mapping[str, Any]) -> list[list[Any]]:
    status_labels = _status_labels(report.language)
    cats, deps = report.category_labels, report.department_labels
    name = (lambda v: v) if report.unmasked else mask_name
    phone = (lambda v: v) if report.unmasked else mask_phone
    records = []
    for r in report.requests:
        record = [
            r.tracking_no, _serial(r.created_at), r.enterprise_name, r.uscc, name(r.contact_name), phone(r.phone),
            cats.get(r.category, r.category), deps.get(r.department, r.department),
            status_labels.get(r.status, r.status), _day_serial(r.due_at) if r.due_at else None,
            _day_serial(r.resolved_at) if r.resolved_at else None, r.rating,
        ]
        if report.show_station:
            record.insert(0, r.station)
        records.append(record)
    return records


def _overdue_records(report: WeeklyReport, labels: Mapping[str, Any]) -> list[list[Any]]:
    status_labels = _status_labels(report.language)
    cats, deps = report.category_labels, report.department_labels
    records = []
    for item in report.overdue:
        r = item.row
        record = [
            r.tracking_no, _serial(r.created_at), r.enterprise_name,
            r.contact_name if report.unmasked else mask_name(r.contact_name),
            r.phone if report.unmasked else mask_phone(r.phone), cats.get(r.category, r.category),
            deps.get(r.department, r.department), status_labels.get(r.status, r.status),
            _day_serial(r.due_at) if r.due_at else None, round(item.overdue_workdays, 1), item.escalation_level,
        ]
        if report.show_station:
            record.insert(0, r.station)
        records.append(record)
    return records


def write_weekly_report(report: WeeklyReport, path: str | os.PathLike[str],
                        progress: ProgressCallback | None = None) -> Path:
    """Write ``report`` to ``path`` as .xlsx: summary (with charts), requests, overdue.

    The file appears complete or not at all (written next to it, then renamed). Contact names
    and phones are masked unless the report was made with ``unmasked=True``.
    """
    from openpyxl import Workbook

    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"no such folder: {target.parent}")
    labels = report_labels(report.language)
    styles = _Styles()
    wb = Workbook(write_only=True)
    wb.properties.creator = "xuhui-desk"
    wb.properties.title = f"{labels['title']} {report.week.label}"
    if progress:
        progress(2, 4, "summary")
    _write_summary(wb, report, labels, styles)
    if progress:
        progress(3, 4, "requests")
    # A due date counted on a provisional calendar year is marked in a last column (only when
    # the report has one), so that the lead can filter on it.
    basis = (("due_basis", None, 0),) if report.provisional_due_dates else ()
    requests, overdue = _request_records(report, labels), _overdue_records(report, labels)
    for records, rows in ((requests, report.requests), (overdue, [o.row for o in report.overdue])):
        for record, row in zip(records, rows, strict=True):
            if basis:
                record.append(labels["due_provisional"] if row.due_provisional else None)
    tables = [
        _table(wb, labels["sheet_requests"], _REQUEST_COLUMNS + basis, requests, labels, styles,
               station=report.show_station),
        _table(wb, labels["sheet_overdue"], _OVERDUE_COLUMNS + basis, overdue, labels, styles,
               station=report.show_station),
    ]
    skeleton = target.with_name(f".{target.name}.skeleton")
    partial = target.with_name(f".{target.name}.part")
    try:
        wb.save(skeleton)
        _stream_rows(skeleton, partial, tables)
        os.replace(partial, target)
    finally:
        skeleton.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    if progress:
        progress(4, 4, "done")
    return target


def export_weekly_report(
    db: Database,
    week: ReportWeek | str,
    out_path: str | os.PathLike[str],
    *,
    language: str = "zh_CN",
    unmasked: bool = False,
    now: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> WeeklyReport:
    """Build the workstation's weekly report and write it to ``out_path``; returns the figures."""
    with db.session() as session:
        report = build_weekly_report(session, week, language=language, unmasked=unmasked, now=now,
                                     progress=progress)
    write_weekly_report(report, out_path, progress=progress)
    return report
