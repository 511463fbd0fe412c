"""The weekly report's rows from the hub database: the district roll-up of every station, or one.

The report itself (figures and workbook) is the workstation's own
(:mod:`xuhui_desk.services.reports`); this module only provides what
:class:`~xuhui_desk.services.reports.ReportRow` asks a row provider for, as the hub knows it:

* candidates are the requests received before the cut-off that were received in the week, are
  open now, were changed on the hub since the week began (``changed_at``, district updates and
  station pushes), were edited at their station since then (``updated_at``), or have a timeline
  event that happened or arrived since then — a superset of what the report counts (it filters by
  the times in each row);
* ``status``, ``first_response_at``, ``resolved_at``, ``rating`` / ``rated_at`` are those *at the
  cut-off*, from the request's merged timeline (station and district events, in the hub's arrival
  order) by :func:`~xuhui_desk.services.reports.timeline_facts`. A request whose timeline has not
  reached the hub yet (no event before the cut-off) is described by its columns instead;
* a row the report cannot use — a status it does not know, a time outside the plausible window
  (:mod:`xuhui_desk.record_rules`) or in a year the working-day calendar does not cover — is
  skipped, and a timeline event it cannot use (an unknown status, a rating not 1–5) is left out;
  :func:`hub_rows_checked` names both, so that one station's faulty record never stops or skews
  the district's report;
* ``department`` is the effective one (the district's once it assigned one), ``category`` and the
  enterprise fields the station's latest revision, ``station`` the station code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, union

from xuhui_desk import record_rules
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import HubEnterprise, HubEvent, HubRequest, HubStation
from xuhui_desk.hub.store import Skipped, UnknownStation
from xuhui_desk.models import utcnow
from xuhui_desk.services.reports import (
    RESOLVED_STATUSES,
    UNRESOLVED_STATUSES,
    ReportError,
    ReportRow,
    ReportWeek,
    WeeklyReport,
    compute_weekly_report,
    parse_week,
    timeline_facts,
)
from xuhui_desk.services.timefmt import SHANGHAI

#: Requests whose timelines are read per statement (keeps IN lists small on every database).
CHUNK = 500


@dataclass(frozen=True)
class StationInfo:
    code: str
    name: str


def find_station(db: HubDatabase, code: str) -> StationInfo:
    """The station ``code`` (any case); raises :class:`UnknownStation` when the hub has none."""
    with db.session() as s:
        row = s.scalars(select(HubStation).where(HubStation.code == code.strip().upper())).first()
        if row is None:
            raise UnknownStation(f"no station {code.strip().upper()} on this hub "
                                 "(`xuhui-hub station list` shows the registered ones)")
        return StationInfo(row.code, row.name)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _unusable(moments: dict[str, datetime | None], status: str, window: record_rules.TimeWindow,
              covers: Any) -> str | None:
    """Why the report cannot use a row, or None."""
    if status not in record_rules.STATUSES:
        return f"unknown status {str(status)[:40]!r}"
    for name, value in moments.items():
        if value is None:
            continue
        if window.check(name, value, due=name == "sla_due_at"):
            return f"{name} {value.isoformat(timespec='seconds')} is not a plausible time"
        if not covers(value.astimezone(SHANGHAI).year):
            return f"{name} {value:%Y-%m-%d} is in a year the working-day calendar does not cover"
    return None


def hub_rows(db: HubDatabase, start: datetime, as_of: datetime, *, station: str | None = None) -> list[ReportRow]:
    """One :class:`ReportRow` per usable candidate request (see the module doc) of every station,
    or of ``station``, for a week starting at ``start`` with the cut-off ``as_of`` (both aware)."""
    return hub_rows_checked(db, start, as_of, station=station)[0]


def hub_rows_checked(db: HubDatabase, start: datetime, as_of: datetime, *, station: str | None = None,
                     ) -> tuple[list[ReportRow], list[Skipped]]:
    """:func:`hub_rows` and the rows skipped or flagged, with the reason."""
    from xuhui_desk.services.workdays import default_calendar

    calendar = default_calendar()
    covered: dict[int, bool] = {}

    def covers(year: int) -> bool:
        if year not in covered:
            covered[year] = calendar.covers(year)
        return covered[year]

    window = record_rules.time_window(utcnow(), record_rules.MAX_HONOURED_SKEW.total_seconds())
    # The candidates are a UNION of the selections, each served by its own index (created_at,
    # status, changed_at, updated_at; events' occurred_at and received_at): an OR of the same
    # conditions — one of them ``id IN (events since …)`` — keeps PostgreSQL from combining the
    # indexes and makes it scan every request. The ids are read first and the rows then by id in
    # chunks: joined in one statement, PostgreSQL overestimates the union (events repeat their
    # request) and hash-joins all the requests instead of looking the few thousand up.
    candidate_ids = union(
        select(HubRequest.id).where(HubRequest.created_at >= start),
        select(HubRequest.id).where(HubRequest.status.in_(UNRESOLVED_STATUSES)),
        select(HubRequest.id).where(HubRequest.changed_at >= start),
        select(HubRequest.id).where(HubRequest.updated_at >= start),
        select(HubEvent.request_id).where(HubEvent.occurred_at >= start),
        select(HubEvent.request_id).where(HubEvent.received_at >= start),
    )
    stmt = (
        select(HubRequest.id, HubRequest.tracking_no, HubRequest.created_at, HubEnterprise.name,
               HubEnterprise.uscc, HubEnterprise.contact_name, HubEnterprise.phone, HubRequest.category,
               HubRequest.department, HubRequest.sla_due_at, HubRequest.status, HubRequest.first_response_at,
               HubRequest.resolved_at, HubRequest.rating, HubStation.code)
        .join(HubEnterprise, HubEnterprise.id == HubRequest.enterprise_id)
        .join(HubStation, HubStation.id == HubRequest.station_id)
        .where(HubRequest.created_at < as_of)
        .order_by(HubRequest.id)
    )
    if station:
        stmt = stmt.where(HubStation.code == station.strip().upper())
    with db.session() as s:
        ids = sorted(i for i in s.scalars(candidate_ids) if i is not None)
        candidates = [row for part in _chunks(ids) for row in s.execute(stmt.where(HubRequest.id.in_(part)))]
        timelines: dict[int, list[tuple[datetime, str, dict[str, Any]]]] = defaultdict(list)
        for part in _chunks([c[0] for c in candidates]):
            # A JSON column leaves SQLAlchemy's select untyped: the row's fields are read by name.
            for event in s.execute(
                select(HubEvent.request_id, HubEvent.occurred_at, HubEvent.kind, HubEvent.data)
                .where(HubEvent.request_id.in_(part))
                .order_by(HubEvent.id)
            ):
                data = event.data
                timelines[event.request_id].append((event.occurred_at, event.kind,
                                                    data if isinstance(data, dict) else {}))

    rows: list[ReportRow] = []
    skipped: list[Skipped] = []
    # SQLAlchemy types the first ten columns of a select; the rest come as a list.
    for (rid, tracking_no, created, name, uscc, contact, phone, category, department, due, *rest) in candidates:
        status, first_response, resolved, rating, code = rest
        events = timelines.get(rid)
        rated_at: datetime | None = None
        if events:
            facts = timeline_facts([e for e in events if window.check("occurred_at", e[0]) == []], as_of)
            late = [e for e in events if window.check("occurred_at", e[0])]
            ignored = [*facts.ignored, *(f"{kind} event dated {at.isoformat(timespec='seconds')}"
                                         for at, kind, _ in late)]
            if ignored:
                skipped.append(Skipped(tracking_no, "left out of the figures: " + "; ".join(ignored)))
            status, first_response, resolved = facts.status, facts.first_response_at, facts.resolved_at
            rating, rated_at = facts.rating, facts.rated_at
        else:
            # The request's timeline has not reached the hub yet: its columns are all there is.
            first_response = first_response if first_response is not None and first_response < as_of else None
            resolved = resolved if status in RESOLVED_STATUSES and resolved is not None and resolved < as_of else None
        if rating is not None and not 1 <= rating <= 5:
            rating = None
        why = _unusable({"created_at": created, "sla_due_at": due, "first_response_at": first_response,
                         "resolved_at": resolved, "rated_at": rated_at}, status, window, covers)
        if why is not None:
            skipped.append(Skipped(tracking_no, f"skipped: {why}"))
            continue
        rows.append(ReportRow(
            tracking_no=tracking_no, created_at=created, enterprise_name=name, uscc=uscc or "",
            contact_name=contact or "", phone=phone or "", category=category, department=department or "",
            status=status, due_at=due, first_response_at=first_response, resolved_at=resolved,
            rating=rating, rated_at=rated_at, station=code,
        ))
    return rows, skipped


def build_hub_report(
    db: HubDatabase,
    week: ReportWeek | str,
    *,
    station: str | None = None,
    language: str = "zh_CN",
    unmasked: bool = False,
    now: datetime | None = None,
) -> WeeklyReport:
    """The district's weekly report (all stations, or ``station``) from the hub database.

    Raises :class:`~xuhui_desk.services.reports.ReportError` for a week not begun and
    :class:`~xuhui_desk.hub.store.UnknownStation` for a station the hub does not know.
    """
    week = parse_week(week) if isinstance(week, str) else week
    now = now or utcnow()
    if now <= week.start:
        raise ReportError(f"week {week.label} has not begun yet (it starts {week.start:%Y-%m-%d} Shanghai time)")
    return build_hub_report_checked(db, week, station=station, language=language, unmasked=unmasked, now=now)[0]


def build_hub_report_checked(
    db: HubDatabase,
    week: ReportWeek | str,
    *,
    station: str | None = None,
    language: str = "zh_CN",
    unmasked: bool = False,
    now: datetime | None = None,
) -> tuple[WeeklyReport, list[Skipped]]:
    """:func:`build_hub_report` and the rows it skipped or flagged (tracking number, reason)."""
    week = parse_week(week) if isinstance(week, str) else week
    now = now or utcnow()
    if now <= week.start:
        raise ReportError(f"week {week.label} has not begun yet (it starts {week.start:%Y-%m-%d} Shanghai time)")
    info = find_station(db, station) if station else None
    rows, skipped = hub_rows_checked(db, week.start, min(week.end, now), station=info.code if info else None)
    report = compute_weekly_report(rows, week, station_code=info.code if info else None,
                                   station_name=info.name if info else "", language=language,
                                   unmasked=unmasked, now=now)
    return report, skipped


__all__ = ["StationInfo", "build_hub_report", "build_hub_report_checked", "find_station", "hub_rows",
           "hub_rows_checked"]
