"""Today (今日工作): what a specialist has to do today, list by list, with counts.

What it promises (:func:`today`):

* **overdue** — requests still waiting for the district's answer (new, routed, in progress)
  past their due time, most overdue first; **due_today** — the same, due later today
  (Shanghai); **due_soon** — due after today up to the close of the next working day on the
  station's working-day calendar (services/workdays.py).
* **callbacks_today** / **callbacks_overdue** — open callbacks planned for today, and for an
  earlier day and still not done (services/followup.py).
* **low_ratings** — requests rated dissatisfied (1 or 2) that are reopened for rectification
  and not answered again yet, earliest due first.
* **refused** — records the hub refused (``services.sync.rejected_records``); these belong to
  the station, not to one specialist, so the specialist filter leaves them alone.

``specialist`` narrows the request lists to the requests that specialist took in, and the
callbacks to those they planned. Each list carries its full ``count`` and at most ``limit``
lines (the most pressing first); each line carries the request's uuid, tracking number,
company and what is due. Every list is one or two index range reads (``ix_requests_status_due``,
``ix_callbacks_open_due``, ``ix_requests_rating_status``): benchmarks/today_benchmark.py
measures them at 200,000 requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, TextClause, func, select, text
from sqlalchemy.orm import Session

from xuhui_desk.db import Database
from xuhui_desk.models import Callback, Enterprise, Request, RequestEvent, Status
from xuhui_desk.services.timefmt import SHANGHAI, iso_local

#: Statuses still waiting for the district's answer (the queue's and the weekly report's "unresolved").
UNRESOLVED = (Status.NEW.value, Status.ROUTED.value, Status.IN_PROGRESS.value)
DISSATISFIED = (1, 2)
#: Lines per list (a screenful); the counts are always complete.
DEFAULT_LIMIT = 50

#: Written out so that SQLite sees the partial index ix_callbacks_open_due's own condition.
OPEN_CALLBACK = text("callbacks.done_at IS NULL")

#: The lists, in the order Today shows them.
LISTS = ("overdue", "due_today", "due_soon", "callbacks_overdue", "callbacks_today", "low_ratings", "refused")


@dataclass(frozen=True)
class TodayLine:
    """One line of a Today list: the request it opens and what is due."""

    #: What is due: the list's key (``overdue``, ``due_today``, … ``refused``).
    what: str
    request_uuid: str | None
    tracking_no: str | None
    company: str
    status: str | None = None
    specialist: str = ""
    #: The request's due time (request lists), or the rectification's due time (low ratings).
    due_at: datetime | None = None
    #: The callback's day (callback lists).
    due_on: str | None = None
    #: The rating (low ratings), the callback's planning contact summary, or the hub's reason.
    detail: str = ""
    rating: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "request_uuid": self.request_uuid, "tracking_no": self.tracking_no,
                "company": self.company, "status": self.status, "specialist": self.specialist,
                "due_at": iso_local(self.due_at) if self.due_at else None, "due_on": self.due_on,
                "detail": self.detail, "rating": self.rating}


@dataclass(frozen=True)
class TodayList:
    key: str
    count: int
    lines: tuple[TodayLine, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "lines": [line.to_dict() for line in self.lines]}


@dataclass(frozen=True)
class Today:
    """Everything the Today page shows, as of ``now``."""

    now: datetime
    day: date
    specialist: str | None
    #: The end of the "due soon" window: close of business of the next working day.
    due_soon_until: datetime
    lists: dict[str, TodayList]

    def counts(self) -> dict[str, int]:
        """The count of every list (for the navigation's badges)."""
        return {key: self.lists[key].count for key in LISTS}

    def __getitem__(self, key: str) -> TodayList:
        return self.lists[key]

    def to_dict(self) -> dict[str, Any]:
        return {"now": iso_local(self.now), "day": self.day.isoformat(), "specialist": self.specialist,
                "due_soon_until": iso_local(self.due_soon_until), "counts": self.counts(),
                "lists": {key: self.lists[key].to_dict() for key in LISTS}}


def _day_end(day: date) -> datetime:
    """The first moment after ``day`` (Shanghai midnight), aware."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def due_soon_end(session: Session, day: date) -> datetime:
    """Close of business of the working day after ``day`` on the station's calendar (the next
    calendar day's end when the calendar cannot count that year)."""
    from xuhui_desk.services.assignment import calendar
    from xuhui_desk.services.workdays import CalendarYearUnknown

    cal = calendar(session)
    try:
        return cal.close_of_business(cal.next_workday(day))
    except CalendarYearUnknown:
        return _day_end(day + timedelta(days=1))


def _request_lines(session: Session, what: str, conditions: list[ColumnElement[bool]], order: Any,
                   limit: int) -> TodayList:
    count = session.scalar(select(func.count()).select_from(Request).where(*conditions)) or 0
    rows = session.execute(
        select(Request.uuid, Request.tracking_no, Enterprise.name, Request.status, Request.specialist,
               Request.sla_due_at, Request.rating)
        .join(Enterprise, Enterprise.id == Request.enterprise_id).where(*conditions).order_by(*order).limit(limit)
    ).all() if count else []
    lines = tuple(TodayLine(what, r.uuid, r.tracking_no, r.name, str(r.status), r.specialist, r.sla_due_at,
                            rating=r.rating) for r in rows)
    return TodayList(what, count, lines)


def _callback_query(conditions: list[ColumnElement[bool] | TextClause]) -> Select[Any]:
    return (select(Request.uuid, Request.tracking_no, Enterprise.name, Request.status, Callback.specialist,
                   Callback.due_on, RequestEvent.data)
            .join(Request, Request.id == Callback.request_id)
            .join(Enterprise, Enterprise.id == Request.enterprise_id)
            .join(RequestEvent, RequestEvent.uuid == Callback.event_uuid)
            .where(*conditions))


def _callback_lines(session: Session, what: str, conditions: list[ColumnElement[bool] | TextClause],
                    limit: int) -> TodayList:
    count = session.scalar(select(func.count()).select_from(Callback).where(*conditions)) or 0
    rows = session.execute(_callback_query(conditions).order_by(Callback.due_on, Callback.id).limit(limit)).all() \
        if count else []
    lines = tuple(TodayLine(what, r.uuid, r.tracking_no, r.name, str(r.status), r.specialist, due_on=r.due_on,
                            detail=str((r.data or {}).get("summary", ""))) for r in rows)
    return TodayList(what, count, lines)


def _refused_lines(db: Database, session: Session, limit: int) -> TodayList:
    from xuhui_desk.services.sync import rejected_records

    # Nearly always nothing is refused: say so from the sync-state indexes without reading more.
    refused_any = session.execute(text(
        "SELECT EXISTS (SELECT 1 FROM requests WHERE sync_state = 'error') "
        "OR EXISTS (SELECT 1 FROM enterprises WHERE sync_state = 'error') "
        "OR EXISTS (SELECT 1 FROM request_events WHERE sync_state = 'error') "
        "OR EXISTS (SELECT 1 FROM policy_pushes WHERE sync_state = 'error') "
        "OR EXISTS (SELECT 1 FROM sync_meta WHERE key LIKE 'pull_quarantine:%')")).scalar()
    if not refused_any:
        return TodayList("refused", 0)
    records = rejected_records(db)
    numbers = {r.tracking_no for r in records[:limit] if r.tracking_no}
    known = {row.tracking_no: row for row in session.execute(
        select(Request.tracking_no, Request.uuid, Enterprise.name, Request.status, Request.specialist)
        .join(Enterprise, Enterprise.id == Request.enterprise_id).where(Request.tracking_no.in_(numbers)))}
    lines = []
    for r in records[:limit]:
        row = known.get(r.tracking_no or "")
        lines.append(TodayLine("refused", row.uuid if row else None, r.tracking_no,
                               row.name if row else r.label, str(row.status) if row else None,
                               row.specialist if row else "", detail=r.message()))
    return TodayList("refused", len(records), tuple(lines))


def today(db: Database, now: datetime, specialist: str | None = None, *, limit: int = DEFAULT_LIMIT) -> Today:
    """The Today lists as of the aware moment ``now`` (see the module's description), for every
    specialist or, given ``specialist``, for theirs; each with its full count and at most
    ``limit`` lines."""
    if now.tzinfo is None:
        raise ValueError("today() needs an aware datetime")
    day = now.astimezone(SHANGHAI).date()
    end_of_day = _day_end(day)
    mine_r = [Request.specialist == specialist] if specialist else []
    mine_c = [Callback.specialist == specialist] if specialist else []
    open_due = [Request.status.in_(UNRESOLVED), *mine_r]
    with db.session() as session:
        until = max(due_soon_end(session, day), end_of_day)
        lists = {
            "overdue": _request_lines(session, "overdue", [*open_due, Request.sla_due_at < now],
                                      [Request.sla_due_at, Request.id], limit),
            "due_today": _request_lines(session, "due_today",
                                        [*open_due, Request.sla_due_at >= now, Request.sla_due_at < end_of_day],
                                        [Request.sla_due_at, Request.id], limit),
            "due_soon": _request_lines(session, "due_soon",
                                       [*open_due, Request.sla_due_at >= end_of_day, Request.sla_due_at <= until],
                                       [Request.sla_due_at, Request.id], limit),
            "callbacks_overdue": _callback_lines(session, "callbacks_overdue",
                                                 [OPEN_CALLBACK, Callback.due_on < day.isoformat(),
                                                  *mine_c], limit),
            "callbacks_today": _callback_lines(session, "callbacks_today",
                                               [OPEN_CALLBACK, Callback.due_on == day.isoformat(),
                                                *mine_c], limit),
            "low_ratings": _request_lines(session, "low_ratings",
                                          [Request.rating.in_(DISSATISFIED), Request.status.in_(UNRESOLVED), *mine_r],
                                          [Request.sla_due_at, Request.id], limit),
            "refused": _refused_lines(db, session, limit),
        }
    return Today(now, day, specialist, until, lists)
