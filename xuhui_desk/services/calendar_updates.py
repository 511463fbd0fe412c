"""Official calendar years arriving at the station, and the provisional due dates they correct.

An official year reaches a station in one of three ways:

* a new program version ships ``resources/calendar/YYYY.toml`` (see the README there);
* the station lead runs ``xuhui-desk calendar import FILE`` (:func:`import_calendar_file`);
* the district publishes it (``xuhui-hub calendar publish FILE``) and the station fetches the
  hub's calendar feed during a sync round (:func:`pull_from_hub`).

Imported and published years are kept in the station's database (table ``calendar_years``), so
they travel with its backups and win over the program's files (:func:`station_calendar`). Each
arrival recomputes, in the same transaction, the due time of every open request whose due time
was counted on a provisional year (:func:`recompute_provisional`): a changed due time is written
with a ``due_recomputed`` timeline event (``data``: ``old_due``, ``new_due``, ``provisional``,
``via``, ``source``) and the request goes to the hub again with its next sync.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuhui_desk.models import (
    OPEN_STATUSES,
    CalendarYear,
    EventKind,
    Origin,
    Request,
    RequestEvent,
    SyncState,
    utcnow,
)
from xuhui_desk.services.workdays import (
    CalendarDataError,
    CalendarYearUnknown,
    OfficialYear,
    WorkCalendar,
    default_calendar,
    parse_official_year,
    provisional_holidays,
    read_calendar_file,
)

if TYPE_CHECKING:
    import httpx

    from xuhui_desk.db import Database

#: The hub's calendar feed: every published year (``{"years": [{year, source, holidays,
#: workdays, digest, published_at}, …]}``), for stations with a valid token.
CALENDAR_PATH = "/api/v1/calendar"

VIA_IMPORT = "import"
VIA_HUB = "hub"
VIA_PROGRAM = "program"  # a year shipped in resources/calendar with a newer program

_cache_lock = threading.Lock()
_calendars: dict[tuple[tuple[int, str], ...], WorkCalendar] = {}


@dataclass(frozen=True)
class Recomputed:
    """One request whose due time changed when an official year arrived."""

    tracking_no: str
    old_due: datetime | None
    new_due: datetime
    provisional: bool


@dataclass
class CalendarUpdate:
    """What applying official years did."""

    stored: list[int] = field(default_factory=list)  # years new or changed on this station
    unchanged: list[int] = field(default_factory=list)  # years already held with the same content
    recomputed: list[Recomputed] = field(default_factory=list)
    confirmed: int = 0  # provisional due times that stayed the same and are now official
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from xuhui_desk.services.timefmt import iso_local

        return {
            "stored": self.stored, "unchanged": self.unchanged, "confirmed": self.confirmed,
            "warnings": self.warnings,
            "recomputed": [{"tracking_no": r.tracking_no,
                            "old_due": iso_local(r.old_due) if r.old_due else None,
                            "new_due": iso_local(r.new_due), "provisional": r.provisional}
                           for r in self.recomputed],
        }


# --- the station's calendar ----------------------------------------------------------------------


def _year_of(row: CalendarYear) -> OfficialYear:
    return OfficialYear(row.year, row.source, frozenset(map(date.fromisoformat, row.holidays)),
                        frozenset(map(date.fromisoformat, row.workdays)))


def station_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar of the station whose database ``session`` reads: its imported and
    published official years first, then the program's files and chinesecalendar, then the
    provisional rules. Cached per set of years (one small query per call)."""
    keys = tuple(sorted((year, digest) for year, digest in session.execute(
        select(CalendarYear.year, CalendarYear.digest))))
    if not keys:
        return default_calendar()
    with _cache_lock:
        found = _calendars.get(keys)
    if found is not None:
        return found
    years = {y.year: y.data for y in map(_year_of, session.scalars(select(CalendarYear)))}
    calendar = WorkCalendar(official=years)
    with _cache_lock:
        return _calendars.setdefault(keys, calendar)


def calendar_for_key(key: tuple[tuple[int, str], ...]) -> WorkCalendar | None:
    """The calendar :func:`station_calendar` gives for the station's official years ``key`` (its
    ``(year, digest)`` pairs in order), when it is cached or needs none; None when it must be read.
    For a caller that read the key in a statement of its own (the intake save)."""
    if not key:
        return default_calendar()
    with _cache_lock:
        return _calendars.get(key)


def station_years(session: Session) -> list[dict[str, Any]]:
    """The official years this station holds, for ``calendar status``."""
    return [{"year": r.year, "source": r.source, "origin": r.origin, "digest": r.digest,
             "received_at": r.received_at.isoformat()}
            for r in session.scalars(select(CalendarYear).order_by(CalendarYear.year))]


# --- recomputing ----------------------------------------------------------------------------------


def _due_basis(request: Request) -> tuple[datetime, int]:
    """Where a request's due time is counted from, and how many working days: the latest
    rectification (a dissatisfied rating) if any, else intake with the category's SLA."""
    from xuhui_desk.services.taxonomy import load_taxonomy
    from xuhui_desk.services.workflow import RECTIFICATION_WORKDAYS

    for event in sorted(request.events, key=lambda e: e.id, reverse=True):
        if event.kind == EventKind.RECTIFICATION:
            return event.occurred_at, RECTIFICATION_WORKDAYS
    return request.created_at, load_taxonomy().sla_days(request.category, request.urgency)


def recompute_provisional(session: Session, *, now: datetime | None = None, via: str = VIA_PROGRAM,
                          source: str = "", actor: str = "") -> tuple[list[Recomputed], int]:
    """Recount the due time of every open request whose due time is provisional, on the station's
    current calendar. A changed due time is stored with a ``due_recomputed`` timeline event and
    the request is queued for the hub; the flag follows the new count. Returns the changed
    requests and how many stayed the same but became official. Idempotent."""
    now = now or utcnow()
    calendar = station_calendar(session)
    changed: list[Recomputed] = []
    confirmed = 0
    open_codes = [s.value for s in OPEN_STATUSES]
    for request in session.scalars(select(Request).where(Request.sla_provisional.is_(True),
                                                         Request.status.in_(open_codes)).order_by(Request.id)):
        start, days = _due_basis(request)
        try:
            due = calendar.due(start, days)
        except CalendarYearUnknown:
            continue
        if due.at == request.sla_due_at:
            if not due.provisional:
                request.sla_provisional = False
                confirmed += 1
            continue
        old = request.sla_due_at
        session.add(RequestEvent(
            request_id=request.id, kind=EventKind.DUE_RECOMPUTED, actor=actor, origin=Origin.STATION,
            occurred_at=now,
            data={"old_due": old.isoformat() if old else None, "new_due": due.at.isoformat(),
                  "provisional": due.provisional, "via": via, "source": source},
        ))
        request.sla_due_at = due.at
        request.sla_provisional = due.provisional
        # As every workflow change: the hub gets the new due time with the next sync.
        request.updated_at = now
        request.revision += 1
        request.sync_state = SyncState.PENDING
        request.sync_error = None
        changed.append(Recomputed(request.tracking_no, old, due.at, due.provisional))
    return changed, confirmed


def statutory_warnings(year: OfficialYear) -> list[str]:
    """Statutory holidays of the current rules that the official year does not give off: usually
    a sign of a mistyped file (the year's calendar is stored all the same)."""
    try:
        expected = provisional_holidays(year.year)
    except ValueError:
        return []
    missing = [f"{day.isoformat()} ({name})" for day, name in expected.items()
               if not name.endswith("补假") and day not in year.holidays and day.weekday() < 5]
    if not missing:
        return []
    return [f"{year.year}: not a holiday in this calendar although the statutory rules give it off: "
            + ", ".join(missing)]


def apply_official_years(db: Database, years: Iterable[OfficialYear], *, via: str,
                         now: datetime | None = None, actor: str = "") -> CalendarUpdate:
    """Store official years on the station and recompute provisional due times, in one transaction.

    A year already held with the same content is left as it is (no events); a year held with
    other content is replaced (a corrected notice). Returns what was stored and recomputed.
    """
    now = now or utcnow()
    result = CalendarUpdate()
    with db.write() as session:
        for year in years:
            digest = year.digest
            row = session.get(CalendarYear, year.year)
            if row is not None and row.digest == digest:
                result.unchanged.append(year.year)
                continue
            wire = year.to_wire()
            if row is None:
                row = CalendarYear(year=year.year)
                session.add(row)
            row.source, row.holidays, row.workdays = year.source, wire["holidays"], wire["workdays"]
            row.digest, row.origin, row.received_at = digest, via, now
            result.stored.append(year.year)
            result.warnings.extend(statutory_warnings(year))
        session.flush()
        sources = "; ".join(f"{y}: {session.get(CalendarYear, y).source}" for y in result.stored)  # type: ignore[union-attr]
        result.recomputed, result.confirmed = recompute_provisional(session, now=now, via=via, source=sources,
                                                                    actor=actor)
    return result


def import_calendar_file(db: Database, path: Any, *, now: datetime | None = None,
                         actor: str = "") -> CalendarUpdate:
    """``xuhui-desk calendar import FILE``: validate the TOML file strictly (refused files change
    nothing; :class:`CalendarDataError` says why), then :func:`apply_official_years`."""
    from pathlib import Path

    year = read_calendar_file(Path(path))
    return apply_official_years(db, [year], via=VIA_IMPORT, now=now, actor=actor)


# --- from the hub --------------------------------------------------------------------------------


def parse_feed(payload: Any) -> list[OfficialYear]:
    """The hub's calendar feed, validated as strictly as a file (raises :class:`CalendarDataError`)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("years"), list):
        raise CalendarDataError("the hub's calendar feed: expected {\"years\": [...]}")
    years: list[OfficialYear] = []
    for index, item in enumerate(payload["years"]):
        if not isinstance(item, dict):
            raise CalendarDataError(f"the hub's calendar feed, item {index}: expected an object")
        fields = {k: item.get(k) for k in ("year", "source", "holidays", "workdays")}
        years.append(parse_official_year(fields, where=f"the hub's calendar for {fields['year']!r}"))
    return years


def pull_from_hub(db: Database, client: httpx.Client, now: datetime | None = None, *,
                  auth: dict[str, str] | None = None) -> list[str]:
    """Fetch the hub's published calendar years with the sync round's client and apply new ones.

    ``auth``: the station's Authorization header (the client sends the token only where asked).

    Called once per sync round. Never raises for a hub problem: returns messages for the round's
    summary (an unreachable hub, a malformed feed). A hub without the feed (404) is an older hub:
    nothing to do.
    """
    import httpx

    try:
        resp = client.get(CALENDAR_PATH, headers=auth or {})
    except httpx.HTTPError as exc:
        return [f"the district's calendar could not be fetched: {exc or type(exc).__name__}"]
    messages: list[str] = []
    years: list[OfficialYear] = []
    if resp.status_code == 200:
        try:
            years = parse_feed(resp.json())
        except ValueError as exc:  # JSON errors and CalendarDataError alike
            messages.append(f"the district's calendar was refused: {exc}")
    elif resp.status_code != 404:
        messages.append(f"the district's calendar could not be fetched (HTTP {resp.status_code})")
    if years:
        messages.extend(apply_official_years(db, years, via=VIA_HUB, now=now).warnings)
    else:
        # Nothing new from the hub; a year may have come with a newer program (resources/calendar).
        with db.write() as session:
            recompute_provisional(session, now=now, via=VIA_PROGRAM)
    return messages
