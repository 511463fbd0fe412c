"""Reading requests for the console: who may see which request, the inbox (filters, search,
keyset paging, SLA countdown in working days) and one request with its merged timeline.

Access is decided here and nowhere else: :func:`scope` narrows every query to what the user
may see (a handler: the departments they work for; a viewer limited to a station: that station),
and :func:`load_request` answers "no such request" for one outside the scope, so that a
handler typing another department's tracking number gets the same 404 as for a number that
does not exist.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from xuhui_desk.hub.console.accounts import Principal
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import HubEnterprise, HubEvent, HubRequest, HubStation
from xuhui_desk.models import Status, utcnow
from xuhui_desk.services.reports import SHANGHAI, WorkingClock, mask_phone

#: Statuses still waiting for the district's answer (only these can be overdue).
OPEN_WORK = (Status.NEW.value, Status.ROUTED.value, Status.IN_PROGRESS.value)
#: Pseudo-statuses of the inbox's status filter.
STATUS_OPEN_WORK = "todo"
STATUS_ALL = "all"
MAX_TERMS = 5


class NotVisible(LookupError):
    """No such request, or not one this user may see (the two are told apart nowhere)."""


def scope(stmt: Select[Any], who: Principal) -> Select[Any]:
    """``stmt`` (over ``HubRequest``) narrowed to the requests ``who`` may see."""
    if not who.sees_all_departments:
        stmt = stmt.where(HubRequest.department.in_(who.departments or ("\x01none",)))
    if who.station_code:
        stmt = stmt.where(HubRequest.station_id.in_(
            select(HubStation.id).where(HubStation.code == who.station_code)))
    return stmt


def visible(who: Principal, department: str | None, station_code: str) -> bool:
    if not who.sees_all_departments and department not in who.departments:
        return False
    return not (who.station_code and station_code != who.station_code)


@dataclass
class InboxFilter:
    status: str = STATUS_OPEN_WORK
    station: str = ""
    category: str = ""
    department: str = ""
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False
    q: str = ""
    after: str = ""

    @property
    def by_due(self) -> bool:
        """Open work is listed by due time (overdue first); anything else newest first."""
        return self.status == STATUS_OPEN_WORK or self.overdue

    def query_params(self) -> dict[str, str]:
        out = {"status": self.status, "station": self.station, "category": self.category,
               "department": self.department, "q": self.q,
               "from": self.date_from.isoformat() if self.date_from else "",
               "to": self.date_to.isoformat() if self.date_to else "", "overdue": "1" if self.overdue else ""}
        return {k: v for k, v in out.items() if v}


@dataclass
class InboxRow:
    tracking_no: str
    created_at: datetime
    due_at: datetime | None
    status: str
    category: str
    department: str | None
    urgency: str
    station: str
    enterprise: str
    #: Working days left (negative: overdue by), None without a due time or a known calendar.
    workdays_left: float | None

    @property
    def overdue(self) -> bool:
        return self.workdays_left is not None and self.workdays_left < 0 and self.status in OPEN_WORK

    @property
    def workdays_shown(self) -> int | None:
        """:attr:`workdays_left` (or overdue by) in whole working days, as the page says it."""
        return None if self.workdays_left is None else whole_workdays(self.workdays_left)


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_after: str


def _encode_after(due: datetime | None, rid: int) -> str:
    micros = "-" if due is None else str(int(due.timestamp() * 1_000_000))
    return base64.urlsafe_b64encode(f"{micros}:{rid}".encode()).decode().rstrip("=")


def _decode_after(text: str) -> tuple[datetime | None, int] | None:
    """``(due, id)`` of the last row of the previous page (``due`` None: a row without a due time)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        micros, rid = raw.split(":")
        due = None if micros == "-" else datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
        return due, int(rid)
    except (ValueError, OverflowError, OSError):
        return None


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_terms(q: str) -> list[str]:
    """Whitespace-separated terms (at most :data:`MAX_TERMS`, each at most 50 characters)."""
    return [t[:50] for t in q.split() if t.strip()][:MAX_TERMS]


def _search(stmt: Select[Any], q: str) -> Select[Any]:
    """Every term must match the tracking number, company name, credit code or text (substring,
    case-insensitive). A bounded set: the LIKE runs over the rows the scope and filters leave."""
    for term in search_terms(q):
        pattern = _like(term)
        stmt = stmt.where(or_(
            HubRequest.tracking_no.ilike(pattern, escape="\\"),
            HubEnterprise.name.ilike(pattern, escape="\\"),
            HubEnterprise.uscc.ilike(pattern, escape="\\"),
            HubRequest.description.ilike(pattern, escape="\\"),
        ))
    return stmt


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def workdays_left(clock: WorkingClock, due: datetime | None, now: datetime) -> float | None:
    """Working days from ``now`` to ``due`` in business hours (negative when past), or None."""
    if due is None:
        return None
    from xuhui_desk.services.workdays import CalendarYearUnknown

    try:
        return (clock.seconds(due) - clock.seconds(now)) / clock.day_seconds
    except CalendarYearUnknown:
        return None


def whole_workdays(days: float) -> int:
    """Working days left, or overdue by, in whole days as the station says them: a day begun
    counts (0.2 → 1, 2.0 → 2, 2.5 → 3) — the station's rule (``ui/queue/model.whole_workdays``,
    which the hub cannot import), so the console and the station's GUI show the same number."""
    return max(1, math.ceil(round(abs(days), 6)))


def working_clock() -> WorkingClock:
    from xuhui_desk.services.workdays import default_calendar

    return WorkingClock(default_calendar())


def inbox(db: HubDatabase, who: Principal, f: InboxFilter, *, limit: int = 50, now: datetime | None = None
          ) -> InboxPage:
    """One page of the requests ``who`` may see that match ``f``: open work by due time (overdue
    first, then due soonest, then without a due time), anything else newest first; the next page
    starts after ``f.after`` (keyset paging: every page costs the same)."""
    now = now or utcnow()
    stmt: Select[*tuple[Any, ...]] = (
        select(HubRequest.id, HubRequest.tracking_no, HubRequest.created_at, HubRequest.sla_due_at,
               HubRequest.status, HubRequest.category, HubRequest.department, HubRequest.urgency,
               HubStation.code, HubEnterprise.name)
        .join(HubEnterprise, HubEnterprise.id == HubRequest.enterprise_id)
        .join(HubStation, HubStation.id == HubRequest.station_id))
    stmt = scope(stmt, who)
    if f.status == STATUS_OPEN_WORK or f.overdue:
        stmt = stmt.where(HubRequest.status.in_(OPEN_WORK))
    elif f.status != STATUS_ALL:
        stmt = stmt.where(HubRequest.status == f.status)
    if f.overdue:
        stmt = stmt.where(HubRequest.sla_due_at < now)
    if f.station:
        stmt = stmt.where(HubStation.code == f.station.upper())
    if f.category:
        stmt = stmt.where(HubRequest.category == f.category)
    if f.department:
        stmt = stmt.where(HubRequest.department == f.department)
    if f.date_from:
        stmt = stmt.where(HubRequest.created_at >= _day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(HubRequest.created_at < _day_start(f.date_to + timedelta(days=1)))
    if f.q:
        stmt = _search(stmt, f.q)
        if db.dialect == "postgresql" and who.sees_all_departments and not f.department:
            # The whole district's rows: a rare term is looked up in the n-gram indexes first.
            from xuhui_desk.hub.console import search_index

            with db.session() as s:
                for term in search_terms(f.q):
                    found_in = search_index.rare_term_condition(s, term)
                    if found_in is not None:
                        stmt = stmt.where(found_in)
    after = _decode_after(f.after) if f.after else None
    if f.by_due:
        # Rows without a due time last, on every database (PostgreSQL and SQLite put NULLs at
        # opposite ends), with no bound value in the ORDER BY so that the plan stays simple.
        due_col = HubRequest.sla_due_at
        if after is not None:
            due, rid = after
            if due is None:
                stmt = stmt.where(due_col.is_(None), HubRequest.id > rid)
            else:
                stmt = stmt.where(or_(due_col > due, and_(due_col == due, HubRequest.id > rid), due_col.is_(None)))
        stmt = stmt.order_by(due_col.is_(None), due_col, HubRequest.id)
    else:
        if after is not None:
            stmt = stmt.where(HubRequest.id < after[1])
        stmt = stmt.order_by(HubRequest.id.desc())
    with db.session() as s:
        found = s.execute(stmt.limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]
    clock = working_clock()
    rows = [InboxRow(r.tracking_no, r.created_at, r.sla_due_at, r.status, r.category, r.department, r.urgency,
                     r.code, r.name, workdays_left(clock, r.sla_due_at, now) if r.status in OPEN_WORK else None)
            for r in found]
    last = found[-1] if found else None
    next_after = _encode_after(last.sla_due_at, last.id) if more and last is not None else ""
    return InboxPage(rows, next_after)


# --- one request ------------------------------------------------------------------------------

@dataclass
class TimelineEntry:
    kind: str
    actor: str
    origin: str
    occurred_at: datetime
    data: dict[str, Any]


@dataclass
class RequestView:
    id: int
    uuid: str
    tracking_no: str
    station: str
    station_name: str
    enterprise: str
    uscc: str
    contact_name: str
    phone: str
    park: str
    channel: str
    category: str
    subcategory: str | None
    department: str | None
    urgency: str
    status: str
    description: str
    specialist: str
    created_at: datetime
    due_at: datetime | None
    reply: str | None
    rating: int | None
    rating_comment: str | None
    workdays_left: float | None
    timeline: list[TimelineEntry]

    @property
    def workdays_shown(self) -> int | None:
        """:attr:`workdays_left` (or overdue by) in whole working days, as the page says it."""
        return None if self.workdays_left is None else whole_workdays(self.workdays_left)


def find_request(s: Session, tracking_no: str) -> HubRequest | None:
    if "\x00" in tracking_no or len(tracking_no) > 32:
        return None
    return s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)).first()


def load_request(db: HubDatabase, who: Principal, tracking_no: str, *, now: datetime | None = None) -> RequestView:
    """A request with its timeline (hub arrival order); raises :class:`NotVisible` for one that
    does not exist or that ``who`` may not see. The phone is masked unless the role may see it."""
    now = now or utcnow()
    if "\x00" in tracking_no or len(tracking_no) > 32:  # no tracking number is like that
        raise NotVisible(tracking_no[:40])
    with db.session() as s:
        row = s.execute(
            select(HubRequest, HubEnterprise, HubStation)
            .join(HubEnterprise, HubEnterprise.id == HubRequest.enterprise_id)
            .join(HubStation, HubStation.id == HubRequest.station_id)
            .where(HubRequest.tracking_no == tracking_no)).first()
        if row is None:
            raise NotVisible(tracking_no)
        req, ent, station = row
        if not visible(who, req.department, station.code):
            raise NotVisible(tracking_no)
        events = s.execute(select(HubEvent.kind, HubEvent.actor, HubEvent.origin, HubEvent.occurred_at, HubEvent.data)
                           .where(HubEvent.request_id == req.id).order_by(HubEvent.id)).all()
    phone = ent.phone if who.may_see_phone else mask_phone(ent.phone)
    park = " ".join(p for p in (ent.park, ent.building) if p)
    return RequestView(
        req.id, req.uuid, req.tracking_no, station.code, station.name, ent.name, ent.uscc or "", ent.contact_name,
        phone, park, req.channel, req.category, req.subcategory, req.department, req.urgency, req.status,
        req.description, req.specialist, req.created_at, req.sla_due_at, req.reply, req.rating, req.rating_comment,
        workdays_left(working_clock(), req.sla_due_at, now) if req.status in OPEN_WORK else None,
        [TimelineEntry(k, a, o, t, d if isinstance(d, dict) else {}) for k, a, o, t, d in events])
